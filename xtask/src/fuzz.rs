//! `cargo xtask fuzz`: builds the fuzz targets of `fuzz/` (SPEC REL-6) and runs them
//! with libFuzzer, then writes their figures to `target/unitls-fuzz.json`
//! (`unitls_model::fuzz`).
//!
//! No cargo-fuzz and no nightly compiler: the targets are built with plain `cargo build
//! --release` and the coverage instrumentation cargo-fuzz asks rustc for
//! ([`RUSTFLAGS`]: stable codegen options; no sanitizer, which would need `-Z`
//! flags), for the host triple named explicitly so that build scripts and proc macros
//! stay uninstrumented. `fuzz/` keeps cargo-fuzz's layout, so `cargo fuzz run <target>`
//! works too where cargo-fuzz is installed. The build has its own target directory
//! (`<target dir>/fuzz`) and its own features: rustls with ring, so aws-lc and
//! BoringSSL are never built with instrumentation; the OpenSSL targets link the system
//! libssl (and the native-tls targets the same, through native-tls), uninstrumented;
//! BoringSSL has no target: the fuzz build would compile it from source again.
//!
//! `--smoke` is CI's run: the two `Conn` targets and the rustls server's first flight,
//! [`SMOKE_SECONDS`] each, all at once. A crash fails the task and names the input
//! libFuzzer wrote; it becomes a unit test in core (`core/src/fuzzing/regressions.rs`).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant, SystemTime};

use unitls_model::fuzz::{FuzzRun, FuzzTarget, FUZZ_FILE, FUZZ_SCHEMA};

use crate::running::Running;
use crate::workspace::{self, cargo, check_status, display, each_stdout_line};
use crate::Result;

/// Every target of `fuzz/`, and the feature of the crate it needs (`""`: none).
pub(crate) const TARGETS: [(&str, &str); 8] = [
    ("conn_handshake", ""),
    ("conn_established", ""),
    ("rustls_server_first_flight", ""),
    ("rustls_client_first_flight", ""),
    ("openssl_server_first_flight", "openssl"),
    ("openssl_client_first_flight", "openssl"),
    ("native_tls_server_first_flight", "native-tls"),
    ("native_tls_client_first_flight", "native-tls"),
];

/// What `--smoke` runs.
const SMOKE_TARGETS: [&str; 3] = [
    "conn_handshake",
    "conn_established",
    "rustls_server_first_flight",
];

/// How long `--smoke` runs each target.
const SMOKE_SECONDS: u64 = 30;

/// How long each target runs without `--smoke` or `--seconds`.
const DEFAULT_SECONDS: u64 = 60;

/// The instrumentation cargo-fuzz asks for (its defaults, without a sanitizer):
/// SanitizerCoverage's inline 8-bit counters and PC table, traced comparisons and
/// stack depth, `cfg(fuzzing)`, and debug assertions (overflow checks with them).
const RUSTFLAGS: &str = "-Cpasses=sancov-module \
    -Cllvm-args=-sanitizer-coverage-level=4 \
    -Cllvm-args=-sanitizer-coverage-inline-8bit-counters \
    -Cllvm-args=-sanitizer-coverage-pc-table \
    -Cllvm-args=-sanitizer-coverage-trace-compares \
    -Cllvm-args=-sanitizer-coverage-stack-depth \
    --cfg fuzzing -Cdebug-assertions";

/// The options of `cargo xtask fuzz`.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct FuzzArgs {
    /// CI's short run (`--smoke`).
    pub(crate) smoke: bool,
    /// The targets (`--target`, repeatable); empty: the smoke set with `--smoke`, else
    /// every target.
    pub(crate) targets: Vec<String>,
    /// Seconds per target (`--seconds`).
    pub(crate) seconds: Option<u64>,
    /// Targets run at once (`--jobs`); `None`: all of them.
    pub(crate) jobs: Option<usize>,
}

/// Runs the task.
pub(crate) fn run(args: &FuzzArgs) -> Result<()> {
    let root = workspace::root();
    let targets = selected(args)?;
    let seconds = args.seconds.unwrap_or(if args.smoke {
        SMOKE_SECONDS
    } else {
        DEFAULT_SECONDS
    });
    let dir = fuzz_dir(&root);
    let binaries = build(&root, &dir, &targets)?;
    let jobs = args.jobs.unwrap_or(targets.len()).max(1);
    let mut results = Vec::new();
    for batch in binaries.chunks(jobs) {
        results.extend(run_batch(&root, &dir, batch, seconds)?);
    }
    let run = FuzzRun {
        schema: FUZZ_SCHEMA.to_string(),
        smoke: args.smoke,
        finished_unix: SystemTime::now()
            .duration_since(SystemTime::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs()),
        targets: results.iter().map(|(figures, _)| figures.clone()).collect(),
    };
    let file = root.join(FUZZ_FILE);
    if let Some(parent) = file.parent() {
        std::fs::create_dir_all(parent)
            .map_err(|e| format!("cannot create {}: {e}", parent.display()))?;
    }
    std::fs::write(&file, unitls_model::to_pretty(&run))
        .map_err(|e| format!("cannot write {}: {e}", file.display()))?;
    println!("\n{}", table(&run.targets));
    println!("figures written to {}", file.display());
    let failures: Vec<String> = results
        .into_iter()
        .filter_map(|(figures, failure)| failure.map(|f| format!("{}: {f}", figures.target)))
        .collect();
    if failures.is_empty() {
        println!("fuzz: ok");
        Ok(())
    } else {
        Err(format!(
            "fuzzing found problems (keep each input as a test in \
             core/src/fuzzing/regressions.rs once fixed):\n{}",
            failures.join("\n")
        )
        .into())
    }
}

/// The targets asked for, checked against [`TARGETS`].
fn selected(args: &FuzzArgs) -> Result<Vec<&'static str>> {
    if args.targets.is_empty() {
        return Ok(if args.smoke {
            SMOKE_TARGETS.to_vec()
        } else {
            TARGETS.iter().map(|(name, _)| *name).collect()
        });
    }
    args.targets
        .iter()
        .map(|wanted| {
            TARGETS
                .iter()
                .find(|(name, _)| name == wanted)
                .map(|(name, _)| *name)
                .ok_or_else(|| {
                    let names: Vec<&str> = TARGETS.iter().map(|(name, _)| *name).collect();
                    format!("no fuzz target `{wanted}`; there are {}", names.join(", ")).into()
                })
        })
        .collect()
}

/// The fuzz build's own directory: `<target dir>/fuzz` (`CARGO_TARGET_DIR` if set).
fn fuzz_dir(root: &Path) -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .map(|dir| {
            if dir.is_absolute() {
                dir
            } else {
                root.join(dir)
            }
        })
        .unwrap_or_else(|| root.join("target"));
    target.join("fuzz")
}

/// The host's target triple, from `rustc -vV`.
fn host_triple() -> Result<String> {
    let rustc = std::env::var_os("RUSTC").unwrap_or_else(|| "rustc".into());
    let output = Command::new(rustc)
        .arg("-vV")
        .output()
        .map_err(|e| format!("cannot run rustc -vV: {e}"))?;
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .find_map(|line| line.strip_prefix("host: "))
        .map(str::to_string)
        .ok_or_else(|| "rustc -vV names no host".into())
}

/// Builds `targets` with the instrumentation; their executables, in order.
fn build(
    root: &Path,
    dir: &Path,
    targets: &[&'static str],
) -> Result<Vec<(&'static str, PathBuf)>> {
    let mut command = cargo(root);
    command.args(["build", "--release", "--manifest-path", "fuzz/Cargo.toml"]);
    command.args(["--target", &host_triple()?]);
    command.arg("--target-dir").arg(dir);
    command.arg("--message-format=json-render-diagnostics");
    let mut features: Vec<&str> = TARGETS
        .iter()
        .filter(|(name, needs)| !needs.is_empty() && targets.contains(name))
        .map(|(_, needs)| *needs)
        .collect();
    features.dedup();
    if !features.is_empty() {
        command.args(["--features", &features.join(",")]);
    }
    for target in targets {
        command.args(["--bin", target]);
    }
    let flags = match std::env::var("RUSTFLAGS") {
        Ok(inherited) if !inherited.trim().is_empty() => format!("{inherited} {RUSTFLAGS}"),
        _ => RUSTFLAGS.to_string(),
    };
    command.env("RUSTFLAGS", &flags);
    // libfuzzer-sys compiles libFuzzer (C++) with `c++` unless CXX says otherwise; a
    // machine with clang but no g++ has no `c++`.
    if std::env::var_os("CXX").is_none() && !on_path("c++") && on_path("clang++") {
        command.env("CXX", "clang++");
    }
    let shown = format!("RUSTFLAGS='{flags}' {}", display(&command));
    println!("$ {shown}");
    let mut found: Vec<(&'static str, PathBuf)> = Vec::new();
    let status = each_stdout_line(&mut command, &shown, |line| {
        for target in targets {
            if let Some(path) = workspace::artifact_executable(&line, target) {
                found.push((target, path));
            }
        }
    })?;
    check_status(&shown, status)?;
    targets
        .iter()
        .map(|target| {
            found
                .iter()
                .find(|(name, _)| name == target)
                .cloned()
                .ok_or_else(|| format!("the build reported no executable for {target}").into())
        })
        .collect()
}

/// Whether `program` is on `PATH`.
fn on_path(program: &str) -> bool {
    std::env::var_os("PATH")
        .is_some_and(|path| std::env::split_paths(&path).any(|dir| dir.join(program).is_file()))
}

/// Runs a batch of targets at once for `seconds`; each one's figures and failure.
fn run_batch(
    root: &Path,
    dir: &Path,
    batch: &[(&'static str, PathBuf)],
    seconds: u64,
) -> Result<Vec<(FuzzTarget, Option<String>)>> {
    let mut running = Vec::new();
    for (target, binary) in batch {
        let corpus = dir.join("corpus").join(target);
        let artifacts = dir.join("artifacts").join(target);
        for made in [&corpus, &artifacts] {
            std::fs::create_dir_all(made)
                .map_err(|e| format!("cannot create {}: {e}", made.display()))?;
        }
        let mut command = Command::new(binary);
        command
            .arg(format!("-max_total_time={seconds}"))
            .args(["-print_final_stats=1", "-timeout=10", "-rss_limit_mb=2048"])
            .arg(format!("-artifact_prefix={}/", artifacts.display()))
            .arg(&corpus);
        let seeds = root.join("fuzz").join("seeds").join(target);
        if seeds.is_dir() {
            command.arg(seeds);
        }
        println!("$ {}", display(&command));
        running.push((
            *target,
            Instant::now(),
            Running::spawn(&mut command, false)?,
        ));
    }
    // libFuzzer stops itself; the deadline only catches a hang of the process itself.
    let deadline = Instant::now() + Duration::from_secs(seconds) + Duration::from_secs(120);
    let mut results = Vec::new();
    for (target, started, child) in running {
        let finished = child.finish(deadline);
        let log = dir.join("logs").join(format!("{target}.log"));
        if let Some(parent) = log.parent() {
            let _ = std::fs::create_dir_all(parent);
        }
        let _ = std::fs::write(&log, &finished.stderr);
        let figures = parse_log(target, started.elapsed(), &finished.stderr);
        let failure = if !figures.crashes.is_empty() {
            Some(format!(
                "crashed on {} (log: {})",
                figures.crashes.join(", "),
                log.display()
            ))
        } else if !finished.success() {
            Some(format!(
                "{} (log: {}):\n{}",
                finished.describe(),
                log.display(),
                finished.stderr_tail(20)
            ))
        } else {
            None
        };
        results.push((figures, failure));
    }
    Ok(results)
}

/// The figures libFuzzer printed: its last status line (`cov:`, `ft:`, `corp:`), the
/// final stats (`-print_final_stats=1`) and the inputs it wrote as crashes.
fn parse_log(target: &str, took: Duration, log: &str) -> FuzzTarget {
    let mut figures = FuzzTarget {
        target: target.to_string(),
        seconds: unitls_model::round(took.as_secs_f64(), 1),
        executions: 0,
        coverage_edges: 0,
        coverage_features: 0,
        corpus_entries: 0,
        crashes: Vec::new(),
        peak_rss_mb: 0,
    };
    for line in log.lines() {
        if let Some(status) = line.strip_prefix('#') {
            let mut words = status.split_whitespace();
            if let Some(count) = words.next().and_then(|n| n.parse().ok()) {
                figures.executions = count;
            }
            let words: Vec<&str> = words.collect();
            let after = |key: &str| {
                let at = words.iter().position(|w| *w == key)?;
                let value = words.get(at + 1)?;
                value.split('/').next()?.parse::<u64>().ok()
            };
            if let (Some(cov), Some(ft)) = (after("cov:"), after("ft:")) {
                figures.coverage_edges = cov;
                figures.coverage_features = ft;
            }
            if let Some(corp) = after("corp:") {
                figures.corpus_entries = corp;
            }
        } else if let Some(n) = line.strip_prefix("stat::number_of_executed_units:") {
            if let Ok(n) = n.trim().parse() {
                figures.executions = n;
            }
        } else if let Some(n) = line.strip_prefix("stat::peak_rss_mb:") {
            figures.peak_rss_mb = n.trim().parse().unwrap_or(0);
        } else if let Some((_, path)) = line.split_once("Test unit written to ") {
            let path = path.trim();
            let name = Path::new(path).file_name().map(|n| n.to_string_lossy());
            if !name.is_some_and(|n| n.starts_with("slow-unit-")) {
                figures.crashes.push(path.to_string());
            }
        }
    }
    figures
}

/// The figures as a table for the terminal.
fn table(targets: &[FuzzTarget]) -> String {
    let mut text = format!(
        "{:30} {:>7} {:>12} {:>6} {:>7} {:>6} {:>7}",
        "target", "seconds", "executions", "cov", "ft", "corpus", "crashes"
    );
    for t in targets {
        text.push_str(&format!(
            "\n{:30} {:>7} {:>12} {:>6} {:>7} {:>6} {:>7}",
            t.target,
            t.seconds,
            t.executions,
            t.coverage_edges,
            t.coverage_features,
            t.corpus_entries,
            t.crashes.len()
        ));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    const LOG: &str = "\
INFO: Seed: 1234
#2\tINITED cov: 12 ft: 13 corp: 1/1b exec/s: 0 rss: 27Mb
#913869\tDONE   cov: 370 ft: 893 corp: 134/2263b lim: 4096 exec/s: 83079 rss: 28Mb
Done 913869 runs in 11 second(s)
stat::number_of_executed_units: 913869
stat::average_exec_per_sec:     83079
stat::new_units_added:          200
stat::slowest_unit_time_sec:    0
stat::peak_rss_mb:              28
";

    #[test]
    fn reads_libfuzzers_figures() {
        let figures = parse_log("conn_handshake", Duration::from_millis(30_040), LOG);
        assert_eq!(figures.executions, 913_869);
        assert_eq!(figures.coverage_edges, 370);
        assert_eq!(figures.coverage_features, 893);
        assert_eq!(figures.corpus_entries, 134);
        assert_eq!(figures.peak_rss_mb, 28);
        assert_eq!(figures.seconds, 30.0);
        assert!(figures.crashes.is_empty());
    }

    #[test]
    fn a_crash_names_its_input_and_the_last_figures_stay() {
        let log = "\
#218726\tNEW    cov: 468 ft: 962 corp: 105/2849b lim: 1740 exec/s: 72908 rss: 28Mb L: 333/333 MS: 4 CopyPart-
thread '<unnamed>' panicked at core/src/fuzzing.rs:126:13:
==2028== ERROR: libFuzzer: deadly signal
artifact_prefix='/t/fuzz/artifacts/conn_established/'; Test unit written to /t/fuzz/artifacts/conn_established/crash-8458
Base64: QhQD/A==
";
        let figures = parse_log("conn_established", Duration::from_secs(3), log);
        assert_eq!(figures.executions, 218_726);
        assert_eq!(figures.coverage_edges, 468);
        assert_eq!(
            figures.crashes,
            ["/t/fuzz/artifacts/conn_established/crash-8458"]
        );
    }

    #[test]
    fn smoke_targets_and_selection() {
        let smoke = FuzzArgs {
            smoke: true,
            ..FuzzArgs::default()
        };
        assert_eq!(selected(&smoke).unwrap(), SMOKE_TARGETS);
        assert_eq!(selected(&FuzzArgs::default()).unwrap().len(), TARGETS.len());
        let one = FuzzArgs {
            targets: vec!["conn_established".into()],
            ..FuzzArgs::default()
        };
        assert_eq!(selected(&one).unwrap(), ["conn_established"]);
        let wrong = FuzzArgs {
            targets: vec!["nope".into()],
            ..FuzzArgs::default()
        };
        assert!(selected(&wrong).is_err());
    }

    /// Every target of `fuzz/Cargo.toml` is in [`TARGETS`], with the feature it needs.
    #[test]
    fn the_list_matches_the_fuzz_manifest() {
        let manifest = std::fs::read_to_string(workspace::root().join("fuzz/Cargo.toml")).unwrap();
        let mut bins = Vec::new();
        for block in manifest.split("[[bin]]").skip(1) {
            let name = block
                .lines()
                .find_map(|l| l.strip_prefix("name = "))
                .unwrap()
                .trim_matches('"');
            let needs = block
                .lines()
                .find_map(|l| l.strip_prefix("required-features = [\""))
                .map_or("", |rest| rest.trim_end_matches("\"]"));
            bins.push((name, needs));
        }
        let listed: Vec<(&str, &str)> = TARGETS.to_vec();
        assert_eq!(bins, listed);
    }
}
