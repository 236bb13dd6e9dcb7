//! Memory per idle connection: the resident set's growth in a fresh child process.

use std::io::{Read, Write};
use std::process::{Command, ExitCode, Stdio};
use std::sync::{mpsc, Arc};
use std::thread;
use std::time::Duration;

use super::figure::{paired, Figure};
use super::wire::{io, transports, Wire, IO_TIMEOUT};
use super::Run;
use crate::bench::stats::{Plan, Summary};
use crate::bench::system;
use crate::bench::{BenchStream, Implementation};

/// Connections made and dropped before the memory baseline is read.
pub(super) const MEMORY_WARMUP: usize = 20;

impl Run<'_> {
    pub(super) fn memory(&self) {
        let name = "memory_per_connection";
        if !self.wanted(name) {
            return;
        }
        let mut fig = Figure::new(
            name,
            "Memory per established idle connection (client + server ends)",
            "KiB",
            false,
        );
        let runs = self.plan.memory_runs.max(1);
        let mut unitls = Vec::new();
        let mut direct = Vec::new();
        let mut failure = None;
        let mut wire = None;
        for i in 0..runs * 2 {
            let side = if i % 2 == 0 { "unitls" } else { "direct" };
            match memory_in_child(side, &self.plan) {
                Ok((kib, w)) => {
                    wire = Some(w);
                    if side == "unitls" {
                        unitls.push(kib);
                    } else {
                        direct.push(kib);
                    }
                }
                Err(e) => {
                    failure = Some(format!("{side}: {e}"));
                    break;
                }
            }
        }
        fig.transport = wire;
        match failure {
            Some(e) => fig.fail(e),
            None => {
                fig.paired = paired(&unitls, &direct, false);
                fig.unitls = Some(Summary::of(&unitls));
                fig.direct = Some(Summary::of(&direct));
            }
        }
        fig.notes.push(format!(
            "resident set (VmRSS) growth while {} connections are established and held \
             idle (each: handshake, one octet, then nothing), divided by their number; both \
             ends live in one fresh process per run, {} run(s) per side; the same method \
             for every library, since heap counters cannot see C allocations",
            self.plan.connections, runs
        ));
        let mut local = Vec::new();
        if let Ok(setup) = self.default_setup(&mut local) {
            fig.notes.push(format!(
                "setup: {}{}",
                setup.version,
                setup.suite.map_or(String::new(), |s| format!(", {s}"))
            ));
        }
        fig.emit(self.backend());
    }
}

/// Runs the memory measurement for `side` in a fresh child process; returns KiB per
/// connection and the transport used.
pub(super) fn memory_in_child(side: &str, plan: &Plan) -> Result<(f64, &'static str), String> {
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    let mut command = Command::new(exe);
    command
        .arg("--memory-child")
        .arg(side)
        .arg("--connections")
        .arg(plan.connections.to_string())
        .env_remove("UNITLS_BENCH_FILE")
        .stdin(Stdio::null())
        .stderr(Stdio::inherit());
    let output = command.output().map_err(|e| e.to_string())?;
    if !output.status.success() {
        return Err(format!("the measuring process failed ({})", output.status));
    }
    let text = String::from_utf8_lossy(&output.stdout);
    let line = text
        .lines()
        .rev()
        .find(|l| l.starts_with("memory "))
        .ok_or("the measuring process printed no result")?;
    // "memory <kib-per-connection> <wire>"
    let mut parts = line.split_whitespace().skip(1);
    let kib = parts
        .next()
        .and_then(|v| v.parse::<f64>().ok())
        .ok_or("unreadable memory result")?;
    let wire = match parts.next() {
        Some("tcp") => Wire::Tcp.id(),
        _ => Wire::Memory.id(),
    };
    Ok((kib, wire))
}

/// The child side: `connections` idle connections of `side`, resident set before and
/// after. Prints `memory <KiB per connection> <wire>`.
pub(super) fn memory_child(run: &Run<'_>, side: &str, connections: usize) -> ExitCode {
    let mut notes = Vec::new();
    let setup = match run.default_setup(&mut notes) {
        Ok(setup) => setup,
        Err(e) => {
            eprintln!("memory: {e}");
            return ExitCode::FAILURE;
        }
    };
    let unitls = run.unitls();
    let implementation: &dyn Implementation = if side == "unitls" {
        &unitls
    } else {
        run.direct.implementation
    };
    let ep = match implementation.prepare(&setup) {
        Ok(ep) => ep,
        Err(e) => {
            eprintln!("memory: {e}");
            return ExitCode::FAILURE;
        }
    };
    // Two descriptors per connection; fall back to memory pairs under a low limit.
    let wire = if system::open_files_limit().is_some_and(|l| l as usize > 2 * connections + 64) {
        Wire::Tcp
    } else {
        Wire::Memory
    };
    let open = |held: &mut Vec<Box<dyn BenchStream>>| -> Result<(), String> {
        let (client_end, server_end) = transports(wire)?;
        let (tx, rx) = mpsc::channel();
        let server_ep = Arc::clone(&ep);
        run.worker.run(move || {
            let result = server_ep.accept(server_end).and_then(|mut s| {
                io(s.write_all(b"x"))?;
                io(s.flush())?;
                Ok(s)
            });
            let _ = tx.send(result);
        });
        let mut client = ep.connect(client_end)?;
        let mut octet = [0u8; 1];
        io(client.read_exact(&mut octet))?;
        let server = rx
            .recv_timeout(IO_TIMEOUT)
            .map_err(|_| "the server end did not finish")??;
        held.push(client);
        held.push(server);
        Ok(())
    };
    let mut warm = Vec::new();
    for _ in 0..MEMORY_WARMUP {
        if let Err(e) = open(&mut warm) {
            eprintln!("memory: {e}");
            return ExitCode::FAILURE;
        }
    }
    for s in warm.drain(..) {
        s.close();
    }
    thread::sleep(Duration::from_millis(50));
    let Some(before) = system::rss_kib() else {
        eprintln!("memory: /proc/self/status has no VmRSS");
        return ExitCode::FAILURE;
    };
    let mut held = Vec::with_capacity(2 * connections);
    for _ in 0..connections {
        if let Err(e) = open(&mut held) {
            eprintln!("memory: {e}");
            return ExitCode::FAILURE;
        }
    }
    thread::sleep(Duration::from_millis(50));
    let after = system::rss_kib().unwrap_or(before);
    let per = after.saturating_sub(before) as f64 / connections as f64;
    println!("memory {per:.3} {}", wire.id());
    // Exit without tearing 2,000 connections down.
    std::process::exit(0);
}
