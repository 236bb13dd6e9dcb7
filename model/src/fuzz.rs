//! `cargo xtask fuzz` (SPEC REL-6): the figures of its last run, written to
//! [`FUZZ_FILE`] for the report.

use serde::{Deserialize, Serialize};

/// The schema of [`FuzzRun`].
pub const FUZZ_SCHEMA: &str = "unitls-fuzz/1";

/// Where `cargo xtask fuzz` writes its last run, relative to the workspace root.
pub const FUZZ_FILE: &str = "target/unitls-fuzz.json";

/// One run of `cargo xtask fuzz`: every target it ran.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FuzzRun {
    /// [`FUZZ_SCHEMA`].
    pub schema: String,
    /// The short CI run (`--smoke`).
    pub smoke: bool,
    /// When the run ended (seconds since the Unix epoch).
    pub finished_unix: u64,
    /// One entry per target, in run order.
    pub targets: Vec<FuzzTarget>,
}

/// One fuzz target's figures, as libFuzzer printed them at the end of its run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FuzzTarget {
    /// The target (a binary of `fuzz/`).
    pub target: String,
    /// How long it ran, in seconds (wall clock).
    pub seconds: f64,
    /// Inputs executed (`stat::number_of_executed_units`).
    pub executions: u64,
    /// Coverage: instrumented edges reached (libFuzzer's `cov:`).
    pub coverage_edges: u64,
    /// Coverage features (libFuzzer's `ft:`: edges with hit counts, comparisons…).
    pub coverage_features: u64,
    /// Inputs in the corpus at the end (`corp:`).
    pub corpus_entries: u64,
    /// Inputs that crashed it (libFuzzer stops at the first), with where each was
    /// written.
    pub crashes: Vec<String>,
    /// The process's peak resident memory in MiB (`stat::peak_rss_mb`).
    #[serde(default)]
    pub peak_rss_mb: u64,
}
