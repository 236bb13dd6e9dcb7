//! Tests of the renderings and of the files the section is merged into.

use std::fs;

use super::codegen::{benchmarks_block, readme_section};
use super::files::{carry_over, merge_into_files, splice, splice_html};
use super::html::to_html;
use super::markdown::to_markdown;
use super::{END, FIGURES, SCHEMA, START};
use crate::json::Json;

/// A two-backend performance section.
fn sample() -> Json {
    let fig = |name: &str, value: Option<f64>, direct: f64, ratio: f64| {
        Json::object([
            ("name", Json::str(name)),
            ("label", Json::str(name)),
            ("unit", Json::str("u")),
            ("value", value.map_or(Json::Null, Json::Float)),
            ("direct", Json::Float(direct)),
            ("ratio", value.map_or(Json::Null, |_| Json::Float(ratio))),
            ("ceiling_fraction", Json::Null),
            (
                "reason",
                if value.is_none() {
                    Json::str("cannot <do> it")
                } else {
                    Json::Null
                },
            ),
        ])
    };
    let backend = |name: &str, missing: bool| {
        Json::object([
            ("name", Json::str(name)),
            ("library", Json::str("lib")),
            (
                "figures",
                Json::Array(
                    FIGURES
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
                ),
            ),
        ])
    };
    Json::object([
        ("schema", Json::str(SCHEMA)),
        ("generated_at", Json::str("2026-01-02T03:04:05Z")),
        ("command", Json::str("cargo xtask report --quick")),
        ("plan", Json::str("quick")),
        (
            "machine",
            Json::object([("cpus", Json::Int(2)), ("cpu_model", Json::str("CPU X"))]),
        ),
        (
            "backends",
            Json::Array(vec![backend("rustls", false), backend("native-tls", true)]),
        ),
    ])
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
    let written = Json::parse(&fs::read_to_string(dir.join("report.json")).unwrap()).unwrap();
    assert_eq!(written.get("performance"), Some(&perf));
    let files = [
        (
            "report.json",
            "{\"schema\": \"unitls-report/1\"}".to_owned(),
        ),
        ("report.md", "# conformance\n".to_owned()),
        ("index.html", "<html><body>c</body></html>".to_owned()),
    ];
    let [json, md, html] = carry_over(&dir, files);
    assert_eq!(
        Json::parse(&json.1).unwrap().get("performance"),
        Some(&perf)
    );
    assert!(md
        .1
        .starts_with("# conformance\n\n<!-- performance:start -->"));
    assert!(html.1.contains("<svg") && html.1.ends_with("</body></html>"));
    let _ = fs::remove_dir_all(&dir);
}
