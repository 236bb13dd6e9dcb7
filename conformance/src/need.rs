//! What a case needs of the backend under test: capabilities, each for the roles
//! the backend plays in the case (SPEC §0 *Gate*, §2).

use unitls_core::{Capability, Role, Roles};

/// A capability a case needs, for some roles of the backend under test.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Need {
    /// The capability.
    pub capability: Capability,
    /// The roles the backend under test plays where it is needed.
    pub roles: Roles,
}

impl Need {
    /// Whether `capabilities` declares it for every role it is needed in.
    pub fn met_by(self, capabilities: unitls_core::Capabilities) -> bool {
        [Role::Client, Role::Server]
            .into_iter()
            .filter(|r| self.roles.includes(*r))
            .all(|r| capabilities.supports(self.capability, r))
    }
}

/// The roles of a `cases!` entry's need: `Tls13` is both, `Tls13: Client` one.
macro_rules! roles {
    () => {
        ::unitls_core::Roles::Both
    };
    ($role:ident) => {
        ::unitls_core::Roles::$role
    };
}
pub(crate) use roles;

#[cfg(test)]
mod tests {
    use super::*;
    use unitls_core::{Capabilities, Lack};

    #[test]
    fn a_need_is_met_per_role() {
        const LACKS: &[Lack] = &[Lack::server(Capability::Tls13, "the server cannot")];
        let caps = Capabilities::all_except(LACKS);
        let need = |roles| Need {
            capability: Capability::Tls13,
            roles,
        };
        assert!(need(Roles::Client).met_by(caps));
        assert!(!need(Roles::Server).met_by(caps));
        assert!(!need(Roles::Both).met_by(caps));
        assert!(Need {
            capability: Capability::Tls12,
            roles: Roles::Both
        }
        .met_by(caps));
    }
}
