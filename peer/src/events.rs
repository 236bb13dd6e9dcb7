//! The events `unitls-peer` prints on stdout, one `unitls_model::peer::PeerEvent` a
//! line, for both modes: the blocking stream and the tokio one report alike, each
//! `handshake` event naming the mode it ran in.

use std::io::Write as _;
use std::process::ExitCode;

use tokio::io::{AsyncRead, AsyncWrite};
use unitls::{CipherSuite, ErrorKind, PeerCertificate, ProtocolVersion, SocketStream, Transport};
use unitls_model::peer::{PeerCert, PeerEvent};
use unitls_model::Mode;

/// Writes `event` as one line on stdout and flushes it (a closed stdout is ignored: the
/// exit status still tells the outcome).
pub(crate) fn emit(event: &PeerEvent) {
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{}", unitls_model::to_line(event));
    let _ = out.flush();
}

/// A connection number as the events carry it.
fn conn_number(conn: Option<usize>) -> Option<u64> {
    conn.map(|n| n as u64)
}

/// Prints the `error` event for `err` and returns the failure exit status.
pub(crate) fn fail(err: &unitls::Error, conn: Option<usize>) -> ExitCode {
    report_error(err, conn);
    ExitCode::FAILURE
}

/// Prints the `error` event for `err`: its SPEC ERR kind (`Syscall`,
/// `VerificationFailure(UnknownIssuer)`, `Unsupported(Tls13)`…), the message, and the
/// alert when one ended the session.
pub(crate) fn report_error(err: &unitls::Error, conn: Option<usize>) {
    emit(&PeerEvent::Error {
        conn: conn_number(conn),
        kind: format!("{:?}", err.kind()),
        message: err.to_string(),
        alert: err.alert().map(|alert| alert.to_string()),
    });
}

/// What the `handshake` event reads from an attached stream: the accessors the blocking
/// [`SocketStream`] and the tokio [`unitls::tokio::SocketStream`] both have, and the
/// mode the stream is.
pub(crate) trait Negotiated {
    /// The I/O mode of this stream type.
    const MODE: Mode;
    /// `protocol_version()`.
    fn version(&self) -> unitls::Result<Option<ProtocolVersion>>;
    /// `cipher_suite()`.
    fn cipher(&self) -> unitls::Result<Option<CipherSuite>>;
    /// `alpn_protocol()`.
    fn alpn(&self) -> unitls::Result<Option<Vec<u8>>>;
    /// `server_name()`.
    fn sni(&self) -> unitls::Result<Option<String>>;
    /// `resumed()`.
    fn was_resumed(&self) -> unitls::Result<bool>;
    /// `peer_certificates()`.
    fn chain(&self) -> unitls::Result<Option<Vec<PeerCertificate>>>;
    /// `peer_certificate()`.
    fn leaf(&self) -> unitls::Result<Option<PeerCertificate>>;
}

/// Implements [`Negotiated`] for a stream type with the accessors of that name.
macro_rules! negotiated {
    ($mode:expr, $stream:ty where $($bounds:tt)+) => {
        impl<T> Negotiated for $stream
        where
            $($bounds)+
        {
            const MODE: Mode = $mode;
            fn version(&self) -> unitls::Result<Option<ProtocolVersion>> {
                self.protocol_version()
            }
            fn cipher(&self) -> unitls::Result<Option<CipherSuite>> {
                self.cipher_suite()
            }
            fn alpn(&self) -> unitls::Result<Option<Vec<u8>>> {
                self.alpn_protocol()
            }
            fn sni(&self) -> unitls::Result<Option<String>> {
                self.server_name()
            }
            fn was_resumed(&self) -> unitls::Result<bool> {
                self.resumed()
            }
            fn chain(&self) -> unitls::Result<Option<Vec<PeerCertificate>>> {
                self.peer_certificates()
            }
            fn leaf(&self) -> unitls::Result<Option<PeerCertificate>> {
                self.peer_certificate()
            }
        }
    };
}

negotiated!(Mode::Blocking, SocketStream<T> where T: Transport);
negotiated!(Mode::Async, unitls::tokio::SocketStream<T> where T: AsyncRead + AsyncWrite + Unpin);

/// Prints the `handshake` event of an attached stream.
pub(crate) fn report_handshake<S: Negotiated>(
    stream: &S,
    conn: Option<usize>,
) -> unitls::Result<()> {
    let version = stream.version()?.map(|v| v.name().to_owned());
    let cipher = stream.cipher()?.map(|c| c.to_string());
    let alpn = stream
        .alpn()?
        .map(|p| String::from_utf8_lossy(&p).into_owned());
    let sni = stream.sni()?;
    let resumed = stream.was_resumed()?;
    let peer_chain = peer_chain(stream)?.map(|chain| {
        chain
            .iter()
            .map(|cert| PeerCert {
                subject_cn: cert.subject_common_name().map(str::to_owned),
                serial: cert.serial_hex(),
            })
            .collect()
    });
    emit(&PeerEvent::Handshake {
        conn: conn_number(conn),
        version,
        cipher,
        alpn,
        sni,
        resumed,
        peer_chain,
        mode: S::MODE,
    });
    Ok(())
}

/// The peer's chain: `peer_certificates()`, or the leaf from `peer_certificate()` where
/// the backend cannot give the chain; `None` when neither is supported.
fn peer_chain<S: Negotiated>(stream: &S) -> unitls::Result<Option<Vec<PeerCertificate>>> {
    match stream.chain() {
        Ok(chain) => Ok(Some(chain.unwrap_or_default())),
        Err(err) if matches!(err.kind(), ErrorKind::Unsupported(_)) => match stream.leaf() {
            Ok(leaf) => Ok(Some(leaf.into_iter().collect())),
            Err(err) if matches!(err.kind(), ErrorKind::Unsupported(_)) => Ok(None),
            Err(err) => Err(err),
        },
        Err(err) => Err(err),
    }
}

/// Prints the `received` event: `bytes` octets arrived and were checked.
pub(crate) fn report_received(conn: Option<usize>, bytes: u64) {
    emit(&PeerEvent::Received {
        conn: conn_number(conn),
        bytes,
    });
}

/// Prints the `closed` event.
pub(crate) fn report_closed(conn: Option<usize>) {
    emit(&PeerEvent::Closed {
        conn: conn_number(conn),
    });
}
