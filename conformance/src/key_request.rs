//! SPEC KEY-9: the client certificate-request callback — given the CA names of the
//! server's CertificateRequest, it picks the identity to present, or none; its error
//! fails the client's handshake with X509Lookup.

use std::sync::{Arc, Mutex, PoisonError};

use unitls_core::{AttachOptions, ClientAuth, ErrorKind, IdentitySource};

use crate::fixtures::pki;
use crate::harness::echo;
use crate::verify::{client_auth_server, try_connect};
use crate::Harness;

/// Whether `name` is a DER-encoded Name (a SEQUENCE) found verbatim in `cert`: the
/// subject of the certificate, as a CertificateRequest carries it.
fn names_subject_of(name: &[u8], cert: &[u8]) -> bool {
    name.first() == Some(&0x30) && name.len() > 2 && cert.windows(name.len()).any(|w| w == name)
}

/// KEY-9: the callback sees the server's CA names and its identity is presented and
/// verified; not asked without a request; `None` presents nothing (Optional
/// accepts); its error is X509Lookup at the client. It replaces `identity`, on
/// clients only.
pub fn key_9_certificate_request_callback(h: &Harness) {
    let client = &pki().client;
    let source = || IdentitySource::pem(client.chain_pem.clone(), client.key_pem.clone());
    let identity = source().load().expect("client identity");
    let seen: Arc<Mutex<Vec<Vec<Vec<u8>>>>> = Arc::default();
    let choosing = {
        let seen = Arc::clone(&seen);
        h.client_builder()
            .client_cert_callback(move |request| {
                seen.lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .push(request.ca_names.to_vec());
                Ok(Some(identity.clone()))
            })
            .build()
            .expect("a client context with a certificate-request callback")
    };
    let calls = || seen.lock().unwrap_or_else(PoisonError::into_inner).clone();

    // Required: the chosen identity is presented and verified.
    let (result, mut c, server_result, mut s) = try_connect(
        h,
        AttachOptions::client("localhost").ctx(Arc::clone(&choosing)),
        client_auth_server(h, ClientAuth::Required),
    );
    result.expect("client attach");
    server_result.expect("server attach");
    let peer = s
        .peer_certificate()
        .expect("attached")
        .expect("the callback's certificate");
    assert_eq!(peer.subject_common_name(), Some("client-1"));
    echo(&mut c, &mut s, b"chosen by request");
    let asked = calls();
    assert_eq!(asked.len(), 1, "one call per CertificateRequest");
    assert!(
        asked[0]
            .iter()
            .any(|name| names_subject_of(name, &pki().ca_der)),
        "the server's CA names ({} given) include its client root's subject",
        asked[0].len()
    );

    // No request (the server's default mode): the callback is not asked.
    let (result, _c, server_result, _s) = try_connect(
        h,
        AttachOptions::client("localhost").ctx(choosing),
        h.server_opts(),
    );
    result.expect("client attach");
    server_result.expect("server attach");
    assert_eq!(calls().len(), 1, "asked without a CertificateRequest");

    // None: no certificate; an Optional server accepts the client without one.
    let none = h
        .client_builder()
        .client_cert_callback(|_| Ok(None))
        .build()
        .expect("client context");
    let (result, _c, server_result, s) = try_connect(
        h,
        AttachOptions::client("localhost").ctx(none),
        client_auth_server(h, ClientAuth::Optional),
    );
    result.expect("client attach");
    server_result.expect("Optional accepts a client without certificate");
    assert!(s.peer_certificate().expect("attached").is_none());

    // An error: X509Lookup at the client, and the server does not complete.
    let failing = h
        .client_builder()
        .client_cert_callback(|_| Err("no identity for this server".into()))
        .build()
        .expect("client context");
    let (result, _c, server_result, _s) = try_connect(
        h,
        AttachOptions::client("localhost").ctx(failing),
        client_auth_server(h, ClientAuth::Required),
    );
    let err = result.expect_err("the callback's error fails the handshake");
    assert_eq!(err.kind(), ErrorKind::X509Lookup, "{err}");
    assert!(
        server_result.is_err(),
        "the server completed without a certificate"
    );

    // It replaces `identity`, and is a client option.
    let both = h
        .client_builder()
        .identity(source())
        .client_cert_callback(|_| Ok(None))
        .build()
        .expect_err("identity and callback together");
    assert_eq!(both.kind(), ErrorKind::InvalidArgument);
    let on_server = h
        .server_builder()
        .client_cert_callback(|_| Ok(None))
        .build()
        .expect_err("a server context with a certificate-request callback");
    assert_eq!(on_server.kind(), ErrorKind::InvalidArgument);
}
