//! OpenSSL errors → SPEC ERR kinds, in one place (SPEC ERR-2, ERR-4, ERR-6, VERIFY-13).
//!
//! OpenSSL reports a failed handshake as an error stack whose reason strings say what
//! happened ("certificate verify failed", "tlsv1 alert unknown ca", "no shared
//! cipher"); the verification error itself is the connection's verify result.

use openssl::error::ErrorStack;
use unitls_core::{Alert, Error, ErrorKind, VerifyReason};

use crate::NAME;

/// The neutral reason for an X.509 verification error code (`X509_V_ERR_*`).
pub(crate) fn verify_reason(code: i32) -> VerifyReason {
    match code {
        2 | 18 | 19 | 20 | 21 => VerifyReason::UnknownIssuer,
        10 => VerifyReason::Expired,
        9 => VerifyReason::NotYetValid,
        62..=64 => VerifyReason::NameMismatch,
        26 => VerifyReason::InvalidPurpose,
        50 => VerifyReason::CallbackRejected,
        _ => VerifyReason::Other,
    }
}

/// The alert named in an OpenSSL reason such as "tlsv1 alert unknown ca".
fn received_alert(reason: &str) -> Option<Alert> {
    let name = reason.split(" alert ").nth(1)?.replace(' ', "_");
    (0..=255u8).map(Alert::from_code).find(|a| a.name() == name)
}

/// What the handshake was doing when OpenSSL failed.
pub(crate) struct Context {
    /// The connection's verify result, when a certificate was checked.
    /// (`X509_V_ERR_*`, 0 for none.)
    pub(crate) verify: Option<i32>,
    /// Whether this end is a server without any certificate.
    pub(crate) server_without_identity: bool,
    /// Whether the server-name selection found no identity (SPEC SNI-10).
    pub(crate) sni_failed: bool,
    /// What the refused certificate was and why, in words, when verification failed.
    pub(crate) verify_detail: Option<String>,
    /// The first fatal alert the connection sent or received, as the info callback
    /// saw it go over the wire (`alert_log.rs`).
    pub(crate) wire_alert: Option<Alert>,
}

/// Maps an OpenSSL error stack to a unitls error, keeping it as the source.
pub(crate) fn map(stack: ErrorStack, context: &Context) -> Error {
    let reasons: Vec<String> = stack
        .errors()
        .iter()
        // OpenSSL writes "certificate verify failed", BoringSSL
        // "CERTIFICATE_VERIFY_FAILED": compare in one spelling.
        .filter_map(|e| e.reason().map(|r| r.to_ascii_lowercase().replace('_', " ")))
        .collect();
    let has = |needle: &str| reasons.iter().any(|r| r.contains(needle));
    // The alert on the wire, both ways; the reasons only ever name one received.
    let alert = context
        .wire_alert
        .or_else(|| reasons.iter().find_map(|r| received_alert(r)));
    let kind = if has("certificate verify failed") {
        let reason = context
            .verify
            .map(verify_reason)
            .unwrap_or(VerifyReason::Other);
        ErrorKind::VerificationFailure(reason)
    } else if has("key usage bit incorrect") {
        // BoringSSL checks the leaf's keyUsage while parsing the Certificate message,
        // before X509 verification: it is a purpose failure all the same.
        ErrorKind::VerificationFailure(VerifyReason::InvalidPurpose)
    } else if has("peer did not return a certificate") {
        ErrorKind::VerificationFailure(VerifyReason::NoCertificate)
    } else if context.sni_failed
        || context.server_without_identity && (has("no shared cipher") || has("no certificate"))
    {
        ErrorKind::X509Lookup
    } else if has("no shared cipher")
        || has("unsupported protocol")
        || has("no protocols available")
        || has("no suitable signature algorithm")
        || matches!(
            alert,
            Some(Alert::ProtocolVersion | Alert::HandshakeFailure | Alert::InsufficientSecurity)
        )
    {
        ErrorKind::VersionOrCipherMismatch
    } else {
        ErrorKind::Failure
    };
    let message = match kind {
        ErrorKind::VerificationFailure(_) => context.verify_detail.clone().unwrap_or_default(),
        _ => String::new(),
    };
    let mut error = Error::new(kind, message)
        .with_backend(NAME)
        .with_source(stack);
    if let Some(alert) = alert {
        error = error.with_alert(alert);
    }
    error
}

/// A configuration error from OpenSSL's builders: the options are at fault.
pub(crate) fn config(stack: ErrorStack, what: &str) -> Error {
    Error::invalid(format!("OpenSSL refused the {what}"))
        .with_backend(NAME)
        .with_source(stack)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alert_names_are_parsed_from_reasons() {
        assert_eq!(
            received_alert("tlsv1 alert unknown ca"),
            Some(Alert::UnknownCa)
        );
        assert_eq!(
            received_alert("sslv3 alert handshake failure"),
            Some(Alert::HandshakeFailure)
        );
        assert_eq!(
            received_alert("tlsv13 alert certificate required"),
            Some(Alert::CertificateRequired)
        );
        assert_eq!(
            received_alert("tlsv1 alert no application protocol"),
            Some(Alert::NoApplicationProtocol)
        );
        assert_eq!(received_alert("certificate verify failed"), None);
    }
}
