//! The socket stream: plaintext before attach and after detach, TLS in between
//! (SPEC ATTACH, DETACH, CLOSE, STREAM; LispWorks `socket-stream`).

use std::any::Any;
use std::fmt;
use std::io::{self, BufRead, Read, Write};
use std::time::{Duration, Instant};

use crate::driver::{OwnedConfig, Pending, Timeouts, TlsDriver};
use crate::record::ReadBuffer;
use crate::{
    registry, AttachOptions, Backend, CipherSuite, CtxSpec, DetachOptions, Detached, Error,
    ErrorKind, NativeTypes, PeerCertificate, ProtocolVersion, Result, Role, ServerName, Side,
    Transport, VerifyResult,
};

/// A byte stream over a transport `T` that TLS can be attached to and detached from.
///
/// Before [`attach_ssl`](Self::attach_ssl) and after [`detach_ssl`](Self::detach_ssl)
/// it carries plaintext; in between, TLS. Reads are buffered (`BufRead`) in both
/// modes; every `write` is on the wire when it returns (SPEC STREAM-7).
///
/// Operations need a blocking transport (timeouts are fine): on a non-blocking one,
/// plain reads and TLS reads may return `WouldBlock` and be retried, but attach,
/// handshake, writes and detach must not be interrupted that way (SPEC STREAM-9).
pub struct SocketStream<T: Transport> {
    transport: Option<T>,
    rbuf: ReadBuffer,
    tls: Option<Box<TlsDriver>>,
    plain_out: Vec<u8>,
    plain_pos: usize,
    closed: bool,
    timeouts: Timeouts,
}

impl<T: Transport> fmt::Debug for SocketStream<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SocketStream")
            .field("ssl_side", &self.ssl_side())
            .field("implementation", &self.implementation())
            .field("closed", &self.closed)
            .field("buffered", &self.rbuf.unread().len())
            .finish()
    }
}

/// `into_parts` on a stream that is attached or closed: the stream comes back.
#[derive(Debug)]
pub struct IntoPartsError<T: Transport> {
    /// The stream, unchanged.
    pub stream: SocketStream<T>,
    /// Why (`AlreadyAttached` or `Closed`).
    pub error: Error,
}

fn closed_error() -> Error {
    Error::new(ErrorKind::Closed, "the stream is closed")
}

fn not_attached() -> Error {
    Error::new(ErrorKind::NotAttached, "TLS is not attached to this stream")
}

impl<T: Transport> SocketStream<T> {
    /// A plain stream over `transport` (SPEC CTX-9).
    pub fn new(transport: T) -> SocketStream<T> {
        SocketStream {
            transport: Some(transport),
            rbuf: ReadBuffer::default(),
            tls: None,
            plain_out: Vec::new(),
            plain_pos: 0,
            closed: false,
            timeouts: Timeouts::default(),
        }
    }

    /// A stream over `transport` with TLS attached per `options`, or plain for `None`;
    /// the same as [`new`](Self::new) plus [`attach_ssl`](Self::attach_ssl)
    /// (SPEC ATTACH-2). On failure the transport is closed.
    pub fn with_options(transport: T, options: Option<AttachOptions>) -> Result<SocketStream<T>> {
        let mut stream = SocketStream::new(transport);
        if let Some(options) = options {
            if let Err(err) = stream.attach_ssl(options) {
                let _ = stream.close();
                return Err(err);
            }
        }
        Ok(stream)
    }

    fn transport(&mut self) -> Result<&mut T> {
        match (self.closed, self.transport.as_mut()) {
            (false, Some(t)) => Ok(t),
            _ => Err(closed_error()),
        }
    }

    /// Attaches TLS to the stream (LispWorks `attach-ssl`). For `Client` and `Server`
    /// the handshake is done when this returns (SPEC HS-2); for `Both` nothing is
    /// sent until a role is picked (SPEC SIDE-4).
    ///
    /// Already attached: `AlreadyAttached`, and the session is untouched (SPEC
    /// ATTACH-1). Any failure leaves the stream plain with everything attach made
    /// freed and the transport open (SPEC ATTACH-4). Octets already in the plain read
    /// buffer become the start of the peer's TLS stream, never application data
    /// (SPEC STARTTLS-2).
    pub fn attach_ssl(&mut self, options: AttachOptions) -> Result<()> {
        self.transport()?;
        if self.tls.is_some() {
            return Err(Error::new(
                ErrorKind::AlreadyAttached,
                "TLS is already attached to this stream",
            ));
        }
        let mut driver = self
            .prepare(options)
            .map_err(|e| e.with_operation("attach"))?;
        if driver.side() != Side::Both {
            let deadline = driver.handshake_timeout().map(|t| Instant::now() + t);
            let timeouts = self.timeouts;
            let transport = self.transport.as_mut().expect("checked open");
            let done = driver.handshake(transport, &mut self.rbuf, deadline, timeouts);
            self.rbuf.park_if_empty();
            done.map_err(|e| e.with_operation("attach"))?;
        }
        self.tls = Some(Box::new(driver));
        Ok(())
    }

    /// Checks every option and makes the TLS objects, before any I/O (SPEC ATTACH-5).
    fn prepare(&mut self, options: AttachOptions) -> Result<TlsDriver> {
        let AttachOptions {
            ctx,
            side,
            handshake_timeout,
            tlsext_host_name,
            implementation,
            hooks,
        } = options;
        if let Some(timeout) = handshake_timeout {
            if timeout.is_zero() {
                return Err(Error::invalid(
                    "handshake_timeout must be positive (None means no limit)",
                ));
            }
            if !self
                .transport
                .as_ref()
                .is_some_and(|t| t.supports_timeouts())
            {
                return Err(Error::invalid(
                    "this transport cannot take timeouts, so handshake_timeout cannot be enforced",
                ));
            }
        }
        let mut server_name = tlsext_host_name
            .as_deref()
            .map(ServerName::parse)
            .transpose()?;
        if side == Side::Server && server_name.is_some() {
            return Err(Error::invalid(
                "tlsext_host_name is a client option; this attach is Side::Server",
            ));
        }
        let chosen = |name: Option<&str>| match name {
            Some(name) => registry::lookup(name),
            None => registry::default_backend(),
        };
        let (backend, config, verifying): (&'static dyn Backend, OwnedConfig, bool) = match ctx {
            CtxSpec::Default => (
                chosen(implementation.as_deref())?,
                OwnedConfig::Protocol(crate::VersionRange::FLEXIBLE),
                true,
            ),
            CtxSpec::Protocol(selector) => {
                let range = selector.versions()?;
                (
                    chosen(implementation.as_deref())?,
                    OwnedConfig::Protocol(range),
                    true,
                )
            }
            CtxSpec::Context(native) => (
                registry::lookup(native.backend())?,
                OwnedConfig::Context(native),
                false,
            ),
            CtxSpec::Session(native) => (
                registry::lookup(native.backend())?,
                OwnedConfig::Session(native),
                false,
            ),
            CtxSpec::Abstract(context) => {
                let expected = match context.role() {
                    Role::Client => Side::Client,
                    Role::Server => Side::Server,
                };
                if side != expected {
                    return Err(Error::invalid(format!(
                        "a {:?} abstract context needs Side::{expected:?}, not Side::{side:?}",
                        context.role()
                    )));
                }
                let backend = chosen(context.implementation().or(implementation.as_deref()))?;
                context.check_capabilities(backend.name(), backend.capabilities())?;
                if server_name.is_none() {
                    server_name = context.options().default_server_name.clone();
                }
                let options = context.options();
                let verifying = !(options.danger_accept_invalid_certs
                    || options.danger_accept_invalid_hostnames);
                (backend, OwnedConfig::Abstract(context), verifying)
            }
        };
        if side == Side::Client && verifying && server_name.is_none() {
            return Err(Error::invalid(
                "a verifying client needs a host name to check: give tlsext_host_name \
                 (or use a danger_* option of an abstract context)",
            ));
        }
        if hooks.has_connection_for(backend.name()) {
            backend
                .capabilities()
                .require(crate::Capability::UserSession, backend.name())?;
        }
        registry::ensure_initialized(Some(backend.name()))?;
        let versions = match &config {
            OwnedConfig::Protocol(range) => Some(*range),
            OwnedConfig::Abstract(context) => Some(context.options().versions),
            _ => None,
        };
        let pending = Pending {
            config,
            hooks,
            verify_hostname: verifying,
            versions,
        };
        TlsDriver::new(backend, side, server_name, handshake_timeout, pending)
    }

    /// Ends TLS and makes the stream plain again (LispWorks `detach-ssl`).
    ///
    /// Plain: `Ok(None)` at once (SPEC DETACH-1). Otherwise the stream is marked plain
    /// first (SPEC DETACH-3); close_notify is sent, and under a retry policy the
    /// peer's is awaited (SPEC DETACH-4, DETACH-5); `retry: None` never waits or fails
    /// (SPEC DETACH-6). Octets the peer sent after its close_notify stay buffered for
    /// plain reads (SPEC DETACH-9).
    pub fn detach_ssl(&mut self, options: DetachOptions) -> Result<Option<Detached>> {
        let Some(driver) = self.tls.take() else {
            return Ok(None);
        };
        // Decrypted data buffered for BufRead is application data, handed back too.
        let unread = self.plain_out.split_off(self.plain_pos);
        self.plain_out = Vec::new();
        self.plain_pos = 0;
        let timeouts = self.timeouts;
        let Some(transport) = self.transport.as_mut() else {
            return Ok(None);
        };
        let detached = driver.detach(transport, &mut self.rbuf, options.retry, timeouts);
        self.rbuf.park_if_empty();
        let mut detached = detached?;
        if !unread.is_empty() {
            let later = std::mem::replace(&mut detached.unread_application_data, unread);
            detached.unread_application_data.extend_from_slice(&later);
        }
        Ok(Some(detached))
    }

    /// Picks the client role on a `Both` stream; SNI applies (SPEC SIDE-5).
    pub fn set_connect_state(&mut self) -> Result<()> {
        self.attached_mut()?.pick_role(Role::Client)
    }

    /// Picks the server role on a `Both` stream (SPEC SIDE-5).
    pub fn set_accept_state(&mut self) -> Result<()> {
        self.attached_mut()?.pick_role(Role::Server)
    }

    /// Runs the handshake: `Ok(true)` when done, `Ok(false)` when `timeout` ran out
    /// or the peer closed, `Err` otherwise (SPEC HS-5..7; LispWorks
    /// `socket-stream-handshake`).
    pub fn handshake(&mut self, timeout: Option<Duration>) -> Result<bool> {
        let timeouts = self.timeouts;
        let (transport, rbuf, tls) = self.parts_mut()?;
        let done = tls.handshake_step(transport, rbuf, timeout, timeouts);
        rbuf.park_if_empty();
        done
    }

    /// Sends close_notify; later writes give Closed, reads go on until the peer's
    /// close_notify (SPEC REC-6).
    pub fn shutdown_write(&mut self) -> Result<()> {
        let timeouts = self.timeouts;
        let (transport, rbuf, tls) = self.parts_mut()?;
        let done = tls.shutdown_write(transport, rbuf, timeouts);
        rbuf.park_if_empty();
        done
    }

    /// Detaches without waiting, then closes the transport; never fails over an
    /// unanswered close_notify; a second call does nothing (SPEC CLOSE-1..3).
    pub fn close(&mut self) -> Result<()> {
        if self.closed {
            return Ok(());
        }
        if let Some(transport) = self.transport.as_mut() {
            // close_notify must not wait on a peer that does not read.
            let _ = transport.set_write_timeout(Some(Duration::from_millis(200)));
        }
        let _ = self.detach_ssl(DetachOptions::no_wait());
        self.closed = true;
        self.rbuf = ReadBuffer::default();
        if let Some(transport) = self.transport.as_mut() {
            let _ = transport.close();
        }
        Ok(())
    }

    /// The transport and every buffered unread octet, from a plain stream; attached,
    /// `AlreadyAttached` and the stream back (SPEC OWN-5, STARTTLS-6).
    pub fn into_parts(mut self) -> std::result::Result<(T, Vec<u8>), Box<IntoPartsError<T>>> {
        if self.tls.is_some() {
            let error = Error::new(ErrorKind::AlreadyAttached, "detach TLS before into_parts");
            return Err(Box::new(IntoPartsError {
                stream: self,
                error,
            }));
        }
        let Some(transport) = self.transport.take() else {
            return Err(Box::new(IntoPartsError {
                stream: self,
                error: closed_error(),
            }));
        };
        let mut buffered = self.plain_out.split_off(self.plain_pos);
        buffered.extend_from_slice(&self.rbuf.take_all());
        self.closed = true;
        Ok((transport, buffered))
    }

    /// The transport, for inspection.
    pub fn get_ref(&self) -> Option<&T> {
        self.transport.as_ref()
    }

    /// Sets the read timeout applied to plain and TLS reads (SPEC STREAM-8).
    pub fn set_read_timeout(&mut self, timeout: Option<Duration>) -> io::Result<()> {
        self.transport()
            .map_err(io::Error::from)?
            .set_read_timeout(timeout)?;
        self.timeouts.read = timeout;
        Ok(())
    }

    /// Sets the write timeout (SPEC STREAM-8).
    pub fn set_write_timeout(&mut self, timeout: Option<Duration>) -> io::Result<()> {
        self.transport()
            .map_err(io::Error::from)?
            .set_write_timeout(timeout)?;
        self.timeouts.write = timeout;
        Ok(())
    }

    fn attached(&self) -> Result<&TlsDriver> {
        if self.closed {
            return Err(closed_error());
        }
        self.tls.as_deref().ok_or_else(not_attached)
    }

    fn attached_mut(&mut self) -> Result<&mut TlsDriver> {
        if self.closed {
            return Err(closed_error());
        }
        self.tls.as_deref_mut().ok_or_else(not_attached)
    }

    fn parts_mut(&mut self) -> Result<(&mut T, &mut ReadBuffer, &mut TlsDriver)> {
        if self.closed {
            return Err(closed_error());
        }
        match (self.transport.as_mut(), self.tls.as_deref_mut()) {
            (Some(t), Some(tls)) => Ok((t, &mut self.rbuf, tls)),
            (None, _) => Err(closed_error()),
            (_, None) => Err(not_attached()),
        }
    }

    // ---- accessors (SPEC ATTACH-3, PROTO, CERT) ----

    /// The attach-time side, or `None` when plain (SPEC SIDE-8).
    pub fn ssl_side(&self) -> Option<Side> {
        self.tls.as_ref().map(|t| t.side())
    }

    /// The backend in use, or `None` when plain (SPEC IMPL-6; LispWorks
    /// `ssl-connection-implementation`).
    pub fn implementation(&self) -> Option<&'static str> {
        self.tls.as_ref().map(|t| t.backend().name())
    }

    /// Alias of [`implementation`](Self::implementation), LispWorks' name.
    pub fn connection_implementation(&self) -> Option<&'static str> {
        self.implementation()
    }

    /// The native context in use, typed for backend `B` (SPEC CTX-10).
    pub fn ctx<B: NativeTypes>(&self) -> Option<&B::Context> {
        let any: &(dyn Any + Send + Sync) = self.tls.as_ref()?.session()?.native_context()?;
        any.downcast_ref()
    }

    /// The native per-connection object, typed for backend `B` (SPEC CTX-10).
    pub fn session<B: NativeTypes>(&self) -> Option<&B::Connection> {
        self.tls
            .as_ref()?
            .session()?
            .native_connection()?
            .downcast_ref()
    }

    fn info(&self) -> Result<crate::SessionInfo> {
        let tls = self.attached()?;
        Ok(match tls.session() {
            Some(s) if !s.is_handshaking() => tls.info(),
            _ => crate::SessionInfo::default(),
        })
    }

    /// The negotiated version; `None` before the handshake, `NotAttached` when plain
    /// (SPEC PROTO-4).
    pub fn protocol_version(&self) -> Result<Option<ProtocolVersion>> {
        Ok(self.info()?.protocol_version)
    }

    /// The negotiated cipher suite; displays as its IANA name (SPEC PROTO-5).
    pub fn cipher_suite(&self) -> Result<Option<CipherSuite>> {
        Ok(self.info()?.cipher_suite)
    }

    /// The negotiated ALPN protocol (SPEC PROTO-8).
    pub fn alpn_protocol(&self) -> Result<Option<Vec<u8>>> {
        Ok(self.info()?.alpn_protocol)
    }

    /// The negotiated key-exchange group by IANA name (SPEC PROTO-15);
    /// `Unsupported(GroupSelection)` where the backend cannot report it.
    pub fn negotiated_group(&self) -> Result<Option<String>> {
        self.require(crate::Capability::GroupSelection)?;
        Ok(self.info()?.negotiated_group)
    }

    /// Whether the session was resumed (SPEC PROTO-11).
    pub fn resumed(&self) -> Result<bool> {
        Ok(self.info()?.resumed)
    }

    /// The SNI received (server) or sent (client) (SPEC SNI-9).
    pub fn server_name(&self) -> Result<Option<String>> {
        Ok(self.attached()?.server_name())
    }

    /// The peer's leaf certificate; `None` if it sent none or the handshake is not
    /// done (SPEC CERT-1, CERT-2).
    pub fn peer_certificate(&self) -> Result<Option<PeerCertificate>> {
        Ok(self
            .peer_chain()?
            .and_then(|chain| chain.into_iter().next()))
    }

    /// The peer's chain as sent, leaf first (SPEC CERT-3); `Unsupported(PeerChain)` on
    /// a backend that only gives the leaf.
    pub fn peer_certificates(&self) -> Result<Option<Vec<PeerCertificate>>> {
        self.require(crate::Capability::PeerChain)?;
        self.peer_chain()
    }

    fn require(&self, capability: crate::Capability) -> Result<()> {
        let backend = self.attached()?.backend();
        backend.capabilities().require(capability, backend.name())
    }

    fn peer_chain(&self) -> Result<Option<Vec<PeerCertificate>>> {
        let chain = self.info()?.peer_chain;
        Ok(chain
            .filter(|c| !c.is_empty())
            .map(|c| c.into_iter().map(PeerCertificate::from_der).collect()))
    }

    /// The built-in verification result (SPEC VERIFY-12); `Unsupported(VerifyCallback)`
    /// on a backend that cannot report it.
    pub fn verify_result(&self) -> Result<Option<VerifyResult>> {
        self.require(crate::Capability::VerifyCallback)?;
        Ok(self.attached()?.session().and_then(|s| s.verify_result()))
    }

    /// `len` octets of keying material exported under `label` and `context` (RFC 5705,
    /// RFC 8446 §7.5): the same at both ends, different for another label or context.
    /// Before the handshake is done, `InvalidArgument` (SPEC PROTO-13).
    pub fn export_keying_material(
        &self,
        len: usize,
        label: &[u8],
        context: Option<&[u8]>,
    ) -> Result<Vec<u8>> {
        self.require(crate::Capability::Exporter)?;
        let session = match self.attached()?.session() {
            Some(s) if !s.is_handshaking() => s,
            _ => {
                return Err(Error::invalid(
                    "keying material can be exported only after the handshake",
                ))
            }
        };
        let mut out = vec![0u8; len];
        session.export_keying_material(&mut out, label, context)?;
        Ok(out)
    }

    /// RFC 9266 `tls-exporter` channel binding: 32 octets exported under
    /// `EXPORTER-Channel-Binding` with an empty context (SPEC PROTO-16).
    pub fn tls_exporter(&self) -> Result<Vec<u8>> {
        self.export_keying_material(32, b"EXPORTER-Channel-Binding", Some(&[]))
    }

    /// RFC 5929 `tls-server-end-point` of the server's leaf (SPEC PROTO-16).
    pub fn tls_server_end_point(&self) -> Result<Option<Vec<u8>>> {
        let tls = self.attached()?;
        let leaf = match tls.session() {
            Some(s) if !s.is_handshaking() => match tls.role() {
                Some(Role::Client) => tls.info().peer_chain.and_then(|c| c.into_iter().next()),
                Some(Role::Server) => tls.info().local_leaf,
                None => None,
            },
            _ => None,
        };
        Ok(leaf.and_then(|der| crate::tls_server_end_point(&der)))
    }

    fn read_impl(&mut self, buf: &mut [u8]) -> Result<usize> {
        if self.closed {
            return Err(closed_error());
        }
        if buf.is_empty() {
            return Ok(0);
        }
        if self.plain_pos < self.plain_out.len() {
            let n = buf.len().min(self.plain_out.len() - self.plain_pos);
            buf[..n].copy_from_slice(&self.plain_out[self.plain_pos..self.plain_pos + n]);
            self.plain_pos += n;
            return Ok(n);
        }
        let timeouts = self.timeouts;
        let transport = self.transport.as_mut().ok_or_else(closed_error)?;
        let read = match self.tls.as_deref_mut() {
            Some(tls) => tls
                .read(transport, &mut self.rbuf, timeouts, buf)
                .map_err(|e| e.with_operation("read")),
            None => {
                if self.rbuf.is_empty() {
                    if buf.len() >= crate::record::MAX_RECORD_LEN {
                        return transport.read(buf).map_err(Error::transport);
                    }
                    let n = self.rbuf.fill_from(transport).map_err(Error::transport)?;
                    if n == 0 {
                        self.rbuf.release_if_empty();
                        return Ok(0);
                    }
                }
                let unread = self.rbuf.unread();
                let n = buf.len().min(unread.len());
                buf[..n].copy_from_slice(&unread[..n]);
                self.rbuf.consume(n);
                Ok(n)
            }
        };
        // An idle connection holds no read buffer (see ReadBuffer::park_if_empty).
        self.rbuf.park_if_empty();
        read
    }

    fn write_impl(&mut self, data: &[u8]) -> Result<usize> {
        if self.closed {
            return Err(closed_error());
        }
        let timeouts = self.timeouts;
        let transport = self.transport.as_mut().ok_or_else(closed_error)?;
        match self.tls.as_deref_mut() {
            Some(tls) => {
                let written = tls
                    .write(transport, &mut self.rbuf, timeouts, data)
                    .map_err(|e| e.with_operation("write"));
                // A first write may have run the handshake.
                self.rbuf.park_if_empty();
                written
            }
            None => transport.write(data).map_err(Error::transport),
        }
    }
}

impl<T: Transport> Read for SocketStream<T> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.read_impl(buf).map_err(into_io)
    }
}

impl<T: Transport> BufRead for SocketStream<T> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        if self.plain_pos >= self.plain_out.len() {
            if self.tls.is_none() {
                // Plain mode: the transport buffer is the read buffer.
                if self.closed {
                    return Err(closed_error().into());
                }
                if self.rbuf.is_empty() {
                    let transport = self.transport.as_mut().ok_or_else(closed_error)?;
                    self.rbuf.fill_from(transport)?;
                }
                return Ok(self.rbuf.unread());
            }
            self.plain_out.resize(16_384, 0);
            let mut buf = std::mem::take(&mut self.plain_out);
            let n = self.read_impl(&mut buf);
            self.plain_out = buf;
            let n = n.map_err(into_io)?;
            self.plain_out.truncate(n);
            self.plain_pos = 0;
        }
        Ok(&self.plain_out[self.plain_pos..])
    }

    fn consume(&mut self, amt: usize) {
        if self.plain_pos < self.plain_out.len() {
            self.plain_pos = (self.plain_pos + amt).min(self.plain_out.len());
        } else if self.tls.is_none() {
            self.rbuf.consume(amt.min(self.rbuf.unread().len()));
        }
    }
}

impl<T: Transport> Write for SocketStream<T> {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        self.write_impl(data).map_err(into_io)
    }

    fn flush(&mut self) -> io::Result<()> {
        // Every write is already on the wire (SPEC STREAM-7).
        match self.transport.as_mut() {
            Some(t) if !self.closed => t.flush(),
            _ => Err(closed_error().into()),
        }
    }
}

fn into_io(err: Error) -> io::Error {
    err.into()
}

impl<T: Transport> Drop for SocketStream<T> {
    /// Acts as [`close`](SocketStream::close): the peer reads a clean EOF; never
    /// panics (SPEC CLOSE-4).
    fn drop(&mut self) {
        let _ = self.close();
    }
}
