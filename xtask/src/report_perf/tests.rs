//! Tests of the renderings and of the files the section is merged into.

use std::fs;

use super::codegen::{benchmarks_block, readme_section};
use super::files::{carry_over, merge_into_files, splice, splice_html};
use super::html::to_html;
use super::markdown::to_markdown;
use super::{END, FIGURES, SCHEMA, START};
use unitls_model::bench::{Figure, PerfBackend, Performance, Plan};
use unitls_model::report::{Machine, Report, RunStatus};

/// A two-backend performance section.
fn sample() -> Performance {
    let fig = |name: &str, value: Option<f64>, direct: f64, ratio: f64| Figure {
        name: name.into(),
        label: name.into(),
        unit: Some("u".into()),
        better: None,
        transport: None,
        value,
        direct: Some(direct),
        ratio: value.map(|_| ratio),
        ratio_spread: None,
        ceiling: None,
        ceiling_fraction: None,
        reason: value.is_none().then(|| "cannot <do> it".into()),
        kind: None,
        note: None,
        unitls_stats: None,
        direct_stats: None,
    };
    let backend = |name: &str, missing: bool| PerfBackend {
        name: name.into(),
        status: RunStatus::Ok,
        problems: Vec::new(),
        library: Some("lib".into()),
        crate_version: None,
        direct_api: None,
        direct_library: None,
        primitives: None,
        pinned_cpu: None,
        command: String::new(),
        build_secs: 0.0,
        run_secs: 0.0,
        ceilings: Vec::new(),
        figures: FIGURES
            .iter()
            .map(|(n, _)| {
                let value = if missing && n.contains("resumed") {
                    None
                } else {
                    Some(100.0)
                };
                fig(n, value, 110.0, 0.91)
            })
            .collect(),
    };
    Performance {
        schema: SCHEMA.into(),
        generated_at: "2026-01-02T03:04:05Z".into(),
        command: "cargo xtask report --quick".into(),
        plan: Plan::Quick,
        machine: Machine {
            os: "linux".into(),
            os_release: None,
            arch: "x86_64".into(),
            cpus: Some(2),
            cpu_model: Some("CPU X".into()),
        },
        rustc: None,
        crates: Vec::new(),
        target_ratio: 0.95,
        method: Vec::new(),
        duration_secs: 1.0,
        backends: vec![backend("rustls", false), backend("native-tls", true)],
    }
}

#[test]
fn renderings_show_every_figure_and_mark_low_ratios() {
    let perf = sample();
    let md = to_markdown(&perf);
    assert!(md.starts_with(START) && md.trim_end().ends_with(END));
    assert!(md.contains("| TLS 1.3 resumed handshake | **0.91** | — |"));
    assert!(md.contains("not measured: cannot <do> it"));
    let html = to_html(&perf);
    assert_eq!(html.matches("<svg").count(), 4);
    assert!(html.contains("cannot &lt;do&gt; it"));
    assert!(!html.contains("<do>"));
    let readme = readme_section(&perf);
    assert!(readme.contains("| TLS 1.3 resumed handshakes/s | 100 | — |"));
    assert!(readme.contains("0.91 ("));
    let block = benchmarks_block(&perf);
    assert!(block.contains("- native-tls — TLS 1.3 resumed handshake: cannot <do> it"));
    assert!(block.contains("| 100 / 110 |"));
}

#[test]
fn sections_are_replaced_or_appended() {
    let section = format!("{START}\nnew\n{END}\n");
    let old = format!("# r\n\n{START}\nold\n{END}\nafter\n");
    assert_eq!(
        splice(&old, START, END, &section),
        format!("# r\n\n{section}after\n")
    );
    assert_eq!(
        splice("# r\n", START, END, &section),
        format!("# r\n\n{section}")
    );
    let html = "<html><body><p>x</p></body></html>";
    assert_eq!(
        splice_html(html, &section),
        format!("<html><body><p>x</p>{section}</body></html>")
    );
    // Idempotent.
    let once = splice_html(html, &section);
    assert_eq!(splice_html(&once, &section), once);
}

#[test]
fn conformance_keeps_the_section() {
    let dir = std::env::temp_dir().join(format!("unitls-perf-{}", std::process::id()));
    fs::create_dir_all(&dir).unwrap();
    let perf = sample();
    merge_into_files(&dir, &perf, "cargo xtask report --quick").unwrap();
    let written: Report =
        serde_json::from_str(&fs::read_to_string(dir.join("report.json")).unwrap()).unwrap();
    assert_eq!(written.performance.as_ref(), Some(&perf));
    assert!(written.conformance.is_none());
    let mut report = Report {
        performance: None,
        command: "cargo xtask conformance".into(),
        ..written
    };
    let (md, html) = carry_over(
        &dir,
        &mut report,
        "# conformance\n".to_owned(),
        "<html><body>c</body></html>".to_owned(),
    );
    assert_eq!(report.performance.as_ref(), Some(&perf));
    assert!(md.starts_with("# conformance\n\n<!-- performance:start -->"));
    assert!(html.contains("<svg") && html.ends_with("</body></html>"));
    let _ = fs::remove_dir_all(&dir);
}
