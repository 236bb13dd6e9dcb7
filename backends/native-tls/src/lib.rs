//! The native-tls backend of unitls: the platform's TLS library through the
//! `native-tls` crate (OpenSSL on Linux, SChannel on Windows, Security.framework on
//! Apple systems).
//!
//! Most users reach it through the `unitls` facade. Used alone, register it once:
//!
//! ```text
//! unitls_native_tls::register();
//! assert!(unitls_core::implementation_available("native-tls"));
//! ```
//!
//! native-tls has no per-connection object before the handshake, cannot request
//! client certificates, select cipher suites or report resumption, and its server
//! does not negotiate TLS 1.3: those capabilities are not declared for those roles
//! (`CAPABILITIES` names each limitation), and asking for them is `Unsupported`. The context hook
//! receives the connector or acceptor builder ([`NativeTlsBuilder`]).
#![forbid(unsafe_code)]

mod error;
mod io;
mod session;

use std::sync::Arc;

use native_tls::{
    Certificate, Identity, Protocol, TlsAcceptor, TlsAcceptorBuilder, TlsConnector,
    TlsConnectorBuilder,
};
use unitls_core::backend::{
    Backend, ContextOptions, Deviation, Material, NativeTypes, Session, SessionConfig,
    SessionRequest,
};
use unitls_core::{
    Capabilities, Capability, Error, ImplementationInfo, Lack, ProtocolVersion, Result, Role,
    VersionRange,
};

pub use native_tls;

use crate::error::config as config_error;
use crate::session::NativeTlsSession;

/// The registry name of this backend.
pub const NAME: &str = "native-tls";

/// Names native-tls's types for unitls's typed callbacks and native specs.
#[derive(Debug, Clone, Copy)]
pub enum NativeTls {}

/// A native-tls context: `CtxSpec::Context` takes one.
#[derive(Clone)]
pub enum NativeTlsContext {
    /// A client context.
    Connector(TlsConnector),
    /// A server context.
    Acceptor(TlsAcceptor),
}

/// What the context hook edits. A server built without identity (the
/// `Default` spec) starts as `Acceptor(None)`: the callback may supply one with
/// `TlsAcceptor::builder(identity)`.
pub enum NativeTlsBuilder {
    /// A client builder.
    Connector(TlsConnectorBuilder),
    /// A server builder, if an identity is known.
    Acceptor(Option<TlsAcceptorBuilder>),
}

/// native-tls has no per-connection object before the handshake: nothing can be
/// passed as `CtxSpec::Session` or handed to a connection hook.
#[derive(Debug)]
pub enum NoConnection {}

impl NativeTypes for NativeTls {
    const NAME: &'static str = NAME;
    type Context = NativeTlsContext;
    type ContextBuilder = NativeTlsBuilder;
    type Connection = NoConnection;
}

/// What native-tls can do through unitls (SPEC §2), per role: its client negotiates
/// TLS 1.3 (except on Apple systems), its server does not; every gap names the
/// library limitation that forces it.
pub const CAPABILITIES: Capabilities = Capabilities::all_except(&[
    Lack::server(
        Capability::Tls13,
        "native-tls 0.2 builds its OpenSSL acceptor from rust-openssl's mozilla_intermediate \
         profile, which sets SSL_OP_NO_TLSv1_3",
    ),
    #[cfg(target_vendor = "apple")]
    Lack::client(
        Capability::Tls13,
        "native-tls 0.2 on Security.framework (SecureTransport) does not negotiate TLS 1.3",
    ),
    Lack::server(
        Capability::ClientAuth,
        "native-tls 0.2's TlsAcceptorBuilder cannot request or verify client certificates",
    ),
    Lack::client(
        Capability::ClientAuth,
        "native-tls 0.2 has no certificate-request callback: a TlsConnector presents the one \
         identity it was built with",
    ),
    Lack::both(
        Capability::Resumption,
        "native-tls 0.2 exposes no session setting: its client keeps no session cache, its \
         server cannot turn resumption off, and its TlsStream cannot say whether a session \
         was resumed",
    ),
    Lack::both(
        Capability::CipherSelection,
        "native-tls 0.2's builders have no cipher-suite setting",
    ),
    Lack::both(
        Capability::Tls13CipherSelection,
        "native-tls 0.2's builders have no cipher-suite setting",
    ),
    Lack::both(
        Capability::GroupSelection,
        "native-tls 0.2 has no key-exchange group setting and does not report the group",
    ),
    Lack::both(
        Capability::DeferredRole,
        "native-tls 0.2 makes its stream with connect() or accept(): nothing exists before \
         the role",
    ),
    Lack::both(
        Capability::UserSession,
        "native-tls 0.2 has no per-connection object before the handshake (connect() and \
         accept() start it)",
    ),
    Lack::both(Capability::KeyLog, "native-tls 0.2 has no key-log hook"),
    Lack::both(
        Capability::Exporter,
        "native-tls 0.2 has no keying-material exporter (only tls_server_end_point)",
    ),
    Lack::both(
        Capability::PeerChain,
        "native-tls 0.2's TlsStream::peer_certificate gives the leaf alone (core cannot read \
         the chain: TLS 1.3 encrypts it)",
    ),
    Lack::both(
        Capability::VerifyCallback,
        "native-tls 0.2 has no verify callback and does not report its own verification \
         result",
    ),
    Lack::both(
        Capability::VerifyTime,
        "native-tls 0.2 verifies against the current time only",
    ),
]);

/// Requirements native-tls cannot meet and core cannot make up for (SPEC §0).
pub const DEVIATIONS: &[Deviation] = &[Deviation {
    spec_id: "PROTO-9",
    limitation:
        "native-tls 0.2 (alpn-accept) answers an ALPN mismatch with AlpnError::NOACK: the server \
                     continues without ALPN instead of sending no_application_protocol",
}];

/// The native-tls backend value.
#[derive(Debug)]
pub struct NativeTlsBackend;

/// The backend value to register.
pub static BACKEND: NativeTlsBackend = NativeTlsBackend;

/// Registers this backend with unitls's registry (idempotent).
pub fn register() {
    unitls_core::backend::register(&BACKEND);
}

fn min_protocol(range: VersionRange) -> Option<Protocol> {
    Some(match range.min {
        ProtocolVersion::Tls12 => Protocol::Tlsv12,
        ProtocolVersion::Tls13 => Protocol::Tlsv13,
    })
}

fn max_protocol(range: VersionRange) -> Option<Protocol> {
    (range.max == ProtocolVersion::Tls12).then_some(Protocol::Tlsv12)
}

fn identity(material: &Material) -> Result<Option<Identity>> {
    material.identity.as_ref().map(native_identity).transpose()
}

fn native_identity(identity: &unitls_core::Identity) -> Result<Identity> {
    let key = identity.key_pkcs8_pem()?;
    Identity::from_pkcs8(identity.chain_pem().as_bytes(), key.as_bytes())
        .map_err(|e| config_error(e, "identity"))
}

fn alpn_names(options: &ContextOptions) -> Result<Vec<&str>> {
    options
        .alpn
        .iter()
        .map(|p| {
            std::str::from_utf8(p).map_err(|_| {
                Error::invalid("native-tls takes ALPN protocol names as text").with_backend(NAME)
            })
        })
        .collect()
}

fn abstract_builder(
    options: &ContextOptions,
    material: &Material,
    sni: bool,
) -> Result<NativeTlsBuilder> {
    abstract_builder_for(options, material, material.identity.as_ref(), sni)
}

/// The builder for `options`, presenting `identity` (a server's default or one of
/// its identities by name).
fn abstract_builder_for(
    options: &ContextOptions,
    material: &Material,
    identity: Option<&unitls_core::Identity>,
    sni: bool,
) -> Result<NativeTlsBuilder> {
    let identity = identity.map(native_identity).transpose()?;
    match options.role {
        Role::Client => {
            let mut builder = TlsConnector::builder();
            builder
                .use_sni(sni)
                .min_protocol_version(min_protocol(options.versions))
                .max_protocol_version(max_protocol(options.versions))
                .disable_built_in_roots(true)
                .danger_accept_invalid_certs(options.danger_accept_invalid_certs)
                .danger_accept_invalid_hostnames(options.danger_accept_invalid_hostnames)
                .request_alpns(&alpn_names(options)?);
            for root in &material.roots {
                if let Ok(cert) = Certificate::from_der(root) {
                    builder.add_root_certificate(cert);
                }
            }
            if let Some(id) = identity {
                builder.identity(id);
            }
            Ok(NativeTlsBuilder::Connector(builder))
        }
        Role::Server => Ok(NativeTlsBuilder::Acceptor(match identity {
            Some(id) => {
                let mut builder = TlsAcceptor::builder(id);
                builder
                    .min_protocol_version(min_protocol(options.versions))
                    .max_protocol_version(max_protocol(options.versions))
                    .accept_alpn(&alpn_names(options)?);
                Some(builder)
            }
            None => None,
        })),
    }
}

/// A server choosing its certificate by the client's SNI (SPEC SNI-10): native-tls's
/// acceptor serves one identity, so there is one acceptor per identity, built once
/// per native build, and core's selection rules pick one when core has read the
/// ClientHello (`Session::client_hello_read`).
pub(crate) struct ByName {
    options: ContextOptions,
    material: Arc<Material>,
    default: Option<TlsAcceptor>,
    named: Vec<TlsAcceptor>,
}

impl ByName {
    /// The acceptor for `sni`; `X509Lookup` when no identity applies or the
    /// selection callback fails.
    pub(crate) fn select(&self, sni: Option<&str>) -> Result<TlsAcceptor> {
        let chosen = self
            .material
            .select_identity(&self.options, sni)
            .map_err(|e| e.with_backend(NAME))?;
        let is_default = self
            .material
            .identity
            .as_ref()
            .is_some_and(|d| std::ptr::eq(d, chosen));
        let acceptor = if is_default {
            self.default.clone()
        } else {
            self.material
                .by_name
                .iter()
                .position(|(_, id)| std::ptr::eq(id, chosen))
                .and_then(|i| self.named.get(i).cloned())
        };
        acceptor.ok_or_else(|| {
            Error::new(
                unitls_core::ErrorKind::X509Lookup,
                "no acceptor for the identity chosen",
            )
            .with_backend(NAME)
        })
    }
}

fn build(builder: NativeTlsBuilder) -> Result<Option<NativeTlsContext>> {
    match builder {
        NativeTlsBuilder::Connector(b) => b
            .build()
            .map(|c| Some(NativeTlsContext::Connector(c)))
            .map_err(|e| config_error(e, "connector")),
        NativeTlsBuilder::Acceptor(Some(b)) => b
            .build()
            .map(|a| Some(NativeTlsContext::Acceptor(a)))
            .map_err(|e| config_error(e, "acceptor")),
        NativeTlsBuilder::Acceptor(None) => Ok(None),
    }
}

/// What an abstract context builds for native-tls (SPEC ABS-5): the context, and for
/// a client that may attach without a name, a connector sending no SNI.
struct Built {
    context: Option<NativeTlsContext>,
    nameless: Option<NativeTlsContext>,
    by_name: Option<Arc<ByName>>,
}

fn start(
    context: Option<NativeTlsContext>,
    role: Role,
    request: &SessionRequest<'_>,
) -> Result<Box<dyn Session>> {
    match context {
        Some(context) => Ok(Box::new(NativeTlsSession::start(
            context,
            role,
            request.server_name,
        )?)),
        None => Ok(Box::new(NativeTlsSession::without_identity())),
    }
}

impl Backend for NativeTlsBackend {
    fn name(&self) -> &'static str {
        NAME
    }

    fn capabilities(&self) -> Capabilities {
        CAPABILITIES
    }

    fn precedence(&self) -> u32 {
        40
    }

    fn deviations(&self) -> &'static [Deviation] {
        DEVIATIONS
    }

    fn info(&self) -> ImplementationInfo {
        let library = if cfg!(any(target_os = "macos", target_os = "ios")) {
            "native-tls 0.2 (Security.framework)"
        } else if cfg!(windows) {
            "native-tls 0.2 (SChannel)"
        } else {
            "native-tls 0.2 (OpenSSL)"
        };
        ImplementationInfo::new(
            NAME,
            format!("unitls-native-tls {}", env!("CARGO_PKG_VERSION")),
            library,
        )
    }

    fn may_match_subject_cn(&self) -> bool {
        // On Linux native-tls checks names with OpenSSL's X509_check_host without
        // X509_CHECK_FLAG_NEVER_CHECK_SUBJECT, which falls back to the subject CN.
        true
    }

    fn check_identity(&self, material: &Material) -> Result<()> {
        match identity(material)? {
            Some(id) => TlsAcceptor::new(id).map(|_| ()).map_err(|e| {
                Error::invalid(
                    "native-tls cannot serve this identity (does the key match the certificate?)",
                )
                .with_backend(NAME)
                .with_source(e)
            }),
            None => Ok(()),
        }
    }

    fn new_session(&self, request: SessionRequest<'_>) -> Result<Box<dyn Session>> {
        let role = request
            .role
            .ok_or_else(|| Error::unsupported(Capability::DeferredRole, NAME))?;
        match &request.config {
            SessionConfig::Protocol(range) => {
                let mut builder = match role {
                    Role::Client => {
                        let mut b = TlsConnector::builder();
                        b.min_protocol_version(min_protocol(*range))
                            .max_protocol_version(max_protocol(*range));
                        NativeTlsBuilder::Connector(b)
                    }
                    Role::Server => NativeTlsBuilder::Acceptor(None),
                };
                request
                    .hooks
                    .run_context::<NativeTls>("context hook", &mut builder)?;
                start(build(builder)?, role, &request)
            }
            SessionConfig::Context(native) => {
                let context = native
                    .get::<NativeTls>()
                    .ok_or_else(|| {
                        Error::invalid("the native context is not a native-tls context")
                            .with_backend(NAME)
                    })?
                    .clone();
                start(Some(context), role, &request)
            }
            SessionConfig::Session(_) => Err(Error::unsupported(Capability::UserSession, NAME)),
            SessionConfig::Abstract(abstract_ctx) => {
                let hooks = &abstract_ctx.options().hooks;
                let built = abstract_ctx.native::<NativeTls, Built>(|options, material| {
                    let make = |sni| -> Result<Option<NativeTlsContext>> {
                        let mut builder = abstract_builder(options, material, sni)?;
                        hooks.run_context::<NativeTls>("context hook", &mut builder)?;
                        build(builder)
                    };
                    // A client attach without a name exists only under a danger option;
                    // native-tls then needs a connector that sends no (empty) SNI.
                    let nameless = options.role == Role::Client
                        && (options.danger_accept_invalid_certs
                            || options.danger_accept_invalid_hostnames);
                    let by_name = if material.selects_by_name(options) {
                        let acceptor = |identity| -> Result<Option<TlsAcceptor>> {
                            let mut builder =
                                abstract_builder_for(options, material, identity, true)?;
                            hooks.run_context::<NativeTls>("context hook", &mut builder)?;
                            Ok(match build(builder)? {
                                Some(NativeTlsContext::Acceptor(a)) => Some(a),
                                _ => None,
                            })
                        };
                        let named = material
                            .by_name
                            .iter()
                            .map(|(_, id)| {
                                acceptor(Some(id))?.ok_or_else(|| {
                                    Error::invalid("native-tls built no acceptor for an identity")
                                        .with_backend(NAME)
                                })
                            })
                            .collect::<Result<Vec<_>>>()?;
                        Some(Arc::new(ByName {
                            options: options.clone(),
                            material: Arc::clone(material),
                            default: acceptor(material.identity.as_ref())?,
                            named,
                        }))
                    } else {
                        None
                    };
                    Ok(Built {
                        context: if by_name.is_some() { None } else { make(true)? },
                        nameless: if nameless { make(false)? } else { None },
                        by_name,
                    })
                })?;
                if let (Role::Server, Some(selection)) = (role, &built.by_name) {
                    return Ok(Box::new(NativeTlsSession::by_name(Arc::clone(selection))));
                }
                let context = match (&built.nameless, request.server_name) {
                    (Some(nameless), None) => Some(nameless.clone()),
                    _ => built.context.clone(),
                };
                start(context, role, &request)
            }
        }
    }
}
