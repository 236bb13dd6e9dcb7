//! Certificate validation: the x509-limbo corpus through real handshakes on rustls, compared with
//! rustls's own WebPKI verifier configured as unitls configures it (SPEC VERIFY-1,
//! VERIFY-4..7, VERIFY-13, VERIFY-14). Only rustls is linked here: a chain whose leaf
//! the rustls identity check refuses is presented through a context hook
//! (`validation_direct/any_chain_server.rs`); a key rustls cannot sign with makes the
//! case not applicable. Passes with a message when the corpus (`$UNITLS_LIMBO`, else
//! `../shared/limbo/limbo.json`) is absent.

mod validation_direct;

use unitls_conformance::validation::{run_backend, BackendRun, Known, KnownKind, Server};
use validation_direct::any_chain_server;

/// Where unitls on rustls differs from rustls's verifier alone, and why.
const KNOWN: &[Known] = &[Known {
    id: "pathological::nc-dos-1",
    kind: KnownKind::HandshakeLimit,
    reason: "the 78 KB leaf does not fit a handshake message rustls accepts: rustls refuses \
             messages over 64 KiB (MAX_HANDSHAKE_SIZE, not configurable) before verifying",
}];

/// VERIFY-1, VERIFY-4..7, VERIFY-13, VERIFY-14: every eligible x509-limbo case;
/// unitls and rustls used directly must agree.
#[test]
fn verify_limbo_corpus_matches_rustls_directly() {
    unitls_rustls::register();
    run_backend(&BackendRun {
        backend: "rustls",
        other_servers: &[Server::Custom {
            backend: "rustls",
            label: any_chain_server::LABEL,
            context: any_chain_server::context,
        }],
        direct: validation_direct::verdict,
        direct_method: validation_direct::METHOD,
        known: KNOWN,
    });
}
