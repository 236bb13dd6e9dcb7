//! SPEC §3 REC — the record layer as users see it (RFC 8446 §5, §6.1).

use std::io::{Read, Write};
use std::time::{Duration, Instant};

use unitls_core::{duplex, ErrorKind, FailureIndicator, SocketStream};

use crate::harness::{echo, read_exact, send, spawn, BoxTransport, TransportKind};
use crate::Harness;

/// REC-1, ERR-2: after the peer's close_notify, reads return `Ok(0)`, repeatedly.
pub fn rec_1_close_notify_is_clean_eof(h: &Harness) {
    let (mut client, mut server, _k) = h.connected();
    echo(&mut client, &mut server, b"x");
    server.close().expect("close");
    for _ in 0..3 {
        assert_eq!(client.read(&mut [0u8; 16]).expect("clean EOF"), 0);
    }
}

/// REC-2, ERR-3, ERR-8: EOF without close_notify after the handshake is an error
/// (Syscall, `UnexpectedEof`), never `Ok(0)`.
pub fn rec_2_truncation_is_an_error(h: &Harness) {
    let (mut client, mut server, killers) = h.connected();
    echo(&mut client, &mut server, b"x");
    killers.server.kill();
    let err = client
        .read(&mut [0u8; 16])
        .expect_err("truncation must not look like EOF");
    assert_eq!(err.kind(), std::io::ErrorKind::UnexpectedEof, "{err}");
    assert_eq!(
        unitls_core::failure_indicator(&err),
        FailureIndicator::Tls(ErrorKind::Syscall)
    );
}

/// REC-3, REC-7: a 1 MiB `write_all` arrives intact, and data written before close
/// arrives before the close_notify.
pub fn rec_3_one_mib_arrives_intact(h: &Harness) {
    let (mut client, mut server, _k) = h.connected();
    let data: Vec<u8> = (0..1 << 20).map(|i: u32| (i % 251) as u8).collect();
    let expected = data.clone();
    let writer = spawn(move || {
        client.write_all(&data).expect("write 1 MiB");
        client.close().expect("close");
    });
    let mut received = Vec::new();
    server
        .read_to_end(&mut received)
        .expect("read to clean EOF");
    writer.join();
    assert_eq!(received.len(), expected.len());
    assert!(received == expected, "data corrupted");
}

/// REC-4: one octet per transport read gives the same data.
pub fn rec_4_one_octet_reads(h: &Harness) {
    if h.kind == TransportKind::Tcp {
        return; // TCP cannot be made to deliver one octet per read; memory can.
    }
    let (client_end, mut server_end) = duplex();
    server_end.set_max_read(1);
    let mut client = SocketStream::new(Box::new(client_end) as BoxTransport);
    let mut server = SocketStream::new(Box::new(server_end) as BoxTransport);
    client
        .set_read_timeout(Some(crate::harness::WAIT))
        .expect("timeout");
    server
        .set_read_timeout(Some(crate::harness::WAIT))
        .expect("timeout");
    let server_opts = h.server_opts();
    let server_thread = spawn(move || {
        server
            .attach_ssl(server_opts)
            .expect("server attach over 1-octet reads");
        let got = read_exact(&mut server, 40_000);
        server.write_all(&got).expect("echo");
        server
    });
    client.attach_ssl(h.client_opts()).expect("client attach");
    let data: Vec<u8> = (0..40_000u32).map(|i| (i % 7) as u8).collect();
    send(&mut client, &data);
    assert_eq!(read_exact(&mut client, data.len()), data);
    server_thread.join();
}

/// REC-5: `write(&[])` is `Ok(0)`; the peer sees neither EOF nor error.
pub fn rec_5_empty_write(h: &Harness) {
    let (mut client, mut server, _k) = h.connected();
    assert_eq!(client.write(&[]).expect("empty write"), 0);
    echo(&mut client, &mut server, b"after empty write");
}

/// REC-6: `shutdown_write` sends close_notify; later writes give Closed; reads go on.
pub fn rec_6_shutdown_write(h: &Harness) {
    let (mut client, mut server, _k) = h.connected();
    let version = client.protocol_version().expect("attached");
    if h.lacks(unitls_core::Capability::Tls13) {
        // The TLS 1.3 half-close rule does not apply: the session is honestly TLS 1.2.
        assert_eq!(version, Some(unitls_core::ProtocolVersion::Tls12));
        return;
    }
    assert_eq!(
        version,
        Some(unitls_core::ProtocolVersion::Tls13),
        "default peers did not negotiate TLS 1.3"
    );
    client.shutdown_write().expect("shutdown_write");
    let err = client.write(b"x").expect_err("write after shutdown_write");
    assert_eq!(
        unitls_core::failure_indicator(&err),
        FailureIndicator::Closed
    );
    assert_eq!(server.read(&mut [0u8; 4]).expect("clean EOF"), 0);
    send(&mut server, b"half-open");
    let started = Instant::now();
    assert_eq!(read_exact(&mut client, 9), b"half-open");
    assert!(started.elapsed() < Duration::from_secs(5));
}
