//! Reading a backend test's JSON lines into the report.

use std::fs;

use super::{BackendValidation, CaseResult, CaseRow, Tally, ValidationReport};
use crate::json::Json;

fn text(value: Option<&Json>) -> String {
    value.and_then(Json::as_str).unwrap_or_default().to_string()
}

fn opt_text(value: Option<&Json>) -> Option<String> {
    value.and_then(Json::as_str).map(str::to_string)
}

fn count(value: Option<&Json>) -> Option<usize> {
    match value {
        Some(Json::Int(n)) => usize::try_from(*n).ok(),
        _ => None,
    }
}

impl ValidationReport {
    /// Reads one backend's records into the report.
    pub(super) fn add(&mut self, mut run: BackendValidation) -> Result<(), String> {
        let content = match fs::read_to_string(&run.record_file) {
            Ok(content) => content,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
            Err(e) => return Err(format!("cannot read {}: {e}", run.record_file.display())),
        };
        for (number, line) in content.lines().enumerate() {
            if line.trim().is_empty() {
                continue;
            }
            let record = Json::parse(line)
                .map_err(|e| format!("{} line {}: {e}", run.record_file.display(), number + 1))?;
            match record.get("kind").and_then(Json::as_str) {
                Some("header") => {
                    run.library = text(record.get("library"));
                    run.direct_method = text(record.get("direct_method"));
                    run.eligible = count(record.get("eligible"));
                    if record.get("absent") == Some(&Json::Bool(true)) {
                        run.absent = Some(text(record.get("message")));
                    }
                    self.corpus = self.corpus.take().or(opt_text(record.get("corpus")));
                    self.commit = self.commit.take().or(opt_text(record.get("commit")));
                    self.total_cases = self.total_cases.or(count(record.get("total_cases")));
                    self.eligible = self.eligible.or(run.eligible);
                }
                Some("case") => self.add_case(&mut run.tally, &run.name, &record),
                _ => {}
            }
        }
        self.backends.push(run);
        Ok(())
    }

    fn add_case(&mut self, tally: &mut Tally, backend: &str, record: &Json) {
        let id = text(record.get("id"));
        let expected = text(record.get("expected"));
        let result = CaseResult {
            backend: backend.to_string(),
            verdict: text(record.get("verdict")),
            reason: text(record.get("reason")),
            direct_verdict: text(record.get("direct_verdict")),
            direct_reason: text(record.get("direct_reason")),
            server_backend: opt_text(record.get("server_backend")),
            cross: opt_text(record.get("cross_server_backend"))
                .zip(opt_text(record.get("cross_verdict"))),
            comparison: text(record.get("comparison")),
            known_reason: opt_text(record.get("known_reason")),
        };
        tally.cases += 1;
        match (result.verdict.as_str(), expected.as_str()) {
            ("accept", "accept") | ("reject", "reject") => tally.as_expected += 1,
            ("accept", _) => tally.accepted_expected_reject += 1,
            ("reject", _) => tally.rejected_expected_accept += 1,
            ("error", _) => tally.errors += 1,
            _ => tally.not_applicable += 1,
        }
        match result.comparison.as_str() {
            "disagree" => tally.disagreements += 1,
            "unitls-stricter" | "handshake-limit" => tally.known += 1,
            _ => {}
        }
        let row = match self.cases.iter_mut().position(|c| c.id == id) {
            Some(at) => &mut self.cases[at],
            None => {
                self.cases.push(CaseRow {
                    id,
                    expected,
                    description: text(record.get("description")),
                    features: record
                        .get("features")
                        .and_then(Json::as_array)
                        .unwrap_or_default()
                        .iter()
                        .filter_map(Json::as_str)
                        .map(str::to_string)
                        .collect(),
                    results: Vec::new(),
                });
                self.cases.last_mut().expect("just pushed")
            }
        };
        row.results.push(result);
    }
}
