//! `unitls-peer client --async`: [`crate::client`] on tokio — connect, (STARTTLS),
//! attach, send, check the echo, detach with close_notify both ways; `--resume N`
//! repeats it with the same context.

use std::process::ExitCode;
use std::sync::Arc;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use unitls::tokio::SocketStream;
use unitls::{AbstractContext, DetachOptions, ErrorKind};

use super::{bounded, io, runtime, smtp};
use crate::args::{ClientArgs, Payload, Starttls, IO_TIMEOUT};
use crate::client::{
    attach_options, check_chunk_echo, check_text_echo, context, fill_chunk, CHUNK,
};
use crate::{report_closed, report_handshake, report_received};

/// Runs the client on a tokio runtime: one connection, plus `--resume` more with the
/// same context.
pub(crate) fn run(args: &ClientArgs) -> ExitCode {
    let context = match context(args) {
        Ok(context) => context,
        Err(err) => return crate::fail(&err, None),
    };
    let runtime = match runtime() {
        Ok(runtime) => runtime,
        Err(err) => return crate::fail(&err, None),
    };
    runtime.block_on(async {
        let several = args.resume > 0;
        for i in 1..=args.resume + 1 {
            let conn = several.then_some(i);
            if let Err(err) = connection(args, &context, conn).await {
                return crate::fail(&err, conn);
            }
        }
        ExitCode::SUCCESS
    })
}

/// One connection: connect, (STARTTLS), attach, exchange, detach.
async fn connection(
    args: &ClientArgs,
    context: &Arc<AbstractContext>,
    conn: Option<usize>,
) -> unitls::Result<()> {
    let mut stream = SocketStream::new(connect(&args.connect).await?);
    if args.tls.starttls == Some(Starttls::Smtp) {
        smtp::client_starttls(&mut stream).await?;
    }
    stream.attach_ssl(attach_options(args, context)).await?;
    report_handshake(&stream, conn)?;
    let received = match args.tls.starttls {
        Some(Starttls::Smtp) => smtp::client_dialogue(&mut stream).await?,
        None => exchange(&mut stream, &args.payload, args.expect.as_deref()).await?,
    };
    report_received(conn, received);
    match args.tls.starttls {
        // After QUIT the server closes at once; ours needs no answer.
        Some(Starttls::Smtp) => bounded(stream.close()).await?,
        // close_notify both ways: ours, then the server's.
        None => {
            bounded(stream.detach_ssl(DetachOptions::default())).await?;
        }
    }
    report_closed(conn);
    Ok(())
}

/// Connects to `HOST:PORT`, trying each address within [`IO_TIMEOUT`].
async fn connect(target: &str) -> unitls::Result<TcpStream> {
    let addrs = tokio::net::lookup_host(target)
        .await
        .map_err(|e| unitls::Error::from_io(e).with_operation("resolve"))?;
    let mut last = None;
    for addr in addrs {
        match tokio::time::timeout(IO_TIMEOUT, TcpStream::connect(addr)).await {
            Ok(Ok(socket)) => return Ok(socket),
            Ok(Err(err)) => last = Some(err),
            Err(_) => last = Some(std::io::ErrorKind::TimedOut.into()),
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
/// Each write is flushed before its echo is awaited (a write is done once the session
/// took the octets; the flush puts them on the wire).
async fn exchange(
    stream: &mut SocketStream<TcpStream>,
    payload: &Payload,
    expect: Option<&[u8]>,
) -> unitls::Result<u64> {
    match payload {
        Payload::Text(text) => {
            let expect = expect.unwrap_or(text);
            io(stream.write_all(text)).await?;
            io(stream.flush()).await?;
            let mut echo = vec![0u8; expect.len()];
            io(stream.read_exact(&mut echo)).await?;
            check_text_echo(&echo, expect)
        }
        Payload::Bytes(total) => {
            let mut sent = 0usize;
            let mut chunk = vec![0u8; CHUNK];
            let mut echo = vec![0u8; CHUNK];
            while sent < *total {
                let n = fill_chunk(&mut chunk, sent, *total);
                io(stream.write_all(&chunk[..n])).await?;
                io(stream.flush()).await?;
                io(stream.read_exact(&mut echo[..n])).await?;
                check_chunk_echo(&echo[..n], &chunk[..n], sent)?;
                sent += n;
            }
            Ok(sent as u64)
        }
    }
}
