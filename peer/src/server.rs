//! `unitls-peer server`: accepts connections, attaches TLS as the server and echoes
//! application data until the client's close_notify (or speaks SMTP with
//! `--starttls smtp`).

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::ExitCode;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use unitls::{
    create_server_context, AbstractContext, AttachOptions, ClientAuth, SocketStream, Source,
    TrustSource,
};

use crate::args::{ServerArgs, Starttls};
use crate::{
    io_error, report_closed, report_error, report_handshake, report_received, smtp, timed_stream,
};
use unitls_model::peer::PeerEvent;

/// Runs the server until `--max-connections` connections are served (or forever).
pub(crate) fn run(args: &ServerArgs) -> ExitCode {
    let context = match context(args) {
        Ok(context) => context,
        Err(err) => return crate::fail(&err, None),
    };
    let listener = match TcpListener::bind(&args.listen) {
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
    let mut workers = Vec::new();
    let mut accepted = 0usize;
    for socket in listener.incoming() {
        let socket = match socket {
            Ok(socket) => socket,
            Err(err) => {
                report_error(&unitls::Error::from_io(err).with_operation("accept"), None);
                std::thread::sleep(Duration::from_millis(50));
                continue;
            }
        };
        accepted += 1;
        let conn = accepted;
        let context = context.clone();
        let failures = failures.clone();
        let handshake_timeout = args.tls.handshake_timeout;
        let starttls = args.tls.starttls;
        workers.retain(|worker: &std::thread::JoinHandle<()>| !worker.is_finished());
        workers.push(std::thread::spawn(move || {
            if let Err(err) = serve(socket, context, handshake_timeout, starttls, conn) {
                report_error(&err, Some(conn));
                failures.fetch_add(1, Ordering::SeqCst);
            }
        }));
        if args.max_connections.is_some_and(|max| accepted >= max) {
            break;
        }
    }
    for worker in workers {
        if worker.join().is_err() {
            failures.fetch_add(1, Ordering::SeqCst);
        }
    }
    if failures.load(Ordering::SeqCst) == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

/// The server's abstract context from the command line (both modes).
pub(crate) fn context(args: &ServerArgs) -> unitls::Result<Arc<AbstractContext>> {
    let mut builder = crate::common_options(create_server_context(), &args.tls)?;
    if let Some(ca) = &args.client_ca {
        builder = builder.trust_only([TrustSource::Pem(Source::file(ca))]);
    }
    if args.client_auth != ClientAuth::Never {
        builder = builder.client_auth(args.client_auth);
    }
    builder.build()
}

/// Serves one connection: handshake, echo (or SMTP), close.
fn serve(
    socket: TcpStream,
    context: Arc<AbstractContext>,
    handshake_timeout: Duration,
    starttls: Option<Starttls>,
    conn: usize,
) -> unitls::Result<()> {
    let mut stream = timed_stream(socket)?;
    let options = move || {
        AttachOptions::server()
            .ctx(context)
            .handshake_timeout(handshake_timeout)
    };
    let received = match starttls {
        Some(Starttls::Smtp) => smtp::serve(&mut stream, options, conn)?,
        None => {
            stream.attach_ssl(options())?;
            report_handshake(&stream, Some(conn))?;
            echo(&mut stream)?
        }
    };
    report_received(Some(conn), received);
    stream.close()?;
    report_closed(Some(conn));
    Ok(())
}

/// Echoes application data until the client's close_notify; returns the octet count.
fn echo(stream: &mut SocketStream<TcpStream>) -> unitls::Result<u64> {
    let mut buf = vec![0u8; 16 * 1024];
    let mut total = 0u64;
    loop {
        let n = stream.read(&mut buf).map_err(io_error)?;
        if n == 0 {
            return Ok(total);
        }
        stream.write_all(&buf[..n]).map_err(io_error)?;
        total += n as u64;
    }
}
