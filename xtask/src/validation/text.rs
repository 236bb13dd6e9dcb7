//! The cell formats the renderings share.

use super::{CaseResult, VERDICTS};

/// `reject (UnknownIssuer)`, `accept`, `error`, `n/a`.
pub(super) fn short_verdict(r: &CaseResult) -> String {
    match r.verdict.as_str() {
        "reject" => {
            let head = r.reason.split(':').next().unwrap_or("").trim();
            if !head.is_empty() && head.chars().all(char::is_alphanumeric) {
                format!("reject ({head})")
            } else {
                "reject".into()
            }
        }
        "not-applicable" => "n/a".into(),
        other if VERDICTS.contains(&other) => other.into(),
        other => format!("? {other}"),
    }
}

pub(super) fn percent(part: usize, whole: usize) -> String {
    if whole == 0 {
        "–".into()
    } else {
        format!("{:.0} %", 100.0 * part as f64 / whole as f64)
    }
}

pub(super) fn truncate(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let cut: String = text.chars().take(max).collect();
    format!("{}…", cut.trim_end())
}

/// Text safe inside a Markdown table cell: one line, pipes escaped.
pub(super) fn md_cell(text: &str) -> String {
    text.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .replace('|', "\\|")
}

/// HTML-escapes text.
pub(super) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}
