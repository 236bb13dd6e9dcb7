//! Process-wide checks, run by each backend in test binaries of their own: the
//! live-session counters are global, so nothing else may run meanwhile (SPEC OWN-1);
//! `SSLKEYLOGFILE` is the process's environment (SPEC SEC-7).

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

/// Where [`sec_7_sslkeylogfile_alone_writes_nothing`] points `SSLKEYLOGFILE` for
/// `backend`: a fresh path in the temporary directory (nothing there yet).
pub fn keylog_path(backend: &str) -> std::path::PathBuf {
    let path = std::env::temp_dir().join(format!(
        "unitls-sec-7-{backend}-{}.keylog",
        std::process::id()
    ));
    let _ = std::fs::remove_file(&path);
    path
}

/// SEC-7: with `SSLKEYLOGFILE` pointing at `path` — set by the test binary before the
/// backend was registered or initialised — and no key-log callback, handshakes of
/// every version the backend declares for both roles write no secret: `path` stays
/// absent or empty.
pub fn sec_7_sslkeylogfile_alone_writes_nothing(h: &Harness, path: &std::path::Path) {
    assert_eq!(
        std::env::var_os("SSLKEYLOGFILE").as_deref(),
        Some(path.as_os_str()),
        "the test binary sets SSLKEYLOGFILE first"
    );
    let caps = unitls_core::capabilities(h.backend).expect("registered");
    let mut handshakes = 0;
    for version in [
        unitls_core::ProtocolVersion::Tls12,
        unitls_core::ProtocolVersion::Tls13,
    ] {
        if !caps.contains(version.capability()) {
            continue;
        }
        let client = h
            .client_builder()
            .min_version(version)
            .max_version(version)
            .build()
            .expect("client context");
        let server = h
            .server_builder()
            .min_version(version)
            .max_version(version)
            .build()
            .expect("server context");
        let (mut c, mut s, _k) = h.connected_with(
            AttachOptions::client("localhost").ctx(client),
            AttachOptions::server().ctx(server),
        );
        assert_eq!(c.protocol_version().expect("attached"), Some(version));
        echo(&mut c, &mut s, b"no secrets on disk");
        handshakes += 1;
    }
    assert!(handshakes >= 1, "{} declares no version", h.backend);
    let written = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
    let _ = std::fs::remove_file(path);
    assert_eq!(
        written, 0,
        "SEC-7: {} wrote {written} octets of key log to SSLKEYLOGFILE without a key-log callback",
        h.backend
    );
}
