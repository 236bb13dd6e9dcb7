//! The TLS half of a [`Conn`](super::Conn): the session, the role, what core read in
//! the clear-text hellos, the handshake deadline and sticky failures. No buffers and
//! no I/O: the connection lends its read buffer to [`TlsState::feed_record`].

use std::time::{Duration, Instant};

use super::detach::Detaching;
use super::handshake_state::{HandshakeState, Seen};
use super::session_slot::{Counted, Pending};
use crate::record::ReadBuffer;
use crate::{
    Backend, Capability, Error, ErrorKind, Result, Role, ServerName, Session, SessionInfo,
    SessionRequest, Side, VersionRange,
};

/// The state of an attached connection.
pub(crate) struct TlsState {
    backend: &'static dyn Backend,
    side: Side,
    role: Option<Role>,
    pub(super) session: Option<Counted>,
    // Boxed, like `fatal`: needed only until the session exists (or after a failure),
    // they would otherwise take 200 octets of every established connection.
    pending: Option<Box<Pending>>,
    server_name: Option<ServerName>,
    /// Until the handshake is done (boxed: freed then).
    pub(super) handshake: Option<Box<HandshakeState>>,
    /// What the hellos told core, once the handshake is done.
    seen: Seen,
    verify_hostname: bool,
    versions: Option<VersionRange>,
    /// `check_established` ran and passed.
    pub(super) checked: bool,
    fatal: Option<Box<Error>>,
    pub(super) write_shut: bool,
    /// Set while a detach is under way (resumable, SPEC STREAM-9).
    pub(super) detaching: Option<Box<Detaching>>,
}

impl TlsState {
    /// Makes the state and, when the role is known or the backend can defer it, the
    /// session (SPEC SIDE-9, SIDE-10).
    pub(crate) fn new(
        backend: &'static dyn Backend,
        side: Side,
        server_name: Option<ServerName>,
        handshake_timeout: Option<Duration>,
        pending: Pending,
    ) -> Result<TlsState> {
        let (verify_hostname, versions) = (pending.verify_hostname, pending.versions);
        let mut state = TlsState {
            backend,
            side,
            role: side.role(),
            session: None,
            pending: Some(Box::new(pending)),
            server_name,
            handshake: Some(Box::new(HandshakeState {
                timeout: handshake_timeout,
                ..HandshakeState::default()
            })),
            seen: Seen::default(),
            verify_hostname,
            versions,
            checked: false,
            fatal: None,
            write_shut: false,
            detaching: None,
        };
        if state.role.is_some() || backend.capabilities().contains(Capability::DeferredRole) {
            state.make_session()?;
        }
        Ok(state)
    }

    fn make_session(&mut self) -> Result<()> {
        let mut pending = self.pending.take().expect("made once");
        let server_name = match self.role {
            Some(Role::Client) | None => self.server_name.as_ref(),
            Some(Role::Server) => None,
        };
        let session = self
            .backend
            .new_session(SessionRequest {
                role: self.role,
                config: pending.config.as_request(),
                server_name,
                verify_hostname: pending.verify_hostname,
                hooks: &pending.hooks,
            })
            .map_err(|e| e.with_backend(self.backend.name()))?;
        self.session = Some(Counted::new(self.backend.name(), session));
        Ok(())
    }

    pub(crate) fn backend(&self) -> &'static dyn Backend {
        self.backend
    }

    pub(crate) fn side(&self) -> Side {
        self.side
    }

    /// The role, once chosen.
    pub(crate) fn role(&self) -> Option<Role> {
        self.role
    }

    pub(crate) fn session(&self) -> Option<&dyn Session> {
        self.session.as_ref().map(Counted::get)
    }

    pub(super) fn session_mut(&mut self) -> &mut dyn Session {
        self.session.as_mut().expect("role chosen").get_mut()
    }

    /// The attach-time handshake timeout (`None` once the handshake is done).
    pub(crate) fn handshake_timeout(&self) -> Option<Duration> {
        self.handshake.as_ref().and_then(|h| h.timeout)
    }

    /// What the hellos told core so far.
    fn seen(&self) -> Seen {
        match &self.handshake {
            Some(handshake) => handshake.seen(),
            None => self.seen.clone(),
        }
    }

    /// Ends the handshake state once the handshake is done and checked: what the
    /// hellos told core stays, the readers and buffers are freed.
    pub(super) fn finish_handshake(&mut self) {
        if let Some(handshake) = self.handshake.take() {
            self.seen = handshake.seen();
        }
    }

    /// The SNI received (server) or sent (client) (SPEC SNI-9).
    pub(crate) fn server_name(&self) -> Option<String> {
        match self.role {
            Some(Role::Server) => self.seen().sni,
            _ => self
                .server_name
                .as_ref()
                .and_then(|n| n.sni())
                .map(str::to_string),
        }
    }

    /// Picks the role on `Both` (SPEC SIDE-5).
    pub(crate) fn pick_role(&mut self, role: Role) -> Result<()> {
        if self.side != Side::Both || self.role.is_some() {
            return Err(Error::invalid(
                "the role is already chosen: set_connect_state/set_accept_state apply once, on Side::Both",
            ));
        }
        if role == Role::Client
            && self.server_name.is_none()
            && self.pending.as_ref().is_some_and(|p| p.verify_hostname)
        {
            return Err(Error::invalid(
                "a verifying client needs a host name: give tlsext_host_name at attach",
            ));
        }
        self.role = Some(role);
        match self.session.as_mut() {
            Some(session) => {
                let name = if role == Role::Client {
                    self.server_name.as_ref()
                } else {
                    None
                };
                session.get_mut().set_role(role, name)
            }
            None => self.make_session(),
        }
    }

    /// `InvalidArgument` until the role is chosen on `Both`.
    pub(super) fn role_chosen(&self) -> Result<()> {
        match (&self.role, &self.session) {
            (Some(_), Some(_)) => Ok(()),
            _ => Err(Error::invalid(
                "Side::Both: choose the role with set_connect_state or set_accept_state first",
            )),
        }
    }

    /// The sticky fatal error, again (SPEC REC-8).
    pub(super) fn check_fatal(&self) -> Result<()> {
        match &self.fatal {
            Some(err) => Err(err.duplicate()),
            None => Ok(()),
        }
    }

    /// Makes `reason` the connection's fatal error, in place of an earlier one (the
    /// peer's alert explains a broken pipe better than the pipe).
    pub(super) fn replace_fatal(&mut self, reason: &Error) {
        self.fatal = Some(Box::new(reason.duplicate()));
    }

    pub(super) fn take_fatal(&mut self) -> Option<Box<Error>> {
        self.fatal.take()
    }

    /// Records `err` as the connection's fatal error (the first one stays) and
    /// returns it, naming the backend.
    pub(crate) fn fail(&mut self, err: Error) -> Error {
        let mut err = err.with_backend(self.backend.name());
        if matches!(err.kind(), ErrorKind::VerificationFailure(_)) && self.fatal.is_none() {
            // Every backend's message then says whose certificate, for which name.
            err = match (self.role, &self.server_name) {
                (Some(Role::Server), _) => err.about("the client's certificate"),
                (_, Some(name)) => err.about(&format!("the server's certificate for \"{name}\"")),
                (_, None) => err.about("the server's certificate"),
            };
        }
        if self.fatal.is_none() {
            self.fatal = Some(Box::new(err.duplicate()));
        }
        err
    }

    /// Whether a fatal error ended the connection (SPEC REC-8).
    pub(crate) fn has_failed(&self) -> bool {
        self.fatal.is_some()
    }

    /// Whether the handshake has finished.
    pub(crate) fn is_established(&self) -> bool {
        self.session
            .as_ref()
            .is_some_and(|s| !s.get().is_handshaking())
    }

    /// Arms the handshake deadline from the attach-time timeout unless an operation
    /// already armed one (SPEC HS-8, SEC-6).
    pub(super) fn arm_default_deadline(&mut self, now: Instant) {
        if let Some(handshake) = self.handshake.as_deref_mut() {
            if !handshake.armed {
                handshake.deadline = handshake.timeout.map(|t| now + t);
                handshake.armed = true;
            }
        }
    }

    /// Whether a call that stopped at `WouldBlock` armed the handshake deadline.
    pub(crate) fn deadline_armed(&self) -> bool {
        self.handshake.as_ref().is_some_and(|h| h.armed)
    }

    /// The armed handshake deadline, while the handshake runs.
    pub(super) fn deadline(&self) -> Option<Instant> {
        self.handshake
            .as_ref()
            .filter(|h| h.armed)
            .and_then(|h| h.deadline)
    }

    /// Sets the handshake deadline explicitly (`None`: no limit).
    pub(crate) fn set_deadline(&mut self, deadline: Option<Instant>) {
        if let Some(handshake) = self.handshake.as_deref_mut() {
            handshake.deadline = deadline;
            handshake.armed = true;
        }
    }

    pub(crate) fn disarm_deadline(&mut self) {
        if let Some(handshake) = self.handshake.as_deref_mut() {
            handshake.deadline = None;
            handshake.armed = false;
        }
    }

    /// Whether the ServerHello still has to be read off this end's own output (a
    /// server's first flight), so records cannot go straight to the transport.
    pub(super) fn taps_output(&self) -> bool {
        self.role == Some(Role::Server)
            && self
                .handshake
                .as_ref()
                .is_some_and(|h| !h.server_hello.is_done())
    }

    /// Feeds the next whole buffered record to the session, decrypting into
    /// `plaintext` when given; `Ok(None)` if none is buffered or the peer's
    /// close_notify came already, else the application data octets given. Failures
    /// are sticky; an alert the engine queued waits to be sent.
    pub(super) fn feed_record(
        &mut self,
        rbuf: &mut ReadBuffer,
        plaintext: Option<&mut [u8]>,
    ) -> Result<Option<usize>> {
        let session = self.session.as_mut().expect("role chosen");
        if session.get().received_close_notify() {
            return Ok(None);
        }
        let (header, record) = match rbuf.peek_record() {
            Ok(Some(found)) => found,
            Ok(None) => return Ok(None),
            Err(e) => return Err(self.refuse_unreadable(rbuf.unread(), e)),
        };
        if let Some(handshake) = self.handshake.as_deref_mut() {
            match self.role {
                Some(Role::Server)
                    if !handshake.hello.started()
                        && header.content_type == crate::record::CONTENT_HANDSHAKE
                        && session.get().lacks_identity() =>
                {
                    // Decided here for every backend (SPEC SNI-11); nothing is fed.
                    handshake
                        .out
                        .extend_from_slice(&crate::record::HANDSHAKE_FAILURE_ALERT);
                    let len = record.len();
                    rbuf.consume(len);
                    return Err(self.fail(
                        Error::new(
                            ErrorKind::X509Lookup,
                            "the server has no certificate to present",
                        )
                        .with_alert(crate::Alert::HandshakeFailure),
                    ));
                }
                Some(Role::Server) if !handshake.hello.is_done() => {
                    handshake.hello.observe(header.content_type, record);
                    if handshake.hello.is_done() {
                        let sni = handshake.hello.server_name();
                        if let Err(err) = session.get_mut().client_hello_read(sni) {
                            handshake
                                .out
                                .extend_from_slice(&crate::record::HANDSHAKE_FAILURE_ALERT);
                            let len = record.len();
                            rbuf.consume(len);
                            let err = match err.alert() {
                                Some(_) => err,
                                None => err.with_alert(crate::Alert::HandshakeFailure),
                            };
                            return Err(self.fail(err));
                        }
                    }
                }
                Some(Role::Server) => {}
                _ => handshake
                    .server_hello
                    .observe_record(header.content_type, record),
            }
        }
        let len = record.len();
        let legacy_client = self.role == Some(Role::Server)
            && self
                .handshake
                .as_deref()
                .is_some_and(|h| h.hello.offers_only_legacy());
        if legacy_client {
            rbuf.consume(len);
            return Err(self.refuse_legacy_client());
        }
        let result = match plaintext {
            Some(buf) => session.get_mut().read_tls_into(record, buf),
            None => session.get_mut().read_tls(record).map(|()| 0),
        };
        rbuf.consume(len);
        result.map(Some).map_err(|err| self.fail(err))
    }

    /// Fails on octets that cannot be a TLS record. A server that gets an SSL
    /// 2.0-format ClientHello answers with a `protocol_version` alert, as the
    /// protocol asks of a peer offering only versions it does not speak (SPEC REL-7).
    fn refuse_unreadable(&mut self, unread: &[u8], err: Error) -> Error {
        let handshake = self.handshake.as_deref_mut();
        match handshake {
            Some(handshake)
                if self.role == Some(Role::Server)
                    && crate::record::is_sslv2_client_hello(unread) =>
            {
                handshake
                    .out
                    .extend_from_slice(&crate::record::PROTOCOL_VERSION_ALERT);
                self.fail(
                    Error::new(
                        ErrorKind::VersionOrCipherMismatch,
                        "the client sent an SSL 2.0-format ClientHello: it speaks only \
                         SSL 2.0 or 3.0, and TLS 1.2 is the oldest version allowed",
                    )
                    .with_alert(crate::Alert::ProtocolVersion),
                )
            }
            _ if crate::record::is_oversized_header(unread) && self.session.is_some() => {
                // The library refuses the header itself and sends `record_overflow`
                // (encrypted once keys are in use, which core cannot do); nothing is
                // read or allocated to the claimed length (SPEC SEC-5, REL-7). Given as
                // a read, so that a library that only looks at records when asked for
                // plaintext (the OpenSSL family, once established) looks at it now.
                let mut scratch = [0u8; 16];
                match self
                    .session_mut()
                    .read_tls_into(&unread[..crate::record::HEADER_LEN], &mut scratch)
                {
                    Err(refused) => self.fail(refused),
                    Ok(_) => self.fail(err),
                }
            }
            _ => self.fail(err),
        }
    }

    /// Refuses a ClientHello that offers only TLS 1.0 or 1.1 with a clear-text
    /// `protocol_version` alert, as the SSL 2.0-format hello is refused: libraries
    /// answer it unevenly (rustls checks for signature_algorithms, an extension such
    /// clients never send, and answers `handshake_failure`), and RFC 8446 §4.2.1 asks
    /// for `protocol_version` (SPEC SEC-1, REL-5, REL-7).
    fn refuse_legacy_client(&mut self) -> Error {
        if let Some(handshake) = self.handshake.as_deref_mut() {
            handshake
                .out
                .extend_from_slice(&crate::record::PROTOCOL_VERSION_ALERT);
        }
        self.fail(
            Error::new(
                ErrorKind::VersionOrCipherMismatch,
                "the client offers only TLS 1.0 or 1.1, and TLS 1.2 is the oldest version \
                 allowed",
            )
            .with_alert(crate::Alert::ProtocolVersion),
        )
    }

    /// What a backend's library may let through, checked once by core when the
    /// handshake is done, before any application data: the configured versions, and
    /// no host-name match through the subject CN (SPEC VERIFY-6, VERIFY-13).
    pub(super) fn check_established(&self) -> Result<()> {
        // The version the clear-text ServerHello carried; the session's full information
        // (which encodes the peer's chain) only when it is missing or needed below.
        let version = self.seen().version.or_else(|| self.info().protocol_version);
        if let (Some(range), Some(version)) = (self.versions, version) {
            if !range.contains(version) {
                return Err(Error::new(
                    ErrorKind::VersionOrCipherMismatch,
                    format!(
                        "the peer negotiated {version}, outside the configured {}–{}",
                        range.min, range.max
                    ),
                ));
            }
        }
        let checks_names = self.role == Some(Role::Client)
            && self.verify_hostname
            && self.backend.may_match_subject_cn();
        if let (true, Some(ServerName::Dns(_))) = (checks_names, &self.server_name) {
            let info = self.info();
            let leaf = info.peer_chain.as_ref().and_then(|c| c.first());
            if leaf.is_some_and(|der| !crate::certificate::has_dns_san(der)) {
                return Err(Error::verification(
                    crate::VerifyReason::NameMismatch,
                    "the certificate names no DNS host in subjectAltName; the subject CN does not count (RFC 9525 §6.4.4)",
                ));
            }
        }
        Ok(())
    }

    /// The session's information, completed from the clear-text ServerHello where the
    /// backend does not report it.
    pub(crate) fn info(&self) -> SessionInfo {
        let mut info = self.session().map(|s| s.info()).unwrap_or_default();
        if info.protocol_version.is_none() || info.cipher_suite.is_none() {
            let seen = self.seen();
            info.protocol_version = info.protocol_version.or(seen.version);
            info.cipher_suite = info.cipher_suite.or(seen.cipher_suite);
        }
        info
    }
}
