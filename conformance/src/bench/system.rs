//! What the harness asks of the operating system: one CPU, the resident set size,
//! the open-file limit. Linux files only; elsewhere each degrades to "unknown".

use std::process::{Command, ExitCode};

/// The environment variable naming the CPU the process was pinned to.
const PINNED: &str = "UNITLS_BENCH_PINNED";
/// The environment variable choosing that CPU (default: the last one allowed).
const CPU: &str = "UNITLS_BENCH_CPU";

/// The CPUs this process may run on (`Cpus_allowed_list`), if known.
pub(crate) fn allowed_cpus() -> Option<Vec<usize>> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let list = status
        .lines()
        .find_map(|l| l.strip_prefix("Cpus_allowed_list:"))?
        .trim()
        .to_owned();
    let mut cpus = Vec::new();
    for part in list.split(',') {
        match part.split_once('-') {
            Some((a, b)) => cpus.extend(a.trim().parse::<usize>().ok()?..=b.trim().parse().ok()?),
            None => cpus.push(part.trim().parse().ok()?),
        }
    }
    Some(cpus)
}

/// The CPU the process runs pinned to, if it was.
pub(crate) fn pinned_cpu() -> Option<usize> {
    std::env::var(PINNED).ok()?.parse().ok()
}

/// Re-runs this binary under `taskset -c CPU` unless it already runs on one CPU;
/// `Some(status)` is the pinned run's exit status, `None` means "go on here".
pub(crate) fn reexec_pinned(args: &[String]) -> Option<ExitCode> {
    if std::env::var_os(PINNED).is_some() {
        return None;
    }
    let allowed = allowed_cpus()?;
    if allowed.len() <= 1 {
        std::env::set_var(PINNED, allowed.first()?.to_string());
        return None;
    }
    let cpu = std::env::var(CPU)
        .ok()
        .and_then(|c| c.parse::<usize>().ok())
        .filter(|c| allowed.contains(c))
        .or_else(|| allowed.last().copied())?;
    let exe = std::env::current_exe().ok()?;
    let status = Command::new("taskset")
        .arg("-c")
        .arg(cpu.to_string())
        .arg(exe)
        .args(args)
        .env(PINNED, cpu.to_string())
        .status();
    match status {
        Ok(status) => Some(match status.code() {
            Some(0) => ExitCode::SUCCESS,
            Some(code) => ExitCode::from(u8::try_from(code).unwrap_or(1)),
            None => ExitCode::FAILURE,
        }),
        Err(e) => {
            eprintln!("warning: cannot run taskset ({e}); measuring on every CPU allowed");
            None
        }
    }
}

/// The resident set size in KiB (`VmRSS`).
pub(crate) fn rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))?
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()
}

/// The soft limit on open files, if known.
pub(crate) fn open_files_limit() -> Option<u64> {
    let limits = std::fs::read_to_string("/proc/self/limits").ok()?;
    let line = limits.lines().find(|l| l.starts_with("Max open files"))?;
    line.split_whitespace().nth(3)?.parse().ok()
}
