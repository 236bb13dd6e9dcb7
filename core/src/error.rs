//! The one error type of unitls, classified by the SPEC's ERR kinds (SPEC ERR-1..9).

use std::error::Error as StdError;
use std::sync::Arc;
use std::{fmt, io};

use crate::{Alert, Capability, Role};

/// A boxed error from a user callback or a backend library.
pub type BoxError = Box<dyn StdError + Send + Sync + 'static>;

/// `Result` with [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// What went wrong, as SPEC ERR-1 classifies it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The TLS session was closed cleanly (close_notify) where it was still needed.
    Closed,
    /// The transport failed, or ended without close_notify (`UnexpectedEof`).
    Syscall,
    /// Bad input, a fatal alert, a peer that does not speak TLS.
    Failure,
    /// No protocol version or cipher suite in common (a kind of Failure).
    VersionOrCipherMismatch,
    /// No certificate could be selected (server without identity, callback error).
    X509Lookup,
    /// The handshake did not finish before its deadline.
    HandshakeTimeout,
    /// The read or write timeout the user set on the transport ran out; nothing was
    /// lost and the session is still usable: call again (SPEC ERR-8, STREAM-8).
    Timeout,
    /// The peer's certificate was refused, for the reason given.
    VerificationFailure(VerifyReason),
    /// TLS is already attached to the stream.
    AlreadyAttached,
    /// TLS is not attached to the stream.
    NotAttached,
    /// The backend cannot do what was asked; the capability names what is missing.
    Unsupported(Capability),
    /// An option or argument is invalid.
    InvalidArgument,
}

impl ErrorKind {
    /// Whether this kind counts as a TLS failure (SPEC ERR-1: a version or cipher
    /// mismatch is a Failure too).
    pub const fn is_failure(self) -> bool {
        matches!(
            self,
            ErrorKind::Failure | ErrorKind::VersionOrCipherMismatch
        )
    }

    const fn describe(self) -> &'static str {
        match self {
            ErrorKind::Closed => "TLS session closed",
            ErrorKind::Syscall => "transport error",
            ErrorKind::Failure => "TLS failure",
            ErrorKind::VersionOrCipherMismatch => "no protocol version or cipher suite in common",
            ErrorKind::X509Lookup => "no certificate could be selected",
            ErrorKind::HandshakeTimeout => "handshake timed out",
            ErrorKind::Timeout => "the transport's timeout ran out (the session is still usable)",
            ErrorKind::VerificationFailure(_) => "certificate verification failed",
            ErrorKind::AlreadyAttached => "TLS is already attached",
            ErrorKind::NotAttached => "TLS is not attached",
            ErrorKind::Unsupported(_) => "not supported by this backend",
            ErrorKind::InvalidArgument => "invalid argument",
        }
    }
}

/// Why a certificate was refused (SPEC VERIFY-13).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum VerifyReason {
    /// The chain does not lead to a trusted root.
    UnknownIssuer,
    /// A certificate in the chain has expired.
    Expired,
    /// A certificate in the chain is not valid yet.
    NotYetValid,
    /// The leaf is not valid for the reference name.
    NameMismatch,
    /// The leaf's extended key usage does not allow this use.
    InvalidPurpose,
    /// The peer sent no certificate where one was required.
    NoCertificate,
    /// The user's verify callback rejected the chain.
    CallbackRejected,
    /// Any other reason; the error's source has the detail.
    Other,
}

impl fmt::Display for VerifyReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self, f)
    }
}

/// Classification of an `io::Error` returned by stream I/O (SPEC ERR-8).
///
/// One mapping for timeouts: on a blocking transport, the handshake deadline running
/// out and the user's own read or write timeout running out are both `Timeout` (the
/// error's kind tells them apart: `HandshakeTimeout` or `Timeout`; after the latter
/// the session is still usable). On a non-blocking transport nothing times out: an
/// operation that cannot go on returns `io::ErrorKind::WouldBlock`, which means "call
/// again" and is `NotTls` here.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum FailureIndicator {
    /// The handshake deadline passed.
    Timeout,
    /// The TLS session was closed cleanly.
    Closed,
    /// Another TLS error, of this kind.
    Tls(ErrorKind),
    /// Not a unitls error (a plain transport error).
    NotTls,
}

/// The error of every unitls operation (SPEC ERR-1..9).
///
/// It classifies ([`kind`](Error::kind)), explains (its `Display` names the backend and
/// the operation) and keeps the cause ([`source`](StdError::source) reaches the
/// backend's own error). It converts into `std::io::Error` and back (SPEC ERR-3).
pub struct Error {
    kind: ErrorKind,
    backend: Option<&'static str>,
    operation: Option<&'static str>,
    message: String,
    alert: Option<Alert>,
    io_kind: Option<io::ErrorKind>,
    /// Shared, so a sticky error reported again keeps its downcastable cause.
    source: Option<Arc<dyn StdError + Send + Sync + 'static>>,
}

impl Error {
    /// An error of `kind` with a message saying what happened and what to fix.
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Error {
        Error {
            kind,
            backend: None,
            operation: None,
            message: message.into(),
            alert: None,
            io_kind: None,
            source: None,
        }
    }

    /// `InvalidArgument` with `message`.
    pub fn invalid(message: impl Into<String>) -> Error {
        Error::new(ErrorKind::InvalidArgument, message)
    }

    /// `Unsupported(capability)` on `backend`.
    pub fn unsupported(capability: Capability, backend: &'static str) -> Error {
        Error::new(
            ErrorKind::Unsupported(capability),
            format!("the backend does not declare the {capability} capability"),
        )
        .with_backend(backend)
    }

    /// `Unsupported(capability)`: `backend` does not declare it for `role`, for the
    /// library limitation `reason` when the backend gave one.
    pub fn unsupported_for(
        capability: Capability,
        role: Role,
        reason: Option<&str>,
        backend: &'static str,
    ) -> Error {
        let role = match role {
            Role::Client => "client",
            Role::Server => "server",
        };
        let message = match reason {
            Some(reason) => format!(
                "the backend does not declare the {capability} capability for the {role} \
                 role: {reason}"
            ),
            None => format!(
                "the backend does not declare the {capability} capability for the {role} role"
            ),
        };
        Error::new(ErrorKind::Unsupported(capability), message).with_backend(backend)
    }

    /// `VerificationFailure(reason)` with `message`.
    pub fn verification(reason: VerifyReason, message: impl Into<String>) -> Error {
        Error::new(ErrorKind::VerificationFailure(reason), message)
    }

    /// A transport error (`Syscall`), keeping `err` as the source and its kind.
    pub fn transport(err: io::Error) -> Error {
        let io_kind = err.kind();
        Error {
            io_kind: Some(io_kind),
            ..Error::new(ErrorKind::Syscall, "").with_source(err)
        }
    }

    /// The user's read or write timeout on the transport ran out (`Timeout`): nothing
    /// was lost, the session is still usable (SPEC ERR-8, STREAM-8).
    pub fn timeout(err: io::Error) -> Error {
        Error::new(
            ErrorKind::Timeout,
            "call again to go on, or raise the timeout with set_read_timeout/set_write_timeout",
        )
        .with_source(err)
    }

    /// The transport ended without close_notify (SPEC REC-2, HS-4).
    pub fn unexpected_eof(message: impl Into<String>) -> Error {
        Error {
            io_kind: Some(io::ErrorKind::UnexpectedEof),
            ..Error::new(ErrorKind::Syscall, message)
        }
    }

    /// Recovers a unitls error carried inside an `io::Error`, or wraps a transport error.
    pub fn from_io(err: io::Error) -> Error {
        if err.get_ref().is_some_and(|inner| inner.is::<Error>()) {
            let inner = err.into_inner().expect("checked above");
            return *inner.downcast::<Error>().expect("checked above");
        }
        Error::transport(err)
    }

    /// Names the backend the error comes from.
    pub fn with_backend(mut self, backend: &'static str) -> Error {
        self.backend.get_or_insert(backend);
        self
    }

    /// Puts `subject` (what the error is about, e.g. whose certificate) before the
    /// message.
    pub(crate) fn about(mut self, subject: &str) -> Error {
        self.message = if self.message.is_empty() {
            subject.to_string()
        } else {
            format!("{subject}: {}", self.message)
        };
        self
    }

    /// Names the operation that failed (`"attach"`, `"read"`, …), unless already named.
    pub fn with_operation(mut self, operation: &'static str) -> Error {
        self.operation.get_or_insert(operation);
        self
    }

    /// Keeps `source` as the cause.
    pub fn with_source(mut self, source: impl Into<BoxError>) -> Error {
        self.source = Some(Arc::from(source.into()));
        self
    }

    /// Records the alert that ended the session.
    pub fn with_alert(mut self, alert: Alert) -> Error {
        self.alert = Some(alert);
        self
    }

    /// What went wrong.
    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// The backend the error comes from, if any.
    pub fn backend(&self) -> Option<&'static str> {
        self.backend
    }

    /// The operation that failed, if known.
    pub fn operation(&self) -> Option<&'static str> {
        self.operation
    }

    /// The alert, sent or received, that ended the session (SPEC ERR-6).
    pub fn alert(&self) -> Option<Alert> {
        self.alert
    }

    /// The reason of a `VerificationFailure`.
    pub fn verify_reason(&self) -> Option<VerifyReason> {
        match self.kind {
            ErrorKind::VerificationFailure(reason) => Some(reason),
            _ => None,
        }
    }

    /// The `io::ErrorKind` this error maps to (SPEC ERR-3).
    pub fn io_kind(&self) -> io::ErrorKind {
        match self.kind {
            ErrorKind::HandshakeTimeout | ErrorKind::Timeout => io::ErrorKind::TimedOut,
            ErrorKind::Syscall => self.io_kind.unwrap_or(io::ErrorKind::Other),
            ErrorKind::Closed => io::ErrorKind::NotConnected,
            ErrorKind::AlreadyAttached | ErrorKind::NotAttached | ErrorKind::InvalidArgument => {
                io::ErrorKind::InvalidInput
            }
            ErrorKind::Unsupported(_) => io::ErrorKind::Unsupported,
            _ => io::ErrorKind::InvalidData,
        }
    }

    /// A copy for reporting a sticky fatal error again (SPEC REC-8); the source is the
    /// same one, still downcastable to the backend's own error.
    pub(crate) fn duplicate(&self) -> Error {
        Error {
            kind: self.kind,
            backend: self.backend,
            operation: self.operation,
            message: self.message.clone(),
            alert: self.alert,
            io_kind: self.io_kind,
            source: self.source.clone(),
        }
    }
}

/// Classifies an `io::Error` from stream I/O (SPEC ERR-8; LispWorks
/// `async-io-ssl-failure-indicator-from-failure-args`).
pub fn failure_indicator(err: &io::Error) -> FailureIndicator {
    match err.get_ref().and_then(|e| e.downcast_ref::<Error>()) {
        None => FailureIndicator::NotTls,
        Some(e) => match e.kind {
            ErrorKind::HandshakeTimeout | ErrorKind::Timeout => FailureIndicator::Timeout,
            ErrorKind::Closed => FailureIndicator::Closed,
            kind => FailureIndicator::Tls(kind),
        },
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.backend.unwrap_or("unitls"))?;
        if let Some(op) = self.operation {
            write!(f, ": {op}")?;
        }
        write!(f, ": {}", self.kind.describe())?;
        match self.kind {
            ErrorKind::VerificationFailure(reason) => write!(f, " ({reason})")?,
            ErrorKind::Unsupported(cap) => write!(f, " ({cap})")?,
            _ => {}
        }
        if !self.message.is_empty() {
            write!(f, ": {}", self.message)?;
        }
        if self.kind == ErrorKind::VerificationFailure(VerifyReason::UnknownIssuer) {
            f.write_str(
                " — the issuing CA is not trusted: add it with ContextBuilder::add_trust, \
                 or trust only it with trust_only",
            )?;
        }
        if let Some(alert) = self.alert {
            write!(f, " [alert {alert}]")?;
        }
        if let Some(source) = &self.source {
            write!(f, ": {source}")?;
        }
        Ok(())
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Error")
            .field("kind", &self.kind)
            .field("backend", &self.backend)
            .field("operation", &self.operation)
            .field("message", &self.message)
            .field("alert", &self.alert)
            .field("source", &self.source)
            .finish()
    }
}

impl StdError for Error {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        self.source
            .as_deref()
            .map(|s| s as &(dyn StdError + 'static))
    }
}

impl From<Error> for io::Error {
    /// Wraps the error in an `io::Error` of [`Error::io_kind`]; `get_ref()` downcasts
    /// back to it (SPEC ERR-3).
    fn from(err: Error) -> io::Error {
        io::Error::new(err.io_kind(), err)
    }
}

impl From<io::Error> for Error {
    /// The unitls error an `io::Error` from a stream carries, or a transport error
    /// (`Syscall`) around a plain one ([`Error::from_io`]), so `?` works both ways:
    ///
    /// ```
    /// use std::io::Read;
    /// fn first_octet(stream: &mut impl Read) -> unitls_core::Result<u8> {
    ///     let mut octet = [0u8; 1];
    ///     stream.read_exact(&mut octet)?; // io::Error → unitls_core::Error
    ///     Ok(octet[0])
    /// }
    /// assert_eq!(first_octet(&mut &b"x"[..]).unwrap(), b'x');
    /// let eof = first_octet(&mut &b""[..]).unwrap_err();
    /// assert_eq!(eof.kind(), unitls_core::ErrorKind::Syscall);
    /// ```
    fn from(err: io::Error) -> Error {
        Error::from_io(err)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn io_round_trip_keeps_the_kind_and_source() {
        let err = Error::verification(VerifyReason::Expired, "leaf expired")
            .with_backend("rustls")
            .with_operation("attach")
            .with_source(io::Error::other("native detail"));
        let io_err: io::Error = err.into();
        assert_eq!(io_err.kind(), io::ErrorKind::InvalidData);
        assert_eq!(
            failure_indicator(&io_err),
            FailureIndicator::Tls(ErrorKind::VerificationFailure(VerifyReason::Expired))
        );
        let back = Error::from_io(io_err);
        assert_eq!(back.verify_reason(), Some(VerifyReason::Expired));
        assert!(back.source().unwrap().to_string().contains("native detail"));
        let text = back.to_string();
        assert!(text.starts_with("rustls: attach:"), "{text}");
    }

    #[test]
    fn io_kinds_follow_spec_err_3() {
        let cases = [
            (ErrorKind::HandshakeTimeout, io::ErrorKind::TimedOut),
            (ErrorKind::Timeout, io::ErrorKind::TimedOut),
            (ErrorKind::Closed, io::ErrorKind::NotConnected),
            (ErrorKind::AlreadyAttached, io::ErrorKind::InvalidInput),
            (ErrorKind::NotAttached, io::ErrorKind::InvalidInput),
            (ErrorKind::InvalidArgument, io::ErrorKind::InvalidInput),
            (
                ErrorKind::Unsupported(Capability::Alpn),
                io::ErrorKind::Unsupported,
            ),
            (ErrorKind::Failure, io::ErrorKind::InvalidData),
            (ErrorKind::X509Lookup, io::ErrorKind::InvalidData),
        ];
        for (kind, io_kind) in cases {
            assert_eq!(Error::new(kind, "").io_kind(), io_kind, "{kind:?}");
        }
        assert_eq!(
            Error::unexpected_eof("eof").io_kind(),
            io::ErrorKind::UnexpectedEof
        );
    }

    #[test]
    fn question_mark_converts_both_ways() {
        fn tls() -> Result<()> {
            Err(Error::new(ErrorKind::Closed, "closed"))
        }
        fn io_side() -> io::Result<()> {
            tls()?;
            Ok(())
        }
        fn back() -> Result<()> {
            io_side()?;
            Ok(())
        }
        assert_eq!(back().unwrap_err().kind(), ErrorKind::Closed);
    }

    /// A sticky error reported again keeps a cause that downcasts (ERR-9).
    #[test]
    fn duplicate_keeps_a_downcastable_source() {
        let err = Error::new(ErrorKind::Failure, "engine").with_source(io::Error::new(
            io::ErrorKind::InvalidData,
            "the backend's own error",
        ));
        let again = err.duplicate();
        let cause = again.source().expect("a source");
        let io_cause = cause
            .downcast_ref::<io::Error>()
            .expect("still an io::Error");
        assert_eq!(io_cause.kind(), io::ErrorKind::InvalidData);
        assert_eq!(again.to_string(), err.to_string());
    }

    #[test]
    fn plain_io_errors_are_not_tls() {
        let err = io::Error::new(io::ErrorKind::ConnectionRefused, "refused");
        assert_eq!(failure_indicator(&err), FailureIndicator::NotTls);
    }

    #[test]
    fn error_is_send_sync_static() {
        fn check<T: Send + Sync + 'static>() {}
        check::<Error>();
    }
}
