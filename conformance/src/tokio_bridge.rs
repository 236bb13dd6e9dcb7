//! The suite's async runs (SPEC "Modes"): the same case bodies, with every stream the
//! harness makes a `unitls_core::tokio::SocketStream` over a tokio transport — a
//! tokio in-memory duplex for `Memory`, a tokio TCP socket on loopback for `Tcp`.
//!
//! A case handles transports as [`BoxTransport`]s (it may write raw octets to one end
//! and attach TLS to the other). In an async run those are [`TokioTransport`]s: a
//! blocking face over a shared tokio transport ([`SharedIo`]), driven on the run's
//! runtime. [`Conn::new`](crate::harness::Conn::new) recognises one it is given (by
//! its address, in a registry) and takes the tokio transport itself for the stream.

use std::io::{self, Read, Write};
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError, Weak};
use std::task::{Context, Poll};
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, ReadBuf};
use tokio::runtime::{Handle, Runtime};
use unitls_core::Transport;

use crate::harness::{BoxTransport, Killer, Killers, TransportKind};
use crate::tokio_mode::BoxIo;

/// One async run: its runtime, and how many streams the case made in it.
pub struct AsyncRun {
    runtime: Runtime,
    streams: AtomicUsize,
}

impl std::fmt::Debug for AsyncRun {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AsyncRun")
            .field("streams", &self.streams.load(Ordering::SeqCst))
            .finish()
    }
}

impl AsyncRun {
    /// A run with its own multi-thread runtime (two workers drive I/O and timers while
    /// the case's threads block on its futures).
    pub fn new() -> AsyncRun {
        AsyncRun {
            runtime: tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
                .expect("tokio runtime"),
            streams: AtomicUsize::new(0),
        }
    }

    /// The runtime's handle.
    pub fn handle(&self) -> Handle {
        self.runtime.handle().clone()
    }

    /// How many async streams the case made.
    pub fn streams(&self) -> usize {
        self.streams.load(Ordering::SeqCst)
    }
}

impl Default for AsyncRun {
    fn default() -> Self {
        AsyncRun::new()
    }
}

/// A tokio transport shared by its blocking face and, once taken, the stream; a
/// killer takes it away (the peer then reads end of stream).
#[derive(Clone)]
pub struct SharedIo(Arc<Slot>);

impl std::fmt::Debug for SharedIo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SharedIo")
    }
}

impl SharedIo {
    fn new(io: BoxIo) -> SharedIo {
        SharedIo(Arc::new(Mutex::new(Some(io))))
    }

    /// Drops the transport: the peer reads end of stream; this end's later I/O fails.
    pub fn kill(&self) {
        drop(self.0.lock().unwrap_or_else(PoisonError::into_inner).take());
    }

    fn poll_with<R>(&self, gone: R, op: impl FnOnce(Pin<&mut BoxIo>) -> Poll<R>) -> Poll<R> {
        let mut slot = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        match slot.as_mut() {
            Some(io) => op(Pin::new(io)),
            None => Poll::Ready(gone),
        }
    }
}

fn killed() -> io::Error {
    io::Error::new(io::ErrorKind::BrokenPipe, "the transport was killed")
}

impl AsyncRead for SharedIo {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        self.poll_with(Ok(()), |io| io.poll_read(cx, buf))
    }
}

impl AsyncWrite for SharedIo {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        data: &[u8],
    ) -> Poll<io::Result<usize>> {
        self.poll_with(Err(killed()), |io| io.poll_write(cx, data))
    }
    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.poll_with(Err(killed()), |io| io.poll_flush(cx))
    }
    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.poll_with(Ok(()), |io| io.poll_shutdown(cx))
    }
}

/// The blocking face of a [`SharedIo`], as cases handle transports: reads and writes
/// block on the run's runtime, bounded by the timeouts set on it.
pub struct TokioTransport {
    io: SharedIo,
    handle: Handle,
    run: Weak<AsyncRun>,
    read_timeout: Option<Duration>,
    write_timeout: Option<Duration>,
}

impl TokioTransport {
    fn block<T>(
        &self,
        timeout: Option<Duration>,
        op: impl std::future::Future<Output = io::Result<T>>,
    ) -> io::Result<T> {
        self.handle.block_on(async {
            match timeout {
                Some(limit) => tokio::time::timeout(limit, op)
                    .await
                    .unwrap_or_else(|_| Err(io::ErrorKind::TimedOut.into())),
                None => op.await,
            }
        })
    }
}

impl Read for TokioTransport {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let mut io = self.io.clone();
        self.block(self.read_timeout, async move { io.read(buf).await })
    }
}

impl Write for TokioTransport {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        let mut io = self.io.clone();
        self.block(self.write_timeout, async move { io.write(data).await })
    }
    fn flush(&mut self) -> io::Result<()> {
        let mut io = self.io.clone();
        self.block(self.write_timeout, async move { io.flush().await })
    }
}

impl Transport for TokioTransport {
    fn supports_timeouts(&self) -> bool {
        true
    }
    fn set_read_timeout(&mut self, timeout: Option<Duration>) -> io::Result<()> {
        self.read_timeout = timeout;
        Ok(())
    }
    fn set_write_timeout(&mut self, timeout: Option<Duration>) -> io::Result<()> {
        self.write_timeout = timeout;
        Ok(())
    }
    fn read_timeout(&self) -> io::Result<Option<Duration>> {
        Ok(self.read_timeout)
    }
    fn write_timeout(&self) -> io::Result<Option<Duration>> {
        Ok(self.write_timeout)
    }
    fn shutdown_write(&mut self) -> io::Result<()> {
        let mut io = self.io.clone();
        self.block(self.write_timeout, async move { io.shutdown().await })
    }
    fn close(&mut self) -> io::Result<()> {
        self.io.kill();
        Ok(())
    }
}

/// The slot a [`SharedIo`] keeps its transport in.
type Slot = Mutex<Option<BoxIo>>;

/// One registered transport: the address of its box, its slot, its run.
type Entry = (usize, Weak<Slot>, Weak<AsyncRun>);

/// Where the tokio transports behind [`TokioTransport`]s are found again, by the
/// address of the boxed transport.
static REGISTRY: Mutex<Vec<Entry>> = Mutex::new(Vec::new());

fn address(transport: &BoxTransport) -> usize {
    &**transport as *const (dyn Transport + Send) as *const () as usize
}

fn register(transport: TokioTransport) -> BoxTransport {
    let shared = Arc::downgrade(&transport.io.0);
    let run = transport.run.clone();
    let boxed: BoxTransport = Box::new(transport);
    let mut registry = REGISTRY.lock().unwrap_or_else(PoisonError::into_inner);
    registry.retain(|(_, io, _)| io.strong_count() > 0);
    registry.push((address(&boxed), shared, run));
    boxed
}

/// The tokio transport behind `transport` and its run, when it is a
/// [`TokioTransport`] the harness made; counts the stream made over it.
pub(crate) fn take(transport: &BoxTransport) -> Option<(SharedIo, Handle)> {
    let at = address(transport);
    let mut registry = REGISTRY.lock().unwrap_or_else(PoisonError::into_inner);
    let index = registry.iter().position(|(a, _, _)| *a == at)?;
    let (_, io, run) = registry.remove(index);
    let io = io.upgrade()?;
    let run = run.upgrade()?;
    run.streams.fetch_add(1, Ordering::SeqCst);
    Some((SharedIo(io), run.handle()))
}

/// The blocking face of `io` again (for `into_parts`).
pub(crate) fn blocking_face(io: SharedIo, handle: Handle) -> BoxTransport {
    Box::new(TokioTransport {
        io,
        handle,
        run: Weak::new(),
        read_timeout: None,
        write_timeout: None,
    })
}

/// Two connected tokio transports of `kind` for an async run, with their killers.
pub fn pair(run: &Arc<AsyncRun>, kind: TransportKind) -> (BoxTransport, BoxTransport, Killers) {
    let handle = run.handle();
    let (client, server, killers): (BoxIo, BoxIo, Option<Killers>) = match kind {
        TransportKind::Memory => {
            let (a, b) = tokio::io::duplex(64 * 1024);
            (Box::new(a), Box::new(b), None)
        }
        TransportKind::Tcp => {
            let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind loopback");
            let client = std::net::TcpStream::connect(listener.local_addr().expect("addr"))
                .expect("connect");
            let (server, _) = listener.accept().expect("accept");
            let killers = Killers {
                client: Killer::Tcp(client.try_clone().expect("clone")),
                server: Killer::Tcp(server.try_clone().expect("clone")),
            };
            let _guard = handle.enter();
            let into_tokio = |s: std::net::TcpStream| {
                let _ = s.set_nodelay(true);
                s.set_nonblocking(true).expect("non-blocking");
                tokio::net::TcpStream::from_std(s).expect("tokio socket")
            };
            (
                Box::new(into_tokio(client)),
                Box::new(into_tokio(server)),
                Some(killers),
            )
        }
    };
    let (client, server) = (SharedIo::new(client), SharedIo::new(server));
    let killers = killers.unwrap_or_else(|| Killers {
        client: Killer::Shared(client.clone()),
        server: Killer::Shared(server.clone()),
    });
    let face = |io: SharedIo| {
        register(TokioTransport {
            io,
            handle: handle.clone(),
            run: Arc::downgrade(run),
            read_timeout: None,
            write_timeout: None,
        })
    };
    (face(client), face(server), killers)
}
