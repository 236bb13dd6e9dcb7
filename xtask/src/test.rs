//! `cargo xtask test`: every test, the way CI runs it.
//!
//! The workspace members can be tested together (none of them turns on a set of backends
//! that cannot link; the OpenSSL-family crates' doctests are off so that rustdoc's
//! shared link paths cannot mix BoringSSL and OpenSSL). The feature-selection example plays "a dependent crate" with its own
//! manifest outside the workspace; it is tested with `--manifest-path` and shares
//! `target/` so nothing is built twice (which is why this runs here, after the
//! workspace's tests, and not as a nested cargo inside `cargo test`: that one would wait
//! on the lock of `target/`). It also proves the facade refuses BoringSSL with OpenSSL
//! (SPEC IMPL-7) with a message that says why.
//!
//! Each stage is timed; the task ends with a table of the times and fails when the whole
//! run took longer than [`BUDGET`], so a change that makes CI slower shows what it costs.

use std::fmt::Write as _;
use std::time::{Duration, Instant};

use crate::workspace::{cargo, display, run_shown};
use crate::{prereqs, workspace, Result};

/// How long `cargo xtask test` may take, all stages together, on the machine CI runs on
/// (2 cores): over it, the task fails with each stage's time. The one place the budget
/// is written.
const BUDGET: Duration = Duration::from_secs(30 * 60);

/// The manifest of the feature-selection example, relative to the workspace root.
const FEATURE_SELECTION: &str = "examples/feature-selection/Cargo.toml";

/// Runs the task: prereqs, the workspace's tests, then the example crate's tests; prints
/// how long each stage took and fails over [`BUDGET`].
pub(crate) fn run() -> Result<()> {
    let mut stages = Stages::default();
    let result = run_stages(&mut stages);
    print!("\n{}", stages.table(BUDGET));
    result?;
    if let Some(over) = stages.over_budget(BUDGET) {
        return Err(over.into());
    }
    println!("test: ok");
    Ok(())
}

/// The stages, each timed into `stages`; stops at the first that fails.
fn run_stages(stages: &mut Stages) -> Result<()> {
    stages.run("prereqs", prereqs::run)?;
    let root = workspace::root();
    // The OpenSSL-family crates have their doctests off (their Cargo.toml says why),
    // so the whole workspace can be tested in one invocation.
    stages.run("cargo test --workspace", || {
        run_shown(cargo(&root).args(["test", "--workspace"]))
    })?;
    if root.join(FEATURE_SELECTION).is_file() {
        stages.run("feature-selection example", || {
            run_shown(cargo(&root).args([
                "test",
                "--manifest-path",
                FEATURE_SELECTION,
                "--target-dir",
                "target",
            ]))
        })?;
        stages.run("boring + openssl refused", || {
            refuses_boring_with_openssl(&root)
        })?;
    } else {
        println!("(no {FEATURE_SELECTION} yet; skipping the feature-selection example)");
    }
    Ok(())
}

/// The stages run so far and how long each took, in run order.
#[derive(Debug, Default)]
struct Stages(Vec<(&'static str, Duration)>);

impl Stages {
    /// Runs `stage`, recording its time whether it succeeds or not.
    fn run<T>(&mut self, name: &'static str, stage: impl FnOnce() -> Result<T>) -> Result<T> {
        let started = Instant::now();
        let result = stage();
        self.0.push((name, started.elapsed()));
        result
    }

    /// All stages together.
    fn total(&self) -> Duration {
        self.0.iter().map(|(_, took)| *took).sum()
    }

    /// The table printed at the end: one line per stage, then the total and the budget.
    fn table(&self, budget: Duration) -> String {
        let width = self
            .0
            .iter()
            .map(|(name, _)| name.len())
            .max()
            .unwrap_or(0)
            .max(5);
        let mut text = format!("{:width$}  {:>12}\n", "stage", "time");
        for (name, took) in &self.0 {
            let _ = writeln!(text, "{name:width$}  {:>12}", duration(*took));
        }
        let _ = writeln!(
            text,
            "{:width$}  {:>12}  (budget {} on 2 cores)",
            "total",
            duration(self.total()),
            duration(budget)
        );
        text
    }

    /// Why the run failed its budget, naming every stage's time; `None` within it.
    fn over_budget(&self, budget: Duration) -> Option<String> {
        let total = self.total();
        (total > budget).then(|| {
            let stages: Vec<String> = self
                .0
                .iter()
                .map(|(name, took)| format!("{name} {}", duration(*took)))
                .collect();
            format!(
                "cargo xtask test took {}, over its budget of {} (BUDGET in \
                 xtask/src/test.rs, 2 cores): {}",
                duration(total),
                duration(budget),
                stages.join(", ")
            )
        })
    }
}

/// `4.2 s` under a minute, `12 min 05 s` from one on.
fn duration(took: Duration) -> String {
    let secs = took.as_secs();
    if secs < 60 {
        format!("{:.1} s", took.as_secs_f64())
    } else {
        format!("{} min {:02} s", secs / 60, secs % 60)
    }
}

/// The `clash` feature of the example asks for `boring` and `openssl` together: the
/// build must fail with the facade's explanation (SPEC IMPL-7).
fn refuses_boring_with_openssl(root: &std::path::Path) -> Result<()> {
    let mut command = cargo(root);
    command.args([
        "check",
        "--manifest-path",
        FEATURE_SELECTION,
        "--target-dir",
        "target",
        "--no-default-features",
        "--features",
        "clash",
    ]);
    println!("$ {} (must fail)", display(&command));
    let output = command
        .output()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    let stderr = String::from_utf8_lossy(&output.stderr);
    if output.status.success() {
        return Err("the facade compiled with both `boring` and `openssl`".into());
    }
    if !stderr.contains("cannot be enabled together") || !stderr.contains("same C symbols") {
        return Err(format!("the clash failed without the facade's explanation:\n{stderr}").into());
    }
    println!("boring + openssl is refused with the reason, as it must be");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stages(times: &[(&'static str, u64)]) -> Stages {
        Stages(
            times
                .iter()
                .map(|(name, secs)| (*name, Duration::from_secs(*secs)))
                .collect(),
        )
    }

    #[test]
    fn durations_read_as_minutes_and_seconds() {
        assert_eq!(duration(Duration::from_millis(4_240)), "4.2 s");
        assert_eq!(duration(Duration::from_secs(725)), "12 min 05 s");
        assert_eq!(duration(BUDGET), "30 min 00 s");
    }

    #[test]
    fn the_table_shows_every_stage_and_the_total() {
        let run = stages(&[("prereqs", 1), ("cargo test --workspace", 600)]);
        assert_eq!(
            run.table(BUDGET),
            "stage                           time\n\
             prereqs                        1.0 s\n\
             cargo test --workspace   10 min 00 s\n\
             total                    10 min 01 s  (budget 30 min 00 s on 2 cores)\n"
        );
    }

    #[test]
    fn over_the_budget_names_each_stage() {
        let within = stages(&[("prereqs", 1), ("cargo test --workspace", 1799)]);
        assert_eq!(within.over_budget(BUDGET), None);
        let over = stages(&[("prereqs", 2), ("cargo test --workspace", 1799)]);
        assert_eq!(
            over.over_budget(BUDGET).as_deref(),
            Some(
                "cargo xtask test took 30 min 01 s, over its budget of 30 min 00 s (BUDGET in \
                 xtask/src/test.rs, 2 cores): prereqs 2.0 s, cargo test --workspace 29 min 59 s"
            )
        );
    }

    #[test]
    fn a_failed_stage_is_timed_too() {
        let mut run = Stages::default();
        let result: Result<()> = run.run("fails", || Err("no".into()));
        assert!(result.is_err());
        assert_eq!(run.0.len(), 1);
        assert_eq!(run.0[0].0, "fails");
    }
}
