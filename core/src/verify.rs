//! Peer verification as users see it: results, reasons, the backend-neutral verify
//! callback (SPEC VERIFY-11..13).

use std::sync::Arc;

use crate::{PeerCertificate, VerifyReason};

/// The outcome of the backend's built-in verification (SPEC VERIFY-12).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VerifyResult {
    /// The chain and name checked out.
    Valid,
    /// The built-in checks failed for this reason.
    Invalid(VerifyReason),
}

/// What the verify callback decides (SPEC VERIFY-11).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Accept the peer, even if the built-in checks failed.
    Accept,
    /// Reject the peer (`CallbackRejected`), even if the built-in checks passed.
    Reject,
}

/// What the verify callback is given.
#[derive(Debug)]
#[non_exhaustive]
pub struct VerifyInput<'a> {
    /// The peer's chain as sent, leaf first.
    pub chain: &'a [PeerCertificate],
    /// The reference name checked (host name or IP text), if any.
    pub reference_name: Option<&'a str>,
    /// The built-in result.
    pub built_in: VerifyResult,
}

impl<'a> VerifyInput<'a> {
    /// What a backend hands the verify callback: the chain, the reference name, and
    /// its library's own result.
    pub fn new(
        chain: &'a [PeerCertificate],
        reference_name: Option<&'a str>,
        built_in: VerifyResult,
    ) -> VerifyInput<'a> {
        VerifyInput {
            chain,
            reference_name,
            built_in,
        }
    }
}

/// A backend-neutral verify callback: runs once per handshake after the built-in
/// checks (SPEC VERIFY-11).
pub type VerifyCallback = Arc<dyn Fn(&VerifyInput<'_>) -> Verdict + Send + Sync>;

/// What the danger options let through (SPEC VERIFY-2), copied out of the context
/// options for a connection's verification.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tolerance {
    /// `danger_accept_invalid_certs`: any failure of the built-in checks.
    pub invalid_certs: bool,
    /// `danger_accept_invalid_hostnames`: a name mismatch.
    pub invalid_hostnames: bool,
}

impl Tolerance {
    /// The tolerance of `options` (`None`: the secure defaults, none).
    pub fn of(options: Option<&crate::backend::ContextOptions>) -> Tolerance {
        options.map_or_else(Tolerance::default, |o| Tolerance {
            invalid_certs: o.danger_accept_invalid_certs,
            invalid_hostnames: o.danger_accept_invalid_hostnames,
        })
    }

    /// Whether a peer whose built-in checks failed for `reason` is accepted anyway.
    pub fn accepts(self, reason: crate::VerifyReason) -> bool {
        self.invalid_certs
            || (self.invalid_hostnames && reason == crate::VerifyReason::NameMismatch)
    }
}

/// How the verification of a peer's certificate ends (SPEC VERIFY-2, VERIFY-11).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PeerDecision {
    /// Accepted: by the verify callback, or by the built-in checks (and the danger
    /// options) when there is no callback.
    Accept,
    /// Refused by the built-in checks for this reason (no callback).
    RefuseBuiltIn(crate::VerifyReason),
    /// Refused by the verify callback (`CallbackRejected`), whatever the built-in
    /// checks found.
    RefuseByCallback,
}

/// Decides on a peer's certificate, for every backend (SPEC VERIFY-2, VERIFY-11):
/// with a verify callback, its verdict, given `chain()`, `reference_name` and the
/// library's `built_in` result; without one, `built_in` as the danger options of
/// `options` tolerate it (`None`: the secure defaults). A callback that fails or
/// panics is the error.
pub fn decide_peer(
    options: Option<&crate::backend::ContextOptions>,
    built_in: VerifyResult,
    chain: impl FnOnce() -> Vec<PeerCertificate>,
    reference_name: Option<&str>,
) -> crate::Result<PeerDecision> {
    if let Some(options) = options.filter(|o| o.verify_callback.is_some()) {
        let chain = chain();
        let input = VerifyInput::new(&chain, reference_name, built_in);
        return Ok(match options.run_verify_callback(&input)? {
            Some(Verdict::Reject) => PeerDecision::RefuseByCallback,
            Some(Verdict::Accept) | None => PeerDecision::Accept,
        });
    }
    Ok(match built_in {
        VerifyResult::Valid => PeerDecision::Accept,
        VerifyResult::Invalid(reason) if Tolerance::of(options).accepts(reason) => {
            PeerDecision::Accept
        }
        VerifyResult::Invalid(reason) => PeerDecision::RefuseBuiltIn(reason),
    })
}

/// The error for [`PeerDecision::RefuseByCallback`].
pub fn callback_rejection() -> crate::Error {
    crate::Error::verification(
        crate::VerifyReason::CallbackRejected,
        "the verify callback rejected the peer",
    )
}
