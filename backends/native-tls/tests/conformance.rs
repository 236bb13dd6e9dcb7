//! The whole conformance suite against the native-tls backend (one test per case).

mod common;

unitls_conformance::conformance_suite!(
    "native-tls",
    unitls_native_tls::register(),
    &common::NATIVES
);
