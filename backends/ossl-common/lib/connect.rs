//! Making OpenSSL/BoringSSL connections from a session request: the per-connection
//! settings (SNI, host name, verification) and the SPEC CB-3 callback order.
//! Shared by both backends, like the rest of this directory.

use std::sync::Arc;

use openssl::ssl::{Ssl, SslContext, SslMethod, SslVerifyMode};
use openssl::x509::verify::X509CheckFlags;
use unitls_core::backend::{
    ContextOptions, Material, NativeHooks, Session, SessionConfig, SessionRequest,
};
use unitls_core::{AbstractContext, ClientAuth, Error, Result, Role, ServerName};

use crate::config::{self, reference_name_index, NativeContext};
use crate::engine::Engine;
use crate::error::config as config_error;
use crate::session::OpenSslSession;
use crate::verify::VerifyState;
use crate::{Native, NAME};

fn openssl_error(stack: openssl::error::ErrorStack, what: &str) -> Error {
    config_error(stack, what)
}

/// Sets what a client connection needs before the handshake: SNI, the reference
/// name, verification (SPEC SNI-1..4, VERIFY-1..6, VERIFY-14). `verify: None` leaves
/// the context's own verification (a user's `SslContext`) alone.
fn prepare_peer(
    ssl: &mut Ssl,
    role: Role,
    name: Option<&ServerName>,
    verify: Option<Arc<VerifyState>>,
    options: Option<&ContextOptions>,
) -> Result<()> {
    match role {
        Role::Client => {
            if let Some(name) = name {
                if let Some(sni) = name.sni() {
                    ssl.set_hostname(sni)
                        .map_err(|e| openssl_error(e, "server name"))?;
                }
                ssl.set_ex_data(reference_name_index(), name.to_string());
                let param = ssl.param_mut();
                param.set_hostflags(
                    X509CheckFlags::NEVER_CHECK_SUBJECT | X509CheckFlags::NO_PARTIAL_WILDCARDS,
                );
                match name {
                    ServerName::Dns(dns) => param.set_host(dns),
                    ServerName::Ip(ip) => param.set_ip(*ip),
                }
                .map_err(|e| openssl_error(e, "reference name"))?;
            }
            if let Some(time) = options.and_then(|o| o.verification_time) {
                let secs = time
                    .duration_since(std::time::UNIX_EPOCH)
                    .map(|d| d.as_secs())
                    .unwrap_or(0);
                ssl.param_mut().set_time(secs as _);
            }
            if let Some(state) = verify {
                ssl.set_verify_callback(SslVerifyMode::PEER, move |ok, store| {
                    state.decide(ok, store)
                });
            }
        }
        Role::Server => {
            let mode = match options.map(|o| o.client_auth) {
                Some(ClientAuth::Required) => {
                    SslVerifyMode::PEER | SslVerifyMode::FAIL_IF_NO_PEER_CERT
                }
                Some(ClientAuth::Optional) => SslVerifyMode::PEER,
                _ => return Ok(()),
            };
            if let Some(state) = verify {
                ssl.set_verify_callback(mode, move |ok, store| state.decide(ok, store));
            }
        }
    }
    Ok(())
}

fn set_state(ssl: &mut Ssl, role: Role) {
    crate::flavor::set_role_state(ssl, role == Role::Client);
}

/// Picks the role of a deferred connection (SPEC SIDE-5).
pub(crate) fn prepare_role(
    ssl: &mut Ssl,
    role: Role,
    name: Option<&ServerName>,
    verify: Option<Arc<VerifyState>>,
    options: Option<&ContextOptions>,
) -> Result<()> {
    prepare_peer(ssl, role, name, verify, options)?;
    set_state(ssl, role);
    Ok(())
}

/// What `finish` needs besides the `Ssl`.
struct Made<'a> {
    context: Option<SslContext>,
    role: Option<Role>,
    name: Option<&'a ServerName>,
    verify: Option<Arc<VerifyState>>,
    options: Option<&'a ContextOptions>,
    hooks: &'a [&'a NativeHooks],
    /// Whether the server's certificate is chosen by the client's SNI.
    selects_by_name: bool,
    /// The abstract context, kept by the session for its options.
    abstract_ctx: Option<Arc<AbstractContext>>,
}

/// CB-3 order: per-connection settings (SNI, host name) → hooks → role → bind.
fn finish(mut ssl: Ssl, made: Made<'_>) -> Result<Box<dyn Session>> {
    if let Some(role) = made.role {
        prepare_peer(&mut ssl, role, made.name, made.verify.clone(), made.options)?;
    }
    for hooks in made.hooks {
        hooks.run_connection::<Native>("connection hook", &mut ssl)?;
    }
    if let Some(role) = made.role {
        set_state(&mut ssl, role);
    }
    let engine = Engine::new(ssl).map_err(|e| openssl_error(e, "memory BIOs"))?;
    let mut session = OpenSslSession::new(
        engine,
        made.context,
        made.verify,
        made.abstract_ctx,
        made.name.map(ToString::to_string),
        made.role,
        false,
    );
    session.set_selects_by_name(made.selects_by_name);
    session.start()?;
    Ok(Box::new(session))
}

fn new_ssl(context: &SslContext) -> Result<Ssl> {
    Ssl::new(context).map_err(|e| openssl_error(e, "connection"))
}

/// Checks that an identity can serve (the key matches the leaf) (SPEC KEY-6).
pub(crate) fn check_identity(material: &Material) -> Result<()> {
    let Some(identity) = &material.identity else {
        return Ok(());
    };
    let mut builder =
        SslContext::builder(SslMethod::tls()).map_err(|e| openssl_error(e, "context"))?;
    config::set_identity(&mut builder, identity)
}

/// Makes the session a request asks for (SPEC CTX-5..7, CB-1..3, ABS-5).
pub(crate) fn new_session(request: SessionRequest<'_>) -> Result<Box<dyn Session>> {
    let role = request.role;
    let name = request.server_name;
    match request.config {
        SessionConfig::Protocol(range) => {
            let mut builder = config::protocol(range)?;
            request
                .hooks
                .run_context::<Native>("context hook", &mut builder)?;
            let context = builder.build();
            let ssl = new_ssl(&context)?;
            let verify = request.verify_hostname.then(|| VerifyState::new(None));
            let made = Made {
                context: Some(context),
                role,
                name,
                verify,
                options: None,
                hooks: &[request.hooks],
                selects_by_name: false,
                abstract_ctx: None,
            };
            finish(ssl, made)
        }
        SessionConfig::Context(native) => {
            let context = native
                .get::<Native>()
                .ok_or_else(|| {
                    Error::invalid("the native context is not an OpenSSL context")
                        .with_backend(NAME)
                })?
                .clone();
            let ssl = new_ssl(&context)?;
            let made = Made {
                context: Some(context),
                role,
                name,
                verify: None,
                options: None,
                hooks: &[request.hooks],
                selects_by_name: false,
                abstract_ctx: None,
            };
            finish(ssl, made)
        }
        SessionConfig::Session(native) => {
            let mut ssl = native.into_inner::<Native>().map_err(|_| {
                Error::invalid("the native session is not an OpenSSL Ssl").with_backend(NAME)
            })?;
            let own = if ssl.is_server() {
                Role::Server
            } else {
                Role::Client
            };
            if role.is_some_and(|r| r != own) {
                return Err(
                    Error::invalid(format!("this Ssl is set up for the {own:?} role"))
                        .with_backend(NAME),
                );
            }
            // Binding includes the state matching the object's own role (a user who
            // configured a client-only `Ssl` need not have called set_connect_state).
            set_state(&mut ssl, own);
            let engine = Engine::new(ssl).map_err(|e| openssl_error(e, "memory BIOs"))?;
            let mut session = OpenSslSession::new(
                engine,
                None,
                None,
                None,
                name.map(ToString::to_string),
                Some(own),
                true,
            );
            session.start()?;
            Ok(Box::new(session))
        }
        SessionConfig::Abstract(abstract_ctx) => {
            let options = abstract_ctx.options();
            let hooks = &options.hooks;
            let native = abstract_ctx.native::<Native, NativeContext>(|options, material| {
                let (mut builder, sessions) = config::abstract_context(options, material)?;
                hooks.run_context::<Native>("context hook", &mut builder)?;
                Ok(NativeContext {
                    context: builder.build(),
                    sessions,
                })
            })?;
            let mut ssl = new_ssl(&native.context)?;
            if let (Some(cache), Some(name)) = (&native.sessions, name) {
                let cached = cache
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner)
                    .get(&name.to_string())
                    .cloned();
                if let Some(session) = cached {
                    // SAFETY: the cache only holds sessions that this very context's
                    // new-session callback produced, as `set_session` requires.
                    #[allow(unsafe_code)]
                    let _ = unsafe { ssl.set_session(&session) };
                }
            }
            let verify = Some(VerifyState::new(Some(options)));
            let made = Made {
                context: Some(native.context.clone()),
                role,
                name,
                verify,
                options: Some(options),
                hooks: &[hooks, request.hooks],
                selects_by_name: abstract_ctx.material().selects_by_name(options),
                abstract_ctx: Some(Arc::clone(abstract_ctx)),
            };
            finish(ssl, made)
        }
    }
}
