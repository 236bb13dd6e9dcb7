//! The whole conformance suite against the rustls backend (one test per case).

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use unitls_conformance::fixtures::Leaf;
use unitls_conformance::NativeFixtures;
use unitls_core::{AttachOptions, CtxSpec};
use unitls_rustls::rustls::pki_types::pem::PemObject;
use unitls_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer};
use unitls_rustls::rustls::{ClientConfig, RootCertStore, ServerConfig};
use unitls_rustls::{Rustls, RustlsConfig, RustlsContext};

/// rustls's native objects for the suite.
struct RustlsNatives;

fn provider() -> Arc<unitls_rustls::rustls::crypto::CryptoProvider> {
    Arc::new(unitls_rustls::rustls::crypto::aws_lc_rs::default_provider())
}

impl NativeFixtures for RustlsNatives {
    fn client_context(&self, ca_pem: &str) -> CtxSpec {
        let mut roots = RootCertStore::empty();
        for cert in CertificateDer::pem_slice_iter(ca_pem.as_bytes()) {
            roots.add(cert.expect("CA PEM")).expect("CA");
        }
        let config = ClientConfig::builder_with_provider(provider())
            .with_safe_default_protocol_versions()
            .expect("versions")
            .with_root_certificates(roots)
            .with_no_client_auth();
        CtxSpec::context::<Rustls>(RustlsContext::Client(Arc::new(config)))
    }

    fn server_context(&self, leaf: &Leaf) -> CtxSpec {
        let chain = CertificateDer::pem_slice_iter(leaf.chain_pem.as_bytes())
            .collect::<Result<Vec<_>, _>>()
            .expect("chain");
        let key = PrivateKeyDer::from_pem_slice(leaf.key_pem.as_bytes()).expect("key");
        let config = ServerConfig::builder_with_provider(provider())
            .with_safe_default_protocol_versions()
            .expect("versions")
            .with_no_client_auth()
            .with_single_cert(chain, key)
            .expect("identity");
        CtxSpec::context::<Rustls>(RustlsContext::Server(Arc::new(config)))
    }

    fn with_ctx_configure(
        &self,
        options: AttachOptions,
        runs: Arc<AtomicUsize>,
        fail: bool,
    ) -> AttachOptions {
        options.ctx_configure::<Rustls>(move |config: &mut RustlsConfig| {
            runs.fetch_add(1, Ordering::SeqCst);
            assert!(matches!(
                config,
                RustlsConfig::Client(_) | RustlsConfig::Server(_)
            ));
            if fail {
                Err("refused by the test's ctx-configure callback".into())
            } else {
                Ok(())
            }
        })
    }

    fn with_panicking_ssl_configure(&self, options: AttachOptions) -> AttachOptions {
        options
            .ssl_configure::<Rustls>(|_conn| panic!("ssl-configure callback panicked on purpose"))
    }
}

static NATIVES: RustlsNatives = RustlsNatives;

unitls_conformance::conformance_suite!("rustls", unitls_rustls::register(), &NATIVES);
