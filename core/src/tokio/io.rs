//! `AsyncRead`, `AsyncBufRead` and `AsyncWrite` for the tokio stream: plaintext
//! straight through the transport when plain, through `Conn` when TLS is attached.

use std::io;
use std::pin::Pin;
use std::task::{ready, Context, Poll};

use tokio::io::{AsyncBufRead, AsyncRead, AsyncWrite, ReadBuf};

use super::drive::{is_pending, send_what_is_left, Reader, Writer};
use super::stream::SocketStream;
use crate::accessors::{closed_error, detach_under_way};
use crate::conn::Phase;
use crate::Error;

/// How much of a vectored write is gathered into one write.
const GATHER_MAX: usize = 64 * 1024;

/// The size of the buffer `poll_fill_buf` decrypts into.
const FILL_LEN: usize = 16 * 1024;

fn io_error(err: Error) -> io::Error {
    err.into()
}

impl<T: AsyncRead + AsyncWrite + Unpin> SocketStream<T> {
    /// Reads plaintext into `dst`: buffered octets first, then the transport (plain)
    /// or the session (TLS).
    fn poll_read_into(&mut self, cx: &mut Context<'_>, dst: &mut [u8]) -> Poll<io::Result<usize>> {
        if self.closed {
            return Poll::Ready(Err(closed_error().into()));
        }
        if dst.is_empty() {
            return Poll::Ready(Ok(0));
        }
        if self.plain_pos < self.plain_out.len() {
            let n = dst.len().min(self.plain_out.len() - self.plain_pos);
            dst[..n].copy_from_slice(&self.plain_out[self.plain_pos..self.plain_pos + n]);
            self.plain_pos += n;
            return Poll::Ready(Ok(n));
        }
        match self.conn.phase() {
            Phase::Plain => self.poll_read_plain(cx, dst),
            Phase::Detaching => Poll::Ready(Err(detach_under_way().into())),
            Phase::Handshaking | Phase::Open => {
                let read = self.poll_run(cx, |conn, now| conn.read(&mut *dst, now));
                self.settle_attach(&read);
                if read.is_ready() {
                    self.send_answers(cx);
                }
                read.map(|r| r.map_err(|e| io_error(e.with_operation("read"))))
            }
        }
    }

    fn poll_read_plain(&mut self, cx: &mut Context<'_>, dst: &mut [u8]) -> Poll<io::Result<usize>> {
        let transport = self.transport.as_mut().ok_or_else(closed_error)?;
        if self.conn.buffered().is_empty() {
            match self.conn.receive_from(&mut Reader { io: transport, cx }) {
                Ok(0) => {
                    self.conn.release_if_empty();
                    return Poll::Ready(Ok(0));
                }
                Ok(_) => {}
                Err(e) if is_pending(&e) => return Poll::Pending,
                Err(e) => return Poll::Ready(Err(io_error(Error::transport(e)))),
            }
        }
        let unread = self.conn.buffered();
        let n = dst.len().min(unread.len());
        dst[..n].copy_from_slice(&unread[..n]);
        self.conn.consume(n);
        self.conn.park_if_empty();
        Poll::Ready(Ok(n))
    }

    /// What a record asked of us while reading (a KeyUpdate, an alert refusing
    /// renegotiation) goes out as far as the transport takes it now.
    fn send_answers(&mut self, cx: &mut Context<'_>) {
        if self.conn.wants_write() {
            if let Some(transport) = self.transport.as_mut() {
                send_what_is_left(&mut self.conn, transport, cx);
            }
        }
    }

    /// Encrypts `data` once the session can take it; ready with the octets taken
    /// (they reach the wire with this write where the transport takes them, else
    /// with the next write or flush).
    fn poll_write_tls(&mut self, cx: &mut Context<'_>, data: &[u8]) -> Poll<io::Result<usize>> {
        let writable = self.poll_run(cx, |conn, now| conn.writable(now));
        self.settle_attach(&writable);
        if let Err(err) = ready!(writable) {
            return Poll::Ready(Err(io_error(err.with_operation("write"))));
        }
        let transport = self.transport.as_mut().ok_or_else(closed_error)?;
        let written = self
            .conn
            .write_direct(data, &mut Writer { io: transport, cx });
        if written.is_err() {
            self.failed = true;
        }
        Poll::Ready(written.map_err(|e| io_error(e.with_operation("write"))))
    }

    fn poll_write_any(&mut self, cx: &mut Context<'_>, data: &[u8]) -> Poll<io::Result<usize>> {
        if self.closed {
            return Poll::Ready(Err(closed_error().into()));
        }
        match self.conn.phase() {
            Phase::Plain => {
                let transport = self.transport.as_mut().ok_or_else(closed_error)?;
                Pin::new(transport).poll_write(cx, data)
            }
            Phase::Detaching => Poll::Ready(Err(detach_under_way().into())),
            Phase::Handshaking | Phase::Open if data.is_empty() => Poll::Ready(Ok(0)),
            Phase::Handshaking | Phase::Open => self.poll_write_tls(cx, data),
        }
    }
}

impl<T: AsyncRead + AsyncWrite + Unpin> AsyncRead for SocketStream<T> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let n = ready!(this.poll_read_into(cx, buf.initialize_unfilled()))?;
        buf.advance(n);
        Poll::Ready(Ok(()))
    }
}

impl<T: AsyncRead + AsyncWrite + Unpin> AsyncBufRead for SocketStream<T> {
    fn poll_fill_buf(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<&[u8]>> {
        let this = self.get_mut();
        if this.plain_pos >= this.plain_out.len() {
            if this.conn.phase() == Phase::Plain {
                // Plain: core's read buffer is the BufRead buffer.
                if this.closed {
                    return Poll::Ready(Err(closed_error().into()));
                }
                if this.conn.buffered().is_empty() {
                    let transport = this.transport.as_mut().ok_or_else(closed_error)?;
                    match this.conn.receive_from(&mut Reader { io: transport, cx }) {
                        Ok(_) => {}
                        Err(e) if is_pending(&e) => return Poll::Pending,
                        Err(e) => return Poll::Ready(Err(io_error(Error::transport(e)))),
                    }
                }
                return Poll::Ready(Ok(this.conn.buffered()));
            }
            let mut buf = std::mem::take(&mut this.plain_out);
            buf.resize(FILL_LEN, 0);
            let read = this.poll_read_into(cx, &mut buf);
            this.plain_out = buf;
            let n = match read {
                Poll::Ready(Ok(n)) => n,
                other => {
                    this.plain_out.clear();
                    this.plain_pos = 0;
                    return other.map(|r| r.map(|_| &[][..]));
                }
            };
            this.plain_out.truncate(n);
            this.plain_pos = 0;
        }
        Poll::Ready(Ok(&this.plain_out[this.plain_pos..]))
    }

    fn consume(self: Pin<&mut Self>, amt: usize) {
        let this = self.get_mut();
        if this.plain_pos < this.plain_out.len() {
            this.plain_pos = (this.plain_pos + amt).min(this.plain_out.len());
        } else if this.conn.phase() == Phase::Plain {
            this.conn.consume(amt.min(this.conn.buffered().len()));
        }
    }
}

impl<T: AsyncRead + AsyncWrite + Unpin> AsyncWrite for SocketStream<T> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        data: &[u8],
    ) -> Poll<io::Result<usize>> {
        self.get_mut().poll_write_any(cx, data)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        let Some(first) = bufs.iter().find(|b| !b.is_empty()) else {
            return Poll::Ready(Ok(0));
        };
        if first.len() >= GATHER_MAX || this.conn.phase() == Phase::Plain {
            return this.poll_write_any(cx, first);
        }
        // Small slices become one write (one record where they fit).
        let mut gather = std::mem::take(&mut this.gather);
        gather.clear();
        for buf in bufs {
            let room = GATHER_MAX - gather.len();
            gather.extend_from_slice(&buf[..buf.len().min(room)]);
            if gather.len() == GATHER_MAX {
                break;
            }
        }
        let written = this.poll_write_any(cx, &gather);
        this.gather = gather;
        written
    }

    fn is_write_vectored(&self) -> bool {
        true
    }

    /// Puts every record the session took on the wire, then flushes the transport.
    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        if this.closed || this.transport.is_none() {
            return Poll::Ready(Err(closed_error().into()));
        }
        if this.conn.wants_write() {
            ready!(this.poll_run(cx, |conn, _| Ok(conn.flushed()))).map_err(io_error)?;
        }
        let transport = this.transport.as_mut().ok_or_else(closed_error)?;
        Pin::new(transport).poll_flush(cx)
    }

    /// Sends close_notify (when TLS is open), then shuts the transport's write side
    /// (SPEC ASYNC-4).
    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        if this.closed || this.transport.is_none() {
            return Poll::Ready(Err(closed_error().into()));
        }
        if matches!(this.conn.phase(), Phase::Handshaking | Phase::Open) {
            ready!(this.poll_run(cx, |conn, now| conn.shutdown_write(now)))
                .map_err(|e| io_error(e.with_operation("shutdown")))?;
        }
        let transport = this.transport.as_mut().ok_or_else(closed_error)?;
        Pin::new(transport).poll_shutdown(cx)
    }
}
