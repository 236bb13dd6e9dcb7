//! SPEC §3 PROTO, CERT — versions, cipher suites, ALPN, resumption, session
//! information (RFC 8446, RFC 7301).

use unitls_core::{AttachOptions, ErrorKind, ProtocolVersion};

use crate::fixtures::pki;
use crate::harness::{echo, spawn, Conn};
use crate::Harness;

fn attempt(
    h: &Harness,
    client_opts: AttachOptions,
    server_opts: AttachOptions,
) -> (unitls_core::Result<Conn>, unitls_core::Result<Conn>) {
    let (mut client, mut server, _k) = h.plain_pair();
    let server_thread = spawn(move || server.attach_ssl(server_opts).map(|()| server));
    let client_result = client.attach_ssl(client_opts).map(|()| client);
    (client_result, server_thread.join())
}

/// PROTO-2, PROTO-3, CTX-3: defaults negotiate TLS 1.3; max 1.2 against min 1.3
/// fails both ends with VersionOrCipherMismatch, either way round. A backend without
/// TLS 1.3 for some role shows it per role (the other end of its TLS 1.3 client is
/// another backend's server: `in_process_pair`).
pub fn proto_2_3_versions(h: &Harness) {
    if h.lacks(unitls_core::Capability::Tls13) {
        let (client, _server, _k) = h.connected();
        assert_eq!(
            client.protocol_version().expect("attached"),
            Some(ProtocolVersion::Tls12)
        );
        // Checked per role: a role that declares TLS 1.3 builds a TLS 1.3-only
        // context, one that does not answers Unsupported(Tls13).
        let caps = unitls_core::capabilities(h.backend).expect("registered");
        for (role, builder) in [
            (unitls_core::Role::Client, h.client_builder()),
            (unitls_core::Role::Server, h.server_builder()),
        ] {
            let built = builder.min_version(ProtocolVersion::Tls13).build();
            if caps.supports(unitls_core::Capability::Tls13, role) {
                built.unwrap_or_else(|e| panic!("TLS 1.3 is declared for the {role:?}: {e}"));
            } else {
                assert_eq!(
                    built.expect_err("TLS 1.3 only").kind(),
                    ErrorKind::Unsupported(unitls_core::Capability::Tls13)
                );
            }
        }
        return;
    }
    let (client, server, _k) = h.connected();
    assert_eq!(
        client.protocol_version().expect("attached"),
        Some(ProtocolVersion::Tls13)
    );
    assert_eq!(
        server.protocol_version().expect("attached"),
        Some(ProtocolVersion::Tls13)
    );
    let tls12 = |b: unitls_core::ContextBuilder| {
        b.max_version(ProtocolVersion::Tls12).build().expect("ctx")
    };
    let tls13 = |b: unitls_core::ContextBuilder| {
        b.min_version(ProtocolVersion::Tls13).build().expect("ctx")
    };
    let (c, s) = attempt(
        h,
        AttachOptions::client("localhost").ctx(tls12(h.client_builder())),
        AttachOptions::server().ctx(tls12(h.server_builder())),
    );
    assert_eq!(
        c.expect("1.2 client").protocol_version().expect("attached"),
        Some(ProtocolVersion::Tls12)
    );
    assert_eq!(
        s.expect("1.2 server").protocol_version().expect("attached"),
        Some(ProtocolVersion::Tls12)
    );
    for (client_ctx, server_ctx) in [
        (tls12(h.client_builder()), tls13(h.server_builder())),
        (tls13(h.client_builder()), tls12(h.server_builder())),
    ] {
        let (c, s) = attempt(
            h,
            AttachOptions::client("localhost").ctx(client_ctx),
            AttachOptions::server().ctx(server_ctx),
        );
        let (c, s) = (
            c.expect_err("client should fail"),
            s.expect_err("server should fail"),
        );
        assert_eq!(c.kind(), ErrorKind::VersionOrCipherMismatch, "client: {c}");
        assert_eq!(s.kind(), ErrorKind::VersionOrCipherMismatch, "server: {s}");
    }
    assert_eq!(
        h.client_builder()
            .min_version(ProtocolVersion::Tls13)
            .max_version(ProtocolVersion::Tls12)
            .build()
            .expect_err("inverted")
            .kind(),
        ErrorKind::InvalidArgument
    );
}

/// PROTO-5..7: cipher suites by IANA name, the same text at both ends; unknown or
/// OpenSSL-style names and empty lists are InvalidArgument; disjoint lists fail.
pub fn proto_5_7_cipher_suites(h: &Harness) {
    for suite in ["TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256"] {
        let ctx = h
            .client_builder()
            .cipher_suites([suite])
            .build()
            .expect("ctx");
        let (c, s) = attempt(
            h,
            AttachOptions::client("localhost").ctx(ctx),
            h.server_opts(),
        );
        let (c, s) = (c.expect("client"), s.expect("server"));
        assert_eq!(
            c.cipher_suite()
                .expect("attached")
                .map(|s| s.to_string())
                .as_deref(),
            Some(suite)
        );
        assert_eq!(
            s.cipher_suite()
                .expect("attached")
                .map(|s| s.to_string())
                .as_deref(),
            Some(suite)
        );
    }
    let tls12 = h
        .client_builder()
        .max_version(ProtocolVersion::Tls12)
        .cipher_suites(["TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"])
        .build()
        .expect("ctx");
    let (c, _s) = attempt(
        h,
        AttachOptions::client("localhost").ctx(tls12),
        h.server_opts(),
    );
    assert_eq!(
        c.expect("client")
            .cipher_suite()
            .expect("attached")
            .map(|s| s.to_string())
            .as_deref(),
        Some("TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256")
    );
    for bad in [
        vec!["ECDHE-RSA-AES128-GCM-SHA256"],
        vec!["TLS_NOPE"],
        vec![],
    ] {
        let err = h
            .client_builder()
            .cipher_suites(bad.clone())
            .build()
            .expect_err("bad suites accepted");
        assert_eq!(err.kind(), ErrorKind::InvalidArgument, "{bad:?}: {err}");
    }
    let client = h
        .client_builder()
        .cipher_suites(["TLS_AES_128_GCM_SHA256"])
        .build()
        .expect("ctx");
    let server = h
        .server_builder()
        .cipher_suites(["TLS_AES_256_GCM_SHA384"])
        .build()
        .expect("ctx");
    let (c, s) = attempt(
        h,
        AttachOptions::client("localhost").ctx(client),
        AttachOptions::server().ctx(server),
    );
    assert_eq!(
        c.expect_err("disjoint").kind(),
        ErrorKind::VersionOrCipherMismatch
    );
    assert_eq!(
        s.expect_err("disjoint").kind(),
        ErrorKind::VersionOrCipherMismatch
    );
}

/// PROTO-8..10: ALPN picks the server's most preferred offered protocol; no overlap
/// fails both ends with no_application_protocol; one-sided ALPN gives `None`.
pub fn proto_8_10_alpn(h: &Harness) {
    let client = |protocols: &[&str]| {
        AttachOptions::client("localhost")
            .ctx(h.client_builder().alpn(protocols).build().expect("ctx"))
    };
    let server = |protocols: &[&str]| {
        AttachOptions::server().ctx(h.server_builder().alpn(protocols).build().expect("ctx"))
    };
    let (c, s) = attempt(h, client(&["http/1.1", "h2"]), server(&["h2", "http/1.1"]));
    assert_eq!(
        c.expect("client")
            .alpn_protocol()
            .expect("attached")
            .as_deref(),
        Some(&b"h2"[..])
    );
    assert_eq!(
        s.expect("server")
            .alpn_protocol()
            .expect("attached")
            .as_deref(),
        Some(&b"h2"[..])
    );
    let (c, s) = attempt(h, client(&["h2"]), server(&["imap"]));
    let (c, s) = (
        c.expect_err("no overlap: client"),
        s.expect_err("no overlap: server"),
    );
    assert!(c.kind().is_failure() && s.kind().is_failure(), "{c} / {s}");
    assert_eq!(
        s.alert(),
        Some(unitls_core::Alert::NoApplicationProtocol),
        "{s}"
    );
    assert_eq!(
        c.alert(),
        Some(unitls_core::Alert::NoApplicationProtocol),
        "{c}"
    );
    let (c, s) = attempt(h, client(&["h2"]), h.server_opts());
    assert_eq!(c.expect("client").alpn_protocol().expect("attached"), None);
    assert_eq!(s.expect("server").alpn_protocol().expect("attached"), None);
    let err = h
        .client_builder()
        .alpn([""])
        .build()
        .expect_err("empty protocol name");
    assert_eq!(err.kind(), ErrorKind::InvalidArgument);
}

/// PROTO-11: a repeat connection between the same contexts resumes, at both ends, in
/// TLS 1.3 and 1.2; with resumption off it does not.
pub fn proto_11_resumption(h: &Harness) {
    if h.lacks(unitls_core::Capability::Resumption) {
        // The documented fallback: connections never resume, and the option to turn
        // resumption off is Unsupported.
        let (client_ctx, server_ctx) = (h.client_ctx(), h.server_ctx());
        for _ in 0..2 {
            let (mut client, mut server, _k) = h.connected_with(
                AttachOptions::client("localhost").ctx(client_ctx.clone()),
                AttachOptions::server().ctx(server_ctx.clone()),
            );
            echo(&mut client, &mut server, b"ticket");
            assert!(!client.resumed().expect("attached") && !server.resumed().expect("attached"));
        }
        let err = h
            .client_builder()
            .resumption(false)
            .build()
            .expect_err("resumption(false) without Resumption");
        assert_eq!(
            err.kind(),
            ErrorKind::Unsupported(unitls_core::Capability::Resumption)
        );
        return;
    }
    for version in [ProtocolVersion::Tls13, ProtocolVersion::Tls12] {
        for enabled in [true, false] {
            let client_ctx = h
                .client_builder()
                .max_version(version)
                .resumption(enabled)
                .build()
                .expect("ctx");
            let server_ctx = h
                .server_builder()
                .max_version(version)
                .resumption(enabled)
                .build()
                .expect("ctx");
            let mut resumed = Vec::new();
            for _ in 0..2 {
                let (mut client, mut server, _k) = h.connected_with(
                    AttachOptions::client("localhost").ctx(client_ctx.clone()),
                    AttachOptions::server().ctx(server_ctx.clone()),
                );
                // TLS 1.3 tickets arrive after the handshake: read some data first.
                echo(&mut client, &mut server, b"ticket");
                resumed.push((
                    client.resumed().expect("attached"),
                    server.resumed().expect("attached"),
                ));
                client.close().expect("close");
            }
            let expected = if enabled {
                vec![(false, false), (true, true)]
            } else {
                vec![(false, false), (false, false)]
            };
            assert_eq!(resumed, expected, "{version:?}, resumption {enabled}");
        }
    }
}

/// CERT-1..4, PROTO-16, OWN-4: peer certificates as sent, leaf first, with CN and
/// serial; owned data that outlives the stream; channel binding from the leaf.
pub fn cert_2_4_peer_certificates(h: &Harness) {
    let (plain, _p, _k0) = h.plain_pair();
    assert_eq!(
        plain.peer_certificate().expect_err("plain").kind(),
        ErrorKind::NotAttached
    );
    let (client, server, _k) = h.connected();
    let chain = client
        .peer_certificates()
        .expect("attached")
        .expect("server chain");
    assert_eq!(chain.len(), 2, "leaf and intermediate");
    let leaf = &chain[0];
    assert_eq!(leaf.der(), pki().server.leaf_der.as_slice());
    assert_eq!(leaf.subject_common_name(), Some("localhost"));
    assert_eq!(leaf.serial_number(), pki().server.serial.as_slice());
    assert_eq!(
        chain[1].subject_common_name(),
        Some("unitls test intermediate")
    );
    assert_eq!(
        client.peer_certificate().expect("attached").as_ref(),
        Some(leaf)
    );
    assert!(
        server.peer_certificate().expect("attached").is_none(),
        "CERT-1: no client certificate"
    );
    let binding = client
        .tls_server_end_point()
        .expect("attached")
        .expect("binding");
    assert_eq!(
        server.tls_server_end_point().expect("attached").as_ref(),
        Some(&binding),
        "PROTO-16: both ends agree on tls-server-end-point"
    );
    assert_eq!(
        binding,
        unitls_core::tls_server_end_point(&pki().server.leaf_der).expect("hash")
    );
    drop(client);
    assert_eq!(
        leaf.subject_common_name(),
        Some("localhost"),
        "OWN-4: owned data"
    );
}

/// PROTO-13, PROTO-16: exported keying material agrees at both ends, varies with
/// label and context, and is InvalidArgument before the handshake; `tls_exporter`
/// (RFC 9266) agrees at both ends.
pub fn proto_13_exporter(h: &Harness) {
    let (client, server, _k) = h.connected();
    let at_both = |label: &[u8], context: Option<&[u8]>| {
        let c = client
            .export_keying_material(32, label, context)
            .expect("client export");
        let s = server
            .export_keying_material(32, label, context)
            .expect("server export");
        assert_eq!(c, s, "the ends disagree");
        c
    };
    let base = at_both(b"EXPERIMENTAL unitls", Some(b"one"));
    assert_ne!(
        base,
        at_both(b"EXPERIMENTAL unitls", Some(b"two")),
        "context ignored"
    );
    assert_ne!(
        base,
        at_both(b"EXPERIMENTAL other", Some(b"one")),
        "label ignored"
    );
    assert_eq!(
        client.tls_exporter().expect("client"),
        server.tls_exporter().expect("server")
    );
    let (_c, mut both, _k2) = h.plain_pair();
    both.attach_ssl(
        AttachOptions::server()
            .ctx(h.natives.server_context(&pki().server))
            .side(unitls_core::Side::Both),
    )
    .expect("Both attach");
    let err = both
        .export_keying_material(32, b"EXPERIMENTAL unitls", None)
        .expect_err("before the handshake");
    assert_eq!(err.kind(), ErrorKind::InvalidArgument);
}

/// PROTO-12: a key-log callback receives each handshake's secrets as NSS key-log
/// lines — for TLS 1.3 the four traffic secrets, for TLS 1.2 the master secret —
/// keyed by the 32-octet ClientHello random.
pub fn proto_12_key_log(h: &Harness) {
    for version in [ProtocolVersion::Tls13, ProtocolVersion::Tls12] {
        let lines: std::sync::Arc<std::sync::Mutex<Vec<String>>> = Default::default();
        let sink = lines.clone();
        let logging = h
            .client_builder()
            .max_version(version)
            .key_log(move |line| sink.lock().expect("lines").push(line.to_string()))
            .build()
            .expect("ctx");
        let (mut client, mut server, _k) = h.connected_with(
            AttachOptions::client("localhost").ctx(logging),
            h.server_opts(),
        );
        echo(&mut client, &mut server, b"logged");
        let lines = lines.lock().expect("lines").clone();
        let labels: Vec<&str> = lines.iter().filter_map(|l| l.split(' ').next()).collect();
        let needed: &[&str] = match version {
            ProtocolVersion::Tls13 => &[
                "CLIENT_HANDSHAKE_TRAFFIC_SECRET",
                "SERVER_HANDSHAKE_TRAFFIC_SECRET",
                "CLIENT_TRAFFIC_SECRET_0",
                "SERVER_TRAFFIC_SECRET_0",
            ],
            ProtocolVersion::Tls12 => &["CLIENT_RANDOM"],
        };
        for label in needed {
            assert!(
                labels.contains(label),
                "{version:?}: no {label} line in {labels:?}"
            );
        }
        for line in &lines {
            let fields: Vec<&str> = line.split(' ').collect();
            assert_eq!(fields.len(), 3, "not an NSS key-log line: {line}");
            assert_eq!(
                fields[1].len(),
                64,
                "the client random is 32 octets: {line}"
            );
            assert!(
                fields[1..]
                    .iter()
                    .all(|f| f.bytes().all(|b| b.is_ascii_hexdigit())),
                "{line}"
            );
        }
    }
}

/// PROTO-15: `groups` takes IANA names in preference order; unknown names are
/// InvalidArgument; `negotiated_group()` reports the group used, at both ends.
pub fn proto_15_groups(h: &Harness) {
    for group in ["secp384r1", "x25519", "secp256r1"] {
        let client = h.client_builder().groups([group]).build().expect("ctx");
        let (c, s) = attempt(
            h,
            AttachOptions::client("localhost").ctx(client),
            h.server_opts(),
        );
        let (c, s) = (c.expect("client"), s.expect("server"));
        assert_eq!(
            c.negotiated_group().expect("attached").as_deref(),
            Some(group)
        );
        assert_eq!(
            s.negotiated_group().expect("attached").as_deref(),
            Some(group)
        );
    }
    for bad in [vec!["X25519"], vec!["prime256v1"], vec![]] {
        let err = h
            .client_builder()
            .groups(bad.clone())
            .build()
            .expect_err("bad groups accepted");
        assert_eq!(err.kind(), ErrorKind::InvalidArgument, "{bad:?}: {err}");
    }
    let client = h
        .client_builder()
        .groups(["secp256r1"])
        .build()
        .expect("ctx");
    let server = h
        .server_builder()
        .groups(["secp384r1"])
        .build()
        .expect("ctx");
    let (c, s) = attempt(
        h,
        AttachOptions::client("localhost").ctx(client),
        AttachOptions::server().ctx(server),
    );
    assert!(
        c.is_err() && s.is_err(),
        "disjoint groups negotiated something"
    );
}
