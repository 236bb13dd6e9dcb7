//! The command line of `unitls-peer`, parsed by hand (no argument-parsing crate).

use std::path::PathBuf;
use std::time::Duration;

use unitls::{ClientAuth, ProtocolVersion};

/// What `--help` and a usage error print.
pub(crate) const USAGE: &str = "\
usage:
  unitls-peer --version
  unitls-peer server --listen ADDR --cert CHAIN.pem --key KEY.pem [--key-password P]
      [--client-ca CA.pem [--client-auth optional|required]] [--alpn a,b]
      [--min-version 1.2|1.3] [--max-version 1.2|1.3] [--ciphers IANA,...]
      [--handshake-timeout SECS] [--starttls smtp] [--max-connections N]
  unitls-peer client --connect HOST:PORT [--sni NAME | --no-sni]
      [--ca CA.pem | --dangerous-no-verify] [--cert CHAIN.pem --key KEY.pem [--key-password P]]
      [--alpn a,b] [--min-version ..] [--max-version ..] [--ciphers ..]
      [--handshake-timeout SECS] [--starttls smtp]
      [--send TEXT | --send-bytes N] [--expect TEXT] [--resume N]

Output: one JSON object per line on stdout. Exit status 0 on success, 1 after an
`error` event, 2 on a usage error. --send and --expect understand \\n, \\r, \\t, \\\\.";

/// Every socket read and write, and the handshake unless `--handshake-timeout` says
/// otherwise, is bounded by this.
pub(crate) const IO_TIMEOUT: Duration = Duration::from_secs(10);

/// One parsed command line.
#[derive(Debug, PartialEq)]
pub(crate) enum Command {
    /// `--help`, `-h`, `help`, or nothing.
    Help,
    /// `--version`.
    Version,
    /// `server ...`.
    Server(ServerArgs),
    /// `client ...`.
    Client(ClientArgs),
}

/// The plaintext protocol spoken before TLS is attached.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Starttls {
    /// SMTP (RFC 3207).
    Smtp,
}

/// Options both roles take.
#[derive(Debug, PartialEq)]
pub(crate) struct Tls {
    /// ALPN protocols in preference order.
    pub(crate) alpn: Vec<String>,
    /// `--min-version`.
    pub(crate) min_version: Option<ProtocolVersion>,
    /// `--max-version`.
    pub(crate) max_version: Option<ProtocolVersion>,
    /// `--ciphers`, IANA names.
    pub(crate) ciphers: Option<Vec<String>>,
    /// `--handshake-timeout` (default [`IO_TIMEOUT`]).
    pub(crate) handshake_timeout: Duration,
    /// `--starttls`.
    pub(crate) starttls: Option<Starttls>,
    /// `--cert` and `--key`.
    pub(crate) identity: Option<(PathBuf, PathBuf)>,
    /// `--key-password`.
    pub(crate) key_password: Option<String>,
}

/// `unitls-peer server`.
#[derive(Debug, PartialEq)]
pub(crate) struct ServerArgs {
    /// `--listen` (default `127.0.0.1:0`).
    pub(crate) listen: String,
    /// `--client-ca`: the client roots.
    pub(crate) client_ca: Option<PathBuf>,
    /// `--client-auth` (default `required` when `--client-ca` is given).
    pub(crate) client_auth: ClientAuth,
    /// `--max-connections`: serve this many, then exit; `None` serves until killed.
    pub(crate) max_connections: Option<usize>,
    /// The shared options; the identity is required.
    pub(crate) tls: Tls,
}

/// Which name the client sends and verifies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Name {
    /// `--sni NAME`, or the host part of `--connect`.
    Name(String),
    /// `--no-sni`.
    None,
}

/// What the client sends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Payload {
    /// `--send TEXT` (default `hello from unitls-peer`).
    Text(Vec<u8>),
    /// `--send-bytes N`: N octets of a fixed pattern, in 16 KiB steps.
    Bytes(usize),
}

/// `unitls-peer client`.
#[derive(Debug, PartialEq)]
pub(crate) struct ClientArgs {
    /// `--connect HOST:PORT`.
    pub(crate) connect: String,
    /// The SNI and reference name.
    pub(crate) name: Name,
    /// `--ca`: the only trust anchors; `None` uses the system store.
    pub(crate) ca: Option<PathBuf>,
    /// `--dangerous-no-verify`.
    pub(crate) no_verify: bool,
    /// What to send.
    pub(crate) payload: Payload,
    /// `--expect`: what the echo must be (default: what was sent).
    pub(crate) expect: Option<Vec<u8>>,
    /// `--resume N`: N more connections with the same context.
    pub(crate) resume: usize,
    /// The shared options.
    pub(crate) tls: Tls,
}

/// Parses the arguments after the program name.
pub(crate) fn parse(args: impl IntoIterator<Item = String>) -> Result<Command, String> {
    let mut args = args.into_iter();
    let Some(first) = args.next() else {
        return Ok(Command::Help);
    };
    match first.as_str() {
        "--help" | "-h" | "help" => Ok(Command::Help),
        "--version" | "version" => match args.next() {
            None => Ok(Command::Version),
            Some(extra) => Err(format!("unexpected argument `{extra}` after --version")),
        },
        "server" => server(Flags::new(args)?).map(Command::Server),
        "client" => client(Flags::new(args)?).map(Command::Client),
        other => Err(format!(
            "unknown command `{other}`: expected server, client or --version"
        )),
    }
}

/// The `--flag value` / `--flag=value` / `--switch` arguments of one role.
struct Flags {
    /// `(flag, value)` in order; switches have `None`.
    items: Vec<(String, Option<String>)>,
}

/// Flags that take no value.
const SWITCHES: [&str; 2] = ["--no-sni", "--dangerous-no-verify"];

impl Flags {
    /// Splits the arguments into flags and values.
    fn new(args: impl Iterator<Item = String>) -> Result<Flags, String> {
        let mut items = Vec::new();
        let mut args = args.peekable();
        while let Some(arg) = args.next() {
            if !arg.starts_with("--") {
                return Err(format!("unexpected argument `{arg}`"));
            }
            if let Some((flag, value)) = arg.split_once('=') {
                if SWITCHES.contains(&flag) {
                    return Err(format!("`{flag}` takes no value"));
                }
                items.push((flag.to_owned(), Some(value.to_owned())));
            } else if SWITCHES.contains(&arg.as_str()) {
                items.push((arg, None));
            } else {
                let value = args
                    .next()
                    .ok_or_else(|| format!("`{arg}` needs a value"))?;
                items.push((arg, Some(value)));
            }
        }
        Ok(Flags { items })
    }

    /// Takes the value of `flag` (the last one wins if repeated).
    fn take(&mut self, flag: &str) -> Option<String> {
        let mut found = None;
        self.items.retain(|(f, v)| {
            if f == flag {
                found = v.clone();
                false
            } else {
                true
            }
        });
        found
    }

    /// Takes switch `flag`.
    fn switch(&mut self, flag: &str) -> bool {
        let before = self.items.len();
        self.items.retain(|(f, _)| f != flag);
        self.items.len() != before
    }

    /// Fails on any flag not taken.
    fn finish(self, role: &str) -> Result<(), String> {
        match self.items.first() {
            Some((flag, _)) => Err(format!("unknown option `{flag}` for `{role}`")),
            None => Ok(()),
        }
    }
}

/// The options of both roles.
fn tls(flags: &mut Flags) -> Result<Tls, String> {
    let alpn = match flags.take("--alpn") {
        Some(list) => {
            let protocols = split_list(&list);
            if protocols.is_empty() {
                return Err("`--alpn` needs at least one protocol".into());
            }
            protocols
        }
        None => Vec::new(),
    };
    let ciphers = flags.take("--ciphers").map(|list| split_list(&list));
    let handshake_timeout = match flags.take("--handshake-timeout") {
        Some(text) => seconds(&text)?,
        None => IO_TIMEOUT,
    };
    let starttls = match flags.take("--starttls").as_deref() {
        None => None,
        Some("smtp") => Some(Starttls::Smtp),
        Some(other) => return Err(format!("`--starttls {other}`: only `smtp` is known")),
    };
    let identity = match (flags.take("--cert"), flags.take("--key")) {
        (Some(cert), Some(key)) => Some((PathBuf::from(cert), PathBuf::from(key))),
        (None, None) => None,
        _ => return Err("`--cert` and `--key` go together".into()),
    };
    Ok(Tls {
        alpn,
        min_version: flags
            .take("--min-version")
            .map(|v| version(&v))
            .transpose()?,
        max_version: flags
            .take("--max-version")
            .map(|v| version(&v))
            .transpose()?,
        ciphers,
        handshake_timeout,
        starttls,
        identity,
        key_password: flags.take("--key-password"),
    })
}

/// `server ...`.
fn server(mut flags: Flags) -> Result<ServerArgs, String> {
    let listen = flags
        .take("--listen")
        .unwrap_or_else(|| "127.0.0.1:0".into());
    let client_ca = flags.take("--client-ca").map(PathBuf::from);
    let client_auth = match (flags.take("--client-auth").as_deref(), &client_ca) {
        (None, None) => ClientAuth::Never,
        (None, Some(_)) | (Some("required"), Some(_)) => ClientAuth::Required,
        (Some("optional"), Some(_)) => ClientAuth::Optional,
        (Some("optional" | "required"), None) => {
            return Err("`--client-auth` needs `--client-ca` (the client roots)".into())
        }
        (Some(other), _) => {
            return Err(format!(
                "`--client-auth {other}`: expected optional or required"
            ))
        }
    };
    let max_connections = match flags.take("--max-connections") {
        Some(text) => match text.parse::<usize>() {
            Ok(n) if n > 0 => Some(n),
            _ => {
                return Err(format!(
                    "`--max-connections {text}`: expected a positive count"
                ))
            }
        },
        None => None,
    };
    let tls = tls(&mut flags)?;
    flags.finish("server")?;
    if tls.identity.is_none() {
        return Err("`server` needs `--cert CHAIN.pem --key KEY.pem`".into());
    }
    Ok(ServerArgs {
        listen,
        client_ca,
        client_auth,
        max_connections,
        tls,
    })
}

/// `client ...`.
fn client(mut flags: Flags) -> Result<ClientArgs, String> {
    let connect = flags
        .take("--connect")
        .ok_or("`client` needs `--connect HOST:PORT`")?;
    let no_sni = flags.switch("--no-sni");
    let name = match (flags.take("--sni"), no_sni) {
        (Some(_), true) => return Err("`--sni` and `--no-sni` exclude each other".into()),
        (Some(name), false) => Name::Name(name),
        (None, true) => Name::None,
        (None, false) => Name::Name(host_of(&connect).to_owned()),
    };
    let ca = flags.take("--ca").map(PathBuf::from);
    let no_verify = flags.switch("--dangerous-no-verify");
    if ca.is_some() && no_verify {
        return Err("`--ca` and `--dangerous-no-verify` exclude each other".into());
    }
    let payload = match (flags.take("--send"), flags.take("--send-bytes")) {
        (Some(_), Some(_)) => return Err("`--send` and `--send-bytes` exclude each other".into()),
        (Some(text), None) => Payload::Text(unescape(&text)),
        (None, Some(n)) => match n.parse::<usize>() {
            Ok(n) if n > 0 => Payload::Bytes(n),
            _ => return Err(format!("`--send-bytes {n}`: expected a positive count")),
        },
        (None, None) => Payload::Text(b"hello from unitls-peer".to_vec()),
    };
    let expect = flags.take("--expect").map(|text| unescape(&text));
    if expect.is_some() && matches!(payload, Payload::Bytes(_)) {
        return Err("`--expect` goes with `--send`, not `--send-bytes`".into());
    }
    let resume = match flags.take("--resume") {
        Some(text) => text
            .parse::<usize>()
            .map_err(|_| format!("`--resume {text}`: expected a count"))?,
        None => 0,
    };
    let tls = tls(&mut flags)?;
    flags.finish("client")?;
    Ok(ClientArgs {
        connect,
        name,
        ca,
        no_verify,
        payload,
        expect,
        resume,
        tls,
    })
}

/// The host part of `HOST:PORT` (`[::1]:443` gives `::1`).
pub(crate) fn host_of(connect: &str) -> &str {
    connect
        .rsplit_once(':')
        .map_or(connect, |(host, _)| host)
        .trim_start_matches('[')
        .trim_end_matches(']')
}

/// `a,b` as `["a", "b"]`, blanks dropped.
fn split_list(list: &str) -> Vec<String> {
    list.split(',')
        .map(str::trim)
        .filter(|item| !item.is_empty())
        .map(str::to_owned)
        .collect()
}

/// `1.2`, `1.3` (also `TLSv1.2`, `tls1.3`, `tls13`).
fn version(text: &str) -> Result<ProtocolVersion, String> {
    let lower = text.to_ascii_lowercase();
    let bare = lower
        .trim_start_matches("tlsv")
        .trim_start_matches("tls")
        .trim_start_matches(['v', '_']);
    match bare {
        "1.2" | "12" | "1_2" => Ok(ProtocolVersion::Tls12),
        "1.3" | "13" | "1_3" => Ok(ProtocolVersion::Tls13),
        _ => Err(format!("unknown TLS version `{text}`: expected 1.2 or 1.3")),
    }
}

/// Positive seconds, fractions allowed.
fn seconds(text: &str) -> Result<Duration, String> {
    match text.parse::<f64>() {
        Ok(secs) if secs > 0.0 && secs.is_finite() && secs < 1e9 => {
            Ok(Duration::from_secs_f64(secs))
        }
        _ => Err(format!("`{text}`: expected a positive number of seconds")),
    }
}

/// `\n`, `\r`, `\t` and `\\` turned into the octets they name.
fn unescape(text: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        let replaced = if c == '\\' {
            match chars.clone().next() {
                Some('n') => Some('\n'),
                Some('r') => Some('\r'),
                Some('t') => Some('\t'),
                Some('\\') => Some('\\'),
                _ => None,
            }
        } else {
            None
        };
        match replaced {
            Some(r) => {
                chars.next();
                out.push(r as u8);
            }
            None => {
                let mut buf = [0u8; 4];
                out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_str(line: &str) -> Result<Command, String> {
        parse(line.split_whitespace().map(str::to_owned))
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
            parse_str("client --connect h:1 --no-sni --send a\\nb --handshake-timeout 0.5")
                .unwrap()
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
        assert_eq!(parse_str(""), Ok(Command::Help));
    }
}
