//! Every lifecycle path of a connection once, in one test per backend (SPEC REL-3):
//! what `cargo xtask leaks` runs under valgrind memcheck, one process per backend,
//! and what every `cargo test` of a backend runs as an ordinary test
//! (`rel_3_lifecycle_paths`, made by [`conformance_suite!`](crate::conformance_suite)).
//!
//! Each path checks the outcome a user sees, so that the leak check runs the paths it
//! names: attach, echo and detach; close; Drop; a failed attach; a handshake timeout;
//! a hostile peer (garbage instead of a ClientHello, garbage records after the
//! handshake). Blocking mode over loopback TCP, no injected faults: valgrind makes the
//! process 20–50 times slower, so each path runs once.

use std::io::{Read, Write};
use std::time::Duration;

use unitls_core::{AttachOptions, DetachOptions, ErrorKind, Source, TrustSource};

use crate::fixtures::pki;
use crate::harness::{echo, read_exact, send, spawn, Killer};
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

/// Deadlines of the failing paths: short, but generous under valgrind.
const SHORT: Duration = Duration::from_millis(500);

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
    let (mut client, mut server, _k) = h.connected();
    echo(&mut client, &mut server, b"lifecycle");
    let server_thread = spawn(move || {
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
    let mut server = server_thread.join();
    send(&mut client, b"plain");
    assert_eq!(read_exact(&mut server, 5), b"plain");
}

fn close(h: &Harness) {
    let (mut client, mut server, _k) = h.connected();
    echo(&mut client, &mut server, b"then close");
    client.close().expect("client close");
    assert_eq!(server.read(&mut [0u8; 8]).expect("clean EOF"), 0);
    server.close().expect("server close");
}

fn drop_both(h: &Harness) {
    let (mut client, mut server, _k) = h.connected();
    echo(&mut client, &mut server, b"then drop");
    drop(client);
    assert_eq!(server.read(&mut [0u8; 8]).expect("clean EOF"), 0);
    drop(server);
}

fn failed_attach(h: &Harness) {
    let (mut client, mut server, _k) = h.plain_pair();
    let server_opts = h.server_opts().handshake_timeout(Duration::from_secs(5));
    let server_thread = spawn(move || server.attach_ssl(server_opts).is_err());
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
    assert!(server_thread.join(), "the server sees the refusal");
}

fn handshake_timeout(h: &Harness) {
    let (mut client, _silent, _k) = h.plain_pair();
    let err = client
        .attach_ssl(h.client_opts().handshake_timeout(SHORT))
        .expect_err("a silent server");
    assert_eq!(err.kind(), ErrorKind::HandshakeTimeout, "{err}");
    assert_eq!(client.ssl_side(), None);
}

fn hostile_before_handshake(h: &Harness) {
    let (mut client, mut server, killers) = h.plain_pair();
    client
        .write_all(b"\x8f\x13\x00\xfe\x42\x99 not a ClientHello")
        .expect("write");
    killers.client.kill();
    let err = server
        .attach_ssl(h.server_opts().handshake_timeout(SHORT))
        .expect_err("garbage accepted");
    assert!(err.kind().is_failure(), "{err}");
}

fn hostile_after_handshake(h: &Harness) {
    let (_client, mut server, killers) = h.connected();
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
