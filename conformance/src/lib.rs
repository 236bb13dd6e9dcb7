//! The unitls conformance suite: cases derived from `shared/SPEC.md`, one module per
//! SPEC area, run against every backend.
//!
//! A backend crate instantiates the whole suite with one macro call in
//! `tests/conformance.rs`:
//!
//! ```text
//! unitls_conformance::conformance_suite!("rustls", unitls_rustls::register(), &NATIVES);
//! ```
//!
//! which makes one `#[test]` per case, named after its SPEC ID. Every case runs over
//! TCP on loopback and over the in-memory transport, then through injected faults
//! ([`faults`], SPEC REL-1), under a watchdog, with bounded waits.
#![forbid(unsafe_code)]

pub mod alone;
mod conn;
pub mod faults;
pub mod fixtures;
pub mod harness;
mod natives;
mod need;
pub mod outcome;

pub mod abs;
pub mod alerts;
pub mod attach;
pub mod bench;
pub mod close;
pub mod ctx;
pub mod cycles;
pub mod detach;
pub mod elsewhere;
pub mod err;
mod exemptions;
pub mod figures;
pub mod hostile;
pub mod hs;
pub mod impl_registry;
pub mod init;
pub mod interop;
pub mod key;
pub mod key_request;
pub mod lifecycle;
pub mod load;
pub mod process;
pub mod proto;
pub mod rec;
pub mod sec;
pub mod side;
pub mod starttls;
pub mod streams;
pub mod tokio_bridge;
pub mod tokio_load;
pub mod tokio_mode;
pub mod validation;
pub mod verify;

use std::sync::mpsc;
use std::time::Duration;

pub use exemptions::{BLOCKING_ONLY, NOT_FAULTED};
pub use faults::FaultMode;
pub use harness::{Harness, TransportKind};
pub use natives::{Log, NativeFixtures};
pub use need::Need;
use unitls_core::Capability;

/// One conformance case.
#[derive(Debug, Clone, Copy)]
pub struct Case {
    /// The test name: SPEC ID first (`attach_1_already_attached`).
    pub id: &'static str,
    /// The SPEC IDs the case checks.
    pub spec: &'static [&'static str],
    /// The capabilities it needs, each for the roles the backend under test plays
    /// in the case (both, when it is paired with itself).
    pub needs: &'static [Need],
    /// The body; panics mean failure.
    pub run: fn(&Harness),
}

impl Case {
    /// The I/O model the case runs in: the tokio mode for the cases of
    /// [`tokio_mode`] (their ids start with `async_`), the blocking stream otherwise.
    pub fn mode(&self) -> unitls_model::Mode {
        if self.id.starts_with("async_") {
            unitls_model::Mode::Async
        } else {
            unitls_model::Mode::Blocking
        }
    }
}

/// How long one case run may take before it counts as a hang: 60 s, so that no case
/// is judged hung while a default 30 s handshake deadline runs (SPEC HS-1).
pub const WATCHDOG: Duration = Duration::from_secs(60);

macro_rules! cases {
    ($($area:ident :: $case:ident [$($spec:literal),+] [$($cap:ident $(: $role:ident)?),*];)+) => {
        /// Every case of the suite, in SPEC order.
        pub static CASES: &[Case] = &[$(Case {
            id: stringify!($case),
            spec: &[$($spec),+],
            needs: &[$(Need { capability: Capability::$cap, roles: need::roles!($($role)?) }),*],
            run: $area::$case,
        }),+];
    };
}

cases! {
    impl_registry::impl_1_2_registry_lists_backend ["IMPL-1", "IMPL-2", "IMPL-8", "IMPL-9"] [];
    impl_registry::impl_4_default_only_available ["IMPL-4", "IMPL-3"] [];
    side::ctx_1_side_1_defaults ["CTX-1", "SIDE-1", "DETACH-2", "HS-1"] [];
    attach::ctx_4_legacy_selectors_refused ["CTX-4", "ATTACH-5"] [];
    attach::attach_1_already_attached ["ATTACH-1"] [];
    attach::attach_3_accessors_follow_state ["ATTACH-3", "SIDE-8", "IMPL-6", "PROTO-4", "PROTO-14"] [];
    attach::attach_4_failure_leaves_plain ["ATTACH-4", "CTX-5"] [];
    attach::attach_5_option_errors_before_io ["ATTACH-5", "HS-1", "SNI-8", "ABS-3", "SNI-3", "SNI-5"] [];
    attach::attach_6_reattach_cycles ["ATTACH-6", "STARTTLS-5"] [];
    attach::ctx_6_native_context_shared ["CTX-6", "CTX-10", "CB-5", "INIT-3"] [];
    attach::cb_7_callback_error_fails_attach ["CB-7", "CB-8", "CB-1"] [];
    side::side_4_6_both_defers_until_pick ["SIDE-4", "SIDE-6", "SIDE-7", "SIDE-5"] [];
    side::side_5_second_pick_is_invalid ["SIDE-5", "SIDE-8"] [];
    hs::hs_2_done_when_attach_returns ["HS-2", "HS-7"] [];
    hs::hs_3_silent_peer_times_out ["HS-3", "SEC-6"] [];
    hs::hs_4_eof_mid_handshake ["HS-4", "ERR-3"] [];
    hs::hs_5_6_handshake_step ["HS-5", "HS-6", "HS-7"] [];
    hs::sec_6_trickling_peer_cannot_outlast_deadline ["SEC-6"] [];
    detach::detach_1_plain_is_none ["DETACH-1"] [];
    detach::detach_4_both_ends_back_to_plain ["DETACH-4", "DETACH-8", "DETACH-10", "STARTTLS-4", "REC-1"] [];
    detach::detach_4_data_before_close_notify_kept ["DETACH-4"] [];
    detach::detach_5_unanswered_fails_after_policy ["DETACH-5", "DETACH-3"] [];
    detach::detach_6_no_wait_never_fails ["DETACH-6"] [];
    detach::detach_9_bytes_after_close_notify_are_plaintext ["DETACH-9", "STARTTLS-6", "OWN-5"] [];
    detach::detach_11_unfinished_sends_nothing ["DETACH-11"] [];
    detach::detach_12_after_fatal_error ["DETACH-12", "REC-8"] [];
    close::close_1_3_never_waits_and_is_idempotent ["CLOSE-1", "CLOSE-2", "CLOSE-3", "CLOSE-5"] [];
    close::close_4_drop_gives_clean_eof ["CLOSE-4"] [];
    close::close_6_contexts_outlive_streams ["CLOSE-6", "ABS-2", "STREAM-5"] [];
    rec::rec_1_close_notify_is_clean_eof ["REC-1", "ERR-2"] [];
    rec::rec_2_truncation_is_an_error ["REC-2", "ERR-3", "ERR-8"] [];
    rec::rec_3_one_mib_arrives_intact ["REC-3", "REC-7"] [];
    rec::rec_4_one_octet_reads ["REC-4"] [];
    rec::rec_5_empty_write ["REC-5"] [];
    rec::rec_6_shutdown_write ["REC-6"] [Tls13];
    starttls::starttls_1_plain_then_tls ["STARTTLS-1", "STREAM-7"] [];
    starttls::starttls_2_injected_plaintext_fails ["STARTTLS-2", "STARTTLS-3"] [];
    starttls::starttls_3_buffered_client_hello_completes ["STARTTLS-3", "STARTTLS-2"] [];
    verify::verify_1_unknown_issuer ["VERIFY-1", "VERIFY-13", "ERR-5"] [];
    verify::verify_4_reasons ["VERIFY-4", "VERIFY-13", "ERR-5"] [];
    verify::verify_2_danger_options ["VERIFY-2", "VERIFY-12"] [VerifyCallback];
    verify::verify_5_6_names ["VERIFY-5", "VERIFY-6", "SNI-4"] [];
    verify::verify_7_missing_intermediate ["VERIFY-7"] [];
    verify::verify_8_client_auth_modes ["VERIFY-8", "VERIFY-9", "VERIFY-10", "KEY-8"] [ClientAuth];
    verify::verify_11_callback_decides ["VERIFY-11"] [VerifyCallback];
    verify::sni_9_server_sees_client_sni ["SNI-9", "SNI-1", "SNI-2", "SNI-7"] [];
    key::key_1_rsa_and_ecdsa_serve ["KEY-1"] [];
    key::key_2_pkcs12 ["KEY-2"] [Pkcs12];
    key::key_3_4_encrypted_keys ["KEY-3", "KEY-4"] [EncryptedKeys];
    key_request::key_9_certificate_request_callback ["KEY-9", "KEY-8"] [ClientAuth];
    key::key_5_6_bad_identities ["KEY-5", "KEY-6", "ABS-1"] [];
    proto::proto_2_3_versions ["PROTO-1", "PROTO-2", "PROTO-3", "CTX-3"] [Tls12, Tls13];
    proto::proto_5_7_cipher_suites ["PROTO-5", "PROTO-6", "PROTO-7", "ERR-7"] [CipherSelection, Tls13CipherSelection];
    proto::proto_8_10_alpn ["PROTO-8", "PROTO-9", "PROTO-10", "ERR-6"] [Alpn, ServerAlpn];
    proto::proto_11_resumption ["PROTO-11"] [Resumption, Tls12, Tls13];
    proto::cert_2_4_peer_certificates ["CERT-1", "CERT-2", "CERT-3", "CERT-4", "PROTO-16", "OWN-4"] [PeerChain];
    err::err_3_errors_round_trip_io ["ERR-1", "ERR-3", "ERR-4", "ERR-5", "ERR-9"] [];
    init::init_1_fresh_hello_randoms ["INIT-1"] [];
    init::init_2_ensure_initialized_concurrently ["INIT-2"] [];
    abs::abs_4_implementation_choice ["ABS-4", "IMPL-5"] [];
    abs::abs_6_name ["ABS-6"] [];
    abs::abs_7_reset_rereads_files ["ABS-7", "KEY-6"] [];
    abs::abs_8_only_hooks_of_the_backend_in_use ["ABS-8"] [];
    ctx::ctx_2_default_verifies ["CTX-2", "VERIFY-1"] [];
    ctx::ctx_7_8_user_sessions ["CTX-7", "CTX-8", "OWN-3", "CB-2"] [];
    ctx::cb_3_callback_order ["CB-1", "CB-2", "CB-3", "CB-5", "CB-6", "ABS-5"] [];
    side::side_9_10_objects_for_both ["SIDE-9", "SIDE-10", "SIDE-3"] [];
    hs::hs_8_implicit_handshake_reports_errors ["HS-8"] [];
    verify::sni_11_server_without_identity ["SNI-11", "ERR-2"] [];
    verify::verify_3_trust_sources ["VERIFY-3"] [];
    verify::verify_14_verification_time ["VERIFY-14"] [VerifyTime];
    key::key_7_same_corpus_everywhere ["KEY-7", "KEY-1"] [];
    detach::detach_7_frees_only_what_attach_made ["DETACH-7", "OWN-2"] [];
    streams::stream_1_open_tcp_stream ["STREAM-1", "SIDE-2", "SNI-6", "STREAM-4"] [];
    streams::stream_2_3_errors_and_timeouts ["STREAM-2", "STREAM-3"] [];
    streams::stream_4_from_accepted ["STREAM-4"] [];
    streams::attach_2_constructor_with_options ["ATTACH-2", "CTX-9"] [];
    streams::stream_6_transports ["STREAM-6"] [];
    streams::stream_8_read_timeout_keeps_session ["STREAM-8", "ERR-8"] [];
    sec::sec_1_no_legacy_versions ["SEC-1"] [];
    sec::sec_2_client_hello_offers_nothing_weak ["SEC-2"] [];
    sec::sec_4_garbage_from_the_peer ["SEC-4"] [];
    sec::sec_5_oversized_record ["SEC-5", "REL-7"] [];
    sec::sec_8_no_secrets_in_debug ["SEC-8"] [];
    proto::proto_13_exporter ["PROTO-13", "PROTO-16"] [Exporter];
    proto::proto_12_key_log ["PROTO-12"] [KeyLog, Tls12, Tls13];
    proto::proto_15_groups ["PROTO-15"] [GroupSelection];
    streams::stream_9_nonblocking_transport ["STREAM-9"] [];
    verify::sni_10_identity_by_name ["SNI-10"] [ServerSniAccess];
    sec::sec_3_no_client_renegotiation ["SEC-3"] [Tls12];
    alerts::rel_7_verification_alerts ["REL-7", "ERR-6", "VERIFY-13"] [];
    alerts::rel_7_server_without_identity_alert ["REL-7", "ERR-6", "SNI-11"] [];
    alerts::rel_7_tampered_record_alert ["REL-7", "ERR-6"] [];
    alerts::rel_7_sslv2_hello_gets_protocol_version ["REL-7", "ERR-6"] [];
    alerts::rel_7_alert_reaches_a_writing_client ["REL-7"] [ClientAuth, Tls13];
    tokio_mode::async_1_lifecycle ["ASYNC-1", "ASYNC-8", "ASYNC-2"] [];
    tokio_mode::async_2_runtimes ["ASYNC-2"] [];
    tokio_mode::async_3_cancelled_attach_and_detach ["ASYNC-3"] [];
    tokio_mode::async_4_shutdown_sends_close_notify ["ASYNC-4"] [];
    tokio_mode::async_5_pending_transports_never_stall ["ASYNC-5"] [];
    tokio_mode::async_6_drop_never_blocks ["ASYNC-6"] [];
    tokio_mode::async_7_cancellation_loses_nothing ["ASYNC-7"] [];
    tokio_mode::async_8_handshake_deadline ["HS-1", "ASYNC-2"] [];
    tokio_load::async_9_thousand_connections ["REL-4", "ASYNC-2"] [];
    hostile::rel_5_random_octets_are_not_tls ["REL-5", "SEC-4"] [];
    hostile::rel_5_legacy_hellos_get_protocol_version ["REL-5", "REL-7", "SEC-1"] [];
    hostile::rel_5_truncated_record_then_eof ["REL-5", "REC-2", "HS-4", "ERR-3"] [];
    hostile::rel_5_oversized_records ["REL-5", "SEC-5", "REL-7"] [];
    hostile::rel_5_garbage_after_handshake ["REL-5", "REL-7"] [];
    hostile::rel_5_reset_mid_record ["REL-5", "ERR-3"] [];
    hostile::rel_5_stalling_peers_time_out ["REL-5", "SEC-6", "HS-3"] [];
    hostile::rel_5_silence_after_handshake_is_a_read_timeout ["REL-5", "ERR-8"] [];
    hostile::rel_5_server_keeps_serving ["REL-5", "HS-1"] [];
    load::rel_4_thousand_blocking_connections ["REL-4"] [];
    cycles::rel_2_attach_echo_detach_memory_flat ["REL-2"] [];
    cycles::rel_2_connect_close_memory_flat ["REL-2"] [];
}

/// The runs of one case: both clean transports, then — unless the case is in
/// [`NOT_FAULTED`] — the in-memory duplex with injected faults, blocking and
/// non-blocking (SPEC REL-1), and TCP with them too when `UNITLS_FAULTS_OVER_TCP` is
/// set (the full `cargo xtask conformance` run sets it).
pub fn runs_of(case: &Case) -> Vec<(TransportKind, Option<FaultMode>)> {
    let mut runs = vec![(TransportKind::Tcp, None), (TransportKind::Memory, None)];
    if NOT_FAULTED.iter().any(|(id, _)| *id == case.id) {
        return runs;
    }
    let mut faulted = vec![TransportKind::Memory];
    if std::env::var_os("UNITLS_FAULTS_OVER_TCP").is_some() {
        faulted.insert(0, TransportKind::Tcp);
    }
    for kind in faulted {
        for mode in [FaultMode::Blocking, FaultMode::NonBlocking] {
            runs.push((kind, Some(mode)));
        }
    }
    runs
}

/// One run's transport, as the report and failure messages name it.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct RunKind {
    /// The transport.
    pub kind: TransportKind,
    /// The faults injected into it, if any.
    pub faults: Option<FaultMode>,
    /// Whether the streams were the tokio mode's.
    pub tokio: bool,
}

impl std::fmt::Debug for RunKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.tokio {
            return write!(f, "{:?}, tokio mode", self.kind);
        }
        match self.faults {
            None => write!(f, "{:?}", self.kind),
            Some(FaultMode::Blocking) => write!(f, "{:?} with injected faults", self.kind),
            Some(FaultMode::NonBlocking) => {
                write!(f, "{:?} with injected faults, non-blocking", self.kind)
            }
        }
    }
}

/// Runs the case named `id` against `backend` over every transport of
/// [`runs_of`], each under the watchdog, and judges the outcome by SPEC §0
/// ([`outcome`]); then, unless it is in [`BLOCKING_ONLY`], the same body in the tokio
/// mode over TCP and the in-memory duplex (SPEC "Modes"), judged as its own row.
/// Panics (fails the test) on `fail`; records every outcome for the report when
/// `UNITLS_OUTCOME_FILE` is set.
pub fn run_case(backend: &'static str, natives: &'static dyn NativeFixtures, id: &str) {
    let case = CASES
        .iter()
        .find(|c| c.id == id)
        .unwrap_or_else(|| panic!("no conformance case named {id}"));
    // A child process started to run one run of this case alone does only that.
    alone::run_if_child(backend, natives, case);
    let runs = runs_of(case);
    let mut cited = case.spec.to_vec();
    if runs.iter().any(|(_, faults)| faults.is_some()) {
        cited.push("REL-1");
    }
    let mut results = Vec::new();
    for (kind, faults) in runs {
        let mut harness = Harness::new(backend, kind, natives);
        if let Some(mode) = faults {
            harness = harness.with_faults(mode);
        }
        results.push(run_once(
            case,
            harness,
            RunKind {
                kind,
                faults,
                tokio: false,
            },
        ));
    }
    let mut failures = Vec::new();
    let verdict = outcome::judge(backend, case, &results);
    outcome::record(backend, case, case.mode(), &cited, &verdict);
    if let outcome::Outcome::Fail(detail) = verdict {
        failures.push(detail);
    }
    if case.mode() == unitls_model::Mode::Blocking && !BLOCKING_ONLY.iter().any(|(b, _)| *b == id) {
        let cited: Vec<&str> = case.spec.to_vec();
        let results: Vec<_> = [TransportKind::Tcp, TransportKind::Memory]
            .into_iter()
            .map(|kind| {
                let harness = Harness::new(backend, kind, natives).in_async_mode();
                run_once(
                    case,
                    harness,
                    RunKind {
                        kind,
                        faults: None,
                        tokio: true,
                    },
                )
            })
            .collect();
        let verdict = outcome::judge(backend, case, &results);
        outcome::record(backend, case, unitls_model::Mode::Async, &cited, &verdict);
        if let outcome::Outcome::Fail(detail) = verdict {
            failures.push(format!("in the tokio mode: {detail}"));
        }
    }
    if !failures.is_empty() {
        panic!(
            "{id} on {backend} (SPEC {cited:?}): {}",
            failures.join("\n")
        );
    }
}

/// Runs the case once on `harness` under the watchdog: its result (a panic's text
/// on failure) and whether it checked a documented fallback.
fn run_once(case: &Case, harness: Harness, kind: RunKind) -> (RunKind, Result<(), String>, bool) {
    let seed = seed_of(harness.backend, case.id);
    let fallback = harness.fallback_flag();
    let async_run = harness.async_run.clone();
    let (tx, rx) = mpsc::channel();
    let run = case.run;
    std::thread::spawn(move || {
        harness.enter(seed);
        let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(move || run(&harness)));
        let _ = tx.send(result.map_err(|panic| outcome::panic_text(&*panic)));
    });
    let mut result = match rx.recv_timeout(WATCHDOG) {
        Ok(result) => result,
        Err(_) => Err(format!("hung: no result within {WATCHDOG:?}")),
    };
    if let (Ok(()), Some(run)) = (&result, &async_run) {
        if run.streams() == 0 {
            // A row that says "async" must have run a tokio stream.
            result = Err(format!(
                "the case made no stream through the harness in the tokio mode: list it in \
                 BLOCKING_ONLY with the reason ({:?})",
                run
            ));
        }
    }
    let result = result.map_err(|text| match kind.faults {
        Some(_) => format!("{text} (fault seed {seed:#x})"),
        None => text,
    });
    (
        kind,
        result,
        fallback.load(std::sync::atomic::Ordering::SeqCst),
    )
}

/// The fault seed of a case on a backend: fixed, so a failure repeats.
fn seed_of(backend: &str, id: &str) -> u64 {
    // FNV-1a over the names.
    backend
        .bytes()
        .chain([0])
        .chain(id.bytes())
        .fold(0xcbf2_9ce4_8422_2325, |hash, octet| {
            (hash ^ u64::from(octet)).wrapping_mul(0x0100_0000_01b3)
        })
}

/// Instantiates the whole suite for one backend: one `#[test]` per case, and
/// `rel_3_lifecycle_paths` ([`lifecycle`], which `cargo xtask leaks` runs under
/// valgrind).
///
/// `$backend` is the registry name, `$register` an expression that registers the
/// backend, `$natives` a `&'static dyn NativeFixtures` for the backend's own types.
#[macro_export]
macro_rules! conformance_suite {
    ($backend:expr, $register:expr, $natives:expr) => {
        /// REL-3: every lifecycle path once (what `cargo xtask leaks` runs under
        /// valgrind, one process per backend).
        #[test]
        fn rel_3_lifecycle_paths() {
            $register;
            $crate::lifecycle::run($backend, $natives);
            $crate::lifecycle::record_pass($backend);
        }

        $crate::__suite_tests! {
            ($backend, $register, $natives)
            impl_1_2_registry_lists_backend impl_4_default_only_available ctx_1_side_1_defaults
            ctx_4_legacy_selectors_refused attach_1_already_attached attach_3_accessors_follow_state
            attach_4_failure_leaves_plain attach_5_option_errors_before_io attach_6_reattach_cycles
            ctx_6_native_context_shared cb_7_callback_error_fails_attach side_4_6_both_defers_until_pick
            side_5_second_pick_is_invalid hs_2_done_when_attach_returns hs_3_silent_peer_times_out
            hs_4_eof_mid_handshake hs_5_6_handshake_step sec_6_trickling_peer_cannot_outlast_deadline
            detach_1_plain_is_none detach_4_both_ends_back_to_plain detach_4_data_before_close_notify_kept
            detach_5_unanswered_fails_after_policy detach_6_no_wait_never_fails
            detach_9_bytes_after_close_notify_are_plaintext detach_11_unfinished_sends_nothing
            detach_12_after_fatal_error close_1_3_never_waits_and_is_idempotent close_4_drop_gives_clean_eof
            close_6_contexts_outlive_streams rec_1_close_notify_is_clean_eof rec_2_truncation_is_an_error
            rec_3_one_mib_arrives_intact rec_4_one_octet_reads rec_5_empty_write rec_6_shutdown_write
            starttls_1_plain_then_tls starttls_2_injected_plaintext_fails starttls_3_buffered_client_hello_completes
            verify_1_unknown_issuer verify_4_reasons verify_2_danger_options verify_5_6_names
            verify_7_missing_intermediate verify_8_client_auth_modes verify_11_callback_decides
            sni_9_server_sees_client_sni key_1_rsa_and_ecdsa_serve key_2_pkcs12 key_3_4_encrypted_keys
            key_9_certificate_request_callback key_5_6_bad_identities proto_2_3_versions proto_5_7_cipher_suites proto_8_10_alpn
            proto_11_resumption cert_2_4_peer_certificates err_3_errors_round_trip_io
            init_1_fresh_hello_randoms init_2_ensure_initialized_concurrently abs_4_implementation_choice
            abs_6_name abs_7_reset_rereads_files abs_8_only_hooks_of_the_backend_in_use ctx_2_default_verifies
            ctx_7_8_user_sessions cb_3_callback_order side_9_10_objects_for_both
            hs_8_implicit_handshake_reports_errors sni_11_server_without_identity verify_3_trust_sources
            verify_14_verification_time key_7_same_corpus_everywhere detach_7_frees_only_what_attach_made
            stream_1_open_tcp_stream stream_2_3_errors_and_timeouts stream_4_from_accepted
            attach_2_constructor_with_options stream_6_transports stream_8_read_timeout_keeps_session
            sec_1_no_legacy_versions sec_2_client_hello_offers_nothing_weak sec_4_garbage_from_the_peer
            sec_5_oversized_record sec_8_no_secrets_in_debug proto_13_exporter
            proto_12_key_log proto_15_groups stream_9_nonblocking_transport sni_10_identity_by_name
            sec_3_no_client_renegotiation rel_7_verification_alerts rel_7_server_without_identity_alert
            rel_7_tampered_record_alert rel_7_sslv2_hello_gets_protocol_version
            rel_7_alert_reaches_a_writing_client async_1_lifecycle async_2_runtimes
            async_3_cancelled_attach_and_detach async_4_shutdown_sends_close_notify
            async_5_pending_transports_never_stall async_6_drop_never_blocks
            async_7_cancellation_loses_nothing async_8_handshake_deadline
            async_9_thousand_connections rel_5_random_octets_are_not_tls
            rel_5_legacy_hellos_get_protocol_version rel_5_truncated_record_then_eof
            rel_5_oversized_records rel_5_garbage_after_handshake rel_5_reset_mid_record
            rel_5_stalling_peers_time_out rel_5_silence_after_handshake_is_a_read_timeout
            rel_5_server_keeps_serving rel_4_thousand_blocking_connections
            rel_2_attach_echo_detach_memory_flat rel_2_connect_close_memory_flat
        }
    };
}

#[doc(hidden)]
#[macro_export]
macro_rules! __suite_tests {
    (($backend:expr, $register:expr, $natives:expr) $($case:ident)*) => {
        $(
            #[test]
            fn $case() {
                $register;
                $crate::run_case($backend, $natives, stringify!($case));
            }
        )*
    };
}

#[cfg(test)]
mod tests {
    /// Every case in `CASES` has a test in the macro, and no more (a repository
    /// invariant: the two lists cannot drift apart).
    #[test]
    fn macro_lists_every_case() {
        let source = include_str!("lib.rs");
        let start = source.find("$crate::__suite_tests! {").expect("macro body");
        let body = &source[start..source[start..].find("}\n    };").expect("end") + start];
        let in_macro: Vec<&str> = body
            .split_whitespace()
            .filter(|w| w.contains('_') && !w.contains('$') && !w.contains('('))
            .collect();
        let ids: Vec<&str> = super::CASES.iter().map(|c| c.id).collect();
        assert_eq!(in_macro, ids);
    }
}
