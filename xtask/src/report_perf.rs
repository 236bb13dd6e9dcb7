//! `cargo xtask report [--quick] [--backend NAME]... [--out DIR] [--snapshot]`: the
//! backend comparison benchmarks, one process per backend, and the `performance`
//! section of the report.
//!
//! Each backend crate has a bench target `benches/compare.rs` (std-only harness,
//! `unitls_conformance::bench`): the same workloads through unitls and through the TLS
//! library used directly, interleaved in one process pinned to one CPU, plus the
//! library's own crypto primitives for the ceiling. It prints one JSON object per line
//! into `$UNITLS_BENCH_FILE`; this module builds each bench (`cargo bench --no-run`),
//! runs it with the terminal showing its progress, and turns the lines into the
//! `performance` member of `report.json`, a section of `report.md` and one of
//! `index.html` (inline SVG charts).
//!
//! `report` does not rerun the conformance suite: it merges its section into the three
//! files `cargo xtask conformance` wrote (or writes them with the section alone), and
//! `conformance` keeps an existing section when it rewrites them
//! ([`carry_over`]). `--snapshot` also copies the section to `docs/report.json`, from
//! which `cargo xtask codegen` renders README's "Choosing a backend: performance" and
//! the ratio table of `docs/benchmarks.md` — deterministic, refreshed only on purpose.

use std::fmt::Write as _;
use std::fs;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant, SystemTime};

use crate::json::Json;
use crate::report::{escape, Machine};
use crate::workspace::{self, cargo, display};
use crate::{conformance, prereqs, Result};

/// The environment variable the bench appends its lines to.
const BENCH_ENV: &str = "UNITLS_BENCH_FILE";

/// The schema of the `performance` member.
pub(crate) const SCHEMA: &str = "unitls-performance/1";

/// Where `--snapshot` writes, and codegen reads.
const SNAPSHOT: &str = "docs/report.json";

/// Markers of the section in report.md, index.html and README.md.
const START: &str = "<!-- performance:start -->";
/// The closing marker.
const END: &str = "<!-- performance:end -->";

/// Markers of the generated table in docs/benchmarks.md.
const RATIOS_START: &str = "<!-- ratios:start -->";
/// The closing marker.
const RATIOS_END: &str = "<!-- ratios:end -->";

/// The options of `cargo xtask report`.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct ReportArgs {
    /// The short plan (`--quick`, for CI).
    pub(crate) quick: bool,
    /// The backends to measure (`--backend`, repeatable); empty means all.
    pub(crate) backends: Vec<String>,
    /// Where the report goes (`--out`); `None` means `target/unitls-report`.
    pub(crate) out: Option<PathBuf>,
    /// Also write `docs/report.json` (`--snapshot`).
    pub(crate) snapshot: bool,
}

/// Every figure, in report order: name and short label.
const FIGURES: [(&str, &str); 14] = [
    ("handshake_tls13_full", "TLS 1.3 full handshake"),
    ("handshake_tls13_resumed", "TLS 1.3 resumed handshake"),
    ("handshake_tls12_full", "TLS 1.2 full handshake"),
    ("handshake_tls13_rsa2048", "TLS 1.3 handshake, RSA-2048"),
    ("throughput_memory_aes128gcm", "AES-128-GCM, in memory"),
    ("throughput_memory_aes256gcm", "AES-256-GCM, in memory"),
    (
        "throughput_memory_chacha20poly1305",
        "ChaCha20-Poly1305, in memory",
    ),
    ("throughput_tcp_aes128gcm", "AES-128-GCM, loopback TCP"),
    ("throughput_tcp_aes256gcm", "AES-256-GCM, loopback TCP"),
    (
        "throughput_tcp_chacha20poly1305",
        "ChaCha20-Poly1305, loopback TCP",
    ),
    ("latency_tcp_median", "64 B round trip, median"),
    ("latency_tcp_p99", "64 B round trip, p99"),
    ("attach_detach", "STARTTLS attach + 1 KiB + detach"),
    ("memory_per_connection", "memory per idle connection"),
];

/// The ratio the issue sets as the target.
const TARGET: f64 = 0.95;

/// What the method is, for every rendering.
const METHOD: [&str; 7] = [
    "Each backend runs in its own process (`cargo bench -p unitls-<backend> --bench compare`), \
     pinned to one CPU with taskset; client and server of every connection share that core.",
    "For every figure the same workload is written twice, against unitls and directly against \
     the backend's crate, and the two are sampled alternately after a warm-up; values are \
     medians, the ratio is the median over the sample pairs of unitls ÷ direct, oriented so \
     that 1.0 is no overhead and lower is worse.",
    "The key exchange is pinned to X25519 on both sides where the backend can select groups \
     (SPEC PROTO-15; TLS 1.2 also lists P-256 for the certificate); native-tls cannot, and its \
     OpenSSL picks X25519 first.",
    "A handshake figure counts whole connections: handshake, one octet from the server, \
     close_notify from both ends. In memory is a pipe bounded at 256 KiB per direction.",
    "Throughput: 16 KiB application writes client to server, each sample ending with a \
     one-octet answer. Latency: 64-octet request and reply over loopback TCP.",
    "Memory: the growth of the resident set (VmRSS) while 1,000 connections are established \
     and held idle, over loopback TCP, in a fresh process per run, divided by 1,000 (client \
     and server ends together) — the same method for every library, since a heap counter \
     cannot see C allocations.",
    "Ceiling: the library's own primitives alone on the same core (AEAD on 16 KiB records, \
     X25519, ECDSA P-256 and RSA-2048 PSS); a handshake's ceiling adds both ends' X25519, \
     the server's signature and the client's three verifications, a byte stream's adds \
     sealing and opening each record.",
];

/// One backend's bench process and what it printed.
#[derive(Debug)]
struct BackendBench {
    name: &'static str,
    /// The command that reruns it alone.
    command: String,
    /// Whether build and run succeeded.
    success: bool,
    /// What went wrong, if anything.
    problems: Vec<String>,
    build: Duration,
    run: Duration,
    meta: Option<Json>,
    ceilings: Vec<Json>,
    figures: Vec<Json>,
}

/// Runs the task.
pub(crate) fn run(args: &ReportArgs) -> Result<()> {
    prereqs::run()?;
    let root = workspace::root();
    let available = workspace::member_backends(&root)?;
    let mut selected: Vec<&'static str> = Vec::new();
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
    if selected.is_empty() {
        selected = available;
    }
    let out = match &args.out {
        Some(dir) if dir.is_absolute() => dir.clone(),
        Some(dir) => std::env::current_dir()?.join(dir),
        None => root.join("target").join("unitls-report"),
    };
    fs::create_dir_all(&out).map_err(|e| format!("cannot create {}: {e}", out.display()))?;

    let started = Instant::now();
    let mut benches = Vec::new();
    for name in &selected {
        benches.push(run_backend(&root, name, &out, args.quick));
    }
    let section = performance_json(&root, args, &benches, started.elapsed());

    merge_into_files(&out, &section, &reproduce(args))?;
    if args.snapshot {
        let path = root.join(SNAPSHOT);
        if let Some(dir) = path.parent() {
            fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        }
        fs::write(&path, section.to_pretty())
            .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        println!(
            "snapshot: {} (now run `cargo xtask codegen`)",
            path.display()
        );
    }

    println!();
    print!("{}", terminal_summary(&section));
    for bench in &benches {
        println!(
            "{}: build {:.0} s, measurement {:.0} s{}",
            bench.name,
            bench.build.as_secs_f64(),
            bench.run.as_secs_f64(),
            if bench.success { "" } else { " — FAILED" }
        );
    }
    println!("report: {}", out.join("index.html").display());
    println!("        {}", out.join("report.md").display());
    println!("        {}", out.join("report.json").display());
    let mut failed: Vec<String> = Vec::new();
    for bench in &benches {
        for problem in &bench.problems {
            failed.push(format!("{}: {problem}", bench.name));
        }
    }
    if failed.is_empty() {
        println!(
            "report: ok in {:.0} s (ratios below {TARGET} are reported, they do not fail the run)",
            started.elapsed().as_secs_f64()
        );
        Ok(())
    } else {
        Err(format!("report failed:\n  {}", failed.join("\n  ")).into())
    }
}

/// What a user types to get the same report.
fn reproduce(args: &ReportArgs) -> String {
    let mut command = String::from("cargo xtask report");
    if args.quick {
        command.push_str(" --quick");
    }
    for backend in &args.backends {
        let _ = write!(command, " --backend {backend}");
    }
    if let Some(out) = &args.out {
        let _ = write!(command, " --out {}", out.display());
    }
    command
}

/// Builds backend `name`'s bench, runs it, and reads its lines.
fn run_backend(root: &Path, name: &'static str, out: &Path, quick: bool) -> BackendBench {
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
                match Json::parse(line) {
                    Ok(value) => match value.get("type").and_then(Json::as_str) {
                        Some("meta") => bench.meta = Some(value),
                        Some("ceiling") => bench.ceilings.push(value),
                        Some("figure") => bench.figures.push(value),
                        _ => {}
                    },
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
        if fig.get("kind").and_then(Json::as_str) == Some("failure") {
            bench.problems.push(format!(
                "{} failed: {}",
                text_of(fig, "name"),
                text_of(fig, "reason")
            ));
        }
    }
    let known: Vec<&str> = bench.figures.iter().map(|f| text_of(f, "name")).collect();
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
    let mut child = command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot run `{shown}`: {e}"))?;
    let stdout = child.stdout.take().ok_or("cargo's stdout is not piped")?;
    let mut executable = None;
    for line in BufReader::new(stdout).lines() {
        let line = line.map_err(|e| format!("reading the output of `{shown}`: {e}"))?;
        let Ok(message) = Json::parse(&line) else {
            continue;
        };
        let is_bench = message.get("reason").and_then(Json::as_str) == Some("compiler-artifact")
            && message
                .get("target")
                .and_then(|t| t.get("name"))
                .and_then(Json::as_str)
                == Some("compare");
        if is_bench {
            if let Some(path) = message.get("executable").and_then(Json::as_str) {
                executable = Some(PathBuf::from(path));
            }
        }
    }
    let status = child
        .wait()
        .map_err(|e| format!("waiting for `{shown}`: {e}"))?;
    workspace::check_status(&shown, status)?;
    executable.ok_or_else(|| format!("`{shown}` reported no bench executable").into())
}

/// The text member `key` of an object, or "".
fn text_of<'a>(value: &'a Json, key: &str) -> &'a str {
    value.get(key).and_then(Json::as_str).unwrap_or("")
}

/// A number member (integer or not).
fn num(value: &Json, key: &str) -> Option<f64> {
    match value.get(key)? {
        Json::Int(n) => Some(*n as f64),
        Json::Float(x) => Some(*x),
        _ => None,
    }
}

/// Versions of the crates the comparison involves, from Cargo.lock.
fn crate_versions(root: &Path) -> Json {
    let lock = fs::read_to_string(root.join("Cargo.lock")).unwrap_or_default();
    let wanted = [
        "rustls",
        "aws-lc-rs",
        "openssl",
        "openssl-sys",
        "boring",
        "boring-sys",
        "native-tls",
    ];
    let mut found: Vec<(String, Vec<String>)> = Vec::new();
    let mut name: Option<String> = None;
    for line in lock.lines() {
        let line = line.trim();
        if line == "[[package]]" {
            name = None;
        } else if let Some(value) = line.strip_prefix("name = ") {
            name = Some(value.trim_matches('"').to_owned());
        } else if let Some(value) = line.strip_prefix("version = ") {
            let Some(n) = name.as_deref().filter(|n| wanted.contains(n)) else {
                continue;
            };
            let version = value.trim_matches('"').to_owned();
            match found.iter_mut().find(|(k, _)| k == n) {
                Some((_, versions)) => versions.push(version),
                None => found.push((n.to_owned(), vec![version])),
            }
        }
    }
    found.sort_by_key(|(n, _)| wanted.iter().position(|w| w == n));
    Json::Array(
        found
            .into_iter()
            .map(|(n, versions)| {
                Json::object([
                    ("name", Json::str(n)),
                    (
                        "versions",
                        Json::Array(versions.into_iter().map(Json::str).collect()),
                    ),
                ])
            })
            .collect(),
    )
}

/// The `performance` member.
fn performance_json(
    root: &Path,
    args: &ReportArgs,
    benches: &[BackendBench],
    took: Duration,
) -> Json {
    let machine = Machine::detect();
    let backends = benches.iter().map(|bench| {
        let meta = |key: &str| {
            bench
                .meta
                .as_ref()
                .and_then(|m| m.get(key))
                .cloned()
                .unwrap_or(Json::Null)
        };
        let figures = FIGURES
            .iter()
            .map(|(name, _)| {
                bench
                    .figures
                    .iter()
                    .find(|f| text_of(f, "name") == *name)
                    .map(figure_json)
                    .unwrap_or_else(|| missing_figure(name, bench))
            })
            .collect();
        Json::object([
            ("name", Json::str(bench.name)),
            (
                "status",
                Json::str(if bench.success { "ok" } else { "failed" }),
            ),
            (
                "problems",
                Json::Array(bench.problems.iter().map(Json::str).collect()),
            ),
            ("library", meta("library")),
            ("crate", meta("crate")),
            ("direct_api", meta("direct_api")),
            ("direct_library", meta("direct_library")),
            ("primitives", meta("primitives")),
            ("pinned_cpu", meta("pinned_cpu")),
            ("command", Json::str(&bench.command)),
            ("build_secs", Json::Float(bench.build.as_secs_f64())),
            ("run_secs", Json::Float(bench.run.as_secs_f64())),
            (
                "ceilings",
                Json::Array(bench.ceilings.iter().map(ceiling_json).collect()),
            ),
            ("figures", Json::Array(figures)),
        ])
    });
    Json::object([
        ("schema", Json::str(SCHEMA)),
        (
            "generated_at",
            Json::str(conformance::rfc3339(SystemTime::now())),
        ),
        ("command", Json::str(reproduce(args))),
        ("plan", Json::str(if args.quick { "quick" } else { "full" })),
        (
            "machine",
            Json::object([
                ("os", Json::str(machine.os)),
                ("os_release", Json::opt_str(machine.os_release.clone())),
                ("arch", Json::str(machine.arch)),
                (
                    "cpus",
                    machine
                        .cpus
                        .map_or(Json::Null, |n| Json::Int(i64::try_from(n).unwrap_or(0))),
                ),
                ("cpu_model", Json::opt_str(machine.cpu_model.clone())),
            ]),
        ),
        (
            "rustc",
            Json::opt_str(conformance::first_line_of(
                Command::new("rustc").arg("--version"),
            )),
        ),
        ("crates", crate_versions(root)),
        ("target_ratio", Json::Float(TARGET)),
        (
            "method",
            Json::Array(METHOD.iter().map(|m| Json::str(*m)).collect()),
        ),
        ("duration_secs", Json::Float(took.as_secs_f64())),
        ("backends", Json::Array(backends.collect())),
    ])
}

/// A figure as the report keeps it (the bench's line without its envelope).
fn figure_json(line: &Json) -> Json {
    let Json::Object(members) = line else {
        return Json::Null;
    };
    Json::Object(
        members
            .iter()
            .filter(|(k, _)| k != "type" && k != "backend")
            .cloned()
            .collect(),
    )
}

/// A ceiling as the report keeps it.
fn ceiling_json(line: &Json) -> Json {
    figure_json(line)
}

/// A figure the bench did not report.
fn missing_figure(name: &str, bench: &BackendBench) -> Json {
    let why = if bench.problems.is_empty() {
        "not reported by the bench".to_owned()
    } else {
        format!("not measured: {}", bench.problems.join("; "))
    };
    Json::object([
        ("name", Json::str(name)),
        ("label", Json::str(label_of(name))),
        ("unit", Json::Null),
        ("value", Json::Null),
        ("direct", Json::Null),
        ("ratio", Json::Null),
        ("ceiling_fraction", Json::Null),
        ("reason", Json::str(why)),
        ("kind", Json::str("failure")),
    ])
}

/// The short label of figure `name`.
fn label_of(name: &str) -> &str {
    FIGURES
        .iter()
        .find(|(n, _)| *n == name)
        .map_or(name, |(_, label)| label)
}

/// The backends of a `performance` member.
fn backends_of(perf: &Json) -> &[Json] {
    perf.get("backends").and_then(Json::as_array).unwrap_or(&[])
}

/// Figure `name` of a backend entry.
fn figure<'a>(backend: &'a Json, name: &str) -> Option<&'a Json> {
    backend
        .get("figures")
        .and_then(Json::as_array)?
        .iter()
        .find(|f| text_of(f, "name") == name)
}

/// A value for a table cell: three significant digits or so.
fn fmt_value(value: f64) -> String {
    if value >= 100.0 {
        format!("{value:.0}")
    } else if value >= 10.0 {
        format!("{value:.1}")
    } else {
        format!("{value:.2}")
    }
}

/// A ratio for a table cell; below the target in bold (Markdown).
fn fmt_ratio_md(ratio: Option<f64>) -> String {
    match ratio {
        Some(r) if r < TARGET => format!("**{r:.2}**"),
        Some(r) => format!("{r:.2}"),
        None => "—".to_owned(),
    }
}

/// "generated …, machine …" lines shared by the renderings.
fn provenance(perf: &Json) -> Vec<String> {
    let machine = perf.get("machine");
    let cpu = machine
        .and_then(|m| m.get("cpu_model"))
        .and_then(Json::as_str)
        .unwrap_or("unknown CPU");
    let cpus = machine
        .and_then(|m| num(m, "cpus"))
        .map_or("?".to_owned(), |n| format!("{n:.0}"));
    let os = machine
        .and_then(|m| m.get("os_release"))
        .and_then(Json::as_str)
        .unwrap_or("");
    let mut lines = vec![
        format!("date: {}", text_of(perf, "generated_at")),
        format!(
            "machine: {cpu}, {cpus} cores{}",
            if os.is_empty() {
                String::new()
            } else {
                format!(", {os}")
            }
        ),
        format!(
            "plan: {} ({}); reproduce: `{}`",
            text_of(perf, "plan"),
            if text_of(perf, "plan") == "quick" {
                "7 samples of 80 ms per side"
            } else {
                "21 samples of 200 ms per side, 3 memory runs"
            },
            text_of(perf, "command")
        ),
    ];
    if let Some(rustc) = perf.get("rustc").and_then(Json::as_str) {
        lines.push(rustc.to_owned());
    }
    let crates: Vec<String> = perf
        .get("crates")
        .and_then(Json::as_array)
        .unwrap_or(&[])
        .iter()
        .map(|c| {
            let versions: Vec<&str> = c
                .get("versions")
                .and_then(Json::as_array)
                .unwrap_or(&[])
                .iter()
                .filter_map(Json::as_str)
                .collect();
            format!("{} {}", text_of(c, "name"), versions.join("/"))
        })
        .collect();
    if !crates.is_empty() {
        lines.push(format!("crates: {}", crates.join(", ")));
    }
    for b in backends_of(perf) {
        lines.push(format!(
            "{}: {} vs {} ({}); primitives: {}",
            text_of(b, "name"),
            text_of(b, "library"),
            text_of(b, "direct_api"),
            text_of(b, "direct_library"),
            text_of(b, "primitives"),
        ));
    }
    lines
}

/// The ratio table: figures × backends.
fn ratio_table_md(perf: &Json) -> String {
    let backends = backends_of(perf);
    let mut md = String::from("| figure |");
    for b in backends {
        let _ = write!(md, " {} |", text_of(b, "name"));
    }
    md.push_str("\n|---|");
    md.push_str(&"---:|".repeat(backends.len()));
    md.push('\n');
    for (name, label) in FIGURES {
        let _ = write!(md, "| {label} |");
        for b in backends {
            let ratio = figure(b, name).and_then(|f| num(f, "ratio"));
            let _ = write!(md, " {} |", fmt_ratio_md(ratio));
        }
        md.push('\n');
    }
    md
}

/// The Markdown section (between the markers, markers included).
pub(crate) fn to_markdown(perf: &Json) -> String {
    let mut md = format!("{START}\n## Performance: unitls against each library used directly\n\n");
    for line in provenance(perf) {
        let _ = writeln!(md, "- {line}");
    }
    md.push_str("\nMethod:\n\n");
    for line in METHOD {
        let _ = writeln!(md, "- {line}");
    }
    let _ = writeln!(
        md,
        "\n### Overhead ratio (unitls ÷ direct; 1.00 = none, lower is worse, below {TARGET} in bold)\n"
    );
    md.push_str(&ratio_table_md(perf));
    md.push_str("\n### Figures\n");
    for b in backends_of(perf) {
        let _ = writeln!(
            md,
            "\n#### {}\n\n| figure | unit | unitls | direct | ratio | of the crypto ceiling | notes |\n|---|---|---:|---:|---:|---:|---|",
            text_of(b, "name")
        );
        for (name, label) in FIGURES {
            let Some(f) = figure(b, name) else { continue };
            let value = num(f, "value");
            let cell = |v: Option<f64>| v.map_or("—".to_owned(), fmt_value);
            let note = match (value, f.get("reason").and_then(Json::as_str)) {
                (None, Some(reason)) => format!("not measured: {reason}"),
                _ => f
                    .get("note")
                    .and_then(Json::as_str)
                    .unwrap_or("")
                    .to_owned(),
            };
            let _ = writeln!(
                md,
                "| {label} | {} | {} | {} | {} | {} | {} |",
                text_of(f, "unit"),
                cell(value),
                cell(num(f, "direct")),
                fmt_ratio_md(num(f, "ratio")),
                num(f, "ceiling_fraction")
                    .map_or("—".to_owned(), |c| format!("{:.0} %", c * 100.0)),
                note.replace('|', "\\|")
            );
        }
        let ceilings = b.get("ceilings").and_then(Json::as_array).unwrap_or(&[]);
        if !ceilings.is_empty() {
            md.push_str("\nCrypto ceiling (the library's primitives alone, one core): ");
            let parts: Vec<String> = ceilings
                .iter()
                .map(|c| {
                    format!(
                        "{} {} {}",
                        text_of(c, "label"),
                        num(c, "value").map_or("—".to_owned(), fmt_value),
                        text_of(c, "unit")
                    )
                })
                .collect();
            md.push_str(&parts.join("; "));
            md.push_str(".\n");
        }
        let problems = b.get("problems").and_then(Json::as_array).unwrap_or(&[]);
        for p in problems.iter().filter_map(Json::as_str) {
            let _ = writeln!(md, "\n**Problem**: {p}");
        }
    }
    md.push_str(END);
    md.push('\n');
    md
}

/// One horizontal bar chart: rows of labelled bars, several series per row.
struct Chart<'a> {
    title: &'a str,
    unit: &'a str,
    /// (series name, colour)
    series: &'a [(&'a str, &'a str)],
    /// (row label, value per series)
    rows: Vec<(String, Vec<Option<f64>>)>,
    /// Vertical lines (value, label).
    marks: &'a [(f64, &'a str)],
    /// The axis maximum; `None`: the largest value.
    max: Option<f64>,
}

impl Chart<'_> {
    fn svg(&self) -> String {
        let label_w = 270.0;
        let plot_w = 460.0;
        let bar_h = 9.0;
        let row_h = bar_h * self.series.len() as f64 + 6.0;
        let top = 40.0;
        let height = top + row_h * self.rows.len() as f64 + 30.0;
        let width = label_w + plot_w + 90.0;
        let max = self
            .max
            .unwrap_or_else(|| {
                self.rows
                    .iter()
                    .flat_map(|(_, v)| v.iter().flatten())
                    .copied()
                    .fold(0.0, f64::max)
            })
            .max(1e-9);
        let x = |v: f64| label_w + plot_w * (v / max).clamp(0.0, 1.0);
        let mut svg = format!(
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width:.0}\" height=\"{height:.0}\" \
             role=\"img\" aria-label=\"{}\" font-family=\"sans-serif\" font-size=\"11\">\n\
             <text x=\"4\" y=\"16\" font-size=\"14\" font-weight=\"bold\">{}</text>\n",
            escape(self.title),
            escape(self.title)
        );
        let mut lx = label_w;
        for (name, colour) in self.series {
            let _ = writeln!(
                svg,
                "<rect x=\"{lx:.0}\" y=\"24\" width=\"10\" height=\"10\" fill=\"{colour}\"/>\
                 <text x=\"{:.0}\" y=\"33\">{}</text>",
                lx + 14.0,
                escape(name)
            );
            lx += 110.0;
        }
        for (i, (label, values)) in self.rows.iter().enumerate() {
            let y = top + row_h * i as f64;
            let _ = writeln!(
                svg,
                "<text x=\"{:.0}\" y=\"{:.1}\" text-anchor=\"end\">{}</text>",
                label_w - 6.0,
                y + row_h / 2.0 + 3.0,
                escape(label)
            );
            for (j, value) in values.iter().enumerate() {
                let by = y + bar_h * j as f64 + 2.0;
                let colour = self.series.get(j).map_or("#888", |(_, c)| c);
                match value {
                    Some(v) => {
                        let _ = writeln!(
                            svg,
                            "<rect x=\"{label_w:.0}\" y=\"{by:.1}\" width=\"{:.1}\" height=\"{:.0}\" \
                             fill=\"{colour}\"><title>{} {}: {} {}</title></rect>\
                             <text x=\"{:.1}\" y=\"{:.1}\" font-size=\"9\">{}</text>",
                            (x(*v) - label_w).max(0.5),
                            bar_h - 1.0,
                            escape(label),
                            escape(self.series.get(j).map_or("", |(n, _)| n)),
                            fmt_value(*v),
                            escape(self.unit),
                            x(*v) + 3.0,
                            by + bar_h - 2.0,
                            fmt_value(*v)
                        );
                    }
                    None => {
                        let _ = writeln!(
                            svg,
                            "<text x=\"{:.0}\" y=\"{:.1}\" font-size=\"9\" fill=\"#888\">n/a</text>",
                            label_w + 3.0,
                            by + bar_h - 2.0
                        );
                    }
                }
            }
        }
        let bottom = top + row_h * self.rows.len() as f64;
        for (value, label) in self.marks {
            let mx = x(*value);
            let _ = writeln!(
                svg,
                "<line x1=\"{mx:.1}\" y1=\"{:.0}\" x2=\"{mx:.1}\" y2=\"{bottom:.0}\" stroke=\"#c00\" \
                 stroke-dasharray=\"3,3\"/><text x=\"{mx:.1}\" y=\"{:.0}\" fill=\"#c00\" \
                 text-anchor=\"middle\">{}</text>",
                top - 4.0,
                bottom + 12.0,
                escape(label)
            );
        }
        let _ = writeln!(
            svg,
            "<line x1=\"{label_w:.0}\" y1=\"{top:.0}\" x2=\"{label_w:.0}\" y2=\"{bottom:.0}\" stroke=\"#333\"/>\
             <text x=\"{:.0}\" y=\"{:.0}\" text-anchor=\"end\">{} (axis to {})</text>",
            label_w + plot_w,
            bottom + 24.0,
            escape(self.unit),
            fmt_value(max)
        );
        svg.push_str("</svg>\n");
        svg
    }
}

const UNITLS_COLOUR: &str = "#2b6cb0";
const DIRECT_COLOUR: &str = "#a0aec0";

/// Rows of unitls and direct values for `names` on every backend.
fn value_rows(perf: &Json, names: &[&str]) -> Vec<(String, Vec<Option<f64>>)> {
    let mut rows = Vec::new();
    for name in names {
        for b in backends_of(perf) {
            let f = figure(b, name);
            rows.push((
                format!("{} — {}", label_of(name), text_of(b, "name")),
                vec![
                    f.and_then(|f| num(f, "value")),
                    f.and_then(|f| num(f, "direct")),
                ],
            ));
        }
    }
    rows
}

/// The HTML section (between the markers, markers included), charts inline.
pub(crate) fn to_html(perf: &Json) -> String {
    let pair: &[(&str, &str)] = &[("unitls", UNITLS_COLOUR), ("direct", DIRECT_COLOUR)];
    let mut html = format!("{START}\n<section id=\"performance\">\n<h2>Performance: unitls against each library used directly</h2>\n<ul>\n");
    for line in provenance(perf) {
        let _ = writeln!(html, "<li>{}</li>", escape(&line));
    }
    html.push_str("</ul>\n<details><summary>Method</summary>\n<ul>\n");
    for line in METHOD {
        let _ = writeln!(html, "<li>{}</li>", escape(line));
    }
    html.push_str("</ul>\n</details>\n");
    let charts = [
        Chart {
            title: "Handshakes per second (one core, in memory)",
            unit: "handshakes/s",
            series: pair,
            rows: value_rows(
                perf,
                &FIGURES[..4].iter().map(|(n, _)| *n).collect::<Vec<_>>(),
            ),
            marks: &[],
            max: None,
        },
        Chart {
            title: "Bulk throughput, 16 KiB writes (one core)",
            unit: "MB/s",
            series: pair,
            rows: value_rows(
                perf,
                &FIGURES[4..10].iter().map(|(n, _)| *n).collect::<Vec<_>>(),
            ),
            marks: &[],
            max: None,
        },
        Chart {
            title: "Memory per established idle connection (client + server, RSS)",
            unit: "KiB",
            series: pair,
            rows: value_rows(perf, &["memory_per_connection"]),
            marks: &[],
            max: None,
        },
    ];
    for chart in &charts {
        html.push_str(&chart.svg());
    }
    let mut ratio_rows = Vec::new();
    for (name, label) in FIGURES {
        for b in backends_of(perf) {
            ratio_rows.push((
                format!("{label} — {}", text_of(b, "name")),
                vec![figure(b, name).and_then(|f| num(f, "ratio"))],
            ));
        }
    }
    let max_ratio = ratio_rows
        .iter()
        .flat_map(|(_, v)| v.iter().flatten())
        .copied()
        .fold(1.2, f64::max);
    html.push_str(
        &Chart {
            title: "Overhead ratio: unitls ÷ direct (1.0 = no overhead, lower is worse)",
            unit: "ratio",
            series: &[("ratio", UNITLS_COLOUR)],
            rows: ratio_rows,
            marks: &[(TARGET, "0.95"), (1.0, "1.0")],
            max: Some(max_ratio),
        }
        .svg(),
    );
    html.push_str("<h3>Overhead ratio per figure</h3>\n<table>\n<tr><th>figure</th>");
    for b in backends_of(perf) {
        let _ = write!(html, "<th>{}</th>", escape(text_of(b, "name")));
    }
    html.push_str("</tr>\n");
    for (name, label) in FIGURES {
        let _ = write!(html, "<tr><td>{}</td>", escape(label));
        for b in backends_of(perf) {
            let f = figure(b, name);
            match f.and_then(|f| num(f, "ratio")) {
                Some(r) => {
                    let class = if r < TARGET { "fail" } else { "pass" };
                    let title = f
                        .and_then(|f| f.get("note"))
                        .and_then(Json::as_str)
                        .unwrap_or("");
                    let _ = write!(
                        html,
                        "<td class=\"{class}\" title=\"{}\">{r:.2}</td>",
                        escape(title)
                    );
                }
                None => {
                    let why = f
                        .and_then(|f| f.get("reason"))
                        .and_then(Json::as_str)
                        .unwrap_or("");
                    let _ = write!(
                        html,
                        "<td class=\"unsupported\" title=\"{}\">—</td>",
                        escape(why)
                    );
                }
            }
        }
        html.push_str("</tr>\n");
    }
    html.push_str("</table>\n");
    for b in backends_of(perf) {
        let _ = writeln!(
            html,
            "<h3>{}</h3>\n<table>\n<tr><th>figure</th><th>unit</th><th>unitls</th><th>direct</th>\
             <th>ratio</th><th>of the crypto ceiling</th><th>notes</th></tr>",
            escape(text_of(b, "name"))
        );
        for (name, label) in FIGURES {
            let Some(f) = figure(b, name) else { continue };
            let cell = |v: Option<f64>| v.map_or("—".to_owned(), fmt_value);
            let value = num(f, "value");
            let note = match (value, f.get("reason").and_then(Json::as_str)) {
                (None, Some(reason)) => format!("not measured: {reason}"),
                _ => f
                    .get("note")
                    .and_then(Json::as_str)
                    .unwrap_or("")
                    .to_owned(),
            };
            let _ = writeln!(
                html,
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                escape(label),
                escape(text_of(f, "unit")),
                cell(value),
                cell(num(f, "direct")),
                num(f, "ratio").map_or("—".to_owned(), |r| format!("{r:.2}")),
                num(f, "ceiling_fraction").map_or("—".to_owned(), |c| format!("{:.0} %", c * 100.0)),
                escape(&note)
            );
        }
        html.push_str("</table>\n");
    }
    html.push_str("</section>\n");
    html.push_str(END);
    html.push('\n');
    html
}

/// A compact terminal table: the ratio of every figure per backend.
fn terminal_summary(perf: &Json) -> String {
    let backends = backends_of(perf);
    let mut out = format!("{:<36}", "unitls ÷ direct");
    for b in backends {
        let _ = write!(out, "{:>12}", text_of(b, "name"));
    }
    out.push('\n');
    for (name, label) in FIGURES {
        let _ = write!(out, "{label:<36}");
        for b in backends {
            let cell = match figure(b, name).and_then(|f| num(f, "ratio")) {
                Some(r) if r < TARGET => format!("{r:.2}*"),
                Some(r) => format!("{r:.2}"),
                None => "n/a".to_owned(),
            };
            let _ = write!(out, "{cell:>12}");
        }
        out.push('\n');
    }
    let _ = writeln!(
        out,
        "(* below {TARGET}; n/a: the backend cannot, see the report)"
    );
    out
}

/// `text` with the part between `start` and `end` (markers included) replaced by
/// `section`, or with `section` appended when there are no markers.
fn splice(text: &str, start: &str, end: &str, section: &str) -> String {
    if let (Some(a), Some(b)) = (text.find(start), text.find(end)) {
        if a < b {
            let after = &text[b + end.len()..];
            let after = after.strip_prefix('\n').unwrap_or(after);
            return format!("{}{section}{after}", &text[..a]);
        }
    }
    let mut out = text.to_owned();
    if !out.is_empty() && !out.ends_with("\n\n") {
        out.push_str(if out.ends_with('\n') { "\n" } else { "\n\n" });
    }
    out.push_str(section);
    out
}

/// `html` with the section replaced, or inserted before `</body>`.
fn splice_html(html: &str, section: &str) -> String {
    if html.contains(START) {
        return splice(html, START, END, section);
    }
    match html.rfind("</body>") {
        Some(at) => format!("{}{section}{}", &html[..at], &html[at..]),
        None => format!("{html}{section}"),
    }
}

/// A whole page around the section (when no conformance report exists yet).
fn html_page(section: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <title>unitls report</title>\n<style>\nbody {{ font-family: sans-serif; margin: 2em; }}\n\
         table {{ border-collapse: collapse; margin: 1em 0; }}\n\
         td, th {{ border: 1px solid #ccc; padding: 2px 6px; }}\n\
         .pass {{ background: #c6f6d5; }} .fail {{ background: #fed7d7; }} \
         .unsupported {{ background: #e2e8f0; }}\n</style>\n</head>\n<body>\n\
         <h1>unitls report</h1>\n{section}</body>\n</html>\n"
    )
}

/// Writes the section into `report.json`, `report.md` and `index.html` in `out`,
/// keeping what `cargo xtask conformance` put there.
fn merge_into_files(out: &Path, perf: &Json, command: &str) -> Result<()> {
    let json_path = out.join("report.json");
    let existing = fs::read_to_string(&json_path)
        .ok()
        .and_then(|text| Json::parse(&text).ok());
    let report = match existing {
        Some(Json::Object(mut members)) => {
            members.retain(|(k, _)| k != "performance");
            members.push(("performance".to_owned(), perf.clone()));
            Json::Object(members)
        }
        _ => Json::object([
            ("schema", Json::str(crate::report::SCHEMA)),
            (
                "generated_at",
                perf.get("generated_at").cloned().unwrap_or(Json::Null),
            ),
            ("command", Json::str(command)),
            (
                "machine",
                perf.get("machine").cloned().unwrap_or(Json::Null),
            ),
            ("rustc", perf.get("rustc").cloned().unwrap_or(Json::Null)),
            ("performance", perf.clone()),
        ]),
    };
    write(&json_path, &report.to_pretty())?;

    let md_path = out.join("report.md");
    let md = match fs::read_to_string(&md_path) {
        Ok(text) => splice(&text, START, END, &to_markdown(perf)),
        Err(_) => format!("# unitls report\n\n{}", to_markdown(perf)),
    };
    write(&md_path, &md)?;

    let html_path = out.join("index.html");
    let html = match fs::read_to_string(&html_path) {
        Ok(text) => splice_html(&text, &to_html(perf)),
        Err(_) => html_page(&to_html(perf)),
    };
    write(&html_path, &html)
}

fn write(path: &Path, text: &str) -> Result<()> {
    fs::write(path, text).map_err(|e| format!("cannot write {}: {e}", path.display()).into())
}

/// For `cargo xtask conformance`: the three files it is about to write, with the
/// performance section of the files already in `out` carried over.
pub(crate) fn carry_over(
    out: &Path,
    files: [(&'static str, String); 3],
) -> [(&'static str, String); 3] {
    let perf = fs::read_to_string(out.join("report.json"))
        .ok()
        .and_then(|text| Json::parse(&text).ok())
        .and_then(|report| report.get("performance").cloned());
    let Some(perf) = perf else {
        return files;
    };
    files.map(|(name, text)| {
        let text = match name {
            "report.json" => match Json::parse(&text) {
                Ok(Json::Object(mut members)) => {
                    members.retain(|(k, _)| k != "performance");
                    members.push(("performance".to_owned(), perf.clone()));
                    Json::Object(members).to_pretty()
                }
                _ => text,
            },
            "report.md" => splice(&text, START, END, &to_markdown(&perf)),
            "index.html" => splice_html(&text, &to_html(&perf)),
            _ => text,
        };
        (name, text)
    })
}

/// README's "Choosing a backend: performance" table, from the snapshot.
fn readme_section(perf: &Json) -> String {
    let backends = backends_of(perf);
    let mut md = format!(
        "{START}\n<!-- generated by `cargo xtask codegen` from {SNAPSHOT} (`cargo xtask report \
         --snapshot`); do not edit -->\n\n"
    );
    let machine = perf.get("machine");
    let _ = writeln!(
        md,
        "Each backend against its own library used directly, on one core of {} ({} cores), {} \
         (`{}`, {} plan). Every figure, its ratio to the library alone and the method: \
         [docs/benchmarks.md](docs/benchmarks.md).\n",
        machine
            .and_then(|m| m.get("cpu_model"))
            .and_then(Json::as_str)
            .unwrap_or("an unknown CPU"),
        machine
            .and_then(|m| num(m, "cpus"))
            .map_or("?".to_owned(), |n| format!("{n:.0}")),
        text_of(perf, "generated_at")
            .split('T')
            .next()
            .unwrap_or(""),
        text_of(perf, "command"),
        text_of(perf, "plan"),
    );
    md.push_str("| |");
    for b in backends {
        let _ = write!(md, " {} |", text_of(b, "name"));
    }
    md.push_str("\n|---|");
    md.push_str(&"---:|".repeat(backends.len()));
    md.push('\n');
    let rows = [
        ("handshake_tls13_full", "TLS 1.3 full handshakes/s"),
        ("handshake_tls13_resumed", "TLS 1.3 resumed handshakes/s"),
        ("handshake_tls12_full", "TLS 1.2 full handshakes/s"),
        (
            "throughput_tcp_aes128gcm",
            "AES-128-GCM MB/s (loopback TCP)",
        ),
        (
            "throughput_tcp_chacha20poly1305",
            "ChaCha20-Poly1305 MB/s (loopback TCP)",
        ),
        ("latency_tcp_median", "64 B round trip, µs (median)"),
        (
            "memory_per_connection",
            "KiB per idle connection (both ends)",
        ),
    ];
    for (name, label) in rows {
        let _ = write!(md, "| {label} |");
        for b in backends {
            let cell = figure(b, name)
                .and_then(|f| num(f, "value"))
                .map_or("—".to_owned(), fmt_value);
            let _ = write!(md, " {cell} |");
        }
        md.push('\n');
    }
    md.push_str("| lowest unitls ÷ direct ratio |");
    for b in backends {
        let lowest = FIGURES
            .iter()
            .filter_map(|(name, label)| Some((num(figure(b, name)?, "ratio")?, *label)))
            .min_by(|a, b| a.0.total_cmp(&b.0));
        let cell = lowest.map_or("—".to_owned(), |(r, label)| format!("{r:.2} ({label})"));
        let _ = write!(md, " {cell} |");
    }
    md.push_str(
        "\n\n— : the backend cannot (native-tls has no TLS 1.3 server and no resumption).\n",
    );
    md.push_str(END);
    md.push('\n');
    md
}

/// The generated block of docs/benchmarks.md: provenance and the ratio table.
fn benchmarks_block(perf: &Json) -> String {
    let mut md = format!(
        "{RATIOS_START}\n<!-- generated by `cargo xtask codegen` from {SNAPSHOT}; do not edit -->\n\n"
    );
    for line in provenance(perf) {
        let _ = writeln!(md, "- {line}");
    }
    let _ = writeln!(
        md,
        "\nunitls ÷ direct, oriented so that 1.00 is no overhead and lower is worse; below \
         {TARGET} in bold; — : the backend cannot produce the figure (reason below).\n"
    );
    md.push_str(&ratio_table_md(perf));
    md.push_str("\nValues (unitls / direct):\n\n| figure | unit |");
    let backends = backends_of(perf);
    for b in backends {
        let _ = write!(md, " {} |", text_of(b, "name"));
    }
    md.push_str("\n|---|---|");
    md.push_str(&"---:|".repeat(backends.len()));
    md.push('\n');
    for (name, label) in FIGURES {
        let unit = backends
            .iter()
            .find_map(|b| figure(b, name).map(|f| text_of(f, "unit")))
            .unwrap_or("");
        let _ = write!(md, "| {label} | {unit} |");
        for b in backends {
            let f = figure(b, name);
            let cell = match (
                f.and_then(|f| num(f, "value")),
                f.and_then(|f| num(f, "direct")),
            ) {
                (Some(u), Some(d)) => format!("{} / {}", fmt_value(u), fmt_value(d)),
                _ => "—".to_owned(),
            };
            let _ = write!(md, " {cell} |");
        }
        md.push('\n');
    }
    let mut reasons = Vec::new();
    for b in backends {
        for (name, label) in FIGURES {
            if let Some(f) = figure(b, name) {
                if num(f, "value").is_none() {
                    if let Some(reason) = f.get("reason").and_then(Json::as_str) {
                        reasons.push(format!("- {} — {label}: {reason}", text_of(b, "name")));
                    }
                }
            }
        }
    }
    if !reasons.is_empty() {
        md.push_str("\nNot measured:\n\n");
        md.push_str(&reasons.join("\n"));
        md.push('\n');
    }
    md.push('\n');
    md.push_str(RATIOS_END);
    md.push('\n');
    md
}

/// For `cargo xtask codegen`: README with its performance section rendered from
/// `docs/report.json` (unchanged when there is no snapshot yet).
pub(crate) fn splice_readme(root: &Path, readme: &str) -> Result<String> {
    let Some(perf) = snapshot(root)? else {
        return Ok(readme.to_owned());
    };
    if !readme.contains(START) {
        return Err(format!(
            "README.md has no `{START}` ... `{END}` section for the performance table"
        )
        .into());
    }
    Ok(splice(readme, START, END, &readme_section(&perf)))
}

/// For `cargo xtask codegen`: renders docs/benchmarks.md's generated block; with
/// `check`, fails if it is stale instead. `Ok(true)` if the file changed (or would).
pub(crate) fn codegen_docs(root: &Path, check: bool) -> Result<bool> {
    let Some(perf) = snapshot(root)? else {
        return Ok(false);
    };
    let path = root.join("docs/benchmarks.md");
    let text =
        fs::read_to_string(&path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    if !text.contains(RATIOS_START) {
        return Err(format!(
            "{} has no `{RATIOS_START}` ... `{RATIOS_END}` block",
            path.display()
        )
        .into());
    }
    let updated = splice(&text, RATIOS_START, RATIOS_END, &benchmarks_block(&perf));
    if updated == text {
        return Ok(false);
    }
    if check {
        return Err(format!(
            "{}'s ratio table is stale (it differs from {SNAPSHOT}); run `cargo xtask codegen`",
            path.display()
        )
        .into());
    }
    write(&path, &updated)?;
    println!("codegen: rewrote the ratio table in docs/benchmarks.md");
    Ok(true)
}

/// The snapshot's performance section, if there is a snapshot.
fn snapshot(root: &Path) -> Result<Option<Json>> {
    let path = root.join(SNAPSHOT);
    let Ok(text) = fs::read_to_string(&path) else {
        return Ok(None);
    };
    let json = Json::parse(&text).map_err(|e| format!("{}: {e}", path.display()))?;
    // The snapshot is the section itself; a whole report.json works too.
    Ok(Some(json.get("performance").cloned().unwrap_or(json)))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A two-backend performance section.
    fn sample() -> Json {
        let fig = |name: &str, value: Option<f64>, direct: f64, ratio: f64| {
            Json::object([
                ("name", Json::str(name)),
                ("label", Json::str(name)),
                ("unit", Json::str("u")),
                ("value", value.map_or(Json::Null, Json::Float)),
                ("direct", Json::Float(direct)),
                ("ratio", value.map_or(Json::Null, |_| Json::Float(ratio))),
                ("ceiling_fraction", Json::Null),
                (
                    "reason",
                    if value.is_none() {
                        Json::str("cannot <do> it")
                    } else {
                        Json::Null
                    },
                ),
            ])
        };
        let backend = |name: &str, missing: bool| {
            Json::object([
                ("name", Json::str(name)),
                ("library", Json::str("lib")),
                (
                    "figures",
                    Json::Array(
                        FIGURES
                            .iter()
                            .map(|(n, _)| {
                                let value = if missing && n.contains("resumed") {
                                    None
                                } else {
                                    Some(100.0)
                                };
                                fig(n, value, 110.0, 0.91)
                            })
                            .collect(),
                    ),
                ),
            ])
        };
        Json::object([
            ("schema", Json::str(SCHEMA)),
            ("generated_at", Json::str("2026-01-02T03:04:05Z")),
            ("command", Json::str("cargo xtask report --quick")),
            ("plan", Json::str("quick")),
            (
                "machine",
                Json::object([("cpus", Json::Int(2)), ("cpu_model", Json::str("CPU X"))]),
            ),
            (
                "backends",
                Json::Array(vec![backend("rustls", false), backend("native-tls", true)]),
            ),
        ])
    }

    #[test]
    fn renderings_show_every_figure_and_mark_low_ratios() {
        let perf = sample();
        let md = to_markdown(&perf);
        assert!(md.starts_with(START) && md.trim_end().ends_with(END));
        assert!(md.contains("| TLS 1.3 resumed handshake | **0.91** | — |"));
        assert!(md.contains("not measured: cannot <do> it"));
        let html = to_html(&perf);
        assert_eq!(html.matches("<svg").count(), 4);
        assert!(html.contains("cannot &lt;do&gt; it"));
        assert!(!html.contains("<do>"));
        let readme = readme_section(&perf);
        assert!(readme.contains("| TLS 1.3 resumed handshakes/s | 100 | — |"));
        assert!(readme.contains("0.91 ("));
        let block = benchmarks_block(&perf);
        assert!(block.contains("- native-tls — TLS 1.3 resumed handshake: cannot <do> it"));
        assert!(block.contains("| 100 / 110 |"));
    }

    #[test]
    fn sections_are_replaced_or_appended() {
        let section = format!("{START}\nnew\n{END}\n");
        let old = format!("# r\n\n{START}\nold\n{END}\nafter\n");
        assert_eq!(
            splice(&old, START, END, &section),
            format!("# r\n\n{section}after\n")
        );
        assert_eq!(
            splice("# r\n", START, END, &section),
            format!("# r\n\n{section}")
        );
        let html = "<html><body><p>x</p></body></html>";
        assert_eq!(
            splice_html(html, &section),
            format!("<html><body><p>x</p>{section}</body></html>")
        );
        // Idempotent.
        let once = splice_html(html, &section);
        assert_eq!(splice_html(&once, &section), once);
    }

    #[test]
    fn conformance_keeps_the_section() {
        let dir = std::env::temp_dir().join(format!("unitls-perf-{}", std::process::id()));
        fs::create_dir_all(&dir).unwrap();
        let perf = sample();
        merge_into_files(&dir, &perf, "cargo xtask report --quick").unwrap();
        let written = Json::parse(&fs::read_to_string(dir.join("report.json")).unwrap()).unwrap();
        assert_eq!(written.get("performance"), Some(&perf));
        let files = [
            (
                "report.json",
                "{\"schema\": \"unitls-report/1\"}".to_owned(),
            ),
            ("report.md", "# conformance\n".to_owned()),
            ("index.html", "<html><body>c</body></html>".to_owned()),
        ];
        let [json, md, html] = carry_over(&dir, files);
        assert_eq!(
            Json::parse(&json.1).unwrap().get("performance"),
            Some(&perf)
        );
        assert!(md
            .1
            .starts_with("# conformance\n\n<!-- performance:start -->"));
        assert!(html.1.contains("<svg") && html.1.ends_with("</body></html>"));
        let _ = fs::remove_dir_all(&dir);
    }
}
