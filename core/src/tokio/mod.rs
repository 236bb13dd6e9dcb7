//! The tokio mode: TLS attached to and detached from any
//! `AsyncRead + AsyncWrite + Unpin` transport, with the blocking stream's lifecycle,
//! defaults and errors (SPEC ASYNC). Enabled by the `tokio` feature.
//!
//! It drives the same connection state machine as the blocking stream, so every
//! backend works in both modes without async code of its own.
//!
//! ```no_run
//! # async fn example() -> unitls_core::Result<()> {
//! use tokio::io::{AsyncReadExt, AsyncWriteExt};
//!
//! let tcp = tokio::net::TcpStream::connect("example.org:443").await?;
//! let ctx = unitls_core::create_client_context().build()?;
//! let mut tls = unitls_core::tokio::connect(ctx, "example.org", tcp).await?;
//! tls.write_all(b"GET / HTTP/1.1\r\nHost: example.org\r\nConnection: close\r\n\r\n").await?;
//! tls.flush().await?;
//! let mut page = Vec::new();
//! tls.read_to_end(&mut page).await?;
//! tls.close().await?;
//! # Ok(())
//! # }
//! ```

mod drive;
mod io;
mod stream;

use ::tokio::io::{AsyncRead, AsyncWrite};

pub use stream::{IntoPartsError, SocketStream};

use crate::{AttachOptions, CtxSpec, Result};

/// Connects as a client over `io`: attaches TLS verifying `server_name` (also sent
/// as SNI) with `ctx`, and returns the stream once the handshake is done — the
/// common client case in one call (SPEC ASYNC-8).
pub async fn connect<T>(
    ctx: impl Into<CtxSpec>,
    server_name: &str,
    io: T,
) -> Result<SocketStream<T>>
where
    T: AsyncRead + AsyncWrite + Unpin,
{
    let mut stream = SocketStream::new(io);
    stream
        .attach_ssl(AttachOptions::client(server_name).ctx(ctx))
        .await?;
    Ok(stream)
}

/// Accepts as a server over `io` with `ctx`, returning the stream once the
/// handshake is done — the common server case in one call (SPEC ASYNC-8).
pub async fn accept<T>(ctx: impl Into<CtxSpec>, io: T) -> Result<SocketStream<T>>
where
    T: AsyncRead + AsyncWrite + Unpin,
{
    let mut stream = SocketStream::new(io);
    stream.attach_ssl(AttachOptions::server().ctx(ctx)).await?;
    Ok(stream)
}
