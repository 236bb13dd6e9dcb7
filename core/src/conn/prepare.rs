//! From attach options to the TLS state: every option checked and the TLS objects
//! made before any I/O (SPEC ATTACH-5), the same for every shell.

use super::session_slot::{OwnedConfig, Pending};
use super::TlsState;
use crate::{registry, AttachOptions, Backend, CtxSpec, Error, Result, Role, ServerName, Side};

/// Checks every option of `options` and makes the TLS state, before any I/O (SPEC
/// ATTACH-5). `takes_timeouts`: whether the transport can enforce a handshake
/// deadline (SPEC STREAM-6).
pub(crate) fn prepare(options: AttachOptions, takes_timeouts: bool) -> Result<TlsState> {
    let AttachOptions {
        ctx,
        side,
        handshake_timeout,
        tlsext_host_name,
        implementation,
        hooks,
    } = options;
    let handshake_timeout = handshake_timeout.resolve(takes_timeouts)?;
    let mut server_name = tlsext_host_name
        .as_deref()
        .map(ServerName::parse)
        .transpose()?;
    if side == Side::Server && server_name.is_some() {
        return Err(Error::invalid(
            "tlsext_host_name is a client option; this attach is Side::Server",
        ));
    }
    let chosen = |name: Option<&str>| match name {
        Some(name) => registry::lookup(name),
        None => registry::default_backend(),
    };
    let (backend, config, verifying): (&'static dyn Backend, OwnedConfig, bool) = match ctx {
        CtxSpec::Default => (
            chosen(implementation.as_deref())?,
            OwnedConfig::Protocol(crate::VersionRange::FLEXIBLE),
            true,
        ),
        CtxSpec::Protocol(selector) => {
            let range = selector.versions()?;
            (
                chosen(implementation.as_deref())?,
                OwnedConfig::Protocol(range),
                true,
            )
        }
        CtxSpec::Context(native) => (
            registry::lookup(native.backend())?,
            OwnedConfig::Context(native),
            false,
        ),
        CtxSpec::Session(native) => (
            registry::lookup(native.backend())?,
            OwnedConfig::Session(native),
            false,
        ),
        CtxSpec::Abstract(context) => {
            let expected = match context.role() {
                Role::Client => Side::Client,
                Role::Server => Side::Server,
            };
            if side != expected {
                return Err(Error::invalid(format!(
                    "a {:?} abstract context needs Side::{expected:?}, not Side::{side:?}",
                    context.role()
                )));
            }
            let backend = chosen(context.implementation().or(implementation.as_deref()))?;
            context.check_capabilities(backend.name(), backend.capabilities())?;
            if server_name.is_none() {
                server_name = context.options().default_server_name.clone();
            }
            let options = context.options();
            let verifying =
                !(options.danger_accept_invalid_certs || options.danger_accept_invalid_hostnames);
            (backend, OwnedConfig::Abstract(context), verifying)
        }
    };
    if side == Side::Client && verifying && server_name.is_none() {
        return Err(Error::invalid(
            "a verifying client needs a host name to check: give tlsext_host_name \
             (or use a danger_* option of an abstract context)",
        ));
    }
    let capabilities = backend.capabilities();
    if hooks.has_connection_for(backend.name()) {
        capabilities.require(crate::Capability::UserSession, side.role(), backend.name())?;
    }
    if let OwnedConfig::Protocol(range) = &config {
        // A selector that pins one version needs it for this role (SPEC CTX-3).
        if let Some(only) = range.only_version() {
            capabilities.require(only.capability(), side.role(), backend.name())?;
        }
    }
    registry::ensure_initialized(Some(backend.name()))?;
    let versions = match &config {
        OwnedConfig::Protocol(range) => Some(*range),
        OwnedConfig::Abstract(context) => Some(context.options().versions),
        _ => None,
    };
    let pending = Pending {
        config,
        hooks,
        verify_hostname: verifying,
        versions,
    };
    TlsState::new(backend, side, server_name, handshake_timeout, pending)
}
