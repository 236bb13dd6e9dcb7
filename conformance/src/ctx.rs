//! SPEC §3 CTX, CB — where a connection's configuration comes from, and the
//! native hooks (LispWorks `:ssl-ctx`, `:ctx-configure-callback`,
//! `:ssl-configure-callback`).

use std::sync::{Arc, Mutex};

use unitls_core::{
    AttachOptions, Capability, CtxSpec, DetachOptions, ErrorKind, Selector, Side, VerifyReason,
};

use crate::fixtures::pki;
use crate::harness::{echo, spawn};
use crate::{Harness, Log};

/// CTX-2: `Default` is a fresh TLS 1.2–1.3 context that verifies the server against
/// the system roots — which do not hold the suite's CA.
pub fn ctx_2_default_verifies(h: &Harness) {
    let (mut client, mut server, _k) = h.plain_pair();
    let server_opts = h.server_opts();
    let t = spawn(move || {
        let _ = server.attach_ssl(server_opts);
    });
    let err = client
        .attach_ssl(
            AttachOptions::client("localhost")
                .ctx(CtxSpec::Default)
                .implementation(h.backend),
        )
        .expect_err("an unknown CA was trusted by default");
    assert_eq!(
        err.kind(),
        ErrorKind::VerificationFailure(VerifyReason::UnknownIssuer),
        "{err}"
    );
    t.join();
}

/// CTX-7, CTX-8, OWN-3, DETACH-7: a user's own connection is only bound to the
/// transport and handed back by detach; one whose role contradicts the side is
/// InvalidArgument before I/O.
pub fn ctx_7_8_user_sessions(h: &Harness) {
    if h.lacks(Capability::UserSession) {
        // No per-connection object: a connection hook is Unsupported.
        let options = h.natives.with_panicking_connection_hook(h.client_opts());
        let (mut client, _server, _k) = h.plain_pair();
        let err = client
            .attach_ssl(options)
            .expect_err("connection_hook without UserSession");
        assert_eq!(err.kind(), ErrorKind::Unsupported(Capability::UserSession));
        return;
    }
    let session = || {
        h.natives
            .client_session(&pki().ca_pem, "localhost")
            .expect("UserSession declared")
    };
    let (_c, mut server, _k) = h.plain_pair();
    let err = server
        .attach_ssl(AttachOptions::server().ctx(session()).side(Side::Server))
        .expect_err("role mismatch");
    assert_eq!(err.kind(), ErrorKind::InvalidArgument, "CTX-8: {err}");
    let (mut client, mut server, _k) = h.connected_with(
        AttachOptions::client("localhost").ctx(session()),
        h.server_opts(),
    );
    echo(&mut client, &mut server, b"user session");
    let t = spawn(move || {
        server
            .detach_ssl(DetachOptions::default())
            .expect("server detach");
    });
    let detached = client
        .detach_ssl(DetachOptions::default())
        .expect("detach")
        .expect("attached");
    t.join();
    let handed_back = detached.session.expect("CTX-7: the session comes back");
    assert_eq!(handed_back.backend(), h.backend);
}

fn log() -> Log {
    Arc::new(Mutex::new(Vec::new()))
}

fn taken(log: &Log) -> Vec<&'static str> {
    std::mem::take(&mut *log.lock().expect("log"))
}

/// CB-1..4, CB-5, ABS-5: callbacks run once per attach in SPEC order — context,
/// context hook, (abstract hook), connection hook — before any byte; an abstract
/// context's context hook runs once per native build, not per connection.
pub fn cb_3_callback_order(h: &Harness) {
    let user_session = !h.lacks(Capability::UserSession);
    let calls = log();
    // A `Protocol` attach: context hook, then connection hook.
    let (mut client, _server, _k) = h.plain_pair();
    let options = h.natives.with_logging_callbacks(
        AttachOptions::client("localhost")
            .ctx(Selector::Flexible)
            .implementation(h.backend)
            .handshake_timeout(std::time::Duration::from_millis(300)),
        calls.clone(),
    );
    let _ = client.attach_ssl(options);
    let expected: &[&str] = if user_session {
        &["ctx", "ssl"]
    } else {
        &["ctx"]
    };
    assert_eq!(taken(&calls), expected);
    // An abstract context: its hooks, then the attach's connection hook; the context
    // hook only for the first connection.
    let context = h
        .natives
        .with_logging_hooks(h.client_builder(), calls.clone())
        .build()
        .expect("ctx");
    for round in 0..2 {
        let options = h.natives.with_logging_callbacks(
            AttachOptions::client("localhost").ctx(context.clone()),
            calls.clone(),
        );
        let (mut client, mut server, _k) = h.connected_with(options, h.server_opts());
        echo(&mut client, &mut server, b"ordered");
        let mut expected = Vec::new();
        if round == 0 {
            expected.push("abstract-ctx");
        }
        if user_session {
            expected.extend(["abstract-ssl", "ssl"]);
        }
        assert_eq!(
            taken(&calls),
            expected,
            "round {round}: CB-1 says context hook does not run for Abstract"
        );
    }
}
