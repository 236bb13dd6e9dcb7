//! Entry points for the fuzz targets in `fuzz/` (feature `fuzzing`, SPEC REL-6):
//! arbitrary peer octets into one `Conn` (`conn/`) over the scripted fake engine
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

/// How a driven connection ended (the fuzz targets ignore it; the drivers' own tests
/// check that each path is reached).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ending {
    /// Nothing to drive: the input was empty.
    Empty,
    /// Waiting for octets that will not come, with no deadline to wake it.
    Waiting,
    /// The handshake failed, with this kind.
    HandshakeFailed(ErrorKind),
    /// Reads ended with the peer's close_notify.
    ClosedCleanly,
    /// A read failed, with this kind.
    ReadFailed(ErrorKind),
    /// Detach finished: whether the peer's close_notify ended it, the application data
    /// handed back, and the plaintext left to read after it.
    Detached {
        /// The peer's close_notify came.
        peer_closed: bool,
        /// `Detached::unread_application_data`.
        application_data: Vec<u8>,
        /// What the plain stream reads next.
        plaintext: Vec<u8>,
    },
    /// Detach failed, with this kind.
    DetachFailed(ErrorKind),
    /// shutdown_write failed, with this kind.
    ShutdownFailed(ErrorKind),
}

/// A peer's octets, then the handshake, reads and a detach of a `Conn` that was plain
/// (client or server, with the octets arriving before or after attach).
pub fn conn_handshake(input: &[u8]) -> Ending {
    let Some((&control, peer)) = input.split_first() else {
        return Ending::Empty;
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
        Ok(None) => return Ending::Waiting,
        Err(err) => {
            if err.kind() != ErrorKind::HandshakeTimeout {
                // A failed handshake stays failed (SPEC REC-8).
                let again = run.drive(|c, now| c.handshake(now));
                assert!(again.is_err(), "a failed handshake went on: {err}");
            }
            return Ending::HandshakeFailed(err.kind());
        }
    }
    run.established(control)
}

/// A peer's octets after a completed handshake: reads, or a detach (with a retry
/// policy, or none as `close` does), or shutdown_write then reads.
pub fn conn_established(input: &[u8]) -> Ending {
    let Some((&control, peer)) = input.split_first() else {
        return Ending::Empty;
    };
    // The fake server's answer, then the peer's octets.
    let mut script = fake::record(22, b"SH");
    script.extend_from_slice(peer);
    let mut run = Run::new(control, &script);
    run.conn.attach(fake_tls(Side::Client, None));
    let done = run.drive(|c, now| c.handshake(now));
    assert!(matches!(done, Ok(Some(()))), "the fake handshake: {done:?}");
    run.outbox.bytes.clear();
    run.established(control)
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
    fn established(&mut self, control: u8) -> Ending {
        match control >> 6 {
            0 => self.read_all(),
            1 => self.detach(Some(RetryPolicy {
                extra_attempts: 1,
                interval: Duration::from_millis(10),
            })),
            2 => self.detach(None),
            _ => match self.drive(|c, now| c.shutdown_write(now)) {
                Ok(Some(())) => self.read_all(),
                Ok(None) => Ending::Waiting,
                Err(err) => Ending::ShutdownFailed(err.kind()),
            },
        }
    }

    /// Reads until the end of the stream, an error or silence; checks REC-1 and REC-8.
    fn read_all(&mut self) -> Ending {
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
                    return Ending::ClosedCleanly;
                }
                Ok(Some(n)) => assert!(n <= buf.len()),
                Ok(None) => return Ending::Waiting,
                Err(err) => {
                    // Sticky (SPEC REC-8).
                    let again = self.drive(|c, now| c.read(&mut buf, now));
                    assert!(again.is_err(), "a read after {err} went on: {again:?}");
                    return Ending::ReadFailed(err.kind());
                }
            }
        }
    }

    /// Detaches; the connection is plain whatever the outcome, and when the peer's
    /// close_notify ended it, what the peer sent after it is the plaintext that is
    /// left, intact (SPEC DETACH-9).
    fn detach(&mut self, retry: Option<RetryPolicy>) -> Ending {
        let now = self.clock.now();
        let detached = match self.conn.start_detach(retry, now, Vec::new()) {
            Ok(Some(detached)) => Ok(detached),
            Ok(None) => match self.drive(|c, now| c.detach_step(now)) {
                Ok(Some(detached)) => Ok(detached),
                // Only a policy's checks wait, and they have instants to wake at.
                Ok(None) => panic!("a detach waits with no check ahead"),
                Err(err) => Err(err),
            },
            Err(err) => Err(err),
        };
        assert_eq!(self.conn.phase(), Phase::Plain, "{detached:?}");
        let detached = match detached {
            Ok(detached) => detached,
            Err(err) => return Ending::DetachFailed(err.kind()),
        };
        let mut plaintext = self.conn.buffered().to_vec();
        plaintext.extend(self.inbox.bytes.iter());
        if detached.peer_closed {
            assert!(
                self.peer.ends_with(&plaintext),
                "the octets after close_notify changed: {plaintext:?}"
            );
        }
        Ending::Detached {
            peer_closed: detached.peer_closed,
            application_data: detached.unread_application_data,
            plaintext,
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
    fn a_server_handshake_then_data_then_close_notify() {
        let mut input = vec![0x20];
        input.extend(records(&[
            (22, b"CH"),
            (22, b"FIN"),
            (23, b"hi"),
            (21, &[1, 0]),
        ]));
        assert_eq!(conn_handshake(&input), Ending::ClosedCleanly);
        // One octet per read, the ClientHello buffered before attach (STARTTLS).
        input[0] = 0x20 | 0x10 | 0x02;
        assert_eq!(conn_handshake(&input), Ending::ClosedCleanly);
    }

    #[test]
    fn a_client_handshake_and_failures() {
        let mut input = vec![0x21];
        input.extend(records(&[(22, b"SH"), (23, b"hi")]));
        // EOF without close_notify after the data: truncation (REC-2).
        assert_eq!(
            conn_handshake(&input),
            Ending::ReadFailed(ErrorKind::Syscall)
        );
        // A silent server: the deadline, on the fake clock (HS-3).
        assert_eq!(
            conn_handshake(&[0x01]),
            Ending::HandshakeFailed(ErrorKind::HandshakeTimeout)
        );
        // Not TLS at all (SEC-4).
        assert_eq!(
            conn_handshake(b"\x20GET / HTTP/1.1\r\n\r\n"),
            Ending::HandshakeFailed(ErrorKind::Failure)
        );
        assert_eq!(conn_handshake(&[]), Ending::Empty);
    }

    #[test]
    fn detach_keeps_data_and_the_plaintext_after_close_notify() {
        let mut input = vec![0x40 | 0x20 | 0x02];
        input.extend(records(&[(23, b"last"), (21, &[1, 0])]));
        input.extend(b"EHLO plain");
        assert_eq!(
            conn_established(&input),
            Ending::Detached {
                peer_closed: true,
                application_data: b"last".to_vec(),
                plaintext: b"EHLO plain".to_vec(),
            }
        );
        // No answer: the policy's checks run out on the fake clock (DETACH-5).
        assert_eq!(
            conn_established(&[0x40]),
            Ending::DetachFailed(ErrorKind::Failure)
        );
        // No policy (close, Drop): done at once.
        assert!(matches!(
            conn_established(&[0x80]),
            Ending::Detached {
                peer_closed: false,
                ..
            }
        ));
    }

    #[test]
    fn shutdown_write_then_reads() {
        let mut input = vec![0xC0 | 0x20];
        input.extend(records(&[(23, b"after"), (21, &[1, 0])]));
        assert_eq!(conn_established(&input), Ending::ClosedCleanly);
        assert_eq!(conn_established(&[0xC0]), Ending::Waiting);
    }
}

#[cfg(test)]
mod regressions;
