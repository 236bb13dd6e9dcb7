//! The certificate-validation comparison (x509-limbo through real handshakes): the lines
//! each backend's `tests/validation.rs` appends to `$UNITLS_VALIDATION_FILE`, and the
//! `validation` section of report.json that `cargo xtask conformance` makes of them.
//!
//! Verdicts are words: `accept`, `reject`, `not-applicable`, `error`; comparisons are
//! `agree`, `not-compared`, `unitls-stricter`, `handshake-limit`, `disagree`.

use serde::{Deserialize, Serialize};

/// One line of a validation record file: a header, then one line per eligible case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum ValidationLine {
    /// The run's description.
    Header(ValidationHeader),
    /// One case's verdicts.
    Case(ValidationCase),
}

/// The header line: the backend, its library, the corpus.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ValidationHeader {
    /// The backend under test.
    pub backend: String,
    /// Its TLS library and version.
    #[serde(default)]
    pub library: String,
    /// The corpus file.
    pub corpus: Option<String>,
    /// The corpus's commit, from the README beside it.
    pub commit: Option<String>,
    /// How the library is used directly for the comparison.
    #[serde(default)]
    pub direct_method: String,
    /// Whether the corpus is absent (the run then passes, saying so in `message`).
    #[serde(default)]
    pub absent: bool,
    /// Why it is absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// The corpus's cases.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub total_cases: Option<usize>,
    /// The cases a handshake can express.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub eligible: Option<usize>,
}

/// One case's line: unitls's verdict, the library's used directly, and how they compare.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ValidationCase {
    /// The backend under test.
    pub backend: String,
    /// The corpus's case id.
    pub id: String,
    /// `accept` or `reject`, as the corpus expects.
    pub expected: String,
    /// unitls's verdict.
    pub verdict: String,
    /// Its reason (the VerificationFailure reason first, for a rejection).
    #[serde(default)]
    pub reason: String,
    /// The library's verdict, used directly.
    #[serde(default)]
    pub direct_verdict: String,
    /// Its reason.
    #[serde(default)]
    pub direct_reason: String,
    /// The server that gave unitls's verdict.
    pub server_backend: Option<String>,
    /// The cross-check's server (a different backend).
    pub cross_server_backend: Option<String>,
    /// The cross-check's verdict.
    pub cross_verdict: Option<String>,
    /// Its reason.
    pub cross_reason: Option<String>,
    /// How unitls's and the direct verdict compare.
    #[serde(default)]
    pub comparison: String,
    /// The listed reason of a known difference.
    pub known_reason: Option<String>,
    /// The description's first paragraph.
    #[serde(default)]
    pub description: String,
    /// The corpus's feature tags.
    #[serde(default)]
    pub features: Vec<String>,
}

/// report.json's `validation` section.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ValidationSection {
    /// The corpus and where it came from.
    pub corpus: CorpusInfo,
    /// Why the comparison did not run, if it did not.
    pub absent: Option<String>,
    /// One entry per backend that ran.
    pub backends: Vec<ValidationBackend>,
    /// Every eligible case with each backend's result.
    pub cases: Vec<ValidationRow>,
    /// What fails the run.
    pub failures: Vec<String>,
}

/// The corpus, credited.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CorpusInfo {
    /// `x509-limbo`.
    pub name: String,
    /// Its repository.
    pub source: String,
    /// Its license.
    pub license: String,
    /// The commit it was generated at.
    pub commit: Option<String>,
    /// The file read.
    pub path: Option<String>,
    /// The corpus's cases.
    pub total_cases: Option<usize>,
    /// The cases a handshake can express.
    pub eligible: Option<usize>,
    /// The credit line.
    pub credit: String,
}

/// One backend's run and its tallies.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ValidationBackend {
    /// The backend.
    pub backend: String,
    /// Its TLS library.
    pub library: String,
    /// How the library is used directly.
    pub direct_method: String,
    /// The command that reruns it.
    pub command: String,
    /// The test process's exit code.
    pub exit_code: Option<i32>,
    /// Whether it succeeded.
    pub success: bool,
    /// How long it took.
    pub seconds: f64,
    /// Why the corpus was absent for it.
    pub absent: Option<String>,
    /// Its eligible cases.
    pub eligible: Option<usize>,
    /// Case lines read.
    pub cases: usize,
    /// Accepted or rejected as the corpus expects.
    pub as_expected: usize,
    /// Accepted although the corpus expects a rejection.
    pub accepted_expected_reject: usize,
    /// Rejected although the corpus expects acceptance.
    pub rejected_expected_accept: usize,
    /// Handshake errors.
    pub errors: usize,
    /// Not applicable.
    pub not_applicable: usize,
    /// unitls and the library used directly disagree (unitls bugs).
    pub unitls_vs_direct_disagreements: usize,
    /// Listed known differences that showed.
    pub known_differences: usize,
    /// The record file read.
    pub records: String,
}

/// One case and every backend's result on it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ValidationRow {
    /// The corpus's case id.
    pub id: String,
    /// `accept` or `reject`.
    pub expected: String,
    /// The description's first paragraph.
    pub description: String,
    /// The corpus's feature tags.
    pub features: Vec<String>,
    /// Whether backends that reached a verdict differ.
    pub backends_disagree: bool,
    /// One per backend that ran it.
    pub results: Vec<ValidationResult>,
}

/// One backend's result on one case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ValidationResult {
    /// The backend.
    pub backend: String,
    /// unitls's verdict.
    pub verdict: String,
    /// Its reason.
    pub reason: String,
    /// The library's verdict, used directly.
    pub direct_verdict: String,
    /// Its reason.
    pub direct_reason: String,
    /// The server that gave unitls's verdict.
    pub server_backend: Option<String>,
    /// The cross-check's server.
    pub cross_server_backend: Option<String>,
    /// The cross-check's verdict.
    pub cross_verdict: Option<String>,
    /// How unitls's and the direct verdict compare.
    pub comparison: String,
    /// The listed reason of a known difference.
    pub known_reason: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_and_case_lines() {
        let header = ValidationLine::Header(ValidationHeader {
            backend: "rustls".into(),
            library: "rustls 0.23".into(),
            corpus: Some("/x/limbo.json".into()),
            commit: None,
            direct_method: "d".into(),
            absent: true,
            message: Some("absent".into()),
            total_cases: None,
            eligible: None,
        });
        let line = crate::to_line(&header);
        assert!(
            line.starts_with(r#"{"kind":"header","backend":"rustls""#),
            "{line}"
        );
        assert!(!line.contains("total_cases"));
        assert_eq!(
            serde_json::from_str::<ValidationLine>(&line).unwrap(),
            header
        );
        let case: ValidationLine = serde_json::from_str(
            r#"{"kind":"case","backend":"b","id":"i","expected":"accept","verdict":"accept"}"#,
        )
        .unwrap();
        assert!(
            matches!(case, ValidationLine::Case(ValidationCase { ref features, .. }) if features.is_empty())
        );
    }
}
