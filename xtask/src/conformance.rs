//! `cargo xtask conformance [--backend NAME]... [--out DIR]`: the conformance suite,
//! one process per backend, and its report.
//!
//! Each backend crate instantiates the suite in `tests/conformance.rs`; OpenSSL and
//! BoringSSL cannot share a binary, so every backend runs as its own
//! `cargo test -p unitls-<name> --test conformance`. The runner judges every case by
//! SPEC §0 (pass, fail, unsupported, deviation) and appends its verdict to the file
//! named by `UNITLS_OUTCOME_FILE` ([`crate::outcome`]); libtest's plain output is
//! read while it streams, for progress and for failures that never reached the runner
//! ([`crate::libtest`]). Load and memory figures (SPEC REL-2, REL-4) come as lines in
//! the file named by `UNITLS_RELIABILITY_FILE` ([`crate::reliability`]), the memory
//! cases doing the full 10,000 cycles (`UNITLS_MEMORY_CYCLES`). The report ([`crate::report`]) goes to `report.json` (schema
//! `unitls-report/2`), `report.md` and a self-contained `index.html`, with the SPEC
//! requirements no case cites ([`crate::spec`]). Then the interop matrix runs
//! ([`crate::interop`]): every client backend × server backend, and the `openssl` tool,
//! as separate processes; its cells are report.json's `interop[]`, and a failed cell
//! fails the run.

use std::fmt::Write as _;
use std::fs;
use std::io::Write as _;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use crate::flags::ConformanceArgs;
use crate::libtest::{OutputParser, TestStatus};
use crate::outcome::{self, OutcomeLog};
use crate::report::{BackendRun, Coverage, Machine, Report};
use crate::workspace::{self, cargo, display};
use crate::{interop, prereqs, reliability, spec, validation, Result};

/// The environment variable that tells the runner where to append its verdicts.
const OUTCOME_ENV: &str = "UNITLS_OUTCOME_FILE";
/// Makes the suite run its fault-injection passes over TCP as well as memory.
const FAULTS_OVER_TCP_ENV: &str = "UNITLS_FAULTS_OVER_TCP";

/// Runs the task.
pub(crate) fn run(args: &ConformanceArgs) -> Result<()> {
    prereqs::run()?;
    let root = workspace::root();
    let selected = workspace::select_backends(&root, &args.backends)?;
    if selected.is_empty() {
        return Err("no backend crate is a workspace member; nothing to run".into());
    }
    // Absolute: the test binaries run in their own package directories.
    let out = workspace::absolute(
        args.out
            .clone()
            .unwrap_or_else(|| root.join("target").join("unitls-report")),
    )?;
    fs::create_dir_all(&out).map_err(|e| format!("cannot create {}: {e}", out.display()))?;

    // One process per backend, never several backends in one `cargo test`: boring
    // cannot link beside openssl or native-tls.
    let mut runs = Vec::new();
    for name in &selected {
        runs.push(run_backend(&root, name, &out)?);
    }
    add_missing_cases(&mut runs);

    // The interop matrix: with --backend, only the cells involving those backends.
    println!();
    let interop = interop::run(&root, &out, &args.backends);

    // The certificate-validation comparison (x509-limbo through real handshakes).
    println!();
    let names: Vec<String> = selected.iter().map(|n| n.to_string()).collect();
    let validation = validation::run(&out, &names, args.limbo.as_deref())
        .map_err(|e| format!("certificate validation: {e}"))?;

    // tokio-postgres and hyper over each backend against real servers (SPEC INTEG).
    println!();
    let integrations = crate::integrations::run(&root, &out, &selected);

    let coverage = Coverage::compute(spec::spec_path(&root), &runs, &integrations.cited());
    let report = Report {
        generated_at: rfc3339(SystemTime::now()),
        command: reproduce_command(args),
        machine: Machine::detect(),
        rustc: first_line_of(Command::new("rustc").arg("--version")),
        openssl_cli: first_line_of(Command::new("openssl").arg("version")),
        backends: runs,
        coverage,
        interop,
        validation,
        integrations,
    };
    let mut record = report.to_record();
    // A performance section `cargo xtask report` wrote stays.
    let (md, html) =
        crate::report_perf::carry_over(&out, &mut record, report.to_markdown(), report.to_html());
    let files = [
        ("report.json", unitls_model::to_pretty(&record)),
        ("report.md", md),
        ("index.html", html),
    ];
    for (file, text) in files {
        let path = out.join(file);
        fs::write(&path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    }

    println!();
    for run in &report.backends {
        println!("{}", run.summary_line());
    }
    print!("{}", report.interop.terminal_summary());
    println!(
        "interop: {} in {:.1} s",
        report.interop.counts_text(),
        report.interop.duration.as_secs_f64()
    );
    println!("integrations: {}", report.integrations.counts_text());
    println!("uncovered: {}", report.coverage.note());
    println!("report: {}", out.join("index.html").display());
    println!("        {}", out.join("report.md").display());
    println!("        {}", out.join("report.json").display());
    let mut failed: Vec<String> = report
        .backends
        .iter()
        .filter(|run| !run.is_ok())
        .map(|run| {
            let fails = run.count(outcome::Outcome::Fail);
            if fails > 0 {
                format!("{} ({fails} failed)", run.name)
            } else {
                format!("{} (test process {})", run.name, run.status())
            }
        })
        .collect();
    for failure in report.validation.failures() {
        failed.push(format!("certificate validation: {failure}"));
    }
    for failure in &report.integrations.failures {
        failed.push(format!("integrations: {failure}"));
    }
    let interop_fails = report.interop.count(outcome::Outcome::Fail);
    if interop_fails > 0 {
        failed.push(format!("interop ({interop_fails} cells failed)"));
    }
    if failed.is_empty() {
        println!(
            "conformance: ok (unsupported and deviation outcomes, suite or interop, do not \
             fail the run)"
        );
        Ok(())
    } else {
        Err(format!("conformance failed on: {}", failed.join(", ")).into())
    }
}

/// `path` made absolute against the current directory.
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

/// Runs backend `name`'s suite in its own process, streaming progress; its verdicts go
/// to a fresh `outcomes-<name>.jsonl` in `out`.
fn run_backend(root: &Path, name: &'static str, out: &Path) -> Result<BackendRun> {
    let outcome_file = out.join(format!("outcomes-{name}.jsonl"));
    match fs::remove_file(&outcome_file) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(format!("cannot delete {}: {e}", outcome_file.display()).into()),
    }
    let reliability_file = out.join(format!("reliability-{name}.jsonl"));
    match fs::remove_file(&reliability_file) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(format!("cannot delete {}: {e}", reliability_file.display()).into()),
    }
    let package = workspace::backend_package(name);
    let mut command = cargo(root);
    command
        .args([
            "test",
            "-p",
            &package,
            "--test",
            "conformance",
            "--",
            "--test-threads=2",
        ])
        .env(OUTCOME_ENV, &outcome_file)
        // The full run injects faults over TCP too, not only over memory (SPEC REL-1).
        .env(FAULTS_OVER_TCP_ENV, "1")
        // Load and memory figures for the report (SPEC REL-2, REL-4), memory over
        // the full 10,000 cycles.
        .env(reliability::RELIABILITY_ENV, &reliability_file)
        .env(
            reliability::CYCLES_ENV,
            reliability::FULL_CYCLES.to_string(),
        );
    let shown = display(&command);
    println!("==> {name}: {shown}");
    println!(
        "    ({OUTCOME_ENV}={}, {FAULTS_OVER_TCP_ENV}=1, {}={}, {}={})",
        outcome_file.display(),
        reliability::RELIABILITY_ENV,
        reliability_file.display(),
        reliability::CYCLES_ENV,
        reliability::FULL_CYCLES
    );
    let started = Instant::now();
    let mut parser = OutputParser::default();
    let mut log = OutcomeLog::new(name);
    let mut printed = 0usize;
    let status = workspace::each_stdout_line(&mut command, &shown, |line| {
        let Some((id, status)) = parser.feed(&line) else {
            return;
        };
        // The runner writes its verdict before the test returns, so it is there now.
        if let Err(e) = log.read_new(&outcome_file) {
            log.warnings
                .push(format!("reading {}: {e}", outcome_file.display()));
        }
        let mark = match (status, log.get(&id)) {
            (TestStatus::Failed, _) => 'F',
            (_, Some(recorded)) => recorded.outcome.mark(),
            (TestStatus::Ok, None) => '?',
            (TestStatus::Ignored, None) => 'i',
        };
        let mut terminal = std::io::stdout().lock();
        let _ = write!(terminal, "{mark}");
        printed += 1;
        if printed % 60 == 0 {
            let _ = writeln!(terminal, " {printed}");
        }
        let _ = terminal.flush();
    })?;
    if printed % 60 != 0 {
        println!(" {printed}");
    }
    if let Err(e) = log.read_new(&outcome_file) {
        log.warnings
            .push(format!("reading {}: {e}", outcome_file.display()));
    }
    log.finish();
    for warning in &log.warnings {
        eprintln!("!!! {name}: {warning}");
    }
    let (figures, reliability_warnings) = reliability::read(name, &reliability_file);
    for warning in &reliability_warnings {
        eprintln!("!!! {name}: {warning}");
    }
    let cases = outcome::merge(&parser.finish(), &log.cases);
    if !status.success() && cases.iter().all(|c| c.outcome != outcome::Outcome::Fail) {
        eprintln!("!!! {name}: `{shown}` failed ({status}) without a failed case; see above");
    }
    Ok(BackendRun {
        name,
        command: shown,
        exit_code: status.code(),
        success: status.success(),
        duration: started.elapsed(),
        declared: crate::declared::read(root, name).ok(),
        info: log.info,
        outcome_file,
        warnings: log.warnings,
        cases,
        reliability: figures,
        reliability_warnings,
    })
}

/// Fails, on each backend, every case another backend reported that this one did not
/// (its process died first, or its test binary lacks the case).
fn add_missing_cases(runs: &mut [BackendRun]) {
    let mut expected: Vec<(String, Vec<String>)> = Vec::new();
    for case in runs.iter().flat_map(|run| &run.cases) {
        match expected.iter_mut().find(|(id, _)| *id == case.id) {
            Some((_, spec)) if spec.is_empty() => spec.clone_from(&case.spec),
            Some(_) => {}
            None => expected.push((case.id.clone(), case.spec.clone())),
        }
    }
    for run in runs.iter_mut() {
        let reason = if run.success {
            "not reported: this backend's test binary has no such case, but another \
             backend's has"
                .to_owned()
        } else {
            format!(
                "no result: the test process {} before reporting this case",
                run.status()
            )
        };
        outcome::add_missing(&mut run.cases, &expected, &reason);
    }
}

/// The first line of a command's stdout, if it ran and succeeded.
pub(crate) fn first_line_of(command: &mut Command) -> Option<String> {
    let output = command.stderr(Stdio::null()).output().ok()?;
    if !output.status.success() {
        return None;
    }
    let text = String::from_utf8_lossy(&output.stdout);
    let line = text.lines().next()?.trim();
    (!line.is_empty()).then(|| line.to_owned())
}

/// `time` as RFC 3339 in UTC, to the second (`2025-01-31T12:00:00Z`).
pub(crate) fn rfc3339(time: SystemTime) -> String {
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
    use std::time::Duration;

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
}
