//! The whole conformance suite against the OpenSSL backend (one test per case).

mod common;

unitls_conformance::conformance_suite!("openssl", unitls_openssl::register(), &common::NATIVES);
