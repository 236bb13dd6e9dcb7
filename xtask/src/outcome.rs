//! SPEC §0 outcomes — pass, fail, unsupported, deviation — as the conformance runner
//! records them, and how they combine with what libtest reported.
//!
//! The runner (`unitls_conformance::outcome::record`) appends one JSON object per line
//! to the file named by `UNITLS_OUTCOME_FILE`: first a description of the backend, then
//! one line per case (`unitls_model::outcome`'s records). The runner judges; xtask only
//! reads, and treats whatever it cannot read as a failure.

use std::fs::File;
use std::io::{Read as _, Seek as _, SeekFrom};
use std::path::Path;

use unitls_model::outcome::{BackendDescription, CaseOutcome, OutcomeLine};
pub(crate) use unitls_model::outcome::{Deviation, Mode, Outcome};

use crate::libtest::{TestResult, TestStatus};

/// What a backend says about itself (the first line of its outcome file).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct BackendInfo {
    /// The TLS library and version (`OpenSSL 3.0.19 27 Jan 2026`).
    pub(crate) library: String,
    /// The backend crate and version (`unitls-openssl 0.1.0`).
    pub(crate) crate_version: String,
    /// The limitations it lists.
    pub(crate) deviations: Vec<Deviation>,
}

/// One case line of an outcome file.
pub(crate) type Recorded = CaseOutcome;

/// The outcome file of one backend process, read as it grows.
#[derive(Debug)]
pub(crate) struct OutcomeLog {
    /// The backend whose file this is; lines naming another are set aside.
    backend: String,
    /// The backend's description, once read.
    pub(crate) info: Option<BackendInfo>,
    /// The case lines, in the order they were written.
    pub(crate) cases: Vec<Recorded>,
    /// Lines that could not be used, and why.
    pub(crate) warnings: Vec<String>,
    /// The bytes of the file consumed so far.
    offset: u64,
    /// The start of a line whose newline has not been written yet.
    partial: Vec<u8>,
}

impl OutcomeLog {
    /// An empty log for `backend`.
    pub(crate) fn new(backend: &str) -> Self {
        OutcomeLog {
            backend: backend.to_owned(),
            info: None,
            cases: Vec::new(),
            warnings: Vec::new(),
            offset: 0,
            partial: Vec::new(),
        }
    }

    /// Reads what was appended to `path` since the last call (nothing if the file does
    /// not exist yet).
    pub(crate) fn read_new(&mut self, path: &Path) -> std::io::Result<()> {
        let mut file = match File::open(path) {
            Ok(file) => file,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
            Err(e) => return Err(e),
        };
        file.seek(SeekFrom::Start(self.offset))?;
        let mut bytes = Vec::new();
        file.read_to_end(&mut bytes)?;
        self.offset += u64::try_from(bytes.len()).unwrap_or(u64::MAX);
        self.feed(&bytes);
        Ok(())
    }

    /// Takes the next bytes of the file; complete lines are parsed at once.
    pub(crate) fn feed(&mut self, bytes: &[u8]) {
        self.partial.extend_from_slice(bytes);
        while let Some(newline) = self.partial.iter().position(|&b| b == b'\n') {
            let line: Vec<u8> = self.partial.drain(..=newline).collect();
            self.feed_line(&String::from_utf8_lossy(&line[..newline]));
        }
    }

    /// Parses a last line that lacks its newline (call once the writer has exited).
    pub(crate) fn finish(&mut self) {
        if !self.partial.is_empty() {
            let line = std::mem::take(&mut self.partial);
            self.feed_line(&String::from_utf8_lossy(&line));
        }
    }

    /// The case line for `id` (its blocking one, when it ran in both modes), if one
    /// was read.
    pub(crate) fn get(&self, id: &str) -> Option<&Recorded> {
        self.cases
            .iter()
            .find(|c| c.id == id && c.mode == Mode::Blocking)
            .or_else(|| self.cases.iter().find(|c| c.id == id))
    }

    /// Parses one line.
    fn feed_line(&mut self, line: &str) {
        let line = line.trim();
        if line.is_empty() {
            return;
        }
        match OutcomeLine::parse(line) {
            Ok(OutcomeLine::Backend(BackendDescription { backend, .. }))
            | Ok(OutcomeLine::Case(CaseOutcome { backend, .. }))
                if backend != self.backend =>
            {
                self.warnings.push(format!(
                    "ignored a line for backend `{backend}` in {}'s outcome file: {line}",
                    self.backend
                ));
            }
            Ok(OutcomeLine::Backend(description)) => {
                let info = BackendInfo {
                    library: description.library,
                    crate_version: description.crate_version,
                    deviations: description.deviations,
                };
                if self.info.as_ref().is_some_and(|known| *known != info) {
                    self.warnings.push(format!(
                        "a second, different backend description (kept the first): {line}"
                    ));
                } else {
                    self.info = Some(info);
                }
            }
            Ok(OutcomeLine::Case(case)) => {
                let same = |c: &&mut Recorded| c.id == case.id && c.mode == case.mode;
                if let Some(known) = self.cases.iter_mut().find(same) {
                    self.warnings.push(format!(
                        "case `{}` was recorded twice in the {} mode",
                        case.id,
                        case.mode.as_str()
                    ));
                    // The first verdict stands unless the later one is a failure: a
                    // failure is never hidden.
                    if case.outcome == Outcome::Fail {
                        *known = case;
                    }
                } else {
                    self.cases.push(case);
                }
            }
            Err(why) => self
                .warnings
                .push(format!("unreadable outcome line ({why}): {line}")),
        }
    }
}

/// One case's result on one backend, as the report shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct CaseResult {
    /// The case id.
    pub(crate) id: String,
    /// The SPEC IDs it cites (empty if the runner recorded nothing for it).
    pub(crate) spec: Vec<String>,
    /// The mode it ran in (as recorded; blocking when the runner recorded nothing).
    pub(crate) mode: Mode,
    /// The verdict.
    pub(crate) outcome: Outcome,
    /// Why, for every outcome but pass.
    pub(crate) detail: String,
    /// libtest's captured output, for failures, when it adds to `detail`.
    pub(crate) output: Option<String>,
}

/// Combines libtest's view of one process with the runner's outcome lines.
///
/// The runner's verdict stands, except that libtest's `FAILED` is always a failure: a
/// case without an outcome line (a panic outside the runner) fails with libtest's
/// captured output, and so does one the runner judged otherwise. A case libtest passed
/// without an outcome line fails too: pass, unsupported and deviation all look alike to
/// libtest, so the report cannot tell which it was. Sorted by id.
pub(crate) fn merge(tests: &[TestResult], recorded: &[Recorded]) -> Vec<CaseResult> {
    let mut cases: Vec<CaseResult> = Vec::new();
    for test in tests {
        // One outcome line per mode the case ran in (blocking, and async when it
        // runs in the tokio mode too); libtest has one test for all of them.
        let records: Vec<&Recorded> = recorded.iter().filter(|r| r.id == test.id).collect();
        let output = test.output.clone().filter(|o| !o.trim().is_empty());
        if records.is_empty() {
            cases.push(without_record(test, output));
            continue;
        }
        let any_failed = records.iter().any(|r| r.outcome == Outcome::Fail);
        for r in records {
            let case = match test.status {
                TestStatus::Failed if r.outcome == Outcome::Fail => CaseResult {
                    id: test.id.clone(),
                    spec: r.spec.clone(),
                    mode: r.mode,
                    outcome: Outcome::Fail,
                    detail: r.detail.clone(),
                    output: output.clone().filter(|o| o.trim() != r.detail.trim()),
                },
                TestStatus::Failed if !any_failed => CaseResult {
                    id: test.id.clone(),
                    spec: r.spec.clone(),
                    mode: r.mode,
                    outcome: Outcome::Fail,
                    detail: format!(
                        "libtest reported FAILED after the runner recorded `{}`{}:\n{}",
                        r.outcome.as_str(),
                        if r.detail.is_empty() {
                            String::new()
                        } else {
                            format!(" ({})", r.detail)
                        },
                        output.as_deref().unwrap_or("(no output captured)")
                    ),
                    output: None,
                },
                _ => CaseResult {
                    id: r.id.clone(),
                    spec: r.spec.clone(),
                    mode: r.mode,
                    outcome: r.outcome,
                    detail: r.detail.clone(),
                    output: None,
                },
            };
            cases.push(case);
        }
    }
    // Outcome lines libtest never reported (the process died before printing them).
    for r in recorded {
        if !cases.iter().any(|c| c.id == r.id && c.mode == r.mode) {
            cases.push(CaseResult {
                id: r.id.clone(),
                spec: r.spec.clone(),
                mode: r.mode,
                outcome: r.outcome,
                detail: r.detail.clone(),
                output: None,
            });
        }
    }
    cases.sort_by(|a, b| (&a.id, mode_order(a.mode)).cmp(&(&b.id, mode_order(b.mode))));
    cases
}

/// Blocking rows before async ones.
fn mode_order(mode: Mode) -> usize {
    Mode::ALL
        .iter()
        .position(|m| *m == mode)
        .unwrap_or(usize::MAX)
}

/// A test libtest reported without any outcome line from the runner.
fn without_record(test: &TestResult, output: Option<String>) -> CaseResult {
    let (detail, outcome) = match test.status {
        TestStatus::Failed => (
            output.unwrap_or_else(|| {
                "libtest reported FAILED; no outcome line and no output captured".into()
            }),
            Outcome::Fail,
        ),
        TestStatus::Ok => (
            "libtest reported ok but the runner wrote no outcome line \
             (UNITLS_OUTCOME_FILE not honoured?): pass, unsupported and \
             deviation cannot be told apart"
                .into(),
            Outcome::Fail,
        ),
        TestStatus::Ignored => (
            "not run: libtest ignored it (#[ignore]); every case must run".into(),
            Outcome::Fail,
        ),
    };
    CaseResult {
        id: test.id.clone(),
        spec: Vec::new(),
        mode: Mode::default(),
        outcome,
        detail,
        output: None,
    }
}

impl CaseResult {
    /// How the report names the row: the id, with ` (async)` for the tokio mode's.
    pub(crate) fn label(&self) -> String {
        match self.mode {
            Mode::Blocking => self.id.clone(),
            mode => format!("{} ({})", self.id, mode.as_str()),
        }
    }
}

/// Adds a failed case for every `(id, spec)` of `expected` that `cases` lacks (a case
/// another backend ran, which this backend's process never reported), with `reason`.
pub(crate) fn add_missing(
    cases: &mut Vec<CaseResult>,
    expected: &[(String, Vec<String>)],
    reason: &str,
) {
    let mut added = false;
    for (id, spec) in expected {
        if !cases.iter().any(|c| c.id == *id) {
            cases.push(CaseResult {
                id: id.clone(),
                spec: spec.clone(),
                mode: Mode::default(),
                outcome: Outcome::Fail,
                detail: reason.to_owned(),
                output: None,
            });
            added = true;
        }
    }
    if added {
        cases.sort_by(|a, b| a.id.cmp(&b.id));
    }
}

/// Splits a library description into its name and version: the words before the
/// first one that starts with a digit are the name; that word is the version, with a
/// parenthesised group right after it (`0.23 (aws-lc-rs)`), while anything else after it
/// (OpenSSL's build date) is left to the full string. No version-like word: `None`.
pub(crate) fn split_library(full: &str) -> (String, Option<String>) {
    let words: Vec<&str> = full.split_whitespace().collect();
    let is_version = |word: &&str| {
        let digits = word.strip_prefix(['v', 'V']).unwrap_or(word);
        digits.starts_with(|c: char| c.is_ascii_digit())
    };
    let Some(at) = words.iter().skip(1).position(is_version).map(|i| i + 1) else {
        return (full.trim().to_owned(), None);
    };
    let mut version = words[at].to_owned();
    if words.get(at + 1).is_some_and(|w| w.starts_with('(')) {
        let mut depth = 0i32;
        for word in &words[at + 1..] {
            version.push(' ');
            version.push_str(word);
            depth += count(word, '(') - count(word, ')');
            if depth <= 0 {
                break;
            }
        }
    }
    (words[..at].join(" "), Some(version))
}

/// How often `c` occurs in `text`.
fn count(text: &str, c: char) -> i32 {
    i32::try_from(text.matches(c).count()).unwrap_or(i32::MAX)
}

#[cfg(test)]
mod tests;
