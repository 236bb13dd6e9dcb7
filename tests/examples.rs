//! The facade's examples, run end to end on loopback with generated certificates:
//! the echo pair and the SMTP-style STARTTLS pair (SPEC STARTTLS-1).

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use unitls_conformance::fixtures::pki;

/// The directory cargo puts example binaries in, next to this test's `deps/`.
fn example(name: &str) -> PathBuf {
    let exe = std::env::current_exe().expect("test binary path");
    let dir = exe
        .parent()
        .and_then(Path::parent)
        .expect("target profile directory");
    dir.join("examples").join(name)
}

fn fixtures_dir() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("unitls-examples-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let p = pki();
    std::fs::write(dir.join("chain.pem"), &p.server.chain_pem).expect("write");
    std::fs::write(dir.join("key.pem"), &p.server.key_pem).expect("write");
    std::fs::write(dir.join("ca.pem"), &p.ca_pem).expect("write");
    dir
}

struct Server(Child, String);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn start_server(name: &str, dir: &Path) -> Server {
    let mut child = Command::new(example(name))
        .args([
            "--listen",
            "127.0.0.1:0",
            "--max-connections",
            "1",
            "--cert",
        ])
        .arg(dir.join("chain.pem"))
        .arg("--key")
        .arg(dir.join("key.pem"))
        .stdout(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("start {name}: {e}"));
    let mut line = String::new();
    BufReader::new(child.stdout.take().expect("stdout"))
        .read_line(&mut line)
        .expect("listening line");
    let addr = line
        .trim()
        .strip_prefix("listening ")
        .expect("listening <addr>")
        .to_string();
    Server(child, addr)
}

fn run_client(name: &str, server: &Server, dir: &Path, extra: &[&str]) -> String {
    let out = Command::new(example(name))
        .args(["--connect", &server.1, "--name", "localhost", "--ca"])
        .arg(dir.join("ca.pem"))
        .args(extra)
        .output()
        .expect("run client");
    assert!(
        out.status.success(),
        "{name}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn echo_client_and_server() {
    let dir = fixtures_dir();
    let server = start_server("echo_server", &dir);
    let out = run_client("echo_client", &server, &dir, &["--send", "ping over TLS"]);
    assert!(out.starts_with("ping over TLS via TLSv1.3 TLS_"), "{out}");
}

#[test]
fn starttls_client_and_server() {
    let dir = fixtures_dir();
    let server = start_server("starttls_server", &dir);
    let out = run_client("starttls_client", &server, &dir, &[]);
    assert!(out.contains("S: 250 STARTTLS"), "{out}");
    assert!(out.contains("TLS: TLSv1.3 TLS_"), "{out}");
    assert!(out.contains("S: 221 Bye"), "{out}");
}
