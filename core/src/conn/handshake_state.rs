//! What only a handshake under way needs — the hello readers, the deadline, a
//! server's first flight — kept in a box that is freed when the handshake is done, so
//! an established connection does not carry it (memory per idle connection).

use std::time::{Duration, Instant};

use crate::hello::{ClientHelloReader, ServerHelloReader};

/// The state of a handshake under way.
#[derive(Default)]
pub(super) struct HandshakeState {
    /// The ClientHello, read on a server (SPEC SNI-9).
    pub(super) hello: ClientHelloReader,
    /// The ServerHello: incoming on a client, outgoing on a server.
    pub(super) server_hello: ServerHelloReader,
    /// The attach-time handshake timeout.
    pub(super) timeout: Option<Duration>,
    /// The running handshake's deadline; `armed` once an operation started the
    /// handshake, so that calling again after `WouldBlock` keeps it (SPEC SEC-6).
    pub(super) deadline: Option<Instant>,
    pub(super) armed: bool,
    /// The peer sent close_notify during the handshake (SPEC HS-4, HS-6).
    pub(super) closed: bool,
    /// A server's first flight, held so the ServerHello can be read off it before it
    /// goes out.
    pub(super) out: Vec<u8>,
}

/// What the handshake's clear-text hellos told core, kept after the readers are
/// freed.
#[derive(Debug, Clone, Default)]
pub(super) struct Seen {
    /// The SNI a client sent (on a server).
    pub(super) sni: Option<String>,
    /// The version and cipher suite of the ServerHello.
    pub(super) version: Option<crate::ProtocolVersion>,
    pub(super) cipher_suite: Option<crate::CipherSuite>,
}

impl HandshakeState {
    /// What the readers found.
    pub(super) fn seen(&self) -> Seen {
        Seen {
            sni: self.hello.server_name().map(str::to_string),
            version: self.server_hello.version,
            cipher_suite: self.server_hello.cipher_suite,
        }
    }
}
