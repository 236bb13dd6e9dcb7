//! The one thing the suite cannot do backend-neutrally: make the backend's own native
//! objects. Each backend's test crate implements this small adapter (the s2n-tls
//! harness idea: tiny per-library adapters, one shared suite).

use std::sync::atomic::AtomicUsize;
use std::sync::{Arc, Mutex};

use unitls_core::{AttachOptions, ContextBuilder, CtxSpec};

use crate::fixtures::Leaf;

/// Native fixtures of one backend.
pub trait NativeFixtures: Sync + Send {
    /// `CtxSpec::Context` with the backend's client context trusting `ca_pem` only.
    fn client_context(&self, ca_pem: &str) -> CtxSpec;

    /// `CtxSpec::Context` with the backend's server context presenting `leaf`.
    fn server_context(&self, leaf: &Leaf) -> CtxSpec;

    /// `options` plus a context hook (in the backend's native types) that
    /// counts its runs in `runs` and returns an error when `fail` is set.
    fn with_context_hook(
        &self,
        options: AttachOptions,
        runs: Arc<AtomicUsize>,
        fail: bool,
    ) -> AttachOptions;

    /// `options` plus a connection hook that panics.
    fn with_panicking_connection_hook(&self, options: AttachOptions) -> AttachOptions;

    /// `CtxSpec::Session` with the backend's own client connection trusting `ca_pem`
    /// and verifying `host`, its role set; `None` where the library has no
    /// per-connection object before the handshake.
    fn client_session(&self, ca_pem: &str, host: &str) -> Option<CtxSpec>;

    /// `options` plus context and connection hooks that append `"ctx"` and
    /// `"ssl"` to `log` when they run (the latter only where the backend has a
    /// per-connection object).
    fn with_logging_callbacks(&self, options: AttachOptions, log: Log) -> AttachOptions;

    /// `builder` plus the abstract context's own hooks, appending `"abstract-ctx"`
    /// and `"abstract-ssl"` to `log`.
    fn with_logging_hooks(&self, builder: ContextBuilder, log: Log) -> ContextBuilder;
}

/// The order in which callbacks ran.
pub type Log = Arc<Mutex<Vec<&'static str>>>;
