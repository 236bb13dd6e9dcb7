//! The handshake figures: whole connections per second, in memory.

use std::sync::Arc;
use std::time::Instant;

use unitls_core::{CipherSuite, ProtocolVersion};

use super::figure::{finish_rates, Figure};
use super::wire::{one_connection, Wire};
use super::Run;
use crate::bench::ceiling::Rates;
use crate::bench::stats::compare_rates;
use crate::bench::{Endpoints, KeyKind};

/// Which figure, and what it wants.
#[derive(Debug, Clone, Copy)]
pub(super) struct HandshakeFigure {
    pub(super) name: &'static str,
    pub(super) label: &'static str,
    pub(super) version: ProtocolVersion,
    pub(super) suite: CipherSuite,
    pub(super) key: KeyKind,
    pub(super) resumed: bool,
}

pub(super) const HANDSHAKES: [HandshakeFigure; 4] = [
    HandshakeFigure {
        name: "handshake_tls13_full",
        label: "TLS 1.3 full handshake (X25519, ECDSA P-256)",
        version: ProtocolVersion::Tls13,
        suite: CipherSuite(0x1301),
        key: KeyKind::EcdsaP256,
        resumed: false,
    },
    HandshakeFigure {
        name: "handshake_tls13_resumed",
        label: "TLS 1.3 resumed handshake (PSK + X25519)",
        version: ProtocolVersion::Tls13,
        suite: CipherSuite(0x1301),
        key: KeyKind::EcdsaP256,
        resumed: true,
    },
    HandshakeFigure {
        name: "handshake_tls12_full",
        label: "TLS 1.2 full handshake (ECDHE-ECDSA-AES128-GCM-SHA256)",
        version: ProtocolVersion::Tls12,
        suite: CipherSuite(0xC02B),
        key: KeyKind::EcdsaP256,
        resumed: false,
    },
    HandshakeFigure {
        name: "handshake_tls13_rsa2048",
        label: "TLS 1.3 full handshake (X25519, RSA-2048 server key)",
        version: ProtocolVersion::Tls13,
        suite: CipherSuite(0x1301),
        key: KeyKind::Rsa2048,
        resumed: false,
    },
];

impl Run<'_> {
    pub(super) fn handshakes(&self, rates: &Rates) {
        for hs in HANDSHAKES {
            if !self.wanted(hs.name) {
                continue;
            }
            let mut fig = Figure::new(hs.name, hs.label, "handshakes/s", true);
            fig.transport = Some(Wire::Memory.id());
            fig.ceiling = rates.handshake(hs.key, hs.resumed);
            let setup = self.setup(
                hs.version,
                Some(hs.suite),
                hs.key,
                hs.resumed,
                &mut fig.notes,
            );
            let setup = match setup {
                Ok(setup) => setup,
                Err(e) => {
                    fig.limit(e);
                    fig.emit(self.backend());
                    continue;
                }
            };
            let measured = self.prepare(&setup, &mut fig.notes).and_then(|(u, d)| {
                let expect = hs.resumed;
                let run = |ep: &Arc<dyn Endpoints>, n: u64| {
                    let started = Instant::now();
                    for i in 0..n {
                        let got = one_connection(ep, &self.worker, Wire::Memory, i == 0)?;
                        if expect && got.resumed == Some(false) {
                            return Err("a connection did not resume".to_owned());
                        }
                    }
                    Ok(started.elapsed())
                };
                let mut ru = |n| run(&u, n);
                let mut rd = |n| run(&d, n);
                compare_rates(&self.plan, &mut ru, &mut rd)
            });
            finish_rates(&mut fig, measured, 1.0);
            fig.emit(self.backend());
        }
    }
}
