//! SPEC REL-7, ERR-6 — a fatal error puts its alert on the wire before the
//! connection ends, and `alert()` names that alert at both ends: the one the failing
//! side sent, the one its peer received.
//!
//! Each case watches the octets each end writes ([`Tap`]). Alerts sent before
//! encryption starts are read off the wire; encrypted ones only their two ends can
//! name, so there the ends must agree.

use std::io::{self, Read, Write};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::sleep;
use std::time::{Duration, Instant};

use unitls_core::{
    Alert, AttachOptions, Capability, ClientAuth, CtxSpec, Error, ErrorKind, ProtocolVersion,
    Source, Transport, TrustSource, VerifyReason,
};

use crate::fixtures::{pki, Leaf};
use crate::harness::{bounded, spawn, BoxTransport, Conn, TransportKind, WAIT};
use crate::Harness;

/// The octets one end wrote.
type Wire = Arc<Mutex<Vec<u8>>>;

/// A transport that keeps a copy of every octet written through it and, when asked,
/// flips the last octet of the next write (inside a record's body: such a write is
/// longer than a record header).
struct Tap {
    inner: BoxTransport,
    wire: Wire,
    corrupt_next: Arc<AtomicBool>,
}

impl Read for Tap {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.inner.read(buf)
    }
}

impl Write for Tap {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        let n = if data.len() > 5 && self.corrupt_next.swap(false, Ordering::SeqCst) {
            let mut altered = data.to_vec();
            let last = altered.len() - 1;
            altered[last] ^= 0x01;
            let n = self.inner.write(&altered)?;
            if n < altered.len() {
                self.corrupt_next.store(true, Ordering::SeqCst); // the flip did not go
            }
            n
        } else {
            self.inner.write(data)?
        };
        self.wire
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .extend_from_slice(&data[..n]);
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

impl Transport for Tap {
    fn supports_timeouts(&self) -> bool {
        self.inner.supports_timeouts()
    }
    fn set_read_timeout(&mut self, timeout: Option<Duration>) -> io::Result<()> {
        self.inner.set_read_timeout(timeout)
    }
    fn set_write_timeout(&mut self, timeout: Option<Duration>) -> io::Result<()> {
        self.inner.set_write_timeout(timeout)
    }
    fn read_timeout(&self) -> io::Result<Option<Duration>> {
        self.inner.read_timeout()
    }
    fn write_timeout(&self) -> io::Result<Option<Duration>> {
        self.inner.write_timeout()
    }
    fn is_nonblocking(&self) -> bool {
        self.inner.is_nonblocking()
    }
    fn shutdown_write(&mut self) -> io::Result<()> {
        self.inner.shutdown_write()
    }
    fn close(&mut self) -> io::Result<()> {
        self.inner.close()
    }
}

/// One end of a tapped pair.
struct End {
    conn: Conn,
    wire: Wire,
    corrupt_next: Arc<AtomicBool>,
}

impl End {
    fn new(transport: BoxTransport) -> End {
        let wire = Wire::default();
        let corrupt_next = Arc::new(AtomicBool::new(false));
        let tap = Tap {
            inner: transport,
            wire: Arc::clone(&wire),
            corrupt_next: Arc::clone(&corrupt_next),
        };
        End {
            conn: bounded(Box::new(tap)),
            wire,
            corrupt_next,
        }
    }

    /// The clear-text alerts this end wrote, in order.
    fn alerts_on_wire(&self) -> Vec<Alert> {
        clear_text_alerts(&self.wire.lock().unwrap_or_else(PoisonError::into_inner))
    }
}

/// The alerts among the clear-text records of `wire` (encrypted records are skipped:
/// a TLS 1.2 alert record after ChangeCipherSpec is longer than two octets).
pub(crate) fn clear_text_alerts(wire: &[u8]) -> Vec<Alert> {
    let mut alerts = Vec::new();
    let mut rest = wire;
    while let [_, _, _, hi, lo, ..] = rest {
        let end = 5 + usize::from(u16::from_be_bytes([*hi, *lo]));
        let Some(record) = rest.get(..end) else {
            break;
        };
        alerts.extend(Alert::from_clear_text_record(record));
        rest = &rest[end..];
    }
    alerts
}

/// What a failed attach of two tapped ends gave.
struct Attempt {
    client: End,
    client_result: unitls_core::Result<()>,
    server: End,
    server_result: unitls_core::Result<()>,
}

/// Attaches a client and a server over a tapped pair of the run's transports.
fn attempt(h: &Harness, client: AttachOptions, server: AttachOptions) -> Attempt {
    let (client_end, server_end, _killers) = h.pair();
    let (mut c, mut s) = (End::new(client_end), End::new(server_end));
    let server_thread = spawn(move || {
        let result = s.conn.attach_ssl(server);
        (result, s)
    });
    let client_result = c.conn.attach_ssl(client);
    let (server_result, s) = server_thread.join();
    Attempt {
        client: c,
        client_result,
        server: s,
        server_result,
    }
}

/// Whether the backend declares `capability` (without marking the run as a
/// fallback: these cases check what they can and skip only a version).
fn has(h: &Harness, capability: Capability) -> bool {
    unitls_core::capabilities(h.backend).is_some_and(|c| c.contains(capability))
}

/// The versions both ends of this backend speak, each pinned in turn.
fn versions(h: &Harness) -> Vec<ProtocolVersion> {
    [
        (Capability::Tls12, ProtocolVersion::Tls12),
        (Capability::Tls13, ProtocolVersion::Tls13),
    ]
    .into_iter()
    .filter(|(capability, _)| has(h, *capability))
    .map(|(_, version)| version)
    .collect()
}

/// The alert the failing side says it sent: it must name one (REL-7).
fn sent_alert(side: &str, err: &Error) -> Alert {
    err.alert().unwrap_or_else(|| {
        panic!("REL-7: the {side} failed without naming the alert it sent: {err}")
    })
}

/// REL-7, ERR-6, VERIFY-13: a client that refuses the server's certificate (unknown
/// CA, expired, wrong name) sends an alert, in TLS 1.2 and 1.3; its `alert()` names
/// the alert on the wire, and the server's `alert()` the same one.
pub fn rel_7_verification_alerts(h: &Harness) {
    let p = pki();
    let cases: [(&Leaf, VerifyReason); 3] = [
        (&p.untrusted, VerifyReason::UnknownIssuer),
        (&p.expired, VerifyReason::Expired),
        (&p.wrong_host, VerifyReason::NameMismatch),
    ];
    for version in versions(h) {
        for (leaf, reason) in cases {
            let client = h
                .client_builder()
                .min_version(version)
                .max_version(version)
                .build()
                .expect("client context");
            let server = h.server_builder_with(leaf).build().expect("server context");
            let run = attempt(
                h,
                AttachOptions::client("localhost").ctx(client),
                AttachOptions::server().ctx(server),
            );
            let err = run.client_result.expect_err("a bad certificate accepted");
            let context = format!("{version}, {reason:?}: {err}");
            assert_eq!(
                err.kind(),
                ErrorKind::VerificationFailure(reason),
                "{context}"
            );
            let sent = sent_alert("client", &err);
            if version == ProtocolVersion::Tls12 {
                assert_eq!(
                    run.client.alerts_on_wire().first(),
                    Some(&sent),
                    "REL-7: alert() is not the alert on the wire ({context})"
                );
            }
            let server_err = run
                .server_result
                .expect_err("the server should learn of the refusal");
            assert_eq!(
                server_err.alert(),
                Some(sent),
                "REL-7: the server received another alert than the client reports sending \
                 ({context}; server: {server_err})"
            );
        }
    }
}

/// REL-7, ERR-6, SNI-11: a server with no identity refuses the ClientHello with an
/// alert in clear text; its `alert()` names that alert, and the client's the same.
pub fn rel_7_server_without_identity_alert(h: &Harness) {
    let nothing = AttachOptions::server()
        .ctx(CtxSpec::Default)
        .implementation(h.backend);
    let run = attempt(h, h.client_opts(), nothing);
    let server_err = run.server_result.expect_err("a server without identity");
    assert_eq!(server_err.kind(), ErrorKind::X509Lookup, "{server_err}");
    let sent = sent_alert("server", &server_err);
    assert_eq!(
        run.server.alerts_on_wire().first(),
        Some(&sent),
        "REL-7: alert() is not the alert on the wire: {server_err}"
    );
    let client_err = run.client_result.expect_err("the client should be refused");
    assert_eq!(client_err.alert(), Some(sent), "{client_err}");
}

/// REL-7, ERR-6: a record altered on the way fails to decrypt; the receiver sends
/// `bad_record_mac` and says so, and the sender's next read reports that alert.
pub fn rel_7_tampered_record_alert(h: &Harness) {
    let run = attempt(h, h.client_opts(), h.server_opts());
    run.client_result.expect("client attach");
    run.server_result.expect("server attach");
    let (mut client, mut server) = (run.client, run.server);
    client.corrupt_next.store(true, Ordering::SeqCst);
    client.conn.write_all(b"altered on the way").expect("write");
    let server_err = Error::from(
        server
            .conn
            .read(&mut [0u8; 64])
            .expect_err("an altered record was accepted"),
    );
    assert_eq!(
        server_err.alert(),
        Some(Alert::BadRecordMac),
        "REL-7: {server_err}"
    );
    let client_err = Error::from(
        client
            .conn
            .read(&mut [0u8; 64])
            .expect_err("the client should read the server's alert"),
    );
    assert_eq!(
        client_err.alert(),
        Some(Alert::BadRecordMac),
        "{client_err}"
    );
}

/// Reads what `transport` gets until end of stream, [`WAIT`] or 64 KiB.
pub(crate) fn read_all(transport: &mut BoxTransport) -> Vec<u8> {
    let _ = transport.set_read_timeout(Some(Duration::from_millis(200)));
    let until = Instant::now() + WAIT;
    let (mut got, mut buf) = (Vec::new(), [0u8; 4096]);
    while Instant::now() < until && got.len() < 65_536 {
        match transport.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => got.extend_from_slice(&buf[..n]),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e)
                if matches!(
                    e.kind(),
                    io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
                ) => {}
            Err(_) => break,
        }
    }
    got
}

/// REL-7, ERR-6: a server sent an SSL 2.0-format ClientHello refuses it with
/// VersionOrCipherMismatch and a `protocol_version` alert on the wire.
pub fn rel_7_sslv2_hello_gets_protocol_version(h: &Harness) {
    let (mut raw_client, server_end, _killers) = h.pair();
    let mut server = bounded(server_end);
    let options = h.server_opts();
    let server_thread = spawn(move || {
        let result = server.attach_ssl(options);
        let _ = server.close();
        result
    });
    raw_client
        .write_all(&crate::hostile::SSLV2_CLIENT_HELLO)
        .expect("write");
    let answer = read_all(&mut raw_client);
    let err = server_thread.join().expect_err("an SSLv2 hello accepted");
    assert_eq!(err.kind(), ErrorKind::VersionOrCipherMismatch, "{err}");
    assert_eq!(err.alert(), Some(Alert::ProtocolVersion), "{err}");
    assert_eq!(
        clear_text_alerts(&answer),
        [Alert::ProtocolVersion],
        "REL-7: the wire carried {answer:02x?}"
    );
}

/// REL-7 over TCP: a server that refuses a TLS 1.3 client's missing certificate —
/// after the client's attach already succeeded and while it is still writing —
/// lets its `certificate_required` alert arrive: the client reports the server's
/// alert, not a broken pipe or a reset.
pub fn rel_7_alert_reaches_a_writing_client(h: &Harness) {
    let (client_end, server_end, _killers) = Harness::pair_of(TransportKind::Tcp);
    let mut client = bounded(client_end);
    // The server's blocking close is what is checked: a non-blocking transport
    // cannot linger at close (its user's event loop reads until the peer closes).
    let mut server = crate::faults::without(|| bounded(server_end));
    let server_ctx = h
        .server_builder()
        .client_auth(ClientAuth::Required)
        .trust_only([TrustSource::Pem(Source::memory(pki().ca_pem.clone()))])
        .build()
        .expect("server context");
    let server_thread = spawn(move || {
        let result = server.attach_ssl(AttachOptions::server().ctx(server_ctx));
        let _ = server.close(); // after a failure: must not reset the still-writing client
        result
    });
    let client_ctx = h
        .client_builder()
        .min_version(ProtocolVersion::Tls13)
        .build()
        .expect("client context");
    let client_err = match client.attach_ssl(AttachOptions::client("localhost").ctx(client_ctx)) {
        Err(err) => err,
        Ok(()) => first_failure_while_writing(&mut client),
    };
    let server_err = server_thread
        .join()
        .expect_err("a missing client certificate accepted");
    let sent = sent_alert("server", &server_err);
    assert_eq!(
        client_err.alert(),
        Some(sent),
        "REL-7: the client got {client_err} instead of the server's {sent}"
    );
}

/// Writes 1 KiB every 10 ms (30 times at most), then reads: the first error.
fn first_failure_while_writing(client: &mut Conn) -> Error {
    for _ in 0..30 {
        if let Err(e) = client.write_all(&[b'x'; 1024]) {
            return Error::from(e);
        }
        sleep(Duration::from_millis(10));
    }
    Error::from(
        client
            .read(&mut [0u8; 64])
            .expect_err("the server refused the client: its read must fail"),
    )
}
