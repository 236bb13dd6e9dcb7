//! SPEC §3 ATTACH, CTX, CB — attaching TLS to a live stream (LispWorks `attach-ssl`).

use std::io::{Read, Write};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use unitls_core::{AttachOptions, CtxSpec, DetachOptions, ErrorKind, Selector, Side, VerifyReason};

use crate::fixtures::pki;
use crate::harness::{echo, read_exact, send, spawn};
use crate::Harness;

/// CTX-4, ATTACH-5: legacy selectors are InvalidArgument before any byte.
pub fn ctx_4_legacy_selectors_refused(h: &Harness) {
    let (mut client, mut server, _k) = h.plain_pair();
    for selector in [
        Selector::Ssl2,
        Selector::Ssl3,
        Selector::Tls10,
        Selector::Tls11,
    ] {
        let err = client
            .attach_ssl(
                AttachOptions::client("localhost")
                    .ctx(CtxSpec::Protocol(selector))
                    .implementation(h.backend),
            )
            .expect_err("legacy selector accepted");
        assert_eq!(
            err.kind(),
            ErrorKind::InvalidArgument,
            "{selector:?}: {err}"
        );
        assert_eq!(client.ssl_side(), None);
    }
    send(&mut client, b"PING");
    assert_eq!(
        read_exact(&mut server, 4),
        b"PING",
        "something was sent before the error"
    );
}

/// ATTACH-1: attaching again gives AlreadyAttached; the session keeps working.
pub fn attach_1_already_attached(h: &Harness) {
    let (mut client, mut server, _k) = h.connected();
    let err = client
        .attach_ssl(h.client_opts())
        .expect_err("second attach");
    assert_eq!(err.kind(), ErrorKind::AlreadyAttached);
    let err = server
        .attach_ssl(h.server_opts())
        .expect_err("second attach");
    assert_eq!(err.kind(), ErrorKind::AlreadyAttached);
    echo(&mut client, &mut server, b"still the same session");
}

/// ATTACH-3, SIDE-8, IMPL-6, PROTO-4, PROTO-14: accessors follow the state.
pub fn attach_3_accessors_follow_state(h: &Harness) {
    let (mut client, mut server, _k) = h.plain_pair();
    assert_eq!(client.ssl_side(), None);
    assert_eq!(client.implementation(), None);
    assert_eq!(
        client.protocol_version().expect_err("plain").kind(),
        ErrorKind::NotAttached
    );
    let server_opts = h.server_opts();
    let server_thread = spawn(move || {
        server.attach_ssl(server_opts).expect("server attach");
        server
    });
    client.attach_ssl(h.client_opts()).expect("client attach");
    let mut server = server_thread.join();
    assert_eq!(client.ssl_side(), Some(Side::Client));
    assert_eq!(server.ssl_side(), Some(Side::Server));
    assert_eq!(client.implementation(), Some(h.backend));
    assert_eq!(client.connection_implementation(), Some(h.backend));
    let version = client.protocol_version().expect("attached");
    assert!(version.is_some());
    assert_eq!(
        version,
        client.protocol_version().expect("attached"),
        "constant for a session"
    );
    let server_thread = spawn(move || {
        server
            .detach_ssl(DetachOptions::default())
            .expect("server detach");
        server
    });
    client
        .detach_ssl(DetachOptions::default())
        .expect("client detach");
    let server = server_thread.join();
    for stream in [&client, &server] {
        assert_eq!(stream.ssl_side(), None);
        assert_eq!(stream.implementation(), None);
        assert_eq!(
            stream.protocol_version().expect_err("plain").kind(),
            ErrorKind::NotAttached
        );
    }
}

/// ATTACH-4, CTX-5: a failed attach leaves the stream plain, the transport open.
pub fn attach_4_failure_leaves_plain(h: &Harness) {
    let (mut client, mut server, _k) = h.plain_pair();
    let server_opts = AttachOptions::server().ctx(
        h.server_builder_with(&pki().untrusted)
            .build()
            .expect("ctx"),
    );
    let server_thread = spawn(move || {
        let err = server
            .attach_ssl(server_opts)
            .expect_err("server attach should fail");
        (server, err)
    });
    let err = client
        .attach_ssl(h.client_opts())
        .expect_err("untrusted server accepted");
    assert_eq!(
        err.kind(),
        ErrorKind::VerificationFailure(VerifyReason::UnknownIssuer),
        "{err}"
    );
    let (mut server, server_err) = server_thread.join();
    assert!(server_err.kind().is_failure(), "server got {server_err}");
    assert_eq!(client.ssl_side(), None);
    assert_eq!(server.ssl_side(), None);
    // The transport is still open: plaintext flows both ways.
    send(&mut server, b"plain after failure");
    let mut buf = Vec::new();
    let mut chunk = [0u8; 64];
    while !buf.ends_with(b"plain after failure") {
        let n = client
            .read(&mut chunk)
            .expect("plain read after failed attach");
        assert!(n > 0, "EOF instead of plaintext");
        buf.extend_from_slice(&chunk[..n]);
    }
}

/// ATTACH-5, HS-1, SNI-8, ABS-3, SNI-3: option errors surface before any byte.
pub fn attach_5_option_errors_before_io(h: &Harness) {
    let (mut client, mut server, _k) = h.plain_pair();
    let cases = [
        h.client_opts().handshake_timeout(Duration::ZERO),
        h.server_opts().host_name("localhost"),
        AttachOptions::client("localhost").ctx(h.server_ctx()),
        AttachOptions::server()
            .ctx(h.client_ctx())
            .side(Side::Server),
        AttachOptions::server().ctx(h.server_ctx()).side(Side::Both),
        AttachOptions::default()
            .side(Side::Client)
            .ctx(h.client_ctx()),
        h.client_opts().host_name("bad name"),
        h.client_opts().host_name(""),
        h.client_opts().host_name("nul\0inside"),
        h.client_opts().host_name("a".repeat(64) + ".example"),
        h.client_opts().host_name(["label"; 50].join(".")),
        AttachOptions::client("localhost").implementation("no-such-backend"),
    ];
    for (i, options) in cases.into_iter().enumerate() {
        let err = client
            .attach_ssl(options)
            .expect_err("bad options accepted");
        assert_eq!(err.kind(), ErrorKind::InvalidArgument, "case {i}: {err}");
        assert_eq!(client.ssl_side(), None);
    }
    send(&mut client, b"PING");
    assert_eq!(
        read_exact(&mut server, 4),
        b"PING",
        "something was sent before the errors"
    );
}

/// ATTACH-6, STARTTLS-5: plain → TLS → plain three times on one connection.
pub fn attach_6_reattach_cycles(h: &Harness) {
    let (mut client, mut server, _k) = h.plain_pair();
    for round in 0..3u8 {
        send(&mut client, &[b'p', round]);
        assert_eq!(read_exact(&mut server, 2), [b'p', round]);
        let server_opts = h.server_opts();
        let server_thread = spawn(move || {
            server.attach_ssl(server_opts).expect("server attach");
            server
        });
        client.attach_ssl(h.client_opts()).expect("client attach");
        server = server_thread.join();
        echo(&mut client, &mut server, &[b't', round]);
        let server_thread = spawn(move || {
            server
                .detach_ssl(DetachOptions::default())
                .expect("server detach");
            server
        });
        client
            .detach_ssl(DetachOptions::default())
            .expect("client detach");
        server = server_thread.join();
        send(&mut server, &[b'q', round]);
        assert_eq!(read_exact(&mut client, 2), [b'q', round]);
    }
}

/// CTX-6, CTX-10, CB-5, INIT-3: a native context, made by the application with the
/// backend crate directly, serves many connections; the context hook
/// callback does not run for it, and runs once per `Protocol` attach.
pub fn ctx_6_native_context_shared(h: &Harness) {
    let runs = Arc::new(AtomicUsize::new(0));
    for _ in 0..3 {
        let client_opts = h.natives.with_context_hook(
            AttachOptions::client("localhost").ctx(h.natives.client_context(&pki().ca_pem)),
            Arc::clone(&runs),
            false,
        );
        let (mut client, mut server, _k) = h.connected_with(client_opts, h.server_opts());
        assert_eq!(client.implementation(), Some(h.backend));
        echo(&mut client, &mut server, b"native context");
    }
    assert_eq!(
        runs.load(Ordering::SeqCst),
        0,
        "context hook ran for a Context spec"
    );
    // With `Protocol`, it runs once per attach (the handshake itself then fails
    // verification against the system roots, which does not matter here).
    for expected in 1..=2 {
        let (mut client, server, _k) = h.plain_pair();
        let opts = h.natives.with_context_hook(
            AttachOptions::client("localhost")
                .ctx(Selector::Flexible)
                .implementation(h.backend)
                .handshake_timeout(Duration::from_secs(5)),
            Arc::clone(&runs),
            false,
        );
        drop(server);
        let _ = client.attach_ssl(opts);
        assert_eq!(runs.load(Ordering::SeqCst), expected);
    }
}

/// CB-7, CB-8, CB-1: a callback's error or panic fails attach with Failure; the
/// stream stays plain and usable.
pub fn cb_7_callback_error_fails_attach(h: &Harness) {
    let (mut client, mut server, _k) = h.plain_pair();
    let runs = Arc::new(AtomicUsize::new(0));
    let opts = h.natives.with_context_hook(
        AttachOptions::client("localhost")
            .ctx(Selector::Flexible)
            .implementation(h.backend),
        Arc::clone(&runs),
        true,
    );
    let err = client.attach_ssl(opts).expect_err("callback error ignored");
    assert_eq!(err.kind(), ErrorKind::Failure, "{err}");
    assert!(
        std::error::Error::source(&err).is_some(),
        "the callback's error is not the source"
    );
    assert_eq!(runs.load(Ordering::SeqCst), 1);
    let opts = h.natives.with_panicking_connection_hook(h.client_opts());
    let err = client.attach_ssl(opts).expect_err("callback panic ignored");
    if h.lacks(unitls_core::Capability::UserSession) {
        // No per-connection object: asking for the callback is Unsupported (CB-2).
        assert_eq!(
            err.kind(),
            ErrorKind::Unsupported(unitls_core::Capability::UserSession),
            "{err}"
        );
    } else {
        assert_eq!(err.kind(), ErrorKind::Failure, "{err}");
    }
    assert_eq!(client.ssl_side(), None);
    send(&mut client, b"PING");
    assert_eq!(
        read_exact(&mut server, 4),
        b"PING",
        "a failed attach sent bytes"
    );
    let _ = client.write(b"");
}
