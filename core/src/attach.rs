//! Attach options (SPEC §1; LispWorks `attach-ssl` keyword arguments).

use std::time::Duration;

use crate::{BoxError, CtxSpec, NativeHooks, NativeTypes, Side};

/// The options of [`attach_ssl`](crate::SocketStream::attach_ssl), after LispWorks'
/// `attach-ssl`: `ctx` defaults to `Default` (SPEC CTX-1) and `side` to `Server`
/// (SPEC SIDE-1).
#[derive(Debug, Default)]
pub struct AttachOptions {
    /// Where the TLS configuration comes from (LispWorks `:ssl-ctx`).
    pub ctx: CtxSpec,
    /// Client, server, or both (LispWorks `:ssl-side`).
    pub side: Side,
    /// One deadline for the whole handshake; `None` waits forever (SPEC HS-1, SEC-6).
    pub handshake_timeout: Option<Duration>,
    /// The client's SNI and reference name (LispWorks `:tlsext-host-name`).
    pub tlsext_host_name: Option<String>,
    /// The backend for `Default`/`Protocol` specs and abstract contexts without one;
    /// `None` uses the process default at attach (SPEC IMPL-5).
    pub implementation: Option<String>,
    pub(crate) hooks: NativeHooks,
}

impl AttachOptions {
    /// Server side, `Default` ctx: the LispWorks defaults.
    pub fn server() -> AttachOptions {
        AttachOptions::default()
    }

    /// Client side verifying `host_name` (sent as SNI unless it is an IP address).
    pub fn client(host_name: impl Into<String>) -> AttachOptions {
        AttachOptions {
            side: Side::Client,
            tlsext_host_name: Some(host_name.into()),
            ..AttachOptions::default()
        }
    }

    /// Sets the ctx spec.
    pub fn ctx(mut self, ctx: impl Into<CtxSpec>) -> AttachOptions {
        self.ctx = ctx.into();
        self
    }

    /// Sets the side.
    pub fn side(mut self, side: Side) -> AttachOptions {
        self.side = side;
        self
    }

    /// Sets the handshake deadline.
    pub fn handshake_timeout(mut self, timeout: Duration) -> AttachOptions {
        self.handshake_timeout = Some(timeout);
        self
    }

    /// Sets the SNI / reference name.
    pub fn host_name(mut self, name: impl Into<String>) -> AttachOptions {
        self.tlsext_host_name = Some(name.into());
        self
    }

    /// Chooses the backend by name.
    pub fn implementation(mut self, name: impl Into<String>) -> AttachOptions {
        self.implementation = Some(name.into());
        self
    }

    /// The ctx-configure callback for backend `B`: runs once per attach on the new
    /// native context, for `Default`/`Protocol` specs only (SPEC CB-1;
    /// LispWorks `:ctx-configure-callback`).
    pub fn ctx_configure<B: NativeTypes>(
        mut self,
        callback: impl Fn(&mut B::ContextBuilder) -> Result<(), BoxError> + Send + Sync + 'static,
    ) -> AttachOptions {
        self.hooks.set_context::<B>(callback);
        self
    }

    /// The ssl-configure callback for backend `B`: runs once per attach on the new
    /// per-connection object, never for `Session` (SPEC CB-2; LispWorks
    /// `:ssl-configure-callback`).
    pub fn ssl_configure<B: NativeTypes>(
        mut self,
        callback: impl Fn(&mut B::Connection) -> Result<(), BoxError> + Send + Sync + 'static,
    ) -> AttachOptions {
        self.hooks.set_connection::<B>(callback);
        self
    }
}
