//! The figures over a long-lived connection: bulk throughput, request/response latency,
//! and STARTTLS attach + detach.

use std::sync::Arc;
use std::thread;
use std::time::Instant;

use unitls_core::{Capability, CipherSuite, ProtocolVersion};

use super::figure::{finish_rates, paired, Figure};
use super::wire::{one_connection, transports, Pair, Wire};
use super::{describe, Run};
use crate::bench::ceiling::Rates;
use crate::bench::stats::{compare_latencies, compare_rates, Summary};
use crate::bench::{Aead, Endpoints, Implementation, KeyKind, Setup, CHUNK};

/// A throughput figure's label: `AES-128-GCM throughput, 16 KiB writes, in memory`.
pub(super) fn throughput_label(aead: Aead, wire: Wire) -> String {
    format!(
        "{} throughput, 16 KiB writes, {}",
        aead.label(),
        match wire {
            Wire::Memory => "in memory",
            Wire::Tcp => "loopback TCP",
        }
    )
}

impl Run<'_> {
    /// The setup that gives `aead` on this backend: TLS 1.3 with its suite, else the
    /// library's TLS 1.3 choice if it is that AEAD, else TLS 1.2 with the ECDHE-ECDSA
    /// suite, else the library's TLS 1.2 choice if it is that AEAD.
    pub(super) fn throughput_setup(
        &self,
        aead: Aead,
        notes: &mut Vec<String>,
    ) -> Result<Setup, String> {
        let mut tried = Vec::new();
        for (version, suite) in [
            (ProtocolVersion::Tls13, aead.tls13_suite()),
            (ProtocolVersion::Tls12, aead.tls12_suite()),
        ] {
            let mut local = Vec::new();
            let setup =
                match self.setup(version, Some(suite), KeyKind::EcdsaP256, false, &mut local) {
                    Ok(setup) => setup,
                    Err(e) => {
                        tried.push(e);
                        continue;
                    }
                };
            if setup.suite.is_some() {
                notes.extend(local);
                return Ok(setup);
            }
            // The suite cannot be chosen: see what the library picks.
            let probe = self
                .unitls()
                .prepare(&setup)
                .and_then(|ep| one_connection(&ep, &self.worker, Wire::Memory, true));
            match probe {
                Ok(n) if n.suite.and_then(Aead::of_suite) == Some(aead) => {
                    notes.extend(local.into_iter().filter(|n| !n.starts_with("cipher suite")));
                    notes.push(format!(
                        "{} is the library's own choice at {version}",
                        aead.label()
                    ));
                    return Ok(setup);
                }
                Ok(n) => tried.push(format!(
                    "at {version} the suite cannot be selected ({}) and the library negotiates {}",
                    self.lacks(match version {
                        ProtocolVersion::Tls12 => Capability::CipherSelection,
                        ProtocolVersion::Tls13 => Capability::Tls13CipherSelection,
                    }),
                    n.suite
                        .map_or("an unknown suite".to_owned(), |s| s.to_string())
                )),
                Err(e) => tried.push(format!("at {version}: {e}")),
            }
        }
        Err(tried.join("; "))
    }

    pub(super) fn throughput(&self, rates: &Rates) {
        for wire in [Wire::Memory, Wire::Tcp] {
            for aead in Aead::ALL {
                let name = format!("throughput_{}_{}", wire.id(), aead.id());
                if !self.wanted(&name) {
                    continue;
                }
                let label = throughput_label(aead, wire);
                let mut fig = Figure::new(&name, &label, "MB/s", true);
                fig.transport = Some(wire.id());
                fig.ceiling = rates.throughput(aead);
                let setup = match self.throughput_setup(aead, &mut fig.notes) {
                    Ok(setup) => setup,
                    Err(e) => {
                        fig.limit(e);
                        fig.emit(self.backend());
                        continue;
                    }
                };
                let measured = self.prepare(&setup, &mut fig.notes).and_then(|(u, d)| {
                    let mut pu = Pair::open(&u, wire).map_err(|e| format!("unitls: {e}"))?;
                    let mut pd = Pair::open(&d, wire).map_err(|e| format!("direct: {e}"))?;
                    let check = Aead::of_suite(pu.negotiated().suite.unwrap_or(CipherSuite(0)));
                    let result = if check.is_some_and(|a| a != aead) {
                        Err(format!("negotiated {} instead", describe(&pu.negotiated())))
                    } else {
                        compare_rates(&self.plan, &mut |n| pu.sink(n), &mut |n| pd.sink(n))
                    };
                    let closed = pu.finish().and(pd.finish());
                    let rates = result?;
                    closed?;
                    Ok(rates)
                });
                finish_rates(&mut fig, measured, CHUNK as f64 / 1e6);
                fig.emit(self.backend());
            }
        }
    }

    pub(super) fn latency(&self) {
        if !self.wanted("latency_tcp") {
            return;
        }
        let mut median = Figure::new(
            "latency_tcp_median",
            "64-octet request/reply round trip, loopback TCP, median",
            "µs",
            false,
        );
        let mut notes = Vec::new();
        let setup = self.default_setup(&mut notes);
        let limited = setup.is_err();
        let measured = setup
            .and_then(|setup| self.prepare(&setup, &mut notes))
            .and_then(|(u, d)| {
                let mut pu = Pair::open(&u, Wire::Tcp).map_err(|e| format!("unitls: {e}"))?;
                let mut pd = Pair::open(&d, Wire::Tcp).map_err(|e| format!("direct: {e}"))?;
                let result =
                    compare_latencies(&self.plan, &mut |n| pu.echo(n), &mut |n| pd.echo(n));
                let closed = pu.finish().and(pd.finish());
                let samples = result?;
                closed?;
                Ok(samples)
            });
        let mut p99 = Figure::new(
            "latency_tcp_p99",
            "64-octet request/reply round trip, loopback TCP, 99th percentile",
            "µs",
            false,
        );
        for fig in [&mut median, &mut p99] {
            fig.transport = Some(Wire::Tcp.id());
            fig.notes.clone_from(&notes);
        }
        match measured {
            Ok((u, d)) => {
                let all = |blocks: &[Vec<f64>]| blocks.concat();
                let (su, sd) = (Summary::of(&all(&u)), Summary::of(&all(&d)));
                median.unitls = Some(su);
                median.direct = Some(sd);
                // The p99 figure's "median" is the 99th percentile of the same samples.
                let at_p99 = |s: Summary| Summary { median: s.p99, ..s };
                p99.unitls = Some(at_p99(su));
                p99.direct = Some(at_p99(sd));
                // Ratios per pair of interleaved blocks, as for the rates.
                let per_block = |blocks: &[Vec<f64>], p99: bool| -> Vec<f64> {
                    blocks
                        .iter()
                        .map(|b| {
                            let s = Summary::of(b);
                            if p99 {
                                s.p99
                            } else {
                                s.median
                            }
                        })
                        .collect()
                };
                median.paired = paired(&per_block(&u, false), &per_block(&d, false), false);
                p99.paired = paired(&per_block(&u, true), &per_block(&d, true), false);
                let n = u.len();
                median.notes.push(format!(
                    "{} round trips per side in {n} interleaved blocks; the ratio is the median \
                     of the blocks' ratios",
                    su.n
                ));
                p99.notes.push(format!(
                    "value = 99th percentile of all {} round trips; the ratio is the median of \
                     the {n} interleaved blocks' p99 ratios",
                    su.n
                ));
            }
            Err(e) => {
                if limited {
                    median.limit(e.clone());
                    p99.limit(e);
                } else {
                    median.fail(e.clone());
                    p99.fail(e);
                }
            }
        }
        median.emit(self.backend());
        p99.emit(self.backend());
    }

    /// TLS 1.3 full handshake with ECDSA where the backend has TLS 1.3, else TLS 1.2;
    /// no resumption.
    pub(super) fn default_setup(&self, notes: &mut Vec<String>) -> Result<Setup, String> {
        let version = if self.caps.contains(Capability::Tls13) {
            ProtocolVersion::Tls13
        } else {
            notes.push(format!("TLS 1.2: {}", self.lacks(Capability::Tls13)));
            ProtocolVersion::Tls12
        };
        let suite = match version {
            ProtocolVersion::Tls13 => Aead::Aes128Gcm.tls13_suite(),
            ProtocolVersion::Tls12 => Aead::Aes128Gcm.tls12_suite(),
        };
        self.setup(version, Some(suite), KeyKind::EcdsaP256, false, notes)
    }

    pub(super) fn attach_detach(&self, rates: &Rates) {
        let name = "attach_detach";
        if !self.wanted(name) {
            return;
        }
        let mut fig = Figure::new(
            name,
            "STARTTLS attach + 1 KiB + detach on a live TCP connection",
            "cycles/s",
            true,
        );
        fig.transport = Some(Wire::Tcp.id());
        let setup = match self.default_setup(&mut fig.notes) {
            Ok(setup) => setup,
            Err(e) => {
                fig.limit(e);
                fig.emit(self.backend());
                return;
            }
        };
        fig.ceiling = rates.handshake(setup.key, false);
        let measured = self.prepare(&setup, &mut fig.notes).and_then(|(u, d)| {
            let cycles = |ep: &Arc<dyn Endpoints>| -> Result<_, String> {
                let (c, s) = transports(Wire::Tcp)?;
                let server_ep = Arc::clone(ep);
                let server = thread::spawn(move || -> Result<(), String> {
                    let mut st = server_ep.starttls_server(s);
                    while st.cycle()? {}
                    Ok(())
                });
                Ok((ep.starttls_client(c), server))
            };
            let (mut cu, su) = cycles(&u)?;
            let (mut cd, sd) = cycles(&d)?;
            let run = |c: &mut Box<dyn crate::bench::StartTls>, n: u64| {
                let started = Instant::now();
                for _ in 0..n {
                    c.cycle()?;
                }
                Ok(started.elapsed())
            };
            let result = compare_rates(&self.plan, &mut |n| run(&mut cu, n), &mut |n| {
                run(&mut cd, n)
            });
            drop(cu);
            drop(cd);
            let joined = [su, sd].map(|t| t.join().unwrap_or_else(|_| Err("panicked".into())));
            let rates = result?;
            for j in joined {
                j.map_err(|e| format!("server: {e}"))?;
            }
            Ok(rates)
        });
        fig.notes.push(
            "one cycle: plain STARTTLS request and reply, full handshake, 1 KiB client to \
             server, close_notify both ways; the connection stays open"
                .into(),
        );
        finish_rates(&mut fig, measured, 1.0);
        fig.emit(self.backend());
    }
}
