//! The `validation` member of report.json (`unitls_model::validation`).

use unitls_model::validation::{
    CorpusInfo, ValidationBackend, ValidationResult, ValidationRow, ValidationSection,
};

use super::{ValidationReport, CORPUS_SOURCE};

impl ValidationReport {
    /// The `validation` member of report.json.
    pub(crate) fn to_record(&self) -> ValidationSection {
        let backends = self
            .backends
            .iter()
            .map(|b| {
                let t = &b.tally;
                ValidationBackend {
                    backend: b.name.clone(),
                    library: b.library.clone(),
                    direct_method: b.direct_method.clone(),
                    command: b.command.clone(),
                    exit_code: b.exit_code,
                    success: b.success,
                    seconds: crate::report::secs(b.duration),
                    absent: b.absent.clone(),
                    eligible: b.eligible,
                    cases: t.cases,
                    as_expected: t.as_expected,
                    accepted_expected_reject: t.accepted_expected_reject,
                    rejected_expected_accept: t.rejected_expected_accept,
                    errors: t.errors,
                    not_applicable: t.not_applicable,
                    unitls_vs_direct_disagreements: t.disagreements,
                    known_differences: t.known,
                    records: b.record_file.display().to_string(),
                }
            })
            .collect();
        let cases = self
            .cases
            .iter()
            .map(|c| ValidationRow {
                id: c.id.clone(),
                expected: c.expected.clone(),
                description: c.description.clone(),
                features: c.features.clone(),
                backends_disagree: c.backends_disagree(),
                results: c
                    .results
                    .iter()
                    .map(|r| ValidationResult {
                        backend: r.backend.clone(),
                        verdict: r.verdict.clone(),
                        reason: r.reason.clone(),
                        direct_verdict: r.direct_verdict.clone(),
                        direct_reason: r.direct_reason.clone(),
                        server_backend: r.server_backend.clone(),
                        cross_server_backend: r.cross.as_ref().map(|(s, _)| s.clone()),
                        cross_verdict: r.cross.as_ref().map(|(_, v)| v.clone()),
                        comparison: r.comparison.clone(),
                        known_reason: r.known_reason.clone(),
                    })
                    .collect(),
            })
            .collect();
        ValidationSection {
            corpus: CorpusInfo {
                name: "x509-limbo".to_owned(),
                source: CORPUS_SOURCE.to_owned(),
                license: "Apache-2.0".to_owned(),
                commit: self.commit.clone(),
                path: self.corpus.clone(),
                total_cases: self.total_cases,
                eligible: self.eligible,
                credit: self.credit(),
            },
            absent: self.absent.clone(),
            backends,
            cases,
            failures: self.failures(),
        }
    }
}
