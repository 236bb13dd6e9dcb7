//! A unitls rustls server that presents any chain the case gives: its context hook
//! installs a certificate resolver built with `CertifiedKey::new`, which — unlike
//! the identity check unitls (and rustls's `CertifiedKey::from_der`) applies — does
//! not parse the leaf to compare it with the key. A leaf with a malformed extension,
//! an unknown critical extension or version 1 can then still reach the client, whose
//! verdict is what the comparison is about. Keys rustls cannot sign with (P-192, DSA,
//! short RSA) still cannot be served.
//!
//! Written once here and included by the other backends' `tests/validation.rs` with
//! `#[path]`; every one of those test binaries links `unitls-rustls`.

use std::sync::Arc;

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::PrivateKeyDer;
use rustls::server::{ClientHello, ResolvesServerCert};
use rustls::sign::CertifiedKey;
use unitls_conformance::validation::Prepared;
use unitls_core::{create_server_context, AbstractContext};
use unitls_rustls::rustls;
use unitls_rustls::{Rustls, RustlsConfig};

/// The server's name in the records.
pub(crate) const LABEL: &str = "rustls+hook";

/// Always the same certificate, whatever the ClientHello.
#[derive(Debug)]
struct Always(Arc<CertifiedKey>);

impl ResolvesServerCert for Always {
    fn resolve(&self, _hello: ClientHello<'_>) -> Option<Arc<CertifiedKey>> {
        Some(Arc::clone(&self.0))
    }
}

/// The server context; `Err` when rustls cannot sign with the key.
pub(crate) fn context(case: &Prepared) -> Result<Arc<AbstractContext>, String> {
    let key = PrivateKeyDer::from_pem_slice(case.key_pem.as_bytes())
        .map_err(|e| format!("no private key in the case's PEM: {e}"))?;
    // The provider unitls's rustls backend uses with its default features.
    let provider = rustls::crypto::aws_lc_rs::default_provider();
    let signing = provider
        .key_provider
        .load_private_key(key)
        .map_err(|e| format!("rustls cannot sign with this key: {e}"))?;
    let chain = std::iter::once(&case.leaf_der)
        .chain(&case.intermediates_der)
        .cloned()
        .collect();
    let certified = Arc::new(CertifiedKey::new(chain, signing));
    create_server_context()
        .implementation("rustls")
        .context_hook::<Rustls>(move |config| match config {
            RustlsConfig::Server(config) => {
                config.cert_resolver = Arc::new(Always(Arc::clone(&certified)));
                Ok(())
            }
            RustlsConfig::Client(_) => Err("a client configuration".into()),
        })
        .build()
        .map_err(|e| e.to_string())
}
