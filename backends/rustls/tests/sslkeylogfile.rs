//! SPEC SEC-7 in a test binary of its own: `SSLKEYLOGFILE` is process-wide, and set
//! here before the backend is registered or initialised. One test function.

mod common;

use unitls_conformance::{Harness, TransportKind};

#[test]
fn sec_7_sslkeylogfile_alone_writes_nothing() {
    let path = unitls_conformance::process::keylog_path("rustls");
    std::env::set_var("SSLKEYLOGFILE", &path);
    unitls_rustls::register();
    let h = Harness::new("rustls", TransportKind::Memory, &common::NATIVES);
    unitls_conformance::process::sec_7_sslkeylogfile_alone_writes_nothing(&h, &path);
}
