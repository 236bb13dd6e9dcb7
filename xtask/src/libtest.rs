//! libtest's plain output, read line by line while a test binary runs.
//!
//! libtest's JSON output is unstable, so the `test <name> ... ok|FAILED|ignored` lines
//! are parsed as they stream, and the captured output of failed tests is taken from the
//! `---- <name> stdout ----` sections of the `failures:` block.

/// The most characters of a failed test's output kept.
const OUTPUT_LIMIT: usize = 8000;

/// What libtest said about one test.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TestStatus {
    /// `ok`.
    Ok,
    /// `FAILED`.
    Failed,
    /// `ignored` (`#[ignore]`): not run.
    Ignored,
}

/// One test libtest reported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct TestResult {
    /// The test's name (the case id).
    pub(crate) id: String,
    /// What libtest said.
    pub(crate) status: TestStatus,
    /// The captured output, for failures.
    pub(crate) output: Option<String>,
}

/// Reads libtest's plain output line by line.
#[derive(Debug, Default)]
pub(crate) struct OutputParser {
    /// The results so far.
    results: Vec<TestResult>,
    /// The failure section being read: the test and its lines so far.
    section: Option<(String, Vec<String>)>,
    /// Whether the `failures:` block has started.
    in_failures: bool,
}

impl OutputParser {
    /// Takes one line; returns the test and its status if the line reported a result.
    pub(crate) fn feed(&mut self, line: &str) -> Option<(String, TestStatus)> {
        if self.in_failures {
            if let Some(id) = line
                .strip_prefix("---- ")
                .and_then(|rest| rest.strip_suffix(" stdout ----"))
            {
                self.close_section();
                self.section = Some((id.to_owned(), Vec::new()));
                return None;
            }
            if line == "failures:" {
                self.close_section();
                return None;
            }
            if let Some((_, lines)) = self.section.as_mut() {
                lines.push(line.to_owned());
                return None;
            }
        }
        if line == "failures:" {
            self.in_failures = true;
            return None;
        }
        let (id, status) = parse_result(line)?;
        self.results.push(TestResult {
            id: id.to_owned(),
            status,
            output: None,
        });
        Some((id.to_owned(), status))
    }

    /// Attaches the section being read to its test.
    fn close_section(&mut self) {
        let Some((id, mut lines)) = self.section.take() else {
            return;
        };
        while lines.last().is_some_and(|l| l.trim().is_empty()) {
            lines.pop();
        }
        let blank_head = lines.iter().take_while(|l| l.trim().is_empty()).count();
        lines.drain(..blank_head);
        let output = truncate(lines.join("\n"), OUTPUT_LIMIT);
        if let Some(result) = self.results.iter_mut().find(|r| r.id == id) {
            result.output = Some(output);
        }
    }

    /// The results, with failure output attached, in the order libtest reported them.
    pub(crate) fn finish(mut self) -> Vec<TestResult> {
        self.close_section();
        self.results
    }
}

/// Parses `test <name> ... ok|FAILED|ignored[, reason]`.
fn parse_result(line: &str) -> Option<(&str, TestStatus)> {
    let (id, result) = line.strip_prefix("test ")?.split_once(" ... ")?;
    let status = match result.trim_end() {
        "ok" => TestStatus::Ok,
        "FAILED" => TestStatus::Failed,
        other if other.starts_with("ignored") => TestStatus::Ignored,
        _ => return None,
    };
    Some((id, status))
}

/// `text` cut to at most `limit` bytes (on a character boundary), marked if cut.
pub(crate) fn truncate(mut text: String, limit: usize) -> String {
    if text.len() > limit {
        let mut cut = limit;
        while !text.is_char_boundary(cut) {
            cut -= 1;
        }
        text.truncate(cut);
        text.push_str("\n[… truncated]");
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn libtest_output_is_parsed() {
        let output = "\
running 3 tests
test attach_1_already_attached ... ok
test hs_3_silent_peer_times_out has been running for over 60 seconds
test proto_11_resumption ... ignored, needs a network
test detach_1_plain_is_none ... FAILED

failures:

---- detach_1_plain_is_none stdout ----
detach_1_plain_is_none failed over Tcp on rustls (SPEC [\"DETACH-1\"])

thread 'detach_1_plain_is_none' panicked at conformance/src/detach.rs:10:5:
assertion failed


failures:
    detach_1_plain_is_none

test result: FAILED. 1 passed; 1 failed; 1 ignored; 0 measured; 0 filtered out";
        let mut parser = OutputParser::default();
        let reported: Vec<(String, TestStatus)> = output
            .lines()
            .filter_map(|line| parser.feed(line))
            .collect();
        assert_eq!(
            reported,
            [
                ("attach_1_already_attached".to_owned(), TestStatus::Ok),
                ("proto_11_resumption".to_owned(), TestStatus::Ignored),
                ("detach_1_plain_is_none".to_owned(), TestStatus::Failed),
            ]
        );
        let results = parser.finish();
        assert_eq!(results.len(), 3);
        assert_eq!(results[0].output, None);
        let output = results[2].output.as_deref().unwrap();
        assert!(output.starts_with("detach_1_plain_is_none failed over Tcp"));
        assert!(output.ends_with("assertion failed"));
    }

    #[test]
    fn long_output_is_truncated_on_a_char_boundary() {
        assert_eq!(truncate("short".into(), 10), "short");
        let cut = truncate("ééé".into(), 3);
        assert_eq!(cut, "é\n[… truncated]");
    }
}
