//! The terminal summary: the ratio of every figure per backend.

use std::fmt::Write as _;

use unitls_model::bench::Performance;

use super::{FIGURES, TARGET};

/// A compact terminal table: the ratio of every figure per backend.
pub(super) fn terminal_summary(perf: &Performance) -> String {
    let backends = &perf.backends;
    let mut out = format!("{:<36}", "unitls ÷ direct");
    for b in backends {
        let _ = write!(out, "{:>12}", b.name);
    }
    out.push('\n');
    for (name, label) in FIGURES {
        let _ = write!(out, "{label:<36}");
        for b in backends {
            let cell = match b.figure(name).and_then(|f| f.ratio) {
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
