//! Process-wide state, in a test binary of its own (DESIGN.md fact 6): live-object
//! counts (SPEC OWN-1) and no process-global rustls provider (SPEC INIT-3, INIT-4).
//! One test function, so nothing else in this process makes sessions meanwhile.

mod common;

use unitls_conformance::fixtures::pki;
use unitls_conformance::harness::echo;
use unitls_conformance::{Harness, TransportKind};
use unitls_core::registry::live_sessions;
use unitls_core::{AttachOptions, DetachOptions};

#[test]
fn own_1_and_init_4_process_state() {
    unitls_rustls::register();
    let h = Harness::new("rustls", TransportKind::Memory, &common::NATIVES);
    let before = live_sessions("rustls");
    {
        let (mut client, mut server, _k) = h.connected();
        assert_eq!(live_sessions("rustls"), before + 2);
        echo(&mut client, &mut server, b"counted");
        client.detach_ssl(DetachOptions::no_wait()).expect("detach");
        assert_eq!(
            live_sessions("rustls"),
            before + 1,
            "detach frees the session"
        );
        server.close().expect("close");
        assert_eq!(live_sessions("rustls"), before, "close frees the session");
    }
    {
        let (client, server, _k) = h.connected();
        drop(client);
        drop(server);
        assert_eq!(live_sessions("rustls"), before, "Drop frees the session");
    }
    {
        // A failed attach frees what it made (ATTACH-4).
        let (mut client, _server, _k) = h.plain_pair();
        let untrusted = h
            .client_builder()
            .trust_only([unitls_core::TrustSource::Pem(unitls_core::Source::memory(
                pki().other_ca_pem.clone(),
            ))]);
        let _ = client.attach_ssl(
            AttachOptions::client("localhost")
                .ctx(untrusted.build().expect("ctx"))
                .handshake_timeout(std::time::Duration::from_millis(200)),
        );
        assert_eq!(
            live_sessions("rustls"),
            before,
            "a failed attach leaked its session"
        );
    }
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
