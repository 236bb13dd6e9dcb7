//! Tests of the report and its renderings.

use std::path::PathBuf;
use std::time::Duration;

use super::schema::UNCOVERED_REASON;
use super::{BackendRun, Coverage, Machine, Report, SCHEMA};
use crate::interop::Matrix;
use crate::json::Json;
use crate::outcome::{BackendInfo, CaseResult, Deviation, Outcome};

/// A case result.
fn case(id: &str, spec: &[&str], outcome: Outcome, detail: &str) -> CaseResult {
    CaseResult {
        id: id.into(),
        spec: spec.iter().map(|s| (*s).to_owned()).collect(),
        outcome,
        detail: detail.into(),
        output: None,
    }
}

/// A backend run with `cases`.
fn run(name: &'static str, success: bool, cases: Vec<CaseResult>) -> BackendRun {
    BackendRun {
        name,
        command: format!("cargo test -p unitls-{name} --test conformance"),
        exit_code: Some(if success { 0 } else { 101 }),
        success,
        duration: Duration::from_millis(1500),
        capabilities: Some(vec!["Tls13".into()]),
        info: Some(BackendInfo {
            library: "OpenSSL 3.0.19 27 Jan 2026".into(),
            crate_version: format!("unitls-{name} 0.1.0"),
            deviations: vec![Deviation {
                spec: "PROTO-9".into(),
                limitation: "no <alert>".into(),
            }],
        }),
        outcome_file: PathBuf::from("/tmp/outcomes.jsonl"),
        warnings: Vec::new(),
        cases,
    }
}

/// A report over `backends` and a small SPEC.
fn report(backends: Vec<BackendRun>) -> Report {
    let spec = "**ATTACH-1** — a\n**PROTO-9** — b\n**KEY-2** — c\n**KEY-3** — d\n";
    let coverage = Coverage::from_text(PathBuf::from("/x/shared/SPEC.md"), spec, &backends);
    Report {
        generated_at: "2025-01-01T00:00:00Z".into(),
        command: "cargo xtask conformance".into(),
        machine: Machine {
            os: "linux",
            os_release: None,
            arch: "x86_64",
            cpus: Some(2),
            cpu_model: None,
        },
        rustc: None,
        openssl_cli: Some("OpenSSL 3.0.19".into()),
        backends,
        coverage,
        interop: Matrix::default(),
        validation: Default::default(),
    }
}

#[test]
fn runs_fail_only_on_failures() {
    let clean = run(
        "rustls",
        true,
        vec![
            case("a", &["ATTACH-1"], Outcome::Pass, ""),
            case("b", &["KEY-2"], Outcome::Unsupported, "Pkcs12 not declared"),
            case("c", &["PROTO-9"], Outcome::Deviation, "PROTO-9: no alert"),
        ],
    );
    assert!(clean.is_ok());
    let failed = run("openssl", false, vec![case("a", &[], Outcome::Fail, "x")]);
    assert!(!failed.is_ok());
    let crashed = run("boring", false, vec![case("a", &[], Outcome::Pass, "")]);
    assert!(!crashed.is_ok());
    let empty = run("native-tls", true, Vec::new());
    assert!(!empty.is_ok());
    assert_eq!(empty.status(), "ok but reported no case");
}

#[test]
fn report_lists_outcomes_and_gaps() {
    let report = report(vec![
        run(
            "rustls",
            true,
            vec![
                case("a", &["ATTACH-1"], Outcome::Pass, ""),
                case("b", &["KEY-2"], Outcome::Unsupported, "Pkcs12 not declared"),
            ],
        ),
        run(
            "openssl",
            false,
            vec![
                case(
                    "a",
                    &["ATTACH-1", "SEC-99"],
                    Outcome::Deviation,
                    "PROTO-9: no alert",
                ),
                case("b", &["KEY-2"], Outcome::Fail, "boom <here>\nsecond line"),
            ],
        ),
    ]);
    assert_eq!(report.coverage.uncovered, ["PROTO-9", "KEY-3"]);
    assert_eq!(report.coverage.unknown, ["SEC-99"]);

    let json = report.to_json();
    assert_eq!(json.get("schema").and_then(Json::as_str), Some(SCHEMA));
    let uncovered = json.get("uncovered").and_then(Json::as_array).unwrap();
    assert_eq!(uncovered.len(), 2);
    assert_eq!(
        uncovered[0].get("reason").and_then(Json::as_str),
        Some(UNCOVERED_REASON)
    );
    assert_eq!(json.get("interop"), Some(&Json::Array(Vec::new())));
    let backends = json.get("backends").and_then(Json::as_array).unwrap();
    let openssl = &backends[1];
    let library = openssl.get("library").unwrap();
    assert_eq!(library.get("name").and_then(Json::as_str), Some("OpenSSL"));
    assert_eq!(
        library.get("version").and_then(Json::as_str),
        Some("3.0.19")
    );
    assert_eq!(
        openssl.get("counts").unwrap().to_pretty(),
        "{\"pass\": 0, \"fail\": 1, \"unsupported\": 0, \"deviation\": 1}\n"
    );
    let cases = openssl.get("cases").and_then(Json::as_array).unwrap();
    assert_eq!(cases[1].get("mode").and_then(Json::as_str), Some("sync"));
    assert!(cases[1].get("reproduce").is_some());
    let rustls_cases = backends[0].get("cases").and_then(Json::as_array).unwrap();
    assert_eq!(rustls_cases[0].get("detail"), None, "pass has no detail");
    // The printed JSON reads back.
    assert_eq!(Json::parse(&json.to_pretty()).unwrap(), json);

    let md = report.to_markdown();
    assert!(md.contains("| rustls | OpenSSL 3.0.19 27 Jan 2026 | 1 | 0 | 1 | 0 |"));
    assert!(md.contains("- `b` (KEY-2): Pkcs12 not declared"));
    assert!(md.contains("### Deviations (1)\n\n- `a` (ATTACH-1, SEC-99): PROTO-9: no alert"));
    assert!(md.contains("- `b` (KEY-2): boom <here>\n  rerun: `cargo test -p unitls-openssl"));
    assert!(md.contains("| PROTO (1) | PROTO-9 |\n| KEY (1) | KEY-3 |"));
    assert!(md.contains("2 of 4 requirement IDs"));

    let html = report.to_html();
    assert!(html.contains("<td class=\"deviation\" title=\"PROTO-9: no alert\">deviation</td>"));
    assert!(html.contains("<td class=\"unsupported\" title=\"Pkcs12 not declared\">"));
    assert!(html.contains("<td class=\"pass\">pass</td>"));
    assert!(html.contains("boom &lt;here&gt;"));
    assert!(!html.contains("<here>"));
    assert!(html.contains(".deviation { background: #ffdf9e"));
    assert!(html.contains("class=\"legend\""));
    assert!(html.contains("<h2>Uncovered SPEC requirements</h2>"));
}
