//! The OpenSSL/BoringSSL engine behind core's sans-IO [`Session`] trait.

use std::any::Any;
use std::io::{self, Write};
use std::sync::Arc;

use openssl::ssl::{Ssl, SslContext, SslVersion};
use unitls_core::backend::{callback_rejection, decide_peer, PeerDecision, Session, SessionInfo};
use unitls_core::{
    AbstractContext, CipherSuite, Error, ErrorKind, NativeSession, PeerCertificate,
    ProtocolVersion, Result, Role, ServerName, VerifyReason, VerifyResult,
};

use crate::connect::prepare_role;
use crate::engine::{Engine, Step};
use crate::error::{map, Context};
use crate::verify::VerifyState;
use crate::{Native, NAME};

/// Largest plaintext handed to `SSL_write` at once: four records.
const WRITE_CHUNK: usize = 4 * 16_384;

/// One OpenSSL connection driven by core.
pub(crate) struct OpenSslSession {
    engine: Engine,
    context: Option<SslContext>,
    verify: Option<Arc<VerifyState>>,
    /// The abstract context the session was made from (its options), shared.
    options: Option<Arc<AbstractContext>>,
    reference_name: Option<String>,
    role: Option<Role>,
    established: bool,
    closed: bool,
    hand_back: bool,
    selects_by_name: bool,
}

impl OpenSslSession {
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn new(
        engine: Engine,
        context: Option<SslContext>,
        verify: Option<Arc<VerifyState>>,
        options: Option<Arc<AbstractContext>>,
        reference_name: Option<String>,
        role: Option<Role>,
        hand_back: bool,
    ) -> OpenSslSession {
        OpenSslSession {
            engine,
            context,
            verify,
            options,
            reference_name,
            role,
            established: false,
            closed: false,
            hand_back,
            selects_by_name: false,
        }
    }

    /// Marks a server whose certificate is chosen by the client's SNI.
    pub(crate) fn set_selects_by_name(&mut self, selects: bool) {
        self.selects_by_name = selects;
    }

    /// Starts the handshake once the role is known: a client's ClientHello is then
    /// waiting in the write BIO (a server just waits for one).
    pub(crate) fn start(&mut self) -> Result<()> {
        if self.role.is_none() || self.established {
            return Ok(());
        }
        match self.engine.handshake() {
            Step::Done(_) => {
                self.established = true;
                Ok(())
            }
            Step::WantRead => Ok(()),
            Step::Closed => {
                self.closed = true;
                Ok(())
            }
            Step::Failed(stack) => Err(self.fail(stack)),
        }
    }

    fn error_context(&self) -> Context {
        let ssl = self.engine.ssl();
        let checked = ssl.peer_certificate().is_some()
            || self.verify.as_ref().and_then(|v| v.result()).is_some();
        let verify = checked
            .then(|| crate::flavor::verify_code(ssl.verify_result()))
            .filter(|code| *code != 0);
        Context {
            verify,
            verify_detail: verify.and_then(|_| self.verify_detail()),
            server_without_identity: self.role == Some(Role::Server) && ssl.certificate().is_none(),
            sni_failed: ssl.ex_data(crate::config::sni_failure_index()).is_some(),
            wire_alert: crate::alert_log::first_fatal(ssl),
        }
    }

    /// Why the peer's certificate was refused (OpenSSL's verify-error text) and its
    /// validity dates, as rustls's messages say; core adds whose and for which name.
    fn verify_detail(&self) -> Option<String> {
        let ssl = self.engine.ssl();
        let why = crate::flavor::verify_text(ssl.verify_result())?;
        let dates = self
            .verify
            .as_ref()
            .and_then(|v| v.refused_dates())
            .or_else(|| {
                ssl.peer_certificate()
                    .map(|cert| format!("valid from {} to {}", cert.not_before(), cert.not_after()))
            })
            .map(|dates| format!(" ({dates})"))
            .unwrap_or_default();
        Some(format!("{why}{dates}"))
    }

    fn fail(&self, step_error: openssl::error::ErrorStack) -> Error {
        if let Some(callback_failed) = crate::cert_request::failure(self.engine.ssl()) {
            return callback_failed; // it stopped the handshake (SPEC KEY-9)
        }
        map(step_error, &self.error_context())
    }

    /// Runs the neutral verify callback once the handshake is done (SPEC VERIFY-11):
    /// core decides; a rejection closes the connection before any application data
    /// (VERIFY-13).
    fn run_verify_callback(&self) -> Result<()> {
        let Some(options) = self
            .options
            .as_deref()
            .map(AbstractContext::options)
            .filter(|o| o.verify_callback.is_some())
        else {
            return Ok(()); // OpenSSL's verify callback decided during the handshake
        };
        let chain: Vec<PeerCertificate> = self
            .peer_chain()
            .unwrap_or_default()
            .into_iter()
            .map(PeerCertificate::from_der)
            .collect();
        if chain.is_empty() && self.role == Some(Role::Server) {
            return Ok(()); // no client certificate: the mode already decided
        }
        let built_in = self
            .verify
            .as_ref()
            .and_then(|v| v.result())
            .unwrap_or(VerifyResult::Invalid(VerifyReason::NoCertificate));
        let decision = decide_peer(
            Some(options),
            built_in,
            || chain,
            self.reference_name.as_deref(),
        )?;
        match decision {
            PeerDecision::Accept => Ok(()),
            PeerDecision::RefuseByCallback => Err(callback_rejection().with_backend(NAME)),
            PeerDecision::RefuseBuiltIn(reason) => Err(Error::verification(
                reason,
                "the built-in checks refused the peer",
            )
            .with_backend(NAME)),
        }
    }

    fn peer_chain(&self) -> Option<Vec<Vec<u8>>> {
        let ssl = self.engine.ssl();
        let mut chain: Vec<Vec<u8>> = Vec::new();
        if self.role == Some(Role::Server) {
            chain.extend(ssl.peer_certificate().and_then(|c| c.to_der().ok()));
        }
        if let Some(stack) = ssl.peer_cert_chain() {
            chain.extend(stack.iter().filter_map(|c| c.to_der().ok()));
        }
        (!chain.is_empty()).then_some(chain)
    }
}

impl Session for OpenSslSession {
    fn set_role(&mut self, role: Role, server_name: Option<&ServerName>) -> Result<()> {
        let verify = self.verify.clone();
        prepare_role(
            self.engine.ssl_mut(),
            role,
            server_name,
            verify,
            self.options.as_deref().map(AbstractContext::options),
        )?;
        self.role = Some(role);
        self.reference_name = server_name.map(|n| n.to_string());
        self.start()
    }

    fn read_tls(&mut self, record: &[u8]) -> Result<()> {
        if self.established {
            // Kept, and decrypted by the next read_plaintext.
            self.engine.feed(record);
            return Ok(());
        }
        match self.engine.with_input(record, Engine::handshake) {
            Step::Done(_) => {
                self.established = true;
                self.run_verify_callback()
            }
            Step::WantRead => Ok(()),
            Step::Closed => {
                self.closed = true;
                Ok(())
            }
            Step::Failed(stack) => Err(self.fail(stack)),
        }
    }

    fn lacks_identity(&self) -> bool {
        // BoringSSL would answer with a ServerHello and fail later, at
        // CertificateVerify, without any alert; OpenSSL fails with "no shared
        // cipher". Core refuses the ClientHello instead, for both (SPEC SNI-11).
        self.role == Some(Role::Server)
            && !self.selects_by_name
            && !self.established
            // The key first: SSL_get_certificate makes BoringSSL parse the leaf into
            // an X509 on every call, the key is a pointer.
            && self.engine.ssl().private_key().is_none()
            && self.engine.ssl().certificate().is_none()
    }

    fn write_tls(&mut self, out: &mut dyn Write) -> io::Result<usize> {
        self.engine.write_out(out)
    }

    fn wants_write(&self) -> bool {
        self.engine.pending_out() > 0
    }

    fn is_handshaking(&self) -> bool {
        !self.established
    }

    fn read_plaintext(&mut self, buf: &mut [u8]) -> Result<usize> {
        // Without input or decrypted octets, SSL_read could only fail with WANT_READ:
        // skip the call (it costs as much as a small record).
        if self.closed || !self.established || !self.engine.may_read() {
            return Ok(0);
        }
        match self.engine.read(buf) {
            Step::Done(n) => Ok(n),
            Step::WantRead => Ok(0),
            Step::Closed => {
                self.closed = true;
                Ok(0)
            }
            Step::Failed(stack) => Err(self.fail(stack)),
        }
    }

    fn read_tls_into(&mut self, record: &[u8], buf: &mut [u8]) -> Result<usize> {
        if !self.established || self.closed {
            self.read_tls(record)?;
            return self.read_plaintext(buf);
        }
        // OpenSSL reads the record out of core's buffer and decrypts into `buf`.
        match self.engine.with_input(record, |engine| engine.read(buf)) {
            Step::Done(n) => Ok(n),
            Step::WantRead => Ok(0),
            Step::Closed => {
                self.closed = true;
                Ok(0)
            }
            Step::Failed(stack) => Err(self.fail(stack)),
        }
    }

    fn write_plaintext_to(&mut self, data: &[u8], out: &mut dyn Write) -> Result<usize> {
        // What waits already (a ticket, an alert) goes first; if the transport cannot
        // take it now, the new records wait behind it.
        while self.engine.pending_out() > 0 {
            match self.engine.write_out(out) {
                Ok(0) => return Err(Error::transport(io::ErrorKind::WriteZero.into())),
                Ok(_) => {}
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e)
                    if matches!(
                        e.kind(),
                        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
                    ) =>
                {
                    return self.write_plaintext(data);
                }
                Err(e) => return Err(Error::transport(e)),
            }
        }
        let chunk = &data[..data.len().min(WRITE_CHUNK)];
        match self.engine.write_through(chunk, out) {
            (_, Some(error)) => {
                let _ = openssl::error::ErrorStack::get();
                Err(Error::transport(error))
            }
            (Step::Done(n), None) => Ok(n),
            (Step::Failed(stack), None) => Err(self.fail(stack)),
            (Step::WantRead | Step::Closed, None) => Err(Error::new(
                ErrorKind::Closed,
                "OpenSSL cannot write on this connection any more",
            )
            .with_backend(NAME)),
        }
    }

    fn write_plaintext(&mut self, data: &[u8]) -> Result<usize> {
        let chunk = &data[..data.len().min(WRITE_CHUNK)];
        match self.engine.write(chunk) {
            Step::Done(n) => Ok(n),
            Step::Failed(stack) => Err(self.fail(stack)),
            Step::WantRead | Step::Closed => Err(Error::new(
                ErrorKind::Closed,
                "OpenSSL cannot write on this connection any more",
            )
            .with_backend(NAME)),
        }
    }

    fn send_close_notify(&mut self) {
        self.engine.shutdown();
    }

    fn received_close_notify(&self) -> bool {
        self.closed || self.engine.received_shutdown()
    }

    fn info(&self) -> SessionInfo {
        let ssl = self.engine.ssl();
        let mut info = SessionInfo::default();
        info.protocol_version = ssl.version2().and_then(|v| match v {
            SslVersion::TLS1_3 => Some(ProtocolVersion::Tls13),
            SslVersion::TLS1_2 => Some(ProtocolVersion::Tls12),
            _ => None,
        });
        info.cipher_suite = ssl
            .current_cipher()
            .map(|c| CipherSuite(crate::flavor::cipher_code(c)));
        info.alpn_protocol = ssl.selected_alpn_protocol().map(<[u8]>::to_vec);
        info.resumed = ssl.session_reused();
        info.peer_chain = self.peer_chain();
        info.negotiated_group = crate::flavor::negotiated_group(ssl);
        info.local_leaf = ssl.certificate().and_then(|c| c.to_der().ok());
        info
    }

    fn export_keying_material(
        &self,
        out: &mut [u8],
        label: &[u8],
        context: Option<&[u8]>,
    ) -> Result<()> {
        let label = std::str::from_utf8(label).map_err(|_| {
            Error::invalid("OpenSSL takes exporter labels as text").with_backend(NAME)
        })?;
        self.engine
            .ssl()
            .export_keying_material(out, label, context)
            .map_err(|e| crate::error::config(e, "exporter label or length"))
    }

    fn verify_result(&self) -> Option<VerifyResult> {
        self.verify.as_ref().and_then(|v| v.result())
    }

    fn native_context(&self) -> Option<&(dyn Any + Send + Sync)> {
        self.context.as_ref().map(|c| c as &(dyn Any + Send + Sync))
    }

    fn native_connection(&self) -> Option<&dyn Any> {
        Some(self.engine.ssl() as &Ssl as &dyn Any)
    }

    fn into_native(self: Box<Self>) -> Option<NativeSession> {
        self.hand_back
            .then(|| NativeSession::new::<Native>(self.engine.into_ssl()))
    }
}
