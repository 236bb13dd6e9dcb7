//! SPEC requirements checked outside the per-backend suite, and where. The report's
//! list of uncovered IDs leaves these out and shows the reason instead.
//!
//! Format (read by `cargo xtask conformance`): one `("ID", "where and how")` entry
//! per line.

/// `(SPEC ID, where it is checked)`.
pub const CHECKED_ELSEWHERE: &[(&str, &str)] = &[
    ("IMPL-7", "cargo xtask test: the facade refuses boring+openssl with a compile_error naming the clash; backends/openssl/tests/interop.rs serves rustls, OpenSSL and native-tls concurrently in one process"),
    ("INIT-4", "backends/rustls/tests/process_state.rs: no process-default CryptoProvider is installed, and the application may install its own"),
    ("OWN-1", "backends/*/tests/process_state.rs: live-session counts return to their prior value after detach, close, Drop and a failed attach (a test binary of its own: the counters are process-wide)"),
    ("REL-3", "cargo xtask leaks: every lifecycle path (conformance/src/lifecycle.rs, the test rel_3_lifecycle_paths of each backend) under valgrind memcheck, one process per backend, no definitely-lost byte (CI: a stage of cargo xtask test)"),
    ("REL-6", "cargo xtask fuzz: libFuzzer targets in fuzz/ feed arbitrary peer octets to attach (client and server), the established read path and detach (core/src/fuzzing.rs over the fake engine) and to real first flights of rustls, OpenSSL and native-tls, checking no panic, no hang, no allocation above 128 KiB (CI: fuzz --smoke)"),
    ("SEC-7", "backends/*/tests/sslkeylogfile.rs: with SSLKEYLOGFILE set before the backend starts (a test binary of its own) and no key-log callback, handshakes of every version write nothing to that file"),
    ("CB-4", "backends/rustls/tests/native.rs cb_6_callbacks_get_rustls_types: ALPN and a verifier set in the context hook govern the handshake"),
    ("INTEROP-1", "cargo xtask conformance, interop matrix (peer binary per backend); in-process pairs in backends/{openssl,boring,native-tls}/tests/interop.rs (each version each end declares for its role: native-tls's client at TLS 1.3 too)"),
    ("INTEROP-2", "cargo xtask conformance, interop matrix: TLS 1.2 and TLS 1.3 pinned at both ends"),
    ("INTEROP-3", "cargo xtask conformance, interop matrix: ALPN variant"),
    ("INTEROP-4", "cargo xtask conformance, interop matrix: required client authentication variant"),
    ("INTEROP-5", "cargo xtask conformance, interop matrix: resumption variant (client of one backend resumes with a server of another)"),
    ("INTEROP-6", "backends/{openssl,boring}/tests/interop.rs: detach and plaintext continuation between backends"),
    ("INTEROP-7", "cargo xtask conformance: pairs that cannot share a binary run as two peer processes over loopback"),
    ("INTEROP-8", "cargo xtask conformance: each client against openssl s_server, openssl s_client against each server"),
];

/// `(SPEC ID, why no case checks it yet)`: the report lists these as uncovered with
/// this reason.
pub const NOT_YET_COVERED: &[(&str, &str)] = &[
    (
        "ASYNC-1",
        "the tokio mode (unitls::tokio::SocketStream) is not implemented yet",
    ),
    ("ASYNC-2", "the tokio mode is not implemented yet"),
    ("ASYNC-3", "the tokio mode is not implemented yet"),
    ("ASYNC-4", "the tokio mode is not implemented yet"),
    ("ASYNC-5", "the tokio mode is not implemented yet"),
    ("ASYNC-6", "the tokio mode is not implemented yet"),
    (
        "KEY-9",
        "the client certificate-request callback is not implemented yet",
    ),
];
