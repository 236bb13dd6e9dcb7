//! What a backend can do (SPEC §2), declared as a constant per backend (SPEC IMPL-8).

use std::fmt;

use crate::Role;

/// One thing a backend may or may not be able to do (SPEC §2).
///
/// Every option that needs a capability fails with
/// [`ErrorKind::Unsupported`](crate::ErrorKind::Unsupported) naming it when the backend
/// in use does not declare it — never silently ignored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Capability {
    /// Negotiate TLS 1.2 (declared per role, as every capability).
    Tls12,
    /// Negotiate TLS 1.3 (declared per role, as every capability).
    Tls13,
    /// Offer ALPN as a client and report the result.
    Alpn,
    /// Select an ALPN protocol as a server.
    ServerAlpn,
    /// Send SNI as a client.
    Sni,
    /// Choose the server's certificate by the client's SNI.
    ServerSniAccess,
    /// Server: request, require and verify client certificates; client: run a
    /// certificate-request callback (SPEC KEY-9). Presenting a client certificate
    /// needs no capability.
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

/// Which roles a [`Lack`] is for: the client, the server, or both.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Roles {
    /// The client role only.
    Client,
    /// The server role only.
    Server,
    /// Both roles.
    Both,
}

impl Roles {
    /// Whether `role` is among these roles.
    pub const fn includes(self, role: Role) -> bool {
        matches!(
            (self, role),
            (Roles::Both, _) | (Roles::Client, Role::Client) | (Roles::Server, Role::Server)
        )
    }

    /// `"client"`, `"server"` or `"both"`.
    pub const fn name(self) -> &'static str {
        match self {
            Roles::Client => "client",
            Roles::Server => "server",
            Roles::Both => "both",
        }
    }
}

/// A capability a backend does not declare for some role, with the library
/// limitation that forces it (SPEC §2, IMPL-8): what `Unsupported` errors and the
/// report quote.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Lack {
    /// The capability not declared.
    pub capability: Capability,
    /// The roles it is not declared for.
    pub roles: Roles,
    /// The library limitation: crate, version, what it does or lacks.
    pub reason: &'static str,
}

impl Lack {
    /// `capability` is missing for the client role, because of `reason`.
    pub const fn client(capability: Capability, reason: &'static str) -> Lack {
        Lack {
            capability,
            roles: Roles::Client,
            reason,
        }
    }

    /// `capability` is missing for the server role, because of `reason`.
    pub const fn server(capability: Capability, reason: &'static str) -> Lack {
        Lack {
            capability,
            roles: Roles::Server,
            reason,
        }
    }

    /// `capability` is missing for both roles, because of `reason`.
    pub const fn both(capability: Capability, reason: &'static str) -> Lack {
        Lack {
            capability,
            roles: Roles::Both,
            reason,
        }
    }
}

/// What one backend declares, per role (SPEC IMPL-8): every capability, except those
/// its [`Lack`]s name for a role, each with the library limitation that forces it.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Capabilities {
    client: u32,
    server: u32,
    lacks: &'static [Lack],
}

impl Capabilities {
    /// The empty set (no reasons: for tests and fakes).
    pub const NONE: Capabilities = Capabilities {
        client: 0,
        server: 0,
        lacks: &[],
    };

    /// Every capability for both roles except what `lacks` names; usable in constants.
    /// Declaring a backend this way puts the reason next to each gap.
    pub const fn all_except(lacks: &'static [Lack]) -> Capabilities {
        let all = Capabilities::from_list(&Capability::ALL);
        let (mut client, mut server) = (all.client, all.server);
        let mut i = 0;
        while i < lacks.len() {
            let lack = lacks[i];
            if lack.roles.includes(Role::Client) {
                client &= !lack.capability.bit();
            }
            if lack.roles.includes(Role::Server) {
                server &= !lack.capability.bit();
            }
            i += 1;
        }
        Capabilities {
            client,
            server,
            lacks,
        }
    }

    /// A set holding exactly `list` for both roles, without reasons (for tests and
    /// fakes; backends declare with [`all_except`](Self::all_except)).
    pub const fn from_list(list: &[Capability]) -> Capabilities {
        let mut bits = 0;
        let mut i = 0;
        while i < list.len() {
            bits |= list[i].bit();
            i += 1;
        }
        Capabilities {
            client: bits,
            server: bits,
            lacks: &[],
        }
    }

    /// Whether `capability` is declared for both roles.
    pub const fn contains(self, capability: Capability) -> bool {
        self.client & self.server & capability.bit() != 0
    }

    /// Whether `capability` is declared for `role`.
    pub const fn supports(self, capability: Capability, role: Role) -> bool {
        let bits = match role {
            Role::Client => self.client,
            Role::Server => self.server,
        };
        bits & capability.bit() != 0
    }

    /// The roles `capability` is declared for, `None` if neither.
    pub const fn roles(self, capability: Capability) -> Option<Roles> {
        match (
            self.supports(capability, Role::Client),
            self.supports(capability, Role::Server),
        ) {
            (true, true) => Some(Roles::Both),
            (true, false) => Some(Roles::Client),
            (false, true) => Some(Roles::Server),
            (false, false) => None,
        }
    }

    /// The declared gaps, each with its reason.
    pub const fn lacks(self) -> &'static [Lack] {
        self.lacks
    }

    /// Why `capability` is not declared for `role`, if a reason was given.
    pub fn reason(self, capability: Capability, role: Role) -> Option<&'static str> {
        self.lacks
            .iter()
            .find(|l| l.capability == capability && l.roles.includes(role))
            .map(|l| l.reason)
    }

    /// `Ok` when `capability` is declared for `role` (`None`: the role is not chosen
    /// yet, so for both), otherwise the `Unsupported` error for `backend`, quoting the
    /// declared reason.
    pub fn require(
        self,
        capability: Capability,
        role: Option<Role>,
        backend: &'static str,
    ) -> crate::Result<()> {
        let missing = match role {
            Some(role) => (!self.supports(capability, role)).then_some(role),
            None => [Role::Client, Role::Server]
                .into_iter()
                .find(|r| !self.supports(capability, *r)),
        };
        match missing {
            None => Ok(()),
            Some(role) => Err(crate::Error::unsupported_for(
                capability,
                role,
                self.reason(capability, role),
                backend,
            )),
        }
    }

    /// The capabilities declared for both roles, in declaration order.
    pub fn iter(self) -> impl Iterator<Item = Capability> {
        Capability::ALL
            .into_iter()
            .filter(move |c| self.contains(*c))
    }

    /// Every capability declared for at least one role, with those roles.
    pub fn declared(self) -> impl Iterator<Item = (Capability, Roles)> {
        Capability::ALL
            .into_iter()
            .filter_map(move |c| self.roles(c).map(|r| (c, r)))
    }

    /// The capabilities *not* declared for both roles, in declaration order.
    pub fn missing(self) -> impl Iterator<Item = Capability> {
        Capability::ALL
            .into_iter()
            .filter(move |c| !self.contains(*c))
    }

    /// Each declared capability as text: its name, with ` (client)` or ` (server)`
    /// when declared for that role only (`unitls-peer --version`, the report).
    pub fn describe(self) -> Vec<String> {
        self.declared()
            .map(|(c, roles)| match roles {
                Roles::Both => c.name().to_owned(),
                one => format!("{} ({})", c.name(), one.name()),
            })
            .collect()
    }
}

impl fmt::Debug for Capabilities {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set().entries(self.describe()).finish()
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
            .require(Capability::Alpn, Some(Role::Client), "test")
            .unwrap_err();
        assert_eq!(err.kind(), crate::ErrorKind::Unsupported(Capability::Alpn));
        assert!(err.to_string().contains("Alpn"), "{err}");
    }

    #[test]
    fn lacks_are_per_role_and_quoted() {
        const LACKS: &[Lack] = &[
            Lack::server(Capability::Tls13, "the server profile forbids it"),
            Lack::both(Capability::KeyLog, "no hook"),
        ];
        let caps = Capabilities::all_except(LACKS);
        assert!(caps.supports(Capability::Tls13, Role::Client));
        assert!(!caps.supports(Capability::Tls13, Role::Server));
        assert!(!caps.contains(Capability::Tls13));
        assert_eq!(caps.roles(Capability::Tls13), Some(Roles::Client));
        assert_eq!(caps.roles(Capability::KeyLog), None);
        assert!(caps
            .require(Capability::Tls13, Some(Role::Client), "t")
            .is_ok());
        let err = caps
            .require(Capability::Tls13, None, "t")
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("server") && err.contains("profile forbids"),
            "{err}"
        );
        assert!(caps.describe().contains(&"Tls13 (client)".to_owned()));
        assert!(!caps.describe().iter().any(|c| c.starts_with("KeyLog")));
    }
}
