//! SPEC §3 STARTTLS — TLS on a live connection (RFC 3207 §4.2, §6; CVE-2011-0411).

use std::io::{BufRead, Write};

use crate::harness::{echo, read_exact, send, spawn};
use crate::Harness;

/// STARTTLS-1, STREAM-7: plaintext, then attach on the same connection, then TLS;
/// each write is on the wire when it returns (no flush needed).
pub fn starttls_1_plain_then_tls(h: &Harness) {
    let (mut client, mut server, _k) = h.plain_pair();
    let server_opts = h.server_opts();
    let server_thread = spawn(move || {
        let mut line = String::new();
        server.read_line(&mut line).expect("command");
        assert_eq!(line, "STARTTLS\r\n");
        server.write_all(b"220 go ahead\r\n").expect("reply");
        server.attach_ssl(server_opts).expect("server attach");
        server
    });
    send(&mut client, b"STARTTLS\r\n");
    let mut reply = String::new();
    client.read_line(&mut reply).expect("reply");
    assert_eq!(reply, "220 go ahead\r\n");
    client.attach_ssl(h.client_opts()).expect("client attach");
    let mut server = server_thread.join();
    echo(&mut client, &mut server, b"EHLO encrypted\r\n");
}

/// STARTTLS-2, STARTTLS-3: plaintext injected after the command is never delivered as
/// TLS application data: the server's handshake fails with Failure.
pub fn starttls_2_injected_plaintext_fails(h: &Harness) {
    let (mut client, mut server, _k) = h.plain_pair();
    let server_opts = h.server_opts();
    let server_thread = spawn(move || {
        let mut line = String::new();
        server.read_line(&mut line).expect("command");
        assert_eq!(line, "STARTTLS\r\n");
        // "RSET\r\n" was read into the buffer together with the command.
        let err = server
            .attach_ssl(server_opts)
            .expect_err("injected plaintext accepted");
        assert!(err.kind().is_failure(), "{err}");
        assert_eq!(server.ssl_side(), None);
        drop(server);
    });
    send(&mut client, b"STARTTLS\r\nRSET\r\n");
    server_thread.join();
    let _ = client.attach_ssl(
        h.client_opts()
            .handshake_timeout(std::time::Duration::from_secs(5)),
    );
}

/// STARTTLS-3, STARTTLS-2: a ClientHello that arrived with the command (already in
/// the plain buffer) starts the server's TLS stream and completes.
pub fn starttls_3_buffered_client_hello_completes(h: &Harness) {
    let (mut client, mut server, _k) = h.plain_pair();
    let server_opts = h.server_opts();
    let server_thread = spawn(move || {
        let mut line = String::new();
        server.read_line(&mut line).expect("command");
        // Wait so that the ClientHello is buffered behind the command when possible.
        std::thread::sleep(std::time::Duration::from_millis(50));
        server
            .attach_ssl(server_opts)
            .expect("server attach with buffered ClientHello");
        let got = read_exact(&mut server, 5);
        send(&mut server, &got);
        server
    });
    send(&mut client, b"STARTTLS\r\n");
    client.attach_ssl(h.client_opts()).expect("client attach");
    send(&mut client, b"hello");
    assert_eq!(read_exact(&mut client, 5), b"hello");
    server_thread.join();
}
