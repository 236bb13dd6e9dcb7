//! The socket stream: plaintext before attach and after detach, TLS in between
//! (SPEC ATTACH, DETACH, CLOSE, STREAM; LispWorks `socket-stream`).
//!
//! This is the blocking shell over [`Conn`]: it owns the
//! transport and the `BufRead` buffer of decrypted octets, and runs each operation
//! with [`drive`]; every rule lives in the `Conn`.

use std::fmt;
use std::io::{self, BufRead, Read, Write};
use std::time::{Duration, Instant};

use crate::accessors::{closed_error, detach_under_way};
use crate::blocking::{
    drive, is_would_block, linger_after_failure, plain_error, send_what_is_left, UserTimeouts,
};
use crate::conn::{prepare, Conn, Phase, Progress, TlsState};
use crate::{
    AttachOptions, DetachOptions, Detached, Error, ErrorKind, Result, Role, Side, Transport,
};

/// A byte stream over a transport `T` that TLS can be attached to and detached from.
///
/// Before [`attach_ssl`](Self::attach_ssl) and after [`detach_ssl`](Self::detach_ssl)
/// it carries plaintext; in between, TLS. Reads are buffered (`BufRead`) in both
/// modes; on a blocking transport every `write` is on the wire when it returns (SPEC
/// STREAM-7).
///
/// # Timeouts and non-blocking transports
///
/// On a **blocking** transport (timeouts are fine), a read or write timeout of yours
/// that runs out is an error of kind [`ErrorKind::Timeout`] (`io::ErrorKind::TimedOut`,
/// [`failure_indicator`](crate::failure_indicator) `Timeout`): nothing was lost and the
/// session is still usable — call again (SPEC STREAM-8, ERR-8). The handshake deadline
/// is `HandshakeTimeout`.
///
/// On a **non-blocking** transport ([`Transport::is_nonblocking`]), every operation
/// that would block — attach, handshake, read, write, flush, shutdown_write, detach —
/// returns an error of `io::ErrorKind::WouldBlock` (kind `Syscall`) and continues where
/// it stood when called again (SPEC STREAM-9):
/// - after `attach_ssl` gave `WouldBlock`, TLS is attached and its handshake under
///   way: continue with `attach_ssl` again (its options are then ignored),
///   [`handshake`](Self::handshake), or any read or write. The attach's
///   `handshake_timeout` keeps applying and the outcome is still the attach's: on
///   failure the error is returned and the stream is plain again (SPEC ATTACH-4);
/// - a call that continues after `WouldBlock` keeps the deadline of the call that
///   started the handshake;
/// - `write` returns the octets the session took once the transport cannot take more
///   (the records not yet sent go with the next write); [`flush`](Write::flush) puts
///   them on the wire;
/// - `detach_ssl` continues on the next call (its options are then ignored); the
///   retry policy's checks are spaced by its `interval` in time, so calling again
///   early makes no check.
pub struct SocketStream<T: Transport> {
    transport: Option<T>,
    conn: Conn,
    plain_out: Vec<u8>,
    plain_pos: usize,
    closed: bool,
    timeouts: UserTimeouts,
    /// An attach stopped at `WouldBlock` and is not finished: its outcome is still
    /// the attach's (on failure the stream goes back to plain, SPEC ATTACH-4).
    attaching: bool,
    /// A fatal TLS error ended a session on this stream: closing lets the alert
    /// reach the peer first (SPEC REL-7).
    failed: bool,
}

impl<T: Transport> fmt::Debug for SocketStream<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SocketStream")
            .field("ssl_side", &self.ssl_side())
            .field("implementation", &self.implementation())
            .field("closed", &self.closed)
            .field("buffered", &self.conn.buffered().len())
            .finish()
    }
}

/// `into_parts` on a stream that is attached or closed: the stream comes back.
#[derive(Debug)]
pub struct IntoPartsError<T: Transport> {
    /// The stream, unchanged.
    pub stream: SocketStream<T>,
    /// Why (`AlreadyAttached` or `Closed`).
    pub error: Error,
}

impl<T: Transport> SocketStream<T> {
    /// A plain stream over `transport` (SPEC CTX-9).
    pub fn new(transport: T) -> SocketStream<T> {
        SocketStream {
            transport: Some(transport),
            conn: Conn::default(),
            plain_out: Vec::new(),
            plain_pos: 0,
            closed: false,
            timeouts: UserTimeouts::default(),
            attaching: false,
            failed: false,
        }
    }

    /// A stream over `transport` with TLS attached per `options`, or plain for `None`;
    /// the same as [`new`](Self::new) plus [`attach_ssl`](Self::attach_ssl)
    /// (SPEC ATTACH-2). On failure the transport is closed.
    pub fn with_options(transport: T, options: Option<AttachOptions>) -> Result<SocketStream<T>> {
        let mut stream = SocketStream::new(transport);
        if let Some(options) = options {
            if let Err(err) = stream.attach_ssl(options) {
                let _ = stream.close();
                return Err(err);
            }
        }
        Ok(stream)
    }

    fn transport(&mut self) -> Result<&mut T> {
        match (self.closed, self.transport.as_mut()) {
            (false, Some(t)) => Ok(t),
            _ => Err(closed_error()),
        }
    }

    /// Runs `op` on the connection over the transport until it is done.
    fn run<R>(&mut self, op: impl FnMut(&mut Conn, Instant) -> Result<Progress<R>>) -> Result<R> {
        let (false, Some(transport)) = (self.closed, self.transport.as_mut()) else {
            return Err(closed_error());
        };
        let result = drive(&mut self.conn, transport, self.timeouts, op);
        if result.is_err() && self.conn.tls().is_some_and(TlsState::has_failed) {
            self.failed = true;
        }
        // An idle connection holds no read buffer (see ReadBuffer::park_if_empty).
        self.conn.park_if_empty();
        result
    }

    /// Attaches TLS to the stream (LispWorks `attach-ssl`). For `Client` and `Server`
    /// the handshake is done when this returns (SPEC HS-2); for `Both` nothing is
    /// sent until a role is picked (SPEC SIDE-4).
    ///
    /// Already attached: `AlreadyAttached`, and the session is untouched (SPEC
    /// ATTACH-1). Any failure leaves the stream plain with everything attach made
    /// freed and the transport open (SPEC ATTACH-4). Octets already in the plain read
    /// buffer become the start of the peer's TLS stream, never application data
    /// (SPEC STARTTLS-2). On a non-blocking transport see the type's documentation.
    pub fn attach_ssl(&mut self, options: AttachOptions) -> Result<()> {
        let takes_timeouts = self.transport()?.supports_timeouts();
        if self.attaching {
            return self.finish_attach(); // continues after WouldBlock (SPEC STREAM-9)
        }
        if self.conn.phase() != Phase::Plain {
            return Err(Error::new(
                ErrorKind::AlreadyAttached,
                "TLS is already attached to this stream",
            ));
        }
        let tls = prepare(options, takes_timeouts).map_err(|e| e.with_operation("attach"))?;
        let (side, timeout) = (tls.side(), tls.handshake_timeout());
        self.conn.attach(tls);
        if side == Side::Both {
            return Ok(());
        }
        let deadline = timeout.map(|t| Instant::now() + t);
        self.conn
            .tls_mut()
            .expect("attached above")
            .set_deadline(deadline);
        self.attaching = true;
        self.finish_attach()
    }

    /// Runs the attach's handshake; on failure the stream is plain again, everything
    /// attach made freed (SPEC ATTACH-4); `WouldBlock` leaves it under way.
    fn finish_attach(&mut self) -> Result<()> {
        let result = self.run(|conn, now| conn.handshake(now));
        self.settle_attach(&result);
        result.map_err(|err| err.with_operation("attach"))
    }

    /// Ends an attach under way once an operation that ran its handshake is over:
    /// done, or failed (the stream is then plain); `WouldBlock` leaves it under way.
    fn settle_attach<R>(&mut self, result: &Result<R>) {
        if !self.attaching {
            return;
        }
        match result {
            Err(err) if is_would_block(err) => {}
            Ok(_) if self.conn.phase() != Phase::Open => {}
            Ok(_) => self.attaching = false,
            Err(_) => {
                self.attaching = false;
                self.conn.drop_tls();
            }
        }
    }

    /// Ends TLS and makes the stream plain again (LispWorks `detach-ssl`).
    ///
    /// Plain: `Ok(None)` at once (SPEC DETACH-1). Otherwise the stream is marked plain
    /// first (SPEC DETACH-3); close_notify is sent, and under a retry policy the
    /// peer's is awaited (SPEC DETACH-4, DETACH-5); `retry: None` never waits or fails
    /// (SPEC DETACH-6). Octets the peer sent after its close_notify stay buffered for
    /// plain reads (SPEC DETACH-9). On a non-blocking transport a detach that gave
    /// `WouldBlock` continues on the next call.
    pub fn detach_ssl(&mut self, options: DetachOptions) -> Result<Option<Detached>> {
        if self.conn.phase() == Phase::Plain || self.transport.is_none() {
            return Ok(None);
        }
        self.attaching = false;
        // Decrypted data buffered for BufRead is application data, handed back too.
        let unread = self.plain_out.split_off(self.plain_pos);
        self.plain_out = Vec::new();
        self.plain_pos = 0;
        let started = self
            .conn
            .start_detach(options.retry, Instant::now(), unread);
        match started {
            Ok(Some(detached)) => return Ok(Some(detached)),
            Ok(None) => {}
            Err(err) => return Err(err),
        }
        let Some(transport) = self.transport.as_mut() else {
            return Ok(None);
        };
        if options.retry.is_none() {
            send_what_is_left(&mut self.conn, transport); // once; never waits or fails
        }
        match self.run(|conn, now| conn.detach_step(now)) {
            Ok(detached) => Ok(Some(detached)),
            Err(err) if is_would_block(&err) => Err(err.with_operation("detach")),
            Err(err) => {
                self.conn.drop_tls();
                Err(err.with_operation("detach"))
            }
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

    /// Runs the handshake: `Ok(true)` when done, `Ok(false)` when `timeout` ran out
    /// or the peer closed, `Err` otherwise (SPEC HS-5..7; LispWorks
    /// `socket-stream-handshake`).
    ///
    /// After an `attach_ssl` that gave `WouldBlock`, this finishes the attach, with
    /// the attach's outcome: `Ok(true)`, or its error with the stream plain again.
    pub fn handshake(&mut self, timeout: Option<Duration>) -> Result<bool> {
        if self.attaching {
            self.attached()?;
            return self.finish_attach().map(|()| true);
        }
        let tls = self.attached_mut()?;
        if !tls.has_failed() && self.conn.phase() == Phase::Open {
            return Ok(true); // no I/O once complete (SPEC HS-7)
        }
        let tls = self.attached_mut()?;
        if !tls.deadline_armed() {
            tls.set_deadline(timeout.map(|t| Instant::now() + t));
        }
        match self.run(|conn, now| conn.handshake(now)) {
            Ok(()) => Ok(true),
            Err(e) if matches!(e.kind(), ErrorKind::HandshakeTimeout | ErrorKind::Closed) => {
                Ok(false)
            }
            Err(e) => Err(e),
        }
    }

    /// Sends close_notify; later writes give Closed, reads go on until the peer's
    /// close_notify (SPEC REC-6).
    pub fn shutdown_write(&mut self) -> Result<()> {
        self.attached()?;
        let result = self.run(|conn, now| conn.shutdown_write(now));
        self.settle_attach(&result);
        result
    }

    /// Detaches without waiting, then closes the transport; never fails over an
    /// unanswered close_notify; a second call does nothing (SPEC CLOSE-1..3).
    ///
    /// After a fatal TLS error the alert must reach the peer before the connection
    /// ends (SPEC REL-7), and a socket closed while the peer is still sending is
    /// answered by a reset that can overtake it: the write side is shut first, and
    /// what the peer still sends is read away until it closes or is quiet for 100 ms
    /// (at most 1 s and 1 MiB in all). A non-blocking transport only has its write
    /// side shut: read until the peer closes before closing it.
    pub fn close(&mut self) -> Result<()> {
        if self.closed {
            return Ok(());
        }
        if let Some(transport) = self.transport.as_mut() {
            // close_notify must not wait on a peer that does not read.
            let _ = transport.set_write_timeout(Some(Duration::from_millis(200)));
        }
        let _ = self.detach_ssl(DetachOptions::no_wait());
        self.conn.drop_tls(); // a non-blocking detach that stopped half-way
        self.closed = true;
        self.conn = Conn::default();
        if let Some(transport) = self.transport.as_mut() {
            if self.failed {
                linger_after_failure(transport);
            }
            let _ = transport.close();
        }
        Ok(())
    }

    /// The transport and every buffered unread octet, from a plain stream; attached,
    /// `AlreadyAttached` and the stream back (SPEC OWN-5, STARTTLS-6).
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

    /// The transport, for inspection.
    pub fn get_ref(&self) -> Option<&T> {
        self.transport.as_ref()
    }

    /// Sets the read timeout applied to plain and TLS reads (SPEC STREAM-8).
    pub fn set_read_timeout(&mut self, timeout: Option<Duration>) -> io::Result<()> {
        self.transport()
            .map_err(io::Error::from)?
            .set_read_timeout(timeout)?;
        self.timeouts.read = timeout;
        Ok(())
    }

    /// Sets the write timeout (SPEC STREAM-8).
    pub fn set_write_timeout(&mut self, timeout: Option<Duration>) -> io::Result<()> {
        self.transport()
            .map_err(io::Error::from)?
            .set_write_timeout(timeout)?;
        self.timeouts.write = timeout;
        Ok(())
    }

    crate::accessors::tls_accessors!();

    fn read_impl(&mut self, buf: &mut [u8]) -> Result<usize> {
        if self.closed {
            return Err(closed_error());
        }
        if buf.is_empty() {
            return Ok(0);
        }
        if self.plain_pos < self.plain_out.len() {
            let n = buf.len().min(self.plain_out.len() - self.plain_pos);
            buf[..n].copy_from_slice(&self.plain_out[self.plain_pos..self.plain_pos + n]);
            self.plain_pos += n;
            return Ok(n);
        }
        match self.conn.phase() {
            Phase::Plain => self.read_plain(buf),
            Phase::Detaching => Err(detach_under_way()),
            Phase::Handshaking | Phase::Open => {
                let read = self.run(|conn, now| conn.read(&mut *buf, now));
                self.settle_attach(&read);
                self.send_answers();
                read.map_err(|e| e.with_operation("read"))
            }
        }
    }

    /// What a record asked of us while reading (a KeyUpdate, an alert refusing
    /// renegotiation) goes out without waiting for the next operation: all of it on a
    /// blocking transport, what it takes now on a non-blocking one.
    fn send_answers(&mut self) {
        if !self.conn.wants_write() {
            return;
        }
        if let Some(transport) = self.transport.as_mut() {
            if transport.is_nonblocking() {
                send_what_is_left(&mut self.conn, transport);
            } else {
                let _ = self.run(|conn, _| Ok(conn.flushed()));
            }
        }
    }

    fn read_plain(&mut self, buf: &mut [u8]) -> Result<usize> {
        let transport = self.transport.as_mut().ok_or_else(closed_error)?;
        if self.conn.buffered().is_empty() {
            if buf.len() >= crate::record::MAX_RECORD_LEN {
                return transport.read(buf).map_err(|e| plain_error(transport, e));
            }
            match self.conn.receive_from(transport) {
                Ok(0) => {
                    self.conn.release_if_empty();
                    return Ok(0);
                }
                Ok(_) => {}
                Err(e) => return Err(plain_error(transport, e)),
            }
        }
        let unread = self.conn.buffered();
        let n = buf.len().min(unread.len());
        buf[..n].copy_from_slice(&unread[..n]);
        self.conn.consume(n);
        self.conn.park_if_empty();
        Ok(n)
    }

    fn write_impl(&mut self, data: &[u8]) -> Result<usize> {
        if self.closed {
            return Err(closed_error());
        }
        let transport = self.transport.as_mut().ok_or_else(closed_error)?;
        match self.conn.phase() {
            Phase::Plain => transport.write(data).map_err(|e| plain_error(transport, e)),
            Phase::Detaching => Err(detach_under_way()),
            Phase::Handshaking | Phase::Open => {
                let written = self.write_tls(data);
                self.settle_attach(&written);
                written.map_err(|e| e.with_operation("write"))
            }
        }
    }

    /// Encrypts `data` and puts the records on the wire, records straight to the
    /// transport where the engine can. Blocking: every octet is on the wire when this
    /// returns (SPEC STREAM-7). When the transport cannot take more — non-blocking and
    /// not ready, or the user's write timeout ran out — the octets the session already
    /// took are returned (they go out with the next write or flush; nothing is lost),
    /// or, if it took none, the error.
    fn write_tls(&mut self, data: &[u8]) -> Result<usize> {
        let mut written = 0;
        while written < data.len() {
            let step = self.run(|conn, now| conn.writable(now)).and_then(|()| {
                let transport = self.transport.as_mut().ok_or_else(closed_error)?;
                self.conn.write_direct(&data[written..], transport)
            });
            match step {
                Ok(n) => written += n,
                Err(err) if written > 0 && stops_short(&err) => break,
                Err(err) => return Err(err),
            }
            match self.run(|conn, _| Ok(conn.flushed())) {
                Ok(()) => {}
                Err(err) if stops_short(&err) => break,
                Err(err) => return Err(err),
            }
        }
        Ok(written)
    }
}

/// Whether a write may stop short with what was taken: the transport cannot take more
/// now, and nothing was lost.
fn stops_short(err: &Error) -> bool {
    is_would_block(err) || err.kind() == ErrorKind::Timeout
}

impl<T: Transport> Read for SocketStream<T> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.read_impl(buf).map_err(into_io)
    }
}

impl<T: Transport> BufRead for SocketStream<T> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        if self.plain_pos >= self.plain_out.len() {
            if self.conn.phase() == Phase::Plain {
                // Plain mode: the transport buffer is the read buffer.
                if self.closed {
                    return Err(closed_error().into());
                }
                if self.conn.buffered().is_empty() {
                    let transport = self.transport.as_mut().ok_or_else(closed_error)?;
                    if let Err(e) = self.conn.receive_from(transport) {
                        return Err(plain_error(transport, e).into());
                    }
                }
                return Ok(self.conn.buffered());
            }
            self.plain_out.resize(16_384, 0);
            let mut buf = std::mem::take(&mut self.plain_out);
            let n = self.read_impl(&mut buf);
            self.plain_out = buf;
            let n = n.map_err(into_io)?;
            self.plain_out.truncate(n);
            self.plain_pos = 0;
        }
        Ok(&self.plain_out[self.plain_pos..])
    }

    fn consume(&mut self, amt: usize) {
        if self.plain_pos < self.plain_out.len() {
            self.plain_pos = (self.plain_pos + amt).min(self.plain_out.len());
        } else if self.conn.phase() == Phase::Plain {
            self.conn.consume(amt.min(self.conn.buffered().len()));
        }
    }
}

impl<T: Transport> Write for SocketStream<T> {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        self.write_impl(data).map_err(into_io)
    }

    /// Puts every record the session took on the wire (on a blocking transport each
    /// `write` did already, SPEC STREAM-7), then flushes the transport.
    fn flush(&mut self) -> io::Result<()> {
        if self.closed || self.transport.is_none() {
            return Err(closed_error().into());
        }
        if self.conn.wants_write() {
            self.run(|conn, _| Ok(conn.flushed()))
                .map_err(|e| into_io(e.with_operation("flush")))?;
        }
        match self.transport.as_mut() {
            Some(t) => t.flush(),
            None => Err(closed_error().into()),
        }
    }
}

fn into_io(err: Error) -> io::Error {
    err.into()
}

impl<T: Transport> Drop for SocketStream<T> {
    /// Acts as [`close`](SocketStream::close): the peer reads a clean EOF; never
    /// panics (SPEC CLOSE-4).
    fn drop(&mut self) {
        let _ = self.close();
    }
}
