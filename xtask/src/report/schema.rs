//! report.json (schema `unitls-report/2`, `unitls_model::report`): the report as the
//! model's records.

use unitls_model::report::{
    self as model, BackendRecord, CaseRecord, Conformance, Elsewhere, InteropCounts, Library,
    OutcomeCounts, RunStatus, SpecInfo, Uncovered,
};

use super::{BackendRun, Report};
use crate::declared::Declared;
use crate::outcome::{split_library, Outcome};
use crate::workspace;

use unitls_model::report::SCHEMA;

/// Why an uncovered requirement is listed.
pub(super) const UNCOVERED_REASON: &str = "no conformance case yet";

/// Seconds with millisecond precision, as the report writes durations.
pub(crate) fn secs(duration: std::time::Duration) -> f64 {
    unitls_model::round(duration.as_secs_f64(), 3)
}

impl Report {
    /// report.json, without a `performance` section.
    pub(crate) fn to_record(&self) -> model::Report {
        let coverage = &self.coverage;
        let uncovered = coverage
            .uncovered
            .iter()
            .map(|id| Uncovered {
                id: id.clone(),
                reason: coverage
                    .reasons
                    .iter()
                    .find(|(listed, _)| listed == id)
                    .map_or(UNCOVERED_REASON, |(_, why)| why.as_str())
                    .to_owned(),
            })
            .collect();
        let conformance = Conformance {
            openssl_cli: self.openssl_cli.clone(),
            spec: SpecInfo {
                path: coverage.path.display().to_string(),
                found: coverage.requirements.is_some(),
                requirements: coverage.requirements.as_ref().map(Vec::len),
            },
            backends: self.backends.iter().map(backend_record).collect(),
            uncovered,
            checked_elsewhere: coverage
                .elsewhere
                .iter()
                .map(|(id, place)| Elsewhere {
                    id: id.clone(),
                    place: place.clone(),
                })
                .collect(),
            uncovered_note: coverage.note(),
            cited_not_in_spec: coverage.unknown.clone(),
            interop: self.interop.to_record(),
            validation: self.validation.to_record(),
            interop_counts: InteropCounts {
                pass: self.interop.count(Outcome::Pass),
                fail: self.interop.count(Outcome::Fail),
                unsupported: self.interop.count(Outcome::Unsupported),
            },
            interop_duration_secs: secs(self.interop.duration),
            integrations: self.integrations.records.clone(),
            reliability: Some(self.reliability()),
        };
        model::Report {
            schema: SCHEMA.to_owned(),
            generated_at: self.generated_at.clone(),
            command: self.command.clone(),
            machine: self.machine.to_record(),
            rustc: self.rustc.clone(),
            conformance: Some(conformance),
            performance: None,
        }
    }
}

/// One backend's entry in report.json.
/// A backend's gaps as report records.
fn lacks(declared: &Declared) -> Vec<unitls_model::report::CapabilityLack> {
    declared
        .lacks
        .iter()
        .map(|l| unitls_model::report::CapabilityLack {
            capability: l.capability.clone(),
            roles: l.roles.name().to_owned(),
            reason: l.reason.clone(),
            platform: l.cfg.clone(),
        })
        .collect()
}

fn backend_record(run: &BackendRun) -> BackendRecord {
    let cases = run
        .cases
        .iter()
        .map(|case| CaseRecord {
            id: case.id.clone(),
            spec: case.spec.clone(),
            mode: case.mode,
            outcome: case.outcome,
            detail: (case.outcome != Outcome::Pass || !case.detail.is_empty())
                .then(|| case.detail.clone()),
            reproduce: (case.outcome == Outcome::Fail).then(|| run.case_command(&case.id)),
            output: case.output.clone(),
        })
        .collect();
    let library = run.info.as_ref().map(|info| {
        let (name, version) = split_library(&info.library);
        Library {
            name,
            version,
            full: info.library.clone(),
        }
    });
    BackendRecord {
        name: run.name.to_owned(),
        package: workspace::backend_package(run.name),
        library,
        crate_version: run.info.as_ref().map(|i| i.crate_version.clone()),
        command: run.command.clone(),
        exit_code: run.exit_code,
        status: if run.success {
            RunStatus::Ok
        } else {
            RunStatus::Failed
        },
        duration_secs: secs(run.duration),
        capabilities: run.declared.as_ref().map(Declared::both_roles),
        lacks: run.declared.as_ref().map_or(Vec::new(), lacks),
        deviations: run
            .info
            .as_ref()
            .map_or(Vec::new(), |info| info.deviations.clone()),
        counts: OutcomeCounts {
            pass: run.count(Outcome::Pass),
            fail: run.count(Outcome::Fail),
            unsupported: run.count(Outcome::Unsupported),
            deviation: run.count(Outcome::Deviation),
        },
        outcome_file: run.outcome_file.display().to_string(),
        warnings: run.warnings.clone(),
        cases,
    }
}
