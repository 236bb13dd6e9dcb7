//! Attach options (SPEC §1; LispWorks `attach-ssl` keyword arguments).

use std::time::Duration;

use crate::{BoxError, CtxSpec, NativeHooks, NativeTypes, Side};

/// The handshake deadline when the options name none: 30 seconds (SPEC HS-1).
pub const DEFAULT_HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(30);

/// How long a whole handshake may take before it fails with `HandshakeTimeout`: one
/// deadline, so a silent or trickling peer cannot hold an attach (SPEC HS-1, SEC-6).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum HandshakeTimeout {
    /// [`DEFAULT_HANDSHAKE_TIMEOUT`] (30 s) on a transport that can take deadlines
    /// ([`Transport::supports_timeouts`](crate::Transport::supports_timeouts)); no
    /// limit on one that cannot.
    #[default]
    Default,
    /// This long for the whole handshake; positive (zero is `InvalidArgument`),
    /// fractions of a second work. A transport that cannot take deadlines makes it
    /// `InvalidArgument`.
    After(Duration),
    /// No limit: a silent peer holds the attach until the transport gives up. Choose
    /// it knowingly (a peer you trust, a transport with its own timeouts).
    Never,
}

impl HandshakeTimeout {
    /// The deadline's length for a transport that can (`takes_timeouts`) or cannot
    /// take deadlines; `None`: no limit.
    pub fn resolve(self, takes_timeouts: bool) -> crate::Result<Option<Duration>> {
        match self {
            HandshakeTimeout::Default => Ok(takes_timeouts.then_some(DEFAULT_HANDSHAKE_TIMEOUT)),
            HandshakeTimeout::Never => Ok(None),
            HandshakeTimeout::After(timeout) if timeout.is_zero() => Err(crate::Error::invalid(
                "handshake_timeout must be positive (no_handshake_deadline() means no limit)",
            )),
            HandshakeTimeout::After(_) if !takes_timeouts => Err(crate::Error::invalid(
                "this transport cannot take timeouts, so handshake_timeout cannot be enforced",
            )),
            HandshakeTimeout::After(timeout) => Ok(Some(timeout)),
        }
    }
}

/// The options of [`attach_ssl`](crate::SocketStream::attach_ssl), after LispWorks'
/// `attach-ssl`: `ctx` defaults to `Default` (SPEC CTX-1) and `side` to `Server`
/// (SPEC SIDE-1).
#[derive(Debug, Default)]
#[non_exhaustive]
pub struct AttachOptions {
    /// Where the TLS configuration comes from (LispWorks `:ssl-ctx`).
    pub ctx: CtxSpec,
    /// Client, server, or both (LispWorks `:ssl-side`).
    pub side: Side,
    /// One deadline for the whole handshake: by default 30 s wherever the transport
    /// can take deadlines (SPEC HS-1, SEC-6).
    pub handshake_timeout: HandshakeTimeout,
    /// The client's SNI and reference name (LispWorks `:tlsext-host-name`; one thing,
    /// see [`ServerName`](crate::ServerName)).
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

    /// Client side verifying `host_name` (sent as SNI unless it is an IP address;
    /// [`ServerName`](crate::ServerName) says what SNI is).
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

    /// Sets the handshake deadline (the default is 30 s, [`HandshakeTimeout`]).
    pub fn handshake_timeout(mut self, timeout: Duration) -> AttachOptions {
        self.handshake_timeout = HandshakeTimeout::After(timeout);
        self
    }

    /// No handshake deadline: a silent peer holds the attach until the transport
    /// gives up ([`HandshakeTimeout::Never`]).
    pub fn no_handshake_deadline(mut self) -> AttachOptions {
        self.handshake_timeout = HandshakeTimeout::Never;
        self
    }

    /// Sets the SNI / reference name (one thing, see [`ServerName`](crate::ServerName)).
    pub fn host_name(mut self, name: impl Into<String>) -> AttachOptions {
        self.tlsext_host_name = Some(name.into());
        self
    }

    /// Chooses the backend by name.
    pub fn implementation(mut self, name: impl Into<String>) -> AttachOptions {
        self.implementation = Some(name.into());
        self
    }

    /// The context hook for backend `B`: runs once per attach on the new
    /// native context, for `Default`/`Protocol` specs only (SPEC CB-1).
    ///
    /// The SPEC calls it `ctx_configure`, LispWorks `:ctx-configure-callback`; an
    /// abstract context has its own,
    /// [`ContextBuilder::context_hook`](crate::ContextBuilder::context_hook).
    pub fn context_hook<B: NativeTypes>(
        mut self,
        callback: impl Fn(&mut B::ContextBuilder) -> Result<(), BoxError> + Send + Sync + 'static,
    ) -> AttachOptions {
        self.hooks.set_context::<B>(callback);
        self
    }

    /// The connection hook for backend `B`: runs once per attach on the new
    /// per-connection object, never for `Session` (SPEC CB-2).
    ///
    /// The SPEC calls it `ssl_configure`, LispWorks `:ssl-configure-callback`; an
    /// abstract context has its own,
    /// [`ContextBuilder::connection_hook`](crate::ContextBuilder::connection_hook).
    pub fn connection_hook<B: NativeTypes>(
        mut self,
        callback: impl Fn(&mut B::Connection) -> Result<(), BoxError> + Send + Sync + 'static,
    ) -> AttachOptions {
        self.hooks.set_connection::<B>(callback);
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// HS-1: 30 s by default where deadlines can be enforced, no limit elsewhere; an
    /// explicit opt-out is no limit; zero is refused; fractions work.
    #[test]
    fn hs_1_default_deadline() {
        assert_eq!(
            AttachOptions::default().handshake_timeout,
            HandshakeTimeout::Default
        );
        assert_eq!(
            HandshakeTimeout::Default.resolve(true).unwrap(),
            Some(Duration::from_secs(30))
        );
        assert_eq!(HandshakeTimeout::Default.resolve(false).unwrap(), None);
        let never = AttachOptions::client("x").no_handshake_deadline();
        assert_eq!(never.handshake_timeout.resolve(true).unwrap(), None);
        let short = AttachOptions::client("x").handshake_timeout(Duration::from_millis(250));
        assert_eq!(
            short.handshake_timeout.resolve(true).unwrap(),
            Some(Duration::from_millis(250))
        );
        assert!(short.handshake_timeout.resolve(false).is_err());
        let zero = HandshakeTimeout::After(Duration::ZERO).resolve(true);
        assert_eq!(zero.unwrap_err().kind(), crate::ErrorKind::InvalidArgument);
    }
}
