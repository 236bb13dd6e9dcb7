//! The tokio socket stream: the blocking stream's lifecycle — plaintext, attach,
//! TLS, detach, plaintext — over any `AsyncRead + AsyncWrite` transport, driving the
//! same [`Conn`] (SPEC ASYNC-1).

use std::fmt;
use std::future::poll_fn;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll, Wake, Waker};
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};

use super::drive::{now, poll_op, send_what_is_left, Timer};
use crate::accessors::closed_error;
use crate::conn::{prepare, Conn, Phase, Progress, TlsState};
use crate::{AttachOptions, DetachOptions, Detached, Error, ErrorKind, Result, Role, Side};

/// A byte stream over an async transport `T` that TLS can be attached to and
/// detached from: [`crate::SocketStream`]'s operations, defaults and outcomes, as
/// futures and as `AsyncRead`, `AsyncBufRead` and `AsyncWrite` (SPEC ASYNC-1).
///
/// Before [`attach_ssl`](Self::attach_ssl) and after [`detach_ssl`](Self::detach_ssl)
/// it carries plaintext; in between, TLS. The stream and its futures are `Send` when
/// `T` is.
///
/// - Writes follow `AsyncWrite`: `poll_write` is ready once the session took the
///   octets; `flush` puts them on the wire; `shutdown` sends close_notify, then shuts
///   the transport's write side (SPEC ASYNC-4, STREAM-7).
/// - Deadlines (the handshake's, a detach's checks) run on the runtime's timer;
///   nothing blocks the runtime (SPEC ASYNC-2).
/// - Cancelling — dropping — an unfinished attach or detach leaves the stream plain
///   with everything attach made freed (SPEC ASYNC-3); a cancelled read, write or
///   shutdown loses nothing, and the next call goes on where it stood (SPEC ASYNC-7).
/// - Dropping the stream never waits: close_notify goes out only if the transport
///   takes it at once (SPEC ASYNC-6); [`close`](Self::close) is the orderly end.
pub struct SocketStream<T: AsyncRead + AsyncWrite + Unpin> {
    pub(super) transport: Option<T>,
    pub(super) conn: Conn,
    /// Decrypted octets for `AsyncBufRead`, and how many were consumed.
    pub(super) plain_out: Vec<u8>,
    pub(super) plain_pos: usize,
    pub(super) closed: bool,
    pub(super) timer: Timer,
    /// An attach future is running (or was dropped unfinished).
    attaching: bool,
    /// A fatal TLS error ended a session: closing lets the alert reach the peer.
    pub(super) failed: bool,
    /// Gathers a vectored write's slices into one write.
    pub(super) gather: Vec<u8>,
}

impl<T: AsyncRead + AsyncWrite + Unpin> fmt::Debug for SocketStream<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("tokio::SocketStream")
            .field("ssl_side", &self.ssl_side())
            .field("implementation", &self.implementation())
            .field("closed", &self.closed)
            .field("buffered", &self.conn.buffered().len())
            .finish()
    }
}

/// `into_parts` or `into_inner` on a stream that cannot give its transport back:
/// attached, closed, or (for `into_inner`) holding octets read ahead. The stream
/// comes back unchanged.
pub struct IntoPartsError<T: AsyncRead + AsyncWrite + Unpin> {
    /// The stream, unchanged.
    pub stream: SocketStream<T>,
    /// Why (`AlreadyAttached`, `Closed`, or `InvalidArgument` for octets that would
    /// be lost).
    pub error: Error,
}

impl<T: AsyncRead + AsyncWrite + Unpin> fmt::Debug for IntoPartsError<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("IntoPartsError")
            .field("error", &self.error)
            .finish()
    }
}

/// Ends an attach or detach future that was dropped before it finished: the stream
/// goes back to plain, everything attach made freed (SPEC ASYNC-3).
struct Unfinished<'a, T: AsyncRead + AsyncWrite + Unpin> {
    stream: &'a mut SocketStream<T>,
}

impl<T: AsyncRead + AsyncWrite + Unpin> Drop for Unfinished<'_, T> {
    fn drop(&mut self) {
        let stream = &mut *self.stream;
        let detaching = stream.conn.phase() == Phase::Detaching;
        if stream.attaching || detaching {
            stream.attaching = false;
            stream.conn.drop_tls();
            stream.timer.clear();
        }
    }
}

impl<T: AsyncRead + AsyncWrite + Unpin> SocketStream<T> {
    /// A plain stream over `transport` (SPEC CTX-9).
    pub fn new(transport: T) -> SocketStream<T> {
        SocketStream {
            transport: Some(transport),
            conn: Conn::default(),
            plain_out: Vec::new(),
            plain_pos: 0,
            closed: false,
            timer: Timer::default(),
            attaching: false,
            failed: false,
            gather: Vec::new(),
        }
    }

    /// Runs `op` on the connection over the transport until it is done or must wait.
    pub(super) fn poll_run<R>(
        &mut self,
        cx: &mut Context<'_>,
        op: impl FnMut(&mut Conn, std::time::Instant) -> Result<Progress<R>>,
    ) -> Poll<Result<R>> {
        let (false, Some(transport)) = (self.closed, self.transport.as_mut()) else {
            return Poll::Ready(Err(closed_error()));
        };
        let polled = poll_op(&mut self.conn, transport, &mut self.timer, cx, op);
        if let Poll::Ready(Err(_)) = &polled {
            if self.conn.tls().is_some_and(TlsState::has_failed) {
                self.failed = true;
            }
        }
        if polled.is_ready() {
            self.conn.park_if_empty();
        }
        polled
    }

    /// Attaches TLS to the stream (LispWorks `attach-ssl`). For `Client` and `Server`
    /// the handshake is done when this returns (SPEC HS-2); for `Both` nothing is
    /// sent until a role is picked (SPEC SIDE-4).
    ///
    /// Already attached: `AlreadyAttached`, the session untouched (SPEC ATTACH-1).
    /// Any failure — or dropping this future before it finishes — leaves the stream
    /// plain with everything attach made freed and the transport open (SPEC ATTACH-4,
    /// ASYNC-3). The handshake deadline (30 s by default) runs on the runtime's timer.
    pub async fn attach_ssl(&mut self, options: AttachOptions) -> Result<()> {
        if self.closed || self.transport.is_none() {
            return Err(closed_error());
        }
        if self.conn.phase() != Phase::Plain {
            return Err(Error::new(
                ErrorKind::AlreadyAttached,
                "TLS is already attached to this stream",
            ));
        }
        let tls = prepare(options, true).map_err(|e| e.with_operation("attach"))?;
        let (side, timeout) = (tls.side(), tls.handshake_timeout());
        self.conn.attach(tls);
        if side == Side::Both {
            return Ok(());
        }
        let deadline = timeout.map(|t| now() + t);
        self.conn
            .tls_mut()
            .expect("attached above")
            .set_deadline(deadline);
        self.attaching = true;
        let guard = Unfinished { stream: self };
        let result = poll_fn(|cx| guard.stream.poll_run(cx, |conn, now| conn.handshake(now))).await;
        if result.is_ok() {
            guard.stream.attaching = false; // done: the guard leaves TLS in place
        }
        drop(guard); // on failure: plain again (SPEC ATTACH-4)
        result.map_err(|err| err.with_operation("attach"))
    }

    /// Runs the handshake: `Ok(true)` when done, `Ok(false)` when `timeout` ran out
    /// or the peer closed, `Err` otherwise (SPEC HS-5..7).
    pub async fn handshake(&mut self, timeout: Option<Duration>) -> Result<bool> {
        let tls = self.attached_mut()?;
        if !tls.has_failed() && self.conn.phase() == Phase::Open {
            return Ok(true); // no I/O once complete (SPEC HS-7)
        }
        let tls = self.attached_mut()?;
        if !tls.deadline_armed() {
            tls.set_deadline(timeout.map(|t| now() + t));
        }
        let result = poll_fn(|cx| self.poll_run(cx, |conn, now| conn.handshake(now))).await;
        self.conn.end_call();
        match result {
            Ok(()) => Ok(true),
            Err(e) if matches!(e.kind(), ErrorKind::HandshakeTimeout | ErrorKind::Closed) => {
                Ok(false)
            }
            Err(e) => Err(e),
        }
    }

    /// Picks the client role on a `Both` stream; SNI applies (SPEC SIDE-5).
    pub fn set_connect_state(&mut self) -> Result<()> {
        self.attached_mut()?.pick_role(Role::Client)
    }

    /// Picks the server role on a `Both` stream (SPEC SIDE-5).
    pub fn set_accept_state(&mut self) -> Result<()> {
        self.attached_mut()?.pick_role(Role::Server)
    }

    /// Ends TLS and makes the stream plain again (LispWorks `detach-ssl`), as
    /// [`crate::SocketStream::detach_ssl`]: close_notify is sent, and under a retry
    /// policy the peer's is awaited, its checks spaced on the runtime's timer.
    /// Dropping this future before it finishes leaves the stream plain (SPEC ASYNC-3).
    pub async fn detach_ssl(&mut self, options: DetachOptions) -> Result<Option<Detached>> {
        if self.conn.phase() == Phase::Plain || self.transport.is_none() || self.closed {
            return Ok(None);
        }
        self.attaching = false;
        let unread = self.plain_out.split_off(self.plain_pos);
        self.plain_out = Vec::new();
        self.plain_pos = 0;
        if let Some(detached) = self.conn.start_detach(options.retry, now(), unread)? {
            return Ok(Some(detached));
        }
        if options.retry.is_none() {
            // Once, never waiting (SPEC DETACH-6).
            poll_fn(|cx| {
                if let Some(transport) = self.transport.as_mut() {
                    send_what_is_left(&mut self.conn, transport, cx);
                }
                Poll::Ready(())
            })
            .await;
        }
        let guard = Unfinished { stream: self };
        let result =
            poll_fn(|cx| guard.stream.poll_run(cx, |conn, now| conn.detach_step(now))).await;
        if result.is_err() {
            guard.stream.conn.drop_tls();
        }
        drop(guard);
        result.map(Some).map_err(|err| err.with_operation("detach"))
    }

    /// Sends close_notify; later writes give Closed, reads go on until the peer's
    /// close_notify (SPEC REC-6).
    pub async fn shutdown_write(&mut self) -> Result<()> {
        self.attached()?;
        poll_fn(|cx| self.poll_run(cx, |conn, now| conn.shutdown_write(now))).await
    }

    /// Detaches without waiting for the peer (close_notify goes out if the transport
    /// takes it within 200 ms), then shuts the transport down; a second call does
    /// nothing (SPEC CLOSE-1..3). After a fatal error, what the peer still sends is
    /// read away first — until it closes or is quiet for 100 ms, at most 1 s and
    /// 1 MiB — so that the alert reaches it instead of a reset (SPEC REL-7).
    pub async fn close(&mut self) -> Result<()> {
        if self.closed {
            return Ok(());
        }
        let no_wait = self.detach_ssl(DetachOptions::no_wait());
        let _ = tokio::time::timeout(Duration::from_millis(200), no_wait).await;
        self.conn.drop_tls();
        self.closed = true;
        self.conn = Conn::default();
        if let Some(transport) = self.transport.as_mut() {
            if self.failed {
                let _ = transport.shutdown().await;
                linger(transport).await;
            }
            let _ = transport.shutdown().await;
        }
        Ok(())
    }

    /// The transport and every buffered unread octet, from a plain stream; attached
    /// or closed, the stream back with the reason (SPEC ASYNC-8, OWN-5).
    pub fn into_parts(mut self) -> std::result::Result<(T, Vec<u8>), Box<IntoPartsError<T>>> {
        if self.conn.phase() != Phase::Plain {
            let error = Error::new(ErrorKind::AlreadyAttached, "detach TLS before into_parts");
            return Err(Box::new(IntoPartsError {
                stream: self,
                error,
            }));
        }
        let Some(transport) = self.transport.take() else {
            return Err(Box::new(IntoPartsError {
                stream: self,
                error: closed_error(),
            }));
        };
        let mut buffered = self.plain_out.split_off(self.plain_pos);
        buffered.extend_from_slice(&self.conn.take_buffered());
        self.closed = true;
        Ok((transport, buffered))
    }

    /// The transport, from a plain stream with nothing read ahead; otherwise the
    /// stream back with the reason — octets read ahead would be lost, so use
    /// [`into_parts`](Self::into_parts) then (SPEC ASYNC-8).
    pub fn into_inner(self) -> std::result::Result<T, Box<IntoPartsError<T>>> {
        if self.plain_pos < self.plain_out.len() || !self.conn.buffered().is_empty() {
            return Err(Box::new(IntoPartsError {
                stream: self,
                error: Error::invalid("octets were read ahead and would be lost: use into_parts"),
            }));
        }
        self.into_parts().map(|(transport, _)| transport)
    }

    /// The transport, for inspection.
    pub fn get_ref(&self) -> Option<&T> {
        self.transport.as_ref()
    }

    /// Ends an attach whose handshake an I/O call ran: done, or failed (plain again).
    pub(super) fn settle_attach<R>(&mut self, result: &Poll<Result<R>>) {
        match result {
            Poll::Ready(Err(_)) if self.attaching => {
                self.attaching = false;
                self.conn.drop_tls();
            }
            Poll::Ready(Ok(_)) if self.conn.phase() == Phase::Open => self.attaching = false,
            _ => {}
        }
    }
}

impl<T: AsyncRead + AsyncWrite + Unpin> SocketStream<T> {
    crate::accessors::tls_accessors!();
}

/// After a fatal error: reads away what the peer still sends until it closes or is
/// quiet for 100 ms, at most 1 s and 1 MiB (see `close`).
async fn linger<T: AsyncRead + Unpin>(transport: &mut T) {
    let until = tokio::time::Instant::now() + Duration::from_secs(1);
    let mut sink = [0u8; 4096];
    let mut read = 0;
    while read < 1 << 20 && tokio::time::Instant::now() < until {
        match tokio::time::timeout(Duration::from_millis(100), transport.read(&mut sink)).await {
            Ok(Ok(n)) if n > 0 => read += n,
            _ => return,
        }
    }
}

/// A waker that does nothing: for the one try `Drop` makes at sending close_notify.
struct NoWake;

impl Wake for NoWake {
    fn wake(self: Arc<Self>) {}
}

impl<T: AsyncRead + AsyncWrite + Unpin> Drop for SocketStream<T> {
    /// Never waits (SPEC ASYNC-6): an open session's close_notify goes out only if
    /// the transport takes it at once.
    fn drop(&mut self) {
        if self.closed || self.conn.phase() != Phase::Open || self.failed {
            return;
        }
        let Some(transport) = self.transport.as_mut() else {
            return;
        };
        if self.conn.start_detach(None, now(), Vec::new()).is_err() {
            return;
        }
        let waker = Waker::from(Arc::new(NoWake));
        let mut cx = Context::from_waker(&waker);
        send_what_is_left(&mut self.conn, transport, &mut cx);
        let _ = Pin::new(transport).poll_flush(&mut cx);
    }
}
