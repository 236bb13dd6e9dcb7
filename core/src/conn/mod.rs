//! `Conn`: one connection's state machine, sans IO — the plain read buffer, the TLS
//! session and every rule the SPEC states about a live connection.
//!
//! It owns no transport and reads no clock, in the manner of quinn-proto's
//! `Connection` and rustls's `Connection`: a shell lends it the transport's reader for
//! [`receive_from`](Conn::receive_from) (octets received, or EOF) and writer for
//! [`send_to`](Conn::send_to) (octets to send, told how many went), tells it `now`,
//! and runs an operation ([`handshake`](Conn::handshake), [`read`](Conn::read),
//! [`writable`](Conn::writable), [`shutdown_write`](Conn::shutdown_write),
//! [`detach_step`](Conn::detach_step)), which makes all the progress it can without
//! I/O and says what it needs next ([`Progress`]): to read, to write, or — through
//! [`poll_timeout`](Conn::poll_timeout) — a wake-up at an instant. Every state lives
//! here, not in the locals of a loop, so an operation that stopped because I/O would
//! block continues where it stood when it is called again. The blocking shell is
//! `crate::blocking`; the tokio shell drives the same `Conn`.
//!
//! The rules (ARCHITECTURE.md, "The data path"): whole records only go to the engine,
//! so the octets after a close_notify stay here (DETACH-9) and plaintext buffered
//! before attach is the start of the peer's TLS stream (STARTTLS-2); impossible
//! record headers fail at once (SEC-4/5); EOF without close_notify is truncation
//! (REC-2); one handshake deadline (SEC-6); the clear-text hellos are read (SNI-9).

mod detach;
mod handshake_state;
mod ops;
mod prepare;
mod session_slot;
mod tls;

#[cfg(any(test, feature = "fuzzing"))]
pub(crate) mod testing;
#[cfg(test)]
mod tests;

use std::io::{self, Read, Write};
use std::time::Instant;

use crate::record::ReadBuffer;
use crate::{Error, ErrorKind};

pub(crate) use prepare::prepare;
pub(crate) use tls::TlsState;

/// What an operation needs before it can go on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Need {
    /// Octets from the peer ([`Conn::receive_from`]), or the instant
    /// [`Conn::poll_timeout`] names, whichever comes first.
    Read,
    /// The pending output written ([`Conn::send_to`]).
    Write,
}

/// The result of one step of an operation.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Progress<T> {
    /// The operation finished with this value.
    Done(T),
    /// It needs I/O first; call it again afterwards.
    Blocked(Need),
}

/// Where a connection stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Phase {
    /// No TLS: the read buffer holds plaintext.
    Plain,
    /// TLS attached, handshake not finished (or the role not picked yet).
    Handshaking,
    /// TLS attached and established.
    Open,
    /// A detach is under way (SPEC DETACH-3: the stream already counts as plain).
    Detaching,
}

/// One connection's state, sans IO (see the module documentation).
#[derive(Default)]
pub(crate) struct Conn {
    /// Plaintext while plain, ciphertext records while TLS is attached.
    rbuf: ReadBuffer,
    /// The transport gave EOF while TLS was attached.
    eof: bool,
    tls: Option<Box<TlsState>>,
}

impl Conn {
    /// Where the connection stands.
    pub(crate) fn phase(&self) -> Phase {
        match self.tls.as_deref() {
            None => Phase::Plain,
            Some(tls) if tls.detaching.is_some() => Phase::Detaching,
            Some(tls) if tls.is_established() && tls.checked => Phase::Open,
            Some(_) => Phase::Handshaking,
        }
    }

    /// The TLS state while attached (detaching included).
    pub(crate) fn tls(&self) -> Option<&TlsState> {
        self.tls.as_deref()
    }

    /// The TLS state while attached (detaching included).
    pub(crate) fn tls_mut(&mut self) -> Option<&mut TlsState> {
        self.tls.as_deref_mut()
    }

    /// Attaches TLS: octets already buffered become the start of the peer's TLS
    /// stream, never application data (SPEC STARTTLS-2).
    pub(crate) fn attach(&mut self, tls: TlsState) {
        self.eof = false;
        self.tls = Some(Box::new(tls));
    }

    /// Drops the TLS state and everything it made (a failed attach, SPEC ATTACH-4; a
    /// detach that failed); the connection is plain.
    pub(crate) fn drop_tls(&mut self) {
        self.tls = None;
        self.eof = false;
    }

    /// Ends one call of the shell: a handshake deadline it armed stops applying, so
    /// the next call starts its own. (A call that stopped at `WouldBlock` does not end
    /// here: calling again keeps its deadline.)
    pub(crate) fn end_call(&mut self) {
        if let Some(tls) = self.tls.as_deref_mut() {
            tls.disarm_deadline();
        }
    }

    /// Records `err` as the connection's fatal error when TLS is attached.
    pub(crate) fn fail(&mut self, err: Error) -> Error {
        match self.tls.as_deref_mut() {
            Some(tls) => tls.fail(err),
            None => err,
        }
    }

    // ---- I/O, lent by the shell ----

    /// Reads once from `transport` into core's buffer; `Ok(0)` is EOF, which a TLS
    /// operation then reports as truncation (SPEC REC-2, HS-4).
    pub(crate) fn receive_from(&mut self, transport: &mut dyn Read) -> io::Result<usize> {
        let n = self.rbuf.fill_from(transport)?;
        if n == 0 && self.tls.is_some() {
            self.eof = true;
        }
        Ok(n)
    }

    /// Whether ciphertext waits to be written.
    pub(crate) fn wants_write(&self) -> bool {
        self.tls.as_deref().is_some_and(|tls| {
            tls.handshake.as_ref().is_some_and(|h| !h.out.is_empty())
                || tls.session().is_some_and(|s| s.wants_write())
        })
    }

    /// Writes pending ciphertext to `transport`, once: the octets that went, `Ok(0)`
    /// when nothing waits. What the transport did not take stays for the next call.
    pub(crate) fn send_to(&mut self, transport: &mut dyn Write) -> io::Result<usize> {
        let Some(tls) = self.tls.as_deref_mut() else {
            return Ok(0);
        };
        if let Some(handshake) = tls.handshake.as_deref_mut() {
            if !handshake.out.is_empty() {
                let n = transport.write(&handshake.out)?;
                if n == 0 {
                    return Err(io::ErrorKind::WriteZero.into());
                }
                handshake.out.drain(..n);
                return Ok(n);
            }
        }
        if !tls.session().is_some_and(|s| s.wants_write()) {
            return Ok(0);
        }
        if tls.taps_output() {
            // Take the flight into core's buffer, read the ServerHello off it, send.
            let mut flight = Vec::new();
            while tls.session().is_some_and(|s| s.wants_write()) {
                if tls.session_mut().write_tls(&mut flight)? == 0 {
                    break;
                }
            }
            let handshake = tls
                .handshake
                .as_deref_mut()
                .expect("taps while handshaking");
            handshake.server_hello.observe_bytes(&flight);
            handshake.out = flight;
            return self.send_to(transport);
        }
        match tls.session_mut().write_tls(transport)? {
            0 => Err(io::ErrorKind::WriteZero.into()),
            n => Ok(n),
        }
    }

    /// The instant the current operation must be woken at even without I/O: the
    /// handshake deadline, or the next close_notify check of a detach.
    pub(crate) fn poll_timeout(&self) -> Option<Instant> {
        let tls = self.tls.as_deref()?;
        if let Some(detaching) = tls.detaching.as_deref() {
            return detaching.next_check();
        }
        tls.deadline()
    }

    // ---- the plain read buffer ----

    /// The buffered octets not read yet (plaintext when plain).
    pub(crate) fn buffered(&self) -> &[u8] {
        self.rbuf.unread()
    }

    /// Marks `n` buffered octets read.
    pub(crate) fn consume(&mut self, n: usize) {
        self.rbuf.consume(n);
    }

    /// Gives the read buffer's allocation back when it is empty (an idle connection
    /// holds none).
    pub(crate) fn park_if_empty(&mut self) {
        self.rbuf.park_if_empty();
    }

    /// Frees the read buffer's allocation when it is empty.
    pub(crate) fn release_if_empty(&mut self) {
        self.rbuf.release_if_empty();
    }

    /// Takes every buffered octet out (for `into_parts`).
    pub(crate) fn take_buffered(&mut self) -> Vec<u8> {
        self.rbuf.take_all()
    }
}

/// The error when the peer ends the transport without close_notify.
fn truncated(rbuf: &ReadBuffer) -> Error {
    let inside = if rbuf.is_empty() {
        ""
    } else {
        " inside a record"
    };
    Error::unexpected_eof(format!(
        "the peer closed the connection{inside} without close_notify (truncation)"
    ))
}

fn not_attached() -> Error {
    Error::new(ErrorKind::NotAttached, "TLS is not attached to this stream")
}
