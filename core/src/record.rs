//! TLS record framing and core's transport read buffer.
//!
//! Core owns the bytes read from the transport and hands the engine one whole record
//! at a time. That is what keeps the octets after a peer's close_notify (even in the
//! same segment) in core's hands, to come back as plaintext after detach (SPEC
//! DETACH-9), and what makes plaintext buffered before attach the start of the peer's
//! TLS stream rather than application data (SPEC STARTTLS-2).

use std::cell::RefCell;
use std::io::{self, Read};

use crate::{Error, ErrorKind, Result};

/// Length of a TLS record header: type, legacy version, length.
pub(crate) const HEADER_LEN: usize = 5;
/// Largest record body any TLS version allows: 2^14 + 2048 (RFC 5246 §6.2.3).
pub(crate) const MAX_BODY_LEN: usize = 16_384 + 2_048;
/// Largest whole record.
pub(crate) const MAX_RECORD_LEN: usize = HEADER_LEN + MAX_BODY_LEN;

/// The read buffer's size: four whole records (72 KiB, a socket buffer's worth), so
/// that one read from the transport brings several records and the partial record
/// left at the end is moved to the front about once per four records. Measured: a
/// one-record buffer costs 5-10 % of bulk throughput in the extra reads and moves.
/// Only a connection with octets buffered holds it (see `park_if_empty`).
pub(crate) const BUFFER_LEN: usize = 4 * MAX_RECORD_LEN;

/// Record content type: handshake.
pub(crate) const CONTENT_HANDSHAKE: u8 = 22;

/// A record header, checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct RecordHeader {
    /// Content type (20..=24).
    pub(crate) content_type: u8,
    /// Body length in octets.
    pub(crate) body_len: usize,
}

impl RecordHeader {
    /// Parses and checks the first five octets of a record.
    ///
    /// Anything that cannot be a TLS record — an HTTP request, random octets, a
    /// length over the largest record any version allows — is a `Failure` at once,
    /// without allocating the claimed size (SPEC SEC-4, SEC-5).
    pub(crate) fn parse(header: &[u8; HEADER_LEN]) -> Result<RecordHeader> {
        let content_type = header[0];
        if !(20..=24).contains(&content_type) || header[1] != 3 {
            return Err(not_tls(header));
        }
        let body_len = usize::from(u16::from_be_bytes([header[3], header[4]]));
        if body_len > MAX_BODY_LEN {
            return Err(Error::new(
                ErrorKind::Failure,
                format!("record of {body_len} octets exceeds the TLS maximum ({MAX_BODY_LEN})"),
            ));
        }
        Ok(RecordHeader {
            content_type,
            body_len,
        })
    }
}

/// Whether `sent` starts like an SSL 2.0-format ClientHello (a two-octet header with
/// the high bit set, then message type 1): what SSL 2.0/3.0-era clients send first.
pub(crate) fn is_sslv2_client_hello(sent: &[u8]) -> bool {
    matches!(sent, [first, _, 1, ..] if first & 0x80 != 0)
}

/// Whether `sent` starts with a TLS record header whose length is over the largest
/// any version allows (a TLS peer that is lying, or broken; not a non-TLS one).
pub(crate) fn is_oversized_header(sent: &[u8]) -> bool {
    match sent {
        [content_type, 3, _, hi, lo, ..] if (20..=24).contains(content_type) => {
            usize::from(u16::from_be_bytes([*hi, *lo])) > MAX_BODY_LEN
        }
        _ => false,
    }
}

/// A fatal `protocol_version` alert in clear text, for a peer refused before any
/// version was agreed (record version TLS 1.0, as clients expect before the hellos).
pub(crate) const PROTOCOL_VERSION_ALERT: [u8; 7] = [21, 3, 1, 0, 2, 2, 70];

/// A fatal `handshake_failure` alert in clear text (TLS 1.2 record framing), for a
/// server with no identity to present (SPEC SNI-11).
pub(crate) const HANDSHAKE_FAILURE_ALERT: [u8; 7] = [21, 3, 3, 0, 2, 2, 40];

/// How many octets of a non-TLS stream an error shows.
const PREVIEW_LEN: usize = 40;

/// The error for octets that cannot start a TLS record (SPEC SEC-4): what the peer
/// sent, as text when it is printable ("220 smtp.example.org ESMTP" is a plaintext
/// server, "GET / HTTP/1.1" an HTTP client), else as hex.
fn not_tls(sent: &[u8]) -> Error {
    let printable = sent
        .iter()
        .all(|&b| b.is_ascii_graphic() || b == b' ' || b == b'\r' || b == b'\n' || b == b'\t');
    let shown = if printable {
        let text = String::from_utf8_lossy(sent);
        format!("it sent {:?}", text.trim_end())
    } else {
        let hex: Vec<String> = sent.iter().take(8).map(|b| format!("{b:02x}")).collect();
        format!("record starts {}", hex.join(" "))
    };
    Error::new(
        ErrorKind::Failure,
        format!("the peer does not speak TLS ({shown}); is it a plaintext service, or one that expects STARTTLS first?"),
    )
}

/// Spare read buffers this thread parked, at most [`SPARE_MAX`].
///
/// A stream gives its buffer back whenever an operation leaves it empty, so an idle
/// connection holds none; the next read takes one from here instead of allocating
/// and zeroing a record's worth again. Only `unread()` octets are ever exposed, so a
/// recycled buffer's stale contents never are.
const SPARE_MAX: usize = 4;

thread_local! {
    static SPARE: RefCell<Vec<Vec<u8>>> = const { RefCell::new(Vec::new()) };
}

/// Core's transport read buffer: plaintext while the stream is plain, ciphertext
/// records while TLS is attached. Sized to [`BUFFER_LEN`]; taken on first use and
/// given back whenever an operation leaves it empty
/// ([`park_if_empty`](ReadBuffer::park_if_empty)), so an idle connection holds none.
#[derive(Debug, Default)]
pub(crate) struct ReadBuffer {
    buf: Vec<u8>,
    start: usize,
    end: usize,
}

impl ReadBuffer {
    /// The octets read from the transport and not consumed yet.
    pub(crate) fn unread(&self) -> &[u8] {
        &self.buf[self.start..self.end]
    }

    /// Whether no unread octets remain.
    pub(crate) fn is_empty(&self) -> bool {
        self.start == self.end
    }

    /// Marks `n` unread octets consumed.
    pub(crate) fn consume(&mut self, n: usize) {
        debug_assert!(n <= self.end - self.start);
        self.start += n;
        if self.start == self.end {
            self.start = 0;
            self.end = 0;
        }
    }

    /// Frees the allocation if nothing is buffered (an idle connection holds none).
    pub(crate) fn release_if_empty(&mut self) {
        if self.is_empty() {
            self.buf = Vec::new();
        }
    }

    /// Gives the allocation back to this thread's spare buffers if nothing is
    /// buffered; the next fill takes one back without allocating or zeroing, so a busy
    /// stream keeps reusing the same one.
    pub(crate) fn park_if_empty(&mut self) {
        if !self.is_empty() || self.buf.len() != BUFFER_LEN {
            return;
        }
        let buf = std::mem::take(&mut self.buf);
        let _ = SPARE.try_with(|spare| {
            let mut spare = spare.borrow_mut();
            if spare.len() < SPARE_MAX {
                spare.push(buf);
            }
        });
    }

    /// Makes room for a whole record: a parked buffer if this thread has one, a new
    /// one otherwise.
    fn ensure_capacity(&mut self) {
        if self.buf.len() >= BUFFER_LEN {
            return;
        }
        if self.buf.is_empty() {
            if let Ok(Some(parked)) = SPARE.try_with(|spare| spare.borrow_mut().pop()) {
                self.buf = parked;
                return;
            }
        }
        self.buf.resize(BUFFER_LEN, 0);
    }

    /// Takes every unread octet out of the buffer.
    pub(crate) fn take_all(&mut self) -> Vec<u8> {
        let out = self.unread().to_vec();
        self.start = 0;
        self.end = 0;
        self.buf = Vec::new();
        out
    }

    /// Reads once from `transport` into free space; `Ok(0)` is EOF.
    ///
    /// Makes room for a whole record first, so a record never needs more than the
    /// buffer holds.
    pub(crate) fn fill_from(&mut self, transport: &mut dyn Read) -> io::Result<usize> {
        self.ensure_capacity();
        if self.end == self.buf.len() {
            if self.start == 0 {
                // Cannot happen for records (each fits); plain callers consume first.
                return Err(io::Error::other("read buffer full"));
            }
            self.buf.copy_within(self.start..self.end, 0);
            self.end -= self.start;
            self.start = 0;
        }
        loop {
            match transport.read(&mut self.buf[self.end..]) {
                Ok(n) => {
                    self.end += n;
                    return Ok(n);
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            }
        }
    }

    /// The next whole record in the buffer, if one is there, with its header;
    /// an impossible header is an error at once.
    pub(crate) fn peek_record(&mut self) -> Result<Option<(RecordHeader, &[u8])>> {
        let unread = self.unread();
        let Some(header) = unread.first_chunk::<HEADER_LEN>() else {
            return Ok(None);
        };
        // A peer that does not speak TLS: show what it sent, as text when it is text.
        let header = RecordHeader::parse(header).map_err(|err| match unread[1] {
            3 => err,
            _ => not_tls(&unread[..unread.len().min(PREVIEW_LEN)]),
        })?;
        let total = HEADER_LEN + header.body_len;
        if unread.len() < total {
            // Make sure the rest fits behind it.
            if self.start + total > self.buf.len() && self.start > 0 {
                self.buf.copy_within(self.start..self.end, 0);
                self.end -= self.start;
                self.start = 0;
            }
            return Ok(None);
        }
        Ok(Some((header, &self.buf[self.start..self.start + total])))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(content_type: u8, body: &[u8]) -> Vec<u8> {
        let mut r = vec![content_type, 3, 3];
        r.extend_from_slice(&(body.len() as u16).to_be_bytes());
        r.extend_from_slice(body);
        r
    }

    #[test]
    fn whole_records_only_and_trailing_bytes_stay() {
        let mut wire = record(23, b"abc");
        wire.extend_from_slice(b"PLAIN");
        let mut buf = ReadBuffer::default();
        buf.fill_from(&mut &wire[..2]).unwrap();
        assert!(buf.peek_record().unwrap().is_none());
        buf.fill_from(&mut &wire[2..]).unwrap();
        let (header, rec) = buf.peek_record().unwrap().unwrap();
        assert_eq!(header.body_len, 3);
        let len = rec.len();
        buf.consume(len);
        assert_eq!(buf.unread(), b"PLAIN");
    }

    #[test]
    fn parked_buffers_are_reused_and_idle_buffers_hold_none() {
        let mut a = ReadBuffer::default();
        a.fill_from(&mut &b"abc"[..]).unwrap();
        a.park_if_empty();
        assert_eq!(a.unread(), b"abc", "not parked while octets wait");
        a.consume(3);
        a.park_if_empty();
        assert_eq!(a.buf.capacity(), 0, "an idle buffer holds no allocation");
        let mut b = ReadBuffer::default();
        b.fill_from(&mut &b"xy"[..]).unwrap();
        assert_eq!(b.unread(), b"xy");
        assert_eq!(b.buf.len(), BUFFER_LEN);
    }

    /// SPEC SEC-4: an HTTP request is refused from its first octets, and the error
    /// shows it as text.
    #[test]
    fn http_is_not_tls() {
        let mut buf = ReadBuffer::default();
        buf.fill_from(&mut &b"GET / HTTP/1.1\r\n"[..]).unwrap();
        let err = buf.peek_record().unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Failure);
        assert!(
            err.to_string().contains(r#"it sent "GET / HTTP/1.1""#),
            "{err}"
        );
    }

    /// A plaintext SMTP greeting shows as text; random octets as hex.
    #[test]
    fn non_tls_octets_are_shown_as_text_or_hex() {
        let mut buf = ReadBuffer::default();
        buf.fill_from(&mut &b"220 smtp.example.org ESMTP\r\n"[..])
            .unwrap();
        let err = buf.peek_record().unwrap_err().to_string();
        assert!(err.contains("220 smtp.example.org ESMTP"), "{err}");
        let mut buf = ReadBuffer::default();
        buf.fill_from(&mut &[0x80u8, 0x2e, 0x01, 0x03, 0x01, 0x00][..])
            .unwrap();
        let err = buf.peek_record().unwrap_err().to_string();
        assert!(err.contains("record starts 80 2e 01 03 01 00"), "{err}");
    }

    /// SPEC SEC-5: an oversized length is refused without allocating it.
    #[test]
    fn oversized_record_is_refused() {
        let mut buf = ReadBuffer::default();
        buf.fill_from(&mut &[23u8, 3, 3, 0xFF, 0xFF][..]).unwrap();
        assert_eq!(buf.peek_record().unwrap_err().kind(), ErrorKind::Failure);
    }
}
