//! Process-wide checks (SPEC OWN-1), run by each backend in a test binary of its own:
//! the live-session counters are global, so nothing else may run meanwhile.

use std::time::Duration;

use unitls_core::live_sessions;
use unitls_core::{AttachOptions, DetachOptions, Source, TrustSource};

use crate::fixtures::pki;
use crate::harness::echo;
use crate::Harness;

/// OWN-1: the sessions unitls makes are freed by detach, close, Drop and a failed
/// attach — the live count returns to its prior value each time.
pub fn own_1_live_sessions_return_to_zero(h: &Harness) {
    let backend = h.backend;
    let before = live_sessions(backend);
    {
        let (mut client, mut server, _k) = h.connected();
        assert_eq!(live_sessions(backend), before + 2);
        echo(&mut client, &mut server, b"counted");
        client.detach_ssl(DetachOptions::no_wait()).expect("detach");
        assert_eq!(
            live_sessions(backend),
            before + 1,
            "detach frees the session"
        );
        server.close().expect("close");
        assert_eq!(live_sessions(backend), before, "close frees the session");
    }
    {
        let (client, server, _k) = h.connected();
        drop(client);
        drop(server);
        assert_eq!(live_sessions(backend), before, "Drop frees the session");
    }
    {
        let (mut client, _server, _k) = h.plain_pair();
        let untrusted = h
            .client_builder()
            .trust_only([TrustSource::Pem(Source::memory(pki().other_ca_pem.clone()))]);
        let options = AttachOptions::client("localhost")
            .ctx(untrusted.build().expect("ctx"))
            .handshake_timeout(Duration::from_millis(200));
        let _ = client.attach_ssl(options);
        assert_eq!(
            live_sessions(backend),
            before,
            "a failed attach freed its session"
        );
    }
}
