//! Detach options and result (SPEC DETACH; LispWorks `detach-ssl`).

use std::time::Duration;

use crate::NativeSession;

/// How long detach waits for the peer's close_notify (LispWorks `:retry-count`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Checks beyond the first two (LispWorks `retry-count`).
    pub extra_attempts: u32,
    /// The pause between checks.
    pub interval: Duration,
}

impl Default for RetryPolicy {
    /// 5 extra attempts, 100 ms apart (SPEC DETACH-2).
    fn default() -> RetryPolicy {
        RetryPolicy {
            extra_attempts: 5,
            interval: Duration::from_millis(100),
        }
    }
}

/// The options of [`detach_ssl`](crate::SocketStream::detach_ssl).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct DetachOptions {
    /// `Some`: wait for the peer's close_notify under this policy, failing when it
    /// does not come. `None`: send close_notify once and never wait or fail
    /// (LispWorks `:retry-count nil`; SPEC DETACH-6).
    pub retry: Option<RetryPolicy>,
}

impl Default for DetachOptions {
    /// Waits for the peer's close_notify under [`RetryPolicy::default`] (5 extra
    /// checks, 100 ms apart) and fails with `Failure` when it does not come: for
    /// protocols where both ends go back to plaintext (STARTTLS-style downgrades,
    /// LispWorks' `detach-ssl`). When the connection ends with TLS — the peer will
    /// close the socket, as SMTP and database servers do — use
    /// [`DetachOptions::no_wait`] (what `close` does), which never waits or fails.
    fn default() -> DetachOptions {
        DetachOptions {
            retry: Some(RetryPolicy::default()),
        }
    }
}

impl DetachOptions {
    /// Send close_notify once, do not wait (what `close` does): the mode for ending a
    /// connection, when the plaintext after TLS does not matter (SPEC DETACH-6).
    pub fn no_wait() -> DetachOptions {
        DetachOptions { retry: None }
    }

    /// Wait for the peer's close_notify under `policy`, for going back to plaintext
    /// on a connection both ends keep using (SPEC DETACH-4, DETACH-5).
    pub fn with_retry(policy: RetryPolicy) -> DetachOptions {
        DetachOptions {
            retry: Some(policy),
        }
    }
}

/// What a successful detach hands back.
#[derive(Debug, Default)]
#[non_exhaustive]
pub struct Detached {
    /// The user's native session for `CtxSpec::Session` (SPEC CTX-7, OWN-3).
    pub session: Option<NativeSession>,
    /// Application data the peer sent before its close_notify that nobody had read
    /// yet: handed back so nothing is lost (SPEC DETACH-4).
    pub unread_application_data: Vec<u8>,
    /// Whether the peer's close_notify arrived.
    pub peer_closed: bool,
}
