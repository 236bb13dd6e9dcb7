//! rustls errors → SPEC ERR kinds, in one place (SPEC ERR-2, ERR-4, ERR-6, VERIFY-13).

use rustls::{AlertDescription, CertificateError, Error as RustlsError};
use unitls_core::{Alert, Error, ErrorKind, VerifyReason};

use crate::NAME;

/// The neutral reason for a certificate error.
pub(crate) fn verify_reason(err: &CertificateError) -> VerifyReason {
    match err {
        CertificateError::UnknownIssuer => VerifyReason::UnknownIssuer,
        CertificateError::Expired | CertificateError::ExpiredContext { .. } => {
            VerifyReason::Expired
        }
        CertificateError::NotValidYet | CertificateError::NotValidYetContext { .. } => {
            VerifyReason::NotYetValid
        }
        CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. } => {
            VerifyReason::NameMismatch
        }
        CertificateError::InvalidPurpose | CertificateError::InvalidPurposeContext { .. } => {
            VerifyReason::InvalidPurpose
        }
        CertificateError::ApplicationVerificationFailure => VerifyReason::CallbackRejected,
        _ => VerifyReason::Other,
    }
}

/// Whether a verifier error is only about the host name.
pub(crate) fn is_name_mismatch(err: &RustlsError) -> bool {
    matches!(
        err,
        RustlsError::InvalidCertificate(
            CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. }
        )
    )
}

/// The alert rustls sends for an error it raised locally (rustls maps them the same
/// way internally), so that `alert()` names it (SPEC ERR-6).
fn sent_alert(err: &RustlsError) -> Option<Alert> {
    Some(match err {
        RustlsError::InvalidCertificate(CertificateError::UnknownIssuer) => Alert::UnknownCa,
        RustlsError::InvalidCertificate(
            CertificateError::Expired | CertificateError::ExpiredContext { .. },
        ) => Alert::CertificateExpired,
        RustlsError::InvalidCertificate(_) => Alert::BadCertificate,
        RustlsError::NoCertificatesPresented => Alert::CertificateRequired,
        RustlsError::NoApplicationProtocol => Alert::NoApplicationProtocol,
        RustlsError::PeerIncompatible(_) => Alert::HandshakeFailure,
        RustlsError::DecryptError => Alert::BadRecordMac,
        RustlsError::PeerSentOversizedRecord => Alert::RecordOverflow,
        RustlsError::InvalidMessage(_) => Alert::DecodeError,
        RustlsError::InappropriateMessage { .. }
        | RustlsError::InappropriateHandshakeMessage { .. } => Alert::UnexpectedMessage,
        RustlsError::PeerMisbehaved(_) => Alert::IllegalParameter,
        _ => return None,
    })
}

/// Maps a rustls error to a unitls error, keeping it as the source.
pub(crate) fn map(err: RustlsError) -> Error {
    let (kind, alert) = match &err {
        RustlsError::InvalidCertificate(cert) => (
            ErrorKind::VerificationFailure(verify_reason(cert)),
            sent_alert(&err),
        ),
        RustlsError::NoCertificatesPresented => (
            ErrorKind::VerificationFailure(VerifyReason::NoCertificate),
            sent_alert(&err),
        ),
        RustlsError::PeerIncompatible(_) => (ErrorKind::VersionOrCipherMismatch, sent_alert(&err)),
        RustlsError::AlertReceived(desc) => {
            let alert = Alert::from_code(u8::from(*desc));
            let kind = match desc {
                AlertDescription::ProtocolVersion
                | AlertDescription::HandshakeFailure
                | AlertDescription::InsufficientSecurity => ErrorKind::VersionOrCipherMismatch,
                _ => ErrorKind::Failure,
            };
            (kind, Some(alert))
        }
        RustlsError::General(text) if text.contains("no server certificate chain resolved") => {
            (ErrorKind::X509Lookup, Some(Alert::HandshakeFailure))
        }
        _ => (ErrorKind::Failure, sent_alert(&err)),
    };
    let mut mapped = Error::new(kind, "").with_backend(NAME).with_source(err);
    if let Some(alert) = alert {
        mapped = mapped.with_alert(alert);
    }
    mapped
}

/// Maps a configuration error from rustls's builders: the options are at fault.
pub(crate) fn config(err: RustlsError, what: &str) -> Error {
    Error::invalid(format!("rustls refused the {what}"))
        .with_backend(NAME)
        .with_source(err)
}
