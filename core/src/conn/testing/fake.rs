//! A scripted fake TLS engine: real record framing, no cryptography. The client
//! sends a handshake record `CH`, the server answers `SH`, the client finishes with
//! `FIN`; application data travels in clear in type-23 records; close_notify is the
//! alert `01 00`. Anything else is a `Failure`, with the alert queued as an engine
//! would.

use std::any::Any;
use std::collections::VecDeque;
use std::io;

use crate::{
    Backend, Capabilities, Capability, Error, ErrorKind, ImplementationInfo, NativeSession, Result,
    Role, ServerName, Session, SessionInfo, SessionRequest, VerifyResult,
};

/// The fake backend's registry name.
pub(crate) const NAME: &str = "fake";

/// Makes [`FakeSession`]s; `identity: false` makes servers without one,
/// `chooses_by_name` servers that choose (and fail to) when told the SNI.
pub(crate) struct FakeBackend {
    identity: bool,
    chooses_by_name: bool,
}

/// The fake backend.
pub(crate) static FAKE: FakeBackend = FakeBackend {
    identity: true,
    chooses_by_name: false,
};

/// The fake backend whose servers have no identity (SPEC SNI-11).
pub(crate) static FAKE_WITHOUT_IDENTITY: FakeBackend = FakeBackend {
    identity: false,
    chooses_by_name: false,
};

/// The fake backend whose servers find no identity for any name (SPEC SNI-10).
pub(crate) static FAKE_NO_NAME_MATCHES: FakeBackend = FakeBackend {
    identity: true,
    chooses_by_name: true,
};

impl Backend for FakeBackend {
    fn name(&self) -> &'static str {
        NAME
    }

    fn capabilities(&self) -> Capabilities {
        Capabilities::from_list(&[Capability::DeferredRole])
    }

    fn precedence(&self) -> u32 {
        u32::MAX
    }

    fn info(&self) -> ImplementationInfo {
        ImplementationInfo {
            name: NAME,
            crate_version: "test".into(),
            library: "scripted fake".into(),
        }
    }

    fn new_session(&self, request: SessionRequest<'_>) -> Result<Box<dyn Session>> {
        let mut session = FakeSession::new(request.role);
        session.lacks_identity = !self.identity;
        session.chooses_by_name = self.chooses_by_name;
        Ok(Box::new(session))
    }
}

/// Record content types of the fake protocol (TLS's own).
const ALERT: u8 = 21;
const HANDSHAKE: u8 = 22;
const APPLICATION_DATA: u8 = 23;

/// The fake engine's state.
pub(crate) struct FakeSession {
    role: Option<Role>,
    handshaking: bool,
    started: bool,
    output: Vec<u8>,
    plaintext: VecDeque<u8>,
    peer_closed: bool,
    failed: bool,
    lacks_identity: bool,
    chooses_by_name: bool,
}

/// One whole record of the fake protocol.
pub(crate) fn record(content_type: u8, body: &[u8]) -> Vec<u8> {
    let mut out = vec![content_type, 3, 3];
    out.extend_from_slice(&(body.len() as u16).to_be_bytes());
    out.extend_from_slice(body);
    out
}

/// The fake close_notify record.
pub(crate) fn close_notify() -> Vec<u8> {
    record(ALERT, &[1, 0])
}

/// A fake application-data record.
pub(crate) fn data(body: &[u8]) -> Vec<u8> {
    record(APPLICATION_DATA, body)
}

/// The fake ClientHello.
pub(crate) fn client_hello() -> Vec<u8> {
    record(HANDSHAKE, b"CH")
}

impl FakeSession {
    fn new(role: Option<Role>) -> FakeSession {
        let mut session = FakeSession {
            role: None,
            handshaking: true,
            started: false,
            output: Vec::new(),
            plaintext: VecDeque::new(),
            peer_closed: false,
            failed: false,
            lacks_identity: false,
            chooses_by_name: false,
        };
        if let Some(role) = role {
            session.start(role);
        }
        session
    }

    fn start(&mut self, role: Role) {
        self.role = Some(role);
        if role == Role::Client && !self.started {
            self.started = true;
            self.output.extend_from_slice(&client_hello());
        }
    }

    fn refuse(&mut self, why: &str) -> Error {
        self.failed = true;
        self.output.extend_from_slice(&record(ALERT, &[2, 10])); // unexpected_message
        Error::new(ErrorKind::Failure, format!("fake engine: {why}"))
    }
}

impl Session for FakeSession {
    fn set_role(&mut self, role: Role, _server_name: Option<&ServerName>) -> Result<()> {
        self.start(role);
        Ok(())
    }

    fn read_tls(&mut self, whole: &[u8]) -> Result<()> {
        assert!(whole.len() >= 5, "core hands whole records only");
        let claimed = usize::from(u16::from_be_bytes([whole[3], whole[4]]));
        if whole.len() == 5 && claimed > 16_384 + 2_048 {
            // An over-long header comes alone: refuse it, as libraries do.
            return Err(
                Error::new(ErrorKind::Failure, "fake engine: record too long")
                    .with_alert(crate::Alert::RecordOverflow),
            );
        }
        let body = &whole[5..];
        assert_eq!(
            usize::from(u16::from_be_bytes([whole[3], whole[4]])),
            body.len(),
            "core hands exactly one whole record"
        );
        if self.failed {
            return Err(Error::new(ErrorKind::Failure, "fake engine: failed before"));
        }
        match (whole[0], self.role, body) {
            (HANDSHAKE, Some(Role::Server), b"CH") if self.handshaking => {
                self.output.extend_from_slice(&record(HANDSHAKE, b"SH"));
                Ok(())
            }
            (HANDSHAKE, Some(Role::Client), b"SH") if self.handshaking => {
                self.output.extend_from_slice(&record(HANDSHAKE, b"FIN"));
                self.handshaking = false;
                Ok(())
            }
            (HANDSHAKE, Some(Role::Server), b"FIN") if self.handshaking => {
                self.handshaking = false;
                Ok(())
            }
            (APPLICATION_DATA, _, _) if !self.handshaking => {
                self.plaintext.extend(body);
                Ok(())
            }
            (ALERT, _, [1, 0]) => {
                self.peer_closed = true;
                Ok(())
            }
            (ALERT, _, _) => {
                self.failed = true;
                Err(Error::new(
                    ErrorKind::Failure,
                    "fake engine: fatal alert received",
                ))
            }
            _ => Err(self.refuse("unexpected record")),
        }
    }

    fn write_tls(&mut self, out: &mut dyn io::Write) -> io::Result<usize> {
        if self.output.is_empty() {
            return Ok(0);
        }
        let n = out.write(&self.output)?;
        self.output.drain(..n);
        Ok(n)
    }

    fn wants_write(&self) -> bool {
        !self.output.is_empty()
    }

    fn is_handshaking(&self) -> bool {
        self.handshaking
    }

    fn lacks_identity(&self) -> bool {
        self.lacks_identity && self.role == Some(Role::Server)
    }

    fn client_hello_read(&mut self, _sni: Option<&str>) -> Result<()> {
        match self.chooses_by_name {
            true => Err(Error::new(
                ErrorKind::X509Lookup,
                "fake engine: no identity for this name",
            )),
            false => Ok(()),
        }
    }

    fn read_plaintext(&mut self, buf: &mut [u8]) -> Result<usize> {
        let n = buf.len().min(self.plaintext.len());
        for (slot, octet) in buf.iter_mut().zip(self.plaintext.drain(..n)) {
            *slot = octet;
        }
        Ok(n)
    }

    fn write_plaintext(&mut self, data: &[u8]) -> Result<usize> {
        let n = data.len().min(16_384);
        self.output
            .extend_from_slice(&record(APPLICATION_DATA, &data[..n]));
        Ok(n)
    }

    fn send_close_notify(&mut self) {
        self.output.extend_from_slice(&close_notify());
    }

    fn received_close_notify(&self) -> bool {
        self.peer_closed
    }

    fn info(&self) -> SessionInfo {
        SessionInfo::default()
    }

    fn verify_result(&self) -> Option<VerifyResult> {
        None
    }

    fn native_context(&self) -> Option<&(dyn Any + Send + Sync)> {
        None
    }

    fn native_connection(&self) -> Option<&dyn Any> {
        None
    }

    fn into_native(self: Box<Self>) -> Option<NativeSession> {
        None
    }
}
