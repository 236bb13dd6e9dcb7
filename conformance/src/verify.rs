//! SPEC §3 VERIFY, SNI — peer verification and server names (RFC 5280 §6,
//! RFC 9525 §6).

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use unitls_core::{
    AttachOptions, ClientAuth, ErrorKind, IdentitySource, Source, TrustSource, Verdict,
    VerifyReason, VerifyResult,
};

use crate::fixtures::{pki, Leaf};
use crate::harness::{echo, spawn, Conn};
use crate::Harness;

/// Attaches a client with `client_opts` to a server presenting `leaf`; returns the
/// client's result and the server (whatever its own outcome).
pub(crate) fn try_connect(
    h: &Harness,
    client_opts: AttachOptions,
    server_opts: AttachOptions,
) -> (unitls_core::Result<()>, Conn, unitls_core::Result<()>, Conn) {
    let (mut client, mut server, _k) = h.plain_pair();
    let server_thread = spawn(move || {
        let result = server.attach_ssl(server_opts);
        (result, server)
    });
    let client_result = client.attach_ssl(client_opts);
    if client_result.is_err() {
        let _ = client.close();
    }
    let (server_result, server) = server_thread.join();
    (client_result, client, server_result, server)
}

fn serving(h: &Harness, leaf: &Leaf) -> AttachOptions {
    AttachOptions::server().ctx(h.server_builder_with(leaf).build().expect("server context"))
}

fn client_reason(h: &Harness, leaf: &Leaf, host: &str) -> Option<VerifyReason> {
    let (result, _c, _sr, _s) = try_connect(
        h,
        AttachOptions::client(host).ctx(h.client_ctx()),
        serving(h, leaf),
    );
    match result {
        Ok(()) => None,
        Err(err) => {
            let reason = err
                .verify_reason()
                .unwrap_or_else(|| panic!("not a verification failure: {err}"));
            check_message(&err, host, reason);
            Some(reason)
        }
    }
}

/// ERR-5: a verification failure says whose certificate, for which name, and why
/// (with the OpenSSL family, also the certificate's validity dates); an unknown
/// issuer says how to trust it.
fn check_message(err: &unitls_core::Error, host: &str, reason: VerifyReason) {
    let text = err.to_string();
    if matches!(err.backend(), Some("openssl" | "boring")) {
        // OpenSSL's stack says only "certificate verify failed" and a C location: the
        // backend adds the verify error's text and the certificate's dates.
        assert!(
            text.contains("valid from"),
            "ERR-5: no validity dates in: {text}"
        );
    }
    let whose = format!("the server's certificate for \"{host}\"");
    assert!(text.contains(&whose), "ERR-5: no {whose:?} in: {text}");
    if reason == VerifyReason::UnknownIssuer {
        assert!(
            text.contains("add_trust") && text.contains("trust_only"),
            "ERR-5: an unknown issuer should say how to trust it: {text}"
        );
    }
}

/// VERIFY-1, VERIFY-13: an unknown CA is VerificationFailure(UnknownIssuer); the
/// server learns of the refusal through an alert.
pub fn verify_1_unknown_issuer(h: &Harness) {
    let (result, _c, server_result, _s) = try_connect(
        h,
        AttachOptions::client("localhost").ctx(h.client_ctx()),
        serving(h, &pki().untrusted),
    );
    let err = result.expect_err("unknown CA accepted");
    assert_eq!(
        err.kind(),
        ErrorKind::VerificationFailure(VerifyReason::UnknownIssuer),
        "{err}"
    );
    check_message(&err, "localhost", VerifyReason::UnknownIssuer);
    assert_eq!(err.backend(), Some(h.backend));
    let server_err = server_result.expect_err("server should see the refusal");
    assert!(server_err.kind().is_failure(), "{server_err}");
    assert!(
        server_err.alert().is_some(),
        "VERIFY-13: the refusing side sends a fatal alert: {server_err}"
    );
}

/// VERIFY-4, VERIFY-13, ERR-5: expired, not yet valid, wrong name, wrong EKU — each
/// with its reason, and a message that names the server and what was wrong.
pub fn verify_4_reasons(h: &Harness) {
    let p = pki();
    assert_eq!(
        client_reason(h, &p.expired, "localhost"),
        Some(VerifyReason::Expired)
    );
    assert_eq!(
        client_reason(h, &p.not_yet_valid, "localhost"),
        Some(VerifyReason::NotYetValid)
    );
    assert_eq!(
        client_reason(h, &p.wrong_host, "localhost"),
        Some(VerifyReason::NameMismatch)
    );
    assert_eq!(
        client_reason(h, &p.wrong_eku, "localhost"),
        Some(VerifyReason::InvalidPurpose)
    );
    assert_eq!(client_reason(h, &p.server, "localhost"), None);
}

/// VERIFY-2, VERIFY-12: only the danger options relax verification, and
/// `verify_result()` still reports the built-in outcome.
pub fn verify_2_danger_options(h: &Harness) {
    let p = pki();
    let lax_names = h
        .client_builder()
        .danger_accept_invalid_hostnames()
        .build()
        .expect("ctx");
    let (result, client, _sr, _s) = try_connect(
        h,
        AttachOptions::client("localhost").ctx(lax_names.clone()),
        serving(h, &p.wrong_host),
    );
    result.expect("danger_accept_invalid_hostnames should accept a wrong name");
    assert_eq!(
        client.verify_result().expect("attached"),
        Some(VerifyResult::Invalid(VerifyReason::NameMismatch))
    );
    let (result, _c, _sr, _s) = try_connect(
        h,
        AttachOptions::client("localhost").ctx(lax_names),
        serving(h, &p.untrusted),
    );
    let err = result.expect_err("the chain is still checked");
    assert_eq!(err.verify_reason(), Some(VerifyReason::UnknownIssuer));
    let lax_all = h
        .client_builder()
        .danger_accept_invalid_certs()
        .build()
        .expect("ctx");
    let (result, client, _sr, _s) = try_connect(
        h,
        AttachOptions::client("localhost").ctx(lax_all),
        serving(h, &p.untrusted),
    );
    result.expect("danger_accept_invalid_certs should accept anything");
    assert_eq!(
        client.verify_result().expect("attached"),
        Some(VerifyResult::Invalid(VerifyReason::UnknownIssuer))
    );
}

/// VERIFY-5, VERIFY-6, SNI-4: wildcards cover one left-most label; IP references
/// match only iPAddress SANs, and IP literals are never sent as SNI.
pub fn verify_5_6_names(h: &Harness) {
    let p = pki();
    assert_eq!(client_reason(h, &p.wildcard, "a.example.test"), None);
    assert_eq!(
        client_reason(h, &p.wildcard, "A.EXAMPLE.TEST"),
        None,
        "case-insensitive"
    );
    assert_eq!(
        client_reason(h, &p.wildcard, "a.b.example.test"),
        Some(VerifyReason::NameMismatch)
    );
    assert_eq!(
        client_reason(h, &p.wildcard, "example.test"),
        Some(VerifyReason::NameMismatch)
    );
    assert_eq!(client_reason(h, &p.ip_only, "127.0.0.1"), None);
    assert_eq!(
        client_reason(h, &p.server, "127.0.0.2"),
        Some(VerifyReason::NameMismatch)
    );
    // CN "localhost" on a leaf whose SANs do not list it: no CN fallback.
    assert_eq!(
        client_reason(h, &p.ip_only, "ip"),
        Some(VerifyReason::NameMismatch)
    );
    let (result, _c, _sr, server) = try_connect(
        h,
        AttachOptions::client("127.0.0.1").ctx(h.client_ctx()),
        serving(h, &p.ip_only),
    );
    result.expect("IP reference");
    assert_eq!(
        server.server_name().expect("attached"),
        None,
        "an IP literal was sent as SNI"
    );
}

/// VERIFY-7: a chain sent with its intermediate verifies; the leaf alone does not.
pub fn verify_7_missing_intermediate(h: &Harness) {
    let p = pki();
    let leaf_only = IdentitySource::pem(p.server.leaf_pem.clone(), p.server.key_pem.clone());
    let ctx = unitls_core::create_server_context()
        .implementation(h.backend)
        .identity(leaf_only)
        .build()
        .expect("ctx");
    let (result, _c, _sr, _s) = try_connect(h, h.client_opts(), AttachOptions::server().ctx(ctx));
    assert_eq!(
        result
            .expect_err("leaf without intermediate")
            .verify_reason(),
        Some(VerifyReason::UnknownIssuer)
    );
}

pub(crate) fn client_auth_server(h: &Harness, mode: ClientAuth) -> AttachOptions {
    let ctx = h
        .server_builder()
        .client_auth(mode)
        .trust_only([TrustSource::Pem(Source::memory(pki().ca_pem.clone()))])
        .build()
        .expect("server context");
    AttachOptions::server().ctx(ctx)
}

fn client_with_identity(h: &Harness) -> AttachOptions {
    let c = &pki().client;
    let ctx = h
        .client_builder()
        .identity(IdentitySource::pem(c.chain_pem.clone(), c.key_pem.clone()))
        .build()
        .expect("ctx");
    AttachOptions::client("localhost").ctx(ctx)
}

/// VERIFY-8..10, KEY-8: Never / Optional / Required client-certificate modes.
pub fn verify_8_client_auth_modes(h: &Harness) {
    // Required, with a certificate: accepted, and the server sees it.
    let (result, mut client, server_result, mut server) = try_connect(
        h,
        client_with_identity(h),
        client_auth_server(h, ClientAuth::Required),
    );
    result.expect("client attach");
    server_result.expect("server attach");
    let peer = server
        .peer_certificate()
        .expect("attached")
        .expect("client certificate");
    assert_eq!(peer.subject_common_name(), Some("client-1"));
    echo(&mut client, &mut server, b"mutual");
    // Required, without: the server fails with NoCertificate; the client fails (in
    // TLS 1.3 maybe only at its first read).
    let (result, mut client, server_result, _s) = try_connect(
        h,
        h.client_opts(),
        client_auth_server(h, ClientAuth::Required),
    );
    let server_err = server_result.expect_err("missing client certificate accepted");
    assert_eq!(
        server_err.kind(),
        ErrorKind::VerificationFailure(VerifyReason::NoCertificate),
        "{server_err}"
    );
    if result.is_ok() {
        let err = std::io::Read::read(&mut client, &mut [0u8; 1])
            .expect_err("client learns at first read");
        let err = unitls_core::Error::from_io(err);
        assert!(err.kind().is_failure(), "{err}");
    }
    // Optional, without: accepted, no peer certificate.
    let (result, _c, server_result, server) = try_connect(
        h,
        h.client_opts(),
        client_auth_server(h, ClientAuth::Optional),
    );
    result.expect("client attach");
    server_result.expect("Optional accepts a client without certificate");
    assert!(server.peer_certificate().expect("attached").is_none());
    // Never (default): no request, even if the client has an identity.
    let (result, _c, server_result, server) =
        try_connect(h, client_with_identity(h), h.server_opts());
    result.expect("client attach");
    server_result.expect("server attach");
    assert!(
        server.peer_certificate().expect("attached").is_none(),
        "Never requested a certificate"
    );
    // VERIFY-10: a server leaf (serverAuth only) is refused as a client certificate.
    let s = &pki().server;
    let ctx = h
        .client_builder()
        .identity(IdentitySource::pem(s.chain_pem.clone(), s.key_pem.clone()))
        .build()
        .expect("ctx");
    let (_r, _c, server_result, _s) = try_connect(
        h,
        AttachOptions::client("localhost").ctx(ctx),
        client_auth_server(h, ClientAuth::Required),
    );
    let err =
        server_result.expect_err("serverAuth-only certificate accepted as client certificate");
    assert_eq!(
        err.verify_reason(),
        Some(VerifyReason::InvalidPurpose),
        "{err}"
    );
}

/// VERIFY-11: the verify callback runs once per handshake with the built-in result;
/// `Reject` fails a valid chain, `Accept` passes a failed one.
pub fn verify_11_callback_decides(h: &Harness) {
    let calls = Arc::new(AtomicUsize::new(0));
    let seen = Arc::clone(&calls);
    let reject = h
        .client_builder()
        .verify_callback(move |input| {
            seen.fetch_add(1, Ordering::SeqCst);
            assert_eq!(input.built_in, VerifyResult::Valid);
            assert_eq!(input.reference_name, Some("localhost"));
            assert_eq!(input.chain[0].subject_common_name(), Some("localhost"));
            Verdict::Reject
        })
        .build()
        .expect("ctx");
    let (result, _c, _sr, _s) = try_connect(
        h,
        AttachOptions::client("localhost").ctx(reject),
        h.server_opts(),
    );
    assert_eq!(
        result.expect_err("callback rejected").verify_reason(),
        Some(VerifyReason::CallbackRejected)
    );
    assert_eq!(calls.load(Ordering::SeqCst), 1);
    let accept = h
        .client_builder()
        .verify_callback(|input| {
            assert_eq!(
                input.built_in,
                VerifyResult::Invalid(VerifyReason::UnknownIssuer)
            );
            Verdict::Accept
        })
        .build()
        .expect("ctx");
    let (result, client, _sr, _s) = try_connect(
        h,
        AttachOptions::client("localhost").ctx(accept),
        serving(h, &pki().untrusted),
    );
    result.expect("callback accepted");
    assert_eq!(
        client.verify_result().expect("attached"),
        Some(VerifyResult::Invalid(VerifyReason::UnknownIssuer))
    );
}

/// SNI-9, SNI-1, SNI-2, SNI-7: the server sees the SNI the client sent; a client
/// context's default name applies and a per-attach name overrides it.
pub fn sni_9_server_sees_client_sni(h: &Harness) {
    let (mut client, mut server, _k) = h.connected();
    assert_eq!(
        server.server_name().expect("attached").as_deref(),
        Some("localhost")
    );
    assert_eq!(
        client.server_name().expect("attached").as_deref(),
        Some("localhost")
    );
    echo(&mut client, &mut server, b"sni");
    let with_default = h
        .client_builder()
        .server_name("a.example.test")
        .build()
        .expect("ctx");
    let mut options = AttachOptions::client("ignored").ctx(with_default.clone());
    options.tlsext_host_name = None;
    let (result, _c, _sr, server) = try_connect(h, options, serving(h, &pki().wildcard));
    result.expect("default name from the context");
    assert_eq!(
        server.server_name().expect("attached").as_deref(),
        Some("a.example.test")
    );
    let (result, _c, _sr, server) = try_connect(
        h,
        AttachOptions::client("b.example.test").ctx(with_default),
        serving(h, &pki().wildcard),
    );
    result.expect("override");
    assert_eq!(
        server.server_name().expect("attached").as_deref(),
        Some("b.example.test")
    );
    // SNI-3: a verifying client without any name is refused before I/O.
    let mut nameless = AttachOptions::client("x").ctx(h.client_ctx());
    nameless.tlsext_host_name = None;
    let (result, _c, _sr, _s) = try_connect(
        h,
        nameless,
        h.server_opts()
            .handshake_timeout(std::time::Duration::from_millis(300)),
    );
    assert_eq!(
        result.expect_err("nameless verifying client").kind(),
        ErrorKind::InvalidArgument
    );
}

/// SNI-11 (revised): an abstract server context with no identity, no name map and no
/// selection callback is InvalidArgument when built; a server without any identity
/// (a `Default` context) fails its attach with X509Lookup, the
/// client with Failure.
pub fn sni_11_server_without_identity(h: &Harness) {
    let built = unitls_core::create_server_context()
        .implementation(h.backend)
        .build();
    let err = built.expect_err("an abstract server context with no identity at all");
    assert_eq!(err.kind(), ErrorKind::InvalidArgument, "{err}");
    assert!(err.to_string().contains("needs an identity"), "{err}");
    let nothing = AttachOptions::server()
        .ctx(unitls_core::CtxSpec::Default)
        .implementation(h.backend);
    let (result, _c, server_result, _s) = try_connect(h, h.client_opts(), nothing);
    let server_err = server_result.expect_err("a server without identity");
    assert_eq!(server_err.kind(), ErrorKind::X509Lookup, "{server_err}");
    let client_err = result.expect_err("client");
    assert!(client_err.kind().is_failure(), "{client_err}");
}

/// VERIFY-3: trust sources combine — system plus a PEM file, a directory — and
/// `trust_only` makes a set exclusive.
pub fn verify_3_trust_sources(h: &Harness) {
    let p = pki();
    let dir = crate::fixtures::write_temp(&[
        ("ca.pem", p.ca_pem.as_bytes()),
        ("README", b"not a certificate"),
    ]);
    let build = |b: unitls_core::ContextBuilder| {
        AttachOptions::client("localhost").ctx(b.build().expect("ctx"))
    };
    let with_builder = |f: &dyn Fn(unitls_core::ContextBuilder) -> unitls_core::ContextBuilder| {
        let (result, _c, _sr, _s) = try_connect(
            h,
            build(f(
                unitls_core::create_client_context().implementation(h.backend)
            )),
            h.server_opts(),
        );
        result
    };
    with_builder(&|b| b.add_trust(TrustSource::Pem(Source::memory(p.ca_pem.clone()))))
        .expect("system + PEM");
    with_builder(&|b| b.trust_only([TrustSource::Directory(dir.clone())])).expect("a directory");
    with_builder(&|b| {
        b.add_trust(TrustSource::Bundled)
            .add_trust(TrustSource::Pem(Source::file(dir.join("ca.pem"))))
    })
    .expect("bundled + a PEM file");
    let err = with_builder(&|b| b.trust_only([TrustSource::Bundled]))
        .expect_err("the bundled set has no test CA");
    assert_eq!(err.verify_reason(), Some(VerifyReason::UnknownIssuer));
    let err = unitls_core::create_client_context()
        .trust_only([TrustSource::Pem(Source::file(dir.join("missing.pem")))])
        .build()
        .expect_err("a missing file");
    assert_eq!(err.kind(), ErrorKind::InvalidArgument);
    let _ = std::fs::remove_dir_all(dir);
}

/// VERIFY-14: `verification_time` verifies as of that instant: a leaf expired now but
/// valid then is accepted; one valid now but not yet then is NotYetValid.
pub fn verify_14_verification_time(h: &Harness) {
    let days = |n: u64| std::time::Duration::from_secs(n * 86_400);
    let now = std::time::SystemTime::now();
    let at = |time| {
        AttachOptions::client("localhost").ctx(
            h.client_builder()
                .verification_time(time)
                .build()
                .expect("ctx"),
        )
    };
    let (result, _c, _sr, _s) = try_connect(h, at(now - days(45)), serving(h, &pki().expired));
    result.expect("expired now, valid 45 days ago");
    let (result, _c, _sr, _s) = try_connect(h, at(now - days(10)), serving(h, &pki().server));
    assert_eq!(
        result
            .expect_err("not yet valid 10 days ago")
            .verify_reason(),
        Some(VerifyReason::NotYetValid)
    );
}

/// SNI-10: a server context maps names to identities or takes a selection callback;
/// the match wins, else the default; no match and no default, or a callback error,
/// fails the server attach with X509Lookup.
pub fn sni_10_identity_by_name(h: &Harness) {
    let p = pki();
    let wildcard = || IdentitySource::pem(p.wildcard.chain_pem.clone(), p.wildcard.key_pem.clone());
    let served_cn = |server: AttachOptions, host: &str| {
        let lax = h
            .client_builder()
            .danger_accept_invalid_hostnames()
            .build()
            .expect("ctx");
        let (result, client, server_result, _s) =
            try_connect(h, AttachOptions::client(host).ctx(lax), server);
        match (result, server_result) {
            (Ok(()), Ok(())) => Ok(client
                .peer_certificate()
                .expect("attached")
                .expect("leaf")
                .subject_common_name()
                .map(str::to_string)),
            (_, Err(server_err)) => Err(server_err),
            (Err(client_err), Ok(())) => panic!("only the client failed: {client_err}"),
        }
    };
    let mapped = || {
        h.server_builder()
            .identity_for_name("*.example.test", wildcard())
    };
    let server = |b: unitls_core::ContextBuilder| {
        AttachOptions::server().ctx(b.build().expect("server ctx"))
    };
    assert_eq!(
        served_cn(server(mapped()), "a.example.test")
            .expect("match")
            .as_deref(),
        Some("wildcard")
    );
    assert_eq!(
        served_cn(server(mapped()), "localhost")
            .expect("default")
            .as_deref(),
        Some("localhost")
    );
    let no_default = unitls_core::create_server_context()
        .implementation(h.backend)
        .identity_for_name("a.example.test", wildcard());
    let err = served_cn(server(no_default), "localhost").expect_err("no match, no default");
    assert_eq!(err.kind(), ErrorKind::X509Lookup, "{err}");
    let chooser = mapped().sni_callback(|sni| {
        assert_eq!(sni, Some("localhost"));
        Ok(Some("*.example.test".into()))
    });
    assert_eq!(
        served_cn(server(chooser), "localhost")
            .expect("callback")
            .as_deref(),
        Some("wildcard")
    );
    let failing = mapped().sni_callback(|_| Err("no identity for you".into()));
    let err = served_cn(server(failing), "localhost").expect_err("callback error");
    assert_eq!(err.kind(), ErrorKind::X509Lookup, "{err}");
}
