#![doc = include_str!("../README.md")]
//!
//! # Facade: backends and features
//!
//! | feature | backend | library |
//! |---|---|---|
//! | `rustls` (default) | `"rustls"` | rustls 0.23, aws-lc-rs provider |
//! | `rustls-ring` | `"rustls"` | rustls 0.23, ring provider |
//! | `openssl` | `"openssl"` | the system's OpenSSL 3 |
//! | `boring` | `"boring"` | BoringSSL built from source (needs cmake and libclang) |
//! | `native-tls` | `"native-tls"` | the platform library (OpenSSL on Linux) |
//!
//! When several are on, the default backend is the first of rustls, openssl, boring,
//! native-tls that is compiled in ([`DEFAULT_BACKEND`]), whatever the feature order;
//! [`set_default_implementation`] changes it at run time. `boring` cannot be combined
//! with `openssl` or `native-tls`: BoringSSL and OpenSSL define the same C symbols and
//! cannot be linked into one binary.
//!
//! The crate root is the user API; what a backend implements or reads (the `Backend`
//! and `Session` traits, `NativeTypes`, the hook plumbing, the registry's backend side)
//! is in [`backend`], and the DER types of [`Identity::from_der`] in [`pki_types`].
#![forbid(unsafe_code)]

#[cfg(all(feature = "boring", feature = "openssl"))]
compile_error!(
    "unitls: the `boring` and `openssl` features cannot be enabled together: BoringSSL and \
     OpenSSL define the same C symbols (SSL_*), so they cannot be linked into one binary \
     (cloudflare/boring issue 197). Build one binary per backend instead."
);

#[cfg(all(feature = "boring", feature = "native-tls"))]
compile_error!(
    "unitls: the `boring` and `native-tls` features cannot be enabled together: native-tls \
     uses OpenSSL on Linux, whose C symbols clash with BoringSSL's in one binary \
     (cloudflare/boring issue 197). Build one binary per backend instead."
);

#[cfg(not(any(
    feature = "rustls",
    feature = "rustls-ring",
    feature = "openssl",
    feature = "boring",
    feature = "native-tls"
)))]
compile_error!("unitls: enable at least one backend feature (`rustls` is the default).");

mod stream;

use std::net::TcpStream;

pub use stream::SocketStream;
/// unitls-core's stream, which [`SocketStream`] wraps and derefs to: every operation of
/// a stream is documented there. [`SocketStream::into_inner`] hands it out.
pub use unitls_core::SocketStream as CoreSocketStream;
// The user API of unitls-core, item by item (the entry points that must register the
// backends first are this crate's own functions below); what a backend implements or
// reads is in `backend`, exported there only.
pub use unitls_core::{
    duplex, failure_indicator, live_sessions, pki_types, tls_server_end_point, AbstractContext,
    Alert, AttachOptions, BoxError, Capabilities, Capability, CertificateRequest, CipherSuite,
    ClientAuth, ContextBuilder, CtxSpec, DetachOptions, Detached, Error, ErrorKind,
    FailureIndicator, Group, HandshakeTimeout, Identity, IdentitySource, ImplementationInfo,
    IntoPartsError, Lack, MemoryCloser, MemoryStream, NativeContext, NativeSession, Password,
    PasswordCallback, PasswordRequest, PeerCertificate, ProtocolVersion, Result, RetryPolicy, Role,
    Roles, Selector, ServerName, Side, Sni, Source, TcpOptions, Transport, TrustSource, Verdict,
    VerifyInput, VerifyReason, VerifyResult, VersionRange, DEFAULT_HANDSHAKE_TIMEOUT,
    MAX_PASSWORD_LEN,
};

/// The backend interface (unitls-core's `backend` module): what a TLS library crate
/// implements and reads. Users need it only to name [`NativeTypes`](backend::NativeTypes)
/// in generic code.
pub use unitls_core::backend;

/// The rustls backend crate: its native types ([`rustls::Rustls`]) for typed
/// callbacks and native specs.
#[cfg(any(feature = "rustls", feature = "rustls-ring"))]
pub use unitls_rustls as rustls;

/// The OpenSSL backend crate: its native types ([`openssl::OpenSsl`]).
#[cfg(feature = "openssl")]
pub use unitls_openssl as openssl;

/// The BoringSSL backend crate: its native types ([`boring::Boring`]).
#[cfg(feature = "boring")]
pub use unitls_boring as boring;

/// The native-tls backend crate: its native types ([`native_tls::NativeTls`]).
#[cfg(feature = "native-tls")]
pub use unitls_native_tls as native_tls;

/// The tokio mode (feature `tokio`): [`tokio::SocketStream`] over any
/// `AsyncRead + AsyncWrite + Unpin` transport, with the blocking stream's lifecycle,
/// and [`tokio::connect`] / [`tokio::accept`] for the common cases.
#[cfg(feature = "tokio")]
pub use unitls_core::tokio;

cfg_if::cfg_if! {
    if #[cfg(any(feature = "rustls", feature = "rustls-ring"))] {
        /// The backend chosen by default: the first compiled in of rustls, openssl,
        /// boring, native-tls, whatever the order of the features (SPEC IMPL-3).
        pub const DEFAULT_BACKEND: &str = "rustls";
    } else if #[cfg(feature = "openssl")] {
        /// The backend chosen by default: the first compiled in of rustls, openssl,
        /// boring, native-tls, whatever the order of the features (SPEC IMPL-3).
        pub const DEFAULT_BACKEND: &str = "openssl";
    } else if #[cfg(feature = "boring")] {
        /// The backend chosen by default: the first compiled in of rustls, openssl,
        /// boring, native-tls, whatever the order of the features (SPEC IMPL-3).
        pub const DEFAULT_BACKEND: &str = "boring";
    } else if #[cfg(feature = "native-tls")] {
        /// The backend chosen by default: the first compiled in of rustls, openssl,
        /// boring, native-tls, whatever the order of the features (SPEC IMPL-3).
        pub const DEFAULT_BACKEND: &str = "native-tls";
    } else {
        /// No backend is compiled in (a `compile_error!` above says so).
        pub const DEFAULT_BACKEND: &str = "";
    }
}

/// Registers every backend the features turned on (idempotent; every entry point of
/// this crate calls it first, so users never need to).
pub fn register_backends() {
    #[cfg(any(feature = "rustls", feature = "rustls-ring"))]
    unitls_rustls::register();
    #[cfg(feature = "openssl")]
    unitls_openssl::register();
    #[cfg(feature = "boring")]
    unitls_boring::register();
    #[cfg(feature = "native-tls")]
    unitls_native_tls::register();
}

/// The compiled-in backends, in default precedence order (SPEC IMPL-1).
pub fn implementations() -> Vec<&'static str> {
    register_backends();
    unitls_core::implementations()
}

/// Whether backend `name` is compiled in; any string is a fine question (SPEC IMPL-2).
pub fn implementation_available(name: &str) -> bool {
    register_backends();
    unitls_core::implementation_available(name)
}

/// The default backend (SPEC IMPL-3; LispWorks `ssl-default-implementation`).
pub fn default_implementation() -> Result<&'static str> {
    register_backends();
    unitls_core::default_implementation()
}

/// Makes `name` the default backend; unknown names are `InvalidArgument` (SPEC IMPL-4).
pub fn set_default_implementation(name: &str) -> Result<()> {
    register_backends();
    unitls_core::set_default_implementation(name)
}

/// The capabilities backend `name` declares (SPEC IMPL-8).
pub fn capabilities(name: &str) -> Option<Capabilities> {
    register_backends();
    unitls_core::capabilities(name)
}

/// Crate and library versions of backend `name` (SPEC IMPL-9).
pub fn implementation_info(name: &str) -> Option<ImplementationInfo> {
    register_backends();
    unitls_core::implementation_info(name)
}

/// Initialises backend `name` (`None`: the default) once (SPEC INIT-2).
pub fn ensure_initialized(name: Option<&str>) -> Result<()> {
    register_backends();
    unitls_core::ensure_initialized(name)
}

/// LispWorks' name for [`ensure_initialized`].
pub fn ensure_ssl(name: Option<&str>) -> Result<()> {
    ensure_initialized(name)
}

/// Makes sure the default backend's random generator is seeded; every backend seeds
/// itself from the OS, so this is only initialisation (LispWorks `do-rand-seed`).
pub fn do_rand_seed() -> Result<()> {
    register_backends();
    unitls_core::do_rand_seed()
}

/// Starts a client abstract context (SPEC ABS-1; LispWorks `create-ssl-client-context`).
pub fn create_client_context() -> ContextBuilder {
    register_backends();
    unitls_core::create_client_context()
}

/// Starts a server abstract context (SPEC ABS-1; LispWorks `create-ssl-server-context`).
pub fn create_server_context() -> ContextBuilder {
    register_backends();
    unitls_core::create_server_context()
}

/// Connects and attaches TLS as the client (SPEC STREAM-1; LispWorks `open-tcp-stream`).
pub fn open_tcp_stream(
    host: &str,
    port: u16,
    options: TcpOptions,
) -> std::io::Result<SocketStream<TcpStream>> {
    register_backends();
    unitls_core::open_tcp_stream(host, port, options).map(SocketStream::from_core)
}

/// Makes a server stream over an accepted socket (SPEC STREAM-4).
pub fn from_accepted(
    socket: TcpStream,
    options: Option<AttachOptions>,
) -> std::io::Result<SocketStream<TcpStream>> {
    register_backends();
    unitls_core::from_accepted(socket, options).map(SocketStream::from_core)
}
