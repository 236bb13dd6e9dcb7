//! The native-tls engine behind core's sans-IO [`Session`] trait.
//!
//! native-tls hides most of the session (version, cipher, SNI received): core reads
//! those from the clear-text hellos.

use std::any::Any;
use std::io::{self, Read, Write};
use std::sync::Arc;

use native_tls::{HandshakeError, MidHandshakeTlsStream, TlsStream};
use unitls_core::backend::{Session, SessionInfo};
use unitls_core::{
    Capability, Error, ErrorKind, NativeSession, Result, Role, ServerName, VerifyResult,
};

use crate::error::{map, map_read};
use crate::io::MemoryIo;
use crate::{ByName, NativeTlsContext, NAME};

/// Largest plaintext handed to native-tls at once: four records.
const WRITE_CHUNK: usize = 4 * 16_384;

enum State {
    /// A server choosing its acceptor by the client's SNI: waits for core to have
    /// read the ClientHello (SPEC SNI-10); the records meanwhile wait in the I/O.
    AwaitingName(Arc<ByName>),
    Handshaking(MidHandshakeTlsStream<MemoryIo>),
    Ready(TlsStream<MemoryIo>),
    /// A server without identity: core refuses the first ClientHello (SPEC SNI-11).
    NoIdentity,
    Failed,
}

/// One native-tls connection driven by core.
pub(crate) struct NativeTlsSession {
    state: State,
    io: MemoryIo,
    context: Option<NativeTlsContext>,
    role: Role,
    closed: bool,
}

impl NativeTlsSession {
    /// Starts the handshake (a client's ClientHello is then waiting to be sent).
    pub(crate) fn start(
        context: NativeTlsContext,
        role: Role,
        name: Option<&ServerName>,
    ) -> Result<NativeTlsSession> {
        let io = MemoryIo::default();
        let started = match (&context, role) {
            (NativeTlsContext::Connector(connector), Role::Client) => {
                let domain = name.map(ToString::to_string).unwrap_or_default();
                connector.connect(&domain, io.clone())
            }
            (NativeTlsContext::Acceptor(acceptor), Role::Server) => acceptor.accept(io.clone()),
            (NativeTlsContext::Connector(_), Role::Server)
            | (NativeTlsContext::Acceptor(_), Role::Client) => {
                return Err(Error::invalid(format!(
                    "this native-tls context cannot serve the {role:?} role"
                ))
                .with_backend(NAME));
            }
        };
        let state = match started {
            Ok(stream) => State::Ready(stream),
            Err(HandshakeError::WouldBlock(mid)) => State::Handshaking(mid),
            Err(HandshakeError::Failure(err)) => return Err(map(err, role == Role::Server, &[])),
        };
        Ok(NativeTlsSession {
            state,
            io,
            context: Some(context),
            role,
            closed: false,
        })
    }

    /// What the library queued to send after the first `from` octets.
    fn queued_since(&self, from: usize) -> Vec<u8> {
        self.io
            .lock()
            .outgoing
            .get(from..)
            .unwrap_or_default()
            .to_vec()
    }

    /// A server session that chooses its acceptor when the client's SNI is known
    /// (SPEC SNI-10).
    pub(crate) fn by_name(selection: Arc<ByName>) -> NativeTlsSession {
        NativeTlsSession {
            state: State::AwaitingName(selection),
            io: MemoryIo::default(),
            context: None,
            role: Role::Server,
            closed: false,
        }
    }

    /// A server session without identity (SPEC SNI-11).
    pub(crate) fn without_identity() -> NativeTlsSession {
        NativeTlsSession {
            state: State::NoIdentity,
            io: MemoryIo::default(),
            context: None,
            role: Role::Server,
            closed: false,
        }
    }
}

fn is_shut_down(err: &native_tls::Error) -> bool {
    err.to_string().contains("has been shut down")
}

impl Session for NativeTlsSession {
    fn set_role(&mut self, _role: Role, _server_name: Option<&ServerName>) -> Result<()> {
        Err(Error::unsupported(Capability::DeferredRole, NAME))
    }

    fn read_tls(&mut self, record: &[u8]) -> Result<()> {
        self.io.feed(record);
        let queued_before = self.io.lock().outgoing.len();
        match std::mem::replace(&mut self.state, State::Failed) {
            State::Handshaking(mid) => match mid.handshake() {
                Ok(stream) => self.state = State::Ready(stream),
                Err(HandshakeError::WouldBlock(mid)) => self.state = State::Handshaking(mid),
                Err(HandshakeError::Failure(err)) if is_shut_down(&err) => self.closed = true,
                Err(HandshakeError::Failure(err)) => {
                    let queued = self.queued_since(queued_before);
                    return Err(map(err, self.role == Role::Server, &queued));
                }
            },
            State::AwaitingName(selection) => {
                // Kept in the I/O until core has read the whole ClientHello.
                self.state = State::AwaitingName(selection);
            }
            State::NoIdentity => {
                // Core refuses the ClientHello before any record reaches a server
                // without identity (`lacks_identity`, SPEC SNI-11).
                return Err(Error::new(
                    ErrorKind::Failure,
                    "a native-tls server without identity was fed a record",
                )
                .with_backend(NAME));
            }
            other => self.state = other,
        }
        Ok(())
    }

    fn lacks_identity(&self) -> bool {
        matches!(self.state, State::NoIdentity)
    }

    fn client_hello_read(&mut self, sni: Option<&str>) -> Result<()> {
        let State::AwaitingName(selection) = &self.state else {
            return Ok(());
        };
        let acceptor = selection.select(sni)?;
        self.state = match acceptor.accept(self.io.clone()) {
            Ok(stream) => State::Ready(stream),
            Err(HandshakeError::WouldBlock(mid)) => State::Handshaking(mid),
            Err(HandshakeError::Failure(err)) => return Err(map(err, true, &[])),
        };
        self.context = Some(NativeTlsContext::Acceptor(acceptor));
        Ok(())
    }

    fn write_tls(&mut self, out: &mut dyn Write) -> io::Result<usize> {
        let mut buffers = self.io.lock();
        if buffers.outgoing.is_empty() {
            return Ok(0);
        }
        let n = out.write(&buffers.outgoing)?;
        if n == buffers.outgoing.len() {
            // Drained: an idle connection keeps no buffer.
            buffers.outgoing = Vec::new();
        } else {
            buffers.outgoing.drain(..n);
        }
        Ok(n)
    }

    fn wants_write(&self) -> bool {
        !self.io.lock().outgoing.is_empty()
    }

    fn is_handshaking(&self) -> bool {
        !matches!(self.state, State::Ready(_))
    }

    fn read_plaintext(&mut self, buf: &mut [u8]) -> Result<usize> {
        let State::Ready(stream) = &mut self.state else {
            return Ok(0);
        };
        if self.closed {
            return Ok(0);
        }
        // Without input or decrypted octets the read could only fail with
        // WouldBlock, which costs an allocated error: skip it.
        if self.io.pending_input() == 0 && stream.buffered_read_size().is_ok_and(|n| n == 0) {
            return Ok(0);
        }
        let queued_before = self.io.lock().outgoing.len();
        match stream.read(buf) {
            Ok(0) => {
                self.closed = true;
                Ok(0)
            }
            Ok(n) => Ok(n),
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => Ok(0),
            Err(e) => Err(map_read(e, &self.queued_since(queued_before))),
        }
    }

    fn write_plaintext(&mut self, data: &[u8]) -> Result<usize> {
        let State::Ready(stream) = &mut self.state else {
            return Err(
                Error::new(ErrorKind::Failure, "the handshake is not done").with_backend(NAME)
            );
        };
        stream
            .write(&data[..data.len().min(WRITE_CHUNK)])
            .map_err(|e| {
                Error::new(ErrorKind::Failure, "native-tls refused application data")
                    .with_backend(NAME)
                    .with_source(e)
            })
    }

    fn send_close_notify(&mut self) {
        if let State::Ready(stream) = &mut self.state {
            let _ = stream.shutdown();
        }
    }

    fn received_close_notify(&self) -> bool {
        self.closed
    }

    fn info(&self) -> SessionInfo {
        let State::Ready(stream) = &self.state else {
            return SessionInfo::default();
        };
        let mut info = SessionInfo::default();
        info.alpn_protocol = stream.negotiated_alpn().ok().flatten();
        info.peer_chain = stream
            .peer_certificate()
            .ok()
            .flatten()
            .and_then(|c| c.to_der().ok())
            .map(|der| vec![der]);
        info
    }

    fn verify_result(&self) -> Option<VerifyResult> {
        None
    }

    fn native_context(&self) -> Option<&(dyn Any + Send + Sync)> {
        self.context.as_ref().map(|c| c as &(dyn Any + Send + Sync))
    }

    fn native_connection(&self) -> Option<&dyn Any> {
        None
    }

    fn into_native(self: Box<Self>) -> Option<NativeSession> {
        None
    }
}
