//! Building OpenSSL contexts with unitls's secure defaults, from a version range (the
//! `Default`/`Protocol` specs) or from an abstract context.
//!
//! Secure defaults, applied here in one place: TLS 1.2 floor, ECDHE with AEAD
//! ciphers only for TLS 1.2 (OpenSSL's TLS 1.3 suites as they are), no compression,
//! no renegotiation, no session tickets or cache for one-off contexts, peer and
//! host-name verification on clients (SPEC SEC-1..3).

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock, PoisonError};

use openssl::ec::EcKey;
use openssl::pkey::{PKey, Private};
use openssl::rsa::Rsa;
use openssl::ssl::{
    AlpnError, Ssl, SslContext, SslContextBuilder, SslMethod, SslMode, SslOptions, SslSession,
    SslSessionCacheMode, SslVersion,
};
use openssl::x509::X509;
use unitls_core::backend::{ContextOptions, Material};
use unitls_core::pki_types::PrivateKeyDer;
use unitls_core::{CipherSuite, Error, Identity, ProtocolVersion, Result, Role, VersionRange};

use crate::error::config as config_error;
use crate::NAME;

/// OpenSSL's names for the TLS 1.2 suites it implements, by IANA name.
const TLS12_NAMES: &[(&str, &str)] = &[
    (
        "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
        "ECDHE-ECDSA-AES128-GCM-SHA256",
    ),
    (
        "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
        "ECDHE-ECDSA-AES256-GCM-SHA384",
    ),
    (
        "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
        "ECDHE-RSA-AES128-GCM-SHA256",
    ),
    (
        "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
        "ECDHE-RSA-AES256-GCM-SHA384",
    ),
    (
        "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
        "ECDHE-RSA-CHACHA20-POLY1305",
    ),
    (
        "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
        "ECDHE-ECDSA-CHACHA20-POLY1305",
    ),
    (
        "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA",
        "ECDHE-ECDSA-AES128-SHA",
    ),
    (
        "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA",
        "ECDHE-ECDSA-AES256-SHA",
    ),
    ("TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA", "ECDHE-RSA-AES128-SHA"),
    ("TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA", "ECDHE-RSA-AES256-SHA"),
    (
        "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256",
        "ECDHE-ECDSA-AES128-SHA256",
    ),
    (
        "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384",
        "ECDHE-ECDSA-AES256-SHA384",
    ),
    (
        "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256",
        "ECDHE-RSA-AES128-SHA256",
    ),
    (
        "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384",
        "ECDHE-RSA-AES256-SHA384",
    ),
    ("TLS_RSA_WITH_AES_128_GCM_SHA256", "AES128-GCM-SHA256"),
    ("TLS_RSA_WITH_AES_256_GCM_SHA384", "AES256-GCM-SHA384"),
    (
        "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256",
        "DHE-RSA-AES128-GCM-SHA256",
    ),
    (
        "TLS_DHE_RSA_WITH_AES_256_GCM_SHA384",
        "DHE-RSA-AES256-GCM-SHA384",
    ),
    (
        "TLS_DHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
        "DHE-RSA-CHACHA20-POLY1305",
    ),
];

/// The TLS 1.2 suites offered by default: ECDHE key exchange, AEAD ciphers.
const DEFAULT_TLS12_CIPHERS: &str = "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:\
ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:\
ECDHE-RSA-CHACHA20-POLY1305";

/// Client sessions kept for resumption, by reference name (SPEC PROTO-11).
pub(crate) type SessionCache = Arc<Mutex<HashMap<String, SslSession>>>;

/// What an abstract context builds for OpenSSL, cached in it (SPEC ABS-5).
pub(crate) struct NativeContext {
    pub(crate) context: SslContext,
    pub(crate) sessions: Option<SessionCache>,
}

/// The per-`Ssl` flag set when the server-name selection found no identity.
pub(crate) fn sni_failure_index() -> openssl::ex_data::Index<Ssl, bool> {
    static INDEX: OnceLock<openssl::ex_data::Index<Ssl, bool>> = OnceLock::new();
    *INDEX.get_or_init(|| Ssl::new_ex_index().expect("OpenSSL ex_data index"))
}

/// Chooses the server's certificate by the client's SNI (SPEC SNI-10): core's
/// selection rules, each named identity in a context of its own that the connection
/// switches to (`SSL_set_SSL_CTX`).
fn select_by_name(
    builder: &mut SslContextBuilder,
    options: &ContextOptions,
    material: &Arc<Material>,
) -> Result<()> {
    let contexts = material
        .by_name
        .iter()
        .map(|(_, identity)| {
            let mut named =
                SslContext::builder(SslMethod::tls()).map_err(|e| config_error(e, "context"))?;
            set_identity(&mut named, identity)?;
            Ok(named.build())
        })
        .collect::<Result<Vec<_>>>()?;
    let (options, material) = (options.clone(), Arc::clone(material));
    builder.set_servername_callback(move |ssl, alert| {
        let sni = ssl
            .servername(openssl::ssl::NameType::HOST_NAME)
            .map(str::to_string);
        let Ok(chosen) = material.select_identity(&options, sni.as_deref()) else {
            ssl.set_ex_data(sni_failure_index(), true);
            *alert = openssl::ssl::SslAlert::HANDSHAKE_FAILURE;
            return Err(openssl::ssl::SniError::ALERT_FATAL);
        };
        match material
            .by_name
            .iter()
            .position(|(_, id)| std::ptr::eq(id, chosen))
        {
            Some(index) => ssl
                .set_ssl_context(&contexts[index])
                .map_err(|_| openssl::ssl::SniError::ALERT_FATAL),
            None => Ok(()), // the default identity, already in place
        }
    });
    Ok(())
}

/// The per-`Ssl` slot naming the reference name, for the session cache.
pub(crate) fn reference_name_index() -> openssl::ex_data::Index<Ssl, String> {
    static INDEX: OnceLock<openssl::ex_data::Index<Ssl, String>> = OnceLock::new();
    *INDEX.get_or_init(|| Ssl::new_ex_index().expect("OpenSSL ex_data index"))
}

fn version(v: ProtocolVersion) -> SslVersion {
    match v {
        ProtocolVersion::Tls12 => SslVersion::TLS1_2,
        ProtocolVersion::Tls13 => SslVersion::TLS1_3,
    }
}

fn no_resumption(builder: &mut SslContextBuilder) {
    builder.set_session_cache_mode(SslSessionCacheMode::OFF);
    builder.set_options(SslOptions::NO_TICKET);
    crate::flavor::no_tls13_tickets(builder);
}

/// A context with the secure defaults and these versions.
pub(crate) fn base(range: VersionRange) -> Result<SslContextBuilder> {
    let mut builder =
        SslContext::builder(SslMethod::tls()).map_err(|e| config_error(e, "context"))?;
    builder
        .set_min_proto_version(Some(version(range.min)))
        .and_then(|()| builder.set_max_proto_version(Some(version(range.max))))
        .map_err(|e| config_error(e, "protocol versions"))?;
    builder.set_options(SslOptions::NO_COMPRESSION | SslOptions::NO_RENEGOTIATION);
    // Record buffers are freed while a connection is idle (what the openssl crate's
    // SslConnector and SslAcceptor set too): an idle connection holds no 34 KiB.
    builder.set_mode(SslMode::RELEASE_BUFFERS);
    builder
        .set_cipher_list(DEFAULT_TLS12_CIPHERS)
        .map_err(|e| config_error(e, "cipher list"))?;
    builder
        .set_session_id_context(b"unitls")
        .map_err(|e| config_error(e, "session id context"))?;
    Ok(builder)
}

/// A `Default`/`Protocol` context: clients trust OpenSSL's default store (the system
/// one), nothing resumes, servers have no identity until a callback gives one.
pub(crate) fn protocol(range: VersionRange) -> Result<SslContextBuilder> {
    let mut builder = base(range)?;
    builder
        .set_default_verify_paths()
        .map_err(|e| config_error(e, "default trust store"))?;
    no_resumption(&mut builder);
    Ok(builder)
}

/// OpenSSL's key from DER in any of the formats core reads.
pub(crate) fn private_key(key: &PrivateKeyDer<'_>) -> Result<PKey<Private>> {
    let parsed = match key {
        PrivateKeyDer::Pkcs8(k) => PKey::private_key_from_pkcs8(k.secret_pkcs8_der()),
        PrivateKeyDer::Pkcs1(k) => {
            Rsa::private_key_from_der(k.secret_pkcs1_der()).and_then(PKey::from_rsa)
        }
        PrivateKeyDer::Sec1(k) => {
            EcKey::private_key_from_der(k.secret_sec1_der()).and_then(PKey::from_ec_key)
        }
        _ => return Err(Error::invalid("OpenSSL cannot use this key format").with_backend(NAME)),
    };
    parsed.map_err(|e| config_error(e, "private key"))
}

/// Installs an identity and checks that the key matches the leaf (SPEC KEY-6).
pub(crate) fn set_identity(builder: &mut SslContextBuilder, identity: &Identity) -> Result<()> {
    let mut certs = identity
        .chain()
        .iter()
        .map(|der| X509::from_der(der).map_err(|e| config_error(e, "certificate")));
    let leaf = certs.next().expect("identities have a leaf")?;
    builder
        .set_certificate(&leaf)
        .map_err(|e| config_error(e, "certificate"))?;
    for cert in certs {
        builder
            .add_extra_chain_cert(cert?)
            .map_err(|e| config_error(e, "certificate chain"))?;
    }
    let key = private_key(identity.key())?;
    builder
        .set_private_key(&key)
        .map_err(|e| config_error(e, "private key"))?;
    builder.check_private_key().map_err(|e| {
        Error::invalid("the private key does not match the certificate")
            .with_backend(NAME)
            .with_source(e)
    })
}

/// The first of `preferred` that the client's wire-format list offers, as a slice of
/// the client's list (OpenSSL requires that).
fn select_alpn<'a>(preferred: &[Vec<u8>], client: &'a [u8]) -> Option<&'a [u8]> {
    let mut offered = Vec::new();
    let mut rest = client;
    while let Some((&len, tail)) = rest.split_first() {
        let len = usize::from(len);
        if tail.len() < len {
            break;
        }
        offered.push(&tail[..len]);
        rest = &tail[len..];
    }
    preferred
        .iter()
        .find_map(|p| offered.iter().copied().find(|o| *o == p.as_slice()))
}

/// ALPN protocols in wire format.
fn alpn_wire(protocols: &[Vec<u8>]) -> Vec<u8> {
    let mut wire = Vec::new();
    for p in protocols {
        wire.push(p.len() as u8);
        wire.extend_from_slice(p);
    }
    wire
}

fn set_cipher_suites(
    builder: &mut SslContextBuilder,
    suites: &[CipherSuite],
    range: VersionRange,
) -> Result<()> {
    let mut tls12 = Vec::new();
    let mut tls13 = Vec::new();
    for suite in suites {
        let name = suite.iana_name().unwrap_or_default();
        match suite.version() {
            Some(ProtocolVersion::Tls13) => tls13.push(name),
            _ => match TLS12_NAMES.iter().find(|(iana, _)| *iana == name) {
                Some((_, openssl_name)) => tls12.push(*openssl_name),
                None => {
                    return Err(Error::invalid(format!("OpenSSL does not implement {name}"))
                        .with_backend(NAME))
                }
            },
        }
    }
    // A list without suites for one version rules that version out.
    let allows = |v| range.contains(v);
    let min = if tls12.is_empty() || !allows(ProtocolVersion::Tls12) {
        ProtocolVersion::Tls13
    } else {
        ProtocolVersion::Tls12
    };
    let max = if tls13.is_empty() || !allows(ProtocolVersion::Tls13) {
        ProtocolVersion::Tls12
    } else {
        ProtocolVersion::Tls13
    };
    builder
        .set_min_proto_version(Some(version(min)))
        .and_then(|()| builder.set_max_proto_version(Some(version(max))))
        .map_err(|e| config_error(e, "protocol versions"))?;
    if !tls12.is_empty() {
        builder
            .set_cipher_list(&tls12.join(":"))
            .map_err(|e| config_error(e, "TLS 1.2 cipher suites"))?;
    }
    if !tls13.is_empty() {
        crate::flavor::set_tls13_suites(builder, &tls13.join(":"))?;
    }
    Ok(())
}

/// An abstract context's OpenSSL context.
pub(crate) fn abstract_context(
    options: &ContextOptions,
    material: &Arc<Material>,
) -> Result<(SslContextBuilder, Option<SessionCache>)> {
    let mut builder = base(options.versions)?;
    if let Some(suites) = &options.cipher_suites {
        set_cipher_suites(&mut builder, suites, options.versions)?;
    }
    if let Some(groups) = &options.groups {
        crate::flavor::set_groups(&mut builder, groups)?;
    }
    for root in &material.roots {
        let cert = X509::from_der(root).map_err(|e| config_error(e, "trust anchor"))?;
        // Duplicates in the system store are harmless; OpenSSL reports them as errors.
        let _ = builder.cert_store_mut().add_cert(cert.clone());
        if options.role == Role::Server {
            let _ = builder.add_client_ca(&cert);
        }
    }
    if let Some(identity) = &material.identity {
        set_identity(&mut builder, identity)?;
    }
    if options.key_log.is_some() {
        let sink = options.clone();
        builder.set_keylog_callback(move |_ssl, line| sink.log_key(line));
    }
    let mut sessions = None;
    match options.role {
        Role::Client => {
            crate::cert_request::install(&mut builder, options);
            if !options.alpn.is_empty() {
                builder
                    .set_alpn_protos(&alpn_wire(&options.alpn))
                    .map_err(|e| config_error(e, "ALPN protocols"))?;
            }
            if options.resumption {
                let cache: SessionCache = Arc::default();
                let store = Arc::clone(&cache);
                builder.set_session_cache_mode(SslSessionCacheMode::CLIENT);
                builder.set_new_session_callback(move |ssl, session| {
                    if let Some(name) = ssl.ex_data(reference_name_index()) {
                        store
                            .lock()
                            .unwrap_or_else(PoisonError::into_inner)
                            .insert(name.clone(), session);
                    }
                });
                sessions = Some(cache);
            } else {
                no_resumption(&mut builder);
            }
        }
        Role::Server => {
            if material.selects_by_name(options) {
                select_by_name(&mut builder, options, material)?;
            }
            if !options.alpn.is_empty() {
                let preferred = options.alpn.clone();
                builder.set_alpn_select_callback(move |_ssl, client| {
                    // The server's most preferred protocol the client offered (RFC 7301 §3.2).
                    select_alpn(&preferred, client).ok_or(AlpnError::ALERT_FATAL)
                });
            }
            if !options.resumption {
                no_resumption(&mut builder);
            }
        }
    }
    Ok((builder, sessions))
}
