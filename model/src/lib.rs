//! `unitls-model`: the records unitls's tools write and read, as plain serde types —
//! one definition for the writer and the reader of every JSON line and file.
//!
//! - [`outcome`]: the lines the conformance suite appends to `$UNITLS_OUTCOME_FILE`
//!   (one backend description, then one verdict per case), read by `cargo xtask
//!   conformance`;
//! - [`validation`]: the x509-limbo comparison's lines (`$UNITLS_VALIDATION_FILE`) and
//!   the report's `validation` section;
//! - [`bench`]: the comparison benches' lines (`$UNITLS_BENCH_FILE`) and the report's
//!   `performance` section (also the snapshot `docs/report.json`);
//! - [`fuzz`]: the figures of the last `cargo xtask fuzz` run (`target/unitls-fuzz.json`);
//! - [`leaks`]: valgrind's leak summary per backend from the last `cargo xtask leaks`
//!   run (`target/unitls-leaks.json`);
//! - [`integration`]: what `unitls-integrations` finds running tokio-postgres and hyper
//!   over unitls against real servers (`$UNITLS_INTEGRATION_FILE`), and the report's
//!   `integrations` section;
//! - [`peer`]: the events `unitls-peer` prints, one per line, read by the interop matrix;
//! - [`reliability`]: the suite's load and memory figures (`$UNITLS_RELIABILITY_FILE`)
//!   and the report's `reliability` section;
//! - [`report`]: `report.json` itself (schema [`report::SCHEMA`]) and `interop.json`.
//!
//! Lines are written with [`to_line`] (one JSON object, no newline inside) and files
//! with [`to_pretty`]; both go through `serde_json`, so every writer escapes alike.
//! Readers tolerate missing optional members (`#[serde(default)]`), so a section added
//! later does not break reading an older file.

#![forbid(unsafe_code)]

pub mod bench;
pub mod fuzz;
pub mod integration;
pub mod leaks;
pub mod outcome;
pub mod peer;
pub mod reliability;
pub mod report;
pub mod validation;

pub use outcome::{Mode, Outcome};

/// `value` as one line of JSON, without the final newline.
pub fn to_line<T: serde::Serialize>(value: &T) -> String {
    // Serializing these plain records cannot fail (no maps with non-string keys).
    serde_json::to_string(value).expect("a record serializes")
}

/// `value` as pretty-printed JSON with a final newline, as the report files are written.
pub fn to_pretty<T: serde::Serialize>(value: &T) -> String {
    let mut text = serde_json::to_string_pretty(value).expect("a record serializes");
    text.push('\n');
    text
}

/// Rounds `value` to `decimals` places, so that figures and durations are written
/// without noise digits (a non-finite value stays as it is and is written as `null`).
pub fn round(value: f64, decimals: i32) -> f64 {
    let scale = 10f64.powi(decimals);
    if value.is_finite() {
        (value * scale).round() / scale
    } else {
        value
    }
}
