//! The session and what it is made from: the configuration owned until the session
//! exists, and the live-object counting of every session (SPEC OWN-1, SIDE-10).

use std::sync::Arc;

use crate::{
    registry, AbstractContext, NativeContext, NativeHooks, NativeSession, Session, SessionConfig,
    VersionRange,
};

/// The configuration a session is made from, owned until the session exists.
pub(crate) enum OwnedConfig {
    Protocol(VersionRange),
    Context(NativeContext),
    Session(NativeSession),
    Abstract(Arc<AbstractContext>),
}

impl OwnedConfig {
    pub(crate) fn as_request(&mut self) -> SessionConfig<'_> {
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

/// A session counted in the live-object counters while it exists (SPEC OWN-1).
pub(crate) struct Counted {
    live: &'static std::sync::atomic::AtomicUsize,
    inner: Option<Box<dyn Session>>,
}

impl Counted {
    pub(crate) fn new(backend: &'static str, inner: Box<dyn Session>) -> Counted {
        Counted {
            live: registry::session_made(backend),
            inner: Some(inner),
        }
    }

    pub(crate) fn get(&self) -> &dyn Session {
        self.inner.as_deref().expect("present until into_native")
    }

    pub(crate) fn get_mut(&mut self) -> &mut dyn Session {
        self.inner
            .as_deref_mut()
            .expect("present until into_native")
    }

    pub(crate) fn into_native(mut self) -> Option<NativeSession> {
        self.inner.take().and_then(|s| s.into_native())
    }
}

impl Drop for Counted {
    fn drop(&mut self) {
        self.live.fetch_sub(1, std::sync::atomic::Ordering::SeqCst);
    }
}
