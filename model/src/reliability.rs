//! Reliability figures (SPEC REL-2, REL-4, REL-5): the lines the conformance suite
//! appends to `$UNITLS_RELIABILITY_FILE` — load figures and memory over lifecycle
//! cycles — and the report's `reliability` section, which `cargo xtask conformance`
//! makes of them and of the hostile-peer cases' outcomes.

use serde::{Deserialize, Serialize};

use crate::outcome::Mode;

/// One line of a reliability file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum ReliabilityLine {
    /// A load run's figures (SPEC REL-4).
    Load(LoadFigures),
    /// Resident memory over lifecycle cycles (SPEC REL-2).
    Memory(MemoryFigures),
}

/// What one server did holding many connections at once (SPEC REL-4).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LoadFigures {
    /// The backend.
    pub backend: String,
    /// The I/O model of the server and clients.
    pub mode: Mode,
    /// How it ran: the transport, and the runtime in the tokio mode
    /// (`tcp`, `memory, current-thread runtime`).
    pub setup: String,
    /// Connections handshaken and open at once.
    pub connections: usize,
    /// Server handshakes completed per second, from the first connection until every
    /// one was handshaken (all of them under way together).
    pub handshakes_per_sec: f64,
    /// Connections that failed (handshake, echo or close).
    pub errors: usize,
    /// Connections whose echo never came back or came back wrong.
    pub lost: usize,
    /// The whole run, handshakes to closes.
    pub duration_secs: f64,
}

/// Resident memory over one kind of lifecycle cycle (SPEC REL-2), measured in a
/// process of its own.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MemoryFigures {
    /// The backend.
    pub backend: String,
    /// The I/O model.
    pub mode: Mode,
    /// The transport (`tcp`, `memory`).
    pub setup: String,
    /// `attach-echo-detach` (one connection, TLS attached and detached each cycle) or
    /// `connect-close` (a new connection each cycle).
    pub cycle: String,
    /// Cycles run.
    pub cycles: usize,
    /// Cycles of warm-up before growth is counted.
    pub warmup: usize,
    /// Resident memory sampled along the run, the first at cycle 0.
    pub samples: Vec<MemorySample>,
    /// Resident memory at the end less at the end of warm-up, KiB (negative: it
    /// shrank).
    pub growth_kib: i64,
    /// Sessions of the backend still alive after the last cycle.
    pub live_sessions_after: usize,
}

/// Resident memory after a number of cycles.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemorySample {
    /// Cycles done.
    pub cycle: usize,
    /// Resident set size, KiB.
    pub rss_kib: u64,
}

/// The report's `reliability` section: per backend, the hostile-peer cases (SPEC
/// REL-5), the load figures (REL-4) and memory over cycles (REL-2).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReliabilitySection {
    /// One entry per backend that ran.
    pub backends: Vec<BackendReliability>,
    /// The last `cargo xtask fuzz` run found in the workspace (SPEC REL-6), if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fuzz: Option<crate::fuzz::FuzzRun>,
    /// The last `cargo xtask leaks` run found in the workspace (SPEC REL-3), if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub leaks: Option<crate::leaks::LeakRun>,
}

/// One backend's reliability figures.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BackendReliability {
    /// The backend.
    pub backend: String,
    /// The hostile-peer cases (those citing REL-5), per mode.
    pub hostile: Vec<HostileTally>,
    /// The load runs.
    #[serde(default)]
    pub load: Vec<LoadFigures>,
    /// Memory over cycles.
    #[serde(default)]
    pub memory: Vec<MemoryFigures>,
    /// Lines of the reliability file that could not be used.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
}

/// The hostile-peer cases of one backend in one mode.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HostileTally {
    /// The mode.
    pub mode: Mode,
    /// Cases run.
    pub run: usize,
    /// Cases passed.
    pub passed: usize,
    /// The cases that did not pass.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub not_passed: Vec<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_round_trip() {
        let load = ReliabilityLine::Load(LoadFigures {
            backend: "rustls".into(),
            mode: Mode::Blocking,
            setup: "tcp".into(),
            connections: 1000,
            handshakes_per_sec: 512.5,
            errors: 0,
            lost: 0,
            duration_secs: 3.2,
        });
        let line = crate::to_line(&load);
        assert!(
            line.starts_with(r#"{"kind":"load","backend":"rustls""#),
            "{line}"
        );
        assert_eq!(
            serde_json::from_str::<ReliabilityLine>(&line).unwrap(),
            load
        );
        let memory = ReliabilityLine::Memory(MemoryFigures {
            backend: "openssl".into(),
            mode: Mode::Async,
            setup: "memory".into(),
            cycle: "connect-close".into(),
            cycles: 10,
            warmup: 1,
            samples: vec![MemorySample {
                cycle: 0,
                rss_kib: 1024,
            }],
            growth_kib: -4,
            live_sessions_after: 0,
        });
        let line = crate::to_line(&memory);
        assert_eq!(
            serde_json::from_str::<ReliabilityLine>(&line).unwrap(),
            memory
        );
        assert!(serde_json::from_str::<ReliabilityLine>(r#"{"kind":"other"}"#).is_err());
    }
}
