//! unitls over OpenSSL against OpenSSL alone (`SslConnector`/`SslAcceptor`,
//! `SslStream`), with OpenSSL's own primitives for the ceiling.
//!
//! `cargo bench -p unitls-openssl [-- --quick]`; the workloads, the statistics and the
//! output are `unitls_conformance::bench`'s, shared by every backend.

use std::process::ExitCode;

use unitls_conformance::bench;
use unitls_openssl::openssl as tls;

#[path = "../../ossl-common/bench/direct.rs"]
mod direct;

#[path = "../../ossl-common/bench/crypto_openssl.rs"]
mod crypto;

/// What differs from BoringSSL.
mod flavor {
    use super::tls::ssl::{SslCipherRef, SslContextBuilder};
    use unitls_conformance::bench::{AsyncStream, BoxIo};

    pub(crate) fn set_tls13_suite(
        builder: &mut SslContextBuilder,
        name: &str,
    ) -> Result<(), String> {
        builder.set_ciphersuites(name).map_err(|e| e.to_string())
    }

    pub(crate) fn set_groups(builder: &mut SslContextBuilder, names: &str) -> Result<(), String> {
        builder.set_groups_list(names).map_err(|e| e.to_string())
    }

    pub(crate) fn set_store(
        builder: &mut SslContextBuilder,
        store: super::tls::x509::store::X509StoreBuilder,
    ) {
        builder.set_cert_store(store.build());
    }

    pub(crate) fn no_tls13_tickets(builder: &mut SslContextBuilder) {
        let _ = builder.set_num_tickets(0);
    }

    pub(crate) fn cipher_code(cipher: &SslCipherRef) -> u16 {
        u16::from_be_bytes(cipher.protocol_id())
    }

    /// A client handshake with tokio-openssl, the tokio adaptor of the `openssl` crate.
    pub(crate) async fn tokio_connect(
        config: super::tls::ssl::ConnectConfiguration,
        host: &str,
        io: BoxIo,
    ) -> Result<AsyncStream, String> {
        let ssl = config.into_ssl(host).map_err(|e| e.to_string())?;
        let mut stream = tokio_openssl::SslStream::new(ssl, io).map_err(|e| e.to_string())?;
        std::pin::Pin::new(&mut stream)
            .connect()
            .await
            .map_err(|e| e.to_string())?;
        Ok(Box::new(stream))
    }

    /// A server handshake with tokio-openssl.
    pub(crate) async fn tokio_accept(
        acceptor: super::tls::ssl::SslAcceptor,
        io: BoxIo,
    ) -> Result<AsyncStream, String> {
        let ssl = super::tls::ssl::Ssl::new(acceptor.context()).map_err(|e| e.to_string())?;
        let mut stream = tokio_openssl::SslStream::new(ssl, io).map_err(|e| e.to_string())?;
        std::pin::Pin::new(&mut stream)
            .accept()
            .await
            .map_err(|e| e.to_string())?;
        Ok(Box::new(stream))
    }
}

fn main() -> ExitCode {
    bench::main(bench::Direct {
        backend: unitls_openssl::NAME,
        register: unitls_openssl::register,
        api: "openssl::ssl::SslStream (SslConnector / SslAcceptor)",
        async_api: "tokio-openssl",
        library: tls::version::version().to_string(),
        implementation: &direct::OsslDirect,
        primitives_library: format!("{} (EVP)", tls::version::version()),
        primitives: &crypto::OpenSslCrypto {
            signature: direct::signature_op,
        },
        limitations: &[],
    })
}
