//! The rustls engine behind core's sans-IO [`Session`] trait.

use std::any::Any;
use std::io::{self, Read, Write};
use std::sync::Arc;

use rustls::{Connection, HandshakeKind, NamedGroup};
use unitls_core::backend::{Session, SessionInfo};
use unitls_core::{
    Capability, CipherSuite, Error, ErrorKind, NativeSession, ProtocolVersion, Result, Role,
    ServerName, VerifyResult,
};

use crate::error::{map, map_failure};
use crate::verifier::{with_slot, VerifySlot};
use crate::{Rustls, RustlsContext, NAME};

/// One rustls connection driven by core.
pub(crate) struct RustlsSession {
    conn: Connection,
    context: Option<RustlsContext>,
    slot: Arc<VerifySlot>,
    peer_closed: bool,
    /// Decrypted octets waiting, as the last `process_new_packets` reported them.
    plaintext: usize,
    hand_back: bool,
    /// Ciphertext taken out of rustls before processing a record, sent before what
    /// rustls still holds: so that what rustls queues when a record fails is known
    /// to be its alert (SPEC REL-7).
    held_out: Vec<u8>,
}

impl RustlsSession {
    pub(crate) fn new(
        conn: Connection,
        context: Option<RustlsContext>,
        hand_back: bool,
    ) -> RustlsSession {
        RustlsSession {
            conn,
            context,
            slot: Arc::default(),
            peer_closed: false,
            plaintext: 0,
            hand_back,
            held_out: Vec::new(),
        }
    }
}

fn group_name(group: NamedGroup) -> String {
    match group {
        NamedGroup::X25519 => "x25519".into(),
        NamedGroup::secp256r1 => "secp256r1".into(),
        NamedGroup::secp384r1 => "secp384r1".into(),
        NamedGroup::secp521r1 => "secp521r1".into(),
        NamedGroup::X448 => "x448".into(),
        other => format!("{other:?}"), // X25519MLKEM768 prints as its IANA name
    }
}

impl Session for RustlsSession {
    fn set_role(&mut self, _role: Role, _server_name: Option<&ServerName>) -> Result<()> {
        Err(Error::unsupported(Capability::DeferredRole, NAME))
    }

    fn read_tls(&mut self, record: &[u8]) -> Result<()> {
        // The whole record first (rustls takes at most 4 KiB per call; one record
        // always fits its buffer), then one pass of processing.
        let mut rest = record;
        while !rest.is_empty() {
            match self.conn.read_tls(&mut rest) {
                Ok(0) => break,
                Ok(_) => {}
                Err(e) => {
                    return Err(Error::new(ErrorKind::Failure, "rustls refused the record")
                        .with_backend(NAME)
                        .with_source(e))
                }
            }
        }
        let conn = &mut self.conn;
        while conn.wants_write() {
            // Rare: core sends what a session queued before it feeds the next record.
            let _ = conn.write_tls(&mut self.held_out);
        }
        // Verifiers and the certificate resolver only run during the handshake: the
        // per-connection result slot is pointed at only then.
        let processed = if conn.is_handshaking() {
            with_slot(&self.slot, || conn.process_new_packets())
        } else {
            conn.process_new_packets()
        };
        if let Some(failed) = self.slot.take_request_failure() {
            // The certificate-request callback failed (SPEC KEY-9): rustls went on
            // without a certificate; the handshake stops here.
            return Err(failed);
        }
        let state = match processed {
            Ok(state) => state,
            Err(err) => {
                // What rustls queued now is the alert it sent for this error, if any.
                let mut alert = Vec::new();
                while conn.wants_write() {
                    let _ = conn.write_tls(&mut alert);
                }
                self.held_out.extend_from_slice(&alert);
                return Err(map_failure(err, &alert));
            }
        };
        self.peer_closed = state.peer_has_closed();
        self.plaintext = state.plaintext_bytes_to_read();
        Ok(())
    }

    fn write_tls(&mut self, out: &mut dyn Write) -> io::Result<usize> {
        if self.held_out.is_empty() {
            return self.conn.write_tls(out);
        }
        let n = out.write(&self.held_out)?;
        self.held_out.drain(..n);
        Ok(n)
    }

    fn wants_write(&self) -> bool {
        !self.held_out.is_empty() || self.conn.wants_write()
    }

    fn is_handshaking(&self) -> bool {
        self.conn.is_handshaking()
    }

    fn lacks_identity(&self) -> bool {
        matches!(&self.context, Some(RustlsContext::Server(config)) if crate::config::lacks_identity(config))
    }

    fn read_plaintext(&mut self, buf: &mut [u8]) -> Result<usize> {
        // Nothing decrypted waits: the reader could only say WouldBlock (or Ok(0)
        // after close_notify); skip it.
        if self.plaintext == 0 {
            return Ok(0);
        }
        match self.conn.reader().read(buf) {
            Ok(n) => {
                self.plaintext = self.plaintext.saturating_sub(n);
                Ok(n)
            }
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => Ok(0),
            Err(e) => Err(
                Error::new(ErrorKind::Failure, "rustls could not deliver plaintext")
                    .with_backend(NAME)
                    .with_source(e),
            ),
        }
    }

    fn write_plaintext(&mut self, data: &[u8]) -> Result<usize> {
        self.conn.writer().write(data).map_err(|e| {
            Error::new(ErrorKind::Failure, "rustls refused application data")
                .with_backend(NAME)
                .with_source(e)
        })
    }

    fn send_close_notify(&mut self) {
        self.conn.send_close_notify();
    }

    fn received_close_notify(&self) -> bool {
        self.peer_closed
    }

    fn info(&self) -> SessionInfo {
        let mut info = SessionInfo::default();
        info.protocol_version = self
            .conn
            .protocol_version()
            .and_then(|v| ProtocolVersion::from_wire(u16::from(v)));
        info.cipher_suite = self
            .conn
            .negotiated_cipher_suite()
            .map(|s| CipherSuite(u16::from(s.suite())));
        info.alpn_protocol = self.conn.alpn_protocol().map(<[u8]>::to_vec);
        info.resumed = self.conn.handshake_kind() == Some(HandshakeKind::Resumed);
        info.peer_chain = self
            .conn
            .peer_certificates()
            .map(|c| c.iter().map(|d| d.to_vec()).collect());
        info.negotiated_group = self
            .conn
            .negotiated_key_exchange_group()
            .map(|g| group_name(g.name()));
        info.local_leaf = self.slot.local_leaf();
        info
    }

    fn export_keying_material(
        &self,
        out: &mut [u8],
        label: &[u8],
        context: Option<&[u8]>,
    ) -> Result<()> {
        self.conn
            .export_keying_material(out, label, context)
            .map(|_| ())
            .map_err(map)
    }

    fn verify_result(&self) -> Option<VerifyResult> {
        self.slot.get()
    }

    fn native_context(&self) -> Option<&(dyn Any + Send + Sync)> {
        self.context.as_ref().map(|c| c as &(dyn Any + Send + Sync))
    }

    fn native_connection(&self) -> Option<&dyn Any> {
        Some(&self.conn)
    }

    fn into_native(self: Box<Self>) -> Option<NativeSession> {
        self.hand_back
            .then(|| NativeSession::new::<Rustls>(self.conn))
    }
}

/// The role a rustls connection plays.
pub(crate) fn role_of(conn: &Connection) -> Role {
    match conn {
        Connection::Client(_) => Role::Client,
        Connection::Server(_) => Role::Server,
    }
}
