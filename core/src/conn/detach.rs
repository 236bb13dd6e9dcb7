//! Detaching, resumable: close_notify out, the peer's awaited under a retry policy
//! whose checks are instants on the clock the shell passes in (SPEC DETACH-4..12).
//!
//! Checks are spaced in time, not counted per call: a call that comes back early
//! (a non-blocking transport said `WouldBlock`, a read was interrupted) makes no
//! check, so faults of the transport never use up the policy (SPEC REL-1, STREAM-9).

use std::time::{Duration, Instant};

use super::{not_attached, Conn, Need, Progress};
use crate::{Detached, Error, ErrorKind, Result, RetryPolicy, Session};

/// The state of a detach under way.
pub(crate) struct Detaching {
    policy: Option<RetryPolicy>,
    checks_done: u32,
    next_check: Instant,
    detached: Detached,
}

impl Detaching {
    /// When the next close_notify check is due (none without a policy).
    pub(crate) fn next_check(&self) -> Option<Instant> {
        self.policy.map(|_| self.next_check)
    }
}

impl Conn {
    /// Starts a detach (SPEC DETACH-3: from here the stream counts as plain). Done at
    /// once — `Some` — when there is nothing to close: no role picked, a handshake not
    /// finished, a fatal error (SPEC DETACH-11, DETACH-12; with a policy the latter
    /// is the error again). Otherwise queues close_notify and
    /// [`detach_step`](Self::detach_step) goes on.
    ///
    /// `already_read`: application data the shell decrypted and nobody read yet; it
    /// comes first in [`Detached::unread_application_data`].
    pub(crate) fn start_detach(
        &mut self,
        retry: Option<RetryPolicy>,
        now: Instant,
        already_read: Vec<u8>,
    ) -> Result<Option<Detached>> {
        let kept = |session| Detached {
            session,
            unread_application_data: already_read,
            peer_closed: false,
        };
        let tls = self.tls.as_deref_mut().ok_or_else(not_attached)?;
        if tls.detaching.is_some() {
            return Ok(None); // under way already: go on
        }
        if let Some(fatal) = tls.take_fatal() {
            // No close_notify after a fatal error (SPEC DETACH-12).
            self.drop_tls();
            return match retry {
                Some(_) => Err((*fatal).with_operation("detach")),
                None => Ok(Some(kept(None))),
            };
        }
        let established = tls.is_established();
        let Some(session) = tls.session.take() else {
            self.drop_tls();
            return Ok(Some(kept(None))); // Both without a role (DETACH-11)
        };
        if !established {
            let detached = kept(session.into_native());
            self.drop_tls();
            return Ok(Some(detached)); // no close_notify mid-handshake (DETACH-11)
        }
        let tls = self.tls.as_deref_mut().expect("attached");
        let session = tls.session.insert(session).get_mut();
        let mut detached = kept(None);
        if let Err(err) = drain_plaintext(session, &mut detached.unread_application_data) {
            self.drop_tls();
            return Err(err.with_operation("detach"));
        }
        if !tls.write_shut {
            session.send_close_notify();
        }
        tls.detaching = Some(Box::new(Detaching {
            policy: retry,
            checks_done: 0,
            next_check: now,
            detached,
        }));
        Ok(None)
    }

    /// Goes on with a detach started by [`start_detach`](Conn::start_detach). Without
    /// a policy it is done at once (the shell wrote what it could: SPEC DETACH-6).
    /// With one: close_notify written, then up to 2 + `extra_attempts` checks for the
    /// peer's, the first at once, the second 1 ms later, the others `interval` apart;
    /// application data arriving first is kept (SPEC DETACH-4, DETACH-5). When this
    /// returns `Done` or an error, the connection is plain and the session freed or
    /// handed back.
    pub(crate) fn detach_step(&mut self, now: Instant) -> Result<Progress<Detached>> {
        let tls = self.tls.as_deref_mut().ok_or_else(not_attached)?;
        let backend = tls.backend().name();
        let Some(policy) = tls.detaching.as_ref().expect("detaching").policy else {
            let peer_closed = tls.session().is_some_and(|s| s.received_close_notify());
            return Ok(Progress::Done(self.finish_detach(peer_closed)));
        };
        if self.wants_write() {
            return Ok(Progress::Blocked(Need::Write));
        }
        loop {
            let tls = self.tls.as_deref_mut().expect("attached");
            match tls.feed_record(&mut self.rbuf, None) {
                Ok(Some(_)) => {
                    let state = tls.detaching.as_deref_mut().expect("detaching");
                    let session = tls.session.as_mut().expect("established").get_mut();
                    let kept = &mut state.detached.unread_application_data;
                    if let Err(err) = drain_plaintext(session, kept) {
                        self.drop_tls();
                        return Err(err.with_operation("detach"));
                    }
                }
                Ok(None) => break,
                Err(err) => {
                    self.drop_tls();
                    return Err(err.with_operation("detach"));
                }
            }
        }
        let tls = self.tls.as_deref_mut().expect("attached");
        if tls.session().is_some_and(|s| s.received_close_notify()) {
            return Ok(Progress::Done(self.finish_detach(true)));
        }
        if self.eof {
            self.drop_tls();
            return Err(Error::unexpected_eof(
                "the peer closed the connection without answering close_notify",
            )
            .with_operation("detach")
            .with_backend(backend));
        }
        let state = tls.detaching.as_deref_mut().expect("detaching");
        if now >= state.next_check {
            state.checks_done += 1;
            let checks = 2 + policy.extra_attempts;
            if state.checks_done >= checks {
                self.drop_tls();
                return Err(Error::new(
                    ErrorKind::Failure,
                    format!(
                        "the peer did not answer close_notify within {checks} checks {:?} apart",
                        policy.interval
                    ),
                )
                .with_operation("detach")
                .with_backend(backend));
            }
            let pause = if state.checks_done == 1 {
                Duration::from_millis(1)
            } else {
                policy.interval.max(Duration::from_millis(1))
            };
            state.next_check = now + pause;
        }
        if self.wants_write() {
            return Ok(Progress::Blocked(Need::Write));
        }
        Ok(Progress::Blocked(Need::Read))
    }

    /// Ends the detach: the connection is plain, the session handed back for
    /// `CtxSpec::Session` (SPEC CTX-7) or freed.
    fn finish_detach(&mut self, peer_closed: bool) -> Detached {
        let tls = self.tls.as_deref_mut().expect("attached");
        let mut detached = tls
            .detaching
            .take()
            .map(|state| state.detached)
            .unwrap_or_default();
        detached.peer_closed = peer_closed;
        detached.session = tls.session.take().and_then(|s| s.into_native());
        self.drop_tls();
        detached
    }
}

/// Moves every decrypted octet the session holds into `out`.
fn drain_plaintext(session: &mut dyn Session, out: &mut Vec<u8>) -> Result<()> {
    let mut chunk = [0u8; 4096];
    loop {
        let n = session.read_plaintext(&mut chunk)?;
        if n == 0 {
            return Ok(());
        }
        out.extend_from_slice(&chunk[..n]);
    }
}
