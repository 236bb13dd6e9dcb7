//! `report.json`, written by `cargo xtask conformance` (the suite per backend, the
//! interop matrix, the certificate-validation comparison) and `cargo xtask report` (the
//! `performance` section), and `interop.json`, written by `cargo xtask interop`.
//!
//! Schema [`SCHEMA`] (`unitls-report/2`): `unitls-report/1` plus `mode` on every case
//! record. Sections may be absent: `cargo xtask report` alone writes the common members
//! and `performance` only, and readers take a missing section as absent.
//!
//! Interop cells carry `client_mode` and `server_mode` since the matrix runs an async
//! end against a blocking one: members added, none changed meaning (a cell without them
//! had both ends blocking), so neither schema name changed. Backends carry `lacks`
//! since capabilities are declared per role: `capabilities` still lists what is
//! declared for both roles, `lacks` every gap with its roles and reason (absent in
//! older files).

use serde::{Deserialize, Serialize};

use crate::bench::Performance;
use crate::outcome::{Deviation, Mode, Outcome};
use crate::reliability::ReliabilitySection;
use crate::validation::ValidationSection;

/// The report's schema name; bump it when a field changes meaning.
pub const SCHEMA: &str = "unitls-report/2";

/// The schema of `interop.json`.
pub const INTEROP_SCHEMA: &str = "unitls-interop/1";

/// report.json.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    /// [`SCHEMA`].
    pub schema: String,
    /// When it was made (RFC 3339).
    pub generated_at: String,
    /// The command that made it.
    pub command: String,
    /// The machine it was made on.
    pub machine: Machine,
    /// `rustc --version`.
    pub rustc: Option<String>,
    /// What `cargo xtask conformance` found; absent in a report `cargo xtask report`
    /// wrote alone.
    #[serde(flatten)]
    pub conformance: Option<Conformance>,
    /// The benchmarks' section, once `cargo xtask report` ran.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub performance: Option<Performance>,
}

/// The machine a report was made on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Machine {
    /// `std::env::consts::OS`.
    pub os: String,
    /// `PRETTY_NAME` from /etc/os-release, if present.
    pub os_release: Option<String>,
    /// `std::env::consts::ARCH`.
    pub arch: String,
    /// `std::thread::available_parallelism`.
    pub cpus: Option<u64>,
    /// The first `model name` in /proc/cpuinfo, if present.
    pub cpu_model: Option<String>,
}

/// The members `cargo xtask conformance` writes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Conformance {
    /// `openssl version`, the tool the interop matrix uses as a peer.
    pub openssl_cli: Option<String>,
    /// The SPEC the coverage was computed against.
    pub spec: SpecInfo,
    /// One entry per backend crate.
    pub backends: Vec<BackendRecord>,
    /// The requirement IDs no case cites, with the reason.
    pub uncovered: Vec<Uncovered>,
    /// Requirement IDs checked outside the suite, and where.
    pub checked_elsewhere: Vec<Elsewhere>,
    /// One sentence on the uncovered IDs.
    pub uncovered_note: String,
    /// IDs cases cite that the SPEC does not have.
    pub cited_not_in_spec: Vec<String>,
    /// Every interop cell.
    pub interop: Vec<InteropCell>,
    /// The certificate-validation comparison.
    pub validation: ValidationSection,
    /// Interop cells per outcome.
    pub interop_counts: InteropCounts,
    /// How long the interop matrix took.
    pub interop_duration_secs: f64,
    /// Dependent crates against real servers, every backend (SPEC INTEG); empty in
    /// reports made before the section existed.
    #[serde(default)]
    pub integrations: Vec<crate::integration::IntegrationRecord>,
    /// Hostile peers, load and memory over cycles, per backend (absent in reports
    /// made before it existed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reliability: Option<ReliabilitySection>,
}

/// The SPEC file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SpecInfo {
    /// Where it was looked for.
    pub path: String,
    /// Whether it was found.
    pub found: bool,
    /// How many requirement IDs it has.
    pub requirements: Option<usize>,
}

/// Whether a process did its job.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RunStatus {
    /// It built, ran and exited with success.
    Ok,
    /// It did not.
    Failed,
}

/// One backend's suite run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BackendRecord {
    /// The backend.
    pub name: String,
    /// Its crate (`unitls-rustls`).
    pub package: String,
    /// Its TLS library, as the backend describes it.
    pub library: Option<Library>,
    /// The backend crate and version.
    #[serde(rename = "crate")]
    pub crate_version: Option<String>,
    /// The command that reruns the suite on it.
    pub command: String,
    /// The test process's exit code.
    pub exit_code: Option<i32>,
    /// Whether the process succeeded.
    pub status: RunStatus,
    /// How long it took.
    pub duration_secs: f64,
    /// The capabilities it declares for both roles.
    pub capabilities: Option<Vec<String>>,
    /// What it does not declare, per role, with the library limitation forcing it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub lacks: Vec<CapabilityLack>,
    /// The limitations it lists.
    pub deviations: Vec<Deviation>,
    /// Cases per outcome.
    pub counts: OutcomeCounts,
    /// The outcome file read.
    pub outcome_file: String,
    /// Lines of the outcome file that could not be used.
    pub warnings: Vec<String>,
    /// Every case, sorted by id.
    pub cases: Vec<CaseRecord>,
}

/// A capability a backend does not declare for some roles (its `Lack`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CapabilityLack {
    /// The capability (`Tls13`).
    pub capability: String,
    /// `client`, `server` or `both`.
    pub roles: String,
    /// The library limitation that forces it.
    pub reason: String,
    /// The platforms it is limited to, as a `cfg` predicate; absent: everywhere.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub platform: Option<String>,
}

/// A TLS library's name and version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Library {
    /// `OpenSSL`.
    pub name: String,
    /// `3.0.19`.
    pub version: Option<String>,
    /// What the backend said (`OpenSSL 3.0.19 27 Jan 2026`).
    pub full: String,
}

/// Cases per outcome.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutcomeCounts {
    /// Passed.
    pub pass: usize,
    /// Failed.
    pub fail: usize,
    /// Unsupported.
    pub unsupported: usize,
    /// Deviations.
    pub deviation: usize,
}

/// Interop cells per outcome.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct InteropCounts {
    /// Passed.
    pub pass: usize,
    /// Failed.
    pub fail: usize,
    /// Unsupported.
    pub unsupported: usize,
}

/// One case on one backend in one mode.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseRecord {
    /// The case id.
    pub id: String,
    /// The SPEC IDs it cites.
    pub spec: Vec<String>,
    /// The mode it ran in (new in `unitls-report/2`).
    #[serde(default)]
    pub mode: Mode,
    /// The verdict.
    pub outcome: Outcome,
    /// Why (for every outcome but pass, and a pass that says something).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// The command that reruns a failed case.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reproduce: Option<String>,
    /// libtest's captured output, when it adds to `detail`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub output: Option<String>,
}

/// A requirement no case cites.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Uncovered {
    /// The requirement ID.
    pub id: String,
    /// Why.
    pub reason: String,
}

/// A requirement checked outside the suite.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Elsewhere {
    /// The requirement ID.
    pub id: String,
    /// Where it is checked.
    #[serde(rename = "where")]
    pub place: String,
}

/// One cell of the interop matrix.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InteropCell {
    /// The client's backend, or `openssl-cli`.
    pub client: String,
    /// The server's backend, or `openssl-cli`.
    pub server: String,
    /// `basic`, `alpn`, `client-auth` or `resumption`.
    pub variant: String,
    /// `TLSv1.2` or `TLSv1.3`.
    pub version: String,
    /// The client's I/O mode: `async` for a `unitls-peer client --async`, else
    /// `blocking` (the `openssl` tool counts as blocking; files written before the
    /// tokio mode lack the member, and their cells were all blocking).
    #[serde(default)]
    pub client_mode: Mode,
    /// The server's I/O mode, as [`InteropCell::client_mode`].
    #[serde(default)]
    pub server_mode: Mode,
    /// pass, fail or unsupported.
    pub outcome: Outcome,
    /// The negotiated suite's IANA name, when the handshake got that far.
    pub cipher: Option<String>,
    /// Why it failed or is unsupported; empty on a pass.
    pub detail: String,
}

/// `interop.json`, what `cargo xtask interop` writes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InteropReport {
    /// [`INTEROP_SCHEMA`].
    pub schema: String,
    /// `openssl version`.
    pub openssl_cli: Option<String>,
    /// How long the matrix took.
    pub duration_secs: f64,
    /// Every cell.
    pub interop: Vec<InteropCell>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_report_without_conformance_members_reads_back() {
        let report = Report {
            schema: SCHEMA.into(),
            generated_at: "2026-01-01T00:00:00Z".into(),
            command: "cargo xtask report".into(),
            machine: Machine {
                os: "linux".into(),
                os_release: None,
                arch: "x86_64".into(),
                cpus: Some(2),
                cpu_model: None,
            },
            rustc: None,
            conformance: None,
            performance: None,
        };
        let text = crate::to_pretty(&report);
        assert!(!text.contains("performance") && !text.contains("backends"));
        assert_eq!(serde_json::from_str::<Report>(&text).unwrap(), report);
        let case: CaseRecord =
            serde_json::from_str(r#"{"id":"a","spec":[],"outcome":"pass"}"#).unwrap();
        assert_eq!((case.mode, case.detail), (Mode::Blocking, None));
    }

    #[test]
    fn interop_cells_carry_the_modes_of_both_ends() {
        let cell = InteropCell {
            client: "rustls".into(),
            server: "boring".into(),
            variant: "basic".into(),
            version: "TLSv1.3".into(),
            client_mode: Mode::Async,
            server_mode: Mode::Blocking,
            outcome: Outcome::Pass,
            cipher: None,
            detail: String::new(),
        };
        let line = crate::to_line(&cell);
        assert!(
            line.contains(r#""client_mode":"async","server_mode":"blocking""#),
            "{line}"
        );
        assert_eq!(serde_json::from_str::<InteropCell>(&line).unwrap(), cell);
        // A cell written before the tokio mode: both ends were blocking.
        let old: InteropCell = serde_json::from_str(
            r#"{"client":"a","server":"b","variant":"basic","version":"TLSv1.2",
                "outcome":"pass","cipher":null,"detail":""}"#,
        )
        .unwrap();
        assert_eq!(
            (old.client_mode, old.server_mode),
            (Mode::Blocking, Mode::Blocking)
        );
    }
}
