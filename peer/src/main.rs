//! `unitls-peer`: a TLS echo server and client over the default backend of this build,
//! for interop testing across processes (SPEC INTEROP-7, INTEROP-8).
//!
//! The crate `peer/` (package `unitls-peer`) is built once per backend (`cargo build -p
//! unitls-peer --no-default-features --features <backend>`, or `cargo xtask peer
//! <backend> -- ...`); its features turn on the facade's of the same name, so it links
//! exactly those backends and uses the default one (`unitls::default_implementation()`),
//! and BoringSSL and OpenSSL peers can talk to each other although they cannot share a
//! binary.
//!
//! ```text
//! unitls-peer --version
//! unitls-peer --help | server --help | client --help
//! unitls-peer server --listen 127.0.0.1:0 --cert CHAIN.pem --key KEY.pem [--max-connections N] ...
//! unitls-peer client --connect HOST:PORT [--sni NAME | --no-sni] [--ca CA.pem | --dangerous-no-verify] ...
//! ```
//!
//! Everything it learns goes to stdout as one JSON object per line, flushed per line:
//! `version`, `listening`, `handshake` (version, cipher, ALPN, SNI, resumed, peer chain),
//! `received`, `closed`, and `error` (with the SPEC ERR kind, e.g.
//! `VerificationFailure(UnknownIssuer)`). Server events carry `conn`, the connection's
//! number from 1; client events carry `conn` too when `--resume` makes several.
//!
//! The server echoes application data until the client's close_notify, then closes with
//! its own; with `--starttls smtp` it speaks SMTP first (greeting, EHLO, STARTTLS) and
//! keeps speaking it over TLS, so ordinary SMTP clients (`openssl s_client -starttls
//! smtp`) can upgrade. The client sends `--send TEXT` (or `--send-bytes N` in 16 KiB
//! lock-step chunks), checks the echo (or `--expect TEXT`), then detaches with
//! close_notify both ways. Every socket wait is bounded (10 s, and the handshake by
//! `--handshake-timeout`, default 10 s). Exit status: 0 on success (and after `--help`,
//! which prints the usage on stdout), 1 after an `error` event, 2 for a usage error (the
//! usage goes to stderr).

#![forbid(unsafe_code)]

mod args;
mod client;
mod server;
mod smtp;

use std::io::Write as _;
use std::process::ExitCode;

use unitls::{ErrorKind, SocketStream, Transport};

use unitls_model::peer::{PeerCert, PeerEvent};

use crate::args::Command;

fn main() -> ExitCode {
    match args::parse(std::env::args_os().skip(1)) {
        Ok(Command::Help(usage)) => {
            println!("{usage}");
            ExitCode::SUCCESS
        }
        Ok(Command::Version) => version(),
        Ok(Command::Server(args)) => server::run(&args),
        Ok(Command::Client(args)) => client::run(&args),
        Err(args::UsageError { message, usage }) => {
            emit(&PeerEvent::Error {
                conn: None,
                kind: "InvalidArgument".into(),
                message: format!("usage: {message}"),
                alert: None,
            });
            eprintln!("unitls-peer: {message}\n\n{usage}");
            ExitCode::from(2)
        }
    }
}

/// `--version`: the backend, its library and crate, and its capabilities.
fn version() -> ExitCode {
    let name = match unitls::default_implementation() {
        Ok(name) => name,
        Err(err) => return fail(&err, None),
    };
    let Some(info) = unitls::implementation_info(name) else {
        return fail(
            &unitls::Error::new(ErrorKind::Failure, format!("no information on {name}")),
            None,
        );
    };
    emit(&PeerEvent::Version {
        backend: name.to_owned(),
        library: info.library.clone(),
        crate_version: info.crate_version.clone(),
        capabilities: unitls::capabilities(name)
            .map(|caps| caps.iter().map(|c| c.name().to_owned()).collect()),
    });
    ExitCode::SUCCESS
}

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

/// A plain stream over `socket` whose every read and write waits at most
/// [`args::IO_TIMEOUT`].
pub(crate) fn timed_stream(
    socket: std::net::TcpStream,
) -> unitls::Result<SocketStream<std::net::TcpStream>> {
    let mut stream = SocketStream::new(socket);
    stream
        .set_read_timeout(Some(args::IO_TIMEOUT))
        .map_err(io_error)?;
    stream
        .set_write_timeout(Some(args::IO_TIMEOUT))
        .map_err(io_error)?;
    Ok(stream)
}

/// An `io::Error` from stream I/O as the unitls error it carries, or as `Syscall`.
pub(crate) fn io_error(err: std::io::Error) -> unitls::Error {
    match unitls::failure_indicator(&err) {
        // A read or write timeout on the socket: say so plainly.
        unitls::FailureIndicator::NotTls
            if matches!(
                err.kind(),
                std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
            ) =>
        {
            unitls::Error::from_io(err).with_operation("I/O (no data within the 10 s timeout)")
        }
        _ => unitls::Error::from_io(err),
    }
}

/// Prints the `handshake` event of an attached stream.
pub(crate) fn report_handshake<T: Transport>(
    stream: &SocketStream<T>,
    conn: Option<usize>,
) -> unitls::Result<()> {
    let version = stream.protocol_version()?.map(|v| v.name().to_owned());
    let cipher = stream.cipher_suite()?.map(|c| c.to_string());
    let alpn = stream
        .alpn_protocol()?
        .map(|p| String::from_utf8_lossy(&p).into_owned());
    let sni = stream.server_name()?;
    let resumed = stream.resumed()?;
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
    });
    Ok(())
}

/// The peer's chain: `peer_certificates()`, or the leaf from `peer_certificate()` where
/// the backend cannot give the chain; `None` when neither is supported.
fn peer_chain<T: Transport>(
    stream: &SocketStream<T>,
) -> unitls::Result<Option<Vec<unitls::PeerCertificate>>> {
    match stream.peer_certificates() {
        Ok(chain) => Ok(Some(chain.unwrap_or_default())),
        Err(err) if matches!(err.kind(), ErrorKind::Unsupported(_)) => {
            match stream.peer_certificate() {
                Ok(leaf) => Ok(Some(leaf.into_iter().collect())),
                Err(err) if matches!(err.kind(), ErrorKind::Unsupported(_)) => Ok(None),
                Err(err) => Err(err),
            }
        }
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

/// The abstract-context options both roles share.
pub(crate) fn common_options(
    mut builder: unitls::ContextBuilder,
    tls: &args::Tls,
) -> unitls::Result<unitls::ContextBuilder> {
    if !tls.alpn.is_empty() {
        builder = builder.alpn(tls.alpn.iter().map(String::as_bytes));
    }
    if let Some(min) = tls.min_version {
        builder = builder.min_version(min);
    }
    if let Some(max) = tls.max_version {
        builder = builder.max_version(max);
    }
    if let Some(ciphers) = &tls.ciphers {
        builder = builder.cipher_suites(ciphers);
    }
    if let Some((cert, key)) = &tls.identity {
        let mut identity = unitls::IdentitySource::pem_files(cert, key);
        if let Some(password) = &tls.key_password {
            identity = identity.with_password(password.clone())?;
        }
        builder = builder.identity(identity);
    }
    Ok(builder)
}
