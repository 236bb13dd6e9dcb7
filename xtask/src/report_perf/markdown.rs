//! The Markdown rendering of the section, and the cell formats and provenance lines the
//! other renderings share.

use std::fmt::Write as _;

use unitls_model::bench::{Figure, Performance};

use super::{END, FIGURES, METHOD, START, TARGET};

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

/// The text of an optional member, or "".
pub(super) fn or_empty(text: &Option<String>) -> &str {
    text.as_deref().unwrap_or("")
}

/// The notes cell of a figure: why it was not measured, or its notes.
pub(super) fn figure_note(f: &Figure) -> String {
    match (f.value, &f.reason) {
        (None, Some(reason)) => format!("not measured: {reason}"),
        _ => or_empty(&f.note).to_owned(),
    }
}

/// "generated …, machine …" lines shared by the renderings.
pub(super) fn provenance(perf: &Performance) -> Vec<String> {
    let machine = &perf.machine;
    let cpu = machine.cpu_model.as_deref().unwrap_or("unknown CPU");
    let cpus = machine.cpus.map_or("?".to_owned(), |n| n.to_string());
    let os = or_empty(&machine.os_release);
    let plan = perf.plan.as_str();
    let mut lines = vec![
        format!("date: {}", perf.generated_at),
        format!(
            "machine: {cpu}, {cpus} cores{}",
            if os.is_empty() {
                String::new()
            } else {
                format!(", {os}")
            }
        ),
        format!(
            "plan: {plan} ({}); reproduce: `{}`",
            if plan == "quick" {
                "7 samples of 80 ms per side"
            } else {
                "21 samples of 200 ms per side, 3 memory runs"
            },
            perf.command
        ),
    ];
    if let Some(rustc) = &perf.rustc {
        lines.push(rustc.clone());
    }
    let crates: Vec<String> = perf
        .crates
        .iter()
        .map(|c| format!("{} {}", c.name, c.versions.join("/")))
        .collect();
    if !crates.is_empty() {
        lines.push(format!("crates: {}", crates.join(", ")));
    }
    for b in &perf.backends {
        lines.push(format!(
            "{}: {} vs {} ({}); primitives: {}",
            b.name,
            or_empty(&b.library),
            or_empty(&b.direct_api),
            or_empty(&b.direct_library),
            or_empty(&b.primitives),
        ));
    }
    lines
}

/// The ratio table: figures × backends.
pub(super) fn ratio_table_md(perf: &Performance) -> String {
    let backends = &perf.backends;
    let mut md = String::from("| figure |");
    for b in backends {
        let _ = write!(md, " {} |", b.name);
    }
    md.push_str("\n|---|");
    md.push_str(&"---:|".repeat(backends.len()));
    md.push('\n');
    for (name, label) in FIGURES {
        let _ = write!(md, "| {label} |");
        for b in backends {
            let ratio = b.figure(name).and_then(|f| f.ratio);
            let _ = write!(md, " {} |", fmt_ratio_md(ratio));
        }
        md.push('\n');
    }
    md
}

/// The Markdown section (between the markers, markers included).
pub(crate) fn to_markdown(perf: &Performance) -> String {
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
    for b in &perf.backends {
        let _ = writeln!(
            md,
            "\n#### {}\n\n| figure | unit | unitls | direct | ratio | of the crypto ceiling | notes |\n|---|---|---:|---:|---:|---:|---|",
            b.name
        );
        for (name, label) in FIGURES {
            let Some(f) = b.figure(name) else { continue };
            let cell = |v: Option<f64>| v.map_or("—".to_owned(), fmt_value);
            let _ = writeln!(
                md,
                "| {label} | {} | {} | {} | {} | {} | {} |",
                or_empty(&f.unit),
                cell(f.value),
                cell(f.direct),
                fmt_ratio_md(f.ratio),
                f.ceiling_fraction
                    .map_or("—".to_owned(), |c| format!("{:.0} %", c * 100.0)),
                figure_note(f).replace('|', "\\|")
            );
        }
        let ceilings = &b.ceilings;
        if !ceilings.is_empty() {
            md.push_str("\nCrypto ceiling (the library's primitives alone, one core): ");
            let parts: Vec<String> = ceilings
                .iter()
                .map(|c| {
                    format!(
                        "{} {} {}",
                        c.label,
                        c.value.map_or("—".to_owned(), fmt_value),
                        c.unit
                    )
                })
                .collect();
            md.push_str(&parts.join("; "));
            md.push_str(".\n");
        }
        for p in &b.problems {
            let _ = writeln!(md, "\n**Problem**: {p}");
        }
    }
    md.push_str(END);
    md.push('\n');
    md
}
