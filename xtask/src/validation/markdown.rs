//! The report.md section, and README's backend-choice table.

use std::fmt::Write as _;

use super::text::{percent, short_verdict};
use super::{CaseResult, CaseRow, ValidationReport};
use crate::text::{md_cell, truncate};

impl ValidationReport {
    /// The table for README's backend-choice section: per backend, accepted when the
    /// corpus expects a rejection and rejected when it expects acceptance.
    pub(crate) fn readme_table(&self) -> String {
        let mut md = String::from(
            "| backend | eligible cases | as expected | accepted, corpus expects reject | \
             rejected, corpus expects accept | errors | not applicable |\n\
             |---|---:|---:|---:|---:|---:|---:|\n",
        );
        for b in &self.backends {
            let t = &b.tally;
            let _ = writeln!(
                md,
                "| {} | {} | {} | {} | {} | {} | {} |",
                b.name,
                t.cases,
                t.as_expected,
                t.accepted_expected_reject,
                t.rejected_expected_accept,
                t.errors,
                t.not_applicable
            );
        }
        md
    }

    /// The report.md section.
    pub(crate) fn to_markdown(&self) -> String {
        let mut md = String::from("\n## Certificate validation (x509-limbo)\n\n");
        let _ = writeln!(md, "Cases: {}.", self.credit());
        if let Some(absent) = &self.absent {
            let _ = writeln!(md, "\n**Skipped**: {absent}");
            return md;
        }
        let _ = writeln!(
            md,
            "{} of the corpus's {} cases can run through a real handshake (SERVER cases \
             with a key, no CRLs, no `max_chain_depth`): a unitls server presents the chain, \
             a unitls client of the backend trusts exactly the case's roots and checks its \
             name and time. The same cases also run on each TLS library used directly with \
             unitls's settings; a difference there is a unitls bug and fails the run.\n",
            self.eligible.map_or("?".into(), |n| n.to_string()),
            self.total_cases.map_or("?".into(), |n| n.to_string()),
        );
        md.push_str(
            "| backend | eligible | as expected | accepted, expected reject | rejected, \
             expected accept | errors | not applicable | unitls ≠ direct | known differences |\n\
             |---|---:|---:|---:|---:|---:|---:|---:|---:|\n",
        );
        for b in &self.backends {
            let t = &b.tally;
            let _ = writeln!(
                md,
                "| {} | {} | {} ({}) | {} | {} | {} | {} | {} | {} |",
                b.name,
                t.cases,
                t.as_expected,
                percent(t.as_expected, t.cases - t.not_applicable),
                t.accepted_expected_reject,
                t.rejected_expected_accept,
                t.errors,
                t.not_applicable,
                t.disagreements,
                t.known
            );
        }
        md.push_str(
            "\n\"as expected\" counts accept/reject verdicts matching the corpus (the \
             percentage leaves out not-applicable cases); an error — a handshake failure \
             that is not a verification failure — also disagrees with the expected result.\n\n",
        );
        for b in &self.backends {
            if !b.direct_method.is_empty() {
                let _ = writeln!(md, "- {} used directly: {}", b.name, b.direct_method);
            }
        }
        let known: Vec<(&CaseRow, &CaseResult)> = self
            .cases
            .iter()
            .flat_map(|c| c.results.iter().map(move |r| (c, r)))
            .filter(|(_, r)| r.known_reason.is_some())
            .collect();
        if !known.is_empty() {
            md.push_str("\n### Listed differences between unitls and a library used directly\n\n");
            for (case, r) in known {
                let _ = writeln!(
                    md,
                    "- {} `{}`: {} (unitls {}, directly {}): {}",
                    r.backend,
                    case.id,
                    r.comparison,
                    r.verdict,
                    r.direct_verdict,
                    md_cell(r.known_reason.as_deref().unwrap_or(""))
                );
            }
        }
        let disagreements = self.disagreements();
        let names = self.backend_names();
        let _ = writeln!(
            md,
            "\n### Where backends disagree ({} cases)\n",
            disagreements.len()
        );
        if !disagreements.is_empty() {
            let _ = writeln!(
                md,
                "| case | expected | {} | description |",
                names.join(" | ")
            );
            let _ = writeln!(md, "|---|---|{}---|", "---|".repeat(names.len()));
            for case in disagreements {
                let cells: Vec<String> = names
                    .iter()
                    .map(|name| {
                        case.results
                            .iter()
                            .find(|r| r.backend == *name)
                            .map_or("—".into(), |r| {
                                let cell = short_verdict(r);
                                if r.verdict == case.expected {
                                    cell
                                } else {
                                    format!("**{cell}**")
                                }
                            })
                    })
                    .collect();
                let _ = writeln!(
                    md,
                    "| `{}` | {} | {} | {} |",
                    case.id,
                    case.expected,
                    cells.join(" | "),
                    md_cell(&truncate(&case.description, 220))
                );
            }
            md.push_str("\nBold: differs from the corpus's expected result.\n");
        }
        let errors: Vec<(&CaseRow, &CaseResult)> = self
            .cases
            .iter()
            .flat_map(|c| c.results.iter().map(move |r| (c, r)))
            .filter(|(_, r)| r.verdict == "error")
            .collect();
        if !errors.is_empty() {
            md.push_str("\n### Errors (no verdict: the handshake failed otherwise)\n\n");
            for (case, r) in errors {
                let _ = writeln!(
                    md,
                    "- {} `{}` (expected {}): {}",
                    r.backend,
                    case.id,
                    case.expected,
                    md_cell(&truncate(&r.reason, 300))
                );
            }
        }
        md.push_str("\n### For README (backend choice)\n\n");
        md.push_str(&self.readme_table());
        let failures = self.failures();
        if !failures.is_empty() {
            md.push_str("\n### Failures\n\n");
            for failure in failures {
                let _ = writeln!(md, "- {}", md_cell(&failure));
            }
            for b in self.backends.iter().filter(|b| !b.success) {
                if let Some(output) = b.failure_output.as_ref().filter(|o| !o.trim().is_empty()) {
                    let _ = writeln!(md, "\n{}:\n\n```text\n{}\n```", b.name, output);
                }
            }
        }
        md
    }
}
