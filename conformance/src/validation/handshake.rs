//! One corpus case through a real unitls handshake: the server presents the case's
//! chain and signs with its key, the client trusts exactly the case's roots, checks its
//! reference identity, verifies as of its time; the client's attach result is the
//! verdict.

use std::net::{SocketAddr, TcpListener};
use std::sync::mpsc;
use std::sync::Arc;
use std::time::{Duration, Instant};

use unitls_core::{
    create_client_context, create_server_context, duplex, AbstractContext, AttachOptions,
    ErrorKind, IdentitySource, SocketStream, Source, TrustSource,
};

use super::corpus::{Prepared, Reference};
use super::Verdict;

/// The handshake deadline on both ends.
pub const HANDSHAKE: Duration = Duration::from_secs(10);

/// How long a server thread may take to finish after its client did.
const SERVER_JOIN: Duration = Duration::from_secs(20);

/// The client context of `backend` for `case`: exactly the case's roots, its time,
/// and host-name checks off when it names no peer.
pub fn client_context(
    backend: &'static str,
    case: &Prepared,
) -> unitls_core::Result<Arc<AbstractContext>> {
    let mut builder = create_client_context()
        .implementation(backend)
        .trust_only([TrustSource::Pem(Source::memory(case.trusted_pem.clone()))]);
    if case.reference == Reference::NoName {
        builder = builder.danger_accept_invalid_hostnames();
    }
    if let Some(time) = case.validation_time {
        builder = builder.verification_time(time);
    }
    builder.build()
}

/// The server context of `backend` presenting the case's chain with its key.
pub fn server_context(
    backend: &'static str,
    case: &Prepared,
) -> unitls_core::Result<Arc<AbstractContext>> {
    create_server_context()
        .implementation(backend)
        .identity(IdentitySource::pem(
            case.chain_pem.clone(),
            case.key_pem.clone(),
        ))
        .build()
}

/// The client's attach options for `case`.
fn client_options(context: Arc<AbstractContext>, case: &Prepared) -> AttachOptions {
    let mut options = AttachOptions::client(case.reference.host().unwrap_or_default())
        .ctx(context)
        .handshake_timeout(HANDSHAKE);
    if case.reference == Reference::NoName {
        options.tlsext_host_name = None;
    }
    options
}

/// The verdict a client's attach error stands for.
pub fn client_error_verdict(err: &unitls_core::Error) -> Verdict {
    match err.kind() {
        ErrorKind::VerificationFailure(reason) => Verdict::Reject(format!("{reason}: {err}")),
        ErrorKind::InvalidArgument | ErrorKind::Unsupported(_) => {
            Verdict::NotApplicable(format!("the client refused the configuration: {err}"))
        }
        _ => Verdict::Error(err.to_string()),
    }
}

/// Runs one handshake over the in-memory transport: the client's verdict, and the
/// server's error if it failed too.
pub(crate) fn handshake(
    client: Arc<AbstractContext>,
    server: Arc<AbstractContext>,
    case: &Prepared,
) -> (Verdict, Option<String>) {
    let (client_end, server_end) = duplex();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let mut stream = SocketStream::new(server_end);
        let result = stream.attach_ssl(
            AttachOptions::server()
                .ctx(server)
                .handshake_timeout(HANDSHAKE),
        );
        let _ = stream.close();
        let _ = tx.send(result.err().map(|e| e.to_string()));
    });
    let mut stream = SocketStream::new(client_end);
    let verdict = match stream.attach_ssl(client_options(client, case)) {
        Ok(()) => Verdict::Accept,
        Err(err) => client_error_verdict(&err),
    };
    let _ = stream.close();
    drop(stream);
    let server_error = match rx.recv_timeout(SERVER_JOIN) {
        Ok(error) => error,
        Err(_) => Some(format!("the server did not finish within {SERVER_JOIN:?}")),
    };
    (verdict, server_error)
}

/// A one-connection unitls server on 127.0.0.1, for direct checks that need a peer
/// (native-tls).
pub struct TcpServer {
    /// Where to connect.
    pub addr: SocketAddr,
    done: mpsc::Receiver<Option<String>>,
}

/// Starts a [`TcpServer`] with a server context (see [`super::Server::context`]).
pub fn serve_tcp(context: Arc<AbstractContext>) -> Result<TcpServer, String> {
    let listener = TcpListener::bind("127.0.0.1:0").map_err(|e| e.to_string())?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    listener.set_nonblocking(true).map_err(|e| e.to_string())?;
    let (tx, done) = mpsc::channel();
    std::thread::spawn(move || {
        let deadline = Instant::now() + HANDSHAKE;
        let socket = loop {
            match listener.accept() {
                Ok((socket, _)) => break socket,
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                    if Instant::now() >= deadline {
                        let _ = tx.send(Some("no client connected".to_string()));
                        return;
                    }
                    std::thread::sleep(Duration::from_millis(5));
                }
                Err(e) => {
                    let _ = tx.send(Some(e.to_string()));
                    return;
                }
            }
        };
        let _ = socket.set_nonblocking(false);
        let mut stream = SocketStream::new(socket);
        let result = stream.attach_ssl(
            AttachOptions::server()
                .ctx(context)
                .handshake_timeout(HANDSHAKE),
        );
        let _ = stream.close();
        let _ = tx.send(result.err().map(|e| e.to_string()));
    });
    Ok(TcpServer { addr, done })
}

impl TcpServer {
    /// Waits (bounded) for the server to finish; its error, if any.
    pub fn finish(self) -> Option<String> {
        match self.done.recv_timeout(SERVER_JOIN) {
            Ok(error) => error,
            Err(_) => Some(format!("the server did not finish within {SERVER_JOIN:?}")),
        }
    }
}
