//! The certificates every scenario uses, from the conformance suite's fixtures: a CA,
//! an unrelated CA, and a server chain for `localhost` and 127.0.0.1 with its key.

use std::path::PathBuf;

/// The fixtures as PEM text, and the CA files clients and curl read.
pub(crate) struct PkiFiles {
    /// The server's leaf then its intermediate.
    pub(crate) server_chain: String,
    /// The server's key, PKCS#8.
    pub(crate) server_key: String,
    /// The root that issued the server's chain.
    pub(crate) ca_pem: String,
    /// A root that did not.
    pub(crate) other_ca_pem: String,
    /// `ca_pem` on disk, for curl.
    pub(crate) ca_file: PathBuf,
}

impl PkiFiles {
    /// Makes the fixtures and writes the CA file.
    pub(crate) fn make() -> PkiFiles {
        let pki = unitls_conformance::fixtures::pki();
        let dir = unitls_conformance::fixtures::write_temp(&[("ca.pem", pki.ca_pem.as_bytes())]);
        PkiFiles {
            server_chain: pki.server.chain_pem.clone(),
            server_key: pki.server.key_pem.clone(),
            ca_pem: pki.ca_pem.clone(),
            other_ca_pem: pki.other_ca_pem.clone(),
            ca_file: dir.join("ca.pem"),
        }
    }

    /// A client context that trusts only `pem`, with the defaults otherwise (chain and
    /// host name verified) and `alpn` offered.
    pub(crate) fn client_context(pem: &str, alpn: &[&[u8]]) -> unitls::ContextBuilder {
        unitls::create_client_context()
            .trust_only([unitls::TrustSource::Pem(unitls::Source::memory(
                pem.as_bytes(),
            ))])
            .alpn(alpn.iter().copied())
    }
}

impl Drop for PkiFiles {
    fn drop(&mut self) {
        if let Some(dir) = self.ca_file.parent() {
            let _ = std::fs::remove_dir_all(dir);
        }
    }
}
