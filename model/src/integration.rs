//! The dependent-crate checks: `unitls-integrations` (one process per backend) runs
//! tokio-postgres and hyper over unitls against real servers (PostgreSQL, nginx,
//! curl) and writes one [`IntegrationRecord`] per scenario; the report's
//! `integrations` section lists them (SPEC INTEG).

use serde::{Deserialize, Serialize};

/// How one scenario ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum IntegrationOutcome {
    /// The scenario did what a user expects.
    Pass,
    /// It did not; the detail says what happened instead.
    Fail,
    /// The backend lacks a capability the scenario needs; the detail names it and why.
    Unsupported,
}

/// One scenario on one backend against one real server.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IntegrationRecord {
    /// The backend (`rustls`, `openssl`, …).
    pub backend: String,
    /// The dependent crate and the server, e.g. `tokio-postgres → PostgreSQL`.
    pub server: String,
    /// The server's (or the tool's) own version line, e.g. `postgres (PostgreSQL) 15.18`.
    pub server_version: String,
    /// What was tried, in a few words.
    pub scenario: String,
    /// The SPEC requirements it checks.
    pub spec: Vec<String>,
    /// How it ended.
    pub outcome: IntegrationOutcome,
    /// What was seen: the negotiated version and protocol, or the error.
    pub detail: String,
    /// How long it took, seconds.
    pub duration_secs: f64,
}
