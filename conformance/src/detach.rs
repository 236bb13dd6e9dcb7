//! SPEC §3 DETACH — taking TLS off a live connection (LispWorks `detach-ssl`).

use std::io::{Read, Write};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use unitls_core::{AttachOptions, DetachOptions, ErrorKind, RetryPolicy, Side};

use crate::fixtures::pki;
use crate::harness::{echo, read_exact, send, spawn};
use crate::Harness;

/// DETACH-1: detaching a plain stream is `Ok(None)`, without I/O.
pub fn detach_1_plain_is_none(h: &Harness) {
    let (mut client, mut server, _k) = h.plain_pair();
    assert!(client
        .detach_ssl(DetachOptions::default())
        .expect("plain detach")
        .is_none());
    send(&mut client, b"PING");
    assert_eq!(read_exact(&mut server, 4), b"PING");
}

/// DETACH-4, DETACH-8, DETACH-10, STARTTLS-4, REC-1: one side detaches, the other
/// reads a clean EOF and answers; both continue in plaintext.
pub fn detach_4_both_ends_back_to_plain(h: &Harness) {
    let (mut client, mut server, _k) = h.connected();
    echo(&mut client, &mut server, b"tls");
    let client_thread = spawn(move || {
        let detached = client
            .detach_ssl(DetachOptions::default())
            .expect("client detach")
            .expect("was attached");
        assert!(detached.peer_closed);
        client
    });
    assert_eq!(server.read(&mut [0u8; 8]).expect("clean EOF"), 0, "REC-1");
    let started = Instant::now();
    server
        .detach_ssl(DetachOptions::default())
        .expect("server detach")
        .expect("was attached");
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "DETACH-10: answering is immediate"
    );
    let mut client = client_thread.join();
    assert_eq!(client.ssl_side(), None);
    assert_eq!(server.ssl_side(), None);
    send(&mut client, b"plain again");
    assert_eq!(read_exact(&mut server, 11), b"plain again");
    send(&mut server, b"both ways");
    assert_eq!(read_exact(&mut client, 9), b"both ways");
}

/// DETACH-4: application data the peer sends before its close_notify is handed back.
pub fn detach_4_data_before_close_notify_kept(h: &Harness) {
    let (mut client, mut server, _k) = h.connected();
    let (ready_tx, ready_rx) = mpsc::channel();
    let server_thread = spawn(move || {
        send(&mut server, b"LATE DATA");
        ready_tx.send(()).expect("signal");
        server
            .detach_ssl(DetachOptions::default())
            .expect("server detach");
        server
    });
    ready_rx.recv().expect("server wrote");
    let detached = client
        .detach_ssl(DetachOptions::default())
        .expect("client detach")
        .expect("attached");
    assert_eq!(detached.unread_application_data, b"LATE DATA");
    let _server = server_thread.join();
}

/// DETACH-5, DETACH-3: a peer that never answers makes detach fail with Failure
/// after about (extra + 1) × interval; the stream is plain anyway.
pub fn detach_5_unanswered_fails_after_policy(h: &Harness) {
    let (mut client, _server, _k) = h.connected();
    let policy = RetryPolicy {
        extra_attempts: 2,
        interval: Duration::from_millis(50),
    };
    let started = Instant::now();
    let err = client
        .detach_ssl(DetachOptions::with_retry(policy))
        .expect_err("unanswered close_notify");
    assert_eq!(err.kind(), ErrorKind::Failure, "{err}");
    assert!(
        started.elapsed() < Duration::from_millis(150) + Duration::from_secs(5),
        "took {:?}",
        started.elapsed()
    );
    assert_eq!(
        client.ssl_side(),
        None,
        "DETACH-3: plain even after failure"
    );
    assert!(client
        .detach_ssl(DetachOptions::default())
        .expect("plain")
        .is_none());
}

/// DETACH-6: `retry: None` sends close_notify once and never waits or fails.
pub fn detach_6_no_wait_never_fails(h: &Harness) {
    let (mut client, mut server, _k) = h.connected();
    let started = Instant::now();
    let detached = client
        .detach_ssl(DetachOptions::no_wait())
        .expect("no-wait detach")
        .expect("attached");
    assert!(!detached.peer_closed);
    assert!(started.elapsed() < Duration::from_secs(5));
    // The server sees a clean close.
    assert_eq!(server.read(&mut [0u8; 4]).expect("clean EOF"), 0);
}

/// DETACH-9, STARTTLS-6, OWN-5: octets sent right after close_notify — in the same
/// segment — reach the plain reader intact, and `into_parts` yields what is buffered.
pub fn detach_9_bytes_after_close_notify_are_plaintext(h: &Harness) {
    let (mut client, mut server, _k) = h.connected();
    let (written_tx, written_rx) = mpsc::channel();
    let server_thread = spawn(move || {
        server
            .detach_ssl(DetachOptions::no_wait())
            .expect("server detach");
        send(&mut server, b"PLAINTEXT AFTER CLOSE_NOTIFY");
        written_tx.send(()).expect("signal");
        server
    });
    written_rx.recv().expect("server wrote");
    std::thread::sleep(Duration::from_millis(50)); // let both arrive before the read
    assert_eq!(client.read(&mut [0u8; 64]).expect("clean EOF"), 0);
    client
        .detach_ssl(DetachOptions::no_wait())
        .expect("client detach");
    assert_eq!(read_exact(&mut client, 9), b"PLAINTEXT");
    let _server = server_thread.join();
    let (_transport, buffered) = client
        .into_parts()
        .map_err(|e| e.error)
        .expect("plain into_parts");
    assert_eq!(buffered, b" AFTER CLOSE_NOTIFY");
}

/// DETACH-11: detaching before the handshake (Both, no role) sends nothing.
pub fn detach_11_unfinished_sends_nothing(h: &Harness) {
    let (mut client, mut server, _k) = h.plain_pair();
    server
        .attach_ssl(
            AttachOptions::server()
                .ctx(h.natives.server_context(&pki().server))
                .side(Side::Both),
        )
        .expect("Both attach");
    server
        .detach_ssl(DetachOptions::default())
        .expect("detach")
        .expect("was attached");
    send(&mut server, b"PLAIN");
    assert_eq!(
        read_exact(&mut client, 5),
        b"PLAIN",
        "detach sent TLS octets"
    );
}

/// DETACH-12, REC-8: after a fatal error, I/O keeps failing without blocking; detach
/// sends no close_notify, leaves the stream plain and errs only under a policy.
pub fn detach_12_after_fatal_error(h: &Harness) {
    for policy in [DetachOptions::default(), DetachOptions::no_wait()] {
        let (mut client, _server, killers) = h.connected();
        // The server's transport dies without close_notify: a fatal truncation.
        killers.server.kill();
        let first = client.read(&mut [0u8; 8]).expect_err("truncation");
        let started = Instant::now();
        let again = client.read(&mut [0u8; 8]).expect_err("sticky");
        assert_eq!(first.kind(), again.kind());
        assert!(client.write(b"x").is_err(), "write after fatal error");
        assert!(
            started.elapsed() < Duration::from_secs(2),
            "blocked after a fatal error"
        );
        let result = client.detach_ssl(policy);
        assert_eq!(result.is_err(), policy.retry.is_some(), "{result:?}");
        assert_eq!(client.ssl_side(), None);
    }
}

/// DETACH-7: detach frees only what attach made: the abstract contexts are untouched
/// (no reference kept) and serve the next connection.
pub fn detach_7_frees_only_what_attach_made(h: &Harness) {
    let client_ctx = h.client_ctx();
    let server_ctx = h.server_ctx();
    let before = (
        std::sync::Arc::strong_count(&client_ctx),
        std::sync::Arc::strong_count(&server_ctx),
    );
    for _ in 0..2 {
        let (mut client, mut server, _k) = h.connected_with(
            AttachOptions::client("localhost").ctx(client_ctx.clone()),
            AttachOptions::server().ctx(server_ctx.clone()),
        );
        let t = spawn(move || {
            server
                .detach_ssl(DetachOptions::default())
                .expect("server detach");
        });
        client
            .detach_ssl(DetachOptions::default())
            .expect("client detach");
        t.join();
    }
    let after = (
        std::sync::Arc::strong_count(&client_ctx),
        std::sync::Arc::strong_count(&server_ctx),
    );
    assert_eq!(before, after, "a detached stream kept a context alive");
}
