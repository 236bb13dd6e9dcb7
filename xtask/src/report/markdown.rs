//! report.md.

use std::fmt::Write as _;

use super::text::spec_suffix;
use super::Report;
use crate::outcome::Outcome;
use crate::spec;
use crate::text::{first_line, md_cell, one_line};

impl Report {
    /// report.md: the run, then per backend its counts, unsupported and deviation
    /// cases with their reasons, and failures; then the uncovered requirements.
    pub(crate) fn to_markdown(&self) -> String {
        let mut md = String::from("# unitls conformance report\n\n");
        let _ = writeln!(md, "- generated: {}", self.generated_at);
        let _ = writeln!(md, "- machine: {}", self.machine.describe());
        if let Some(rustc) = &self.rustc {
            let _ = writeln!(md, "- {rustc}");
        }
        let openssl = self.openssl_cli.as_deref().unwrap_or("not found");
        let _ = writeln!(md, "- openssl command-line tool: {openssl}");
        let _ = writeln!(md, "- SPEC: {}", self.spec_line());
        let _ = writeln!(md, "- reproduce: `{}`\n", self.command);
        md.push_str(
            "Outcomes (SPEC §0): **pass** as stated; **fail** anything else; **unsupported** \
             a capability the backend does not declare, refused with `Unsupported`; \
             **deviation** a library limitation the backend lists. Only failures fail the \
             run.\n\n",
        );
        md.push_str(
            "| Backend | Library | Pass | Fail | Unsupported | Deviation | Test process |\n",
        );
        md.push_str("|---|---|---:|---:|---:|---:|---|\n");
        for run in &self.backends {
            let _ = writeln!(
                md,
                "| {} | {} | {} | {} | {} | {} | {}, {:.1} s |",
                run.name,
                md_cell(run.library()),
                run.count(Outcome::Pass),
                run.count(Outcome::Fail),
                run.count(Outcome::Unsupported),
                run.count(Outcome::Deviation),
                run.status(),
                run.duration.as_secs_f64()
            );
        }

        for run in &self.backends {
            let _ = writeln!(md, "\n## {}\n", run.name);
            let crate_version = run.info.as_ref().map_or("?", |i| i.crate_version.as_str());
            let _ = writeln!(
                md,
                "{} · {crate_version} · {} · test process {}, {:.1} s\n",
                run.library(),
                run.counts_text(),
                run.status(),
                run.duration.as_secs_f64()
            );
            let _ = writeln!(md, "Command: `{}`\n", run.command);
            if let Some(info) = run.info.as_ref().filter(|i| !i.deviations.is_empty()) {
                md.push_str("Listed deviations:\n\n");
                for d in &info.deviations {
                    let _ = writeln!(md, "- {}: {}", d.spec, one_line(&d.limitation));
                }
                md.push('\n');
            }
            if let Some(declared) = run.declared.as_ref().filter(|d| !d.lacks.is_empty()) {
                md.push_str("Capabilities not declared (per role, with the limitation):\n\n");
                for lack in &declared.lacks {
                    let platform = lack
                        .cfg
                        .as_ref()
                        .map(|c| format!(" (where `{c}`)"))
                        .unwrap_or_default();
                    let _ = writeln!(
                        md,
                        "- `{}`, {}{platform}: {}",
                        lack.capability,
                        lack.roles.name(),
                        one_line(&lack.reason)
                    );
                }
                md.push('\n');
            }
            for (outcome, title) in [
                (Outcome::Unsupported, "Unsupported"),
                (Outcome::Deviation, "Deviations"),
            ] {
                let cases: Vec<_> = run.with(outcome).collect();
                if cases.is_empty() {
                    continue;
                }
                let _ = writeln!(md, "### {title} ({})\n", cases.len());
                for case in cases {
                    let _ = writeln!(
                        md,
                        "- `{}`{}: {}",
                        case.label(),
                        spec_suffix(&case.spec),
                        one_line(&case.detail)
                    );
                }
                md.push('\n');
            }
            let failed: Vec<_> = run.with(Outcome::Fail).collect();
            let _ = writeln!(md, "### Failures ({})\n", failed.len());
            if failed.is_empty() && run.success {
                md.push_str("None.\n");
            } else if failed.is_empty() {
                let _ = writeln!(
                    md,
                    "The test process {} without a failed case (a build error or a crash); \
                     run the command above.",
                    run.status()
                );
            }
            for case in failed {
                let _ = writeln!(
                    md,
                    "- `{}`{}: {}\n  rerun: `{}`",
                    case.label(),
                    spec_suffix(&case.spec),
                    one_line(first_line(&case.detail)),
                    run.case_command(&case.id)
                );
                let mut text = case.detail.clone();
                if let Some(output) = &case.output {
                    let _ = write!(text, "\n\n--- captured output ---\n{output}");
                }
                let fence = if text.contains("```") { "````" } else { "```" };
                let _ = writeln!(
                    md,
                    "  <details><summary>detail</summary>\n\n{fence}text\n{text}\n{fence}\n\n  </details>"
                );
            }
            if !run.warnings.is_empty() {
                md.push_str("\nWarnings about the outcome file:\n\n");
                for warning in &run.warnings {
                    let _ = writeln!(md, "- {}", one_line(warning));
                }
            }
        }

        md.push_str("\n## Uncovered SPEC requirements\n\n");
        let _ = writeln!(md, "{}.\n", self.coverage.note());
        let uncovered: Vec<&str> = self.coverage.uncovered.iter().map(String::as_str).collect();
        if !uncovered.is_empty() {
            md.push_str("| Area | Uncovered |\n|---|---|\n");
            for (area, ids) in spec::by_area(&uncovered) {
                let _ = writeln!(md, "| {area} ({}) | {} |", ids.len(), ids.join(", "));
            }
            md.push('\n');
            for (id, why) in &self.coverage.reasons {
                if self.coverage.uncovered.contains(id) {
                    let _ = writeln!(md, "- {id}: {}", one_line(why));
                }
            }
            md.push('\n');
        }
        if !self.coverage.elsewhere.is_empty() {
            md.push_str("Checked outside the per-backend suite:\n\n");
            for (id, place) in &self.coverage.elsewhere {
                let _ = writeln!(md, "- {id}: {}", one_line(place));
            }
            md.push('\n');
        }
        if !self.coverage.unknown.is_empty() {
            let _ = writeln!(
                md,
                "Cited by cases but not requirements of the SPEC: {}.\n",
                self.coverage.unknown.join(", ")
            );
        }
        md.push_str(&self.reliability_markdown());
        md.push_str(&self.interop.to_markdown());
        md.push_str(&self.validation.to_markdown());
        md.push_str(&self.integrations.to_markdown());
        md
    }
}
