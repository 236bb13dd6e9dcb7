//! Protocol versions and the `CtxSpec::Protocol` selector (SPEC CTX-2..4, PROTO-1, PROTO-4).

use std::fmt;

use crate::{Error, Result};

/// A TLS version unitls negotiates: 1.2 is the floor (SPEC SEC-1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ProtocolVersion {
    /// TLS 1.2 (RFC 5246).
    Tls12,
    /// TLS 1.3 (RFC 8446).
    Tls13,
}

impl ProtocolVersion {
    /// The version from its wire code (`0x0303`, `0x0304`); older codes give `None`.
    pub const fn from_wire(code: u16) -> Option<ProtocolVersion> {
        match code {
            0x0303 => Some(ProtocolVersion::Tls12),
            0x0304 => Some(ProtocolVersion::Tls13),
            _ => None,
        }
    }

    /// The capability negotiating this version needs (SPEC §2).
    pub const fn capability(self) -> crate::Capability {
        match self {
            ProtocolVersion::Tls12 => crate::Capability::Tls12,
            ProtocolVersion::Tls13 => crate::Capability::Tls13,
        }
    }

    /// The name OpenSSL and the report use: `"TLSv1.2"`, `"TLSv1.3"`.
    pub const fn name(self) -> &'static str {
        match self {
            ProtocolVersion::Tls12 => "TLSv1.2",
            ProtocolVersion::Tls13 => "TLSv1.3",
        }
    }
}

impl fmt::Display for ProtocolVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The protocol selector of `CtxSpec::Protocol` (LispWorks `:v23`, `:tls-v1-2`, …).
///
/// The legacy selectors exist only to be refused with `InvalidArgument` before any
/// byte is sent (SPEC CTX-4; RFC 6176, 7568, 8996).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Selector {
    /// TLS 1.2 or 1.3, whichever the peer prefers (LispWorks `:v23`).
    Flexible,
    /// TLS 1.2 only.
    Tls12,
    /// TLS 1.3 only.
    Tls13,
    /// SSL 2.0: refused.
    Ssl2,
    /// SSL 3.0: refused.
    Ssl3,
    /// TLS 1.0: refused.
    Tls10,
    /// TLS 1.1: refused.
    Tls11,
}

/// An inclusive range of protocol versions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct VersionRange {
    /// The lowest version offered or accepted.
    pub min: ProtocolVersion,
    /// The highest version offered or accepted.
    pub max: ProtocolVersion,
}

impl VersionRange {
    /// TLS 1.2 to 1.3.
    pub const FLEXIBLE: VersionRange = VersionRange {
        min: ProtocolVersion::Tls12,
        max: ProtocolVersion::Tls13,
    };

    /// A checked range: `min` above `max` is `InvalidArgument` (SPEC PROTO-1).
    pub fn new(min: ProtocolVersion, max: ProtocolVersion) -> Result<VersionRange> {
        if min > max {
            return Err(Error::invalid(format!(
                "minimum protocol version {min} is above the maximum {max}"
            )));
        }
        Ok(VersionRange { min, max })
    }

    /// The one version the range allows, when it allows only one.
    pub fn only_version(self) -> Option<ProtocolVersion> {
        (self.min == self.max).then_some(self.min)
    }

    /// Whether `version` lies in the range.
    pub fn contains(self, version: ProtocolVersion) -> bool {
        self.min <= version && version <= self.max
    }
}

impl Selector {
    /// The versions this selector allows, or `InvalidArgument` for a legacy one.
    pub fn versions(self) -> Result<VersionRange> {
        let only = |v| VersionRange { min: v, max: v };
        match self {
            Selector::Flexible => Ok(VersionRange::FLEXIBLE),
            Selector::Tls12 => Ok(only(ProtocolVersion::Tls12)),
            Selector::Tls13 => Ok(only(ProtocolVersion::Tls13)),
            legacy => Err(Error::invalid(format!(
                "{legacy:?} is obsolete and insecure (RFC 6176, 7568, 8996); \
                 use Selector::Flexible, Tls12 or Tls13"
            ))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// SPEC CTX-4: legacy selectors are refused.
    #[test]
    fn legacy_selectors_are_refused() {
        for s in [
            Selector::Ssl2,
            Selector::Ssl3,
            Selector::Tls10,
            Selector::Tls11,
        ] {
            let err = s.versions().unwrap_err();
            assert_eq!(err.kind(), crate::ErrorKind::InvalidArgument);
        }
        assert_eq!(
            Selector::Flexible.versions().unwrap(),
            VersionRange::FLEXIBLE
        );
    }

    /// SPEC PROTO-1: min above max is refused.
    #[test]
    fn inverted_range_is_refused() {
        assert!(VersionRange::new(ProtocolVersion::Tls13, ProtocolVersion::Tls12).is_err());
        assert!(VersionRange::new(ProtocolVersion::Tls12, ProtocolVersion::Tls12).is_ok());
    }
}
