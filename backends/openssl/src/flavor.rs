//! What the shared engine (`backends/ossl-common`) needs that differs between the
//! `openssl` crate and the `boring` crate: the OpenSSL side.

use std::os::raw::c_int;

use openssl::ssl::{Ssl, SslCipherRef, SslContextBuilder};
use openssl::x509::{X509StoreContextRef, X509VerifyResult};
use unitls_core::Result;

pub(crate) const BIO_C_SET_BUF_MEM_EOF_RETURN: c_int = openssl_sys::BIO_C_SET_BUF_MEM_EOF_RETURN;
pub(crate) const SSL_ERROR_WANT_READ: c_int = openssl_sys::SSL_ERROR_WANT_READ;
pub(crate) const SSL_ERROR_WANT_WRITE: c_int = openssl_sys::SSL_ERROR_WANT_WRITE;
pub(crate) const SSL_ERROR_ZERO_RETURN: c_int = openssl_sys::SSL_ERROR_ZERO_RETURN;
pub(crate) const SSL_RECEIVED_SHUTDOWN: c_int = openssl_sys::SSL_RECEIVED_SHUTDOWN;

/// Whether a server without certificate must be refused before the handshake: OpenSSL refuses a ClientHello it has no certificate for, with an alert.
pub(crate) const CHECK_SERVER_IDENTITY_FIRST: bool = false;

/// The IANA code of a cipher.
pub(crate) fn cipher_code(cipher: &SslCipherRef) -> u16 {
    u16::from_be_bytes(cipher.protocol_id())
}

/// Sends no TLS 1.3 session tickets.
pub(crate) fn no_tls13_tickets(builder: &mut SslContextBuilder) {
    let _ = builder.set_num_tickets(0);
}

/// Restricts the TLS 1.3 suites (colon-separated IANA names).
pub(crate) fn set_tls13_suites(builder: &mut SslContextBuilder, suites: &str) -> Result<()> {
    builder
        .set_ciphersuites(suites)
        .map_err(|e| crate::error::config(e, "TLS 1.3 cipher suites"))
}

/// The `X509_V_ERR_*` code of a verify result (0: none).
pub(crate) fn verify_code(result: X509VerifyResult) -> i32 {
    result.as_raw()
}

/// The verification error a store context holds, as an `X509_V_ERR_*` code.
pub(crate) fn store_error(store: &X509StoreContextRef) -> i32 {
    store.error().as_raw()
}

/// Puts the `Ssl` in connect (client) or accept (server) state.
pub(crate) fn set_role_state(ssl: &mut Ssl, client: bool) {
    if client {
        ssl.set_connect_state();
    } else {
        ssl.set_accept_state();
    }
}
