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
