//! Trust anchors for verifying peers (SPEC VERIFY-3).

use std::path::{Path, PathBuf};

use rustls_pki_types::CertificateDer;

use crate::identity::Source;
use crate::pem;
use crate::{Error, Result};

/// One source of trust anchors.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum TrustSource {
    /// The operating system's store (the default for clients).
    System,
    /// The Mozilla root set shipped with unitls (`webpki-root-certs`).
    Bundled,
    /// Every certificate in a PEM file or in-memory PEM.
    Pem(Source),
    /// Every `*.pem` / `*.crt` file in a directory (and OpenSSL-style hash links).
    Directory(PathBuf),
}

/// The trust anchors of a context: sources combine; `exclusive` drops the defaults
/// (SPEC VERIFY-3: adding roots never drops defaults unless `Only` says so).
#[derive(Debug, Clone, Default)]
pub struct Trust {
    sources: Vec<TrustSource>,
    exclusive: bool,
}

impl Trust {
    /// Adds a source to the defaults (or to the exclusive set).
    pub fn add(&mut self, source: TrustSource) {
        self.sources.push(source);
    }

    /// Makes the set exactly `sources`, without the default `System` store.
    pub fn only(&mut self, sources: impl IntoIterator<Item = TrustSource>) {
        self.sources = sources.into_iter().collect();
        self.exclusive = true;
    }

    /// The sources in effect: `System` unless the set is exclusive.
    pub fn effective(&self) -> Vec<TrustSource> {
        let mut all = Vec::new();
        if !self.exclusive {
            all.push(TrustSource::System);
        }
        all.extend(self.sources.iter().cloned());
        all
    }

    /// Whether this set is only what the user listed (no system store).
    pub fn is_exclusive(&self) -> bool {
        self.exclusive
    }

    /// Loads every anchor now; an unreadable file or garbled PEM is `InvalidArgument`.
    /// The system store may be empty on a minimal machine; that is not an error.
    pub fn load(&self) -> Result<Vec<CertificateDer<'static>>> {
        let mut roots = Vec::new();
        for source in self.effective() {
            match source {
                TrustSource::System => {
                    let found = rustls_native_certs::load_native_certs();
                    roots.extend(found.certs);
                }
                TrustSource::Bundled => {
                    roots.extend(webpki_root_certs::TLS_SERVER_ROOT_CERTS.iter().cloned())
                }
                TrustSource::Pem(src) => {
                    let what = src.describe("trust");
                    let certs = pem_certificates(&src.read("trust")?, &what)?;
                    if certs.is_empty() {
                        return Err(Error::invalid(format!("{what} holds no certificate")));
                    }
                    roots.extend(certs);
                }
                TrustSource::Directory(dir) => roots.extend(load_directory(&dir)?),
            }
        }
        Ok(roots)
    }
}

pub(crate) fn pem_certificates(bytes: &[u8], what: &str) -> Result<Vec<CertificateDer<'static>>> {
    Ok(pem::sections(bytes, what)?
        .into_iter()
        .filter(|s| s.label == "CERTIFICATE")
        .map(|s| CertificateDer::from(s.der))
        .collect())
}

fn load_directory(dir: &Path) -> Result<Vec<CertificateDer<'static>>> {
    let entries = std::fs::read_dir(dir).map_err(|e| {
        Error::invalid(format!("cannot read trust directory {}", dir.display())).with_source(e)
    })?;
    let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    let mut roots = Vec::new();
    for path in paths.into_iter().filter(|p| p.is_file()) {
        let Ok(bytes) = std::fs::read(&path) else {
            continue;
        };
        let what = format!("trust file {}", path.display());
        // Non-certificate files in the directory are skipped, not fatal.
        if let Ok(certs) = pem_certificates(&bytes, &what) {
            roots.extend(certs);
        }
    }
    if roots.is_empty() {
        return Err(Error::invalid(format!(
            "trust directory {} holds no PEM certificate",
            dir.display()
        )));
    }
    Ok(roots)
}
