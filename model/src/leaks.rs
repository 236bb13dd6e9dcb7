//! `cargo xtask leaks` (SPEC REL-2, REL-3): valgrind memcheck's leak summary per
//! backend, written to [`LEAKS_FILE`] for the report.

use serde::{Deserialize, Serialize};

/// The schema of [`LeakRun`].
pub const LEAKS_SCHEMA: &str = "unitls-leaks/1";

/// Where `cargo xtask leaks` writes its last run, relative to the workspace root.
pub const LEAKS_FILE: &str = "target/unitls-leaks.json";

/// One run of `cargo xtask leaks`: one process per backend.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LeakRun {
    /// [`LEAKS_SCHEMA`].
    pub schema: String,
    /// When the run ended (seconds since the Unix epoch).
    pub finished_unix: u64,
    /// The lifecycle paths each process went through (SPEC REL-3).
    pub paths: Vec<String>,
    /// One entry per backend, in run order.
    pub backends: Vec<LeakCheck>,
}

/// One backend's process under valgrind memcheck.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LeakCheck {
    /// The backend.
    pub backend: String,
    /// Whether the process passed: its test passed and nothing was definitely lost.
    pub passed: bool,
    /// How long it ran under valgrind, in seconds.
    pub seconds: f64,
    /// valgrind's LEAK SUMMARY.
    pub summary: LeakSummary,
    /// valgrind's ERROR SUMMARY count (leaks of the kinds that count, and memory
    /// errors).
    pub errors: u64,
    /// Why it failed, when it did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failure: Option<String>,
}

/// valgrind memcheck's LEAK SUMMARY: bytes and blocks per kind.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LeakSummary {
    /// No pointer to the block is left: a leak (the figure that must be zero).
    pub definitely_lost: Lost,
    /// Lost because the blocks pointing to them were definitely lost.
    pub indirectly_lost: Lost,
    /// Only an interior pointer is left (often a library's own layout, not a leak).
    pub possibly_lost: Lost,
    /// Still pointed to at exit (one-time globals of the libraries).
    pub still_reachable: Lost,
    /// Freed by the suppressions in force.
    pub suppressed: Lost,
}

/// Bytes in blocks.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Lost {
    /// Bytes.
    pub bytes: u64,
    /// Blocks.
    pub blocks: u64,
}
