//! Cipher suites by IANA name, the same text on every backend (SPEC PROTO-5, PROTO-6).

use std::fmt;

use crate::ProtocolVersion;

/// A cipher suite, identified by its IANA code point; displays as its IANA name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct CipherSuite(pub u16);

/// The suites unitls knows by name: every suite a backend may negotiate under its
/// secure defaults (code, IANA name, TLS version it belongs to).
const SUITES: &[(u16, &str, ProtocolVersion)] = &[
    (0x1301, "TLS_AES_128_GCM_SHA256", ProtocolVersion::Tls13),
    (0x1302, "TLS_AES_256_GCM_SHA384", ProtocolVersion::Tls13),
    (
        0x1303,
        "TLS_CHACHA20_POLY1305_SHA256",
        ProtocolVersion::Tls13,
    ),
    (0x1304, "TLS_AES_128_CCM_SHA256", ProtocolVersion::Tls13),
    (0x1305, "TLS_AES_128_CCM_8_SHA256", ProtocolVersion::Tls13),
    (
        0xC02B,
        "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
        ProtocolVersion::Tls12,
    ),
    (
        0xC02C,
        "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
        ProtocolVersion::Tls12,
    ),
    (
        0xC02F,
        "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
        ProtocolVersion::Tls12,
    ),
    (
        0xC030,
        "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
        ProtocolVersion::Tls12,
    ),
    (
        0xCCA8,
        "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
        ProtocolVersion::Tls12,
    ),
    (
        0xCCA9,
        "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
        ProtocolVersion::Tls12,
    ),
    (
        0xC009,
        "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA",
        ProtocolVersion::Tls12,
    ),
    (
        0xC00A,
        "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA",
        ProtocolVersion::Tls12,
    ),
    (
        0xC013,
        "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA",
        ProtocolVersion::Tls12,
    ),
    (
        0xC014,
        "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA",
        ProtocolVersion::Tls12,
    ),
    (
        0xC023,
        "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256",
        ProtocolVersion::Tls12,
    ),
    (
        0xC024,
        "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384",
        ProtocolVersion::Tls12,
    ),
    (
        0xC027,
        "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256",
        ProtocolVersion::Tls12,
    ),
    (
        0xC028,
        "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384",
        ProtocolVersion::Tls12,
    ),
    (
        0x009C,
        "TLS_RSA_WITH_AES_128_GCM_SHA256",
        ProtocolVersion::Tls12,
    ),
    (
        0x009D,
        "TLS_RSA_WITH_AES_256_GCM_SHA384",
        ProtocolVersion::Tls12,
    ),
    (
        0x009E,
        "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256",
        ProtocolVersion::Tls12,
    ),
    (
        0x009F,
        "TLS_DHE_RSA_WITH_AES_256_GCM_SHA384",
        ProtocolVersion::Tls12,
    ),
    (
        0xCCAA,
        "TLS_DHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
        ProtocolVersion::Tls12,
    ),
];

impl CipherSuite {
    /// The suite with IANA name `name` (exact, upper case), if unitls knows it.
    pub fn from_iana_name(name: &str) -> Option<CipherSuite> {
        SUITES
            .iter()
            .find(|(_, n, _)| *n == name)
            .map(|(code, _, _)| CipherSuite(*code))
    }

    /// The IANA name, e.g. `"TLS_AES_128_GCM_SHA256"`, if unitls knows the code.
    pub fn iana_name(self) -> Option<&'static str> {
        self.entry().map(|(_, name, _)| *name)
    }

    /// The TLS version the suite belongs to, if unitls knows the code.
    pub fn version(self) -> Option<ProtocolVersion> {
        self.entry().map(|(_, _, v)| *v)
    }

    fn entry(self) -> Option<&'static (u16, &'static str, ProtocolVersion)> {
        SUITES.iter().find(|(code, _, _)| *code == self.0)
    }
}

impl fmt::Display for CipherSuite {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.iana_name() {
            Some(name) => f.write_str(name),
            None => write!(f, "0x{:04X}", self.0),
        }
    }
}

impl PartialEq<&str> for CipherSuite {
    fn eq(&self, other: &&str) -> bool {
        self.iana_name() == Some(*other)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for (code, name, _) in SUITES {
            assert_eq!(CipherSuite::from_iana_name(name), Some(CipherSuite(*code)));
            assert_eq!(CipherSuite(*code).to_string(), *name);
        }
        assert_eq!(
            CipherSuite::from_iana_name("ECDHE-RSA-AES128-GCM-SHA256"),
            None
        );
        assert_eq!(CipherSuite(0x0A0A).to_string(), "0x0A0A");
    }
}
