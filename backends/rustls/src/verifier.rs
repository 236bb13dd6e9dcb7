//! Verifiers wrapping rustls's WebPKI ones: they record the built-in result for
//! `verify_result()`, apply the verification time, and hand the decision — danger
//! options, the backend-neutral verify callback — to core's `decide_peer` (SPEC
//! VERIFY-2, VERIFY-11, VERIFY-12, VERIFY-14).
//!
//! rustls calls verifiers synchronously inside `process_new_packets`, on the thread
//! that feeds the record. The session therefore points a thread-local slot at its own
//! result cell around that call, and the shared verifier writes there: one verifier
//! per context, results per connection, no per-connection config clone.

use std::cell::RefCell;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{SystemTime, UNIX_EPOCH};

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::client::WebPkiServerVerifier;
use rustls::crypto::{verify_tls12_signature, verify_tls13_signature, CryptoProvider};
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::server::danger::{ClientCertVerified, ClientCertVerifier};
use rustls::sign::CertifiedKey;
use rustls::{
    CertificateError, DigitallySignedStruct, DistinguishedName, Error as RustlsError,
    SignatureScheme,
};
use unitls_core::backend::{decide_peer, ContextOptions, PeerDecision};
use unitls_core::{PeerCertificate, VerifyResult};

use crate::error::verify_reason;

/// One connection's built-in verification result, and the certificate it presented
/// as a server (recorded by the resolver, which rustls calls the same way).
#[derive(Debug, Default)]
pub(crate) struct VerifySlot(
    Mutex<Option<VerifyResult>>,
    // The resolved key itself (shared with the config), not a copy of its leaf: a
    // server connection holds a pointer, not the certificate's octets.
    Mutex<Option<Arc<CertifiedKey>>>,
    // The certificate-request callback's failure (SPEC KEY-9), reported once.
    Mutex<Option<unitls_core::Error>>,
);

impl VerifySlot {
    pub(crate) fn get(&self) -> Option<VerifyResult> {
        *self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }

    pub(crate) fn local_leaf(&self) -> Option<Vec<u8>> {
        self.1
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .as_ref()
            .and_then(|key| key.cert.first())
            .map(|leaf| leaf.to_vec())
    }
}

impl VerifySlot {
    /// The certificate-request callback's failure, if it failed (taken).
    pub(crate) fn take_request_failure(&self) -> Option<unitls_core::Error> {
        self.2.lock().unwrap_or_else(PoisonError::into_inner).take()
    }
}

/// Records the certificate-request callback's failure for the connection being fed.
pub(crate) fn record_request_failure(err: unitls_core::Error) {
    CURRENT.with(|c| {
        if let Some(slot) = c.borrow().as_ref() {
            *slot.2.lock().unwrap_or_else(PoisonError::into_inner) = Some(err);
        }
    });
}

/// Records the leaf a server resolver chose for the connection being fed.
pub(crate) fn record_local_leaf(key: &Arc<CertifiedKey>) {
    CURRENT.with(|c| {
        if let Some(slot) = c.borrow().as_ref() {
            *slot.1.lock().unwrap_or_else(PoisonError::into_inner) = Some(Arc::clone(key));
        }
    });
}

thread_local! {
    static CURRENT: RefCell<Option<Arc<VerifySlot>>> = const { RefCell::new(None) };
}

/// Runs `f` with `slot` receiving verification results made on this thread.
pub(crate) fn with_slot<R>(slot: &Arc<VerifySlot>, f: impl FnOnce() -> R) -> R {
    let previous = CURRENT.with(|c| c.replace(Some(Arc::clone(slot))));
    let result = f();
    CURRENT.with(|c| *c.borrow_mut() = previous);
    result
}

fn record(result: VerifyResult) {
    CURRENT.with(|c| {
        if let Some(slot) = c.borrow().as_ref() {
            *slot.0.lock().unwrap_or_else(PoisonError::into_inner) = Some(result);
        }
    });
}

fn built_in(result: &Result<(), RustlsError>) -> VerifyResult {
    match result {
        Ok(()) => VerifyResult::Valid,
        Err(RustlsError::InvalidCertificate(cert)) => VerifyResult::Invalid(verify_reason(cert)),
        Err(_) => VerifyResult::Invalid(unitls_core::VerifyReason::Other),
    }
}

/// Core's decision on the peer (SPEC VERIFY-2, VERIFY-11) as rustls takes it: the
/// library's own error when the built-in checks refused, else the callback's.
fn decide(
    options: Option<&ContextOptions>,
    end_entity: &CertificateDer<'_>,
    intermediates: &[CertificateDer<'_>],
    reference_name: Option<&str>,
    result: VerifyResult,
    checked: Result<(), RustlsError>,
) -> Result<(), RustlsError> {
    let chain = || {
        std::iter::once(end_entity)
            .chain(intermediates)
            .map(|c| PeerCertificate::from_der(c.to_vec()))
            .collect()
    };
    match decide_peer(options, result, chain, reference_name) {
        Ok(PeerDecision::Accept) => Ok(()),
        Ok(PeerDecision::RefuseBuiltIn(_)) => checked.and(Err(RustlsError::InvalidCertificate(
            CertificateError::ApplicationVerificationFailure,
        ))),
        Ok(PeerDecision::RefuseByCallback) => Err(RustlsError::InvalidCertificate(
            CertificateError::ApplicationVerificationFailure,
        )),
        Err(err) => Err(RustlsError::General(err.to_string())),
    }
}

fn unix_time(time: SystemTime) -> UnixTime {
    UnixTime::since_unix_epoch(time.duration_since(UNIX_EPOCH).unwrap_or_default())
}

/// The client side's server-certificate verifier.
#[derive(Debug)]
pub(crate) struct ServerVerifier {
    /// WebPKI over the context's roots; `None` when there are none (then every chain
    /// is UnknownIssuer, which only a danger option or the callback can accept).
    inner: Option<Arc<WebPkiServerVerifier>>,
    provider: Arc<CryptoProvider>,
    options: Option<ContextOptions>,
}

impl ServerVerifier {
    pub(crate) fn new(
        inner: Option<Arc<WebPkiServerVerifier>>,
        provider: Arc<CryptoProvider>,
        options: Option<ContextOptions>,
    ) -> ServerVerifier {
        ServerVerifier {
            inner,
            provider,
            options,
        }
    }
}

impl ServerCertVerifier for ServerVerifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, RustlsError> {
        let now = self
            .options
            .as_ref()
            .and_then(|o| o.verification_time)
            .map(unix_time)
            .unwrap_or(now);
        let checked = match &self.inner {
            Some(inner) => inner
                .verify_server_cert(end_entity, intermediates, server_name, ocsp_response, now)
                .map(|_| ()),
            None => Err(RustlsError::InvalidCertificate(
                CertificateError::UnknownIssuer,
            )),
        };
        let result = built_in(&checked);
        record(result);
        let reference = server_name.to_str();
        decide(
            self.options.as_ref(),
            end_entity,
            intermediates,
            Some(&reference),
            result,
            checked,
        )?;
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, RustlsError> {
        verify_tls12_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, RustlsError> {
        verify_tls13_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.provider
            .signature_verification_algorithms
            .supported_schemes()
    }
}

/// The server side's client-certificate verifier.
#[derive(Debug)]
pub(crate) struct ClientVerifier {
    inner: Arc<dyn ClientCertVerifier>,
    options: ContextOptions,
}

impl ClientVerifier {
    pub(crate) fn new(
        inner: Arc<dyn ClientCertVerifier>,
        options: ContextOptions,
    ) -> ClientVerifier {
        ClientVerifier { inner, options }
    }
}

impl ClientCertVerifier for ClientVerifier {
    fn offer_client_auth(&self) -> bool {
        self.inner.offer_client_auth()
    }

    fn client_auth_mandatory(&self) -> bool {
        self.inner.client_auth_mandatory()
    }

    fn root_hint_subjects(&self) -> &[DistinguishedName] {
        self.inner.root_hint_subjects()
    }

    fn verify_client_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        now: UnixTime,
    ) -> Result<ClientCertVerified, RustlsError> {
        let checked = self
            .inner
            .verify_client_cert(end_entity, intermediates, now)
            .map(|_| ());
        let result = built_in(&checked);
        record(result);
        decide(
            Some(&self.options),
            end_entity,
            intermediates,
            None,
            result,
            checked,
        )?;
        Ok(ClientCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, RustlsError> {
        self.inner.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, RustlsError> {
        self.inner.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.inner.supported_verify_schemes()
    }
}
