//! The section in the report's files: spliced between its markers into `report.json`,
//! `report.md` and `index.html`, by `report` and when `conformance` rewrites them.

use std::fs;
use std::path::Path;

use super::html::{html_page, to_html};
use super::markdown::to_markdown;
use super::{END, START};
use crate::json::Json;
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
pub(super) fn merge_into_files(out: &Path, perf: &Json, command: &str) -> Result<()> {
    let json_path = out.join("report.json");
    let existing = fs::read_to_string(&json_path)
        .ok()
        .and_then(|text| Json::parse(&text).ok());
    let report = match existing {
        Some(Json::Object(mut members)) => {
            members.retain(|(k, _)| k != "performance");
            members.push(("performance".to_owned(), perf.clone()));
            Json::Object(members)
        }
        _ => Json::object([
            ("schema", Json::str(crate::report::SCHEMA)),
            (
                "generated_at",
                perf.get("generated_at").cloned().unwrap_or(Json::Null),
            ),
            ("command", Json::str(command)),
            (
                "machine",
                perf.get("machine").cloned().unwrap_or(Json::Null),
            ),
            ("rustc", perf.get("rustc").cloned().unwrap_or(Json::Null)),
            ("performance", perf.clone()),
        ]),
    };
    write(&json_path, &report.to_pretty())?;

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

/// For `cargo xtask conformance`: the three files it is about to write, with the
/// performance section of the files already in `out` carried over.
pub(crate) fn carry_over(
    out: &Path,
    files: [(&'static str, String); 3],
) -> [(&'static str, String); 3] {
    let perf = fs::read_to_string(out.join("report.json"))
        .ok()
        .and_then(|text| Json::parse(&text).ok())
        .and_then(|report| report.get("performance").cloned());
    let Some(perf) = perf else {
        return files;
    };
    files.map(|(name, text)| {
        let text = match name {
            "report.json" => match Json::parse(&text) {
                Ok(Json::Object(mut members)) => {
                    members.retain(|(k, _)| k != "performance");
                    members.push(("performance".to_owned(), perf.clone()));
                    Json::Object(members).to_pretty()
                }
                _ => text,
            },
            "report.md" => splice(&text, START, END, &to_markdown(&perf)),
            "index.html" => splice_html(&text, &to_html(&perf)),
            _ => text,
        };
        (name, text)
    })
}
