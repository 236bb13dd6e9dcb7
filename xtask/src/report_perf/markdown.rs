//! The Markdown rendering of the section, and the cell formats and provenance lines the
//! other renderings share.

use std::fmt::Write as _;

use super::section::{backends_of, figure, num, text_of};
use super::{END, FIGURES, METHOD, START, TARGET};
use crate::json::Json;

/// A value for a table cell: three significant digits or so.
pub(super) fn fmt_value(value: f64) -> String {
    if value >= 100.0 {
        format!("{value:.0}")
    } else if value >= 10.0 {
        format!("{value:.1}")
    } else {
        format!("{value:.2}")
    }
}

/// A ratio for a table cell; below the target in bold (Markdown).
fn fmt_ratio_md(ratio: Option<f64>) -> String {
    match ratio {
        Some(r) if r < TARGET => format!("**{r:.2}**"),
        Some(r) => format!("{r:.2}"),
        None => "—".to_owned(),
    }
}

/// "generated …, machine …" lines shared by the renderings.
pub(super) fn provenance(perf: &Json) -> Vec<String> {
    let machine = perf.get("machine");
    let cpu = machine
        .and_then(|m| m.get("cpu_model"))
        .and_then(Json::as_str)
        .unwrap_or("unknown CPU");
    let cpus = machine
        .and_then(|m| num(m, "cpus"))
        .map_or("?".to_owned(), |n| format!("{n:.0}"));
    let os = machine
        .and_then(|m| m.get("os_release"))
        .and_then(Json::as_str)
        .unwrap_or("");
    let mut lines = vec![
        format!("date: {}", text_of(perf, "generated_at")),
        format!(
            "machine: {cpu}, {cpus} cores{}",
            if os.is_empty() {
                String::new()
            } else {
                format!(", {os}")
            }
        ),
        format!(
            "plan: {} ({}); reproduce: `{}`",
            text_of(perf, "plan"),
            if text_of(perf, "plan") == "quick" {
                "7 samples of 80 ms per side"
            } else {
                "21 samples of 200 ms per side, 3 memory runs"
            },
            text_of(perf, "command")
        ),
    ];
    if let Some(rustc) = perf.get("rustc").and_then(Json::as_str) {
        lines.push(rustc.to_owned());
    }
    let crates: Vec<String> = perf
        .get("crates")
        .and_then(Json::as_array)
        .unwrap_or(&[])
        .iter()
        .map(|c| {
            let versions: Vec<&str> = c
                .get("versions")
                .and_then(Json::as_array)
                .unwrap_or(&[])
                .iter()
                .filter_map(Json::as_str)
                .collect();
            format!("{} {}", text_of(c, "name"), versions.join("/"))
        })
        .collect();
    if !crates.is_empty() {
        lines.push(format!("crates: {}", crates.join(", ")));
    }
    for b in backends_of(perf) {
        lines.push(format!(
            "{}: {} vs {} ({}); primitives: {}",
            text_of(b, "name"),
            text_of(b, "library"),
            text_of(b, "direct_api"),
            text_of(b, "direct_library"),
            text_of(b, "primitives"),
        ));
    }
    lines
}

/// The ratio table: figures × backends.
pub(super) fn ratio_table_md(perf: &Json) -> String {
    let backends = backends_of(perf);
    let mut md = String::from("| figure |");
    for b in backends {
        let _ = write!(md, " {} |", text_of(b, "name"));
    }
    md.push_str("\n|---|");
    md.push_str(&"---:|".repeat(backends.len()));
    md.push('\n');
    for (name, label) in FIGURES {
        let _ = write!(md, "| {label} |");
        for b in backends {
            let ratio = figure(b, name).and_then(|f| num(f, "ratio"));
            let _ = write!(md, " {} |", fmt_ratio_md(ratio));
        }
        md.push('\n');
    }
    md
}

/// The Markdown section (between the markers, markers included).
pub(crate) fn to_markdown(perf: &Json) -> String {
    let mut md = format!("{START}\n## Performance: unitls against each library used directly\n\n");
    for line in provenance(perf) {
        let _ = writeln!(md, "- {line}");
    }
    md.push_str("\nMethod:\n\n");
    for line in METHOD {
        let _ = writeln!(md, "- {line}");
    }
    let _ = writeln!(
        md,
        "\n### Overhead ratio (unitls ÷ direct; 1.00 = none, lower is worse, below {TARGET} in bold)\n"
    );
    md.push_str(&ratio_table_md(perf));
    md.push_str("\n### Figures\n");
    for b in backends_of(perf) {
        let _ = writeln!(
            md,
            "\n#### {}\n\n| figure | unit | unitls | direct | ratio | of the crypto ceiling | notes |\n|---|---|---:|---:|---:|---:|---|",
            text_of(b, "name")
        );
        for (name, label) in FIGURES {
            let Some(f) = figure(b, name) else { continue };
            let value = num(f, "value");
            let cell = |v: Option<f64>| v.map_or("—".to_owned(), fmt_value);
            let note = match (value, f.get("reason").and_then(Json::as_str)) {
                (None, Some(reason)) => format!("not measured: {reason}"),
                _ => f
                    .get("note")
                    .and_then(Json::as_str)
                    .unwrap_or("")
                    .to_owned(),
            };
            let _ = writeln!(
                md,
                "| {label} | {} | {} | {} | {} | {} | {} |",
                text_of(f, "unit"),
                cell(value),
                cell(num(f, "direct")),
                fmt_ratio_md(num(f, "ratio")),
                num(f, "ceiling_fraction")
                    .map_or("—".to_owned(), |c| format!("{:.0} %", c * 100.0)),
                note.replace('|', "\\|")
            );
        }
        let ceilings = b.get("ceilings").and_then(Json::as_array).unwrap_or(&[]);
        if !ceilings.is_empty() {
            md.push_str("\nCrypto ceiling (the library's primitives alone, one core): ");
            let parts: Vec<String> = ceilings
                .iter()
                .map(|c| {
                    format!(
                        "{} {} {}",
                        text_of(c, "label"),
                        num(c, "value").map_or("—".to_owned(), fmt_value),
                        text_of(c, "unit")
                    )
                })
                .collect();
            md.push_str(&parts.join("; "));
            md.push_str(".\n");
        }
        let problems = b.get("problems").and_then(Json::as_array).unwrap_or(&[]);
        for p in problems.iter().filter_map(Json::as_str) {
            let _ = writeln!(md, "\n**Problem**: {p}");
        }
    }
    md.push_str(END);
    md.push('\n');
    md
}
