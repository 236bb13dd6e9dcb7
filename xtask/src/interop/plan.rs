//! What the matrix runs: the pinned versions, the variants and the modes of the two
//! ends, one cell per client × server pair (and the `openssl` tool both ways), and the
//! capability gate that makes a cell `unsupported` before anything starts.

use unitls_model::Mode;

use super::OPENSSL_CLI;
use crate::declared::{Declared, Role};

/// A TLS version a row of the matrix is pinned to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Version {
    /// TLS 1.2.
    Tls12,
    /// TLS 1.3.
    Tls13,
}

impl Version {
    /// Both, in report order.
    pub(crate) const ALL: [Version; 2] = [Version::Tls12, Version::Tls13];

    /// `TLSv1.2`, as the peers and report.json spell it.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Version::Tls12 => "TLSv1.2",
            Version::Tls13 => "TLSv1.3",
        }
    }

    /// The peer's `--min-version`/`--max-version` value.
    pub(super) fn arg(self) -> &'static str {
        match self {
            Version::Tls12 => "1.2",
            Version::Tls13 => "1.3",
        }
    }

    /// The capability a backend needs for it.
    fn capability(self) -> &'static str {
        match self {
            Version::Tls12 => "Tls12",
            Version::Tls13 => "Tls13",
        }
    }

    /// The `openssl s_server`/`s_client` flag that pins it.
    pub(super) fn openssl_flag(self) -> &'static str {
        match self {
            Version::Tls12 => "-tls1_2",
            Version::Tls13 => "-tls1_3",
        }
    }
}

/// What a pair exercises beyond the handshake and echo.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Variant {
    /// Handshake, 1 MiB echo, close_notify both ways.
    Basic,
    /// ALPN: `h2,http/1.1` offered, `http/1.1` accepted.
    Alpn,
    /// A required client certificate.
    ClientAuth,
    /// A second connection with the same client context resumes the first's session.
    Resumption,
}

impl Variant {
    /// Every variant, in report order.
    pub(crate) const ALL: [Variant; 4] = [
        Variant::Basic,
        Variant::Alpn,
        Variant::ClientAuth,
        Variant::Resumption,
    ];

    /// `basic`, `alpn`, `client-auth`, `resumption`.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Variant::Basic => "basic",
            Variant::Alpn => "alpn",
            Variant::ClientAuth => "client-auth",
            Variant::Resumption => "resumption",
        }
    }
}

/// The I/O modes of a cell's two ends: a peer runs `--async` (the tokio stream) at an
/// `async` end; the `openssl` tool is always a blocking end.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Modes {
    /// The client's mode.
    pub(crate) client: Mode,
    /// The server's mode.
    pub(crate) server: Mode,
}

impl Modes {
    /// Both ends blocking: every variant.
    pub(crate) const BLOCKING: Modes = Modes {
        client: Mode::Blocking,
        server: Mode::Blocking,
    };

    /// Every combination, in report order: blocking at both ends, then an async client
    /// against a blocking server, then a blocking client against an async server (the
    /// cross-mode cells; both ends async is what the suite's tokio cases run in one
    /// process).
    pub(crate) const ALL: [Modes; 3] = [
        Modes::BLOCKING,
        Modes {
            client: Mode::Async,
            server: Mode::Blocking,
        },
        Modes {
            client: Mode::Blocking,
            server: Mode::Async,
        },
    ];

    /// The variants run in these modes: every one at both ends blocking, the basic
    /// echo (1 MiB each way, close_notify both ways) across modes.
    pub(crate) fn variants(self) -> &'static [Variant] {
        if self == Modes::BLOCKING {
            &Variant::ALL
        } else {
            &[Variant::Basic]
        }
    }

    /// `""` at both ends blocking, else `, async client × blocking server`: what a
    /// table's title adds.
    pub(crate) fn title(self) -> String {
        if self == Modes::BLOCKING {
            String::new()
        } else {
            format!(
                ", {} client × {} server",
                self.client.as_str(),
                self.server.as_str()
            )
        }
    }

    /// `""` at both ends blocking, else `async client` or `async server`: the progress
    /// line's tag.
    pub(crate) fn tag(self) -> &'static str {
        match (self.client, self.server) {
            (Mode::Blocking, Mode::Blocking) => "",
            (Mode::Async, Mode::Async) => "async both",
            (Mode::Async, _) => "async client",
            (_, Mode::Async) => "async server",
        }
    }
}

/// One cell to run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Plan {
    /// Client name.
    pub(super) client: String,
    /// Server name.
    pub(super) server: String,
    /// Variant.
    pub(super) variant: Variant,
    /// Version.
    pub(super) version: Version,
    /// The modes of the two ends.
    pub(super) modes: Modes,
}

/// Every cell to run: all backend pairs per version and variant (resumption included),
/// plus the openssl tool both ways in the basic variant only, with both ends blocking;
/// then, per version, the basic cells again with an async client (against every backend
/// and the openssl tool) and with an async server (against every backend and the
/// openssl tool). With `selected` non-empty, only the cells involving one of them.
pub(super) fn plan(backends: &[&str], selected: &[String]) -> Vec<Plan> {
    let wanted =
        |a: &str, b: &str| selected.is_empty() || selected.iter().any(|s| s == a || s == b);
    let mut plans = Vec::new();
    for modes in Modes::ALL {
        for version in Version::ALL {
            for &variant in modes.variants() {
                let mut pairs: Vec<(&str, &str)> = Vec::new();
                for client in backends {
                    for server in backends {
                        pairs.push((client, server));
                    }
                }
                if variant == Variant::Basic {
                    // The openssl tool is a blocking end.
                    if modes.server == Mode::Blocking {
                        for backend in backends {
                            pairs.push((backend, OPENSSL_CLI));
                        }
                    }
                    if modes.client == Mode::Blocking {
                        for backend in backends {
                            pairs.push((OPENSSL_CLI, backend));
                        }
                    }
                }
                for (client, server) in pairs {
                    if wanted(client, server) {
                        plans.push(Plan {
                            client: client.to_owned(),
                            server: server.to_owned(),
                            variant,
                            version,
                            modes,
                        });
                    }
                }
            }
        }
    }
    plans
}

/// What a side can do, read from its backend's `CAPABILITIES` (per role).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Caps {
    /// Everything (the openssl tool, or a backend whose declaration could not be read).
    All,
    /// The backend's declaration.
    Declared(Declared),
}

impl Caps {
    /// Whether `capability` is there for `role`.
    pub(super) fn has(&self, capability: &str, role: Role) -> bool {
        match self {
            Caps::All => true,
            Caps::Declared(declared) => declared.supports(capability, role),
        }
    }
}

/// Why a cell cannot run, from the two sides' capabilities; `None` if it can.
pub(super) fn gate(
    client: (&str, &Caps),
    server: (&str, &Caps),
    variant: Variant,
    version: Version,
) -> Option<String> {
    let mut missing = Vec::new();
    let mut need = |role: Role, (name, caps): (&str, &Caps), capability: &str| {
        if !caps.has(capability, role) {
            let why = match caps {
                Caps::Declared(declared) => declared
                    .reason(capability, role)
                    .map(|r| format!(" ({r})"))
                    .unwrap_or_default(),
                Caps::All => String::new(),
            };
            let role = match role {
                Role::Client => "client",
                Role::Server => "server",
            };
            missing.push(format!(
                "{role} {name} does not declare {capability} for the {role} role{why}"
            ));
        }
    };
    need(Role::Client, client, version.capability());
    need(Role::Server, server, version.capability());
    match variant {
        Variant::Basic => {}
        Variant::Alpn => {
            need(Role::Client, client, "Alpn");
            need(Role::Server, server, "ServerAlpn");
        }
        Variant::ClientAuth => need(Role::Server, server, "ClientAuth"),
        Variant::Resumption => {
            need(Role::Client, client, "Resumption");
            need(Role::Server, server, "Resumption");
        }
    }
    (!missing.is_empty()).then(|| missing.join("; "))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::declared::{Roles, SourceLack};

    /// A declaration of `all`, less `lacks`.
    fn declared(all: &[&str], lacks: &[(&str, Roles)]) -> Caps {
        Caps::Declared(Declared {
            all: all.iter().map(|c| (*c).to_owned()).collect(),
            lacks: lacks
                .iter()
                .map(|(capability, roles)| SourceLack {
                    capability: (*capability).to_owned(),
                    roles: *roles,
                    reason: "the library cannot".to_owned(),
                    cfg: None,
                    applies_here: true,
                })
                .collect(),
        })
    }

    #[test]
    fn cells_are_gated_by_capabilities() {
        let native = declared(
            &["Tls12", "Tls13", "Alpn", "ServerAlpn"],
            &[("Tls13", Roles::Server)],
        );
        let all = Caps::All;
        assert_eq!(
            gate(
                ("rustls", &all),
                ("native-tls", &native),
                Variant::Basic,
                Version::Tls12
            ),
            None
        );
        assert_eq!(
            gate(
                ("rustls", &all),
                ("native-tls", &native),
                Variant::Basic,
                Version::Tls13
            )
            .as_deref(),
            Some(
                "server native-tls does not declare Tls13 for the server role (the library cannot)"
            )
        );
        // The client role declares TLS 1.3: a native-tls client's TLS 1.3 cells run.
        assert_eq!(
            gate(
                ("native-tls", &native),
                ("rustls", &all),
                Variant::Basic,
                Version::Tls13
            ),
            None
        );
        assert_eq!(
            gate(
                ("native-tls", &native),
                ("native-tls", &native),
                Variant::ClientAuth,
                Version::Tls12
            )
            .as_deref(),
            Some("server native-tls does not declare ClientAuth for the server role")
        );
        assert_eq!(
            gate(
                ("native-tls", &native),
                ("rustls", &all),
                Variant::ClientAuth,
                Version::Tls12
            ),
            None
        );
        assert_eq!(
            gate(
                ("rustls", &all),
                ("native-tls", &native),
                Variant::Resumption,
                Version::Tls12
            )
            .as_deref(),
            Some("server native-tls does not declare Resumption for the server role")
        );
        assert_eq!(
            gate(
                ("native-tls", &native),
                ("native-tls", &native),
                Variant::Resumption,
                Version::Tls12
            )
            .as_deref(),
            Some(
                "client native-tls does not declare Resumption for the client role; \
                 server native-tls does not declare Resumption for the server role"
            )
        );
        let resumes = declared(&["Tls13", "Resumption"], &[]);
        assert_eq!(
            gate(
                ("openssl", &resumes),
                ("rustls", &resumes),
                Variant::Resumption,
                Version::Tls13
            ),
            None
        );
    }

    #[test]
    fn the_plan_covers_the_matrix() {
        let backends = ["rustls", "openssl", "boring", "native-tls"];
        let all = plan(&backends, &[]);
        let blocking: Vec<_> = all.iter().filter(|p| p.modes == Modes::BLOCKING).collect();
        assert_eq!(blocking.len(), 2 * (4 * 16 + 8));
        // Across modes: per version, every pair plus the openssl tool at the blocking
        // end, basic only.
        assert_eq!(all.len(), blocking.len() + 2 * 2 * (16 + 4));
        let rustls = plan(&backends, &["rustls".to_owned()]);
        assert_eq!(rustls.len(), 2 * (4 * 7 + 2) + 2 * 2 * (7 + 1));
        let resumption: Vec<_> = all
            .iter()
            .filter(|p| p.variant == Variant::Resumption)
            .collect();
        assert_eq!(resumption.len(), 2 * 16);
        assert!(resumption
            .iter()
            .all(|p| p.client != OPENSSL_CLI && p.server != OPENSSL_CLI));
        assert!(rustls
            .iter()
            .all(|p| p.client == "rustls" || p.server == "rustls"));
        assert!(all
            .iter()
            .any(|p| p.client == OPENSSL_CLI && p.server == "boring"));
    }

    #[test]
    fn every_backend_pair_meets_across_modes() {
        let backends = ["rustls", "openssl", "boring", "native-tls"];
        let all = plan(&backends, &[]);
        let [_, async_client, async_server] = Modes::ALL;
        for modes in [async_client, async_server] {
            for version in Version::ALL {
                for client in backends {
                    for server in backends {
                        let found = all.iter().filter(|p| {
                            p.client == client
                                && p.server == server
                                && p.version == version
                                && p.modes == modes
                        });
                        let variants: Vec<Variant> = found.map(|p| p.variant).collect();
                        assert_eq!(variants, [Variant::Basic], "{client} -> {server} {modes:?}");
                    }
                }
            }
        }
        // The openssl tool is never the async end.
        assert!(all.iter().all(
            |p| (p.client != OPENSSL_CLI || p.modes.client == Mode::Blocking)
                && (p.server != OPENSSL_CLI || p.modes.server == Mode::Blocking)
        ));
        assert!(all
            .iter()
            .any(|p| p.client == OPENSSL_CLI && p.modes == async_server));
        assert!(all
            .iter()
            .any(|p| p.server == OPENSSL_CLI && p.modes == async_client));
        // The blocking cells come first, in today's order.
        let first_cross = all.iter().position(|p| p.modes != Modes::BLOCKING).unwrap();
        assert!(all[first_cross..]
            .iter()
            .all(|p| p.modes != Modes::BLOCKING));
        assert_eq!(Modes::BLOCKING.title(), "");
        assert_eq!(async_client.title(), ", async client × blocking server");
        assert_eq!(async_server.tag(), "async server");
    }
}
