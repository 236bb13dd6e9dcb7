//! The backend comparison benchmarks: workloads written once over `unitls_core`, a
//! std-only sampling harness, and the JSON lines `cargo xtask report` reads.
//!
//! Each backend crate has a bench target `benches/compare.rs` (`harness = false`) that
//! registers its backend, writes the *direct* baseline — the same workloads against
//! its TLS crate (rustls's `StreamOwned`, OpenSSL's and BoringSSL's `SslStream`,
//! `native_tls::TlsStream`) — and the crate's own crypto primitives for the machine's
//! ceiling, then hands all of it to [`main`]. `cargo bench -p unitls-<backend>` runs
//! it; `-- --quick` is the short plan for CI.
//!
//! What is measured, per backend, unitls and direct interleaved in one process pinned
//! to one CPU (both ends of every connection share that core):
//! - handshakes per second over the in-memory transport: TLS 1.3 full (X25519,
//!   ECDSA P-256), TLS 1.3 resumed, TLS 1.2 full (ECDHE-ECDSA-AES128-GCM-SHA256),
//!   TLS 1.3 full with an RSA-2048 server key;
//! - bulk throughput of 16 KiB application writes for AES-128-GCM, AES-256-GCM and
//!   ChaCha20-Poly1305, in memory and over loopback TCP;
//! - round-trip latency of a 64-octet request and reply over loopback TCP;
//! - memory per established idle connection: the resident set (`VmRSS`) delta over
//!   1,000 connections in a fresh process, the same method for every library;
//! - STARTTLS-style attach + 1 KiB + detach cycles per second on one live connection;
//! - the ceiling: the backend's own AEAD, signature and X25519 primitives alone.
//!
//! The key-exchange group is pinned to X25519 (SPEC PROTO-15) on both sides wherever
//! the backend declares `GroupSelection`.

mod ceiling;
mod output;
mod pipe;
mod stats;
mod system;
mod unitls;
mod workload;

use std::io::{Read, Write};
use std::process::ExitCode;
use std::sync::Arc;

use unitls_core::{Capability, CipherSuite, ProtocolVersion};

pub use crate::harness::BoxTransport;
pub use stats::{Plan, Summary};
pub use unitls::Unitls;

use crate::fixtures::{pki, Leaf};

/// The host name every client verifies and sends as SNI.
pub const HOST: &str = "localhost";
/// The size of one application write in the throughput figures.
pub const CHUNK: usize = 16 * 1024;
/// What a STARTTLS client sends in plain text before attaching.
pub const STARTTLS_REQUEST: &[u8] = b"STARTTLS\r\n";
/// What the server answers before attaching.
pub const STARTTLS_REPLY: &[u8] = b"220 ready\r\n";
/// The application data sent under TLS in each attach/detach cycle.
pub const STARTTLS_PAYLOAD: usize = 1024;
/// The request and reply size of the latency figure.
pub const ECHO_SIZE: usize = 64;

/// The server key of a figure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyKind {
    /// ECDSA P-256 (the suite's standard server leaf).
    EcdsaP256,
    /// RSA-2048.
    Rsa2048,
}

impl KeyKind {
    /// The server leaf with this key (leaf + intermediate chain, issued under the
    /// suite's root).
    pub fn leaf(self) -> &'static Leaf {
        match self {
            KeyKind::EcdsaP256 => &pki().server,
            KeyKind::Rsa2048 => &pki().server_rsa,
        }
    }
}

/// The AEAD of a throughput figure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Aead {
    /// AES-128-GCM.
    Aes128Gcm,
    /// AES-256-GCM.
    Aes256Gcm,
    /// ChaCha20-Poly1305.
    Chacha20Poly1305,
}

impl Aead {
    /// All three, in report order.
    pub const ALL: [Aead; 3] = [Aead::Aes128Gcm, Aead::Aes256Gcm, Aead::Chacha20Poly1305];

    /// Its name in figure names (`aes128gcm`).
    pub fn id(self) -> &'static str {
        match self {
            Aead::Aes128Gcm => "aes128gcm",
            Aead::Aes256Gcm => "aes256gcm",
            Aead::Chacha20Poly1305 => "chacha20poly1305",
        }
    }

    /// Its name for people.
    pub fn label(self) -> &'static str {
        match self {
            Aead::Aes128Gcm => "AES-128-GCM",
            Aead::Aes256Gcm => "AES-256-GCM",
            Aead::Chacha20Poly1305 => "ChaCha20-Poly1305",
        }
    }

    /// Key length in octets.
    pub fn key_len(self) -> usize {
        match self {
            Aead::Aes128Gcm => 16,
            _ => 32,
        }
    }

    /// The TLS 1.3 suite with this AEAD.
    pub fn tls13_suite(self) -> CipherSuite {
        CipherSuite(match self {
            Aead::Aes128Gcm => 0x1301,
            Aead::Aes256Gcm => 0x1302,
            Aead::Chacha20Poly1305 => 0x1303,
        })
    }

    /// The TLS 1.2 ECDHE-ECDSA suite with this AEAD.
    pub fn tls12_suite(self) -> CipherSuite {
        CipherSuite(match self {
            Aead::Aes128Gcm => 0xC02B,
            Aead::Aes256Gcm => 0xC02C,
            Aead::Chacha20Poly1305 => 0xCCA9,
        })
    }

    /// The AEAD a suite uses, if it is one of the three.
    pub fn of_suite(suite: CipherSuite) -> Option<Aead> {
        Aead::ALL
            .into_iter()
            .find(|a| a.tls13_suite() == suite || a.tls12_suite() == suite)
            .or(match suite.0 {
                0xC02F => Some(Aead::Aes128Gcm),
                0xC030 => Some(Aead::Aes256Gcm),
                0xCCA8 => Some(Aead::Chacha20Poly1305),
                _ => None,
            })
    }
}

/// What both implementations set up for one figure. The harness derives it from the
/// backend's capabilities, so unitls and the direct baseline run the same protocol.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Setup {
    /// The only version allowed (minimum = maximum).
    pub version: ProtocolVersion,
    /// The only cipher suite offered; `None`: the library's default choice (the
    /// backend cannot select it).
    pub suite: Option<CipherSuite>,
    /// Whether the key exchange is pinned to X25519 (both ends): the group list is
    /// [`Setup::groups`].
    pub x25519: bool,
    /// Whether sessions are cached and resumed; `false` turns resumption and TLS 1.3
    /// tickets off at both ends where the library can.
    pub resumption: bool,
    /// The server key.
    pub key: KeyKind,
}

impl Setup {
    /// The key-exchange groups both ends list when [`x25519`](Setup::x25519) pins
    /// them, by IANA name: X25519 alone for TLS 1.3; for TLS 1.2 X25519 then P-256,
    /// because a TLS 1.2 client's group list also bounds the curve of the server's
    /// ECDSA certificate (RFC 8422 §5.1; OpenSSL and BoringSSL enforce it). X25519 is
    /// negotiated either way.
    pub fn groups(&self) -> &'static [&'static str] {
        match self.version {
            ProtocolVersion::Tls13 => &["x25519"],
            ProtocolVersion::Tls12 => &["x25519", "secp256r1"],
        }
    }
}

/// What a connection negotiated, as far as the library reports it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Negotiated {
    /// The version.
    pub version: Option<ProtocolVersion>,
    /// The cipher suite.
    pub suite: Option<CipherSuite>,
    /// Whether the session was resumed.
    pub resumed: Option<bool>,
    /// The key-exchange group, by IANA name.
    pub group: Option<String>,
}

/// An established TLS connection of either implementation.
pub trait BenchStream: Read + Write + Send {
    /// What the handshake negotiated.
    fn negotiated(&self) -> Negotiated;
    /// Ends the connection in order: sends close_notify, without waiting for the
    /// peer's; errors (a peer already gone) are ignored.
    fn close(self: Box<Self>);
}

/// One end of a live plain connection on which TLS is attached and detached again.
pub trait StartTls: Send {
    /// One cycle. Client: sends [`STARTTLS_REQUEST`] in plain text, reads
    /// [`STARTTLS_REPLY`], attaches TLS, writes [`STARTTLS_PAYLOAD`] octets, detaches
    /// (close_notify sent, the peer's awaited). Server: reads the request — `Ok(false)`
    /// on EOF, no more cycles — answers, attaches, reads the payload, reads to the
    /// client's close_notify, then detaches (sends its own). The connection is plain
    /// again after each cycle.
    fn cycle(&mut self) -> Result<bool, String>;
}

/// Client and server configurations of one [`Setup`], made once per figure.
pub trait Endpoints: Send + Sync {
    /// Handshakes as the client (verifying [`HOST`] against the suite's root).
    fn connect(&self, transport: BoxTransport) -> Result<Box<dyn BenchStream>, String>;
    /// Handshakes as the server.
    fn accept(&self, transport: BoxTransport) -> Result<Box<dyn BenchStream>, String>;
    /// The client end of a STARTTLS dialogue over a plain connection.
    fn starttls_client(&self, transport: BoxTransport) -> Box<dyn StartTls>;
    /// The server end of a STARTTLS dialogue over a plain connection.
    fn starttls_server(&self, transport: BoxTransport) -> Box<dyn StartTls>;
}

/// An established connection in the tokio mode, of either implementation.
pub type AsyncStream = Box<dyn crate::tokio_mode::AsyncIo>;

/// A tokio transport handed to [`AsyncEndpoints`].
pub use crate::tokio_mode::BoxIo;

/// A boxed `Send` future.
pub type BoxFuture<T> = std::pin::Pin<Box<dyn std::future::Future<Output = T> + Send>>;

/// Client and server configurations of one [`Setup`] in the tokio mode: unitls's
/// `unitls::tokio`, or the library's own tokio adaptor.
pub trait AsyncEndpoints: Send + Sync {
    /// Handshakes as the client over `io` (verifying [`HOST`]).
    fn connect(&self, io: BoxIo) -> BoxFuture<Result<AsyncStream, String>>;
    /// Handshakes as the server over `io`.
    fn accept(&self, io: BoxIo) -> BoxFuture<Result<AsyncStream, String>>;
}

/// unitls or a direct baseline: makes [`Endpoints`] for a [`Setup`].
pub trait Implementation: Sync {
    /// The contexts for `setup`, or why this implementation cannot provide them.
    fn prepare(&self, setup: &Setup) -> Result<Arc<dyn Endpoints>, String>;

    /// The same contexts in the tokio mode (the direct baseline: the library's tokio
    /// adaptor, e.g. tokio-rustls), or why there are none.
    fn prepare_async(&self, setup: &Setup) -> Result<Arc<dyn AsyncEndpoints>, String>;
}

/// A crypto primitive of the ceiling, done the way the backend's library does it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PrimOp {
    /// One side of an X25519 exchange: a fresh key pair and the shared secret.
    X25519,
    /// An ECDSA P-256 / SHA-256 signature.
    EcdsaP256Sign,
    /// An ECDSA P-256 / SHA-256 verification.
    EcdsaP256Verify,
    /// An RSA-2048 PSS / SHA-256 signature.
    Rsa2048PssSign,
    /// An RSA-2048 PSS / SHA-256 verification.
    Rsa2048PssVerify,
    /// Sealing one [`CHUNK`]-octet record (with a 13-octet header as AAD).
    Seal(Aead),
    /// Opening one [`CHUNK`]-octet record.
    Open(Aead),
}

/// The keys the signature primitives use (the suite's server keys, PKCS#8 DER).
#[derive(Debug, Clone, Copy)]
pub struct Keys<'a> {
    /// The ECDSA P-256 server key.
    pub ecdsa_pkcs8: &'a [u8],
    /// The RSA-2048 server key.
    pub rsa_pkcs8: &'a [u8],
}

/// A closure doing one primitive operation per call.
pub type OpFn<'a> = Box<dyn FnMut() + 'a>;

/// The backend library's own primitives.
pub trait Primitives: Sync {
    /// A closure doing `op` once per call; keys and buffers are set up beforehand.
    fn op<'a>(&'a self, op: PrimOp, keys: Keys<'a>) -> Result<OpFn<'a>, String>;
}

/// What a backend's bench target hands to [`main`].
pub struct Direct<'a> {
    /// The backend's registry name (`rustls`).
    pub backend: &'static str,
    /// Registers the backend.
    pub register: fn(),
    /// The direct API measured (`rustls::StreamOwned`).
    pub api: &'static str,
    /// The direct tokio adaptor measured against `unitls::tokio` (`tokio-rustls`).
    pub async_api: &'static str,
    /// The library behind the direct baseline, with its version as the running
    /// binary sees it (`OpenSSL 3.0.13 30 Jan 2024`).
    pub library: String,
    /// The direct baseline.
    pub implementation: &'a dyn Implementation,
    /// Where the ceiling's primitives come from (`aws-lc-rs, rustls's provider`).
    pub primitives_library: String,
    /// The ceiling's primitives.
    pub primitives: &'a dyn Primitives,
    /// What the comparison adds about a capability the backend lacks (the reason
    /// itself is the backend's declared `Lack`).
    pub limitations: &'a [(Capability, &'static str)],
}

/// The bench target's `main`: parses `--quick` (and cargo's `--bench`), pins the
/// process to one CPU, runs every figure and prints one JSON object per line to
/// stdout, or appends them to `$UNITLS_BENCH_FILE`. Progress goes to stderr.
pub fn main(direct: Direct<'_>) -> ExitCode {
    workload::main(direct)
}
