//! Fault injection (SPEC REL-1): a transport that returns `Interrupted` and short
//! reads and writes at seeded random points — and, in non-blocking mode, `WouldBlock`
//! too — so that every case also runs through I/O that a real network, a signal or a
//! non-blocking socket produces. Faults take no time; the stream must lose nothing and
//! keep every outcome.

use std::cell::Cell;
use std::fmt;
use std::io::{self, Read, Write};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use unitls_core::Transport;

use crate::harness::BoxTransport;

/// How faults are injected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FaultMode {
    /// `Interrupted` and short reads and writes; the transport stays blocking.
    Blocking,
    /// The same plus `WouldBlock`; the transport says it is non-blocking, and the
    /// cases' I/O helpers call again (SPEC STREAM-9).
    NonBlocking,
}

/// Faults injected by every [`FaultyTransport`] of the process.
static INJECTED: AtomicU64 = AtomicU64::new(0);

/// How many faults every [`FaultyTransport`] of the process injected so far.
pub fn injected_total() -> u64 {
    INJECTED.load(Ordering::Relaxed)
}

thread_local! {
    static MODE: Cell<Option<(FaultMode, u64)>> = const { Cell::new(None) };
}

/// The fault mode of the case running on this thread and a fresh seed for one more
/// stream (the harness sets the mode; [`spawn`](crate::harness::spawn) carries it to
/// the case's peer threads). Seeds follow from the case's, so a run is repeatable as
/// far as thread scheduling allows.
pub(crate) fn current() -> Option<(FaultMode, u64)> {
    MODE.with(|m| {
        let (mode, seed) = m.get()?;
        m.set(Some((mode, mix(seed))));
        Some((mode, seed))
    })
}

/// The mode and a seed for a child thread of the case.
pub(crate) fn for_child() -> Option<(FaultMode, u64)> {
    current().map(|(mode, seed)| (mode, mix(seed ^ 0xC41D)))
}

/// Sets this thread's fault mode and seed.
pub(crate) fn set_current(mode: Option<(FaultMode, u64)>) {
    MODE.with(|m| m.set(mode));
}

/// Runs `make` with no fault injection on this thread (for a stream a case needs
/// blocking and clean whatever the run), then puts the run's mode back.
pub(crate) fn without<R>(make: impl FnOnce() -> R) -> R {
    let saved = MODE.with(|m| m.replace(None));
    let made = make();
    MODE.with(|m| m.set(saved));
    made
}

/// The next seed in a sequence (splitmix64).
fn mix(seed: u64) -> u64 {
    let mut z = seed.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// A transport wrapper injecting faults at points drawn from a seeded generator.
pub struct FaultyTransport {
    inner: BoxTransport,
    mode: FaultMode,
    seed: u64,
    state: u64,
    injected: u64,
}

impl fmt::Debug for FaultyTransport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FaultyTransport")
            .field("mode", &self.mode)
            .field("seed", &self.seed)
            .field("injected", &self.injected)
            .finish()
    }
}

/// What one call gets.
enum Fault {
    None,
    Interrupted,
    WouldBlock,
    Short,
}

impl FaultyTransport {
    /// Wraps `inner`; the same seed gives the same faults for the same calls.
    pub fn new(inner: BoxTransport, mode: FaultMode, seed: u64) -> FaultyTransport {
        FaultyTransport {
            inner,
            mode,
            seed,
            state: seed | 1,
            injected: 0,
        }
    }

    /// How many faults were injected so far.
    pub fn injected(&self) -> u64 {
        self.injected
    }

    /// xorshift64*: small, fast, good enough to scatter faults.
    fn next(&mut self) -> u64 {
        let mut x = self.state;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.state = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn roll(&mut self) -> Fault {
        let fault = match self.next() % 8 {
            0 => Fault::Interrupted,
            1 if self.mode == FaultMode::NonBlocking => Fault::WouldBlock,
            2 | 3 => Fault::Short,
            _ => Fault::None,
        };
        if !matches!(fault, Fault::None) {
            self.injected += 1;
            INJECTED.fetch_add(1, Ordering::Relaxed);
        }
        fault
    }

    /// A length in `1..=len` for a short read or write.
    fn shorten(&mut self, len: usize) -> usize {
        if len <= 1 {
            return len;
        }
        1 + (self.next() as usize) % (len - 1)
    }
}

impl Read for FaultyTransport {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self.roll() {
            Fault::Interrupted => Err(io::ErrorKind::Interrupted.into()),
            Fault::WouldBlock => Err(io::ErrorKind::WouldBlock.into()),
            Fault::Short => {
                let n = self.shorten(buf.len());
                self.inner.read(&mut buf[..n])
            }
            Fault::None => self.inner.read(buf),
        }
    }
}

impl Write for FaultyTransport {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        match self.roll() {
            Fault::Interrupted => Err(io::ErrorKind::Interrupted.into()),
            Fault::WouldBlock => Err(io::ErrorKind::WouldBlock.into()),
            Fault::Short => {
                let n = self.shorten(data.len());
                self.inner.write(&data[..n])
            }
            Fault::None => self.inner.write(data),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

impl Transport for FaultyTransport {
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
        self.mode == FaultMode::NonBlocking || self.inner.is_nonblocking()
    }
    fn shutdown_write(&mut self) -> io::Result<()> {
        self.inner.shutdown_write()
    }
    fn close(&mut self) -> io::Result<()> {
        self.inner.close()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::harness::bounded;

    /// The harness's case streams really go through the injector, and the helper
    /// that calls again loses and repeats nothing.
    #[test]
    fn case_streams_get_faults_and_lose_nothing() {
        set_current(Some((FaultMode::NonBlocking, 42)));
        let before = injected_total();
        let (a, b) = unitls_core::duplex();
        let (mut client, mut server) = (bounded(Box::new(a)), bounded(Box::new(b)));
        let message: Vec<u8> = (0..=255u8).cycle().take(65_536).collect();
        for chunk in message.chunks(1024) {
            client.write_all(chunk).expect("write through faults");
        }
        let mut got = vec![0u8; message.len()];
        server.read_exact(&mut got).expect("read through faults");
        assert_eq!(got, message);
        assert!(injected_total() > before + 5, "faults were injected");
        set_current(None);
    }

    #[test]
    fn faults_are_injected_and_no_octet_is_lost_or_repeated() {
        let (a, b) = unitls_core::duplex();
        let mut writer = FaultyTransport::new(Box::new(a), FaultMode::NonBlocking, 7);
        let mut reader = FaultyTransport::new(Box::new(b), FaultMode::NonBlocking, 11);
        let message: Vec<u8> = (0..=255u8).cycle().take(10_000).collect();
        let mut sent = 0;
        for _ in 0..100_000 {
            if sent == message.len() {
                break;
            }
            let end = message.len().min(sent + 100);
            if let Ok(n) = writer.write(&message[sent..end]) {
                sent += n;
            }
        }
        assert_eq!(sent, message.len());
        let mut got = Vec::new();
        let mut buf = [0u8; 512];
        for _ in 0..100_000 {
            if got.len() == message.len() {
                break;
            }
            if let Ok(n) = reader.read(&mut buf) {
                got.extend_from_slice(&buf[..n]);
            }
        }
        assert_eq!(got, message);
        assert!(writer.injected() > 0 && reader.injected() > 0);
        assert!(reader.is_nonblocking());
    }
}
