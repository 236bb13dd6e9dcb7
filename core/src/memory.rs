//! An in-memory duplex transport, with timeouts, for tests and embedding (SPEC STREAM-6).

use std::collections::VecDeque;
use std::io::{self, Read, Write};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use crate::Transport;

/// One end of an in-memory duplex made by [`duplex`].
///
/// Writes never block; reads block until data arrives, the peer end is dropped or
/// shut down (EOF), or the read timeout runs out (`TimedOut`). Dropping an end is
/// like closing a socket: the other end reads EOF and its writes fail with
/// `BrokenPipe`.
#[derive(Debug)]
pub struct MemoryStream {
    incoming: Arc<Pipe>,
    outgoing: Arc<Pipe>,
    read_timeout: Option<Duration>,
    max_read: usize,
    nonblocking: bool,
}

#[derive(Debug, Default)]
struct Pipe {
    state: Mutex<PipeState>,
    ready: Condvar,
}

#[derive(Debug, Default)]
struct PipeState {
    bytes: VecDeque<u8>,
    writer_closed: bool,
    reader_closed: bool,
}

impl Pipe {
    fn lock(&self) -> MutexGuard<'_, PipeState> {
        // A panic while holding this lock cannot leave the byte queue inconsistent.
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn close_writer(&self) {
        self.lock().writer_closed = true;
        self.ready.notify_all();
    }

    fn close_reader(&self) {
        self.lock().reader_closed = true;
        self.ready.notify_all();
    }
}

/// Closes a [`MemoryStream`] end from outside (see [`MemoryStream::closer`]).
#[derive(Debug, Clone)]
pub struct MemoryCloser {
    incoming: Arc<Pipe>,
    outgoing: Arc<Pipe>,
}

impl MemoryCloser {
    /// Closes both directions of the end.
    pub fn close(&self) {
        self.outgoing.close_writer();
        self.incoming.close_reader();
    }
}

/// Two connected in-memory transport ends.
pub fn duplex() -> (MemoryStream, MemoryStream) {
    let a_to_b = Arc::new(Pipe::default());
    let b_to_a = Arc::new(Pipe::default());
    let end = |incoming: &Arc<Pipe>, outgoing: &Arc<Pipe>| MemoryStream {
        incoming: Arc::clone(incoming),
        outgoing: Arc::clone(outgoing),
        read_timeout: None,
        max_read: usize::MAX,
        nonblocking: false,
    };
    (end(&b_to_a, &a_to_b), end(&a_to_b, &b_to_a))
}

impl MemoryStream {
    /// Limits every read to at most `max` octets (at least 1), to exercise callers
    /// with short reads (SPEC REC-4).
    pub fn set_max_read(&mut self, max: usize) {
        self.max_read = max.max(1);
    }

    /// Puts this end in non-blocking mode: a read with nothing to give returns
    /// `WouldBlock` at once, like a non-blocking socket's (SPEC STREAM-9).
    pub fn set_nonblocking(&mut self, nonblocking: bool) {
        self.nonblocking = nonblocking;
    }

    /// A handle that closes this end abruptly from anywhere, like a socket shut
    /// down under its owner: the peer reads EOF (no close_notify).
    pub fn closer(&self) -> MemoryCloser {
        MemoryCloser {
            incoming: Arc::clone(&self.incoming),
            outgoing: Arc::clone(&self.outgoing),
        }
    }

    /// How many octets wait unread in this end's incoming direction.
    pub fn pending(&self) -> usize {
        self.incoming.lock().bytes.len()
    }
}

impl Read for MemoryStream {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        let deadline = self.read_timeout.map(|t| Instant::now() + t);
        let mut state = self.incoming.lock();
        loop {
            if !state.bytes.is_empty() {
                let n = buf.len().min(self.max_read).min(state.bytes.len());
                // Two slice copies (the ring buffer's halves), not a loop over octets.
                let (front, back) = state.bytes.as_slices();
                let from_front = n.min(front.len());
                buf[..from_front].copy_from_slice(&front[..from_front]);
                buf[from_front..n].copy_from_slice(&back[..n - from_front]);
                state.bytes.drain(..n);
                return Ok(n);
            }
            if state.writer_closed || state.reader_closed {
                return Ok(0);
            }
            if self.nonblocking {
                return Err(io::ErrorKind::WouldBlock.into());
            }
            state = match deadline {
                None => self
                    .incoming
                    .ready
                    .wait(state)
                    .unwrap_or_else(|p| p.into_inner()),
                Some(deadline) => {
                    let now = Instant::now();
                    if now >= deadline {
                        return Err(io::Error::new(
                            io::ErrorKind::TimedOut,
                            "in-memory read timed out",
                        ));
                    }
                    self.incoming
                        .ready
                        .wait_timeout(state, deadline - now)
                        .unwrap_or_else(|p| p.into_inner())
                        .0
                }
            };
        }
    }
}

impl Write for MemoryStream {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let mut state = self.outgoing.lock();
        if state.reader_closed || state.writer_closed {
            return Err(io::Error::new(
                io::ErrorKind::BrokenPipe,
                "in-memory peer closed",
            ));
        }
        state.bytes.extend(buf);
        drop(state);
        self.outgoing.ready.notify_all();
        Ok(buf.len())
    }

    fn write_vectored(&mut self, bufs: &[io::IoSlice<'_>]) -> io::Result<usize> {
        let mut state = self.outgoing.lock();
        if state.reader_closed || state.writer_closed {
            return Err(io::Error::new(
                io::ErrorKind::BrokenPipe,
                "in-memory peer closed",
            ));
        }
        let mut total = 0;
        for buf in bufs {
            state.bytes.extend(buf.iter());
            total += buf.len();
        }
        drop(state);
        self.outgoing.ready.notify_all();
        Ok(total)
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl Transport for MemoryStream {
    fn supports_timeouts(&self) -> bool {
        true
    }
    fn set_read_timeout(&mut self, timeout: Option<Duration>) -> io::Result<()> {
        self.read_timeout = timeout;
        Ok(())
    }
    fn set_write_timeout(&mut self, _timeout: Option<Duration>) -> io::Result<()> {
        Ok(()) // writes never block
    }
    fn read_timeout(&self) -> io::Result<Option<Duration>> {
        Ok(self.read_timeout)
    }
    fn write_timeout(&self) -> io::Result<Option<Duration>> {
        Ok(None)
    }
    fn is_nonblocking(&self) -> bool {
        self.nonblocking
    }
    fn shutdown_write(&mut self) -> io::Result<()> {
        self.outgoing.close_writer();
        Ok(())
    }
    fn close(&mut self) -> io::Result<()> {
        self.outgoing.close_writer();
        self.incoming.close_reader();
        Ok(())
    }
}

impl Drop for MemoryStream {
    fn drop(&mut self) {
        let _ = Transport::close(self);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bytes_flow_both_ways_and_eof_follows_drop() {
        let (mut a, mut b) = duplex();
        a.write_all(b"ping").unwrap();
        let mut buf = [0u8; 8];
        assert_eq!(b.read(&mut buf).unwrap(), 4);
        b.write_all(b"pong").unwrap();
        assert_eq!(a.read(&mut buf).unwrap(), 4);
        drop(b);
        assert_eq!(a.read(&mut buf).unwrap(), 0);
        assert!(a.write(b"x").is_err());
    }

    #[test]
    fn read_timeout_runs_out() {
        let (mut a, _b) = duplex();
        a.set_read_timeout(Some(Duration::from_millis(20))).unwrap();
        let err = a.read(&mut [0u8; 1]).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::TimedOut);
    }

    #[test]
    fn max_read_limits_each_read() {
        let (mut a, mut b) = duplex();
        b.set_max_read(1);
        a.write_all(b"abc").unwrap();
        let mut buf = [0u8; 8];
        assert_eq!(b.read(&mut buf).unwrap(), 1);
        assert_eq!(b.pending(), 2);
    }
}
