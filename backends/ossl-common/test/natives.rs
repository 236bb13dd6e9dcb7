//! The native-object adapter of the shared suite for the OpenSSL-family backends:
//! OpenSSL and BoringSSL build their native objects with the same API, so both test
//! crates include this file, each naming its library `tls` and its marker `Marker`
//! (see `backends/{openssl,boring}/tests/common/mod.rs`).

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use unitls_conformance::fixtures::Leaf;
use unitls_conformance::{Log, NativeFixtures};
use unitls_core::{AttachOptions, ContextBuilder, CtxSpec};

use super::tls::pkey::PKey;
use super::tls::ssl::{SslConnector, SslContext, SslContextBuilder, SslMethod, SslVerifyMode};
use super::tls::x509::X509;
use super::Marker;

/// The adapter.
pub(crate) struct Natives;

/// The adapter value the suite takes.
pub(crate) static NATIVES: Natives = Natives;

impl NativeFixtures for Natives {
    fn client_context(&self, ca_pem: &str) -> CtxSpec {
        let mut builder = SslContext::builder(SslMethod::tls_client()).expect("context");
        for cert in X509::stack_from_pem(ca_pem.as_bytes()).expect("CA PEM") {
            builder.cert_store_mut().add_cert(cert).expect("CA");
        }
        builder.set_verify(SslVerifyMode::PEER);
        CtxSpec::context::<Marker>(builder.build())
    }

    fn server_context(&self, leaf: &Leaf) -> CtxSpec {
        let mut builder = SslContext::builder(SslMethod::tls_server()).expect("context");
        let mut chain = X509::stack_from_pem(leaf.chain_pem.as_bytes())
            .expect("chain")
            .into_iter();
        builder
            .set_certificate(&chain.next().expect("leaf"))
            .expect("leaf");
        for cert in chain {
            builder.add_extra_chain_cert(cert).expect("chain");
        }
        builder
            .set_private_key(&PKey::private_key_from_pem(leaf.key_pem.as_bytes()).expect("key"))
            .expect("key");
        CtxSpec::context::<Marker>(builder.build())
    }

    fn with_context_hook(
        &self,
        options: AttachOptions,
        runs: Arc<AtomicUsize>,
        fail: bool,
    ) -> AttachOptions {
        options.context_hook::<Marker>(move |builder: &mut SslContextBuilder| {
            runs.fetch_add(1, Ordering::SeqCst);
            builder.set_verify(SslVerifyMode::PEER);
            if fail {
                Err("refused by the test's context hook".into())
            } else {
                Ok(())
            }
        })
    }

    fn with_panicking_connection_hook(&self, options: AttachOptions) -> AttachOptions {
        options.connection_hook::<Marker>(|_ssl| panic!("connection hook panicked on purpose"))
    }

    fn client_session(&self, ca_pem: &str, host: &str) -> Option<CtxSpec> {
        let mut connector = SslConnector::builder(SslMethod::tls_client()).expect("connector");
        for cert in X509::stack_from_pem(ca_pem.as_bytes()).expect("CA PEM") {
            connector.cert_store_mut().add_cert(cert).expect("CA");
        }
        let ssl = connector
            .build()
            .configure()
            .expect("configure")
            .into_ssl(host)
            .expect("ssl");
        Some(CtxSpec::session::<Marker>(ssl))
    }

    fn with_logging_callbacks(&self, options: AttachOptions, log: Log) -> AttachOptions {
        let ssl_log = log.clone();
        options
            .context_hook::<Marker>(move |_| {
                log.lock().expect("log").push("ctx");
                Ok(())
            })
            .connection_hook::<Marker>(move |_| {
                ssl_log.lock().expect("log").push("ssl");
                Ok(())
            })
    }

    fn with_logging_hooks(&self, builder: ContextBuilder, log: Log) -> ContextBuilder {
        let ssl_log = log.clone();
        builder
            .context_hook::<Marker>(move |_| {
                log.lock().expect("log").push("abstract-ctx");
                Ok(())
            })
            .connection_hook::<Marker>(move |_| {
                ssl_log.lock().expect("log").push("abstract-ssl");
                Ok(())
            })
    }
}
