//! The tokio shell's only I/O loop: runs one [`Conn`] operation over an
//! `AsyncRead + AsyncWrite` transport as far as it can without waiting.
//!
//! The transport is lent to `Conn` through [`Reader`] and [`Writer`], which turn
//! `Poll::Pending` into `WouldBlock` (the waker is then registered by the transport);
//! the operation's instant to wake at ([`Conn::poll_timeout`]: a handshake deadline, a
//! detach check) becomes a runtime timer ([`Timer`]). Time is the runtime's
//! (`tokio::time::Instant`), so a paused test clock drives deadlines too. Every
//! `Poll::Pending` returned here comes from a transport or the timer, which registered
//! the waker (SPEC ASYNC-5).

use std::future::Future;
use std::io::{self, Read, Write};
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Instant;

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::time::Sleep;

use crate::conn::{Conn, Need, Phase, Progress};
use crate::{Error, ErrorKind, Result};

/// The runtime's clock, as the `std` instant `Conn` takes.
pub(super) fn now() -> Instant {
    tokio::time::Instant::now().into_std()
}

/// The `WouldBlock` an adapter gives for the transport's `Poll::Pending` (the
/// transport registered the waker), told apart from a `WouldBlock` error the
/// transport itself returned (which registers nothing, and must not become `Pending`).
fn pending() -> io::Error {
    io::Error::new(io::ErrorKind::WouldBlock, Pended)
}

/// The marker inside [`pending`]'s error.
#[derive(Debug)]
struct Pended;

impl std::fmt::Display for Pended {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("the transport is not ready (Poll::Pending)")
    }
}

impl std::error::Error for Pended {}

/// Whether `e` is [`pending`]'s: the transport said `Poll::Pending`.
pub(super) fn is_pending(e: &io::Error) -> bool {
    e.get_ref().is_some_and(|inner| inner.is::<Pended>())
}

/// The transport's read half, lent to `Conn` for one poll.
pub(super) struct Reader<'a, 'b, T> {
    pub(super) io: &'a mut T,
    pub(super) cx: &'a mut Context<'b>,
}

impl<T: AsyncRead + Unpin> Read for Reader<'_, '_, T> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let mut buf = ReadBuf::new(buf);
        match Pin::new(&mut *self.io).poll_read(self.cx, &mut buf) {
            Poll::Ready(Ok(())) => Ok(buf.filled().len()),
            Poll::Ready(Err(e)) => Err(e),
            Poll::Pending => Err(pending()),
        }
    }
}

/// The transport's write half, lent to `Conn` (and to a session's direct write) for
/// one poll.
pub(super) struct Writer<'a, 'b, T> {
    pub(super) io: &'a mut T,
    pub(super) cx: &'a mut Context<'b>,
}

impl<T: AsyncWrite + Unpin> Write for Writer<'_, '_, T> {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        match Pin::new(&mut *self.io).poll_write(self.cx, data) {
            Poll::Ready(result) => result,
            Poll::Pending => Err(pending()),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match Pin::new(&mut *self.io).poll_flush(self.cx) {
            Poll::Ready(result) => result,
            Poll::Pending => Err(pending()),
        }
    }
}

/// The wake-up at the instant an operation named, on the runtime's timer.
#[derive(Default)]
pub(super) struct Timer {
    armed: Option<(Instant, Pin<Box<Sleep>>)>,
}

impl Timer {
    /// Ready once `deadline` has passed; otherwise the waker is registered with the
    /// timer.
    fn poll_until(&mut self, deadline: Instant, cx: &mut Context<'_>) -> Poll<()> {
        let at = tokio::time::Instant::from_std(deadline);
        match &mut self.armed {
            Some((armed, sleep)) if *armed == deadline => sleep.as_mut().poll(cx),
            Some((armed, sleep)) => {
                *armed = deadline;
                sleep.as_mut().reset(at);
                sleep.as_mut().poll(cx)
            }
            None => {
                let mut sleep = Box::pin(tokio::time::sleep_until(at));
                let polled = sleep.as_mut().poll(cx);
                self.armed = Some((deadline, sleep));
                polled
            }
        }
    }

    /// Drops the armed wake-up (the operation is over).
    pub(super) fn clear(&mut self) {
        self.armed = None;
    }
}

/// Runs `op` until it is done or must wait: `Pending` only once a transport or the
/// timer registered the waker; the operation stands where it stopped and continues
/// on the next poll (SPEC ASYNC-5, ASYNC-7).
pub(super) fn poll_op<T, R>(
    conn: &mut Conn,
    io: &mut T,
    timer: &mut Timer,
    cx: &mut Context<'_>,
    mut op: impl FnMut(&mut Conn, Instant) -> Result<Progress<R>>,
) -> Poll<Result<R>>
where
    T: AsyncRead + AsyncWrite + Unpin,
{
    loop {
        let need = match op(conn, now()) {
            Ok(Progress::Done(value)) => {
                timer.clear();
                return Poll::Ready(Ok(value));
            }
            Ok(Progress::Blocked(need)) => need,
            Err(err) => {
                timer.clear();
                send_what_is_left(conn, io, cx); // the alert the engine queued
                return Poll::Ready(Err(err));
            }
        };
        let result = match need {
            Need::Write => conn.send_to(&mut Writer { io, cx }),
            Need::Read => conn.receive_from(&mut Reader { io, cx }),
        };
        match result {
            Ok(_) => {}
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) if is_pending(&e) => {
                // The transport registered the waker; the deadline wakes us too.
                if let Some(deadline) = conn.poll_timeout() {
                    if timer.poll_until(deadline, cx).is_ready() {
                        continue; // the operation now sees its deadline passed
                    }
                }
                return Poll::Pending;
            }
            Err(e) => {
                timer.clear();
                let err = conn.fail(Error::transport(e));
                return Poll::Ready(Err(match need {
                    Need::Write => explain_write_failure(conn, io, cx, err),
                    Need::Read => err,
                }));
            }
        }
    }
}

/// Writes what waits as far as the transport takes it now (an alert after a
/// failure, a no-wait close_notify): never waits, errors are dropped.
pub(super) fn send_what_is_left<T: AsyncWrite + Unpin>(
    conn: &mut Conn,
    io: &mut T,
    cx: &mut Context<'_>,
) {
    for _ in 0..256 {
        match conn.send_to(&mut Writer { io, cx }) {
            Ok(0) => return,
            Ok(_) => {}
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(_) => return,
        }
    }
}

/// A peer that refuses the handshake sends an alert and closes; our next write may
/// then fail before we read the alert. Reads what already arrived so the error
/// reports the peer's reason, not the pipe.
fn explain_write_failure<T: AsyncRead + Unpin>(
    conn: &mut Conn,
    io: &mut T,
    cx: &mut Context<'_>,
    err: Error,
) -> Error {
    if err.kind() != ErrorKind::Syscall || conn.phase() != Phase::Handshaking {
        return err;
    }
    for _ in 0..8 {
        if let Some(reason) = conn.peer_failure() {
            return reason;
        }
        match conn.receive_from(&mut Reader { io, cx }) {
            Ok(n) if n > 0 => {}
            _ => break,
        }
    }
    conn.peer_failure().unwrap_or(err)
}
