//! What the shared engine (`backends/ossl-common`) needs that differs between the
//! `openssl` crate and the `boring` crate: the OpenSSL side.

use std::os::raw::c_int;

use openssl::ssl::{Ssl, SslCipherRef, SslContextBuilder};
use openssl::x509::{X509StoreContextRef, X509VerifyResult};
use unitls_core::Result;

pub(crate) const SSL_ERROR_WANT_READ: c_int = openssl_sys::SSL_ERROR_WANT_READ;
pub(crate) const SSL_ERROR_WANT_WRITE: c_int = openssl_sys::SSL_ERROR_WANT_WRITE;
pub(crate) const SSL_ERROR_ZERO_RETURN: c_int = openssl_sys::SSL_ERROR_ZERO_RETURN;
pub(crate) const SSL_RECEIVED_SHUTDOWN: c_int = openssl_sys::SSL_RECEIVED_SHUTDOWN;

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
    // SAFETY: the caller's method; the callbacks have OpenSSL's signatures.
    unsafe {
        openssl_sys::BIO_meth_set_read__fixed_rust(method, Some(read));
        openssl_sys::BIO_meth_set_write__fixed_rust(method, Some(write));
        openssl_sys::BIO_meth_set_ctrl__fixed_rust(method, Some(ctrl));
        openssl_sys::BIO_meth_set_create__fixed_rust(method, Some(create));
        openssl_sys::BIO_meth_set_destroy__fixed_rust(method, Some(destroy));
    }
}

/// The library and its version, for `implementation_info`.
pub(crate) fn library() -> String {
    openssl::version::version().to_string()
}

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

/// OpenSSL's text for a failed verify result (`X509_verify_cert_error_string`).
pub(crate) fn verify_text(result: X509VerifyResult) -> Option<&'static str> {
    (result.as_raw() != 0).then(|| result.error_string())
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

/// OpenSSL's names for the IANA groups it implements.
fn group_name(group: unitls_core::Group) -> Option<&'static str> {
    Some(match group.name() {
        "x25519" => "X25519",
        "secp256r1" => "P-256",
        "secp384r1" => "P-384",
        "secp521r1" => "P-521",
        "x448" => "X448",
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
                unitls_core::Error::invalid(format!("OpenSSL 3.0 does not implement the group {g}"))
                    .with_backend(crate::NAME)
            })
        })
        .collect::<Result<Vec<_>>>()?;
    builder
        .set_groups_list(&names.join(":"))
        .map_err(|e| crate::error::config(e, "key-exchange groups"))
}

/// `SSL_CTRL_GET_NEGOTIATED_GROUP`.
const SSL_CTRL_GET_NEGOTIATED_GROUP: c_int = 134;

/// The negotiated group by IANA name, from its OpenSSL NID.
#[allow(unsafe_code)]
pub(crate) fn negotiated_group(ssl: &openssl::ssl::SslRef) -> Option<String> {
    use foreign_types::ForeignTypeRef as _;
    // SAFETY: `ssl` is a valid SSL; this control reads a number and takes no pointer.
    let nid = unsafe {
        openssl_sys::SSL_ctrl(
            ssl.as_ptr(),
            SSL_CTRL_GET_NEGOTIATED_GROUP,
            0,
            std::ptr::null_mut(),
        )
    };
    let name = match nid {
        1034 => "x25519",
        415 => "secp256r1",
        715 => "secp384r1",
        716 => "secp521r1",
        1035 => "x448",
        _ => return None,
    };
    Some(name.to_string())
}

/// An `SSL` info callback, as OpenSSL calls it.
pub(crate) type InfoCallback = unsafe extern "C" fn(*const openssl_sys::SSL, c_int, c_int);

// libssl's info-callback functions, which openssl-sys does not declare (the signatures
// are OpenSSL's, from ssl.h).
extern "C" {
    pub(crate) fn SSL_set_info_callback(ssl: *mut openssl_sys::SSL, cb: Option<InfoCallback>);
    pub(crate) fn SSL_get_info_callback(ssl: *const openssl_sys::SSL) -> Option<InfoCallback>;
    pub(crate) fn SSL_CTX_get_info_callback(ctx: *mut openssl_sys::SSL_CTX)
        -> Option<InfoCallback>;
}

/// The client certificate callback's type (`SSL_CTX_set_client_cert_cb`).
pub(crate) type ClientCertCb = unsafe extern "C" fn(
    *mut openssl_sys::SSL,
    *mut *mut openssl_sys::X509,
    *mut *mut openssl_sys::EVP_PKEY,
) -> c_int;

// Two libssl calls openssl-sys does not declare (SPEC KEY-9, `cert_request.rs`).
extern "C" {
    /// Installs the callback run when a server asks for a client certificate.
    pub(crate) fn SSL_CTX_set_client_cert_cb(
        ctx: *mut openssl_sys::SSL_CTX,
        cb: Option<ClientCertCb>,
    );
    /// On a client: the CA names of the server's CertificateRequest.
    pub(crate) fn SSL_get_client_CA_list(
        ssl: *const openssl_sys::SSL,
    ) -> *mut openssl_sys::stack_st_X509_NAME;
}

/// Appends `cert` to the chain of the connection's current certificate.
pub(crate) fn add_chain_cert(
    ssl: &mut openssl::ssl::SslRef,
    cert: openssl::x509::X509,
) -> std::result::Result<(), openssl::error::ErrorStack> {
    ssl.add_chain_cert(cert)
}

/// Stores `data` on the context being built.
pub(crate) fn set_context_ex_data<T>(
    builder: &mut SslContextBuilder,
    index: openssl::ex_data::Index<openssl::ssl::SslContext, T>,
    data: T,
) {
    builder.set_ex_data(index, data);
}
