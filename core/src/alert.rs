//! TLS alert descriptions by their RFC 8446 §6 names (SPEC ERR-6).

use std::fmt;

/// A TLS alert description, sent or received, that ended a session (SPEC ERR-6).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Alert {
    /// `close_notify` (0).
    CloseNotify,
    /// `unexpected_message` (10).
    UnexpectedMessage,
    /// `bad_record_mac` (20).
    BadRecordMac,
    /// `record_overflow` (22).
    RecordOverflow,
    /// `handshake_failure` (40).
    HandshakeFailure,
    /// `bad_certificate` (42).
    BadCertificate,
    /// `unsupported_certificate` (43).
    UnsupportedCertificate,
    /// `certificate_revoked` (44).
    CertificateRevoked,
    /// `certificate_expired` (45).
    CertificateExpired,
    /// `certificate_unknown` (46).
    CertificateUnknown,
    /// `illegal_parameter` (47).
    IllegalParameter,
    /// `unknown_ca` (48).
    UnknownCa,
    /// `access_denied` (49).
    AccessDenied,
    /// `decode_error` (50).
    DecodeError,
    /// `decrypt_error` (51).
    DecryptError,
    /// `protocol_version` (70).
    ProtocolVersion,
    /// `insufficient_security` (71).
    InsufficientSecurity,
    /// `internal_error` (80).
    InternalError,
    /// `inappropriate_fallback` (86).
    InappropriateFallback,
    /// `user_canceled` (90).
    UserCanceled,
    /// `no_renegotiation` (100).
    NoRenegotiation,
    /// `missing_extension` (109).
    MissingExtension,
    /// `unsupported_extension` (110).
    UnsupportedExtension,
    /// `unrecognized_name` (112).
    UnrecognizedName,
    /// `bad_certificate_status_response` (113).
    BadCertificateStatusResponse,
    /// `unknown_psk_identity` (115).
    UnknownPskIdentity,
    /// `certificate_required` (116).
    CertificateRequired,
    /// `no_application_protocol` (120).
    NoApplicationProtocol,
    /// Any other description code.
    Other(u8),
}

impl Alert {
    /// The alert carried by a clear-text TLS alert record at the start of `octets`
    /// (content type 21, a 3.x version, a two-octet body: level, description), if
    /// that is what they start with. Alerts sent before encryption starts look so on
    /// the wire; later ones are encrypted, and only their sender and receiver can
    /// name them.
    pub fn from_clear_text_record(octets: &[u8]) -> Option<Alert> {
        match octets {
            [21, 3, _, 0, 2, _, description, ..] => Some(Alert::from_code(*description)),
            _ => None,
        }
    }

    /// The alert for a wire description code.
    pub const fn from_code(code: u8) -> Alert {
        match code {
            0 => Alert::CloseNotify,
            10 => Alert::UnexpectedMessage,
            20 => Alert::BadRecordMac,
            22 => Alert::RecordOverflow,
            40 => Alert::HandshakeFailure,
            42 => Alert::BadCertificate,
            43 => Alert::UnsupportedCertificate,
            44 => Alert::CertificateRevoked,
            45 => Alert::CertificateExpired,
            46 => Alert::CertificateUnknown,
            47 => Alert::IllegalParameter,
            48 => Alert::UnknownCa,
            49 => Alert::AccessDenied,
            50 => Alert::DecodeError,
            51 => Alert::DecryptError,
            70 => Alert::ProtocolVersion,
            71 => Alert::InsufficientSecurity,
            80 => Alert::InternalError,
            86 => Alert::InappropriateFallback,
            90 => Alert::UserCanceled,
            100 => Alert::NoRenegotiation,
            109 => Alert::MissingExtension,
            110 => Alert::UnsupportedExtension,
            112 => Alert::UnrecognizedName,
            113 => Alert::BadCertificateStatusResponse,
            115 => Alert::UnknownPskIdentity,
            116 => Alert::CertificateRequired,
            120 => Alert::NoApplicationProtocol,
            other => Alert::Other(other),
        }
    }

    /// The RFC 8446 name, e.g. `"no_application_protocol"`; `"unknown"` for other codes.
    pub const fn name(self) -> &'static str {
        match self {
            Alert::CloseNotify => "close_notify",
            Alert::UnexpectedMessage => "unexpected_message",
            Alert::BadRecordMac => "bad_record_mac",
            Alert::RecordOverflow => "record_overflow",
            Alert::HandshakeFailure => "handshake_failure",
            Alert::BadCertificate => "bad_certificate",
            Alert::UnsupportedCertificate => "unsupported_certificate",
            Alert::CertificateRevoked => "certificate_revoked",
            Alert::CertificateExpired => "certificate_expired",
            Alert::CertificateUnknown => "certificate_unknown",
            Alert::IllegalParameter => "illegal_parameter",
            Alert::UnknownCa => "unknown_ca",
            Alert::AccessDenied => "access_denied",
            Alert::DecodeError => "decode_error",
            Alert::DecryptError => "decrypt_error",
            Alert::ProtocolVersion => "protocol_version",
            Alert::InsufficientSecurity => "insufficient_security",
            Alert::InternalError => "internal_error",
            Alert::InappropriateFallback => "inappropriate_fallback",
            Alert::UserCanceled => "user_canceled",
            Alert::NoRenegotiation => "no_renegotiation",
            Alert::MissingExtension => "missing_extension",
            Alert::UnsupportedExtension => "unsupported_extension",
            Alert::UnrecognizedName => "unrecognized_name",
            Alert::BadCertificateStatusResponse => "bad_certificate_status_response",
            Alert::UnknownPskIdentity => "unknown_psk_identity",
            Alert::CertificateRequired => "certificate_required",
            Alert::NoApplicationProtocol => "no_application_protocol",
            Alert::Other(_) => "unknown",
        }
    }
}

impl fmt::Display for Alert {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Alert::Other(code) => write!(f, "alert {code}"),
            known => f.write_str(known.name()),
        }
    }
}
