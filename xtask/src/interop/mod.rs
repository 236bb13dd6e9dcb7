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
//! - **across modes** (SPEC ASYNC meets the blocking stream over the wire): the basic
//!   cells again, per version, with an async client (`unitls-peer client --async`, the
//!   tokio stream) against every blocking server peer and `openssl s_server`, and with
//!   every blocking client peer and `openssl s_client` against an async server peer
//!   (`server --async`). Judged as basic, and each peer's `handshake` events must name
//!   the mode it was started in. The capability gate is the backend pair's, as above.
//!
//! A pair one side cannot run — a version, ALPN, client authentication or resumption its
//! backend does not declare (read from the source, as codegen does) — is `unsupported`
//! with the reason, and so is a peer that answers `Unsupported(capability)` for a
//! capability its backend does not declare. Every process is killed 15 s after it
//! starts.
//!
//! The files, one concept each: [`plan`] (the versions, variants and cells, and the
//! capability gate), [`cell`] (one cell's processes), [`peer_log`] (what a peer printed),
//! [`openssl_cli`] (the `openssl` tool as a peer), [`judge`] (a cell's verdict from what
//! both ends reported), [`matrix`] (the results as run) and [`render`] (the terminal
//! summary, report.md and index.html sections); this file runs the whole matrix.

mod cell;
mod judge;
mod matrix;
mod openssl_cli;
mod peer_log;
mod plan;
mod render;

use std::collections::BTreeMap;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use unitls_model::report::{InteropReport, INTEROP_SCHEMA};

use crate::outcome::Outcome;
use crate::peer;
use crate::workspace::{self, cargo, display};
use cell::run_cell;
use matrix::InteropResult;
pub(crate) use matrix::Matrix;
use openssl_cli::{openssl_cli, OpensslCli};
use plan::{plan, Caps};

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

/// A peer binary for one backend, or why there is none.
#[derive(Debug)]
struct Peer {
    /// The built binary.
    path: Result<PathBuf, String>,
    /// What the backend declares.
    caps: Caps,
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
    let record = InteropReport {
        schema: INTEROP_SCHEMA.to_owned(),
        openssl_cli: openssl,
        duration_secs: crate::report::secs(matrix.duration),
        interop: matrix.to_record(),
    };
    let path = out.join("interop.json");
    std::fs::write(&path, unitls_model::to_pretty(&record))
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
        let caps = match crate::declared::read(root, name) {
            Ok(declared) => Caps::Declared(declared),
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
         client-auth / resumption, and {OPENSSL_CLI} both ways in basic; then basic with an \
         async client, and with an async server)",
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
        let this_group = (plan.modes, plan.version, plan.variant);
        if group != Some(this_group) {
            if group.is_some() {
                println!();
            }
            print!(
                "    {} {:<12} {:<12} ",
                plan.version.name(),
                plan.variant.name(),
                plan.modes.tag()
            );
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
            modes: plan.modes,
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
