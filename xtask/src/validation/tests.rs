//! Tests of reading the records, the renderings and the failures.

use std::fs;

use unitls_model::validation::{ValidationCase, ValidationHeader, ValidationLine};

use super::{BackendValidation, ValidationReport};

/// A case line, as a backend's test writes it.
fn record(backend: &str, id: &str, expected: &str, verdict: &str, reason: &str) -> String {
    line(ValidationLine::Case(ValidationCase {
        backend: backend.into(),
        id: id.into(),
        expected: expected.into(),
        verdict: verdict.into(),
        reason: reason.into(),
        direct_verdict: verdict.into(),
        direct_reason: String::new(),
        server_backend: Some(backend.into()),
        cross_server_backend: None,
        cross_verdict: None,
        cross_reason: None,
        comparison: "agree".into(),
        known_reason: None,
        description: "A case.".into(),
        features: vec!["x".into()],
    }))
}

/// A header line.
fn header(absent: bool, counts: Option<(usize, usize)>) -> String {
    line(ValidationLine::Header(ValidationHeader {
        backend: "rustls".into(),
        library: "rustls 0.23".into(),
        corpus: Some("/x/limbo.json".into()),
        commit: (!absent).then(|| "8a2e6f4".into()),
        direct_method: "d".into(),
        absent,
        message: absent.then(|| "the x509-limbo corpus is absent".into()),
        total_cases: counts.map(|(total, _)| total),
        eligible: counts.map(|(_, eligible)| eligible),
    }))
}

/// `record` as one line of a record file.
fn line(record: ValidationLine) -> String {
    let mut text = unitls_model::to_line(&record);
    text.push('\n');
    text
}

fn report_from(test: &str, lines: &[(&str, String)]) -> ValidationReport {
    let dir = std::env::temp_dir().join(format!("xtask-validation-{}-{test}", std::process::id()));
    fs::create_dir_all(&dir).expect("temp dir");
    let mut report = ValidationReport::default();
    for (backend, content) in lines {
        let file = dir.join(format!("validation-{backend}.jsonl"));
        fs::write(&file, content).expect("write");
        report
            .add(BackendValidation {
                name: backend.to_string(),
                success: true,
                record_file: file,
                ..BackendValidation::default()
            })
            .expect("add");
    }
    let _ = fs::remove_dir_all(&dir);
    report
}

#[test]
fn reads_records_and_finds_disagreements() {
    let header = header(false, Some((3, 2)));
    let rustls = format!(
        "{header}{}{}",
        record("rustls", "a::one", "reject", "accept", ""),
        record("rustls", "a::two", "reject", "reject", "UnknownIssuer: x")
    );
    let openssl = format!(
        "{}{}",
        record("openssl", "a::one", "reject", "reject", "Other: y"),
        record("openssl", "a::two", "reject", "reject", "UnknownIssuer: x")
    );
    let report = report_from("records", &[("rustls", rustls), ("openssl", openssl)]);
    assert_eq!(report.cases.len(), 2);
    assert_eq!(report.commit.as_deref(), Some("8a2e6f4"));
    assert_eq!(report.backends[0].tally.accepted_expected_reject, 1);
    assert_eq!(report.backends[1].tally.as_expected, 2);
    let disagreeing: Vec<&str> = report
        .disagreements()
        .iter()
        .map(|c| c.id.as_str())
        .collect();
    assert_eq!(disagreeing, ["a::one"]);
    assert!(report.failures().is_empty());
    let md = report.to_markdown();
    assert!(md.contains("commit 8a2e6f4"), "{md}");
    assert!(md.contains("Apache License 2.0"));
    assert!(
        md.contains("| `a::one` | reject | **accept** | reject (Other) | A case. |"),
        "{md}"
    );
    assert!(md.contains("| rustls | 2 | 1 | 1 | 0 | 0 | 0 |"), "{md}");
    let html = report.to_html();
    assert!(html.contains("<td class=\"v-accept unexpected\""), "{html}");
    let json = unitls_model::to_pretty(&report.to_record());
    assert!(json.contains("\"backends_disagree\": true"), "{json}");
    assert!(json.contains("\"direct_verdict\": \"accept\""), "{json}");
}

#[test]
fn absent_corpus_is_skipped_not_failed() {
    let mut report = report_from("absent", &[("rustls", header(true, None))]);
    report.absent = report.backends[0].absent.clone();
    assert!(report.failures().is_empty());
    assert!(report.to_markdown().contains("**Skipped**"));
    assert!(report.to_html().contains("Skipped"));
}

#[test]
fn a_failed_test_names_its_disagreements() {
    let mut line = record("boring", "a::one", "accept", "error", "x");
    line = line.replace(r#""comparison":"agree""#, r#""comparison":"disagree""#);
    let mut report = report_from("failed", &[("boring", line)]);
    report.backends[0].success = false;
    report.backends[0].command = "cargo test".into();
    let failures = report.failures();
    assert_eq!(failures.len(), 1);
    assert!(failures[0].contains("disagree on a::one"), "{failures:?}");
}
