//! The facade's stream: unitls-core's [`SocketStream`](crate::CoreSocketStream) with
//! the compiled-in backends registered before it exists.

use std::io::{self, BufRead, Read, Write};
use std::ops::{Deref, DerefMut};

use crate::{AttachOptions, CoreSocketStream, IntoPartsError, Result, Transport};

/// A byte stream that TLS can be attached to and detached from; see
/// [`CoreSocketStream`] for every operation (reachable through `Deref`).
///
/// Before `attach_ssl` and after `detach_ssl` it carries plaintext; in between, TLS.
/// On a blocking transport (timeouts are fine) every operation has succeeded or
/// failed when it returns; a read or write timeout of yours that runs out is an error
/// of kind [`ErrorKind::Timeout`](crate::ErrorKind::Timeout), after which the session
/// is still usable. On a non-blocking transport an operation that would block returns
/// `io::ErrorKind::WouldBlock` and continues where it stood when called again; the
/// core type's section [Timeouts and non-blocking
/// transports](CoreSocketStream#timeouts-and-non-blocking-transports) says
/// how each operation continues.
#[derive(Debug)]
pub struct SocketStream<T: Transport>(CoreSocketStream<T>);

impl<T: Transport> SocketStream<T> {
    /// A plain stream over `transport` (SPEC CTX-9).
    pub fn new(transport: T) -> SocketStream<T> {
        crate::register_backends();
        SocketStream(CoreSocketStream::new(transport))
    }

    /// A stream with TLS attached per `options`, or plain for `None` (SPEC ATTACH-2).
    pub fn with_options(transport: T, options: Option<AttachOptions>) -> Result<SocketStream<T>> {
        crate::register_backends();
        CoreSocketStream::with_options(transport, options).map(SocketStream)
    }

    pub(crate) fn from_core(inner: CoreSocketStream<T>) -> SocketStream<T> {
        SocketStream(inner)
    }

    /// The transport and every buffered unread octet of a plain stream (SPEC OWN-5);
    /// attached, `AlreadyAttached` and the stream back.
    pub fn into_parts(self) -> std::result::Result<(T, Vec<u8>), Box<IntoPartsError<T>>> {
        self.0.into_parts()
    }

    /// The core stream.
    pub fn into_inner(self) -> CoreSocketStream<T> {
        self.0
    }
}

impl<T: Transport> Deref for SocketStream<T> {
    type Target = CoreSocketStream<T>;
    fn deref(&self) -> &Self::Target {
        &self.0
    }
}

impl<T: Transport> DerefMut for SocketStream<T> {
    fn deref_mut(&mut self) -> &mut Self::Target {
        &mut self.0
    }
}

impl<T: Transport> Read for SocketStream<T> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.0.read(buf)
    }
}

impl<T: Transport> BufRead for SocketStream<T> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        self.0.fill_buf()
    }
    fn consume(&mut self, amt: usize) {
        self.0.consume(amt)
    }
}

impl<T: Transport> Write for SocketStream<T> {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        self.0.write(data)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.0.flush()
    }
}
