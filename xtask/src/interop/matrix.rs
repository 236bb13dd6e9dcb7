//! The matrix as run: one result per cell, counted, looked up and written as
//! report.json's `interop[]` (the renderings are in [`super::render`]).

use std::time::Duration;

use super::plan::{Modes, Variant, Version};
use unitls_model::report::InteropCell;
use unitls_model::Mode;

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
    /// The modes of the two ends.
    pub(crate) modes: Modes,
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
            client_mode: self.modes.client,
            server_mode: self.modes.server,
            outcome: self.outcome,
            cipher: self.cipher.clone(),
            detail: self.detail.clone(),
        }
    }

    /// `rustls -> boring TLSv1.3 alpn`; an async end is marked: `rustls (async) ->
    /// boring TLSv1.3 basic`.
    pub(super) fn label(&self) -> String {
        let tag = |mode: Mode| match mode {
            Mode::Blocking => "",
            Mode::Async => " (async)",
        };
        format!(
            "{}{} -> {}{} {} {}",
            self.client,
            tag(self.modes.client),
            self.server,
            tag(self.modes.server),
            self.version.name(),
            self.variant.name()
        )
    }
}

/// One table of the report: the cells of one version and variant with the same modes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Table {
    /// The modes of the two ends.
    pub(crate) modes: Modes,
    /// The pinned version.
    pub(crate) version: Version,
    /// The variant.
    pub(crate) variant: Variant,
}

impl Table {
    /// `TLSv1.3 basic`, or `TLSv1.3 basic, async client × blocking server`.
    pub(crate) fn title(self) -> String {
        format!(
            "{} {}{}",
            self.version.name(),
            self.variant.name(),
            self.modes.title()
        )
    }
}

impl InteropResult {
    /// The table the cell is in.
    pub(crate) fn table(&self) -> Table {
        Table {
            modes: self.modes,
            version: self.version,
            variant: self.variant,
        }
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

    /// The cell for this client and server in `table`, if it ran.
    pub(super) fn cell(&self, client: &str, server: &str, table: Table) -> Option<&InteropResult> {
        self.results
            .iter()
            .find(|r| r.client == client && r.server == server && r.table() == table)
    }

    /// The tables that have at least one cell: per version and variant with both ends
    /// blocking, then the cross-mode ones (report order, [`Modes::ALL`]).
    pub(super) fn tables(&self) -> Vec<Table> {
        let mut tables = Vec::new();
        for modes in Modes::ALL {
            for version in Version::ALL {
                for variant in Variant::ALL {
                    let table = Table {
                        modes,
                        version,
                        variant,
                    };
                    if self.results.iter().any(|r| r.table() == table) {
                        tables.push(table);
                    }
                }
            }
        }
        tables
    }

    /// The rows (clients) and columns (servers) of a table that have a cell.
    pub(super) fn axes(&self, table: Table) -> (Vec<&str>, Vec<&str>) {
        let in_table = |r: &&InteropResult| r.table() == table;
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
