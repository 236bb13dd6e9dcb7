//! The client certificate-request callback (SPEC KEY-9) as rustls's client
//! certificate resolver: given the CA names of the server's CertificateRequest, core's
//! `choose_client_identity` picks the identity. rustls's resolver cannot fail, so a
//! failure is kept in the connection's slot (as verification results are) and the
//! session reports it as X509Lookup after the record is processed.

use std::sync::Arc;

use rustls::client::ResolvesClientCert;
use rustls::crypto::CryptoProvider;
use rustls::sign::CertifiedKey;
use rustls::SignatureScheme;
use unitls_core::backend::ContextOptions;
use unitls_core::{Error, ErrorKind};

use crate::NAME;

/// Resolves the client's certificate through the certificate-request callback.
pub(crate) struct ByRequest {
    options: ContextOptions,
    provider: Arc<CryptoProvider>,
}

impl ByRequest {
    pub(crate) fn new(options: ContextOptions, provider: Arc<CryptoProvider>) -> ByRequest {
        ByRequest { options, provider }
    }
}

impl std::fmt::Debug for ByRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ByRequest")
    }
}

impl ResolvesClientCert for ByRequest {
    fn resolve(
        &self,
        root_hint_subjects: &[&[u8]],
        _sigschemes: &[SignatureScheme],
    ) -> Option<Arc<CertifiedKey>> {
        // rustls hands the DistinguishedNames as sent: DER-encoded X.501 Names.
        let ca_names: Vec<Vec<u8>> = root_hint_subjects.iter().map(|n| n.to_vec()).collect();
        let chosen = self
            .options
            .choose_client_identity(&ca_names)
            .and_then(|identity| {
                identity
                    .map(|id| {
                        crate::config::certified_key(&id, &self.provider).map_err(|e| {
                            Error::new(
                                ErrorKind::X509Lookup,
                                "the identity the certificate-request callback chose cannot be used",
                            )
                            .with_source(e)
                        })
                    })
                    .transpose()
            });
        match chosen {
            Ok(key) => key,
            Err(err) => {
                crate::verifier::record_request_failure(err.with_backend(NAME));
                None
            }
        }
    }

    fn has_certs(&self) -> bool {
        true
    }
}
