//! The index.html section (with its own styles).

use std::fmt::Write as _;

use super::text::{percent, short_verdict};
use super::ValidationReport;
use crate::text::escape;

impl ValidationReport {
    /// The index.html section (with its own styles).
    pub(crate) fn to_html(&self) -> String {
        let mut html = String::from(
            "<section class=\"validation\">\n<style>\n\
             .validation td.v-accept { background: #c8f0c8; }\n\
             .validation td.v-reject { background: #f6d0c0; }\n\
             .validation td.v-not-applicable { background: #e0e0e0; color: #555; }\n\
             .validation td.v-error { background: #f6c3c3; color: #7a0000; font-weight: bold; }\n\
             .validation td.unexpected { outline: 2px solid #7a0000; outline-offset: -2px; }\n\
             .validation td.desc { font-size: 12px; color: #444; max-width: 40em; }\n\
             </style>\n<h2>Certificate validation (x509-limbo)</h2>\n",
        );
        let _ = writeln!(html, "<p>Cases: {}.</p>", escape(&self.credit()));
        if let Some(absent) = &self.absent {
            let _ = writeln!(
                html,
                "<p><strong>Skipped</strong>: {}</p>\n</section>",
                escape(absent)
            );
            return html;
        }
        let _ = writeln!(
            html,
            "<p>{} of the corpus's {} cases run through a real handshake on each backend, \
             and on each TLS library used directly with unitls's settings.</p>",
            self.eligible.map_or("?".into(), |n| n.to_string()),
            self.total_cases.map_or("?".into(), |n| n.to_string()),
        );
        html.push_str(
            "<table>\n<tr><th>backend</th><th>eligible</th><th>as expected</th>\
             <th>accepted, expected reject</th><th>rejected, expected accept</th>\
             <th>errors</th><th>not applicable</th><th>unitls ≠ direct</th>\
             <th>known differences</th></tr>\n",
        );
        for b in &self.backends {
            let t = &b.tally;
            let _ = writeln!(
                html,
                "<tr><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{} ({})</td>\
                 <td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td>\
                 <td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td></tr>",
                escape(&b.name),
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
        html.push_str("</table>\n<ul>\n");
        for b in &self.backends {
            if !b.direct_method.is_empty() {
                let _ = writeln!(
                    html,
                    "<li>{} used directly: {}</li>",
                    escape(&b.name),
                    escape(&b.direct_method)
                );
            }
        }
        for case in &self.cases {
            for r in case.results.iter().filter(|r| r.known_reason.is_some()) {
                let _ = writeln!(
                    html,
                    "<li>listed difference on {} <code>{}</code>: {} (unitls {}, directly {}): {}</li>",
                    escape(&r.backend),
                    escape(&case.id),
                    escape(&r.comparison),
                    escape(&r.verdict),
                    escape(&r.direct_verdict),
                    escape(r.known_reason.as_deref().unwrap_or(""))
                );
            }
        }
        html.push_str("</ul>\n");
        let disagreements = self.disagreements();
        let names = self.backend_names();
        let _ = writeln!(
            html,
            "<h3>Where backends disagree ({} cases)</h3>",
            disagreements.len()
        );
        if !disagreements.is_empty() {
            html.push_str("<table>\n<tr><th>case</th><th>expected</th>");
            for name in &names {
                let _ = write!(html, "<th>{}</th>", escape(name));
            }
            html.push_str("<th>description</th></tr>\n");
            for case in disagreements {
                let _ = write!(
                    html,
                    "<tr><td class=\"case\">{}</td><td>{}</td>",
                    escape(&case.id),
                    escape(&case.expected)
                );
                for name in &names {
                    match case.results.iter().find(|r| r.backend == *name) {
                        Some(r) => {
                            let unexpected =
                                if r.verdict != case.expected && r.verdict != "not-applicable" {
                                    " unexpected"
                                } else {
                                    ""
                                };
                            let _ = write!(
                                html,
                                "<td class=\"v-{}{unexpected}\" title=\"{}\">{}</td>",
                                escape(&r.verdict),
                                escape(&r.reason),
                                escape(&short_verdict(r))
                            );
                        }
                        None => html.push_str("<td class=\"none\">—</td>"),
                    }
                }
                let _ = writeln!(
                    html,
                    "<td class=\"desc\">{}</td></tr>",
                    escape(&case.description)
                );
            }
            html.push_str(
                "</table>\n<p>Outlined: differs from the corpus's expected result; hover a \
                 verdict for its reason.</p>\n",
            );
        }
        let failures = self.failures();
        if !failures.is_empty() {
            html.push_str("<h3>Failures</h3>\n<ul>\n");
            for failure in failures {
                let _ = writeln!(html, "<li class=\"fail\">{}</li>", escape(&failure));
            }
            html.push_str("</ul>\n");
            for b in self.backends.iter().filter(|b| !b.success) {
                if let Some(output) = b.failure_output.as_ref().filter(|o| !o.trim().is_empty()) {
                    let _ = writeln!(
                        html,
                        "<details><summary>{}</summary><pre>{}</pre></details>",
                        escape(&b.name),
                        escape(output)
                    );
                }
            }
        }
        html.push_str("</section>\n");
        html
    }
}
