//! Key-exchange groups by IANA name (SPEC PROTO-15).

use std::fmt;

use crate::{Error, Result};

/// A key-exchange group, by its IANA TLS Supported Groups name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Group(&'static str);

/// The groups unitls knows by name, with their IANA code points.
const GROUPS: &[(&str, u16)] = &[
    ("x25519", 0x001D),
    ("secp256r1", 0x0017),
    ("secp384r1", 0x0018),
    ("secp521r1", 0x0019),
    ("x448", 0x001E),
    ("X25519MLKEM768", 0x11EC),
    ("SecP256r1MLKEM768", 0x11EB),
];

impl Group {
    /// The group called `name` (IANA spelling, e.g. `x25519`, `secp256r1`,
    /// `X25519MLKEM768`); an unknown name is `InvalidArgument`.
    pub fn from_name(name: &str) -> Result<Group> {
        GROUPS
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(n, _)| Group(n))
            .ok_or_else(|| {
                Error::invalid(format!(
                    "unknown key-exchange group {name:?}: use IANA names such as x25519, secp256r1, X25519MLKEM768"
                ))
            })
    }

    /// The IANA name.
    pub fn name(self) -> &'static str {
        self.0
    }

    /// The IANA code point.
    pub fn code(self) -> u16 {
        GROUPS
            .iter()
            .find(|(n, _)| *n == self.0)
            .map(|(_, c)| *c)
            .expect("known group")
    }
}

impl fmt::Display for Group {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_checked() {
        assert_eq!(Group::from_name("x25519").unwrap().code(), 0x001D);
        assert!(Group::from_name("X25519").is_err());
        assert!(Group::from_name("prime256v1").is_err());
    }
}
