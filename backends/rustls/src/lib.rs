//! The rustls backend of unitls: rustls 0.23 with the aws-lc-rs provider (or `ring`
//! with the `ring` feature), never installed process-wide.
//!
//! Most users reach it through the `unitls` facade. Used alone, register it once:
//!
//! ```
//! unitls_rustls::register();
//! assert!(unitls_core::implementation_available("rustls"));
//! ```
//!
//! The native hooks receive rustls's own types ([`Rustls`] names them): the
//! context hook a [`RustlsConfig`] (the `ClientConfig` or `ServerConfig`
//! being built), the connection hook the `rustls::Connection`.
#![forbid(unsafe_code)]

mod cert_request;
mod config;
mod error;
mod session;
mod verifier;

use std::sync::Arc;

use rustls::pki_types::ServerName as RustlsServerName;
use rustls::{ClientConfig, ClientConnection, Connection, ServerConfig, ServerConnection};
use unitls_core::backend::{
    Backend, Material, NativeHooks, NativeTypes, Session, SessionConfig, SessionRequest,
};
use unitls_core::{
    Capabilities, Capability, Error, ImplementationInfo, Lack, Result, Role, ServerName,
};

pub use rustls;

use crate::session::{role_of, RustlsSession};

/// The registry name of this backend.
pub const NAME: &str = "rustls";

/// Names rustls's native types for unitls's typed callbacks and native specs.
#[derive(Debug, Clone, Copy)]
pub enum Rustls {}

/// A rustls context: `CtxSpec::Context` takes one, `ctx::<Rustls>()` returns one.
#[derive(Debug, Clone)]
pub enum RustlsContext {
    /// A client configuration.
    Client(Arc<ClientConfig>),
    /// A server configuration.
    Server(Arc<ServerConfig>),
}

/// What the context hook edits: the config being built.
#[derive(Debug)]
pub enum RustlsConfig {
    /// A client configuration.
    Client(ClientConfig),
    /// A server configuration.
    Server(ServerConfig),
}

impl NativeTypes for Rustls {
    const NAME: &'static str = NAME;
    type Context = RustlsContext;
    type ContextBuilder = RustlsConfig;
    type Connection = Connection;
}

/// What rustls can do through unitls (SPEC §2).
pub const CAPABILITIES: Capabilities = Capabilities::all_except(&[Lack::both(
    Capability::DeferredRole,
    "rustls 0.23 makes a ClientConnection or a ServerConnection, one type per role: no \
     connection exists before the role is known (unitls makes it at the pick, SPEC SIDE-10)",
)]);

/// The rustls backend value.
#[derive(Debug)]
pub struct RustlsBackend;

/// The backend value to register.
pub static BACKEND: RustlsBackend = RustlsBackend;

/// Registers this backend with unitls's registry (idempotent).
pub fn register() {
    unitls_core::backend::register(&BACKEND);
}

fn provider_name() -> &'static str {
    if cfg!(feature = "aws-lc-rs") {
        "aws-lc-rs"
    } else {
        "ring"
    }
}

fn wrong_role(object: &str, role: Role, wanted: Option<Role>) -> Error {
    Error::invalid(format!(
        "a rustls {object} for the {role:?} role cannot serve Side::{wanted:?}"
    ))
    .with_backend(NAME)
}

fn connect(config: Arc<ClientConfig>, name: Option<&ServerName>) -> Result<Connection> {
    let server_name = match name {
        Some(ServerName::Dns(dns)) => RustlsServerName::try_from(dns.clone()).map_err(|e| {
            Error::invalid(format!("rustls refused the server name {dns:?}")).with_source(e)
        })?,
        Some(ServerName::Ip(ip)) => RustlsServerName::IpAddress((*ip).into()),
        // No name (danger options only): no SNI, and no host name to match.
        None => RustlsServerName::IpAddress(std::net::IpAddr::from([0, 0, 0, 0]).into()),
    };
    ClientConnection::new(config, server_name)
        .map(Connection::Client)
        .map_err(error::map)
}

fn accept(config: Arc<ServerConfig>) -> Result<Connection> {
    ServerConnection::new(config)
        .map(Connection::Server)
        .map_err(error::map)
}

fn connection_for(
    context: &RustlsContext,
    role: Role,
    name: Option<&ServerName>,
) -> Result<Connection> {
    match (context, role) {
        (RustlsContext::Client(config), Role::Client) => connect(Arc::clone(config), name),
        (RustlsContext::Server(config), Role::Server) => accept(Arc::clone(config)),
        (RustlsContext::Client(_), _) => Err(wrong_role("ClientConfig", Role::Client, Some(role))),
        (RustlsContext::Server(_), _) => Err(wrong_role("ServerConfig", Role::Server, Some(role))),
    }
}

fn finish(
    mut conn: Connection,
    context: Option<RustlsContext>,
    hooks: &[&NativeHooks],
) -> Result<Box<dyn Session>> {
    for hooks in hooks {
        hooks.run_connection::<Rustls>("connection hook", &mut conn)?;
    }
    Ok(Box::new(RustlsSession::new(conn, context, false)))
}

impl Backend for RustlsBackend {
    fn name(&self) -> &'static str {
        NAME
    }

    fn capabilities(&self) -> Capabilities {
        CAPABILITIES
    }

    fn precedence(&self) -> u32 {
        10
    }

    fn info(&self) -> ImplementationInfo {
        ImplementationInfo::new(
            NAME,
            format!("unitls-rustls {}", env!("CARGO_PKG_VERSION")),
            format!("rustls 0.23 ({})", provider_name()),
        )
    }

    fn check_identity(&self, material: &Material) -> Result<()> {
        match &material.identity {
            Some(identity) => config::certified_key(identity, &config::provider()).map(|_| ()),
            None => Ok(()),
        }
    }

    fn new_session(&self, request: SessionRequest<'_>) -> Result<Box<dyn Session>> {
        let role = request
            .role
            .ok_or_else(|| Error::unsupported(Capability::DeferredRole, NAME))?;
        let name = request.server_name;
        match request.config {
            SessionConfig::Protocol(range) => {
                let mut built = match role {
                    Role::Client => RustlsConfig::Client(config::protocol_client(range)?),
                    Role::Server => RustlsConfig::Server(config::protocol_server(range)?),
                };
                request
                    .hooks
                    .run_context::<Rustls>("context hook", &mut built)?;
                let context = match built {
                    RustlsConfig::Client(c) => RustlsContext::Client(Arc::new(c)),
                    RustlsConfig::Server(s) => RustlsContext::Server(Arc::new(s)),
                };
                let conn = connection_for(&context, role, name)?;
                finish(conn, Some(context), &[request.hooks])
            }
            SessionConfig::Context(native) => {
                let context = native
                    .get::<Rustls>()
                    .ok_or_else(|| {
                        Error::invalid("the native context is not a rustls context")
                            .with_backend(NAME)
                    })?
                    .clone();
                let conn = connection_for(&context, role, name)?;
                finish(conn, Some(context), &[request.hooks])
            }
            SessionConfig::Session(native) => {
                let conn = native.into_inner::<Rustls>().map_err(|_| {
                    Error::invalid("the native session is not a rustls connection")
                        .with_backend(NAME)
                })?;
                if role_of(&conn) != role {
                    return Err(wrong_role("connection", role_of(&conn), Some(role)));
                }
                Ok(Box::new(RustlsSession::new(conn, None, true)))
            }
            SessionConfig::Abstract(abstract_ctx) => {
                let hooks = &abstract_ctx.options().hooks;
                let context =
                    abstract_ctx.native::<Rustls, RustlsContext>(|options, material| {
                        let mut built = match options.role {
                            Role::Client => {
                                RustlsConfig::Client(config::abstract_client(options, material)?)
                            }
                            Role::Server => {
                                RustlsConfig::Server(config::abstract_server(options, material)?)
                            }
                        };
                        hooks.run_context::<Rustls>("context hook", &mut built)?;
                        Ok(match built {
                            RustlsConfig::Client(c) => RustlsContext::Client(Arc::new(c)),
                            RustlsConfig::Server(s) => RustlsContext::Server(Arc::new(s)),
                        })
                    })?;
                let context = (*context).clone();
                let conn = connection_for(&context, role, name)?;
                finish(conn, Some(context), &[hooks, request.hooks])
            }
        }
    }
}
