//! The stream every case talks through. In a blocking run, a [`SocketStream`] whose
//! I/O calls again when the transport said `WouldBlock` (bounded in count and time), so
//! one case body runs unchanged over blocking, fault-injecting and non-blocking
//! transports (SPEC REL-1, STREAM-9). In an async run (SPEC "Modes"), a
//! `unitls_core::tokio::SocketStream` over the tokio transport behind the harness's
//! transport (`tokio_bridge`), each operation awaited on the run's runtime. The same
//! methods, either way.

use std::future::Future;
use std::io::{self, BufRead, Read, Write};
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use tokio::io::{AsyncBufRead, AsyncReadExt, AsyncWriteExt};
use tokio::runtime::Handle;
use unitls_core::{
    backend::NativeTypes, AttachOptions, CipherSuite, DetachOptions, Detached, Error, ErrorKind,
    PeerCertificate, ProtocolVersion, Side, SocketStream, VerifyResult,
};

use crate::faults::{self, FaultyTransport};
use crate::harness::{BoxTransport, WAIT};
use crate::tokio_bridge::{self, SharedIo};

/// Calls on `WouldBlock` at most this many times per operation.
const MAX_CALLS: usize = 1_000_000;

/// A case's stream (see the module documentation).
pub struct Conn(Inner);

enum Inner {
    Blocking(SocketStream<BoxTransport>),
    Async(AsyncConn),
}

/// The async run's stream and what awaiting it needs.
struct AsyncConn {
    stream: AsyncStream,
    handle: Handle,
    read_timeout: Option<Duration>,
    write_timeout: Option<Duration>,
}

impl AsyncConn {
    /// Awaits `op` on the run's runtime.
    fn block<'s, T, F>(&'s mut self, op: impl FnOnce(&'s mut AsyncStream) -> F) -> T
    where
        F: Future<Output = T> + 's,
    {
        let handle = self.handle.clone();
        handle.block_on(op(&mut self.stream))
    }

    /// Awaits an I/O future, bounded by `limit` (then `TimedOut`, as a blocking
    /// transport's timeout).
    fn io<'s, T, F>(
        &'s mut self,
        limit: Option<Duration>,
        op: impl FnOnce(&'s mut AsyncStream) -> F,
    ) -> io::Result<T>
    where
        F: Future<Output = io::Result<T>> + 's,
    {
        let handle = self.handle.clone();
        let future = op(&mut self.stream);
        handle.block_on(async move {
            match limit {
                Some(limit) => tokio::time::timeout(limit, future)
                    .await
                    .unwrap_or_else(|_| Err(Error::timeout(io::ErrorKind::TimedOut.into()).into())),
                None => future.await,
            }
        })
    }
}

/// The async run's stream type.
type AsyncStream = unitls_core::tokio::SocketStream<SharedIo>;

impl std::fmt::Debug for Conn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.0 {
            Inner::Blocking(s) => s.fmt(f),
            Inner::Async(a) => a.stream.fmt(f),
        }
    }
}

/// `into_parts` on a stream that is attached or closed: why.
#[derive(Debug)]
pub struct IntoPartsFailure {
    /// Why (`AlreadyAttached` or `Closed`).
    pub error: Error,
}

/// Forwards accessors that take `&self` to whichever stream the case has.
macro_rules! forward {
    ($( $(#[$doc:meta])* fn $name:ident(&self $(, $arg:ident : $ty:ty)*) -> $ret:ty; )*) => {
        impl Conn {
            $(
                $(#[$doc])*
                pub fn $name(&self $(, $arg: $ty)*) -> $ret {
                    match &self.0 {
                        Inner::Blocking(s) => s.$name($($arg),*),
                        Inner::Async(a) => a.stream.$name($($arg),*),
                    }
                }
            )*
        }
    };
}

forward! {
    /// The attach-time side, or `None` when plain.
    fn ssl_side(&self) -> Option<Side>;
    /// The backend in use, or `None` when plain.
    fn implementation(&self) -> Option<&'static str>;
    /// LispWorks' name of `implementation`.
    fn connection_implementation(&self) -> Option<&'static str>;
    /// The negotiated version.
    fn protocol_version(&self) -> unitls_core::Result<Option<ProtocolVersion>>;
    /// The negotiated cipher suite.
    fn cipher_suite(&self) -> unitls_core::Result<Option<CipherSuite>>;
    /// The negotiated ALPN protocol.
    fn alpn_protocol(&self) -> unitls_core::Result<Option<Vec<u8>>>;
    /// The negotiated group.
    fn negotiated_group(&self) -> unitls_core::Result<Option<String>>;
    /// Whether the session was resumed.
    fn resumed(&self) -> unitls_core::Result<bool>;
    /// The SNI received or sent.
    fn server_name(&self) -> unitls_core::Result<Option<String>>;
    /// The peer's leaf certificate.
    fn peer_certificate(&self) -> unitls_core::Result<Option<PeerCertificate>>;
    /// The peer's chain.
    fn peer_certificates(&self) -> unitls_core::Result<Option<Vec<PeerCertificate>>>;
    /// The built-in verification result.
    fn verify_result(&self) -> unitls_core::Result<Option<VerifyResult>>;
    /// Exported keying material.
    fn export_keying_material(&self, len: usize, label: &[u8], context: Option<&[u8]>) -> unitls_core::Result<Vec<u8>>;
    /// RFC 9266 `tls-exporter`.
    fn tls_exporter(&self) -> unitls_core::Result<Vec<u8>>;
    /// RFC 5929 `tls-server-end-point`.
    fn tls_server_end_point(&self) -> unitls_core::Result<Option<Vec<u8>>>;
}

impl Conn {
    /// A plain stream over `transport`: in an async run, the tokio stream over the
    /// tokio transport behind it; otherwise the blocking stream, wrapped in the running
    /// case's fault injector if it has one.
    pub fn new(transport: BoxTransport) -> Conn {
        if let Some((io, handle)) = tokio_bridge::take(&transport) {
            return Conn(Inner::Async(AsyncConn {
                stream: unitls_core::tokio::SocketStream::new(io),
                handle,
                read_timeout: None,
                write_timeout: None,
            }));
        }
        let transport = match faults::current() {
            Some((mode, seed)) => {
                Box::new(FaultyTransport::new(transport, mode, seed)) as BoxTransport
            }
            None => transport,
        };
        Conn(Inner::Blocking(SocketStream::new(transport)))
    }

    /// Whether this is an async run's stream.
    pub fn is_async(&self) -> bool {
        matches!(self.0, Inner::Async(_))
    }

    /// [`SocketStream::attach_ssl`]; after `WouldBlock` the attach goes on with
    /// `handshake`, which finishes it with the attach's outcome.
    pub fn attach_ssl(&mut self, options: AttachOptions) -> unitls_core::Result<()> {
        match &mut self.0 {
            Inner::Blocking(s) => match s.attach_ssl(options) {
                Err(err) if would_block(&err) => again(|| s.handshake(None)).map(|_| ()),
                other => other,
            },
            Inner::Async(a) => a.block(|s| s.attach_ssl(options)),
        }
    }

    /// [`SocketStream::detach_ssl`], called again while it would block.
    pub fn detach_ssl(&mut self, options: DetachOptions) -> unitls_core::Result<Option<Detached>> {
        match &mut self.0 {
            Inner::Blocking(s) => again(|| s.detach_ssl(options)),
            Inner::Async(a) => a.block(|s| s.detach_ssl(options)),
        }
    }

    /// [`SocketStream::handshake`], called again while it would block.
    pub fn handshake(&mut self, timeout: Option<Duration>) -> unitls_core::Result<bool> {
        match &mut self.0 {
            Inner::Blocking(s) => again(|| s.handshake(timeout)),
            Inner::Async(a) => a.block(|s| s.handshake(timeout)),
        }
    }

    /// [`SocketStream::shutdown_write`], called again while it would block.
    pub fn shutdown_write(&mut self) -> unitls_core::Result<()> {
        match &mut self.0 {
            Inner::Blocking(s) => again(|| s.shutdown_write()),
            Inner::Async(a) => a.block(|s| s.shutdown_write()),
        }
    }

    /// [`SocketStream::close`].
    pub fn close(&mut self) -> unitls_core::Result<()> {
        match &mut self.0 {
            Inner::Blocking(s) => s.close(),
            Inner::Async(a) => a.block(|s| s.close()),
        }
    }

    /// Picks the client role on a `Both` stream.
    pub fn set_connect_state(&mut self) -> unitls_core::Result<()> {
        match &mut self.0 {
            Inner::Blocking(s) => s.set_connect_state(),
            Inner::Async(a) => a.stream.set_connect_state(),
        }
    }

    /// Picks the server role on a `Both` stream.
    pub fn set_accept_state(&mut self) -> unitls_core::Result<()> {
        match &mut self.0 {
            Inner::Blocking(s) => s.set_accept_state(),
            Inner::Async(a) => a.stream.set_accept_state(),
        }
    }

    /// The read timeout (in an async run, a bound on each read).
    pub fn set_read_timeout(&mut self, timeout: Option<Duration>) -> io::Result<()> {
        match &mut self.0 {
            Inner::Blocking(s) => s.set_read_timeout(timeout),
            Inner::Async(a) => {
                a.read_timeout = timeout;
                Ok(())
            }
        }
    }

    /// The write timeout (in an async run, a bound on each write).
    pub fn set_write_timeout(&mut self, timeout: Option<Duration>) -> io::Result<()> {
        match &mut self.0 {
            Inner::Blocking(s) => s.set_write_timeout(timeout),
            Inner::Async(a) => {
                a.write_timeout = timeout;
                Ok(())
            }
        }
    }

    /// The native context, typed for backend `B`.
    pub fn ctx<B: NativeTypes>(&self) -> Option<&B::Context> {
        match &self.0 {
            Inner::Blocking(s) => s.ctx::<B>(),
            Inner::Async(a) => a.stream.ctx::<B>(),
        }
    }

    /// The native per-connection object, typed for backend `B`.
    pub fn session<B: NativeTypes>(&self) -> Option<&B::Connection> {
        match &self.0 {
            Inner::Blocking(s) => s.session::<B>(),
            Inner::Async(a) => a.stream.session::<B>(),
        }
    }

    /// The transport and every buffered unread octet, from a plain stream.
    pub fn into_parts(self) -> std::result::Result<(BoxTransport, Vec<u8>), IntoPartsFailure> {
        match self.0 {
            Inner::Blocking(s) => s
                .into_parts()
                .map_err(|e| IntoPartsFailure { error: e.error }),
            Inner::Async(a) => {
                let handle = a.handle.clone();
                a.stream
                    .into_parts()
                    .map(|(io, buffered)| (tokio_bridge::blocking_face(io, handle), buffered))
                    .map_err(|e| IntoPartsFailure { error: e.error })
            }
        }
    }

    /// The blocking stream itself; a case that needs it runs in blocking runs only.
    pub fn into_inner(self) -> SocketStream<BoxTransport> {
        match self.0 {
            Inner::Blocking(s) => s,
            Inner::Async(_) => panic!("into_inner: an async run's stream is not a blocking one"),
        }
    }

    /// The blocking stream, for what only it has; a case that needs it runs in
    /// blocking runs only.
    pub fn blocking(&mut self) -> &mut SocketStream<BoxTransport> {
        match &mut self.0 {
            Inner::Blocking(s) => s,
            Inner::Async(_) => panic!("an async run's stream is not a blocking one"),
        }
    }
}

impl Read for Conn {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match &mut self.0 {
            Inner::Blocking(s) => again_io(|| s.read(buf)),
            Inner::Async(a) => {
                let limit = a.read_timeout;
                a.io(limit, |s| s.read(buf))
            }
        }
    }
}

impl BufRead for Conn {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        match &mut self.0 {
            Inner::Blocking(s) => {
                again_io(|| s.fill_buf().map(|b| b.len()))?;
                s.fill_buf()
            }
            Inner::Async(a) => {
                let limit = a.read_timeout;
                a.io(limit, |s| {
                    std::future::poll_fn(move |cx| {
                        Pin::new(&mut *s)
                            .poll_fill_buf(cx)
                            .map(|r| r.map(|b| b.len()))
                    })
                })?;
                // Buffered now: ready at once.
                let waker = std::task::Waker::from(std::sync::Arc::new(NoWake));
                let mut cx = Context::from_waker(&waker);
                match Pin::new(&mut a.stream).poll_fill_buf(&mut cx) {
                    Poll::Ready(result) => result,
                    Poll::Pending => Err(io::ErrorKind::WouldBlock.into()),
                }
            }
        }
    }

    fn consume(&mut self, amt: usize) {
        match &mut self.0 {
            Inner::Blocking(s) => s.consume(amt),
            Inner::Async(a) => Pin::new(&mut a.stream).consume(amt),
        }
    }
}

/// A waker for a poll that is known to be ready.
struct NoWake;

impl std::task::Wake for NoWake {
    fn wake(self: std::sync::Arc<Self>) {}
}

impl Write for Conn {
    /// Writes and flushes: on a non-blocking transport `write` returns once the
    /// session took the octets, and a case expects them on the wire, as a blocking
    /// stream's `write` leaves them (SPEC STREAM-7); so does an async run's.
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        match &mut self.0 {
            Inner::Blocking(s) => {
                let n = again_io(|| s.write(data))?;
                again_io(|| s.flush())?;
                Ok(n)
            }
            Inner::Async(a) => {
                let limit = a.write_timeout;
                a.io(limit, |s| async move {
                    let n = s.write(data).await?;
                    s.flush().await?;
                    Ok(n)
                })
            }
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match &mut self.0 {
            Inner::Blocking(s) => again_io(|| s.flush()),
            Inner::Async(a) => {
                let limit = a.write_timeout;
                a.io(limit, |s| s.flush())
            }
        }
    }
}

fn would_block(err: &Error) -> bool {
    err.kind() == ErrorKind::Syscall && err.io_kind() == io::ErrorKind::WouldBlock
}

/// Runs `op` until it does not say `WouldBlock`, at most [`MAX_CALLS`] times and
/// [`WAIT`] long.
fn again<R>(mut op: impl FnMut() -> unitls_core::Result<R>) -> unitls_core::Result<R> {
    let until = Instant::now() + WAIT;
    let mut last = None;
    for _ in 0..MAX_CALLS {
        match op() {
            Err(err) if would_block(&err) => last = Some(err),
            other => return other,
        }
        if Instant::now() > until {
            break;
        }
    }
    Err(last.expect("ran at least once"))
}

/// [`again`] for `io::Result`.
fn again_io<R>(mut op: impl FnMut() -> io::Result<R>) -> io::Result<R> {
    let until = Instant::now() + WAIT;
    let mut last = None;
    for _ in 0..MAX_CALLS {
        match op() {
            Err(err) if err.kind() == io::ErrorKind::WouldBlock => last = Some(err),
            other => return other,
        }
        if Instant::now() > until {
            break;
        }
    }
    Err(last.expect("ran at least once"))
}
