//! Identities: a certificate chain and its private key (SPEC KEY-1..7).
//!
//! Core reads every format — PEM chains with PKCS#8, PKCS#1 or SEC1 keys, encrypted
//! PKCS#8, PKCS#12 — into DER once, at context creation, so every backend gets the
//! same material and refuses the same bad input (SPEC KEY-7).

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rustls_pki_types::{
    CertificateDer, PrivateKeyDer, PrivatePkcs1KeyDer, PrivatePkcs8KeyDer, PrivateSec1KeyDer,
};

use crate::pem;
use crate::{run_user_callback, BoxError, Error, Result};

/// What a password callback is told (SPEC KEY-4; LispWorks
/// `set-ssl-ctx-password-callback`).
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct PasswordRequest {
    /// Where the encrypted key comes from (a file path or `"<memory>"`).
    pub source: String,
    /// The longest password accepted.
    pub max_len: usize,
}

/// A password callback: returns the password for an encrypted key.
pub type PasswordCallback =
    Arc<dyn Fn(&PasswordRequest) -> std::result::Result<String, BoxError> + Send + Sync>;

/// The longest password a callback may return.
pub const MAX_PASSWORD_LEN: usize = 1024;

/// How an encrypted key's password is obtained.
#[derive(Clone, Default)]
#[non_exhaustive]
pub enum Password {
    /// No password: the key must not be encrypted.
    #[default]
    None,
    /// This password.
    Text(String),
    /// Ask this callback, at most once per load.
    Callback(PasswordCallback),
}

impl fmt::Debug for Password {
    // Never shows the password (SPEC SEC-8).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Password::None => f.write_str("None"),
            Password::Text(_) => f.write_str("Text(<redacted>)"),
            Password::Callback(_) => f.write_str("Callback(..)"),
        }
    }
}

impl Password {
    fn resolve(&self, source: &str) -> Result<Option<String>> {
        match self {
            Password::None => Ok(None),
            Password::Text(text) => Ok(Some(text.clone())),
            Password::Callback(callback) => {
                let request = PasswordRequest {
                    source: source.to_string(),
                    max_len: MAX_PASSWORD_LEN,
                };
                let password =
                    run_user_callback("password", || callback(&request)).map_err(|e| {
                        Error::invalid(format!("no password for the key in {source}"))
                            .with_source(e)
                    })?;
                if password.len() > MAX_PASSWORD_LEN {
                    return Err(Error::invalid(format!(
                        "the password callback returned more than {MAX_PASSWORD_LEN} octets"
                    )));
                }
                Ok(Some(password))
            }
        }
    }
}

/// Bytes to read, remembered by where they come from so `reset()` can re-read them.
#[derive(Clone)]
#[non_exhaustive]
pub enum Source {
    /// A file, read at creation and again at every `reset()`.
    File(PathBuf),
    /// Bytes in memory.
    Memory(Arc<[u8]>),
}

impl fmt::Debug for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Source::File(path) => write!(f, "File({})", path.display()),
            Source::Memory(bytes) => write!(f, "Memory({} octets)", bytes.len()),
        }
    }
}

impl Source {
    /// A file source.
    pub fn file(path: impl AsRef<Path>) -> Source {
        Source::File(path.as_ref().to_path_buf())
    }

    /// An in-memory source.
    pub fn memory(bytes: impl Into<Vec<u8>>) -> Source {
        Source::Memory(bytes.into().into())
    }

    pub(crate) fn describe(&self, what: &str) -> String {
        match self {
            Source::File(path) => format!("{what} file {}", path.display()),
            Source::Memory(_) => format!("{what} (in memory)"),
        }
    }

    pub(crate) fn read(&self, what: &str) -> Result<Arc<[u8]>> {
        match self {
            Source::Memory(bytes) => Ok(Arc::clone(bytes)),
            Source::File(path) => std::fs::read(path).map(Into::into).map_err(|e| {
                Error::invalid(format!("cannot read {}", self.describe(what))).with_source(e)
            }),
        }
    }
}

/// Where an identity comes from; kept so `reset()` can load it again (SPEC ABS-7).
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum IdentitySource {
    /// A PEM certificate chain (leaf first) and a PEM private key: PKCS#8, PKCS#1,
    /// SEC1 or encrypted PKCS#8. Both may be the same file.
    Pem {
        /// The chain.
        chain: Source,
        /// The key.
        key: Source,
        /// The password for an encrypted key.
        password: Password,
    },
    /// A PKCS#12 archive with one key and its chain.
    Pkcs12 {
        /// The archive.
        archive: Source,
        /// Its password.
        password: Password,
    },
}

impl IdentitySource {
    /// A PEM chain and key from files.
    pub fn pem_files(chain: impl AsRef<Path>, key: impl AsRef<Path>) -> IdentitySource {
        IdentitySource::Pem {
            chain: Source::file(chain),
            key: Source::file(key),
            password: Password::None,
        }
    }

    /// A PEM chain and key in memory.
    pub fn pem(chain: impl Into<Vec<u8>>, key: impl Into<Vec<u8>>) -> IdentitySource {
        IdentitySource::Pem {
            chain: Source::memory(chain),
            key: Source::memory(key),
            password: Password::None,
        }
    }

    /// A PKCS#12 archive with its password.
    pub fn pkcs12(archive: Source, password: impl Into<String>) -> IdentitySource {
        IdentitySource::Pkcs12 {
            archive,
            password: Password::Text(password.into()),
        }
    }

    /// Sets the password of an encrypted key or archive; giving both a password and
    /// a callback is `InvalidArgument` (SPEC KEY-5).
    pub fn with_password(self, password: impl Into<String>) -> Result<IdentitySource> {
        self.set_password(Password::Text(password.into()))
    }

    /// Sets a password callback (SPEC KEY-4); see [`with_password`](Self::with_password).
    pub fn with_password_callback(
        self,
        callback: impl Fn(&PasswordRequest) -> std::result::Result<String, BoxError>
            + Send
            + Sync
            + 'static,
    ) -> Result<IdentitySource> {
        self.set_password(Password::Callback(Arc::new(callback)))
    }

    fn set_password(mut self, new: Password) -> Result<IdentitySource> {
        let slot = match &mut self {
            IdentitySource::Pem { password, .. } | IdentitySource::Pkcs12 { password, .. } => {
                password
            }
        };
        if !matches!(slot, Password::None) {
            return Err(Error::invalid(
                "give either a password or a password callback, not both",
            ));
        }
        *slot = new;
        Ok(self)
    }

    /// Reads and decodes the identity now.
    pub fn load(&self) -> Result<Identity> {
        match self {
            IdentitySource::Pem {
                chain,
                key,
                password,
            } => load_pem(chain, key, password),
            IdentitySource::Pkcs12 { archive, password } => load_pkcs12(archive, password),
        }
    }

    /// Whether the key is encrypted or comes in PKCS#12 (capability gates).
    pub(crate) fn needs(&self) -> Option<crate::Capability> {
        match self {
            IdentitySource::Pkcs12 { .. } => Some(crate::Capability::Pkcs12),
            IdentitySource::Pem {
                password: Password::None,
                ..
            } => None,
            IdentitySource::Pem { .. } => Some(crate::Capability::EncryptedKeys),
        }
    }
}

/// A loaded identity: chain (leaf first) and private key, as DER.
#[derive(Clone)]
pub struct Identity {
    chain: Vec<CertificateDer<'static>>,
    key: Arc<PrivateKeyDer<'static>>,
}

impl fmt::Debug for Identity {
    // Never shows the key (SPEC SEC-8).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Identity")
            .field("chain_len", &self.chain.len())
            .field("key", &"<redacted>")
            .finish()
    }
}

impl Identity {
    /// Builds an identity from DER material, checking that it is not empty and that
    /// every certificate parses.
    pub fn from_der(
        chain: Vec<CertificateDer<'static>>,
        key: PrivateKeyDer<'static>,
    ) -> Result<Identity> {
        if chain.is_empty() {
            return Err(Error::invalid("the identity has no certificate"));
        }
        for (i, cert) in chain.iter().enumerate() {
            x509_parser::parse_x509_certificate(cert).map_err(|e| {
                Error::invalid(format!(
                    "certificate {i} of the identity does not parse: {e}"
                ))
            })?;
        }
        if crate::pkcs8_wrap::key_matches_certificate(&key, &chain[0]) == Some(false) {
            return Err(Error::invalid(
                "the private key does not match the leaf certificate",
            ));
        }
        Ok(Identity {
            chain,
            key: Arc::new(key),
        })
    }

    /// The certificate chain, leaf first.
    pub fn chain(&self) -> &[CertificateDer<'static>] {
        &self.chain
    }

    /// The private key.
    pub fn key(&self) -> &PrivateKeyDer<'static> {
        &self.key
    }

    /// The chain as PEM, leaf first.
    pub fn chain_pem(&self) -> String {
        self.chain
            .iter()
            .map(|c| pem_encode("CERTIFICATE", c))
            .collect()
    }

    /// The key as PKCS#8 PEM (PKCS#1 and SEC1 keys re-wrapped), for libraries that
    /// take nothing else.
    pub fn key_pkcs8_pem(&self) -> Result<String> {
        let der = crate::pkcs8_wrap::to_pkcs8(&self.key)?;
        Ok(pem_encode("PRIVATE KEY", der.secret_pkcs8_der()))
    }
}

fn pem_encode(label: &str, der: &[u8]) -> String {
    pkcs8::der::pem::encode_string(label, pkcs8::der::pem::LineEnding::LF, der)
        .expect("PEM encoding of DER cannot fail")
}

fn load_pem(chain_src: &Source, key_src: &Source, password: &Password) -> Result<Identity> {
    let chain_what = chain_src.describe("certificate");
    let key_what = key_src.describe("key");
    let chain: Vec<CertificateDer<'static>> =
        pem::sections(&chain_src.read("certificate")?, &chain_what)?
            .into_iter()
            .filter(|s| s.label == "CERTIFICATE")
            .map(|s| CertificateDer::from(s.der))
            .collect();
    if chain.is_empty() {
        return Err(Error::invalid(format!("{chain_what} holds no certificate")));
    }
    let mut keys = pem::sections(&key_src.read("key")?, &key_what)?
        .into_iter()
        .filter(|s| s.label.ends_with("PRIVATE KEY"));
    let section = keys
        .next()
        .ok_or_else(|| Error::invalid(format!("{key_what} holds no private key")))?;
    let key = match section.label.as_str() {
        "PRIVATE KEY" => PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(section.der)),
        "RSA PRIVATE KEY" => PrivateKeyDer::Pkcs1(PrivatePkcs1KeyDer::from(section.der)),
        "EC PRIVATE KEY" => PrivateKeyDer::Sec1(PrivateSec1KeyDer::from(section.der)),
        "ENCRYPTED PRIVATE KEY" => decrypt_pkcs8(&section.der, password, &key_what)?,
        other => {
            return Err(Error::invalid(format!(
                "{key_what}: unsupported key type {other}"
            )))
        }
    };
    if crate::pkcs8_wrap::key_matches_certificate(&key, &chain[0]) == Some(false) {
        let place = match (chain_src, key_src) {
            (Source::File(a), Source::File(b)) if a == b => {
                format!("in {}", chain_src.describe("file"))
            }
            _ => format!("in {key_what}, the certificate in {chain_what}"),
        };
        return Err(Error::invalid(format!(
            "the private key does not match the leaf certificate ({place})"
        )));
    }
    Identity::from_der(chain, key)
        .map_err(|e| Error::invalid(format!("{chain_what}: invalid identity")).with_source(e))
}

fn decrypt_pkcs8(der: &[u8], password: &Password, what: &str) -> Result<PrivateKeyDer<'static>> {
    let password = password.resolve(what)?.ok_or_else(|| {
        Error::invalid(format!(
            "{what} is encrypted: give a password or a password callback"
        ))
    })?;
    let info = pkcs8::EncryptedPrivateKeyInfoRef::try_from(der)
        .map_err(|e| Error::invalid(format!("{what}: garbled encrypted key: {e}")))?;
    let doc = info.decrypt(password.as_bytes()).map_err(|_| {
        Error::invalid(format!(
            "{what}: wrong password (or unsupported encryption)"
        ))
    })?;
    Ok(PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(
        doc.as_bytes().to_vec(),
    )))
}

fn load_pkcs12(archive: &Source, password: &Password) -> Result<Identity> {
    let what = archive.describe("PKCS#12");
    let bytes = archive.read("PKCS#12")?;
    let password = password.resolve(&what)?.unwrap_or_default();
    let store = p12_keystore::KeyStore::from_pkcs12(
        &bytes,
        &password,
        p12_keystore::Pkcs12ImportPolicy::Strict,
    )
    .map_err(|e| {
        Error::invalid(format!(
            "{what}: cannot open (wrong password or garbled archive)"
        ))
        .with_source(e)
    })?;
    let (_, chain) = store
        .private_key_chain()
        .ok_or_else(|| Error::invalid(format!("{what} holds no private key with a certificate")))?;
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(chain.key().as_der().to_vec()));
    let certs = chain
        .certs()
        .iter()
        .map(|c| CertificateDer::from(c.as_der().to_vec()))
        .collect();
    Identity::from_der(certs, key)
}
