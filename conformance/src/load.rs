//! SPEC REL-4 — load in the blocking mode: 1,000 TLS connections open at once through
//! one blocking server, a thread per connection (small stacks), each then echoing; over
//! loopback TCP (the run's `Tcp`) or the in-memory duplex (`Memory`). The tokio half is
//! `tokio_load`.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{mpsc, Arc, Mutex, PoisonError};
use std::thread;
use std::time::{Duration, Instant};

use unitls_core::{AbstractContext, AttachOptions, CtxSpec, Side};
use unitls_model::reliability::{LoadFigures, ReliabilityLine};

use crate::faults;
use crate::harness::{bounded, BoxTransport, Conn, TransportKind};
use crate::Harness;

/// The connections held open at once.
const CONNECTIONS: usize = 1000;

/// The threads that open, handshake and then echo on the client connections.
const CLIENT_THREADS: usize = 8;

/// The stack of each server thread: enough for a handshake in a debug build, small
/// enough that 1,000 of them stay cheap.
const SERVER_STACK: usize = 256 * 1024;

/// The longest the run may take (under the suite's watchdog).
const LIMIT: Duration = Duration::from_secs(50);

/// What the run counts as it goes.
#[derive(Default)]
struct Tally {
    /// Server handshakes completed.
    handshaken: AtomicUsize,
    /// Connections that failed, either end.
    failed: AtomicUsize,
    /// When the last server handshake completed.
    last_handshake: Mutex<Option<Instant>>,
    /// The first errors, for the failure message.
    errors: Mutex<Vec<String>>,
}

impl Tally {
    fn fail(&self, what: String) {
        self.failed.fetch_add(1, Ordering::SeqCst);
        let mut errors = self.errors.lock().unwrap_or_else(PoisonError::into_inner);
        if errors.len() < 5 {
            errors.push(what);
        }
    }
}

/// REL-4: 1,000 connections through one blocking server with a thread per connection,
/// all handshaken and open at once (no client echoes before every server handshake
/// is done), then each echoes its own message and closes with close_notify; no
/// error, none lost. Records connections held and handshakes per second.
pub fn rel_4_thousand_blocking_connections(h: &Harness) {
    crate::harness::enough_open_files(4 * CONNECTIONS as u64);
    let started = Instant::now();
    let tally = Arc::new(Tally::default());
    let (ends, accepted) = mpsc::channel::<BoxTransport>();
    let address = match h.kind {
        TransportKind::Tcp => Some(listen(ends.clone())),
        TransportKind::Memory => None,
    };
    let server = {
        let (ctx, tally) = (h.server_ctx(), Arc::clone(&tally));
        let fault_mode = faults::for_child();
        thread::spawn(move || serve_all(&accepted, &ctx, &tally, fault_mode))
    };
    let client_ctx = h.client_ctx(); // one context for every connection, as in real use
    let echoed = Arc::new(AtomicUsize::new(0));
    let clients: Vec<_> = (0..CLIENT_THREADS)
        .map(|t| {
            let (ctx, tally, echoed) = (
                Arc::clone(&client_ctx),
                Arc::clone(&tally),
                Arc::clone(&echoed),
            );
            let ends = ends.clone();
            let fault_mode = faults::for_child();
            thread::spawn(move || {
                faults::set_current(fault_mode);
                let share = (t..CONNECTIONS).step_by(CLIENT_THREADS);
                let streams = open_clients(share, address, &ends, &ctx, &tally);
                wait_for_all_handshakes(&tally);
                for (i, mut stream) in streams {
                    match echo_once(&mut stream, i) {
                        Ok(()) => {
                            echoed.fetch_add(1, Ordering::SeqCst);
                        }
                        Err(e) => tally.fail(format!("client {i}: {e}")),
                    }
                }
            })
        })
        .collect();
    drop(ends);
    for client in clients {
        client.join().expect("a client thread panicked");
    }
    let served = server.join().expect("the server thread panicked");
    let duration = started.elapsed();
    let failed = tally.failed.load(Ordering::SeqCst);
    let echoed = echoed.load(Ordering::SeqCst);
    let handshaken = tally.handshaken.load(Ordering::SeqCst);
    let all_handshaken = tally
        .last_handshake
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .map_or(duration, |at| at - started);
    if h.faults.is_none() {
        crate::figures::record(&ReliabilityLine::Load(LoadFigures {
            backend: h.backend.to_owned(),
            mode: unitls_model::Mode::Blocking,
            setup: crate::figures::transport_name(h.kind).to_owned(),
            connections: handshaken,
            handshakes_per_sec: unitls_model::round(
                handshaken as f64 / all_handshaken.as_secs_f64().max(1e-9),
                1,
            ),
            errors: failed,
            lost: CONNECTIONS - echoed.min(CONNECTIONS),
            duration_secs: unitls_model::round(duration.as_secs_f64(), 3),
        }));
    }
    let errors = tally.errors.lock().unwrap_or_else(PoisonError::into_inner);
    assert_eq!(failed, 0, "REL-4: {failed} connections failed: {errors:?}");
    assert_eq!(handshaken, CONNECTIONS, "REL-4: server handshakes");
    assert_eq!(echoed, CONNECTIONS, "REL-4: connections lost");
    assert_eq!(
        served, CONNECTIONS,
        "REL-4: connections the server finished"
    );
}

/// A listener on loopback whose accepted sockets go to `ends`; its address.
fn listen(ends: mpsc::Sender<BoxTransport>) -> std::net::SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind loopback");
    let address = listener.local_addr().expect("addr");
    thread::spawn(move || {
        for _ in 0..CONNECTIONS {
            let Ok((socket, _)) = listener.accept() else {
                return;
            };
            let _ = socket.set_nodelay(true);
            if ends.send(Box::new(socket)).is_err() {
                return;
            }
        }
    });
    address
}

/// The server: a thread per connection, each attaching and echoing; the count of
/// connections it finished without error.
fn serve_all(
    accepted: &mpsc::Receiver<BoxTransport>,
    ctx: &Arc<AbstractContext>,
    tally: &Arc<Tally>,
    fault_mode: Option<(faults::FaultMode, u64)>,
) -> usize {
    faults::set_current(fault_mode);
    let until = Instant::now() + LIMIT;
    let (done, finished) = mpsc::channel::<bool>();
    let mut threads = 0;
    while threads < CONNECTIONS {
        let left = until.saturating_duration_since(Instant::now());
        let Ok(end) = accepted.recv_timeout(left) else {
            break;
        };
        let (ctx, counts, done) = (Arc::clone(ctx), Arc::clone(tally), done.clone());
        let fault_mode = faults::for_child();
        let spawned = thread::Builder::new()
            .stack_size(SERVER_STACK)
            .spawn(move || {
                faults::set_current(fault_mode);
                let result = serve_one(end, ctx, &counts);
                if let Err(e) = &result {
                    counts.fail(format!("server: {e}"));
                }
                let _ = done.send(result.is_ok());
            });
        match spawned {
            Ok(_) => threads += 1,
            Err(e) => {
                tally.fail(format!("server thread: {e}"));
                break;
            }
        }
    }
    drop(done);
    let mut ok = 0;
    for _ in 0..threads {
        let left = until.saturating_duration_since(Instant::now());
        match finished.recv_timeout(left) {
            Ok(true) => ok += 1,
            Ok(false) => {}
            Err(_) => break,
        }
    }
    ok
}

/// One server connection: attach, echo one message, read to the client's
/// close_notify, close.
fn serve_one(end: BoxTransport, ctx: Arc<AbstractContext>, tally: &Tally) -> Result<(), String> {
    let mut stream = bounded(end);
    stream.set_read_timeout(Some(LIMIT)).map_err(text)?;
    stream
        .attach_ssl(
            AttachOptions::server()
                .ctx(CtxSpec::Abstract(ctx))
                .side(Side::Server),
        )
        .map_err(text)?;
    tally.handshaken.fetch_add(1, Ordering::SeqCst);
    *tally
        .last_handshake
        .lock()
        .unwrap_or_else(PoisonError::into_inner) = Some(Instant::now());
    let mut message = [0u8; 16];
    stream.read_exact(&mut message).map_err(text)?;
    stream.write_all(&message).map_err(text)?;
    stream.flush().map_err(text)?;
    let mut rest = Vec::new();
    stream.read_to_end(&mut rest).map_err(text)?;
    stream.close().map_err(text)
}

/// Opens and handshakes the client connections numbered `share`; the failures go to
/// the tally.
fn open_clients(
    share: impl Iterator<Item = usize>,
    address: Option<std::net::SocketAddr>,
    ends: &mpsc::Sender<BoxTransport>,
    ctx: &Arc<AbstractContext>,
    tally: &Tally,
) -> Vec<(usize, Conn)> {
    let mut streams = Vec::new();
    for i in share {
        let transport: BoxTransport = match address {
            Some(address) => match TcpStream::connect(address) {
                Ok(socket) => {
                    let _ = socket.set_nodelay(true);
                    Box::new(socket)
                }
                Err(e) => {
                    tally.fail(format!("client {i}: connect: {e}"));
                    continue;
                }
            },
            None => {
                let (client, server) = unitls_core::duplex();
                let _ = ends.send(Box::new(server));
                Box::new(client)
            }
        };
        let mut stream = bounded(transport);
        let _ = stream.set_read_timeout(Some(LIMIT));
        let options = AttachOptions::client("localhost").ctx(CtxSpec::Abstract(Arc::clone(ctx)));
        match stream.attach_ssl(options) {
            Ok(()) => streams.push((i, stream)),
            Err(e) => tally.fail(format!("client {i}: attach: {e}")),
        }
    }
    streams
}

/// Waits (bounded) until every server handshake has completed or failed.
fn wait_for_all_handshakes(tally: &Tally) {
    let until = Instant::now() + LIMIT;
    while tally.handshaken.load(Ordering::SeqCst) + tally.failed.load(Ordering::SeqCst)
        < CONNECTIONS
        && Instant::now() < until
    {
        thread::sleep(Duration::from_millis(5));
    }
}

/// Sends connection `i`'s own message, checks its echo, closes.
fn echo_once(stream: &mut Conn, i: usize) -> Result<(), String> {
    let message = format!("{i:>16}");
    stream.write_all(message.as_bytes()).map_err(text)?;
    stream.flush().map_err(text)?;
    let mut echoed = [0u8; 16];
    stream.read_exact(&mut echoed).map_err(text)?;
    if echoed != message.as_bytes() {
        return Err(format!(
            "another connection's octets: {:?}",
            String::from_utf8_lossy(&echoed)
        ));
    }
    stream.close().map_err(text)
}

fn text(e: impl std::fmt::Display) -> String {
    e.to_string()
}
