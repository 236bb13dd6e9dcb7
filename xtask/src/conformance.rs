//! `cargo xtask conformance [--backend NAME]... [--out DIR]`: the conformance suite,
//! one process per backend, and its report.
//!
//! Each backend crate instantiates the suite in `tests/conformance.rs`; OpenSSL and
//! BoringSSL cannot share a binary, so every backend runs as its own
//! `cargo test -p unitls-<name> --test conformance`. libtest's JSON output is unstable,
//! so the plain `test <name> ... ok|FAILED|ignored` lines are parsed while they stream,
//! and the captured output of failed cases is taken from the `---- <name> stdout ----`
//! sections. The report goes to `report.json` (schema `unitls-report/1`), `report.md`
//! and a self-contained `index.html`.

use std::fmt::Write as _;
use std::fs;
use std::io::{BufRead, BufReader, Write as _};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use crate::flags::ConformanceArgs;
use crate::json::Json;
use crate::workspace::{self, cargo, display};
use crate::{codegen, prereqs, Result};

/// The report's schema name; bump it when a field changes meaning.
const SCHEMA: &str = "unitls-report/1";

/// The most characters of a failed case's output kept in the report.
const DETAIL_LIMIT: usize = 8000;

/// Runs the task.
pub(crate) fn run(args: &ConformanceArgs) -> Result<()> {
    prereqs::run()?;
    let root = workspace::root();
    let available = workspace::member_backends(&root)?;
    let selected: Vec<&'static str> = if args.backends.is_empty() {
        available.clone()
    } else {
        let mut selected = Vec::new();
        for wanted in &args.backends {
            let found = available.iter().find(|name| **name == wanted.as_str());
            let Some(name) = found else {
                return Err(format!(
                    "backend `{wanted}` has no crate in the workspace (available: {})",
                    available.join(", ")
                )
                .into());
            };
            if !selected.contains(name) {
                selected.push(*name);
            }
        }
        selected
    };
    if selected.is_empty() {
        return Err("no backend crate is a workspace member; nothing to run".into());
    }
    let out = args
        .out
        .clone()
        .unwrap_or_else(|| root.join("target").join("unitls-report"));

    let mut runs = Vec::new();
    for name in &selected {
        runs.push(run_backend(&root, name)?);
    }

    let report = Report {
        generated_at: rfc3339(SystemTime::now()),
        command: reproduce_command(args),
        machine: Machine::detect(),
        rustc: first_line_of(Command::new("rustc").arg("--version")),
        openssl_cli: first_line_of(Command::new("openssl").arg("version")),
        backends: runs,
    };
    fs::create_dir_all(&out).map_err(|e| format!("cannot create {}: {e}", out.display()))?;
    let files = [
        ("report.json", report.to_json().to_pretty()),
        ("report.md", report.to_markdown()),
        ("index.html", report.to_html()),
    ];
    for (file, text) in files {
        let path = out.join(file);
        fs::write(&path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    }

    println!();
    for run in &report.backends {
        println!("{}", run.summary_line());
    }
    println!("report: {}", out.join("index.html").display());
    println!("        {}", out.join("report.md").display());
    println!("        {}", out.join("report.json").display());
    let failed: Vec<&str> = report
        .backends
        .iter()
        .filter(|run| !run.is_ok())
        .map(|run| run.name)
        .collect();
    if failed.is_empty() {
        println!("conformance: ok");
        Ok(())
    } else {
        Err(format!("conformance failed on: {}", failed.join(", ")).into())
    }
}

/// What a user types to get the same report.
fn reproduce_command(args: &ConformanceArgs) -> String {
    let mut command = String::from("cargo xtask conformance");
    for backend in &args.backends {
        let _ = write!(command, " --backend {backend}");
    }
    if let Some(out) = &args.out {
        let _ = write!(command, " --out {}", out.display());
    }
    command
}

/// The outcome of one case.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outcome {
    /// The test passed.
    Pass,
    /// The test failed.
    Fail,
    /// libtest did not run it (`#[ignore]`).
    Ignored,
}

impl Outcome {
    /// The name used in report.json and as a CSS class.
    fn as_str(self) -> &'static str {
        match self {
            Outcome::Pass => "pass",
            Outcome::Fail => "fail",
            Outcome::Ignored => "ignored",
        }
    }

    /// The progress mark printed while the suite streams.
    fn mark(self) -> char {
        match self {
            Outcome::Pass => '.',
            Outcome::Fail => 'F',
            Outcome::Ignored => 'i',
        }
    }
}

/// One case's result on one backend.
#[derive(Debug)]
struct CaseResult {
    /// The test's name (the case id).
    id: String,
    /// What happened.
    outcome: Outcome,
    /// The captured output, for failures.
    detail: Option<String>,
}

/// One backend's test process and its results.
#[derive(Debug)]
struct BackendRun {
    /// The backend's name (`rustls`).
    name: &'static str,
    /// The command that ran the suite, as a shell line.
    command: String,
    /// The process's exit code, if it exited normally.
    exit_code: Option<i32>,
    /// Whether the process succeeded.
    success: bool,
    /// How long the process took (build included).
    duration: Duration,
    /// The capabilities the backend declares, if its source could be read.
    capabilities: Option<Vec<String>>,
    /// Every case libtest reported, sorted by id.
    cases: Vec<CaseResult>,
}

impl BackendRun {
    /// How many cases ended with `outcome`.
    fn count(&self, outcome: Outcome) -> usize {
        self.cases.iter().filter(|c| c.outcome == outcome).count()
    }

    /// Whether the process succeeded and no case failed.
    fn is_ok(&self) -> bool {
        self.success && self.count(Outcome::Fail) == 0
    }

    /// The command that reruns one case alone.
    fn case_command(&self, id: &str) -> String {
        format!(
            "cargo test -p {} --test conformance -- --exact {id}",
            workspace::backend_package(self.name)
        )
    }

    /// The process's status in words.
    fn status(&self) -> String {
        match (self.success, self.exit_code) {
            (true, _) => "ok".to_owned(),
            (false, Some(code)) => format!("failed (exit code {code})"),
            (false, None) => "failed (killed by a signal)".to_owned(),
        }
    }

    /// One line for the terminal.
    fn summary_line(&self) -> String {
        let mut line = format!(
            "{}: {} passed, {} failed, {} ignored; test process {} after {:.1} s",
            self.name,
            self.count(Outcome::Pass),
            self.count(Outcome::Fail),
            self.count(Outcome::Ignored),
            self.status(),
            self.duration.as_secs_f64()
        );
        for case in self.cases.iter().filter(|c| c.outcome == Outcome::Fail) {
            let _ = write!(line, "\n    FAILED {}", case.id);
        }
        line
    }
}

/// Runs backend `name`'s suite in its own process, streaming progress.
fn run_backend(root: &Path, name: &'static str) -> Result<BackendRun> {
    let package = workspace::backend_package(name);
    let mut command = cargo(root);
    command.args([
        "test",
        "-p",
        &package,
        "--test",
        "conformance",
        "--",
        "--test-threads=2",
    ]);
    let shown = display(&command);
    println!("==> {name}: {shown}");
    let started = Instant::now();
    let mut child = command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot run `{shown}`: {e}"))?;
    let stdout = child
        .stdout
        .take()
        .ok_or("the child's stdout is not piped")?;

    let mut parser = OutputParser::default();
    let mut printed = 0usize;
    for line in BufReader::new(stdout).lines() {
        let line = line.map_err(|e| format!("reading the output of `{shown}`: {e}"))?;
        if let Some(outcome) = parser.feed(&line) {
            let mut terminal = std::io::stdout().lock();
            let _ = write!(terminal, "{}", outcome.mark());
            printed += 1;
            if printed % 60 == 0 {
                let _ = writeln!(terminal, " {printed}");
            }
            let _ = terminal.flush();
        }
    }
    if printed % 60 != 0 {
        println!(" {printed}");
    }
    let status = child
        .wait()
        .map_err(|e| format!("waiting for `{shown}`: {e}"))?;
    let cases = parser.finish();
    if !status.success() && cases.iter().all(|c| c.outcome != Outcome::Fail) {
        eprintln!("!!! {name}: `{shown}` failed ({status}) without a failed case; see above");
    }
    Ok(BackendRun {
        name,
        command: shown,
        exit_code: status.code(),
        success: status.success(),
        duration: started.elapsed(),
        capabilities: codegen::declared_capabilities(root, name).ok(),
        cases,
    })
}

/// Reads libtest's plain output line by line.
#[derive(Debug, Default)]
struct OutputParser {
    /// The results so far.
    cases: Vec<CaseResult>,
    /// The failure section being read: the case and its lines so far.
    section: Option<(String, Vec<String>)>,
    /// Whether the `failures:` block has started.
    in_failures: bool,
}

impl OutputParser {
    /// Takes one line; returns the outcome if the line reported a result.
    fn feed(&mut self, line: &str) -> Option<Outcome> {
        if self.in_failures {
            if let Some(id) = line
                .strip_prefix("---- ")
                .and_then(|rest| rest.strip_suffix(" stdout ----"))
            {
                self.close_section();
                self.section = Some((id.to_owned(), Vec::new()));
                return None;
            }
            if line == "failures:" {
                self.close_section();
                return None;
            }
            if let Some((_, lines)) = self.section.as_mut() {
                lines.push(line.to_owned());
                return None;
            }
        }
        if line == "failures:" {
            self.in_failures = true;
            return None;
        }
        let (id, outcome) = parse_result(line)?;
        self.cases.push(CaseResult {
            id: id.to_owned(),
            outcome,
            detail: None,
        });
        Some(outcome)
    }

    /// Attaches the section being read to its case.
    fn close_section(&mut self) {
        let Some((id, mut lines)) = self.section.take() else {
            return;
        };
        while lines.last().is_some_and(|l| l.trim().is_empty()) {
            lines.pop();
        }
        let blank_head = lines.iter().take_while(|l| l.trim().is_empty()).count();
        lines.drain(..blank_head);
        let mut detail = lines.join("\n");
        if detail.len() > DETAIL_LIMIT {
            let mut cut = DETAIL_LIMIT;
            while !detail.is_char_boundary(cut) {
                cut -= 1;
            }
            detail.truncate(cut);
            detail.push_str("\n[… truncated]");
        }
        if let Some(case) = self.cases.iter_mut().find(|c| c.id == id) {
            case.detail = Some(detail);
        }
    }

    /// The results, with failure details attached, sorted by id (threads finish in any
    /// order; the report should not).
    fn finish(mut self) -> Vec<CaseResult> {
        self.close_section();
        self.cases.sort_by(|a, b| a.id.cmp(&b.id));
        self.cases
    }
}

/// Parses `test <name> ... ok|FAILED|ignored[, reason]`.
fn parse_result(line: &str) -> Option<(&str, Outcome)> {
    let (id, result) = line.strip_prefix("test ")?.split_once(" ... ")?;
    let outcome = match result.trim_end() {
        "ok" => Outcome::Pass,
        "FAILED" => Outcome::Fail,
        other if other.starts_with("ignored") => Outcome::Ignored,
        _ => return None,
    };
    Some((id, outcome))
}

/// The machine the report was made on.
#[derive(Debug)]
struct Machine {
    /// `std::env::consts::OS`.
    os: &'static str,
    /// `PRETTY_NAME` from /etc/os-release, if present.
    os_release: Option<String>,
    /// `std::env::consts::ARCH`.
    arch: &'static str,
    /// `std::thread::available_parallelism`.
    cpus: Option<usize>,
    /// The first `model name` in /proc/cpuinfo, if present.
    cpu_model: Option<String>,
}

impl Machine {
    /// Describes this machine.
    fn detect() -> Self {
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
struct Report {
    /// When, as RFC 3339 UTC.
    generated_at: String,
    /// The command that reproduces the report.
    command: String,
    /// Where.
    machine: Machine,
    /// `rustc --version`.
    rustc: Option<String>,
    /// `openssl version`, the external peer's version.
    openssl_cli: Option<String>,
    /// One entry per backend, in run order.
    backends: Vec<BackendRun>,
}

impl Report {
    /// report.json.
    fn to_json(&self) -> Json {
        let machine = &self.machine;
        let backends = self.backends.iter().map(|run| {
            let cases = run.cases.iter().map(|case| {
                let mut members = vec![
                    ("id", Json::str(&case.id)),
                    ("outcome", Json::str(case.outcome.as_str())),
                ];
                if case.outcome == Outcome::Fail {
                    members.push(("reproduce", Json::str(run.case_command(&case.id))));
                }
                if let Some(detail) = &case.detail {
                    members.push(("detail", Json::str(detail)));
                }
                Json::object(members)
            });
            Json::object([
                ("name", Json::str(run.name)),
                ("package", Json::str(workspace::backend_package(run.name))),
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
                (
                    "counts",
                    Json::object(
                        [Outcome::Pass, Outcome::Fail, Outcome::Ignored]
                            .map(|o| (o.as_str(), Json::Int(count_i64(run.count(o))))),
                    ),
                ),
                ("cases", Json::Array(cases.collect())),
            ])
        });
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
            ("backends", Json::Array(backends.collect())),
        ])
    }

    /// report.md: counts per backend, then the failed cases.
    fn to_markdown(&self) -> String {
        let mut md = String::from("# unitls conformance report\n\n");
        let _ = writeln!(md, "- generated: {}", self.generated_at);
        let _ = writeln!(md, "- machine: {}", self.machine.describe());
        if let Some(rustc) = &self.rustc {
            let _ = writeln!(md, "- {rustc}");
        }
        let openssl = self.openssl_cli.as_deref().unwrap_or("not found");
        let _ = writeln!(md, "- openssl command-line tool: {openssl}");
        let _ = writeln!(md, "- reproduce: `{}`\n", self.command);
        md.push_str("| Backend | Pass | Fail | Ignored | Test process |\n");
        md.push_str("|---|---:|---:|---:|---|\n");
        for run in &self.backends {
            let _ = writeln!(
                md,
                "| {} | {} | {} | {} | {}, {:.1} s |",
                run.name,
                run.count(Outcome::Pass),
                run.count(Outcome::Fail),
                run.count(Outcome::Ignored),
                run.status(),
                run.duration.as_secs_f64()
            );
        }
        md.push_str("\n## Failures\n\n");
        if self.backends.iter().all(BackendRun::is_ok) {
            md.push_str("None.\n");
        }
        for run in self.backends.iter().filter(|run| !run.is_ok()) {
            let _ = writeln!(md, "### {}\n", run.name);
            let _ = writeln!(md, "Reproduce: `{}`\n", run.command);
            let failed: Vec<_> = run
                .cases
                .iter()
                .filter(|c| c.outcome == Outcome::Fail)
                .collect();
            if failed.is_empty() {
                let _ = writeln!(
                    md,
                    "The test process {} before any case failed (a build error or a crash); \
                     run the command above.\n",
                    run.status()
                );
            }
            for case in failed {
                let _ = writeln!(md, "- `{}`: `{}`", case.id, run.case_command(&case.id));
                if let Some(detail) = &case.detail {
                    let fence = if detail.contains("```") {
                        "````"
                    } else {
                        "```"
                    };
                    let _ = writeln!(
                        md,
                        "  <details><summary>output</summary>\n\n{fence}text\n{detail}\n{fence}\n\n  </details>"
                    );
                }
            }
            md.push('\n');
        }
        md
    }

    /// index.html: a self-contained page, case × backend.
    fn to_html(&self) -> String {
        let mut ids: Vec<&str> = Vec::new();
        for case in self.backends.iter().flat_map(|run| &run.cases) {
            if !ids.contains(&case.id.as_str()) {
                ids.push(&case.id);
            }
        }
        ids.sort_unstable();

        let mut html = String::from(
            "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
             <title>unitls conformance report</title>\n<style>\n\
             body { font: 14px/1.4 system-ui, sans-serif; margin: 2em; color: #222; }\n\
             table { border-collapse: collapse; margin: 1em 0; }\n\
             th, td { border: 1px solid #ccc; padding: 3px 10px; }\n\
             th { background: #f3f3f3; }\n\
             td.case { font-family: ui-monospace, monospace; }\n\
             td.pass { background: #c8f0c8; color: #0a4a0a; text-align: center; }\n\
             td.fail { background: #f6c3c3; color: #7a0000; text-align: center; font-weight: bold; }\n\
             td.ignored { background: #eee; color: #666; text-align: center; }\n\
             td.none { background: #fafafa; color: #999; text-align: center; }\n\
             td.num { text-align: right; }\n\
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
        let _ = writeln!(
            html,
            "<li>reproduce: <code>{}</code></li>\n</ul>",
            escape(&self.command)
        );

        html.push_str(
            "<h2>Summary</h2>\n<table>\n<tr><th>Backend</th><th>Pass</th><th>Fail</th>\
                       <th>Ignored</th><th>Test process</th><th>Command</th></tr>\n",
        );
        for run in &self.backends {
            let _ = writeln!(
                html,
                "<tr><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td>\
                 <td class=\"num\">{}</td><td class=\"{}\">{}, {:.1} s</td><td><code>{}</code></td></tr>",
                escape(run.name),
                run.count(Outcome::Pass),
                run.count(Outcome::Fail),
                run.count(Outcome::Ignored),
                if run.success { "pass" } else { "fail" },
                escape(&run.status()),
                run.duration.as_secs_f64(),
                escape(&run.command)
            );
        }
        html.push_str("</table>\n");

        html.push_str("<h2>Cases</h2>\n<table>\n<tr><th>Case</th>");
        for run in &self.backends {
            let _ = write!(html, "<th>{}</th>", escape(run.name));
        }
        html.push_str("</tr>\n");
        for id in &ids {
            let _ = write!(html, "<tr><td class=\"case\">{}</td>", escape(id));
            for run in &self.backends {
                match run.cases.iter().find(|c| c.id == *id) {
                    Some(case) => {
                        let class = case.outcome.as_str();
                        let _ = write!(html, "<td class=\"{class}\">{class}</td>");
                    }
                    None => html.push_str("<td class=\"none\">—</td>"),
                }
            }
            html.push_str("</tr>\n");
        }
        html.push_str("</table>\n");

        let failures: Vec<(&BackendRun, &CaseResult)> = self
            .backends
            .iter()
            .flat_map(|run| run.cases.iter().map(move |case| (run, case)))
            .filter(|(_, case)| case.outcome == Outcome::Fail)
            .collect();
        if !failures.is_empty() {
            html.push_str("<h2>Failures</h2>\n");
            for (run, case) in failures {
                let _ = writeln!(
                    html,
                    "<details><summary>{} on {}</summary>\n<p>rerun: <code>{}</code></p>\n\
                     <pre>{}</pre>\n</details>",
                    escape(&case.id),
                    escape(run.name),
                    escape(&run.case_command(&case.id)),
                    escape(case.detail.as_deref().unwrap_or("(no output captured)"))
                );
            }
        }
        html.push_str("</body>\n</html>\n");
        html
    }
}

/// A count as a JSON integer.
fn count_i64(n: usize) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

/// Escapes text for HTML element content and attribute values.
fn escape(text: &str) -> String {
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

/// The first line of a command's stdout, if it ran and succeeded.
fn first_line_of(command: &mut Command) -> Option<String> {
    let output = command.stderr(Stdio::null()).output().ok()?;
    if !output.status.success() {
        return None;
    }
    let text = String::from_utf8_lossy(&output.stdout);
    let line = text.lines().next()?.trim();
    (!line.is_empty()).then(|| line.to_owned())
}

/// `time` as RFC 3339 in UTC, to the second (`2025-01-31T12:00:00Z`).
fn rfc3339(time: SystemTime) -> String {
    let secs = time
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX));
    let (days, rest) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    let (year, month, day) = civil_from_days(days);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        rest / 3600,
        rest % 3600 / 60,
        rest % 60
    )
}

/// The proleptic Gregorian date of day `z` since 1970-01-01 (Howard Hinnant's
/// `civil_from_days`).
fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097); // [0, 146096]
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365; // [0, 399]
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100); // [0, 365]
    let mp = (5 * doy + 2) / 153; // [0, 11], March first
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates() {
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(11_017), (2000, 3, 1));
        assert_eq!(civil_from_days(19_723), (2024, 1, 1));
        assert_eq!(civil_from_days(19_782), (2024, 2, 29));
        assert_eq!(civil_from_days(-1), (1969, 12, 31));
        let time = UNIX_EPOCH + Duration::from_secs(1_709_210_096);
        assert_eq!(rfc3339(time), "2024-02-29T12:34:56Z");
    }

    #[test]
    fn libtest_output_is_parsed() {
        let output = "\
running 3 tests
test attach_1_already_attached ... ok
test hs_3_silent_peer_times_out has been running for over 60 seconds
test proto_11_resumption ... ignored, needs a network
test detach_1_plain_is_none ... FAILED

failures:

---- detach_1_plain_is_none stdout ----
detach_1_plain_is_none failed over Tcp on rustls (SPEC [\"DETACH-1\"])

thread 'detach_1_plain_is_none' panicked at conformance/src/detach.rs:10:5:
assertion failed


failures:
    detach_1_plain_is_none

test result: FAILED. 1 passed; 1 failed; 1 ignored; 0 measured; 0 filtered out";
        let mut parser = OutputParser::default();
        let marks: String = output
            .lines()
            .filter_map(|line| parser.feed(line))
            .map(Outcome::mark)
            .collect();
        assert_eq!(marks, ".iF");
        let cases = parser.finish();
        assert_eq!(cases.len(), 3);
        assert_eq!(cases[0].id, "attach_1_already_attached");
        assert_eq!(cases[2].outcome, Outcome::Ignored);
        let detail = cases[1].detail.as_deref().unwrap();
        assert!(detail.starts_with("detach_1_plain_is_none failed over Tcp"));
        assert!(detail.ends_with("assertion failed"));
    }

    #[test]
    fn html_is_escaped() {
        assert_eq!(
            escape("<a href=\"x\">&'"),
            "&lt;a href=&quot;x&quot;&gt;&amp;&#39;"
        );
    }
}
