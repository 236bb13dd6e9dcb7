//! One scenario's run and its record: a deadline around it, its ending classified
//! (an `Unsupported` error from unitls is the backend's declared limitation, not a
//! failure), the time it took.

use std::future::Future;
use std::time::{Duration, Instant};

use unitls_model::integration::{IntegrationOutcome, IntegrationRecord};

/// How long one scenario may take, connection and queries included: far above what
/// any takes on loopback (well under a second), so reaching it means a hang.
const DEADLINE: Duration = Duration::from_secs(30);

/// How a scenario ended, with what was seen.
#[derive(Debug)]
pub(crate) enum Ending {
    /// As a user expects.
    Pass(String),
    /// Not as a user expects.
    Fail(String),
    /// The backend declared it cannot (the capability and its reason).
    Unsupported(String),
}

/// Where one server's scenarios are recorded.
pub(crate) struct Recorder<'a> {
    /// The backend under test.
    pub(crate) backend: &'a str,
    /// The dependent crate and server, e.g. `tokio-postgres → PostgreSQL`.
    pub(crate) server: &'a str,
    /// The server's version line.
    pub(crate) version: &'a str,
    /// Every record so far.
    pub(crate) records: &'a mut Vec<IntegrationRecord>,
}

impl Recorder<'_> {
    /// Runs `scenario` under [`DEADLINE`], prints its line and records it. The body
    /// ends either way with an [`Ending`], so that `?` ends it early.
    pub(crate) async fn run(
        &mut self,
        scenario: &str,
        spec: &[&str],
        body: impl Future<Output = Result<Ending, Ending>>,
    ) {
        let started = Instant::now();
        let ending = match tokio::time::timeout(DEADLINE, body).await {
            Ok(Ok(ending) | Err(ending)) => ending,
            Err(_) => Ending::Fail(format!("no ending within {DEADLINE:?}")),
        };
        let (outcome, detail) = match ending {
            Ending::Pass(detail) => (IntegrationOutcome::Pass, detail),
            Ending::Fail(detail) => (IntegrationOutcome::Fail, detail),
            Ending::Unsupported(detail) => (IntegrationOutcome::Unsupported, detail),
        };
        let record = IntegrationRecord {
            backend: self.backend.to_string(),
            server: self.server.to_string(),
            server_version: self.version.to_string(),
            scenario: scenario.to_string(),
            spec: spec.iter().map(|id| id.to_string()).collect(),
            outcome,
            detail,
            duration_secs: unitls_model::round(started.elapsed().as_secs_f64(), 3),
        };
        println!(
            "{:<11} {:<28} {:<58} {}",
            format!("{:?}", record.outcome).to_lowercase(),
            record.server,
            record.scenario,
            record.detail
        );
        self.records.push(record);
    }

    /// Records every scenario of `names` as failed because the server could not be
    /// started (`why`): nothing was checked, and that must show.
    pub(crate) fn server_missing(&mut self, names: &[(&str, &[&str])], why: &str) {
        for (scenario, spec) in names {
            let record = IntegrationRecord {
                backend: self.backend.to_string(),
                server: self.server.to_string(),
                server_version: self.version.to_string(),
                scenario: scenario.to_string(),
                spec: spec.iter().map(|id| id.to_string()).collect(),
                outcome: IntegrationOutcome::Fail,
                detail: format!("the server could not be started: {why}"),
                duration_secs: 0.0,
            };
            println!(
                "fail        {:<28} {:<58} {}",
                self.server, scenario, record.detail
            );
            self.records.push(record);
        }
    }
}

/// The unitls error in `error`'s source chain, if any (tokio-postgres and hyper wrap
/// the connector's error).
pub(crate) fn unitls_error<'a>(
    error: &'a (dyn std::error::Error + 'static),
) -> Option<&'a unitls::Error> {
    let mut current = Some(error);
    while let Some(error) = current {
        if let Some(found) = error.downcast_ref::<unitls::Error>() {
            return Some(found);
        }
        current = error.source();
    }
    None
}

/// `error` with its whole source chain, on one line.
pub(crate) fn chain(error: &(dyn std::error::Error + 'static)) -> String {
    let mut text = error.to_string();
    let mut current = error.source();
    while let Some(error) = current {
        let next = error.to_string();
        if !text.contains(&next) {
            text.push_str(": ");
            text.push_str(&next);
        }
        current = error.source();
    }
    text
}

/// The ending of an unexpected error: `Unsupported` when unitls says the backend
/// cannot (that is its declared limitation), a failure otherwise.
pub(crate) fn unexpected(error: &(dyn std::error::Error + 'static)) -> Ending {
    match unitls_error(error).map(unitls::Error::kind) {
        Some(unitls::ErrorKind::Unsupported(capability)) => Ending::Unsupported(format!(
            "the backend lacks {capability:?}: {}",
            chain(error)
        )),
        _ => Ending::Fail(chain(error)),
    }
}

/// The ending of a connection that must be refused for a certificate: a pass when
/// unitls reports `VerificationFailure`, a failure with what happened otherwise.
pub(crate) fn expect_refused<T>(
    result: Result<T, impl Into<Box<dyn std::error::Error + Send + Sync>>>,
) -> Ending {
    match result {
        Ok(_) => Ending::Fail("connected, and must have been refused".to_string()),
        Err(error) => {
            let error: Box<dyn std::error::Error + Send + Sync> = error.into();
            match unitls_error(&*error).map(unitls::Error::kind) {
                Some(unitls::ErrorKind::VerificationFailure(reason)) => Ending::Pass(format!(
                    "refused: VerificationFailure({reason:?}): {}",
                    chain(&*error)
                )),
                _ => unexpected_refusal(&*error),
            }
        }
    }
}

/// A refusal for another reason than verification.
fn unexpected_refusal(error: &(dyn std::error::Error + 'static)) -> Ending {
    match unexpected(error) {
        Ending::Fail(text) => {
            Ending::Fail(format!("refused, but not with VerificationFailure: {text}"))
        }
        other => other,
    }
}
