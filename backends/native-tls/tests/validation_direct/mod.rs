//! The native-tls side of the x509-limbo comparison without unitls. native-tls
//! cannot verify a chain outside a handshake, so the direct check is a plain
//! `native_tls::TlsConnector` over a `std::net::TcpStream`, configured as unitls's
//! native-tls backend configures it (`backends/native-tls/src/lib.rs`: TLS 1.2 floor,
//! no built-in roots, exactly the case's trust anchors — unloadable ones skipped —,
//! host-name checks off only without a reference name — and then no SNI either, as
//! unitls sends none without a name), connecting to a server of another backend: a
//! unitls rustls server on 127.0.0.1 presenting the case's chain (through a context
//! hook when rustls's identity check refuses the leaf). native-tls has no
//! verification-time setting: cases with a `validation_time` are not applicable.

#[path = "../../../rustls/tests/validation_direct/any_chain_server.rs"]
pub(crate) mod any_chain_server;

use std::net::TcpStream;

use native_tls::{Certificate, HandshakeError, Protocol, TlsConnector};
use unitls_conformance::validation::{serve_tcp, Prepared, Server, Verdict, HANDSHAKE};

/// How the direct verdict is reached, for the report.
pub(crate) const METHOD: &str =
    "a native_tls::TlsConnector handshake over TCP (unitls's settings) \
     against a unitls rustls server";

/// The verdict of a plain native-tls client on `case`.
pub(crate) fn verdict(case: &Prepared) -> Verdict {
    if case.validation_time.is_some() {
        return Verdict::NotApplicable(
            "native-tls has no setting for the verification time".into(),
        );
    }
    let mut builder = TlsConnector::builder();
    builder
        .min_protocol_version(Some(Protocol::Tlsv12))
        .max_protocol_version(None)
        .disable_built_in_roots(true)
        .danger_accept_invalid_certs(false)
        .danger_accept_invalid_hostnames(case.reference.host().is_none())
        .use_sni(case.reference.host().is_some());
    for der in &case.trusted_der {
        if let Ok(cert) = Certificate::from_der(der) {
            builder.add_root_certificate(cert);
        }
    }
    let connector = match builder.build() {
        Ok(connector) => connector,
        Err(err) => {
            return Verdict::NotApplicable(format!("native-tls builds no connector: {err}"))
        }
    };
    let plain = Server::Plain("rustls").context(case);
    let context = match plain.or_else(|refused| {
        any_chain_server::context(case).map_err(|err| format!("{refused}; {err}"))
    }) {
        Ok(context) => context,
        Err(err) => {
            return Verdict::NotApplicable(format!(
            "the rustls server of the direct check cannot present this certificate and key: {err}"
        ))
        }
    };
    let server = match serve_tcp(context) {
        Ok(server) => server,
        Err(err) => return Verdict::Error(format!("cannot start the rustls server: {err}")),
    };
    let socket = match TcpStream::connect(server.addr) {
        Ok(socket) => socket,
        Err(err) => return Verdict::Error(format!("cannot connect to the rustls server: {err}")),
    };
    let _ = socket.set_read_timeout(Some(HANDSHAKE));
    let _ = socket.set_write_timeout(Some(HANDSHAKE));
    let domain = case.reference.host().unwrap_or_default();
    let verdict = match connector.connect(&domain, socket) {
        Ok(mut stream) => {
            let _ = stream.shutdown();
            Verdict::Accept
        }
        Err(HandshakeError::Failure(err)) => {
            let text = err.to_string();
            if text.contains("certificate verify failed") {
                Verdict::Reject(text)
            } else {
                Verdict::Error(text)
            }
        }
        Err(HandshakeError::WouldBlock(_)) => {
            Verdict::Error("the handshake would block on a blocking socket".into())
        }
    };
    let _ = server.finish();
    verdict
}
