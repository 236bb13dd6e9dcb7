//! The report's section on dependent crates against real servers (SPEC INTEG): one
//! row per backend and scenario, in report.md and index.html.

use std::fmt::Write as _;

use unitls_model::integration::IntegrationOutcome;

use crate::integrations::Integrations;
use crate::text::{escape, one_line};

/// The outcome as the other tables write it.
fn outcome_name(outcome: IntegrationOutcome) -> &'static str {
    match outcome {
        IntegrationOutcome::Pass => "pass",
        IntegrationOutcome::Fail => "fail",
        IntegrationOutcome::Unsupported => "unsupported",
    }
}

/// What the section says before its table.
const INTRO: &str = "tokio-postgres (through `unitls-postgres`) and hyper (through \
    `unitls-hyper`) over each backend, against servers nobody here wrote: a throw-away \
    PostgreSQL cluster, nginx, and curl against a hyper server, all started on loopback \
    by `unitls-integrations` (one process per backend).";

impl Integrations {
    /// The servers and their versions, each once, in run order.
    fn servers(&self) -> Vec<(&str, &str)> {
        let mut servers: Vec<(&str, &str)> = Vec::new();
        for record in &self.records {
            let server = (record.server.as_str(), record.server_version.as_str());
            if !servers.contains(&server) {
                servers.push(server);
            }
        }
        servers
    }

    /// The report.md section; empty when nothing ran.
    pub(crate) fn to_markdown(&self) -> String {
        if self.records.is_empty() && self.failures.is_empty() {
            return String::new();
        }
        let mut md = format!("\n## Dependent crates against real servers\n\n{INTRO}\n\n");
        let _ = writeln!(md, "{}.\n", self.counts_text());
        for (server, version) in self.servers() {
            let _ = writeln!(md, "- {server}: {version}");
        }
        md.push_str("\n| Backend | Server | Scenario | SPEC | Outcome | Detail |\n|---|---|---|---|---|---|\n");
        for record in &self.records {
            let _ = writeln!(
                md,
                "| {} | {} | {} | {} | {} | {} |",
                record.backend,
                record.server,
                record.scenario,
                record.spec.join(", "),
                outcome_name(record.outcome),
                one_line(&record.detail).replace('|', "\\|")
            );
        }
        for failure in self.failures.iter().filter(|f| !f.contains(" / ")) {
            let _ = writeln!(md, "\n- run failed: {}", one_line(failure));
        }
        md
    }

    /// The index.html section; empty when nothing ran.
    pub(crate) fn to_html(&self) -> String {
        if self.records.is_empty() && self.failures.is_empty() {
            return String::new();
        }
        let mut html = format!(
            "<h2 id=\"integrations\">Dependent crates against real servers</h2>\n<p>{}</p>\n<p>{}.</p>\n<ul>\n",
            escape(INTRO),
            escape(&self.counts_text())
        );
        for (server, version) in self.servers() {
            let _ = writeln!(html, "<li>{}: {}</li>", escape(server), escape(version));
        }
        html.push_str(
            "</ul>\n<table>\n<tr><th>Backend</th><th>Server</th><th>Scenario</th><th>SPEC</th>\
             <th>Outcome</th><th>Detail</th></tr>\n",
        );
        for record in &self.records {
            let outcome = outcome_name(record.outcome);
            let _ = writeln!(
                html,
                "<tr><td>{}</td><td>{}</td><td>{}</td><td class=\"spec\">{}</td>\
                 <td class=\"{outcome}\">{outcome}</td><td>{}</td></tr>",
                escape(&record.backend),
                escape(&record.server),
                escape(&record.scenario),
                escape(&record.spec.join(", ")),
                escape(&one_line(&record.detail))
            );
        }
        html.push_str("</table>\n");
        for failure in self.failures.iter().filter(|f| !f.contains(" / ")) {
            let _ = writeln!(
                html,
                "<p class=\"fail\">run failed: {}</p>",
                escape(failure)
            );
        }
        html
    }
}
