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
//!
//! One file per concept: `bench.rs` (building and running one backend's bench, reading
//! its JSON lines), `section.rs` (the `performance` member and reading it back),
//! `markdown.rs`, `chart.rs` (the SVG bar charts) and `html.rs` (the renderings),
//! `summary.rs` (the terminal table), `files.rs` (merging the section into the report's
//! files), `codegen.rs` (README's and docs/benchmarks.md's tables from the snapshot);
//! this file holds the figures, the method and the task itself.

mod bench;
mod chart;
mod codegen;
mod files;
mod html;
mod markdown;
mod section;
mod summary;
#[cfg(test)]
mod tests;

use std::fmt::Write as _;
use std::fs;
use std::path::PathBuf;
use std::time::Instant;

use crate::workspace;
use crate::{prereqs, Result};

use bench::run_backend;
pub(crate) use codegen::{codegen_docs, splice_readme};
pub(crate) use files::carry_over;
use files::merge_into_files;
use section::performance;
use summary::terminal_summary;

/// The schema of the `performance` member.
pub(crate) use unitls_model::bench::PERFORMANCE_SCHEMA as SCHEMA;

/// Where `--snapshot` writes, and codegen reads.
const SNAPSHOT: &str = "docs/report.json";

/// Markers of the section in report.md, index.html and README.md.
const START: &str = "<!-- performance:start -->";
/// The closing marker.
const END: &str = "<!-- performance:end -->";

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
const FIGURES: [(&str, &str); 24] = [
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
    (
        "tokio_handshake_tls13_full",
        "tokio: TLS 1.3 full handshake",
    ),
    (
        "tokio_handshake_tls12_full",
        "tokio: TLS 1.2 full handshake",
    ),
    (
        "tokio_throughput_memory_aes128gcm",
        "tokio: AES-128-GCM, in memory",
    ),
    (
        "tokio_throughput_memory_aes256gcm",
        "tokio: AES-256-GCM, in memory",
    ),
    (
        "tokio_throughput_memory_chacha20poly1305",
        "tokio: ChaCha20-Poly1305, in memory",
    ),
    (
        "tokio_throughput_tcp_aes128gcm",
        "tokio: AES-128-GCM, loopback TCP",
    ),
    (
        "tokio_throughput_tcp_aes256gcm",
        "tokio: AES-256-GCM, loopback TCP",
    ),
    (
        "tokio_throughput_tcp_chacha20poly1305",
        "tokio: ChaCha20-Poly1305, loopback TCP",
    ),
    ("tokio_latency_tcp_median", "tokio: 64 B round trip, median"),
    (
        "tokio_memory_per_connection",
        "tokio: memory per idle connection",
    ),
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

/// Runs the task.
pub(crate) fn run(args: &ReportArgs) -> Result<()> {
    prereqs::run()?;
    let root = workspace::root();
    let selected = workspace::select_backends(&root, &args.backends)?;
    let out = match &args.out {
        Some(dir) => workspace::absolute(dir.clone())?,
        None => root.join("target").join("unitls-report"),
    };
    fs::create_dir_all(&out).map_err(|e| format!("cannot create {}: {e}", out.display()))?;

    let started = Instant::now();
    let mut benches = Vec::new();
    for name in &selected {
        benches.push(run_backend(&root, name, &out, args.quick));
    }
    let section = performance(&root, args, &benches, started.elapsed());

    merge_into_files(&out, &section, &reproduce(args))?;
    if args.snapshot {
        let path = root.join(SNAPSHOT);
        if let Some(dir) = path.parent() {
            fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        }
        fs::write(&path, unitls_model::to_pretty(&section))
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
