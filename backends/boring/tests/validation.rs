//! Certificate validation: the x509-limbo corpus through real handshakes on BoringSSL, compared with
//! BoringSSL's own `X509_verify_cert` configured as unitls configures it (SPEC
//! VERIFY-1, VERIFY-4..7, VERIFY-13, VERIFY-14). rustls is linked too (never OpenSSL
//! or native-tls), as the server for chains the BoringSSL server refuses (through a
//! context hook when rustls's identity check refuses the leaf too) and for the
//! cross-check against a different server. Passes with a message when the corpus
//! (`$UNITLS_LIMBO`, else `../shared/limbo/limbo.json`) is absent.

mod validation_direct;

use unitls_conformance::validation::{run_backend, BackendRun, Server};
use validation_direct::any_chain_server;

/// VERIFY-1, VERIFY-4..7, VERIFY-13, VERIFY-14: every eligible x509-limbo case;
/// unitls and BoringSSL used directly must agree.
#[test]
fn verify_limbo_corpus_matches_boring_directly() {
    unitls_boring::register();
    unitls_rustls::register();
    run_backend(&BackendRun {
        backend: "boring",
        other_servers: &[
            Server::Plain("rustls"),
            Server::Custom {
                backend: "rustls",
                label: any_chain_server::LABEL,
                context: any_chain_server::context,
            },
        ],
        direct: validation_direct::verdict,
        direct_method: validation_direct::METHOD,
        known: &[],
    });
}
