//! SPEC §3 SEC — secure defaults and hostile input (RFC 8996, RFC 7465, RFC 9325,
//! RFC 8446 §5.2).

use std::io::{Read, Write};
use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use unitls_core::{AttachOptions, ErrorKind, IdentitySource, Password};

use crate::fixtures::{pki, write_temp, PASSWORD};
use crate::harness::{spawn, TransportKind};
use crate::Harness;

/// The `openssl` command-line tool; the suite needs it (SPEC §0, INTEROP).
fn openssl_cli() -> Command {
    let mut command = Command::new("openssl");
    command
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    command
}

struct Killed(Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("addr")
        .port()
}

/// SEC-1: nothing below TLS 1.2 is accepted or offered by default, checked with an
/// `openssl` peer that really speaks TLS 1.1 (`@SECLEVEL=0`).
pub fn sec_1_no_legacy_versions(h: &Harness) {
    if h.kind == TransportKind::Memory {
        return; // the external tool speaks TCP
    }
    // Our server, a TLS 1.1-only client.
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    let server_opts = h.server_opts();
    let server = spawn(move || {
        let (socket, _) = listener.accept().expect("accept");
        socket
            .set_read_timeout(Some(Duration::from_secs(10)))
            .expect("timeout");
        unitls_core::from_accepted(socket, Some(server_opts)).map(|_| ())
    });
    let client = openssl_cli()
        .args([
            "s_client",
            "-connect",
            &format!("127.0.0.1:{port}"),
            "-tls1_1",
            "-cipher",
            "ALL:@SECLEVEL=0",
        ])
        .spawn()
        .expect("the openssl command-line tool is required (cargo xtask prereqs installs it)");
    let _client = Killed(client);
    let result = server.join();
    let err = unitls_core::Error::from_io(result.expect_err("a TLS 1.1 client was accepted"));
    assert!(err.kind().is_failure(), "{err}");
    // A TLS 1.1-only server, our client.
    let p = pki();
    let dir = write_temp(&[
        ("chain.pem", p.server_rsa.chain_pem.as_bytes()),
        ("key.pem", p.server_rsa.key_pem.as_bytes()),
    ]);
    let port = free_port();
    let server = openssl_cli()
        .args([
            "s_server",
            "-accept",
            &format!("127.0.0.1:{port}"),
            "-tls1_1",
            "-cipher",
            "ALL:@SECLEVEL=0",
        ])
        .arg("-cert")
        .arg(dir.join("chain.pem"))
        .arg("-key")
        .arg(dir.join("key.pem"))
        .spawn()
        .expect("openssl s_server");
    let _server = Killed(server);
    let deadline = Instant::now() + Duration::from_secs(10);
    let socket = loop {
        match std::net::TcpStream::connect(("127.0.0.1", port)) {
            Ok(socket) => break socket,
            Err(_) if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(50)),
            Err(e) => panic!("openssl s_server did not start: {e}"),
        }
    };
    socket
        .set_read_timeout(Some(Duration::from_secs(10)))
        .expect("timeout");
    let mut stream = unitls_core::SocketStream::new(socket);
    let err = stream
        .attach_ssl(h.client_opts())
        .expect_err("a TLS 1.1 server was accepted");
    assert!(err.kind().is_failure(), "{err}");
    let _ = std::fs::remove_dir_all(dir);
}

/// SEC-2: the ClientHello offers only null compression and no weak suites (NULL,
/// export, anonymous, RC4, DES/3DES, MD5).
pub fn sec_2_client_hello_offers_nothing_weak(h: &Harness) {
    let (mut client, mut server, _k) = h.plain_pair();
    let options = h
        .client_opts()
        .handshake_timeout(Duration::from_millis(500));
    let attempt = spawn(move || {
        let _ = client.attach_ssl(options);
    });
    let mut header = [0u8; 5];
    server.read_exact(&mut header).expect("record header");
    let mut body = vec![0u8; usize::from(u16::from_be_bytes([header[3], header[4]]))];
    server.read_exact(&mut body).expect("ClientHello");
    drop(server);
    attempt.join();
    // handshake header (4), version (2), random (32), session id, suites, compression
    let mut at = 4 + 2 + 32;
    at += 1 + usize::from(body[at]);
    let suites_len = usize::from(u16::from_be_bytes([body[at], body[at + 1]]));
    let suites: Vec<u16> = body[at + 2..at + 2 + suites_len]
        .chunks(2)
        .map(|c| u16::from_be_bytes([c[0], c[1]]))
        .collect();
    at += 2 + suites_len;
    let compression = &body[at + 1..at + 1 + usize::from(body[at])];
    assert_eq!(compression, [0], "only null compression");
    for suite in suites {
        assert!(!is_weak(suite), "weak suite 0x{suite:04X} offered");
    }
}

/// TLS 1.2 suites with NULL encryption, export strength, anonymous key exchange,
/// RC4, DES or 3DES, or MD5 (RFC 7465, RFC 9325), by IANA code point.
fn is_weak(suite: u16) -> bool {
    matches!(
        suite,
        0x0000..=0x001B // NULL, export, RC4, RC2, IDEA, DES, 3DES, DH_anon
            | 0x002C..=0x002E // PSK with NULL
            | 0x0034 | 0x003A | 0x003B // DH_anon AES, RSA_NULL_SHA256
            | 0x006C | 0x006D | 0x009B // DH_anon
            | 0x00A6 | 0x00A7 // DH_anon GCM
            | 0x00B0 | 0x00B1 | 0x00B4 | 0x00B5 | 0x00B8 | 0x00B9 // PSK NULL
            | 0xC001..=0xC003 | 0xC006..=0xC008 | 0xC00B..=0xC00D | 0xC010..=0xC012 // ECDH NULL/RC4/3DES
            | 0xC015..=0xC019 // ECDH_anon
            | 0xC01A..=0xC01C // SRP 3DES
            | 0xC033 | 0xC034 | 0xC039..=0xC03B // ECDHE_PSK RC4/3DES/NULL
    )
}

/// SEC-4: random octets, an HTTP request or a truncated hello give Failure or
/// Syscall promptly, on either side.
pub fn sec_4_garbage_from_the_peer(h: &Harness) {
    let inputs: [&[u8]; 3] = [
        &[
            0x8f, 0x13, 0x00, 0xfe, 0x42, 0x99, 0x01, 0x77, 0x3c, 0x00, 0xab,
        ],
        b"GET / HTTP/1.1\r\nHost: localhost\r\n\r\n",
        &[22, 3, 1, 0, 200, 1, 0, 0, 196, 3, 3],
    ];
    for input in inputs {
        // To a server.
        let (mut client, mut server, killers) = h.plain_pair();
        client.write_all(input).expect("write");
        killers.client.kill();
        let started = Instant::now();
        let err = server
            .attach_ssl(h.server_opts())
            .expect_err("garbage accepted by the server");
        assert!(
            err.kind().is_failure() || err.kind() == ErrorKind::Syscall,
            "{err}"
        );
        assert!(started.elapsed() < Duration::from_secs(5));
        // To a client.
        let (mut client, mut server, killers) = h.plain_pair();
        server.write_all(input).expect("write");
        killers.server.kill();
        let err = client
            .attach_ssl(h.client_opts())
            .expect_err("garbage accepted by the client");
        assert!(
            err.kind().is_failure() || err.kind() == ErrorKind::Syscall,
            "{err}"
        );
    }
}

/// SEC-5, REL-7: a record longer than any TLS version allows is refused with Failure,
/// without waiting for (or allocating) the claimed length, and with an alert — the
/// one the library sends for it — on the wire and in `alert()`.
pub fn sec_5_oversized_record(h: &Harness) {
    let (mut client, mut server, _k) = h.plain_pair();
    client
        .write_all(&[22, 3, 3, 0x48, 0x01, 1, 0])
        .expect("write");
    let started = Instant::now();
    let err = server
        .attach_ssl(h.server_opts())
        .expect_err("oversized record");
    assert!(err.kind().is_failure(), "{err}");
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "it waited for the claimed length"
    );
    let mut answer = [0u8; 7];
    client.read_exact(&mut answer).expect("the alert");
    let sent = unitls_core::Alert::from_clear_text_record(&answer)
        .unwrap_or_else(|| panic!("REL-7: no alert on the wire: {answer:02x?}"));
    assert_eq!(
        err.alert(),
        Some(sent),
        "REL-7: alert() is not the wire's: {err}"
    );
    // The OpenSSL family sends record_overflow; rustls answers an over-long header
    // with decode_error (its deframer's MessageTooLarge).
    assert!(
        matches!(
            sent,
            unitls_core::Alert::RecordOverflow | unitls_core::Alert::DecodeError
        ),
        "{sent}"
    );
}

/// SEC-8: `Debug` and `Display` never show keys or passwords.
pub fn sec_8_no_secrets_in_debug(h: &Harness) {
    let p = pki();
    let source = IdentitySource::pem(p.server.chain_pem.clone(), p.encrypted_key_pem.clone())
        .with_password(PASSWORD)
        .expect("password");
    let identity = source.load().expect("identity");
    let context = unitls_core::create_server_context()
        .implementation(h.backend)
        .identity(source.clone())
        .build()
        .expect("ctx");
    let key_b64: String = p
        .server
        .key_pem
        .lines()
        .nth(1)
        .expect("a base64 line")
        .to_string();
    for text in [
        format!("{source:?}"),
        format!("{identity:?}"),
        format!("{context:?}"),
        format!("{:?}", Password::Text(PASSWORD.into())),
        format!("{:?}", AttachOptions::server().ctx(context.clone())),
    ] {
        assert!(!text.contains(PASSWORD), "the password shows: {text}");
        assert!(!text.contains(&key_b64), "the key shows: {text}");
    }
}

/// SEC-3: servers refuse client-initiated renegotiation: `openssl s_client`'s `R`
/// command (a new ClientHello inside a TLS 1.2 session) never leads to a second
/// handshake; the server answers no_renegotiation or ends the session.
pub fn sec_3_no_client_renegotiation(h: &Harness) {
    if h.kind == TransportKind::Memory {
        return; // the external tool speaks TCP
    }
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    let tls12 = h
        .server_builder()
        .max_version(unitls_core::ProtocolVersion::Tls12)
        .build()
        .expect("ctx");
    let server = spawn(move || {
        let (socket, _) = listener.accept().expect("accept");
        socket
            .set_read_timeout(Some(Duration::from_secs(10)))
            .expect("timeout");
        let mut stream =
            unitls_core::from_accepted(socket, Some(AttachOptions::server().ctx(tls12)))
                .expect("server attach");
        let mut buf = [0u8; 64];
        // The renegotiation attempt arrives here; whatever the backend does with it,
        // no second handshake completes.
        let _ = stream.read(&mut buf);
    });
    let p = pki();
    let dir = write_temp(&[("ca.pem", p.ca_pem.as_bytes())]);
    let mut client = Command::new("openssl")
        .args([
            "s_client",
            "-connect",
            &format!("127.0.0.1:{port}"),
            "-tls1_2",
            "-servername",
            "localhost",
            "-CAfile",
        ])
        .arg(dir.join("ca.pem"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the openssl command-line tool is required (cargo xtask prereqs installs it)");
    let mut stdin = client.stdin.take().expect("stdin");
    std::thread::sleep(Duration::from_millis(500));
    let _ = stdin.write_all(b"R\n");
    // Keep stdin open: s_client ends when the server ends the session, as refusing
    // does; a hang would only stop at the deadline below.
    let deadline = Instant::now() + Duration::from_secs(10);
    while client.try_wait().expect("wait").is_none() {
        if Instant::now() > deadline {
            let _ = client.kill();
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    drop(stdin);
    let output = client.wait_with_output().expect("s_client output");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
    .to_ascii_lowercase();
    server.join();
    let _ = std::fs::remove_dir_all(dir);
    let (_, after) = text
        .split_once("renegotiating")
        .unwrap_or_else(|| panic!("s_client did not try to renegotiate:\n{text}"));
    // A completed renegotiation would verify the server's chain again.
    assert!(
        !after.contains("verify return"),
        "the server renegotiated:\n{text}"
    );
    // Refused: with a no_renegotiation alert (rustls, OpenSSL) or by ending the
    // session (BoringSSL).
    assert!(
        after.contains("no renegotiation") || after.contains("error"),
        "no refusal seen:\n{text}"
    );
}
