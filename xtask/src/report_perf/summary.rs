//! The terminal summary: the ratio of every figure per backend.

use std::fmt::Write as _;

use super::section::{backends_of, figure, num, text_of};
use super::{FIGURES, TARGET};
use crate::json::Json;

/// A compact terminal table: the ratio of every figure per backend.
pub(super) fn terminal_summary(perf: &Json) -> String {
    let backends = backends_of(perf);
    let mut out = format!("{:<36}", "unitls ÷ direct");
    for b in backends {
        let _ = write!(out, "{:>12}", text_of(b, "name"));
    }
    out.push('\n');
    for (name, label) in FIGURES {
        let _ = write!(out, "{label:<36}");
        for b in backends {
            let cell = match figure(b, name).and_then(|f| num(f, "ratio")) {
                Some(r) if r < TARGET => format!("{r:.2}*"),
                Some(r) => format!("{r:.2}"),
                None => "n/a".to_owned(),
            };
            let _ = write!(out, "{cell:>12}");
        }
        out.push('\n');
    }
    let _ = writeln!(
        out,
        "(* below {TARGET}; n/a: the backend cannot, see the report)"
    );
    out
}
