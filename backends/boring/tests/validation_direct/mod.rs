//! The BoringSSL side of the x509-limbo comparison without unitls: `X509_verify_cert`
//! over an `X509Store` of exactly the case's trust anchors, set up as BoringSSL's own
//! handshake sets it up (`ssl_crypto_x509_session_verify_cert_chain`): the untrusted
//! stack is what the server sends, leaf first; the context takes the "ssl_server"
//! defaults (`X509_STORE_CTX_set_default`), then the connection's parameters
//! (`X509_VERIFY_PARAM_set1`) — those unitls's BoringSSL client sets
//! (`backends/ossl-common/lib/connect.rs`): host flags `NEVER_CHECK_SUBJECT |
//! NO_PARTIAL_WILDCARDS`, `set_host` / `set_ip`, `set_time`. The boring crate wraps
//! neither call, so they go to BoringSSL directly.

#[path = "../../../rustls/tests/validation_direct/any_chain_server.rs"]
pub(crate) mod any_chain_server;

use foreign_types::ForeignTypeRef;
use openssl::stack::Stack;
use openssl::x509::store::X509StoreBuilder;
use openssl::x509::verify::{X509CheckFlags, X509VerifyParam};
use openssl::x509::{X509StoreContext, X509StoreContextRef, X509};
use unitls_conformance::validation::{Prepared, Reference, Verdict};

/// How the direct verdict is reached, for the report.
pub(crate) const METHOD: &str = "BoringSSL X509_verify_cert (X509Store + X509StoreContext), \
     set up as BoringSSL's handshake does with unitls's verify parameters";

/// The verdict of BoringSSL's verifier on `case`.
pub(crate) fn verdict(case: &Prepared) -> Verdict {
    match verify(case) {
        Ok(verdict) => verdict,
        Err(err) => Verdict::Error(format!("BoringSSL: {err}")),
    }
}

/// What BoringSSL's handshake does between `X509_STORE_CTX_init` and
/// `X509_verify_cert`: the "ssl_server" defaults, then the connection's parameters.
#[allow(unsafe_code)]
fn as_a_tls_client(
    context: &mut X509StoreContextRef,
    param: &X509VerifyParam,
) -> Result<(), openssl::error::ErrorStack> {
    use foreign_types::ForeignType;
    // SAFETY: `context` is an initialised X509_STORE_CTX, exclusively borrowed; the
    // name is a NUL-terminated static string BoringSSL only reads.
    let defaults = unsafe {
        openssl_sys::X509_STORE_CTX_set_default(context.as_ptr(), c"ssl_server".as_ptr())
    };
    // SAFETY: the context's own parameters (valid while the context is initialised)
    // receive a copy of `param`, a valid X509_VERIFY_PARAM borrowed for the call.
    let copied = unsafe {
        openssl_sys::X509_VERIFY_PARAM_set1(
            openssl_sys::X509_STORE_CTX_get0_param(context.as_ptr()),
            param.as_ptr(),
        )
    };
    if defaults == 1 && copied == 1 {
        Ok(())
    } else {
        Err(openssl::error::ErrorStack::get())
    }
}

fn verify(case: &Prepared) -> Result<Verdict, openssl::error::ErrorStack> {
    let mut store = X509StoreBuilder::new()?;
    for der in &case.trusted_der {
        match X509::from_der(der) {
            // Duplicates are harmless; unitls ignores the error too.
            Ok(cert) => {
                let _ = store.add_cert(cert);
            }
            Err(err) => {
                return Ok(Verdict::NotApplicable(format!(
                    "BoringSSL cannot load a trusted certificate: {err}"
                )))
            }
        }
    }
    let store = store.build();
    let mut param = X509VerifyParam::new()?;
    param.set_hostflags(X509CheckFlags::NEVER_CHECK_SUBJECT | X509CheckFlags::NO_PARTIAL_WILDCARDS);
    match &case.reference {
        Reference::Dns(dns) => param.set_host(&dns.to_ascii_lowercase())?,
        Reference::Ip(ip) => param.set_ip(*ip)?,
        Reference::NoName => {}
    }
    if let Some(secs) = case.validation_secs() {
        param.set_time(secs as _);
    }
    let mut sent = Vec::new();
    for der in std::iter::once(&case.leaf_der).chain(&case.intermediates_der) {
        match X509::from_der(der) {
            Ok(cert) => sent.push(cert),
            Err(err) => {
                return Ok(Verdict::NotApplicable(format!(
                    "BoringSSL cannot parse a certificate the server sends: {err}"
                )))
            }
        }
    }
    let leaf = sent[0].clone();
    let mut chain = Stack::new()?;
    for cert in sent {
        chain.push(cert)?;
    }
    let mut context = X509StoreContext::new()?;
    let (ok, result, depth) = context.init(&store, &leaf, &chain, |c| {
        as_a_tls_client(c, &param)?;
        let ok = c.verify_cert()?;
        Ok((ok, c.verify_result(), c.error_depth()))
    })?;
    Ok(match (ok, result) {
        (true, _) => Verdict::Accept,
        (false, Err(error)) => Verdict::Reject(format!(
            "X509_V_ERR {} at depth {depth}: {}",
            error.as_raw(),
            error.error_string()
        )),
        (false, Ok(())) => Verdict::Reject(format!("no error code, at depth {depth}")),
    })
}
