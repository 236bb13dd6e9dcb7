//! SPEC §0 outcomes: pass, fail, unsupported, deviation — judged from what a case
//! did on a backend and what the backend declared.
//!
//! - A case needing a capability the backend does not declare is `unsupported` only
//!   if the API answered `Unsupported(that capability)` (the case then fails with that
//!   error in its message), or if the case checked the SPEC's documented fallback
//!   (`Harness::lacks`). Passing otherwise is a *failed declaration*.
//! - A case citing a SPEC ID the backend lists as a deviation must fail (the
//!   library limitation shows); passing makes the deviation *stale*, a failure.

use std::io::Write;

use unitls_core::Capability;
use unitls_model::outcome::{BackendDescription, CaseOutcome, Deviation, OutcomeLine};
use unitls_model::{Mode, Outcome as Word};

use crate::{Case, RunKind};

/// The verdict for one case on one backend.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// As the SPEC says.
    Pass,
    /// A declared capability gap, answered with `Unsupported` (or its fallback).
    Unsupported(String),
    /// A listed library limitation, observed.
    Deviation(String),
    /// Anything else.
    Fail(String),
}

impl Outcome {
    /// The report's word for it.
    pub fn word(&self) -> Word {
        match self {
            Outcome::Pass => Word::Pass,
            Outcome::Unsupported(_) => Word::Unsupported,
            Outcome::Deviation(_) => Word::Deviation,
            Outcome::Fail(_) => Word::Fail,
        }
    }

    /// The reason, for every outcome but pass.
    pub fn detail(&self) -> &str {
        match self {
            Outcome::Pass => "",
            Outcome::Unsupported(d) | Outcome::Deviation(d) | Outcome::Fail(d) => d,
        }
    }
}

/// The text of a panic payload.
pub(crate) fn panic_text(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "non-text panic".into())
}

/// Judges the runs of `case` on `backend` (one per transport): each is the panic
/// text on failure and whether the case checked a capability fallback.
pub fn judge(backend: &str, case: &Case, runs: &[(RunKind, Result<(), String>, bool)]) -> Outcome {
    let declared = unitls_core::capabilities(backend).unwrap_or_default();
    let missing: Vec<Capability> = case
        .needs
        .iter()
        .filter(|n| !n.met_by(declared))
        .map(|n| n.capability)
        .collect();
    let deviation = unitls_core::backend::registered(backend).and_then(|b| {
        b.deviations()
            .iter()
            .find(|d| case.spec.contains(&d.spec_id))
            .copied()
    });
    let mut verdicts = runs.iter().map(|(kind, result, fell_back)| {
        match (result, &deviation, missing.is_empty()) {
            (Err(text), _, false)
                if missing
                    .iter()
                    .any(|c| text.contains(&format!("Unsupported({c:?})"))) =>
            {
                Outcome::Unsupported(format!(
                    "{} not declared ({}); the API answered Unsupported",
                    names(&missing),
                    reasons(declared, &missing)
                ))
            }
            (Ok(()), _, false) if *fell_back => Outcome::Unsupported(format!(
                "{} not declared ({}); the documented fallback holds",
                names(&missing),
                reasons(declared, &missing)
            )),
            (Ok(()), _, false) => Outcome::Fail(format!(
                "failed declaration: passed over {kind:?} although {} is declared missing",
                names(&missing)
            )),
            (Err(text), Some(d), true) => Outcome::Deviation(format!(
                "{}: {} (observed: {})",
                d.spec_id,
                d.limitation,
                first_line(text)
            )),
            (Ok(()), Some(d), true) => Outcome::Fail(format!(
                "stale deviation {}: the case passes over {kind:?}",
                d.spec_id
            )),
            (Ok(()), None, true) => Outcome::Pass,
            (Err(text), _, _) => Outcome::Fail(format!("over {kind:?}: {text}")),
        }
    });
    let first = verdicts.next().unwrap_or(Outcome::Fail("no run".into()));
    verdicts.fold(first, |worst, next| match (&worst, &next) {
        (Outcome::Fail(_), _) => worst,
        (_, Outcome::Fail(_)) => next,
        _ => worst,
    })
}

fn names(caps: &[Capability]) -> String {
    caps.iter().map(|c| c.name()).collect::<Vec<_>>().join(", ")
}

/// The library limitation the backend names for each missing capability, per role.
fn reasons(declared: unitls_core::Capabilities, caps: &[Capability]) -> String {
    let mut reasons: Vec<String> = Vec::new();
    for cap in caps {
        for lack in declared.lacks().iter().filter(|l| l.capability == *cap) {
            reasons.push(format!("{cap}, {}: {}", lack.roles.name(), lack.reason));
        }
    }
    if reasons.is_empty() {
        "no reason declared".to_owned()
    } else {
        reasons.join("; ")
    }
}

fn first_line(text: &str) -> &str {
    text.lines().next().unwrap_or("")
}

/// Appends the outcome as one JSON line to `$UNITLS_OUTCOME_FILE`, if set (read by
/// `cargo xtask conformance`); the first record of a process also describes the
/// backend. Both are `unitls_model::outcome` records.
///
/// `cited` is the SPEC IDs the runs checked: the case's own, plus REL-1 when it also
/// ran through injected faults.
pub fn record(backend: &str, case: &Case, mode: Mode, cited: &[&str], outcome: &Outcome) {
    let Some(path) = std::env::var_os("UNITLS_OUTCOME_FILE") else {
        return;
    };
    static DESCRIBED: std::sync::Once = std::sync::Once::new();
    DESCRIBED.call_once(|| {
        if let Some(b) = unitls_core::backend::registered(backend) {
            let info = b.info();
            append(
                &path,
                &OutcomeLine::Backend(BackendDescription {
                    backend: backend.to_owned(),
                    library: info.library.clone(),
                    crate_version: info.crate_version.clone(),
                    deviations: b
                        .deviations()
                        .iter()
                        .map(|d| Deviation {
                            spec: d.spec_id.to_owned(),
                            limitation: d.limitation.to_owned(),
                        })
                        .collect(),
                }),
            );
        }
    });
    append(
        &path,
        &OutcomeLine::Case(CaseOutcome {
            backend: backend.to_owned(),
            id: case.id.to_owned(),
            spec: cited.iter().map(|s| (*s).to_owned()).collect(),
            mode,
            outcome: outcome.word(),
            detail: outcome.detail().to_owned(),
        }),
    );
}

/// Appends `line` and a newline to the file at `path` (a failure to write is the
/// report's to notice: the case then has no outcome line).
fn append(path: &std::ffi::OsStr, line: &OutcomeLine) {
    let mut text = unitls_model::to_line(line);
    text.push('\n');
    if let Ok(mut file) = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
    {
        let _ = file.write_all(text.as_bytes());
    }
}
