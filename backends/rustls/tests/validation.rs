//! Issue 6: the x509-limbo corpus through real handshakes on rustls, compared with
//! rustls's own WebPKI verifier configured as unitls configures it (SPEC VERIFY-1,
//! VERIFY-4..7, VERIFY-13, VERIFY-14). Only rustls is linked here, so a key rustls
//! cannot serve makes the case not applicable. Passes with a message when the corpus
//! (`$UNITLS_LIMBO`, else `../shared/limbo/limbo.json`) is absent.

mod validation_direct;

use unitls_conformance::validation::{run_backend, BackendRun};

/// VERIFY-1, VERIFY-4..7, VERIFY-13, VERIFY-14: every eligible x509-limbo case;
/// unitls and rustls used directly must agree.
#[test]
fn verify_limbo_corpus_matches_rustls_directly() {
    unitls_rustls::register();
    run_backend(&BackendRun {
        backend: "rustls",
        other_servers: &[],
        direct: validation_direct::verdict,
        direct_method: validation_direct::METHOD,
        stricter: &[],
    });
}
