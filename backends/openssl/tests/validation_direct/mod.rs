//! The OpenSSL side of the x509-limbo comparison without unitls: `X509_verify_cert`
//! over an `X509Store` of exactly the case's trust anchors, with the parameters
//! unitls's OpenSSL client sets on its connections (`backends/ossl-common/lib/connect.rs`)
//! and those OpenSSL's own handshake adds (`ssl_verify_cert_chain`): host flags
//! `NEVER_CHECK_SUBJECT | NO_PARTIAL_WILDCARDS`, `set_host` / `set_ip`, `set_time`,
//! the "ssl_server" purpose, and the connection's security level as the
//! authentication level. The untrusted stack is what the server sends, leaf first.

#[path = "../../../rustls/tests/validation_direct/any_chain_server.rs"]
pub(crate) mod any_chain_server;

use openssl::ssl::{SslContext, SslMethod};
use openssl::stack::Stack;
use openssl::x509::store::X509StoreBuilder;
use openssl::x509::verify::{X509CheckFlags, X509VerifyParam};
use openssl::x509::{X509PurposeId, X509StoreContext, X509};
use unitls_conformance::validation::{Prepared, Reference, Verdict};

/// How the direct verdict is reached, for the report.
pub(crate) const METHOD: &str = "OpenSSL X509_verify_cert (X509Store + X509StoreContext), \
     with the verify parameters unitls and the OpenSSL handshake set";

/// The verdict of OpenSSL's verifier on `case`.
pub(crate) fn verdict(case: &Prepared) -> Verdict {
    match verify(case) {
        Ok(verdict) => verdict,
        Err(err) => Verdict::Error(format!("OpenSSL: {err}")),
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
                    "OpenSSL cannot load a trusted certificate: {err}"
                )))
            }
        }
    }
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
    param.set_purpose(X509PurposeId::SSL_SERVER)?;
    // OpenSSL's handshake sets the authentication level to the connection's
    // security level (the system configuration's default, which unitls keeps).
    let level = SslContext::builder(SslMethod::tls())?
        .build()
        .security_level();
    param.set_auth_level(level as i32);
    store.set_param(&param)?;
    let store = store.build();
    let mut sent = Vec::new();
    for der in std::iter::once(&case.leaf_der).chain(&case.intermediates_der) {
        match X509::from_der(der) {
            Ok(cert) => sent.push(cert),
            Err(err) => {
                return Ok(Verdict::NotApplicable(format!(
                    "OpenSSL cannot parse a certificate the server sends: {err}"
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
    let (ok, error, depth) = context.init(&store, &leaf, &chain, |c| {
        let ok = c.verify_cert()?;
        Ok((ok, c.error(), c.error_depth()))
    })?;
    Ok(if ok {
        Verdict::Accept
    } else {
        Verdict::Reject(format!(
            "X509_V_ERR {} at depth {depth}: {}",
            error.as_raw(),
            error.error_string()
        ))
    })
}
