use super::*;

fn parse_str(line: &str) -> Result<Command, UsageError> {
    parse(line.split_whitespace())
}

#[test]
fn server_line() {
    let Command::Server(s) = parse_str(
        "server --listen 127.0.0.1:0 --cert c.pem --key=k.pem --alpn h2,http/1.1 \
         --min-version 1.3 --client-ca ca.pem --max-connections 1",
    )
    .unwrap() else {
        panic!("not a server")
    };
    assert_eq!(s.client_auth, ClientAuth::Required);
    assert_eq!(s.max_connections, Some(1));
    assert_eq!(s.tls.alpn, ["h2", "http/1.1"]);
    assert_eq!(s.tls.min_version, Some(ProtocolVersion::Tls13));
    assert_eq!(s.tls.handshake_timeout, IO_TIMEOUT);
    assert!(parse_str("server --cert c.pem").is_err());
    assert!(parse_str("server --cert c --key k --client-auth required").is_err());
    assert!(parse_str("server --cert c --key k --bogus 1").is_err());
}

#[test]
fn client_line() {
    let Command::Client(c) =
        parse_str("client --connect [::1]:4433 --dangerous-no-verify --resume 2").unwrap()
    else {
        panic!("not a client")
    };
    assert_eq!(c.name, Name::Name("::1".into()));
    assert!(c.no_verify);
    assert_eq!(c.resume, 2);
    assert_eq!(c.payload, Payload::Text(b"hello from unitls-peer".to_vec()));
    let Command::Client(c) =
        parse_str("client --connect h:1 --no-sni --send a\\nb --handshake-timeout 0.5").unwrap()
    else {
        panic!("not a client")
    };
    assert_eq!(c.name, Name::None);
    assert_eq!(c.payload, Payload::Text(b"a\nb".to_vec()));
    assert_eq!(c.tls.handshake_timeout, Duration::from_millis(500));
    assert!(parse_str("client --connect h:1 --sni a --no-sni").is_err());
    assert!(parse_str("client --connect h:1 --ca x --dangerous-no-verify").is_err());
    assert!(parse_str("client --connect h:1 --min-version 1.1").is_err());
    assert!(parse_str("client --connect h:1 --handshake-timeout 0").is_err());
    assert!(parse_str("client").is_err());
}

#[test]
fn small_parsers() {
    assert_eq!(version("TLSv1.2"), Ok(ProtocolVersion::Tls12));
    assert_eq!(version("tls13"), Ok(ProtocolVersion::Tls13));
    assert_eq!(host_of("localhost:443"), "localhost");
    assert_eq!(unescape(r"x\\n\q"), b"x\\n\\q");
    assert_eq!(parse_str("--version"), Ok(Command::Version));
    assert_eq!(parse_str(""), Ok(Command::Help(USAGE)));
}

#[test]
fn help_everywhere() {
    for line in ["--help", "-h", "help"] {
        assert_eq!(parse_str(line), Ok(Command::Help(USAGE)));
    }
    assert_eq!(parse_str("server --help"), Ok(Command::Help(SERVER_USAGE)));
    assert_eq!(
        parse_str("client --connect h:1 -h"),
        Ok(Command::Help(CLIENT_USAGE))
    );
}

#[test]
fn usage_errors_carry_the_command_usage() {
    let err = parse_str("client --connect h:1 --bogus").unwrap_err();
    assert_eq!(err.usage, CLIENT_USAGE);
    assert_eq!(err.message, "unknown option `--bogus` for `client`");
    let err = parse_str("server --cert c --key k extra").unwrap_err();
    assert_eq!(err.usage, SERVER_USAGE);
    assert_eq!(err.message, "unexpected argument `extra` for `server`");
    assert_eq!(parse_str("frobnicate").unwrap_err().usage, USAGE);
    assert!(parse_str("--version extra").is_err());
    assert!(parse_str("--version=1").is_err());
    // A switch takes no value; a flag's value may start with a dash.
    assert!(parse_str("client --connect h:1 --no-sni=yes").is_err());
    assert!(parse_str("client --connect").is_err());
    let Command::Client(c) = parse_str("client --connect h:1 --send -x").unwrap() else {
        panic!("not a client")
    };
    assert_eq!(c.payload, Payload::Text(b"-x".to_vec()));
}

#[test]
fn async_is_a_switch_of_both_roles() {
    let Command::Server(s) = parse_str("server --cert c --key k --async").unwrap() else {
        panic!("not a server")
    };
    assert!(s.tls.asynchronous);
    let Command::Client(c) =
        parse_str("client --async --connect h:1 --starttls smtp --resume 1").unwrap()
    else {
        panic!("not a client")
    };
    assert!(c.tls.asynchronous);
    assert_eq!(c.tls.starttls, Some(Starttls::Smtp));
    assert_eq!(c.resume, 1);
    let Command::Client(c) = parse_str("client --connect h:1").unwrap() else {
        panic!("not a client")
    };
    assert!(!c.tls.asynchronous, "blocking unless asked");
    let err = parse_str("client --connect h:1 --async=yes").unwrap_err();
    assert_eq!(err.usage, CLIENT_USAGE);
    assert!(parse_str("server --cert c --key k --async=1").is_err());
    assert_eq!(
        parse_str("server --async --help"),
        Ok(Command::Help(SERVER_USAGE))
    );
    for usage in [USAGE, SERVER_USAGE, CLIENT_USAGE] {
        assert!(usage.contains("[--async]"), "{usage}");
        assert!(usage.contains("tokio"), "{usage}");
    }
}
