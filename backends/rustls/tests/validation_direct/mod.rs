//! The rustls side of the x509-limbo comparison without unitls: rustls's own
//! `WebPkiServerVerifier`, built as unitls's rustls backend builds it
//! (`backends/rustls/src/config.rs` and `verifier.rs`): the same crypto provider, a
//! root store of exactly the case's trust anchors (unparsable ones skipped, as
//! `add_parsable_certificates` does there), the same name (an IP reference as an
//! `IpAddress` name; no name: `0.0.0.0` with the name check ignored, as
//! `danger_accept_invalid_hostnames` does) and the case's time.

pub(crate) mod any_chain_server;

use std::sync::Arc;
use std::time::UNIX_EPOCH;

use rustls::client::danger::ServerCertVerifier;
use rustls::client::WebPkiServerVerifier;
use rustls::crypto::CryptoProvider;
use rustls::pki_types::{ServerName, UnixTime};
use rustls::{CertificateError, Error, RootCertStore};
use unitls_conformance::validation::{Prepared, Reference, Verdict};
use unitls_rustls::rustls;

/// How the direct verdict is reached, for the report.
pub(crate) const METHOD: &str =
    "rustls WebPkiServerVerifier::verify_server_cert (aws-lc-rs provider), unitls's settings";

/// The provider unitls's rustls backend uses (aws-lc-rs, or ring with that feature).
fn provider() -> Arc<CryptoProvider> {
    #[cfg(feature = "aws-lc-rs")]
    let provider = rustls::crypto::aws_lc_rs::default_provider();
    #[cfg(all(feature = "ring", not(feature = "aws-lc-rs")))]
    let provider = rustls::crypto::ring::default_provider();
    Arc::new(provider)
}

fn is_name_mismatch(err: &Error) -> bool {
    matches!(
        err,
        Error::InvalidCertificate(
            CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. }
        )
    )
}

/// The verdict of rustls's WebPKI verifier on `case`.
pub(crate) fn verdict(case: &Prepared) -> Verdict {
    let provider = provider();
    let mut roots = RootCertStore::empty();
    let _ = roots.add_parsable_certificates(case.trusted_der.iter().cloned());
    if roots.is_empty() {
        // unitls's verifier has no WebPKI verifier then: every chain is UnknownIssuer.
        return Verdict::Reject("UnknownIssuer: no usable trust anchor".into());
    }
    let verifier =
        match WebPkiServerVerifier::builder_with_provider(Arc::new(roots), provider).build() {
            Ok(verifier) => verifier,
            Err(err) => return Verdict::NotApplicable(format!("rustls builds no verifier: {err}")),
        };
    let name = match &case.reference {
        Reference::Dns(dns) => match ServerName::try_from(dns.clone()) {
            Ok(name) => name,
            Err(err) => {
                return Verdict::NotApplicable(format!("rustls refuses the name {dns:?}: {err}"))
            }
        },
        Reference::Ip(ip) => ServerName::IpAddress((*ip).into()),
        Reference::NoName => ServerName::IpAddress(std::net::IpAddr::from([0, 0, 0, 0]).into()),
    };
    let now = case
        .validation_time
        .map(|t| UnixTime::since_unix_epoch(t.duration_since(UNIX_EPOCH).unwrap_or_default()))
        .unwrap_or_else(UnixTime::now);
    match verifier.verify_server_cert(&case.leaf_der, &case.intermediates_der, &name, &[], now) {
        Ok(_) => Verdict::Accept,
        Err(err) if case.reference == Reference::NoName && is_name_mismatch(&err) => {
            Verdict::Accept
        }
        Err(err) => Verdict::Reject(format!("{err:?}")),
    }
}
