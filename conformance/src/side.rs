//! SPEC §3 SIDE and CTX-1 — sides and defaults (LispWorks `:ssl-side`).

use std::io::{Read, Write};
use std::time::Duration;

use unitls_core::{
    AttachOptions, CtxSpec, DetachOptions, ErrorKind, HandshakeTimeout, RetryPolicy, Side,
};

use crate::fixtures::pki;
use crate::harness::{echo, spawn};
use crate::Harness;

/// CTX-1, SIDE-1, DETACH-2, HS-1: the LispWorks defaults.
pub fn ctx_1_side_1_defaults(_h: &Harness) {
    let options = AttachOptions::default();
    assert!(matches!(options.ctx, CtxSpec::Default));
    assert_eq!(options.side, Side::Server);
    assert_eq!(options.handshake_timeout, HandshakeTimeout::Default);
    assert_eq!(
        options.handshake_timeout.resolve(true).expect("valid"),
        Some(Duration::from_secs(30)),
        "30 s where the transport can take deadlines"
    );
    let retry = DetachOptions::default().retry.expect("a default policy");
    assert_eq!(
        retry,
        RetryPolicy {
            extra_attempts: 5,
            interval: Duration::from_millis(100)
        }
    );
}

/// SIDE-4..7: `Both` attaches without I/O; before the pick, handshake, read and write
/// are InvalidArgument and send nothing; after the pick the first I/O handshakes.
pub fn side_4_6_both_defers_until_pick(h: &Harness) {
    let (mut client, mut server, _k) = h.plain_pair();
    server
        .attach_ssl(
            AttachOptions::server()
                .ctx(h.natives.server_context(&pki().server))
                .side(Side::Both),
        )
        .expect("Both attach");
    assert_eq!(server.ssl_side(), Some(Side::Both));
    for err in [
        server.handshake(None).expect_err("handshake before pick"),
        unitls_core::Error::from_io(server.write(b"x").expect_err("write before pick")),
        unitls_core::Error::from_io(server.read(&mut [0u8; 4]).expect_err("read before pick")),
    ] {
        assert_eq!(err.kind(), ErrorKind::InvalidArgument, "{err}");
    }
    assert_eq!(server.ssl_side(), Some(Side::Both), "still attached");
    // Nothing reached the client: its first octets are the server's plaintext later.
    client
        .set_read_timeout(Some(Duration::from_millis(200)))
        .expect("timeout");
    assert!(
        client.read(&mut [0u8; 1]).is_err(),
        "the server sent something before the pick"
    );
    client
        .set_read_timeout(Some(crate::harness::WAIT))
        .expect("timeout");
    server.set_accept_state().expect("pick accept");
    // The first read runs the handshake implicitly (SIDE-7).
    let server_thread = spawn(move || {
        let mut buf = [0u8; 5];
        server.read_exact(&mut buf).expect("server read");
        (server, buf)
    });
    client.attach_ssl(h.client_opts()).expect("client attach");
    client.write_all(b"hello").expect("client write");
    let (mut server, buf) = server_thread.join();
    assert_eq!(&buf, b"hello");
    assert_eq!(
        server.ssl_side(),
        Some(Side::Both),
        "SIDE-8: Both stays Both"
    );
    echo(&mut client, &mut server, b"after pick");
}

/// SIDE-5, SIDE-8: the role is picked once, only on `Both`.
pub fn side_5_second_pick_is_invalid(h: &Harness) {
    let (mut client, mut server, _k) = h.connected();
    for err in [
        client.set_accept_state().expect_err("pick on Client"),
        server.set_connect_state().expect_err("pick on Server"),
    ] {
        assert_eq!(err.kind(), ErrorKind::InvalidArgument);
    }
    echo(&mut client, &mut server, b"still fine");
    let (_c, mut both, _k2) = h.plain_pair();
    both.attach_ssl(
        AttachOptions::server()
            .ctx(h.natives.server_context(&pki().server))
            .side(Side::Both),
    )
    .expect("attach");
    both.set_accept_state().expect("first pick");
    assert_eq!(
        both.set_connect_state().expect_err("second pick").kind(),
        ErrorKind::InvalidArgument
    );
    assert_eq!(both.ssl_side(), Some(Side::Both));
}

/// SIDE-9, SIDE-10: with `Both`, a backend that can defer the role makes the
/// per-connection object inside attach (connection hook runs there); one that cannot
/// makes it at the pick. Either way each callback runs once, before any byte.
pub fn side_9_10_objects_for_both(h: &Harness) {
    let calls: crate::Log = Default::default();
    let (mut client, mut server, _k) = h.plain_pair();
    let options = h.natives.with_logging_callbacks(
        AttachOptions::server()
            .ctx(h.natives.server_context(&pki().server))
            .side(Side::Both),
        calls.clone(),
    );
    server.attach_ssl(options).expect("attach Both");
    let has_connection = !h.lacks(unitls_core::Capability::UserSession);
    let deferred = !h.lacks(unitls_core::Capability::DeferredRole);
    let ran = |calls: &crate::Log| calls.lock().expect("log").len();
    assert_eq!(
        ran(&calls),
        usize::from(has_connection && deferred),
        "SIDE-9/10: at attach"
    );
    server.set_accept_state().expect("pick");
    assert_eq!(
        ran(&calls),
        usize::from(has_connection),
        "each callback once"
    );
    let t = spawn(move || {
        let mut buf = [0u8; 2];
        server.read_exact(&mut buf).expect("server read");
        server
    });
    client.attach_ssl(h.client_opts()).expect("client attach");
    client.write_all(b"ok").expect("write");
    let _server = t.join();
    assert_eq!(
        ran(&calls),
        usize::from(has_connection),
        "no callback after the handshake"
    );
}
