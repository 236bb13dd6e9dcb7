//! The comparison benches (`benches/compare.rs` of each backend, harness
//! `unitls_conformance::bench`): the lines they append to `$UNITLS_BENCH_FILE`, and the
//! `performance` section `cargo xtask report` makes of them (in report.json, and alone
//! as the snapshot `docs/report.json`).

use serde::{Deserialize, Serialize};

use crate::report::{Machine, RunStatus};

/// The schema of the `performance` section.
pub const PERFORMANCE_SCHEMA: &str = "unitls-performance/1";

/// One line of a bench's output.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "lowercase")]
pub enum BenchLine {
    /// What is compared, and the sampling plan (first).
    Meta(BenchMeta),
    /// One crypto ceiling.
    Ceiling {
        /// The backend measured.
        backend: String,
        /// The ceiling.
        #[serde(flatten)]
        ceiling: Ceiling,
    },
    /// One figure.
    Figure {
        /// The backend measured.
        backend: String,
        /// The figure.
        #[serde(flatten)]
        figure: Figure,
    },
    /// The end of the run.
    Done {
        /// The backend measured.
        backend: String,
        /// How long the whole run took.
        seconds: f64,
    },
}

/// Which way a figure is better.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Better {
    /// Rates: more is better.
    Higher,
    /// Times and sizes: less is better.
    Lower,
}

/// Why a figure has no value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FigureKind {
    /// The backend cannot produce it (a capability it lacks).
    Limitation,
    /// The workload broke.
    Failure,
}

/// The sampling plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Plan {
    /// `--quick`: the short plan, for CI.
    Quick,
    /// The full plan.
    Full,
}

impl Plan {
    /// The word in the lines and the report (`quick`, `full`).
    pub fn as_str(self) -> &'static str {
        match self {
            Plan::Quick => "quick",
            Plan::Full => "full",
        }
    }
}

/// The bench's `meta` line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BenchMeta {
    /// The backend measured.
    pub backend: String,
    /// Its TLS library and version.
    pub library: Option<String>,
    /// The backend crate and version.
    #[serde(rename = "crate")]
    pub crate_version: Option<String>,
    /// The API the direct side uses (`rustls::StreamOwned / rustls::Stream`).
    pub direct_api: String,
    /// The library the direct side uses.
    pub direct_library: String,
    /// Where the ceiling's primitives come from.
    pub primitives: String,
    /// The sampling plan.
    pub plan: Plan,
    /// The CPU the process is pinned to, if it is.
    pub pinned_cpu: Option<u64>,
    /// How many CPUs the process may run on.
    pub cpus_allowed: Option<u64>,
    /// Samples per side.
    pub samples: u64,
    /// Milliseconds per sample.
    pub sample_ms: u64,
    /// Milliseconds of warm-up.
    pub warmup_ms: u64,
}

/// The spread of a series of samples.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Stats {
    /// Samples.
    pub n: u64,
    /// The median.
    pub median: f64,
    /// The 25th percentile.
    pub p25: f64,
    /// The 75th percentile.
    pub p75: f64,
    /// The 99th percentile.
    pub p99: f64,
    /// The smallest.
    pub min: f64,
    /// The largest.
    pub max: f64,
    /// (p75 − p25) ÷ median.
    pub spread: f64,
}

/// A crypto ceiling: the library's own primitives alone on the same core.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Ceiling {
    /// The ceiling's name (`seal_aes_128_gcm`).
    pub name: String,
    /// Its label.
    pub label: String,
    /// The median rate, `None` when unavailable.
    pub value: Option<f64>,
    /// `MB/s` or `ops/s`.
    pub unit: String,
    /// Operations per second (the median).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ops_per_sec: Option<f64>,
    /// The samples' spread.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stats: Option<Stats>,
    /// Why it is unavailable.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// One figure: the same workload through unitls and through the library directly.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Figure {
    /// The figure's name (`handshake_tls13_full`).
    pub name: String,
    /// Its label.
    pub label: String,
    /// The unit of `value` and `direct`; `None` for a figure the bench did not report.
    pub unit: Option<String>,
    /// Which way is better.
    #[serde(default)]
    pub better: Option<Better>,
    /// `tcp` or `memory`, where it matters.
    #[serde(default)]
    pub transport: Option<String>,
    /// unitls's median.
    pub value: Option<f64>,
    /// The library's median, used directly.
    pub direct: Option<f64>,
    /// unitls ÷ direct, oriented so that 1.0 is no overhead and lower is worse.
    pub ratio: Option<f64>,
    /// The spread of the paired ratios.
    #[serde(default)]
    pub ratio_spread: Option<f64>,
    /// The crypto ceiling for this workload.
    #[serde(default)]
    pub ceiling: Option<f64>,
    /// `value` as a fraction of the ceiling.
    pub ceiling_fraction: Option<f64>,
    /// Why there is no value (or what limits it).
    pub reason: Option<String>,
    /// Whether `reason` is a limitation or a failure.
    pub kind: Option<FigureKind>,
    /// Notes (what was negotiated, what was measured).
    #[serde(default)]
    pub note: Option<String>,
    /// unitls's samples.
    #[serde(default)]
    pub unitls_stats: Option<Stats>,
    /// The direct side's samples.
    #[serde(default)]
    pub direct_stats: Option<Stats>,
}

/// The `performance` section of report.json.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Performance {
    /// [`PERFORMANCE_SCHEMA`].
    pub schema: String,
    /// When it was made (RFC 3339).
    pub generated_at: String,
    /// The command that made it.
    pub command: String,
    /// The sampling plan.
    pub plan: Plan,
    /// The machine it was made on.
    pub machine: Machine,
    /// `rustc --version`.
    pub rustc: Option<String>,
    /// The versions of the crates compared, from Cargo.lock.
    pub crates: Vec<CrateVersions>,
    /// The ratio unitls aims at.
    pub target_ratio: f64,
    /// How it was measured, one paragraph each.
    pub method: Vec<String>,
    /// How long it all took.
    pub duration_secs: f64,
    /// One entry per backend.
    pub backends: Vec<PerfBackend>,
}

/// A crate and the versions Cargo.lock holds of it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CrateVersions {
    /// The crate.
    pub name: String,
    /// Its versions.
    pub versions: Vec<String>,
}

/// One backend's bench in the `performance` section.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PerfBackend {
    /// The backend.
    pub name: String,
    /// Whether its build and run succeeded.
    pub status: RunStatus,
    /// What went wrong.
    pub problems: Vec<String>,
    /// Its TLS library (from the bench's meta line).
    pub library: Option<String>,
    /// The backend crate.
    #[serde(rename = "crate")]
    pub crate_version: Option<String>,
    /// The direct side's API.
    pub direct_api: Option<String>,
    /// The direct side's library.
    pub direct_library: Option<String>,
    /// Where the ceiling's primitives come from.
    pub primitives: Option<String>,
    /// The CPU the bench was pinned to.
    pub pinned_cpu: Option<u64>,
    /// The command that reruns it.
    pub command: String,
    /// How long the build took.
    pub build_secs: f64,
    /// How long the run took.
    pub run_secs: f64,
    /// The crypto ceilings.
    pub ceilings: Vec<Ceiling>,
    /// Every figure, in report order.
    pub figures: Vec<Figure>,
}

impl PerfBackend {
    /// Figure `name`, if the backend has it.
    pub fn figure(&self, name: &str) -> Option<&Figure> {
        self.figures.iter().find(|f| f.name == name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn figure_lines_flatten() {
        let line = r#"{"type":"figure","backend":"rustls","name":"n","label":"L","unit":"ms","better":"lower","transport":null,"value":2,"direct":1.5,"ratio":0.75,"ratio_spread":null,"ceiling":null,"ceiling_fraction":null,"reason":null,"kind":null,"note":null,"unitls_stats":null,"direct_stats":null}"#;
        let parsed: BenchLine = serde_json::from_str(line).unwrap();
        let BenchLine::Figure { backend, figure } = &parsed else {
            panic!("not a figure")
        };
        assert_eq!((backend.as_str(), figure.value), ("rustls", Some(2.0)));
        assert_eq!(figure.better, Some(Better::Lower));
        let again: BenchLine = serde_json::from_str(&crate::to_line(&parsed)).unwrap();
        assert_eq!(again, parsed);
        let ceiling = BenchLine::Ceiling {
            backend: "b".into(),
            ceiling: Ceiling {
                name: "x".into(),
                label: "X".into(),
                value: None,
                unit: "ops/s".into(),
                ops_per_sec: None,
                stats: None,
                reason: Some("no".into()),
            },
        };
        assert_eq!(
            crate::to_line(&ceiling),
            r#"{"type":"ceiling","backend":"b","name":"x","label":"X","value":null,"unit":"ops/s","reason":"no"}"#
        );
        let nan = Figure {
            value: Some(f64::NAN),
            ..serde_json::from_str::<Figure>(r#"{"name":"n","label":"L","unit":null,"value":null,"direct":null,"ratio":null,"ceiling_fraction":null,"reason":null,"kind":null}"#).unwrap()
        };
        assert!(crate::to_line(&nan).contains(r#""value":null"#));
    }
}
