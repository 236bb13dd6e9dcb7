//! TCP constructors: `open_tcp_stream` (always the client) and `from_accepted`
//! (SPEC STREAM-1..5, SIDE-2, SNI-6; LispWorks `open-tcp-stream`,
//! `create-ssl-socket-stream`).

use std::io;
use std::net::{TcpStream, ToSocketAddrs};
use std::time::Duration;

use crate::{AttachOptions, CtxSpec, Error, HandshakeTimeout, Side, SocketStream};

/// Which SNI `open_tcp_stream` sends (SPEC SNI-6; [`ServerName`](crate::ServerName)
/// says what SNI is).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Sni {
    /// The host connected to (the default; IP literals are not sent).
    #[default]
    FromHost,
    /// This name.
    Name(String),
    /// No SNI (and no host-name check unless the ctx relaxes verification).
    None,
}

/// Options of [`open_tcp_stream`]: start from `TcpOptions::default()` and change what
/// you need with the methods (more options may come).
#[derive(Debug)]
#[non_exhaustive]
pub struct TcpOptions {
    /// The TLS configuration; `None` gives a plain stream (SPEC STREAM-1).
    pub ctx: Option<CtxSpec>,
    /// The SNI and reference name.
    pub sni: Sni,
    /// Limits the TCP connect alone (SPEC STREAM-3).
    pub connect_timeout: Option<Duration>,
    /// Limits the handshake alone: 30 s by default (SPEC STREAM-3, HS-1).
    pub handshake_timeout: HandshakeTimeout,
    /// The backend for `Default`/`Protocol`; `None` uses the default.
    pub implementation: Option<String>,
}

impl Default for TcpOptions {
    fn default() -> TcpOptions {
        TcpOptions {
            ctx: Some(CtxSpec::Default),
            sni: Sni::FromHost,
            connect_timeout: None,
            handshake_timeout: HandshakeTimeout::Default,
            implementation: None,
        }
    }
}

impl TcpOptions {
    /// Takes the TLS configuration from `ctx` (the default is `CtxSpec::Default`).
    pub fn ctx(mut self, ctx: impl Into<CtxSpec>) -> TcpOptions {
        self.ctx = Some(ctx.into());
        self
    }

    /// No TLS: `open_tcp_stream` gives a plain stream (SPEC STREAM-1).
    pub fn plain(mut self) -> TcpOptions {
        self.ctx = None;
        self
    }

    /// Sets the SNI and reference name.
    pub fn sni(mut self, sni: Sni) -> TcpOptions {
        self.sni = sni;
        self
    }

    /// Limits the TCP connect alone (SPEC STREAM-3).
    pub fn connect_timeout(mut self, timeout: Duration) -> TcpOptions {
        self.connect_timeout = Some(timeout);
        self
    }

    /// Limits the handshake alone (the default is 30 s, [`HandshakeTimeout`]).
    pub fn handshake_timeout(mut self, timeout: Duration) -> TcpOptions {
        self.handshake_timeout = HandshakeTimeout::After(timeout);
        self
    }

    /// No handshake deadline ([`HandshakeTimeout::Never`]).
    pub fn no_handshake_deadline(mut self) -> TcpOptions {
        self.handshake_timeout = HandshakeTimeout::Never;
        self
    }

    /// Chooses the backend by name.
    pub fn implementation(mut self, name: impl Into<String>) -> TcpOptions {
        self.implementation = Some(name.into());
        self
    }
}

/// Connects to `host:port` and attaches TLS as the client, verifying `host`
/// (SPEC STREAM-1, SIDE-2).
///
/// TCP failures are plain `io::Error`s; TLS failures carry a [`crate::Error`]
/// (SPEC STREAM-2).
pub fn open_tcp_stream(
    host: &str,
    port: u16,
    options: TcpOptions,
) -> io::Result<SocketStream<TcpStream>> {
    let socket = connect(host, port, options.connect_timeout)?;
    let Some(ctx) = options.ctx else {
        return Ok(SocketStream::new(socket));
    };
    let host_name = match options.sni {
        Sni::FromHost => Some(host.to_string()),
        Sni::Name(name) => Some(name),
        Sni::None => None,
    };
    let attach = AttachOptions {
        ctx,
        side: Side::Client,
        handshake_timeout: options.handshake_timeout,
        tlsext_host_name: host_name,
        implementation: options.implementation,
        ..AttachOptions::default()
    };
    SocketStream::with_options(socket, Some(attach)).map_err(io::Error::from)
}

fn connect(host: &str, port: u16, timeout: Option<Duration>) -> io::Result<TcpStream> {
    let Some(timeout) = timeout else {
        return TcpStream::connect((host, port));
    };
    let mut last = io::Error::new(io::ErrorKind::NotFound, format!("{host} has no address"));
    for addr in (host, port).to_socket_addrs()? {
        match TcpStream::connect_timeout(&addr, timeout) {
            Ok(socket) => return Ok(socket),
            Err(e) => last = e,
        }
    }
    Err(last)
}

/// Makes a server stream over an accepted socket, attaching TLS per `options`
/// (`Server` or `Both`), or plain for `None`; the stream owns the socket and closes it
/// on failure (SPEC STREAM-4).
pub fn from_accepted(
    socket: TcpStream,
    options: Option<AttachOptions>,
) -> io::Result<SocketStream<TcpStream>> {
    if let Some(opts) = &options {
        if opts.side == Side::Client {
            let _ = socket.shutdown(std::net::Shutdown::Both);
            return Err(Error::invalid(
                "from_accepted makes server streams: use Side::Server or Side::Both",
            )
            .into());
        }
    }
    SocketStream::with_options(socket, options).map_err(io::Error::from)
}
