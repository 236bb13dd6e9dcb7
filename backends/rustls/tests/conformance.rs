//! The whole conformance suite against the rustls backend (one test per case).

mod common;

unitls_conformance::conformance_suite!("rustls", unitls_rustls::register(), &common::NATIVES);
