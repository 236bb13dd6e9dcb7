//! The workloads, run on unitls and on the direct baseline alike, and the order the
//! figures are measured in.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Command, ExitCode, Stdio};
use std::sync::{mpsc, Arc};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use unitls_core::{Capabilities, Capability, CipherSuite, ProtocolVersion, Transport};
use unitls_model::bench::{
    BenchLine, BenchMeta, Better, Figure as ModelFigure, FigureKind, Plan as SamplingPlan,
};

use super::ceiling::{self, human, Rates};
use super::output::{emit, round, round_opt, stats};
use super::stats::{compare_latencies, compare_rates, Plan, Summary};
use super::{pipe, system};
use super::{
    Aead, BenchStream, BoxTransport, Direct, Endpoints, Implementation, KeyKind, Keys, Negotiated,
    Setup, Unitls, CHUNK, ECHO_SIZE,
};
use crate::fixtures::pki;

/// No single wait of a workload may last longer (a hang fails the figure, not the run).
const IO_TIMEOUT: Duration = Duration::from_secs(60);

/// Connections made and dropped before the memory baseline is read.
const MEMORY_WARMUP: usize = 20;

/// Where the two ends of a connection meet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Wire {
    Memory,
    Tcp,
}

impl Wire {
    fn id(self) -> &'static str {
        match self {
            Wire::Memory => "memory",
            Wire::Tcp => "tcp",
        }
    }
}

/// One implementation's endpoints for a figure.
type SharedEndpoints = Arc<dyn Endpoints>;

/// A loopback listener for the process's TCP pairs.
fn listener() -> &'static TcpListener {
    static LISTENER: std::sync::OnceLock<TcpListener> = std::sync::OnceLock::new();
    LISTENER.get_or_init(|| TcpListener::bind("127.0.0.1:0").expect("bind a loopback port"))
}

/// Two connected transports, client end first, each wait bounded by [`IO_TIMEOUT`].
fn transports(wire: Wire) -> Result<(BoxTransport, BoxTransport), String> {
    match wire {
        Wire::Memory => {
            let (mut c, mut s) = pipe::pair();
            let _ = c.set_read_timeout(Some(IO_TIMEOUT));
            let _ = s.set_read_timeout(Some(IO_TIMEOUT));
            Ok((Box::new(c), Box::new(s)))
        }
        Wire::Tcp => {
            let listener = listener();
            let addr = listener.local_addr().map_err(|e| e.to_string())?;
            let c = TcpStream::connect(addr).map_err(|e| format!("connect: {e}"))?;
            let (s, _) = listener.accept().map_err(|e| format!("accept: {e}"))?;
            for end in [&c, &s] {
                let _ = end.set_nodelay(true);
                let _ = end.set_read_timeout(Some(IO_TIMEOUT));
                let _ = end.set_write_timeout(Some(IO_TIMEOUT));
            }
            Ok((Box::new(c), Box::new(s)))
        }
    }
}

/// A thread running jobs in order: the server end of the handshake figures.
struct Worker {
    jobs: Option<mpsc::Sender<Box<dyn FnOnce() + Send>>>,
    thread: Option<JoinHandle<()>>,
}

impl Worker {
    fn new() -> Worker {
        let (tx, rx) = mpsc::channel::<Box<dyn FnOnce() + Send>>();
        let thread = thread::spawn(move || {
            for job in rx {
                job();
            }
        });
        Worker {
            jobs: Some(tx),
            thread: Some(thread),
        }
    }

    fn run(&self, job: impl FnOnce() + Send + 'static) {
        if let Some(jobs) = &self.jobs {
            let _ = jobs.send(Box::new(job));
        }
    }
}

impl Drop for Worker {
    fn drop(&mut self) {
        self.jobs.take();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn io<T>(result: std::io::Result<T>) -> Result<T, String> {
    result.map_err(|e| e.to_string())
}

/// One connection as the handshake figures count it: the handshake, one octet from
/// the server (which also delivers TLS 1.3 tickets), close_notify from both ends.
/// With `inspect`, what it negotiated (asking costs, so only probes and the first
/// connection of a sample ask).
fn one_connection(
    ep: &Arc<dyn Endpoints>,
    worker: &Worker,
    wire: Wire,
    inspect: bool,
) -> Result<Negotiated, String> {
    let (client_end, server_end) = transports(wire)?;
    let (done, finished) = mpsc::channel();
    let server_ep = Arc::clone(ep);
    worker.run(move || {
        let result = server_ep.accept(server_end).and_then(|mut s| {
            io(s.write_all(b"x"))?;
            s.close();
            Ok(())
        });
        let _ = done.send(result);
    });
    let client = ep.connect(client_end);
    let negotiated = client.and_then(|mut c| {
        let mut octet = [0u8; 1];
        io(c.read_exact(&mut octet))?;
        let negotiated = if inspect {
            c.negotiated()
        } else {
            Negotiated::default()
        };
        c.close();
        Ok(negotiated)
    });
    let served = finished
        .recv_timeout(IO_TIMEOUT)
        .map_err(|_| "the server end did not finish".to_owned())?;
    let negotiated = negotiated?;
    served.map_err(|e| format!("server: {e}"))?;
    Ok(negotiated)
}

/// What the server end of a long-lived pair does next.
enum Cmd {
    /// Read this many chunks, then answer one octet.
    Sink(u64),
    /// Echo this many [`ECHO_SIZE`]-octet messages.
    Echo(usize),
}

/// A connection kept open for the throughput and latency figures; its server end
/// runs on its own thread.
struct Pair {
    client: Option<Box<dyn BenchStream>>,
    commands: Option<mpsc::Sender<Cmd>>,
    server: Option<JoinHandle<Result<(), String>>>,
    chunk: Vec<u8>,
}

impl Pair {
    fn open(ep: &Arc<dyn Endpoints>, wire: Wire) -> Result<Pair, String> {
        let (client_end, server_end) = transports(wire)?;
        let (tx, rx) = mpsc::channel::<Cmd>();
        let server_ep = Arc::clone(ep);
        let server = thread::spawn(move || -> Result<(), String> {
            let mut s = server_ep.accept(server_end)?;
            let mut buf = vec![0u8; CHUNK];
            for cmd in rx {
                match cmd {
                    Cmd::Sink(n) => {
                        let mut left = n as usize * CHUNK;
                        while left > 0 {
                            let got = io(s.read(&mut buf[..left.min(CHUNK)]))?;
                            if got == 0 {
                                return Err("EOF in the middle of a sample".into());
                            }
                            left -= got;
                        }
                        io(s.write_all(b"k"))?;
                    }
                    Cmd::Echo(n) => {
                        for _ in 0..n {
                            io(s.read_exact(&mut buf[..ECHO_SIZE]))?;
                            io(s.write_all(&buf[..ECHO_SIZE]))?;
                        }
                    }
                }
            }
            s.close();
            Ok(())
        });
        let client = ep.connect(client_end)?;
        Ok(Pair {
            client: Some(client),
            commands: Some(tx),
            server: Some(server),
            chunk: vec![0x5a; CHUNK],
        })
    }

    fn client(&mut self) -> &mut Box<dyn BenchStream> {
        self.client.as_mut().expect("open until finish")
    }

    fn send(&self, cmd: Cmd) -> Result<(), String> {
        self.commands
            .as_ref()
            .and_then(|c| c.send(cmd).ok())
            .ok_or_else(|| "the server end is gone".to_owned())
    }

    /// `n` chunks to the server and its one-octet answer.
    fn sink(&mut self, n: u64) -> Result<Duration, String> {
        let started = Instant::now();
        self.send(Cmd::Sink(n))?;
        let chunk = std::mem::take(&mut self.chunk);
        let client = self.client();
        for _ in 0..n {
            io(client.write_all(&chunk))?;
        }
        io(client.flush())?;
        let mut ack = [0u8; 1];
        io(client.read_exact(&mut ack))?;
        self.chunk = chunk;
        Ok(started.elapsed())
    }

    /// `n` round trips, each timed.
    fn echo(&mut self, n: usize) -> Result<Vec<Duration>, String> {
        self.send(Cmd::Echo(n))?;
        let request = [0x61u8; ECHO_SIZE];
        let mut reply = [0u8; ECHO_SIZE];
        let client = self.client();
        let mut times = Vec::with_capacity(n);
        for _ in 0..n {
            let started = Instant::now();
            io(client.write_all(&request))?;
            io(client.read_exact(&mut reply))?;
            times.push(started.elapsed());
        }
        Ok(times)
    }

    fn negotiated(&mut self) -> Negotiated {
        self.client().negotiated()
    }

    fn finish(mut self) -> Result<(), String> {
        self.commands.take();
        if let Some(client) = self.client.take() {
            client.close();
        }
        match self.server.take().map(JoinHandle::join) {
            Some(Ok(result)) => result,
            Some(Err(_)) => Err("the server thread panicked".into()),
            None => Ok(()),
        }
    }
}

/// Which figure, and what it wants.
#[derive(Debug, Clone, Copy)]
struct HandshakeFigure {
    name: &'static str,
    label: &'static str,
    version: ProtocolVersion,
    suite: CipherSuite,
    key: KeyKind,
    resumed: bool,
}

const HANDSHAKES: [HandshakeFigure; 4] = [
    HandshakeFigure {
        name: "handshake_tls13_full",
        label: "TLS 1.3 full handshake (X25519, ECDSA P-256)",
        version: ProtocolVersion::Tls13,
        suite: CipherSuite(0x1301),
        key: KeyKind::EcdsaP256,
        resumed: false,
    },
    HandshakeFigure {
        name: "handshake_tls13_resumed",
        label: "TLS 1.3 resumed handshake (PSK + X25519)",
        version: ProtocolVersion::Tls13,
        suite: CipherSuite(0x1301),
        key: KeyKind::EcdsaP256,
        resumed: true,
    },
    HandshakeFigure {
        name: "handshake_tls12_full",
        label: "TLS 1.2 full handshake (ECDHE-ECDSA-AES128-GCM-SHA256)",
        version: ProtocolVersion::Tls12,
        suite: CipherSuite(0xC02B),
        key: KeyKind::EcdsaP256,
        resumed: false,
    },
    HandshakeFigure {
        name: "handshake_tls13_rsa2048",
        label: "TLS 1.3 full handshake (X25519, RSA-2048 server key)",
        version: ProtocolVersion::Tls13,
        suite: CipherSuite(0x1301),
        key: KeyKind::Rsa2048,
        resumed: false,
    },
];

/// A figure being assembled.
struct Figure {
    name: String,
    label: String,
    unit: &'static str,
    higher_is_better: bool,
    transport: Option<&'static str>,
    unitls: Option<Summary>,
    direct: Option<Summary>,
    ceiling: Option<f64>,
    reason: Option<String>,
    notes: Vec<String>,
    /// unitls ÷ direct (oriented) of each interleaved pair of samples.
    paired: Option<Summary>,
    /// Whether `reason` is a failure (a workload broke) rather than a limitation of
    /// the backend.
    failed: bool,
}

impl Figure {
    fn new(name: &str, label: &str, unit: &'static str, higher_is_better: bool) -> Figure {
        Figure {
            name: name.to_owned(),
            label: label.to_owned(),
            unit,
            higher_is_better,
            transport: None,
            unitls: None,
            direct: None,
            ceiling: None,
            reason: None,
            notes: Vec::new(),
            paired: None,
            failed: false,
        }
    }

    /// The backend cannot produce this figure, for `reason`.
    fn limit(&mut self, reason: String) {
        self.reason = Some(reason);
    }

    /// The workload failed.
    fn fail(&mut self, reason: String) {
        self.reason = Some(reason);
        self.failed = true;
    }

    fn value(&self) -> Option<f64> {
        self.unitls.map(|s| s.median)
    }

    fn direct_value(&self) -> Option<f64> {
        self.direct.map(|s| s.median)
    }

    /// unitls ÷ direct, oriented so that 1.0 is no overhead and lower is worse.
    ///
    /// With interleaved samples it is the median of the pairs' ratios, so that load
    /// from elsewhere, which hits both samples of a pair alike, cancels out.
    fn ratio(&self) -> Option<f64> {
        if let Some(paired) = &self.paired {
            return Some(paired.median);
        }
        let (u, d) = (self.value()?, self.direct_value()?);
        let r = if self.higher_is_better { u / d } else { d / u };
        r.is_finite().then_some(r)
    }

    fn ceiling_fraction(&self) -> Option<f64> {
        let f = self.value()? / self.ceiling?;
        f.is_finite().then_some(f)
    }

    fn emit(self, backend: &str) {
        let fmt = |v: Option<f64>| v.map_or_else(|| "—".to_owned(), human);
        match (&self.reason, self.value()) {
            (Some(reason), None) => eprintln!("  {:<58} n/a: {reason}", self.label),
            _ => {
                let mut text = format!(
                    "  {:<58} unitls {} direct {} {}  ratio {}",
                    self.label,
                    fmt(self.value()),
                    fmt(self.direct_value()),
                    self.unit,
                    self.ratio().map_or("—".to_owned(), |r| format!("{r:.3}")),
                );
                if let Some(f) = self.ceiling_fraction() {
                    text.push_str(&format!("  ({:.1} % of the crypto ceiling)", f * 100.0));
                }
                if let Some(reason) = &self.reason {
                    text.push_str(&format!("  [{reason}]"));
                }
                eprintln!("{text}");
            }
        }
        let kind = match (&self.reason, self.failed) {
            (None, _) => None,
            (Some(_), false) => Some(FigureKind::Limitation),
            (Some(_), true) => Some(FigureKind::Failure),
        };
        let figure = ModelFigure {
            name: self.name.clone(),
            label: self.label.clone(),
            unit: Some(self.unit.to_owned()),
            better: Some(if self.higher_is_better {
                Better::Higher
            } else {
                Better::Lower
            }),
            transport: self.transport.map(str::to_owned),
            value: round_opt(self.value()),
            direct: round_opt(self.direct_value()),
            ratio: round_opt(self.ratio()),
            ratio_spread: round_opt(self.paired.as_ref().map(Summary::spread)),
            ceiling: round_opt(self.ceiling),
            ceiling_fraction: round_opt(self.ceiling_fraction()),
            reason: self.reason.clone(),
            kind,
            note: (!self.notes.is_empty()).then(|| self.notes.join("; ")),
            unitls_stats: self.unitls.as_ref().map(stats),
            direct_stats: self.direct.as_ref().map(stats),
        };
        emit(&BenchLine::Figure {
            backend: backend.to_owned(),
            figure,
        });
    }
}

/// Everything a run shares.
struct Run<'a> {
    direct: &'a Direct<'a>,
    caps: Capabilities,
    plan: Plan,
    worker: Worker,
    filter: Option<String>,
}

impl Run<'_> {
    fn backend(&self) -> &'static str {
        self.direct.backend
    }

    fn unitls(&self) -> Unitls {
        Unitls {
            backend: self.backend(),
        }
    }

    fn wanted(&self, name: &str) -> bool {
        self.filter.as_deref().map_or(true, |f| name.contains(f))
    }

    /// Why the backend lacks `cap`.
    fn lacks(&self, cap: Capability) -> String {
        let why = self
            .direct
            .limitations
            .iter()
            .find(|(c, _)| *c == cap)
            .map_or(String::new(), |(_, why)| format!(": {why}"));
        format!("{} does not declare {cap:?}{why}", self.backend())
    }

    /// The setup of a figure at `version`, with `suite` if the backend can select it.
    fn setup(
        &self,
        version: ProtocolVersion,
        suite: Option<CipherSuite>,
        key: KeyKind,
        resumption: bool,
        notes: &mut Vec<String>,
    ) -> Result<Setup, String> {
        let version_cap = match version {
            ProtocolVersion::Tls12 => Capability::Tls12,
            ProtocolVersion::Tls13 => Capability::Tls13,
        };
        if !self.caps.contains(version_cap) {
            return Err(self.lacks(version_cap));
        }
        if resumption && !self.caps.contains(Capability::Resumption) {
            return Err(self.lacks(Capability::Resumption));
        }
        let suite_cap = match version {
            ProtocolVersion::Tls12 => Capability::CipherSelection,
            ProtocolVersion::Tls13 => Capability::Tls13CipherSelection,
        };
        let suite = match suite {
            Some(s) if self.caps.contains(suite_cap) => Some(s),
            Some(_) => {
                notes.push(format!(
                    "cipher suite not selectable ({}); the library's choice",
                    self.lacks(suite_cap)
                ));
                None
            }
            None => None,
        };
        let x25519 = self.caps.contains(Capability::GroupSelection);
        if !x25519 {
            notes.push(format!(
                "key exchange not pinned ({})",
                self.lacks(Capability::GroupSelection)
            ));
        }
        Ok(Setup {
            version,
            suite,
            x25519,
            resumption,
            key,
        })
    }

    /// Both implementations' endpoints for `setup`, checked on a probe connection
    /// each: they must negotiate the same version and suite (and resume alike).
    fn prepare(
        &self,
        setup: &Setup,
        notes: &mut Vec<String>,
    ) -> Result<(SharedEndpoints, SharedEndpoints), String> {
        let unitls = self
            .unitls()
            .prepare(setup)
            .map_err(|e| format!("unitls: {e}"))?;
        let direct = self
            .direct
            .implementation
            .prepare(setup)
            .map_err(|e| format!("direct: {e}"))?;
        let probe = |ep: &Arc<dyn Endpoints>, who: &str| -> Result<Negotiated, String> {
            let mut n = one_connection(ep, &self.worker, Wire::Memory, true)
                .map_err(|e| format!("{who}: {e}"))?;
            if setup.resumption {
                n = one_connection(ep, &self.worker, Wire::Memory, true)
                    .map_err(|e| format!("{who}: {e}"))?;
                if n.resumed == Some(false) {
                    return Err(format!("{who}: the second connection did not resume"));
                }
            }
            Ok(n)
        };
        let u = probe(&unitls, "unitls")?;
        let d = probe(&direct, "direct")?;
        let differ =
            |a: Option<String>, b: Option<String>| matches!((a, b), (Some(a), Some(b)) if a != b);
        if differ(
            u.version.map(|v| v.to_string()),
            d.version.map(|v| v.to_string()),
        ) || differ(
            u.suite.map(|s| s.to_string()),
            d.suite.map(|s| s.to_string()),
        ) {
            return Err(format!(
                "unitls negotiated {} but the direct baseline {}",
                describe(&u),
                describe(&d)
            ));
        }
        if setup.x25519 && u.group.as_deref().is_some_and(|g| g != "x25519") {
            return Err(format!(
                "X25519 was pinned but unitls negotiated {}",
                describe(&u)
            ));
        }
        notes.push(format!("negotiated {}", describe(&u)));
        Ok((unitls, direct))
    }

    fn handshakes(&self, rates: &Rates) {
        for hs in HANDSHAKES {
            if !self.wanted(hs.name) {
                continue;
            }
            let mut fig = Figure::new(hs.name, hs.label, "handshakes/s", true);
            fig.transport = Some(Wire::Memory.id());
            fig.ceiling = rates.handshake(hs.key, hs.resumed);
            let setup = self.setup(
                hs.version,
                Some(hs.suite),
                hs.key,
                hs.resumed,
                &mut fig.notes,
            );
            let setup = match setup {
                Ok(setup) => setup,
                Err(e) => {
                    fig.limit(e);
                    fig.emit(self.backend());
                    continue;
                }
            };
            let measured = self.prepare(&setup, &mut fig.notes).and_then(|(u, d)| {
                let expect = hs.resumed;
                let run = |ep: &Arc<dyn Endpoints>, n: u64| {
                    let started = Instant::now();
                    for i in 0..n {
                        let got = one_connection(ep, &self.worker, Wire::Memory, i == 0)?;
                        if expect && got.resumed == Some(false) {
                            return Err("a connection did not resume".to_owned());
                        }
                    }
                    Ok(started.elapsed())
                };
                let mut ru = |n| run(&u, n);
                let mut rd = |n| run(&d, n);
                compare_rates(&self.plan, &mut ru, &mut rd)
            });
            finish_rates(&mut fig, measured, 1.0);
            fig.emit(self.backend());
        }
    }

    /// The setup that gives `aead` on this backend: TLS 1.3 with its suite, else the
    /// library's TLS 1.3 choice if it is that AEAD, else TLS 1.2 with the ECDHE-ECDSA
    /// suite, else the library's TLS 1.2 choice if it is that AEAD.
    fn throughput_setup(&self, aead: Aead, notes: &mut Vec<String>) -> Result<Setup, String> {
        let mut tried = Vec::new();
        for (version, suite) in [
            (ProtocolVersion::Tls13, aead.tls13_suite()),
            (ProtocolVersion::Tls12, aead.tls12_suite()),
        ] {
            let mut local = Vec::new();
            let setup =
                match self.setup(version, Some(suite), KeyKind::EcdsaP256, false, &mut local) {
                    Ok(setup) => setup,
                    Err(e) => {
                        tried.push(e);
                        continue;
                    }
                };
            if setup.suite.is_some() {
                notes.extend(local);
                return Ok(setup);
            }
            // The suite cannot be chosen: see what the library picks.
            let probe = self
                .unitls()
                .prepare(&setup)
                .and_then(|ep| one_connection(&ep, &self.worker, Wire::Memory, true));
            match probe {
                Ok(n) if n.suite.and_then(Aead::of_suite) == Some(aead) => {
                    notes.extend(local.into_iter().filter(|n| !n.starts_with("cipher suite")));
                    notes.push(format!(
                        "{} is the library's own choice at {version}",
                        aead.label()
                    ));
                    return Ok(setup);
                }
                Ok(n) => tried.push(format!(
                    "at {version} the suite cannot be selected ({}) and the library negotiates {}",
                    self.lacks(match version {
                        ProtocolVersion::Tls12 => Capability::CipherSelection,
                        ProtocolVersion::Tls13 => Capability::Tls13CipherSelection,
                    }),
                    n.suite
                        .map_or("an unknown suite".to_owned(), |s| s.to_string())
                )),
                Err(e) => tried.push(format!("at {version}: {e}")),
            }
        }
        Err(tried.join("; "))
    }

    fn throughput(&self, rates: &Rates) {
        for wire in [Wire::Memory, Wire::Tcp] {
            for aead in Aead::ALL {
                let name = format!("throughput_{}_{}", wire.id(), aead.id());
                if !self.wanted(&name) {
                    continue;
                }
                let label = format!(
                    "{} throughput, 16 KiB writes, {}",
                    aead.label(),
                    match wire {
                        Wire::Memory => "in memory",
                        Wire::Tcp => "loopback TCP",
                    }
                );
                let mut fig = Figure::new(&name, &label, "MB/s", true);
                fig.transport = Some(wire.id());
                fig.ceiling = rates.throughput(aead);
                let setup = match self.throughput_setup(aead, &mut fig.notes) {
                    Ok(setup) => setup,
                    Err(e) => {
                        fig.limit(e);
                        fig.emit(self.backend());
                        continue;
                    }
                };
                let measured = self.prepare(&setup, &mut fig.notes).and_then(|(u, d)| {
                    let mut pu = Pair::open(&u, wire).map_err(|e| format!("unitls: {e}"))?;
                    let mut pd = Pair::open(&d, wire).map_err(|e| format!("direct: {e}"))?;
                    let check = Aead::of_suite(pu.negotiated().suite.unwrap_or(CipherSuite(0)));
                    let result = if check.is_some_and(|a| a != aead) {
                        Err(format!("negotiated {} instead", describe(&pu.negotiated())))
                    } else {
                        compare_rates(&self.plan, &mut |n| pu.sink(n), &mut |n| pd.sink(n))
                    };
                    let closed = pu.finish().and(pd.finish());
                    let rates = result?;
                    closed?;
                    Ok(rates)
                });
                finish_rates(&mut fig, measured, CHUNK as f64 / 1e6);
                fig.emit(self.backend());
            }
        }
    }

    fn latency(&self) {
        if !self.wanted("latency_tcp") {
            return;
        }
        let mut median = Figure::new(
            "latency_tcp_median",
            "64-octet request/reply round trip, loopback TCP, median",
            "µs",
            false,
        );
        let mut notes = Vec::new();
        let setup = self.default_setup(&mut notes);
        let limited = setup.is_err();
        let measured = setup
            .and_then(|setup| self.prepare(&setup, &mut notes))
            .and_then(|(u, d)| {
                let mut pu = Pair::open(&u, Wire::Tcp).map_err(|e| format!("unitls: {e}"))?;
                let mut pd = Pair::open(&d, Wire::Tcp).map_err(|e| format!("direct: {e}"))?;
                let result =
                    compare_latencies(&self.plan, &mut |n| pu.echo(n), &mut |n| pd.echo(n));
                let closed = pu.finish().and(pd.finish());
                let samples = result?;
                closed?;
                Ok(samples)
            });
        let mut p99 = Figure::new(
            "latency_tcp_p99",
            "64-octet request/reply round trip, loopback TCP, 99th percentile",
            "µs",
            false,
        );
        for fig in [&mut median, &mut p99] {
            fig.transport = Some(Wire::Tcp.id());
            fig.notes.clone_from(&notes);
        }
        match measured {
            Ok((u, d)) => {
                let all = |blocks: &[Vec<f64>]| blocks.concat();
                let (su, sd) = (Summary::of(&all(&u)), Summary::of(&all(&d)));
                median.unitls = Some(su);
                median.direct = Some(sd);
                // The p99 figure's "median" is the 99th percentile of the same samples.
                let at_p99 = |s: Summary| Summary { median: s.p99, ..s };
                p99.unitls = Some(at_p99(su));
                p99.direct = Some(at_p99(sd));
                // Ratios per pair of interleaved blocks, as for the rates.
                let per_block = |blocks: &[Vec<f64>], p99: bool| -> Vec<f64> {
                    blocks
                        .iter()
                        .map(|b| {
                            let s = Summary::of(b);
                            if p99 {
                                s.p99
                            } else {
                                s.median
                            }
                        })
                        .collect()
                };
                median.paired = paired(&per_block(&u, false), &per_block(&d, false), false);
                p99.paired = paired(&per_block(&u, true), &per_block(&d, true), false);
                let n = u.len();
                median.notes.push(format!(
                    "{} round trips per side in {n} interleaved blocks; the ratio is the median \
                     of the blocks' ratios",
                    su.n
                ));
                p99.notes.push(format!(
                    "value = 99th percentile of all {} round trips; the ratio is the median of \
                     the {n} interleaved blocks' p99 ratios",
                    su.n
                ));
            }
            Err(e) => {
                if limited {
                    median.limit(e.clone());
                    p99.limit(e);
                } else {
                    median.fail(e.clone());
                    p99.fail(e);
                }
            }
        }
        median.emit(self.backend());
        p99.emit(self.backend());
    }

    /// TLS 1.3 full handshake with ECDSA where the backend has TLS 1.3, else TLS 1.2;
    /// no resumption.
    fn default_setup(&self, notes: &mut Vec<String>) -> Result<Setup, String> {
        let version = if self.caps.contains(Capability::Tls13) {
            ProtocolVersion::Tls13
        } else {
            notes.push(format!("TLS 1.2: {}", self.lacks(Capability::Tls13)));
            ProtocolVersion::Tls12
        };
        let suite = match version {
            ProtocolVersion::Tls13 => Aead::Aes128Gcm.tls13_suite(),
            ProtocolVersion::Tls12 => Aead::Aes128Gcm.tls12_suite(),
        };
        self.setup(version, Some(suite), KeyKind::EcdsaP256, false, notes)
    }

    fn attach_detach(&self, rates: &Rates) {
        let name = "attach_detach";
        if !self.wanted(name) {
            return;
        }
        let mut fig = Figure::new(
            name,
            "STARTTLS attach + 1 KiB + detach on a live TCP connection",
            "cycles/s",
            true,
        );
        fig.transport = Some(Wire::Tcp.id());
        let setup = match self.default_setup(&mut fig.notes) {
            Ok(setup) => setup,
            Err(e) => {
                fig.limit(e);
                fig.emit(self.backend());
                return;
            }
        };
        fig.ceiling = rates.handshake(setup.key, false);
        let measured = self.prepare(&setup, &mut fig.notes).and_then(|(u, d)| {
            let cycles = |ep: &Arc<dyn Endpoints>| -> Result<_, String> {
                let (c, s) = transports(Wire::Tcp)?;
                let server_ep = Arc::clone(ep);
                let server = thread::spawn(move || -> Result<(), String> {
                    let mut st = server_ep.starttls_server(s);
                    while st.cycle()? {}
                    Ok(())
                });
                Ok((ep.starttls_client(c), server))
            };
            let (mut cu, su) = cycles(&u)?;
            let (mut cd, sd) = cycles(&d)?;
            let run = |c: &mut Box<dyn super::StartTls>, n: u64| {
                let started = Instant::now();
                for _ in 0..n {
                    c.cycle()?;
                }
                Ok(started.elapsed())
            };
            let result = compare_rates(&self.plan, &mut |n| run(&mut cu, n), &mut |n| {
                run(&mut cd, n)
            });
            drop(cu);
            drop(cd);
            let joined = [su, sd].map(|t| t.join().unwrap_or_else(|_| Err("panicked".into())));
            let rates = result?;
            for j in joined {
                j.map_err(|e| format!("server: {e}"))?;
            }
            Ok(rates)
        });
        fig.notes.push(
            "one cycle: plain STARTTLS request and reply, full handshake, 1 KiB client to \
             server, close_notify both ways; the connection stays open"
                .into(),
        );
        finish_rates(&mut fig, measured, 1.0);
        fig.emit(self.backend());
    }

    fn memory(&self) {
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

/// Turns interleaved rates into the figure's summaries (scaled by `unit` per op).
fn finish_rates(fig: &mut Figure, measured: Result<(Vec<f64>, Vec<f64>), String>, unit: f64) {
    match measured {
        Ok((u, d)) => {
            let scale = |v: Vec<f64>| v.into_iter().map(|x| x * unit).collect::<Vec<_>>();
            fig.paired = paired(&u, &d, fig.higher_is_better);
            fig.unitls = Some(Summary::of(&scale(u)));
            fig.direct = Some(Summary::of(&scale(d)));
        }
        Err(e) => fig.fail(e),
    }
}

/// The oriented ratio of each pair of samples taken one after the other.
fn paired(unitls: &[f64], direct: &[f64], higher_is_better: bool) -> Option<Summary> {
    let ratios: Vec<f64> = unitls
        .iter()
        .zip(direct)
        .map(|(u, d)| if higher_is_better { u / d } else { d / u })
        .filter(|r| r.is_finite())
        .collect();
    (!ratios.is_empty()).then(|| Summary::of(&ratios))
}

fn describe(n: &Negotiated) -> String {
    let mut parts = Vec::new();
    parts.push(
        n.version
            .map_or("an unreported version".into(), |v| v.to_string()),
    );
    parts.push(
        n.suite
            .map_or("an unreported suite".into(), |s| s.to_string()),
    );
    if n.resumed == Some(true) {
        parts.push("resumed".into());
    }
    if let Some(group) = &n.group {
        parts.push(group.clone());
    }
    parts.join(", ")
}

/// Runs the memory measurement for `side` in a fresh child process; returns KiB per
/// connection and the transport used.
fn memory_in_child(side: &str, plan: &Plan) -> Result<(f64, &'static str), String> {
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
fn memory_child(run: &Run<'_>, side: &str, connections: usize) -> ExitCode {
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

/// The bench binary's `main` (see [`super::main`]).
pub(crate) fn main(direct: Direct<'_>) -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut quick = false;
    let mut pin = true;
    let mut filter = None;
    let mut memory_side = None;
    let mut connections = None;
    let mut samples: Option<usize> = None;
    let mut sample_ms: Option<u64> = None;
    let mut rest = args.iter();
    while let Some(arg) = rest.next() {
        match arg.as_str() {
            "--quick" => quick = true,
            "--bench" => {}
            "--no-pin" => pin = false,
            "--memory-child" => memory_side = rest.next().cloned(),
            "--connections" => connections = rest.next().and_then(|n| n.parse().ok()),
            "--filter" => filter = rest.next().cloned(),
            "--samples" => samples = rest.next().and_then(|n| n.parse().ok()),
            "--sample-ms" => sample_ms = rest.next().and_then(|n| n.parse().ok()),
            other if !other.starts_with('-') => filter = Some(other.to_owned()),
            other => {
                eprintln!(
                    "unknown option {other}; usage: compare [--quick] [--no-pin] [--filter NAME] \
                     [--samples N] [--sample-ms MS]"
                );
                return ExitCode::from(2);
            }
        }
    }
    if pin {
        if let Some(status) = system::reexec_pinned(&args) {
            return status;
        }
    }
    (direct.register)();
    let backend = direct.backend;
    let Some(caps) = unitls_core::capabilities(backend) else {
        eprintln!("backend {backend} did not register");
        return ExitCode::FAILURE;
    };
    let mut plan = if quick { Plan::quick() } else { Plan::full() };
    if let Some(samples) = samples {
        plan.samples = samples;
    }
    if let Some(ms) = sample_ms {
        plan.sample_time = Duration::from_millis(ms);
    }
    let run = Run {
        direct: &direct,
        caps,
        plan,
        worker: Worker::new(),
        filter,
    };
    if let Some(side) = memory_side {
        return memory_child(&run, &side, connections.unwrap_or(plan.connections));
    }
    let started = Instant::now();
    let info = unitls_core::implementation_info(backend);
    eprintln!(
        "==> {backend}: unitls vs {} ({}), {} plan, pinned to CPU {}",
        direct.api,
        direct.library,
        if quick { "quick" } else { "full" },
        system::pinned_cpu().map_or("(none)".to_owned(), |c| c.to_string()),
    );
    emit(&BenchLine::Meta(BenchMeta {
        backend: backend.to_owned(),
        library: info.as_ref().map(|i| i.library.clone()),
        crate_version: info.as_ref().map(|i| i.crate_version.clone()),
        direct_api: direct.api.to_owned(),
        direct_library: direct.library.clone(),
        primitives: direct.primitives_library.clone(),
        plan: if quick {
            SamplingPlan::Quick
        } else {
            SamplingPlan::Full
        },
        pinned_cpu: system::pinned_cpu().map(|c| c as u64),
        cpus_allowed: system::allowed_cpus().map(|c| c.len() as u64),
        samples: plan.samples as u64,
        sample_ms: plan.sample_time.as_millis() as u64,
        warmup_ms: plan.warmup.as_millis() as u64,
    }));

    let pki = pki();
    let keys = Keys {
        ecdsa_pkcs8: &pki.server.key_der,
        rsa_pkcs8: &pki.server_rsa.key_der,
    };
    // With a filter that leaves the ceiling out, figures have no ceiling fraction.
    let rates = if run.wanted("ceiling") {
        ceiling::measure(&plan, backend, direct.primitives, keys, &mut |l| emit(&l))
    } else {
        Rates::default()
    };
    run.handshakes(&rates);
    run.throughput(&rates);
    run.latency();
    run.attach_detach(&rates);
    run.memory();
    emit(&BenchLine::Done {
        backend: backend.to_owned(),
        seconds: round(started.elapsed().as_secs_f64()),
    });
    eprintln!(
        "==> {backend}: done in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    ExitCode::SUCCESS
}
