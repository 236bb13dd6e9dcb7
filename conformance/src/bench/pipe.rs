//! The in-memory transport of the benchmarks: a duplex pipe that holds at most
//! [`CAPACITY`] octets per direction, so a writer waits for its reader the way it
//! would on a socket.
//!
//! Core's [`unitls_core::duplex`] never blocks a writer — right for tests, wrong for
//! throughput: a sender that runs ahead queues hundreds of megabytes, and the figure
//! then measures main memory rather than TLS.

use std::collections::VecDeque;
use std::io::{self, IoSlice, Read, Write};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use unitls_core::Transport;

/// Octets one direction holds before writes wait (a typical socket buffer).
pub(crate) const CAPACITY: usize = 256 * 1024;

#[derive(Default)]
struct Direction {
    state: Mutex<State>,
    changed: Condvar,
}

#[derive(Default)]
struct State {
    bytes: VecDeque<u8>,
    closed: bool,
    /// Threads waiting on this direction (a notification costs a system call; none
    /// is made when nobody waits).
    waiting: usize,
}

impl Direction {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn close(&self) {
        self.lock().closed = true;
        self.changed.notify_all();
    }

    /// Releases the lock and wakes whoever waits.
    fn release(&self, state: MutexGuard<'_, State>) {
        let waiting = state.waiting > 0;
        drop(state);
        if waiting {
            self.changed.notify_all();
        }
    }
}

/// One end of a [`pair`].
pub(crate) struct PipeEnd {
    incoming: Arc<Direction>,
    outgoing: Arc<Direction>,
    read_timeout: Option<Duration>,
    write_timeout: Option<Duration>,
}

/// Two connected ends.
pub(crate) fn pair() -> (PipeEnd, PipeEnd) {
    let a = Arc::new(Direction::default());
    let b = Arc::new(Direction::default());
    let end = |incoming: &Arc<Direction>, outgoing: &Arc<Direction>| PipeEnd {
        incoming: Arc::clone(incoming),
        outgoing: Arc::clone(outgoing),
        read_timeout: None,
        write_timeout: None,
    };
    (end(&a, &b), end(&b, &a))
}

/// Waits on `dir` until `ready`, or fails at `deadline`.
fn wait<'a>(
    dir: &'a Direction,
    mut state: MutexGuard<'a, State>,
    deadline: Option<Instant>,
    ready: impl Fn(&State) -> bool,
) -> io::Result<MutexGuard<'a, State>> {
    while !ready(&state) {
        state.waiting += 1;
        let woken = match deadline {
            None => dir.changed.wait(state).unwrap_or_else(|p| p.into_inner()),
            Some(deadline) => {
                let now = Instant::now();
                if now >= deadline {
                    state.waiting -= 1;
                    return Err(io::Error::new(io::ErrorKind::TimedOut, "pipe timed out"));
                }
                dir.changed
                    .wait_timeout(state, deadline - now)
                    .unwrap_or_else(|p| p.into_inner())
                    .0
            }
        };
        state = woken;
        state.waiting -= 1;
    }
    Ok(state)
}

impl Read for PipeEnd {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        let deadline = self.read_timeout.map(|t| Instant::now() + t);
        let state = self.incoming.lock();
        let mut state = wait(&self.incoming, state, deadline, |s| {
            !s.bytes.is_empty() || s.closed
        })?;
        let n = buf.len().min(state.bytes.len());
        let (front, back) = state.bytes.as_slices();
        let first = n.min(front.len());
        buf[..first].copy_from_slice(&front[..first]);
        buf[first..n].copy_from_slice(&back[..n - first]);
        state.bytes.drain(..n);
        self.incoming.release(state);
        Ok(n)
    }
}

impl Write for PipeEnd {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        self.write_vectored(&[IoSlice::new(data)])
    }

    fn write_vectored(&mut self, bufs: &[IoSlice<'_>]) -> io::Result<usize> {
        let total: usize = bufs.iter().map(|b| b.len()).sum();
        if total == 0 {
            return Ok(0);
        }
        let deadline = self.write_timeout.map(|t| Instant::now() + t);
        let state = self.outgoing.lock();
        let mut state = wait(&self.outgoing, state, deadline, |s| {
            s.bytes.len() < CAPACITY || s.closed
        })?;
        if state.closed {
            return Err(io::Error::new(io::ErrorKind::BrokenPipe, "pipe closed"));
        }
        let mut room = CAPACITY - state.bytes.len();
        let mut written = 0;
        for buf in bufs {
            let take = buf.len().min(room);
            state.bytes.extend(&buf[..take]);
            written += take;
            room -= take;
            if room == 0 {
                break;
            }
        }
        self.outgoing.release(state);
        Ok(written)
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl Transport for PipeEnd {
    fn supports_timeouts(&self) -> bool {
        true
    }
    fn set_read_timeout(&mut self, timeout: Option<Duration>) -> io::Result<()> {
        self.read_timeout = timeout;
        Ok(())
    }
    fn set_write_timeout(&mut self, timeout: Option<Duration>) -> io::Result<()> {
        self.write_timeout = timeout;
        Ok(())
    }
    fn shutdown_write(&mut self) -> io::Result<()> {
        self.outgoing.close();
        Ok(())
    }
    fn close(&mut self) -> io::Result<()> {
        self.outgoing.close();
        self.incoming.close();
        Ok(())
    }
}

impl Drop for PipeEnd {
    fn drop(&mut self) {
        let _ = Transport::close(self);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writers_wait_for_readers() {
        let (mut a, mut b) = pair();
        let big = vec![7u8; CAPACITY + 10];
        assert_eq!(a.write(&big).unwrap(), CAPACITY);
        a.set_write_timeout(Some(Duration::from_millis(10)))
            .unwrap();
        assert_eq!(a.write(&big).unwrap_err().kind(), io::ErrorKind::TimedOut);
        let reader = std::thread::spawn(move || {
            let mut got = 0;
            let mut buf = vec![0u8; 4096];
            while got < CAPACITY + 10 {
                got += b.read(&mut buf).unwrap();
            }
            got
        });
        a.set_write_timeout(None).unwrap();
        a.write_all(&big[..10]).unwrap();
        assert_eq!(reader.join().unwrap(), CAPACITY + 10);
        drop(a);
    }

    #[test]
    fn eof_after_close() {
        let (mut a, mut b) = pair();
        a.write_all(b"hi").unwrap();
        drop(a);
        let mut buf = [0u8; 4];
        assert_eq!(b.read(&mut buf).unwrap(), 2);
        assert_eq!(b.read(&mut buf).unwrap(), 0);
        assert!(b.write(b"x").is_err());
    }
}
