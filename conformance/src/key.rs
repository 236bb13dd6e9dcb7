//! SPEC §3 KEY — identities and passwords.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use unitls_core::{create_server_context, AttachOptions, ErrorKind, IdentitySource, Source};

use crate::fixtures::{pki, PASSWORD};
use crate::harness::echo;
use crate::Harness;

fn serves(h: &Harness, identity: IdentitySource) {
    let ctx = create_server_context()
        .implementation(h.backend)
        .identity(identity)
        .build()
        .expect("server context");
    let (mut client, mut server, _k) =
        h.connected_with(h.client_opts(), AttachOptions::server().ctx(ctx));
    echo(&mut client, &mut server, b"identity works");
}

/// KEY-1: PKCS#8 P-256 and RSA-2048 identities serve.
pub fn key_1_rsa_and_ecdsa_serve(h: &Harness) {
    let p = pki();
    serves(
        h,
        IdentitySource::pem(p.server.chain_pem.clone(), p.server.key_pem.clone()),
    );
    serves(
        h,
        IdentitySource::pem(p.server_rsa.chain_pem.clone(), p.server_rsa.key_pem.clone()),
    );
}

/// KEY-2: PKCS#12 loads key and chain; a wrong password is InvalidArgument.
pub fn key_2_pkcs12(h: &Harness) {
    let archive = Source::memory(pki().server_p12.clone());
    serves(h, IdentitySource::pkcs12(archive.clone(), PASSWORD));
    let err = create_server_context()
        .implementation(h.backend)
        .identity(IdentitySource::pkcs12(archive, "wrong"))
        .build()
        .expect_err("wrong PKCS#12 password");
    assert_eq!(err.kind(), ErrorKind::InvalidArgument, "{err}");
}

/// KEY-3, KEY-4: encrypted PKCS#8 loads with a password or a callback (run once,
/// told the source); a wrong password is InvalidArgument at creation.
pub fn key_3_4_encrypted_keys(h: &Harness) {
    let p = pki();
    let encrypted = || IdentitySource::pem(p.server.chain_pem.clone(), p.encrypted_key_pem.clone());
    serves(h, encrypted().with_password(PASSWORD).expect("password"));
    let calls = Arc::new(AtomicUsize::new(0));
    let seen = Arc::clone(&calls);
    serves(
        h,
        encrypted()
            .with_password_callback(move |request| {
                seen.fetch_add(1, Ordering::SeqCst);
                assert!(request.max_len >= PASSWORD.len());
                assert!(request.source.contains("key"), "{}", request.source);
                Ok(PASSWORD.to_string())
            })
            .expect("callback"),
    );
    assert_eq!(
        calls.load(Ordering::SeqCst),
        1,
        "the password callback runs once per load"
    );
    for bad in [
        encrypted().with_password("wrong").expect("password"),
        encrypted(),
    ] {
        let err = create_server_context()
            .implementation(h.backend)
            .identity(bad)
            .build()
            .expect_err("bad password");
        assert_eq!(err.kind(), ErrorKind::InvalidArgument, "{err}");
    }
    let err = encrypted()
        .with_password_callback(|_| Err("no password today".into()))
        .and_then(|source| {
            create_server_context()
                .implementation(h.backend)
                .identity(source)
                .build()
        })
        .expect_err("callback error");
    assert_eq!(err.kind(), ErrorKind::InvalidArgument, "{err}");
}

/// KEY-5, KEY-6, ABS-1: password plus callback, garbled input, a missing file and a
/// key that does not match the leaf are all InvalidArgument at creation.
pub fn key_5_6_bad_identities(h: &Harness) {
    let p = pki();
    let both = IdentitySource::pem(p.server.chain_pem.clone(), p.encrypted_key_pem.clone())
        .with_password(PASSWORD)
        .and_then(|s| s.with_password_callback(|_| Ok(String::new())));
    assert_eq!(
        both.expect_err("password and callback").kind(),
        ErrorKind::InvalidArgument
    );
    let build = |identity| {
        create_server_context()
            .implementation(h.backend)
            .identity(identity)
            .build()
    };
    let cases = [
        (
            "garbled certificate",
            IdentitySource::pem(
                "-----BEGIN CERTIFICATE-----\n@@@@\n-----END CERTIFICATE-----\n",
                p.server.key_pem.clone(),
            ),
        ),
        (
            "no key",
            IdentitySource::pem(p.server.chain_pem.clone(), p.server.chain_pem.clone()),
        ),
        (
            "no certificate",
            IdentitySource::pem(p.server.key_pem.clone(), p.server.key_pem.clone()),
        ),
        (
            "missing file",
            IdentitySource::pem_files(
                "/nonexistent/unitls/cert.pem",
                "/nonexistent/unitls/key.pem",
            ),
        ),
        (
            "mismatched key",
            IdentitySource::pem(p.server.chain_pem.clone(), p.client.key_pem.clone()),
        ),
    ];
    for (what, identity) in cases {
        let err = build(identity).expect_err(what);
        assert_eq!(err.kind(), ErrorKind::InvalidArgument, "{what}: {err}");
    }
    let err = build(IdentitySource::pem_files(
        "/nonexistent/unitls/cert.pem",
        "/nonexistent/unitls/key.pem",
    ))
    .expect_err("missing");
    assert!(
        err.to_string().contains("/nonexistent/unitls/cert.pem"),
        "KEY-6 names the culprit: {err}"
    );
    // A key that does not match its certificate: the message names each file once.
    let dir = crate::fixtures::write_temp(&[
        ("cert.pem", p.server.chain_pem.as_bytes()),
        ("key.pem", p.client.key_pem.as_bytes()),
    ]);
    let (cert, key) = (dir.join("cert.pem"), dir.join("key.pem"));
    let err = build(IdentitySource::pem_files(&cert, &key)).expect_err("mismatched files");
    let text = err.to_string();
    for file in [&cert, &key] {
        let name = file.display().to_string();
        assert_eq!(
            text.matches(&name).count(),
            1,
            "KEY-6: {name} should be named once: {text}"
        );
    }
    assert!(text.contains("does not match"), "{text}");
}

/// KEY-7, KEY-1: every backend accepts and refuses the same key files: PKCS#8,
/// PKCS#1 and SEC1 keys serve; an encrypted key without password, or a PKCS#12
/// archive with the wrong one, is refused at creation.
pub fn key_7_same_corpus_everywhere(h: &Harness) {
    let p = pki();
    serves(
        h,
        IdentitySource::pem(
            p.server_rsa.chain_pem.clone(),
            p.server_rsa_pkcs1_pem.clone(),
        ),
    );
    serves(
        h,
        IdentitySource::pem(p.server.chain_pem.clone(), p.server_sec1_pem.clone()),
    );
    let refused = [
        IdentitySource::pem(p.server.chain_pem.clone(), p.encrypted_key_pem.clone()),
        IdentitySource::pkcs12(Source::memory(p.server_p12.clone()), "not the password"),
        IdentitySource::pem(
            p.server.chain_pem.clone(),
            "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n",
        ),
    ];
    for identity in refused {
        let err = create_server_context()
            .implementation(h.backend)
            .identity(identity)
            .build()
            .expect_err("refused");
        assert_eq!(err.kind(), ErrorKind::InvalidArgument, "{err}");
    }
}
