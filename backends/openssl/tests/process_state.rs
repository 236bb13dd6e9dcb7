//! Process-wide state, in a test binary of its own: live-session counts (SPEC OWN-1).
//! One test function, so nothing else makes sessions meanwhile.

mod common;

use unitls_conformance::{Harness, TransportKind};

#[test]
fn own_1_live_sessions() {
    unitls_openssl::register();
    let h = Harness::new("openssl", TransportKind::Memory, &common::NATIVES);
    unitls_conformance::process::own_1_live_sessions_return_to_zero(&h);
}
