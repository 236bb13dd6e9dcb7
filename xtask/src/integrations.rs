//! The dependent crates against real servers (SPEC INTEG): `unitls-integrations`
//! built and run once per backend (`cargo run -p unitls-integrations
//! --no-default-features --features <backend>`), as the suite is; it starts its own
//! PostgreSQL cluster, nginx and hyper server on loopback and writes one record per
//! scenario. Run by `cargo xtask conformance` (into the report's `integrations`
//! section) and by `cargo xtask test` (CI).

use std::fs;
use std::path::Path;

use unitls_model::integration::{IntegrationOutcome, IntegrationRecord};

use crate::workspace::{cargo, display};
use crate::Result;

/// The package (and binary) that runs the scenarios.
const PACKAGE: &str = "unitls-integrations";

/// What the runs found: every record, and what went wrong.
#[derive(Debug, Default)]
pub(crate) struct Integrations {
    /// Every scenario of every backend, in run order.
    pub(crate) records: Vec<IntegrationRecord>,
    /// Failed scenarios and processes that failed without saying why, one line each.
    pub(crate) failures: Vec<String>,
}

impl Integrations {
    /// The SPEC IDs the records cite (for the coverage).
    pub(crate) fn cited(&self) -> Vec<String> {
        self.records
            .iter()
            .flat_map(|r| r.spec.iter().cloned())
            .collect()
    }

    /// `12 passed, 0 failed, 1 unsupported`.
    pub(crate) fn counts_text(&self) -> String {
        let count = |outcome| self.records.iter().filter(|r| r.outcome == outcome).count();
        format!(
            "{} passed, {} failed, {} unsupported",
            count(IntegrationOutcome::Pass),
            count(IntegrationOutcome::Fail),
            count(IntegrationOutcome::Unsupported)
        )
    }
}

/// Runs the scenarios for each of `backends`, writing `integrations-<backend>.jsonl`
/// into `out`. Never stops at a failing backend: every backend is tried.
pub(crate) fn run(root: &Path, out: &Path, backends: &[&'static str]) -> Integrations {
    let mut found = Integrations::default();
    for backend in backends {
        match run_backend(root, out, backend) {
            Ok(records) => {
                for record in &records {
                    if record.outcome == IntegrationOutcome::Fail {
                        found.failures.push(format!(
                            "{backend}: {} / {}: {}",
                            record.server, record.scenario, record.detail
                        ));
                    }
                }
                found.records.extend(records);
            }
            Err(error) => found.failures.push(format!("{backend}: {error}")),
        }
    }
    found
}

/// One backend's run: its records, or why there are none (or a process that failed
/// without a failed record to show for it).
fn run_backend(root: &Path, out: &Path, backend: &str) -> Result<Vec<IntegrationRecord>> {
    let file = out.join(format!("integrations-{backend}.jsonl"));
    let _ = fs::remove_file(&file);
    let mut command = cargo(root);
    command
        .args(["run", "-p", PACKAGE, "--no-default-features", "--features"])
        .arg(crate::peer::feature(backend))
        .args(["--", "--out"])
        .arg(&file);
    let shown = display(&command);
    println!("$ {shown}");
    let status = command
        .status()
        .map_err(|e| format!("cannot run `{shown}`: {e}"))?;
    let text = fs::read_to_string(&file).unwrap_or_default();
    let records: Vec<IntegrationRecord> = text
        .lines()
        .filter(|line| !line.trim().is_empty())
        .map(serde_json::from_str)
        .collect::<Result<_, _>>()
        .map_err(|e| format!("{}: unreadable record: {e}", file.display()))?;
    let failed_records = records
        .iter()
        .any(|r| r.outcome == IntegrationOutcome::Fail);
    if !status.success() && !failed_records {
        return Err(format!("`{shown}` failed ({status}) with no failed scenario recorded").into());
    }
    if records.is_empty() {
        return Err(format!("`{shown}` recorded no scenario").into());
    }
    Ok(records)
}

/// `cargo xtask test`'s stage: every member backend; fails on any failure.
pub(crate) fn test(root: &Path) -> Result<()> {
    let backends = crate::workspace::member_backends(root)?;
    let out = root.join("target").join("unitls-integrations");
    fs::create_dir_all(&out).map_err(|e| format!("cannot create {}: {e}", out.display()))?;
    let found = run(root, &out, &backends);
    println!("integrations: {}", found.counts_text());
    if found.failures.is_empty() {
        Ok(())
    } else {
        Err(format!("integrations failed:\n  {}", found.failures.join("\n  ")).into())
    }
}
