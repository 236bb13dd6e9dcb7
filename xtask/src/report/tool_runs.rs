//! The reliability section's two runs made by their own tasks: the last `cargo xtask
//! fuzz` (SPEC REL-6) and the last `cargo xtask leaks` (REL-2, REL-3), read from the
//! files those tasks leave in the workspace's `target/`, each shown with when it ran —
//! `cargo xtask conformance` does not run them itself.

use std::fmt::Write as _;
use std::path::Path;

use unitls_model::fuzz::{FuzzRun, FUZZ_FILE};
use unitls_model::leaks::{LeakRun, LEAKS_FILE};

use crate::text::escape;

/// The last fuzz and leak runs under `root`, each `None` when absent or unreadable.
pub(super) fn last_runs(root: &Path) -> (Option<FuzzRun>, Option<LeakRun>) {
    let text = |file: &str| std::fs::read_to_string(root.join(file)).ok();
    (
        text(FUZZ_FILE).and_then(|t| serde_json::from_str(&t).ok()),
        text(LEAKS_FILE).and_then(|t| serde_json::from_str(&t).ok()),
    )
}

/// When a run finished, as RFC 3339.
fn when(finished_unix: u64) -> String {
    crate::conformance::rfc3339(
        std::time::UNIX_EPOCH + std::time::Duration::from_secs(finished_unix),
    )
}

/// The fuzz run's heading line.
fn fuzz_heading(run: &FuzzRun) -> String {
    format!(
        "Fuzzing (SPEC REL-6): the last `cargo xtask fuzz{}`, finished {}; coverage counts \
         instrumented Rust code only (the system OpenSSL is not instrumented).",
        if run.smoke { " --smoke" } else { "" },
        when(run.finished_unix)
    )
}

/// The leak run's heading line.
fn leaks_heading(run: &LeakRun) -> String {
    format!(
        "Leaks (SPEC REL-3): the last `cargo xtask leaks`, finished {}: valgrind memcheck over \
         the lifecycle paths ({}).",
        when(run.finished_unix),
        run.paths.join(", ")
    )
}

/// report.md's part.
pub(super) fn markdown(fuzz: Option<&FuzzRun>, leaks: Option<&LeakRun>) -> String {
    let mut md = String::new();
    match fuzz {
        Some(run) => {
            let _ = writeln!(
                md,
                "{}\n\n| Target | Seconds | Executions | Edges | Features | Corpus | Crashes |\n|---|---:|---:|---:|---:|---:|---|",
                fuzz_heading(run)
            );
            for t in &run.targets {
                let _ = writeln!(
                    md,
                    "| {} | {:.0} | {} | {} | {} | {} | {} |",
                    t.target,
                    t.seconds,
                    t.executions,
                    t.coverage_edges,
                    t.coverage_features,
                    t.corpus_entries,
                    if t.crashes.is_empty() {
                        "none".to_string()
                    } else {
                        t.crashes.join(", ")
                    }
                );
            }
            md.push('\n');
        }
        None => md
            .push_str("Fuzzing (SPEC REL-6): no `cargo xtask fuzz` run in this workspace yet.\n\n"),
    }
    match leaks {
        Some(run) => {
            let _ = writeln!(
                md,
                "{}\n\n| Backend | Passed | Definitely lost | Indirectly lost | Possibly lost | Errors | Seconds |\n|---|---|---:|---:|---:|---:|---:|",
                leaks_heading(run)
            );
            for b in &run.backends {
                let s = &b.summary;
                let _ = writeln!(
                    md,
                    "| {} | {} | {} B | {} B | {} B | {} | {:.0} |",
                    b.backend,
                    if b.passed { "yes" } else { "**no**" },
                    s.definitely_lost.bytes,
                    s.indirectly_lost.bytes,
                    s.possibly_lost.bytes,
                    b.errors,
                    b.seconds
                );
            }
            md.push('\n');
        }
        None => {
            md.push_str("Leaks (SPEC REL-3): no `cargo xtask leaks` run in this workspace yet.\n\n")
        }
    }
    md
}

/// index.html's part.
pub(super) fn html(fuzz: Option<&FuzzRun>, leaks: Option<&LeakRun>) -> String {
    let mut html = String::from("<h3>Fuzzing (SPEC REL-6)</h3>\n");
    match fuzz {
        Some(run) => {
            let _ = writeln!(
                html,
                "<p>{}</p>\n<table>\n<tr><th>Target</th><th>Seconds</th><th>Executions</th>\
                 <th>Edges</th><th>Features</th><th>Corpus</th><th>Crashes</th></tr>",
                escape(&fuzz_heading(run).replace('`', ""))
            );
            for t in &run.targets {
                let crashes = if t.crashes.is_empty() {
                    "none".to_string()
                } else {
                    t.crashes.join(", ")
                };
                let class = if t.crashes.is_empty() { "pass" } else { "fail" };
                let _ = writeln!(
                    html,
                    "<tr><td>{}</td><td class=\"num\">{:.0}</td><td class=\"num\">{}</td>\
                     <td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td>\
                     <td class=\"{class}\">{}</td></tr>",
                    escape(&t.target),
                    t.seconds,
                    t.executions,
                    t.coverage_edges,
                    t.coverage_features,
                    t.corpus_entries,
                    escape(&crashes)
                );
            }
            html.push_str("</table>\n");
        }
        None => {
            html.push_str("<p>No <code>cargo xtask fuzz</code> run in this workspace yet.</p>\n")
        }
    }
    html.push_str("<h3>Leaks (SPEC REL-3)</h3>\n");
    match leaks {
        Some(run) => {
            let _ = writeln!(
                html,
                "<p>{}</p>\n<table>\n<tr><th>Backend</th><th>Passed</th><th>Definitely lost</th>\
                 <th>Indirectly lost</th><th>Possibly lost</th><th>Errors</th><th>Seconds</th></tr>",
                escape(&leaks_heading(run).replace('`', ""))
            );
            for b in &run.backends {
                let s = &b.summary;
                let (class, passed) = if b.passed {
                    ("pass", "yes")
                } else {
                    ("fail", "no")
                };
                let _ = writeln!(
                    html,
                    "<tr><td>{}</td><td class=\"{class}\">{passed}</td><td class=\"num\">{} B</td>\
                     <td class=\"num\">{} B</td><td class=\"num\">{} B</td><td class=\"num\">{}</td>\
                     <td class=\"num\">{:.0}</td></tr>",
                    escape(&b.backend),
                    s.definitely_lost.bytes,
                    s.indirectly_lost.bytes,
                    s.possibly_lost.bytes,
                    b.errors,
                    b.seconds
                );
            }
            html.push_str("</table>\n");
        }
        None => {
            html.push_str("<p>No <code>cargo xtask leaks</code> run in this workspace yet.</p>\n")
        }
    }
    html
}
