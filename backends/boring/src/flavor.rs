//! What the shared engine (`backends/ossl-common`) needs that differs between the
//! `openssl` crate and the `boring` crate: the BoringSSL side.

use std::os::raw::c_int;

use openssl::ssl::{Ssl, SslCipherRef, SslContextBuilder};
use openssl::x509::{X509StoreContextRef, X509VerifyResult};
use unitls_core::{Capability, Error, Result};

pub(crate) const SSL_ERROR_WANT_READ: c_int = openssl_sys::SSL_ERROR_WANT_READ as c_int;
pub(crate) const SSL_ERROR_WANT_WRITE: c_int = openssl_sys::SSL_ERROR_WANT_WRITE as c_int;
pub(crate) const SSL_ERROR_ZERO_RETURN: c_int = openssl_sys::SSL_ERROR_ZERO_RETURN as c_int;
pub(crate) const SSL_RECEIVED_SHUTDOWN: c_int = openssl_sys::SSL_RECEIVED_SHUTDOWN as c_int;

/// Installs the channel BIO's callbacks (`engine.rs`) in `method`.
///
/// # Safety
/// `method` must be a fresh `BIO_METHOD` from `BIO_meth_new`.
#[allow(unsafe_code)]
pub(crate) unsafe fn set_bio_callbacks(
    method: *mut openssl_sys::BIO_METHOD,
    read: unsafe extern "C" fn(*mut openssl_sys::BIO, *mut std::os::raw::c_char, c_int) -> c_int,
    write: unsafe extern "C" fn(*mut openssl_sys::BIO, *const std::os::raw::c_char, c_int) -> c_int,
    ctrl: unsafe extern "C" fn(
        *mut openssl_sys::BIO,
        c_int,
        std::os::raw::c_long,
        *mut std::os::raw::c_void,
    ) -> std::os::raw::c_long,
    create: unsafe extern "C" fn(*mut openssl_sys::BIO) -> c_int,
    destroy: unsafe extern "C" fn(*mut openssl_sys::BIO) -> c_int,
) {
    // SAFETY: the caller's method; the callbacks have BoringSSL's signatures.
    unsafe {
        openssl_sys::BIO_meth_set_read(method, Some(read));
        openssl_sys::BIO_meth_set_write(method, Some(write));
        openssl_sys::BIO_meth_set_ctrl(method, Some(ctrl));
        openssl_sys::BIO_meth_set_create(method, Some(create));
        openssl_sys::BIO_meth_set_destroy(method, Some(destroy));
    }
}

/// The library and its version, for `implementation_info`.
pub(crate) fn library() -> String {
    "BoringSSL (boring crate 4, built from source)".to_string()
}

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

/// BoringSSL's text for a failed verify result (`X509_verify_cert_error_string`).
pub(crate) fn verify_text(result: X509VerifyResult) -> Option<&'static str> {
    result.err().map(|error| error.error_string())
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

/// BoringSSL's names for the IANA groups it implements.
fn group_name(group: unitls_core::Group) -> Option<&'static str> {
    Some(match group.name() {
        "x25519" => "X25519",
        "secp256r1" => "P-256",
        "secp384r1" => "P-384",
        "secp521r1" => "P-521",
        _ => return None,
    })
}

/// Restricts and orders the key-exchange groups.
pub(crate) fn set_groups(
    builder: &mut SslContextBuilder,
    groups: &[unitls_core::Group],
) -> Result<()> {
    let names = groups
        .iter()
        .map(|g| {
            group_name(*g).ok_or_else(|| {
                Error::invalid(format!("BoringSSL (boring 4) does not offer the group {g}"))
                    .with_backend(crate::NAME)
            })
        })
        .collect::<Result<Vec<_>>>()?;
    builder
        .set_curves_list(&names.join(":"))
        .map_err(|e| crate::error::config(e, "key-exchange groups"))
}

/// The negotiated group by IANA name.
pub(crate) fn negotiated_group(ssl: &openssl::ssl::SslRef) -> Option<String> {
    let name = match ssl.curve_name()? {
        "X25519" => "x25519",
        "P-256" => "secp256r1",
        "P-384" => "secp384r1",
        "P-521" => "secp521r1",
        other => return Some(other.to_string()),
    };
    Some(name.to_string())
}

/// An `SSL` info callback, as BoringSSL calls it.
pub(crate) type InfoCallback = unsafe extern "C" fn(*const openssl_sys::SSL, c_int, c_int);

pub(crate) use openssl_sys::{
    SSL_CTX_get_info_callback, SSL_get_info_callback, SSL_set_info_callback,
};

// The client certificate callback (SPEC KEY-9, `cert_request.rs`): boring-sys
// declares both calls.
pub(crate) use openssl_sys::{SSL_CTX_set_client_cert_cb, SSL_get_client_CA_list};

/// Appends `cert` to the chain of the connection's current certificate.
pub(crate) fn add_chain_cert(
    ssl: &mut openssl::ssl::SslRef,
    cert: openssl::x509::X509,
) -> std::result::Result<(), openssl::error::ErrorStack> {
    ssl.add_chain_cert(&cert)
}

/// Stores `data` on the context being built (boring deprecates `set_ex_data`, which
/// leaks what it replaces).
pub(crate) fn set_context_ex_data<T>(
    builder: &mut SslContextBuilder,
    index: openssl::ex_data::Index<openssl::ssl::SslContext, T>,
    data: T,
) {
    let _ = builder.replace_ex_data(index, data);
}
