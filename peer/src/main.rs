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
//! unitls-peer server --listen 127.0.0.1:0 --cert CHAIN.pem --key KEY.pem [--max-connections N] [--async] ...
//! unitls-peer client --connect HOST:PORT [--sni NAME | --no-sni] [--ca CA.pem | --dangerous-no-verify] [--async] ...
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
//!
//! With `--async` either role runs on a tokio runtime with `unitls::tokio::SocketStream`
//! over `tokio::net::TcpStream` ([`async_mode`]): the same options, behaviour, events and
//! exit statuses, each `handshake` event saying `"mode":"async"` (`"blocking"` without
//! it), so that the interop matrix can meet a blocking peer with an async one.

#![forbid(unsafe_code)]

mod args;
mod async_mode;
mod client;
mod events;
mod server;
mod smtp;

use std::process::ExitCode;

use unitls::{ErrorKind, SocketStream};

use unitls_model::peer::PeerEvent;

use crate::args::Command;
pub(crate) use crate::events::{
    emit, fail, report_closed, report_error, report_handshake, report_received,
};

fn main() -> ExitCode {
    match args::parse(std::env::args_os().skip(1)) {
        Ok(Command::Help(usage)) => {
            println!("{usage}");
            ExitCode::SUCCESS
        }
        Ok(Command::Version) => version(),
        Ok(Command::Server(args)) if args.tls.asynchronous => async_mode::server::run(&args),
        Ok(Command::Server(args)) => server::run(&args),
        Ok(Command::Client(args)) if args.tls.asynchronous => async_mode::client::run(&args),
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
        capabilities: unitls::capabilities(name).map(unitls::Capabilities::describe),
        lacks: unitls::capabilities(name)
            .map(|caps| {
                caps.lacks()
                    .iter()
                    .map(|lack| unitls_model::report::CapabilityLack {
                        capability: lack.capability.name().to_owned(),
                        roles: lack.roles.name().to_owned(),
                        reason: lack.reason.to_owned(),
                        platform: None,
                    })
                    .collect()
            })
            .unwrap_or_default(),
    });
    ExitCode::SUCCESS
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
