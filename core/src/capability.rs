//! What a backend can do (SPEC §2), declared as a constant per backend (SPEC IMPL-8).

use std::fmt;

/// One thing a backend may or may not be able to do (SPEC §2).
///
/// Every option that needs a capability fails with
/// [`ErrorKind::Unsupported`](crate::ErrorKind::Unsupported) naming it when the backend
/// in use does not declare it — never silently ignored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Capability {
    /// Negotiate TLS 1.2 as client and server.
    Tls12,
    /// Negotiate TLS 1.3 as client and server.
    Tls13,
    /// Offer ALPN as a client and report the result.
    Alpn,
    /// Select an ALPN protocol as a server.
    ServerAlpn,
    /// Send SNI as a client.
    Sni,
    /// Choose the server's certificate by the client's SNI.
    ServerSniAccess,
    /// Request, require and verify client certificates.
    ClientAuth,
    /// Resume sessions and report it through `resumed()`.
    Resumption,
    /// Restrict TLS 1.2 cipher suites by IANA name.
    CipherSelection,
    /// Restrict TLS 1.3 cipher suites by IANA name.
    Tls13CipherSelection,
    /// Choose and order key-exchange groups, and report the negotiated one.
    GroupSelection,
    /// Load encrypted PKCS#8 keys.
    EncryptedKeys,
    /// Load PKCS#12 identities.
    Pkcs12,
    /// Create the per-connection object before the role (client or server) is chosen.
    DeferredRole,
    /// Expose a per-connection native object before the handshake.
    UserSession,
    /// Hand secrets to a key-log callback.
    KeyLog,
    /// Export keying material (RFC 5705, RFC 8446 §7.5).
    Exporter,
    /// Return the peer's whole certificate chain, not only the leaf.
    PeerChain,
    /// Run a backend-neutral verify callback and report the built-in result.
    VerifyCallback,
    /// Verify the peer as of a given instant instead of now.
    VerifyTime,
}

impl Capability {
    /// Every capability, in declaration order.
    pub const ALL: [Capability; 20] = [
        Capability::Tls12,
        Capability::Tls13,
        Capability::Alpn,
        Capability::ServerAlpn,
        Capability::Sni,
        Capability::ServerSniAccess,
        Capability::ClientAuth,
        Capability::Resumption,
        Capability::CipherSelection,
        Capability::Tls13CipherSelection,
        Capability::GroupSelection,
        Capability::EncryptedKeys,
        Capability::Pkcs12,
        Capability::DeferredRole,
        Capability::UserSession,
        Capability::KeyLog,
        Capability::Exporter,
        Capability::PeerChain,
        Capability::VerifyCallback,
        Capability::VerifyTime,
    ];

    /// The capability's name as SPEC §2 spells it (`"ServerAlpn"`).
    pub const fn name(self) -> &'static str {
        match self {
            Capability::Tls12 => "Tls12",
            Capability::Tls13 => "Tls13",
            Capability::Alpn => "Alpn",
            Capability::ServerAlpn => "ServerAlpn",
            Capability::Sni => "Sni",
            Capability::ServerSniAccess => "ServerSniAccess",
            Capability::ClientAuth => "ClientAuth",
            Capability::Resumption => "Resumption",
            Capability::CipherSelection => "CipherSelection",
            Capability::Tls13CipherSelection => "Tls13CipherSelection",
            Capability::GroupSelection => "GroupSelection",
            Capability::EncryptedKeys => "EncryptedKeys",
            Capability::Pkcs12 => "Pkcs12",
            Capability::DeferredRole => "DeferredRole",
            Capability::UserSession => "UserSession",
            Capability::KeyLog => "KeyLog",
            Capability::Exporter => "Exporter",
            Capability::PeerChain => "PeerChain",
            Capability::VerifyCallback => "VerifyCallback",
            Capability::VerifyTime => "VerifyTime",
        }
    }

    const fn bit(self) -> u32 {
        1 << (self as u32)
    }
}

impl fmt::Display for Capability {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A fixed set of [`Capability`] values: what one backend declares (SPEC IMPL-8).
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Capabilities(u32);

impl Capabilities {
    /// The empty set.
    pub const NONE: Capabilities = Capabilities(0);

    /// A set holding exactly `list`; usable in constants.
    pub const fn from_list(list: &[Capability]) -> Capabilities {
        let mut bits = 0;
        let mut i = 0;
        while i < list.len() {
            bits |= list[i].bit();
            i += 1;
        }
        Capabilities(bits)
    }

    /// Whether `capability` is in the set.
    pub const fn contains(self, capability: Capability) -> bool {
        self.0 & capability.bit() != 0
    }

    /// `Ok` when `capability` is in the set, otherwise the `Unsupported` error for `backend`.
    pub fn require(self, capability: Capability, backend: &'static str) -> crate::Result<()> {
        if self.contains(capability) {
            Ok(())
        } else {
            Err(crate::Error::unsupported(capability, backend))
        }
    }

    /// The capabilities in the set, in declaration order.
    pub fn iter(self) -> impl Iterator<Item = Capability> {
        Capability::ALL
            .into_iter()
            .filter(move |c| self.contains(*c))
    }

    /// The capabilities *not* in the set, in declaration order.
    pub fn missing(self) -> impl Iterator<Item = Capability> {
        Capability::ALL
            .into_iter()
            .filter(move |c| !self.contains(*c))
    }
}

impl fmt::Debug for Capabilities {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set().entries(self.iter()).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn set_holds_exactly_what_was_listed() {
        let set = Capabilities::from_list(&[Capability::Tls13, Capability::VerifyTime]);
        assert!(set.contains(Capability::Tls13));
        assert!(set.contains(Capability::VerifyTime));
        assert!(!set.contains(Capability::Tls12));
        assert_eq!(set.iter().count(), 2);
        assert_eq!(set.missing().count(), Capability::ALL.len() - 2);
    }

    #[test]
    fn require_names_the_missing_capability() {
        let err = Capabilities::NONE
            .require(Capability::Alpn, "test")
            .unwrap_err();
        assert_eq!(err.kind(), crate::ErrorKind::Unsupported(Capability::Alpn));
        assert!(err.to_string().contains("Alpn"), "{err}");
    }
}
