//! The events `unitls-peer` prints, one JSON object per line on stdout, and the interop
//! matrix (`cargo xtask interop`) reads: `{"event":"handshake",…}`.

use serde::{Deserialize, Serialize};

use crate::outcome::Mode;

/// One line of a peer's stdout. Server events carry `conn`, the connection's number
/// from 1; client events carry it when `--resume` makes several connections.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "lowercase")]
pub enum PeerEvent {
    /// `--version`: the backend of this build.
    Version {
        /// The backend's registry name.
        backend: String,
        /// Its TLS library and version.
        library: String,
        /// The backend crate and version.
        #[serde(rename = "crate")]
        crate_version: String,
        /// The capabilities it declares, a capability declared for one role only
        /// followed by it (`Tls13 (client)`); `None` when the registry does not know.
        capabilities: Option<Vec<String>>,
        /// What it does not declare, per role, with the library limitation forcing it.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        lacks: Vec<crate::report::CapabilityLack>,
    },
    /// The server listens.
    Listening {
        /// The bound address (`127.0.0.1:4433`).
        addr: String,
    },
    /// A handshake completed.
    Handshake {
        /// The connection's number.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        conn: Option<u64>,
        /// `TLSv1.3`.
        version: Option<String>,
        /// The suite's IANA name.
        cipher: Option<String>,
        /// The negotiated ALPN protocol.
        alpn: Option<String>,
        /// SNI received (server) or sent (client).
        sni: Option<String>,
        /// Whether the session was resumed.
        #[serde(default)]
        resumed: bool,
        /// The peer's chain, leaf first; `None` when the backend cannot tell.
        peer_chain: Option<Vec<PeerCert>>,
        /// The I/O mode the peer runs in: `async` with `--async` (the tokio stream),
        /// else `blocking` (also when absent: older peers were blocking only).
        #[serde(default)]
        mode: Mode,
    },
    /// Application data received and checked.
    Received {
        /// The connection's number.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        conn: Option<u64>,
        /// How many octets.
        bytes: u64,
    },
    /// The connection was closed cleanly.
    Closed {
        /// The connection's number.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        conn: Option<u64>,
    },
    /// Something failed (the process then exits with status 1, or 2 for a usage error).
    Error {
        /// The connection's number.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        conn: Option<u64>,
        /// The SPEC ERR kind (`VerificationFailure(UnknownIssuer)`).
        #[serde(default)]
        kind: String,
        /// The message.
        #[serde(default)]
        message: String,
        /// The alert that ended the session, if one did.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        alert: Option<String>,
    },
}

/// One certificate of the peer's chain in a `handshake` event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PeerCert {
    /// The subject's common name, if it has one.
    pub subject_cn: Option<String>,
    /// The serial number in hex.
    pub serial: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_are_one_line_each() {
        let event = PeerEvent::Handshake {
            conn: None,
            version: Some("TLSv1.3".into()),
            cipher: None,
            alpn: None,
            sni: None,
            resumed: false,
            peer_chain: Some(vec![PeerCert {
                subject_cn: Some("a\"b\n".into()),
                serial: "01".into(),
            }]),
            mode: Mode::Async,
        };
        let line = crate::to_line(&event);
        assert_eq!(
            line,
            r#"{"event":"handshake","version":"TLSv1.3","cipher":null,"alpn":null,"sni":null,"resumed":false,"peer_chain":[{"subject_cn":"a\"b\n","serial":"01"}],"mode":"async"}"#
        );
        assert_eq!(serde_json::from_str::<PeerEvent>(&line).unwrap(), event);
        let closed = PeerEvent::Closed { conn: Some(2) };
        assert_eq!(crate::to_line(&closed), r#"{"event":"closed","conn":2}"#);
        assert!(serde_json::from_str::<PeerEvent>(r#"{"event":"received"}"#).is_err());
        let old = r#"{"event":"handshake","version":null,"cipher":null,"alpn":null,"sni":null,"peer_chain":null}"#;
        let Ok(PeerEvent::Handshake { mode, .. }) = serde_json::from_str(old) else {
            panic!("a handshake without mode reads")
        };
        assert_eq!(mode, Mode::Blocking);
    }
}
