//! The hostile peers of SPEC REL-5: what each writes on the wire, written once for the
//! row cases and for the server that serves them all at once.
//!
//! A peer that never completes a handshake plays on a raw transport ([`Bad::play`]).
//! One that first completes a valid handshake is a blocking unitls stream over a
//! [`Tamper`] transport, which replaces, cuts or garbles its next record on request.

use std::io::{self, Read, Write};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use unitls_core::Transport;

use crate::harness::{BoxTransport, Killer, Killers, TransportKind};
use crate::Harness;

/// A peer that misbehaves before any handshake completes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Bad {
    /// Random octets instead of a hello (seeded, so a failure repeats).
    RandomOctets(u64),
    /// An SSL 2.0-format ClientHello.
    Sslv2Hello,
    /// A ClientHello offering only TLS 1.0 (`1`) or TLS 1.1 (`2`), as such clients send.
    LegacyClientHello(u8),
    /// A ServerHello choosing TLS 1.0 (`1`) or TLS 1.1 (`2`), after reading the
    /// ClientHello.
    LegacyServerHello(u8),
    /// A record header claiming 200 octets, 60 of them, then end of stream.
    TruncatedThenEof,
    /// A record header longer than any TLS version allows, then a few octets.
    Oversized,
    /// The start of a hello, one octet a second.
    Trickle,
    /// The first 20 octets of a hello, then silence.
    SilentMidHandshake,
}

/// How long a trickling peer goes on at most (it stops sooner once told).
const TRICKLE_OCTETS: usize = 30;

impl Bad {
    /// Plays the peer on `raw` until it is done or `stop` is set; keeps the transport
    /// open (the caller drops it), except [`Bad::TruncatedThenEof`], which ends its
    /// write side. Write errors end the play: the other end may have hung up.
    pub(crate) fn play(self, raw: &mut BoxTransport, stop: &AtomicBool) {
        let _ = raw.set_read_timeout(Some(Duration::from_millis(200)));
        let _ = match self {
            Bad::RandomOctets(seed) => raw.write_all(&random_octets(seed, 64)),
            Bad::Sslv2Hello => raw.write_all(&SSLV2_CLIENT_HELLO),
            Bad::LegacyClientHello(minor) => raw.write_all(&legacy_client_hello(minor)),
            Bad::LegacyServerHello(minor) => {
                let _ = read_record(raw, stop);
                raw.write_all(&legacy_server_hello(minor))
            }
            Bad::TruncatedThenEof => {
                let mut octets = vec![22, 3, 1, 0, 200, 1, 0, 0, 196, 3, 3];
                octets.resize(5 + 60, 0x42);
                let _ = raw.write_all(&octets).and_then(|()| raw.flush());
                raw.shutdown_write()
            }
            Bad::Oversized => raw.write_all(&[22, 3, 3, 0x48, 0x01, 1, 0]),
            Bad::Trickle => {
                let hello = legacy_client_hello(3);
                for octet in hello.iter().take(TRICKLE_OCTETS) {
                    if stop.load(Ordering::SeqCst) || raw.write_all(&[*octet]).is_err() {
                        break;
                    }
                    sleep_unless(stop, Duration::from_secs(1));
                }
                Ok(())
            }
            Bad::SilentMidHandshake => raw.write_all(&legacy_client_hello(3)[..20]),
        };
        let _ = raw.flush();
    }
}

/// Sleeps `total`, waking early once `stop` is set.
fn sleep_unless(stop: &AtomicBool, total: Duration) {
    let until = Instant::now() + total;
    while !stop.load(Ordering::SeqCst) {
        let left = until.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return;
        }
        std::thread::sleep(left.min(Duration::from_millis(20)));
    }
}

/// Reads one record (the peer's hello) off `raw`, within ten seconds; `None` if the
/// stream ends first.
fn read_record(raw: &mut BoxTransport, stop: &AtomicBool) -> Option<Vec<u8>> {
    let until = Instant::now() + Duration::from_secs(10);
    let mut got = Vec::new();
    let mut buf = [0u8; 4096];
    while Instant::now() < until && !stop.load(Ordering::SeqCst) {
        if let [_, _, _, hi, lo, ..] = got[..] {
            if got.len() >= 5 + usize::from(u16::from_be_bytes([hi, lo])) {
                return Some(got);
            }
        }
        match raw.read(&mut buf) {
            Ok(0) => return None,
            Ok(n) => got.extend_from_slice(&buf[..n]),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e)
                if matches!(
                    e.kind(),
                    io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
                ) => {}
            Err(_) => return None,
        }
    }
    None
}

/// `len` pseudo-random octets from `seed` (xorshift) that cannot be mistaken for a
/// TLS record or an SSL 2.0 hello: the second octet is never 3 (a record's major
/// version) and the first has its high bit clear.
pub(crate) fn random_octets(seed: u64, len: usize) -> Vec<u8> {
    let mut state = seed | 1;
    let mut octets: Vec<u8> = (0..len)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state.to_be_bytes()[0]
        })
        .collect();
    octets[0] &= 0x7f;
    if octets[1] == 3 {
        octets[1] = 4;
    }
    octets
}

/// An SSL 2.0-format ClientHello (SSL 3.0 / TLS 1.0 era clients sent these first):
/// seven cipher specs, a 16-octet challenge.
pub(crate) const SSLV2_CLIENT_HELLO: [u8; 48] = [
    0x80, 0x2e, 0x01, 0x03, 0x01, 0x00, 0x15, 0x00, 0x00, 0x00, 0x10, // header
    0x01, 0x00, 0x80, 0x07, 0x00, 0xc0, 0x03, 0x00, 0x80, 0x00, 0x00, 0x39, 0x00, 0x00, 0x38, 0x00,
    0x00, 0x35, 0x00, 0x00, 0x33, // cipher specs
    0x5a, 0x5a, 0x5a, 0x5a, 0x5a, 0x5a, 0x5a, 0x5a, 0x5a, 0x5a, 0x5a, 0x5a, 0x5a, 0x5a, 0x5a,
    0x5a, // challenge
];

/// A handshake message in one record: `record_minor` is the record's version.
fn handshake_record(record_minor: u8, msg_type: u8, body: &[u8]) -> Vec<u8> {
    let len = u32::try_from(body.len()).expect("short body").to_be_bytes();
    let mut message = vec![msg_type, len[1], len[2], len[3]];
    message.extend_from_slice(body);
    let record_len = u16::try_from(message.len())
        .expect("one record")
        .to_be_bytes();
    let mut record = vec![22, 3, record_minor, record_len[0], record_len[1]];
    record.extend_from_slice(&message);
    record
}

/// A ClientHello of a client that speaks TLS 1.`minor - 1` at most (no
/// supported_versions extension, no extensions at all: what TLS 1.0 allows): RSA
/// key exchange with AES-CBC and 3DES, as such clients offered.
pub(crate) fn legacy_client_hello(minor: u8) -> Vec<u8> {
    let mut body = vec![3, minor];
    body.extend_from_slice(&[0x42; 32]); // random
    body.push(0); // session id
    body.extend_from_slice(&[0, 6, 0x00, 0x2f, 0x00, 0x35, 0x00, 0x0a]); // suites
    body.extend_from_slice(&[1, 0]); // null compression
    handshake_record(1, 1, &body)
}

/// A ServerHello choosing TLS 1.`minor - 1` and TLS_RSA_WITH_AES_128_CBC_SHA.
pub(crate) fn legacy_server_hello(minor: u8) -> Vec<u8> {
    let mut body = vec![3, minor];
    body.extend_from_slice(&[0x24; 32]); // random
    body.push(0); // session id
    body.extend_from_slice(&[0x00, 0x2f, 0]); // suite, compression
    handshake_record(minor, 2, &body)
}

/// What a [`Tamper`] does to the next record written through it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Tampering {
    /// Writes these octets instead.
    Replace(Vec<u8>),
    /// Keeps the header and replaces the body with random octets.
    Garble(u64),
    /// Writes its first half, then ends the write side (end of stream).
    HalfThenEof,
    /// Writes its first half, then drops the transport without a shutdown: with
    /// `SO_LINGER` 0 set on the socket, its last close sends a TCP reset.
    HalfThenDrop,
}

/// A transport that alters the next record written through it as told
/// ([`Tamper::handle`]); everything else passes through.
pub(crate) struct Tamper {
    inner: Option<BoxTransport>,
    next: Arc<Mutex<Option<Tampering>>>,
}

/// The switch of a [`Tamper`]: what to do to the next record.
#[derive(Clone)]
pub(crate) struct TamperHandle(Arc<Mutex<Option<Tampering>>>);

impl TamperHandle {
    /// Alters the next record written (one longer than a record header).
    pub(crate) fn next(&self, tampering: Tampering) {
        *self.0.lock().unwrap_or_else(PoisonError::into_inner) = Some(tampering);
    }
}

impl Tamper {
    /// `inner`, passed through until told otherwise.
    pub(crate) fn new(inner: BoxTransport) -> (Tamper, TamperHandle) {
        let next = Arc::new(Mutex::new(None));
        let handle = TamperHandle(Arc::clone(&next));
        (
            Tamper {
                inner: Some(inner),
                next,
            },
            handle,
        )
    }

    fn inner(&mut self) -> io::Result<&mut BoxTransport> {
        self.inner
            .as_mut()
            .ok_or_else(|| io::Error::new(io::ErrorKind::BrokenPipe, "dropped by the tamperer"))
    }
}

impl Read for Tamper {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.inner()?.read(buf)
    }
}

impl Write for Tamper {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        let tampering = match data.len() > 5 {
            true => self
                .next
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .take(),
            false => None,
        };
        let Some(tampering) = tampering else {
            return self.inner()?.write(data);
        };
        let half = &data[..data.len() / 2];
        match tampering {
            Tampering::Replace(octets) => self.inner()?.write_all(&octets)?,
            Tampering::Garble(seed) => {
                let mut garbled = data[..5].to_vec();
                garbled.extend_from_slice(&random_octets(seed, data.len() - 5));
                self.inner()?.write_all(&garbled)?;
            }
            Tampering::HalfThenEof => {
                let inner = self.inner()?;
                inner.write_all(half)?;
                inner.flush()?;
                inner.shutdown_write()?;
            }
            Tampering::HalfThenDrop => {
                let inner = self.inner()?;
                inner.write_all(half)?;
                inner.flush()?;
                self.inner = None;
            }
        }
        Ok(data.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        match self.inner.as_mut() {
            Some(inner) => inner.flush(),
            None => Ok(()), // what was written went before the drop
        }
    }
}

impl Transport for Tamper {
    fn supports_timeouts(&self) -> bool {
        self.inner.as_ref().is_some_and(|t| t.supports_timeouts())
    }
    fn set_read_timeout(&mut self, timeout: Option<Duration>) -> io::Result<()> {
        self.inner()?.set_read_timeout(timeout)
    }
    fn set_write_timeout(&mut self, timeout: Option<Duration>) -> io::Result<()> {
        self.inner()?.set_write_timeout(timeout)
    }
    fn read_timeout(&self) -> io::Result<Option<Duration>> {
        self.inner.as_ref().map_or(Ok(None), |t| t.read_timeout())
    }
    fn write_timeout(&self) -> io::Result<Option<Duration>> {
        self.inner.as_ref().map_or(Ok(None), |t| t.write_timeout())
    }
    fn is_nonblocking(&self) -> bool {
        self.inner.as_ref().is_some_and(|t| t.is_nonblocking())
    }
    fn shutdown_write(&mut self) -> io::Result<()> {
        self.inner()?.shutdown_write()
    }
    fn close(&mut self) -> io::Result<()> {
        self.inner()?.close()
    }
}

/// A pair over loopback TCP whatever the run's transport (a reset is TCP's): tokio
/// transports in an async run.
pub(crate) fn tcp_pair(h: &Harness) -> (BoxTransport, BoxTransport, Killers) {
    match &h.async_run {
        Some(run) => crate::tokio_bridge::pair(run, TransportKind::Tcp),
        None => Harness::pair_of(TransportKind::Tcp),
    }
}

/// Makes the next close of the socket behind `killer` send a TCP reset
/// (`SO_LINGER` 0), then closes the killer's own descriptor: the reset goes out once
/// the last descriptor of the socket is closed.
pub(crate) fn reset_on_close(killer: Killer) {
    let Killer::Tcp(socket) = killer else {
        panic!("a reset needs a TCP socket");
    };
    rustix::net::sockopt::set_socket_linger(&socket, Some(Duration::ZERO)).expect("SO_LINGER");
    drop(socket);
}
