//! Certificate validation: the x509-limbo corpus through real handshakes on native-tls, compared
//! with a plain native-tls client configured as unitls configures it (SPEC VERIFY-1,
//! VERIFY-4..7, VERIFY-13, VERIFY-14). rustls is linked too: the server for chains
//! the native-tls server refuses (through a context hook when rustls's identity check
//! refuses the leaf too), the cross-check's other server, and the peer of the direct
//! check. Passes with a message when the corpus (`$UNITLS_LIMBO`, else
//! `../shared/limbo/limbo.json`) is absent.

mod validation_direct;

use unitls_conformance::validation::{run_backend, BackendRun, Known, KnownKind, Server};
use validation_direct::any_chain_server;

/// native-tls (OpenSSL's `X509_check_host` without `NEVER_CHECK_SUBJECT`) matches the
/// host name against the subject CN of a leaf without DNS SANs; core refuses that
/// after the handshake.
const CN_FALLBACK: &str = "native-tls matches the host name against the subject CN of a leaf \
     without DNS subjectAltName; core refuses that match (SPEC VERIFY-6, RFC 9525 §6.4.4)";

/// Where unitls on native-tls differs from native-tls used directly, and why.
const KNOWN: &[Known] = &[
    Known {
        id: "webpki::san::no-san",
        kind: KnownKind::UnitlsStricter,
        reason: CN_FALLBACK,
    },
    Known {
        id: "webpki::v1-cert",
        kind: KnownKind::UnitlsStricter,
        reason: CN_FALLBACK,
    },
];

/// VERIFY-1, VERIFY-4..7, VERIFY-13, VERIFY-14: every eligible x509-limbo case;
/// unitls and native-tls used directly must agree.
#[test]
fn verify_limbo_corpus_matches_native_tls_directly() {
    unitls_native_tls::register();
    unitls_rustls::register();
    run_backend(&BackendRun {
        backend: "native-tls",
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
        known: KNOWN,
    });
}
