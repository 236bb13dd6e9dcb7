//! The TLS stream tokio-postgres reads and writes, with its channel binding.

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio_postgres::tls::{ChannelBinding, TlsStream};

/// A connection's TLS stream: unitls's tokio stream, telling tokio-postgres the
/// server's `tls-server-end-point` (RFC 5929) so that SCRAM-SHA-256-PLUS can bind the
/// login to this very TLS connection.
pub struct UnitlsStream<S: AsyncRead + AsyncWrite + Unpin> {
    /// The attached stream.
    inner: unitls::tokio::SocketStream<S>,
}

impl<S: AsyncRead + AsyncWrite + Unpin> UnitlsStream<S> {
    /// Wraps an attached stream.
    pub(crate) fn new(inner: unitls::tokio::SocketStream<S>) -> UnitlsStream<S> {
        UnitlsStream { inner }
    }

    /// The unitls stream, for its accessors: the negotiated version and cipher, the
    /// server's certificates, the backend's native objects.
    pub fn get_ref(&self) -> &unitls::tokio::SocketStream<S> {
        &self.inner
    }
}

impl<S: AsyncRead + AsyncWrite + Unpin> std::fmt::Debug for UnitlsStream<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UnitlsStream").finish_non_exhaustive()
    }
}

impl<S: AsyncRead + AsyncWrite + Unpin> TlsStream for UnitlsStream<S> {
    /// `tls-server-end-point` from the server's leaf certificate; none when the
    /// certificate's signature algorithm has no defined hash (RFC 5929 §4.1), in which
    /// case tokio-postgres refuses `channel_binding=require` rather than log in unbound.
    fn channel_binding(&self) -> ChannelBinding {
        match self.inner.tls_server_end_point() {
            Ok(Some(hash)) => ChannelBinding::tls_server_end_point(hash),
            _ => ChannelBinding::none(),
        }
    }
}

impl<S: AsyncRead + AsyncWrite + Unpin> AsyncRead for UnitlsStream<S> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl<S: AsyncRead + AsyncWrite + Unpin> AsyncWrite for UnitlsStream<S> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}
