//! The in-memory `Read + Write` that native-tls runs over: core's records in,
//! ciphertext out. An empty input reads as `WouldBlock`, never as EOF.
//!
//! The buffers are shared with the session: native-tls drops its stream when a
//! handshake fails, and the alert OpenSSL queued must still reach the peer.

use std::io::{self, Read, Write};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

/// Ciphertext in both directions.
#[derive(Debug, Default)]
pub(crate) struct Buffers {
    incoming: Vec<u8>,
    read_pos: usize,
    pub(crate) outgoing: Vec<u8>,
}

/// A handle on shared [`Buffers`]; native-tls owns one, the session another.
#[derive(Debug, Default, Clone)]
pub(crate) struct MemoryIo(Arc<Mutex<Buffers>>);

impl MemoryIo {
    pub(crate) fn lock(&self) -> MutexGuard<'_, Buffers> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Octets fed and not read by the library yet.
    pub(crate) fn pending_input(&self) -> usize {
        let b = self.lock();
        b.incoming.len() - b.read_pos
    }

    /// Appends a record from the peer.
    pub(crate) fn feed(&self, record: &[u8]) {
        let mut b = self.lock();
        if b.read_pos == b.incoming.len() {
            b.incoming.clear();
            b.read_pos = 0;
        }
        b.incoming.extend_from_slice(record);
    }
}

impl Read for MemoryIo {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let mut b = self.lock();
        let start = b.read_pos;
        let available = b.incoming.len() - start;
        if available == 0 {
            return Err(io::ErrorKind::WouldBlock.into());
        }
        let n = buf.len().min(available);
        buf[..n].copy_from_slice(&b.incoming[start..start + n]);
        b.read_pos += n;
        if b.read_pos == b.incoming.len() {
            // Drained: an idle connection keeps no buffer (as OpenSSL's own
            // SSL_MODE_RELEASE_BUFFERS does with its record buffers).
            b.incoming = Vec::new();
            b.read_pos = 0;
        }
        Ok(n)
    }
}

impl Write for MemoryIo {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        self.lock().outgoing.extend_from_slice(data);
        Ok(data.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}
