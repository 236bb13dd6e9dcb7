//! rustls-specific checks: the callbacks and native specs hand over rustls's own
//! types (SPEC CB-6), and unitls neither alters nor keeps the user's objects.

mod common;

use std::io::{Read, Write};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use unitls_conformance::fixtures::pki;
use unitls_conformance::harness::{echo, spawn, Conn};
use unitls_conformance::{Harness, NativeFixtures, TransportKind};
use unitls_core::{AttachOptions, CtxSpec, DetachOptions, ErrorKind, Side};
use unitls_rustls::rustls::pki_types::ServerName;
use unitls_rustls::rustls::{ClientConfig, ClientConnection, Connection};
use unitls_rustls::{Rustls, RustlsConfig, RustlsContext};

fn harness() -> Harness {
    unitls_rustls::register();
    Harness::new("rustls", TransportKind::Memory, &common::NATIVES)
}

fn user_client_config() -> Arc<ClientConfig> {
    match common::user_client_context() {
        RustlsContext::Client(config) => config,
        RustlsContext::Server(_) => unreachable!("a client config"),
    }
}

/// CTX-7, OWN-3, CB-2: a user's own connection is only bound to the transport; no
/// callback runs for it; detach hands it back.
#[test]
fn ctx_7_user_session_is_handed_back() {
    let h = harness();
    let conn = ClientConnection::new(
        user_client_config(),
        ServerName::try_from("localhost").expect("name"),
    )
    .expect("connection");
    let runs = Arc::new(AtomicUsize::new(0));
    let seen = Arc::clone(&runs);
    let mut options = AttachOptions::client("localhost")
        .ctx(CtxSpec::session::<Rustls>(Connection::Client(conn)));
    options = options.connection_hook::<Rustls>(move |_| {
        seen.fetch_add(1, Ordering::SeqCst);
        Ok(())
    });
    let (mut client, mut server, _k) = h.connected_with(options, h.server_opts());
    assert_eq!(
        runs.load(Ordering::SeqCst),
        0,
        "connection_hook ran for a Session spec"
    );
    echo(&mut client, &mut server, b"user session");
    let server_thread = spawn(move || {
        server
            .detach_ssl(DetachOptions::default())
            .expect("server detach");
    });
    let detached = client
        .detach_ssl(DetachOptions::default())
        .expect("detach")
        .expect("attached");
    server_thread.join();
    let conn = detached
        .session
        .expect("the session comes back")
        .into_inner::<Rustls>()
        .expect("a rustls connection");
    assert!(matches!(conn, Connection::Client(_)));
    assert!(
        !conn.is_handshaking(),
        "it is the connection that did the handshake"
    );
}

/// CTX-8: a native object whose role contradicts the side is InvalidArgument before I/O.
#[test]
fn ctx_8_role_contradictions_are_refused() {
    let h = harness();
    let (_client, mut server, _k) = h.plain_pair();
    let conn = ClientConnection::new(
        user_client_config(),
        ServerName::try_from("localhost").expect("name"),
    )
    .expect("connection");
    let err = server
        .attach_ssl(
            AttachOptions::server().ctx(CtxSpec::session::<Rustls>(Connection::Client(conn))),
        )
        .expect_err("client connection as server");
    assert_eq!(err.kind(), ErrorKind::InvalidArgument, "{err}");
    let err =
        server
            .attach_ssl(AttachOptions::server().ctx(CtxSpec::context::<Rustls>(
                RustlsContext::Client(user_client_config()),
            )))
            .expect_err("client config as server");
    assert_eq!(err.kind(), ErrorKind::InvalidArgument, "{err}");
    assert_eq!(server.ssl_side(), None);
}

/// CB-6, CB-4, CTX-10, OWN-2: the context hook edits rustls's own config and
/// its settings govern the handshake; `ctx`/`session` return rustls's objects; the
/// user's `Arc` is released again.
#[test]
fn cb_6_callbacks_get_rustls_types() {
    let h = harness();
    let server_ctx = h
        .server_builder()
        .alpn(["imap", "h2"])
        .build()
        .expect("ctx");
    let options = AttachOptions::client("localhost")
        .ctx(CtxSpec::Protocol(unitls_core::Selector::Flexible))
        .implementation("rustls")
        .context_hook::<Rustls>(|config| {
            let RustlsConfig::Client(config) = config else {
                return Err("expected a client config".into());
            };
            config.alpn_protocols = vec![b"h2".to_vec()];
            // Trust the suite's CA through rustls's own API.
            config
                .dangerous()
                .set_certificate_verifier(common::ca_verifier());
            Ok(())
        });
    let (client, _server, _k) = h.connected_with(options, AttachOptions::server().ctx(server_ctx));
    assert_eq!(
        client.alpn_protocol().expect("attached").as_deref(),
        Some(&b"h2"[..]),
        "CB-4"
    );
    assert!(
        matches!(client.ctx::<Rustls>(), Some(RustlsContext::Client(_))),
        "CTX-10"
    );
    assert!(
        matches!(client.session::<Rustls>(), Some(Connection::Client(_))),
        "CTX-10"
    );

    let user = user_client_config();
    let before = Arc::strong_count(&user);
    {
        let spec = CtxSpec::context::<Rustls>(RustlsContext::Client(Arc::clone(&user)));
        let (mut client, mut server, _k) = h.connected_with(
            AttachOptions::client("localhost").ctx(spec),
            h.server_opts(),
        );
        echo(&mut client, &mut server, b"shared");
        client.close().expect("close");
    }
    assert_eq!(
        Arc::strong_count(&user),
        before,
        "OWN-2: unitls kept a reference to the user's context"
    );
}

/// ABS-5, ABS-7: an abstract context's native hook runs once per native build, not
/// per connection; `reset()` rebuilds.
#[test]
fn abs_5_context_hook_runs_once_per_build() {
    let h = harness();
    let builds = Arc::new(AtomicUsize::new(0));
    let seen = Arc::clone(&builds);
    let ctx = h
        .client_builder()
        .context_hook::<Rustls>(move |config| {
            assert!(matches!(config, RustlsConfig::Client(_)));
            seen.fetch_add(1, Ordering::SeqCst);
            Ok(())
        })
        .build()
        .expect("ctx");
    for _ in 0..3 {
        let (mut client, mut server, _k) = h.connected_with(
            AttachOptions::client("localhost").ctx(ctx.clone()),
            h.server_opts(),
        );
        echo(&mut client, &mut server, b"x");
    }
    assert_eq!(builds.load(Ordering::SeqCst), 1);
    ctx.reset().expect("reset");
    let (_client, _server, _k): (Conn, Conn, _) = h.connected_with(
        AttachOptions::client("localhost").ctx(ctx.clone()),
        h.server_opts(),
    );
    assert_eq!(builds.load(Ordering::SeqCst), 2);
}

/// SIDE-10: rustls cannot defer the role, so with `Both` the objects are made and the
/// callbacks run at the pick, once, before any handshake byte.
#[test]
fn side_10_objects_made_at_the_pick() {
    let h = harness();
    let (mut client, mut server, _k) = h.plain_pair();
    let runs = Arc::new(AtomicUsize::new(0));
    let seen = Arc::clone(&runs);
    let options = AttachOptions::server()
        .ctx(common::NATIVES.server_context(&pki().server))
        .side(Side::Both)
        .connection_hook::<Rustls>(move |conn| {
            assert!(matches!(conn, Connection::Server(_)));
            seen.fetch_add(1, Ordering::SeqCst);
            Ok(())
        });
    server.attach_ssl(options).expect("attach Both");
    assert_eq!(runs.load(Ordering::SeqCst), 0);
    assert!(
        server.session::<Rustls>().is_none(),
        "no DeferredRole: no object before the pick"
    );
    server.set_accept_state().expect("pick");
    assert_eq!(runs.load(Ordering::SeqCst), 1);
    let server_thread = spawn(move || {
        let mut buf = [0u8; 2];
        server.read_exact(&mut buf).expect("read");
        buf
    });
    client.attach_ssl(h.client_opts()).expect("client");
    client.write_all(b"ok").expect("write");
    assert_eq!(&server_thread.join(), b"ok");
    assert_eq!(runs.load(Ordering::SeqCst), 1);
}
