//! Per-connection verification state: records OpenSSL's built-in result and applies
//! the danger options as core's `Tolerance` says (SPEC VERIFY-2, VERIFY-12); with a
//! neutral verify callback the decision is deferred to the end of the handshake, where
//! core's `decide_peer` takes it (SPEC VERIFY-11, VERIFY-13).

use std::sync::{Arc, Mutex, PoisonError};

use openssl::x509::X509StoreContextRef;
use unitls_core::backend::{ContextOptions, Tolerance};
use unitls_core::{VerifyReason, VerifyResult};

use crate::error::verify_reason;

/// What one connection's verification saw and how it decides.
#[derive(Debug, Default)]
pub(crate) struct VerifyState {
    first_error: Mutex<Option<VerifyReason>>,
    /// The validity dates of the certificate that failed first, for messages.
    refused_dates: Mutex<Option<String>>,
    called: Mutex<bool>,
    tolerance: Tolerance,
    defer: bool,
}

impl VerifyState {
    /// State for a connection under `options` (`None`: the secure defaults).
    pub(crate) fn new(options: Option<&ContextOptions>) -> Arc<VerifyState> {
        Arc::new(VerifyState {
            tolerance: Tolerance::of(options),
            defer: options.is_some_and(|o| o.verify_callback.is_some()),
            ..VerifyState::default()
        })
    }

    /// OpenSSL's verify callback: records, then decides.
    pub(crate) fn decide(&self, preverify_ok: bool, store: &mut X509StoreContextRef) -> bool {
        *self.called.lock().unwrap_or_else(PoisonError::into_inner) = true;
        if preverify_ok {
            return true;
        }
        let error = crate::flavor::store_error(store);
        let mut first = self
            .first_error
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        let reason = verify_reason(error);
        if first.is_none() {
            *first = Some(reason);
            *self
                .refused_dates
                .lock()
                .unwrap_or_else(PoisonError::into_inner) = store
                .current_cert()
                .map(|cert| format!("valid from {} to {}", cert.not_before(), cert.not_after()));
        }
        drop(first);
        self.defer || self.tolerance.accepts(reason)
    }

    /// The validity dates of the certificate that failed verification first.
    pub(crate) fn refused_dates(&self) -> Option<String> {
        self.refused_dates
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// The built-in result, once a certificate was checked.
    pub(crate) fn result(&self) -> Option<VerifyResult> {
        if !*self.called.lock().unwrap_or_else(PoisonError::into_inner) {
            return None;
        }
        Some(
            match *self
                .first_error
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
            {
                Some(reason) => VerifyResult::Invalid(reason),
                None => VerifyResult::Valid,
            },
        )
    }
}
