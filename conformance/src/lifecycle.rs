//! Every lifecycle path of a connection once, in one test per backend (SPEC REL-3):
//! what `cargo xtask leaks` runs under valgrind memcheck, one process per backend,
//! and what every `cargo test` of a backend runs as an ordinary test
//! (`rel_3_lifecycle_paths`, made by [`conformance_suite!`](crate::conformance_suite)).
//!
//! Each path checks the outcome a user sees, so that the leak check runs the paths it
//! names: attach, echo and detach; close; Drop; a failed attach; a handshake timeout;
//! a hostile peer (garbage instead of a ClientHello, garbage records after the
//! handshake). Blocking mode over loopback TCP, no injected faults: valgrind makes the
//! process 20–50 times slower, so each path runs once, and every wait is bounded by
//! [`PATIENCE`] rather than the suite's shorter waits.

use std::io::{Read, Write};
use std::sync::mpsc;
use std::time::Duration;

use unitls_core::{AttachOptions, DetachOptions, ErrorKind, Source, TrustSource};

use crate::conn::Conn;
use crate::fixtures::pki;
use crate::harness::{echo, read_exact, send, Killer, Killers};
use crate::{Harness, NativeFixtures, TransportKind};

/// The paths [`run`] goes through, as the leak report names them.
pub const PATHS: [&str; 7] = [
    "attach, echo, detach",
    "close",
    "drop",
    "failed attach",
    "handshake timeout",
    "hostile peer before the handshake",
    "hostile peer after the handshake",
];

/// The handshake deadline of the timeout path.
const SHORT: Duration = Duration::from_millis(500);

/// The bound on every other wait: a read, the other end's thread, a hostile peer's
/// handshake (under valgrind a context or a handshake takes seconds).
const PATIENCE: Duration = Duration::from_secs(120);

/// Runs `f` on a thread; [`join`] takes its result.
fn in_thread<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> mpsc::Receiver<T> {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(f());
    });
    rx
}

/// The result of [`in_thread`], waiting at most [`PATIENCE`].
fn join<T>(thread: mpsc::Receiver<T>) -> T {
    thread
        .recv_timeout(PATIENCE)
        .expect("the other end's thread finished (or it panicked)")
}

/// Plain streams whose reads wait at most [`PATIENCE`].
fn patient_pair(h: &Harness) -> (Conn, Conn, Killers) {
    let (mut client, mut server, killers) = h.plain_pair();
    for end in [&mut client, &mut server] {
        end.set_read_timeout(Some(PATIENCE)).expect("read timeout");
    }
    (client, server, killers)
}

/// A client and a server attached to each other over [`patient_pair`].
fn connected(h: &Harness) -> (Conn, Conn, Killers) {
    let (mut client, mut server, killers) = patient_pair(h);
    let server_opts = h.server_opts();
    let server_thread = in_thread(move || server.attach_ssl(server_opts).map(|()| server));
    client.attach_ssl(h.client_opts()).expect("client attach");
    let server = join(server_thread).expect("server attach");
    (client, server, killers)
}

/// Runs every path of [`PATHS`] on `backend`, in order; panics on a wrong outcome.
pub fn run(backend: &'static str, natives: &'static dyn NativeFixtures) {
    let h = Harness::new(backend, TransportKind::Tcp, natives);
    attach_echo_detach(&h);
    close(&h);
    drop_both(&h);
    failed_attach(&h);
    handshake_timeout(&h);
    hostile_before_handshake(&h);
    hostile_after_handshake(&h);
}

fn attach_echo_detach(h: &Harness) {
    let (mut client, mut server, _k) = connected(h);
    echo(&mut client, &mut server, b"lifecycle");
    let server_thread = in_thread(move || {
        assert_eq!(server.read(&mut [0u8; 8]).expect("clean EOF"), 0);
        server
            .detach_ssl(DetachOptions::default())
            .expect("server detach")
            .expect("was attached");
        server
    });
    let detached = client
        .detach_ssl(DetachOptions::default())
        .expect("client detach")
        .expect("was attached");
    assert!(detached.peer_closed);
    let mut server = join(server_thread);
    send(&mut client, b"plain");
    assert_eq!(read_exact(&mut server, 5), b"plain");
}

fn close(h: &Harness) {
    let (mut client, mut server, _k) = connected(h);
    echo(&mut client, &mut server, b"then close");
    client.close().expect("client close");
    assert_eq!(server.read(&mut [0u8; 8]).expect("clean EOF"), 0);
    server.close().expect("server close");
}

fn drop_both(h: &Harness) {
    let (mut client, mut server, _k) = connected(h);
    echo(&mut client, &mut server, b"then drop");
    drop(client);
    assert_eq!(server.read(&mut [0u8; 8]).expect("clean EOF"), 0);
    drop(server);
}

fn failed_attach(h: &Harness) {
    let (mut client, mut server, _k) = patient_pair(h);
    let server_opts = h.server_opts().handshake_timeout(PATIENCE);
    let server_thread = in_thread(move || server.attach_ssl(server_opts).is_err());
    let untrusted = h
        .client_builder()
        .trust_only([TrustSource::Pem(Source::memory(pki().other_ca_pem.clone()))])
        .build()
        .expect("context");
    let err = client
        .attach_ssl(AttachOptions::client("localhost").ctx(untrusted))
        .expect_err("an unknown issuer is refused");
    assert!(
        matches!(err.kind(), ErrorKind::VerificationFailure(_)),
        "{err}"
    );
    assert_eq!(
        client.ssl_side(),
        None,
        "a failed attach leaves the stream plain"
    );
    assert!(join(server_thread), "the server sees the refusal");
}

fn handshake_timeout(h: &Harness) {
    let (mut client, _silent, _k) = patient_pair(h);
    let err = client
        .attach_ssl(h.client_opts().handshake_timeout(SHORT))
        .expect_err("a silent server");
    assert_eq!(err.kind(), ErrorKind::HandshakeTimeout, "{err}");
    assert_eq!(client.ssl_side(), None);
}

fn hostile_before_handshake(h: &Harness) {
    let (mut client, mut server, killers) = patient_pair(h);
    client
        .write_all(b"\x8f\x13\x00\xfe\x42\x99 not a ClientHello")
        .expect("write");
    killers.client.kill();
    let err = server
        .attach_ssl(h.server_opts().handshake_timeout(PATIENCE))
        .expect_err("garbage accepted");
    assert!(err.kind().is_failure(), "{err}");
}

fn hostile_after_handshake(h: &Harness) {
    let (_client, mut server, killers) = connected(h);
    // The client's socket, written to behind its TLS session's back.
    let Killer::Tcp(mut raw) = killers.client else {
        panic!("the lifecycle paths run over TCP");
    };
    // A record of application data the server cannot decrypt.
    let mut record = vec![23, 3, 3, 0, 40];
    record.extend([0x5a; 40]);
    raw.write_all(&record).expect("garbage record");
    let err = server.read(&mut [0u8; 64]).expect_err("garbage record");
    let err = unitls_core::Error::from(err);
    assert!(err.kind().is_failure(), "{err}");
}

/// Records the lifecycle test's pass in the suite's outcome file (when
/// `$UNITLS_OUTCOME_FILE` is set), as a blocking case citing REL-3, so that `cargo xtask
/// conformance` counts it like every case; a failure panics before this and is
/// reported as libtest's failure.
pub fn record_pass(backend: &str) {
    fn body(_: &Harness) {}
    static CASE: crate::Case = crate::Case {
        id: "rel_3_lifecycle_paths",
        spec: &["REL-3"],
        needs: &[],
        run: body,
    };
    crate::outcome::record(
        backend,
        &CASE,
        unitls_model::Mode::Blocking,
        &["REL-3"],
        &crate::outcome::Outcome::Pass,
    );
}
