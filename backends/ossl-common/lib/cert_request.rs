//! The client certificate-request callback (SPEC KEY-9) on OpenSSL and BoringSSL.
//!
//! Neither the `openssl` nor the `boring` crate wraps `SSL_CTX_set_client_cert_cb`,
//! so it is installed through the sys crate (each `flavor.rs` names the two calls).
//! When a server asks for a certificate, the callback reads the CA names it sent
//! (`SSL_get_client_CA_list`), asks core's `choose_client_identity`, and puts the
//! chosen chain and key on the `SSL`. An error is kept on the `SSL` and the callback
//! answers -1, which stops the handshake; the session then reports the error
//! (X509Lookup).
#![allow(unsafe_code)]

use std::os::raw::c_int;
use std::sync::{Arc, Mutex, OnceLock, PoisonError};

use foreign_types::{ForeignType as _, ForeignTypeRef as _};

use openssl::ex_data::Index;
use openssl::pkey::{PKey, Private};
use openssl::ssl::{Ssl, SslContext, SslContextBuilder, SslRef};
use openssl::stack::StackRef;
use openssl::x509::{X509Name, X509};
use unitls_core::backend::ContextOptions;
use unitls_core::{Error, ErrorKind, Identity, Result};

use crate::{flavor, NAME};

/// The context's options, for the callback (set only when a callback is given).
fn options_index() -> Index<SslContext, Arc<ContextOptions>> {
    static INDEX: OnceLock<Index<SslContext, Arc<ContextOptions>>> = OnceLock::new();
    *INDEX.get_or_init(|| SslContext::new_ex_index().expect("OpenSSL ex_data index"))
}

/// The callback's failure, kept on the connection until the session reports it.
fn failure_index() -> Index<Ssl, Mutex<Option<Error>>> {
    static INDEX: OnceLock<Index<Ssl, Mutex<Option<Error>>>> = OnceLock::new();
    *INDEX.get_or_init(|| Ssl::new_ex_index().expect("OpenSSL ex_data index"))
}

/// Installs the certificate-request callback of `options`, if it has one, on a
/// client context.
pub(crate) fn install(builder: &mut SslContextBuilder, options: &ContextOptions) {
    if options.client_cert_callback.is_none() {
        return;
    }
    flavor::set_context_ex_data(builder, options_index(), Arc::new(options.clone()));
    // SAFETY: the builder's SSL_CTX is valid; `client_cert_cb` has the signature
    // OpenSSL and BoringSSL call it with, and reads the options stored just above.
    unsafe { flavor::SSL_CTX_set_client_cert_cb(builder.as_ptr(), Some(client_cert_cb)) };
}

/// The certificate-request callback's failure on this connection, if it failed
/// (taken: reported once).
pub(crate) fn failure(ssl: &SslRef) -> Option<Error> {
    ssl.ex_data(failure_index())
        .and_then(|slot| slot.lock().unwrap_or_else(PoisonError::into_inner).take())
}

/// Called by the library when the server asks for a certificate and none is set.
unsafe extern "C" fn client_cert_cb(
    ssl: *mut openssl_sys::SSL,
    x509: *mut *mut openssl_sys::X509,
    pkey: *mut *mut openssl_sys::EVP_PKEY,
) -> c_int {
    // SAFETY: the library calls this during the handshake of a valid SSL it owns, on
    // the thread driving it; nothing else holds a reference to it meanwhile.
    let ssl = unsafe { SslRef::from_ptr_mut(ssl) };
    let Some(options) = ssl.ssl_context().ex_data(options_index()).cloned() else {
        return 0;
    };
    // SAFETY: the list belongs to the SSL (or is null when the server named no CA)
    // and outlives this call; it is only read.
    let ca_names: Vec<Vec<u8>> = unsafe {
        let list = flavor::SSL_get_client_CA_list(ssl.as_ptr());
        if list.is_null() {
            Vec::new()
        } else {
            StackRef::<X509Name>::from_ptr(list)
                .iter()
                .filter_map(|name| name.to_der().ok())
                .collect()
        }
    };
    let chosen = options
        .choose_client_identity(&ca_names)
        .and_then(|identity| identity.map(|id| present(ssl, &id)).transpose());
    match chosen {
        Ok(Some((leaf, key))) => {
            // SAFETY: the out-pointers are valid; the library takes one reference to
            // each (it uses, then frees them): ours, handed over by not dropping them.
            unsafe {
                *x509 = leaf.as_ptr();
                *pkey = key.as_ptr();
            }
            std::mem::forget(leaf);
            std::mem::forget(key);
            1
        }
        Ok(None) => 0,
        Err(err) => {
            ssl.set_ex_data(failure_index(), Mutex::new(Some(err.with_backend(NAME))));
            -1
        }
    }
}

/// Puts `identity`'s chain and key on `ssl`; returns the leaf and key for the
/// callback's out-parameters.
fn present(ssl: &mut SslRef, identity: &Identity) -> Result<(X509, PKey<Private>)> {
    let unusable = |e: openssl::error::ErrorStack| {
        Error::new(
            ErrorKind::X509Lookup,
            "the identity the certificate-request callback chose cannot be used",
        )
        .with_source(e)
    };
    let mut certs = identity.chain().iter().map(|der| X509::from_der(der));
    let leaf = certs
        .next()
        .expect("identities have a leaf")
        .map_err(unusable)?;
    let key = crate::config::private_key(identity.key())?;
    ssl.set_certificate(&leaf).map_err(unusable)?;
    ssl.set_private_key(&key).map_err(unusable)?;
    for cert in certs {
        flavor::add_chain_cert(ssl, cert.map_err(unusable)?).map_err(unusable)?;
    }
    Ok((leaf, key))
}
