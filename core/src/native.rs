//! The backend's own objects, handed to the user statically typed (SPEC CB-6).
//!
//! Core names no backend type. Each backend crate describes its native types once, by
//! implementing [`NativeTypes`] on a marker type (e.g. `unitls_rustls::Rustls`); the
//! user names that marker when installing a hook or wrapping a native object, and gets
//! the backend's real types in the closure's signature — no `dyn Any` downcasting in
//! user code. Internally core stores them type-erased, keyed by backend name.

use std::any::Any;
use std::collections::HashMap;
use std::fmt;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::Arc;

use crate::{BoxError, Error, ErrorKind, Result};

/// A backend's native types, declared by the backend crate on a marker type.
pub trait NativeTypes: 'static {
    /// The backend's name in the registry (`"rustls"`, `"openssl"`, …).
    const NAME: &'static str;
    /// The native context a user can pass as `CtxSpec::Context` (shared, never
    /// released by unitls).
    type Context: Send + Sync + 'static;
    /// What the context hook receives: the context while it is built.
    type ContextBuilder: 'static;
    /// The per-connection object: what the connection hook receives, what
    /// `CtxSpec::Session` takes and `detach_ssl` hands back.
    type Connection: Send + 'static;
}

/// A native hook over the native type `N`: a context hook or a connection hook.
pub type Hook<N> = dyn Fn(&mut N) -> std::result::Result<(), BoxError> + Send + Sync;

/// The context hook type of backend `B`.
pub type ContextHook<B> = Hook<<B as NativeTypes>::ContextBuilder>;
/// The connection hook type of backend `B`.
pub type ConnectionHook<B> = Hook<<B as NativeTypes>::Connection>;

/// A user's native context, for `CtxSpec::Context`, remembering its backend.
pub struct NativeContext {
    backend: &'static str,
    value: Box<dyn Any + Send + Sync>,
}

impl NativeContext {
    /// Wraps backend `B`'s native context.
    pub fn new<B: NativeTypes>(context: B::Context) -> NativeContext {
        NativeContext {
            backend: B::NAME,
            value: Box::new(context),
        }
    }

    /// The backend the context belongs to.
    pub fn backend(&self) -> &'static str {
        self.backend
    }

    /// The context, if it belongs to backend `B`.
    pub fn get<B: NativeTypes>(&self) -> Option<&B::Context> {
        self.value.downcast_ref()
    }
}

impl fmt::Debug for NativeContext {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "NativeContext({})", self.backend)
    }
}

/// A user's native per-connection object, for `CtxSpec::Session`; moved in at attach
/// and handed back by `detach_ssl` (SPEC CTX-7).
pub struct NativeSession {
    backend: &'static str,
    value: Box<dyn Any + Send>,
}

impl NativeSession {
    /// Wraps backend `B`'s per-connection object.
    pub fn new<B: NativeTypes>(connection: B::Connection) -> NativeSession {
        NativeSession {
            backend: B::NAME,
            value: Box::new(connection),
        }
    }

    /// The backend the object belongs to.
    pub fn backend(&self) -> &'static str {
        self.backend
    }

    /// The object, if it belongs to backend `B`.
    pub fn get<B: NativeTypes>(&self) -> Option<&B::Connection> {
        self.value.downcast_ref()
    }

    /// Unwraps the object, or gives `self` back if it belongs to another backend.
    pub fn into_inner<B: NativeTypes>(self) -> std::result::Result<B::Connection, NativeSession> {
        if self.value.is::<B::Connection>() {
            Ok(*self.value.downcast().expect("type checked above"))
        } else {
            Err(self)
        }
    }
}

impl fmt::Debug for NativeSession {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "NativeSession({})", self.backend)
    }
}

/// Native hooks for any number of backends; only those of the backend in use
/// run (SPEC ABS-8).
#[derive(Clone, Default)]
pub struct NativeHooks {
    context: HashMap<&'static str, Arc<dyn Any + Send + Sync>>,
    connection: HashMap<&'static str, Arc<dyn Any + Send + Sync>>,
}

impl NativeHooks {
    /// Sets backend `B`'s context hook.
    pub fn set_context<B: NativeTypes>(
        &mut self,
        hook: impl Fn(&mut B::ContextBuilder) -> std::result::Result<(), BoxError>
            + Send
            + Sync
            + 'static,
    ) {
        let hook: Arc<ContextHook<B>> = Arc::new(hook);
        self.context.insert(B::NAME, Arc::new(hook));
    }

    /// Sets backend `B`'s per-connection hook.
    pub fn set_connection<B: NativeTypes>(
        &mut self,
        hook: impl Fn(&mut B::Connection) -> std::result::Result<(), BoxError> + Send + Sync + 'static,
    ) {
        let hook: Arc<ConnectionHook<B>> = Arc::new(hook);
        self.connection.insert(B::NAME, Arc::new(hook));
    }

    /// Runs backend `B`'s context hook, if one is set, on `builder`.
    pub fn run_context<B: NativeTypes>(
        &self,
        what: &'static str,
        builder: &mut B::ContextBuilder,
    ) -> Result<()> {
        match self
            .context
            .get(B::NAME)
            .and_then(|h| h.downcast_ref::<Arc<ContextHook<B>>>())
        {
            Some(hook) => run_user_callback(what, || hook(builder)),
            None => Ok(()),
        }
    }

    /// Runs backend `B`'s per-connection hook, if one is set, on `connection`.
    pub fn run_connection<B: NativeTypes>(
        &self,
        what: &'static str,
        connection: &mut B::Connection,
    ) -> Result<()> {
        match self
            .connection
            .get(B::NAME)
            .and_then(|h| h.downcast_ref::<Arc<ConnectionHook<B>>>())
        {
            Some(hook) => run_user_callback(what, || hook(connection)),
            None => Ok(()),
        }
    }

    /// Whether any hook is set for the backend named `backend`.
    pub fn has_any_for(&self, backend: &str) -> bool {
        self.context.contains_key(backend) || self.connection.contains_key(backend)
    }

    /// Whether no hook is set for any backend.
    pub fn is_empty(&self) -> bool {
        self.context.is_empty() && self.connection.is_empty()
    }

    /// Whether a per-connection hook is set for the backend named `backend`.
    pub fn has_connection_for(&self, backend: &str) -> bool {
        self.connection.contains_key(backend)
    }
}

impl fmt::Debug for NativeHooks {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NativeHooks")
            .field("context", &self.context.keys().collect::<Vec<_>>())
            .field("connection", &self.connection.keys().collect::<Vec<_>>())
            .finish()
    }
}

/// Runs a user callback: its `Err` becomes a `Failure` with it as source (SPEC CB-7),
/// and a panic is caught and reported as `Failure`, never crossing C frames or
/// aborting (SPEC CB-8).
pub fn run_user_callback<T>(
    what: &'static str,
    callback: impl FnOnce() -> std::result::Result<T, BoxError>,
) -> Result<T> {
    match catch_unwind(AssertUnwindSafe(callback)) {
        Ok(Ok(value)) => Ok(value),
        Ok(Err(err)) => Err(
            Error::new(ErrorKind::Failure, format!("the {what} callback failed")).with_source(err),
        ),
        Err(panic) => {
            let detail = panic
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "non-string panic payload".into());
            Err(Error::new(
                ErrorKind::Failure,
                format!("the {what} callback panicked: {detail}"),
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Fake;
    impl NativeTypes for Fake {
        const NAME: &'static str = "fake";
        type Context = String;
        type ContextBuilder = Vec<u8>;
        type Connection = u32;
    }

    #[test]
    fn hooks_run_with_native_types() {
        let mut hooks = NativeHooks::default();
        hooks.set_context::<Fake>(|b| {
            b.push(1);
            Ok(())
        });
        let mut builder = Vec::new();
        hooks
            .run_context::<Fake>("context hook", &mut builder)
            .unwrap();
        assert_eq!(builder, [1]);
        let mut conn = 7;
        hooks
            .run_connection::<Fake>("connection hook", &mut conn)
            .unwrap();
        assert!(hooks.has_any_for("fake") && !hooks.has_any_for("other"));
    }

    /// SPEC CB-7, CB-8: errors and panics become Failure.
    #[test]
    fn callback_errors_and_panics_are_failures() {
        let err = run_user_callback::<()>("test", || Err("nope".into())).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Failure);
        assert!(std::error::Error::source(&err).is_some());
        let err = run_user_callback::<()>("test", || panic!("boom")).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Failure);
        assert!(err.to_string().contains("boom"));
    }

    #[test]
    fn native_session_round_trip() {
        let s = NativeSession::new::<Fake>(5);
        assert_eq!(s.get::<Fake>(), Some(&5));
        assert_eq!(s.into_inner::<Fake>().ok(), Some(5));
    }
}
