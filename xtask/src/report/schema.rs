//! report.json (schema `unitls-report/1`).

use super::{BackendRun, Report};
use crate::json::Json;
use crate::outcome::{split_library, Outcome};
use crate::workspace;

/// The report's schema name; bump it when a field changes meaning.
pub(crate) const SCHEMA: &str = "unitls-report/1";

/// The only mode the suite runs in so far (SPEC §0: sync and tokio).
const MODE: &str = "sync";

/// Why an uncovered requirement is listed.
pub(super) const UNCOVERED_REASON: &str = "no conformance case yet";

impl Report {
    /// report.json.
    pub(crate) fn to_json(&self) -> Json {
        let coverage = &self.coverage;
        Json::object([
            ("schema", Json::str(SCHEMA)),
            ("generated_at", Json::str(&self.generated_at)),
            ("command", Json::str(&self.command)),
            ("machine", self.machine.to_json()),
            ("rustc", Json::opt_str(self.rustc.clone())),
            ("openssl_cli", Json::opt_str(self.openssl_cli.clone())),
            (
                "spec",
                Json::object([
                    ("path", Json::str(coverage.path.display().to_string())),
                    ("found", Json::Bool(coverage.requirements.is_some())),
                    (
                        "requirements",
                        coverage
                            .requirements
                            .as_ref()
                            .map_or(Json::Null, |ids| Json::Int(count_i64(ids.len()))),
                    ),
                ]),
            ),
            (
                "backends",
                Json::Array(self.backends.iter().map(backend_json).collect()),
            ),
            (
                "uncovered",
                Json::Array(
                    coverage
                        .uncovered
                        .iter()
                        .map(|id| {
                            let reason = coverage
                                .reasons
                                .iter()
                                .find(|(listed, _)| listed == id)
                                .map_or(UNCOVERED_REASON, |(_, why)| why.as_str());
                            Json::object([("id", Json::str(id)), ("reason", Json::str(reason))])
                        })
                        .collect(),
                ),
            ),
            (
                "checked_elsewhere",
                Json::Array(
                    coverage
                        .elsewhere
                        .iter()
                        .map(|(id, place)| {
                            Json::object([("id", Json::str(id)), ("where", Json::str(place))])
                        })
                        .collect(),
                ),
            ),
            ("uncovered_note", Json::str(coverage.note())),
            (
                "cited_not_in_spec",
                Json::Array(coverage.unknown.iter().map(Json::str).collect()),
            ),
            ("interop", self.interop.to_json()),
            ("validation", self.validation.to_json()),
            (
                "interop_counts",
                Json::object(
                    [Outcome::Pass, Outcome::Fail, Outcome::Unsupported]
                        .map(|o| (o.as_str(), Json::Int(count_i64(self.interop.count(o))))),
                ),
            ),
            (
                "interop_duration_secs",
                Json::Float(self.interop.duration.as_secs_f64()),
            ),
        ])
    }
}

/// One backend's entry in report.json.
fn backend_json(run: &BackendRun) -> Json {
    let cases = run.cases.iter().map(|case| {
        let mut members = vec![
            ("id", Json::str(&case.id)),
            (
                "spec",
                Json::Array(case.spec.iter().map(Json::str).collect()),
            ),
            ("mode", Json::str(MODE)),
            ("outcome", Json::str(case.outcome.as_str())),
        ];
        if case.outcome != Outcome::Pass || !case.detail.is_empty() {
            members.push(("detail", Json::str(&case.detail)));
        }
        if case.outcome == Outcome::Fail {
            members.push(("reproduce", Json::str(run.case_command(&case.id))));
        }
        if let Some(output) = &case.output {
            members.push(("output", Json::str(output)));
        }
        Json::object(members)
    });
    let library = run.info.as_ref().map_or(Json::Null, |info| {
        let (name, version) = split_library(&info.library);
        Json::object([
            ("name", Json::str(name)),
            ("version", Json::opt_str(version)),
            ("full", Json::str(&info.library)),
        ])
    });
    let deviations = run.info.as_ref().map_or(Vec::new(), |info| {
        info.deviations
            .iter()
            .map(|d| {
                Json::object([
                    ("spec", Json::str(&d.spec)),
                    ("limitation", Json::str(&d.limitation)),
                ])
            })
            .collect()
    });
    Json::object([
        ("name", Json::str(run.name)),
        ("package", Json::str(workspace::backend_package(run.name))),
        ("library", library),
        (
            "crate",
            Json::opt_str(run.info.as_ref().map(|i| i.crate_version.clone())),
        ),
        ("command", Json::str(&run.command)),
        (
            "exit_code",
            run.exit_code.map_or(Json::Null, |c| Json::Int(c.into())),
        ),
        (
            "status",
            Json::str(if run.success { "ok" } else { "failed" }),
        ),
        ("duration_secs", Json::Float(run.duration.as_secs_f64())),
        (
            "capabilities",
            run.capabilities.as_ref().map_or(Json::Null, |caps| {
                Json::Array(caps.iter().map(Json::str).collect())
            }),
        ),
        ("deviations", Json::Array(deviations)),
        (
            "counts",
            Json::object(Outcome::ALL.map(|o| (o.as_str(), Json::Int(count_i64(run.count(o)))))),
        ),
        (
            "outcome_file",
            Json::str(run.outcome_file.display().to_string()),
        ),
        (
            "warnings",
            Json::Array(run.warnings.iter().map(Json::str).collect()),
        ),
        ("cases", Json::Array(cases.collect())),
    ])
}

/// A count as a JSON integer.
fn count_i64(n: usize) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}
