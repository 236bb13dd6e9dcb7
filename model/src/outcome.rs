//! The conformance suite's outcome lines (SPEC §0): what
//! `unitls_conformance::outcome::record` appends to `$UNITLS_OUTCOME_FILE` and `cargo
//! xtask conformance` reads — first a [`BackendDescription`], then one [`CaseOutcome`]
//! per case.

use serde::{Deserialize, Serialize};

/// The verdict for one case on one backend (SPEC §0); also an interop cell's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    /// As the SPEC says.
    Pass,
    /// Anything else.
    Fail,
    /// A declared capability gap, answered with `Unsupported` (or its fallback).
    Unsupported,
    /// A library limitation the backend lists, observed.
    Deviation,
}

impl Outcome {
    /// Every outcome, in the order reports list them.
    pub const ALL: [Outcome; 4] = [
        Outcome::Pass,
        Outcome::Fail,
        Outcome::Unsupported,
        Outcome::Deviation,
    ];

    /// The word in the outcome lines and report.json (`pass`…), also the report's CSS
    /// class.
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Pass => "pass",
            Outcome::Fail => "fail",
            Outcome::Unsupported => "unsupported",
            Outcome::Deviation => "deviation",
        }
    }

    /// The progress mark printed while the suite streams (`.`, `F`, `u`, `d`).
    pub fn mark(self) -> char {
        match self {
            Outcome::Pass => '.',
            Outcome::Fail => 'F',
            Outcome::Unsupported => 'u',
            Outcome::Deviation => 'd',
        }
    }
}

/// The I/O model a case ran in (SPEC "Modes"): a row of the report per case and mode.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    /// The blocking `SocketStream` (`unitls-report/1` called it `sync`, which still
    /// reads as this).
    #[default]
    #[serde(alias = "sync")]
    Blocking,
    /// The tokio `SocketStream` (`unitls::tokio`).
    Async,
}

impl Mode {
    /// Every mode, in report order.
    pub const ALL: [Mode; 2] = [Mode::Blocking, Mode::Async];

    /// The word in the outcome lines and report.json.
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Blocking => "blocking",
            Mode::Async => "async",
        }
    }
}

/// A library limitation a backend lists (SPEC §0 "deviation").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Deviation {
    /// The requirement it concerns (`PROTO-9`).
    pub spec: String,
    /// The limitation, named precisely.
    pub limitation: String,
}

/// The first line of an outcome file: what the backend says about itself.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BackendDescription {
    /// The backend's registry name (`openssl`).
    pub backend: String,
    /// The TLS library and version (`OpenSSL 3.0.19 27 Jan 2026`).
    pub library: String,
    /// The backend crate and version (`unitls-openssl 0.1.0`).
    #[serde(rename = "crate")]
    pub crate_version: String,
    /// The limitations it lists.
    #[serde(default)]
    pub deviations: Vec<Deviation>,
}

/// One case's verdict on one backend.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseOutcome {
    /// The backend's registry name.
    pub backend: String,
    /// The case id (the test's name).
    pub id: String,
    /// The SPEC IDs the runs checked.
    pub spec: Vec<String>,
    /// The mode it ran in (`blocking` when a line does not say).
    #[serde(default)]
    pub mode: Mode,
    /// The suite's verdict.
    pub outcome: Outcome,
    /// Why, for every outcome but pass (empty when absent).
    #[serde(default)]
    pub detail: String,
}

/// One line of an outcome file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum OutcomeLine {
    /// The backend's description.
    Backend(BackendDescription),
    /// A case's verdict.
    Case(CaseOutcome),
}

impl OutcomeLine {
    /// Reads one line: a case if it has an `id`, a description if it has a `library`.
    pub fn parse(line: &str) -> Result<OutcomeLine, String> {
        let value: serde_json::Value = serde_json::from_str(line).map_err(|e| e.to_string())?;
        if value.get("id").is_some() {
            serde_json::from_value(value)
                .map(OutcomeLine::Case)
                .map_err(|e| e.to_string())
        } else if value.get("library").is_some() {
            serde_json::from_value(value)
                .map(OutcomeLine::Backend)
                .map_err(|e| e.to_string())
        } else {
            Err("neither a case (`id`) nor a backend description (`library`)".into())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_round_trip() {
        let case = OutcomeLine::Case(CaseOutcome {
            backend: "rustls".into(),
            id: "a_1".into(),
            spec: vec!["A-1".into()],
            mode: Mode::Blocking,
            outcome: Outcome::Fail,
            detail: "x\n\"y\"\\ é\u{1}".into(),
        });
        let line = crate::to_line(&case);
        assert!(!line.contains('\n'));
        assert!(
            line.contains(r#""mode":"blocking","outcome":"fail""#),
            "{line}"
        );
        assert_eq!(OutcomeLine::parse(&line).unwrap(), case);
        let old = r#"{"backend":"b","id":"x","spec":[],"outcome":"pass"}"#;
        let OutcomeLine::Case(read) = OutcomeLine::parse(old).unwrap() else {
            panic!("not a case")
        };
        assert_eq!((read.mode, read.detail.as_str()), (Mode::Blocking, ""));
        let info = r#"{"backend":"b","library":"L 1","crate":"c 0.1"}"#;
        assert!(matches!(
            OutcomeLine::parse(info),
            Ok(OutcomeLine::Backend(BackendDescription { ref deviations, .. })) if deviations.is_empty()
        ));
        assert!(OutcomeLine::parse(r#"{"backend":"b"}"#).is_err());
        assert!(
            OutcomeLine::parse(r#"{"backend":"b","id":"x","spec":[],"outcome":"maybe"}"#)
                .unwrap_err()
                .contains("maybe")
        );
    }
}
