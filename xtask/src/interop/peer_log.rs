//! What a `unitls-peer` process printed: its JSON lines (`unitls_model::peer`'s
//! events: `listening`, `handshake`, `received`, `closed`, `error`) read into a
//! [`PeerLog`].

use unitls_model::peer::PeerEvent;
use unitls_model::Mode;

/// A peer's `handshake` event.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Handshake {
    /// The connection's number (`conn`), where the peer gives one.
    pub(crate) conn: Option<u64>,
    /// `TLSv1.3`.
    pub(crate) version: Option<String>,
    /// IANA name.
    pub(crate) cipher: Option<String>,
    /// The negotiated ALPN protocol.
    pub(crate) alpn: Option<String>,
    /// SNI received (server) or sent (client).
    pub(crate) sni: Option<String>,
    /// Whether the session was resumed.
    pub(crate) resumed: bool,
    /// The peer's chain as common names, leaf first; `None` when the backend cannot
    /// tell.
    pub(crate) peer_cns: Option<Vec<Option<String>>>,
    /// The I/O mode the peer ran in (`blocking` unless it says `async`).
    pub(crate) mode: Mode,
}

/// A peer's `error` event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PeerError {
    /// The SPEC ERR kind, `VerificationFailure(UnknownIssuer)`.
    pub(crate) kind: String,
    /// The message.
    pub(crate) message: String,
}

/// Everything one peer printed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct PeerLog {
    /// The `listening` address.
    pub(crate) listening: Option<String>,
    /// `handshake` events.
    pub(crate) handshakes: Vec<Handshake>,
    /// `received` byte counts.
    pub(crate) received: Vec<u64>,
    /// How many `closed` events.
    pub(crate) closed: usize,
    /// `error` events.
    pub(crate) errors: Vec<PeerError>,
    /// Lines that are not peer events.
    pub(crate) other: Vec<String>,
}

impl PeerLog {
    /// Reads a peer's stdout.
    pub(crate) fn parse(lines: &[String]) -> PeerLog {
        let mut log = PeerLog::default();
        for line in lines {
            log.feed(line);
        }
        log
    }

    /// Reads one line.
    fn feed(&mut self, line: &str) {
        let Ok(event) = serde_json::from_str::<PeerEvent>(line) else {
            self.other.push(line.to_owned());
            return;
        };
        match event {
            PeerEvent::Listening { addr } => self.listening = Some(addr),
            PeerEvent::Handshake {
                conn,
                version,
                cipher,
                alpn,
                sni,
                resumed,
                peer_chain,
                mode,
            } => self.handshakes.push(Handshake {
                conn,
                version,
                cipher,
                alpn,
                sni,
                resumed,
                peer_cns: peer_chain
                    .map(|chain| chain.into_iter().map(|cert| cert.subject_cn).collect()),
                mode,
            }),
            PeerEvent::Received { bytes, .. } => self.received.push(bytes),
            PeerEvent::Closed { .. } => self.closed += 1,
            PeerEvent::Error { kind, message, .. } => {
                self.errors.push(PeerError { kind, message });
            }
            PeerEvent::Version { .. } => self.other.push(line.to_owned()),
        }
    }
}

/// The address of a `listening` event line.
pub(super) fn listening_addr(line: &str) -> Option<String> {
    let mut log = PeerLog::default();
    log.feed(line);
    log.listening
}

/// A process's output as lines, as [`crate::running::Finished`] holds it.
#[cfg(test)]
pub(super) fn lines(text: &[&str]) -> Vec<String> {
    text.iter().map(|l| (*l).to_owned()).collect()
}

/// A client peer's output for a good basic TLS 1.3 cell.
#[cfg(test)]
pub(super) const CLIENT_OK: [&str; 3] = [
    r#"{"event":"handshake","version":"TLSv1.3","cipher":"TLS_AES_128_GCM_SHA256","alpn":null,"sni":"localhost","resumed":false,"peer_chain":[{"subject_cn":"localhost","serial":"1001"},{"subject_cn":"unitls test intermediate","serial":"AB"}]}"#,
    r#"{"event":"received","bytes":1048576}"#,
    r#"{"event":"closed"}"#,
];

/// A server peer's output for a good basic TLS 1.3 cell.
#[cfg(test)]
pub(super) const SERVER_OK: [&str; 4] = [
    r#"{"event":"listening","addr":"127.0.0.1:4433"}"#,
    r#"{"event":"handshake","conn":1,"version":"TLSv1.3","cipher":"TLS_AES_128_GCM_SHA256","alpn":null,"sni":"localhost","resumed":false,"peer_chain":[]}"#,
    r#"{"event":"received","conn":1,"bytes":1048576}"#,
    r#"{"event":"closed","conn":1}"#,
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn peer_events_are_read() {
        let log = PeerLog::parse(&lines(&SERVER_OK));
        assert_eq!(log.listening.as_deref(), Some("127.0.0.1:4433"));
        assert_eq!(log.received, [1_048_576]);
        assert_eq!(log.closed, 1);
        assert_eq!(log.handshakes[0].sni.as_deref(), Some("localhost"));
        assert_eq!(log.handshakes[0].peer_cns, Some(Vec::new()));
        let client = PeerLog::parse(&lines(&CLIENT_OK));
        assert_eq!(
            client.handshakes[0].peer_cns.as_ref().unwrap()[0].as_deref(),
            Some("localhost")
        );
        assert!(!client.handshakes[0].resumed);
        assert_eq!(client.handshakes[0].conn, None);
        assert_eq!(log.handshakes[0].conn, Some(1));
        let odd = PeerLog::parse(&lines(&[
            "garbage",
            r#"{"event":"error","kind":"Syscall","message":"eof"}"#,
            r#"{"event":"handshake","version":"TLSv1.2","cipher":null,"peer_chain":null}"#,
        ]));
        assert_eq!(odd.other, ["garbage"]);
        assert_eq!(odd.errors[0].kind, "Syscall");
        assert_eq!(odd.handshakes[0].peer_cns, None);
        assert_eq!(
            listening_addr(SERVER_OK[0]).as_deref(),
            Some("127.0.0.1:4433")
        );
        assert_eq!(listening_addr(CLIENT_OK[0]), None);
    }
}
