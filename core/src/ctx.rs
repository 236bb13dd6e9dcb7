//! The ctx spec: where a connection's TLS configuration comes from (SPEC CTX;
//! LispWorks `:ssl-ctx`).

use std::sync::Arc;

use crate::{AbstractContext, NativeContext, NativeSession, NativeTypes, Selector};

/// Where an attach takes its TLS configuration from (SPEC §1, CTX-1..10).
#[derive(Debug, Default)]
#[non_exhaustive]
pub enum CtxSpec {
    /// A fresh context for this connection, TLS 1.2–1.3 with secure defaults; the
    /// same as `Protocol(Selector::Flexible)` (LispWorks `t`; SPEC CTX-2).
    #[default]
    Default,
    /// A fresh context for this connection allowing the selected versions; legacy
    /// selectors are refused (SPEC CTX-3, CTX-4).
    Protocol(Selector),
    /// The user's native context, shared: unitls makes only the per-connection
    /// object from it, never alters or frees it, and runs no context hook
    /// (SPEC CTX-6).
    Context(NativeContext),
    /// The user's native per-connection object: unitls only binds the transport and
    /// hands it back on detach (SPEC CTX-7).
    Session(NativeSession),
    /// An abstract context (SPEC ABS).
    Abstract(Arc<AbstractContext>),
}

impl CtxSpec {
    /// `CtxSpec::Context` with backend `B`'s native context.
    pub fn context<B: NativeTypes>(context: B::Context) -> CtxSpec {
        CtxSpec::Context(NativeContext::new::<B>(context))
    }

    /// `CtxSpec::Session` with backend `B`'s per-connection object.
    pub fn session<B: NativeTypes>(connection: B::Connection) -> CtxSpec {
        CtxSpec::Session(NativeSession::new::<B>(connection))
    }
}

impl From<Arc<AbstractContext>> for CtxSpec {
    fn from(context: Arc<AbstractContext>) -> CtxSpec {
        CtxSpec::Abstract(context)
    }
}

impl From<Selector> for CtxSpec {
    fn from(selector: Selector) -> CtxSpec {
        CtxSpec::Protocol(selector)
    }
}
