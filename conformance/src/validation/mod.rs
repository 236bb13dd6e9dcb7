//! Certificate validation compared across backends through real handshakes (SPEC
//! VERIFY-1, VERIFY-4..7, VERIFY-13, VERIFY-14), over the x509-limbo corpus
//! (C2SP/x509-limbo, Apache-2.0).
//!
//! For every case that can run through a handshake ([`LimboCase::eligible`]: a SERVER
//! case with a `peer_certificate_key`, no CRLs, no `max_chain_depth`):
//!
//! - a unitls server presents `peer_certificate` + `untrusted_intermediates` and signs
//!   with the key: the backend under test if it can load them, else another server
//!   of the same test binary ([`Server`]: another registered backend, or one the test
//!   sets up itself, such as rustls presenting the chain through a context hook); the
//!   one that served is recorded;
//! - a unitls client of the backend under test trusts exactly `trusted_certs`, checks
//!   `expected_peer_name` (an IP address is an IP reference identity; without a name,
//!   host-name checks are off with `danger_accept_invalid_hostnames` and the chain is
//!   still checked) and verifies as of `validation_time` where given;
//! - the verdict is [`Verdict::Accept`], [`Verdict::Reject`] (the VerificationFailure
//!   reason), [`Verdict::NotApplicable`] (a key or certificate a backend refuses to
//!   load, a time override it cannot do) or [`Verdict::Error`] (a handshake failure
//!   that is not a verification failure);
//! - the case runs again against a server of a *different* backend, so that a
//!   server-side limitation is not taken for a verdict: when the first server's
//!   handshake ends in `error` and the other's in accept or reject, that is the verdict;
//! - the backend's test supplies the *direct* verdict: its TLS library configured with
//!   unitls's settings, no unitls in between. A case where the two differ is a unitls
//!   bug and fails the test — unless the test lists it in [`BackendRun::known`] with
//!   the reason: a check core adds on purpose ([`KnownKind::UnitlsStricter`]) or a
//!   library limit the handshake meets before verification
//!   ([`KnownKind::HandshakeLimit`]). An entry whose difference does not show fails
//!   too, so the list cannot go stale.
//!
//! The corpus is `$UNITLS_LIMBO`, else `../shared/limbo/limbo.json` beside the
//! workspace root; when it is absent the run says so and passes. Every case becomes
//! one JSON line in `$UNITLS_VALIDATION_FILE`, if set, for `cargo xtask conformance`:
//! first a header (`"kind":"header"`: backend, library, corpus path and commit, counts
//! or `"absent"`), then one `"kind":"case"` line per eligible case.

pub mod corpus;
mod handshake;

use std::fmt::Write as _;
use std::io::Write as _;
use std::sync::Arc;

use unitls_core::AbstractContext;
use unitls_model::validation::{ValidationCase, ValidationHeader, ValidationLine};

pub use corpus::{Expected, LimboCase, Location, Prepared, Reference};
pub use handshake::{
    client_context, client_error_verdict, serve_tcp, server_context, TcpServer, HANDSHAKE,
};

/// The environment variable naming the JSON-lines output file.
pub const RECORD_ENV: &str = "UNITLS_VALIDATION_FILE";

/// The outcome of one case on one path (unitls, or the library directly).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// The chain was accepted for the name.
    Accept,
    /// It was refused; the reason (the VerificationFailure reason first).
    Reject(String),
    /// The case cannot be run on this path; why.
    NotApplicable(String),
    /// The handshake failed otherwise; how.
    Error(String),
}

impl Verdict {
    /// The report's word: `accept`, `reject`, `not-applicable`, `error`.
    pub fn word(&self) -> &'static str {
        match self {
            Verdict::Accept => "accept",
            Verdict::Reject(_) => "reject",
            Verdict::NotApplicable(_) => "not-applicable",
            Verdict::Error(_) => "error",
        }
    }

    /// The reason (empty for accept).
    pub fn reason(&self) -> &str {
        match self {
            Verdict::Accept => "",
            Verdict::Reject(r) | Verdict::NotApplicable(r) | Verdict::Error(r) => r,
        }
    }

    /// Whether it is a verdict on the chain (accept or reject).
    pub fn decided(&self) -> bool {
        matches!(self, Verdict::Accept | Verdict::Reject(_))
    }
}

/// A server that may present a case's chain.
#[derive(Debug, Clone, Copy)]
pub enum Server {
    /// A unitls server of this backend, given the chain and key as an identity.
    Plain(&'static str),
    /// A unitls server whose context the test builds itself (for instance with a
    /// context hook presenting a chain the backend's own identity check refuses).
    Custom {
        /// The backend serving.
        backend: &'static str,
        /// Its name in the records (`rustls+hook`).
        label: &'static str,
        /// The server context for a case; `Err`: why it cannot serve it.
        context: fn(&Prepared) -> Result<Arc<AbstractContext>, String>,
    },
}

impl Server {
    /// The backend serving.
    pub fn backend(&self) -> &'static str {
        match self {
            Server::Plain(backend) | Server::Custom { backend, .. } => backend,
        }
    }

    /// Its name in the records.
    pub fn label(&self) -> &'static str {
        match self {
            Server::Plain(backend) => backend,
            Server::Custom { label, .. } => label,
        }
    }

    /// Its context for `case`; `Err`: why it cannot serve it.
    pub fn context(&self, case: &Prepared) -> Result<Arc<AbstractContext>, String> {
        match self {
            Server::Plain(backend) => server_context(backend, case).map_err(|e| e.to_string()),
            Server::Custom { context, .. } => context(case),
        }
    }
}

/// Why unitls's verdict may differ from the library's own on a listed case.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KnownKind {
    /// unitls refuses what the library accepts, because core adds a check on purpose
    /// (for instance no host-name match through the subject CN).
    UnitlsStricter,
    /// The handshake fails before the certificate is verified, on a limit of the
    /// library that the direct verification does not go through (for instance a
    /// maximum handshake message size).
    HandshakeLimit,
}

impl KnownKind {
    /// The record's word for the comparison.
    pub fn word(self) -> &'static str {
        match self {
            KnownKind::UnitlsStricter => "unitls-stricter",
            KnownKind::HandshakeLimit => "handshake-limit",
        }
    }
}

/// A case where unitls's verdict differs from the library's on purpose or for a known
/// reason outside verification, and why. Each entry must show, or the run fails.
#[derive(Debug, Clone, Copy)]
pub struct Known {
    /// The corpus case.
    pub id: &'static str,
    /// What kind of difference.
    pub kind: KnownKind,
    /// The reason, naming the SPEC/RFC rule or the library limit.
    pub reason: &'static str,
}

/// What a backend's `tests/validation.rs` hands the runner.
pub struct BackendRun<'a> {
    /// The backend under test (its registry name; it must be registered).
    pub backend: &'static str,
    /// The servers to try after `backend`'s own, in order: the other backends
    /// registered in this test binary, and servers set up by the test itself.
    pub other_servers: &'a [Server],
    /// The direct verdict: the backend's TLS library with unitls's settings.
    pub direct: fn(&Prepared) -> Verdict,
    /// How the direct verdict is reached, for the report.
    pub direct_method: &'static str,
    /// Cases where unitls differs from the library for a listed reason.
    pub known: &'a [Known],
}

/// How unitls's verdict compares with the direct one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Comparison {
    /// Same verdict.
    Agree,
    /// One side has no verdict (not applicable).
    NotCompared,
    /// A listed difference that shows as listed.
    Known(KnownKind),
    /// A unitls bug.
    Disagree,
}

impl Comparison {
    /// The record's word.
    pub fn word(self) -> &'static str {
        match self {
            Comparison::Agree => "agree",
            Comparison::NotCompared => "not-compared",
            Comparison::Known(kind) => kind.word(),
            Comparison::Disagree => "disagree",
        }
    }
}

/// Everything one case produced on one backend.
#[derive(Debug, Clone)]
pub struct CaseResult {
    /// The case's identifier.
    pub id: String,
    /// What the corpus expects.
    pub expected: Expected,
    /// unitls's verdict.
    pub verdict: Verdict,
    /// The backend whose server gave that verdict, if any served.
    pub server_backend: Option<&'static str>,
    /// The verdict against a server of a different backend, and which.
    pub cross: Option<(&'static str, Verdict)>,
    /// The library's own verdict.
    pub direct: Verdict,
    /// unitls against the library.
    pub comparison: Comparison,
    /// The listed reason, when a [`Known`] entry applies.
    pub known: Option<&'static str>,
}

/// The unitls verdict for `case` with `backend`'s client, the label of the server
/// that gave it, and the verdict against a server of a different backend.
pub fn unitls_verdict(
    backend: &'static str,
    other_servers: &[Server],
    case: &Prepared,
) -> (
    Verdict,
    Option<&'static str>,
    Option<(&'static str, Verdict)>,
) {
    let client = match client_context(backend, case) {
        Ok(client) => client,
        Err(err) => return (client_error_verdict(&err), None, None),
    };
    let mut refused = Vec::new();
    let mut serving = Vec::new();
    for server in std::iter::once(&Server::Plain(backend)).chain(other_servers) {
        match server.context(case) {
            Ok(context) => serving.push((*server, context)),
            Err(err) => refused.push(format!("the {} server refuses it: {err}", server.label())),
        }
    }
    if serving.is_empty() {
        return (
            Verdict::NotApplicable(format!(
                "no server in this test binary can present this certificate and key ({})",
                refused.join("; ")
            )),
            None,
            None,
        );
    }
    let run = |(server, context): &(Server, Arc<AbstractContext>)| {
        let (verdict, server_error) = handshake::handshake(client.clone(), context.clone(), case);
        match (verdict, server_error) {
            (Verdict::Error(text), Some(server_error)) => Verdict::Error(format!(
                "{text} (the {} server: {server_error})",
                server.label()
            )),
            (verdict, _) => verdict,
        }
    };
    let first_server = serving[0].0;
    let first = run(&serving[0]);
    let cross = serving
        .iter()
        .find(|(s, _)| s.backend() != first_server.backend())
        .map(|entry| (entry.0.label(), run(entry)));
    let mut notes = Vec::new();
    if first_server.label() != backend {
        notes.push(format!(
            "served by {} ({})",
            first_server.label(),
            refused.join("; ")
        ));
    }
    let (server, verdict) = match (&first, &cross) {
        (Verdict::Error(text), Some((other, verdict))) if verdict.decided() => {
            notes.push(format!(
                "the {} server's handshake failed ({text}); verdict from the {other} server",
                first_server.label()
            ));
            (*other, verdict.clone())
        }
        _ => (first_server.label(), first),
    };
    let verdict = if notes.is_empty() {
        verdict
    } else {
        let note = notes.join("; ");
        match verdict {
            Verdict::Accept => Verdict::Accept,
            Verdict::Reject(r) => Verdict::Reject(format!("{r} [{note}]")),
            Verdict::NotApplicable(r) => Verdict::NotApplicable(format!("{r} [{note}]")),
            Verdict::Error(r) => Verdict::Error(format!("{r} [{note}]")),
        }
    };
    (verdict, Some(server), cross)
}

/// Runs one case: unitls, then the library directly, compared.
pub fn run_case(run: &BackendRun<'_>, case: &LimboCase) -> CaseResult {
    let known = run.known.iter().find(|k| k.id == case.id);
    let prepared = match Prepared::new(case) {
        Ok(prepared) => prepared,
        Err(why) => {
            return CaseResult {
                id: case.id.clone(),
                expected: case.expected(),
                verdict: Verdict::NotApplicable(why.clone()),
                server_backend: None,
                cross: None,
                direct: Verdict::NotApplicable(why),
                comparison: Comparison::NotCompared,
                known: None,
            }
        }
    };
    let (verdict, server_backend, cross) =
        unitls_verdict(run.backend, run.other_servers, &prepared);
    let direct = (run.direct)(&prepared);
    let comparison = match (&verdict, &direct) {
        (Verdict::NotApplicable(_), _) | (_, Verdict::NotApplicable(_)) => Comparison::NotCompared,
        (u, d) if u.word() == d.word() => Comparison::Agree,
        (Verdict::Reject(_), Verdict::Accept)
            if known.is_some_and(|k| k.kind == KnownKind::UnitlsStricter) =>
        {
            Comparison::Known(KnownKind::UnitlsStricter)
        }
        (Verdict::Error(_), direct)
            if direct.decided() && known.is_some_and(|k| k.kind == KnownKind::HandshakeLimit) =>
        {
            Comparison::Known(KnownKind::HandshakeLimit)
        }
        _ => Comparison::Disagree,
    };
    CaseResult {
        id: case.id.clone(),
        expected: prepared.expected,
        verdict,
        server_backend,
        cross,
        direct,
        comparison,
        known: known
            .filter(|_| matches!(comparison, Comparison::Known(_)))
            .map(|k| k.reason),
    }
}

/// Counts per verdict against the expected result.
#[derive(Debug, Clone, Default)]
pub struct Tally {
    /// Eligible cases.
    pub eligible: usize,
    /// Accepted, expected accept.
    pub accept_ok: usize,
    /// Rejected, expected reject.
    pub reject_ok: usize,
    /// Accepted although the corpus expects a rejection.
    pub accepted_expected_reject: usize,
    /// Rejected although the corpus expects acceptance.
    pub rejected_expected_accept: usize,
    /// Handshake errors that are no verdict.
    pub errors: usize,
    /// Not applicable.
    pub not_applicable: usize,
    /// unitls differs from the library (bugs).
    pub disagreements: usize,
    /// Listed differences ([`Known`]) that showed.
    pub known: usize,
}

impl Tally {
    fn add(&mut self, result: &CaseResult) {
        self.eligible += 1;
        match (&result.verdict, result.expected) {
            (Verdict::Accept, Expected::Accept) => self.accept_ok += 1,
            (Verdict::Reject(_), Expected::Reject) => self.reject_ok += 1,
            (Verdict::Accept, Expected::Reject) => self.accepted_expected_reject += 1,
            (Verdict::Reject(_), Expected::Accept) => self.rejected_expected_accept += 1,
            (Verdict::Error(_), _) => self.errors += 1,
            (Verdict::NotApplicable(_), _) => self.not_applicable += 1,
        }
        match result.comparison {
            Comparison::Disagree => self.disagreements += 1,
            Comparison::Known(_) => self.known += 1,
            _ => {}
        }
    }
}

/// Runs every eligible case of the corpus for one backend, records them, prints a
/// summary and panics if unitls and the library disagree anywhere (or a [`Known`]
/// entry does not show). Passes with a message when the corpus is absent.
pub fn run_backend(run: &BackendRun<'_>) {
    let location = corpus::locate();
    let info = unitls_core::backend::registered(run.backend).map(|b| b.info());
    let library = info.as_ref().map(|i| i.library.clone()).unwrap_or_default();
    let mut header = ValidationHeader {
        backend: run.backend.to_owned(),
        library,
        corpus: Some(location.path.display().to_string()),
        commit: location.commit(),
        direct_method: run.direct_method.to_owned(),
        absent: false,
        message: None,
        total_cases: None,
        eligible: None,
    };
    let corpus = match location.load() {
        Ok(corpus) => corpus,
        Err(corpus::LoadError::Absent(message)) => {
            println!("SKIPPED: {message}");
            header.absent = true;
            header.message = Some(message);
            record(&ValidationLine::Header(header));
            return;
        }
        Err(corpus::LoadError::Invalid(message)) => panic!("{message}"),
    };
    let eligible: Vec<&LimboCase> = corpus.testcases.iter().filter(|c| c.eligible()).collect();
    header.total_cases = Some(corpus.testcases.len());
    header.eligible = Some(eligible.len());
    record(&ValidationLine::Header(header));
    let mut tally = Tally::default();
    let mut problems = Vec::new();
    let mut results = Vec::new();
    for case in &eligible {
        let result = run_case(run, case);
        tally.add(&result);
        if result.comparison == Comparison::Disagree {
            problems.push(format!(
                "{}: unitls {} ({}) but {} directly {} ({})",
                result.id,
                result.verdict.word(),
                result.verdict.reason(),
                run.backend,
                result.direct.word(),
                result.direct.reason()
            ));
        }
        record(&case_record(run, case, &result));
        results.push(result);
    }
    // A listed difference must show, so that the list cannot go stale.
    for entry in run.known {
        match results.iter().find(|r| r.id == entry.id) {
            None => problems.push(format!(
                "stale known-difference entry {}: no such eligible case",
                entry.id
            )),
            Some(r) if r.comparison != Comparison::Known(entry.kind) => problems.push(format!(
                "stale known-difference entry {} ({}): unitls {} and {} directly {}",
                entry.id,
                entry.kind.word(),
                r.verdict.word(),
                run.backend,
                r.direct.word()
            )),
            Some(_) => {}
        }
    }
    println!("{}", summary(run.backend, &tally));
    assert!(
        problems.is_empty(),
        "unitls and {} used directly disagree on {} case(s):\n{}",
        run.backend,
        problems.len(),
        problems.join("\n")
    );
}

/// One line of the summary table.
fn summary(backend: &str, t: &Tally) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "x509-limbo on {backend}: {} eligible cases",
        t.eligible
    );
    let _ = writeln!(
        out,
        "  as expected: {} accepted, {} rejected",
        t.accept_ok, t.reject_ok
    );
    let _ = writeln!(
        out,
        "  accepted when the corpus expects a rejection: {}",
        t.accepted_expected_reject
    );
    let _ = writeln!(
        out,
        "  rejected when the corpus expects acceptance: {}",
        t.rejected_expected_accept
    );
    let _ = writeln!(
        out,
        "  errors: {}, not applicable: {}",
        t.errors, t.not_applicable
    );
    let _ = write!(
        out,
        "  unitls vs {backend} directly: {} disagreement(s), {} listed known difference(s)",
        t.disagreements, t.known
    );
    out
}

fn case_record(run: &BackendRun<'_>, case: &LimboCase, result: &CaseResult) -> ValidationLine {
    ValidationLine::Case(ValidationCase {
        backend: run.backend.to_owned(),
        id: result.id.clone(),
        expected: result.expected.word().to_owned(),
        verdict: result.verdict.word().to_owned(),
        reason: result.verdict.reason().to_owned(),
        direct_verdict: result.direct.word().to_owned(),
        direct_reason: result.direct.reason().to_owned(),
        server_backend: result.server_backend.map(str::to_owned),
        cross_server_backend: result.cross.as_ref().map(|(s, _)| (*s).to_owned()),
        cross_verdict: result.cross.as_ref().map(|(_, v)| v.word().to_owned()),
        cross_reason: result.cross.as_ref().map(|(_, v)| v.reason().to_owned()),
        comparison: result.comparison.word().to_owned(),
        known_reason: result.known.map(str::to_owned),
        description: case.summary(),
        features: case.features.clone().unwrap_or_default(),
    })
}

/// Appends `line` to `$UNITLS_VALIDATION_FILE`, if set.
fn record(value: &ValidationLine) {
    let Some(path) = std::env::var_os(RECORD_ENV) else {
        return;
    };
    let mut line = unitls_model::to_line(value);
    line.push('\n');
    let written = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&path)
        .and_then(|mut file| file.write_all(line.as_bytes()));
    if let Err(err) = written {
        panic!(
            "cannot write {}: {err}",
            std::path::Path::new(&path).display()
        );
    }
}
