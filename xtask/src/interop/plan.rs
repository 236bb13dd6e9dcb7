//! What the matrix runs: the pinned versions and the variants, one cell per client ×
//! server pair (and the `openssl` tool both ways), and the capability gate that makes a
//! cell `unsupported` before anything starts.

use super::OPENSSL_CLI;

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
}

/// Every cell to run: all backend pairs per version and variant (resumption included),
/// plus the openssl tool both ways in the basic variant only; with `selected`
/// non-empty, only the cells involving one of them.
pub(super) fn plan(backends: &[&str], selected: &[String]) -> Vec<Plan> {
    let wanted =
        |a: &str, b: &str| selected.is_empty() || selected.iter().any(|s| s == a || s == b);
    let mut plans = Vec::new();
    for version in Version::ALL {
        for variant in Variant::ALL {
            let mut pairs: Vec<(&str, &str)> = Vec::new();
            for client in backends {
                for server in backends {
                    pairs.push((client, server));
                }
            }
            if variant == Variant::Basic {
                for backend in backends {
                    pairs.push((backend, OPENSSL_CLI));
                }
                for backend in backends {
                    pairs.push((OPENSSL_CLI, backend));
                }
            }
            for (client, server) in pairs {
                if wanted(client, server) {
                    plans.push(Plan {
                        client: client.to_owned(),
                        server: server.to_owned(),
                        variant,
                        version,
                    });
                }
            }
        }
    }
    plans
}

/// What a side can do, read from its backend's `CAPABILITIES`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Caps {
    /// Everything (the openssl tool, or a backend whose declaration could not be read).
    All,
    /// The declared capability names.
    Declared(Vec<String>),
}

impl Caps {
    /// Whether `capability` is there.
    pub(super) fn has(&self, capability: &str) -> bool {
        match self {
            Caps::All => true,
            Caps::Declared(list) => list.iter().any(|c| c == capability),
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
    let mut need = |role: &str, (name, caps): (&str, &Caps), capability: &str| {
        if !caps.has(capability) {
            missing.push(format!("{role} {name} does not declare {capability}"));
        }
    };
    need("client", client, version.capability());
    need("server", server, version.capability());
    match variant {
        Variant::Basic => {}
        Variant::Alpn => {
            need("client", client, "Alpn");
            need("server", server, "ServerAlpn");
        }
        Variant::ClientAuth => need("server", server, "ClientAuth"),
        Variant::Resumption => {
            need("client", client, "Resumption");
            need("server", server, "Resumption");
        }
    }
    (!missing.is_empty()).then(|| missing.join("; "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_are_gated_by_capabilities() {
        let native = Caps::Declared(["Tls12", "Alpn", "ServerAlpn"].map(String::from).to_vec());
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
            Some("server native-tls does not declare Tls13")
        );
        assert_eq!(
            gate(
                ("native-tls", &native),
                ("native-tls", &native),
                Variant::ClientAuth,
                Version::Tls12
            )
            .as_deref(),
            Some("server native-tls does not declare ClientAuth")
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
            Some("server native-tls does not declare Resumption")
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
                "client native-tls does not declare Resumption; \
                 server native-tls does not declare Resumption"
            )
        );
        let resumes = Caps::Declared(["Tls13", "Resumption"].map(String::from).to_vec());
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
        assert_eq!(all.len(), 2 * (4 * 16 + 8));
        let rustls = plan(&backends, &["rustls".to_owned()]);
        assert_eq!(rustls.len(), 2 * (4 * 7 + 2));
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
}
