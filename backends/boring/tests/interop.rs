//! INTEROP-1/2/6 in one process between BoringSSL and the one backend that can share
//! its binary: rustls (OpenSSL and native-tls cannot be linked with BoringSSL).

use unitls_conformance::interop::in_process_pair;

fn register() {
    unitls_boring::register();
    unitls_rustls::register();
}

#[test]
fn interop_rustls_client_boring_server() {
    register();
    in_process_pair("rustls", "boring");
}

#[test]
fn interop_boring_client_rustls_server() {
    register();
    in_process_pair("boring", "rustls");
}
