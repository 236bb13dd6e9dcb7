//! Two [`Conn`]s joined by in-memory wires and stepped on a fake clock, after
//! quinn-proto's test `Pair`: deterministic, no threads, no sockets, no sleeping.

use std::collections::VecDeque;
use std::io::{self, Read, Write};
use std::time::{Duration, Instant};

use super::fake::FAKE;
use crate::conn::session_slot::{OwnedConfig, Pending};
use crate::conn::{Conn, Need, Progress, TlsState};
use crate::{NativeHooks, Result, Side, VersionRange};

/// One direction of the connection: octets written and not read yet.
#[derive(Default)]
pub(crate) struct Wire {
    pub(crate) bytes: VecDeque<u8>,
    /// The writer closed it: EOF once drained.
    pub(crate) closed: bool,
    /// At most this many octets per read (`0`: no limit).
    pub(crate) max_read: usize,
    /// At most this many octets per write (`0`: no limit).
    pub(crate) max_write: usize,
}

impl Read for Wire {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.bytes.is_empty() {
            return if self.closed {
                Ok(0)
            } else {
                Err(io::ErrorKind::WouldBlock.into())
            };
        }
        let limit = if self.max_read == 0 {
            usize::MAX
        } else {
            self.max_read
        };
        let n = buf.len().min(self.bytes.len()).min(limit);
        for (slot, octet) in buf.iter_mut().zip(self.bytes.drain(..n)) {
            *slot = octet;
        }
        Ok(n)
    }
}

impl Write for Wire {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        let limit = if self.max_write == 0 {
            usize::MAX
        } else {
            self.max_write
        };
        let n = data.len().min(limit);
        self.bytes.extend(&data[..n]);
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// A fake clock: starts at a real instant, moves only when told.
pub(crate) struct Clock {
    start: Instant,
    elapsed: Duration,
}

impl Clock {
    pub(crate) fn new() -> Clock {
        Clock {
            start: Instant::now(),
            elapsed: Duration::ZERO,
        }
    }

    pub(crate) fn now(&self) -> Instant {
        self.start + self.elapsed
    }

    pub(crate) fn advance(&mut self, by: Duration) {
        self.elapsed += by;
    }

    /// Moves to `instant` if it is later.
    pub(crate) fn advance_to(&mut self, instant: Instant) {
        if instant > self.now() {
            self.elapsed = instant - self.start;
        }
    }

    pub(crate) fn elapsed(&self) -> Duration {
        self.elapsed
    }
}

/// A TLS state for the fake backend.
pub(crate) fn fake_tls(side: Side, handshake_timeout: Option<Duration>) -> TlsState {
    fake_tls_of(&FAKE, side, handshake_timeout)
}

/// A TLS state over `backend` (one of the fakes).
pub(crate) fn fake_tls_of(
    backend: &'static super::fake::FakeBackend,
    side: Side,
    handshake_timeout: Option<Duration>,
) -> TlsState {
    let pending = Pending {
        config: OwnedConfig::Protocol(VersionRange::FLEXIBLE),
        hooks: NativeHooks::default(),
        verify_hostname: false,
        versions: None,
    };
    TlsState::new(backend, side, None, handshake_timeout, pending).expect("fake session")
}

/// Which end of a [`Pair`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum End {
    Client,
    Server,
}

/// A client and a server `Conn`, the wires between them and one clock.
pub(crate) struct Pair {
    pub(crate) client: Conn,
    pub(crate) server: Conn,
    /// Client → server.
    pub(crate) to_server: Wire,
    /// Server → client.
    pub(crate) to_client: Wire,
    pub(crate) clock: Clock,
}

impl Pair {
    /// Both ends plain.
    pub(crate) fn plain() -> Pair {
        Pair {
            client: Conn::default(),
            server: Conn::default(),
            to_server: Wire::default(),
            to_client: Wire::default(),
            clock: Clock::new(),
        }
    }

    /// Both ends attached (client and server), not handshaken.
    pub(crate) fn attached() -> Pair {
        let mut pair = Pair::plain();
        pair.client.attach(fake_tls(Side::Client, None));
        pair.server.attach(fake_tls(Side::Server, None));
        pair
    }

    /// Both ends attached and handshaken.
    pub(crate) fn established() -> Pair {
        let mut pair = Pair::attached();
        pair.handshake_both().expect("fake handshake");
        pair
    }

    /// The conn of `end` with the wire it reads and the wire it writes.
    pub(crate) fn end(&mut self, end: End) -> (&mut Conn, &mut Wire, &mut Wire) {
        match end {
            End::Client => (&mut self.client, &mut self.to_client, &mut self.to_server),
            End::Server => (&mut self.server, &mut self.to_server, &mut self.to_client),
        }
    }

    /// Runs `op` on `end` once and does the one I/O it asks for; `Some` when done.
    pub(crate) fn step<R>(
        &mut self,
        end: End,
        op: impl FnOnce(&mut Conn, Instant) -> Result<Progress<R>>,
    ) -> Result<Option<R>> {
        let now = self.clock.now();
        let (conn, inbox, outbox) = self.end(end);
        match op(conn, now)? {
            Progress::Done(value) => Ok(Some(value)),
            Progress::Blocked(Need::Write) => {
                conn.send_to(outbox).expect("the wire takes octets");
                Ok(None)
            }
            Progress::Blocked(Need::Read) => {
                match conn.receive_from(inbox) {
                    Ok(_) => {}
                    Err(e) => assert_eq!(e.kind(), io::ErrorKind::WouldBlock),
                }
                Ok(None)
            }
        }
    }

    /// Steps both handshakes in turn until both are done (at most 50 rounds).
    pub(crate) fn handshake_both(&mut self) -> Result<()> {
        let (mut client_done, mut server_done) = (false, false);
        for _ in 0..50 {
            if !client_done {
                client_done = self.step(End::Client, |c, now| c.handshake(now))?.is_some();
            }
            if !server_done {
                server_done = self.step(End::Server, |c, now| c.handshake(now))?.is_some();
            }
            if client_done && server_done {
                return Ok(());
            }
        }
        panic!("the fake handshake did not finish in 50 rounds");
    }

    /// Writes `data` from `end` and puts it on the wire.
    pub(crate) fn send(&mut self, end: End, data: &[u8]) {
        let now = self.clock.now();
        let (conn, _, outbox) = self.end(end);
        assert_eq!(conn.writable(now).expect("writable"), Progress::Done(()));
        let mut taken = 0;
        while taken < data.len() {
            taken += conn.write_buffered(&data[taken..]).expect("taken");
        }
        while conn.send_to(outbox).expect("sent") > 0 {}
    }

    /// Reads what `end` can get now: `Ok(Some(octets))`, `Ok(None)` if it would
    /// block; a clean close is `Some(empty)`.
    pub(crate) fn read_now(&mut self, end: End, max: usize) -> Result<Option<Vec<u8>>> {
        let mut buf = vec![0u8; max];
        for _ in 0..10 {
            let got = self.step(end, |c, now| c.read(&mut buf, now))?;
            if let Some(n) = got {
                buf.truncate(n);
                return Ok(Some(buf));
            }
        }
        Ok(None)
    }
}
