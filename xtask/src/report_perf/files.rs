//! The section in the report's files: spliced between its markers into `report.json`,
//! `report.md` and `index.html`, by `report` and when `conformance` rewrites them.

use std::fs;
use std::path::Path;

use super::html::{html_page, to_html};
use super::markdown::to_markdown;
use super::{END, START};
use unitls_model::bench::Performance;
use unitls_model::report::{Report, SCHEMA};

use crate::Result;

/// `text` with the part between `start` and `end` (markers included) replaced by
/// `section`, or with `section` appended when there are no markers.
pub(super) fn splice(text: &str, start: &str, end: &str, section: &str) -> String {
    if let (Some(a), Some(b)) = (text.find(start), text.find(end)) {
        if a < b {
            let after = &text[b + end.len()..];
            let after = after.strip_prefix('\n').unwrap_or(after);
            return format!("{}{section}{after}", &text[..a]);
        }
    }
    let mut out = text.to_owned();
    if !out.is_empty() && !out.ends_with("\n\n") {
        out.push_str(if out.ends_with('\n') { "\n" } else { "\n\n" });
    }
    out.push_str(section);
    out
}

/// `html` with the section replaced, or inserted before `</body>`.
pub(super) fn splice_html(html: &str, section: &str) -> String {
    if html.contains(START) {
        return splice(html, START, END, section);
    }
    match html.rfind("</body>") {
        Some(at) => format!("{}{section}{}", &html[..at], &html[at..]),
        None => format!("{html}{section}"),
    }
}

/// Writes the section into `report.json`, `report.md` and `index.html` in `out`,
/// keeping what `cargo xtask conformance` put there.
pub(super) fn merge_into_files(out: &Path, perf: &Performance, command: &str) -> Result<()> {
    let json_path = out.join("report.json");
    let existing = fs::read_to_string(&json_path)
        .ok()
        .and_then(|text| serde_json::from_str::<Report>(&text).ok());
    let report = match existing {
        Some(report) => Report {
            schema: SCHEMA.to_owned(),
            performance: Some(perf.clone()),
            ..report
        },
        None => Report {
            schema: SCHEMA.to_owned(),
            generated_at: perf.generated_at.clone(),
            command: command.to_owned(),
            machine: perf.machine.clone(),
            rustc: perf.rustc.clone(),
            conformance: None,
            performance: Some(perf.clone()),
        },
    };
    write(&json_path, &unitls_model::to_pretty(&report))?;

    let md_path = out.join("report.md");
    let md = match fs::read_to_string(&md_path) {
        Ok(text) => splice(&text, START, END, &to_markdown(perf)),
        Err(_) => format!("# unitls report\n\n{}", to_markdown(perf)),
    };
    write(&md_path, &md)?;

    let html_path = out.join("index.html");
    let html = match fs::read_to_string(&html_path) {
        Ok(text) => splice_html(&text, &to_html(perf)),
        Err(_) => html_page(&to_html(perf)),
    };
    write(&html_path, &html)
}

pub(super) fn write(path: &Path, text: &str) -> Result<()> {
    fs::write(path, text).map_err(|e| format!("cannot write {}: {e}", path.display()).into())
}

/// For `cargo xtask conformance`: the report it is about to write, with the
/// performance section of the files already in `out` carried over into `report` and
/// into the Markdown and HTML it returns.
pub(crate) fn carry_over(
    out: &Path,
    report: &mut Report,
    md: String,
    html: String,
) -> (String, String) {
    // Only the section is read, so that a report of an older schema still gives it.
    let perf = fs::read_to_string(out.join("report.json"))
        .ok()
        .and_then(|text| serde_json::from_str::<serde_json::Value>(&text).ok())
        .and_then(|mut report| {
            let section = report.get_mut("performance")?.take();
            serde_json::from_value::<Performance>(section).ok()
        });
    let Some(perf) = perf else {
        return (md, html);
    };
    let md = splice(&md, START, END, &to_markdown(&perf));
    let html = splice_html(&html, &to_html(&perf));
    report.performance = Some(perf);
    (md, html)
}
