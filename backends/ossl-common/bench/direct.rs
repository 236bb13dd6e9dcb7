//! The direct baseline of the comparison benchmark for the OpenSSL-family backends:
//! the same workloads written against the library's own `SslConnector`,
//! `SslAcceptor` and `SslStream`, the way an application using the `openssl` (or
//! `boring`) crate would. Both bench targets include this file, each naming its
//! library `tls` and providing a `flavor` module with what differs (see
//! `backends/{openssl,boring}/benches/compare.rs`).
//!
//! Also shared: the signature primitives of the ceiling (`Signer`/`Verifier` over an
//! `EVP_PKEY`, what the TLS stack itself calls).

use std::hint::black_box;
use std::io::{self, Read, Write};
use std::sync::{Arc, Mutex, PoisonError};

use unitls_conformance::bench::{
    AsyncEndpoints, AsyncStream, BenchStream, BoxFuture, BoxIo, BoxTransport, Endpoints,
    Implementation, Negotiated, OpFn, Setup, StartTls, HOST, STARTTLS_PAYLOAD, STARTTLS_REPLY,
    STARTTLS_REQUEST,
};
use unitls_conformance::fixtures::pki;
use unitls_core::{CipherSuite, ProtocolVersion};

use super::flavor;
use super::tls::hash::MessageDigest;
use super::tls::pkey::{PKey, Private};
use super::tls::rsa::Padding;
use super::tls::sign::{RsaPssSaltlen, Signer, Verifier};
use super::tls::ssl::{
    ConnectConfiguration, HandshakeError, SslAcceptor, SslConnector, SslContextBuilder, SslMethod,
    SslOptions, SslSession, SslSessionCacheMode, SslStream, SslVersion,
};
use super::tls::x509::store::X509StoreBuilder;
use super::tls::x509::X509;

/// The TLS 1.2 suites unitls offers by default (`backends/ossl-common/lib/config.rs`);
/// the baseline offers the same.
const DEFAULT_TLS12_CIPHERS: &str = "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:\
ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:\
ECDHE-RSA-CHACHA20-POLY1305";

/// OpenSSL's name of a TLS 1.2 suite.
fn tls12_name(suite: CipherSuite) -> Option<&'static str> {
    Some(match suite.0 {
        0xC02B => "ECDHE-ECDSA-AES128-GCM-SHA256",
        0xC02C => "ECDHE-ECDSA-AES256-GCM-SHA384",
        0xCCA9 => "ECDHE-ECDSA-CHACHA20-POLY1305",
        _ => return None,
    })
}

fn text(e: impl std::fmt::Display) -> String {
    e.to_string()
}

/// Versions, suite, group and resumption, the same on both ends.
fn common(builder: &mut SslContextBuilder, setup: &Setup) -> Result<(), String> {
    let version = match setup.version {
        ProtocolVersion::Tls13 => SslVersion::TLS1_3,
        ProtocolVersion::Tls12 => SslVersion::TLS1_2,
    };
    builder.set_min_proto_version(Some(version)).map_err(text)?;
    builder.set_max_proto_version(Some(version)).map_err(text)?;
    builder
        .set_cipher_list(DEFAULT_TLS12_CIPHERS)
        .map_err(text)?;
    match setup.suite {
        Some(suite) if suite.version() == Some(ProtocolVersion::Tls12) => builder
            .set_cipher_list(tls12_name(suite).ok_or("unknown TLS 1.2 suite")?)
            .map_err(text)?,
        Some(suite) => flavor::set_tls13_suite(builder, suite.iana_name().unwrap_or_default())?,
        None => {}
    }
    if setup.x25519 {
        let names: Vec<&str> = setup
            .groups()
            .iter()
            .map(|g| if *g == "x25519" { "X25519" } else { "P-256" })
            .collect();
        flavor::set_groups(builder, &names.join(":"))?;
    }
    if !setup.resumption {
        builder.set_session_cache_mode(SslSessionCacheMode::OFF);
        builder.set_options(SslOptions::NO_TICKET);
        flavor::no_tls13_tickets(builder);
    }
    Ok(())
}

/// The library configured by hand.
pub(crate) struct OsslDirect;

impl Implementation for OsslDirect {
    fn prepare(&self, setup: &Setup) -> Result<Arc<dyn Endpoints>, String> {
        Ok(Arc::new(self.endpoints(setup)?))
    }

    fn prepare_async(&self, setup: &Setup) -> Result<Arc<dyn AsyncEndpoints>, String> {
        Ok(Arc::new(self.endpoints(setup)?))
    }
}

impl OsslDirect {
    /// The connector and acceptor for `setup`, as an application configures them.
    fn endpoints(&self, setup: &Setup) -> Result<OsslEndpoints, String> {
        let mut client = SslConnector::builder(SslMethod::tls()).map_err(text)?;
        common(&mut client, setup)?;
        // Trust the suite's root alone, as unitls's client does (SslConnector starts
        // from the system store).
        let mut store = X509StoreBuilder::new().map_err(text)?;
        for ca in X509::stack_from_pem(pki().ca_pem.as_bytes()).map_err(text)? {
            store.add_cert(ca).map_err(text)?;
        }
        flavor::set_store(&mut client, store);
        let session: Arc<Mutex<Option<SslSession>>> = Arc::default();
        if setup.resumption {
            let store = Arc::clone(&session);
            client.set_session_cache_mode(SslSessionCacheMode::CLIENT);
            client.set_new_session_callback(move |_ssl, s| {
                *store.lock().unwrap_or_else(PoisonError::into_inner) = Some(s);
            });
        }

        let mut server = SslAcceptor::mozilla_intermediate_v5(SslMethod::tls()).map_err(text)?;
        common(&mut server, setup)?;
        let leaf = setup.key.leaf();
        let mut chain = X509::stack_from_pem(leaf.chain_pem.as_bytes())
            .map_err(text)?
            .into_iter();
        let leaf_cert = chain.next().ok_or("empty chain")?;
        server.set_certificate(&leaf_cert).map_err(text)?;
        for cert in chain {
            server.add_extra_chain_cert(cert).map_err(text)?;
        }
        let key = PKey::private_key_from_pem(leaf.key_pem.as_bytes()).map_err(text)?;
        server.set_private_key(&key).map_err(text)?;
        server.check_private_key().map_err(text)?;
        Ok(OsslEndpoints {
            connector: client.build(),
            acceptor: server.build(),
            session,
        })
    }
}

impl AsyncEndpoints for OsslEndpoints {
    fn connect(&self, io: BoxIo) -> BoxFuture<Result<AsyncStream, String>> {
        let config = self.configure();
        Box::pin(async move { flavor::tokio_connect(config?, HOST, io).await })
    }

    fn accept(&self, io: BoxIo) -> BoxFuture<Result<AsyncStream, String>> {
        let acceptor = self.acceptor.clone();
        Box::pin(async move { flavor::tokio_accept(acceptor, io).await })
    }
}

struct OsslEndpoints {
    connector: SslConnector,
    acceptor: SslAcceptor,
    session: Arc<Mutex<Option<SslSession>>>,
}

impl OsslEndpoints {
    /// A client connection: SNI and host-name check for [`HOST`], the cached session.
    fn configure(&self) -> Result<ConnectConfiguration, String> {
        let mut config = self.connector.configure().map_err(text)?;
        let cached = self
            .session
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone();
        if let Some(session) = cached {
            // SAFETY: the session comes from a connection of this same context.
            #[allow(unsafe_code)]
            unsafe {
                config.set_session(&session).map_err(text)?;
            }
        }
        Ok(config)
    }
}

fn handshake_error<S>(e: HandshakeError<S>) -> String {
    match e {
        HandshakeError::SetupFailure(stack) => stack.to_string(),
        HandshakeError::Failure(mid) => mid.error().to_string(),
        HandshakeError::WouldBlock(_) => "the handshake would block".into(),
    }
}

impl Endpoints for OsslEndpoints {
    fn connect(&self, transport: BoxTransport) -> Result<Box<dyn BenchStream>, String> {
        let stream = self
            .configure()?
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

/// An `SslStream` as a bench stream.
struct Tls(SslStream<BoxTransport>);

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
    fn negotiated(&self) -> Negotiated {
        let ssl = self.0.ssl();
        Negotiated {
            version: ssl.version2().and_then(|v| {
                if v == SslVersion::TLS1_3 {
                    Some(ProtocolVersion::Tls13)
                } else if v == SslVersion::TLS1_2 {
                    Some(ProtocolVersion::Tls12)
                } else {
                    None
                }
            }),
            suite: ssl
                .current_cipher()
                .map(|c| CipherSuite(flavor::cipher_code(c))),
            resumed: Some(ssl.session_reused()),
            group: None,
        }
    }

    fn close(mut self: Box<Self>) {
        let _ = self.0.shutdown();
    }
}

/// One end of the STARTTLS dialogue over `SslStream<&mut transport>`.
struct Cycle {
    sock: BoxTransport,
    connector: Option<SslConnector>,
    acceptor: Option<SslAcceptor>,
}

impl StartTls for Cycle {
    fn cycle(&mut self) -> Result<bool, String> {
        let sock = &mut self.sock;
        if let Some(connector) = &self.connector {
            sock.write_all(STARTTLS_REQUEST).map_err(text)?;
            let mut reply = [0u8; STARTTLS_REPLY.len()];
            sock.read_exact(&mut reply).map_err(text)?;
            let mut tls = connector
                .configure()
                .map_err(text)?
                .connect(HOST, &mut *sock)
                .map_err(handshake_error)?;
            tls.write_all(&[b'c'; STARTTLS_PAYLOAD]).map_err(text)?;
            tls.shutdown().map_err(text)?; // close_notify sent
            tls.shutdown().map_err(text)?; // the server's received
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

/// The message the signature primitives sign: a transcript-hash-sized input.
const MESSAGE: &[u8] = b"the handshake transcript hash, more or less: 32 bytes";

/// A signature (or, with `verify`, a verification) with the key in `pkcs8`; RSA keys
/// sign with PSS and a digest-length salt, as TLS 1.3 does.
pub(crate) fn signature_op(pkcs8: &[u8], rsa: bool, verify: bool) -> Result<OpFn<'static>, String> {
    let key: PKey<Private> = PKey::private_key_from_pkcs8(pkcs8).map_err(text)?;
    let sign = move |key: &PKey<Private>| -> Result<Vec<u8>, String> {
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
    if !verify {
        sign(&key)?;
        return Ok(Box::new(move || {
            black_box(sign(&key).expect("sign"));
        }));
    }
    let signature = sign(&key)?;
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
