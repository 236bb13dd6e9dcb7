//! Which end of the handshake a stream plays (SPEC SIDE).

/// The side given to `attach_ssl` (LispWorks `:ssl-side`); the default is `Server`
/// (SPEC SIDE-1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Side {
    /// Connect state: this end sends the ClientHello.
    Client,
    /// Accept state: this end waits for a ClientHello.
    #[default]
    Server,
    /// No role yet: attach makes the TLS objects but does not handshake; the caller
    /// picks the role later with `set_connect_state` or `set_accept_state`
    /// (SPEC SIDE-4, SIDE-5).
    Both,
}

/// The role a connection actually plays once chosen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    /// The TLS client.
    Client,
    /// The TLS server.
    Server,
}

impl Side {
    /// The role this side fixes, or `None` for `Both`.
    pub const fn role(self) -> Option<Role> {
        match self {
            Side::Client => Some(Role::Client),
            Side::Server => Some(Role::Server),
            Side::Both => None,
        }
    }
}

impl From<Role> for Side {
    fn from(role: Role) -> Side {
        match role {
            Role::Client => Side::Client,
            Role::Server => Side::Server,
        }
    }
}
