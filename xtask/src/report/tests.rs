//! Tests of the report and its renderings.

use std::path::PathBuf;
use std::time::Duration;

use super::schema::UNCOVERED_REASON;
use unitls_model::report::SCHEMA;

use super::{BackendRun, Coverage, Machine, Report};
use crate::interop::Matrix;
use crate::outcome::{BackendInfo, CaseResult, Deviation, Mode, Outcome};

/// A case result.
fn case(id: &str, spec: &[&str], outcome: Outcome, detail: &str) -> CaseResult {
    CaseResult {
        id: id.into(),
        spec: spec.iter().map(|s| (*s).to_owned()).collect(),
        mode: Mode::Blocking,
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
        declared: Some(crate::declared::Declared {
            all: vec!["Tls13".into()],
            lacks: Vec::new(),
        }),
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
        reliability: Vec::new(),
        reliability_warnings: Vec::new(),
    }
}

/// A report over `backends` and a small SPEC.
fn report(backends: Vec<BackendRun>) -> Report {
    let spec = "**ATTACH-1** — a\n**PROTO-9** — b\n**KEY-2** — c\n**KEY-3** — d\n";
    let coverage = Coverage::from_text(PathBuf::from("/x/shared/SPEC.md"), spec, &backends, &[]);
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
        integrations: Default::default(),
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

    let record = report.to_record();
    assert_eq!(record.schema, SCHEMA);
    let conformance = record.conformance.as_ref().unwrap();
    assert_eq!(conformance.uncovered.len(), 2);
    assert_eq!(conformance.uncovered[0].reason, UNCOVERED_REASON);
    assert!(conformance.interop.is_empty());
    let openssl = &conformance.backends[1];
    let library = openssl.library.as_ref().unwrap();
    assert_eq!(library.name, "OpenSSL");
    assert_eq!(library.version.as_deref(), Some("3.0.19"));
    assert_eq!(
        unitls_model::to_line(&openssl.counts),
        r#"{"pass":0,"fail":1,"unsupported":0,"deviation":1}"#
    );
    assert_eq!(openssl.cases[1].mode.as_str(), "blocking");
    assert!(openssl.cases[1].reproduce.is_some());
    assert_eq!(
        conformance.backends[0].cases[0].detail, None,
        "pass has no detail"
    );
    // The written JSON reads back, the mode included.
    let text = unitls_model::to_pretty(&record);
    assert!(text.contains(r#""mode": "blocking""#), "{text}");
    assert_eq!(
        serde_json::from_str::<unitls_model::report::Report>(&text).unwrap(),
        record
    );

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

#[test]
fn reliability_section_tallies_hostile_cases_and_carries_figures() {
    use unitls_model::reliability::{LoadFigures, MemoryFigures, MemorySample, ReliabilityLine};
    let mut rustls = run(
        "rustls",
        true,
        vec![
            case("rel_5_a", &["REL-5"], Outcome::Pass, ""),
            case("rel_5_b", &["REL-5", "REL-7"], Outcome::Fail, "no alert"),
            case("other", &["ATTACH-1"], Outcome::Pass, ""),
        ],
    );
    let mut async_case = case("rel_5_a", &["REL-5"], Outcome::Pass, "");
    async_case.mode = Mode::Async;
    rustls.cases.push(async_case);
    rustls.reliability = vec![
        ReliabilityLine::Load(LoadFigures {
            backend: "rustls".into(),
            mode: Mode::Blocking,
            setup: "tcp".into(),
            connections: 1000,
            handshakes_per_sec: 512.34,
            errors: 0,
            lost: 0,
            duration_secs: 2.5,
        }),
        ReliabilityLine::Memory(MemoryFigures {
            backend: "rustls".into(),
            mode: Mode::Blocking,
            setup: "tcp".into(),
            cycle: "connect-close".into(),
            cycles: 10_000,
            warmup: 1000,
            samples: vec![
                MemorySample {
                    cycle: 0,
                    rss_kib: 8000,
                },
                MemorySample {
                    cycle: 1000,
                    rss_kib: 16_000,
                },
                MemorySample {
                    cycle: 10_000,
                    rss_kib: 16_100,
                },
            ],
            growth_kib: 100,
            live_sessions_after: 0,
        }),
    ];
    let report = report(vec![rustls]);
    let section = report.reliability();
    let backend = &section.backends[0];
    assert_eq!(backend.hostile.len(), 2, "{:?}", backend.hostile);
    assert_eq!((backend.hostile[0].run, backend.hostile[0].passed), (2, 1));
    assert_eq!(backend.hostile[0].not_passed, ["rel_5_b"]);
    assert_eq!(
        (backend.hostile[1].mode, backend.hostile[1].passed),
        (Mode::Async, 1)
    );
    assert_eq!((backend.load.len(), backend.memory.len()), (1, 1));
    let record = report.to_record();
    let text = unitls_model::to_pretty(&record);
    assert!(text.contains(r#""reliability": {"#), "{text}");
    let md = report.to_markdown();
    assert!(
        md.contains("| rustls | 1/2 passed | 1/1 passed | rel_5_b |"),
        "{md}"
    );
    assert!(
        md.contains("| rustls | blocking | tcp | 1000 | 512 | 0 | 0 | 2.5 s |"),
        "{md}"
    );
    assert!(
        md.contains("| connect-close | 10000 | 1000 | 16000 KiB | 16100 KiB | 100 KiB | 0 |"),
        "{md}"
    );
    let html = report.to_html();
    assert!(html.contains("<h2 id=\"reliability\">Reliability</h2>"));
    assert!(
        html.contains("<svg") && html.contains("<polyline"),
        "{html}"
    );
}
