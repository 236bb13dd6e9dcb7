//! One backend's comparison bench: built with `cargo bench --no-run`, run with the
//! terminal showing its progress, and the JSON lines it wrote read back.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use unitls_model::bench::{BenchLine, BenchMeta, Ceiling, Figure, FigureKind};

use super::FIGURES;
use crate::workspace::{self, cargo, display};
use crate::Result;

/// The environment variable the bench appends its lines to.
const BENCH_ENV: &str = "UNITLS_BENCH_FILE";

/// One backend's bench process and what it printed.
#[derive(Debug)]
pub(super) struct BackendBench {
    pub(super) name: &'static str,
    /// The command that reruns it alone.
    pub(super) command: String,
    /// Whether build and run succeeded.
    pub(super) success: bool,
    /// What went wrong, if anything.
    pub(super) problems: Vec<String>,
    pub(super) build: Duration,
    pub(super) run: Duration,
    /// The bench's `meta` line.
    pub(super) meta: Option<BenchMeta>,
    /// Its `ceiling` lines.
    pub(super) ceilings: Vec<Ceiling>,
    /// Its `figure` lines.
    pub(super) figures: Vec<Figure>,
}

/// Builds backend `name`'s bench, runs it, and reads its lines.
pub(super) fn run_backend(
    root: &Path,
    name: &'static str,
    out: &Path,
    quick: bool,
) -> BackendBench {
    let package = workspace::backend_package(name);
    let mut bench = BackendBench {
        name,
        command: format!(
            "cargo bench -p {package} --bench compare{}",
            if quick { " -- --quick" } else { "" }
        ),
        success: false,
        problems: Vec::new(),
        build: Duration::ZERO,
        run: Duration::ZERO,
        meta: None,
        ceilings: Vec::new(),
        figures: Vec::new(),
    };
    println!("==> {name}: building the comparison benchmark (release)");
    let started = Instant::now();
    let executable = build_bench(root, &package);
    bench.build = started.elapsed();
    let executable = match executable {
        Ok(path) => path,
        Err(e) => {
            bench.problems.push(format!("build failed: {e}"));
            return bench;
        }
    };
    let file = out.join(format!("bench-{name}.jsonl"));
    let _ = fs::remove_file(&file);
    let mut command = Command::new(&executable);
    if quick {
        command.arg("--quick");
    }
    command
        .env(BENCH_ENV, &file)
        .current_dir(workspace::backend_dir(root, name))
        .stdin(Stdio::null());
    println!(
        "==> {name}: {} ({BENCH_ENV}={})",
        display(&command),
        file.display()
    );
    let started = Instant::now();
    let status = command.status();
    bench.run = started.elapsed();
    match status {
        Ok(status) if status.success() => {}
        Ok(status) => bench
            .problems
            .push(format!("the bench process failed ({status})")),
        Err(e) => bench.problems.push(format!("cannot run the bench: {e}")),
    }
    match fs::read_to_string(&file) {
        Ok(text) => {
            for (i, line) in text.lines().enumerate() {
                match serde_json::from_str::<BenchLine>(line) {
                    Ok(BenchLine::Meta(meta)) => bench.meta = Some(meta),
                    Ok(BenchLine::Ceiling { ceiling, .. }) => bench.ceilings.push(ceiling),
                    Ok(BenchLine::Figure { figure, .. }) => bench.figures.push(figure),
                    Ok(BenchLine::Done { .. }) => {}
                    Err(e) => bench
                        .problems
                        .push(format!("{}:{}: {e}", file.display(), i + 1)),
                }
            }
        }
        Err(e) => bench
            .problems
            .push(format!("no output in {}: {e}", file.display())),
    }
    for fig in &bench.figures {
        if fig.kind == Some(FigureKind::Failure) {
            bench.problems.push(format!(
                "{} failed: {}",
                fig.name,
                fig.reason.as_deref().unwrap_or("")
            ));
        }
    }
    let known: Vec<&str> = bench.figures.iter().map(|f| f.name.as_str()).collect();
    let missing: Vec<&str> = FIGURES
        .iter()
        .map(|(n, _)| *n)
        .filter(|n| !known.contains(n))
        .collect();
    if !missing.is_empty() {
        bench
            .problems
            .push(format!("figures not reported: {}", missing.join(", ")));
    }
    bench.success = bench.problems.is_empty();
    bench
}

/// `cargo bench -p PACKAGE --bench compare --no-run`; the executable it built.
fn build_bench(root: &Path, package: &str) -> Result<PathBuf> {
    let mut command = cargo(root);
    command.args([
        "bench",
        "-p",
        package,
        "--bench",
        "compare",
        "--no-run",
        "--message-format=json-render-diagnostics",
    ]);
    let shown = display(&command);
    println!("$ {shown}");
    workspace::built_executable(&mut command, &shown, "compare")
}
