//! index.html: a self-contained page.

use std::fmt::Write as _;

use super::text::spec_suffix;
use super::Report;
use crate::outcome::Outcome;
use crate::spec;
use crate::text::{escape, first_line};

impl Report {
    /// index.html: a self-contained page with the case × backend matrix.
    pub(crate) fn to_html(&self) -> String {
        let mut html = String::from(
            "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
             <title>unitls conformance report</title>\n<style>\n\
             body { font: 14px/1.4 system-ui, sans-serif; margin: 2em; color: #222; }\n\
             table { border-collapse: collapse; margin: 1em 0; }\n\
             th, td { border: 1px solid #ccc; padding: 3px 10px; }\n\
             th { background: #f3f3f3; }\n\
             td.case, td.spec { font-family: ui-monospace, monospace; }\n\
             td.spec { color: #555; font-size: 12px; }\n\
             .pass { background: #c8f0c8; color: #0a4a0a; }\n\
             .fail { background: #f6c3c3; color: #7a0000; font-weight: bold; }\n\
             .unsupported { background: #e0e0e0; color: #555; }\n\
             .deviation { background: #ffdf9e; color: #6b4200; }\n\
             .none { background: #fafafa; color: #999; }\n\
             td.pass, td.fail, td.unsupported, td.deviation, td.none { text-align: center; }\n\
             td.num { text-align: right; }\n\
             .legend span { display: inline-block; padding: 1px 8px; margin-right: 6px; \
             border: 1px solid #ccc; }\n\
             pre { background: #f7f7f7; padding: 8px; overflow-x: auto; }\n\
             code { font-family: ui-monospace, monospace; }\n\
             </style>\n</head>\n<body>\n<h1>unitls conformance report</h1>\n<ul>\n",
        );
        let _ = writeln!(html, "<li>generated: {}</li>", escape(&self.generated_at));
        let _ = writeln!(
            html,
            "<li>machine: {}</li>",
            escape(&self.machine.describe())
        );
        if let Some(rustc) = &self.rustc {
            let _ = writeln!(html, "<li>{}</li>", escape(rustc));
        }
        let openssl = self.openssl_cli.as_deref().unwrap_or("not found");
        let _ = writeln!(
            html,
            "<li>openssl command-line tool: {}</li>",
            escape(openssl)
        );
        let _ = writeln!(html, "<li>SPEC: {}</li>", escape(&self.spec_line()));
        let _ = writeln!(
            html,
            "<li>reproduce: <code>{}</code></li>\n</ul>",
            escape(&self.command)
        );
        html.push_str(
            "<p class=\"legend\">Outcomes (SPEC §0): \
             <span class=\"pass\">pass</span> as stated \
             <span class=\"fail\">fail</span> anything else \
             <span class=\"unsupported\">unsupported</span> capability not declared, \
             refused with <code>Unsupported</code> \
             <span class=\"deviation\">deviation</span> a listed library limitation. \
             Only failures fail the run.</p>\n",
        );

        html.push_str(
            "<h2>Summary</h2>\n<table>\n<tr><th>Backend</th><th>Library</th><th>Crate</th>\
             <th>Pass</th><th>Fail</th><th>Unsupported</th><th>Deviation</th>\
             <th>Test process</th><th>Command</th></tr>\n",
        );
        for run in &self.backends {
            let _ = write!(
                html,
                "<tr><td>{}</td><td>{}</td><td>{}</td>",
                escape(run.name),
                escape(run.library()),
                escape(run.info.as_ref().map_or("?", |i| i.crate_version.as_str()))
            );
            for outcome in Outcome::ALL {
                let n = run.count(outcome);
                let class = if n > 0 { outcome.as_str() } else { "zero" };
                let _ = write!(html, "<td class=\"num {class}\">{n}</td>");
            }
            let _ = writeln!(
                html,
                "<td class=\"{}\">{}, {:.1} s</td><td><code>{}</code></td></tr>",
                if run.success { "pass" } else { "fail" },
                escape(&run.status()),
                run.duration.as_secs_f64(),
                escape(&run.command)
            );
        }
        html.push_str("</table>\n");

        html.push_str("<h2>Cases</h2>\n<table>\n<tr><th>Case</th><th>SPEC</th>");
        for run in &self.backends {
            let _ = write!(html, "<th>{}</th>", escape(run.name));
        }
        html.push_str("</tr>\n");
        for (id, spec) in self.case_ids() {
            let _ = write!(
                html,
                "<tr><td class=\"case\">{}</td><td class=\"spec\">{}</td>",
                escape(&id),
                escape(&spec.join(" "))
            );
            for run in &self.backends {
                match run.cases.iter().find(|c| c.label() == id) {
                    Some(case) if case.detail.is_empty() => {
                        let class = case.outcome.as_str();
                        let _ = write!(html, "<td class=\"{class}\">{class}</td>");
                    }
                    Some(case) => {
                        let class = case.outcome.as_str();
                        let _ = write!(
                            html,
                            "<td class=\"{class}\" title=\"{}\">{class}</td>",
                            escape(first_line(&case.detail))
                        );
                    }
                    None => html.push_str("<td class=\"none\">—</td>"),
                }
            }
            html.push_str("</tr>\n");
        }
        html.push_str("</table>\n");

        for run in &self.backends {
            let _ = writeln!(html, "<h2>{}</h2>", escape(run.name));
            let _ = writeln!(
                html,
                "<p>{} · {} · test process {}</p>",
                escape(run.library()),
                escape(&run.counts_text()),
                escape(&run.status())
            );
            if let Some(info) = run.info.as_ref().filter(|i| !i.deviations.is_empty()) {
                html.push_str("<p>Listed deviations:</p>\n<ul>\n");
                for d in &info.deviations {
                    let _ = writeln!(
                        html,
                        "<li><code>{}</code>: {}</li>",
                        escape(&d.spec),
                        escape(&d.limitation)
                    );
                }
                html.push_str("</ul>\n");
            }
            if let Some(declared) = run.declared.as_ref().filter(|d| !d.lacks.is_empty()) {
                html.push_str(
                    "<p>Capabilities not declared (per role, with the limitation):</p>\n<ul>\n",
                );
                for lack in &declared.lacks {
                    let platform = lack
                        .cfg
                        .as_ref()
                        .map(|c| format!(" (where <code>{}</code>)", escape(c)))
                        .unwrap_or_default();
                    let _ = writeln!(
                        html,
                        "<li><code>{}</code>, {}{platform}: {}</li>",
                        escape(&lack.capability),
                        escape(lack.roles.name()),
                        escape(&lack.reason)
                    );
                }
                html.push_str("</ul>\n");
            }
            for (outcome, title) in [
                (Outcome::Unsupported, "Unsupported"),
                (Outcome::Deviation, "Deviations"),
            ] {
                let cases: Vec<_> = run.with(outcome).collect();
                if cases.is_empty() {
                    continue;
                }
                let _ = writeln!(html, "<h3>{title} ({})</h3>\n<ul>", cases.len());
                for case in cases {
                    let _ = writeln!(
                        html,
                        "<li><span class=\"{}\"><code>{}</code></span>{}: {}</li>",
                        outcome.as_str(),
                        escape(&case.id),
                        escape(&spec_suffix(&case.spec)),
                        escape(&case.detail)
                    );
                }
                html.push_str("</ul>\n");
            }
            let failed: Vec<_> = run.with(Outcome::Fail).collect();
            let _ = writeln!(html, "<h3>Failures ({})</h3>", failed.len());
            if failed.is_empty() && run.success {
                html.push_str("<p>None.</p>\n");
            } else if failed.is_empty() {
                let _ = writeln!(
                    html,
                    "<p class=\"fail\">The test process {} without a failed case (a build \
                     error or a crash); run <code>{}</code>.</p>",
                    escape(&run.status()),
                    escape(&run.command)
                );
            }
            for case in failed {
                let mut text = case.detail.clone();
                if let Some(output) = &case.output {
                    let _ = write!(text, "\n\n--- captured output ---\n{output}");
                }
                let _ = writeln!(
                    html,
                    "<details><summary><span class=\"fail\"><code>{}</code></span>{}: {}\
                     </summary>\n<p>rerun: <code>{}</code></p>\n<pre>{}</pre>\n</details>",
                    escape(&case.id),
                    escape(&spec_suffix(&case.spec)),
                    escape(first_line(&case.detail)),
                    escape(&run.case_command(&case.id)),
                    escape(&text)
                );
            }
            if !run.warnings.is_empty() {
                html.push_str("<p>Warnings about the outcome file:</p>\n<ul>\n");
                for warning in &run.warnings {
                    let _ = writeln!(html, "<li>{}</li>", escape(warning));
                }
                html.push_str("</ul>\n");
            }
        }

        html.push_str("<h2>Uncovered SPEC requirements</h2>\n");
        let _ = writeln!(html, "<p>{}.</p>", escape(&self.coverage.note()));
        let uncovered: Vec<&str> = self.coverage.uncovered.iter().map(String::as_str).collect();
        if !uncovered.is_empty() {
            html.push_str("<table>\n<tr><th>Area</th><th>Uncovered</th></tr>\n");
            for (area, ids) in spec::by_area(&uncovered) {
                let _ = writeln!(
                    html,
                    "<tr><td>{} ({})</td><td class=\"spec\">{}</td></tr>",
                    escape(area),
                    ids.len(),
                    escape(&ids.join(", "))
                );
            }
            html.push_str("</table>\n<ul>\n");
            for (id, why) in &self.coverage.reasons {
                if self.coverage.uncovered.contains(id) {
                    let _ = writeln!(html, "<li>{}: {}</li>", escape(id), escape(why));
                }
            }
            html.push_str("</ul>\n");
        }
        if !self.coverage.elsewhere.is_empty() {
            html.push_str("<p>Checked outside the per-backend suite:</p>\n<ul>\n");
            for (id, place) in &self.coverage.elsewhere {
                let _ = writeln!(html, "<li>{}: {}</li>", escape(id), escape(place));
            }
            html.push_str("</ul>\n");
        }
        if !self.coverage.unknown.is_empty() {
            let _ = writeln!(
                html,
                "<p>Cited by cases but not requirements of the SPEC: {}.</p>",
                escape(&self.coverage.unknown.join(", "))
            );
        }
        html.push_str(&self.reliability_html());
        html.push_str(&self.interop.to_html());
        html.push_str(&self.validation.to_html());
        html.push_str(&self.integrations.to_html());
        html.push_str("</body>\n</html>\n");
        html
    }
}
