//! INTEROP-1/2/6 in one process between native-tls and rustls (which links beside
//! it): every version each end declares for its role — so native-tls's client
//! negotiates TLS 1.3 against a rustls server, while its server stays at TLS 1.2.

use unitls_conformance::interop::in_process_pair;
use unitls_core::{Capability, Role};

fn register() {
    unitls_native_tls::register();
    unitls_rustls::register();
}

/// INTEROP-1, INTEROP-2, INTEROP-6: a native-tls client against a rustls server,
/// TLS 1.2 and (where native-tls declares it for clients) TLS 1.3.
#[test]
fn interop_native_tls_client_rustls_server() {
    register();
    let caps = unitls_core::capabilities("native-tls").expect("registered");
    // The declaration this pair relies on: on Linux the client speaks TLS 1.3.
    if cfg!(target_os = "linux") {
        assert!(caps.supports(Capability::Tls13, Role::Client));
    }
    in_process_pair("native-tls", "rustls");
}

/// INTEROP-1, INTEROP-2, INTEROP-6: a rustls client against a native-tls server
/// (TLS 1.2: the server does not declare TLS 1.3).
#[test]
fn interop_rustls_client_native_tls_server() {
    register();
    in_process_pair("rustls", "native-tls");
}
