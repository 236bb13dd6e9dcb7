//! Abstract contexts: backend-neutral TLS configuration usable with any backend
//! (SPEC ABS-1..8; LispWorks `create-ssl-client-context`, `create-ssl-server-context`).

use std::any::Any;
use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex, PoisonError, RwLock};
use std::time::SystemTime;

use rustls_pki_types::CertificateDer;

use crate::{
    registry, BoxError, Capabilities, Capability, CipherSuite, Error, Group, Identity,
    IdentitySource, NativeHooks, NativeTypes, ProtocolVersion, Result, Role, ServerName, Trust,
    TrustSource, Verdict, VerifyCallback, VerifyInput, VersionRange,
};

/// Whether a server asks clients for certificates (SPEC VERIFY-8).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ClientAuth {
    /// No request (the default).
    #[default]
    Never,
    /// Request; a client without a certificate is accepted, one with a certificate
    /// is verified.
    Optional,
    /// Request and require a valid certificate.
    Required,
}

/// The options of an abstract context, as backends read them.
#[derive(Clone)]
#[non_exhaustive]
pub struct ContextOptions {
    /// Client or server.
    pub role: Role,
    /// Versions offered or accepted.
    pub versions: VersionRange,
    /// ALPN protocols in preference order; empty for none.
    pub alpn: Vec<Vec<u8>>,
    /// Cipher suites, when restricted; `None` keeps the backend's secure default list.
    pub cipher_suites: Option<Vec<CipherSuite>>,
    /// The client's default SNI and reference name, overridable per attach (SPEC SNI-7).
    pub default_server_name: Option<ServerName>,
    /// The server's client-certificate mode.
    pub client_auth: ClientAuth,
    /// Client: skip all certificate checks (dangerous).
    pub danger_accept_invalid_certs: bool,
    /// Client: check the chain but not the host name (dangerous).
    pub danger_accept_invalid_hostnames: bool,
    /// The backend-neutral verify callback.
    pub verify_callback: Option<VerifyCallback>,
    /// Whether sessions may resume (default true).
    pub resumption: bool,
    /// Verify as of this instant instead of now (SPEC VERIFY-14).
    pub verification_time: Option<SystemTime>,
    /// Native hooks: the context hook runs once per native build, the connection hook
    /// once per connection (SPEC ABS-5).
    pub hooks: NativeHooks,
    /// Receives each handshake's secrets as NSS key-log lines (SPEC PROTO-12); without
    /// it no secret is written anywhere, whatever `SSLKEYLOGFILE` says (SPEC SEC-7).
    pub key_log: Option<KeyLogCallback>,
    /// Key-exchange groups in preference order; `None` keeps the backend's defaults
    /// (SPEC PROTO-15).
    pub groups: Option<Vec<Group>>,
    /// Server: the server-name selection callback (SPEC SNI-10).
    pub sni_callback: Option<SniCallback>,
    /// Client: the certificate-request callback (SPEC KEY-9); run it with
    /// [`choose_client_identity`](Self::choose_client_identity).
    pub client_cert_callback: Option<crate::cert_request::ClientCertCallback>,
}

/// A key-log callback: one NSS key-log line per call
/// (`LABEL <client random hex> <secret hex>`), enough to decrypt a capture.
pub type KeyLogCallback = Arc<dyn Fn(&str) + Send + Sync>;

impl ContextOptions {
    /// Hands a key-log line to the callback, if any; a panicking callback is caught
    /// and the line dropped (SPEC CB-8).
    pub fn log_key(&self, line: &str) {
        if let Some(callback) = &self.key_log {
            let _ = crate::run_user_callback("key log", || {
                callback(line);
                Ok::<_, BoxError>(())
            });
        }
    }
}

impl fmt::Debug for ContextOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ContextOptions")
            .field("role", &self.role)
            .field("versions", &self.versions)
            .field("alpn", &self.alpn)
            .field("cipher_suites", &self.cipher_suites)
            .field("default_server_name", &self.default_server_name)
            .field("client_auth", &self.client_auth)
            .field(
                "danger_accept_invalid_certs",
                &self.danger_accept_invalid_certs,
            )
            .field(
                "danger_accept_invalid_hostnames",
                &self.danger_accept_invalid_hostnames,
            )
            .field("verify_callback", &self.verify_callback.is_some())
            .field("resumption", &self.resumption)
            .field("verification_time", &self.verification_time)
            .field("hooks", &self.hooks)
            .field("key_log", &self.key_log.is_some())
            .field("groups", &self.groups)
            .field("sni_callback", &self.sni_callback.is_some())
            .field("client_cert_callback", &self.client_cert_callback.is_some())
            .finish()
    }
}

impl ContextOptions {
    /// The capabilities a backend needs to honour these options.
    pub fn required_capabilities(&self, material: &Material) -> Vec<Capability> {
        let mut needed = Vec::new();
        if self.versions.contains(ProtocolVersion::Tls12)
            && !self.versions.contains(ProtocolVersion::Tls13)
        {
            needed.push(Capability::Tls12);
        }
        if self.versions.contains(ProtocolVersion::Tls13)
            && !self.versions.contains(ProtocolVersion::Tls12)
        {
            needed.push(Capability::Tls13);
        }
        if !self.alpn.is_empty() {
            needed.push(match self.role {
                Role::Client => Capability::Alpn,
                Role::Server => Capability::ServerAlpn,
            });
        }
        if let Some(suites) = &self.cipher_suites {
            if suites
                .iter()
                .any(|s| s.version() == Some(ProtocolVersion::Tls12))
            {
                needed.push(Capability::CipherSelection);
            }
            if suites
                .iter()
                .any(|s| s.version() == Some(ProtocolVersion::Tls13))
            {
                needed.push(Capability::Tls13CipherSelection);
            }
        }
        if self.client_auth != ClientAuth::Never || self.client_cert_callback.is_some() {
            // Server: request and verify; client: the certificate-request callback.
            needed.push(Capability::ClientAuth);
        }
        if self.verify_callback.is_some() {
            needed.push(Capability::VerifyCallback);
        }
        if self.key_log.is_some() {
            needed.push(Capability::KeyLog);
        }
        if self.groups.is_some() {
            needed.push(Capability::GroupSelection);
        }
        if !self.resumption {
            // Turning resumption off is an option only where there is resumption.
            needed.push(Capability::Resumption);
        }
        if self.verification_time.is_some() {
            needed.push(Capability::VerifyTime);
        }
        if let Some(cap) = material.identity_needs {
            needed.push(cap);
        }
        if material.selects_by_name(self) {
            needed.push(Capability::ServerSniAccess);
        }
        needed
    }

    /// Runs the certificate-request callback, if any, on the CA names a server sent
    /// (SPEC KEY-9): the identity to present, or `None`; the callback's error or
    /// panic is `X509Lookup`.
    pub fn choose_client_identity(&self, ca_names: &[Vec<u8>]) -> Result<Option<Identity>> {
        match &self.client_cert_callback {
            Some(callback) => crate::cert_request::run(callback, ca_names),
            None => Ok(None),
        }
    }

    /// Runs the verify callback, if any, on a built-in result; `None` keeps the
    /// built-in decision.
    pub fn run_verify_callback(&self, input: &VerifyInput<'_>) -> Result<Option<Verdict>> {
        match &self.verify_callback {
            None => Ok(None),
            Some(callback) => {
                crate::run_user_callback("verify", || Ok::<_, BoxError>(callback(input))).map(Some)
            }
        }
    }
}

/// Key and trust material, loaded at creation and again by `reset()`.
#[derive(Debug)]
#[non_exhaustive]
pub struct Material {
    /// The identity presented to peers, if any.
    pub identity: Option<Identity>,
    /// Anchors for verifying the peer: server roots on a client, client roots on a
    /// server.
    pub roots: Vec<CertificateDer<'static>>,
    /// Server identities chosen by the client's SNI (SPEC SNI-10): `(name, identity)`,
    /// the name lower-case, possibly `*.` plus a domain.
    pub by_name: Vec<(String, Identity)>,
    identity_needs: Option<Capability>,
}

/// A server-name selection callback: given the SNI the client sent, the name of an
/// identity registered with [`ContextBuilder::identity_for_name`], or `None` for the
/// default identity (SPEC SNI-10).
pub type SniCallback =
    Arc<dyn Fn(Option<&str>) -> std::result::Result<Option<String>, BoxError> + Send + Sync>;

impl Material {
    /// The identity a server presents for `sni` under `options` (SPEC SNI-10): the
    /// callback's choice, else the matching name, else the default; `X509Lookup` when
    /// nothing applies or the callback fails.
    pub fn select_identity(
        &self,
        options: &ContextOptions,
        sni: Option<&str>,
    ) -> Result<&Identity> {
        let lookup = |why: String| Error::new(crate::ErrorKind::X509Lookup, why);
        let by_key = |key: &str| {
            let key = key.to_ascii_lowercase();
            self.by_name
                .iter()
                .find(|(name, _)| *name == key)
                .map(|(_, id)| id)
        };
        if let Some(callback) = &options.sni_callback {
            let choice = crate::run_user_callback("server-name selection", || callback(sni))
                .map_err(|e| {
                    lookup("the server-name selection callback failed".into()).with_source(e)
                })?;
            return match choice {
                Some(key) => by_key(&key).ok_or_else(|| {
                    lookup(format!(
                        "the selection callback chose {key:?}, which names no identity"
                    ))
                }),
                None => self
                    .identity
                    .as_ref()
                    .ok_or_else(|| lookup("no default identity".into())),
            };
        }
        let matched = sni.and_then(|sni| {
            let sni = sni.to_ascii_lowercase();
            by_key(&sni).or_else(|| {
                let parent = sni.split_once('.').map(|(_, rest)| format!("*.{rest}"))?;
                by_key(&parent)
            })
        });
        matched.or(self.identity.as_ref()).ok_or_else(|| {
            lookup(format!(
                "no identity for the server name {sni:?} and no default"
            ))
        })
    }

    /// Whether identities depend on the client's SNI.
    pub fn selects_by_name(&self, options: &ContextOptions) -> bool {
        !self.by_name.is_empty() || options.sni_callback.is_some()
    }
}

/// Backend-neutral TLS configuration, shared by any number of connections on any
/// backend (SPEC ABS-1, ABS-2). Made by [`create_client_context`] or
/// [`create_server_context`].
pub struct AbstractContext {
    name: Option<String>,
    implementation: Option<&'static str>,
    options: ContextOptions,
    identity_source: Identities,
    trust: Trust,
    material: RwLock<Arc<Material>>,
    natives: Mutex<HashMap<&'static str, Arc<dyn Any + Send + Sync>>>,
}

impl fmt::Debug for AbstractContext {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AbstractContext")
            .field("name", &self.name)
            .field("role", &self.options.role)
            .field("implementation", &self.implementation)
            .finish_non_exhaustive()
    }
}

impl AbstractContext {
    /// The label given at creation (SPEC ABS-6).
    pub fn name(&self) -> Option<&str> {
        self.name.as_deref()
    }

    /// Client or server.
    pub fn role(&self) -> Role {
        self.options.role
    }

    /// The backend fixed at creation, or `None` for the default at each attach.
    pub fn implementation(&self) -> Option<&'static str> {
        self.implementation
    }

    /// The options, as backends read them.
    pub fn options(&self) -> &ContextOptions {
        &self.options
    }

    /// The current key and trust material, as backends read them.
    pub fn material(&self) -> Arc<Material> {
        Arc::clone(&self.material.read().unwrap_or_else(PoisonError::into_inner))
    }

    /// Re-reads key and trust files and drops cached native contexts, so later
    /// connections use the new material; if reading fails the old material stays
    /// (SPEC ABS-7; LispWorks `reset-ssl-abstract-context`).
    pub fn reset(&self) -> Result<()> {
        let fresh = load_material(&self.identity_source, &self.trust, self.options.role)?;
        *self
            .material
            .write()
            .unwrap_or_else(PoisonError::into_inner) = Arc::new(fresh);
        self.natives
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clear();
        Ok(())
    }

    /// `Unsupported` if backend `name` with `capabilities` cannot honour the options
    /// (for backends).
    pub fn check_capabilities(&self, name: &'static str, capabilities: Capabilities) -> Result<()> {
        let role = Some(self.options.role);
        for cap in self.options.required_capabilities(&self.material()) {
            capabilities.require(cap, role, name)?;
        }
        if self.options.hooks.has_connection_for(name) {
            capabilities.require(Capability::UserSession, role, name)?;
        }
        Ok(())
    }

    /// The native context backend `B` built from this context, built on first use
    /// and reused until `reset()` (SPEC ABS-5). `build` runs at most once per
    /// material generation (for backends).
    pub fn native<B: NativeTypes, T: Send + Sync + 'static>(
        &self,
        build: impl FnOnce(&ContextOptions, &Arc<Material>) -> Result<T>,
    ) -> Result<Arc<T>> {
        let mut natives = self.natives.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(existing) = natives
            .get(B::NAME)
            .and_then(|n| Arc::clone(n).downcast::<T>().ok())
        {
            return Ok(existing);
        }
        let built = Arc::new(build(&self.options, &self.material())?);
        natives.insert(B::NAME, Arc::clone(&built) as Arc<dyn Any + Send + Sync>);
        Ok(built)
    }
}

/// Where a context's identities come from: the default one and those chosen by name.
#[derive(Debug, Clone, Default)]
struct Identities {
    default: Option<IdentitySource>,
    by_name: Vec<(String, IdentitySource)>,
}

fn load_material(identities: &Identities, trust: &Trust, role: Role) -> Result<Material> {
    let identity = identities.default.as_ref();
    let loaded_identity = identity.map(IdentitySource::load).transpose()?;
    let by_name = identities
        .by_name
        .iter()
        .map(|(name, source)| Ok((name.clone(), source.load()?)))
        .collect::<Result<Vec<_>>>()?;
    let needs = identity
        .and_then(IdentitySource::needs)
        .or_else(|| identities.by_name.iter().find_map(|(_, s)| s.needs()));
    let roots = match role {
        Role::Client => trust.load()?,
        // A server trusts no client unless told which roots to use (SPEC VERIFY-10).
        Role::Server if trust.is_exclusive() => trust.load()?,
        Role::Server => Vec::new(),
    };
    Ok(Material {
        identity: loaded_identity,
        roots,
        by_name,
        identity_needs: needs,
    })
}

/// Starts a client context: verifying the server against the system roots and its
/// host name, TLS 1.2–1.3 (SPEC VERIFY-1, ABS-1).
pub fn create_client_context() -> ContextBuilder {
    ContextBuilder::new(Role::Client)
}

/// Starts a server context; give it an identity with [`ContextBuilder::identity`].
pub fn create_server_context() -> ContextBuilder {
    ContextBuilder::new(Role::Server)
}

/// Builds an [`AbstractContext`]; every check and every file read happens in
/// [`build`](ContextBuilder::build) (SPEC ABS-1).
pub struct ContextBuilder {
    name: Option<String>,
    implementation: Option<String>,
    options: ContextOptions,
    min_version: ProtocolVersion,
    max_version: ProtocolVersion,
    cipher_names: Option<Vec<String>>,
    group_names: Option<Vec<String>>,
    server_name: Option<String>,
    identities: Identities,
    trust: Trust,
    errors: Vec<Error>,
}

impl ContextBuilder {
    fn new(role: Role) -> ContextBuilder {
        ContextBuilder {
            name: None,
            implementation: None,
            options: ContextOptions {
                role,
                versions: VersionRange::FLEXIBLE,
                alpn: Vec::new(),
                cipher_suites: None,
                default_server_name: None,
                client_auth: ClientAuth::Never,
                danger_accept_invalid_certs: false,
                danger_accept_invalid_hostnames: false,
                verify_callback: None,
                resumption: true,
                verification_time: None,
                hooks: NativeHooks::default(),
                key_log: None,
                groups: None,
                sni_callback: None,
                client_cert_callback: None,
            },
            min_version: ProtocolVersion::Tls12,
            max_version: ProtocolVersion::Tls13,
            cipher_names: None,
            group_names: None,
            server_name: None,
            identities: Identities::default(),
            trust: Trust::default(),
            errors: Vec::new(),
        }
    }

    fn role_only(&mut self, role: Role, option: &str) {
        if self.options.role != role {
            self.errors.push(Error::invalid(format!(
                "{option} is a {} option; this is a {} context",
                role_name(role),
                role_name(self.options.role)
            )));
        }
    }

    /// A label for the context (SPEC ABS-6).
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// Fixes the backend; `None` (the default) uses the default backend at each
    /// attach. An unavailable backend is `InvalidArgument` at build (SPEC ABS-4).
    pub fn implementation(mut self, name: impl Into<String>) -> Self {
        self.implementation = Some(name.into());
        self
    }

    /// The lowest version (TLS 1.2 by default; nothing lower exists here).
    pub fn min_version(mut self, version: ProtocolVersion) -> Self {
        self.min_version = version;
        self
    }

    /// The highest version (TLS 1.3 by default).
    pub fn max_version(mut self, version: ProtocolVersion) -> Self {
        self.max_version = version;
        self
    }

    /// ALPN protocols in preference order, each 1–255 octets (SPEC PROTO-8).
    pub fn alpn<P: AsRef<[u8]>>(mut self, protocols: impl IntoIterator<Item = P>) -> Self {
        self.options.alpn = protocols.into_iter().map(|p| p.as_ref().to_vec()).collect();
        self
    }

    /// Restricts cipher suites to these IANA names; an unknown name or an empty list
    /// is `InvalidArgument` (SPEC PROTO-6).
    pub fn cipher_suites<S: AsRef<str>>(mut self, names: impl IntoIterator<Item = S>) -> Self {
        self.cipher_names = Some(names.into_iter().map(|n| n.as_ref().to_string()).collect());
        self
    }

    /// Restricts and orders the key-exchange groups by IANA name (`x25519`,
    /// `secp256r1`, `X25519MLKEM768`…); an unknown name or an empty list is
    /// `InvalidArgument` (SPEC PROTO-15).
    pub fn groups<S: AsRef<str>>(mut self, names: impl IntoIterator<Item = S>) -> Self {
        self.group_names = Some(names.into_iter().map(|n| n.as_ref().to_string()).collect());
        self
    }

    /// Turns session resumption off (it is on by default).
    pub fn resumption(mut self, enabled: bool) -> Self {
        self.options.resumption = enabled;
        self
    }

    /// The certificate chain and key to present. Servers need one (or get
    /// `X509Lookup` at attach); clients present it when asked.
    pub fn identity(mut self, identity: IdentitySource) -> Self {
        self.identities.default = Some(identity);
        self
    }

    /// Server: the identity to present when the client's SNI is `name` (exact,
    /// case-insensitive; `*.example.org` covers one label). Without a match the
    /// default [`identity`](Self::identity) is used (SPEC SNI-10).
    pub fn identity_for_name(mut self, name: impl Into<String>, identity: IdentitySource) -> Self {
        self.role_only(Role::Server, "identity_for_name");
        self.identities
            .by_name
            .push((name.into().to_ascii_lowercase(), identity));
        self
    }

    /// Server: a callback choosing the identity by the client's SNI: it returns the
    /// name of an identity registered with [`identity_for_name`](Self::identity_for_name),
    /// or `None` for the default; an error fails the handshake with X509Lookup
    /// (SPEC SNI-10).
    pub fn sni_callback(
        mut self,
        callback: impl Fn(Option<&str>) -> std::result::Result<Option<String>, BoxError>
            + Send
            + Sync
            + 'static,
    ) -> Self {
        self.role_only(Role::Server, "sni_callback");
        self.options.sni_callback = Some(Arc::new(callback));
        self
    }

    /// Client: a callback run when the server asks for a certificate: given the
    /// certificate authorities the server accepts, the identity to present (loaded
    /// beforehand, e.g. with [`IdentitySource::load`]), or `None` to present none; an
    /// error fails the handshake with X509Lookup (SPEC KEY-9). It replaces
    /// [`identity`](Self::identity): giving both is `InvalidArgument`. Needs
    /// `ClientAuth` for the client role.
    pub fn client_cert_callback(
        mut self,
        callback: impl Fn(&crate::CertificateRequest<'_>) -> std::result::Result<Option<Identity>, BoxError>
            + Send
            + Sync
            + 'static,
    ) -> Self {
        self.role_only(Role::Client, "client_cert_callback");
        self.options.client_cert_callback = Some(Arc::new(callback));
        self
    }

    /// Client: the default SNI and reference name, overridable per attach (SPEC SNI-7;
    /// one thing, see [`ServerName`]).
    pub fn server_name(mut self, name: impl Into<String>) -> Self {
        self.role_only(Role::Client, "server_name");
        self.server_name = Some(name.into());
        self
    }

    /// Adds trust anchors (for a server: client roots) to the defaults.
    pub fn add_trust(mut self, source: TrustSource) -> Self {
        self.trust.add(source);
        self
    }

    /// Trusts exactly these sources, without the system store.
    pub fn trust_only(mut self, sources: impl IntoIterator<Item = TrustSource>) -> Self {
        self.trust.only(sources);
        self
    }

    /// Server: whether to ask for client certificates (SPEC VERIFY-8). Client roots
    /// come from [`trust_only`](Self::trust_only).
    pub fn client_auth(mut self, mode: ClientAuth) -> Self {
        self.role_only(Role::Server, "client_auth");
        self.options.client_auth = mode;
        self
    }

    /// Client: accept any certificate, checking nothing. Dangerous: anyone in the
    /// path can read and change the traffic (SPEC VERIFY-2).
    pub fn danger_accept_invalid_certs(mut self) -> Self {
        self.role_only(Role::Client, "danger_accept_invalid_certs");
        self.options.danger_accept_invalid_certs = true;
        self
    }

    /// Client: check the chain but not the host name. Dangerous (SPEC VERIFY-2).
    pub fn danger_accept_invalid_hostnames(mut self) -> Self {
        self.role_only(Role::Client, "danger_accept_invalid_hostnames");
        self.options.danger_accept_invalid_hostnames = true;
        self
    }

    /// A backend-neutral verify callback run after the built-in checks
    /// (SPEC VERIFY-11).
    pub fn verify_callback(
        mut self,
        callback: impl Fn(&VerifyInput<'_>) -> Verdict + Send + Sync + 'static,
    ) -> Self {
        self.options.verify_callback = Some(Arc::new(callback));
        self
    }

    /// Client: verify as of `time` instead of now (SPEC VERIFY-14).
    pub fn verification_time(mut self, time: SystemTime) -> Self {
        self.role_only(Role::Client, "verification_time");
        self.options.verification_time = Some(time);
        self
    }

    /// Hands each handshake's secrets to `callback` as NSS key-log lines, for
    /// decrypting captures while debugging (SPEC PROTO-12). Nothing is logged without
    /// it; the `SSLKEYLOGFILE` variable alone does nothing (SPEC SEC-7).
    pub fn key_log(mut self, callback: impl Fn(&str) + Send + Sync + 'static) -> Self {
        self.options.key_log = Some(Arc::new(callback));
        self
    }

    /// A hook run on backend `B`'s native context each time it is built from this
    /// abstract context (once, until `reset()`), not per connection (SPEC ABS-5).
    pub fn context_hook<B: NativeTypes>(
        mut self,
        hook: impl Fn(&mut B::ContextBuilder) -> std::result::Result<(), BoxError>
            + Send
            + Sync
            + 'static,
    ) -> Self {
        self.options.hooks.set_context::<B>(hook);
        self
    }

    /// A hook run on each backend-`B` connection made from this context, before the
    /// attach's own `connection_hook` (SPEC CB-2).
    pub fn connection_hook<B: NativeTypes>(
        mut self,
        hook: impl Fn(&mut B::Connection) -> std::result::Result<(), BoxError> + Send + Sync + 'static,
    ) -> Self {
        self.options.hooks.set_connection::<B>(hook);
        self
    }

    /// Checks everything, reads every file, and makes the context.
    pub fn build(mut self) -> Result<Arc<AbstractContext>> {
        if let Some(first) = self.errors.drain(..).next() {
            return Err(first);
        }
        self.options.versions = VersionRange::new(self.min_version, self.max_version)?;
        for protocol in &self.options.alpn {
            if protocol.is_empty() || protocol.len() > 255 {
                return Err(Error::invalid(
                    "ALPN protocol names must be 1 to 255 octets",
                ));
            }
        }
        if let Some(names) = &self.cipher_names {
            if names.is_empty() {
                return Err(Error::invalid("the cipher suite list is empty"));
            }
            let suites = names
                .iter()
                .map(|n| {
                    CipherSuite::from_iana_name(n).ok_or_else(|| {
                        Error::invalid(format!("unknown cipher suite {n:?}: use IANA names like TLS_AES_128_GCM_SHA256"))
                    })
                })
                .collect::<Result<Vec<_>>>()?;
            if !suites.iter().any(|s| {
                s.version()
                    .is_some_and(|v| self.options.versions.contains(v))
            }) {
                return Err(Error::invalid(
                    "no listed cipher suite belongs to an allowed protocol version",
                ));
            }
            self.options.cipher_suites = Some(suites);
        }
        if let Some(names) = &self.group_names {
            if names.is_empty() {
                return Err(Error::invalid("the key-exchange group list is empty"));
            }
            self.options.groups = Some(
                names
                    .iter()
                    .map(|n| Group::from_name(n))
                    .collect::<Result<_>>()?,
            );
        }
        if let Some(name) = &self.server_name {
            self.options.default_server_name = Some(ServerName::parse(name)?);
        }
        if self.options.client_auth != ClientAuth::Never && !self.trust.is_exclusive() {
            return Err(Error::invalid(
                "client authentication needs client roots: give them with trust_only(...)",
            ));
        }
        let implementation = self
            .implementation
            .as_deref()
            .map(registry::lookup_name)
            .transpose()?;
        let material = load_material(&self.identities, &self.trust, self.options.role)?;
        if self.options.client_cert_callback.is_some() && material.identity.is_some() {
            return Err(Error::invalid(
                "give either an identity or a client_cert_callback, not both",
            ));
        }
        if self.options.role == Role::Server
            && material.identity.is_none()
            && material.by_name.is_empty()
            && self.options.sni_callback.is_none()
            && self.options.hooks.is_empty()
        {
            // Caught here rather than as a failed handshake per connection (SPEC SNI-11).
            // A native hook may install the certificate itself, so it counts as one.
            return Err(Error::invalid(
                "a server context needs an identity: give identity(...), \
                 identity_for_name(...), an sni_callback, or a context_hook that sets one",
            ));
        }
        let context = AbstractContext {
            name: self.name,
            implementation,
            options: self.options,
            identity_source: self.identities,
            trust: self.trust,
            material: RwLock::new(Arc::new(material)),
            natives: Mutex::new(HashMap::new()),
        };
        if let Some(backend) = implementation.and_then(registry::registered) {
            context.check_capabilities(backend.name(), backend.capabilities())?;
            backend.check_identity(&context.material())?;
        } else if let Ok(backend) = registry::default_backend() {
            // The identity is checked now by the backend most likely to use it, so a
            // key that does not match its certificate fails at creation (SPEC KEY-6).
            backend.check_identity(&context.material())?;
        }
        Ok(Arc::new(context))
    }
}

fn role_name(role: Role) -> &'static str {
    match role {
        Role::Client => "client",
        Role::Server => "server",
    }
}
