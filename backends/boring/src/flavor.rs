//! What the shared engine (`backends/ossl-common`) needs that differs between the
//! `openssl` crate and the `boring` crate: the BoringSSL side.

use std::os::raw::c_int;

use openssl::ssl::{Ssl, SslCipherRef, SslContextBuilder};
use openssl::x509::{X509StoreContextRef, X509VerifyResult};
use unitls_core::{Capability, Error, Result};

pub(crate) const BIO_C_SET_BUF_MEM_EOF_RETURN: c_int =
    openssl_sys::BIO_C_SET_BUF_MEM_EOF_RETURN as c_int;
pub(crate) const SSL_ERROR_WANT_READ: c_int = openssl_sys::SSL_ERROR_WANT_READ as c_int;
pub(crate) const SSL_ERROR_WANT_WRITE: c_int = openssl_sys::SSL_ERROR_WANT_WRITE as c_int;
pub(crate) const SSL_ERROR_ZERO_RETURN: c_int = openssl_sys::SSL_ERROR_ZERO_RETURN as c_int;
pub(crate) const SSL_RECEIVED_SHUTDOWN: c_int = openssl_sys::SSL_RECEIVED_SHUTDOWN as c_int;

/// Whether a server without certificate must be refused before the handshake: BoringSSL starts the handshake without a certificate and fails later without an alert.
pub(crate) const CHECK_SERVER_IDENTITY_FIRST: bool = true;

/// The IANA code of a cipher.
pub(crate) fn cipher_code(cipher: &SslCipherRef) -> u16 {
    cipher.protocol_id()
}

/// Sends no TLS 1.3 session tickets: BoringSSL's `SSL_OP_NO_TICKET` covers them.
pub(crate) fn no_tls13_tickets(_builder: &mut SslContextBuilder) {}

/// BoringSSL has no API to restrict TLS 1.3 suites.
pub(crate) fn set_tls13_suites(_builder: &mut SslContextBuilder, _suites: &str) -> Result<()> {
    Err(Error::unsupported(
        Capability::Tls13CipherSelection,
        crate::NAME,
    ))
}

/// The `X509_V_ERR_*` code of a verify result (0: none).
pub(crate) fn verify_code(result: X509VerifyResult) -> i32 {
    match result {
        Ok(()) => 0,
        Err(error) => error.as_raw(),
    }
}

/// The verification error a store context holds, as an `X509_V_ERR_*` code.
pub(crate) fn store_error(store: &X509StoreContextRef) -> i32 {
    verify_code(store.verify_result())
}

/// Puts the `Ssl` in connect (client) or accept (server) state; the boring crate
/// offers this only on its stream builder, so the call goes to BoringSSL directly.
#[allow(unsafe_code)]
pub(crate) fn set_role_state(ssl: &mut Ssl, client: bool) {
    use foreign_types::ForeignType as _;
    // SAFETY: `ssl` is a valid, exclusively borrowed SSL object.
    unsafe {
        if client {
            openssl_sys::SSL_set_connect_state(ssl.as_ptr());
        } else {
            openssl_sys::SSL_set_accept_state(ssl.as_ptr());
        }
    }
}
