//! The one thing the suite cannot do backend-neutrally: make the backend's own native
//! objects. Each backend's test crate implements this small adapter (the s2n-tls
//! harness idea: tiny per-library adapters, one shared suite).

use std::sync::atomic::AtomicUsize;
use std::sync::Arc;

use unitls_core::{AttachOptions, CtxSpec};

use crate::fixtures::Leaf;

/// Native fixtures of one backend.
pub trait NativeFixtures: Sync + Send {
    /// `CtxSpec::Context` with the backend's client context trusting `ca_pem` only.
    fn client_context(&self, ca_pem: &str) -> CtxSpec;

    /// `CtxSpec::Context` with the backend's server context presenting `leaf`.
    fn server_context(&self, leaf: &Leaf) -> CtxSpec;

    /// `options` plus a ctx-configure callback (in the backend's native types) that
    /// counts its runs in `runs` and returns an error when `fail` is set.
    fn with_ctx_configure(
        &self,
        options: AttachOptions,
        runs: Arc<AtomicUsize>,
        fail: bool,
    ) -> AttachOptions;

    /// `options` plus an ssl-configure callback that panics.
    fn with_panicking_ssl_configure(&self, options: AttachOptions) -> AttachOptions;
}
