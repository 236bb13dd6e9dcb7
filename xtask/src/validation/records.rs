//! Reading a backend test's JSON lines (`unitls_model::validation`) into the report.

use std::fs;

use super::{BackendValidation, CaseResult, CaseRow, Tally, ValidationReport};
use unitls_model::validation::{ValidationCase, ValidationLine};

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
            let record: ValidationLine = serde_json::from_str(line)
                .map_err(|e| format!("{} line {}: {e}", run.record_file.display(), number + 1))?;
            match record {
                ValidationLine::Header(header) => {
                    run.library = header.library;
                    run.direct_method = header.direct_method;
                    run.eligible = header.eligible;
                    if header.absent {
                        run.absent = Some(header.message.unwrap_or_default());
                    }
                    self.corpus = self.corpus.take().or(header.corpus);
                    self.commit = self.commit.take().or(header.commit);
                    self.total_cases = self.total_cases.or(header.total_cases);
                    self.eligible = self.eligible.or(run.eligible);
                }
                ValidationLine::Case(case) => self.add_case(&mut run.tally, &run.name, case),
            }
        }
        self.backends.push(run);
        Ok(())
    }

    fn add_case(&mut self, tally: &mut Tally, backend: &str, record: ValidationCase) {
        let id = record.id;
        let expected = record.expected;
        let result = CaseResult {
            backend: backend.to_string(),
            verdict: record.verdict,
            reason: record.reason,
            direct_verdict: record.direct_verdict,
            direct_reason: record.direct_reason,
            server_backend: record.server_backend,
            cross: record.cross_server_backend.zip(record.cross_verdict),
            comparison: record.comparison,
            known_reason: record.known_reason,
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
                    description: record.description,
                    features: record.features,
                    results: Vec::new(),
                });
                self.cases.last_mut().expect("just pushed")
            }
        };
        row.results.push(result);
    }
}
