//! The client certificate-request callback (SPEC KEY-9): when a server asks for a
//! client certificate, the callback sees the certificate authorities the server
//! accepts and picks the identity to present, or none.

use std::fmt;
use std::sync::Arc;

use crate::{BoxError, Error, ErrorKind, Identity, Result};

/// What a certificate-request callback is told (SPEC KEY-9).
#[non_exhaustive]
pub struct CertificateRequest<'a> {
    /// The distinguished names of the certificate authorities the server accepts, as
    /// it sent them: each a DER-encoded X.501 `Name` (a SEQUENCE). Empty when the
    /// server named none.
    pub ca_names: &'a [Vec<u8>],
}

impl<'a> CertificateRequest<'a> {
    /// What a backend hands the callback: the CA names from the server's
    /// CertificateRequest.
    pub fn new(ca_names: &'a [Vec<u8>]) -> CertificateRequest<'a> {
        CertificateRequest { ca_names }
    }
}

impl fmt::Debug for CertificateRequest<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CertificateRequest")
            .field("ca_names", &self.ca_names.len())
            .finish()
    }
}

/// A client certificate-request callback: the identity to present, `None` for none,
/// or an error, which fails the handshake with X509Lookup (SPEC KEY-9).
pub type ClientCertCallback = Arc<
    dyn Fn(&CertificateRequest<'_>) -> std::result::Result<Option<Identity>, BoxError>
        + Send
        + Sync,
>;

/// Runs `callback` on the CA names a server sent (SPEC KEY-9): the identity to
/// present or `None`; its error or panic is `X509Lookup`, keeping the cause as the
/// source. For backends, through `ContextOptions::choose_client_identity`.
pub(crate) fn run(callback: &ClientCertCallback, ca_names: &[Vec<u8>]) -> Result<Option<Identity>> {
    crate::run_user_callback("certificate-request", || {
        callback(&CertificateRequest::new(ca_names))
    })
    .map_err(|e| {
        Error::new(
            ErrorKind::X509Lookup,
            "the certificate-request callback failed",
        )
        .with_source(e)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_and_panics_are_x509_lookup() {
        let failing: ClientCertCallback = Arc::new(|_| Err("no identity for you".into()));
        let err = run(&failing, &[]).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::X509Lookup);
        let panicking: ClientCertCallback = Arc::new(|_| panic!("boom"));
        assert_eq!(
            run(&panicking, &[]).unwrap_err().kind(),
            ErrorKind::X509Lookup
        );
        let names = vec![vec![0x30, 0]];
        let seen: ClientCertCallback = Arc::new(|r| {
            assert_eq!(r.ca_names.len(), 1);
            Ok(None)
        });
        assert!(run(&seen, &names).unwrap().is_none());
    }
}
