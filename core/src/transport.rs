//! The byte transport under a [`SocketStream`](crate::SocketStream) (SPEC STREAM-6).

use std::io::{self, Read, Write};
use std::net::{Shutdown, TcpStream};
use std::time::Duration;

/// A duplex byte transport that core can put deadlines on (SPEC STREAM-6).
///
/// Deadlines are how one handshake timeout and the detach retry intervals are enforced
/// over a blocking transport. A transport that cannot take them keeps the defaults,
/// `supports_timeouts() == false`, and then `handshake_timeout` is `InvalidArgument`
/// and detach waits with blocking reads. Implement it for your own type with
/// `impl Transport for MyType {}` when it has no timeouts.
///
/// On Linux a blocking socket whose timeout ran out and a non-blocking socket with
/// nothing ready both fail with the same `EAGAIN` (`WouldBlock`), so the transport says
/// which it is ([`is_nonblocking`](Transport::is_nonblocking)) and what its current
/// timeouts are; core never guesses (SPEC STREAM-8, STREAM-9).
pub trait Transport: Read + Write {
    /// Whether [`set_read_timeout`](Transport::set_read_timeout) and
    /// [`set_write_timeout`](Transport::set_write_timeout) work.
    fn supports_timeouts(&self) -> bool {
        false
    }

    /// Limits how long one read may block (`None`: no limit). A read that runs out
    /// returns `WouldBlock` or `TimedOut`.
    fn set_read_timeout(&mut self, timeout: Option<Duration>) -> io::Result<()> {
        let _ = timeout;
        Err(io::Error::new(
            io::ErrorKind::Unsupported,
            "this transport does not support timeouts",
        ))
    }

    /// Limits how long one write may block (`None`: no limit).
    fn set_write_timeout(&mut self, timeout: Option<Duration>) -> io::Result<()> {
        let _ = timeout;
        Err(io::Error::new(
            io::ErrorKind::Unsupported,
            "this transport does not support timeouts",
        ))
    }

    /// The read timeout currently in force (`None`: no limit), so that core can put it
    /// back after a deadline of its own. The default: unknown (`Unsupported`), and core
    /// puts back what was last set through the stream.
    fn read_timeout(&self) -> io::Result<Option<Duration>> {
        Err(io::ErrorKind::Unsupported.into())
    }

    /// The write timeout currently in force; see [`read_timeout`](Transport::read_timeout).
    fn write_timeout(&self) -> io::Result<Option<Duration>> {
        Err(io::ErrorKind::Unsupported.into())
    }

    /// Whether the transport is in non-blocking mode: a `WouldBlock` from it then
    /// means "not ready, call again", never "a timeout ran out". The default: `false`.
    fn is_nonblocking(&self) -> bool {
        false
    }

    /// Closes the write direction (the peer reads EOF); the default does nothing.
    fn shutdown_write(&mut self) -> io::Result<()> {
        Ok(())
    }

    /// Closes both directions; the default does nothing (dropping closes).
    fn close(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl Transport for TcpStream {
    fn supports_timeouts(&self) -> bool {
        true
    }
    fn set_read_timeout(&mut self, timeout: Option<Duration>) -> io::Result<()> {
        TcpStream::set_read_timeout(self, timeout)
    }
    fn set_write_timeout(&mut self, timeout: Option<Duration>) -> io::Result<()> {
        TcpStream::set_write_timeout(self, timeout)
    }
    fn read_timeout(&self) -> io::Result<Option<Duration>> {
        TcpStream::read_timeout(self)
    }
    fn write_timeout(&self) -> io::Result<Option<Duration>> {
        TcpStream::write_timeout(self)
    }
    fn is_nonblocking(&self) -> bool {
        descriptor_is_nonblocking(self)
    }
    fn shutdown_write(&mut self) -> io::Result<()> {
        not_connected_is_ok(self.shutdown(Shutdown::Write))
    }
    fn close(&mut self) -> io::Result<()> {
        not_connected_is_ok(self.shutdown(Shutdown::Both))
    }
}

#[cfg(unix)]
impl Transport for std::os::unix::net::UnixStream {
    fn supports_timeouts(&self) -> bool {
        true
    }
    fn set_read_timeout(&mut self, timeout: Option<Duration>) -> io::Result<()> {
        std::os::unix::net::UnixStream::set_read_timeout(self, timeout)
    }
    fn set_write_timeout(&mut self, timeout: Option<Duration>) -> io::Result<()> {
        std::os::unix::net::UnixStream::set_write_timeout(self, timeout)
    }
    fn read_timeout(&self) -> io::Result<Option<Duration>> {
        std::os::unix::net::UnixStream::read_timeout(self)
    }
    fn write_timeout(&self) -> io::Result<Option<Duration>> {
        std::os::unix::net::UnixStream::write_timeout(self)
    }
    fn is_nonblocking(&self) -> bool {
        descriptor_is_nonblocking(self)
    }
    fn shutdown_write(&mut self) -> io::Result<()> {
        not_connected_is_ok(self.shutdown(Shutdown::Write))
    }
    fn close(&mut self) -> io::Result<()> {
        not_connected_is_ok(self.shutdown(Shutdown::Both))
    }
}

impl<T: Transport + ?Sized> Transport for Box<T> {
    fn supports_timeouts(&self) -> bool {
        (**self).supports_timeouts()
    }
    fn set_read_timeout(&mut self, timeout: Option<Duration>) -> io::Result<()> {
        (**self).set_read_timeout(timeout)
    }
    fn set_write_timeout(&mut self, timeout: Option<Duration>) -> io::Result<()> {
        (**self).set_write_timeout(timeout)
    }
    fn read_timeout(&self) -> io::Result<Option<Duration>> {
        (**self).read_timeout()
    }
    fn write_timeout(&self) -> io::Result<Option<Duration>> {
        (**self).write_timeout()
    }
    fn is_nonblocking(&self) -> bool {
        (**self).is_nonblocking()
    }
    fn shutdown_write(&mut self) -> io::Result<()> {
        (**self).shutdown_write()
    }
    fn close(&mut self) -> io::Result<()> {
        (**self).close()
    }
}

/// Whether the socket's file status flags hold `O_NONBLOCK` (std can set the mode but
/// not read it back).
#[cfg(unix)]
fn descriptor_is_nonblocking(socket: &impl std::os::fd::AsFd) -> bool {
    rustix::fs::fcntl_getfl(socket).is_ok_and(|flags| flags.contains(rustix::fs::OFlags::NONBLOCK))
}

/// Windows cannot read a socket's mode back; treated as blocking.
#[cfg(not(unix))]
fn descriptor_is_nonblocking<S>(_socket: &S) -> bool {
    false
}

/// A peer that already closed its socket makes shutdown fail with `NotConnected`;
/// for closing purposes that is success.
fn not_connected_is_ok(result: io::Result<()>) -> io::Result<()> {
    match result {
        Err(e) if e.kind() == io::ErrorKind::NotConnected => Ok(()),
        other => other,
    }
}

/// Whether an I/O error means "a timeout ran out" (`WouldBlock` on Unix sockets,
/// `TimedOut` on Windows and the in-memory transport).
pub(crate) fn is_timeout(err: &io::Error) -> bool {
    matches!(
        err.kind(),
        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
    )
}
