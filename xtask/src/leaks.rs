//! `cargo xtask leaks` (SPEC REL-2, REL-3): every lifecycle path of a connection
//! (`unitls_conformance::lifecycle`: attach, detach, close, Drop, a failed attach, a
//! handshake timeout, hostile peers) under valgrind memcheck, one process per backend
//! — the test `rel_3_lifecycle_paths` of each backend's conformance binary, as the
//! suite runs them (OpenSSL and BoringSSL never share a process). A backend passes
//! when its test passes and valgrind finds no definitely-lost byte; possibly lost and
//! still reachable blocks are the libraries' one-time globals and are reported, not
//! judged. The summaries go to `target/unitls-leaks.json` (`unitls_model::leaks`).
//!
//! The test binaries are those `cargo test --workspace` builds (same features, so
//! after the tests nothing is rebuilt); two backends run at a time.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant, SystemTime};

use unitls_model::leaks::{LeakCheck, LeakRun, LeakSummary, Lost, LEAKS_FILE, LEAKS_SCHEMA};

use crate::running::Running;
use crate::workspace::{self, cargo, check_status, display, each_stdout_line};
use crate::Result;

/// The test each backend's conformance binary runs under valgrind.
const TEST: &str = "rel_3_lifecycle_paths";

/// The lifecycle paths that test goes through (`unitls_conformance::lifecycle::PATHS`;
/// xtask depends on no TLS crate, so the list is repeated here and a test compares).
const PATHS: [&str; 7] = [
    "attach, echo, detach",
    "close",
    "drop",
    "failed attach",
    "handshake timeout",
    "hostile peer before the handshake",
    "hostile peer after the handshake",
];

/// valgrind's exit status when it found an error of a kind that counts.
const VALGRIND_ERROR_EXIT: &str = "99";

/// How long one backend may take under valgrind before it counts as hung.
const DEADLINE: Duration = Duration::from_secs(10 * 60);

/// Backends under valgrind at once.
const AT_ONCE: usize = 2;

/// Runs the task for `wanted` backends (empty: every backend crate).
pub(crate) fn run(wanted: &[String]) -> Result<()> {
    let root = workspace::root();
    let backends = workspace::select_backends(&root, wanted)?;
    let binaries = conformance_binaries(&root, &backends)?;
    let mut checks = Vec::new();
    for batch in binaries.chunks(AT_ONCE) {
        let running: Vec<_> = batch
            .iter()
            .map(|(backend, binary)| {
                let mut command = valgrind(&root, binary);
                println!("$ {}", display(&command));
                Running::spawn(&mut command, false).map(|child| (*backend, Instant::now(), child))
            })
            .collect::<Result<_, String>>()?;
        let deadline = Instant::now() + DEADLINE;
        for (backend, started, child) in running {
            let finished = child.finish(deadline);
            let stdout = finished.stdout.join("\n");
            let mut check = judge(backend, &stdout, &finished.stderr, finished.success());
            check.seconds = unitls_model::round(started.elapsed().as_secs_f64(), 1);
            if finished.timed_out {
                check.passed = false;
                check.failure = Some(finished.describe());
            }
            if !check.passed {
                let lines = &finished.stdout[finished.stdout.len().saturating_sub(40)..];
                eprintln!(
                    "--- {backend} under valgrind ({}):\n{}\n{}",
                    finished.describe(),
                    lines.join("\n"),
                    finished.stderr_tail(60)
                );
            }
            checks.push(check);
        }
    }
    let run = LeakRun {
        schema: LEAKS_SCHEMA.to_string(),
        finished_unix: SystemTime::now()
            .duration_since(SystemTime::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs()),
        paths: PATHS.iter().map(|p| p.to_string()).collect(),
        backends: checks,
    };
    let file = root.join(LEAKS_FILE);
    if let Some(parent) = file.parent() {
        std::fs::create_dir_all(parent)
            .map_err(|e| format!("cannot create {}: {e}", parent.display()))?;
    }
    std::fs::write(&file, unitls_model::to_pretty(&run))
        .map_err(|e| format!("cannot write {}: {e}", file.display()))?;
    println!("\n{}", table(&run.backends));
    println!("summaries written to {}", file.display());
    let failed: Vec<String> = run
        .backends
        .iter()
        .filter(|c| !c.passed)
        .map(|c| {
            format!(
                "{}: {}",
                c.backend,
                c.failure.as_deref().unwrap_or("failed")
            )
        })
        .collect();
    if failed.is_empty() {
        println!("leaks: ok");
        Ok(())
    } else {
        Err(format!("leak check failed:\n{}", failed.join("\n")).into())
    }
}

/// The valgrind command for one conformance binary.
fn valgrind(root: &Path, binary: &Path) -> Command {
    let mut command = Command::new("valgrind");
    command
        .current_dir(root)
        .args([
            "--tool=memcheck",
            "--leak-check=full",
            "--show-leak-kinds=definite",
            "--errors-for-leak-kinds=definite",
            "--num-callers=40",
        ])
        .arg(format!("--error-exitcode={VALGRIND_ERROR_EXIT}"))
        .arg(format!(
            "--suppressions={}",
            root.join("xtask/valgrind.supp").display()
        ))
        .arg(binary)
        .args(["--exact", TEST, "--test-threads=1"])
        // The suite's outcome lines are for `cargo xtask conformance` only.
        .env_remove("UNITLS_OUTCOME_FILE");
    command
}

/// Builds (or finds built) the workspace's test binaries and returns each wanted
/// backend's `conformance` test binary.
fn conformance_binaries(
    root: &Path,
    backends: &[&'static str],
) -> Result<Vec<(&'static str, PathBuf)>> {
    let mut command = cargo(root);
    command.args([
        "test",
        "--workspace",
        "--no-run",
        "--message-format=json-render-diagnostics",
    ]);
    let shown = display(&command);
    println!("$ {shown}");
    let mut found = Vec::new();
    let status = each_stdout_line(&mut command, &shown, |line| {
        if let Some(path) = workspace::artifact_executable(&line, "conformance") {
            if let Some(manifest) = manifest_path(&line) {
                found.push((manifest, path));
            }
        }
    })?;
    check_status(&shown, status)?;
    backends
        .iter()
        .map(|backend| {
            let manifest = workspace::backend_dir(root, backend).join("Cargo.toml");
            found
                .iter()
                .find(|(m, _)| *m == manifest)
                .map(|(_, path)| (*backend, path.clone()))
                .ok_or_else(|| format!("no conformance test binary for {backend}").into())
        })
        .collect()
}

/// The `manifest_path` of a cargo artifact message.
fn manifest_path(line: &str) -> Option<PathBuf> {
    let message: serde_json::Value = serde_json::from_str(line).ok()?;
    message.get("manifest_path")?.as_str().map(PathBuf::from)
}

/// One backend's verdict from valgrind's output (`stderr`) and the test's (`stdout`).
fn judge(backend: &str, stdout: &str, stderr: &str, exited_cleanly: bool) -> LeakCheck {
    let summary = parse_summary(stderr);
    let errors = error_count(stderr);
    let test_passed = stdout.contains("test result: ok. 1 passed");
    let failure = match (summary, errors) {
        (None, _) => Some("valgrind printed no summary".to_string()),
        (Some(s), _) if s.definitely_lost.bytes > 0 => Some(format!(
            "{} bytes definitely lost in {} blocks",
            s.definitely_lost.bytes, s.definitely_lost.blocks
        )),
        (_, Some(n)) if n > 0 => Some(format!("valgrind reported {n} errors")),
        _ if !(test_passed && exited_cleanly) => {
            Some(format!("the test `{TEST}` failed under valgrind"))
        }
        _ => None,
    };
    LeakCheck {
        backend: backend.to_string(),
        passed: failure.is_none(),
        seconds: 0.0,
        summary: summary.unwrap_or_default(),
        errors: errors.unwrap_or(0),
        failure,
    }
}

/// valgrind's LEAK SUMMARY; all zero when it says no leak is possible, `None` when
/// there is neither (valgrind did not finish).
fn parse_summary(text: &str) -> Option<LeakSummary> {
    let mut summary = LeakSummary::default();
    let mut seen = false;
    for line in text.lines() {
        // `==123==    definitely lost: 1,024 bytes in 2 blocks`
        let body = line.splitn(3, "==").nth(2).unwrap_or(line).trim();
        if body.starts_with("All heap blocks were freed") {
            seen = true;
            continue;
        }
        let Some((kind, amount)) = body.split_once(": ") else {
            continue;
        };
        let slot = match kind {
            "definitely lost" => &mut summary.definitely_lost,
            "indirectly lost" => &mut summary.indirectly_lost,
            "possibly lost" => &mut summary.possibly_lost,
            "still reachable" => &mut summary.still_reachable,
            "suppressed" => &mut summary.suppressed,
            _ => continue,
        };
        if let Some(lost) = parse_lost(amount) {
            *slot = lost;
            seen = true;
        }
    }
    seen.then_some(summary)
}

/// `1,024 bytes in 2 blocks`.
fn parse_lost(amount: &str) -> Option<Lost> {
    let words: Vec<&str> = amount.split_whitespace().collect();
    match words.as_slice() {
        [bytes, "bytes", "in", blocks, "blocks" | "block"] => Some(Lost {
            bytes: bytes.replace(',', "").parse().ok()?,
            blocks: blocks.replace(',', "").parse().ok()?,
        }),
        _ => None,
    }
}

/// The count of `ERROR SUMMARY: N errors from M contexts`.
fn error_count(text: &str) -> Option<u64> {
    text.lines().find_map(|line| {
        let (_, rest) = line.split_once("ERROR SUMMARY: ")?;
        rest.split_whitespace()
            .next()?
            .replace(',', "")
            .parse()
            .ok()
    })
}

/// The checks as a table for the terminal.
fn table(checks: &[LeakCheck]) -> String {
    let mut text = format!(
        "{:12} {:>6} {:>8} {:>16} {:>14} {:>16} {:>7}",
        "backend",
        "passed",
        "seconds",
        "definitely lost",
        "possibly lost",
        "still reachable",
        "errors"
    );
    for c in checks {
        text.push_str(&format!(
            "\n{:12} {:>6} {:>8} {:>16} {:>14} {:>16} {:>7}",
            c.backend,
            if c.passed { "yes" } else { "NO" },
            c.seconds,
            c.summary.definitely_lost.bytes,
            c.summary.possibly_lost.bytes,
            c.summary.still_reachable.bytes,
            c.errors
        ));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    const PASSED: &str = "test rel_3_lifecycle_paths ... ok\n\ntest result: ok. 1 passed; 0 failed";

    const CLEAN: &str = "\
==8140== HEAP SUMMARY:
==8140==     in use at exit: 63,591 bytes in 86 blocks
==8140== LEAK SUMMARY:
==8140==    definitely lost: 0 bytes in 0 blocks
==8140==    indirectly lost: 0 bytes in 0 blocks
==8140==      possibly lost: 23,012 bytes in 5 blocks
==8140==    still reachable: 40,579 bytes in 81 blocks
==8140==         suppressed: 0 bytes in 0 blocks
==8140== ERROR SUMMARY: 0 errors from 0 contexts (suppressed: 0 from 0)
";

    #[test]
    fn reads_the_leak_summary() {
        let check = judge("rustls", PASSED, CLEAN, true);
        assert!(check.passed, "{check:?}");
        assert_eq!(
            check.summary.possibly_lost,
            Lost {
                bytes: 23_012,
                blocks: 5
            }
        );
        assert_eq!(check.summary.still_reachable.bytes, 40_579);
        assert_eq!(check.errors, 0);
    }

    #[test]
    fn a_definite_leak_fails() {
        let leaky = CLEAN
            .replace(
                "definitely lost: 0 bytes in 0 blocks",
                "definitely lost: 1,024 bytes in 1 block",
            )
            .replace("ERROR SUMMARY: 0 errors", "ERROR SUMMARY: 1 errors");
        let check = judge("openssl", PASSED, &leaky, false);
        assert!(!check.passed);
        assert_eq!(
            check.summary.definitely_lost,
            Lost {
                bytes: 1024,
                blocks: 1
            }
        );
        assert_eq!(
            check.failure.as_deref(),
            Some("1024 bytes definitely lost in 1 blocks")
        );
    }

    #[test]
    fn no_leak_possible_and_no_summary() {
        let freed = "==1== All heap blocks were freed -- no leaks are possible\n\
                     ==1== ERROR SUMMARY: 0 errors from 0 contexts (suppressed: 0 from 0)\n";
        assert!(judge("boring", PASSED, freed, true).passed);
        let cut = judge("boring", "", "==1== Command: x\n", false);
        assert!(!cut.passed);
        assert_eq!(cut.failure.as_deref(), Some("valgrind printed no summary"));
    }

    #[test]
    fn a_failed_test_fails() {
        let check = judge(
            "rustls",
            "test result: FAILED. 0 passed; 1 failed",
            CLEAN,
            false,
        );
        assert!(!check.passed);
        assert_eq!(
            check.failure.as_deref(),
            Some("the test `rel_3_lifecycle_paths` failed under valgrind")
        );
    }

    #[test]
    fn memory_errors_fail_too() {
        let errors = CLEAN.replace("ERROR SUMMARY: 0 errors", "ERROR SUMMARY: 3 errors");
        let check = judge("native-tls", PASSED, &errors, false);
        assert!(!check.passed);
        assert_eq!(check.errors, 3);
    }

    /// The paths named in the JSON are the paths the lifecycle test runs.
    #[test]
    fn paths_match_the_lifecycle_module() {
        let source =
            std::fs::read_to_string(workspace::root().join("conformance/src/lifecycle.rs"))
                .unwrap();
        for path in PATHS {
            assert!(source.contains(&format!("    \"{path}\",")), "{path}");
        }
        assert!(source.contains(&format!("pub const PATHS: [&str; {}]", PATHS.len())));
    }
}
