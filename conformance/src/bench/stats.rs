//! A small, std-only sampling harness: warm-up, many timed samples, and robust
//! summaries (median, quartiles, p99, extremes).
//!
//! Two implementations of one workload are always measured *interleaved* — a sample of
//! one, then a sample of the other — so that drift on a shared machine (another build,
//! frequency changes) hits both alike and their ratio stays honest.

use std::time::{Duration, Instant};

/// How long and how often to measure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Plan {
    /// Run each side this long before sampling (caches, allocators, session caches).
    pub warmup: Duration,
    /// Samples per side.
    pub samples: usize,
    /// Target duration of one sample.
    pub sample_time: Duration,
    /// Round trips per side for latency figures.
    pub round_trips: usize,
    /// Idle connections for the memory figure.
    pub connections: usize,
    /// Fresh processes per side for the memory figure.
    pub memory_runs: usize,
    /// Whether this is the short CI plan.
    pub quick: bool,
}

impl Plan {
    /// The short plan for CI (`--quick`): fewer, shorter samples.
    pub fn quick() -> Plan {
        Plan {
            warmup: Duration::from_millis(100),
            samples: 7,
            sample_time: Duration::from_millis(80),
            round_trips: 3_000,
            connections: 1_000,
            memory_runs: 1,
            quick: true,
        }
    }

    /// The full plan.
    pub fn full() -> Plan {
        Plan {
            warmup: Duration::from_millis(500),
            samples: 21,
            sample_time: Duration::from_millis(200),
            round_trips: 30_000,
            connections: 1_000,
            memory_runs: 3,
            quick: false,
        }
    }
}

/// A robust summary of samples.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Summary {
    /// Number of samples.
    pub n: usize,
    /// The median.
    pub median: f64,
    /// First quartile.
    pub p25: f64,
    /// Third quartile.
    pub p75: f64,
    /// 99th percentile.
    pub p99: f64,
    /// Smallest sample.
    pub min: f64,
    /// Largest sample.
    pub max: f64,
}

impl Summary {
    /// Summarises `values` (at least one).
    pub fn of(values: &[f64]) -> Summary {
        assert!(!values.is_empty(), "no samples");
        let mut sorted = values.to_vec();
        sorted.sort_by(f64::total_cmp);
        Summary {
            n: sorted.len(),
            median: quantile(&sorted, 0.5),
            p25: quantile(&sorted, 0.25),
            p75: quantile(&sorted, 0.75),
            p99: quantile(&sorted, 0.99),
            min: sorted[0],
            max: sorted[sorted.len() - 1],
        }
    }

    /// The interquartile range relative to the median (0.02 = ±1 %).
    pub fn spread(&self) -> f64 {
        if self.median == 0.0 {
            0.0
        } else {
            (self.p75 - self.p25) / self.median
        }
    }
}

/// The `q` quantile of sorted `values`, linearly interpolated.
fn quantile(sorted: &[f64], q: f64) -> f64 {
    let pos = q * (sorted.len() - 1) as f64;
    let low = pos.floor() as usize;
    let high = pos.ceil() as usize;
    let frac = pos - low as f64;
    sorted[low] + (sorted[high] - sorted[low]) * frac
}

/// A workload measured by rate: `run(n)` performs `n` operations and returns how long
/// they took (setup outside the timed part is allowed).
pub(crate) type RateFn<'a> = dyn FnMut(u64) -> Result<Duration, String> + 'a;

/// Calibrates one side: warms it up for `plan.warmup` and returns the number of
/// operations that makes one sample last about `plan.sample_time`.
fn calibrate(plan: &Plan, run: &mut RateFn<'_>) -> Result<u64, String> {
    let started = Instant::now();
    let mut n: u64 = 1;
    let mut per_op = None;
    loop {
        let took = run(n)?;
        if took >= Duration::from_micros(500) || n >= 1 << 30 {
            per_op = Some(took.as_secs_f64() / n as f64);
        }
        if started.elapsed() >= plan.warmup && per_op.is_some() {
            break;
        }
        if took < plan.sample_time / 4 {
            n = n.saturating_mul(2);
        }
    }
    let per_op = per_op.unwrap_or(1e-6).max(1e-9);
    let n = (plan.sample_time.as_secs_f64() / per_op).round();
    Ok((n as u64).max(1))
}

/// Measures two implementations of one workload, interleaved, and returns their
/// rates (operations per second), one per sample.
pub(crate) fn compare_rates(
    plan: &Plan,
    unitls: &mut RateFn<'_>,
    direct: &mut RateFn<'_>,
) -> Result<(Vec<f64>, Vec<f64>), String> {
    // For profiling one side alone: `UNITLS_BENCH_ONLY=unitls` (or `direct`) measures
    // that side and reports the other as equal.
    match std::env::var("UNITLS_BENCH_ONLY").as_deref() {
        Ok("unitls") => {
            let a = measure_rate(plan, unitls)?;
            return Ok((a.clone(), a));
        }
        Ok("direct") => {
            let b = measure_rate(plan, direct)?;
            return Ok((b.clone(), b));
        }
        _ => {}
    }
    let n_unitls = calibrate(plan, unitls)?;
    let n_direct = calibrate(plan, direct)?;
    let mut a = Vec::with_capacity(plan.samples);
    let mut b = Vec::with_capacity(plan.samples);
    for i in 0..plan.samples {
        // Alternate which side goes first, so neither always follows the other.
        if i % 2 == 0 {
            a.push(rate(n_unitls, unitls(n_unitls)?));
            b.push(rate(n_direct, direct(n_direct)?));
        } else {
            b.push(rate(n_direct, direct(n_direct)?));
            a.push(rate(n_unitls, unitls(n_unitls)?));
        }
    }
    Ok((a, b))
}

/// Measures one workload alone (the primitives of the ceiling).
pub(crate) fn measure_rate(plan: &Plan, run: &mut RateFn<'_>) -> Result<Vec<f64>, String> {
    let n = calibrate(plan, run)?;
    (0..plan.samples).map(|_| Ok(rate(n, run(n)?))).collect()
}

fn rate(n: u64, took: Duration) -> f64 {
    n as f64 / took.as_secs_f64().max(1e-12)
}

/// A workload measured per operation: `run(n)` performs `n` operations and returns
/// each one's duration.
pub(crate) type LatencyFn<'a> = dyn FnMut(usize) -> Result<Vec<Duration>, String> + 'a;

/// Per-operation latencies in microseconds, block by block.
pub(crate) type Blocks = Vec<Vec<f64>>;

/// Measures two implementations' per-operation latencies in interleaved blocks,
/// after a warm-up of each; returns microseconds per operation, block by block.
pub(crate) fn compare_latencies(
    plan: &Plan,
    unitls: &mut LatencyFn<'_>,
    direct: &mut LatencyFn<'_>,
) -> Result<(Blocks, Blocks), String> {
    let warm = (plan.round_trips / 10).max(100);
    unitls(warm)?;
    direct(warm)?;
    let blocks = plan.samples.max(2);
    let per_block = (plan.round_trips / blocks).max(1);
    let mut a = Vec::with_capacity(blocks);
    let mut b = Vec::with_capacity(blocks);
    let micros = |v: Vec<Duration>| v.into_iter().map(|d| d.as_secs_f64() * 1e6).collect();
    for i in 0..blocks {
        if i % 2 == 0 {
            a.push(micros(unitls(per_block)?));
            b.push(micros(direct(per_block)?));
        } else {
            b.push(micros(direct(per_block)?));
            a.push(micros(unitls(per_block)?));
        }
    }
    Ok((a, b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles_interpolate() {
        let s = Summary::of(&[4.0, 1.0, 3.0, 2.0, 5.0]);
        assert_eq!(
            (s.min, s.p25, s.median, s.p75, s.max),
            (1.0, 2.0, 3.0, 4.0, 5.0)
        );
        assert!((s.p99 - 4.96).abs() < 1e-9);
        assert!((s.spread() - 2.0 / 3.0).abs() < 1e-9);
        assert_eq!(Summary::of(&[7.0]).median, 7.0);
    }

    #[test]
    fn interleaved_rates() {
        let plan = Plan {
            warmup: Duration::from_millis(1),
            samples: 4,
            sample_time: Duration::from_millis(1),
            ..Plan::quick()
        };
        let mut spin = |n: u64| {
            let t = Instant::now();
            let mut x = 0u64;
            for i in 0..n * 100 {
                x = std::hint::black_box(x.wrapping_add(i));
            }
            Ok(t.elapsed())
        };
        let mut spin2 = spin;
        let (a, b) = compare_rates(&plan, &mut spin, &mut spin2).unwrap();
        assert_eq!((a.len(), b.len()), (4, 4));
        assert!(a.iter().chain(&b).all(|r| *r > 0.0));
    }
}
