//! One backend's test process and its results.

use std::fmt::Write as _;
use std::path::PathBuf;
use std::time::Duration;

use unitls_model::Mode;

use crate::outcome::{BackendInfo, CaseResult, Outcome};
use crate::text::first_line;
use crate::workspace;

/// One backend's test process and its results.
#[derive(Debug)]
pub(crate) struct BackendRun {
    /// The backend's name (`rustls`).
    pub(crate) name: &'static str,
    /// The command that ran the suite, as a shell line.
    pub(crate) command: String,
    /// The process's exit code, if it exited normally.
    pub(crate) exit_code: Option<i32>,
    /// Whether the process succeeded.
    pub(crate) success: bool,
    /// How long the process took (build included).
    pub(crate) duration: Duration,
    /// What the backend declares (per role, every gap with its reason), if its
    /// source could be read.
    pub(crate) declared: Option<crate::declared::Declared>,
    /// What the backend said about itself, if it ran a case.
    pub(crate) info: Option<BackendInfo>,
    /// The outcome file the runner wrote.
    pub(crate) outcome_file: PathBuf,
    /// Outcome lines that could not be used, and why.
    pub(crate) warnings: Vec<String>,
    /// Every case, sorted by id.
    pub(crate) cases: Vec<CaseResult>,
    /// The load and memory figures the process wrote (SPEC REL-2, REL-4).
    pub(crate) reliability: Vec<unitls_model::reliability::ReliabilityLine>,
    /// Lines of the reliability file that could not be used, and why.
    pub(crate) reliability_warnings: Vec<String>,
}

impl BackendRun {
    /// How many cases ended with `outcome`.
    pub(crate) fn count(&self, outcome: Outcome) -> usize {
        self.cases.iter().filter(|c| c.outcome == outcome).count()
    }

    /// The cases that ended with `outcome`.
    pub(super) fn with(&self, outcome: Outcome) -> impl Iterator<Item = &CaseResult> {
        self.cases.iter().filter(move |c| c.outcome == outcome)
    }

    /// Whether the process succeeded, reported cases, and none failed (unsupported and
    /// deviation do not fail a run).
    pub(crate) fn is_ok(&self) -> bool {
        self.success && !self.cases.is_empty() && self.count(Outcome::Fail) == 0
    }

    /// The command that reruns one case alone.
    pub(super) fn case_command(&self, id: &str) -> String {
        format!(
            "cargo test -p {} --test conformance -- --exact {id}",
            workspace::backend_package(self.name)
        )
    }

    /// The process's status in words.
    pub(crate) fn status(&self) -> String {
        match (self.success, self.exit_code) {
            (true, _) if self.cases.is_empty() => "ok but reported no case".to_owned(),
            (true, _) => "ok".to_owned(),
            (false, Some(code)) => format!("failed (exit code {code})"),
            (false, None) => "failed (killed by a signal)".to_owned(),
        }
    }

    /// The library's full description, or a placeholder.
    pub(super) fn library(&self) -> &str {
        self.info
            .as_ref()
            .map_or("(unknown)", |i| i.library.as_str())
    }

    /// `50 pass, 0 fail, 3 unsupported, 1 deviation`, then the counts per mode when
    /// the cases ran in more than one (`(blocking: 42 pass, 0 fail; async: 8 pass, 0
    /// fail)`).
    pub(super) fn counts_text(&self) -> String {
        let total = Outcome::ALL
            .map(|o| format!("{} {}", self.count(o), o.as_str()))
            .join(", ");
        let modes: Vec<Mode> = Mode::ALL
            .into_iter()
            .filter(|m| self.cases.iter().any(|c| c.mode == *m))
            .collect();
        if modes.len() < 2 {
            return total;
        }
        let per_mode = modes
            .iter()
            .map(|mode| {
                let n = |o: Outcome| {
                    self.cases
                        .iter()
                        .filter(|c| c.mode == *mode && c.outcome == o)
                        .count()
                };
                format!(
                    "{}: {} pass, {} fail",
                    mode.as_str(),
                    n(Outcome::Pass),
                    n(Outcome::Fail)
                )
            })
            .collect::<Vec<_>>()
            .join("; ");
        format!("{total} ({per_mode})")
    }

    /// The lines for the terminal.
    pub(crate) fn summary_line(&self) -> String {
        let mut line = format!(
            "{} ({}): {}; test process {} after {:.1} s",
            self.name,
            self.library(),
            self.counts_text(),
            self.status(),
            self.duration.as_secs_f64()
        );
        for case in self.with(Outcome::Fail) {
            let _ = write!(
                line,
                "\n    FAILED {}: {}",
                case.id,
                first_line(&case.detail)
            );
        }
        line
    }
}
