//! `unitls-peer server --async`: [`crate::server`] on tokio — accepts connections, each
//! its own task, attaches TLS as the server and echoes application data until the
//! client's close_notify (or speaks SMTP with `--starttls smtp`).

use std::process::ExitCode;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;
use unitls::tokio::SocketStream;
use unitls::{AbstractContext, AttachOptions};
use unitls_model::peer::PeerEvent;

use super::{bounded, io, runtime, smtp};
use crate::args::{ServerArgs, Starttls};
use crate::server::context;
use crate::{report_closed, report_error, report_handshake, report_received};

/// Runs the server on a tokio runtime until `--max-connections` connections are served
/// (or forever).
pub(crate) fn run(args: &ServerArgs) -> ExitCode {
    let context = match context(args) {
        Ok(context) => context,
        Err(err) => return crate::fail(&err, None),
    };
    match runtime() {
        Ok(runtime) => runtime.block_on(serve_all(args, context)),
        Err(err) => crate::fail(&err, None),
    }
}

/// Listens, says where, and serves each connection in its own task; fails when any
/// connection failed.
async fn serve_all(args: &ServerArgs, context: Arc<AbstractContext>) -> ExitCode {
    let listener = match TcpListener::bind(&args.listen).await {
        Ok(listener) => listener,
        Err(err) => {
            return crate::fail(&unitls::Error::from_io(err).with_operation("listen"), None)
        }
    };
    let addr = match listener.local_addr() {
        Ok(addr) => addr,
        Err(err) => return crate::fail(&unitls::Error::from_io(err), None),
    };
    crate::emit(&PeerEvent::Listening {
        addr: addr.to_string(),
    });

    let failures = Arc::new(AtomicUsize::new(0));
    let mut tasks: Vec<JoinHandle<()>> = Vec::new();
    let mut accepted = 0usize;
    loop {
        let socket = match listener.accept().await {
            Ok((socket, _)) => socket,
            Err(err) => {
                report_error(&unitls::Error::from_io(err).with_operation("accept"), None);
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        accepted += 1;
        let conn = accepted;
        let context = context.clone();
        let failures = failures.clone();
        let handshake_timeout = args.tls.handshake_timeout;
        let starttls = args.tls.starttls;
        tasks.retain(|task| !task.is_finished());
        tasks.push(tokio::spawn(async move {
            if let Err(err) = serve(socket, context, handshake_timeout, starttls, conn).await {
                report_error(&err, Some(conn));
                failures.fetch_add(1, Ordering::SeqCst);
            }
        }));
        if args.max_connections.is_some_and(|max| accepted >= max) {
            break;
        }
    }
    for task in tasks {
        if task.await.is_err() {
            failures.fetch_add(1, Ordering::SeqCst);
        }
    }
    if failures.load(Ordering::SeqCst) == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

/// Serves one connection: handshake, echo (or SMTP), close.
async fn serve(
    socket: TcpStream,
    context: Arc<AbstractContext>,
    handshake_timeout: Duration,
    starttls: Option<Starttls>,
    conn: usize,
) -> unitls::Result<()> {
    let mut stream = SocketStream::new(socket);
    let options = move || {
        AttachOptions::server()
            .ctx(context)
            .handshake_timeout(handshake_timeout)
    };
    let received = match starttls {
        Some(Starttls::Smtp) => smtp::serve(&mut stream, options, conn).await?,
        None => {
            stream.attach_ssl(options()).await?;
            report_handshake(&stream, Some(conn))?;
            echo(&mut stream).await?
        }
    };
    report_received(Some(conn), received);
    bounded(stream.close()).await?;
    report_closed(Some(conn));
    Ok(())
}

/// Echoes application data until the client's close_notify; returns the octet count.
async fn echo(stream: &mut SocketStream<TcpStream>) -> unitls::Result<u64> {
    let mut buf = vec![0u8; 16 * 1024];
    let mut total = 0u64;
    loop {
        let n = io(stream.read(&mut buf)).await?;
        if n == 0 {
            return Ok(total);
        }
        io(stream.write_all(&buf[..n])).await?;
        io(stream.flush()).await?;
        total += n as u64;
    }
}
