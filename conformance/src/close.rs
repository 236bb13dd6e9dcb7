//! SPEC §3 CLOSE — closing streams (LispWorks `close` on an SSL socket stream).

use std::io::{Read, Write};
use std::time::{Duration, Instant};

use unitls_core::{ErrorKind, FailureIndicator};

use crate::harness::{echo, spawn};
use crate::Harness;

/// CLOSE-1..3, CLOSE-5: close never waits for a silent peer, a second close does
/// nothing, and I/O afterwards gives Closed.
pub fn close_1_3_never_waits_and_is_idempotent(h: &Harness) {
    let (mut client, _silent_server, _k) = h.connected();
    let started = Instant::now();
    client.close().expect("close");
    client.close().expect("second close");
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "close waited {:?}",
        started.elapsed()
    );
    let err = client.write(b"x").expect_err("write after close");
    assert_eq!(
        unitls_core::failure_indicator(&err),
        FailureIndicator::Closed
    );
    let err = client.read(&mut [0u8; 1]).expect_err("read after close");
    assert_eq!(
        unitls_core::failure_indicator(&err),
        FailureIndicator::Closed
    );
    assert_eq!(
        client
            .attach_ssl(h.client_opts())
            .expect_err("attach after close")
            .kind(),
        ErrorKind::Closed
    );
    assert_eq!(
        client
            .handshake(None)
            .expect_err("handshake after close")
            .kind(),
        ErrorKind::Closed
    );
}

/// CLOSE-4: dropping an open TLS stream sends close_notify: the peer reads a clean EOF.
pub fn close_4_drop_gives_clean_eof(h: &Harness) {
    let (client, mut server, _k) = h.connected();
    drop(client);
    assert_eq!(
        server
            .read(&mut [0u8; 4])
            .expect("clean EOF, not truncation"),
        0
    );
}

/// CLOSE-6, ABS-2, STREAM-5: contexts outlive the streams closed over them and serve
/// many connections at once.
pub fn close_6_contexts_outlive_streams(h: &Harness) {
    let client_ctx = h.client_ctx();
    let server_ctx = h.server_ctx();
    let mut threads = Vec::new();
    for i in 0..8u8 {
        let (client_opts, server_opts) = (
            unitls_core::AttachOptions::client("localhost").ctx(client_ctx.clone()),
            unitls_core::AttachOptions::server().ctx(server_ctx.clone()),
        );
        let h = h.clone();
        threads.push(spawn(move || {
            let (mut client, mut server, _k) = h.connected_with(client_opts, server_opts);
            echo(&mut client, &mut server, &[i; 100]);
            client.close().expect("close");
            server.close().expect("close");
        }));
    }
    for t in threads {
        t.join();
    }
    let (mut client, mut server, _k) = h.connected_with(
        unitls_core::AttachOptions::client("localhost").ctx(client_ctx),
        unitls_core::AttachOptions::server().ctx(server_ctx),
    );
    echo(&mut client, &mut server, b"after the others closed");
    client.write_all(b"").expect("empty write");
}
