//! What every case runs on: a backend name, a transport kind, connected pairs, ready
//! contexts, and bounded waits so that no case can hang the run.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::sync::Arc;
use std::thread;
use std::time::Duration;

use unitls_core::{
    create_client_context, create_server_context, duplex, AbstractContext, AttachOptions,
    ContextBuilder, CtxSpec, IdentitySource, MemoryCloser, Side, Source, Transport, TrustSource,
};

pub use crate::conn::Conn;
use crate::faults::{self, FaultMode};
use crate::fixtures::{pki, Leaf};
use crate::NativeFixtures;

/// A boxed transport, so one case body serves TCP and in-memory alike.
pub type BoxTransport = Box<dyn Transport + Send>;

/// How long any single wait in a case may last before the case fails.
pub const WAIT: Duration = Duration::from_secs(10);

/// The transports every case runs over (issue: "both TcpStream on loopback and the
/// in-memory transport").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TransportKind {
    /// TCP on 127.0.0.1.
    Tcp,
    /// [`unitls_core::duplex`].
    Memory,
}

/// Closes a transport abruptly from outside: the peer reads EOF without close_notify.
#[derive(Debug)]
pub enum Killer {
    /// A clone of the TCP socket.
    Tcp(TcpStream),
    /// The in-memory end's closer.
    Memory(MemoryCloser),
    /// An async run's in-memory end (dropped: the peer reads end of stream).
    Shared(crate::tokio_bridge::SharedIo),
}

impl Killer {
    /// Shuts the transport down in both directions.
    pub fn kill(&self) {
        match self {
            Killer::Tcp(socket) => {
                let _ = socket.shutdown(std::net::Shutdown::Both);
            }
            Killer::Memory(closer) => closer.close(),
            Killer::Shared(io) => io.kill(),
        }
    }
}

/// Kills for both ends of a pair.
#[derive(Debug)]
pub struct Killers {
    /// Kills the client's end.
    pub client: Killer,
    /// Kills the server's end.
    pub server: Killer,
}

/// The environment of one case run.
#[derive(Clone)]
pub struct Harness {
    /// The backend under test.
    pub backend: &'static str,
    /// The transport of this run.
    pub kind: TransportKind,
    /// The backend's native-object adapter.
    pub natives: &'static dyn NativeFixtures,
    /// Faults injected into every case stream's transport (SPEC REL-1), if any.
    pub faults: Option<FaultMode>,
    /// In an async run (SPEC "Modes"): its runtime; the pairs the harness makes are
    /// then tokio transports and the streams over them tokio streams.
    pub async_run: Option<Arc<crate::tokio_bridge::AsyncRun>>,
    fallback: Arc<AtomicBool>,
}

impl Harness {
    /// A harness for one run.
    pub fn new(
        backend: &'static str,
        kind: TransportKind,
        natives: &'static dyn NativeFixtures,
    ) -> Harness {
        Harness {
            backend,
            kind,
            natives,
            faults: None,
            async_run: None,
            fallback: Arc::default(),
        }
    }

    /// The same run with faults injected into the transport of every stream the case
    /// makes through the harness ([`bounded`], [`Conn::new`]); raw transports a case
    /// writes to directly stay clean. Call [`enter`](Self::enter) on the case's thread.
    pub fn with_faults(mut self, mode: FaultMode) -> Harness {
        self.faults = Some(mode);
        self
    }

    /// Makes this run's fault mode the current thread's, seeded by `seed`.
    pub fn enter(&self, seed: u64) {
        faults::set_current(self.faults.map(|mode| (mode, seed)));
    }

    /// Whether the backend lacks `capability`. A case that then checks the SPEC's
    /// documented fallback instead (e.g. `resumed()` stays false) says so by asking
    /// this, and its pass counts as `unsupported`, not as a failed declaration.
    pub fn lacks(&self, capability: unitls_core::Capability) -> bool {
        let missing =
            !unitls_core::capabilities(self.backend).is_some_and(|c| c.contains(capability));
        if missing {
            self.fallback.store(true, Ordering::SeqCst);
        }
        missing
    }

    pub(crate) fn fallback_flag(&self) -> Arc<AtomicBool> {
        Arc::clone(&self.fallback)
    }

    /// The same run in the tokio mode.
    pub fn in_async_mode(mut self) -> Harness {
        self.async_run = Some(Arc::new(crate::tokio_bridge::AsyncRun::new()));
        self
    }

    /// Two connected raw transports of this run's kind: client end, server end (in
    /// an async run, tokio transports behind them).
    pub fn pair(&self) -> (BoxTransport, BoxTransport, Killers) {
        match &self.async_run {
            Some(run) => crate::tokio_bridge::pair(run, self.kind),
            None => Harness::pair_of(self.kind),
        }
    }

    /// Two connected raw transports of `kind`: client end, server end.
    pub fn pair_of(kind: TransportKind) -> (BoxTransport, BoxTransport, Killers) {
        match kind {
            TransportKind::Tcp => {
                let listener = TcpListener::bind("127.0.0.1:0").expect("bind loopback");
                let client =
                    TcpStream::connect(listener.local_addr().expect("addr")).expect("connect");
                let (server, _) = listener.accept().expect("accept");
                let _ = client.set_nodelay(true);
                let _ = server.set_nodelay(true);
                let killers = Killers {
                    client: Killer::Tcp(client.try_clone().expect("clone")),
                    server: Killer::Tcp(server.try_clone().expect("clone")),
                };
                (Box::new(client), Box::new(server), killers)
            }
            TransportKind::Memory => {
                let (client, server) = duplex();
                let killers = Killers {
                    client: Killer::Memory(client.closer()),
                    server: Killer::Memory(server.closer()),
                };
                (Box::new(client), Box::new(server), killers)
            }
        }
    }

    /// Two plain streams over a fresh pair, with bounded read timeouts.
    pub fn plain_pair(&self) -> (Conn, Conn, Killers) {
        let (client, server, killers) = self.pair();
        (bounded(client), bounded(server), killers)
    }

    /// A server context builder with the standard leaf, on this backend.
    pub fn server_builder(&self) -> ContextBuilder {
        self.server_builder_with(&pki().server)
    }

    /// A server context builder presenting `leaf`.
    pub fn server_builder_with(&self, leaf: &Leaf) -> ContextBuilder {
        create_server_context()
            .implementation(self.backend)
            .identity(IdentitySource::pem(
                leaf.chain_pem.clone(),
                leaf.key_pem.clone(),
            ))
    }

    /// A client context builder trusting only the suite's CA, on this backend.
    pub fn client_builder(&self) -> ContextBuilder {
        create_client_context()
            .implementation(self.backend)
            .trust_only([TrustSource::Pem(Source::memory(pki().ca_pem.clone()))])
    }

    /// The standard server context.
    pub fn server_ctx(&self) -> Arc<AbstractContext> {
        self.server_builder().build().expect("server context")
    }

    /// The standard client context.
    pub fn client_ctx(&self) -> Arc<AbstractContext> {
        self.client_builder().build().expect("client context")
    }

    /// Client attach options verifying `localhost` against the suite's CA.
    pub fn client_opts(&self) -> AttachOptions {
        AttachOptions::client("localhost").ctx(CtxSpec::Abstract(self.client_ctx()))
    }

    /// Server attach options with the standard identity.
    pub fn server_opts(&self) -> AttachOptions {
        AttachOptions::server()
            .ctx(CtxSpec::Abstract(self.server_ctx()))
            .side(Side::Server)
    }

    /// A client and a server with TLS attached to each other, plus the killers.
    pub fn connected(&self) -> (Conn, Conn, Killers) {
        self.connected_with(self.client_opts(), self.server_opts())
    }

    /// A client and a server attached with these options (both must succeed).
    pub fn connected_with(
        &self,
        client_opts: AttachOptions,
        server_opts: AttachOptions,
    ) -> (Conn, Conn, Killers) {
        let (mut client, mut server, killers) = self.plain_pair();
        let server_thread = spawn(move || server.attach_ssl(server_opts).map(|()| server));
        client.attach_ssl(client_opts).expect("client attach");
        let server = server_thread.join().expect("server attach");
        (client, server, killers)
    }
}

/// A plain stream over `transport` whose reads give up after [`WAIT`].
pub fn bounded(transport: BoxTransport) -> Conn {
    let mut stream = Conn::new(transport);
    stream.set_read_timeout(Some(WAIT)).expect("read timeout");
    stream
}

/// A thread whose result is awaited with a bound.
pub struct Joiner<T> {
    rx: mpsc::Receiver<thread::Result<T>>,
}

/// Runs `f` on a new thread, in the current case's fault mode; [`Joiner::join`]
/// waits at most [`WAIT`] × 2.
pub fn spawn<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> Joiner<T> {
    let (tx, rx) = mpsc::channel();
    let faults = faults::for_child();
    thread::spawn(move || {
        faults::set_current(faults);
        let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f));
        let _ = tx.send(result);
    });
    Joiner { rx }
}

impl<T> Joiner<T> {
    /// The thread's result; panics (failing the case) if it panicked or hung.
    pub fn join(self) -> T {
        match self.rx.recv_timeout(WAIT * 2) {
            Ok(Ok(value)) => value,
            Ok(Err(panic)) => std::panic::resume_unwind(panic),
            Err(_) => panic!("a peer thread did not finish within {:?}", WAIT * 2),
        }
    }
}

/// Reads exactly `n` octets.
pub fn read_exact(stream: &mut impl Read, n: usize) -> Vec<u8> {
    let mut buf = vec![0u8; n];
    stream.read_exact(&mut buf).expect("read_exact");
    buf
}

/// Writes `data` and checks it was all taken.
pub fn send(stream: &mut impl Write, data: &[u8]) {
    stream.write_all(data).expect("write_all");
}

/// Echoes one message each way and checks it.
pub fn echo(client: &mut (impl Read + Write), server: &mut (impl Read + Write), message: &[u8]) {
    send(client, message);
    assert_eq!(
        read_exact(server, message.len()),
        message,
        "client → server"
    );
    send(server, message);
    assert_eq!(
        read_exact(client, message.len()),
        message,
        "server → client"
    );
}

/// Makes sure the process may hold `want` open files (the soft limit is often 1,024;
/// the load and hostile-peer cases hold hundreds of sockets, two ends each): the soft
/// limit is raised towards the hard limit, never lowered. Fails the case with a clear
/// message when the hard limit is below `want` (raise it, `ulimit -Hn`, to run it).
pub(crate) fn enough_open_files(want: u64) {
    use rustix::process::{getrlimit, setrlimit, Resource, Rlimit};
    let limit = getrlimit(Resource::Nofile);
    if limit.current.is_some_and(|current| current < want) {
        let raised = limit.maximum.map_or(want, |max| max.min(want));
        let _ = setrlimit(
            Resource::Nofile,
            Rlimit {
                current: Some(raised),
                maximum: limit.maximum,
            },
        );
    }
    let now = getrlimit(Resource::Nofile).current;
    assert!(
        !matches!(now, Some(current) if current < want),
        "this case needs {want} open files; the limit is {now:?} and the hard limit \
         {:?} (raise it with `ulimit -Hn`)",
        limit.maximum
    );
}
