//! The comparison's model: one backend's result on a case, a case's row, a backend's
//! tally and run, the whole report, and what fails the run.

use std::fmt::Write as _;
use std::path::PathBuf;
use std::time::Duration;

use super::CORPUS_SOURCE;

/// One backend's result on one case.
#[derive(Debug, Clone, Default)]
pub(crate) struct CaseResult {
    /// The backend.
    pub(crate) backend: String,
    /// unitls's verdict: accept, reject, not-applicable, error.
    pub(crate) verdict: String,
    /// Its reason (the VerificationFailure reason first, for a rejection).
    pub(crate) reason: String,
    /// The library's verdict, used directly.
    pub(crate) direct_verdict: String,
    /// Its reason.
    pub(crate) direct_reason: String,
    /// The server that gave unitls's verdict.
    pub(crate) server_backend: Option<String>,
    /// The cross-check's server (a different backend), and its verdict.
    pub(crate) cross: Option<(String, String)>,
    /// agree, not-compared, unitls-stricter, handshake-limit, disagree.
    pub(crate) comparison: String,
    /// The listed reason of a known difference.
    pub(crate) known_reason: Option<String>,
}

/// One corpus case and every backend's result on it.
#[derive(Debug, Clone, Default)]
pub(crate) struct CaseRow {
    /// The case's identifier.
    pub(crate) id: String,
    /// accept or reject.
    pub(crate) expected: String,
    /// The description's first paragraph.
    pub(crate) description: String,
    /// The corpus's feature tags.
    pub(crate) features: Vec<String>,
    /// One per backend that ran it.
    pub(crate) results: Vec<CaseResult>,
}

impl CaseRow {
    /// Whether backends that reached a verdict (or an error) differ.
    pub(crate) fn backends_disagree(&self) -> bool {
        let mut seen: Vec<&str> = Vec::new();
        for result in &self.results {
            if result.verdict != "not-applicable" && !seen.contains(&result.verdict.as_str()) {
                seen.push(&result.verdict);
            }
        }
        seen.len() > 1
    }
}

/// Counts for one backend.
#[derive(Debug, Clone, Default)]
pub(crate) struct Tally {
    /// Case lines read.
    pub(crate) cases: usize,
    /// Accepted or rejected as the corpus expects.
    pub(crate) as_expected: usize,
    /// Accepted although the corpus expects a rejection.
    pub(crate) accepted_expected_reject: usize,
    /// Rejected although the corpus expects acceptance.
    pub(crate) rejected_expected_accept: usize,
    /// Handshake errors (no verdict; a disagreement with the expected result).
    pub(crate) errors: usize,
    /// Not applicable.
    pub(crate) not_applicable: usize,
    /// unitls and the library used directly disagree (unitls bugs).
    pub(crate) disagreements: usize,
    /// Listed known differences that showed.
    pub(crate) known: usize,
}

/// One backend's test run.
#[derive(Debug, Clone, Default)]
pub(crate) struct BackendValidation {
    /// The backend.
    pub(crate) name: String,
    /// Its library, as the test reported it.
    pub(crate) library: String,
    /// How the direct verdict is reached.
    pub(crate) direct_method: String,
    /// The command run.
    pub(crate) command: String,
    /// Its exit code.
    pub(crate) exit_code: Option<i32>,
    /// Whether it succeeded.
    pub(crate) success: bool,
    /// How long it took.
    pub(crate) duration: Duration,
    /// Eligible cases in the corpus, as the test counted them.
    pub(crate) eligible: Option<usize>,
    /// The test's message when the corpus is absent.
    pub(crate) absent: Option<String>,
    /// The counts.
    pub(crate) tally: Tally,
    /// The end of the test's output, when it failed.
    pub(crate) failure_output: Option<String>,
    /// Where its lines are.
    pub(crate) record_file: PathBuf,
}

/// The whole comparison.
#[derive(Debug, Clone, Default)]
pub(crate) struct ValidationReport {
    /// The corpus file the tests read.
    pub(crate) corpus: Option<String>,
    /// The corpus commit (from the README beside it).
    pub(crate) commit: Option<String>,
    /// Cases in the corpus.
    pub(crate) total_cases: Option<usize>,
    /// Eligible cases.
    pub(crate) eligible: Option<usize>,
    /// Set when every test found the corpus absent.
    pub(crate) absent: Option<String>,
    /// One per backend run.
    pub(crate) backends: Vec<BackendValidation>,
    /// Every case, in corpus order.
    pub(crate) cases: Vec<CaseRow>,
}

impl ValidationReport {
    /// What makes the run fail: a backend's test that failed (unitls and the library
    /// disagree, or a listed difference went stale, or it did not build), or one that
    /// did not cover every eligible case.
    pub(crate) fn failures(&self) -> Vec<String> {
        let mut failures = Vec::new();
        for b in &self.backends {
            if !b.success {
                let mut text = format!(
                    "validation on {}: `{}` failed (exit {})",
                    b.name,
                    b.command,
                    b.exit_code.map_or("?".into(), |c| c.to_string())
                );
                if b.tally.cases == 0 {
                    text.push_str(" without recording any case (did it build? see its output)");
                }
                let disagreeing: Vec<&str> = self
                    .cases
                    .iter()
                    .filter(|c| {
                        c.results
                            .iter()
                            .any(|r| r.backend == b.name && r.comparison == "disagree")
                    })
                    .map(|c| c.id.as_str())
                    .collect();
                if !disagreeing.is_empty() {
                    let _ = write!(
                        text,
                        "; unitls and {} used directly disagree on {}",
                        b.name,
                        disagreeing.join(", ")
                    );
                }
                failures.push(text);
            } else if b.absent.is_none() && b.eligible.is_some_and(|n| n != b.tally.cases) {
                failures.push(format!(
                    "validation on {}: {} of {} eligible cases recorded",
                    b.name,
                    b.tally.cases,
                    b.eligible.unwrap_or_default()
                ));
            }
        }
        failures
    }

    /// The credit line for the corpus.
    pub(crate) fn credit(&self) -> String {
        format!(
            "x509-limbo ({CORPUS_SOURCE}), Apache License 2.0, commit {}",
            self.commit.as_deref().unwrap_or("unknown")
        )
    }

    /// The cases where backends disagree.
    pub(super) fn disagreements(&self) -> Vec<&CaseRow> {
        self.cases
            .iter()
            .filter(|c| c.backends_disagree())
            .collect()
    }

    pub(super) fn backend_names(&self) -> Vec<&str> {
        self.backends.iter().map(|b| b.name.as_str()).collect()
    }
}
