//! Core's TLS driver: runs a backend's sans-IO [`Session`] over a blocking
//! [`Transport`], once for every backend.
//!
//! It owns the rules the SPEC states about a live connection: whole records only
//! (so octets after a close_notify stay core's), one handshake deadline, truncation
//! detection, the detach protocol, sticky fatal errors.

use std::io;
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::hello::{ClientHelloReader, ServerHelloReader};
use crate::record::ReadBuffer;
use crate::transport::is_timeout;
use crate::{
    registry, AbstractContext, Backend, Capability, Detached, Error, ErrorKind, NativeContext,
    NativeHooks, NativeSession, Result, RetryPolicy, Role, ServerName, Session, SessionConfig,
    SessionRequest, Side, Transport, VersionRange,
};

/// The user's read and write timeouts, restored after core's own deadlines.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Timeouts {
    pub(crate) read: Option<Duration>,
    pub(crate) write: Option<Duration>,
}

/// The configuration a session is made from, owned until the session exists.
pub(crate) enum OwnedConfig {
    Protocol(VersionRange),
    Context(NativeContext),
    Session(NativeSession),
    Abstract(Arc<AbstractContext>),
}

impl OwnedConfig {
    fn as_request(&mut self) -> SessionConfig<'_> {
        match self {
            OwnedConfig::Protocol(range) => SessionConfig::Protocol(*range),
            OwnedConfig::Context(context) => SessionConfig::Context(context),
            OwnedConfig::Session(_) => {
                match std::mem::replace(self, OwnedConfig::Protocol(VersionRange::FLEXIBLE)) {
                    OwnedConfig::Session(session) => SessionConfig::Session(session),
                    _ => unreachable!("matched Session above"),
                }
            }
            OwnedConfig::Abstract(context) => SessionConfig::Abstract(context),
        }
    }
}

/// A session counted in the live-object counters while it exists (SPEC OWN-1).
struct Counted {
    backend: &'static str,
    inner: Option<Box<dyn Session>>,
}

impl Counted {
    fn new(backend: &'static str, inner: Box<dyn Session>) -> Counted {
        registry::session_made(backend);
        Counted {
            backend,
            inner: Some(inner),
        }
    }

    fn get(&self) -> &dyn Session {
        self.inner.as_deref().expect("present until into_native")
    }

    fn get_mut(&mut self) -> &mut dyn Session {
        self.inner
            .as_deref_mut()
            .expect("present until into_native")
    }

    fn into_native(mut self) -> Option<NativeSession> {
        self.inner.take().and_then(|s| s.into_native())
    }
}

impl Drop for Counted {
    fn drop(&mut self) {
        registry::session_freed(self.backend);
    }
}

/// What is needed to make the session at the role pick when the backend cannot
/// defer the role (SPEC SIDE-10).
pub(crate) struct Pending {
    pub(crate) config: OwnedConfig,
    pub(crate) hooks: NativeHooks,
    pub(crate) verify_hostname: bool,
    /// The versions the configuration allows, checked after the handshake for
    /// backends that cannot express them all (native-tls has no TLS 1.3 minimum).
    pub(crate) versions: Option<VersionRange>,
}

/// The state of an attached stream.
pub(crate) struct TlsDriver {
    backend: &'static dyn Backend,
    side: Side,
    role: Option<Role>,
    session: Option<Counted>,
    // Boxed, like `fatal`: needed only until the session exists (or after a failure),
    // they would otherwise take 200 octets of every established connection.
    pending: Option<Box<Pending>>,
    server_name: Option<ServerName>,
    hello: ClientHelloReader,
    server_hello: ServerHelloReader,
    verify_hostname: bool,
    versions: Option<VersionRange>,
    handshake_timeout: Option<Duration>,
    fatal: Option<Box<Error>>,
    closed_in_handshake: bool,
    write_shut: bool,
}

impl TlsDriver {
    /// Makes the driver and, when the role is known or the backend can defer it, the
    /// session (SPEC SIDE-9, SIDE-10).
    pub(crate) fn new(
        backend: &'static dyn Backend,
        side: Side,
        server_name: Option<ServerName>,
        handshake_timeout: Option<Duration>,
        pending: Pending,
    ) -> Result<TlsDriver> {
        let (verify_hostname, versions) = (pending.verify_hostname, pending.versions);
        let mut driver = TlsDriver {
            backend,
            side,
            role: side.role(),
            session: None,
            pending: Some(Box::new(pending)),
            server_name,
            hello: ClientHelloReader::default(),
            server_hello: ServerHelloReader::default(),
            verify_hostname,
            versions,
            handshake_timeout,
            fatal: None,
            closed_in_handshake: false,
            write_shut: false,
        };
        if driver.role.is_some() || backend.capabilities().contains(Capability::DeferredRole) {
            driver.make_session()?;
        }
        Ok(driver)
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

    /// The SNI received (server) or sent (client) (SPEC SNI-9).
    pub(crate) fn server_name(&self) -> Option<String> {
        match self.role {
            Some(Role::Server) => self.hello.server_name().map(str::to_string),
            _ => self
                .server_name
                .as_ref()
                .and_then(|n| n.sni())
                .map(str::to_string),
        }
    }

    pub(crate) fn handshake_timeout(&self) -> Option<Duration> {
        self.handshake_timeout
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

    fn role_chosen(&self) -> Result<&dyn Session> {
        match (&self.role, &self.session) {
            (Some(_), Some(session)) => Ok(session.get()),
            _ => Err(Error::invalid(
                "Side::Both: choose the role with set_connect_state or set_accept_state first",
            )),
        }
    }

    fn check_fatal(&self) -> Result<()> {
        match &self.fatal {
            Some(err) => Err(err.duplicate()),
            None => Ok(()),
        }
    }

    fn fail(&mut self, err: Error) -> Error {
        let err = err.with_backend(self.backend.name());
        if self.fatal.is_none() {
            self.fatal = Some(Box::new(err.duplicate()));
        }
        err
    }

    /// Whether the handshake has finished.
    pub(crate) fn is_established(&self) -> bool {
        self.session
            .as_ref()
            .is_some_and(|s| !s.get().is_handshaking())
    }

    /// Writes every pending record to the transport. A server's first flight passes
    /// through a reader of its clear-text ServerHello.
    fn flush(&mut self, io: &mut dyn Transport) -> Result<()> {
        let Some(session) = self.session.as_mut() else {
            return Ok(());
        };
        let sniff = self.role == Some(Role::Server) && !self.server_hello.is_done();
        let mut rounds = 0;
        while session.get().wants_write() {
            rounds += 1;
            let written = if sniff {
                let mut tap = Tap {
                    inner: io,
                    hello: &mut self.server_hello,
                };
                session.get_mut().write_tls(&mut tap)
            } else {
                session.get_mut().write_tls(io)
            };
            match written {
                Ok(0) if rounds > 2 => {
                    return Err(self.fail(Error::transport(io::ErrorKind::WriteZero.into())));
                }
                Ok(_) => {}
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(self.fail(Error::transport(e))),
            }
        }
        Ok(())
    }

    /// Feeds the next whole buffered record, then writes what the engine wants to
    /// send (an alert on error); `Ok(false)` if no whole record is buffered.
    fn feed_one(&mut self, io: &mut dyn Transport, rbuf: &mut ReadBuffer) -> Result<bool> {
        self.feed_one_into(io, rbuf, None).map(|fed| fed.is_some())
    }

    /// [`feed_one`](Self::feed_one), decrypting into `plaintext` when given: the
    /// octets of application data the record gave, `None` if no record was fed.
    fn feed_one_into(
        &mut self,
        io: &mut dyn Transport,
        rbuf: &mut ReadBuffer,
        plaintext: Option<&mut [u8]>,
    ) -> Result<Option<usize>> {
        match self.feed_record(rbuf, plaintext) {
            Ok(fed) => {
                self.flush(io)?;
                Ok(fed)
            }
            Err(err) => {
                // Send the alert the engine queued, if the transport takes it.
                let _ = self.flush(io);
                Err(err)
            }
        }
    }

    /// Feeds the next whole buffered record to the session without writing anything,
    /// decrypting into `plaintext` when given; `Ok(None)` if none is buffered or the
    /// peer's close_notify came already, else the application data octets given.
    fn feed_record(
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
            Err(e) => return Err(self.fail(e)),
        };
        match self.role {
            Some(Role::Server) => self.hello.observe(header.content_type, record),
            _ => self
                .server_hello
                .observe_record(header.content_type, record),
        }
        let len = record.len();
        let result = match plaintext {
            Some(buf) => session.get_mut().read_tls_into(record, buf),
            None => session.get_mut().read_tls(record).map(|()| 0),
        };
        rbuf.consume(len);
        result.map(Some).map_err(|err| self.fail(err))
    }

    /// Reads more ciphertext; `deadline` bounds the wait. EOF is an error: the TLS
    /// stream cannot end without close_notify (SPEC REC-2, HS-4).
    fn fill(
        &mut self,
        io: &mut dyn Transport,
        rbuf: &mut ReadBuffer,
        deadline: Option<Instant>,
        user: Timeouts,
    ) -> Result<()> {
        if let Some(deadline) = deadline {
            let remaining = deadline.saturating_duration_since(Instant::now());
            if remaining.is_zero() {
                return Err(handshake_timeout());
            }
            let _ = io.set_read_timeout(Some(remaining.max(Duration::from_millis(1))));
        }
        let result = rbuf.fill_from(io);
        if deadline.is_some() {
            let _ = io.set_read_timeout(user.read);
        }
        match result {
            Ok(0) => {
                let inside = if rbuf.is_empty() {
                    ""
                } else {
                    " inside a record"
                };
                Err(self.fail(Error::unexpected_eof(format!(
                    "the peer closed the connection{inside} without close_notify (truncation)"
                ))))
            }
            Ok(_) => {
                if deadline.is_some_and(|d| Instant::now() >= d)
                    && self.session().is_some_and(|s| s.is_handshaking())
                {
                    return Err(handshake_timeout());
                }
                Ok(())
            }
            Err(e) if is_timeout(&e) && deadline.is_some() => Err(handshake_timeout()),
            Err(e) if is_timeout(&e) => Err(Error::transport(e)),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => Ok(()),
            Err(e) => Err(self.fail(Error::transport(e))),
        }
    }

    /// Runs the handshake to completion before `deadline` (SPEC HS-2, HS-3, SEC-6).
    pub(crate) fn handshake(
        &mut self,
        io: &mut dyn Transport,
        rbuf: &mut ReadBuffer,
        deadline: Option<Instant>,
        user: Timeouts,
    ) -> Result<()> {
        self.check_fatal()?;
        self.role_chosen()?;
        if self.closed_in_handshake {
            return Err(closed_in_handshake());
        }
        if deadline.is_some() {
            let remaining = deadline.map(|d| d.saturating_duration_since(Instant::now()));
            let _ = io.set_write_timeout(remaining.map(|r| r.max(Duration::from_millis(1))));
        }
        let result = self.handshake_loop(io, rbuf, deadline, user);
        if deadline.is_some() {
            let _ = io.set_write_timeout(user.write);
        }
        result?;
        self.check_established().map_err(|err| self.fail(err))
    }

    /// What a backend's library may let through, checked once by core when the
    /// handshake is done, before any application data: the configured versions, and
    /// no host-name match through the subject CN (SPEC VERIFY-6, VERIFY-13).
    fn check_established(&self) -> Result<()> {
        // The version the clear-text ServerHello carried; the session's full information
        // (which encodes the peer's chain) only when it is missing or needed below.
        let version = self
            .server_hello
            .version
            .or_else(|| self.info().protocol_version);
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
    pub(crate) fn info(&self) -> crate::SessionInfo {
        let mut info = self.session().map(|s| s.info()).unwrap_or_default();
        info.protocol_version = info.protocol_version.or(self.server_hello.version);
        info.cipher_suite = info.cipher_suite.or(self.server_hello.cipher_suite);
        info
    }

    fn handshake_loop(
        &mut self,
        io: &mut dyn Transport,
        rbuf: &mut ReadBuffer,
        deadline: Option<Instant>,
        user: Timeouts,
    ) -> Result<()> {
        loop {
            match self.handshake_round(io, rbuf, deadline, user) {
                Ok(true) => return Ok(()),
                Ok(false) => {}
                Err(err) => return Err(self.explain_write_failure(io, rbuf, err, user)),
            }
        }
    }

    /// One step of the handshake: flush, then feed a record or read more; `Ok(true)`
    /// once the handshake is complete.
    fn handshake_round(
        &mut self,
        io: &mut dyn Transport,
        rbuf: &mut ReadBuffer,
        deadline: Option<Instant>,
        user: Timeouts,
    ) -> Result<bool> {
        self.flush(io)?;
        let session = self.session.as_ref().expect("role chosen").get();
        if !session.is_handshaking() {
            return Ok(true);
        }
        if session.received_close_notify() {
            self.closed_in_handshake = true;
            return Err(closed_in_handshake());
        }
        if !self.feed_one(io, rbuf)? {
            self.fill(io, rbuf, deadline, user)?;
        }
        Ok(false)
    }

    /// A peer that refuses the handshake sends an alert and closes; our next write may
    /// then fail (broken pipe, reset) before we read the alert. Reads what already
    /// arrived, briefly, so the error reports the peer's reason, not the pipe.
    fn explain_write_failure(
        &mut self,
        io: &mut dyn Transport,
        rbuf: &mut ReadBuffer,
        err: Error,
        user: Timeouts,
    ) -> Error {
        if err.kind() != ErrorKind::Syscall {
            return err;
        }
        let _ = io.set_read_timeout(Some(Duration::from_millis(50)));
        let mut explained = None;
        for _ in 0..8 {
            match self.feed_record(rbuf, None) {
                Err(reason) => {
                    self.fatal = Some(Box::new(reason.duplicate()));
                    explained = Some(reason);
                    break;
                }
                Ok(Some(_)) => continue,
                Ok(None) => match rbuf.fill_from(io) {
                    Ok(n) if n > 0 => continue,
                    _ => break,
                },
            }
        }
        let _ = io.set_read_timeout(user.read);
        explained.unwrap_or(err)
    }

    /// Runs the handshake implicitly under the attach-time timeout (SPEC SIDE-7, HS-8).
    fn ensure_handshaken(
        &mut self,
        io: &mut dyn Transport,
        rbuf: &mut ReadBuffer,
        user: Timeouts,
    ) -> Result<()> {
        self.check_fatal()?;
        self.role_chosen()?;
        if self.is_established() {
            return Ok(());
        }
        let deadline = self.handshake_timeout.map(|t| Instant::now() + t);
        self.handshake(io, rbuf, deadline, user)
    }

    /// Reads application data (SPEC REC-1, REC-2, REC-4).
    pub(crate) fn read(
        &mut self,
        io: &mut dyn Transport,
        rbuf: &mut ReadBuffer,
        user: Timeouts,
        buf: &mut [u8],
    ) -> Result<usize> {
        self.ensure_handshaken(io, rbuf, user)?;
        if buf.is_empty() {
            return Ok(0);
        }
        loop {
            let session = self.session.as_mut().expect("handshaken").get_mut();
            let n = session.read_plaintext(buf).map_err(|e| self.fail(e))?;
            if n > 0 {
                return Ok(n);
            }
            if self.session().is_some_and(|s| s.received_close_notify()) {
                return Ok(0);
            }
            // The record's application data, if any, goes straight into `buf`. After a
            // read from the transport nothing changed in the session: feed at once.
            loop {
                match self.feed_one_into(io, rbuf, Some(&mut *buf))? {
                    Some(n) if n > 0 => return Ok(n),
                    Some(_) => break,
                    None => self.fill(io, rbuf, None, user)?,
                }
            }
        }
    }

    /// Writes all of `data` as records and puts them on the wire (SPEC REC-3, STREAM-7).
    pub(crate) fn write(
        &mut self,
        io: &mut dyn Transport,
        rbuf: &mut ReadBuffer,
        user: Timeouts,
        data: &[u8],
    ) -> Result<usize> {
        self.ensure_handshaken(io, rbuf, user)?;
        if self.write_shut {
            return Err(Error::new(
                ErrorKind::Closed,
                "the write side was shut down with shutdown_write",
            ));
        }
        // Records may go straight to the transport, unless a server's first flight
        // still passes through the ServerHello reader.
        let direct = self.role != Some(Role::Server) || self.server_hello.is_done();
        let mut written = 0;
        while written < data.len() {
            let session = self.session.as_mut().expect("handshaken").get_mut();
            let n = if direct {
                session.write_plaintext_to(&data[written..], io)
            } else {
                session.write_plaintext(&data[written..])
            }
            .map_err(|e| self.fail(e))?;
            self.flush(io)?;
            if n == 0 {
                return Err(self.fail(Error::new(
                    ErrorKind::Failure,
                    "the engine accepted no data",
                )));
            }
            written += n;
        }
        Ok(written)
    }

    /// Sends close_notify; later writes give Closed (SPEC REC-6).
    pub(crate) fn shutdown_write(
        &mut self,
        io: &mut dyn Transport,
        rbuf: &mut ReadBuffer,
        user: Timeouts,
    ) -> Result<()> {
        self.ensure_handshaken(io, rbuf, user)?;
        if !self.write_shut {
            self.write_shut = true;
            self.session
                .as_mut()
                .expect("handshaken")
                .get_mut()
                .send_close_notify();
            self.flush(io)?;
        }
        Ok(())
    }

    /// `handshake(timeout)`: `Ok(true)` done, `Ok(false)` timed out or closed (SPEC HS-5..7).
    pub(crate) fn handshake_step(
        &mut self,
        io: &mut dyn Transport,
        rbuf: &mut ReadBuffer,
        timeout: Option<Duration>,
        user: Timeouts,
    ) -> Result<bool> {
        self.check_fatal()?;
        self.role_chosen()?;
        if self.is_established() {
            return Ok(true);
        }
        if self.closed_in_handshake {
            return Ok(false);
        }
        let deadline = timeout.map(|t| Instant::now() + t);
        match self.handshake(io, rbuf, deadline, user) {
            Ok(()) => Ok(true),
            Err(e) if matches!(e.kind(), ErrorKind::HandshakeTimeout | ErrorKind::Closed) => {
                Ok(false)
            }
            Err(e) => Err(e),
        }
    }

    /// Ends TLS on the connection (SPEC DETACH-4..12). The caller has already made
    /// the stream plain.
    pub(crate) fn detach(
        mut self,
        io: &mut dyn Transport,
        rbuf: &mut ReadBuffer,
        retry: Option<RetryPolicy>,
        user: Timeouts,
    ) -> Result<Detached> {
        let mut detached = Detached::default();
        if let Some(fatal) = self.fatal.take() {
            // No close_notify after a fatal error (SPEC DETACH-12).
            return match retry {
                Some(_) => Err((*fatal).with_operation("detach")),
                None => Ok(detached),
            };
        }
        let established = self.is_established();
        let Some(mut session) = self.session.take() else {
            return Ok(detached); // Both without a role (SPEC DETACH-11)
        };
        if !established {
            detached.session = session.into_native();
            return Ok(detached); // no close_notify mid-handshake (SPEC DETACH-11)
        }
        drain_plaintext(session.get_mut(), &mut detached.unread_application_data)?;
        if !self.write_shut {
            session.get_mut().send_close_notify();
        }
        self.session = Some(session);
        let sent = self.flush(io);
        let session = self.session.take().expect("put back above");
        let Some(policy) = retry else {
            detached.peer_closed = session.get().received_close_notify();
            detached.session = session.into_native();
            return Ok(detached); // never waits, never fails (SPEC DETACH-6)
        };
        sent.map_err(|e| e.with_operation("detach"))?;
        self.session = Some(session);
        let outcome = self.await_close_notify(io, rbuf, policy, user, &mut detached);
        let session = self.session.take().expect("put back above");
        outcome?;
        detached.peer_closed = true;
        detached.session = session.into_native();
        Ok(detached)
    }

    /// Checks for the peer's close_notify up to 2 + `extra_attempts` times,
    /// `interval` apart, keeping application data that arrives first (SPEC DETACH-4).
    fn await_close_notify(
        &mut self,
        io: &mut dyn Transport,
        rbuf: &mut ReadBuffer,
        policy: RetryPolicy,
        user: Timeouts,
        detached: &mut Detached,
    ) -> Result<()> {
        let checks = 2 + policy.extra_attempts;
        for check in 0..checks {
            while self
                .feed_one(io, rbuf)
                .map_err(|e| e.with_operation("detach"))?
            {
                let session = self.session.as_mut().expect("present").get_mut();
                drain_plaintext(session, &mut detached.unread_application_data)?;
            }
            if self.session().is_some_and(|s| s.received_close_notify()) {
                return Ok(());
            }
            if check + 1 == checks {
                break;
            }
            let wait = if check == 0 {
                Duration::from_millis(1)
            } else {
                policy.interval
            };
            let _ = io.set_read_timeout(Some(wait.max(Duration::from_millis(1))));
            let filled = rbuf.fill_from(io);
            let _ = io.set_read_timeout(user.read);
            match filled {
                Ok(0) => {
                    return Err(Error::unexpected_eof(
                        "the peer closed the connection without answering close_notify",
                    )
                    .with_operation("detach")
                    .with_backend(self.backend.name()))
                }
                Ok(_) => {}
                Err(e) if is_timeout(&e) || e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => {
                    return Err(Error::transport(e)
                        .with_operation("detach")
                        .with_backend(self.backend.name()))
                }
            }
        }
        Err(Error::new(
            ErrorKind::Failure,
            format!(
                "the peer did not answer close_notify within {} checks {:?} apart",
                checks, policy.interval
            ),
        )
        .with_operation("detach")
        .with_backend(self.backend.name()))
    }
}

/// A writer that shows what it writes to the ServerHello reader.
struct Tap<'a> {
    inner: &'a mut dyn Transport,
    hello: &'a mut ServerHelloReader,
}

impl io::Write for Tap<'_> {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(data)?;
        self.hello.observe_bytes(&data[..n]);
        Ok(n)
    }

    fn write_vectored(&mut self, bufs: &[io::IoSlice<'_>]) -> io::Result<usize> {
        let n = self.inner.write_vectored(bufs)?;
        let mut left = n;
        for buf in bufs {
            let take = left.min(buf.len());
            self.hello.observe_bytes(&buf[..take]);
            left -= take;
            if left == 0 {
                break;
            }
        }
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

fn drain_plaintext(session: &mut dyn Session, out: &mut Vec<u8>) -> Result<()> {
    let mut chunk = [0u8; 4096];
    loop {
        let n = session.read_plaintext(&mut chunk)?;
        if n == 0 {
            return Ok(());
        }
        out.extend_from_slice(&chunk[..n]);
    }
}

fn handshake_timeout() -> Error {
    Error::new(
        ErrorKind::HandshakeTimeout,
        "the handshake did not finish before its deadline",
    )
}

fn closed_in_handshake() -> Error {
    Error::new(
        ErrorKind::Closed,
        "the peer sent close_notify during the handshake",
    )
}
