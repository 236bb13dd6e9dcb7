//! The conformance report: what one `cargo xtask conformance` learned, and its three
//! renderings — `report.json` (schema `unitls-report/1`), `report.md` and a
//! self-contained `index.html`.

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::fs;
use std::path::PathBuf;
use std::time::Duration;

use crate::interop::Matrix;
use crate::json::Json;
use crate::outcome::{split_library, BackendInfo, CaseResult, Outcome};
use crate::{spec, workspace};

/// The report's schema name; bump it when a field changes meaning.
pub(crate) const SCHEMA: &str = "unitls-report/1";

/// The only mode the suite runs in so far (SPEC §0: sync and tokio).
const MODE: &str = "sync";

/// Why an uncovered requirement is listed.
const UNCOVERED_REASON: &str = "no conformance case yet";

/// One backend's test process and its results.
#[derive(Debug)]
pub(crate) struct BackendRun {
    /// The backend's name (`rustls`).
    pub(crate) name: &'static str,
    /// The command that ran the suite, as a shell line.
    pub(crate) command: String,
    /// The process's exit code, if it exited normally.
    pub(crate) exit_code: Option<i32>,
    /// Whether the process succeeded.
    pub(crate) success: bool,
    /// How long the process took (build included).
    pub(crate) duration: Duration,
    /// The capabilities the backend declares, if its source could be read.
    pub(crate) capabilities: Option<Vec<String>>,
    /// What the backend said about itself, if it ran a case.
    pub(crate) info: Option<BackendInfo>,
    /// The outcome file the runner wrote.
    pub(crate) outcome_file: PathBuf,
    /// Outcome lines that could not be used, and why.
    pub(crate) warnings: Vec<String>,
    /// Every case, sorted by id.
    pub(crate) cases: Vec<CaseResult>,
}

impl BackendRun {
    /// How many cases ended with `outcome`.
    pub(crate) fn count(&self, outcome: Outcome) -> usize {
        self.cases.iter().filter(|c| c.outcome == outcome).count()
    }

    /// The cases that ended with `outcome`.
    fn with(&self, outcome: Outcome) -> impl Iterator<Item = &CaseResult> {
        self.cases.iter().filter(move |c| c.outcome == outcome)
    }

    /// Whether the process succeeded, reported cases, and none failed (unsupported and
    /// deviation do not fail a run).
    pub(crate) fn is_ok(&self) -> bool {
        self.success && !self.cases.is_empty() && self.count(Outcome::Fail) == 0
    }

    /// The command that reruns one case alone.
    fn case_command(&self, id: &str) -> String {
        format!(
            "cargo test -p {} --test conformance -- --exact {id}",
            workspace::backend_package(self.name)
        )
    }

    /// The process's status in words.
    pub(crate) fn status(&self) -> String {
        match (self.success, self.exit_code) {
            (true, _) if self.cases.is_empty() => "ok but reported no case".to_owned(),
            (true, _) => "ok".to_owned(),
            (false, Some(code)) => format!("failed (exit code {code})"),
            (false, None) => "failed (killed by a signal)".to_owned(),
        }
    }

    /// The library's full description, or a placeholder.
    fn library(&self) -> &str {
        self.info
            .as_ref()
            .map_or("(unknown)", |i| i.library.as_str())
    }

    /// `50 pass, 0 fail, 3 unsupported, 1 deviation`.
    fn counts_text(&self) -> String {
        Outcome::ALL
            .map(|o| format!("{} {}", self.count(o), o.as_str()))
            .join(", ")
    }

    /// The lines for the terminal.
    pub(crate) fn summary_line(&self) -> String {
        let mut line = format!(
            "{} ({}): {}; test process {} after {:.1} s",
            self.name,
            self.library(),
            self.counts_text(),
            self.status(),
            self.duration.as_secs_f64()
        );
        for case in self.with(Outcome::Fail) {
            let _ = write!(
                line,
                "\n    FAILED {}: {}",
                case.id,
                first_line(&case.detail)
            );
        }
        line
    }
}

/// The SPEC's requirements and which of them no case cites.
#[derive(Debug)]
pub(crate) struct Coverage {
    /// Where the SPEC was looked for.
    pub(crate) path: PathBuf,
    /// Its live requirement IDs; `None` if it could not be read.
    pub(crate) requirements: Option<Vec<String>>,
    /// Why it could not be read.
    pub(crate) error: Option<String>,
    /// The requirements no case on any backend cites nor is checked elsewhere, in
    /// SPEC order, with the reason.
    pub(crate) uncovered: Vec<String>,
    /// Why each uncovered requirement is uncovered (from `elsewhere.rs`).
    pub(crate) reasons: Vec<(String, String)>,
    /// Requirements checked outside the suite, and where.
    pub(crate) elsewhere: Vec<(String, String)>,
    /// IDs cases cite that the SPEC does not have.
    pub(crate) unknown: Vec<String>,
}

impl Coverage {
    /// Reads the SPEC at `path` and checks it against every case's citations.
    pub(crate) fn compute(path: PathBuf, runs: &[BackendRun]) -> Self {
        match fs::read_to_string(&path) {
            Ok(text) => Self::from_text(path, &text, runs),
            Err(e) => Coverage {
                error: Some(if e.kind() == std::io::ErrorKind::NotFound {
                    "not found".to_owned()
                } else {
                    e.to_string()
                }),
                path,
                requirements: None,
                uncovered: Vec::new(),
                reasons: Vec::new(),
                elsewhere: Vec::new(),
                unknown: Vec::new(),
            },
        }
    }

    /// The coverage of the SPEC `text` (read from `path`).
    fn from_text(path: PathBuf, text: &str, runs: &[BackendRun]) -> Self {
        let ids = spec::requirement_ids(text);
        let listing =
            fs::read_to_string(spec::elsewhere_path(&crate::workspace::root())).unwrap_or_default();
        let elsewhere = spec::listed_in(&listing, "CHECKED_ELSEWHERE");
        let reasons = spec::listed_in(&listing, "NOT_YET_COVERED");
        let mut cited: BTreeSet<&str> = runs
            .iter()
            .flat_map(|run| &run.cases)
            .flat_map(|case| &case.spec)
            .map(String::as_str)
            .collect();
        let unknown = spec::unknown(&ids, &cited)
            .into_iter()
            .map(str::to_owned)
            .collect();
        cited.extend(elsewhere.iter().map(|(id, _)| id.as_str()));
        let uncovered = spec::uncovered(&ids, &cited)
            .into_iter()
            .map(str::to_owned)
            .collect();

        Coverage {
            path,
            requirements: Some(ids),
            error: None,
            uncovered,
            reasons,
            elsewhere,
            unknown,
        }
    }

    /// One sentence on what the uncovered list is, or why it is empty.
    pub(crate) fn note(&self) -> String {
        match (&self.requirements, &self.error) {
            (Some(ids), _) => format!(
                "{} of {} requirement IDs in {} are cited by no case's spec[] on any backend run",
                self.uncovered.len(),
                ids.len(),
                self.path.display()
            ),
            (None, error) => format!(
                "SPEC {} could not be read ({}); uncovered requirements not computed",
                self.path.display(),
                error.as_deref().unwrap_or("unknown error")
            ),
        }
    }
}

/// The machine the report was made on.
#[derive(Debug)]
pub(crate) struct Machine {
    /// `std::env::consts::OS`.
    pub(crate) os: &'static str,
    /// `PRETTY_NAME` from /etc/os-release, if present.
    pub(crate) os_release: Option<String>,
    /// `std::env::consts::ARCH`.
    pub(crate) arch: &'static str,
    /// `std::thread::available_parallelism`.
    pub(crate) cpus: Option<usize>,
    /// The first `model name` in /proc/cpuinfo, if present.
    pub(crate) cpu_model: Option<String>,
}

impl Machine {
    /// Describes this machine.
    pub(crate) fn detect() -> Self {
        let os_release = fs::read_to_string("/etc/os-release").ok().and_then(|text| {
            text.lines().find_map(|line| {
                let value = line.strip_prefix("PRETTY_NAME=")?;
                Some(value.trim_matches('"').to_owned())
            })
        });
        let cpu_model = fs::read_to_string("/proc/cpuinfo").ok().and_then(|text| {
            text.lines().find_map(|line| {
                let (key, value) = line.split_once(':')?;
                (key.trim() == "model name").then(|| value.trim().to_owned())
            })
        });
        Machine {
            os: std::env::consts::OS,
            os_release,
            arch: std::env::consts::ARCH,
            cpus: std::thread::available_parallelism().ok().map(usize::from),
            cpu_model,
        }
    }

    /// One line for report.md and index.html.
    fn describe(&self) -> String {
        let mut text = format!("{}/{}", self.os, self.arch);
        if let Some(release) = &self.os_release {
            let _ = write!(text, " ({release})");
        }
        if let Some(cpus) = self.cpus {
            let _ = write!(text, ", {cpus} CPUs");
        }
        if let Some(model) = &self.cpu_model {
            let _ = write!(text, ", {model}");
        }
        text
    }
}

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
}

impl Report {
    /// The sorted ids of every case on any backend, each with its SPEC IDs.
    fn case_ids(&self) -> Vec<(&str, &[String])> {
        let mut ids: Vec<(&str, &[String])> = Vec::new();
        for case in self.backends.iter().flat_map(|run| &run.cases) {
            match ids.iter_mut().find(|(id, _)| *id == case.id) {
                Some((_, spec)) if spec.is_empty() => *spec = &case.spec,
                Some(_) => {}
                None => ids.push((&case.id, &case.spec)),
            }
        }
        ids.sort_unstable_by_key(|(id, _)| *id);
        ids
    }

    /// report.json.
    pub(crate) fn to_json(&self) -> Json {
        let machine = &self.machine;
        let coverage = &self.coverage;
        Json::object([
            ("schema", Json::str(SCHEMA)),
            ("generated_at", Json::str(&self.generated_at)),
            ("command", Json::str(&self.command)),
            (
                "machine",
                Json::object([
                    ("os", Json::str(machine.os)),
                    ("os_release", Json::opt_str(machine.os_release.clone())),
                    ("arch", Json::str(machine.arch)),
                    (
                        "cpus",
                        machine.cpus.map_or(Json::Null, |n| Json::Int(count_i64(n))),
                    ),
                    ("cpu_model", Json::opt_str(machine.cpu_model.clone())),
                ]),
            ),
            ("rustc", Json::opt_str(self.rustc.clone())),
            ("openssl_cli", Json::opt_str(self.openssl_cli.clone())),
            (
                "spec",
                Json::object([
                    ("path", Json::str(coverage.path.display().to_string())),
                    ("found", Json::Bool(coverage.requirements.is_some())),
                    (
                        "requirements",
                        coverage
                            .requirements
                            .as_ref()
                            .map_or(Json::Null, |ids| Json::Int(count_i64(ids.len()))),
                    ),
                ]),
            ),
            (
                "backends",
                Json::Array(self.backends.iter().map(backend_json).collect()),
            ),
            (
                "uncovered",
                Json::Array(
                    coverage
                        .uncovered
                        .iter()
                        .map(|id| {
                            let reason = coverage
                                .reasons
                                .iter()
                                .find(|(listed, _)| listed == id)
                                .map_or(UNCOVERED_REASON, |(_, why)| why.as_str());
                            Json::object([("id", Json::str(id)), ("reason", Json::str(reason))])
                        })
                        .collect(),
                ),
            ),
            (
                "checked_elsewhere",
                Json::Array(
                    coverage
                        .elsewhere
                        .iter()
                        .map(|(id, place)| {
                            Json::object([("id", Json::str(id)), ("where", Json::str(place))])
                        })
                        .collect(),
                ),
            ),
            ("uncovered_note", Json::str(coverage.note())),
            (
                "cited_not_in_spec",
                Json::Array(coverage.unknown.iter().map(Json::str).collect()),
            ),
            ("interop", self.interop.to_json()),
            ("validation", self.validation.to_json()),
            (
                "interop_counts",
                Json::object(
                    [Outcome::Pass, Outcome::Fail, Outcome::Unsupported]
                        .map(|o| (o.as_str(), Json::Int(count_i64(self.interop.count(o))))),
                ),
            ),
            (
                "interop_duration_secs",
                Json::Float(self.interop.duration.as_secs_f64()),
            ),
        ])
    }

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
                        case.id,
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
                    case.id,
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
        md.push_str(&self.interop.to_markdown());
        md.push_str(&self.validation.to_markdown());
        md
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
                escape(id),
                escape(&spec.join(" "))
            );
            for run in &self.backends {
                match run.cases.iter().find(|c| c.id == id) {
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
        html.push_str(&self.interop.to_html());
        html.push_str(&self.validation.to_html());
        html.push_str("</body>\n</html>\n");
        html
    }
}

/// One backend's entry in report.json.
fn backend_json(run: &BackendRun) -> Json {
    let cases = run.cases.iter().map(|case| {
        let mut members = vec![
            ("id", Json::str(&case.id)),
            (
                "spec",
                Json::Array(case.spec.iter().map(Json::str).collect()),
            ),
            ("mode", Json::str(MODE)),
            ("outcome", Json::str(case.outcome.as_str())),
        ];
        if case.outcome != Outcome::Pass || !case.detail.is_empty() {
            members.push(("detail", Json::str(&case.detail)));
        }
        if case.outcome == Outcome::Fail {
            members.push(("reproduce", Json::str(run.case_command(&case.id))));
        }
        if let Some(output) = &case.output {
            members.push(("output", Json::str(output)));
        }
        Json::object(members)
    });
    let library = run.info.as_ref().map_or(Json::Null, |info| {
        let (name, version) = split_library(&info.library);
        Json::object([
            ("name", Json::str(name)),
            ("version", Json::opt_str(version)),
            ("full", Json::str(&info.library)),
        ])
    });
    let deviations = run.info.as_ref().map_or(Vec::new(), |info| {
        info.deviations
            .iter()
            .map(|d| {
                Json::object([
                    ("spec", Json::str(&d.spec)),
                    ("limitation", Json::str(&d.limitation)),
                ])
            })
            .collect()
    });
    Json::object([
        ("name", Json::str(run.name)),
        ("package", Json::str(workspace::backend_package(run.name))),
        ("library", library),
        (
            "crate",
            Json::opt_str(run.info.as_ref().map(|i| i.crate_version.clone())),
        ),
        ("command", Json::str(&run.command)),
        (
            "exit_code",
            run.exit_code.map_or(Json::Null, |c| Json::Int(c.into())),
        ),
        (
            "status",
            Json::str(if run.success { "ok" } else { "failed" }),
        ),
        ("duration_secs", Json::Float(run.duration.as_secs_f64())),
        (
            "capabilities",
            run.capabilities.as_ref().map_or(Json::Null, |caps| {
                Json::Array(caps.iter().map(Json::str).collect())
            }),
        ),
        ("deviations", Json::Array(deviations)),
        (
            "counts",
            Json::object(Outcome::ALL.map(|o| (o.as_str(), Json::Int(count_i64(run.count(o)))))),
        ),
        (
            "outcome_file",
            Json::str(run.outcome_file.display().to_string()),
        ),
        (
            "warnings",
            Json::Array(run.warnings.iter().map(Json::str).collect()),
        ),
        ("cases", Json::Array(cases.collect())),
    ])
}

/// ` (ATTACH-1, HS-2)`, or nothing for no IDs.
fn spec_suffix(spec: &[String]) -> String {
    if spec.is_empty() {
        String::new()
    } else {
        format!(" ({})", spec.join(", "))
    }
}

/// The first line of `text`.
fn first_line(text: &str) -> &str {
    text.lines().next().unwrap_or("")
}

/// `text` on one line (newlines become spaces), for Markdown list items.
fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// `text` made safe for a Markdown table cell.
fn md_cell(text: &str) -> String {
    one_line(text).replace('|', "\\|")
}

/// A count as a JSON integer.
fn count_i64(n: usize) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

/// Escapes text for HTML element content and attribute values.
pub(crate) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::outcome::Deviation;

    /// A case result.
    fn case(id: &str, spec: &[&str], outcome: Outcome, detail: &str) -> CaseResult {
        CaseResult {
            id: id.into(),
            spec: spec.iter().map(|s| (*s).to_owned()).collect(),
            outcome,
            detail: detail.into(),
            output: None,
        }
    }

    /// A backend run with `cases`.
    fn run(name: &'static str, success: bool, cases: Vec<CaseResult>) -> BackendRun {
        BackendRun {
            name,
            command: format!("cargo test -p unitls-{name} --test conformance"),
            exit_code: Some(if success { 0 } else { 101 }),
            success,
            duration: Duration::from_millis(1500),
            capabilities: Some(vec!["Tls13".into()]),
            info: Some(BackendInfo {
                library: "OpenSSL 3.0.19 27 Jan 2026".into(),
                crate_version: format!("unitls-{name} 0.1.0"),
                deviations: vec![Deviation {
                    spec: "PROTO-9".into(),
                    limitation: "no <alert>".into(),
                }],
            }),
            outcome_file: PathBuf::from("/tmp/outcomes.jsonl"),
            warnings: Vec::new(),
            cases,
        }
    }

    /// A report over `backends` and a small SPEC.
    fn report(backends: Vec<BackendRun>) -> Report {
        let spec = "**ATTACH-1** — a\n**PROTO-9** — b\n**KEY-2** — c\n**KEY-3** — d\n";
        let coverage = Coverage::from_text(PathBuf::from("/x/shared/SPEC.md"), spec, &backends);
        Report {
            generated_at: "2025-01-01T00:00:00Z".into(),
            command: "cargo xtask conformance".into(),
            machine: Machine {
                os: "linux",
                os_release: None,
                arch: "x86_64",
                cpus: Some(2),
                cpu_model: None,
            },
            rustc: None,
            openssl_cli: Some("OpenSSL 3.0.19".into()),
            backends,
            coverage,
            interop: Matrix::default(),
            validation: Default::default(),
        }
    }

    #[test]
    fn runs_fail_only_on_failures() {
        let clean = run(
            "rustls",
            true,
            vec![
                case("a", &["ATTACH-1"], Outcome::Pass, ""),
                case("b", &["KEY-2"], Outcome::Unsupported, "Pkcs12 not declared"),
                case("c", &["PROTO-9"], Outcome::Deviation, "PROTO-9: no alert"),
            ],
        );
        assert!(clean.is_ok());
        let failed = run("openssl", false, vec![case("a", &[], Outcome::Fail, "x")]);
        assert!(!failed.is_ok());
        let crashed = run("boring", false, vec![case("a", &[], Outcome::Pass, "")]);
        assert!(!crashed.is_ok());
        let empty = run("native-tls", true, Vec::new());
        assert!(!empty.is_ok());
        assert_eq!(empty.status(), "ok but reported no case");
    }

    #[test]
    fn report_lists_outcomes_and_gaps() {
        let report = report(vec![
            run(
                "rustls",
                true,
                vec![
                    case("a", &["ATTACH-1"], Outcome::Pass, ""),
                    case("b", &["KEY-2"], Outcome::Unsupported, "Pkcs12 not declared"),
                ],
            ),
            run(
                "openssl",
                false,
                vec![
                    case(
                        "a",
                        &["ATTACH-1", "SEC-99"],
                        Outcome::Deviation,
                        "PROTO-9: no alert",
                    ),
                    case("b", &["KEY-2"], Outcome::Fail, "boom <here>\nsecond line"),
                ],
            ),
        ]);
        assert_eq!(report.coverage.uncovered, ["PROTO-9", "KEY-3"]);
        assert_eq!(report.coverage.unknown, ["SEC-99"]);

        let json = report.to_json();
        assert_eq!(json.get("schema").and_then(Json::as_str), Some(SCHEMA));
        let uncovered = json.get("uncovered").and_then(Json::as_array).unwrap();
        assert_eq!(uncovered.len(), 2);
        assert_eq!(
            uncovered[0].get("reason").and_then(Json::as_str),
            Some(UNCOVERED_REASON)
        );
        assert_eq!(json.get("interop"), Some(&Json::Array(Vec::new())));
        let backends = json.get("backends").and_then(Json::as_array).unwrap();
        let openssl = &backends[1];
        let library = openssl.get("library").unwrap();
        assert_eq!(library.get("name").and_then(Json::as_str), Some("OpenSSL"));
        assert_eq!(
            library.get("version").and_then(Json::as_str),
            Some("3.0.19")
        );
        assert_eq!(
            openssl.get("counts").unwrap().to_pretty(),
            "{\"pass\": 0, \"fail\": 1, \"unsupported\": 0, \"deviation\": 1}\n"
        );
        let cases = openssl.get("cases").and_then(Json::as_array).unwrap();
        assert_eq!(cases[1].get("mode").and_then(Json::as_str), Some("sync"));
        assert!(cases[1].get("reproduce").is_some());
        let rustls_cases = backends[0].get("cases").and_then(Json::as_array).unwrap();
        assert_eq!(rustls_cases[0].get("detail"), None, "pass has no detail");
        // The printed JSON reads back.
        assert_eq!(Json::parse(&json.to_pretty()).unwrap(), json);

        let md = report.to_markdown();
        assert!(md.contains("| rustls | OpenSSL 3.0.19 27 Jan 2026 | 1 | 0 | 1 | 0 |"));
        assert!(md.contains("- `b` (KEY-2): Pkcs12 not declared"));
        assert!(md.contains("### Deviations (1)\n\n- `a` (ATTACH-1, SEC-99): PROTO-9: no alert"));
        assert!(md.contains("- `b` (KEY-2): boom <here>\n  rerun: `cargo test -p unitls-openssl"));
        assert!(md.contains("| PROTO (1) | PROTO-9 |\n| KEY (1) | KEY-3 |"));
        assert!(md.contains("2 of 4 requirement IDs"));

        let html = report.to_html();
        assert!(html.contains("<td class=\"deviation\" title=\"PROTO-9: no alert\">deviation</td>"));
        assert!(html.contains("<td class=\"unsupported\" title=\"Pkcs12 not declared\">"));
        assert!(html.contains("<td class=\"pass\">pass</td>"));
        assert!(html.contains("boom &lt;here&gt;"));
        assert!(!html.contains("<here>"));
        assert!(html.contains(".deviation { background: #ffdf9e"));
        assert!(html.contains("class=\"legend\""));
        assert!(html.contains("<h2>Uncovered SPEC requirements</h2>"));
    }

    #[test]
    fn a_missing_spec_is_said() {
        let coverage = Coverage::compute(PathBuf::from("/nonexistent/shared/SPEC.md"), &[]);
        assert!(coverage.requirements.is_none());
        assert!(coverage.uncovered.is_empty());
        assert!(coverage.note().contains("could not be read (not found)"));
    }

    #[test]
    fn html_is_escaped() {
        assert_eq!(
            escape("<a href=\"x\">&'"),
            "&lt;a href=&quot;x&quot;&gt;&amp;&#39;"
        );
    }
}
