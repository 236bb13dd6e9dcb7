//! The `performance` member of `report.json`: built from the benches' lines, and the
//! accessors the renderings read it back with.

use std::fs;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, SystemTime};

use super::bench::BackendBench;
use super::{reproduce, ReportArgs, FIGURES, METHOD, SCHEMA, TARGET};
use crate::conformance;
use crate::json::Json;
use crate::report::Machine;

/// The text member `key` of an object, or "".
pub(super) fn text_of<'a>(value: &'a Json, key: &str) -> &'a str {
    value.get(key).and_then(Json::as_str).unwrap_or("")
}

/// A number member (integer or not).
pub(super) fn num(value: &Json, key: &str) -> Option<f64> {
    match value.get(key)? {
        Json::Int(n) => Some(*n as f64),
        Json::Float(x) => Some(*x),
        _ => None,
    }
}

/// Versions of the crates the comparison involves, from Cargo.lock.
fn crate_versions(root: &Path) -> Json {
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
    Json::Array(
        found
            .into_iter()
            .map(|(n, versions)| {
                Json::object([
                    ("name", Json::str(n)),
                    (
                        "versions",
                        Json::Array(versions.into_iter().map(Json::str).collect()),
                    ),
                ])
            })
            .collect(),
    )
}

/// The `performance` member.
pub(super) fn performance_json(
    root: &Path,
    args: &ReportArgs,
    benches: &[BackendBench],
    took: Duration,
) -> Json {
    let machine = Machine::detect();
    let backends = benches.iter().map(|bench| {
        let meta = |key: &str| {
            bench
                .meta
                .as_ref()
                .and_then(|m| m.get(key))
                .cloned()
                .unwrap_or(Json::Null)
        };
        let figures = FIGURES
            .iter()
            .map(|(name, _)| {
                bench
                    .figures
                    .iter()
                    .find(|f| text_of(f, "name") == *name)
                    .map(figure_json)
                    .unwrap_or_else(|| missing_figure(name, bench))
            })
            .collect();
        Json::object([
            ("name", Json::str(bench.name)),
            (
                "status",
                Json::str(if bench.success { "ok" } else { "failed" }),
            ),
            (
                "problems",
                Json::Array(bench.problems.iter().map(Json::str).collect()),
            ),
            ("library", meta("library")),
            ("crate", meta("crate")),
            ("direct_api", meta("direct_api")),
            ("direct_library", meta("direct_library")),
            ("primitives", meta("primitives")),
            ("pinned_cpu", meta("pinned_cpu")),
            ("command", Json::str(&bench.command)),
            ("build_secs", Json::Float(bench.build.as_secs_f64())),
            ("run_secs", Json::Float(bench.run.as_secs_f64())),
            (
                "ceilings",
                Json::Array(bench.ceilings.iter().map(ceiling_json).collect()),
            ),
            ("figures", Json::Array(figures)),
        ])
    });
    Json::object([
        ("schema", Json::str(SCHEMA)),
        (
            "generated_at",
            Json::str(conformance::rfc3339(SystemTime::now())),
        ),
        ("command", Json::str(reproduce(args))),
        ("plan", Json::str(if args.quick { "quick" } else { "full" })),
        ("machine", machine.to_json()),
        (
            "rustc",
            Json::opt_str(conformance::first_line_of(
                Command::new("rustc").arg("--version"),
            )),
        ),
        ("crates", crate_versions(root)),
        ("target_ratio", Json::Float(TARGET)),
        (
            "method",
            Json::Array(METHOD.iter().map(|m| Json::str(*m)).collect()),
        ),
        ("duration_secs", Json::Float(took.as_secs_f64())),
        ("backends", Json::Array(backends.collect())),
    ])
}

/// A figure as the report keeps it (the bench's line without its envelope).
fn figure_json(line: &Json) -> Json {
    let Json::Object(members) = line else {
        return Json::Null;
    };
    Json::Object(
        members
            .iter()
            .filter(|(k, _)| k != "type" && k != "backend")
            .cloned()
            .collect(),
    )
}

/// A ceiling as the report keeps it.
fn ceiling_json(line: &Json) -> Json {
    figure_json(line)
}

/// A figure the bench did not report.
fn missing_figure(name: &str, bench: &BackendBench) -> Json {
    let why = if bench.problems.is_empty() {
        "not reported by the bench".to_owned()
    } else {
        format!("not measured: {}", bench.problems.join("; "))
    };
    Json::object([
        ("name", Json::str(name)),
        ("label", Json::str(label_of(name))),
        ("unit", Json::Null),
        ("value", Json::Null),
        ("direct", Json::Null),
        ("ratio", Json::Null),
        ("ceiling_fraction", Json::Null),
        ("reason", Json::str(why)),
        ("kind", Json::str("failure")),
    ])
}

/// The short label of figure `name`.
pub(super) fn label_of(name: &str) -> &str {
    FIGURES
        .iter()
        .find(|(n, _)| *n == name)
        .map_or(name, |(_, label)| label)
}

/// The backends of a `performance` member.
pub(super) fn backends_of(perf: &Json) -> &[Json] {
    perf.get("backends").and_then(Json::as_array).unwrap_or(&[])
}

/// Figure `name` of a backend entry.
pub(super) fn figure<'a>(backend: &'a Json, name: &str) -> Option<&'a Json> {
    backend
        .get("figures")
        .and_then(Json::as_array)?
        .iter()
        .find(|f| text_of(f, "name") == name)
}
