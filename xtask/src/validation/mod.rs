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
//! // report.json: its `validation` member (`unitls_model::validation::ValidationSection`)
//! let section = validation.to_record();
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
//!
//! One file per concept: `model.rs` (cases, per-backend results and tallies, the
//! report and what fails it), `records.rs` (reading a test's JSON lines),
//! `schema.rs` (the report.json member), `markdown.rs` (report.md and README's table),
//! `html.rs` (index.html), `text.rs` (the cell formats they share); this file runs the
//! tests.

mod html;
mod markdown;
mod model;
mod records;
mod schema;
#[cfg(test)]
mod tests;
mod text;

use std::fs;
use std::io::Write as _;
use std::path::Path;
use std::time::Instant;

use crate::workspace;

pub(crate) use model::{BackendValidation, CaseResult, CaseRow, Tally, ValidationReport};

/// The environment variable naming the corpus (read by the tests).
const LIMBO_ENV: &str = "UNITLS_LIMBO";

/// The environment variable naming each test's output file.
const RECORD_ENV: &str = "UNITLS_VALIDATION_FILE";

/// The corpus's project, for the credit line.
const CORPUS_SOURCE: &str = "https://github.com/C2SP/x509-limbo";

/// The verdict words, in the order tables list them.
const VERDICTS: [&str; 4] = ["accept", "reject", "not-applicable", "error"];

/// Runs the validation test of every backend in `backends` that has one, writing
/// `out_dir/validation-NAME.jsonl`, and reads the results. `Err` only when the output
/// directory or a record file cannot be handled or cargo cannot be started.
pub(crate) fn run(
    out_dir: &Path,
    backends: &[String],
    limbo: Option<&Path>,
) -> Result<ValidationReport, String> {
    let root = workspace::root();
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
    let mut command = workspace::cargo(root);
    command
        .args(["test", "-p", &package, "--test", "validation"])
        .env(RECORD_ENV, &record_file);
    if let Some(path) = limbo {
        command.env(LIMBO_ENV, path);
    }
    let shown = format!("cargo test -p {package} --test validation");
    println!("==> validation {name}: {shown}");
    println!("    ({RECORD_ENV}={})", record_file.display());
    let started = Instant::now();
    let mut captured = Vec::new();
    let status = workspace::each_stdout_line(&mut command, &shown, |line| {
        let mut terminal = std::io::stdout().lock();
        let _ = writeln!(terminal, "    {line}");
        captured.push(line);
    })
    .map_err(|e| e.to_string())?;
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
