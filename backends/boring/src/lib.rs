//! The BoringSSL backend of unitls: BoringSSL, built from source by the `boring` crate.
//!
//! Most users reach it through the `unitls` facade. Used alone, register it once:
//!
//! ```text
//! unitls_boring::register();
//! assert!(unitls_core::implementation_available("boring"));
//! ```
//!
//! The native hooks receive BoringSSL's own types ([`Boring`] names them): the
//! context hook the `SslContextBuilder`, the connection hook the
//! `Ssl` before its handshake. `CtxSpec::Context` takes a `boring::ssl::SslContext`,
//! `CtxSpec::Session` an `Ssl` (handed back by `detach_ssl`).
#![deny(unsafe_code)]

// The engine is shared with the OpenSSL backend (ARCHITECTURE.md, "OpenSSL and
// BoringSSL share one engine"); `flavor` holds what differs between the crates.
#[path = "../../ossl-common/lib/alert_log.rs"]
mod alert_log;
#[path = "../../ossl-common/lib/backend.rs"]
mod backend;
#[path = "../../ossl-common/lib/cert_request.rs"]
mod cert_request;
#[path = "../../ossl-common/lib/config.rs"]
mod config;
#[path = "../../ossl-common/lib/connect.rs"]
mod connect;
#[path = "../../ossl-common/lib/engine.rs"]
mod engine;
#[path = "../../ossl-common/lib/error.rs"]
mod error;
mod flavor;
#[path = "../../ossl-common/lib/session.rs"]
mod session;
#[path = "../../ossl-common/lib/verify.rs"]
mod verify;

use openssl::ssl::{Ssl, SslContext, SslContextBuilder};
use unitls_core::backend::NativeTypes;
use unitls_core::{Capabilities, Capability, Lack};

pub use openssl as boring;

/// The registry name of this backend.
pub const NAME: &str = "boring";

/// Names BoringSSL's native types for unitls's typed callbacks and native specs.
#[derive(Debug, Clone, Copy)]
pub enum Boring {}

/// The marker the shared engine names.
type Native = Boring;

impl NativeTypes for Boring {
    const NAME: &'static str = NAME;
    type Context = SslContext;
    type ContextBuilder = SslContextBuilder;
    type Connection = Ssl;
}

/// What BoringSSL can do through unitls (SPEC §2).
pub const CAPABILITIES: Capabilities = Capabilities::all_except(&[Lack::both(
    Capability::Tls13CipherSelection,
    "BoringSSL fixes its TLS 1.3 cipher suites and has no call to restrict them \
     (no SSL_CTX_set_ciphersuites)",
)]);

/// The BoringSSL backend value.
#[derive(Debug)]
pub struct BoringBackend;

/// The backend value to register.
pub static BACKEND: BoringBackend = BoringBackend;

/// Where BoringSSL stands in the default precedence (SPEC IMPL-3): after OpenSSL.
const PRECEDENCE: u32 = 30;

/// The backend type the shared `Backend` impl (`ossl-common/lib/backend.rs`) is for.
type BackendValue = BoringBackend;

/// Registers this backend with unitls's registry (idempotent).
pub fn register() {
    unitls_core::backend::register(&BACKEND);
}
