//! The interop matrix (SPEC INTEROP-1..5, 7, 8): every client backend against every
//! server backend, each end in its own `unitls-peer` process over loopback, plus the
//! `openssl` command-line tool as an independent peer in both directions.
//!
//! Set-up: the fixtures binary writes the suite's certificates to `<out>/fixtures`
//! (`unitls-fixtures`), and `unitls-peer` is built once per backend crate
//! ([`crate::peer`]). Then, for TLS 1.2 and TLS 1.3, pinned at both ends:
//!
//! - **basic**: the server peer (`--max-connections 1`) and a client peer that checks
//!   the server against `ca.pem` and `localhost`, echoes 1 MiB in 16 KiB steps and
//!   detaches with close_notify both ways. Pass: both processes succeed, both report
//!   the pinned version and the same cipher suite, the server saw SNI `localhost`, the
//!   client saw the `localhost` leaf, both counted every octet, both closed.
//! - **alpn**: the client offers `h2,http/1.1`, the server accepts `http/1.1`; both
//!   must report `http/1.1` (where the client declares Alpn and the server ServerAlpn).
//! - **client-auth**: the server requires a client certificate from `ca.pem`, the
//!   client presents `client-1` (where the server declares ClientAuth); the server must
//!   see `client-1`.
//! - **resumption** (SPEC INTEROP-5; where both ends declare Resumption): the server
//!   peer (`--max-connections 2`, one server context for both connections) and a client
//!   peer with `--resume 1` (a second connection with the same client context), each
//!   sending `hello from unitls-peer` and checking the echo. Pass: both processes
//!   succeed, each reports two handshakes at the pinned version with the same suite at
//!   both ends; the first is a full handshake (`resumed: false` at both ends), the second
//!   is resumed (`resumed: true` at both ends); both counted every octet and closed
//!   twice. The openssl tool is not part of this variant.
//! - **openssl-cli** (basic only): each client peer against `openssl s_server -rev
//!   -naccept 1` (it answers each line reversed: the peer sends
//!   `hello from unitls-peer\n` and expects `reep-sltinu morf olleh\n`, and s_server's
//!   stderr names the version and suite it negotiated), and `openssl s_client
//!   -verify_return_error -verify_hostname localhost` against each server peer (a line on
//!   stdin must come back on stdout, `Verify return code: 0 (ok)`, then closing stdin
//!   makes s_client send close_notify). OpenSSL's TLS 1.2 suite names are mapped to IANA
//!   names with `openssl ciphers -stdname`.
//!
//! A pair one side cannot run — a version, ALPN, client authentication or resumption its
//! backend does not declare (read from the source, as codegen does) — is `unsupported`
//! with the reason, and so is a peer that answers `Unsupported(capability)` for a
//! capability its backend does not declare. Every process is killed 15 s after it
//! starts.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use crate::json::Json;
use crate::outcome::Outcome;
use crate::report::escape;
use crate::running::{Finished, Running};
use crate::workspace::{self, cargo, display};
use crate::{codegen, peer};

/// The name of the external `openssl` tool in the matrix.
pub(crate) const OPENSSL_CLI: &str = "openssl-cli";

/// Every process of a pair is killed this long after it starts.
const PROCESS_TIMEOUT: Duration = Duration::from_secs(15);

/// How long a server may stay up after its client failed (it may never have been
/// reached).
const SERVER_GRACE: Duration = Duration::from_secs(2);

/// The octets the basic variant echoes.
const BULK: u64 = 1 << 20;

/// What the client peer sends by default (alpn, client-auth and resumption variants).
const TEXT: &str = "hello from unitls-peer";

/// What `openssl s_client` sends to a server peer.
const S_CLIENT_LINE: &str = "hello from openssl s_client";

/// The name every server certificate is checked against, and sent as SNI.
const SERVER_NAME: &str = "localhost";

/// The common name of the fixtures' client certificate.
const CLIENT_CN: &str = "client-1";

/// How many connections the resumption variant makes: one full handshake, then one
/// that must resume.
const RESUMPTION_CONNECTIONS: usize = 2;

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
    fn arg(self) -> &'static str {
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
    fn openssl_flag(self) -> &'static str {
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

/// One cell of the matrix.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct InteropResult {
    /// The client's backend, or `openssl-cli`.
    pub(crate) client: String,
    /// The server's backend, or `openssl-cli`.
    pub(crate) server: String,
    /// What was exercised.
    pub(crate) variant: Variant,
    /// The pinned version.
    pub(crate) version: Version,
    /// pass, fail or unsupported.
    pub(crate) outcome: Outcome,
    /// The negotiated suite's IANA name, when the handshake got that far.
    pub(crate) cipher: Option<String>,
    /// Why it failed or is unsupported; empty on a pass.
    pub(crate) detail: String,
}

impl InteropResult {
    /// The entry in report.json's `interop[]`.
    pub(crate) fn to_json(&self) -> Json {
        Json::object([
            ("client", Json::str(&self.client)),
            ("server", Json::str(&self.server)),
            ("variant", Json::str(self.variant.name())),
            ("version", Json::str(self.version.name())),
            ("outcome", Json::str(self.outcome.as_str())),
            ("cipher", Json::opt_str(self.cipher.clone())),
            ("detail", Json::str(&self.detail)),
        ])
    }

    /// `rustls -> boring TLSv1.3 alpn`.
    fn label(&self) -> String {
        format!(
            "{} -> {} {} {}",
            self.client,
            self.server,
            self.version.name(),
            self.variant.name()
        )
    }
}

/// The whole matrix as run.
#[derive(Debug, Default)]
pub(crate) struct Matrix {
    /// The names in table order (the backend crates, then `openssl-cli`).
    pub(crate) names: Vec<String>,
    /// Every cell that ran, in run order.
    pub(crate) results: Vec<InteropResult>,
    /// How long it all took, builds included.
    pub(crate) duration: Duration,
}

impl Matrix {
    /// How many cells ended with `outcome`.
    pub(crate) fn count(&self, outcome: Outcome) -> usize {
        self.results.iter().filter(|r| r.outcome == outcome).count()
    }

    /// `40 pass, 0 fail, 16 unsupported`.
    pub(crate) fn counts_text(&self) -> String {
        [Outcome::Pass, Outcome::Fail, Outcome::Unsupported]
            .map(|o| format!("{} {}", self.count(o), o.as_str()))
            .join(", ")
    }

    /// The failed cells.
    pub(crate) fn failures(&self) -> impl Iterator<Item = &InteropResult> {
        self.results.iter().filter(|r| r.outcome == Outcome::Fail)
    }

    /// The cell for this combination, if it ran.
    fn cell(
        &self,
        client: &str,
        server: &str,
        variant: Variant,
        version: Version,
    ) -> Option<&InteropResult> {
        self.results.iter().find(|r| {
            r.client == client && r.server == server && r.variant == variant && r.version == version
        })
    }

    /// The (version, variant) tables that have at least one cell.
    fn tables(&self) -> Vec<(Version, Variant)> {
        let mut tables = Vec::new();
        for version in Version::ALL {
            for variant in Variant::ALL {
                if self
                    .results
                    .iter()
                    .any(|r| r.version == version && r.variant == variant)
                {
                    tables.push((version, variant));
                }
            }
        }
        tables
    }

    /// The rows (clients) and columns (servers) of a table that have a cell.
    fn axes(&self, version: Version, variant: Variant) -> (Vec<&str>, Vec<&str>) {
        let in_table = |r: &&InteropResult| r.version == version && r.variant == variant;
        let clients = self
            .names
            .iter()
            .map(String::as_str)
            .filter(|n| self.results.iter().filter(in_table).any(|r| r.client == *n))
            .collect();
        let servers = self
            .names
            .iter()
            .map(String::as_str)
            .filter(|n| self.results.iter().filter(in_table).any(|r| r.server == *n))
            .collect();
        (clients, servers)
    }

    /// report.json's `interop[]`.
    pub(crate) fn to_json(&self) -> Json {
        Json::Array(self.results.iter().map(InteropResult::to_json).collect())
    }

    /// The terminal summary: one small table of marks per version and variant.
    pub(crate) fn terminal_summary(&self) -> String {
        let mut text = String::new();
        for (version, variant) in self.tables() {
            let (clients, servers) = self.axes(version, variant);
            let width = self.names.iter().map(String::len).max().unwrap_or(6).max(6);
            let _ = writeln!(
                text,
                "interop {} {} (rows: client, columns: server)",
                version.name(),
                variant.name()
            );
            let _ = write!(text, "  {:width$}", "");
            for server in &servers {
                let _ = write!(text, " {server:>width$}");
            }
            text.push('\n');
            for client in &clients {
                let _ = write!(text, "  {client:width$}");
                for server in &servers {
                    let mark = self
                        .cell(client, server, variant, version)
                        .map_or(' ', |r| r.outcome.mark());
                    let _ = write!(text, " {mark:>width$}");
                }
                text.push('\n');
            }
        }
        for failure in self.failures() {
            let _ = writeln!(text, "    FAILED {}: {}", failure.label(), failure.detail);
        }
        text
    }

    /// The interop section of report.md.
    pub(crate) fn to_markdown(&self) -> String {
        let mut md = String::from("## Interop\n\n");
        if self.results.is_empty() {
            md.push_str("The interop matrix did not run.\n");
            return md;
        }
        let _ = writeln!(
            md,
            "Client (rows) × server (columns), each end its own `unitls-peer` process over \
             loopback; `{OPENSSL_CLI}` is the `openssl` command-line tool. {} ({:.1} s).\n",
            self.counts_text(),
            self.duration.as_secs_f64()
        );
        for (version, variant) in self.tables() {
            let (clients, servers) = self.axes(version, variant);
            let _ = writeln!(md, "### {} {}\n", version.name(), variant.name());
            md.push_str("| client \\ server |");
            for server in &servers {
                let _ = write!(md, " {server} |");
            }
            md.push_str("\n|---|");
            md.push_str(&":---:|".repeat(servers.len()));
            md.push('\n');
            for client in &clients {
                let _ = write!(md, "| {client} |");
                for server in &servers {
                    let cell = match self.cell(client, server, variant, version) {
                        Some(r) if r.outcome == Outcome::Fail => "**fail**",
                        Some(r) => r.outcome.as_str(),
                        None => "—",
                    };
                    let _ = write!(md, " {cell} |");
                }
                md.push('\n');
            }
            md.push('\n');
        }
        let failures: Vec<_> = self.failures().collect();
        let _ = writeln!(md, "### Interop failures ({})\n", failures.len());
        if failures.is_empty() {
            md.push_str("None.\n\n");
        }
        for r in failures {
            let _ = writeln!(md, "- `{}`: {}", r.label(), one_line(&r.detail));
        }
        let mut reasons: BTreeMap<&str, Vec<String>> = BTreeMap::new();
        for r in self
            .results
            .iter()
            .filter(|r| r.outcome == Outcome::Unsupported)
        {
            reasons.entry(&r.detail).or_default().push(r.label());
        }
        if !reasons.is_empty() {
            md.push_str("\n### Interop unsupported\n\n");
            for (reason, labels) in reasons {
                let _ = writeln!(
                    md,
                    "- {} ({}): {}",
                    one_line(reason),
                    labels.len(),
                    labels.join(", ")
                );
            }
        }
        md
    }

    /// The interop section of index.html.
    pub(crate) fn to_html(&self) -> String {
        let mut html = String::from("<h2>Interop</h2>\n");
        if self.results.is_empty() {
            html.push_str("<p>The interop matrix did not run.</p>\n");
            return html;
        }
        let _ = writeln!(
            html,
            "<p>Client (rows) × server (columns), each end its own <code>unitls-peer</code> \
             process over loopback; <code>{OPENSSL_CLI}</code> is the <code>openssl</code> \
             command-line tool. {} ({:.1} s). Hover a cell for the cipher suite or the \
             reason.</p>",
            escape(&self.counts_text()),
            self.duration.as_secs_f64()
        );
        for (version, variant) in self.tables() {
            let (clients, servers) = self.axes(version, variant);
            let _ = writeln!(
                html,
                "<h3>{} {}</h3>\n<table>\n<tr><th>client \\ server</th>",
                version.name(),
                variant.name()
            );
            for server in &servers {
                let _ = write!(html, "<th>{}</th>", escape(server));
            }
            html.push_str("</tr>\n");
            for client in &clients {
                let _ = write!(html, "<tr><th>{}</th>", escape(client));
                for server in &servers {
                    match self.cell(client, server, variant, version) {
                        Some(r) => {
                            let title = match (&r.cipher, r.detail.is_empty()) {
                                (Some(cipher), true) => cipher.clone(),
                                (Some(cipher), false) => format!("{cipher}: {}", r.detail),
                                (None, _) => r.detail.clone(),
                            };
                            let class = r.outcome.as_str();
                            let _ = write!(
                                html,
                                "<td class=\"{class}\" title=\"{}\">{class}</td>",
                                escape(&title)
                            );
                        }
                        None => html.push_str("<td class=\"none\">—</td>"),
                    }
                }
                html.push_str("</tr>\n");
            }
            html.push_str("</table>\n");
        }
        let failures: Vec<_> = self.failures().collect();
        let _ = writeln!(html, "<h3>Interop failures ({})</h3>", failures.len());
        if failures.is_empty() {
            html.push_str("<p>None.</p>\n");
        }
        for r in failures {
            let _ = writeln!(
                html,
                "<details><summary><span class=\"fail\"><code>{}</code></span></summary>\n\
                 <pre>{}</pre>\n</details>",
                escape(&r.label()),
                escape(&r.detail)
            );
        }
        html
    }
}

/// `text` on one line.
fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

// ---- planning ----

/// One cell to run.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Plan {
    /// Client name.
    client: String,
    /// Server name.
    server: String,
    /// Variant.
    variant: Variant,
    /// Version.
    version: Version,
}

/// Every cell to run: all backend pairs per version and variant (resumption included),
/// plus the openssl tool both ways in the basic variant only; with `selected`
/// non-empty, only the cells involving one of them.
fn plan(backends: &[&str], selected: &[String]) -> Vec<Plan> {
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
    fn has(&self, capability: &str) -> bool {
        match self {
            Caps::All => true,
            Caps::Declared(list) => list.iter().any(|c| c == capability),
        }
    }
}

/// Why a cell cannot run, from the two sides' capabilities; `None` if it can.
fn gate(
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

// ---- reading the peers' output ----

/// A peer's `handshake` event.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Handshake {
    /// The connection's number (`conn`), where the peer gives one.
    pub(crate) conn: Option<u64>,
    /// `TLSv1.3`.
    pub(crate) version: Option<String>,
    /// IANA name.
    pub(crate) cipher: Option<String>,
    /// The negotiated ALPN protocol.
    pub(crate) alpn: Option<String>,
    /// SNI received (server) or sent (client).
    pub(crate) sni: Option<String>,
    /// Whether the session was resumed.
    pub(crate) resumed: bool,
    /// The peer's chain as common names, leaf first; `None` when the backend cannot
    /// tell.
    pub(crate) peer_cns: Option<Vec<Option<String>>>,
}

/// A peer's `error` event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PeerError {
    /// The SPEC ERR kind, `VerificationFailure(UnknownIssuer)`.
    pub(crate) kind: String,
    /// The message.
    pub(crate) message: String,
}

/// Everything one peer printed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct PeerLog {
    /// The `listening` address.
    pub(crate) listening: Option<String>,
    /// `handshake` events.
    pub(crate) handshakes: Vec<Handshake>,
    /// `received` byte counts.
    pub(crate) received: Vec<u64>,
    /// How many `closed` events.
    pub(crate) closed: usize,
    /// `error` events.
    pub(crate) errors: Vec<PeerError>,
    /// Lines that are not peer events.
    pub(crate) other: Vec<String>,
}

impl PeerLog {
    /// Reads a peer's stdout.
    pub(crate) fn parse(lines: &[String]) -> PeerLog {
        let mut log = PeerLog::default();
        for line in lines {
            log.feed(line);
        }
        log
    }

    /// Reads one line.
    fn feed(&mut self, line: &str) {
        let Ok(event) = Json::parse(line) else {
            self.other.push(line.to_owned());
            return;
        };
        let text = |key: &str| event.get(key).and_then(Json::as_str).map(str::to_owned);
        match event.get("event").and_then(Json::as_str) {
            Some("listening") => self.listening = text("addr"),
            Some("handshake") => self.handshakes.push(Handshake {
                conn: match event.get("conn") {
                    Some(Json::Int(n)) => u64::try_from(*n).ok(),
                    _ => None,
                },
                version: text("version"),
                cipher: text("cipher"),
                alpn: text("alpn"),
                sni: text("sni"),
                resumed: event.get("resumed") == Some(&Json::Bool(true)),
                peer_cns: event
                    .get("peer_chain")
                    .and_then(Json::as_array)
                    .map(|chain| {
                        chain
                            .iter()
                            .map(|c| {
                                c.get("subject_cn")
                                    .and_then(Json::as_str)
                                    .map(str::to_owned)
                            })
                            .collect()
                    }),
            }),
            Some("received") => match event.get("bytes") {
                Some(Json::Int(n)) => self.received.push(u64::try_from(*n).unwrap_or(0)),
                _ => self.other.push(line.to_owned()),
            },
            Some("closed") => self.closed += 1,
            Some("error") => self.errors.push(PeerError {
                kind: text("kind").unwrap_or_default(),
                message: text("message").unwrap_or_default(),
            }),
            _ => self.other.push(line.to_owned()),
        }
    }
}

/// The address of a `listening` event line.
fn listening_addr(line: &str) -> Option<String> {
    let mut log = PeerLog::default();
    log.feed(line);
    log.listening
}

/// The `ACCEPT 127.0.0.1:PORT` line of `openssl s_server`.
fn s_server_addr(line: &str) -> Option<String> {
    line.strip_prefix("ACCEPT ")
        .map(str::trim)
        .filter(|addr| {
            addr.rsplit_once(':')
                .is_some_and(|(_, p)| p.parse::<u16>().is_ok())
        })
        .map(str::to_owned)
}

/// OpenSSL suite names to IANA names, from `openssl ciphers -stdname` lines
/// (`TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384 - ECDHE-ECDSA-AES256-GCM-SHA384 TLSv1.2 ...`).
pub(crate) fn parse_stdname(text: &str) -> BTreeMap<String, String> {
    text.lines()
        .filter_map(|line| {
            let mut words = line.split_whitespace();
            let iana = words.next()?;
            (words.next()? == "-").then_some(())?;
            let openssl = words.next()?;
            Some((openssl.to_owned(), iana.to_owned()))
        })
        .collect()
}

/// What `openssl s_client` printed about its session.
#[derive(Debug, Default, PartialEq, Eq)]
struct SClient {
    /// From `New, TLSv1.3, Cipher is X`.
    version: Option<String>,
    /// The same line's suite, OpenSSL's name.
    cipher: Option<String>,
    /// `Verify return code: 0 (ok)` was printed.
    verified: bool,
}

/// Reads `openssl s_client`'s stdout.
fn parse_s_client(lines: &[String]) -> SClient {
    let mut seen = SClient::default();
    for line in lines {
        let line = line.trim();
        if let Some(rest) = line.strip_prefix("New, ") {
            if let Some((version, cipher)) = rest.split_once(", Cipher is ") {
                seen.version = Some(version.trim().to_owned());
                seen.cipher = Some(cipher.trim().to_owned());
            }
        }
        if line == "Verify return code: 0 (ok)" {
            seen.verified = true;
        }
    }
    seen
}

/// The version and suite `openssl s_server` reports on stderr (`Protocol version:`,
/// `Ciphersuite:`).
fn parse_s_server(stderr: &str) -> (Option<String>, Option<String>) {
    let field = |name: &str| {
        stderr
            .lines()
            .find_map(|line| line.trim().strip_prefix(name))
            .map(|value| value.trim().to_owned())
    };
    (field("Protocol version:"), field("Ciphersuite:"))
}

// ---- judging ----

/// One end of a pair as the judge sees it.
#[derive(Debug)]
struct End<'a> {
    /// `client` or `server`.
    role: &'static str,
    /// The backend.
    name: &'a str,
    /// Its capabilities.
    caps: &'a Caps,
    /// What it printed.
    log: PeerLog,
    /// Whether it exited 0 by itself.
    success: bool,
    /// How it ended, in words.
    ended: String,
    /// The end of its stderr.
    stderr_tail: String,
}

impl<'a> End<'a> {
    /// The end of a finished peer process.
    fn new(role: &'static str, name: &'a str, caps: &'a Caps, finished: &Finished) -> End<'a> {
        End {
            role,
            name,
            caps,
            log: PeerLog::parse(&finished.stdout),
            success: finished.success(),
            ended: finished.describe(),
            stderr_tail: finished.stderr_tail(5),
        }
    }

    /// `Unsupported(X)` reported for a capability the backend does not declare.
    fn unsupported(&self) -> Option<String> {
        self.log.errors.iter().find_map(|e| {
            let capability = e.kind.strip_prefix("Unsupported(")?.strip_suffix(')')?;
            (!self.caps.has(capability))
                .then(|| format!("{} {}: {}", self.role, self.name, e.message))
        })
    }

    /// Problems with how the process ended and what it reported as errors.
    fn process_problems(&self, problems: &mut Vec<String>) {
        for e in &self.log.errors {
            problems.push(format!(
                "{} {}: {}: {}",
                self.role, self.name, e.kind, e.message
            ));
        }
        if !self.success {
            let mut text = format!("{} {} {}", self.role, self.name, self.ended);
            if self.log.errors.is_empty() && !self.stderr_tail.is_empty() {
                let _ = write!(text, " (stderr: {})", one_line(&self.stderr_tail));
            }
            problems.push(text);
        }
    }

    /// The one handshake, or a problem.
    fn handshake(&self, problems: &mut Vec<String>) -> Option<&Handshake> {
        match self.log.handshakes.as_slice() {
            [one] => Some(one),
            [] => None, // the errors say why
            many => {
                problems.push(format!(
                    "{} {} reported {} handshakes, expected 1",
                    self.role,
                    self.name,
                    many.len()
                ));
                None
            }
        }
    }

    /// Exactly `n` handshakes in connection order, or a problem.
    fn handshakes(&self, n: usize, problems: &mut Vec<String>) -> Option<Vec<&Handshake>> {
        let mut all: Vec<&Handshake> = self.log.handshakes.iter().collect();
        all.sort_by_key(|hs| hs.conn.unwrap_or(u64::MAX));
        if all.len() == n {
            return Some(all);
        }
        // None at all: the errors say why, if there are any.
        if !all.is_empty() || self.log.errors.is_empty() {
            problems.push(format!(
                "{} {} reported {} handshakes, expected {n}",
                self.role,
                self.name,
                all.len()
            ));
        }
        None
    }

    /// Checks a handshake's version and suite; `which` names the connection in the
    /// problem (`""` or ` (connection 2)`).
    fn check_handshake(
        &self,
        hs: &Handshake,
        version: Version,
        which: &str,
        problems: &mut Vec<String>,
    ) {
        if hs.version.as_deref() != Some(version.name()) {
            problems.push(format!(
                "{} {} negotiated {}, expected {} (pinned){which}",
                self.role,
                self.name,
                hs.version.as_deref().unwrap_or("no version"),
                version.name()
            ));
        }
        if hs.cipher.is_none() {
            problems.push(format!(
                "{} {} reports no cipher suite{which}",
                self.role, self.name
            ));
        }
    }

    /// Checks that each of `connections` connections echoed `bytes` octets and closed
    /// cleanly.
    fn check_io(&self, connections: usize, bytes: u64, problems: &mut Vec<String>) {
        if self.log.received != vec![bytes; connections] {
            problems.push(format!(
                "{} {} received {:?} octets, expected {:?}",
                self.role,
                self.name,
                self.log.received,
                vec![bytes; connections]
            ));
        }
        if self.log.closed != connections {
            problems.push(match connections {
                1 => format!("{} {} did not close cleanly", self.role, self.name),
                n => format!(
                    "{} {} closed cleanly {} times, expected {n}",
                    self.role, self.name, self.log.closed
                ),
            });
        }
    }

    /// Checks the handshake's version and the echo count and close.
    fn check_common(
        &self,
        hs: &Handshake,
        version: Version,
        bytes: u64,
        problems: &mut Vec<String>,
    ) {
        self.check_handshake(hs, version, "", problems);
        self.check_io(1, bytes, problems);
    }

    /// Checks that the peer's leaf has common name `cn` (when the backend can tell).
    fn check_peer_cn(&self, hs: &Handshake, cn: &str, problems: &mut Vec<String>) {
        if let Some(chain) = &hs.peer_cns {
            let leaf = chain.first().cloned().flatten();
            if leaf.as_deref() != Some(cn) {
                problems.push(format!(
                    "{} {} saw peer leaf {:?}, expected CN {cn}",
                    self.role, self.name, leaf
                ));
            }
        }
    }
}

/// The verdict of one cell.
#[derive(Debug, PartialEq)]
struct Verdict {
    /// pass, fail or unsupported.
    outcome: Outcome,
    /// The suite, when known.
    cipher: Option<String>,
    /// Why, unless it passed.
    detail: String,
}

impl Verdict {
    /// From the problems found: none is a pass.
    fn from_problems(problems: Vec<String>, cipher: Option<String>) -> Verdict {
        if problems.is_empty() {
            Verdict {
                outcome: Outcome::Pass,
                cipher,
                detail: String::new(),
            }
        } else {
            Verdict {
                outcome: Outcome::Fail,
                cipher,
                detail: problems.join("; "),
            }
        }
    }

    /// A fail for one reason.
    fn fail(detail: impl Into<String>) -> Verdict {
        Verdict {
            outcome: Outcome::Fail,
            cipher: None,
            detail: detail.into(),
        }
    }
}

/// What a peer × peer cell must show.
#[derive(Debug, Clone, Copy)]
struct Expect {
    /// The pinned version.
    version: Version,
    /// The ALPN protocol both must report.
    alpn: Option<&'static str>,
    /// The octets each side must count.
    bytes: u64,
    /// The client certificate's CN the server must see.
    client_cn: Option<&'static str>,
}

impl Expect {
    /// What `variant` at `version` must show.
    fn of(variant: Variant, version: Version) -> Expect {
        Expect {
            version,
            alpn: (variant == Variant::Alpn).then_some("http/1.1"),
            bytes: match variant {
                Variant::Basic => BULK,
                _ => TEXT.len() as u64,
            },
            client_cn: (variant == Variant::ClientAuth).then_some(CLIENT_CN),
        }
    }
}

/// Judges a peer × peer cell.
fn judge_pair(expect: Expect, client: &End<'_>, server: &End<'_>) -> Verdict {
    if let Some(reason) = client.unsupported().or_else(|| server.unsupported()) {
        return Verdict {
            outcome: Outcome::Unsupported,
            cipher: None,
            detail: reason,
        };
    }
    let mut problems = Vec::new();
    client.process_problems(&mut problems);
    server.process_problems(&mut problems);
    let c = client.handshake(&mut problems);
    let s = server.handshake(&mut problems);
    if let Some(c) = c {
        client.check_common(c, expect.version, expect.bytes, &mut problems);
        client.check_peer_cn(c, SERVER_NAME, &mut problems);
        if c.sni.as_deref() != Some(SERVER_NAME) {
            problems.push(format!(
                "client {} sent SNI {:?}, expected {SERVER_NAME}",
                client.name, c.sni
            ));
        }
    }
    if let Some(s) = s {
        server.check_common(s, expect.version, expect.bytes, &mut problems);
        if s.sni.as_deref() != Some(SERVER_NAME) {
            problems.push(format!(
                "server {} saw SNI {:?}, expected {SERVER_NAME}",
                server.name, s.sni
            ));
        }
        if let Some(cn) = expect.client_cn {
            server.check_peer_cn(s, cn, &mut problems);
        }
    }
    if let (Some(c), Some(s)) = (c, s) {
        if c.cipher != s.cipher {
            problems.push(format!(
                "the ends disagree on the suite: client {:?}, server {:?}",
                c.cipher, s.cipher
            ));
        }
        for (end, hs) in [(client, c), (server, s)] {
            if hs.alpn.as_deref() != expect.alpn {
                problems.push(format!(
                    "{} {} reports ALPN {:?}, expected {:?}",
                    end.role, end.name, hs.alpn, expect.alpn
                ));
            }
        }
    } else if problems.is_empty() {
        problems.push("no handshake was reported".into());
    }
    let cipher = c
        .and_then(|c| c.cipher.clone())
        .or_else(|| s.and_then(|s| s.cipher.clone()));
    Verdict::from_problems(problems, cipher)
}

/// Judges a resumption cell: two connections, the first a full handshake and the second
/// resumed, at both ends.
fn judge_resumption(version: Version, client: &End<'_>, server: &End<'_>) -> Verdict {
    if let Some(reason) = client.unsupported().or_else(|| server.unsupported()) {
        return Verdict {
            outcome: Outcome::Unsupported,
            cipher: None,
            detail: reason,
        };
    }
    let mut problems = Vec::new();
    client.process_problems(&mut problems);
    server.process_problems(&mut problems);
    let n = RESUMPTION_CONNECTIONS;
    let c = client.handshakes(n, &mut problems);
    let s = server.handshakes(n, &mut problems);
    for (end, handshakes) in [(client, &c), (server, &s)] {
        end.check_io(n, TEXT.len() as u64, &mut problems);
        let Some(handshakes) = handshakes else {
            continue;
        };
        for (i, hs) in handshakes.iter().enumerate() {
            let which = format!(" (connection {})", i + 1);
            end.check_handshake(hs, version, &which, &mut problems);
            let (want, why) = if i == 0 {
                (false, "a full handshake on its first connection")
            } else {
                (true, "a resumed session on its second connection")
            };
            if hs.resumed != want {
                problems.push(format!(
                    "{} {} reports resumed: {}{which}, expected {why}",
                    end.role, end.name, hs.resumed
                ));
            }
        }
    }
    if let Some(c) = &c {
        client.check_peer_cn(c[0], SERVER_NAME, &mut problems);
        if c[0].sni.as_deref() != Some(SERVER_NAME) {
            problems.push(format!(
                "client {} sent SNI {:?}, expected {SERVER_NAME}",
                client.name, c[0].sni
            ));
        }
    }
    match (&c, &s) {
        (Some(c), Some(s)) => {
            for (i, (c, s)) in c.iter().zip(s).enumerate() {
                if c.cipher != s.cipher {
                    problems.push(format!(
                        "the ends disagree on the suite (connection {}): client {:?}, \
                         server {:?}",
                        i + 1,
                        c.cipher,
                        s.cipher
                    ));
                }
            }
        }
        _ if problems.is_empty() => problems.push("no handshake was reported".into()),
        _ => {}
    }
    let cipher = c
        .as_ref()
        .and_then(|c| c[0].cipher.clone())
        .or_else(|| s.as_ref().and_then(|s| s[0].cipher.clone()));
    Verdict::from_problems(problems, cipher)
}

/// The suite `name` (an OpenSSL name) as its IANA name, if known.
fn iana<'a>(ciphers: &'a BTreeMap<String, String>, name: &'a str) -> &'a str {
    ciphers.get(name).map_or(name, String::as_str)
}

/// Judges a client peer against `openssl s_server -rev`.
fn judge_vs_s_server(
    version: Version,
    client: &End<'_>,
    s_server: &Finished,
    ciphers: &BTreeMap<String, String>,
) -> Verdict {
    if let Some(reason) = client.unsupported() {
        return Verdict {
            outcome: Outcome::Unsupported,
            cipher: None,
            detail: reason,
        };
    }
    let mut problems = Vec::new();
    client.process_problems(&mut problems);
    let c = client.handshake(&mut problems);
    if let Some(c) = c {
        client.check_common(c, version, rev_line().0.len() as u64, &mut problems);
        client.check_peer_cn(c, SERVER_NAME, &mut problems);
    }
    let (s_version, s_cipher) = parse_s_server(&s_server.stderr);
    if !s_server.success() {
        problems.push(format!(
            "openssl s_server {} (stderr: {})",
            s_server.describe(),
            one_line(&s_server.stderr_tail(5))
        ));
    }
    let tool = ToolSession {
        tool: "openssl s_server",
        version: s_version.as_deref(),
        suite: s_cipher.as_deref(),
    };
    tool.check_against(c, version, ciphers, &mut problems);
    let cipher = c.and_then(|c| c.cipher.clone());
    Verdict::from_problems(problems, cipher)
}

/// What an `openssl` command-line peer printed of its session.
struct ToolSession<'a> {
    /// `openssl s_server` or `openssl s_client`.
    tool: &'static str,
    /// The version it printed, `TLSv1.3`.
    version: Option<&'a str>,
    /// The suite it printed, OpenSSL's name.
    suite: Option<&'a str>,
}

impl ToolSession<'_> {
    /// Checks the tool's session against the expected version and the unitls end's
    /// handshake report (`None` when the end reported none).
    fn check_against(
        &self,
        end: Option<&Handshake>,
        version: Version,
        ciphers: &BTreeMap<String, String>,
        problems: &mut Vec<String>,
    ) {
        let tool = self.tool;
        match (self.version, self.suite, end) {
            (Some(v), Some(suite), Some(end)) => {
                if v != version.name() {
                    problems.push(format!(
                        "{tool} negotiated {v}, expected {}",
                        version.name()
                    ));
                }
                if Some(iana(ciphers, suite)) != end.cipher.as_deref() {
                    problems.push(format!(
                        "the ends disagree on the suite: {tool} {suite}, unitls end {:?}",
                        end.cipher
                    ));
                }
            }
            (_, _, Some(_)) => problems.push(format!("{tool} did not report its session")),
            (_, _, None) if problems.is_empty() => {
                problems.push("no handshake was reported".into())
            }
            _ => {}
        }
    }
}

/// Judges `openssl s_client` against a server peer.
fn judge_s_client(
    version: Version,
    server: &End<'_>,
    s_client: &Finished,
    echoed: bool,
    ciphers: &BTreeMap<String, String>,
) -> Verdict {
    if let Some(reason) = server.unsupported() {
        return Verdict {
            outcome: Outcome::Unsupported,
            cipher: None,
            detail: reason,
        };
    }
    let mut problems = Vec::new();
    server.process_problems(&mut problems);
    let s = server.handshake(&mut problems);
    if let Some(s) = s {
        server.check_common(s, version, S_CLIENT_LINE.len() as u64 + 1, &mut problems);
        if s.sni.as_deref() != Some(SERVER_NAME) {
            problems.push(format!(
                "server {} saw SNI {:?}, expected {SERVER_NAME}",
                server.name, s.sni
            ));
        }
    }
    let seen = parse_s_client(&s_client.stdout);
    if !s_client.success() {
        problems.push(format!(
            "openssl s_client {} (stderr: {})",
            s_client.describe(),
            one_line(&s_client.stderr_tail(5))
        ));
    }
    if !seen.verified {
        problems.push("openssl s_client did not print `Verify return code: 0 (ok)`".into());
    }
    if !echoed {
        problems.push("openssl s_client did not get its line back".into());
    }
    let tool = ToolSession {
        tool: "openssl s_client",
        version: seen.version.as_deref(),
        suite: seen.cipher.as_deref(),
    };
    tool.check_against(s, version, ciphers, &mut problems);
    let cipher = s.and_then(|s| s.cipher.clone());
    Verdict::from_problems(problems, cipher)
}

/// What a client peer sends to `openssl s_server -rev`, and what must come back: the
/// line reversed, newline kept.
fn rev_line() -> (String, String) {
    let sent = format!("{TEXT}\n");
    let back: String = TEXT.chars().rev().collect();
    (sent, format!("{back}\n"))
}

// ---- running ----

/// A peer binary for one backend, or why there is none.
#[derive(Debug)]
struct Peer {
    /// The built binary.
    path: Result<PathBuf, String>,
    /// What the backend declares.
    caps: Caps,
}

/// The openssl tool, if present.
#[derive(Debug)]
struct OpensslCli {
    /// OpenSSL suite names to IANA names.
    ciphers: BTreeMap<String, String>,
}

/// Everything the cells need.
struct Env {
    /// The fixtures directory, or why there is none.
    fixtures: Result<PathBuf, String>,
    /// The peers by backend name.
    peers: BTreeMap<String, Peer>,
    /// The openssl tool, or why it cannot be used.
    openssl: Result<OpensslCli, String>,
}

impl Env {
    /// A fixture file.
    fn fixture(&self, name: &str) -> String {
        match &self.fixtures {
            Ok(dir) => dir.join(name).display().to_string(),
            Err(_) => name.to_owned(),
        }
    }

    /// The peer of `name`, or why there is none.
    fn peer(&self, name: &str) -> Result<(&Path, &Caps), String> {
        let peer = self
            .peers
            .get(name)
            .ok_or_else(|| format!("no peer for backend {name}"))?;
        match &peer.path {
            Ok(path) => Ok((path, &peer.caps)),
            Err(e) => Err(format!("the {name} peer could not be built: {e}")),
        }
    }

    /// The capabilities of a side.
    fn caps(&self, name: &str) -> Caps {
        self.peers.get(name).map_or(Caps::All, |p| p.caps.clone())
    }
}

/// `cargo xtask interop`: prereqs, then the matrix alone; writes `<out>/interop.json`.
pub(crate) fn run_task(args: &crate::flags::ConformanceArgs) -> crate::Result<()> {
    crate::prereqs::run()?;
    let root = workspace::root();
    let known = workspace::backend_crates(&root);
    if let Some(unknown) = args.backends.iter().find(|b| !known.contains(&b.as_str())) {
        return Err(format!(
            "backend `{unknown}` has no crate in the workspace (available: {})",
            known.join(", ")
        )
        .into());
    }
    let out = args
        .out
        .clone()
        .unwrap_or_else(|| root.join("target").join("unitls-report"));
    std::fs::create_dir_all(&out).map_err(|e| format!("cannot create {}: {e}", out.display()))?;
    let out = out
        .canonicalize()
        .map_err(|e| format!("cannot resolve {}: {e}", out.display()))?;
    let matrix = run(&root, &out, &args.backends);
    let openssl = Command::new("openssl")
        .arg("version")
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned());
    let json = Json::object([
        ("schema", Json::str("unitls-interop/1")),
        ("openssl_cli", Json::opt_str(openssl)),
        ("duration_secs", Json::Float(matrix.duration.as_secs_f64())),
        ("interop", matrix.to_json()),
    ]);
    let path = out.join("interop.json");
    std::fs::write(&path, json.to_pretty())
        .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    print!("\n{}", matrix.terminal_summary());
    println!(
        "interop: {} in {:.1} s",
        matrix.counts_text(),
        matrix.duration.as_secs_f64()
    );
    println!("report: {}", path.display());
    match matrix.count(Outcome::Fail) {
        0 => Ok(()),
        n => Err(format!("interop: {n} cells failed").into()),
    }
}

/// Builds everything, runs every planned cell (printing progress) and returns the
/// matrix. `selected` limits it to the cells involving those backends.
pub(crate) fn run(root: &Path, out: &Path, selected: &[String]) -> Matrix {
    let started = Instant::now();
    let backends = workspace::backend_crates(root);
    println!("==> interop: fixtures and one unitls-peer per backend");
    let fixtures = make_fixtures(root, &out.join("fixtures"));
    if let Err(e) = &fixtures {
        eprintln!("!!! interop: {e}");
    }
    let mut peers = BTreeMap::new();
    for name in &backends {
        let caps = match codegen::declared_capabilities(root, name) {
            Ok(list) => Caps::Declared(list),
            Err(e) => {
                eprintln!("!!! interop: {e}; running every {name} cell");
                Caps::All
            }
        };
        let path = peer::build(root, name).map_err(|e| e.to_string());
        if let Err(e) = &path {
            eprintln!("!!! interop: the {name} peer did not build: {e}");
        }
        peers.insert((*name).to_owned(), Peer { path, caps });
    }
    let openssl = openssl_cli();
    if let Err(e) = &openssl {
        eprintln!("!!! interop: {e}");
    }
    let env = Env {
        fixtures,
        peers,
        openssl,
    };

    let plans = plan(&backends, selected);
    println!(
        "==> interop: {} cells (client x server, TLS 1.2 and 1.3, variants basic / alpn / \
         client-auth / resumption, and {OPENSSL_CLI} both ways in basic)",
        plans.len()
    );
    let mut matrix = Matrix {
        names: backends
            .iter()
            .map(|n| (*n).to_owned())
            .chain([OPENSSL_CLI.to_owned()])
            .collect(),
        ..Matrix::default()
    };
    let mut group = None;
    for plan in plans {
        let this_group = (plan.version, plan.variant);
        if group != Some(this_group) {
            if group.is_some() {
                println!();
            }
            print!("    {} {:<12} ", plan.version.name(), plan.variant.name());
            group = Some(this_group);
        }
        let verdict = run_cell(&env, &plan);
        print!("{}", verdict.outcome.mark());
        let _ = std::io::stdout().flush();
        matrix.results.push(InteropResult {
            client: plan.client,
            server: plan.server,
            variant: plan.variant,
            version: plan.version,
            outcome: verdict.outcome,
            cipher: verdict.cipher,
            detail: verdict.detail,
        });
    }
    println!();
    matrix.duration = started.elapsed();
    matrix
}

/// Generates the fixtures into `dir` with the fixtures binary.
fn make_fixtures(root: &Path, dir: &Path) -> Result<PathBuf, String> {
    let mut command = cargo(root);
    command.args([
        "run",
        "--quiet",
        "-p",
        "unitls-conformance",
        "--bin",
        "unitls-fixtures",
        "--",
        "--out",
    ]);
    command.arg(dir);
    let shown = display(&command);
    println!("$ {shown}");
    let output = command
        .output()
        .map_err(|e| format!("cannot run `{shown}`: {e}"))?;
    if !output.status.success() {
        return Err(format!(
            "`{shown}` failed ({}): {}",
            output.status,
            String::from_utf8_lossy(&output.stderr).trim()
        ));
    }
    let printed = String::from_utf8_lossy(&output.stdout).trim().to_owned();
    Ok(if printed.is_empty() {
        dir.to_path_buf()
    } else {
        PathBuf::from(printed)
    })
}

/// Checks the openssl tool and reads its suite names.
fn openssl_cli() -> Result<OpensslCli, String> {
    let output = Command::new("openssl")
        .args(["ciphers", "-stdname", "ALL"])
        .output()
        .map_err(|e| {
            format!(
                "the `openssl` tool cannot run ({e}); SPEC INTEROP needs it (cargo xtask prereqs)"
            )
        })?;
    if !output.status.success() {
        return Err(format!(
            "`openssl ciphers -stdname ALL` failed ({})",
            output.status
        ));
    }
    Ok(OpensslCli {
        ciphers: parse_stdname(&String::from_utf8_lossy(&output.stdout)),
    })
}

/// Runs one cell.
fn run_cell(env: &Env, plan: &Plan) -> Verdict {
    let (client_caps, server_caps) = (env.caps(&plan.client), env.caps(&plan.server));
    if let Some(reason) = gate(
        (&plan.client, &client_caps),
        (&plan.server, &server_caps),
        plan.variant,
        plan.version,
    ) {
        return Verdict {
            outcome: Outcome::Unsupported,
            cipher: None,
            detail: reason,
        };
    }
    if let Err(e) = &env.fixtures {
        return Verdict::fail(format!("no fixtures: {e}"));
    }
    let result = if plan.server == OPENSSL_CLI {
        peer_vs_s_server(env, plan)
    } else if plan.client == OPENSSL_CLI {
        s_client_vs_peer(env, plan)
    } else {
        peer_pair(env, plan)
    };
    result.unwrap_or_else(Verdict::fail)
}

/// The server peer's arguments.
fn server_args(env: &Env, variant: Variant, version: Version) -> Vec<String> {
    let connections = match variant {
        Variant::Resumption => RESUMPTION_CONNECTIONS,
        _ => 1,
    }
    .to_string();
    let mut args: Vec<String> = [
        "server",
        "--listen",
        "127.0.0.1:0",
        "--max-connections",
        &connections,
        "--handshake-timeout",
        "10",
        "--min-version",
        version.arg(),
        "--max-version",
        version.arg(),
    ]
    .map(String::from)
    .to_vec();
    args.extend([
        "--cert".to_owned(),
        env.fixture("server-chain.pem"),
        "--key".to_owned(),
        env.fixture("server-key.pem"),
    ]);
    match variant {
        Variant::Basic | Variant::Resumption => {}
        Variant::Alpn => args.extend(["--alpn".to_owned(), "http/1.1".to_owned()]),
        Variant::ClientAuth => args.extend([
            "--client-ca".to_owned(),
            env.fixture("ca.pem"),
            "--client-auth".to_owned(),
            "required".to_owned(),
        ]),
    }
    args
}

/// The client peer's arguments common to every cell.
fn client_args(env: &Env, addr: &str, version: Version) -> Vec<String> {
    let mut args: Vec<String> = [
        "client",
        "--connect",
        addr,
        "--sni",
        SERVER_NAME,
        "--handshake-timeout",
        "10",
        "--min-version",
        version.arg(),
        "--max-version",
        version.arg(),
    ]
    .map(String::from)
    .to_vec();
    args.extend(["--ca".to_owned(), env.fixture("ca.pem")]);
    args
}

/// The client peer's arguments for `variant`.
fn client_variant_args(env: &Env, variant: Variant) -> Vec<String> {
    match variant {
        Variant::Basic => vec!["--send-bytes".to_owned(), BULK.to_string()],
        Variant::Alpn => vec!["--alpn".to_owned(), "h2,http/1.1".to_owned()],
        Variant::ClientAuth => vec![
            "--cert".to_owned(),
            env.fixture("client-chain.pem"),
            "--key".to_owned(),
            env.fixture("client-key.pem"),
        ],
        Variant::Resumption => vec![
            "--resume".to_owned(),
            (RESUMPTION_CONNECTIONS - 1).to_string(),
        ],
    }
}

/// Starts `command`, waits for the line `addr_of` recognises, and returns the process
/// and the address; on failure, why (with what it printed).
fn start_server(
    command: &mut Command,
    addr_of: impl FnMut(&str) -> Option<String>,
) -> Result<(Running, String), String> {
    let mut server = Running::spawn(command, false)?;
    let deadline = Instant::now() + PROCESS_TIMEOUT;
    match server.line_until(deadline, addr_of) {
        Some(addr) => Ok((server, addr)),
        None => {
            let finished = server.finish(Instant::now());
            Err(format!(
                "`{}` never said where it listens ({}); stdout: {}; stderr: {}",
                finished.shown,
                finished.describe(),
                one_line(&finished.stdout.join("\n")),
                one_line(&finished.stderr_tail(5))
            ))
        }
    }
}

/// A client peer against a server peer.
fn peer_pair(env: &Env, plan: &Plan) -> Result<Verdict, String> {
    let (server_path, server_caps) = env.peer(&plan.server)?;
    let (client_path, client_caps) = env.peer(&plan.client)?;
    let (server, addr) = start_server(
        Command::new(server_path).args(server_args(env, plan.variant, plan.version)),
        listening_addr,
    )?;
    let client = Running::spawn(
        Command::new(client_path)
            .args(client_args(env, &addr, plan.version))
            .args(client_variant_args(env, plan.variant)),
        false,
    )?;
    let client = client.finish(Instant::now() + PROCESS_TIMEOUT);
    let grace = if client.success() {
        PROCESS_TIMEOUT
    } else {
        SERVER_GRACE
    };
    let server = server.finish(Instant::now() + grace);
    let client = End::new("client", &plan.client, client_caps, &client);
    let server = End::new("server", &plan.server, server_caps, &server);
    Ok(match plan.variant {
        Variant::Resumption => judge_resumption(plan.version, &client, &server),
        _ => judge_pair(Expect::of(plan.variant, plan.version), &client, &server),
    })
}

/// A client peer against `openssl s_server -rev`.
fn peer_vs_s_server(env: &Env, plan: &Plan) -> Result<Verdict, String> {
    let openssl = env.openssl.as_ref().map_err(Clone::clone)?;
    let (client_path, client_caps) = env.peer(&plan.client)?;
    let mut command = Command::new("openssl");
    command.args([
        "s_server",
        "-accept",
        "127.0.0.1:0",
        "-naccept",
        "1",
        "-rev",
    ]);
    command.arg(plan.version.openssl_flag());
    command.arg("-cert").arg(env.fixture("server-leaf.pem"));
    command
        .arg("-cert_chain")
        .arg(env.fixture("intermediate.pem"));
    command.arg("-key").arg(env.fixture("server-key.pem"));
    let (server, addr) = start_server(&mut command, s_server_addr)?;
    let (sent, back) = rev_line();
    let mut args = client_args(env, &addr, plan.version);
    args.extend(["--send".to_owned(), sent, "--expect".to_owned(), back]);
    let client = Running::spawn(Command::new(client_path).args(args), false)?;
    let client = client.finish(Instant::now() + PROCESS_TIMEOUT);
    let grace = if client.success() {
        PROCESS_TIMEOUT
    } else {
        SERVER_GRACE
    };
    let server = server.finish(Instant::now() + grace);
    Ok(judge_vs_s_server(
        plan.version,
        &End::new("client", &plan.client, client_caps, &client),
        &server,
        &openssl.ciphers,
    ))
}

/// `openssl s_client` against a server peer.
fn s_client_vs_peer(env: &Env, plan: &Plan) -> Result<Verdict, String> {
    let openssl = env.openssl.as_ref().map_err(Clone::clone)?;
    let (server_path, server_caps) = env.peer(&plan.server)?;
    let (server, addr) = start_server(
        Command::new(server_path).args(server_args(env, Variant::Basic, plan.version)),
        listening_addr,
    )?;
    let mut command = Command::new("openssl");
    command.args(["s_client", "-connect", &addr, "-servername", SERVER_NAME]);
    command.args([
        "-verify_hostname",
        SERVER_NAME,
        "-verify_return_error",
        "-nocommands",
    ]);
    command.arg(plan.version.openssl_flag());
    command.arg("-CAfile").arg(env.fixture("ca.pem"));
    let mut client = Running::spawn(&mut command, true)?;
    let echoed = client
        .write_stdin(format!("{S_CLIENT_LINE}\n").as_bytes())
        .is_ok()
        && client
            .line_until(Instant::now() + PROCESS_TIMEOUT, |line| {
                (line == S_CLIENT_LINE).then_some(())
            })
            .is_some();
    // End of input: s_client sends close_notify and exits.
    client.close_stdin();
    let client = client.finish(Instant::now() + PROCESS_TIMEOUT);
    let grace = if client.success() {
        PROCESS_TIMEOUT
    } else {
        SERVER_GRACE
    };
    let server = server.finish(Instant::now() + grace);
    Ok(judge_s_client(
        plan.version,
        &End::new("server", &plan.server, server_caps, &server),
        &client,
        echoed,
        &openssl.ciphers,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(text: &[&str]) -> Vec<String> {
        text.iter().map(|l| (*l).to_owned()).collect()
    }

    const CLIENT_OK: [&str; 3] = [
        r#"{"event":"handshake","version":"TLSv1.3","cipher":"TLS_AES_128_GCM_SHA256","alpn":null,"sni":"localhost","resumed":false,"peer_chain":[{"subject_cn":"localhost","serial":"1001"},{"subject_cn":"unitls test intermediate","serial":"AB"}]}"#,
        r#"{"event":"received","bytes":1048576}"#,
        r#"{"event":"closed"}"#,
    ];

    const SERVER_OK: [&str; 4] = [
        r#"{"event":"listening","addr":"127.0.0.1:4433"}"#,
        r#"{"event":"handshake","conn":1,"version":"TLSv1.3","cipher":"TLS_AES_128_GCM_SHA256","alpn":null,"sni":"localhost","resumed":false,"peer_chain":[]}"#,
        r#"{"event":"received","conn":1,"bytes":1048576}"#,
        r#"{"event":"closed","conn":1}"#,
    ];

    fn end<'a>(
        role: &'static str,
        name: &'a str,
        caps: &'a Caps,
        out: &[&str],
        success: bool,
    ) -> End<'a> {
        End {
            role,
            name,
            caps,
            log: PeerLog::parse(&lines(out)),
            success,
            ended: if success {
                "exit code 0".into()
            } else {
                "exit code 1".into()
            },
            stderr_tail: String::new(),
        }
    }

    #[test]
    fn peer_events_are_read() {
        let log = PeerLog::parse(&lines(&SERVER_OK));
        assert_eq!(log.listening.as_deref(), Some("127.0.0.1:4433"));
        assert_eq!(log.received, [1_048_576]);
        assert_eq!(log.closed, 1);
        assert_eq!(log.handshakes[0].sni.as_deref(), Some("localhost"));
        assert_eq!(log.handshakes[0].peer_cns, Some(Vec::new()));
        let client = PeerLog::parse(&lines(&CLIENT_OK));
        assert_eq!(
            client.handshakes[0].peer_cns.as_ref().unwrap()[0].as_deref(),
            Some("localhost")
        );
        assert!(!client.handshakes[0].resumed);
        assert_eq!(client.handshakes[0].conn, None);
        assert_eq!(log.handshakes[0].conn, Some(1));
        let odd = PeerLog::parse(&lines(&[
            "garbage",
            r#"{"event":"error","kind":"Syscall","message":"eof"}"#,
            r#"{"event":"handshake","version":"TLSv1.2","cipher":null,"peer_chain":null}"#,
        ]));
        assert_eq!(odd.other, ["garbage"]);
        assert_eq!(odd.errors[0].kind, "Syscall");
        assert_eq!(odd.handshakes[0].peer_cns, None);
        assert_eq!(
            listening_addr(SERVER_OK[0]).as_deref(),
            Some("127.0.0.1:4433")
        );
        assert_eq!(listening_addr(CLIENT_OK[0]), None);
    }

    #[test]
    fn matching_ends_pass_and_mismatches_fail() {
        let caps = Caps::All;
        let expect = Expect::of(Variant::Basic, Version::Tls13);
        let verdict = judge_pair(
            expect,
            &end("client", "rustls", &caps, &CLIENT_OK, true),
            &end("server", "boring", &caps, &SERVER_OK, true),
        );
        assert_eq!(verdict.outcome, Outcome::Pass, "{}", verdict.detail);
        assert_eq!(verdict.cipher.as_deref(), Some("TLS_AES_128_GCM_SHA256"));

        let other_suite =
            SERVER_OK.map(|l| l.replace("TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384"));
        let other_suite: Vec<&str> = other_suite.iter().map(String::as_str).collect();
        let verdict = judge_pair(
            expect,
            &end("client", "rustls", &caps, &CLIENT_OK, true),
            &end("server", "boring", &caps, &other_suite, true),
        );
        assert_eq!(verdict.outcome, Outcome::Fail);
        assert!(
            verdict.detail.contains("disagree on the suite"),
            "{}",
            verdict.detail
        );

        let verdict = judge_pair(
            Expect::of(Variant::Basic, Version::Tls12),
            &end("client", "rustls", &caps, &CLIENT_OK, true),
            &end("server", "boring", &caps, &SERVER_OK, true),
        );
        assert!(
            verdict
                .detail
                .contains("negotiated TLSv1.3, expected TLSv1.2"),
            "{}",
            verdict.detail
        );

        let verdict = judge_pair(
            Expect::of(Variant::Alpn, Version::Tls13),
            &end("client", "rustls", &caps, &CLIENT_OK, true),
            &end("server", "boring", &caps, &SERVER_OK, true),
        );
        assert!(
            verdict
                .detail
                .contains("ALPN None, expected Some(\"http/1.1\")"),
            "{}",
            verdict.detail
        );

        let failed =
            [r#"{"event":"error","kind":"VerificationFailure(UnknownIssuer)","message":"bad"}"#];
        let verdict = judge_pair(
            expect,
            &end("client", "rustls", &caps, &failed, false),
            &end("server", "boring", &caps, &SERVER_OK[..1], false),
        );
        assert_eq!(verdict.outcome, Outcome::Fail);
        assert!(
            verdict
                .detail
                .starts_with("client rustls: VerificationFailure(UnknownIssuer): bad"),
            "{}",
            verdict.detail
        );
    }

    #[test]
    fn unsupported_needs_an_undeclared_capability() {
        let declared = Caps::Declared(vec!["Tls12".into()]);
        let refused = [r#"{"event":"error","kind":"Unsupported(ClientAuth)","message":"no"}"#];
        let verdict = judge_pair(
            Expect::of(Variant::ClientAuth, Version::Tls12),
            &end("client", "native-tls", &declared, &refused, false),
            &end("server", "rustls", &Caps::All, &SERVER_OK[..1], false),
        );
        assert_eq!(verdict.outcome, Outcome::Unsupported);
        assert_eq!(verdict.detail, "client native-tls: no");
        // Declared, yet refused: a failure.
        let verdict = judge_pair(
            Expect::of(Variant::ClientAuth, Version::Tls12),
            &end("client", "rustls", &Caps::All, &refused, false),
            &end("server", "rustls", &Caps::All, &SERVER_OK[..1], false),
        );
        assert_eq!(verdict.outcome, Outcome::Fail);
    }

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

    /// The events of a resumption cell's end: two connections (`conn` 1 and 2), the
    /// first with `resumed` `first`, the second with `second`.
    fn resumption_log(server: bool, first: bool, second: bool) -> Vec<String> {
        let mut out = Vec::new();
        if server {
            out.push(r#"{"event":"listening","addr":"127.0.0.1:4433"}"#.to_owned());
        }
        let chain = if server {
            "[]"
        } else {
            r#"[{"subject_cn":"localhost","serial":"1001"}]"#
        };
        for (conn, resumed) in [(1, first), (2, second)] {
            out.push(format!(
                r#"{{"event":"handshake","conn":{conn},"version":"TLSv1.3","cipher":"TLS_AES_128_GCM_SHA256","alpn":null,"sni":"localhost","resumed":{resumed},"peer_chain":{chain}}}"#
            ));
            out.push(format!(
                r#"{{"event":"received","conn":{conn},"bytes":22}}"#
            ));
            out.push(format!(r#"{{"event":"closed","conn":{conn}}}"#));
        }
        out
    }

    fn resumption_end<'a>(
        role: &'static str,
        name: &'a str,
        caps: &'a Caps,
        out: &[String],
    ) -> End<'a> {
        let out: Vec<&str> = out.iter().map(String::as_str).collect();
        end(role, name, caps, &out, true)
    }

    #[test]
    fn resumption_needs_a_full_then_a_resumed_handshake_at_both_ends() {
        let caps = Caps::All;
        let judge = |client: &[String], server: &[String]| {
            judge_resumption(
                Version::Tls13,
                &resumption_end("client", "rustls", &caps, client),
                &resumption_end("server", "openssl", &caps, server),
            )
        };
        let verdict = judge(
            &resumption_log(false, false, true),
            &resumption_log(true, false, true),
        );
        assert_eq!(verdict.outcome, Outcome::Pass, "{}", verdict.detail);
        assert_eq!(verdict.cipher.as_deref(), Some("TLS_AES_128_GCM_SHA256"));

        // Server events out of order are read by their connection number.
        let mut swapped = resumption_log(true, false, true);
        swapped.swap(1, 4);
        let verdict = judge(&resumption_log(false, false, true), &swapped);
        assert_eq!(verdict.outcome, Outcome::Pass, "{}", verdict.detail);

        let verdict = judge(
            &resumption_log(false, false, false),
            &resumption_log(true, false, false),
        );
        assert_eq!(verdict.outcome, Outcome::Fail);
        assert_eq!(
            verdict.detail,
            "client rustls reports resumed: false (connection 2), expected a resumed session \
             on its second connection; server openssl reports resumed: false (connection 2), \
             expected a resumed session on its second connection"
        );

        // The client thinks it resumed, the server did a full handshake.
        let verdict = judge(
            &resumption_log(false, false, true),
            &resumption_log(true, false, false),
        );
        assert_eq!(verdict.outcome, Outcome::Fail);
        assert!(
            verdict
                .detail
                .starts_with("server openssl reports resumed: false"),
            "{}",
            verdict.detail
        );

        let verdict = judge(
            &resumption_log(false, true, true),
            &resumption_log(true, false, true),
        );
        assert!(
            verdict.detail.contains(
                "client rustls reports resumed: true (connection 1), expected a full handshake"
            ),
            "{}",
            verdict.detail
        );

        // Only one connection happened.
        let one = resumption_log(false, false, true)[..3].to_vec();
        let verdict = judge(&one, &resumption_log(true, false, true));
        assert_eq!(verdict.outcome, Outcome::Fail);
        assert!(
            verdict
                .detail
                .contains("client rustls reported 1 handshakes, expected 2"),
            "{}",
            verdict.detail
        );
        assert!(
            verdict
                .detail
                .contains("client rustls received [22] octets, expected [22, 22]"),
            "{}",
            verdict.detail
        );

        // A different suite on the resumed connection.
        let mut other = resumption_log(true, false, true);
        other[4] = other[4].replace("TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384");
        let verdict = judge(&resumption_log(false, false, true), &other);
        assert!(
            verdict
                .detail
                .contains("the ends disagree on the suite (connection 2)"),
            "{}",
            verdict.detail
        );

        // The second connection failed at the client.
        let mut failed = resumption_log(false, false, true)[..3].to_vec();
        failed.push(r#"{"event":"error","conn":2,"kind":"Syscall","message":"reset"}"#.to_owned());
        let failed: Vec<&str> = failed.iter().map(String::as_str).collect();
        let verdict = judge_resumption(
            Version::Tls13,
            &end("client", "rustls", &caps, &failed, false),
            &resumption_end(
                "server",
                "openssl",
                &caps,
                &resumption_log(true, false, true),
            ),
        );
        assert_eq!(verdict.outcome, Outcome::Fail);
        assert!(
            verdict
                .detail
                .starts_with("client rustls: Syscall: reset; client rustls exit code 1"),
            "{}",
            verdict.detail
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

    #[test]
    fn the_matrix_renders() {
        let cell = |client: &str, server: &str, outcome, detail: &str| InteropResult {
            client: client.into(),
            server: server.into(),
            variant: Variant::Basic,
            version: Version::Tls13,
            outcome,
            cipher: (outcome == Outcome::Pass).then(|| "TLS_AES_128_GCM_SHA256".to_owned()),
            detail: detail.into(),
        };
        let matrix = Matrix {
            names: ["rustls", "native-tls", OPENSSL_CLI]
                .map(String::from)
                .to_vec(),
            results: vec![
                cell("rustls", "rustls", Outcome::Pass, ""),
                cell("rustls", "native-tls", Outcome::Unsupported, "no <Tls13>"),
                cell("rustls", OPENSSL_CLI, Outcome::Fail, "server said <no>"),
                InteropResult {
                    variant: Variant::Resumption,
                    ..cell("rustls", "rustls", Outcome::Pass, "")
                },
            ],
            duration: Duration::from_secs(3),
        };
        assert_eq!(matrix.counts_text(), "2 pass, 1 fail, 1 unsupported");
        assert_eq!(
            matrix.tables(),
            [
                (Version::Tls13, Variant::Basic),
                (Version::Tls13, Variant::Resumption)
            ]
        );
        let json = matrix.to_json();
        let first = &json.as_array().unwrap()[0];
        assert_eq!(first.get("variant").and_then(Json::as_str), Some("basic"));
        assert_eq!(first.get("version").and_then(Json::as_str), Some("TLSv1.3"));
        assert_eq!(
            first.get("cipher").and_then(Json::as_str),
            Some("TLS_AES_128_GCM_SHA256")
        );
        let md = matrix.to_markdown();
        assert!(md.contains("### TLSv1.3 basic"), "{md}");
        assert!(
            md.contains("| rustls | pass | unsupported | **fail** |"),
            "{md}"
        );
        assert!(md.contains("- `rustls -> openssl-cli TLSv1.3 basic`: server said <no>"));
        assert!(
            md.contains("### TLSv1.3 resumption\n\n| client \\ server | rustls |\n|---|:---:|\n| rustls | pass |\n"),
            "{md}"
        );
        assert_eq!(
            json.as_array().unwrap()[3]
                .get("variant")
                .and_then(Json::as_str),
            Some("resumption")
        );
        let html = matrix.to_html();
        assert!(html.contains("<td class=\"pass\" title=\"TLS_AES_128_GCM_SHA256\">pass</td>"));
        assert!(html.contains("title=\"no &lt;Tls13&gt;\">unsupported</td>"));
        assert!(!html.contains("<no>"));
        let terminal = matrix.terminal_summary();
        assert!(terminal.contains("FAILED rustls -> openssl-cli TLSv1.3 basic"));
        assert!(terminal.contains("interop TLSv1.3 resumption (rows: client, columns: server)"));
        assert!(html.contains("<h3>TLSv1.3 resumption</h3>"));
    }

    #[test]
    fn openssl_output_is_read() {
        let map = parse_stdname(
            "TLS_AES_256_GCM_SHA384                        - TLS_AES_256_GCM_SHA384         TLSv1.3 Kx=any\n\
             TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384       - ECDHE-ECDSA-AES256-GCM-SHA384  TLSv1.2 Kx=ECDH\n",
        );
        assert_eq!(
            iana(&map, "ECDHE-ECDSA-AES256-GCM-SHA384"),
            "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384"
        );
        assert_eq!(iana(&map, "unknown"), "unknown");
        let seen = parse_s_client(&lines(&[
            "CONNECTED(00000003)",
            "New, TLSv1.2, Cipher is ECDHE-ECDSA-AES256-GCM-SHA384",
            "    Verify return code: 0 (ok)",
        ]));
        assert_eq!(
            seen,
            SClient {
                version: Some("TLSv1.2".into()),
                cipher: Some("ECDHE-ECDSA-AES256-GCM-SHA384".into()),
                verified: true,
            }
        );
        let (version, cipher) = parse_s_server(
            "CONNECTION ESTABLISHED\nProtocol version: TLSv1.3\nCiphersuite: TLS_AES_256_GCM_SHA384\n",
        );
        assert_eq!(version.as_deref(), Some("TLSv1.3"));
        assert_eq!(cipher.as_deref(), Some("TLS_AES_256_GCM_SHA384"));
        assert_eq!(
            s_server_addr("ACCEPT 127.0.0.1:39697").as_deref(),
            Some("127.0.0.1:39697")
        );
        assert_eq!(s_server_addr("Using default temp DH parameters"), None);
        assert_eq!(rev_line().1, "reep-sltinu morf olleh\n");
    }
}
