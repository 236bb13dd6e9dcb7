//! The HTML rendering of the section (charts inline), and a page around it.

use std::fmt::Write as _;

use super::chart::Chart;
use unitls_model::bench::Performance;

use super::markdown::{figure_note, fmt_value, or_empty, provenance};
use super::section::label_of;
use super::{END, FIGURES, METHOD, START, TARGET};
use crate::text::escape;

const UNITLS_COLOUR: &str = "#2b6cb0";
const DIRECT_COLOUR: &str = "#a0aec0";

/// Rows of unitls and direct values for `names` on every backend.
fn value_rows(perf: &Performance, names: &[&str]) -> Vec<(String, Vec<Option<f64>>)> {
    let mut rows = Vec::new();
    for name in names {
        for b in &perf.backends {
            let f = b.figure(name);
            rows.push((
                format!("{} — {}", label_of(name), b.name),
                vec![f.and_then(|f| f.value), f.and_then(|f| f.direct)],
            ));
        }
    }
    rows
}

/// The HTML section (between the markers, markers included), charts inline.
pub(crate) fn to_html(perf: &Performance) -> String {
    let pair: &[(&str, &str)] = &[("unitls", UNITLS_COLOUR), ("direct", DIRECT_COLOUR)];
    let mut html = format!("{START}\n<section id=\"performance\">\n<h2>Performance: unitls against each library used directly</h2>\n<ul>\n");
    for line in provenance(perf) {
        let _ = writeln!(html, "<li>{}</li>", escape(&line));
    }
    html.push_str("</ul>\n<details><summary>Method</summary>\n<ul>\n");
    for line in METHOD {
        let _ = writeln!(html, "<li>{}</li>", escape(line));
    }
    html.push_str("</ul>\n</details>\n");
    let charts = [
        Chart {
            title: "Handshakes per second (one core, in memory)",
            unit: "handshakes/s",
            series: pair,
            rows: value_rows(
                perf,
                &FIGURES[..4].iter().map(|(n, _)| *n).collect::<Vec<_>>(),
            ),
            marks: &[],
            max: None,
        },
        Chart {
            title: "Bulk throughput, 16 KiB writes (one core)",
            unit: "MB/s",
            series: pair,
            rows: value_rows(
                perf,
                &FIGURES[4..10].iter().map(|(n, _)| *n).collect::<Vec<_>>(),
            ),
            marks: &[],
            max: None,
        },
        Chart {
            title: "Memory per established idle connection (client + server, RSS)",
            unit: "KiB",
            series: pair,
            rows: value_rows(perf, &["memory_per_connection"]),
            marks: &[],
            max: None,
        },
    ];
    for chart in &charts {
        html.push_str(&chart.svg());
    }
    let mut ratio_rows = Vec::new();
    for (name, label) in FIGURES {
        for b in &perf.backends {
            ratio_rows.push((
                format!("{label} — {}", b.name),
                vec![b.figure(name).and_then(|f| f.ratio)],
            ));
        }
    }
    let max_ratio = ratio_rows
        .iter()
        .flat_map(|(_, v)| v.iter().flatten())
        .copied()
        .fold(1.2, f64::max);
    html.push_str(
        &Chart {
            title: "Overhead ratio: unitls ÷ direct (1.0 = no overhead, lower is worse)",
            unit: "ratio",
            series: &[("ratio", UNITLS_COLOUR)],
            rows: ratio_rows,
            marks: &[(TARGET, "0.95"), (1.0, "1.0")],
            max: Some(max_ratio),
        }
        .svg(),
    );
    html.push_str("<h3>Overhead ratio per figure</h3>\n<table>\n<tr><th>figure</th>");
    for b in &perf.backends {
        let _ = write!(html, "<th>{}</th>", escape(&b.name));
    }
    html.push_str("</tr>\n");
    for (name, label) in FIGURES {
        let _ = write!(html, "<tr><td>{}</td>", escape(label));
        for b in &perf.backends {
            let f = b.figure(name);
            match f.and_then(|f| f.ratio) {
                Some(r) => {
                    let class = if r < TARGET { "fail" } else { "pass" };
                    let title = f.map_or("", |f| or_empty(&f.note));
                    let _ = write!(
                        html,
                        "<td class=\"{class}\" title=\"{}\">{r:.2}</td>",
                        escape(title)
                    );
                }
                None => {
                    let why = f.map_or("", |f| or_empty(&f.reason));
                    let _ = write!(
                        html,
                        "<td class=\"unsupported\" title=\"{}\">—</td>",
                        escape(why)
                    );
                }
            }
        }
        html.push_str("</tr>\n");
    }
    html.push_str("</table>\n");
    for b in &perf.backends {
        let _ = writeln!(
            html,
            "<h3>{}</h3>\n<table>\n<tr><th>figure</th><th>unit</th><th>unitls</th><th>direct</th>\
             <th>ratio</th><th>of the crypto ceiling</th><th>notes</th></tr>",
            escape(&b.name)
        );
        for (name, label) in FIGURES {
            let Some(f) = b.figure(name) else { continue };
            let cell = |v: Option<f64>| v.map_or("—".to_owned(), fmt_value);
            let _ = writeln!(
                html,
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                escape(label),
                escape(or_empty(&f.unit)),
                cell(f.value),
                cell(f.direct),
                f.ratio.map_or("—".to_owned(), |r| format!("{r:.2}")),
                f.ceiling_fraction.map_or("—".to_owned(), |c| format!("{:.0} %", c * 100.0)),
                escape(&figure_note(f))
            );
        }
        html.push_str("</table>\n");
    }
    html.push_str("</section>\n");
    html.push_str(END);
    html.push('\n');
    html
}

/// A whole page around the section (when no conformance report exists yet).
pub(super) fn html_page(section: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <title>unitls report</title>\n<style>\nbody {{ font-family: sans-serif; margin: 2em; }}\n\
         table {{ border-collapse: collapse; margin: 1em 0; }}\n\
         td, th {{ border: 1px solid #ccc; padding: 2px 6px; }}\n\
         .pass {{ background: #c6f6d5; }} .fail {{ background: #fed7d7; }} \
         .unsupported {{ background: #e2e8f0; }}\n</style>\n</head>\n<body>\n\
         <h1>unitls report</h1>\n{section}</body>\n</html>\n"
    )
}
