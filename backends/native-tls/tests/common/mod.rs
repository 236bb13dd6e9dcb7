//! native-tls's native objects for the shared suite (the per-library adapter).

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use unitls_conformance::fixtures::Leaf;
use unitls_conformance::{Log, NativeFixtures};
use unitls_core::{AttachOptions, ContextBuilder, CtxSpec};
use unitls_native_tls::native_tls::{Certificate, Identity, TlsAcceptor, TlsConnector};
use unitls_native_tls::{NativeTls, NativeTlsBuilder, NativeTlsContext};

/// The adapter.
pub(crate) struct NativeTlsNatives;

/// The adapter value the suite takes.
pub(crate) static NATIVES: NativeTlsNatives = NativeTlsNatives;

impl NativeFixtures for NativeTlsNatives {
    fn client_context(&self, ca_pem: &str) -> CtxSpec {
        let connector = TlsConnector::builder()
            .disable_built_in_roots(true)
            .add_root_certificate(Certificate::from_pem(ca_pem.as_bytes()).expect("CA"))
            .build()
            .expect("connector");
        CtxSpec::context::<NativeTls>(NativeTlsContext::Connector(connector))
    }

    fn server_context(&self, leaf: &Leaf) -> CtxSpec {
        let identity = Identity::from_pkcs8(leaf.chain_pem.as_bytes(), leaf.key_pem.as_bytes())
            .expect("identity");
        CtxSpec::context::<NativeTls>(NativeTlsContext::Acceptor(
            TlsAcceptor::new(identity).expect("acceptor"),
        ))
    }

    fn with_context_hook(
        &self,
        options: AttachOptions,
        runs: Arc<AtomicUsize>,
        fail: bool,
    ) -> AttachOptions {
        options.context_hook::<NativeTls>(move |builder: &mut NativeTlsBuilder| {
            runs.fetch_add(1, Ordering::SeqCst);
            if let NativeTlsBuilder::Connector(b) = builder {
                b.use_sni(true);
            }
            if fail {
                Err("refused by the test's context hook".into())
            } else {
                Ok(())
            }
        })
    }

    fn with_panicking_connection_hook(&self, options: AttachOptions) -> AttachOptions {
        options.connection_hook::<NativeTls>(|_conn| panic!("connection hook panicked on purpose"))
    }

    fn client_session(&self, _ca_pem: &str, _host: &str) -> Option<CtxSpec> {
        None // native-tls has no per-connection object before the handshake
    }

    fn with_logging_callbacks(&self, options: AttachOptions, log: Log) -> AttachOptions {
        options.context_hook::<NativeTls>(move |_| {
            log.lock().expect("log").push("ctx");
            Ok(())
        })
    }

    fn with_logging_hooks(&self, builder: ContextBuilder, log: Log) -> ContextBuilder {
        builder.context_hook::<NativeTls>(move |_| {
            log.lock().expect("log").push("abstract-ctx");
            Ok(())
        })
    }
}
