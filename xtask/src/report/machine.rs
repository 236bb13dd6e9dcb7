//! The machine the report was made on.

use std::fmt::Write as _;
use std::fs;

/// The machine the report was made on.
#[derive(Debug)]
pub(crate) struct Machine {
    /// `std::env::consts::OS`.
    pub(crate) os: &'static str,
    /// `PRETTY_NAME` from /etc/os-release, if present.
    pub(crate) os_release: Option<String>,
    /// `std::env::consts::ARCH`.
    pub(crate) arch: &'static str,
    /// `std::thread::available_parallelism`.
    pub(crate) cpus: Option<usize>,
    /// The first `model name` in /proc/cpuinfo, if present.
    pub(crate) cpu_model: Option<String>,
}

impl Machine {
    /// Describes this machine.
    pub(crate) fn detect() -> Self {
        let os_release = fs::read_to_string("/etc/os-release").ok().and_then(|text| {
            text.lines().find_map(|line| {
                let value = line.strip_prefix("PRETTY_NAME=")?;
                Some(value.trim_matches('"').to_owned())
            })
        });
        let cpu_model = fs::read_to_string("/proc/cpuinfo").ok().and_then(|text| {
            text.lines().find_map(|line| {
                let (key, value) = line.split_once(':')?;
                (key.trim() == "model name").then(|| value.trim().to_owned())
            })
        });
        Machine {
            os: std::env::consts::OS,
            os_release,
            arch: std::env::consts::ARCH,
            cpus: std::thread::available_parallelism().ok().map(usize::from),
            cpu_model,
        }
    }

    /// The `machine` member of report.json (and of its `performance` section).
    pub(crate) fn to_record(&self) -> unitls_model::report::Machine {
        unitls_model::report::Machine {
            os: self.os.to_owned(),
            os_release: self.os_release.clone(),
            arch: self.arch.to_owned(),
            cpus: self.cpus.map(|n| n as u64),
            cpu_model: self.cpu_model.clone(),
        }
    }

    /// One line for report.md and index.html.
    pub(super) fn describe(&self) -> String {
        let mut text = format!("{}/{}", self.os, self.arch);
        if let Some(release) = &self.os_release {
            let _ = write!(text, " ({release})");
        }
        if let Some(cpus) = self.cpus {
            let _ = write!(text, ", {cpus} CPUs");
        }
        if let Some(model) = &self.cpu_model {
            let _ = write!(text, ", {model}");
        }
        text
    }
}
