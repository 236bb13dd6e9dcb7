//! The certificate-validation comparison: every x509-limbo case that can run
//! through a handshake, on every backend, through unitls and through the backend's TLS
//! library directly — run as each backend's `tests/validation.rs`, one `cargo test`
//! process per backend, and turned into the `validation` section of the report.
//!
//! The test of backend `NAME` (`cargo test -p unitls-NAME --test validation`) writes
//! one JSON line per case to `$UNITLS_VALIDATION_FILE` (see
//! `conformance/src/validation/mod.rs`); this module runs those tests, reads the lines
//! and renders the JSON, Markdown and HTML fragments. It fails nothing itself: a case
//! where unitls and the library used directly disagree fails the backend's test, which
//! [`ValidationReport::failures`] reports. Differences between backends are findings.
//!
//! # Wiring (for `main.rs`, `conformance.rs` and `report.rs`)
//!
//! ```text
//! // main.rs
//! mod validation;
//!
//! // conformance.rs, after the suite has run (`backends`: the names run, e.g.
//! // ["rustls", "openssl", "boring", "native-tls"]; `limbo`: the `--limbo PATH` flag):
//! let validation = validation::run(&out_dir, &backends, args.limbo.as_deref())
//!     .map_err(|e| format!("certificate validation: {e}"))?;
//!
//! // report.json: one more top-level member
//! members.push(("validation".into(), validation.to_json()));
//! // report.md: a `## ` section, anywhere after the per-backend counts
//! md.push_str(&validation.to_markdown());
//! // index.html: a <section>, before </body> (it carries its own <style>)
//! html.push_str(&validation.to_html());
//! // the exit status: fail the run when this is not empty
//! for failure in validation.failures() { eprintln!("!!! {failure}"); }
//! ```
//!
//! `run(out_dir, backends, limbo)`: `limbo` is `Some(path)` for `--limbo PATH`
//! (relative paths are taken from the current directory); `None` leaves the
//! `UNITLS_LIMBO` environment variable, else `../shared/limbo/limbo.json` beside the
//! workspace. When the corpus is absent each test says so and passes; the report then
//! says "skipped" and nothing fails. Each backend's lines stay in
//! `OUT_DIR/validation-NAME.jsonl`. `ValidationReport::readme_table()` is the table
//! for README's backend-choice section (also printed inside `to_markdown()`).

use std::fmt::Write as _;
use std::fs;
use std::io::{BufRead, BufReader, Write as _};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::json::Json;

/// The environment variable naming the corpus (read by the tests).
const LIMBO_ENV: &str = "UNITLS_LIMBO";

/// The environment variable naming each test's output file.
const RECORD_ENV: &str = "UNITLS_VALIDATION_FILE";

/// The corpus's project, for the credit line.
const CORPUS_SOURCE: &str = "https://github.com/C2SP/x509-limbo";

/// The verdict words, in the order tables list them.
const VERDICTS: [&str; 4] = ["accept", "reject", "not-applicable", "error"];

/// One backend's result on one case.
#[derive(Debug, Clone, Default)]
pub(crate) struct CaseResult {
    /// The backend.
    pub(crate) backend: String,
    /// unitls's verdict: accept, reject, not-applicable, error.
    pub(crate) verdict: String,
    /// Its reason (the VerificationFailure reason first, for a rejection).
    pub(crate) reason: String,
    /// The library's verdict, used directly.
    pub(crate) direct_verdict: String,
    /// Its reason.
    pub(crate) direct_reason: String,
    /// The server that gave unitls's verdict.
    pub(crate) server_backend: Option<String>,
    /// The cross-check's server (a different backend), and its verdict.
    pub(crate) cross: Option<(String, String)>,
    /// agree, not-compared, unitls-stricter, handshake-limit, disagree.
    pub(crate) comparison: String,
    /// The listed reason of a known difference.
    pub(crate) known_reason: Option<String>,
}

/// One corpus case and every backend's result on it.
#[derive(Debug, Clone, Default)]
pub(crate) struct CaseRow {
    /// The case's identifier.
    pub(crate) id: String,
    /// accept or reject.
    pub(crate) expected: String,
    /// The description's first paragraph.
    pub(crate) description: String,
    /// The corpus's feature tags.
    pub(crate) features: Vec<String>,
    /// One per backend that ran it.
    pub(crate) results: Vec<CaseResult>,
}

impl CaseRow {
    /// Whether backends that reached a verdict (or an error) differ.
    pub(crate) fn backends_disagree(&self) -> bool {
        let mut seen: Vec<&str> = Vec::new();
        for result in &self.results {
            if result.verdict != "not-applicable" && !seen.contains(&result.verdict.as_str()) {
                seen.push(&result.verdict);
            }
        }
        seen.len() > 1
    }
}

/// Counts for one backend.
#[derive(Debug, Clone, Default)]
pub(crate) struct Tally {
    /// Case lines read.
    pub(crate) cases: usize,
    /// Accepted or rejected as the corpus expects.
    pub(crate) as_expected: usize,
    /// Accepted although the corpus expects a rejection.
    pub(crate) accepted_expected_reject: usize,
    /// Rejected although the corpus expects acceptance.
    pub(crate) rejected_expected_accept: usize,
    /// Handshake errors (no verdict; a disagreement with the expected result).
    pub(crate) errors: usize,
    /// Not applicable.
    pub(crate) not_applicable: usize,
    /// unitls and the library used directly disagree (unitls bugs).
    pub(crate) disagreements: usize,
    /// Listed known differences that showed.
    pub(crate) known: usize,
}

/// One backend's test run.
#[derive(Debug, Clone, Default)]
pub(crate) struct BackendValidation {
    /// The backend.
    pub(crate) name: String,
    /// Its library, as the test reported it.
    pub(crate) library: String,
    /// How the direct verdict is reached.
    pub(crate) direct_method: String,
    /// The command run.
    pub(crate) command: String,
    /// Its exit code.
    pub(crate) exit_code: Option<i32>,
    /// Whether it succeeded.
    pub(crate) success: bool,
    /// How long it took.
    pub(crate) duration: Duration,
    /// Eligible cases in the corpus, as the test counted them.
    pub(crate) eligible: Option<usize>,
    /// The test's message when the corpus is absent.
    pub(crate) absent: Option<String>,
    /// The counts.
    pub(crate) tally: Tally,
    /// The end of the test's output, when it failed.
    pub(crate) failure_output: Option<String>,
    /// Where its lines are.
    pub(crate) record_file: PathBuf,
}

/// The whole comparison.
#[derive(Debug, Clone, Default)]
pub(crate) struct ValidationReport {
    /// The corpus file the tests read.
    pub(crate) corpus: Option<String>,
    /// The corpus commit (from the README beside it).
    pub(crate) commit: Option<String>,
    /// Cases in the corpus.
    pub(crate) total_cases: Option<usize>,
    /// Eligible cases.
    pub(crate) eligible: Option<usize>,
    /// Set when every test found the corpus absent.
    pub(crate) absent: Option<String>,
    /// One per backend run.
    pub(crate) backends: Vec<BackendValidation>,
    /// Every case, in corpus order.
    pub(crate) cases: Vec<CaseRow>,
}

/// The workspace root (the parent of `xtask/`).
fn root() -> PathBuf {
    let manifest_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest_dir.parent().unwrap_or(manifest_dir).to_path_buf()
}

/// Runs the validation test of every backend in `backends` that has one, writing
/// `out_dir/validation-NAME.jsonl`, and reads the results. `Err` only when the output
/// directory or a record file cannot be handled or cargo cannot be started.
pub(crate) fn run(
    out_dir: &Path,
    backends: &[String],
    limbo: Option<&Path>,
) -> Result<ValidationReport, String> {
    let root = root();
    fs::create_dir_all(out_dir).map_err(|e| format!("cannot create {}: {e}", out_dir.display()))?;
    let limbo = match limbo {
        Some(path) if path.is_relative() => Some(
            std::env::current_dir()
                .map_err(|e| format!("no current directory: {e}"))?
                .join(path),
        ),
        Some(path) => Some(path.to_path_buf()),
        None => None,
    };
    let mut report = ValidationReport::default();
    for name in backends {
        let test_file = root
            .join("backends")
            .join(name)
            .join("tests")
            .join("validation.rs");
        if !test_file.is_file() {
            println!("==> validation {name}: no {}; skipped", test_file.display());
            continue;
        }
        let run = run_backend(&root, out_dir, name, limbo.as_deref())?;
        report.add(run)?;
    }
    let all_absent =
        !report.backends.is_empty() && report.backends.iter().all(|b| b.absent.is_some());
    if all_absent {
        report.absent = report.backends[0].absent.clone();
    }
    Ok(report)
}

/// Runs one backend's test, its output passed through.
fn run_backend(
    root: &Path,
    out_dir: &Path,
    name: &str,
    limbo: Option<&Path>,
) -> Result<BackendValidation, String> {
    let record_file = out_dir.join(format!("validation-{name}.jsonl"));
    match fs::remove_file(&record_file) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(format!("cannot delete {}: {e}", record_file.display())),
    }
    let package = format!("unitls-{name}");
    let program = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut command = Command::new(program);
    command
        .current_dir(root)
        .args(["test", "-p", &package, "--test", "validation"])
        .env(RECORD_ENV, &record_file);
    if let Some(path) = limbo {
        command.env(LIMBO_ENV, path);
    }
    let shown = format!("cargo test -p {package} --test validation");
    println!("==> validation {name}: {shown}");
    println!("    ({RECORD_ENV}={})", record_file.display());
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
    let mut captured = Vec::new();
    for line in BufReader::new(stdout).lines() {
        let line = line.map_err(|e| format!("reading the output of `{shown}`: {e}"))?;
        let mut terminal = std::io::stdout().lock();
        let _ = writeln!(terminal, "    {line}");
        captured.push(line);
    }
    let status = child
        .wait()
        .map_err(|e| format!("waiting for `{shown}`: {e}"))?;
    let failure_output = (!status.success()).then(|| {
        let from = captured
            .iter()
            .position(|l| l.starts_with("---- "))
            .unwrap_or_else(|| captured.len().saturating_sub(40));
        let lines: Vec<&str> = captured[from..]
            .iter()
            .map(String::as_str)
            .take_while(|l| !l.trim_start().starts_with("stack backtrace:"))
            .take(60)
            .collect();
        lines.join("\n")
    });
    Ok(BackendValidation {
        name: name.to_string(),
        command: shown,
        exit_code: status.code(),
        success: status.success(),
        duration: started.elapsed(),
        failure_output,
        record_file,
        ..BackendValidation::default()
    })
}

fn text(value: Option<&Json>) -> String {
    value.and_then(Json::as_str).unwrap_or_default().to_string()
}

fn opt_text(value: Option<&Json>) -> Option<String> {
    value.and_then(Json::as_str).map(str::to_string)
}

fn count(value: Option<&Json>) -> Option<usize> {
    match value {
        Some(Json::Int(n)) => usize::try_from(*n).ok(),
        _ => None,
    }
}

impl ValidationReport {
    /// Reads one backend's records into the report.
    fn add(&mut self, mut run: BackendValidation) -> Result<(), String> {
        let content = match fs::read_to_string(&run.record_file) {
            Ok(content) => content,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
            Err(e) => return Err(format!("cannot read {}: {e}", run.record_file.display())),
        };
        for (number, line) in content.lines().enumerate() {
            if line.trim().is_empty() {
                continue;
            }
            let record = Json::parse(line)
                .map_err(|e| format!("{} line {}: {e}", run.record_file.display(), number + 1))?;
            match record.get("kind").and_then(Json::as_str) {
                Some("header") => {
                    run.library = text(record.get("library"));
                    run.direct_method = text(record.get("direct_method"));
                    run.eligible = count(record.get("eligible"));
                    if record.get("absent") == Some(&Json::Bool(true)) {
                        run.absent = Some(text(record.get("message")));
                    }
                    self.corpus = self.corpus.take().or(opt_text(record.get("corpus")));
                    self.commit = self.commit.take().or(opt_text(record.get("commit")));
                    self.total_cases = self.total_cases.or(count(record.get("total_cases")));
                    self.eligible = self.eligible.or(run.eligible);
                }
                Some("case") => self.add_case(&mut run.tally, &run.name, &record),
                _ => {}
            }
        }
        self.backends.push(run);
        Ok(())
    }

    fn add_case(&mut self, tally: &mut Tally, backend: &str, record: &Json) {
        let id = text(record.get("id"));
        let expected = text(record.get("expected"));
        let result = CaseResult {
            backend: backend.to_string(),
            verdict: text(record.get("verdict")),
            reason: text(record.get("reason")),
            direct_verdict: text(record.get("direct_verdict")),
            direct_reason: text(record.get("direct_reason")),
            server_backend: opt_text(record.get("server_backend")),
            cross: opt_text(record.get("cross_server_backend"))
                .zip(opt_text(record.get("cross_verdict"))),
            comparison: text(record.get("comparison")),
            known_reason: opt_text(record.get("known_reason")),
        };
        tally.cases += 1;
        match (result.verdict.as_str(), expected.as_str()) {
            ("accept", "accept") | ("reject", "reject") => tally.as_expected += 1,
            ("accept", _) => tally.accepted_expected_reject += 1,
            ("reject", _) => tally.rejected_expected_accept += 1,
            ("error", _) => tally.errors += 1,
            _ => tally.not_applicable += 1,
        }
        match result.comparison.as_str() {
            "disagree" => tally.disagreements += 1,
            "unitls-stricter" | "handshake-limit" => tally.known += 1,
            _ => {}
        }
        let row = match self.cases.iter_mut().position(|c| c.id == id) {
            Some(at) => &mut self.cases[at],
            None => {
                self.cases.push(CaseRow {
                    id,
                    expected,
                    description: text(record.get("description")),
                    features: record
                        .get("features")
                        .and_then(Json::as_array)
                        .unwrap_or_default()
                        .iter()
                        .filter_map(Json::as_str)
                        .map(str::to_string)
                        .collect(),
                    results: Vec::new(),
                });
                self.cases.last_mut().expect("just pushed")
            }
        };
        row.results.push(result);
    }

    /// What makes the run fail: a backend's test that failed (unitls and the library
    /// disagree, or a listed difference went stale, or it did not build), or one that
    /// did not cover every eligible case.
    pub(crate) fn failures(&self) -> Vec<String> {
        let mut failures = Vec::new();
        for b in &self.backends {
            if !b.success {
                let mut text = format!(
                    "validation on {}: `{}` failed (exit {})",
                    b.name,
                    b.command,
                    b.exit_code.map_or("?".into(), |c| c.to_string())
                );
                if b.tally.cases == 0 {
                    text.push_str(" without recording any case (did it build? see its output)");
                }
                let disagreeing: Vec<&str> = self
                    .cases
                    .iter()
                    .filter(|c| {
                        c.results
                            .iter()
                            .any(|r| r.backend == b.name && r.comparison == "disagree")
                    })
                    .map(|c| c.id.as_str())
                    .collect();
                if !disagreeing.is_empty() {
                    let _ = write!(
                        text,
                        "; unitls and {} used directly disagree on {}",
                        b.name,
                        disagreeing.join(", ")
                    );
                }
                failures.push(text);
            } else if b.absent.is_none() && b.eligible.is_some_and(|n| n != b.tally.cases) {
                failures.push(format!(
                    "validation on {}: {} of {} eligible cases recorded",
                    b.name,
                    b.tally.cases,
                    b.eligible.unwrap_or_default()
                ));
            }
        }
        failures
    }

    /// The credit line for the corpus.
    pub(crate) fn credit(&self) -> String {
        format!(
            "x509-limbo ({CORPUS_SOURCE}), Apache License 2.0, commit {}",
            self.commit.as_deref().unwrap_or("unknown")
        )
    }

    /// The cases where backends disagree.
    fn disagreements(&self) -> Vec<&CaseRow> {
        self.cases
            .iter()
            .filter(|c| c.backends_disagree())
            .collect()
    }

    fn backend_names(&self) -> Vec<&str> {
        self.backends.iter().map(|b| b.name.as_str()).collect()
    }

    /// The `validation` member of report.json.
    pub(crate) fn to_json(&self) -> Json {
        let int = |n: usize| Json::Int(i64::try_from(n).unwrap_or(i64::MAX));
        let opt_int = |n: Option<usize>| n.map_or(Json::Null, int);
        let backends = self
            .backends
            .iter()
            .map(|b| {
                let t = &b.tally;
                Json::object([
                    ("backend", Json::str(&b.name)),
                    ("library", Json::str(&b.library)),
                    ("direct_method", Json::str(&b.direct_method)),
                    ("command", Json::str(&b.command)),
                    (
                        "exit_code",
                        b.exit_code.map_or(Json::Null, |c| Json::Int(c.into())),
                    ),
                    ("success", Json::Bool(b.success)),
                    ("seconds", Json::Float(b.duration.as_secs_f64())),
                    ("absent", Json::opt_str(b.absent.clone())),
                    ("eligible", opt_int(b.eligible)),
                    ("cases", int(t.cases)),
                    ("as_expected", int(t.as_expected)),
                    ("accepted_expected_reject", int(t.accepted_expected_reject)),
                    ("rejected_expected_accept", int(t.rejected_expected_accept)),
                    ("errors", int(t.errors)),
                    ("not_applicable", int(t.not_applicable)),
                    ("unitls_vs_direct_disagreements", int(t.disagreements)),
                    ("known_differences", int(t.known)),
                    ("records", Json::str(b.record_file.display().to_string())),
                ])
            })
            .collect();
        let cases = self
            .cases
            .iter()
            .map(|c| {
                let results = c
                    .results
                    .iter()
                    .map(|r| {
                        Json::object([
                            ("backend", Json::str(&r.backend)),
                            ("verdict", Json::str(&r.verdict)),
                            ("reason", Json::str(&r.reason)),
                            ("direct_verdict", Json::str(&r.direct_verdict)),
                            ("direct_reason", Json::str(&r.direct_reason)),
                            ("server_backend", Json::opt_str(r.server_backend.clone())),
                            (
                                "cross_server_backend",
                                Json::opt_str(r.cross.as_ref().map(|(s, _)| s.clone())),
                            ),
                            (
                                "cross_verdict",
                                Json::opt_str(r.cross.as_ref().map(|(_, v)| v.clone())),
                            ),
                            ("comparison", Json::str(&r.comparison)),
                            ("known_reason", Json::opt_str(r.known_reason.clone())),
                        ])
                    })
                    .collect();
                Json::object([
                    ("id", Json::str(&c.id)),
                    ("expected", Json::str(&c.expected)),
                    ("description", Json::str(&c.description)),
                    (
                        "features",
                        Json::Array(c.features.iter().map(Json::str).collect()),
                    ),
                    ("backends_disagree", Json::Bool(c.backends_disagree())),
                    ("results", Json::Array(results)),
                ])
            })
            .collect();
        Json::object([
            (
                "corpus",
                Json::object([
                    ("name", Json::str("x509-limbo")),
                    ("source", Json::str(CORPUS_SOURCE)),
                    ("license", Json::str("Apache-2.0")),
                    ("commit", Json::opt_str(self.commit.clone())),
                    ("path", Json::opt_str(self.corpus.clone())),
                    ("total_cases", opt_int(self.total_cases)),
                    ("eligible", opt_int(self.eligible)),
                    ("credit", Json::str(self.credit())),
                ]),
            ),
            ("absent", Json::opt_str(self.absent.clone())),
            ("backends", Json::Array(backends)),
            ("cases", Json::Array(cases)),
            (
                "failures",
                Json::Array(self.failures().into_iter().map(Json::Str).collect()),
            ),
        ])
    }

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

/// `reject (UnknownIssuer)`, `accept`, `error`, `n/a`.
fn short_verdict(r: &CaseResult) -> String {
    match r.verdict.as_str() {
        "reject" => {
            let head = r.reason.split(':').next().unwrap_or("").trim();
            if !head.is_empty() && head.chars().all(char::is_alphanumeric) {
                format!("reject ({head})")
            } else {
                "reject".into()
            }
        }
        "not-applicable" => "n/a".into(),
        other if VERDICTS.contains(&other) => other.into(),
        other => format!("? {other}"),
    }
}

fn percent(part: usize, whole: usize) -> String {
    if whole == 0 {
        "–".into()
    } else {
        format!("{:.0} %", 100.0 * part as f64 / whole as f64)
    }
}

fn truncate(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let cut: String = text.chars().take(max).collect();
    format!("{}…", cut.trim_end())
}

/// Text safe inside a Markdown table cell: one line, pipes escaped.
fn md_cell(text: &str) -> String {
    text.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .replace('|', "\\|")
}

/// HTML-escapes text.
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

#[cfg(test)]
mod tests {
    use super::*;

    fn record(backend: &str, id: &str, expected: &str, verdict: &str, reason: &str) -> String {
        format!(
            "{{\"kind\":\"case\",\"backend\":\"{backend}\",\"id\":\"{id}\",\"expected\":\"{expected}\",\
             \"verdict\":\"{verdict}\",\"reason\":\"{reason}\",\"direct_verdict\":\"{verdict}\",\
             \"direct_reason\":\"\",\"server_backend\":\"{backend}\",\"cross_server_backend\":null,\
             \"cross_verdict\":null,\"cross_reason\":null,\"comparison\":\"agree\",\
             \"known_reason\":null,\"description\":\"A case.\",\"features\":[\"x\"]}}\n"
        )
    }

    fn report_from(test: &str, lines: &[(&str, String)]) -> ValidationReport {
        let dir =
            std::env::temp_dir().join(format!("xtask-validation-{}-{test}", std::process::id()));
        fs::create_dir_all(&dir).expect("temp dir");
        let mut report = ValidationReport::default();
        for (backend, content) in lines {
            let file = dir.join(format!("validation-{backend}.jsonl"));
            fs::write(&file, content).expect("write");
            report
                .add(BackendValidation {
                    name: backend.to_string(),
                    success: true,
                    record_file: file,
                    ..BackendValidation::default()
                })
                .expect("add");
        }
        let _ = fs::remove_dir_all(&dir);
        report
    }

    #[test]
    fn reads_records_and_finds_disagreements() {
        let header = "{\"kind\":\"header\",\"backend\":\"rustls\",\"library\":\"rustls 0.23\",\
                      \"corpus\":\"/x/limbo.json\",\"commit\":\"8a2e6f4\",\"direct_method\":\"d\",\
                      \"absent\":false,\"total_cases\":3,\"eligible\":2}\n";
        let rustls = format!(
            "{header}{}{}",
            record("rustls", "a::one", "reject", "accept", ""),
            record("rustls", "a::two", "reject", "reject", "UnknownIssuer: x")
        );
        let openssl = format!(
            "{}{}",
            record("openssl", "a::one", "reject", "reject", "Other: y"),
            record("openssl", "a::two", "reject", "reject", "UnknownIssuer: x")
        );
        let report = report_from("records", &[("rustls", rustls), ("openssl", openssl)]);
        assert_eq!(report.cases.len(), 2);
        assert_eq!(report.commit.as_deref(), Some("8a2e6f4"));
        assert_eq!(report.backends[0].tally.accepted_expected_reject, 1);
        assert_eq!(report.backends[1].tally.as_expected, 2);
        let disagreeing: Vec<&str> = report
            .disagreements()
            .iter()
            .map(|c| c.id.as_str())
            .collect();
        assert_eq!(disagreeing, ["a::one"]);
        assert!(report.failures().is_empty());
        let md = report.to_markdown();
        assert!(md.contains("commit 8a2e6f4"), "{md}");
        assert!(md.contains("Apache License 2.0"));
        assert!(
            md.contains("| `a::one` | reject | **accept** | reject (Other) | A case. |"),
            "{md}"
        );
        assert!(md.contains("| rustls | 2 | 1 | 1 | 0 | 0 | 0 |"), "{md}");
        let html = report.to_html();
        assert!(html.contains("<td class=\"v-accept unexpected\""), "{html}");
        let json = report.to_json().to_pretty();
        assert!(json.contains("\"backends_disagree\": true"), "{json}");
        assert!(json.contains("\"direct_verdict\": \"accept\""), "{json}");
    }

    #[test]
    fn absent_corpus_is_skipped_not_failed() {
        let header = "{\"kind\":\"header\",\"backend\":\"rustls\",\"absent\":true,\
                      \"message\":\"the x509-limbo corpus is absent\",\"commit\":null}\n";
        let mut report = report_from("absent", &[("rustls", header.to_string())]);
        report.absent = report.backends[0].absent.clone();
        assert!(report.failures().is_empty());
        assert!(report.to_markdown().contains("**Skipped**"));
        assert!(report.to_html().contains("Skipped"));
    }

    #[test]
    fn a_failed_test_names_its_disagreements() {
        let mut line = record("boring", "a::one", "accept", "error", "x");
        line = line.replace("\"comparison\":\"agree\"", "\"comparison\":\"disagree\"");
        let mut report = report_from("failed", &[("boring", line)]);
        report.backends[0].success = false;
        report.backends[0].command = "cargo test".into();
        let failures = report.failures();
        assert_eq!(failures.len(), 1);
        assert!(failures[0].contains("disagree on a::one"), "{failures:?}");
    }
}
