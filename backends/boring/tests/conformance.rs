//! The whole conformance suite against the BoringSSL backend (one test per case).

mod common;

unitls_conformance::conformance_suite!("boring", unitls_boring::register(), &common::NATIVES);
