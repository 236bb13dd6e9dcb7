//! SPEC REL-5's last row: one server — a thread per connection, one server context —
//! faced with 200 silent connections and every hostile peer of the table at once,
//! serves well-behaved clients meanwhile; each bad peer gets its error.

use std::io::{Read, Write};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use unitls_core::{AbstractContext, AttachOptions, CtxSpec, Error, ErrorKind, Side};

use super::peers::{reset_on_close, tcp_pair, Bad, Tamper, Tampering};
use crate::harness::{bounded, spawn, BoxTransport, Joiner};
use crate::Harness;

/// The connections opened and left silent.
const SILENT: usize = 200;

/// The server's handshake deadline: longer than the row cases' (opening 200
/// connections takes time on a busy machine, and the good clients must be served
/// before the first silent ones time out).
const DEADLINE: Duration = Duration::from_secs(2);

/// The well-behaved clients served while the hostile peers misbehave.
const GOOD: usize = 3;

/// What each well-behaved client sends, and gets back.
const GOOD_MESSAGE: &[u8; 32] = b"served despite the hostile peers";

/// What the server made of one connection.
#[derive(Debug)]
enum Served {
    /// The handshake failed.
    Refused(Error),
    /// The handshake completed, then the client closed cleanly after this many
    /// octets, all echoed.
    Echoed(usize),
    /// The handshake completed, then a read or write failed.
    Broke(Error),
}

/// The server's work on one connection: attach with [`DEADLINE`], then echo until
/// the client closes. `pending` counts the handshakes under way.
fn serve_one(end: BoxTransport, ctx: Arc<AbstractContext>, pending: &AtomicUsize) -> Served {
    let mut stream = bounded(end);
    let options = AttachOptions::server()
        .ctx(CtxSpec::Abstract(ctx))
        .side(Side::Server)
        .handshake_timeout(DEADLINE);
    let attached = stream.attach_ssl(options);
    pending.fetch_sub(1, Ordering::SeqCst);
    if let Err(err) = attached {
        return Served::Refused(err);
    }
    let (mut total, mut buf) = (0, [0u8; 1024]);
    loop {
        match stream.read(&mut buf) {
            Ok(0) => {
                let _ = stream.close();
                return Served::Echoed(total);
            }
            Ok(n) => {
                if let Err(err) = stream.write_all(&buf[..n]) {
                    return Served::Broke(Error::from_io(err));
                }
                total += n;
            }
            Err(err) => return Served::Broke(Error::from_io(err)),
        }
    }
}

/// A hostile peer after a valid handshake: what it does to its next record.
#[derive(Debug, Clone, Copy)]
enum AfterHandshake {
    Garbage,
    Truncated,
    Oversized,
    Reset,
}

/// Whether the server's result for a bad peer is a failure that `check` accepts.
fn refused_with(served: &Served, check: fn(&Error) -> bool) -> bool {
    match served {
        Served::Refused(err) | Served::Broke(err) => check(err),
        Served::Echoed(_) => false,
    }
}

/// What the server must answer `bad` with (the row cases' expectations).
fn refusal(bad: Bad) -> fn(&Error) -> bool {
    match bad {
        Bad::RandomOctets(_) | Bad::Oversized => is_failure,
        Bad::Sslv2Hello | Bad::LegacyClientHello(_) | Bad::LegacyServerHello(_) => is_mismatch,
        Bad::TruncatedThenEof => is_eof,
        Bad::Trickle | Bad::SilentMidHandshake => is_handshake_timeout,
    }
}

impl AfterHandshake {
    /// What the server's read must fail with.
    fn refusal(self) -> fn(&Error) -> bool {
        match self {
            AfterHandshake::Garbage | AfterHandshake::Oversized => is_failure,
            AfterHandshake::Truncated => is_eof,
            AfterHandshake::Reset => is_reset,
        }
    }
}

fn is_failure(err: &Error) -> bool {
    err.kind() == ErrorKind::Failure
}

fn is_mismatch(err: &Error) -> bool {
    err.kind() == ErrorKind::VersionOrCipherMismatch
}

fn is_eof(err: &Error) -> bool {
    err.kind() == ErrorKind::Syscall && err.io_kind() == std::io::ErrorKind::UnexpectedEof
}

fn is_reset(err: &Error) -> bool {
    err.kind() == ErrorKind::Syscall && err.io_kind() == std::io::ErrorKind::ConnectionReset
}

fn is_handshake_timeout(err: &Error) -> bool {
    err.kind() == ErrorKind::HandshakeTimeout
}

/// REL-5, HS-1: 200 connections opened and left silent, and one of each hostile peer
/// of the table (random octets, legacy hellos, a truncated record, an oversized one,
/// a trickle, silence mid-handshake, garbage, truncation, an oversized header and a
/// reset after a valid handshake), all at one server; meanwhile well-behaved clients
/// complete their handshakes and echoes before the silent connections' deadline has
/// passed for all of them. Then each bad peer has its error: every silent one
/// HandshakeTimeout.
pub fn rel_5_server_keeps_serving(h: &Harness) {
    crate::harness::enough_open_files(8 * SILENT as u64);
    let ctx = h.server_ctx();
    let pending = Arc::new(AtomicUsize::new(0));
    let stop = Arc::new(AtomicBool::new(false));
    let server = |end: BoxTransport| -> Joiner<Served> {
        let (ctx, pending) = (Arc::clone(&ctx), Arc::clone(&pending));
        pending.fetch_add(1, Ordering::SeqCst);
        spawn(move || serve_one(end, ctx, &pending))
    };

    // The silent connections: raw ends held open, nothing sent.
    let mut silent_ends = Vec::with_capacity(SILENT);
    let mut silent = Vec::with_capacity(SILENT);
    for _ in 0..SILENT {
        let (client_end, server_end, _killers) = h.pair();
        silent_ends.push(client_end);
        silent.push(server(server_end));
    }

    // The hostile peers before any handshake, each played on its own thread.
    let before = [
        Bad::RandomOctets(0x5eed_00aa),
        Bad::Sslv2Hello,
        Bad::LegacyClientHello(1),
        Bad::LegacyClientHello(2),
        Bad::TruncatedThenEof,
        Bad::Oversized,
        Bad::Trickle,
        Bad::SilentMidHandshake,
    ];
    let mut hostile = Vec::new();
    for bad in before {
        let (client_end, server_end, _killers) = h.pair();
        let peer_stop = Arc::clone(&stop);
        let peer = spawn(move || {
            let mut raw = client_end;
            bad.play(&mut raw, &peer_stop);
            raw
        });
        hostile.push((
            format!("{bad:?}"),
            refusal(bad),
            server(server_end),
            Some(peer),
        ));
    }
    let (mut raw, server_end, killers) = tcp_pair(h);
    hostile.push((
        "a reset mid-hello".into(),
        is_reset,
        server(server_end),
        None,
    ));
    raw.write_all(&super::peers::legacy_client_hello(3)[..30])
        .expect("half a hello");
    reset_on_close(killers.client);
    drop(raw);

    // The hostile peers after a valid handshake.
    let mut after = Vec::new();
    for what in [
        AfterHandshake::Garbage,
        AfterHandshake::Truncated,
        AfterHandshake::Oversized,
        AfterHandshake::Reset,
    ] {
        let (client_end, server_end, killers) = match what {
            AfterHandshake::Reset => tcp_pair(h),
            _ => h.pair(),
        };
        let served = server(server_end);
        let client_opts = h.client_opts();
        let peer = spawn(move || {
            let (tamper, handle) = Tamper::new(client_end);
            let mut theirs = crate::faults::without(|| bounded(Box::new(tamper) as BoxTransport));
            theirs
                .attach_ssl(client_opts)
                .expect("the hostile client's valid handshake");
            handle.next(match what {
                AfterHandshake::Garbage => Tampering::Garble(0x9a4b_a6e3),
                AfterHandshake::Truncated => Tampering::HalfThenEof,
                AfterHandshake::Oversized => Tampering::Replace(vec![23, 3, 3, 0x48, 0x01, 1]),
                AfterHandshake::Reset => {
                    reset_on_close(killers.client);
                    Tampering::HalfThenDrop
                }
            });
            let _ = theirs.write_all(b"the next record is not what it seems");
            theirs
        });
        after.push((what, served, peer));
    }

    // Meanwhile, well-behaved clients are served.
    for i in 0..GOOD {
        let (client_end, server_end, _killers) = h.pair();
        let served = server(server_end);
        let mut client = bounded(client_end);
        client
            .attach_ssl(h.client_opts())
            .unwrap_or_else(|e| panic!("good client {i}: {e}"));
        client.write_all(GOOD_MESSAGE).expect("good client write");
        let mut echoed = [0u8; GOOD_MESSAGE.len()];
        client.read_exact(&mut echoed).expect("good client echo");
        assert_eq!(&echoed, GOOD_MESSAGE, "good client {i}: the echo");
        client.close().expect("close");
        match served.join() {
            Served::Echoed(n) if n == GOOD_MESSAGE.len() => {}
            other => panic!("good client {i}: the server gave {other:?}"),
        }
    }
    let still_pending = pending.load(Ordering::SeqCst);
    assert!(
        still_pending > 0,
        "the good clients were served only once every hostile handshake had ended"
    );

    // Every bad peer has its error.
    stop.store(true, Ordering::SeqCst);
    for (i, joiner) in silent.into_iter().enumerate() {
        match joiner.join() {
            Served::Refused(err) if err.kind() == ErrorKind::HandshakeTimeout => {}
            other => panic!("silent connection {i}: {other:?}"),
        }
    }
    drop(silent_ends);
    for (what, check, served, peer) in hostile {
        let served = served.join();
        assert!(
            refused_with(&served, check),
            "{what}: the server gave {served:?}"
        );
        drop(peer.map(Joiner::join));
    }
    for (what, served, peer) in after {
        let served = served.join();
        assert!(
            refused_with(&served, what.refusal()),
            "{what:?} after a valid handshake: the server gave {served:?}"
        );
        drop(peer.join());
    }
}
