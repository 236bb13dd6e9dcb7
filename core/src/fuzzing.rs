//! Entry points for the fuzz targets in `fuzz/` (feature `fuzzing`, SPEC REL-6):
//! arbitrary peer octets into one [`Conn`](crate::conn) over the scripted fake engine
//! core's own tests use, on in-memory wires and a fake clock, so that a run is
//! deterministic and all the code under test is core's (record framing, the hello
//! readers, the handshake, read and detach rules).
//!
//! Not part of the API: the feature exists for `fuzz/` and is off everywhere else. Each
//! function panics when a rule is broken — that is what the fuzzer reports — and
//! returns quietly on every outcome the SPEC allows (an error included).
//!
//! The first input octet steers the driver (role, read sizes, EOF or silence at the
//! end, what follows the handshake); the rest is what the peer sends.

use std::time::Duration;

use crate::conn::testing::fake;
use crate::conn::testing::pair::{fake_tls, Clock, Wire};
use crate::conn::{Conn, Need, Phase, Progress};
use crate::{ErrorKind, Result, RetryPolicy, Role, Side};

/// How many octets one transport read returns, picked by three bits of the control
/// octet (`0`: as many as fit).
const READ_SIZES: [usize; 8] = [0, 1, 2, 3, 5, 17, 300, 4096];

/// The handshake deadline the drivers give: the fake clock jumps to it when the peer
/// goes silent, so it costs nothing.
const DEADLINE: Duration = Duration::from_secs(1);

/// A peer's octets, then the handshake, reads and a detach of a `Conn` that was plain
/// (client or server, with the octets arriving before or after attach).
pub fn conn_handshake(input: &[u8]) {
    let Some((&control, peer)) = input.split_first() else {
        return;
    };
    let role = if control & 1 == 0 {
        Role::Server
    } else {
        Role::Client
    };
    let mut run = Run::new(control, peer);
    if control & 0x10 != 0 {
        // STARTTLS: what arrived before attach is the start of the TLS stream.
        let _ = run.conn.receive_from(&mut run.inbox);
    }
    let side = match role {
        Role::Client => Side::Client,
        Role::Server => Side::Server,
    };
    run.conn.attach(fake_tls(side, Some(DEADLINE)));
    match run.drive(|c, now| c.handshake(now)) {
        Ok(Some(())) => assert_eq!(run.conn.phase(), Phase::Open),
        Ok(None) => return,
        Err(err) => {
            if err.kind() != ErrorKind::HandshakeTimeout {
                // A failed handshake stays failed (SPEC REC-8).
                let again = run.drive(|c, now| c.handshake(now));
                assert!(again.is_err(), "a failed handshake went on: {err}");
            }
            return;
        }
    }
    run.established(control);
}

/// A peer's octets after a completed handshake: reads, or a detach (with a retry
/// policy, or none as `close` does), or shutdown_write then reads.
pub fn conn_established(input: &[u8]) {
    let Some((&control, peer)) = input.split_first() else {
        return;
    };
    // The fake server's answer, then the peer's octets.
    let mut script = fake::record(22, b"SH");
    script.extend_from_slice(peer);
    let mut run = Run::new(control, &script);
    run.conn.attach(fake_tls(Side::Client, None));
    let done = run.drive(|c, now| c.handshake(now));
    assert!(matches!(done, Ok(Some(()))), "the fake handshake: {done:?}");
    run.outbox.bytes.clear();
    run.established(control);
}

/// One `Conn`, its wires and its clock.
struct Run {
    conn: Conn,
    /// What the peer sends.
    inbox: Wire,
    /// What the connection sent (only counted).
    outbox: Wire,
    clock: Clock,
    /// Everything the peer sent, to compare with what detach leaves as plaintext.
    peer: Vec<u8>,
    /// Steps left before the run counts as hung.
    budget: usize,
}

impl Run {
    fn new(control: u8, peer: &[u8]) -> Run {
        let mut inbox = Wire {
            max_read: READ_SIZES[usize::from((control >> 1) & 7)],
            // Bit 5: the peer closes after its octets; else it goes silent.
            closed: control & 0x20 != 0,
            ..Wire::default()
        };
        inbox.bytes.extend(peer);
        Run {
            conn: Conn::default(),
            inbox,
            outbox: Wire::default(),
            clock: Clock::new(),
            peer: peer.to_vec(),
            // Each step reads at least one octet, writes, or moves the clock to a
            // deadline: far fewer than this unless something loops.
            budget: 4 * peer.len() + 400,
        }
    }

    /// Runs `op` until it is done, fails, or waits for octets that will never come
    /// with no deadline to wake it (`Ok(None)`). Panics if it makes no progress.
    fn drive<R>(
        &mut self,
        mut op: impl FnMut(&mut Conn, std::time::Instant) -> Result<Progress<R>>,
    ) -> Result<Option<R>> {
        loop {
            assert!(self.budget > 0, "no progress: the connection loops");
            self.budget -= 1;
            let now = self.clock.now();
            match op(&mut self.conn, now)? {
                Progress::Done(value) => return Ok(Some(value)),
                Progress::Blocked(Need::Write) => {
                    let sent = self
                        .conn
                        .send_to(&mut self.outbox)
                        .expect("a wire takes all");
                    assert!(sent > 0, "Blocked(Write) with nothing to write");
                }
                Progress::Blocked(Need::Read) => match self.conn.receive_from(&mut self.inbox) {
                    Ok(_) => {}
                    Err(e) => {
                        assert_eq!(e.kind(), std::io::ErrorKind::WouldBlock);
                        match self.conn.poll_timeout() {
                            Some(wake) if wake > now => self.clock.advance_to(wake),
                            // Due already: the operation must act on it when called.
                            Some(_) => {}
                            None => return Ok(None),
                        }
                    }
                },
            }
        }
    }

    /// After the handshake: bits 6–7 of the control octet pick what happens.
    fn established(&mut self, control: u8) {
        match control >> 6 {
            0 => self.read_all(),
            1 => self.detach(Some(RetryPolicy {
                extra_attempts: 1,
                interval: Duration::from_millis(10),
            })),
            2 => self.detach(None),
            _ => {
                let shut = self.drive(|c, now| c.shutdown_write(now));
                if shut.is_ok() {
                    self.read_all();
                }
            }
        }
    }

    /// Reads until the end of the stream, an error or silence; checks REC-1 and REC-8.
    fn read_all(&mut self) {
        let mut buf = [0u8; 700];
        loop {
            match self.drive(|c, now| c.read(&mut buf, now)) {
                Ok(Some(0)) => {
                    // close_notify: a clean end, again and again (SPEC REC-1).
                    let again = self.drive(|c, now| c.read(&mut buf, now));
                    assert!(
                        matches!(again, Ok(Some(0))),
                        "after close_notify: {again:?}"
                    );
                    return;
                }
                Ok(Some(n)) => assert!(n <= buf.len()),
                Ok(None) => return,
                Err(err) => {
                    // Sticky (SPEC REC-8).
                    let again = self.drive(|c, now| c.read(&mut buf, now));
                    assert!(again.is_err(), "a read after {err} went on: {again:?}");
                    return;
                }
            }
        }
    }

    /// Detaches; the connection is plain whatever the outcome, and when the peer's
    /// close_notify ended it, what the peer sent after it is the plaintext that is
    /// left, intact (SPEC DETACH-9).
    fn detach(&mut self, retry: Option<RetryPolicy>) {
        let now = self.clock.now();
        let started = self.conn.start_detach(retry, now, Vec::new());
        let detached = match started {
            Ok(Some(detached)) => Ok(Some(detached)),
            Ok(None) => self.drive(|c, now| c.detach_step(now)),
            Err(err) => Err(err),
        };
        if let Ok(None) = detached {
            return; // no retry policy ends without waiting; with one, the clock ran
        }
        assert_eq!(self.conn.phase(), Phase::Plain, "{detached:?}");
        if let Ok(Some(detached)) = detached {
            if detached.peer_closed {
                let mut left = self.conn.buffered().to_vec();
                left.extend(self.inbox.bytes.iter());
                assert!(
                    self.peer.ends_with(&left),
                    "the octets after close_notify changed: {left:?}"
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The fake protocol's records, to build inputs from.
    fn records(parts: &[(u8, &[u8])]) -> Vec<u8> {
        parts
            .iter()
            .flat_map(|(kind, body)| fake::record(*kind, body))
            .collect()
    }

    #[test]
    fn drivers_reach_every_path() {
        // A server handshake, data, close_notify.
        let mut input = vec![0x20];
        input.extend(records(&[
            (22, b"CH"),
            (22, b"FIN"),
            (23, b"hi"),
            (21, &[1, 0]),
        ]));
        conn_handshake(&input);
        // Detach with the peer's close_notify and plaintext after it.
        let mut input = vec![0x40 | 0x20 | 0x02];
        input.extend(records(&[(23, b"last"), (21, &[1, 0])]));
        input.extend(b"EHLO plain");
        conn_established(&input);
        // Silence: the deadline, on the fake clock.
        conn_handshake(&[0x01]);
        conn_established(&[0xC0, 0xFF]);
        conn_established(&[0x80]);
    }
}

#[cfg(test)]
mod regressions;
