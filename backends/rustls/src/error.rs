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

/// The alert rustls sends for an error it raised locally, as rustls chooses it
/// (its own conversions where it has them), for when the alert went out encrypted.
fn sent_alert(err: &RustlsError) -> Option<Alert> {
    let description = match err {
        RustlsError::InvalidCertificate(cert) => AlertDescription::from(cert.clone()),
        RustlsError::InvalidMessage(message) => AlertDescription::from(*message),
        RustlsError::NoCertificatesPresented => AlertDescription::CertificateRequired,
        RustlsError::NoApplicationProtocol => AlertDescription::NoApplicationProtocol,
        RustlsError::PeerIncompatible(_) => AlertDescription::HandshakeFailure,
        RustlsError::DecryptError => AlertDescription::BadRecordMac,
        RustlsError::PeerSentOversizedRecord => AlertDescription::RecordOverflow,
        RustlsError::InappropriateMessage { .. }
        | RustlsError::InappropriateHandshakeMessage { .. } => AlertDescription::UnexpectedMessage,
        RustlsError::PeerMisbehaved(_) => AlertDescription::IllegalParameter,
        RustlsError::General(text) if text.contains("no server certificate chain resolved") => {
            AlertDescription::AccessDenied
        }
        _ => return None,
    };
    Some(Alert::from_code(u8::from(description)))
}

/// Maps an error rustls raised outside any connection (building one): no alert.
pub(crate) fn map(err: RustlsError) -> Error {
    map_failure(err, &[])
}

/// Maps an error of a connection, keeping it as the source. `queued` is what rustls
/// queued to send when it failed: its alert, if it sent one (SPEC REL-7, ERR-6) —
/// read off the record when in clear text, else named as rustls names it.
pub(crate) fn map_failure(err: RustlsError, queued: &[u8]) -> Error {
    let kind = match &err {
        RustlsError::InvalidCertificate(cert) => {
            ErrorKind::VerificationFailure(verify_reason(cert))
        }
        RustlsError::NoCertificatesPresented => {
            ErrorKind::VerificationFailure(VerifyReason::NoCertificate)
        }
        RustlsError::PeerIncompatible(_) => ErrorKind::VersionOrCipherMismatch,
        RustlsError::AlertReceived(
            AlertDescription::ProtocolVersion
            | AlertDescription::HandshakeFailure
            | AlertDescription::InsufficientSecurity,
        ) => ErrorKind::VersionOrCipherMismatch,
        RustlsError::General(text) if text.contains("no server certificate chain resolved") => {
            ErrorKind::X509Lookup
        }
        _ => ErrorKind::Failure,
    };
    let alert = match &err {
        RustlsError::AlertReceived(desc) => Some(Alert::from_code(u8::from(*desc))),
        _ if queued.is_empty() => None,
        _ => Alert::from_clear_text_record(queued).or_else(|| sent_alert(&err)),
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
