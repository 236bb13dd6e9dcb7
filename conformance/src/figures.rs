//! The suite's reliability figures (SPEC REL-2, REL-4): one
//! `unitls_model::reliability` line per measured run, appended to the file named by
//! `$UNITLS_RELIABILITY_FILE` when it is set (`cargo xtask conformance` reads it for
//! the report's `reliability` section), and printed for a plain `cargo test`.

use std::io::Write;

use unitls_model::reliability::ReliabilityLine;

/// The environment variable naming the file the figures are appended to.
pub const RELIABILITY_ENV: &str = "UNITLS_RELIABILITY_FILE";

/// Appends `line` to `$UNITLS_RELIABILITY_FILE`, if set, and prints it (shown with
/// `--nocapture`). A failure to write is the report's to notice: the figure is then
/// missing from it.
pub fn record(line: &ReliabilityLine) {
    let mut text = unitls_model::to_line(line);
    println!("{text}");
    text.push('\n');
    let Some(path) = std::env::var_os(RELIABILITY_ENV) else {
        return;
    };
    if let Ok(mut file) = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
    {
        let _ = file.write_all(text.as_bytes());
    }
}

/// `kind` as the figures name a transport.
pub(crate) fn transport_name(kind: crate::TransportKind) -> &'static str {
    match kind {
        crate::TransportKind::Tcp => "tcp",
        crate::TransportKind::Memory => "memory",
    }
}
