//! unitls over rustls against rustls alone (`rustls::StreamOwned`, `rustls::Stream`),
//! with aws-lc-rs — the primitives behind rustls's default provider — for the ceiling.
//!
//! `cargo bench -p unitls-rustls [-- --quick]`; the workloads, the statistics and the
//! output are `unitls_conformance::bench`'s, shared by every backend.

use std::hint::black_box;
use std::io::{self, Read, Write};
use std::process::ExitCode;
use std::sync::Arc;

use aws_lc_rs::aead::{
    Aad, LessSafeKey, Nonce, UnboundKey, AES_128_GCM, AES_256_GCM, CHACHA20_POLY1305,
};
use aws_lc_rs::agreement::{
    agree_ephemeral, EphemeralPrivateKey, UnparsedPublicKey as PeerKey, X25519,
};
use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::signature::{
    EcdsaKeyPair, KeyPair as _, RsaKeyPair, UnparsedPublicKey, ECDSA_P256_SHA256_ASN1,
    ECDSA_P256_SHA256_ASN1_SIGNING, RSA_PSS_2048_8192_SHA256, RSA_PSS_SHA256,
};
use rustls::client::Resumption;
use rustls::crypto::aws_lc_rs::default_provider;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName};
use rustls::server::NoServerSessionStorage;
use rustls::{
    ClientConfig, ClientConnection, ConnectionCommon, HandshakeKind, NamedGroup, RootCertStore,
    ServerConfig, ServerConnection, SideData, StreamOwned, SupportedProtocolVersion,
};
use unitls_conformance::bench::{
    self, Aead, AsyncEndpoints, AsyncStream, BenchStream, BoxFuture, BoxIo, BoxTransport,
    Endpoints, Implementation, Keys, Negotiated, OpFn, PrimOp, Primitives, Setup, StartTls, CHUNK,
    HOST, STARTTLS_PAYLOAD, STARTTLS_REPLY, STARTTLS_REQUEST,
};
use unitls_conformance::fixtures::pki;
use unitls_core::{CipherSuite, ProtocolVersion};

fn text(e: impl std::fmt::Display) -> String {
    e.to_string()
}

/// rustls configured by hand, the way a rustls user would.
struct DirectRustls;

impl DirectRustls {
    /// The client and server configurations for `setup`, as a rustls user writes them.
    fn prepare_configs(&self, setup: &Setup) -> Result<RustlsEndpoints, String> {
        let mut provider = default_provider();
        if let Some(suite) = setup.suite {
            provider
                .cipher_suites
                .retain(|s| u16::from(s.suite()) == suite.0);
        }
        if setup.x25519 {
            let wanted: Vec<NamedGroup> = setup
                .groups()
                .iter()
                .map(|name| match *name {
                    "x25519" => NamedGroup::X25519,
                    _ => NamedGroup::secp256r1,
                })
                .collect();
            provider.kx_groups.retain(|g| wanted.contains(&g.name()));
            provider
                .kx_groups
                .sort_by_key(|g| wanted.iter().position(|w| *w == g.name()));
        }
        if provider.cipher_suites.is_empty() || provider.kx_groups.is_empty() {
            return Err("rustls lacks the suite or group".into());
        }
        let provider = Arc::new(provider);
        let versions: &[&SupportedProtocolVersion] = match setup.version {
            ProtocolVersion::Tls13 => &[&rustls::version::TLS13],
            ProtocolVersion::Tls12 => &[&rustls::version::TLS12],
        };
        let mut roots = RootCertStore::empty();
        roots
            .add(CertificateDer::from_pem_slice(pki().ca_pem.as_bytes()).map_err(text)?)
            .map_err(text)?;
        let mut client = ClientConfig::builder_with_provider(Arc::clone(&provider))
            .with_protocol_versions(versions)
            .map_err(text)?
            .with_root_certificates(roots)
            .with_no_client_auth();
        let leaf = setup.key.leaf();
        let chain = CertificateDer::pem_slice_iter(leaf.chain_pem.as_bytes())
            .collect::<Result<Vec<_>, _>>()
            .map_err(text)?;
        let key = PrivateKeyDer::from_pem_slice(leaf.key_pem.as_bytes()).map_err(text)?;
        let mut server = ServerConfig::builder_with_provider(provider)
            .with_protocol_versions(versions)
            .map_err(text)?
            .with_no_client_auth()
            .with_single_cert(chain, key)
            .map_err(text)?;
        if !setup.resumption {
            client.resumption = Resumption::disabled();
            server.session_storage = Arc::new(NoServerSessionStorage {});
            server.send_tls13_tickets = 0;
        }
        Ok(RustlsEndpoints {
            client: Arc::new(client),
            server: Arc::new(server),
        })
    }
}

impl Implementation for DirectRustls {
    fn prepare(&self, setup: &Setup) -> Result<Arc<dyn Endpoints>, String> {
        Ok(Arc::new(self.prepare_configs(setup)?))
    }

    fn prepare_async(&self, setup: &Setup) -> Result<Arc<dyn AsyncEndpoints>, String> {
        let endpoints = self.prepare_configs(setup)?;
        Ok(Arc::new(endpoints))
    }
}

impl AsyncEndpoints for RustlsEndpoints {
    fn connect(&self, io: BoxIo) -> BoxFuture<Result<AsyncStream, String>> {
        let connector = tokio_rustls::TlsConnector::from(Arc::clone(&self.client));
        Box::pin(async move {
            let name = ServerName::try_from(HOST).map_err(text)?;
            let stream = connector.connect(name, io).await.map_err(text)?;
            Ok(Box::new(stream) as AsyncStream)
        })
    }

    fn accept(&self, io: BoxIo) -> BoxFuture<Result<AsyncStream, String>> {
        let acceptor = tokio_rustls::TlsAcceptor::from(Arc::clone(&self.server));
        Box::pin(async move {
            let stream = acceptor.accept(io).await.map_err(text)?;
            Ok(Box::new(stream) as AsyncStream)
        })
    }
}

struct RustlsEndpoints {
    client: Arc<ClientConfig>,
    server: Arc<ServerConfig>,
}

impl RustlsEndpoints {
    fn client_conn(&self) -> Result<ClientConnection, String> {
        let name = ServerName::try_from(HOST).map_err(text)?;
        ClientConnection::new(Arc::clone(&self.client), name).map_err(text)
    }

    fn server_conn(&self) -> Result<ServerConnection, String> {
        ServerConnection::new(Arc::clone(&self.server)).map_err(text)
    }
}

/// Runs the handshake to its end over `sock`.
fn handshake<S: SideData>(
    conn: &mut ConnectionCommon<S>,
    sock: &mut BoxTransport,
) -> Result<(), String> {
    while conn.is_handshaking() {
        conn.complete_io(sock).map_err(text)?;
    }
    Ok(())
}

impl Endpoints for RustlsEndpoints {
    fn connect(&self, mut transport: BoxTransport) -> Result<Box<dyn BenchStream>, String> {
        let mut conn = self.client_conn()?;
        handshake(&mut conn, &mut transport)?;
        Ok(Box::new(Tls(StreamOwned::new(conn, transport))))
    }

    fn accept(&self, mut transport: BoxTransport) -> Result<Box<dyn BenchStream>, String> {
        let mut conn = self.server_conn()?;
        handshake(&mut conn, &mut transport)?;
        Ok(Box::new(Tls(StreamOwned::new(conn, transport))))
    }

    fn starttls_client(&self, transport: BoxTransport) -> Box<dyn StartTls> {
        Box::new(Cycle {
            sock: transport,
            client: Some(Arc::clone(&self.client)),
            server: None,
        })
    }

    fn starttls_server(&self, transport: BoxTransport) -> Box<dyn StartTls> {
        Box::new(Cycle {
            sock: transport,
            client: None,
            server: Some(Arc::clone(&self.server)),
        })
    }
}

/// A `StreamOwned` (client or server) as a bench stream.
struct Tls<C>(StreamOwned<C, BoxTransport>);

impl<C, S> Read for Tls<C>
where
    C: std::ops::DerefMut<Target = ConnectionCommon<S>>,
    S: SideData,
{
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.0.read(buf)
    }
}

impl<C, S> Write for Tls<C>
where
    C: std::ops::DerefMut<Target = ConnectionCommon<S>>,
    S: SideData,
{
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        self.0.write(data)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.0.flush()
    }
}

impl<C, S> BenchStream for Tls<C>
where
    C: std::ops::DerefMut<Target = ConnectionCommon<S>> + Send,
    S: SideData,
{
    fn negotiated(&self) -> Negotiated {
        let conn = &self.0.conn;
        Negotiated {
            version: conn
                .protocol_version()
                .and_then(|v| ProtocolVersion::from_wire(u16::from(v))),
            suite: conn
                .negotiated_cipher_suite()
                .map(|s| CipherSuite(u16::from(s.suite()))),
            resumed: Some(conn.handshake_kind() == Some(HandshakeKind::Resumed)),
            group: conn
                .negotiated_key_exchange_group()
                .map(|g| format!("{:?}", g.name()).to_lowercase()),
        }
    }

    fn close(mut self: Box<Self>) {
        let StreamOwned { conn, sock } = &mut self.0;
        conn.send_close_notify();
        while conn.wants_write() {
            if conn.write_tls(sock).is_err() {
                break;
            }
        }
    }
}

/// One end of the STARTTLS dialogue, written against `rustls::Stream`.
struct Cycle {
    sock: BoxTransport,
    client: Option<Arc<ClientConfig>>,
    server: Option<Arc<ServerConfig>>,
}

/// Sends close_notify and writes everything pending.
fn send_close_notify<S: SideData>(
    conn: &mut ConnectionCommon<S>,
    sock: &mut BoxTransport,
) -> Result<(), String> {
    conn.send_close_notify();
    while conn.wants_write() {
        conn.write_tls(sock).map_err(text)?;
    }
    Ok(())
}

impl StartTls for Cycle {
    fn cycle(&mut self) -> Result<bool, String> {
        let sock = &mut self.sock;
        if let Some(config) = &self.client {
            sock.write_all(STARTTLS_REQUEST).map_err(text)?;
            let mut reply = [0u8; STARTTLS_REPLY.len()];
            sock.read_exact(&mut reply).map_err(text)?;
            let name = ServerName::try_from(HOST).map_err(text)?;
            let mut conn = ClientConnection::new(Arc::clone(config), name).map_err(text)?;
            handshake(&mut conn, sock)?;
            rustls::Stream::new(&mut conn, sock)
                .write_all(&[b'c'; STARTTLS_PAYLOAD])
                .map_err(text)?;
            send_close_notify(&mut conn, sock)?;
            // Wait for the server's close_notify. It sends nothing after it until the
            // next request, so rustls cannot read past it here.
            loop {
                if conn.read_tls(sock).map_err(text)? == 0 {
                    return Err("EOF before the server's close_notify".into());
                }
                if conn.process_new_packets().map_err(text)?.peer_has_closed() {
                    return Ok(true);
                }
            }
        }
        let config = self.server.as_ref().ok_or("neither end")?;
        let mut request = [0u8; STARTTLS_REQUEST.len()];
        match sock.read_exact(&mut request) {
            Ok(()) => {}
            Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => return Ok(false),
            Err(e) => return Err(e.to_string()),
        }
        sock.write_all(STARTTLS_REPLY).map_err(text)?;
        let mut conn = ServerConnection::new(Arc::clone(config)).map_err(text)?;
        handshake(&mut conn, sock)?;
        let mut stream = rustls::Stream::new(&mut conn, sock);
        let mut payload = [0u8; STARTTLS_PAYLOAD];
        stream.read_exact(&mut payload).map_err(text)?;
        if stream.read(&mut [0u8; 1]).map_err(text)? != 0 {
            return Err("data after the payload".into());
        }
        send_close_notify(&mut conn, sock)?;
        Ok(true)
    }
}

/// aws-lc-rs, as rustls's aws-lc-rs provider calls it.
struct AwsLc;

fn aead_key(aead: Aead) -> LessSafeKey {
    let alg = match aead {
        Aead::Aes128Gcm => &AES_128_GCM,
        Aead::Aes256Gcm => &AES_256_GCM,
        Aead::Chacha20Poly1305 => &CHACHA20_POLY1305,
    };
    LessSafeKey::new(UnboundKey::new(alg, &vec![7u8; aead.key_len()]).expect("key length"))
}

const HEADER: [u8; 13] = [0, 0, 0, 0, 0, 0, 0, 1, 23, 3, 3, 0x40, 0x11];
const MESSAGE: &[u8] = b"the handshake transcript hash, more or less: 32 bytes";

impl Primitives for AwsLc {
    fn op<'a>(&'a self, op: PrimOp, keys: Keys<'a>) -> Result<OpFn<'a>, String> {
        let rng = SystemRandom::new();
        Ok(match op {
            PrimOp::X25519 => {
                let peer = EphemeralPrivateKey::generate(&X25519, &rng)
                    .and_then(|k| k.compute_public_key())
                    .map_err(text)?
                    .as_ref()
                    .to_vec();
                Box::new(move || {
                    let mine = EphemeralPrivateKey::generate(&X25519, &rng).expect("key pair");
                    black_box(mine.compute_public_key().expect("public key"));
                    agree_ephemeral(mine, PeerKey::new(&X25519, &peer), (), |secret| {
                        black_box(secret);
                        Ok(())
                    })
                    .expect("agreement");
                })
            }
            PrimOp::EcdsaP256Sign | PrimOp::EcdsaP256Verify => {
                let pair =
                    EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_ASN1_SIGNING, keys.ecdsa_pkcs8)
                        .map_err(text)?;
                if op == PrimOp::EcdsaP256Sign {
                    Box::new(move || {
                        black_box(pair.sign(&rng, MESSAGE).expect("sign"));
                    })
                } else {
                    let sig = pair.sign(&rng, MESSAGE).map_err(text)?.as_ref().to_vec();
                    let public = pair.public_key().as_ref().to_vec();
                    Box::new(move || {
                        UnparsedPublicKey::new(&ECDSA_P256_SHA256_ASN1, &public)
                            .verify(MESSAGE, &sig)
                            .expect("verify");
                    })
                }
            }
            PrimOp::Rsa2048PssSign | PrimOp::Rsa2048PssVerify => {
                let pair = RsaKeyPair::from_pkcs8(keys.rsa_pkcs8).map_err(text)?;
                let mut sig = vec![0u8; pair.public_modulus_len()];
                pair.sign(&RSA_PSS_SHA256, &rng, MESSAGE, &mut sig)
                    .map_err(text)?;
                if op == PrimOp::Rsa2048PssSign {
                    Box::new(move || {
                        pair.sign(&RSA_PSS_SHA256, &rng, MESSAGE, &mut sig)
                            .expect("sign");
                        black_box(&sig);
                    })
                } else {
                    let public = pair.public_key().as_ref().to_vec();
                    Box::new(move || {
                        UnparsedPublicKey::new(&RSA_PSS_2048_8192_SHA256, &public)
                            .verify(MESSAGE, &sig)
                            .expect("verify");
                    })
                }
            }
            PrimOp::Seal(aead) => {
                let key = aead_key(aead);
                let mut record = vec![0x5au8; CHUNK];
                let mut seq = 0u64;
                Box::new(move || {
                    seq += 1;
                    let nonce = nonce(seq);
                    let tag = key
                        .seal_in_place_separate_tag(nonce, Aad::from(HEADER), &mut record)
                        .expect("seal");
                    let _ = black_box(tag);
                })
            }
            PrimOp::Open(aead) => {
                let key = aead_key(aead);
                let mut sealed = vec![0x5au8; CHUNK];
                let tag = key
                    .seal_in_place_separate_tag(nonce(1), Aad::from(HEADER), &mut sealed)
                    .map_err(text)?;
                let mut plain = vec![0u8; CHUNK];
                Box::new(move || {
                    key.open_separate_gather(
                        nonce(1),
                        Aad::from(HEADER),
                        &sealed,
                        tag.as_ref(),
                        &mut plain,
                    )
                    .expect("open");
                    black_box(&plain);
                })
            }
        })
    }
}

fn nonce(seq: u64) -> Nonce {
    let mut n = [0u8; 12];
    n[4..].copy_from_slice(&seq.to_be_bytes());
    Nonce::assume_unique_for_key(n)
}

fn main() -> ExitCode {
    bench::main(bench::Direct {
        backend: unitls_rustls::NAME,
        register: unitls_rustls::register,
        api: "rustls::StreamOwned / rustls::Stream",
        async_api: "tokio-rustls",
        library: "rustls with the aws-lc-rs provider".into(),
        implementation: &DirectRustls,
        primitives_library: "aws-lc-rs (what rustls's aws-lc-rs provider calls)".into(),
        primitives: &AwsLc,
        limitations: &[],
    })
}
