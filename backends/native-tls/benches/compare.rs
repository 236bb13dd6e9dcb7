//! unitls over native-tls against native-tls alone (`native_tls::TlsStream`), with the
//! primitives of the library under it on Linux — the system's OpenSSL — for the
//! ceiling.
//!
//! `cargo bench -p unitls-native-tls [-- --quick]`; the workloads, the statistics and
//! the output are `unitls_conformance::bench`'s, shared by every backend.

use std::io::{self, Read, Write};
use std::process::ExitCode;
use std::sync::Arc;

use native_tls::{
    Certificate, HandshakeError, Identity, Protocol, TlsAcceptor, TlsConnector, TlsStream,
};
use unitls_conformance::bench::{
    self, AsyncEndpoints, AsyncStream, BenchStream, BoxFuture, BoxIo, BoxTransport, Endpoints,
    Implementation, Negotiated, Setup, StartTls, HOST, STARTTLS_PAYLOAD, STARTTLS_REPLY,
    STARTTLS_REQUEST,
};
use unitls_conformance::fixtures::pki;
use unitls_core::{Capability, ProtocolVersion};

/// The `openssl` crate, for the ceiling's primitives and their signatures.
use openssl as tls;

#[path = "../../ossl-common/bench/crypto_openssl.rs"]
mod crypto;

fn text(e: impl std::fmt::Display) -> String {
    e.to_string()
}

fn protocol(version: ProtocolVersion) -> Protocol {
    match version {
        ProtocolVersion::Tls12 => Protocol::Tlsv12,
        ProtocolVersion::Tls13 => Protocol::Tlsv13,
    }
}

/// native-tls configured by hand. It has no API for suites, groups or resumption:
/// the harness never asks for them (the backend declares none of those capabilities).
struct DirectNativeTls;

impl Implementation for DirectNativeTls {
    fn prepare(&self, setup: &Setup) -> Result<Arc<dyn Endpoints>, String> {
        Ok(Arc::new(self.endpoints(setup)?))
    }

    fn prepare_async(&self, setup: &Setup) -> Result<Arc<dyn AsyncEndpoints>, String> {
        Ok(Arc::new(self.endpoints(setup)?))
    }
}

impl DirectNativeTls {
    /// The connector and acceptor for `setup`, as a native-tls user builds them.
    fn endpoints(&self, setup: &Setup) -> Result<NativeEndpoints, String> {
        if setup.suite.is_some() || setup.x25519 || setup.resumption {
            return Err("native-tls cannot select suites or groups, nor resume".into());
        }
        let version = Some(protocol(setup.version));
        let connector = TlsConnector::builder()
            .min_protocol_version(version)
            .max_protocol_version(version)
            .disable_built_in_roots(true)
            .add_root_certificate(Certificate::from_pem(pki().ca_pem.as_bytes()).map_err(text)?)
            .build()
            .map_err(text)?;
        let leaf = setup.key.leaf();
        let identity = Identity::from_pkcs8(leaf.chain_pem.as_bytes(), leaf.key_pem.as_bytes())
            .map_err(text)?;
        let acceptor = TlsAcceptor::builder(identity)
            .min_protocol_version(version)
            .max_protocol_version(version)
            .build()
            .map_err(text)?;
        Ok(NativeEndpoints {
            connector,
            acceptor,
        })
    }
}

struct NativeEndpoints {
    connector: TlsConnector,
    acceptor: TlsAcceptor,
}

impl AsyncEndpoints for NativeEndpoints {
    fn connect(&self, io: BoxIo) -> BoxFuture<Result<AsyncStream, String>> {
        let connector = tokio_native_tls::TlsConnector::from(self.connector.clone());
        Box::pin(async move {
            let stream = connector.connect(HOST, io).await.map_err(text)?;
            Ok(Box::new(stream) as AsyncStream)
        })
    }

    fn accept(&self, io: BoxIo) -> BoxFuture<Result<AsyncStream, String>> {
        let acceptor = tokio_native_tls::TlsAcceptor::from(self.acceptor.clone());
        Box::pin(async move {
            let stream = acceptor.accept(io).await.map_err(text)?;
            Ok(Box::new(stream) as AsyncStream)
        })
    }
}

fn handshake_error<S>(e: HandshakeError<S>) -> String {
    match e {
        HandshakeError::Failure(e) => e.to_string(),
        HandshakeError::WouldBlock(_) => "the handshake would block".into(),
    }
}

impl Endpoints for NativeEndpoints {
    fn connect(&self, transport: BoxTransport) -> Result<Box<dyn BenchStream>, String> {
        let stream = self
            .connector
            .connect(HOST, transport)
            .map_err(handshake_error)?;
        Ok(Box::new(Tls(stream)))
    }

    fn accept(&self, transport: BoxTransport) -> Result<Box<dyn BenchStream>, String> {
        let stream = self.acceptor.accept(transport).map_err(handshake_error)?;
        Ok(Box::new(Tls(stream)))
    }

    fn starttls_client(&self, transport: BoxTransport) -> Box<dyn StartTls> {
        Box::new(Cycle {
            sock: transport,
            connector: Some(self.connector.clone()),
            acceptor: None,
        })
    }

    fn starttls_server(&self, transport: BoxTransport) -> Box<dyn StartTls> {
        Box::new(Cycle {
            sock: transport,
            connector: None,
            acceptor: Some(self.acceptor.clone()),
        })
    }
}

/// A `TlsStream` as a bench stream.
struct Tls(TlsStream<BoxTransport>);

impl Read for Tls {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.0.read(buf)
    }
}

impl Write for Tls {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        self.0.write(data)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.0.flush()
    }
}

impl BenchStream for Tls {
    /// native-tls reports neither version nor suite.
    fn negotiated(&self) -> Negotiated {
        Negotiated::default()
    }

    fn close(mut self: Box<Self>) {
        let _ = self.0.shutdown();
    }
}

/// One end of the STARTTLS dialogue over `TlsStream<&mut transport>`.
struct Cycle {
    sock: BoxTransport,
    connector: Option<TlsConnector>,
    acceptor: Option<TlsAcceptor>,
}

impl StartTls for Cycle {
    fn cycle(&mut self) -> Result<bool, String> {
        let sock = &mut self.sock;
        if let Some(connector) = &self.connector {
            sock.write_all(STARTTLS_REQUEST).map_err(text)?;
            let mut reply = [0u8; STARTTLS_REPLY.len()];
            sock.read_exact(&mut reply).map_err(text)?;
            let mut tls = connector
                .connect(HOST, &mut *sock)
                .map_err(handshake_error)?;
            tls.write_all(&[b'c'; STARTTLS_PAYLOAD]).map_err(text)?;
            tls.shutdown().map_err(text)?;
            // The server's close_notify reads as the end of the stream.
            if tls.read(&mut [0u8; 1]).map_err(text)? != 0 {
                return Err("data instead of close_notify".into());
            }
            return Ok(true);
        }
        let acceptor = self.acceptor.as_ref().ok_or("neither end")?;
        let mut request = [0u8; STARTTLS_REQUEST.len()];
        match sock.read_exact(&mut request) {
            Ok(()) => {}
            Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => return Ok(false),
            Err(e) => return Err(e.to_string()),
        }
        sock.write_all(STARTTLS_REPLY).map_err(text)?;
        let mut tls = acceptor.accept(&mut *sock).map_err(handshake_error)?;
        let mut payload = [0u8; STARTTLS_PAYLOAD];
        tls.read_exact(&mut payload).map_err(text)?;
        if tls.read(&mut [0u8; 1]).map_err(text)? != 0 {
            return Err("data after the payload".into());
        }
        tls.shutdown().map_err(text)?;
        Ok(true)
    }
}

/// The signature primitive over the system's OpenSSL.
mod signatures {
    use std::hint::black_box;

    use unitls_conformance::bench::OpFn;

    use super::tls::hash::MessageDigest;
    use super::tls::pkey::PKey;
    use super::tls::rsa::Padding;
    use super::tls::sign::{RsaPssSaltlen, Signer, Verifier};

    const MESSAGE: &[u8] = b"the handshake transcript hash, more or less: 32 bytes";

    fn text(e: impl std::fmt::Display) -> String {
        e.to_string()
    }

    /// A signature (or a verification) with the PKCS#8 key; RSA with PSS.
    pub(crate) fn op(pkcs8: &[u8], rsa: bool, verify: bool) -> Result<OpFn<'static>, String> {
        let key = PKey::private_key_from_pkcs8(pkcs8).map_err(text)?;
        let sign = move |key: &PKey<_>| -> Result<Vec<u8>, String> {
            let mut signer = Signer::new(MessageDigest::sha256(), key).map_err(text)?;
            if rsa {
                signer.set_rsa_padding(Padding::PKCS1_PSS).map_err(text)?;
                signer
                    .set_rsa_pss_saltlen(RsaPssSaltlen::DIGEST_LENGTH)
                    .map_err(text)?;
            }
            signer.update(MESSAGE).map_err(text)?;
            signer.sign_to_vec().map_err(text)
        };
        let signature = sign(&key)?;
        if !verify {
            return Ok(Box::new(move || {
                black_box(sign(&key).expect("sign"));
            }));
        }
        let public =
            PKey::public_key_from_der(&key.public_key_to_der().map_err(text)?).map_err(text)?;
        Ok(Box::new(move || {
            let mut verifier = Verifier::new(MessageDigest::sha256(), &public).expect("verifier");
            if rsa {
                verifier.set_rsa_padding(Padding::PKCS1_PSS).expect("PSS");
                verifier
                    .set_rsa_pss_saltlen(RsaPssSaltlen::DIGEST_LENGTH)
                    .expect("salt");
            }
            verifier.update(MESSAGE).expect("update");
            assert!(verifier.verify(&signature).expect("verify"));
        }))
    }
}

fn main() -> ExitCode {
    bench::main(bench::Direct {
        backend: unitls_native_tls::NAME,
        register: unitls_native_tls::register,
        api: "native_tls::TlsStream (TlsConnector / TlsAcceptor)",
        async_api: "tokio-native-tls",
        library: format!("native-tls over {}", tls::version::version()),
        implementation: &DirectNativeTls,
        primitives_library: format!(
            "{} (EVP), the library under native-tls",
            tls::version::version()
        ),
        primitives: &crypto::OpenSslCrypto {
            signature: signatures::op,
        },
        limitations: &[(
            Capability::GroupSelection,
            "OpenSSL's default list, X25519 first, applies to both sides",
        )],
    })
}
