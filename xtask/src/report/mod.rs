//! The conformance report: what one `cargo xtask conformance` learned, and its three
//! renderings — `report.json` (schema `unitls-report/2`, written from `unitls_model::report`), `report.md` and a
//! self-contained `index.html`.
//!
//! One file per concept: `backend_run.rs` (one backend's test process and its cases),
//! `coverage.rs` (the SPEC requirements no case cites), `machine.rs` (where the report
//! was made), `reliability.rs` (hostile peers, load and memory figures: SPEC REL),
//! `schema.rs` (report.json), `integrations.rs` (the dependent crates' section),
//! `markdown.rs` (report.md), `html.rs` (index.html), `text.rs` (the text helpers the
//! renderings share); this file holds the report itself.

mod backend_run;
mod coverage;
mod html;
mod integrations;
mod machine;
mod markdown;
mod reliability;
mod schema;
#[cfg(test)]
mod tests;
mod text;
mod tool_runs;

use crate::interop::Matrix;

pub(crate) use backend_run::BackendRun;
pub(crate) use coverage::Coverage;
pub(crate) use machine::Machine;
pub(crate) use schema::secs;

/// Everything one `cargo xtask conformance` learned.
#[derive(Debug)]
pub(crate) struct Report {
    /// When, as RFC 3339 UTC.
    pub(crate) generated_at: String,
    /// The command that reproduces the report.
    pub(crate) command: String,
    /// Where.
    pub(crate) machine: Machine,
    /// `rustc --version`.
    pub(crate) rustc: Option<String>,
    /// `openssl version`, the external peer's version.
    pub(crate) openssl_cli: Option<String>,
    /// One entry per backend, in run order.
    pub(crate) backends: Vec<BackendRun>,
    /// The SPEC requirements no case cites.
    pub(crate) coverage: Coverage,
    /// The interop matrix (empty if it did not run).
    pub(crate) interop: Matrix,
    /// The x509-limbo certificate-validation comparison.
    pub(crate) validation: crate::validation::ValidationReport,
    /// The dependent crates against real servers (empty if they did not run).
    pub(crate) integrations: crate::integrations::Integrations,
}

impl Report {
    /// The sorted rows of every case on any backend (a case's label: its id, and
    /// its mode when not blocking), each with its SPEC IDs.
    fn case_ids(&self) -> Vec<(String, &[String])> {
        let mut ids: Vec<(String, &[String])> = Vec::new();
        for case in self.backends.iter().flat_map(|run| &run.cases) {
            let label = case.label();
            match ids.iter_mut().find(|(id, _)| *id == label) {
                Some((_, spec)) if spec.is_empty() => *spec = &case.spec,
                Some(_) => {}
                None => ids.push((label, &case.spec)),
            }
        }
        ids.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        ids
    }

    /// The SPEC's path and size, or why it is missing.
    fn spec_line(&self) -> String {
        let coverage = &self.coverage;
        match (&coverage.requirements, &coverage.error) {
            (Some(ids), _) => format!("{} ({} requirements)", coverage.path.display(), ids.len()),
            (None, error) => format!(
                "{} — {}",
                coverage.path.display(),
                error.as_deref().unwrap_or("unreadable")
            ),
        }
    }
}
