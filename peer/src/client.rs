//! `unitls-peer client`: connects, attaches TLS as the client (after an SMTP STARTTLS
//! dialogue with `--starttls smtp`), sends, checks the echo and detaches with
//! close_notify both ways; `--resume N` repeats that N times with the same context.

use std::io::{Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::process::ExitCode;
use std::sync::Arc;

use unitls::{
    create_client_context, AbstractContext, AttachOptions, DetachOptions, ErrorKind, Side,
    SocketStream, Source, TrustSource,
};

use crate::args::{ClientArgs, Name, Payload, Starttls, IO_TIMEOUT};
use crate::{io_error, report_closed, report_handshake, report_received, smtp, timed_stream};

/// The step of `--send-bytes`: written, then read back, before the next.
pub(crate) const CHUNK: usize = 16 * 1024;

/// Runs the client: one connection, plus `--resume` more with the same context.
pub(crate) fn run(args: &ClientArgs) -> ExitCode {
    let context = match context(args) {
        Ok(context) => context,
        Err(err) => return crate::fail(&err, None),
    };
    let several = args.resume > 0;
    for i in 1..=args.resume + 1 {
        let conn = several.then_some(i);
        if let Err(err) = connection(args, &context, conn) {
            return crate::fail(&err, conn);
        }
    }
    ExitCode::SUCCESS
}

/// The client's abstract context from the command line (both modes).
pub(crate) fn context(args: &ClientArgs) -> unitls::Result<Arc<AbstractContext>> {
    let mut builder = crate::common_options(create_client_context(), &args.tls)?;
    if let Some(ca) = &args.ca {
        builder = builder.trust_only([TrustSource::Pem(Source::file(ca))]);
    }
    if args.no_verify {
        builder = builder.danger_accept_invalid_certs();
    }
    builder.build()
}

/// One connection: connect, (STARTTLS), attach, exchange, detach.
fn connection(
    args: &ClientArgs,
    context: &Arc<AbstractContext>,
    conn: Option<usize>,
) -> unitls::Result<()> {
    let mut stream = timed_stream(connect(&args.connect)?)?;
    if args.tls.starttls == Some(Starttls::Smtp) {
        smtp::client_starttls(&mut stream)?;
    }
    stream.attach_ssl(attach_options(args, context))?;
    report_handshake(&stream, conn)?;
    let received = match args.tls.starttls {
        Some(Starttls::Smtp) => smtp::client_dialogue(&mut stream)?,
        None => exchange(&mut stream, &args.payload, args.expect.as_deref())?,
    };
    report_received(conn, received);
    match args.tls.starttls {
        // After QUIT the server closes at once; ours needs no answer.
        Some(Starttls::Smtp) => stream.close()?,
        // close_notify both ways: ours, then the server's.
        None => {
            stream.detach_ssl(DetachOptions::default())?;
        }
    }
    report_closed(conn);
    Ok(())
}

/// The client's attach options: the name to send and verify, the context, the
/// handshake timeout (both modes).
pub(crate) fn attach_options(args: &ClientArgs, context: &Arc<AbstractContext>) -> AttachOptions {
    let options = match &args.name {
        Name::Name(name) => AttachOptions::client(name.clone()),
        Name::None => AttachOptions::default().side(Side::Client),
    };
    options
        .ctx(context.clone())
        .handshake_timeout(args.tls.handshake_timeout)
}

/// Connects to `HOST:PORT`, trying each address within [`IO_TIMEOUT`].
fn connect(target: &str) -> unitls::Result<TcpStream> {
    let addrs = target
        .to_socket_addrs()
        .map_err(|e| unitls::Error::from_io(e).with_operation("resolve"))?;
    let mut last = None;
    for addr in addrs {
        match TcpStream::connect_timeout(&addr, IO_TIMEOUT) {
            Ok(socket) => return Ok(socket),
            Err(err) => last = Some(err),
        }
    }
    Err(match last {
        Some(err) => unitls::Error::from_io(err).with_operation("connect"),
        None => unitls::Error::new(
            ErrorKind::InvalidArgument,
            format!("{target} resolves to no address"),
        ),
    })
}

/// Sends the payload, reads the echo back in full and checks it; returns its length.
fn exchange(
    stream: &mut SocketStream<TcpStream>,
    payload: &Payload,
    expect: Option<&[u8]>,
) -> unitls::Result<u64> {
    match payload {
        Payload::Text(text) => {
            let expect = expect.unwrap_or(text);
            stream.write_all(text).map_err(io_error)?;
            let mut echo = vec![0u8; expect.len()];
            stream.read_exact(&mut echo).map_err(io_error)?;
            check_text_echo(&echo, expect)
        }
        Payload::Bytes(total) => {
            let mut sent = 0usize;
            let mut chunk = vec![0u8; CHUNK];
            let mut echo = vec![0u8; CHUNK];
            while sent < *total {
                let n = fill_chunk(&mut chunk, sent, *total);
                stream.write_all(&chunk[..n]).map_err(io_error)?;
                stream.read_exact(&mut echo[..n]).map_err(io_error)?;
                check_chunk_echo(&echo[..n], &chunk[..n], sent)?;
                sent += n;
            }
            Ok(sent as u64)
        }
    }
}

/// Fills the next step of `--send-bytes` (at most [`CHUNK`] octets of the pattern from
/// octet `sent` of `total`) into `chunk`; returns its length.
pub(crate) fn fill_chunk(chunk: &mut [u8], sent: usize, total: usize) -> usize {
    let n = CHUNK.min(total - sent).min(chunk.len());
    for (i, b) in chunk[..n].iter_mut().enumerate() {
        *b = ((sent + i) % 251) as u8;
    }
    n
}

/// Checks the echo of one step of `--send-bytes` sent from octet `sent`.
pub(crate) fn check_chunk_echo(echo: &[u8], chunk: &[u8], sent: usize) -> unitls::Result<()> {
    if echo == chunk {
        Ok(())
    } else {
        Err(mismatch(&format!(
            "the echo differs within octets {sent}..{}",
            sent + chunk.len()
        )))
    }
}

/// Checks the echo of `--send TEXT` against what it must be; returns its length.
pub(crate) fn check_text_echo(echo: &[u8], expect: &[u8]) -> unitls::Result<u64> {
    if echo == expect {
        Ok(echo.len() as u64)
    } else {
        Err(mismatch(&format!(
            "the echo is {:?}, expected {:?}",
            String::from_utf8_lossy(echo),
            String::from_utf8_lossy(expect)
        )))
    }
}

/// The error for an echo that is not what was sent.
fn mismatch(message: &str) -> unitls::Error {
    unitls::Error::new(ErrorKind::Failure, format!("echo mismatch: {message}"))
}
