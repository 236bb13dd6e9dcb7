//! The `performance` member of `report.json` (`unitls_model::bench::Performance`):
//! built from the benches' lines.

use std::fs;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, SystemTime};

use unitls_model::bench::{CrateVersions, Figure, FigureKind, PerfBackend, Performance, Plan};
use unitls_model::report::RunStatus;

use super::bench::BackendBench;
use super::{reproduce, ReportArgs, FIGURES, METHOD, SCHEMA, TARGET};
use crate::conformance;
use crate::report::{secs, Machine};

/// Versions of the crates the comparison involves, from Cargo.lock.
fn crate_versions(root: &Path) -> Vec<CrateVersions> {
    let lock = fs::read_to_string(root.join("Cargo.lock")).unwrap_or_default();
    let wanted = [
        "rustls",
        "aws-lc-rs",
        "openssl",
        "openssl-sys",
        "boring",
        "boring-sys",
        "native-tls",
    ];
    let mut found: Vec<(String, Vec<String>)> = Vec::new();
    let mut name: Option<String> = None;
    for line in lock.lines() {
        let line = line.trim();
        if line == "[[package]]" {
            name = None;
        } else if let Some(value) = line.strip_prefix("name = ") {
            name = Some(value.trim_matches('"').to_owned());
        } else if let Some(value) = line.strip_prefix("version = ") {
            let Some(n) = name.as_deref().filter(|n| wanted.contains(n)) else {
                continue;
            };
            let version = value.trim_matches('"').to_owned();
            match found.iter_mut().find(|(k, _)| k == n) {
                Some((_, versions)) => versions.push(version),
                None => found.push((n.to_owned(), vec![version])),
            }
        }
    }
    found.sort_by_key(|(n, _)| wanted.iter().position(|w| w == n));
    found
        .into_iter()
        .map(|(name, versions)| CrateVersions { name, versions })
        .collect()
}

/// The `performance` member.
pub(super) fn performance(
    root: &Path,
    args: &ReportArgs,
    benches: &[BackendBench],
    took: Duration,
) -> Performance {
    let backends = benches
        .iter()
        .map(|bench| {
            let meta = bench.meta.as_ref();
            let figures = FIGURES
                .iter()
                .map(|(name, _)| {
                    bench
                        .figures
                        .iter()
                        .find(|f| f.name == *name)
                        .cloned()
                        .unwrap_or_else(|| missing_figure(name, bench))
                })
                .collect();
            PerfBackend {
                name: bench.name.to_owned(),
                status: if bench.success {
                    RunStatus::Ok
                } else {
                    RunStatus::Failed
                },
                problems: bench.problems.clone(),
                library: meta.and_then(|m| m.library.clone()),
                crate_version: meta.and_then(|m| m.crate_version.clone()),
                direct_api: meta.map(|m| m.direct_api.clone()),
                direct_library: meta.map(|m| m.direct_library.clone()),
                primitives: meta.map(|m| m.primitives.clone()),
                pinned_cpu: meta.and_then(|m| m.pinned_cpu),
                command: bench.command.clone(),
                build_secs: secs(bench.build),
                run_secs: secs(bench.run),
                ceilings: bench.ceilings.clone(),
                figures,
            }
        })
        .collect();
    Performance {
        schema: SCHEMA.to_owned(),
        generated_at: conformance::rfc3339(SystemTime::now()),
        command: reproduce(args),
        plan: if args.quick { Plan::Quick } else { Plan::Full },
        machine: Machine::detect().to_record(),
        rustc: conformance::first_line_of(Command::new("rustc").arg("--version")),
        crates: crate_versions(root),
        target_ratio: TARGET,
        method: METHOD.iter().map(|m| (*m).to_owned()).collect(),
        duration_secs: secs(took),
        backends,
    }
}

/// A figure the bench did not report.
fn missing_figure(name: &str, bench: &BackendBench) -> Figure {
    let why = if bench.problems.is_empty() {
        "not reported by the bench".to_owned()
    } else {
        format!("not measured: {}", bench.problems.join("; "))
    };
    Figure {
        name: name.to_owned(),
        label: label_of(name).to_owned(),
        unit: None,
        better: None,
        transport: None,
        value: None,
        direct: None,
        ratio: None,
        ratio_spread: None,
        ceiling: None,
        ceiling_fraction: None,
        reason: Some(why),
        kind: Some(FigureKind::Failure),
        note: None,
        unitls_stats: None,
        direct_stats: None,
    }
}

/// The short label of figure `name`.
pub(super) fn label_of(name: &str) -> &str {
    FIGURES
        .iter()
        .find(|(n, _)| *n == name)
        .map_or(name, |(_, label)| label)
}
