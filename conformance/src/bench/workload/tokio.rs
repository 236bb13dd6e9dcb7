//! The tokio-mode figures: `unitls::tokio` against the library's own tokio adaptor
//! (tokio-rustls, tokio-openssl, tokio-boring, tokio-native-tls), on one
//! current-thread runtime per figure (the process is pinned to one CPU, both ends
//! share it, as in the blocking figures): TLS 1.3 and 1.2 handshakes in memory, each
//! AEAD's throughput in memory and over loopback TCP, and the 64-octet round trip.

use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::runtime::Runtime;
use unitls_core::{CipherSuite, ProtocolVersion};

use super::figure::{finish_rates, paired, Figure};
use super::memory::memory_in_child;
use super::stream::throughput_label;
use super::wire::Wire;
use super::Run;
use crate::bench::ceiling::Rates;
use crate::bench::stats::{compare_latencies, compare_rates, Summary};
use crate::bench::system;
use crate::bench::{Aead, AsyncEndpoints, AsyncStream, BoxIo, KeyKind, Setup, CHUNK, ECHO_SIZE};

/// One figure's endpoints: unitls's and the direct adaptor's.
type Both = (Arc<dyn AsyncEndpoints>, Arc<dyn AsyncEndpoints>);

fn runtime() -> Result<Runtime, String> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())
}

/// Two connected tokio transports of `wire`: client end, server end.
async fn transports(wire: Wire) -> Result<(BoxIo, BoxIo), String> {
    match wire {
        Wire::Memory => {
            let (a, b) = tokio::io::duplex(256 * 1024);
            Ok((Box::new(a), Box::new(b)))
        }
        Wire::Tcp => {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
                .await
                .map_err(|e| e.to_string())?;
            let addr = listener.local_addr().map_err(|e| e.to_string())?;
            let (client, accepted) =
                tokio::join!(tokio::net::TcpStream::connect(addr), listener.accept());
            let client = client.map_err(|e| e.to_string())?;
            let (server, _) = accepted.map_err(|e| e.to_string())?;
            let _ = client.set_nodelay(true);
            let _ = server.set_nodelay(true);
            Ok((Box::new(client), Box::new(server)))
        }
    }
}

/// Handshakes a client and a server of `ep` over a fresh pair of `wire`.
async fn connected(
    ep: &Arc<dyn AsyncEndpoints>,
    wire: Wire,
) -> Result<(AsyncStream, AsyncStream), String> {
    let (client_io, server_io) = transports(wire).await?;
    let (client, server) = tokio::join!(ep.connect(client_io), ep.accept(server_io));
    Ok((client?, server?))
}

fn io_text(e: std::io::Error) -> String {
    e.to_string()
}

/// A long-lived connection of one implementation, on its own runtime.
struct AsyncPair {
    runtime: Runtime,
    client: AsyncStream,
    server: AsyncStream,
    chunk: Vec<u8>,
    sink: Vec<u8>,
}

impl AsyncPair {
    fn open(ep: &Arc<dyn AsyncEndpoints>, wire: Wire) -> Result<AsyncPair, String> {
        let runtime = runtime()?;
        let (client, server) = runtime.block_on(connected(ep, wire))?;
        Ok(AsyncPair {
            runtime,
            client,
            server,
            chunk: vec![0x5a; CHUNK],
            sink: vec![0; CHUNK],
        })
    }

    /// `n` writes of [`CHUNK`] octets, all read at the other end.
    fn sink(&mut self, n: u64) -> Result<Duration, String> {
        let AsyncPair {
            runtime,
            client,
            server,
            chunk,
            sink,
        } = self;
        runtime.block_on(async {
            let started = Instant::now();
            let write = async {
                for _ in 0..n {
                    client.write_all(chunk).await.map_err(io_text)?;
                }
                client.flush().await.map_err(io_text)
            };
            let read = async {
                let mut left = n as usize * CHUNK;
                while left > 0 {
                    let got = server
                        .read(&mut sink[..left.min(CHUNK)])
                        .await
                        .map_err(io_text)?;
                    if got == 0 {
                        return Err("EOF in the middle of a sample".to_owned());
                    }
                    left -= got;
                }
                Ok(())
            };
            let (wrote, read) = tokio::join!(write, read);
            wrote?;
            read?;
            Ok(started.elapsed())
        })
    }

    /// `n` round trips of [`ECHO_SIZE`] octets, each timed.
    fn echo(&mut self, n: usize) -> Result<Vec<Duration>, String> {
        let AsyncPair {
            runtime,
            client,
            server,
            ..
        } = self;
        runtime.block_on(async {
            let request = [0x61u8; ECHO_SIZE];
            let mut times = Vec::with_capacity(n);
            let serve = async {
                let mut buf = [0u8; ECHO_SIZE];
                for _ in 0..n {
                    server.read_exact(&mut buf).await.map_err(io_text)?;
                    server.write_all(&buf).await.map_err(io_text)?;
                    server.flush().await.map_err(io_text)?;
                }
                Ok::<(), String>(())
            };
            let ask = async {
                let mut reply = [0u8; ECHO_SIZE];
                for _ in 0..n {
                    let started = Instant::now();
                    client.write_all(&request).await.map_err(io_text)?;
                    client.flush().await.map_err(io_text)?;
                    client.read_exact(&mut reply).await.map_err(io_text)?;
                    times.push(started.elapsed());
                }
                Ok::<(), String>(())
            };
            let (served, asked) = tokio::join!(serve, ask);
            served?;
            asked?;
            Ok(times)
        })
    }

    /// Ends both ends in order (close_notify).
    fn finish(mut self) -> Result<(), String> {
        let AsyncPair {
            runtime,
            client,
            server,
            ..
        } = &mut self;
        runtime.block_on(async {
            let _ = client.shutdown().await;
            let _ = server.shutdown().await;
        });
        Ok(())
    }
}

/// The setup of a figure, or `None` with the figure marked as something the backend
/// cannot do (a limitation, not a failure).
fn usable(setup: Result<Setup, String>, fig: &mut Figure) -> Option<Setup> {
    match setup {
        Ok(setup) => Some(setup),
        Err(e) => {
            fig.limit(e);
            None
        }
    }
}

impl Run<'_> {
    /// Both implementations' tokio endpoints for `setup`.
    fn prepare_tokio(&self, setup: &Setup) -> Result<Both, String> {
        let unitls = crate::bench::Implementation::prepare_async(&self.unitls(), setup)
            .map_err(|e| format!("unitls: {e}"))?;
        let direct = self
            .direct
            .implementation
            .prepare_async(setup)
            .map_err(|e| format!("direct: {e}"))?;
        Ok((unitls, direct))
    }

    /// Every tokio-mode figure.
    pub(super) fn tokio_figures(&self, rates: &Rates) {
        self.tokio_handshakes(rates);
        self.tokio_throughput(rates);
        self.tokio_latency();
        self.tokio_memory();
    }

    /// Memory per idle connection in the tokio mode, the blocking figure's method
    /// (`memory.rs`): a fresh child process per run and side.
    fn tokio_memory(&self) {
        let name = "tokio_memory_per_connection";
        if !self.wanted(name) {
            return;
        }
        let mut fig = Figure::new(
            name,
            "tokio: memory per established idle connection (client + server ends)",
            "KiB",
            false,
        );
        let runs = self.plan.memory_runs.max(1);
        let (mut unitls, mut direct) = (Vec::new(), Vec::new());
        let mut failure = None;
        for i in 0..runs * 2 {
            let side = if i % 2 == 0 {
                "tokio-unitls"
            } else {
                "tokio-direct"
            };
            match memory_in_child(side, &self.plan) {
                Ok((kib, wire)) => {
                    fig.transport = Some(wire);
                    if i % 2 == 0 {
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
        match failure {
            Some(e) => fig.fail(e),
            None => {
                fig.paired = paired(&unitls, &direct, false);
                fig.unitls = Some(Summary::of(&unitls));
                fig.direct = Some(Summary::of(&direct));
            }
        }
        fig.notes.push(format!(
            "resident set (VmRSS) growth while {} tokio connections are established and \
             held idle on one current-thread runtime, divided by their number; one fresh \
             process per run and side, {runs} run(s) per side",
            self.plan.connections
        ));
        fig.emit(self.backend());
    }

    fn tokio_handshakes(&self, rates: &Rates) {
        let figures = [
            (
                "tokio_handshake_tls13_full",
                "tokio: TLS 1.3 full handshake (X25519, ECDSA P-256)",
                ProtocolVersion::Tls13,
                CipherSuite(0x1301),
            ),
            (
                "tokio_handshake_tls12_full",
                "tokio: TLS 1.2 full handshake (ECDHE-ECDSA-AES128-GCM-SHA256)",
                ProtocolVersion::Tls12,
                CipherSuite(0xC02B),
            ),
        ];
        for (name, label, version, suite) in figures {
            if !self.wanted(name) {
                continue;
            }
            let mut fig = Figure::new(name, label, "handshakes/s", true);
            fig.transport = Some(Wire::Memory.id());
            fig.ceiling = rates.handshake(KeyKind::EcdsaP256, false);
            let setup = self.setup(
                version,
                Some(suite),
                KeyKind::EcdsaP256,
                false,
                &mut fig.notes,
            );
            let Some(setup) = usable(setup, &mut fig) else {
                fig.emit(self.backend());
                continue;
            };
            let measured = self.prepare_tokio(&setup).and_then(|(u, d)| {
                let runtime = runtime()?;
                let run = |ep: &Arc<dyn AsyncEndpoints>, n: u64| {
                    runtime.block_on(async {
                        let started = Instant::now();
                        for _ in 0..n {
                            let (mut client, mut server) = connected(ep, Wire::Memory).await?;
                            let _ = client.shutdown().await;
                            let _ = server.shutdown().await;
                        }
                        Ok(started.elapsed())
                    })
                };
                compare_rates(&self.plan, &mut |n| run(&u, n), &mut |n| run(&d, n))
            });
            finish_rates(&mut fig, measured, 1.0);
            fig.emit(self.backend());
        }
    }

    fn tokio_throughput(&self, rates: &Rates) {
        for (wire, aead) in [Wire::Memory, Wire::Tcp]
            .into_iter()
            .flat_map(|wire| Aead::ALL.map(|aead| (wire, aead)))
        {
            let name = format!("tokio_throughput_{}_{}", wire.id(), aead.id());
            if !self.wanted(&name) {
                continue;
            }
            let label = format!("tokio: {}", throughput_label(aead, wire));
            let mut fig = Figure::new(&name, &label, "MB/s", true);
            fig.transport = Some(wire.id());
            fig.ceiling = rates.throughput(aead);
            let setup = self.throughput_setup(aead, &mut fig.notes);
            let Some(setup) = usable(setup, &mut fig) else {
                fig.emit(self.backend());
                continue;
            };
            let measured = self.prepare_tokio(&setup).and_then(|(u, d)| {
                let mut pu = AsyncPair::open(&u, wire).map_err(|e| format!("unitls: {e}"))?;
                let mut pd = AsyncPair::open(&d, wire).map_err(|e| format!("direct: {e}"))?;
                let result = compare_rates(&self.plan, &mut |n| pu.sink(n), &mut |n| pd.sink(n));
                let closed = pu.finish().and(pd.finish());
                let rates = result?;
                closed?;
                Ok(rates)
            });
            finish_rates(&mut fig, measured, CHUNK as f64 / 1e6);
            fig.emit(self.backend());
        }
    }

    fn tokio_latency(&self) {
        let name = "tokio_latency_tcp_median";
        if !self.wanted(name) {
            return;
        }
        let mut fig = Figure::new(
            name,
            "tokio: 64-octet request/reply round trip, loopback TCP, median",
            "µs",
            false,
        );
        fig.transport = Some(Wire::Tcp.id());
        let setup = self.default_setup(&mut fig.notes);
        let Some(setup) = usable(setup, &mut fig) else {
            fig.emit(self.backend());
            return;
        };
        let measured = self.prepare_tokio(&setup).and_then(|(u, d)| {
            let mut pu = AsyncPair::open(&u, Wire::Tcp).map_err(|e| format!("unitls: {e}"))?;
            let mut pd = AsyncPair::open(&d, Wire::Tcp).map_err(|e| format!("direct: {e}"))?;
            let result = compare_latencies(&self.plan, &mut |n| pu.echo(n), &mut |n| pd.echo(n));
            let closed = pu.finish().and(pd.finish());
            let samples = result?;
            closed?;
            Ok(samples)
        });
        match measured {
            Ok((u, d)) => {
                let (su, sd) = (Summary::of(&u.concat()), Summary::of(&d.concat()));
                fig.unitls = Some(su);
                fig.direct = Some(sd);
                let medians = |blocks: &[Vec<f64>]| -> Vec<f64> {
                    blocks.iter().map(|b| Summary::of(b).median).collect()
                };
                fig.paired = paired(&medians(&u), &medians(&d), false);
                fig.notes.push(format!(
                    "{} round trips per side in {} interleaved blocks, client and server on one \
                     current-thread runtime",
                    su.n,
                    u.len()
                ));
            }
            Err(e) => fig.fail(e),
        }
        fig.emit(self.backend());
    }
}

/// The child side of [`Run::tokio_memory`]: `connections` idle tokio connections of
/// `side` (`tokio-unitls` or `tokio-direct`), resident set before and after. Prints
/// `memory <KiB per connection> <wire>`.
pub(super) fn tokio_memory_child(run: &Run<'_>, side: &str, connections: usize) -> ExitCode {
    let fail = |e: String| {
        eprintln!("memory: {e}");
        ExitCode::FAILURE
    };
    let mut notes = Vec::new();
    let endpoints = run
        .default_setup(&mut notes)
        .and_then(|setup| run.prepare_tokio(&setup));
    let (unitls, direct) = match endpoints {
        Ok(both) => both,
        Err(e) => return fail(e),
    };
    let ep = if side == "tokio-unitls" {
        unitls
    } else {
        direct
    };
    let wire = if system::open_files_limit().is_some_and(|l| l as usize > 2 * connections + 64) {
        Wire::Tcp
    } else {
        Wire::Memory
    };
    let runtime = match runtime() {
        Ok(runtime) => runtime,
        Err(e) => return fail(e),
    };
    let open = |held: &mut Vec<AsyncStream>| {
        runtime.block_on(async {
            let (mut client, mut server) = connected(&ep, wire).await?;
            server.write_all(b"x").await.map_err(io_text)?;
            server.flush().await.map_err(io_text)?;
            let mut octet = [0u8; 1];
            client.read_exact(&mut octet).await.map_err(io_text)?;
            held.push(client);
            held.push(server);
            Ok::<(), String>(())
        })
    };
    let mut warm = Vec::new();
    for _ in 0..super::memory::MEMORY_WARMUP {
        if let Err(e) = open(&mut warm) {
            return fail(e);
        }
    }
    drop(warm);
    std::thread::sleep(Duration::from_millis(50));
    let Some(before) = system::rss_kib() else {
        return fail("/proc/self/status has no VmRSS".into());
    };
    let mut held = Vec::with_capacity(2 * connections);
    for _ in 0..connections {
        if let Err(e) = open(&mut held) {
            return fail(e);
        }
    }
    std::thread::sleep(Duration::from_millis(50));
    let after = system::rss_kib().unwrap_or(before);
    let per = after.saturating_sub(before) as f64 / connections as f64;
    println!("memory {per:.3} {}", wire.id());
    // Exit without tearing 2,000 connections down.
    std::process::exit(0);
}
