//! The matrix rendered: the terminal summary, the interop section of report.md and that
//! of index.html.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use super::matrix::Matrix;
use super::OPENSSL_CLI;
use crate::outcome::Outcome;
use crate::text::{escape, one_line};

impl Matrix {
    /// The terminal summary: one small table of marks per version and variant.
    pub(crate) fn terminal_summary(&self) -> String {
        let mut text = String::new();
        for table in self.tables() {
            let (clients, servers) = self.axes(table);
            let width = self.names.iter().map(String::len).max().unwrap_or(6).max(6);
            let _ = writeln!(
                text,
                "interop {} (rows: client, columns: server)",
                table.title()
            );
            let _ = write!(text, "  {:width$}", "");
            for server in &servers {
                let _ = write!(text, " {server:>width$}");
            }
            text.push('\n');
            for client in &clients {
                let _ = write!(text, "  {client:width$}");
                for server in &servers {
                    let mark = self
                        .cell(client, server, table)
                        .map_or(' ', |r| r.outcome.mark());
                    let _ = write!(text, " {mark:>width$}");
                }
                text.push('\n');
            }
        }
        for failure in self.failures() {
            let _ = writeln!(text, "    FAILED {}: {}", failure.label(), failure.detail);
        }
        text
    }

    /// The interop section of report.md.
    pub(crate) fn to_markdown(&self) -> String {
        let mut md = String::from("## Interop\n\n");
        if self.results.is_empty() {
            md.push_str("The interop matrix did not run.\n");
            return md;
        }
        let _ = writeln!(
            md,
            "Client (rows) × server (columns), each end its own `unitls-peer` process over \
             loopback; `{OPENSSL_CLI}` is the `openssl` command-line tool. Both ends are \
             blocking unless the title says otherwise: an `async` end is `unitls-peer \
             --async` (the tokio stream). {} ({:.1} s).\n",
            self.counts_text(),
            self.duration.as_secs_f64()
        );
        for table in self.tables() {
            let (clients, servers) = self.axes(table);
            let _ = writeln!(md, "### {}\n", table.title());
            md.push_str("| client \\ server |");
            for server in &servers {
                let _ = write!(md, " {server} |");
            }
            md.push_str("\n|---|");
            md.push_str(&":---:|".repeat(servers.len()));
            md.push('\n');
            for client in &clients {
                let _ = write!(md, "| {client} |");
                for server in &servers {
                    let cell = match self.cell(client, server, table) {
                        Some(r) if r.outcome == Outcome::Fail => "**fail**",
                        Some(r) => r.outcome.as_str(),
                        None => "—",
                    };
                    let _ = write!(md, " {cell} |");
                }
                md.push('\n');
            }
            md.push('\n');
        }
        let failures: Vec<_> = self.failures().collect();
        let _ = writeln!(md, "### Interop failures ({})\n", failures.len());
        if failures.is_empty() {
            md.push_str("None.\n\n");
        }
        for r in failures {
            let _ = writeln!(md, "- `{}`: {}", r.label(), one_line(&r.detail));
        }
        let mut reasons: BTreeMap<&str, Vec<String>> = BTreeMap::new();
        for r in self
            .results
            .iter()
            .filter(|r| r.outcome == Outcome::Unsupported)
        {
            reasons.entry(&r.detail).or_default().push(r.label());
        }
        if !reasons.is_empty() {
            md.push_str("\n### Interop unsupported\n\n");
            for (reason, labels) in reasons {
                let _ = writeln!(
                    md,
                    "- {} ({}): {}",
                    one_line(reason),
                    labels.len(),
                    labels.join(", ")
                );
            }
        }
        md
    }

    /// The interop section of index.html.
    pub(crate) fn to_html(&self) -> String {
        let mut html = String::from("<h2>Interop</h2>\n");
        if self.results.is_empty() {
            html.push_str("<p>The interop matrix did not run.</p>\n");
            return html;
        }
        let _ = writeln!(
            html,
            "<p>Client (rows) × server (columns), each end its own <code>unitls-peer</code> \
             process over loopback; <code>{OPENSSL_CLI}</code> is the <code>openssl</code> \
             command-line tool. Both ends are blocking unless the title says otherwise: an \
             <code>async</code> end is <code>unitls-peer --async</code> (the tokio stream). \
             {} ({:.1} s). Hover a cell for the cipher suite or the reason.</p>",
            escape(&self.counts_text()),
            self.duration.as_secs_f64()
        );
        for table in self.tables() {
            let (clients, servers) = self.axes(table);
            let _ = writeln!(
                html,
                "<h3>{}</h3>\n<table>\n<tr><th>client \\ server</th>",
                escape(&table.title())
            );
            for server in &servers {
                let _ = write!(html, "<th>{}</th>", escape(server));
            }
            html.push_str("</tr>\n");
            for client in &clients {
                let _ = write!(html, "<tr><th>{}</th>", escape(client));
                for server in &servers {
                    match self.cell(client, server, table) {
                        Some(r) => {
                            let title = match (&r.cipher, r.detail.is_empty()) {
                                (Some(cipher), true) => cipher.clone(),
                                (Some(cipher), false) => format!("{cipher}: {}", r.detail),
                                (None, _) => r.detail.clone(),
                            };
                            let class = r.outcome.as_str();
                            let _ = write!(
                                html,
                                "<td class=\"{class}\" title=\"{}\">{class}</td>",
                                escape(&title)
                            );
                        }
                        None => html.push_str("<td class=\"none\">—</td>"),
                    }
                }
                html.push_str("</tr>\n");
            }
            html.push_str("</table>\n");
        }
        let failures: Vec<_> = self.failures().collect();
        let _ = writeln!(html, "<h3>Interop failures ({})</h3>", failures.len());
        if failures.is_empty() {
            html.push_str("<p>None.</p>\n");
        }
        for r in failures {
            let _ = writeln!(
                html,
                "<details><summary><span class=\"fail\"><code>{}</code></span></summary>\n\
                 <pre>{}</pre>\n</details>",
                escape(&r.label()),
                escape(&r.detail)
            );
        }
        html
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::interop::matrix::{InteropResult, Table};
    use crate::interop::plan::{Modes, Variant, Version};
    use unitls_model::Mode;

    #[test]
    fn the_matrix_renders() {
        let async_client = Modes::ALL[1];
        let cell = |client: &str, server: &str, outcome, detail: &str| InteropResult {
            client: client.into(),
            server: server.into(),
            variant: Variant::Basic,
            version: Version::Tls13,
            modes: Modes::BLOCKING,
            outcome,
            cipher: (outcome == Outcome::Pass).then(|| "TLS_AES_128_GCM_SHA256".to_owned()),
            detail: detail.into(),
        };
        let matrix = Matrix {
            names: ["rustls", "native-tls", OPENSSL_CLI]
                .map(String::from)
                .to_vec(),
            results: vec![
                cell("rustls", "rustls", Outcome::Pass, ""),
                cell("rustls", "native-tls", Outcome::Unsupported, "no <Tls13>"),
                cell("rustls", OPENSSL_CLI, Outcome::Fail, "server said <no>"),
                InteropResult {
                    variant: Variant::Resumption,
                    ..cell("rustls", "rustls", Outcome::Pass, "")
                },
                InteropResult {
                    modes: async_client,
                    ..cell(
                        "rustls",
                        "native-tls",
                        Outcome::Fail,
                        "client rustls ran blocking",
                    )
                },
                InteropResult {
                    modes: async_client,
                    ..cell("native-tls", "rustls", Outcome::Pass, "")
                },
            ],
            duration: Duration::from_secs(3),
        };
        assert_eq!(matrix.counts_text(), "3 pass, 2 fail, 1 unsupported");
        let table = |modes, variant| Table {
            modes,
            version: Version::Tls13,
            variant,
        };
        assert_eq!(
            matrix.tables(),
            [
                table(Modes::BLOCKING, Variant::Basic),
                table(Modes::BLOCKING, Variant::Resumption),
                table(async_client, Variant::Basic),
            ]
        );
        let cells = matrix.to_record();
        let first = &cells[0];
        assert_eq!(first.variant, "basic");
        assert_eq!(first.version, "TLSv1.3");
        assert_eq!(
            (first.client_mode, first.server_mode),
            (Mode::Blocking, Mode::Blocking)
        );
        assert_eq!(
            (cells[4].client_mode, cells[4].server_mode),
            (Mode::Async, Mode::Blocking)
        );
        assert_eq!(first.cipher.as_deref(), Some("TLS_AES_128_GCM_SHA256"));
        let md = matrix.to_markdown();
        assert!(md.contains("### TLSv1.3 basic"), "{md}");
        assert!(
            md.contains("| rustls | pass | unsupported | **fail** |"),
            "{md}"
        );
        assert!(md.contains("- `rustls -> openssl-cli TLSv1.3 basic`: server said <no>"));
        assert!(
            md.contains("### TLSv1.3 resumption\n\n| client \\ server | rustls |\n|---|:---:|\n| rustls | pass |\n"),
            "{md}"
        );
        assert_eq!(cells[3].variant, "resumption");
        // The cross-mode table: its own title, only the rows and columns it has.
        assert!(
            md.contains(
                "### TLSv1.3 basic, async client × blocking server\n\n\
                 | client \\ server | rustls | native-tls |\n|---|:---:|:---:|\n\
                 | rustls | — | **fail** |\n| native-tls | pass | — |\n"
            ),
            "{md}"
        );
        assert!(md.contains("- `rustls (async) -> native-tls TLSv1.3 basic`: client rustls ran"));
        let html = matrix.to_html();
        assert!(html.contains("<h3>TLSv1.3 basic, async client × blocking server</h3>"));
        assert!(html.contains("<td class=\"pass\" title=\"TLS_AES_128_GCM_SHA256\">pass</td>"));
        assert!(html.contains("title=\"no &lt;Tls13&gt;\">unsupported</td>"));
        assert!(!html.contains("<no>"));
        let terminal = matrix.terminal_summary();
        assert!(terminal.contains("FAILED rustls -> openssl-cli TLSv1.3 basic"));
        assert!(terminal.contains("interop TLSv1.3 resumption (rows: client, columns: server)"));
        assert!(terminal.contains(
            "interop TLSv1.3 basic, async client × blocking server (rows: client, columns: server)"
        ));
        assert!(terminal.contains("FAILED rustls (async) -> native-tls TLSv1.3 basic"));
        assert!(html.contains("<h3>TLSv1.3 resumption</h3>"));
    }
}
