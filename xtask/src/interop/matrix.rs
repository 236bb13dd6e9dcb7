//! The matrix as run: one result per cell, counted, looked up and written as
//! report.json's `interop[]` (the renderings are in [`super::render`]).

use std::time::Duration;

use super::plan::{Variant, Version};
use unitls_model::report::InteropCell;

use crate::outcome::Outcome;

/// One cell of the matrix.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct InteropResult {
    /// The client's backend, or `openssl-cli`.
    pub(crate) client: String,
    /// The server's backend, or `openssl-cli`.
    pub(crate) server: String,
    /// What was exercised.
    pub(crate) variant: Variant,
    /// The pinned version.
    pub(crate) version: Version,
    /// pass, fail or unsupported.
    pub(crate) outcome: Outcome,
    /// The negotiated suite's IANA name, when the handshake got that far.
    pub(crate) cipher: Option<String>,
    /// Why it failed or is unsupported; empty on a pass.
    pub(crate) detail: String,
}

impl InteropResult {
    /// The entry in report.json's `interop[]`.
    pub(crate) fn to_record(&self) -> InteropCell {
        InteropCell {
            client: self.client.clone(),
            server: self.server.clone(),
            variant: self.variant.name().to_owned(),
            version: self.version.name().to_owned(),
            outcome: self.outcome,
            cipher: self.cipher.clone(),
            detail: self.detail.clone(),
        }
    }

    /// `rustls -> boring TLSv1.3 alpn`.
    pub(super) fn label(&self) -> String {
        format!(
            "{} -> {} {} {}",
            self.client,
            self.server,
            self.version.name(),
            self.variant.name()
        )
    }
}

/// The whole matrix as run.
#[derive(Debug, Default)]
pub(crate) struct Matrix {
    /// The names in table order (the backend crates, then `openssl-cli`).
    pub(crate) names: Vec<String>,
    /// Every cell that ran, in run order.
    pub(crate) results: Vec<InteropResult>,
    /// How long it all took, builds included.
    pub(crate) duration: Duration,
}

impl Matrix {
    /// How many cells ended with `outcome`.
    pub(crate) fn count(&self, outcome: Outcome) -> usize {
        self.results.iter().filter(|r| r.outcome == outcome).count()
    }

    /// `40 pass, 0 fail, 16 unsupported`.
    pub(crate) fn counts_text(&self) -> String {
        [Outcome::Pass, Outcome::Fail, Outcome::Unsupported]
            .map(|o| format!("{} {}", self.count(o), o.as_str()))
            .join(", ")
    }

    /// The failed cells.
    pub(crate) fn failures(&self) -> impl Iterator<Item = &InteropResult> {
        self.results.iter().filter(|r| r.outcome == Outcome::Fail)
    }

    /// The cell for this combination, if it ran.
    pub(super) fn cell(
        &self,
        client: &str,
        server: &str,
        variant: Variant,
        version: Version,
    ) -> Option<&InteropResult> {
        self.results.iter().find(|r| {
            r.client == client && r.server == server && r.variant == variant && r.version == version
        })
    }

    /// The (version, variant) tables that have at least one cell.
    pub(super) fn tables(&self) -> Vec<(Version, Variant)> {
        let mut tables = Vec::new();
        for version in Version::ALL {
            for variant in Variant::ALL {
                if self
                    .results
                    .iter()
                    .any(|r| r.version == version && r.variant == variant)
                {
                    tables.push((version, variant));
                }
            }
        }
        tables
    }

    /// The rows (clients) and columns (servers) of a table that have a cell.
    pub(super) fn axes(&self, version: Version, variant: Variant) -> (Vec<&str>, Vec<&str>) {
        let in_table = |r: &&InteropResult| r.version == version && r.variant == variant;
        let clients = self
            .names
            .iter()
            .map(String::as_str)
            .filter(|n| self.results.iter().filter(in_table).any(|r| r.client == *n))
            .collect();
        let servers = self
            .names
            .iter()
            .map(String::as_str)
            .filter(|n| self.results.iter().filter(in_table).any(|r| r.server == *n))
            .collect();
        (clients, servers)
    }

    /// report.json's `interop[]`.
    pub(crate) fn to_record(&self) -> Vec<InteropCell> {
        self.results.iter().map(InteropResult::to_record).collect()
    }
}
