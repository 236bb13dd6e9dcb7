//! The backend-neutral core of unitls: one TLS API over OpenSSL, BoringSSL, rustls and
//! native-tls, after LispWorks' COMM SSL interface.
//!
//! TLS is *attached* to a live [`SocketStream`] and later *detached* from it; an
//! [`AbstractContext`] works with any backend; [`Side`] is client, server or both;
//! two native hooks hand the backend's native objects to the user; one
//! handshake deadline; SNI. Backends implement the sans-IO [`backend::Session`] trait
//! and core drives it, so every guarantee in the SPEC is implemented once, here.
//!
//! The crate root holds the user API; [`backend`] holds what a backend implements or
//! reads, each item exported in one place.
//!
//! Most users depend on the `unitls` facade crate, which registers the backends its
//! features enable. With a backend crate alone, register it first:
//!
//! ```
//! use unitls_core::{duplex, AttachOptions, SocketStream};
//! use std::io::Write;
//!
//! let (client_end, _server_end) = duplex();
//! let mut stream = SocketStream::new(client_end);
//! stream.write_all(b"STARTTLS\r\n")?; // plaintext until attach_ssl
//! assert_eq!(stream.ssl_side(), None);
//! // stream.attach_ssl(AttachOptions::client("mail.example.org"))?;
//! # let _ = AttachOptions::client("mail.example.org");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![forbid(unsafe_code)]

mod accessors;
mod alert;
mod attach;
pub mod backend;
mod blocking;
mod capability;
mod cert_request;
mod certificate;
mod cipher;
mod conn;
mod context;
mod ctx;
mod detach;
mod error;
#[cfg(any(test, feature = "fuzzing"))]
pub mod fuzzing;
mod group;
mod hello;
mod identity;
mod memory;
mod native;
mod pem;
mod pkcs8_wrap;
mod protocol;
mod record;
mod registry;
mod server_name;
mod session;
mod side;
mod stream;
mod tcp;
#[cfg(feature = "tokio")]
pub mod tokio;
mod transport;
mod trust;
mod verify;

// The user API: every item a user calls or names, exported here once. What a backend
// implements or reads is in `backend` (and only there); `pub(crate)` names below keep
// core's own imports short without exporting anything twice.
pub use alert::Alert;
pub use attach::{AttachOptions, HandshakeTimeout, DEFAULT_HANDSHAKE_TIMEOUT};
pub use capability::{Capabilities, Capability, Lack, Roles};
pub use cert_request::CertificateRequest;
pub use certificate::{tls_server_end_point, PeerCertificate};
pub use cipher::CipherSuite;
pub use context::{
    create_client_context, create_server_context, AbstractContext, ClientAuth, ContextBuilder,
};
pub use ctx::CtxSpec;
pub use detach::{DetachOptions, Detached, RetryPolicy};
pub use error::{
    failure_indicator, BoxError, Error, ErrorKind, FailureIndicator, Result, VerifyReason,
};
pub use group::Group;
pub use identity::{
    Identity, IdentitySource, Password, PasswordCallback, PasswordRequest, Source, MAX_PASSWORD_LEN,
};
pub use memory::{duplex, MemoryCloser, MemoryStream};
pub use native::{NativeContext, NativeSession};
pub use protocol::{ProtocolVersion, Selector, VersionRange};
pub use registry::{
    capabilities, default_implementation, do_rand_seed, ensure_initialized,
    implementation_available, implementation_info, implementations, live_sessions,
    set_default_implementation, ImplementationInfo,
};
pub use server_name::ServerName;
pub use side::{Role, Side};
pub use stream::{IntoPartsError, SocketStream};
pub use tcp::{from_accepted, open_tcp_stream, Sni, TcpOptions};
pub use transport::Transport;
pub use trust::TrustSource;
pub use verify::{Verdict, VerifyInput, VerifyResult};

pub(crate) use backend::{
    run_user_callback, Backend, NativeHooks, NativeTypes, Session, SessionConfig, SessionInfo,
    SessionRequest, Trust, VerifyCallback,
};

/// Re-exported DER types used in identities and trust material.
pub use rustls_pki_types as pki_types;

/// LispWorks' name for [`ensure_initialized`]: makes sure the backend is set up.
pub fn ensure_ssl(name: Option<&str>) -> Result<()> {
    ensure_initialized(name)
}
