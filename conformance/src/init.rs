//! SPEC §3 INIT — initialisation (LispWorks `ensure-ssl`, `do-rand-seed`).

use std::io::Read;
use std::time::Duration;

use crate::harness::spawn;
use crate::Harness;

/// INIT-1: no set-up call is needed, and two handshakes never reuse a hello random.
pub fn init_1_fresh_hello_randoms(h: &Harness) {
    let mut randoms = Vec::new();
    for _ in 0..2 {
        let (mut client, mut server, _k) = h.plain_pair();
        let options = h
            .client_opts()
            .handshake_timeout(Duration::from_millis(500));
        let attempt = spawn(move || {
            let _ = client.attach_ssl(options);
        });
        // Record header (5), handshake header (4), legacy_version (2), random (32).
        let mut hello = [0u8; 43];
        server.read_exact(&mut hello).expect("ClientHello");
        assert_eq!(hello[0], 22, "a handshake record");
        randoms.push(hello[11..43].to_vec());
        drop(server);
        attempt.join();
    }
    assert_ne!(
        randoms[0], randoms[1],
        "two ClientHellos carried the same random"
    );
    assert!(
        randoms.iter().all(|r| r.iter().any(|b| *b != 0)),
        "an all-zero random"
    );
}

/// INIT-2: `ensure_initialized` is safe repeatedly and concurrently.
pub fn init_2_ensure_initialized_concurrently(h: &Harness) {
    let backend = h.backend;
    let threads: Vec<_> = (0..8)
        .map(|_| {
            spawn(move || {
                for _ in 0..10 {
                    unitls_core::ensure_initialized(Some(backend)).expect("ensure_initialized");
                    unitls_core::ensure_ssl(Some(backend)).expect("ensure_ssl");
                }
            })
        })
        .collect();
    for t in threads {
        t.join();
    }
    unitls_core::do_rand_seed().expect("do_rand_seed");
    assert!(unitls_core::ensure_initialized(Some("no-such-backend")).is_err());
}
