//! The sans-IO session trait every backend implements, and what it reports.
//!
//! Core owns the transport, reads whole records and feeds them to the session one at
//! a time; the session decrypts, encrypts and runs the handshake. Every behaviour the
//! SPEC names — deadlines, truncation, detach, STARTTLS safety — lives in core's
//! connection state machine over this trait, once, for every backend.

use std::any::Any;
use std::io;

use crate::{CipherSuite, NativeSession, ProtocolVersion, Result, Role, ServerName, VerifyResult};

/// What a session knows after (or during) its handshake.
///
/// More fields may come: a backend starts from `SessionInfo::default()` and sets what
/// its library reports.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct SessionInfo {
    /// The negotiated version, once known.
    pub protocol_version: Option<ProtocolVersion>,
    /// The negotiated cipher suite, once known.
    pub cipher_suite: Option<CipherSuite>,
    /// The negotiated ALPN protocol.
    pub alpn_protocol: Option<Vec<u8>>,
    /// Whether the session was resumed.
    pub resumed: bool,
    /// The peer's certificates as sent, leaf first (DER).
    pub peer_chain: Option<Vec<Vec<u8>>>,
    /// The key-exchange group, by IANA name, when the backend reports it.
    pub negotiated_group: Option<String>,
    /// The certificate this end presented (DER), when the backend reports it: a
    /// server's leaf gives the server its `tls-server-end-point` binding.
    pub local_leaf: Option<Vec<u8>>,
}

/// One TLS connection's engine, sans IO: ciphertext in, ciphertext out, plaintext in
/// and out.
///
/// Contract for implementors:
/// - [`read_tls`](Session::read_tls) takes exactly one whole record and processes it;
///   errors are mapped to SPEC kinds in the backend's `error.rs`, and any alert the
///   engine wants to send is queued so that a following `write_tls` sends it.
/// - [`write_tls`](Session::write_tls) writes pending ciphertext to `out`.
/// - Nothing is buffered inside the session that core does not know about: after a
///   close_notify has been processed, no later octets were consumed.
pub trait Session: Send {
    /// Picks the role of a session made without one (only for backends declaring
    /// `DeferredRole`).
    fn set_role(&mut self, role: Role, server_name: Option<&ServerName>) -> Result<()>;

    /// Processes one whole record received from the peer. One exception: a record
    /// header claiming more than any TLS version allows comes alone (its body is
    /// never read), through [`read_tls_into`](Session::read_tls_into), so that the
    /// library refuses it with its own alert.
    fn read_tls(&mut self, record: &[u8]) -> Result<()>;

    /// Writes pending ciphertext to `out`; returns the octets written.
    fn write_tls(&mut self, out: &mut dyn io::Write) -> io::Result<usize>;

    /// Whether ciphertext is waiting to be written.
    fn wants_write(&self) -> bool;

    /// Whether the handshake is still running.
    fn is_handshaking(&self) -> bool;

    /// Whether this server session has no identity to present and no way to pick one
    /// by the client's name (no certificate, no selection by SNI). Core asks once, at
    /// the first record a server receives, and then refuses the ClientHello itself —
    /// a clear-text `handshake_failure` alert, `X509Lookup` here and `Failure` at the
    /// client — the same on every backend (SPEC SNI-11). A library that decides
    /// later (a selection that picks none) reports it through its own error.
    fn lacks_identity(&self) -> bool {
        false
    }

    /// On a server, once core has read the whole clear-text ClientHello and before
    /// the record that completed it is fed: the SNI the client sent (SPEC SNI-9). A
    /// backend whose library cannot choose a certificate by name itself chooses here
    /// (core's `Material::select_identity`, SPEC SNI-10); an error fails the attach,
    /// and core answers the client with a clear-text `handshake_failure`.
    fn client_hello_read(&mut self, sni: Option<&str>) -> Result<()> {
        let _ = sni;
        Ok(())
    }

    /// Copies decrypted application data into `buf`; `Ok(0)` when none is waiting.
    fn read_plaintext(&mut self, buf: &mut [u8]) -> Result<usize>;

    /// Processes one whole record, then copies decrypted application data into
    /// `buf`: what [`read_tls`](Session::read_tls) then
    /// [`read_plaintext`](Session::read_plaintext) do, which is the default. A
    /// backend whose library decrypts a record as it reads it overrides this to
    /// decrypt straight into `buf` (the same contract: the whole record is taken).
    fn read_tls_into(&mut self, record: &[u8], buf: &mut [u8]) -> Result<usize> {
        self.read_tls(record)?;
        self.read_plaintext(buf)
    }

    /// Encrypts application data (whole records); returns the octets taken.
    fn write_plaintext(&mut self, data: &[u8]) -> Result<usize>;

    /// Encrypts application data like [`write_plaintext`](Session::write_plaintext),
    /// which is the default (the records wait for [`write_tls`](Session::write_tls)).
    /// A backend may instead write the records straight to `out`, after everything
    /// already waiting. When `out` cannot take more now (`WouldBlock`: a non-blocking
    /// transport; `TimedOut`: its write timeout), the rest waits for
    /// [`write_tls`](Session::write_tls) and the octets still count as taken — nothing
    /// may be lost; any other failure of `out` is a transport error.
    fn write_plaintext_to(&mut self, data: &[u8], out: &mut dyn io::Write) -> Result<usize> {
        let _ = out;
        self.write_plaintext(data)
    }

    /// Queues a close_notify alert.
    fn send_close_notify(&mut self);

    /// Whether the peer's close_notify was processed.
    fn received_close_notify(&self) -> bool;

    /// What the handshake negotiated.
    fn info(&self) -> SessionInfo;

    /// Fills `out` with keying material exported under `label` and `context` (RFC 5705,
    /// RFC 8446 §7.5), once the handshake is done; `Unsupported(Exporter)` where the
    /// library cannot.
    fn export_keying_material(
        &self,
        out: &mut [u8],
        label: &[u8],
        context: Option<&[u8]>,
    ) -> Result<()> {
        let _ = (out, label, context);
        Err(crate::Error::new(
            crate::ErrorKind::Unsupported(crate::Capability::Exporter),
            "this backend cannot export keying material",
        ))
    }

    /// The built-in verification result of the peer, where the backend tracks it.
    fn verify_result(&self) -> Option<VerifyResult>;

    /// The native context in use (the backend's `NativeTypes::Context`), if any.
    fn native_context(&self) -> Option<&(dyn Any + Send + Sync)>;

    /// The native per-connection object (the backend's `NativeTypes::Connection`).
    fn native_connection(&self) -> Option<&dyn Any>;

    /// Hands the native per-connection object back (for `CtxSpec::Session`).
    fn into_native(self: Box<Self>) -> Option<NativeSession>;
}
