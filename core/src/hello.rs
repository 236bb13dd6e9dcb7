//! Reading the clear-text ClientHello: the SNI a client sent is known to core on every
//! backend (SPEC SNI-9).

/// Collects the handshake octets of the first flight until the ClientHello is whole,
/// then extracts its server_name.
#[derive(Debug, Default)]
pub(crate) struct ClientHelloReader {
    handshake: Vec<u8>,
    done: bool,
    server_name: Option<String>,
    legacy_only: bool,
}

/// The ClientHello is at most this long for our purposes; anything longer is not
/// inspected (the engine decides about it).
const MAX_HELLO: usize = 1 << 16;

impl ClientHelloReader {
    /// Offers one whole record read from the client; only handshake records before
    /// the ClientHello is complete are looked at.
    pub(crate) fn observe(&mut self, content_type: u8, record: &[u8]) {
        if self.done || content_type != crate::record::CONTENT_HANDSHAKE {
            return;
        }
        let body = &record[crate::record::HEADER_LEN..];
        self.handshake.extend_from_slice(body);
        if self.handshake.len() < 4 {
            return;
        }
        let len = u32::from_be_bytes([0, self.handshake[1], self.handshake[2], self.handshake[3]]);
        let total = 4 + len as usize;
        if self.handshake[0] != 1 || total > MAX_HELLO {
            self.finish();
            return;
        }
        if self.handshake.len() >= total {
            self.server_name = parse_sni(&self.handshake[4..total]);
            self.legacy_only = offers_only_legacy(&self.handshake[4..total]);
            self.finish();
        }
    }

    fn finish(&mut self) {
        self.done = true;
        self.handshake = Vec::new();
    }

    /// Whether the whole ClientHello offers nothing from TLS 1.2 on: a legacy_version
    /// below 1.2 and no supported_versions extension naming 1.2 or later (a TLS 1.0 or
    /// 1.1 client, SPEC SEC-1).
    pub(crate) fn offers_only_legacy(&self) -> bool {
        self.legacy_only
    }

    /// Whether the ClientHello was read whole (or given up on).
    pub(crate) fn is_done(&self) -> bool {
        self.done
    }

    /// Whether any handshake record of the client was offered yet.
    pub(crate) fn started(&self) -> bool {
        self.done || !self.handshake.is_empty()
    }

    /// The host name the client sent, once the ClientHello was seen.
    pub(crate) fn server_name(&self) -> Option<&str> {
        self.server_name.as_deref()
    }
}

/// A cursor over a byte slice that never panics.
struct Cursor<'a>(&'a [u8]);

impl<'a> Cursor<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        if self.0.len() < n {
            return None;
        }
        let (head, tail) = self.0.split_at(n);
        self.0 = tail;
        Some(head)
    }
    fn u8(&mut self) -> Option<usize> {
        self.take(1).map(|b| usize::from(b[0]))
    }
    fn u16(&mut self) -> Option<usize> {
        self.take(2)
            .map(|b| usize::from(u16::from_be_bytes([b[0], b[1]])))
    }
    fn vec8(&mut self) -> Option<&'a [u8]> {
        let n = self.u8()?;
        self.take(n)
    }
    fn vec16(&mut self) -> Option<&'a [u8]> {
        let n = self.u16()?;
        self.take(n)
    }
}

/// Whether a ClientHello body offers only versions below TLS 1.2 (see
/// [`ClientHelloReader::offers_only_legacy`]); a body that cannot be read says no.
fn offers_only_legacy(body: &[u8]) -> bool {
    let mut c = Cursor(body);
    let Some(legacy_version) = c.u16() else {
        return false;
    };
    if legacy_version >= 0x0303 {
        return false;
    }
    let parsed = (|| {
        c.take(32)?; // random
        c.vec8()?; // legacy_session_id
        c.vec16()?; // cipher_suites
        c.vec8()?; // legacy_compression_methods
        if c.0.is_empty() {
            return Some(true); // no extensions at all (TLS 1.0 allows that)
        }
        let mut extensions = Cursor(c.vec16()?);
        while let Some(ext_type) = extensions.u16() {
            let data = extensions.vec16()?;
            if ext_type == SUPPORTED_VERSIONS {
                let mut versions = Cursor(Cursor(data).vec8()?);
                while let Some(version) = versions.u16() {
                    // GREASE values (0x?a?a) are not versions.
                    if version >= 0x0303 && version & 0x0f0f != 0x0a0a {
                        return Some(false);
                    }
                }
            }
        }
        Some(true)
    })();
    parsed.unwrap_or(false)
}

/// The supported_versions extension (RFC 8446 §4.2.1).
const SUPPORTED_VERSIONS: usize = 43;

/// The host_name entry of the server_name extension of a ClientHello body.
fn parse_sni(body: &[u8]) -> Option<String> {
    let mut c = Cursor(body);
    c.take(2 + 32)?; // legacy_version, random
    c.vec8()?; // legacy_session_id
    c.vec16()?; // cipher_suites
    c.vec8()?; // legacy_compression_methods
    let mut extensions = Cursor(c.vec16()?);
    while let Some(ext_type) = extensions.u16() {
        let data = extensions.vec16()?;
        if ext_type != 0 {
            continue;
        }
        let mut list = Cursor(Cursor(data).vec16()?);
        while let Some(name_type) = list.u8() {
            let name = list.vec16()?;
            if name_type == 0 {
                return String::from_utf8(name.to_vec()).ok();
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn client_hello(sni: Option<&str>) -> Vec<u8> {
        let mut body = vec![3, 3];
        body.extend_from_slice(&[7; 32]);
        body.push(0); // session id
        body.extend_from_slice(&[0, 2, 0x13, 0x01]);
        body.extend_from_slice(&[1, 0]);
        let mut exts = Vec::new();
        if let Some(name) = sni {
            let mut entry = vec![0];
            entry.extend_from_slice(&(name.len() as u16).to_be_bytes());
            entry.extend_from_slice(name.as_bytes());
            let mut list = (entry.len() as u16).to_be_bytes().to_vec();
            list.extend_from_slice(&entry);
            exts.extend_from_slice(&[0, 0]);
            exts.extend_from_slice(&(list.len() as u16).to_be_bytes());
            exts.extend_from_slice(&list);
        }
        body.extend_from_slice(&(exts.len() as u16).to_be_bytes());
        body.extend_from_slice(&exts);
        let mut hs = vec![1, 0];
        hs.extend_from_slice(&(body.len() as u16).to_be_bytes());
        hs.extend_from_slice(&body);
        hs
    }

    fn records(hs: &[u8], chunk: usize) -> Vec<Vec<u8>> {
        hs.chunks(chunk)
            .map(|c| {
                let mut r = vec![22, 3, 1];
                r.extend_from_slice(&(c.len() as u16).to_be_bytes());
                r.extend_from_slice(c);
                r
            })
            .collect()
    }

    #[test]
    fn finds_sni_even_when_fragmented() {
        for chunk in [1000, 7] {
            let mut reader = ClientHelloReader::default();
            for r in records(&client_hello(Some("example.org")), chunk) {
                reader.observe(22, &r);
            }
            assert_eq!(reader.server_name(), Some("example.org"));
        }
    }

    #[test]
    fn legacy_only_hellos_are_recognised() {
        let hello = |version: [u8; 2], extensions: &[u8]| {
            let mut body = version.to_vec();
            body.extend_from_slice(&[0; 32]);
            body.extend_from_slice(&[0, 0, 2, 0x00, 0x2f, 1, 0]);
            body.extend_from_slice(extensions);
            body
        };
        assert!(offers_only_legacy(&hello([3, 1], &[])));
        assert!(offers_only_legacy(&hello([3, 2], &[0, 4, 0, 0xff, 0, 0])));
        assert!(!offers_only_legacy(&hello([3, 3], &[])));
        // A TLS 1.3 client sends legacy_version 1.2; one that says 1.1 but offers 1.3
        // in supported_versions is not refused here.
        assert!(!offers_only_legacy(&hello(
            [3, 2],
            &[0, 7, 0, 43, 0, 3, 2, 3, 4]
        )));
        assert!(offers_only_legacy(&hello(
            [3, 2],
            &[0, 9, 0, 43, 0, 5, 4, 0x3a, 0x3a, 3, 2]
        )));
        assert!(!offers_only_legacy(&[3, 1, 0]), "a short body says no");
        assert!(!offers_only_legacy(&client_hello(Some("x"))[4..]));
    }

    #[test]
    fn no_sni_is_none_and_garbage_never_panics() {
        let mut reader = ClientHelloReader::default();
        for r in records(&client_hello(None), 1000) {
            reader.observe(22, &r);
        }
        assert_eq!(reader.server_name(), None);
        let mut reader = ClientHelloReader::default();
        reader.observe(22, &[22, 3, 1, 0, 6, 1, 0, 0, 2, 0xFF, 0xFF]);
        assert_eq!(reader.server_name(), None);
    }
}

/// Reads the clear-text ServerHello — incoming on a client, outgoing on a server — so
/// core knows the negotiated version and cipher suite on every backend, even one
/// whose API hides them (native-tls).
#[derive(Debug, Default)]
pub(crate) struct ServerHelloReader {
    raw: Vec<u8>,
    handshake: Vec<u8>,
    done: bool,
    pub(crate) version: Option<crate::ProtocolVersion>,
    pub(crate) cipher_suite: Option<crate::CipherSuite>,
}

/// The `random` of a HelloRetryRequest (RFC 8446 §4.1.3).
const HELLO_RETRY_RANDOM: [u8; 32] = [
    0xCF, 0x21, 0xAD, 0x74, 0xE5, 0x9A, 0x61, 0x11, 0xBE, 0x1D, 0x8C, 0x02, 0x1E, 0x65, 0xB8, 0x91,
    0xC2, 0xA2, 0x11, 0x16, 0x7A, 0xBB, 0x8C, 0x5E, 0x07, 0x9E, 0x09, 0xE2, 0xC8, 0xA8, 0x33, 0x9C,
];

impl ServerHelloReader {
    /// Whether the ServerHello was seen (or can no longer be).
    pub(crate) fn is_done(&self) -> bool {
        self.done
    }

    /// Offers octets as written to the wire (records may be split anywhere).
    pub(crate) fn observe_bytes(&mut self, bytes: &[u8]) {
        if self.done {
            return;
        }
        self.raw.extend_from_slice(bytes);
        while !self.done && self.raw.len() >= crate::record::HEADER_LEN {
            let len = usize::from(u16::from_be_bytes([self.raw[3], self.raw[4]]));
            let total = crate::record::HEADER_LEN + len;
            if self.raw.len() < total || total > crate::record::MAX_RECORD_LEN {
                if total > crate::record::MAX_RECORD_LEN {
                    self.done = true;
                }
                return;
            }
            let record: Vec<u8> = self.raw.drain(..total).collect();
            self.observe_record(record[0], &record);
        }
        if self.done {
            self.raw = Vec::new();
        }
    }

    /// Offers one whole record.
    pub(crate) fn observe_record(&mut self, content_type: u8, record: &[u8]) {
        if self.done {
            return;
        }
        match content_type {
            crate::record::CONTENT_HANDSHAKE => {}
            20 => return, // change_cipher_spec may precede nothing of interest
            _ => {
                self.done = true;
                return;
            }
        }
        self.handshake
            .extend_from_slice(&record[crate::record::HEADER_LEN..]);
        while self.handshake.len() >= 4 && !self.done {
            let len =
                u32::from_be_bytes([0, self.handshake[1], self.handshake[2], self.handshake[3]])
                    as usize;
            if self.handshake.len() < 4 + len {
                return;
            }
            let message: Vec<u8> = self.handshake.drain(..4 + len).collect();
            if message[0] != 2 {
                self.done = true;
                return;
            }
            self.parse(&message[4..]);
        }
    }

    fn parse(&mut self, body: &[u8]) {
        let mut c = Cursor(body);
        let parsed = (|| {
            let legacy = c.u16()?;
            let random = c.take(32)?;
            if random == HELLO_RETRY_RANDOM {
                return Some(false); // wait for the real ServerHello
            }
            c.vec8()?;
            let suite = c.u16()?;
            c.u8()?;
            let mut version = legacy;
            if let Some(extensions) = c.vec16() {
                let mut ext = Cursor(extensions);
                while let Some(kind) = ext.u16() {
                    let data = ext.vec16()?;
                    if kind == 43 && data.len() == 2 {
                        version = usize::from(u16::from_be_bytes([data[0], data[1]]));
                    }
                }
            }
            self.version = crate::ProtocolVersion::from_wire(version as u16);
            self.cipher_suite = Some(crate::CipherSuite(suite as u16));
            Some(true)
        })();
        if parsed != Some(false) {
            self.done = true;
            self.handshake = Vec::new();
        }
    }
}

#[cfg(test)]
mod server_hello_tests {
    use super::*;

    fn server_hello(version_ext: Option<u16>, random: [u8; 32]) -> Vec<u8> {
        let mut body = vec![3, 3];
        body.extend_from_slice(&random);
        body.push(0);
        body.extend_from_slice(&[0x13, 0x02, 0]);
        let mut exts = Vec::new();
        if let Some(v) = version_ext {
            exts.extend_from_slice(&[0, 43, 0, 2]);
            exts.extend_from_slice(&v.to_be_bytes());
        }
        body.extend_from_slice(&(exts.len() as u16).to_be_bytes());
        body.extend_from_slice(&exts);
        let mut hs = vec![2, 0];
        hs.extend_from_slice(&(body.len() as u16).to_be_bytes());
        hs.extend_from_slice(&body);
        let mut record = vec![22, 3, 3];
        record.extend_from_slice(&(hs.len() as u16).to_be_bytes());
        record.extend_from_slice(&hs);
        record
    }

    #[test]
    fn reads_version_and_suite_from_split_bytes() {
        let wire = server_hello(Some(0x0304), [1; 32]);
        let mut reader = ServerHelloReader::default();
        for chunk in wire.chunks(3) {
            reader.observe_bytes(chunk);
        }
        assert!(reader.is_done());
        assert_eq!(reader.version, Some(crate::ProtocolVersion::Tls13));
        assert_eq!(
            reader.cipher_suite.map(|c| c.to_string()).as_deref(),
            Some("TLS_AES_256_GCM_SHA384")
        );
    }

    #[test]
    fn skips_hello_retry_request_and_reads_tls12() {
        let mut reader = ServerHelloReader::default();
        reader.observe_bytes(&server_hello(Some(0x0304), HELLO_RETRY_RANDOM));
        assert!(!reader.is_done());
        reader.observe_bytes(&server_hello(None, [2; 32]));
        assert_eq!(reader.version, Some(crate::ProtocolVersion::Tls12));
    }
}
