//! The SPEC's requirements and which of them no case cites.

use std::collections::BTreeSet;
use std::fs;
use std::path::PathBuf;

use super::BackendRun;
use crate::spec;

/// The SPEC's requirements and which of them no case cites.
#[derive(Debug)]
pub(crate) struct Coverage {
    /// Where the SPEC was looked for.
    pub(crate) path: PathBuf,
    /// Its live requirement IDs; `None` if it could not be read.
    pub(crate) requirements: Option<Vec<String>>,
    /// Why it could not be read.
    pub(crate) error: Option<String>,
    /// The requirements no case on any backend cites nor is checked elsewhere, in
    /// SPEC order, with the reason.
    pub(crate) uncovered: Vec<String>,
    /// Why each uncovered requirement is uncovered (from `elsewhere.rs`).
    pub(crate) reasons: Vec<(String, String)>,
    /// Requirements checked outside the suite, and where.
    pub(crate) elsewhere: Vec<(String, String)>,
    /// IDs cases cite that the SPEC does not have.
    pub(crate) unknown: Vec<String>,
}

impl Coverage {
    /// Reads the SPEC at `path` and checks it against every case's citations and
    /// `also_cited` (the IDs checks outside the suite cite, such as the integrations).
    pub(crate) fn compute(path: PathBuf, runs: &[BackendRun], also_cited: &[String]) -> Self {
        match fs::read_to_string(&path) {
            Ok(text) => Self::from_text(path, &text, runs, also_cited),
            Err(e) => Coverage {
                error: Some(if e.kind() == std::io::ErrorKind::NotFound {
                    "not found".to_owned()
                } else {
                    e.to_string()
                }),
                path,
                requirements: None,
                uncovered: Vec::new(),
                reasons: Vec::new(),
                elsewhere: Vec::new(),
                unknown: Vec::new(),
            },
        }
    }

    /// The coverage of the SPEC `text` (read from `path`).
    pub(super) fn from_text(
        path: PathBuf,
        text: &str,
        runs: &[BackendRun],
        also_cited: &[String],
    ) -> Self {
        let ids = spec::requirement_ids(text);
        let listing =
            fs::read_to_string(spec::elsewhere_path(&crate::workspace::root())).unwrap_or_default();
        let elsewhere = spec::listed_in(&listing, "CHECKED_ELSEWHERE");
        let reasons = spec::listed_in(&listing, "NOT_YET_COVERED");
        let mut cited: BTreeSet<&str> = runs
            .iter()
            .flat_map(|run| &run.cases)
            .flat_map(|case| &case.spec)
            .chain(also_cited)
            .map(String::as_str)
            .collect();
        let unknown = spec::unknown(&ids, &cited)
            .into_iter()
            .map(str::to_owned)
            .collect();
        cited.extend(elsewhere.iter().map(|(id, _)| id.as_str()));
        let uncovered = spec::uncovered(&ids, &cited)
            .into_iter()
            .map(str::to_owned)
            .collect();

        Coverage {
            path,
            requirements: Some(ids),
            error: None,
            uncovered,
            reasons,
            elsewhere,
            unknown,
        }
    }

    /// One sentence on what the uncovered list is, or why it is empty.
    pub(crate) fn note(&self) -> String {
        match (&self.requirements, &self.error) {
            (Some(ids), _) => format!(
                "{} of {} requirement IDs in {} are cited by no case's spec[] on any backend run",
                self.uncovered.len(),
                ids.len(),
                self.path.display()
            ),
            (None, error) => format!(
                "SPEC {} could not be read ({}); uncovered requirements not computed",
                self.path.display(),
                error.as_deref().unwrap_or("unknown error")
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::Coverage;

    #[test]
    fn a_missing_spec_is_said() {
        let coverage = Coverage::compute(PathBuf::from("/nonexistent/shared/SPEC.md"), &[], &[]);
        assert!(coverage.requirements.is_none());
        assert!(coverage.uncovered.is_empty());
        assert!(coverage.note().contains("could not be read (not found)"));
    }
}
