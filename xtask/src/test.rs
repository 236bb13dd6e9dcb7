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
//! The documentation is built too (`cargo doc --no-deps`, no doctests: those ran with
//! the tests) with broken intra-doc links denied, for every documented crate: core, the
//! facade with every backend that can share a build (its docs.rs feature set), and
//! `unitls-boring` on its own, whose BoringSSL the tests built already in the same
//! `target/`.
//!
//! The leak check (`cargo xtask leaks`: the lifecycle paths under valgrind, per
//! backend) and a short fuzzing run (`cargo xtask fuzz --smoke`) follow the tests.
//!
//! Each stage is timed; the task ends with a table of the times and fails when the whole
//! run took longer than [`BUDGET`], so a change that makes CI slower shows what it costs.

use std::fmt::Write as _;
use std::time::{Duration, Instant};

use crate::workspace::{cargo, check_status, display, run_shown};
use crate::{prereqs, workspace, Result};

/// How long `cargo xtask test` may take, all stages together, on the machine CI runs on
/// (2 cores): over it, the task fails with each stage's time. The one place the budget
/// is written.
const BUDGET: Duration = Duration::from_secs(30 * 60);

/// The manifest of the feature-selection example, relative to the workspace root.
const FEATURE_SELECTION: &str = "examples/feature-selection/Cargo.toml";

/// What the documentation builds add to `RUSTDOCFLAGS`: a link that does not resolve
/// (rendered as literal `[...]` otherwise) fails the run.
const DOC_FLAGS: &str = "-D rustdoc::broken_intra_doc_links";

/// The facade's features for its documentation: every backend that can share a build
/// (`boring` cannot link with `openssl` or `native-tls`), as in `[package.metadata.docs.rs]`
/// of the root `Cargo.toml`.
const FACADE_DOC_FEATURES: &str = "rustls,openssl,native-tls,tokio";

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
    // Right after the tests, whose binaries it runs under valgrind (nothing rebuilt).
    stages.run("leaks (valgrind, every backend)", || crate::leaks::run(&[]))?;
    // Its own instrumented build (target/fuzz), then 30 s per target, all at once.
    stages.run("fuzz --smoke", || {
        crate::fuzz::run(&crate::fuzz::FuzzArgs {
            smoke: true,
            ..Default::default()
        })
    })?;
    // The facade's `tokio` feature is on in that run (the peer, a member, asks for
    // it): the tokio examples and the quickstart's async example are tested there.
    // After the tests: the OpenSSL-family crates and BoringSSL are built by then.
    let boring = workspace::member_backends(&root)?.contains(&"boring");
    stages.run("cargo doc (intra-doc links)", || docs(&root, boring))?;
    // tokio-postgres and hyper over every backend, against PostgreSQL, nginx and curl
    // started on loopback (SPEC INTEG); one build per backend, like the suite.
    stages.run("integrations (real servers)", || {
        crate::integrations::test(&root)
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

/// The `cargo doc` invocations of the documentation stage: core, the facade with
/// [`FACADE_DOC_FEATURES`], and `unitls-boring` alone when `boring` is a member.
fn doc_builds(boring: bool) -> Vec<Vec<&'static str>> {
    let mut builds = vec![
        vec![
            "doc",
            "--no-deps",
            "-p",
            "unitls-core",
            "--features",
            "tokio",
        ],
        vec![
            "doc",
            "--no-deps",
            "-p",
            "unitls",
            "--features",
            FACADE_DOC_FEATURES,
        ],
    ];
    if boring {
        builds.push(vec!["doc", "--no-deps", "-p", "unitls-boring"]);
    }
    builds
}

/// `RUSTDOCFLAGS` for the documentation builds: the caller's, then [`DOC_FLAGS`].
fn doc_rustdocflags(inherited: Option<&str>) -> String {
    match inherited.map(str::trim) {
        Some(flags) if !flags.is_empty() => format!("{flags} {DOC_FLAGS}"),
        _ => DOC_FLAGS.to_string(),
    }
}

/// Builds the documentation of every documented crate with broken intra-doc links
/// denied; the first build that fails fails the stage.
fn docs(root: &std::path::Path, boring: bool) -> Result<()> {
    let inherited = std::env::var("RUSTDOCFLAGS").ok();
    let flags = doc_rustdocflags(inherited.as_deref());
    for args in doc_builds(boring) {
        let mut command = cargo(root);
        command.args(&args).env("RUSTDOCFLAGS", &flags);
        let shown = format!("RUSTDOCFLAGS='{flags}' {}", display(&command));
        println!("$ {shown}");
        let status = command
            .status()
            .map_err(|e| format!("cannot run `{shown}`: {e}"))?;
        check_status(&shown, status)?;
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
    fn the_documented_crates_are_core_the_facade_and_boring_alone() {
        let shown = |builds: Vec<Vec<&str>>| -> Vec<String> {
            builds.iter().map(|args| args.join(" ")).collect()
        };
        assert_eq!(
            shown(doc_builds(true)),
            [
                "doc --no-deps -p unitls-core --features tokio",
                "doc --no-deps -p unitls --features rustls,openssl,native-tls,tokio",
                "doc --no-deps -p unitls-boring",
            ]
        );
        assert_eq!(doc_builds(false).len(), 2);
    }

    #[test]
    fn the_doc_flags_come_after_the_callers() {
        assert_eq!(doc_rustdocflags(None), DOC_FLAGS);
        assert_eq!(doc_rustdocflags(Some("  ")), DOC_FLAGS);
        assert_eq!(
            doc_rustdocflags(Some("--cfg docsrs")),
            "--cfg docsrs -D rustdoc::broken_intra_doc_links"
        );
    }

    #[test]
    fn the_docs_rs_features_are_the_facades_doc_features() {
        let manifest = std::fs::read_to_string(workspace::root().join("Cargo.toml")).unwrap();
        let listed: Vec<String> = FACADE_DOC_FEATURES
            .split(',')
            .map(|feature| format!("\"{feature}\""))
            .collect();
        let line = format!("features = [{}]", listed.join(", "));
        let metadata = manifest
            .split("[package.metadata.docs.rs]")
            .nth(1)
            .expect("the root Cargo.toml has [package.metadata.docs.rs]");
        assert!(metadata.trim_start().starts_with(&line), "want `{line}`");
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
