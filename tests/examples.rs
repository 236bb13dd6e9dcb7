//! The facade's examples, run end to end on loopback with generated certificates:
//! the echo pair and the SMTP-style STARTTLS pair (SPEC STARTTLS-1), the STARTTLS
//! client against a server whose EHLO reply ends in another line, the STARTTLS
//! server taking a dot-stuffed message (and, when `python3` is installed, mail from
//! Python's `smtplib`), and every example's usage error. Every wait is bounded.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::mpsc;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use unitls::{
    create_client_context, create_server_context, AttachOptions, IdentitySource, SocketStream,
    Source, TrustSource,
};
use unitls_conformance::fixtures::pki;

/// How long any one wait of these tests may take.
const WAIT: Duration = Duration::from_secs(30);
/// The read timeout of the sockets the tests themselves use.
const READ_TIMEOUT: Duration = Duration::from_secs(10);

/// How long building the examples may take.
const BUILD_WAIT: Duration = Duration::from_secs(900);

/// The target profile directory (`target/debug`), parent of this test's `deps/`.
fn profile_dir() -> PathBuf {
    let exe = std::env::current_exe().expect("test binary path");
    exe.parent()
        .and_then(Path::parent)
        .expect("target profile directory")
        .to_path_buf()
}

/// Builds the examples once per test process: `cargo test --test examples` builds
/// this test but not the examples, so without this a test would run stale binaries.
/// Same profile, target directory and `unitls` features as this test.
fn build_examples() {
    static BUILT: OnceLock<()> = OnceLock::new();
    BUILT.get_or_init(|| {
        let Some(cargo) = std::env::var_os("CARGO") else {
            // Not run by cargo: take the binaries as they are.
            return;
        };
        let profile = profile_dir();
        let features: Vec<&str> = [
            ("rustls", cfg!(feature = "rustls")),
            ("rustls-ring", cfg!(feature = "rustls-ring")),
            ("openssl", cfg!(feature = "openssl")),
            ("boring", cfg!(feature = "boring")),
            ("native-tls", cfg!(feature = "native-tls")),
            ("conformance", cfg!(feature = "conformance")),
            ("tokio", cfg!(feature = "tokio")),
        ]
        .into_iter()
        .filter_map(|(name, on)| on.then_some(name))
        .collect();
        let mut command = Command::new(cargo);
        command
            .args(["build", "--quiet", "-p", "unitls", "--examples"])
            .args(["--no-default-features", "--features", &features.join(",")])
            .arg("--target-dir")
            .arg(profile.parent().expect("target directory"))
            .current_dir(env!("CARGO_MANIFEST_DIR"));
        if profile.file_name().is_some_and(|name| name == "release") {
            command.arg("--release");
        }
        let out = run_bounded_for(&mut command, BUILD_WAIT);
        assert!(
            out.status.success(),
            "building the examples failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    });
}

/// The path of an example's binary, built from the current sources.
fn example(name: &str) -> PathBuf {
    build_examples();
    profile_dir().join("examples").join(name)
}

/// The PEM files the examples read, written once per test process.
fn fixtures_dir() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("unitls-examples-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let p = pki();
        std::fs::write(dir.join("chain.pem"), &p.server.chain_pem).expect("write");
        std::fs::write(dir.join("key.pem"), &p.server.key_pem).expect("write");
        std::fs::write(dir.join("ca.pem"), &p.ca_pem).expect("write");
        dir
    })
}

/// A running example server: the process, its address, and its stdout lines after
/// the `listening` line.
struct Server(Child, String, mpsc::Receiver<String>);

impl Server {
    /// Its stdout until it exits (it serves one connection), waiting at most [`WAIT`].
    fn output_until_exit(&self) -> String {
        let deadline = Instant::now() + WAIT;
        let mut out = String::new();
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.2.recv_timeout(left) {
                Ok(line) => out.push_str(&line),
                Err(mpsc::RecvTimeoutError::Disconnected) => return out,
                Err(mpsc::RecvTimeoutError::Timeout) => {
                    panic!("the server did not exit within {WAIT:?}; its output:\n{out}")
                }
            }
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn start_server(name: &str) -> Server {
    start_server_for(name, 1)
}

/// Starts an example server that accepts `connections`, then exits.
fn start_server_for(name: &str, connections: usize) -> Server {
    let dir = fixtures_dir();
    let mut child = Command::new(example(name))
        .args(["--listen", "127.0.0.1:0", "--max-connections"])
        .arg(connections.to_string())
        .arg("--cert")
        .arg(dir.join("chain.pem"))
        .arg("--key")
        .arg(dir.join("key.pem"))
        .stdout(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("start {name}: {e}"));
    let stdout = BufReader::new(child.stdout.take().expect("stdout"));
    let (lines, received) = mpsc::channel();
    std::thread::spawn(move || {
        let mut stdout = stdout;
        loop {
            let mut line = String::new();
            match stdout.read_line(&mut line) {
                Ok(0) | Err(_) => return,
                Ok(_) => {
                    if lines.send(line).is_err() {
                        return;
                    }
                }
            }
        }
    });
    let first = received.recv_timeout(WAIT);
    let mut server = Server(child, String::new(), received);
    let line = first.unwrap_or_else(|e| panic!("{name} printed no `listening` line: {e}"));
    server.1 = line
        .trim()
        .strip_prefix("listening ")
        .expect("listening <addr>")
        .to_string();
    server
}

/// Runs a command to its end, killing it after [`WAIT`].
fn run_bounded(command: &mut Command) -> Output {
    run_bounded_for(command, WAIT)
}

/// Runs a command to its end, killing it after `limit`.
fn run_bounded_for(command: &mut Command, limit: Duration) -> Output {
    let mut child = command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("start {command:?}: {e}"));
    let collect = |mut pipe: Box<dyn Read + Send>| {
        std::thread::spawn(move || {
            let mut bytes = Vec::new();
            let _ = pipe.read_to_end(&mut bytes);
            bytes
        })
    };
    let stdout = collect(Box::new(child.stdout.take().expect("stdout")));
    let stderr = collect(Box::new(child.stderr.take().expect("stderr")));
    let deadline = Instant::now() + limit;
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break status;
        }
        if Instant::now() >= deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("{command:?} did not finish within {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    Output {
        status,
        stdout: stdout.join().expect("stdout reader"),
        stderr: stderr.join().expect("stderr reader"),
    }
}

fn run_client(name: &str, addr: &str, extra: &[&str]) -> String {
    let out = run_bounded(
        Command::new(example(name))
            .args(["--connect", addr, "--name", "localhost", "--ca"])
            .arg(fixtures_dir().join("ca.pem"))
            .args(extra),
    );
    assert!(
        out.status.success(),
        "{name}: {}\n{}",
        String::from_utf8_lossy(&out.stderr),
        String::from_utf8_lossy(&out.stdout)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Reads one SMTP reply, every line of it, CRLF removed.
fn read_reply(stream: &mut SocketStream<TcpStream>) -> Vec<String> {
    let mut lines = Vec::new();
    loop {
        let mut line = String::new();
        let n = stream.read_line(&mut line).expect("read a reply line");
        assert!(n > 0, "the connection ended in a reply: {lines:?}");
        let line = line.trim_end().to_string();
        let more = line.as_bytes().get(3) == Some(&b'-');
        lines.push(line);
        if !more {
            return lines;
        }
    }
}

/// Sends a command and returns its reply.
fn smtp(stream: &mut SocketStream<TcpStream>, command: &str) -> Vec<String> {
    stream
        .write_all(format!("{command}\r\n").as_bytes())
        .expect("send a command");
    read_reply(stream)
}

fn connect(addr: &str) -> SocketStream<TcpStream> {
    let socket = TcpStream::connect(addr).expect("connect");
    socket
        .set_read_timeout(Some(READ_TIMEOUT))
        .expect("timeout");
    socket
        .set_write_timeout(Some(READ_TIMEOUT))
        .expect("timeout");
    SocketStream::new(socket)
}

#[test]
fn echo_client_and_server() {
    let server = start_server("echo_server");
    let out = run_client("echo_client", &server.1, &["--send", "ping over TLS"]);
    assert!(out.starts_with("ping over TLS via TLSv1.3 TLS_"), "{out}");
}

#[test]
fn starttls_client_and_server() {
    let server = start_server("starttls_server");
    let out = run_client("starttls_client", &server.1, &[]);
    assert!(out.contains("S: 250 STARTTLS"), "{out}");
    assert!(out.contains("TLS: TLSv1.3 TLS_"), "{out}");
    assert!(out.contains("S: 221 Bye"), "{out}");
}

/// Like a real MTA: STARTTLS (in mixed case) in the middle of the EHLO reply, whose
/// last line is `250 HELP`; the client must find it and upgrade.
#[test]
fn starttls_client_finds_starttls_on_any_line_of_a_multi_line_ehlo() {
    let p = pki();
    let context = create_server_context()
        .identity(IdentitySource::pem(
            p.server.chain_pem.clone(),
            p.server.key_pem.clone(),
        ))
        .build()
        .expect("server context");
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("address").to_string();
    let (done, finished) = mpsc::channel();
    std::thread::spawn(move || {
        let result = (|| -> Result<Vec<String>, Box<dyn std::error::Error>> {
            let (socket, _) = listener.accept()?;
            socket.set_read_timeout(Some(READ_TIMEOUT))?;
            socket.set_write_timeout(Some(READ_TIMEOUT))?;
            let mut stream = SocketStream::new(socket);
            let mut heard = Vec::new();
            let mut next = |stream: &mut SocketStream<TcpStream>| -> std::io::Result<String> {
                let mut line = String::new();
                stream.read_line(&mut line)?;
                heard.push(line.trim_end().to_string());
                Ok(line.trim_end().to_ascii_uppercase())
            };
            stream.write_all(b"220 mx.example.test ESMTP\r\n")?;
            assert!(next(&mut stream)?.starts_with("EHLO "));
            stream.write_all(
                b"250-mx.example.test Hello\r\n250-SIZE 35882577\r\n250-8BITMIME\r\n\
                  250-StartTLS\r\n250-ENHANCEDSTATUSCODES\r\n250 HELP\r\n",
            )?;
            assert_eq!(next(&mut stream)?, "STARTTLS");
            stream.write_all(b"220 2.0.0 Ready to start TLS\r\n")?;
            stream.attach_ssl(AttachOptions::server().ctx(context))?;
            assert!(next(&mut stream)?.starts_with("EHLO "));
            stream.write_all(b"250-mx.example.test Hello\r\n250 HELP\r\n")?;
            assert_eq!(next(&mut stream)?, "QUIT");
            stream.write_all(b"221 2.0.0 Bye\r\n")?;
            stream.close()?;
            Ok(heard)
        })();
        let _ = done.send(result.map_err(|e| e.to_string()));
    });
    let out = run_client("starttls_client", &addr, &[]);
    assert!(out.contains("S: 250 HELP"), "{out}");
    assert!(out.contains("TLS: TLSv1.3 TLS_"), "{out}");
    assert!(out.contains("S: 221 2.0.0 Bye"), "{out}");
    let heard = finished
        .recv_timeout(WAIT)
        .expect("the fake server finished")
        .expect("the fake server's dialogue");
    assert_eq!(heard.len(), 4, "{heard:?}");
}

/// The server's EHLO replies (multi-line, STARTTLS last before TLS and absent after)
/// and a whole mail transaction over TLS: 354 after DATA, a dot-stuffed line given
/// back with one dot less, the lone dot ending the message, 250, and 221 on QUIT.
#[test]
fn starttls_server_takes_a_dot_stuffed_message() {
    let server = start_server("starttls_server");
    let mut stream = connect(&server.1);
    let greeting = read_reply(&mut stream);
    assert!(greeting[0].starts_with("220 "), "{greeting:?}");

    let ehlo = smtp(&mut stream, "EHLO client.example");
    assert!(ehlo.len() > 1, "EHLO reply in one line: {ehlo:?}");
    assert!(ehlo[0].starts_with("250-"), "{ehlo:?}");
    assert_eq!(ehlo.last().map(String::as_str), Some("250 STARTTLS"));

    let ready = smtp(&mut stream, "STARTTLS");
    assert!(ready[0].starts_with("220 "), "{ready:?}");
    let context = create_client_context()
        .trust_only([TrustSource::Pem(Source::memory(pki().ca_pem.clone()))])
        .build()
        .expect("client context");
    stream
        .attach_ssl(AttachOptions::client("localhost").ctx(context))
        .expect("TLS handshake");

    let ehlo = smtp(&mut stream, "EHLO client.example");
    assert!(ehlo.len() > 1, "EHLO reply in one line: {ehlo:?}");
    assert!(ehlo[0].starts_with("250-"), "{ehlo:?}");
    assert!(
        ehlo.last().is_some_and(|l| l.starts_with("250 ")),
        "{ehlo:?}"
    );
    assert!(
        !ehlo
            .iter()
            .any(|l| l.to_ascii_uppercase().contains("STARTTLS")),
        "STARTTLS offered over TLS: {ehlo:?}"
    );

    assert!(smtp(&mut stream, "DATA")[0].starts_with("503 "));
    assert!(smtp(&mut stream, "MAIL FROM:<alice@example.test>")[0].starts_with("250 "));
    assert!(smtp(&mut stream, "RCPT TO:<bob@example.test>")[0].starts_with("250 "));
    let go_ahead = smtp(&mut stream, "DATA");
    assert!(go_ahead[0].starts_with("354 "), "{go_ahead:?}");
    stream
        .write_all(
            b"Subject: dots\r\n\r\n..one dot at the start\r\n...two dots\r\n\
              a . in the middle\r\n.\r\n",
        )
        .expect("send the message");
    let accepted = read_reply(&mut stream);
    assert!(accepted[0].starts_with("250 "), "{accepted:?}");

    let bye = smtp(&mut stream, "QUIT");
    assert!(bye[0].starts_with("221 "), "{bye:?}");
    let mut rest = String::new();
    assert_eq!(stream.read_line(&mut rest).expect("end after QUIT"), 0);

    let out = server.output_until_exit();
    assert!(
        out.contains("message from <alice@example.test> to <bob@example.test>"),
        "{out}"
    );
    let body: Vec<&str> = out.lines().filter_map(|l| l.strip_prefix("> ")).collect();
    assert_eq!(
        body,
        [
            "Subject: dots",
            "",
            ".one dot at the start",
            "..two dots",
            "a . in the middle"
        ],
        "{out}"
    );
}

/// Python's `smtplib`, a strict client: STARTTLS trusting the test CA, sendmail
/// (which dot-stuffs) and quit. Skipped, with a notice, when python3 is missing.
#[test]
fn starttls_server_with_python_smtplib() {
    let python = Command::new("python3")
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status();
    if !python.is_ok_and(|status| status.success()) {
        // Straight to stderr, past the test harness's capture, so the skip shows.
        let _ = writeln!(
            std::io::stderr(),
            "SKIPPED starttls_server_with_python_smtplib: python3 is not installed"
        );
        return;
    }
    const SCRIPT: &str = r#"
import smtplib, ssl, sys
host, port, ca = sys.argv[1], int(sys.argv[2]), sys.argv[3]
context = ssl.create_default_context(cafile=ca)
smtp = smtplib.SMTP(host, port, timeout=10)
smtp.starttls(context=context)
smtp.sendmail("alice@example.test", ["bob@example.test"],
              "Subject: from smtplib\r\n\r\n.starts with a dot\r\nlast line\r\n")
code, _ = smtp.quit()
print("quit", code)
"#;
    let server = start_server("starttls_server");
    let (host, port) = server.1.rsplit_once(':').expect("host:port");
    let out = run_bounded(
        Command::new("python3")
            .args(["-c", SCRIPT, host, port])
            .arg(fixtures_dir().join("ca.pem")),
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "smtplib: {}\n{stdout}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("quit 221"), "{stdout}");
    let log = server.output_until_exit();
    assert!(log.contains("> Subject: from smtplib"), "{log}");
    assert!(log.contains("\n> .starts with a dot\n"), "{log}");
    assert!(log.contains("\n> last line\n"), "{log}");
}

/// Each example, run wrongly, prints its usage with every option to stderr and exits
/// with status 2 (not `Error: "usage: …"` and status 1).
#[test]
fn usage_errors_exit_2_and_list_every_option() {
    let examples: [(&str, &[&str]); 4] = [
        ("echo_client", &["--connect", "--ca", "--name", "--send"]),
        (
            "echo_server",
            &["--cert", "--key", "--listen", "--max-connections"],
        ),
        ("starttls_client", &["--connect", "--ca", "--name"]),
        (
            "starttls_server",
            &["--cert", "--key", "--listen", "--max-connections"],
        ),
    ];
    let tokio_examples: [(&str, &[&str]); 2] = [
        (
            "tokio_echo_server",
            &["--cert", "--key", "--listen", "--max-connections"],
        ),
        ("tokio_starttls_client", &["--connect", "--ca", "--name"]),
    ];
    let tokio_examples = if cfg!(feature = "tokio") {
        &tokio_examples[..]
    } else {
        &[]
    };
    let wrong: [&[&str]; 3] = [&[], &["--no-such-option", "x"], &["--ca"]];
    for (name, options) in examples.iter().chain(tokio_examples).copied() {
        for args in wrong {
            let out = run_bounded(Command::new(example(name)).args(args));
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert_eq!(out.status.code(), Some(2), "{name} {args:?}: {stderr}");
            assert!(out.stdout.is_empty(), "{name} {args:?}: usage on stdout");
            assert!(
                stderr.contains(&format!("usage: {name} ")),
                "{name} {args:?}: {stderr}"
            );
            assert!(!stderr.contains("Error:"), "{name} {args:?}: {stderr}");
            for option in options {
                assert!(
                    stderr.contains(option),
                    "{name} {args:?}: {option} missing from\n{stderr}"
                );
            }
        }
    }
}

/// The tokio STARTTLS client against the (blocking) STARTTLS server: plaintext, then
/// TLS on the same stream, on a tokio runtime.
#[cfg(feature = "tokio")]
#[test]
fn tokio_starttls_client_and_server() {
    let server = start_server("starttls_server");
    let out = run_client("tokio_starttls_client", &server.1, &[]);
    assert!(out.contains("S: 250 STARTTLS"), "{out}");
    assert!(out.contains("TLS: TLSv1.3 TLS_"), "{out}");
    assert!(out.contains("S: 221 Bye"), "{out}");
}

/// The tokio echo server serves several clients at once, then shuts down
/// gracefully: every connection echoed and closed with close_notify (each client
/// reads a clean end), and the server reports them all.
#[cfg(feature = "tokio")]
#[test]
fn tokio_echo_server_serves_many_then_shuts_down_gracefully() {
    const CLIENTS: usize = 8;
    let server = start_server_for("tokio_echo_server", CLIENTS);
    let addr = server.1.clone();
    let clients: Vec<_> = (0..CLIENTS)
        .map(|i| {
            let addr = addr.clone();
            std::thread::spawn(move || {
                let p = pki();
                let ctx = create_client_context()
                    .trust_only([TrustSource::Pem(Source::memory(p.ca_pem.clone()))])
                    .build()
                    .expect("client context");
                let mut stream = connect(&addr);
                stream
                    .attach_ssl(AttachOptions::client("localhost").ctx(ctx))
                    .expect("attach");
                let message = format!("client {i} says hello");
                stream.write_all(message.as_bytes()).expect("write");
                let mut echoed = vec![0u8; message.len()];
                stream.read_exact(&mut echoed).expect("echo");
                assert_eq!(echoed, message.as_bytes());
                stream.shutdown_write().expect("close_notify");
                let mut rest = Vec::new();
                stream
                    .read_to_end(&mut rest)
                    .expect("the server's close_notify: a clean end");
                assert!(rest.is_empty());
            })
        })
        .collect();
    for client in clients {
        client.join().expect("client");
    }
    let out = server.output_until_exit();
    assert!(
        out.contains(&format!("served {CLIENTS} connections")),
        "{out}"
    );
}
