//! native-tls errors → SPEC ERR kinds, in one place (SPEC ERR-2, ERR-4, ERR-6).
//!
//! native-tls exposes its errors as text (on Linux, OpenSSL's reason strings and the
//! verify error in parentheses); the mapping reads that text.

use unitls_core::{Alert, Error, ErrorKind, VerifyReason};

use crate::NAME;

fn verify_reason(text: &str) -> Option<VerifyReason> {
    let text = text.to_ascii_lowercase();
    let has = |needle: &str| text.contains(needle);
    if !has("certificate verify failed") && !has("verify error") {
        return None;
    }
    Some(
        if has("unable to get local issuer")
            || has("unable to get issuer")
            || has("self-signed")
            || has("self signed")
        {
            VerifyReason::UnknownIssuer
        } else if has("certificate has expired") {
            VerifyReason::Expired
        } else if has("not yet valid") {
            VerifyReason::NotYetValid
        } else if has("hostname mismatch") || has("ip address mismatch") {
            VerifyReason::NameMismatch
        } else if has("unsupported certificate purpose") || has("unsuitable certificate purpose") {
            VerifyReason::InvalidPurpose
        } else {
            VerifyReason::Other
        },
    )
}

fn received_alert(text: &str) -> Option<Alert> {
    let after = text.split(" alert ").nth(1)?;
    let name: String = after.split(':').next()?.trim().replace(' ', "_");
    (0..=255u8).map(Alert::from_code).find(|a| a.name() == name)
}

/// The alert this end sent for a failure, from what the library queued when it
/// failed (`queued`): read off the record while alerts go in clear text; once they are
/// encrypted, named from OpenSSL's reason as OpenSSL chooses it (SPEC REL-7).
fn sent_alert(queued: &[u8], text: &str) -> Option<Alert> {
    if queued.is_empty() {
        return None;
    }
    Alert::from_clear_text_record(queued).or_else(|| {
        // Encrypted: named after OpenSSL's reason, which fixes the alert it sends.
        if text.contains("bad record mac") || text.contains("decryption failed") {
            Some(Alert::BadRecordMac)
        } else if text.contains("packet length too long")
            || text.contains("encrypted length too long")
        {
            Some(Alert::RecordOverflow)
        } else {
            None
        }
    })
}

/// Maps a native-tls failure, keeping it as the source. `queued` is what the
/// library queued to send when it failed (its alert, if it sent one).
pub(crate) fn map(err: native_tls::Error, server_side: bool, queued: &[u8]) -> Error {
    let text = err.to_string();
    let alert = received_alert(&text).or_else(|| sent_alert(queued, &text));
    let kind = if let Some(reason) = verify_reason(&text) {
        ErrorKind::VerificationFailure(reason)
    } else if text.contains("no shared cipher")
        || text.contains("unsupported protocol")
        || text.contains("no protocols available")
        || matches!(
            alert,
            Some(Alert::ProtocolVersion | Alert::HandshakeFailure | Alert::InsufficientSecurity)
        )
    {
        ErrorKind::VersionOrCipherMismatch
    } else if server_side && text.contains("peer did not return a certificate") {
        ErrorKind::VerificationFailure(VerifyReason::NoCertificate)
    } else {
        ErrorKind::Failure
    };
    let mut error = Error::new(kind, "").with_backend(NAME).with_source(err);
    if let Some(alert) = alert {
        error = error.with_alert(alert);
    }
    error
}

/// Maps a failure to decrypt or deliver application data, keeping it as the source.
pub(crate) fn map_read(err: std::io::Error, queued: &[u8]) -> Error {
    let text = err.to_string();
    let alert = received_alert(&text).or_else(|| sent_alert(queued, &text));
    let mut error = Error::new(ErrorKind::Failure, "native-tls could not decrypt")
        .with_backend(NAME)
        .with_source(err);
    if let Some(alert) = alert {
        error = error.with_alert(alert);
    }
    error
}

/// A configuration error: the options are at fault.
pub(crate) fn config(err: native_tls::Error, what: &str) -> Error {
    Error::invalid(format!("native-tls refused the {what}"))
        .with_backend(NAME)
        .with_source(err)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_reasons_from_text() {
        let t = "error:0A000086:SSL routines:tls_post_process_server_certificate:certificate verify failed:ssl/statem/statem_clnt.c:1889: (unable to get local issuer certificate)";
        assert_eq!(verify_reason(t), Some(VerifyReason::UnknownIssuer));
        let t = "error:0A000418:SSL routines:ssl3_read_bytes:tlsv1 alert unknown ca:ssl/record/rec_layer_s3.c:1605:SSL alert number 48";
        assert_eq!(received_alert(t), Some(Alert::UnknownCa));
    }
}
