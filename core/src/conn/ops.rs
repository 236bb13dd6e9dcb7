//! The operations on an attached [`Conn`]: handshake, read, the write path and
//! shutdown_write. Each makes all the progress it can without I/O and says what it
//! needs next; called again after that I/O, it continues where it stood.

use std::time::Instant;

use super::{not_attached, truncated, Conn, Need, Progress, TlsState};
use crate::{Error, ErrorKind, Result};

impl Conn {
    fn attached_mut(&mut self) -> Result<&mut TlsState> {
        self.tls.as_deref_mut().ok_or_else(not_attached)
    }

    /// Runs the handshake as far as the buffered octets allow (SPEC HS-2, HS-3,
    /// HS-4, SEC-6). Done when the handshake finished, its last flight is written and
    /// core's checks of the result passed. Past the deadline: `HandshakeTimeout`
    /// (not sticky: `handshake` may go on, SPEC HS-6).
    pub(crate) fn handshake(&mut self, now: Instant) -> Result<Progress<()>> {
        let tls = self.attached_mut()?;
        tls.check_fatal()?;
        tls.role_chosen()?;
        if tls.handshake.as_ref().is_some_and(|h| h.closed) {
            return Err(closed_in_handshake());
        }
        tls.arm_default_deadline(now);
        loop {
            if self.wants_write() {
                return Ok(Progress::Blocked(Need::Write));
            }
            let tls = self.tls.as_deref_mut().expect("attached");
            let session = tls.session().expect("role chosen");
            if !session.is_handshaking() {
                tls.disarm_deadline();
                if !tls.checked {
                    tls.check_established().map_err(|err| tls.fail(err))?;
                    tls.checked = true;
                    tls.finish_handshake();
                }
                return Ok(Progress::Done(()));
            }
            if session.received_close_notify() {
                if let Some(handshake) = tls.handshake.as_deref_mut() {
                    handshake.closed = true;
                }
                return Err(closed_in_handshake());
            }
            if tls.feed_record(&mut self.rbuf, None)?.is_some() {
                continue;
            }
            if self.eof {
                return Err(tls.fail(truncated(&self.rbuf)));
            }
            if tls.deadline().is_some_and(|deadline| now >= deadline) {
                tls.disarm_deadline();
                return Err(handshake_timeout());
            }
            return Ok(Progress::Blocked(Need::Read));
        }
    }

    /// Runs the handshake implicitly first if it is not done (SPEC SIDE-7, HS-8):
    /// `None` when established, else what it needs.
    fn handshaken(&mut self, now: Instant) -> Result<Option<Need>> {
        let tls = self.attached_mut()?;
        tls.check_fatal()?;
        if tls.checked {
            return Ok(None);
        }
        match self.handshake(now)? {
            Progress::Done(()) => Ok(None),
            Progress::Blocked(need) => Ok(Some(need)),
        }
    }

    /// Reads application data into `buf`, decrypting the next record straight into it
    /// (SPEC REC-1, REC-2, REC-4): `Done(0)` after the peer's close_notify, an error
    /// on EOF without it.
    pub(crate) fn read(&mut self, buf: &mut [u8], now: Instant) -> Result<Progress<usize>> {
        if let Some(need) = self.handshaken(now)? {
            return Ok(Progress::Blocked(need));
        }
        if buf.is_empty() {
            return Ok(Progress::Done(0));
        }
        let tls = self.tls.as_deref_mut().expect("handshaken");
        loop {
            let n = tls.session_mut().read_plaintext(buf);
            let n = n.map_err(|e| tls.fail(e))?;
            if n > 0 {
                return Ok(Progress::Done(n));
            }
            if tls.session().is_some_and(|s| s.received_close_notify()) {
                return Ok(Progress::Done(0));
            }
            match tls.feed_record(&mut self.rbuf, Some(&mut *buf))? {
                Some(n) if n > 0 => return Ok(Progress::Done(n)),
                Some(_) => continue,
                None => break,
            }
        }
        if self.eof {
            let tls = self.tls.as_deref_mut().expect("handshaken");
            return Err(tls.fail(truncated(&self.rbuf)));
        }
        // What a record asked of us (a KeyUpdate, a refusal of renegotiation) goes out
        // before we wait for more.
        if self.wants_write() {
            return Ok(Progress::Blocked(Need::Write));
        }
        Ok(Progress::Blocked(Need::Read))
    }

    /// Done when the session can take application data: the handshake finished,
    /// earlier output is on its way out, the write side is open (SPEC REC-6).
    pub(crate) fn writable(&mut self, now: Instant) -> Result<Progress<()>> {
        if let Some(need) = self.handshaken(now)? {
            return Ok(Progress::Blocked(need));
        }
        if self.tls.as_deref().is_some_and(|tls| tls.write_shut) {
            return Err(Error::new(
                ErrorKind::Closed,
                "the write side was shut down with shutdown_write",
            ));
        }
        if self.wants_write() {
            return Ok(Progress::Blocked(Need::Write));
        }
        Ok(Progress::Done(()))
    }

    /// Encrypts application data into records that wait for
    /// [`send_to`](Conn::send_to); the octets taken. Call when
    /// [`writable`](Conn::writable) is done.
    pub(crate) fn write_buffered(&mut self, data: &[u8]) -> Result<usize> {
        let tls = self.attached_mut()?;
        let n = tls.session_mut().write_plaintext(data);
        taken(tls, n)
    }

    /// Encrypts application data with the records written straight to `transport`
    /// where the engine can; what the transport cannot take now waits in the session
    /// (the `Session::write_plaintext_to` contract). Call when
    /// [`writable`](Conn::writable) is done.
    pub(crate) fn write_direct(
        &mut self,
        data: &[u8],
        transport: &mut dyn std::io::Write,
    ) -> Result<usize> {
        let tls = self.attached_mut()?;
        if tls.taps_output() {
            return self.write_buffered(data);
        }
        let n = tls.session_mut().write_plaintext_to(data, transport);
        taken(tls, n)
    }

    /// Done when no ciphertext waits to be written.
    pub(crate) fn flushed(&self) -> Progress<()> {
        if self.wants_write() {
            Progress::Blocked(Need::Write)
        } else {
            Progress::Done(())
        }
    }

    /// Sends close_notify once and is done when it is written; later writes give
    /// Closed, reads go on until the peer's close_notify (SPEC REC-6).
    pub(crate) fn shutdown_write(&mut self, now: Instant) -> Result<Progress<()>> {
        if let Some(need) = self.handshaken(now)? {
            return Ok(Progress::Blocked(need));
        }
        let tls = self.tls.as_deref_mut().expect("handshaken");
        if !tls.write_shut {
            tls.write_shut = true;
            tls.session_mut().send_close_notify();
        }
        Ok(self.flushed())
    }

    /// After a write to the transport failed while a handshake ran: whether the peer's
    /// reason is already buffered (its alert); it becomes the connection's error.
    pub(crate) fn peer_failure(&mut self) -> Option<Error> {
        let tls = self.tls.as_deref_mut()?;
        tls.session.as_ref()?;
        for _ in 0..64 {
            match tls.feed_record(&mut self.rbuf, None) {
                Ok(Some(_)) => continue,
                Ok(None) => return None,
                Err(reason) => {
                    tls.replace_fatal(&reason);
                    return Some(reason);
                }
            }
        }
        None
    }
}

/// The octets a session took; none at all is a failure (it would loop forever).
fn taken(tls: &mut TlsState, n: Result<usize>) -> Result<usize> {
    match n.map_err(|e| tls.fail(e))? {
        0 => Err(tls.fail(Error::new(
            ErrorKind::Failure,
            "the engine accepted no data",
        ))),
        n => Ok(n),
    }
}

fn handshake_timeout() -> Error {
    Error::new(
        ErrorKind::HandshakeTimeout,
        "the handshake did not finish before its deadline",
    )
}

pub(super) fn closed_in_handshake() -> Error {
    Error::new(
        ErrorKind::Closed,
        "the peer sent close_notify during the handshake",
    )
}
