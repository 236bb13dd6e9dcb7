//! rustls's native objects for the shared suite (the per-library adapter).

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use unitls_conformance::fixtures::Leaf;
use unitls_conformance::{Log, NativeFixtures};
use unitls_core::{AttachOptions, ContextBuilder, CtxSpec};
use unitls_rustls::rustls::pki_types::pem::PemObject;
use unitls_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer};
use unitls_rustls::rustls::{ClientConfig, RootCertStore, ServerConfig};
use unitls_rustls::{Rustls, RustlsConfig, RustlsContext};

/// rustls's native objects for the suite.
pub(crate) struct RustlsNatives;

pub(crate) fn provider() -> Arc<unitls_rustls::rustls::crypto::CryptoProvider> {
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

    fn with_context_hook(
        &self,
        options: AttachOptions,
        runs: Arc<AtomicUsize>,
        fail: bool,
    ) -> AttachOptions {
        options.context_hook::<Rustls>(move |config: &mut RustlsConfig| {
            runs.fetch_add(1, Ordering::SeqCst);
            assert!(matches!(
                config,
                RustlsConfig::Client(_) | RustlsConfig::Server(_)
            ));
            if fail {
                Err("refused by the test's context hook".into())
            } else {
                Ok(())
            }
        })
    }

    fn with_panicking_connection_hook(&self, options: AttachOptions) -> AttachOptions {
        options.connection_hook::<Rustls>(|_conn| panic!("connection hook panicked on purpose"))
    }

    fn client_session(&self, ca_pem: &str, host: &str) -> Option<CtxSpec> {
        let CtxSpec::Context(native) = self.client_context(ca_pem) else {
            unreachable!("client_context returns CtxSpec::Context")
        };
        let RustlsContext::Client(config) = native.get::<Rustls>().expect("rustls").clone() else {
            unreachable!("a client config")
        };
        let name =
            unitls_rustls::rustls::pki_types::ServerName::try_from(host.to_string()).expect("host");
        let conn = unitls_rustls::rustls::ClientConnection::new(config, name).expect("connection");
        Some(CtxSpec::session::<Rustls>(
            unitls_rustls::rustls::Connection::Client(conn),
        ))
    }

    fn with_logging_callbacks(&self, options: AttachOptions, log: Log) -> AttachOptions {
        let ssl_log = log.clone();
        options
            .context_hook::<Rustls>(move |_| {
                log.lock().expect("log").push("ctx");
                Ok(())
            })
            .connection_hook::<Rustls>(move |_| {
                ssl_log.lock().expect("log").push("ssl");
                Ok(())
            })
    }

    fn with_logging_hooks(&self, builder: ContextBuilder, log: Log) -> ContextBuilder {
        let ssl_log = log.clone();
        builder
            .context_hook::<Rustls>(move |_| {
                log.lock().expect("log").push("abstract-ctx");
                Ok(())
            })
            .connection_hook::<Rustls>(move |_| {
                ssl_log.lock().expect("log").push("abstract-ssl");
                Ok(())
            })
    }
}

/// The adapter value the suite takes.
pub(crate) static NATIVES: RustlsNatives = RustlsNatives;

/// A client config trusting the suite's CA, as a user would build it.
#[allow(dead_code)]
pub(crate) fn user_client_context() -> RustlsContext {
    match NATIVES.client_context(&unitls_conformance::fixtures::pki().ca_pem) {
        CtxSpec::Context(native) => native.get::<Rustls>().expect("rustls context").clone(),
        _ => unreachable!("client_context returns CtxSpec::Context"),
    }
}

/// A rustls verifier trusting the suite's CA only.
#[allow(dead_code)]
pub(crate) fn ca_verifier() -> Arc<dyn unitls_rustls::rustls::client::danger::ServerCertVerifier> {
    let mut roots = RootCertStore::empty();
    for cert in
        CertificateDer::pem_slice_iter(unitls_conformance::fixtures::pki().ca_pem.as_bytes())
    {
        roots.add(cert.expect("CA PEM")).expect("CA");
    }
    unitls_rustls::rustls::client::WebPkiServerVerifier::builder_with_provider(
        Arc::new(roots),
        provider(),
    )
    .build()
    .expect("verifier")
}
