//! `unitls-peer` across its two modes, process against process over loopback (SPEC
//! INTEROP-7 across the tokio mode, ASYNC-1): what the interop matrix does not run —
//! STARTTLS smtp and `--resume` with one end `--async` — and the async roles' failures
//! (an `error` event and exit status 1, a handshake timeout) read as the blocking
//! ones' are.

use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{channel, Receiver};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use unitls_conformance::fixtures::{pki, write_temp};
use unitls_model::peer::PeerEvent;
use unitls_model::Mode;

/// Every process is killed this long after it starts.
const LIMIT: Duration = Duration::from_secs(30);

/// The fixtures as files, written once per test binary.
fn fixture(name: &str) -> String {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    let dir = DIR.get_or_init(|| {
        let p = pki();
        write_temp(&[
            ("ca.pem", p.ca_pem.as_bytes()),
            ("other-ca.pem", p.other_ca_pem.as_bytes()),
            ("server-chain.pem", p.server.chain_pem.as_bytes()),
            ("server-key.pem", p.server.key_pem.as_bytes()),
        ])
    });
    dir.join(name).display().to_string()
}

/// A peer process with its stdout lines arriving on a channel.
struct Peer {
    child: Child,
    lines: Receiver<String>,
}

impl Peer {
    /// Starts `unitls-peer ARGS`.
    fn start(args: &[&str]) -> Peer {
        let mut child = Command::new(env!("CARGO_BIN_EXE_unitls-peer"))
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start unitls-peer");
        let stdout = child.stdout.take().expect("stdout");
        let (tx, lines) = channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        Peer { child, lines }
    }

    /// A server's address, from its `listening` event.
    fn listening(&self) -> String {
        let line = self
            .lines
            .recv_timeout(LIMIT)
            .expect("the server says where it listens");
        match serde_json::from_str(&line) {
            Ok(PeerEvent::Listening { addr }) => addr,
            _ => panic!("not a listening event: {line}"),
        }
    }

    /// Waits for the exit (killing it after [`LIMIT`]); its exit code and events.
    fn finish(mut self) -> (Option<i32>, Vec<PeerEvent>) {
        let deadline = Instant::now() + LIMIT;
        let status = loop {
            if let Some(status) = self.child.try_wait().expect("wait") {
                break status;
            }
            if Instant::now() > deadline {
                let _ = self.child.kill();
                break self.child.wait().expect("wait");
            }
            std::thread::sleep(Duration::from_millis(10));
        };
        let events = self
            .lines
            .iter()
            .map(|line| serde_json::from_str(&line).unwrap_or_else(|e| panic!("{e}: {line}")))
            .collect();
        (status.code(), events)
    }
}

/// A server peer serving `connections`, with `extra` arguments.
fn server(connections: &str, extra: &[&str]) -> (Peer, String) {
    let (cert, key) = (fixture("server-chain.pem"), fixture("server-key.pem"));
    let mut args = vec![
        "server",
        "--listen",
        "127.0.0.1:0",
        "--cert",
        &cert,
        "--key",
        &key,
    ];
    args.extend(["--max-connections", connections]);
    args.extend(extra);
    let peer = Peer::start(&args);
    let addr = peer.listening();
    (peer, addr)
}

/// A client peer of `addr` verifying `localhost` against `ca`, with `extra` arguments.
fn client(addr: &str, ca: &str, extra: &[&str]) -> Peer {
    let ca = fixture(ca);
    let mut args = vec![
        "client",
        "--connect",
        addr,
        "--sni",
        "localhost",
        "--ca",
        &ca,
    ];
    args.extend(extra);
    Peer::start(&args)
}

/// The modes of the `handshake` events.
fn modes(events: &[PeerEvent]) -> Vec<Mode> {
    events
        .iter()
        .filter_map(|e| match e {
            PeerEvent::Handshake { mode, .. } => Some(*mode),
            _ => None,
        })
        .collect()
}

/// How many `closed` events.
fn closed(events: &[PeerEvent]) -> usize {
    events
        .iter()
        .filter(|e| matches!(e, PeerEvent::Closed { .. }))
        .count()
}

/// The `error` events' kinds.
fn errors(events: &[PeerEvent]) -> Vec<String> {
    events
        .iter()
        .filter_map(|e| match e {
            PeerEvent::Error { kind, .. } => Some(kind.clone()),
            _ => None,
        })
        .collect()
}

/// `--starttls smtp` with one end async, both ways: SMTP in plaintext, TLS on the same
/// connection, SMTP over TLS, and both ends report the dialogue in their own mode.
#[test]
fn starttls_smtp_across_modes() {
    for (server_mode, client_mode) in [(Mode::Async, Mode::Blocking), (Mode::Blocking, Mode::Async)]
    {
        let args = |mode| match mode {
            Mode::Async => vec!["--starttls", "smtp", "--async"],
            Mode::Blocking => vec!["--starttls", "smtp"],
        };
        let (server, addr) = server("1", &args(server_mode));
        let (client_code, client_events) = client(&addr, "ca.pem", &args(client_mode)).finish();
        let (server_code, server_events) = server.finish();
        let what = format!("{client_mode:?} client, {server_mode:?} server");
        assert_eq!(client_code, Some(0), "{what}: {client_events:?}");
        assert_eq!(server_code, Some(0), "{what}: {server_events:?}");
        assert_eq!(modes(&client_events), [client_mode], "{what}");
        assert_eq!(modes(&server_events), [server_mode], "{what}");
        // The client counts the replies over TLS (EHLO's 250 and QUIT's 221), the server
        // the commands (EHLO and QUIT).
        assert!(client_events.contains(&PeerEvent::Received {
            conn: None,
            bytes: ("250 unitls-peer\r\n".len() + "221 Bye\r\n".len()) as u64
        }));
        assert!(server_events.contains(&PeerEvent::Received {
            conn: Some(1),
            bytes: ("EHLO unitls-peer\r\n".len() + "QUIT\r\n".len()) as u64
        }));
        assert_eq!((closed(&client_events), closed(&server_events)), (1, 1));
    }
}

/// Whether the backend of this build declares `Resumption` (its `--version` event).
fn resumes() -> bool {
    let (code, events) = Peer::start(&["--version"]).finish();
    assert_eq!(code, Some(0));
    match events.as_slice() {
        [PeerEvent::Version { capabilities, .. }] => capabilities
            .as_ref()
            .is_some_and(|caps| caps.iter().any(|c| c == "Resumption")),
        other => panic!("not a version event: {other:?}"),
    }
}

/// The `resumed` flags of the `handshake` events, in connection order.
fn resumed(events: &[PeerEvent]) -> Vec<bool> {
    let mut handshakes: Vec<(Option<u64>, bool)> = events
        .iter()
        .filter_map(|e| match e {
            PeerEvent::Handshake { conn, resumed, .. } => Some((*conn, *resumed)),
            _ => None,
        })
        .collect();
    handshakes.sort();
    handshakes.into_iter().map(|(_, resumed)| resumed).collect()
}

/// `--resume 2` with one end async: three connections with one client context, each
/// echoed and closed with close_notify both ways; the second and third resume the
/// first's session where the backend declares Resumption (SPEC INTEROP-5).
#[test]
fn resume_across_modes() {
    let resumes = resumes();
    for (server_extra, client_extra) in [(&["--async"][..], &[][..]), (&[], &["--async"])] {
        let (server, addr) = server("3", server_extra);
        let mut args = vec!["--resume", "2"];
        args.extend(client_extra);
        let (client_code, client_events) = client(&addr, "ca.pem", &args).finish();
        let (server_code, server_events) = server.finish();
        assert_eq!(client_code, Some(0), "{client_events:?}");
        assert_eq!(server_code, Some(0), "{server_events:?}");
        assert_eq!(modes(&client_events).len(), 3);
        assert_eq!(modes(&server_events).len(), 3);
        assert_eq!((closed(&client_events), closed(&server_events)), (3, 3));
        if resumes {
            assert_eq!(resumed(&client_events), [false, true, true]);
            assert_eq!(resumed(&server_events), [false, true, true]);
        }
    }
}

/// An async client that cannot verify the server, against an async server: each
/// reports an `error` event and exits with status 1, the client naming the SPEC kind.
#[test]
fn async_failures_are_error_events_and_status_1() {
    let (server, addr) = server("1", &["--async"]);
    let (client_code, client_events) = client(&addr, "other-ca.pem", &["--async"]).finish();
    let (server_code, server_events) = server.finish();
    assert_eq!(client_code, Some(1), "{client_events:?}");
    assert_eq!(
        errors(&client_events),
        ["VerificationFailure(UnknownIssuer)"]
    );
    assert_eq!(server_code, Some(1), "{server_events:?}");
    assert_eq!(errors(&server_events).len(), 1, "{server_events:?}");
    assert!(modes(&client_events).is_empty());
}

/// `--handshake-timeout` bounds an async client whose server never answers.
#[test]
fn async_handshake_timeout() {
    let silent = TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = silent.local_addr().expect("addr").to_string();
    let started = Instant::now();
    let (code, events) =
        client(&addr, "ca.pem", &["--async", "--handshake-timeout", "0.5"]).finish();
    assert_eq!(code, Some(1), "{events:?}");
    assert_eq!(errors(&events), ["HandshakeTimeout"]);
    assert!(started.elapsed() < LIMIT / 2, "{:?}", started.elapsed());
    drop(silent);
}
