//! The blocking shell: runs one [`Conn`] operation over a [`Transport`] until it is
//! done, doing the I/O the operation asks for.
//!
//! Time reaches the transport here only: while an operation has a deadline
//! ([`Conn::poll_timeout`]: the handshake's, a detach check's), each read and write
//! is limited to what remains of it, and the user's own timeouts are put back
//! afterwards — the values the transport reports, so a timeout set on the socket
//! before the stream was made survives (SPEC STREAM-8). One mapping for `WouldBlock`
//! and `TimedOut` from the transport (SPEC ERR-8, STREAM-9):
//! - non-blocking transport: `WouldBlock` to the caller — call again, nothing lost;
//! - a deadline of core's ran out: the operation says what that means
//!   (`HandshakeTimeout`, a detach check);
//! - otherwise the user's own timeout ran out: `Timeout`, nothing lost, the session
//!   still usable.

use std::io;
use std::time::{Duration, Instant};

use crate::conn::{Conn, Need, Phase, Progress};
use crate::transport::is_timeout;
use crate::{Error, ErrorKind, Result, Transport};

/// The read and write timeouts last set through the stream, put back on transports
/// that cannot report their own ([`Transport::read_timeout`]).
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct UserTimeouts {
    pub(crate) read: Option<Duration>,
    pub(crate) write: Option<Duration>,
}

/// Runs `op` until it is done, reading and writing as it asks; the transport's
/// timeouts are as they were when this returns.
///
/// The clock is read only while the connection has a use for it (a handshake or a
/// detach under way); an open connection's reads and writes get an earlier instant
/// they ignore ([`idle_now`]), which spares a clock read per step of the data path.
pub(crate) fn drive<R>(
    conn: &mut Conn,
    io: &mut dyn Transport,
    user: UserTimeouts,
    op: impl FnMut(&mut Conn, Instant) -> Result<Progress<R>>,
) -> Result<R> {
    let mut lent = LentTimeouts::default();
    let result = run(conn, io, &mut lent, idle_now(), op);
    lent.restore(io, user);
    if !result.as_ref().is_err_and(is_would_block) {
        // A call that comes back after WouldBlock keeps its handshake deadline; any
        // other outcome ends the call, and the next one starts a deadline afresh.
        conn.end_call();
    }
    result
}

fn run<R>(
    conn: &mut Conn,
    io: &mut dyn Transport,
    lent: &mut LentTimeouts,
    idle_now: Instant,
    mut op: impl FnMut(&mut Conn, Instant) -> Result<Progress<R>>,
) -> Result<R> {
    loop {
        let now = if conn.phase() == Phase::Open {
            idle_now
        } else {
            Instant::now()
        };
        let need = match op(conn, now) {
            Ok(Progress::Done(value)) => return Ok(value),
            Ok(Progress::Blocked(need)) => need,
            Err(err) => {
                send_what_is_left(conn, io); // the alert the engine queued
                return Err(err);
            }
        };
        let deadline = conn.poll_timeout();
        let result = match need {
            Need::Write => {
                if let Some(deadline) = deadline {
                    lent.write_until(io, deadline);
                }
                conn.send_to(io)
            }
            Need::Read => {
                if let Some(deadline) = deadline {
                    lent.read_until(io, deadline);
                }
                conn.receive_from(io)
            }
        };
        match result {
            Ok(_) => {}
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) if is_timeout(&e) => {
                if io.is_nonblocking() {
                    return Err(would_block());
                }
                if deadline.is_none() {
                    return Err(Error::timeout(e));
                }
                // Core's own deadline: the operation decides what it means.
            }
            Err(e) => {
                let err = conn.fail(Error::transport(e));
                return Err(match need {
                    Need::Write => explain_write_failure(conn, io, lent, err),
                    Need::Read => err,
                });
            }
        }
    }
}

/// An instant for operations that do not read the clock: the first one the process
/// asked for.
fn idle_now() -> Instant {
    static EPOCH: std::sync::OnceLock<Instant> = std::sync::OnceLock::new();
    *EPOCH.get_or_init(Instant::now)
}

/// Writes what waits, as far as the transport takes it at once (a no-wait detach's
/// close_notify, an alert after a failure): a bounded number of tries, never a wait
/// — a non-blocking transport that is not ready is tried again a few times, since a
/// `WouldBlock` may be momentary; errors are dropped.
pub(crate) fn send_what_is_left(conn: &mut Conn, io: &mut dyn Transport) {
    for _ in 0..256 {
        match conn.send_to(io) {
            Ok(0) => return,
            Ok(_) => {}
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) if e.kind() == io::ErrorKind::WouldBlock && io.is_nonblocking() => {}
            Err(_) => return,
        }
    }
}

/// A peer that refuses the handshake sends an alert and closes; our next write may
/// then fail (broken pipe, reset) before we read the alert. Reads what already
/// arrived, briefly, so the error reports the peer's reason, not the pipe.
fn explain_write_failure(
    conn: &mut Conn,
    io: &mut dyn Transport,
    lent: &mut LentTimeouts,
    err: Error,
) -> Error {
    if err.kind() != ErrorKind::Syscall || conn.phase() != Phase::Handshaking {
        return err;
    }
    for _ in 0..8 {
        if let Some(reason) = conn.peer_failure() {
            return reason;
        }
        lent.read_until(io, Instant::now() + Duration::from_millis(50));
        match conn.receive_from(io) {
            Ok(n) if n > 0 => {}
            _ => break,
        }
    }
    conn.peer_failure().unwrap_or(err)
}

/// How long [`linger_after_failure`] waits for more octets from the peer before it
/// lets the transport close.
const LINGER_QUIET: Duration = Duration::from_millis(100);
/// The most [`linger_after_failure`] spends, and reads, in all.
const LINGER_MAX: Duration = Duration::from_secs(1);
const LINGER_MAX_OCTETS: usize = 1 << 20;

/// Lets the alert of a fatal error reach the peer before the transport closes
/// (SPEC REL-7).
///
/// A peer may still be sending when the connection fails — a client's next flight,
/// its first request. A TCP socket closed with octets unread, or receiving more after
/// it closed, is answered by a reset, and a peer that is still writing then gets a
/// broken pipe instead of reading the alert. So: shut the write side (the peer reads
/// the alert, then end of stream), and read away what the peer still sends until it
/// closes or goes quiet for [`LINGER_QUIET`]; at most [`LINGER_MAX`] and
/// [`LINGER_MAX_OCTETS`]. On a non-blocking transport, or one without timeouts, only
/// the write side is shut: reading could wait (its event loop is the place to read
/// until the peer closes).
pub(crate) fn linger_after_failure(io: &mut dyn Transport) {
    let _ = io.shutdown_write();
    if !io.supports_timeouts() || io.is_nonblocking() {
        return;
    }
    let _ = io.set_read_timeout(Some(LINGER_QUIET));
    let until = Instant::now() + LINGER_MAX;
    let mut sink = [0u8; 4096];
    let mut read = 0;
    while read < LINGER_MAX_OCTETS && Instant::now() < until {
        match io.read(&mut sink) {
            Ok(0) => return,
            Ok(n) => read += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(_) => return, // quiet for LINGER_QUIET, or gone
        }
    }
}

/// The error that says "not ready, call again" on a non-blocking transport.
pub(crate) fn would_block() -> Error {
    Error::transport(io::Error::new(
        io::ErrorKind::WouldBlock,
        "the non-blocking transport is not ready: call again to continue",
    ))
}

/// Whether `err` is [`would_block`]'s: the operation stands where it stopped.
pub(crate) fn is_would_block(err: &Error) -> bool {
    err.kind() == ErrorKind::Syscall && err.io_kind() == io::ErrorKind::WouldBlock
}

/// Maps a transport error of a plain operation by the same rule as [`drive`]'s.
pub(crate) fn plain_error(io: &dyn Transport, err: io::Error) -> Error {
    if is_timeout(&err) && !io.is_nonblocking() {
        Error::timeout(err)
    } else {
        Error::transport(err)
    }
}

/// How late a read or write may end past core's deadline because its transport
/// timeout was set a little earlier: the timeout is set again only once it would
/// overshoot by more than this, which keeps a handshake to one `setsockopt` per
/// direction instead of one per read.
const DEADLINE_SLACK: Duration = Duration::from_millis(10);

/// The transport timeouts core replaced during one call, to put back after it.
#[derive(Default)]
struct LentTimeouts {
    read: Lent,
    write: Lent,
}

/// One direction's timeout, while core lends the transport its own.
#[derive(Default)]
struct Lent {
    /// `Some(original)` once replaced; the original is `None` when the transport
    /// cannot report it.
    original: Option<Option<Option<Duration>>>,
    /// The deadline the timeout now in force ends at, and when it was set: a call
    /// that starts later ends that much past the deadline.
    set: Option<(Instant, Instant)>,
}

impl Lent {
    /// Whether the timeout now in force still ends within [`DEADLINE_SLACK`] of
    /// `deadline` for a call starting now.
    fn still_fits(&self, deadline: Instant, now: Instant) -> bool {
        self.set
            .is_some_and(|(until, at)| until == deadline && now - at <= DEADLINE_SLACK)
    }
}

impl LentTimeouts {
    fn read_until(&mut self, io: &mut dyn Transport, deadline: Instant) {
        let now = Instant::now();
        if !io.supports_timeouts() || self.read.still_fits(deadline, now) {
            return;
        }
        if self.read.original.is_none() {
            self.read.original = Some(io.read_timeout().ok());
        }
        let _ = io.set_read_timeout(Some(remaining(deadline, now)));
        self.read.set = Some((deadline, now));
    }

    fn write_until(&mut self, io: &mut dyn Transport, deadline: Instant) {
        let now = Instant::now();
        if !io.supports_timeouts() || self.write.still_fits(deadline, now) {
            return;
        }
        if self.write.original.is_none() {
            self.write.original = Some(io.write_timeout().ok());
        }
        let _ = io.set_write_timeout(Some(remaining(deadline, now)));
        self.write.set = Some((deadline, now));
    }

    fn restore(self, io: &mut dyn Transport, user: UserTimeouts) {
        if let Some(original) = self.read.original {
            let _ = io.set_read_timeout(original.unwrap_or(user.read));
        }
        if let Some(original) = self.write.original {
            let _ = io.set_write_timeout(original.unwrap_or(user.write));
        }
    }
}

/// What remains from `now` until `deadline`, at least 1 ms (a zero timeout means
/// "none").
fn remaining(deadline: Instant, now: Instant) -> Duration {
    deadline
        .saturating_duration_since(now)
        .max(Duration::from_millis(1))
}
