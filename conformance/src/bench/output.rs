//! The bench binary's output: one `unitls_model::bench::BenchLine` per line, for `cargo
//! xtask report`.

use std::fs::OpenOptions;
use std::io::Write as _;

use unitls_model::bench::{BenchLine, Stats};

use super::stats::Summary;

/// `value` with four decimals: enough digits for ratios and rates alike.
pub(crate) fn round(value: f64) -> f64 {
    unitls_model::round(value, 4)
}

/// [`round`] over an optional value.
pub(crate) fn round_opt(value: Option<f64>) -> Option<f64> {
    value.map(round)
}

/// A summary as the lines carry it.
pub(crate) fn stats(s: &Summary) -> Stats {
    Stats {
        n: s.n as u64,
        median: round(s.median),
        p25: round(s.p25),
        p75: round(s.p75),
        p99: round(s.p99),
        min: round(s.min),
        max: round(s.max),
        spread: round(s.spread()),
    }
}

/// Where lines go: `$UNITLS_BENCH_FILE` (appended) or stdout.
pub(crate) fn emit(line: &BenchLine) {
    let text = unitls_model::to_line(line);
    match std::env::var_os("UNITLS_BENCH_FILE") {
        Some(path) => {
            let written = OpenOptions::new()
                .create(true)
                .append(true)
                .open(&path)
                .and_then(|mut f| writeln!(f, "{text}"));
            if let Err(e) = written {
                eprintln!("cannot append to {}: {e}", path.to_string_lossy());
                println!("{text}");
            }
        }
        None => println!("{text}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn figures_keep_four_decimals() {
        assert_eq!(round(1.234_567_89), 1.2346);
        assert_eq!(round_opt(None), None);
        let line = BenchLine::Done {
            backend: "rustls".into(),
            seconds: round(2.000_04),
        };
        assert_eq!(
            unitls_model::to_line(&line),
            r#"{"type":"done","backend":"rustls","seconds":2.0}"#
        );
    }
}
