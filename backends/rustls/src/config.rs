//! Building rustls configs with unitls's secure defaults, from a version range (the
//! `Default`/`Protocol` specs) or from an abstract context.
//!
//! Secure defaults, applied here in one place: TLS 1.2 floor (rustls has nothing
//! lower), the provider's modern suites, client verification of the chain and host
//! name, no renegotiation (rustls does not implement it), no compression, no key log
//! unless asked (SPEC SEC-1..3, SEC-7).

use std::sync::{Arc, OnceLock};

use rustls::client::{Resumption, WebPkiServerVerifier};
use rustls::crypto::CryptoProvider;
use rustls::server::{
    ClientHello, NoServerSessionStorage, ResolvesServerCert, WebPkiClientVerifier,
};
use rustls::sign::CertifiedKey;
use rustls::{ClientConfig, RootCertStore, ServerConfig, SupportedProtocolVersion};
use unitls_core::backend::{ContextOptions, Material};
use unitls_core::{
    ClientAuth, Error, Identity, ProtocolVersion, Result, TrustSource, VersionRange,
};

use crate::error::config as config_error;
use crate::verifier::{ClientVerifier, ServerVerifier};
use crate::NAME;

/// The crypto provider: aws-lc-rs by default, ring with the `ring` feature. Never
/// installed process-wide (SPEC INIT-4).
pub(crate) fn provider() -> Arc<CryptoProvider> {
    static PROVIDER: OnceLock<Arc<CryptoProvider>> = OnceLock::new();
    Arc::clone(PROVIDER.get_or_init(|| {
        #[cfg(feature = "aws-lc-rs")]
        let provider = rustls::crypto::aws_lc_rs::default_provider();
        #[cfg(all(feature = "ring", not(feature = "aws-lc-rs")))]
        let provider = rustls::crypto::ring::default_provider();
        Arc::new(provider)
    }))
}

fn versions(range: VersionRange) -> Vec<&'static SupportedProtocolVersion> {
    let mut out = Vec::new();
    if range.contains(ProtocolVersion::Tls13) {
        out.push(&rustls::version::TLS13);
    }
    if range.contains(ProtocolVersion::Tls12) {
        out.push(&rustls::version::TLS12);
    }
    out
}

/// The provider restricted to the context's cipher suites, in its order.
fn provider_for(options: Option<&ContextOptions>) -> Result<Arc<CryptoProvider>> {
    let with_suites = provider_with_suites(options)?;
    let Some(groups) = options.and_then(|o| o.groups.as_ref()) else {
        return Ok(with_suites);
    };
    let mut kx_groups = Vec::new();
    for group in groups {
        let found = with_suites
            .kx_groups
            .iter()
            .find(|g| u16::from(g.name()) == group.code())
            .ok_or_else(|| {
                Error::invalid(format!("rustls does not implement the group {group}"))
                    .with_backend(NAME)
            })?;
        kx_groups.push(*found);
    }
    Ok(Arc::new(CryptoProvider {
        kx_groups,
        ..(*with_suites).clone()
    }))
}

/// The provider restricted to the context's cipher suites, in its order.
fn provider_with_suites(options: Option<&ContextOptions>) -> Result<Arc<CryptoProvider>> {
    let base = provider();
    let Some(wanted) = options.and_then(|o| o.cipher_suites.as_ref()) else {
        return Ok(base);
    };
    let mut suites = Vec::new();
    for suite in wanted {
        let found = base
            .cipher_suites
            .iter()
            .find(|s| u16::from(s.suite()) == suite.0)
            .ok_or_else(|| {
                Error::invalid(format!(
                    "rustls does not implement the cipher suite {suite}"
                ))
                .with_backend(NAME)
            })?;
        suites.push(*found);
    }
    Ok(Arc::new(CryptoProvider {
        cipher_suites: suites,
        ..(*base).clone()
    }))
}

fn root_store(roots: &[rustls::pki_types::CertificateDer<'static>]) -> RootCertStore {
    let mut store = RootCertStore::empty();
    // Certificates the system store holds that WebPKI cannot parse are skipped, as
    // every rustls user does.
    let _ = store.add_parsable_certificates(roots.iter().cloned());
    store
}

fn web_pki(
    roots: &[rustls::pki_types::CertificateDer<'static>],
    provider: &Arc<CryptoProvider>,
) -> Result<Option<Arc<WebPkiServerVerifier>>> {
    let store = root_store(roots);
    if store.is_empty() {
        return Ok(None);
    }
    WebPkiServerVerifier::builder_with_provider(Arc::new(store), Arc::clone(provider))
        .build()
        .map(Some)
        .map_err(|e| {
            Error::invalid("rustls cannot build a verifier from these roots")
                .with_backend(NAME)
                .with_source(e)
        })
}

/// The system roots, loaded once per process for `Default`/`Protocol` clients;
/// `None` when the store is empty (every chain is then UnknownIssuer, unless a
/// context hook installs its own verifier).
fn default_verifier() -> Result<Option<Arc<WebPkiServerVerifier>>> {
    static DEFAULT: OnceLock<std::result::Result<Option<Arc<WebPkiServerVerifier>>, String>> =
        OnceLock::new();
    let built = DEFAULT.get_or_init(|| {
        let mut trust = unitls_core::backend::Trust::default();
        trust.only([TrustSource::System]);
        let roots = trust.load().map_err(|e| e.to_string())?;
        web_pki(&roots, &provider()).map_err(|e| e.to_string())
    });
    match built {
        Ok(verifier) => Ok(verifier.clone()),
        Err(text) => Err(Error::invalid(text.clone()).with_backend(NAME)),
    }
}

/// A `Default`/`Protocol` client config: system roots, host-name checks.
pub(crate) fn protocol_client(range: VersionRange) -> Result<ClientConfig> {
    let provider = provider();
    let verifier = ServerVerifier::new(default_verifier()?, Arc::clone(&provider), None);
    let mut config = ClientConfig::builder_with_provider(provider)
        .with_protocol_versions(&versions(range))
        .map_err(|e| config_error(e, "protocol versions"))?
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(verifier))
        .with_no_client_auth();
    // A context for this connection alone never resumes (SPEC PROTO-11).
    config.resumption = Resumption::disabled();
    Ok(config)
}

/// A `Default`/`Protocol` server config: no identity until a callback gives one.
pub(crate) fn protocol_server(range: VersionRange) -> Result<ServerConfig> {
    let mut config = ServerConfig::builder_with_provider(provider())
        .with_protocol_versions(&versions(range))
        .map_err(|e| config_error(e, "protocol versions"))?
        .with_no_client_auth()
        .with_cert_resolver(no_identity());
    config.session_storage = Arc::new(NoServerSessionStorage {});
    config.send_tls13_tickets = 0;
    Ok(config)
}

/// The resolver of a server without identity (until a context hook sets another).
fn no_identity() -> Arc<dyn ResolvesServerCert> {
    static NONE: std::sync::OnceLock<Arc<dyn ResolvesServerCert>> = std::sync::OnceLock::new();
    Arc::clone(NONE.get_or_init(|| Arc::new(FixedIdentity(None))))
}

/// Whether `config` still has no identity to present (SPEC SNI-11: core then
/// refuses the ClientHello).
pub(crate) fn lacks_identity(config: &ServerConfig) -> bool {
    Arc::ptr_eq(&config.cert_resolver, &no_identity())
}

/// The certificate the server presents whatever the SNI; `None` makes the handshake
/// fail with X509Lookup (SPEC SNI-11).
#[derive(Debug)]
pub(crate) struct FixedIdentity(pub(crate) Option<Arc<CertifiedKey>>);

impl ResolvesServerCert for FixedIdentity {
    fn resolve(&self, _hello: ClientHello<'_>) -> Option<Arc<CertifiedKey>> {
        chosen(self.0.clone())
    }
}

/// Remembers the resolved certificate for the connection (its `local_leaf`).
fn chosen(key: Option<Arc<CertifiedKey>>) -> Option<Arc<CertifiedKey>> {
    if let Some(key) = key.as_ref() {
        crate::verifier::record_local_leaf(key);
    }
    key
}

/// The certificate the server presents, chosen by the client's SNI (SPEC SNI-10):
/// core's selection rules over identities loaded once per native build.
pub(crate) struct ByName {
    options: ContextOptions,
    material: Arc<Material>,
    keys: Vec<Arc<CertifiedKey>>,
    default: Option<Arc<CertifiedKey>>,
}

impl std::fmt::Debug for ByName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ByName")
            .field("names", &self.keys.len())
            .finish()
    }
}

impl ResolvesServerCert for ByName {
    fn resolve(&self, hello: ClientHello<'_>) -> Option<Arc<CertifiedKey>> {
        let identity = self
            .material
            .select_identity(&self.options, hello.server_name())
            .ok()?;
        let is_default = self
            .material
            .identity
            .as_ref()
            .is_some_and(|d| std::ptr::eq(d, identity));
        let key = if is_default {
            self.default.clone()
        } else {
            let index = self
                .material
                .by_name
                .iter()
                .position(|(_, id)| std::ptr::eq(id, identity))?;
            self.keys.get(index).cloned()
        };
        chosen(key)
    }
}

/// Loads an identity with `provider`, checking that the key matches the leaf.
pub(crate) fn certified_key(
    identity: &Identity,
    provider: &CryptoProvider,
) -> Result<Arc<CertifiedKey>> {
    CertifiedKey::from_der(
        identity.chain().to_vec(),
        identity.key().clone_key(),
        provider,
    )
    .map(Arc::new)
    .map_err(|e| {
        Error::invalid("the private key does not match the certificate, or rustls cannot use it")
            .with_backend(NAME)
            .with_source(e)
    })
}

/// rustls's key-log hook, writing NSS lines to the context's callback.
struct KeyLogLines(ContextOptions);

impl std::fmt::Debug for KeyLogLines {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("KeyLogLines")
    }
}

impl rustls::KeyLog for KeyLogLines {
    fn log(&self, label: &str, client_random: &[u8], secret: &[u8]) {
        let hex = |b: &[u8]| b.iter().map(|x| format!("{x:02x}")).collect::<String>();
        self.0
            .log_key(&format!("{label} {} {}", hex(client_random), hex(secret)));
    }
}

fn key_log(options: &ContextOptions) -> Option<Arc<dyn rustls::KeyLog>> {
    options
        .key_log
        .as_ref()
        .map(|_| Arc::new(KeyLogLines(options.clone())) as Arc<dyn rustls::KeyLog>)
}

/// A client config from an abstract context.
pub(crate) fn abstract_client(
    options: &ContextOptions,
    material: &Material,
) -> Result<ClientConfig> {
    let provider = provider_for(Some(options))?;
    let verifier = ServerVerifier::new(
        web_pki(&material.roots, &provider)?,
        Arc::clone(&provider),
        Some(options.clone()),
    );
    let builder = ClientConfig::builder_with_provider(Arc::clone(&provider))
        .with_protocol_versions(&versions(options.versions))
        .map_err(|e| config_error(e, "protocol versions or cipher suites"))?
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(verifier));
    let mut config = match (&material.identity, &options.client_cert_callback) {
        (Some(identity), _) => builder
            .with_client_auth_cert(identity.chain().to_vec(), identity.key().clone_key())
            .map_err(|e| config_error(e, "client identity"))?,
        (None, Some(_)) => builder.with_client_cert_resolver(Arc::new(
            crate::cert_request::ByRequest::new(options.clone(), Arc::clone(&provider)),
        )),
        (None, None) => builder.with_no_client_auth(),
    };
    config.alpn_protocols = options.alpn.clone();
    if !options.resumption {
        config.resumption = Resumption::disabled();
    }
    if let Some(log) = key_log(options) {
        config.key_log = log;
    }
    Ok(config)
}

/// A server config from an abstract context.
pub(crate) fn abstract_server(
    options: &ContextOptions,
    material: &Arc<Material>,
) -> Result<ServerConfig> {
    let provider = provider_for(Some(options))?;
    let builder = ServerConfig::builder_with_provider(Arc::clone(&provider))
        .with_protocol_versions(&versions(options.versions))
        .map_err(|e| config_error(e, "protocol versions or cipher suites"))?;
    let builder = match options.client_auth {
        ClientAuth::Never => builder.with_no_client_auth(),
        mode => {
            let store = root_store(&material.roots);
            if store.is_empty() {
                return Err(Error::invalid(
                    "client authentication needs at least one usable client root",
                )
                .with_backend(NAME));
            }
            let webpki =
                WebPkiClientVerifier::builder_with_provider(Arc::new(store), Arc::clone(&provider));
            let webpki = if mode == ClientAuth::Optional {
                webpki.allow_unauthenticated()
            } else {
                webpki
            };
            let inner = webpki.build().map_err(|e| {
                Error::invalid("rustls cannot build a client verifier")
                    .with_backend(NAME)
                    .with_source(e)
            })?;
            builder.with_client_cert_verifier(Arc::new(ClientVerifier::new(inner, options.clone())))
        }
    };
    let identity = material
        .identity
        .as_ref()
        .map(|i| certified_key(i, &provider))
        .transpose()?;
    let resolver: Arc<dyn ResolvesServerCert> = if material.selects_by_name(options) {
        let keys = material
            .by_name
            .iter()
            .map(|(_, id)| certified_key(id, &provider))
            .collect::<Result<_>>()?;
        Arc::new(ByName {
            options: options.clone(),
            material: Arc::clone(material),
            keys,
            default: identity,
        })
    } else {
        Arc::new(FixedIdentity(identity))
    };
    let mut config = builder.with_cert_resolver(resolver);
    config.alpn_protocols = options.alpn.clone();
    if !options.resumption {
        config.session_storage = Arc::new(NoServerSessionStorage {});
        config.send_tls13_tickets = 0;
    }
    if let Some(log) = key_log(options) {
        config.key_log = log;
    }
    Ok(config)
}
