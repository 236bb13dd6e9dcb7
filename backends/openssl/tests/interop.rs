//! INTEROP-1/2/6 in one process between the backends that can share a binary with
//! OpenSSL: rustls, and native-tls (OpenSSL underneath on Linux).

use unitls_conformance::interop::in_process_pair;

fn register() {
    unitls_openssl::register();
    unitls_rustls::register();
    unitls_native_tls::register();
}

macro_rules! pairs {
    ($($name:ident: $client:literal -> $server:literal;)*) => {$(
        #[test]
        fn $name() {
            register();
            in_process_pair($client, $server);
        }
    )*};
}

pairs! {
    interop_rustls_client_openssl_server: "rustls" -> "openssl";
    interop_openssl_client_rustls_server: "openssl" -> "rustls";
    interop_native_tls_client_openssl_server: "native-tls" -> "openssl";
    interop_openssl_client_native_tls_server: "openssl" -> "native-tls";
    interop_rustls_client_native_tls_server: "rustls" -> "native-tls";
    interop_native_tls_client_rustls_server: "native-tls" -> "rustls";
}
