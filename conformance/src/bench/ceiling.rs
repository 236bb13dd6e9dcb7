//! The machine's ceiling, measured with the backend library's own primitives: what
//! a handshake or a byte stream would cost if nothing but the cryptography ran.

use std::time::Instant;

use unitls_model::bench::{BenchLine, Ceiling};

use super::output::{round, stats};
use super::stats::{measure_rate, Plan, Summary};
use super::{Aead, KeyKind, Keys, PrimOp, Primitives, CHUNK};

/// The measured rate of every primitive (operations per second), `None` where the
/// library does not offer it.
#[derive(Debug, Default)]
pub(crate) struct Rates {
    x25519: Option<f64>,
    ecdsa_sign: Option<f64>,
    ecdsa_verify: Option<f64>,
    rsa_sign: Option<f64>,
    rsa_verify: Option<f64>,
    seal: [Option<f64>; 3],
    open: [Option<f64>; 3],
}

fn index(aead: Aead) -> usize {
    Aead::ALL.iter().position(|a| *a == aead).unwrap_or(0)
}

/// Every primitive with its name, label and unit.
fn catalogue() -> Vec<(PrimOp, String, String)> {
    let mut ops = vec![
        (
            PrimOp::X25519,
            "x25519".to_owned(),
            "X25519: key pair + shared secret (one side)".to_owned(),
        ),
        (
            PrimOp::EcdsaP256Sign,
            "ecdsa_p256_sign".to_owned(),
            "ECDSA P-256 SHA-256 sign".to_owned(),
        ),
        (
            PrimOp::EcdsaP256Verify,
            "ecdsa_p256_verify".to_owned(),
            "ECDSA P-256 SHA-256 verify".to_owned(),
        ),
        (
            PrimOp::Rsa2048PssSign,
            "rsa2048_pss_sign".to_owned(),
            "RSA-2048 PSS SHA-256 sign".to_owned(),
        ),
        (
            PrimOp::Rsa2048PssVerify,
            "rsa2048_pss_verify".to_owned(),
            "RSA-2048 PSS SHA-256 verify".to_owned(),
        ),
    ];
    for aead in Aead::ALL {
        ops.push((
            PrimOp::Seal(aead),
            format!("{}_seal", aead.id()),
            format!("{} seal, 16 KiB records", aead.label()),
        ));
        ops.push((
            PrimOp::Open(aead),
            format!("{}_open", aead.id()),
            format!("{} open, 16 KiB records", aead.label()),
        ));
    }
    ops
}

/// Measures every primitive, printing a `ceiling` line for each.
pub(crate) fn measure(
    plan: &Plan,
    backend: &str,
    primitives: &dyn Primitives,
    keys: Keys<'_>,
    emit: &mut dyn FnMut(BenchLine),
) -> Rates {
    let mut rates = Rates::default();
    // A primitive alone is steady: half the samples, half as long.
    let plan = &Plan {
        samples: (plan.samples / 2).max(5),
        sample_time: plan.sample_time / 2,
        warmup: plan.warmup / 2,
        ..*plan
    };
    for (op, name, label) in catalogue() {
        let bytes = matches!(op, PrimOp::Seal(_) | PrimOp::Open(_));
        let started = Instant::now();
        let measured = primitives.op(op, keys).and_then(|mut f| {
            measure_rate(plan, &mut |n| {
                let t = Instant::now();
                for _ in 0..n {
                    f();
                }
                Ok(t.elapsed())
            })
        });
        let mut ceiling = Ceiling {
            name: name.clone(),
            label: label.clone(),
            value: None,
            unit: (if bytes { "MB/s" } else { "ops/s" }).to_owned(),
            ops_per_sec: None,
            stats: None,
            reason: None,
        };
        match measured {
            Ok(samples) => {
                let summary = Summary::of(&samples);
                let (value, unit) = if bytes {
                    (summary.median * CHUNK as f64 / 1e6, "MB/s")
                } else {
                    (summary.median, "ops/s")
                };
                eprintln!(
                    "  ceiling {label:<45} {} {unit} (±{:.1} %, {:.1} s)",
                    human(value),
                    summary.spread() * 50.0,
                    started.elapsed().as_secs_f64()
                );
                ceiling.value = Some(round(value));
                ceiling.unit = unit.to_owned();
                ceiling.ops_per_sec = Some(round(summary.median));
                ceiling.stats = Some(stats(&summary));
                let slot = match op {
                    PrimOp::X25519 => &mut rates.x25519,
                    PrimOp::EcdsaP256Sign => &mut rates.ecdsa_sign,
                    PrimOp::EcdsaP256Verify => &mut rates.ecdsa_verify,
                    PrimOp::Rsa2048PssSign => &mut rates.rsa_sign,
                    PrimOp::Rsa2048PssVerify => &mut rates.rsa_verify,
                    PrimOp::Seal(a) => &mut rates.seal[index(a)],
                    PrimOp::Open(a) => &mut rates.open[index(a)],
                };
                *slot = Some(summary.median);
            }
            Err(reason) => {
                eprintln!("  ceiling {label:<45} unavailable: {reason}");
                ceiling.reason = Some(reason);
            }
        }
        emit(BenchLine::Ceiling {
            backend: backend.to_owned(),
            ceiling,
        });
    }
    rates
}

impl Rates {
    /// Handshakes per second the primitives alone allow, both ends on one core.
    ///
    /// Every handshake costs each end one X25519 exchange. A full handshake adds the
    /// server's signature (CertificateVerify, or ServerKeyExchange in TLS 1.2) and
    /// the client's three verifications: that signature, the leaf's (by the P-256
    /// intermediate) and the intermediate's (by the P-256 root). A resumed one
    /// (PSK with (EC)DHE) signs and verifies nothing. Hashing, key derivation and the
    /// handshake's few records are left out: the ceiling is an upper bound.
    pub(crate) fn handshake(&self, key: KeyKind, resumed: bool) -> Option<f64> {
        let mut secs = 2.0 / self.x25519?;
        if !resumed {
            let verify = 1.0 / self.ecdsa_verify?;
            secs += match key {
                KeyKind::EcdsaP256 => 1.0 / self.ecdsa_sign? + 3.0 * verify,
                KeyKind::Rsa2048 => 1.0 / self.rsa_sign? + 1.0 / self.rsa_verify? + 2.0 * verify,
            };
        }
        Some(1.0 / secs)
    }

    /// MB/s the AEAD alone allows when one core seals and opens every record (both
    /// ends share it).
    pub(crate) fn throughput(&self, aead: Aead) -> Option<f64> {
        let seal = self.seal[index(aead)]?;
        let open = self.open[index(aead)]?;
        Some(CHUNK as f64 / (1.0 / seal + 1.0 / open) / 1e6)
    }
}

/// A number with three significant digits or so, for the terminal.
pub(crate) fn human(value: f64) -> String {
    if value >= 100.0 {
        format!("{value:.0}")
    } else if value >= 10.0 {
        format!("{value:.1}")
    } else {
        format!("{value:.2}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ceilings_add_costs() {
        let rates = Rates {
            x25519: Some(10_000.0),
            ecdsa_sign: Some(20_000.0),
            ecdsa_verify: Some(10_000.0),
            rsa_sign: Some(1_000.0),
            rsa_verify: Some(20_000.0),
            seal: [Some(100_000.0), None, None],
            open: [Some(100_000.0), None, None],
        };
        // 2/10k + 1/20k + 3/10k = 550 µs
        let full = rates.handshake(KeyKind::EcdsaP256, false).unwrap();
        assert!((full - 1.0 / 550e-6).abs() < 1e-6);
        assert!((rates.handshake(KeyKind::EcdsaP256, true).unwrap() - 5_000.0).abs() < 1e-6);
        assert!(rates.handshake(KeyKind::Rsa2048, false).unwrap() < full);
        let mbs = rates.throughput(Aead::Aes128Gcm).unwrap();
        assert!((mbs - 50_000.0 * 16_384.0 / 1e6).abs() < 1e-6);
        assert_eq!(rates.throughput(Aead::Aes256Gcm), None);
    }
}
