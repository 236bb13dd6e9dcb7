//! `--async`: both roles on a tokio runtime, with `unitls::tokio::SocketStream` over
//! `tokio::net::TcpStream` — the blocking roles' behaviour, options, events and exit
//! statuses, step for step ([`client`], [`server`], [`smtp`]). What does not depend on
//! the I/O model (the contexts, attach options, payload pattern, SMTP answers, events) is
//! the blocking modules' own, shared.
//!
//! The blocking peer bounds every socket wait with the socket's 10 s timeouts; here
//! every read, write, flush, connect, detach and close is bounded by
//! [`IO_TIMEOUT`] on the runtime's timer instead ([`io`], [`bounded`]), and the
//! handshake by `--handshake-timeout` through the attach options, as there.

pub(crate) mod client;
pub(crate) mod server;
pub(crate) mod smtp;

use std::future::Future;

use tokio::runtime::Runtime;

use crate::args::IO_TIMEOUT;
use crate::io_error;

/// The runtime a role runs on: multi-threaded (the server's connections run in
/// parallel, as the blocking server's threads do), with the I/O and time drivers.
pub(crate) fn runtime() -> unitls::Result<Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|err| unitls::Error::from_io(err).with_operation("start the tokio runtime"))
}

/// The error for a wait that ran out of [`IO_TIMEOUT`], as the blocking peer's socket
/// timeout reads.
fn timed_out() -> unitls::Error {
    io_error(std::io::ErrorKind::TimedOut.into())
}

/// Stream I/O bounded by [`IO_TIMEOUT`]: its `io::Error` as the unitls error it carries
/// (as the blocking peer maps its own).
pub(crate) async fn io<R>(op: impl Future<Output = std::io::Result<R>>) -> unitls::Result<R> {
    match tokio::time::timeout(IO_TIMEOUT, op).await {
        Ok(result) => result.map_err(io_error),
        Err(_) => Err(timed_out()),
    }
}

/// A stream operation (detach, close) bounded by [`IO_TIMEOUT`].
pub(crate) async fn bounded<R>(op: impl Future<Output = unitls::Result<R>>) -> unitls::Result<R> {
    match tokio::time::timeout(IO_TIMEOUT, op).await {
        Ok(result) => result,
        Err(_) => Err(timed_out()),
    }
}
