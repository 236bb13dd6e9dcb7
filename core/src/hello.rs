//! Reading the clear-text ClientHello: the SNI a client sent is known to core on every
//! backend (SPEC SNI-9).

/// Collects the handshake octets of the first flight until the ClientHello is whole,
/// then extracts its server_name.
#[derive(Debug, Default)]
pub(crate) struct ClientHelloReader {
    handshake: Vec<u8>,
    done: bool,
    server_name: Option<String>,
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
            self.finish();
        }
    }

    fn finish(&mut self) {
        self.done = true;
        self.handshake = Vec::new();
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
