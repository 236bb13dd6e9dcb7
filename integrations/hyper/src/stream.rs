//! The connection the client connector yields: plain for `http://`, TLS for
//! `https://`, reporting to hyper-util whether HTTP/2 was negotiated.

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};

use hyper::rt::{Read, ReadBufCursor, Write};
use hyper_util::client::legacy::connect::{Connected, Connection};
use hyper_util::rt::TokioIo;

/// A client connection: the inner connection as it is (`http://`), or with TLS
/// attached (`https://`).
#[derive(Debug)]
pub enum MaybeHttpsStream<T: Read + Write + Unpin> {
    /// Plain HTTP over the inner connection.
    Http(T),
    /// TLS over the inner connection.
    Https(TokioIo<unitls::tokio::SocketStream<TokioIo<T>>>),
}

impl<T: Read + Write + Unpin> MaybeHttpsStream<T> {
    /// The TLS stream of an `https://` connection, for its accessors (version,
    /// cipher, ALPN, the server's certificates); `None` for plain HTTP.
    pub fn tls(&self) -> Option<&unitls::tokio::SocketStream<TokioIo<T>>> {
        match self {
            MaybeHttpsStream::Http(_) => None,
            MaybeHttpsStream::Https(tls) => Some(tls.inner()),
        }
    }
}

impl<T: Read + Write + Connection + Unpin> Connection for MaybeHttpsStream<T> {
    /// The inner connection's facts, plus HTTP/2 when the server chose `h2` by ALPN.
    fn connected(&self) -> Connected {
        match self {
            MaybeHttpsStream::Http(io) => io.connected(),
            MaybeHttpsStream::Https(tls) => {
                let tls = tls.inner();
                let connected = tls
                    .get_ref()
                    .map_or_else(Connected::new, |io| io.inner().connected());
                match tls.alpn_protocol() {
                    Ok(Some(protocol)) if protocol == crate::H2 => connected.negotiated_h2(),
                    _ => connected,
                }
            }
        }
    }
}

impl<T: Read + Write + Unpin> Read for MaybeHttpsStream<T> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: ReadBufCursor<'_>,
    ) -> Poll<io::Result<()>> {
        match self.get_mut() {
            MaybeHttpsStream::Http(io) => Pin::new(io).poll_read(cx, buf),
            MaybeHttpsStream::Https(tls) => Pin::new(tls).poll_read(cx, buf),
        }
    }
}

impl<T: Read + Write + Unpin> Write for MaybeHttpsStream<T> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        match self.get_mut() {
            MaybeHttpsStream::Http(io) => Pin::new(io).poll_write(cx, buf),
            MaybeHttpsStream::Https(tls) => Pin::new(tls).poll_write(cx, buf),
        }
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        match self.get_mut() {
            MaybeHttpsStream::Http(io) => Pin::new(io).poll_write_vectored(cx, bufs),
            MaybeHttpsStream::Https(tls) => Pin::new(tls).poll_write_vectored(cx, bufs),
        }
    }

    fn is_write_vectored(&self) -> bool {
        match self {
            MaybeHttpsStream::Http(io) => io.is_write_vectored(),
            MaybeHttpsStream::Https(tls) => tls.is_write_vectored(),
        }
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            MaybeHttpsStream::Http(io) => Pin::new(io).poll_flush(cx),
            MaybeHttpsStream::Https(tls) => Pin::new(tls).poll_flush(cx),
        }
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            MaybeHttpsStream::Http(io) => Pin::new(io).poll_shutdown(cx),
            MaybeHttpsStream::Https(tls) => Pin::new(tls).poll_shutdown(cx),
        }
    }
}
