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
const CHUNK: usize = 16 * 1024;

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

/// The client's abstract context from the command line.
fn context(args: &ClientArgs) -> unitls::Result<Arc<AbstractContext>> {
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
    let options = match &args.name {
        Name::Name(name) => AttachOptions::client(name.clone()),
        Name::None => AttachOptions::default().side(Side::Client),
    };
    stream.attach_ssl(
        options
            .ctx(context.clone())
            .handshake_timeout(args.tls.handshake_timeout),
    )?;
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
            if echo != expect {
                return Err(mismatch(&format!(
                    "the echo is {:?}, expected {:?}",
                    String::from_utf8_lossy(&echo),
                    String::from_utf8_lossy(expect)
                )));
            }
            Ok(echo.len() as u64)
        }
        Payload::Bytes(total) => {
            let mut sent = 0usize;
            let mut chunk = vec![0u8; CHUNK];
            let mut echo = vec![0u8; CHUNK];
            while sent < *total {
                let n = CHUNK.min(total - sent);
                for (i, b) in chunk[..n].iter_mut().enumerate() {
                    *b = ((sent + i) % 251) as u8;
                }
                stream.write_all(&chunk[..n]).map_err(io_error)?;
                stream.read_exact(&mut echo[..n]).map_err(io_error)?;
                if echo[..n] != chunk[..n] {
                    return Err(mismatch(&format!(
                        "the echo differs within octets {sent}..{}",
                        sent + n
                    )));
                }
                sent += n;
            }
            Ok(sent as u64)
        }
    }
}

/// The error for an echo that is not what was sent.
fn mismatch(message: &str) -> unitls::Error {
    unitls::Error::new(ErrorKind::Failure, format!("echo mismatch: {message}"))
}
