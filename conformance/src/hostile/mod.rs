//! SPEC REL-5 — hostile peers: each gets a clean error within its deadline, and a
//! server keeps serving well-behaved clients while they misbehave.
//!
//! The table, one case a row (the end under test sets a handshake deadline of
//! [`DEADLINE`], never the 30 s default):
//!
//! | bad peer | the other end sees | case |
//! |---|---|---|
//! | random octets instead of a hello | Failure ("does not speak TLS"), before the deadline | [`rel_5_random_octets_are_not_tls`] |
//! | an SSL 2.0-format hello; a TLS 1.0/1.1-only client or server | VersionOrCipherMismatch, `protocol_version` sent | [`rel_5_legacy_hellos_get_protocol_version`] |
//! | a truncated record, then EOF | Syscall (`UnexpectedEof`) | [`rel_5_truncated_record_then_eof`] |
//! | a record longer than the protocol allows | Failure, the library's alert for it sent | [`rel_5_oversized_records`] (and SEC-5's case) |
//! | a valid handshake, then garbage records | Failure, `bad_record_mac` (or `decode_error`) sent | [`rel_5_garbage_after_handshake`] |
//! | a TCP reset mid-record | Syscall (`ConnectionReset`) | [`rel_5_reset_mid_record`] |
//! | one octet a second; silence mid-handshake | HandshakeTimeout at the deadline | [`rel_5_stalling_peers_time_out`] |
//! | silence after the handshake | the user's read timeout (`Timeout`), session usable | [`rel_5_silence_after_handshake_is_a_read_timeout`] |
//! | 200 connections opened and left silent, and all the above at once (deadline 2 s) | each its error; good clients served meanwhile | [`rel_5_server_keeps_serving`] |
//!
//! A record longer than the protocol allows is refused by the library itself (core hands
//! it the header alone, without reading or allocating the claimed length): the OpenSSL
//! family sends `record_overflow`, rustls `decode_error` (its deframer's
//! `MessageTooLarge`); both are accepted, and the alert must be the one on the wire.

mod peers;
mod serve;

use std::io::{Read, Write};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use unitls_core::{Alert, Error, ErrorKind, Side};

use crate::alerts::{clear_text_alerts, read_all};
use crate::harness::{bounded, echo, read_exact, send, spawn, BoxTransport, Conn, Killers, WAIT};
use crate::Harness;

pub(crate) use peers::SSLV2_CLIENT_HELLO;
pub use serve::rel_5_server_keeps_serving;

use peers::{reset_on_close, tcp_pair, Bad, Tamper, TamperHandle, Tampering};

/// The handshake deadline of the end under test.
pub const DEADLINE: Duration = Duration::from_secs(1);

/// How much later than its deadline a timeout may come (generous: shared machines).
const LATE: Duration = Duration::from_secs(5);

/// What the end under test got from a hostile peer's first flight.
struct Faced {
    /// Its attach's result.
    result: unitls_core::Result<()>,
    /// How long the attach took.
    took: Duration,
    /// What the end under test wrote to the peer, read after it closed.
    answer: Vec<u8>,
}

impl Faced {
    /// The attach's error; panics (failing the case) if it succeeded.
    fn error(&self, what: &str) -> &Error {
        self.result
            .as_ref()
            .err()
            .unwrap_or_else(|| panic!("{what}: the handshake succeeded"))
    }
}

/// Attaches `ours` (client or server, with [`DEADLINE`]) to a raw end played by `bad`;
/// then closes it and reads what it wrote.
fn face(h: &Harness, bad: Bad, ours: Side) -> Faced {
    let (client_end, server_end, _killers) = h.pair();
    let (raw, end) = match ours {
        Side::Client => (server_end, client_end),
        _ => (client_end, server_end),
    };
    let stop = Arc::new(AtomicBool::new(false));
    let peer_stop = Arc::clone(&stop);
    let peer = spawn(move || {
        let mut raw = raw;
        bad.play(&mut raw, &peer_stop);
        raw
    });
    let mut end = bounded(end);
    let options = match ours {
        Side::Client => h.client_opts(),
        _ => h.server_opts(),
    }
    .handshake_timeout(DEADLINE);
    let started = Instant::now();
    let result = end.attach_ssl(options);
    let took = started.elapsed();
    stop.store(true, Ordering::SeqCst);
    let mut raw = peer.join();
    let _ = end.close();
    drop(end);
    let answer = read_all(&mut raw);
    Faced {
        result,
        took,
        answer,
    }
}

/// REL-5, SEC-4: random octets instead of a ClientHello (to a server) or a
/// ServerHello (to a client), the connection left open, give Failure naming a peer
/// that does not speak TLS — at once, not at the handshake deadline.
pub fn rel_5_random_octets_are_not_tls(h: &Harness) {
    for seed in [0x5eed_0001, 0x5eed_0002, 0x5eed_0003] {
        for ours in [Side::Server, Side::Client] {
            let what = format!("random octets (seed {seed:#x}) to a {ours:?}");
            let faced = face(h, Bad::RandomOctets(seed), ours);
            let err = faced.error(&what);
            assert_eq!(err.kind(), ErrorKind::Failure, "{what}: {err}");
            assert!(
                err.to_string().contains("does not speak TLS"),
                "{what}: {err}"
            );
            assert!(
                faced.took < DEADLINE,
                "{what}: the error waited for the handshake deadline ({:?})",
                faced.took
            );
        }
    }
}

/// REL-5, REL-7, SEC-1: a peer that speaks only versions below TLS 1.2 — an SSL
/// 2.0-format ClientHello, a TLS 1.0 or 1.1 ClientHello, a TLS 1.0 or 1.1
/// ServerHello — is refused with VersionOrCipherMismatch and a `protocol_version`
/// alert, on the wire and in `alert()`.
pub fn rel_5_legacy_hellos_get_protocol_version(h: &Harness) {
    let peers = [
        (Bad::Sslv2Hello, Side::Server),
        (Bad::LegacyClientHello(1), Side::Server),
        (Bad::LegacyClientHello(2), Side::Server),
        (Bad::LegacyServerHello(1), Side::Client),
        (Bad::LegacyServerHello(2), Side::Client),
    ];
    for (bad, ours) in peers {
        let what = format!("{bad:?} to a {ours:?}");
        let faced = face(h, bad, ours);
        let err = faced.error(&what);
        assert_eq!(
            err.kind(),
            ErrorKind::VersionOrCipherMismatch,
            "{what}: {err}"
        );
        assert_eq!(err.alert(), Some(Alert::ProtocolVersion), "{what}: {err}");
        assert_eq!(
            clear_text_alerts(&faced.answer),
            [Alert::ProtocolVersion],
            "REL-7, {what}: the wire carried {:02x?}",
            faced.answer
        );
    }
}

/// REL-5, REC-2, HS-4, ERR-3: a record cut short by end of stream — a hello to a
/// server or a client, an application record after a valid handshake — is Syscall
/// with `UnexpectedEof`.
pub fn rel_5_truncated_record_then_eof(h: &Harness) {
    for ours in [Side::Server, Side::Client] {
        let what = format!("a truncated hello, then EOF, to a {ours:?}");
        let faced = face(h, Bad::TruncatedThenEof, ours);
        let err = faced.error(&what);
        assert_eq!(err.kind(), ErrorKind::Syscall, "{what}: {err}");
        assert_eq!(
            err.io_kind(),
            std::io::ErrorKind::UnexpectedEof,
            "{what}: {err}"
        );
    }
    let mut pair = Established::new(h, false);
    pair.tamper.next(Tampering::HalfThenEof);
    send(&mut pair.theirs, b"cut in the middle of this record");
    let err = pair.our_read_error();
    assert_eq!(err.kind(), ErrorKind::Syscall, "after the handshake: {err}");
    assert_eq!(
        err.io_kind(),
        std::io::ErrorKind::UnexpectedEof,
        "after the handshake: {err}"
    );
}

/// REL-5, SEC-5, REL-7: a record header claiming more than any TLS version allows —
/// in place of a ServerHello, or after a valid handshake — is Failure at once (the
/// claimed length is never awaited: the peer stays open and sends no more), with the
/// library's alert for it on the wire and in `alert()`: `record_overflow` from the
/// OpenSSL family, `decode_error` from rustls (see the module's documentation).
pub fn rel_5_oversized_records(h: &Harness) {
    let faced = face(h, Bad::Oversized, Side::Client);
    let err = faced.error("an oversized record to a client");
    assert_eq!(err.kind(), ErrorKind::Failure, "{err}");
    let sent = err
        .alert()
        .unwrap_or_else(|| panic!("REL-7: no alert named: {err}"));
    assert_overflow_alert(sent);
    assert_eq!(
        clear_text_alerts(&faced.answer),
        [sent],
        "REL-7: the wire carried {:02x?}",
        faced.answer
    );
    let mut pair = Established::new(h, false);
    pair.tamper
        .next(Tampering::Replace(vec![23, 3, 3, 0x48, 0x01, 1, 2, 3]));
    send(&mut pair.theirs, b"replaced by an oversized header");
    let err = pair.our_read_error();
    assert_eq!(err.kind(), ErrorKind::Failure, "after the handshake: {err}");
    let sent = err
        .alert()
        .unwrap_or_else(|| panic!("REL-7: no alert named: {err}"));
    assert_overflow_alert(sent);
    assert_eq!(
        pair.their_read_error().alert(),
        Some(sent),
        "REL-7: the peer did not receive the alert the server names"
    );
}

/// The alerts a library sends for an over-long record header.
fn assert_overflow_alert(sent: Alert) {
    assert!(
        matches!(sent, Alert::RecordOverflow | Alert::DecodeError),
        "{sent}"
    );
}

/// REL-5, REL-7: after a valid handshake, a record whose body is garbage fails the
/// reader with Failure and `bad_record_mac` (or `decode_error`), which its peer then
/// receives.
pub fn rel_5_garbage_after_handshake(h: &Harness) {
    for seed in [0x9a4b_a6e1, 0x9a4b_a6e2] {
        let mut pair = Established::new(h, false);
        pair.tamper.next(Tampering::Garble(seed));
        send(&mut pair.theirs, b"garbled on the way, every octet of it");
        let err = pair.our_read_error();
        assert_eq!(err.kind(), ErrorKind::Failure, "{err}");
        let sent = err
            .alert()
            .unwrap_or_else(|| panic!("REL-7: no alert named: {err}"));
        assert!(
            matches!(sent, Alert::BadRecordMac | Alert::DecodeError),
            "{sent}"
        );
        assert_eq!(
            pair.their_read_error().alert(),
            Some(sent),
            "REL-7: the peer did not receive the alert the server names"
        );
    }
}

/// REL-5, ERR-3: a TCP reset in the middle of a record — a ClientHello, or an
/// application record after a valid handshake — is Syscall with the transport's
/// error, `ConnectionReset` (over loopback TCP in every run: a reset is TCP's).
pub fn rel_5_reset_mid_record(h: &Harness) {
    // Mid-ClientHello.
    let (mut raw, server_end, killers) = tcp_pair(h);
    let mut server = bounded(server_end);
    let options = h.server_opts().handshake_timeout(DEADLINE);
    let attach = spawn(move || server.attach_ssl(options));
    raw.write_all(&peers::legacy_client_hello(3)[..30])
        .expect("half a hello");
    raw.flush().expect("flush");
    reset_on_close(killers.client);
    drop(raw);
    let err = attach.join().expect_err("a reset mid-hello");
    assert_reset(&err, "mid-handshake");
    // Mid-record after the handshake.
    let mut pair = Established::new(h, true);
    pair.tamper.next(Tampering::HalfThenDrop);
    reset_on_close(pair.killers.take().expect("killers").client);
    send(&mut pair.theirs, b"reset in the middle of this record");
    let err = pair.our_read_error();
    assert_reset(&err, "after the handshake");
}

fn assert_reset(err: &Error, when: &str) {
    assert_eq!(err.kind(), ErrorKind::Syscall, "{when}: {err}");
    assert_eq!(
        err.io_kind(),
        std::io::ErrorKind::ConnectionReset,
        "{when}: {err}"
    );
}

/// REL-5, SEC-6, HS-3: a peer trickling one octet a second, or falling silent after
/// the start of its hello, gets HandshakeTimeout at the deadline — not before, and
/// not much after — whether it plays the client or the server.
pub fn rel_5_stalling_peers_time_out(h: &Harness) {
    for bad in [Bad::Trickle, Bad::SilentMidHandshake] {
        for ours in [Side::Server, Side::Client] {
            let what = format!("{bad:?} to a {ours:?}");
            let faced = face(h, bad, ours);
            let err = faced.error(&what);
            assert_eq!(err.kind(), ErrorKind::HandshakeTimeout, "{what}: {err}");
            assert!(
                faced.took >= DEADLINE && faced.took < DEADLINE + LATE,
                "{what}: the deadline was {DEADLINE:?}, the handshake failed after {:?}",
                faced.took
            );
        }
    }
}

/// REL-5, ERR-8: a client silent after a valid handshake meets the server's own read
/// timeout — `Timeout`, not a handshake or transport failure — and the session stays
/// usable: what the client sends later is read, and both ends echo.
pub fn rel_5_silence_after_handshake_is_a_read_timeout(h: &Harness) {
    let mut pair = Established::new(h, false);
    pair.ours
        .set_read_timeout(Some(Duration::from_secs(1)))
        .expect("read timeout");
    let err = pair
        .ours
        .read(&mut [0u8; 16])
        .expect_err("a silent client: the read must time out");
    assert_eq!(err.kind(), std::io::ErrorKind::TimedOut, "{err}");
    assert_eq!(Error::from_io(err).kind(), ErrorKind::Timeout);
    pair.ours.set_read_timeout(Some(WAIT)).expect("timeout");
    send(&mut pair.theirs, b"late");
    assert_eq!(read_exact(&mut pair.ours, 4), b"late");
    echo(&mut pair.theirs, &mut pair.ours, b"still usable");
}

/// Our server and a hostile client after a valid handshake: the client is a blocking
/// stream over a [`Tamper`] transport, never fault-injected (it is the instrument).
struct Established {
    ours: Conn,
    theirs: Conn,
    tamper: TamperHandle,
    killers: Option<Killers>,
}

impl Established {
    /// Over the run's transport, or over TCP when `tcp`.
    fn new(h: &Harness, tcp: bool) -> Established {
        let (client_end, server_end, killers) = if tcp { tcp_pair(h) } else { h.pair() };
        let (tamper, handle) = Tamper::new(client_end);
        let mut theirs = crate::faults::without(|| bounded(Box::new(tamper) as BoxTransport));
        let mut ours = bounded(server_end);
        let options = h.server_opts().handshake_timeout(DEADLINE);
        let server = spawn(move || ours.attach_ssl(options).map(|()| ours));
        theirs
            .attach_ssl(h.client_opts())
            .expect("the hostile client's valid handshake");
        let ours = server.join().expect("server attach");
        Established {
            ours,
            theirs,
            tamper: handle,
            killers: Some(killers),
        }
    }

    /// The error of the server's next read.
    fn our_read_error(&mut self) -> Error {
        Error::from_io(
            self.ours
                .read(&mut [0u8; 64])
                .expect_err("the server read a tampered record without an error"),
        )
    }

    /// The error of the hostile client's next read (the server's alert).
    fn their_read_error(&mut self) -> Error {
        Error::from_io(
            self.theirs
                .read(&mut [0u8; 64])
                .expect_err("the server's alert should end the client's session"),
        )
    }
}
