//! The backend interface: what a TLS library crate implements to plug into unitls,
//! and what core hands it. Users of unitls need none of this; it is public so that
//! backend crates (and the conformance suite) can be written outside core.
//!
//! The crate root holds what users call and the types in those calls; this module
//! holds what only a backend builds or reads: the [`Backend`] and [`Session`] traits,
//! the [`NativeTypes`] declaration of a backend's own types and the [`NativeHooks`]
//! that carry user hooks to it, an abstract context's [`ContextOptions`] and
//! [`Material`] as a backend reads them, and the registry a backend crate registers
//! in. (The facade re-exports it as `unitls::backend`, as rustls keeps `crypto`.)

use std::fmt;
use std::sync::Arc;

use crate::{
    AbstractContext, Capabilities, ImplementationInfo, NativeContext, NativeSession, Result, Role,
    ServerName, VersionRange,
};

pub use crate::cert_request::ClientCertCallback;
pub use crate::context::{ContextOptions, KeyLogCallback, Material, SniCallback};
pub use crate::native::{
    run_user_callback, ConnectionHook, ContextHook, Hook, NativeHooks, NativeTypes,
};
pub use crate::registry::{register, registered};
pub use crate::session::{Session, SessionInfo};
pub use crate::trust::Trust;
pub use crate::verify::{callback_rejection, decide_peer, PeerDecision, Tolerance, VerifyCallback};

/// An ungated requirement a backend's library cannot meet and core cannot
/// compensate for (SPEC §0 "deviation"), with the limitation named.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Deviation {
    /// The SPEC ID.
    pub spec_id: &'static str,
    /// The library limitation: crate, version, what it does.
    pub limitation: &'static str,
}

/// Where a session's configuration comes from.
pub enum SessionConfig<'a> {
    /// A fresh context for this connection alone, allowing these versions, with the
    /// SEC defaults and client verification against the system roots (SPEC CTX-2).
    Protocol(VersionRange),
    /// The user's native context (SPEC CTX-6).
    Context(&'a NativeContext),
    /// The user's native per-connection object (SPEC CTX-7): only bind I/O.
    Session(NativeSession),
    /// An abstract context (SPEC ABS).
    Abstract(&'a Arc<AbstractContext>),
}

/// What core asks a backend to make at attach (or at the role pick); core makes it,
/// backends read it (more fields may come).
#[non_exhaustive]
pub struct SessionRequest<'a> {
    /// The role, or `None` to defer it (backends declaring `DeferredRole` only).
    pub role: Option<Role>,
    /// Where the configuration comes from.
    pub config: SessionConfig<'a>,
    /// SNI and reference name for a client.
    pub server_name: Option<&'a ServerName>,
    /// Whether a client checks the host name (false without a name under a danger
    /// option).
    pub verify_hostname: bool,
    /// The attach's `context_hook` and `connection_hook` callbacks.
    pub hooks: &'a NativeHooks,
}

/// A TLS library plugged into unitls. Backend crates expose one `static` value.
pub trait Backend: Send + Sync + 'static {
    /// The registry name: `"openssl"`, `"boring"`, `"rustls"` or `"native-tls"`.
    fn name(&self) -> &'static str;

    /// The capabilities this backend declares, fixed for the process (SPEC IMPL-8).
    fn capabilities(&self) -> Capabilities;

    /// Where this backend stands in the default precedence (SPEC IMPL-3): of the
    /// registered backends, the one with the lowest value is the default, whatever
    /// the order they registered in (ties go by name). The four backends of this
    /// workspace use 10 (rustls), 20 (openssl), 30 (boring) and 40 (native-tls).
    fn precedence(&self) -> u32;

    /// Requirements this backend's library cannot meet (SPEC §0).
    fn deviations(&self) -> &'static [Deviation] {
        &[]
    }

    /// Crate and library versions.
    fn info(&self) -> ImplementationInfo;

    /// One-time library set-up; safe to call repeatedly and concurrently (SPEC INIT-2).
    fn ensure_initialized(&self) -> Result<()> {
        Ok(())
    }

    /// Checks that an identity can serve on this backend (the key matches the leaf,
    /// the key type is supported), at context creation (SPEC KEY-6).
    fn check_identity(&self, material: &Material) -> Result<()> {
        let _ = material;
        Ok(())
    }

    /// Whether the library may accept a host name through the subject CN when the
    /// certificate has no DNS subjectAltName; core then re-checks (SPEC VERIFY-6).
    fn may_match_subject_cn(&self) -> bool {
        false
    }

    /// Makes the per-connection session, running the callbacks in SPEC CB-3 order.
    fn new_session(&self, request: SessionRequest<'_>) -> Result<Box<dyn Session>>;
}

impl fmt::Debug for dyn Backend {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Backend({})", self.name())
    }
}
