//! SPEC §3 HS, SEC-6 — the handshake and its deadline (LispWorks
//! `socket-stream-handshake`, `:handshake-timeout`).

use std::io::{Read, Write};
use std::time::{Duration, Instant};

use unitls_core::{AttachOptions, ErrorKind, Side};

use crate::fixtures::pki;
use crate::harness::{echo, spawn};
use crate::Harness;

/// HS-2, HS-7: attach returns with the handshake done; `handshake()` is then
/// `Ok(true)` at once; on a plain stream, NotAttached.
pub fn hs_2_done_when_attach_returns(h: &Harness) {
    let (mut plain, _p, _k0) = h.plain_pair();
    assert_eq!(
        plain.handshake(None).expect_err("plain").kind(),
        ErrorKind::NotAttached
    );
    let (mut client, mut server, _k) = h.connected();
    assert!(client.protocol_version().expect("attached").is_some());
    assert!(server.protocol_version().expect("attached").is_some());
    assert!(client.handshake(None).expect("done"));
    assert!(server
        .handshake(Some(Duration::from_millis(1)))
        .expect("done"));
    echo(&mut client, &mut server, b"done");
}

/// HS-3, SEC-6: a silent peer makes attach fail with HandshakeTimeout promptly, and
/// the stream is plain.
pub fn hs_3_silent_peer_times_out(h: &Harness) {
    let (mut client, _silent_server, _k) = h.plain_pair();
    let started = Instant::now();
    let err = client
        .attach_ssl(
            h.client_opts()
                .handshake_timeout(Duration::from_millis(300)),
        )
        .expect_err("silent peer");
    assert_eq!(err.kind(), ErrorKind::HandshakeTimeout, "{err}");
    assert!(
        started.elapsed() < Duration::from_millis(300) + Duration::from_secs(5),
        "took {:?}",
        started.elapsed()
    );
    assert_eq!(client.ssl_side(), None);
    assert_eq!(
        std::io::Error::from(err).kind(),
        std::io::ErrorKind::TimedOut
    );
}

/// HS-4: a bare EOF mid-handshake fails attach with Syscall (`UnexpectedEof`).
pub fn hs_4_eof_mid_handshake(h: &Harness) {
    let (mut client, mut server, killers) = h.plain_pair();
    let server_thread = spawn(move || {
        let mut first = [0u8; 5];
        server.read_exact(&mut first).expect("ClientHello header");
        // The whole record first: a client still writing its flight (split by injected
        // faults) would see a broken pipe, not the end of stream this case is about.
        let len = usize::from(u16::from_be_bytes([first[3], first[4]]));
        crate::harness::read_exact(&mut server, len);
        killers.server.kill();
        first
    });
    let err = client
        .attach_ssl(h.client_opts())
        .expect_err("EOF mid-handshake");
    assert_eq!(
        server_thread.join()[0],
        22,
        "the client did not start with a handshake record"
    );
    assert_eq!(err.kind(), ErrorKind::Syscall, "{err}");
    assert_eq!(
        std::io::Error::from(err).kind(),
        std::io::ErrorKind::UnexpectedEof
    );
}

/// HS-5, HS-6, HS-7: `handshake(t)` is `Ok(false)` when `t` runs out, stays
/// attached, and completes later with `Ok(true)`.
pub fn hs_5_6_handshake_step(h: &Harness) {
    let (mut client, mut server, _k) = h.plain_pair();
    server
        .attach_ssl(
            AttachOptions::server()
                .ctx(h.natives.server_context(&pki().server))
                .side(Side::Both),
        )
        .expect("Both attach");
    server.set_accept_state().expect("pick");
    // No client yet: the step times out and TLS stays attached.
    assert!(!server
        .handshake(Some(Duration::from_millis(100)))
        .expect("timeout is Ok(false)"));
    assert_eq!(server.ssl_side(), Some(Side::Both));
    let client_opts = h.client_opts();
    let client_thread = spawn(move || {
        client.attach_ssl(client_opts).expect("client attach");
        client
    });
    let deadline = Instant::now() + Duration::from_secs(10);
    while !server
        .handshake(Some(Duration::from_millis(200)))
        .expect("handshake step")
    {
        assert!(Instant::now() < deadline, "handshake never completed");
    }
    let mut client = client_thread.join();
    assert!(
        server.handshake(None).expect("done"),
        "HS-7: Ok(true) once complete"
    );
    echo(&mut client, &mut server, b"stepped");
}

/// SEC-6: a peer trickling one octet every 100 ms cannot outlast the deadline.
pub fn sec_6_trickling_peer_cannot_outlast_deadline(h: &Harness) {
    let (client, mut server, _k) = h.plain_pair();
    let trickle = spawn(move || {
        // A plausible ServerHello record header, then one octet per 100 ms.
        let bytes = [22u8, 3, 3, 0x40, 0x00];
        for i in 0..60 {
            if server.write_all(&[bytes[i % bytes.len()]]).is_err() {
                break;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    });
    let mut client = client;
    let started = Instant::now();
    let err = client
        .attach_ssl(
            h.client_opts()
                .handshake_timeout(Duration::from_millis(700)),
        )
        .expect_err("trickling peer");
    let took = started.elapsed();
    assert!(
        err.kind() == ErrorKind::HandshakeTimeout || err.kind().is_failure(),
        "{err}"
    );
    assert!(
        took < Duration::from_millis(700) + Duration::from_secs(5),
        "took {took:?}"
    );
    drop(client);
    trickle.join();
}

/// HS-8: reads and writes that run the handshake report its failures as errors.
pub fn hs_8_implicit_handshake_reports_errors(h: &Harness) {
    let (mut client, mut server, killers) = h.plain_pair();
    server
        .attach_ssl(
            AttachOptions::server()
                .ctx(h.natives.server_context(&pki().server))
                .side(Side::Both),
        )
        .expect("Both attach");
    server.set_accept_state().expect("pick");
    client
        .write_all(b"this is not a ClientHello")
        .expect("write");
    killers.client.kill();
    let err = server
        .read(&mut [0u8; 8])
        .expect_err("the implicit handshake failed");
    let err = unitls_core::Error::from_io(err);
    assert!(
        err.kind().is_failure() || err.kind() == ErrorKind::Syscall,
        "{err}"
    );
}
