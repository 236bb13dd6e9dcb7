//! The suite's reliability figures (SPEC REL-2, REL-4): the lines a backend's test
//! process appends to the file named by `UNITLS_RELIABILITY_FILE`
//! (`unitls_model::reliability`, written by `conformance/src/figures.rs`), read once
//! the process has exited.

use std::path::Path;

use unitls_model::reliability::ReliabilityLine;

/// Tells the suite where to append its figures.
pub(crate) const RELIABILITY_ENV: &str = "UNITLS_RELIABILITY_FILE";

/// Tells the memory cases how many cycles the blocking TCP run does (SPEC REL-2: the
/// full run does 10,000; a plain `cargo test`, 1,000).
pub(crate) const CYCLES_ENV: &str = "UNITLS_MEMORY_CYCLES";

/// The cycles of the full run.
pub(crate) const FULL_CYCLES: usize = 10_000;

/// The figures of one backend process: the lines read, and the ones that could not be
/// (with why). A missing file is no figures.
pub(crate) fn read(backend: &str, path: &Path) -> (Vec<ReliabilityLine>, Vec<String>) {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return (Vec::new(), Vec::new()),
        Err(e) => return (Vec::new(), vec![format!("reading {}: {e}", path.display())]),
    };
    parse(backend, &text)
}

/// Parses a reliability file's text (see [`read`]).
pub(crate) fn parse(backend: &str, text: &str) -> (Vec<ReliabilityLine>, Vec<String>) {
    let (mut lines, mut warnings) = (Vec::new(), Vec::new());
    for line in text.lines().map(str::trim).filter(|l| !l.is_empty()) {
        match serde_json::from_str::<ReliabilityLine>(line) {
            Ok(record) if line_backend(&record) == backend => lines.push(record),
            Ok(record) => warnings.push(format!(
                "ignored a line for backend `{}` in {backend}'s reliability file",
                line_backend(&record)
            )),
            Err(e) => warnings.push(format!("unreadable reliability line ({e}): {line}")),
        }
    }
    (lines, warnings)
}

fn line_backend(line: &ReliabilityLine) -> &str {
    match line {
        ReliabilityLine::Load(load) => &load.backend,
        ReliabilityLine::Memory(memory) => &memory.backend,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_of_the_backend_are_kept_others_warned_about() {
        let text = concat!(
            r#"{"kind":"load","backend":"rustls","mode":"blocking","setup":"tcp","#,
            r#""connections":1000,"handshakes_per_sec":500.0,"errors":0,"lost":0,"#,
            r#""duration_secs":2.0}"#,
            "\n",
            r#"{"kind":"load","backend":"boring","mode":"blocking","setup":"tcp","#,
            r#""connections":1,"handshakes_per_sec":1.0,"errors":0,"lost":0,"#,
            r#""duration_secs":1.0}"#,
            "\nnot json\n\n"
        );
        let (lines, warnings) = parse("rustls", text);
        assert_eq!(lines.len(), 1);
        assert_eq!(warnings.len(), 2, "{warnings:?}");
        assert!(warnings[0].contains("boring"));
        let missing = read("rustls", Path::new("/nonexistent/reliability.jsonl"));
        assert_eq!(missing, (Vec::new(), Vec::new()));
    }
}
