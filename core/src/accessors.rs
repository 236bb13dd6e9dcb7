//! The accessors both socket streams have — the blocking one (`stream.rs`) and the
//! tokio one — written once: what the attached session negotiated, its certificates,
//! its native objects (SPEC ATTACH-3, PROTO, CERT, CTX-10). A macro, because they are
//! inherent methods of two types that hold a [`Conn`](crate::conn::Conn) in a field
//! `conn` and a `closed` flag.

use crate::{Error, ErrorKind};

/// The error for an operation on a closed stream.
pub(crate) fn closed_error() -> Error {
    Error::new(ErrorKind::Closed, "the stream is closed")
}

/// The error for a TLS operation on a plain stream.
pub(crate) fn not_attached() -> Error {
    Error::new(ErrorKind::NotAttached, "TLS is not attached to this stream")
}

/// The error for an operation while a detach is under way.
pub(crate) fn detach_under_way() -> Error {
    Error::invalid("a detach is under way: call detach_ssl again to finish it")
}

/// Expands, inside an `impl` of a stream type, to its TLS accessors.
macro_rules! tls_accessors {
    () => {
        /// The TLS state, unless plain or detaching (SPEC DETACH-3).
        fn live_tls(&self) -> Option<&$crate::conn::TlsState> {
            match self.conn.phase() {
                $crate::conn::Phase::Plain | $crate::conn::Phase::Detaching => None,
                $crate::conn::Phase::Handshaking | $crate::conn::Phase::Open => self.conn.tls(),
            }
        }

        fn attached(&self) -> $crate::Result<&$crate::conn::TlsState> {
            if self.closed {
                return Err($crate::accessors::closed_error());
            }
            match self.conn.phase() {
                $crate::conn::Phase::Detaching => Err($crate::accessors::detach_under_way()),
                _ => self.conn.tls().ok_or_else($crate::accessors::not_attached),
            }
        }

        fn attached_mut(&mut self) -> $crate::Result<&mut $crate::conn::TlsState> {
            self.attached()?;
            self.conn
                .tls_mut()
                .ok_or_else($crate::accessors::not_attached)
        }

        // ---- accessors (SPEC ATTACH-3, PROTO, CERT) ----

        /// The attach-time side, or `None` when plain (SPEC SIDE-8).
        pub fn ssl_side(&self) -> Option<$crate::Side> {
            self.live_tls().map(|t| t.side())
        }

        /// The backend in use, or `None` when plain (SPEC IMPL-6; LispWorks
        /// `ssl-connection-implementation`).
        pub fn implementation(&self) -> Option<&'static str> {
            self.live_tls().map(|t| t.backend().name())
        }

        /// Alias of [`implementation`](Self::implementation), LispWorks' name.
        pub fn connection_implementation(&self) -> Option<&'static str> {
            self.implementation()
        }

        /// The native context in use, typed for backend `B` (SPEC CTX-10).
        pub fn ctx<B: $crate::NativeTypes>(&self) -> Option<&B::Context> {
            let any: &(dyn ::std::any::Any + Send + Sync) =
                self.live_tls()?.session()?.native_context()?;
            any.downcast_ref()
        }

        /// The native per-connection object, typed for backend `B` (SPEC CTX-10).
        pub fn session<B: $crate::NativeTypes>(&self) -> Option<&B::Connection> {
            self.live_tls()?
                .session()?
                .native_connection()?
                .downcast_ref()
        }

        fn info(&self) -> $crate::Result<$crate::SessionInfo> {
            let tls = self.attached()?;
            Ok(match tls.session() {
                Some(s) if !s.is_handshaking() => tls.info(),
                _ => $crate::SessionInfo::default(),
            })
        }

        /// The negotiated version; `None` before the handshake, `NotAttached` when plain
        /// (SPEC PROTO-4).
        pub fn protocol_version(&self) -> $crate::Result<Option<$crate::ProtocolVersion>> {
            Ok(self.info()?.protocol_version)
        }

        /// The negotiated cipher suite; displays as its IANA name (SPEC PROTO-5).
        pub fn cipher_suite(&self) -> $crate::Result<Option<$crate::CipherSuite>> {
            Ok(self.info()?.cipher_suite)
        }

        /// The negotiated ALPN protocol (SPEC PROTO-8).
        pub fn alpn_protocol(&self) -> $crate::Result<Option<Vec<u8>>> {
            Ok(self.info()?.alpn_protocol)
        }

        /// The negotiated key-exchange group by IANA name (SPEC PROTO-15);
        /// `Unsupported(GroupSelection)` where the backend cannot report it.
        pub fn negotiated_group(&self) -> $crate::Result<Option<String>> {
            self.require($crate::Capability::GroupSelection)?;
            Ok(self.info()?.negotiated_group)
        }

        /// Whether the session was resumed (SPEC PROTO-11).
        pub fn resumed(&self) -> $crate::Result<bool> {
            Ok(self.info()?.resumed)
        }

        /// The SNI received (server) or sent (client) (SPEC SNI-9; [`ServerName`](crate::ServerName)
        /// says what SNI is).
        pub fn server_name(&self) -> $crate::Result<Option<String>> {
            Ok(self.attached()?.server_name())
        }

        /// The peer's leaf certificate; `None` if it sent none or the handshake is not
        /// done (SPEC CERT-1, CERT-2).
        pub fn peer_certificate(&self) -> $crate::Result<Option<$crate::PeerCertificate>> {
            Ok(self
                .peer_chain()?
                .and_then(|chain| chain.into_iter().next()))
        }

        /// The peer's chain as sent, leaf first (SPEC CERT-3); `Unsupported(PeerChain)` on
        /// a backend that only gives the leaf.
        pub fn peer_certificates(&self) -> $crate::Result<Option<Vec<$crate::PeerCertificate>>> {
            self.require($crate::Capability::PeerChain)?;
            self.peer_chain()
        }

        fn require(&self, capability: $crate::Capability) -> $crate::Result<()> {
            let tls = self.attached()?;
            let backend = tls.backend();
            backend
                .capabilities()
                .require(capability, tls.role(), backend.name())
        }

        fn peer_chain(&self) -> $crate::Result<Option<Vec<$crate::PeerCertificate>>> {
            let chain = self.info()?.peer_chain;
            Ok(chain.filter(|c| !c.is_empty()).map(|c| {
                c.into_iter()
                    .map($crate::PeerCertificate::from_der)
                    .collect()
            }))
        }

        /// The built-in verification result (SPEC VERIFY-12); `Unsupported(VerifyCallback)`
        /// on a backend that cannot report it.
        pub fn verify_result(&self) -> $crate::Result<Option<$crate::VerifyResult>> {
            self.require($crate::Capability::VerifyCallback)?;
            Ok(self.attached()?.session().and_then(|s| s.verify_result()))
        }

        /// `len` octets of keying material exported under `label` and `context` (RFC 5705,
        /// RFC 8446 §7.5): the same at both ends, different for another label or context.
        /// Before the handshake is done, `InvalidArgument` (SPEC PROTO-13).
        pub fn export_keying_material(
            &self,
            len: usize,
            label: &[u8],
            context: Option<&[u8]>,
        ) -> $crate::Result<Vec<u8>> {
            self.require($crate::Capability::Exporter)?;
            let session = match self.attached()?.session() {
                Some(s) if !s.is_handshaking() => s,
                _ => {
                    return Err(Error::invalid(
                        "keying material can be exported only after the handshake",
                    ))
                }
            };
            let mut out = vec![0u8; len];
            session.export_keying_material(&mut out, label, context)?;
            Ok(out)
        }

        /// RFC 9266 `tls-exporter` channel binding: 32 octets exported under
        /// `EXPORTER-Channel-Binding` with an empty context (SPEC PROTO-16).
        pub fn tls_exporter(&self) -> $crate::Result<Vec<u8>> {
            self.export_keying_material(32, b"EXPORTER-Channel-Binding", Some(&[]))
        }

        /// RFC 5929 `tls-server-end-point` of the server's leaf (SPEC PROTO-16).
        pub fn tls_server_end_point(&self) -> $crate::Result<Option<Vec<u8>>> {
            let tls = self.attached()?;
            let leaf = match tls.session() {
                Some(s) if !s.is_handshaking() => match tls.role() {
                    Some($crate::Role::Client) => {
                        tls.info().peer_chain.and_then(|c| c.into_iter().next())
                    }
                    Some($crate::Role::Server) => tls.info().local_leaf,
                    None => None,
                },
                _ => None,
            };
            Ok(leaf.and_then(|der| $crate::tls_server_end_point(&der)))
        }
    };
}

pub(crate) use tls_accessors;
