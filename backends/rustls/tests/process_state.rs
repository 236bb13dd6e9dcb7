//! Process-wide state, in a test binary of its own: live-object counts (SPEC OWN-1) and
//! no process-global rustls provider (SPEC INIT-3, INIT-4). One test function, so
//! nothing else in this process makes sessions meanwhile.

mod common;

use unitls_conformance::harness::echo;
use unitls_conformance::{Harness, TransportKind};

#[test]
fn own_1_and_init_4_process_state() {
    unitls_rustls::register();
    let h = Harness::new("rustls", TransportKind::Memory, &common::NATIVES);
    unitls_conformance::process::own_1_live_sessions_return_to_zero(&h);
    // INIT-4: unitls never installs a process-wide CryptoProvider, so an application
    // that uses rustls directly keeps its own choice (INIT-3).
    assert!(unitls_rustls::rustls::crypto::CryptoProvider::get_default().is_none());
    unitls_rustls::rustls::crypto::aws_lc_rs::default_provider()
        .install_default()
        .expect("the application installs its own default");
    let (mut client, mut server, _k) = h.connected();
    echo(
        &mut client,
        &mut server,
        b"beside the application's own rustls set-up",
    );
}
