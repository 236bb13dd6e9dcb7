//! `Conn`'s own tests: the SPEC rules that live in core, checked over a scripted
//! fake engine and in-memory wires on a fake clock — no TLS library, no socket, no
//! sleeping; each runs in milliseconds.

use std::io::ErrorKind as IoKind;
use std::time::Duration;

use super::testing::fake::{self, client_hello, close_notify, data, record};
use super::testing::pair::{self, fake_tls, End, Pair};

use super::{Need, Phase, Progress};
use crate::{ErrorKind, RetryPolicy, Side};

#[test]
fn handshake_then_data_both_ways() {
    let mut pair = Pair::established();
    assert_eq!(pair.client.phase(), Phase::Open);
    assert_eq!(pair.server.phase(), Phase::Open);
    pair.send(End::Client, b"ping");
    assert_eq!(pair.read_now(End::Server, 64).unwrap().unwrap(), b"ping");
    pair.send(End::Server, b"pong");
    assert_eq!(pair.read_now(End::Client, 64).unwrap().unwrap(), b"pong");
}

/// REC-1: close_notify is a clean end of the stream, again and again.
#[test]
fn rec_1_close_notify_is_a_clean_eof_repeatedly() {
    let mut pair = Pair::established();
    pair.to_client.bytes.extend(close_notify());
    for _ in 0..3 {
        assert_eq!(pair.read_now(End::Client, 16).unwrap().unwrap(), b"");
    }
}

/// REC-2: EOF without close_notify after the handshake is an error, not Ok(0).
#[test]
fn rec_2_eof_without_close_notify_is_truncation() {
    let mut pair = Pair::established();
    pair.to_client.bytes.extend(data(b"partial"));
    pair.to_client.closed = true;
    assert_eq!(pair.read_now(End::Client, 64).unwrap().unwrap(), b"partial");
    let err = pair.read_now(End::Client, 64).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Syscall);
    assert_eq!(err.io_kind(), IoKind::UnexpectedEof);
    // Sticky: the next read says it again (SPEC REC-8).
    let again = pair.read_now(End::Client, 64).unwrap_err();
    assert_eq!(again.io_kind(), IoKind::UnexpectedEof);
}

/// REC-2 inside a record: EOF in the middle of one says so.
#[test]
fn rec_2_eof_inside_a_record() {
    let mut pair = Pair::established();
    let whole = data(b"cut short");
    pair.to_client.bytes.extend(&whole[..7]);
    pair.to_client.closed = true;
    let err = pair.read_now(End::Client, 64).unwrap_err();
    assert!(err.to_string().contains("inside a record"), "{err}");
}

/// DETACH-9: octets after the peer's close_notify, even in the same segment, stay in
/// core's buffer and are plaintext after detach.
#[test]
fn detach_9_octets_after_close_notify_are_plaintext() {
    let mut pair = Pair::established();
    let mut segment = data(b"last words");
    segment.extend(close_notify());
    segment.extend(b"EHLO plain\r\n");
    pair.to_client.bytes.extend(segment);
    let policy = RetryPolicy::default();
    let now = pair.clock.now();
    assert!(pair
        .client
        .start_detach(Some(policy), now, b"already".to_vec())
        .unwrap()
        .is_none());
    assert_eq!(pair.client.phase(), Phase::Detaching);
    let mut detached = None;
    for _ in 0..10 {
        detached = pair.step(End::Client, |c, now| c.detach_step(now)).unwrap();
        if detached.is_some() {
            break;
        }
    }
    let detached = detached.expect("detach finishes");
    assert!(detached.peer_closed);
    assert_eq!(detached.unread_application_data, b"alreadylast words");
    assert_eq!(pair.client.phase(), Phase::Plain);
    assert_eq!(pair.client.buffered(), b"EHLO plain\r\n");
    // Our close_notify went out.
    let sent: Vec<u8> = pair.to_server.bytes.drain(..).collect();
    assert!(sent.ends_with(&close_notify()), "{sent:?}");
}

/// STARTTLS-2: octets buffered before attach are the start of the peer's TLS stream;
/// injected plaintext fails the handshake instead of becoming application data.
#[test]
fn starttls_2_buffered_plaintext_is_never_application_data() {
    let mut pair = Pair::plain();
    pair.to_server
        .bytes
        .extend(b"STARTTLS\r\nEHLO injected\r\n");
    pair.server.receive_from(&mut pair.to_server).unwrap();
    pair.server.consume(b"STARTTLS\r\n".len());
    pair.server.attach(fake_tls(Side::Server, None));
    let err = pair
        .step(End::Server, |c, now| c.handshake(now))
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Failure);
    assert!(err.to_string().contains("does not speak TLS"), "{err}");
}

/// STARTTLS-3: a ClientHello that arrived with the STARTTLS reply is used.
#[test]
fn starttls_3_buffered_client_hello_is_used() {
    let mut pair = Pair::plain();
    pair.to_server.bytes.extend(b"STARTTLS\r\n");
    pair.to_server.bytes.extend(client_hello());
    pair.server.receive_from(&mut pair.to_server).unwrap();
    pair.server.consume(b"STARTTLS\r\n".len());
    pair.server.attach(fake_tls(Side::Server, None));
    // No read needed: the buffered ClientHello is answered at once.
    assert_eq!(
        pair.step(End::Server, |c, now| c.handshake(now)).unwrap(),
        None
    );
    let answer: Vec<u8> = pair.to_client.bytes.drain(..).collect();
    assert_eq!(answer, record(22, b"SH"));
}

/// SEC-4, SEC-5: an impossible header fails at once, before its body arrives.
#[test]
fn sec_5_oversized_record_fails_at_the_header() {
    let mut pair = Pair::established();
    pair.to_client.bytes.extend([23, 3, 3, 0xFF, 0xFF]);
    let err = pair.read_now(End::Client, 64).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Failure);
    // The header alone went to the session, which refused it with its alert (REL-7).
    assert_eq!(err.alert(), Some(crate::Alert::RecordOverflow), "{err}");
}

/// HS-3: a silent peer; the connection asks to be woken at the deadline and fails
/// with HandshakeTimeout there, not before.
#[test]
fn hs_3_silent_peer_times_out_at_the_deadline() {
    let mut pair = Pair::plain();
    pair.client
        .attach(fake_tls(Side::Client, Some(Duration::from_secs(2))));
    let mut deadline = None;
    for _ in 0..20 {
        match pair.step(End::Client, |c, now| c.handshake(now)) {
            Ok(None) => {}
            Ok(Some(())) => panic!("no handshake without a peer"),
            Err(err) => {
                assert_eq!(err.kind(), ErrorKind::HandshakeTimeout);
                assert_eq!(pair.clock.elapsed(), Duration::from_secs(2));
                return;
            }
        }
        deadline = deadline.or(pair.client.poll_timeout());
        assert_eq!(pair.client.poll_timeout(), deadline, "one deadline");
        pair.clock.advance_to(deadline.expect("a wake-up"));
    }
    panic!("no HandshakeTimeout");
}

/// HS-1: the default deadline, 30 s where the transport can take deadlines, makes a
/// silent peer fail the handshake at 30 s of the fake clock.
#[test]
fn hs_1_default_deadline_ends_a_silent_handshake_at_30_s() {
    let default = crate::HandshakeTimeout::Default.resolve(true).unwrap();
    let mut pair = Pair::plain();
    pair.client.attach(fake_tls(Side::Client, default));
    for _ in 0..10 {
        match pair.step(End::Client, |c, now| c.handshake(now)) {
            Ok(_) => {}
            Err(err) => {
                assert_eq!(err.kind(), ErrorKind::HandshakeTimeout);
                assert_eq!(pair.clock.elapsed(), Duration::from_secs(30));
                return;
            }
        }
        if let Some(wake) = pair.client.poll_timeout() {
            pair.clock.advance_to(wake);
        }
    }
    panic!("the default deadline never ran out");
}

/// SEC-6: a peer trickling one octet per 100 ms cannot outlast the deadline.
#[test]
fn sec_6_trickling_peer_cannot_outlast_the_deadline() {
    let mut pair = Pair::plain();
    pair.server
        .attach(fake_tls(Side::Server, Some(Duration::from_secs(1))));
    let hello = client_hello();
    let mut slow = std::iter::repeat(hello.iter().copied()).flatten();
    for _ in 0..100 {
        pair.to_server.bytes.push_back(slow.next().unwrap());
        match pair.step(End::Server, |c, now| c.handshake(now)) {
            Ok(_) => {}
            Err(err) => {
                assert_eq!(err.kind(), ErrorKind::HandshakeTimeout);
                assert!(pair.clock.elapsed() <= Duration::from_millis(1100));
                return;
            }
        }
        pair.clock.advance(Duration::from_millis(100));
    }
    panic!("the trickling peer outlasted the deadline");
}

/// DETACH-4/5: the retry policy — checks at once, after 1 ms, then `interval` apart;
/// failure after 2 + extra_attempts checks; calling early makes no check.
#[test]
fn retry_policy_checks_are_spaced_in_time() {
    let mut pair = Pair::established();
    let policy = RetryPolicy {
        extra_attempts: 3,
        interval: Duration::from_millis(100),
    };
    let now = pair.clock.now();
    assert!(pair
        .client
        .start_detach(Some(policy), now, Vec::new())
        .unwrap()
        .is_none());
    let mut calls = 0;
    loop {
        calls += 1;
        assert!(calls < 200, "detach never ended");
        match pair.step(End::Client, |c, now| c.detach_step(now)) {
            Ok(None) => {}
            Ok(Some(_)) => panic!("no close_notify came"),
            Err(err) => {
                assert_eq!(err.kind(), ErrorKind::Failure);
                assert!(err.to_string().contains("5 checks"), "{err}");
                break;
            }
        }
        // Every third call comes back early, as after an injected WouldBlock.
        if calls % 3 != 0 {
            if let Some(next) = pair.client.poll_timeout() {
                pair.clock.advance_to(next);
            }
        }
    }
    // 1 ms + 3 × 100 ms after the start, whatever the early calls.
    assert_eq!(pair.clock.elapsed(), Duration::from_millis(301));
    assert_eq!(pair.client.phase(), Phase::Plain);
}

/// DETACH-4: a close_notify arriving between checks ends the detach at once.
#[test]
fn detach_succeeds_when_the_peer_answers() {
    let mut pair = Pair::established();
    let now = pair.clock.now();
    pair.client
        .start_detach(Some(RetryPolicy::default()), now, Vec::new())
        .unwrap();
    assert!(pair
        .step(End::Client, |c, now| c.detach_step(now))
        .unwrap()
        .is_none());
    pair.to_client.bytes.extend(close_notify());
    let mut done = None;
    for _ in 0..5 {
        done = pair.step(End::Client, |c, now| c.detach_step(now)).unwrap();
        if done.is_some() {
            break;
        }
    }
    assert!(done.expect("detached").peer_closed);
    assert_eq!(pair.clock.elapsed(), Duration::ZERO);
}

/// STREAM-9: nothing is lost when I/O would block at any point: a handshake over
/// wires that carry one octet per read and per write, driven only by "call again".
#[test]
fn stream_9_every_step_resumes_after_would_block() {
    let mut pair = Pair::attached();
    for wire in [&mut pair.to_client, &mut pair.to_server] {
        wire.max_read = 1;
        wire.max_write = 1;
    }
    let (mut client_done, mut server_done) = (false, false);
    for _ in 0..2000 {
        if !client_done {
            client_done = pair
                .step(End::Client, |c, now| c.handshake(now))
                .unwrap()
                .is_some();
        }
        if !server_done {
            server_done = pair
                .step(End::Server, |c, now| c.handshake(now))
                .unwrap()
                .is_some();
        }
        if client_done && server_done {
            break;
        }
    }
    assert!(client_done && server_done, "handshake did not finish");
    pair.send(End::Client, b"one octet at a time");
    let mut got = Vec::new();
    for _ in 0..200 {
        if let Some(chunk) = pair.read_now(End::Server, 64).unwrap() {
            got.extend(chunk);
        }
        if got.len() == 19 {
            break;
        }
    }
    assert_eq!(got, b"one octet at a time");
}

/// STREAM-9: pending output is never overtaken: a write waits until what the
/// transport did not take went out.
#[test]
fn stream_9_output_is_written_in_order() {
    let mut pair = Pair::established();
    let now = pair.clock.now();
    pair.client.write_buffered(b"first").unwrap();
    let mut one = pair::Wire {
        max_write: 3,
        ..pair::Wire::default()
    };
    assert_eq!(pair.client.send_to(&mut one).unwrap(), 3);
    assert_eq!(
        pair.client.writable(now).unwrap(),
        Progress::Blocked(Need::Write)
    );
    while pair.client.send_to(&mut one).unwrap() > 0 {}
    assert_eq!(pair.client.writable(now).unwrap(), Progress::Done(()));
    let sent: Vec<u8> = one.bytes.into_iter().collect();
    assert_eq!(sent, data(b"first"));
}

/// A fatal error is sticky and no close_notify follows it (DETACH-12, REC-8).
#[test]
fn detach_12_after_a_fatal_error() {
    let mut pair = Pair::established();
    pair.to_client.bytes.extend(record(22, b"??"));
    let err = pair.read_now(End::Client, 16).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Failure);
    let now = pair.clock.now();
    let again = pair
        .client
        .start_detach(Some(RetryPolicy::default()), now, Vec::new())
        .unwrap_err();
    assert_eq!(again.kind(), ErrorKind::Failure);
    assert_eq!(again.operation(), Some("detach"));
    assert_eq!(pair.client.phase(), Phase::Plain);
}

/// SNI-11: a server session without identity has the first ClientHello refused by
/// core, whatever the engine: nothing reaches it, a clear-text handshake_failure
/// goes out, the server's error is X509Lookup and the client's a failure.
#[test]
fn sni_11_server_without_identity_is_refused_by_core() {
    let mut pair = Pair::plain();
    pair.client.attach(pair::fake_tls(Side::Client, None));
    pair.server.attach(pair::fake_tls_of(
        &fake::FAKE_WITHOUT_IDENTITY,
        Side::Server,
        None,
    ));
    let err = pair
        .handshake_both()
        .expect_err("a server without identity");
    assert_eq!(err.kind(), ErrorKind::X509Lookup, "{err}");
    assert_eq!(err.alert(), Some(crate::Alert::HandshakeFailure));
    // The alert waits to go out (the shells send it after a failure), in clear
    // text, and the client fails on it.
    while pair.server.send_to(&mut pair.to_client).unwrap() > 0 {}
    assert!(pair
        .to_client
        .bytes
        .iter()
        .eq([21, 3, 3, 0, 2, 2, 40].iter()));
    let mut client_failed = None;
    for _ in 0..10 {
        if let Err(e) = pair.step(End::Client, |c, now| c.handshake(now)) {
            client_failed = Some(e);
            break;
        }
    }
    let client_err = client_failed.expect("the client learns of the refusal");
    assert!(client_err.kind().is_failure(), "{client_err}");
}

/// SNI-10: a server that chooses its identity when core hands it the SNI (after the
/// whole ClientHello) and finds none fails with X509Lookup, and core answers the
/// client with a clear-text handshake_failure.
#[test]
fn sni_10_a_choice_by_name_that_fails_is_refused_by_core() {
    let mut pair = Pair::plain();
    pair.client.attach(pair::fake_tls(Side::Client, None));
    pair.server.attach(pair::fake_tls_of(
        &fake::FAKE_NO_NAME_MATCHES,
        Side::Server,
        None,
    ));
    let err = pair.handshake_both().expect_err("no identity for the name");
    assert_eq!(err.kind(), ErrorKind::X509Lookup, "{err}");
    assert_eq!(err.alert(), Some(crate::Alert::HandshakeFailure));
    while pair.server.send_to(&mut pair.to_client).unwrap() > 0 {}
    assert!(pair
        .to_client
        .bytes
        .iter()
        .eq([21, 3, 3, 0, 2, 2, 40].iter()));
}
