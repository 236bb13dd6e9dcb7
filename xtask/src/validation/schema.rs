//! The `validation` member of report.json.

use super::{ValidationReport, CORPUS_SOURCE};
use crate::json::Json;

impl ValidationReport {
    /// The `validation` member of report.json.
    pub(crate) fn to_json(&self) -> Json {
        let int = |n: usize| Json::Int(i64::try_from(n).unwrap_or(i64::MAX));
        let opt_int = |n: Option<usize>| n.map_or(Json::Null, int);
        let backends = self
            .backends
            .iter()
            .map(|b| {
                let t = &b.tally;
                Json::object([
                    ("backend", Json::str(&b.name)),
                    ("library", Json::str(&b.library)),
                    ("direct_method", Json::str(&b.direct_method)),
                    ("command", Json::str(&b.command)),
                    (
                        "exit_code",
                        b.exit_code.map_or(Json::Null, |c| Json::Int(c.into())),
                    ),
                    ("success", Json::Bool(b.success)),
                    ("seconds", Json::Float(b.duration.as_secs_f64())),
                    ("absent", Json::opt_str(b.absent.clone())),
                    ("eligible", opt_int(b.eligible)),
                    ("cases", int(t.cases)),
                    ("as_expected", int(t.as_expected)),
                    ("accepted_expected_reject", int(t.accepted_expected_reject)),
                    ("rejected_expected_accept", int(t.rejected_expected_accept)),
                    ("errors", int(t.errors)),
                    ("not_applicable", int(t.not_applicable)),
                    ("unitls_vs_direct_disagreements", int(t.disagreements)),
                    ("known_differences", int(t.known)),
                    ("records", Json::str(b.record_file.display().to_string())),
                ])
            })
            .collect();
        let cases = self
            .cases
            .iter()
            .map(|c| {
                let results = c
                    .results
                    .iter()
                    .map(|r| {
                        Json::object([
                            ("backend", Json::str(&r.backend)),
                            ("verdict", Json::str(&r.verdict)),
                            ("reason", Json::str(&r.reason)),
                            ("direct_verdict", Json::str(&r.direct_verdict)),
                            ("direct_reason", Json::str(&r.direct_reason)),
                            ("server_backend", Json::opt_str(r.server_backend.clone())),
                            (
                                "cross_server_backend",
                                Json::opt_str(r.cross.as_ref().map(|(s, _)| s.clone())),
                            ),
                            (
                                "cross_verdict",
                                Json::opt_str(r.cross.as_ref().map(|(_, v)| v.clone())),
                            ),
                            ("comparison", Json::str(&r.comparison)),
                            ("known_reason", Json::opt_str(r.known_reason.clone())),
                        ])
                    })
                    .collect();
                Json::object([
                    ("id", Json::str(&c.id)),
                    ("expected", Json::str(&c.expected)),
                    ("description", Json::str(&c.description)),
                    (
                        "features",
                        Json::Array(c.features.iter().map(Json::str).collect()),
                    ),
                    ("backends_disagree", Json::Bool(c.backends_disagree())),
                    ("results", Json::Array(results)),
                ])
            })
            .collect();
        Json::object([
            (
                "corpus",
                Json::object([
                    ("name", Json::str("x509-limbo")),
                    ("source", Json::str(CORPUS_SOURCE)),
                    ("license", Json::str("Apache-2.0")),
                    ("commit", Json::opt_str(self.commit.clone())),
                    ("path", Json::opt_str(self.corpus.clone())),
                    ("total_cases", opt_int(self.total_cases)),
                    ("eligible", opt_int(self.eligible)),
                    ("credit", Json::str(self.credit())),
                ]),
            ),
            ("absent", Json::opt_str(self.absent.clone())),
            ("backends", Json::Array(backends)),
            ("cases", Json::Array(cases)),
            (
                "failures",
                Json::Array(self.failures().into_iter().map(Json::Str).collect()),
            ),
        ])
    }
}
