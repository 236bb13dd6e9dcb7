//! The stream every case talks through: a [`SocketStream`] whose I/O calls again
//! when the transport said `WouldBlock` (bounded in count and time), so one case body
//! runs unchanged over blocking, fault-injecting and non-blocking transports (SPEC
//! REL-1, STREAM-9). Everything else reaches the stream through `Deref`.

use std::io::{self, BufRead, Read, Write};
use std::ops::{Deref, DerefMut};
use std::time::Instant;

use unitls_core::{
    AttachOptions, DetachOptions, Detached, Error, ErrorKind, IntoPartsError, SocketStream,
};

use crate::faults::{self, FaultyTransport};
use crate::harness::{BoxTransport, WAIT};

/// Calls on `WouldBlock` at most this many times per operation.
const MAX_CALLS: usize = 1_000_000;

/// A case's stream (see the module documentation).
pub struct Conn(SocketStream<BoxTransport>);

impl std::fmt::Debug for Conn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

impl Conn {
    /// A plain stream over `transport`, wrapped in the running case's fault injector
    /// if it has one.
    pub fn new(transport: BoxTransport) -> Conn {
        let transport = match faults::current() {
            Some((mode, seed)) => {
                Box::new(FaultyTransport::new(transport, mode, seed)) as BoxTransport
            }
            None => transport,
        };
        Conn(SocketStream::new(transport))
    }

    /// [`SocketStream::attach_ssl`]; after `WouldBlock` the attach goes on with
    /// `handshake`, which finishes it with the attach's outcome.
    pub fn attach_ssl(&mut self, options: AttachOptions) -> unitls_core::Result<()> {
        match self.0.attach_ssl(options) {
            Err(err) if would_block(&err) => again(|| self.0.handshake(None)).map(|_| ()),
            other => other,
        }
    }

    /// [`SocketStream::detach_ssl`], called again while it would block.
    pub fn detach_ssl(&mut self, options: DetachOptions) -> unitls_core::Result<Option<Detached>> {
        again(|| self.0.detach_ssl(options))
    }

    /// [`SocketStream::handshake`], called again while it would block.
    pub fn handshake(&mut self, timeout: Option<std::time::Duration>) -> unitls_core::Result<bool> {
        again(|| self.0.handshake(timeout))
    }

    /// [`SocketStream::shutdown_write`], called again while it would block.
    pub fn shutdown_write(&mut self) -> unitls_core::Result<()> {
        again(|| self.0.shutdown_write())
    }

    /// [`SocketStream::into_parts`].
    pub fn into_parts(
        self,
    ) -> std::result::Result<(BoxTransport, Vec<u8>), Box<IntoPartsError<BoxTransport>>> {
        self.0.into_parts()
    }

    /// The stream itself.
    pub fn into_inner(self) -> SocketStream<BoxTransport> {
        self.0
    }
}

impl Deref for Conn {
    type Target = SocketStream<BoxTransport>;
    fn deref(&self) -> &Self::Target {
        &self.0
    }
}

impl DerefMut for Conn {
    fn deref_mut(&mut self) -> &mut Self::Target {
        &mut self.0
    }
}

impl Read for Conn {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        again_io(|| self.0.read(buf))
    }
}

impl BufRead for Conn {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        again_io(|| self.0.fill_buf().map(|b| b.len()))?;
        self.0.fill_buf()
    }

    fn consume(&mut self, amt: usize) {
        self.0.consume(amt);
    }
}

impl Write for Conn {
    /// Writes and flushes: on a non-blocking transport `write` returns once the
    /// session took the octets, and a case expects them on the wire, as a blocking
    /// stream's `write` leaves them (SPEC STREAM-7).
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        let n = again_io(|| self.0.write(data))?;
        again_io(|| self.0.flush())?;
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        again_io(|| self.0.flush())
    }
}

fn would_block(err: &Error) -> bool {
    err.kind() == ErrorKind::Syscall && err.io_kind() == io::ErrorKind::WouldBlock
}

/// Runs `op` until it does not say `WouldBlock`, at most [`MAX_CALLS`] times and
/// [`WAIT`] long.
fn again<R>(mut op: impl FnMut() -> unitls_core::Result<R>) -> unitls_core::Result<R> {
    let until = Instant::now() + WAIT;
    let mut last = None;
    for _ in 0..MAX_CALLS {
        match op() {
            Err(err) if would_block(&err) => last = Some(err),
            other => return other,
        }
        if Instant::now() > until {
            break;
        }
    }
    Err(last.expect("ran at least once"))
}

/// [`again`] for `io::Result`.
fn again_io<R>(mut op: impl FnMut() -> io::Result<R>) -> io::Result<R> {
    let until = Instant::now() + WAIT;
    let mut last = None;
    for _ in 0..MAX_CALLS {
        match op() {
            Err(err) if err.kind() == io::ErrorKind::WouldBlock => last = Some(err),
            other => return other,
        }
        if Instant::now() > until {
            break;
        }
    }
    Err(last.expect("ran at least once"))
}
