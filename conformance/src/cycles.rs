//! SPEC REL-2 — memory stays flat over lifecycle cycles: thousands of attach → echo →
//! detach cycles on one connection, and of connect → close cycles, each kind in a
//! process of its own ([`crate::alone`]) whose resident memory is sampled along the
//! run; growth after warm-up must stay under 1 MiB, and no session may stay alive.
//!
//! A plain `cargo test` runs [`DEFAULT_CYCLES`]; `cargo xtask conformance` sets
//! [`CYCLES_ENV`] to 10,000 for the blocking TCP run (the report's figures), the
//! other runs keeping the default.

use std::io::{Read, Write};
use std::sync::mpsc;
use std::time::Duration;

use unitls_core::{AbstractContext, AttachOptions, CtxSpec, DetachOptions, Side};
use unitls_model::reliability::{MemoryFigures, MemorySample, ReliabilityLine};

use crate::harness::{bounded, spawn, BoxTransport, Conn, TransportKind};
use crate::Harness;

/// How many cycles of each kind the blocking TCP run does (default
/// [`DEFAULT_CYCLES`]).
pub const CYCLES_ENV: &str = "UNITLS_MEMORY_CYCLES";

/// The cycles of a run when [`CYCLES_ENV`] does not say otherwise.
pub const DEFAULT_CYCLES: usize = 1000;

/// Samples of resident memory per run.
const SAMPLES: usize = 50;

/// Growth after warm-up that fails the case (SPEC REL-2: "well under 1 MiB").
const MAX_GROWTH_KIB: i64 = 1024;

/// The longest a child may run: 55 s, or 30 ms a cycle when that is more (10,000
/// connect → close cycles over TCP take well over 55 s on a busy 2-core machine).
fn child_limit(cycles: usize) -> Duration {
    Duration::from_secs(55)
        .max(Duration::from_millis(30) * u32::try_from(cycles).unwrap_or(u32::MAX))
}

/// The two kinds of cycle.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Cycle {
    /// One connection; each cycle attaches TLS, echoes, detaches.
    AttachEchoDetach,
    /// Each cycle connects a new pair, handshakes and closes.
    ConnectClose,
}

impl Cycle {
    fn name(self) -> &'static str {
        match self {
            Cycle::AttachEchoDetach => "attach-echo-detach",
            Cycle::ConnectClose => "connect-close",
        }
    }
}

/// REL-2: 10,000 (1,000 in CI) attach → echo → detach cycles on one connection keep
/// resident memory flat after warm-up (growth under 1 MiB) and leave no live session.
pub fn rel_2_attach_echo_detach_memory_flat(h: &Harness) {
    measure(
        h,
        Cycle::AttachEchoDetach,
        "rel_2_attach_echo_detach_memory_flat",
    );
}

/// REL-2: 10,000 (1,000 in CI) connect → close cycles keep resident memory flat after
/// warm-up (growth under 1 MiB) and leave no live session.
pub fn rel_2_connect_close_memory_flat(h: &Harness) {
    measure(h, Cycle::ConnectClose, "rel_2_connect_close_memory_flat");
}

/// In the child: the cycles, written to the result file. In the case's own run: one
/// cycle here (so a broken cycle fails with its own message, in this run's mode),
/// then the measured run in a child process, judged and recorded.
fn measure(h: &Harness, cycle: Cycle, id: &str) {
    if crate::alone::is_child() {
        let figures = run_cycles(h, cycle, cycles_for(h));
        let line = unitls_model::to_line(&ReliabilityLine::Memory(figures));
        let path = std::env::var_os(crate::alone::ALONE_OUT_ENV).expect("the result file");
        std::fs::write(path, line + "\n").expect("writing the result file");
        return;
    }
    run_cycles(h, cycle, 1);
    let env = std::env::var(CYCLES_ENV)
        .map(|n| vec![(CYCLES_ENV, n)])
        .unwrap_or_default();
    let lines = crate::alone::in_child(h, id, &env, child_limit(cycles_for(h)))
        .unwrap_or_else(|e| panic!("REL-2, {} cycles: {e}", cycle.name()));
    let line = lines.first().expect("the child's figures");
    let Ok(ReliabilityLine::Memory(figures)) = serde_json::from_str(line) else {
        panic!("the child wrote {line:?}");
    };
    if h.faults.is_none() {
        crate::figures::record(&ReliabilityLine::Memory(figures.clone()));
    }
    assert_eq!(
        figures.live_sessions_after,
        0,
        "REL-2: sessions still alive after {} {} cycles",
        figures.cycles,
        cycle.name()
    );
    assert!(
        figures.growth_kib < MAX_GROWTH_KIB,
        "REL-2: resident memory grew {} KiB after warm-up over {} {} cycles: {:?}",
        figures.growth_kib,
        figures.cycles,
        cycle.name(),
        figures.samples
    );
}

/// The cycles this run does: [`CYCLES_ENV`] for the blocking TCP run, else the
/// default.
fn cycles_for(h: &Harness) -> usize {
    let full = h.kind == TransportKind::Tcp && h.async_run.is_none();
    let asked = std::env::var(CYCLES_ENV).ok().and_then(|n| n.parse().ok());
    match (full, asked) {
        (true, Some(n)) => n,
        _ => DEFAULT_CYCLES,
    }
}

/// Resident memory of this process, KiB (`VmRSS` of /proc/self/status; 0 where
/// there is none).
fn rss_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmRSS:"))
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|kib| kib.parse().ok())
        .unwrap_or(0)
}

/// Runs `cycles` cycles, sampling resident memory; the figures.
fn run_cycles(h: &Harness, cycle: Cycle, cycles: usize) -> MemoryFigures {
    let warmup = (cycles / 10).max(1);
    let every = (cycles / SAMPLES).max(1);
    let mut samples = vec![MemorySample {
        cycle: 0,
        rss_kib: rss_kib(),
    }];
    let server_ctx = h.server_ctx();
    let client_ctx = h.client_ctx();
    let mut sample = |done: usize| {
        if done % every == 0 || done == cycles || done == warmup {
            samples.push(MemorySample {
                cycle: done,
                rss_kib: rss_kib(),
            });
        }
    };
    match cycle {
        Cycle::AttachEchoDetach => {
            attach_echo_detach(h, &server_ctx, &client_ctx, cycles, &mut sample)
        }
        Cycle::ConnectClose => connect_close(h, &server_ctx, &client_ctx, cycles, &mut sample),
    }
    samples.dedup_by_key(|s| s.cycle);
    let at_warmup = samples
        .iter()
        .find(|s| s.cycle >= warmup)
        .map_or(0, |s| s.rss_kib);
    let last = samples.last().map_or(0, |s| s.rss_kib);
    MemoryFigures {
        backend: h.backend.to_owned(),
        mode: match h.async_run {
            Some(_) => unitls_model::Mode::Async,
            None => unitls_model::Mode::Blocking,
        },
        setup: crate::figures::transport_name(h.kind).to_owned(),
        cycle: cycle.name().to_owned(),
        cycles,
        warmup,
        samples,
        growth_kib: i64::try_from(last).unwrap_or(i64::MAX)
            - i64::try_from(at_warmup).unwrap_or(i64::MAX),
        live_sessions_after: unitls_core::live_sessions(h.backend),
    }
}

fn server_options(ctx: &std::sync::Arc<AbstractContext>) -> AttachOptions {
    AttachOptions::server()
        .ctx(CtxSpec::Abstract(ctx.clone()))
        .side(Side::Server)
}

fn client_options(ctx: &std::sync::Arc<AbstractContext>) -> AttachOptions {
    AttachOptions::client("localhost").ctx(CtxSpec::Abstract(ctx.clone()))
}

/// One connection; each cycle attaches TLS at both ends, echoes 16 octets and
/// detaches both ends (the server on a thread of its own for the whole run).
fn attach_echo_detach(
    h: &Harness,
    server_ctx: &std::sync::Arc<AbstractContext>,
    client_ctx: &std::sync::Arc<AbstractContext>,
    cycles: usize,
    sample: &mut dyn FnMut(usize),
) {
    let (mut client, mut server, _killers) = h.plain_pair();
    let (go, next) = mpsc::channel::<()>();
    let ctx = server_ctx.clone();
    let server_thread = spawn(move || {
        let mut message = [0u8; 16];
        for _ in 0..cycles {
            if next.recv_timeout(crate::harness::WAIT).is_err() {
                return;
            }
            server
                .attach_ssl(server_options(&ctx))
                .expect("server attach");
            server.read_exact(&mut message).expect("server read");
            server.write_all(&message).expect("server echo");
            server.flush().expect("server flush");
            server
                .detach_ssl(DetachOptions::default())
                .expect("server detach");
        }
    });
    let mut echoed = [0u8; 16];
    for i in 0..cycles {
        go.send(()).expect("the server thread");
        client
            .attach_ssl(client_options(client_ctx))
            .expect("client attach");
        let message = format!("{i:>16}");
        client.write_all(message.as_bytes()).expect("client write");
        client.flush().expect("client flush");
        client.read_exact(&mut echoed).expect("the echo");
        assert_eq!(&echoed, message.as_bytes(), "the echo, cycle {i}");
        client
            .detach_ssl(DetachOptions::default())
            .expect("client detach");
        sample(i + 1);
    }
    drop(go);
    server_thread.join();
}

/// Each cycle connects a new pair, handshakes both ends, and closes them (the server
/// first; the client reads to its close_notify, then closes).
fn connect_close(
    h: &Harness,
    server_ctx: &std::sync::Arc<AbstractContext>,
    client_ctx: &std::sync::Arc<AbstractContext>,
    cycles: usize,
    sample: &mut dyn FnMut(usize),
) {
    let (ends, accepted) = mpsc::channel::<BoxTransport>();
    let (done, finished) = mpsc::channel::<()>();
    let ctx = server_ctx.clone();
    let server_thread = spawn(move || {
        while let Ok(end) = accepted.recv_timeout(crate::harness::WAIT) {
            let mut server = bounded(end);
            server
                .attach_ssl(server_options(&ctx))
                .expect("server attach");
            server.close().expect("server close");
            drop(server);
            if done.send(()).is_err() {
                return;
            }
        }
    });
    for i in 0..cycles {
        let (client_end, server_end, _killers) = h.pair();
        ends.send(server_end).expect("the server thread");
        let mut client: Conn = bounded(client_end);
        client
            .attach_ssl(client_options(client_ctx))
            .expect("client attach");
        let mut rest = Vec::new();
        client
            .read_to_end(&mut rest)
            .expect("the server's close_notify");
        client.close().expect("client close");
        drop(client);
        finished
            .recv_timeout(crate::harness::WAIT)
            .unwrap_or_else(|_| panic!("the server did not finish cycle {i}"));
        sample(i + 1);
    }
    drop(ends);
    server_thread.join();
}
