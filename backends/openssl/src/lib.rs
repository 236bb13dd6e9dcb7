//! The OpenSSL backend of unitls: the system's OpenSSL 3 through the `openssl` crate.
//!
//! Most users reach it through the `unitls` facade. Used alone, register it once:
//!
//! ```text
//! unitls_openssl::register();
//! assert!(unitls_core::implementation_available("openssl"));
//! ```
//!
//! The native hooks receive OpenSSL's own types ([`OpenSsl`] names them): the
//! context hook the `SslContextBuilder`, the connection hook the
//! `Ssl` before its handshake. `CtxSpec::Context` takes an `SslContext`,
//! `CtxSpec::Session` an `Ssl` (handed back by `detach_ssl`).
#![deny(unsafe_code)]

// The engine is shared with the BoringSSL backend (ARCHITECTURE.md, "OpenSSL and
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
use unitls_core::Capabilities;

pub use openssl;

/// The registry name of this backend.
pub const NAME: &str = "openssl";

/// Names OpenSSL's native types for unitls's typed callbacks and native specs.
#[derive(Debug, Clone, Copy)]
pub enum OpenSsl {}

/// The marker the shared engine names.
type Native = OpenSsl;

impl NativeTypes for OpenSsl {
    const NAME: &'static str = NAME;
    type Context = SslContext;
    type ContextBuilder = SslContextBuilder;
    type Connection = Ssl;
}

/// What OpenSSL can do through unitls (SPEC §2): everything, for both roles.
pub const CAPABILITIES: Capabilities = Capabilities::all_except(&[]);

/// The OpenSSL backend value.
#[derive(Debug)]
pub struct OpenSslBackend;

/// The backend value to register.
pub static BACKEND: OpenSslBackend = OpenSslBackend;

/// Where OpenSSL stands in the default precedence (SPEC IMPL-3): after rustls.
const PRECEDENCE: u32 = 20;

/// The backend type the shared `Backend` impl (`ossl-common/lib/backend.rs`) is for.
type BackendValue = OpenSslBackend;

/// Registers this backend with unitls's registry (idempotent).
pub fn register() {
    unitls_core::backend::register(&BACKEND);
}
