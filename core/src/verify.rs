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
