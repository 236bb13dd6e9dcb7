//! The cases exempt from a kind of run, each with its reason: [`NOT_FAULTED`] (no
//! injected faults, SPEC REL-1) and [`BLOCKING_ONLY`] (no tokio-mode run, SPEC
//! "Modes"). [`run_case`](crate::run_case) reads both.

/// Cases that run only over clean transports, each with the reason: REL-1 exempts
/// the cases that measure time (a timeout of the user's cannot be told from an
/// injected `WouldBlock` by a helper that calls again).
pub const NOT_FAULTED: &[(&str, &str)] = &[
    (
        "stream_8_read_timeout_keeps_session",
        "measures the user's read timeout",
    ),
    (
        "stream_9_nonblocking_transport",
        "runs over non-blocking transports of its own, calling again itself",
    ),
    (
        "rel_2_attach_echo_detach_memory_flat",
        "measures resident memory in a process of its own, over the run's clean transports",
    ),
    (
        "rel_2_connect_close_memory_flat",
        "measures resident memory in a process of its own, over the run's clean transports",
    ),
    (
        "rel_5_silence_after_handshake_is_a_read_timeout",
        "measures the user's read timeout",
    ),
    (
        "async_9_thousand_connections",
        "tokio mode: its transports are tokio's (the injector wraps blocking ones)",
    ),
    (
        "async_1_lifecycle",
        "tokio mode: its transports are tokio's (the injector wraps blocking ones)",
    ),
    (
        "async_2_runtimes",
        "tokio mode: its transports are tokio's (the injector wraps blocking ones)",
    ),
    (
        "async_3_cancelled_attach_and_detach",
        "tokio mode: its transports are tokio's (the injector wraps blocking ones)",
    ),
    (
        "async_4_shutdown_sends_close_notify",
        "tokio mode: its transports are tokio's (the injector wraps blocking ones)",
    ),
    (
        "async_5_pending_transports_never_stall",
        "tokio mode: its transports are tokio's (the injector wraps blocking ones)",
    ),
    (
        "async_6_drop_never_blocks",
        "tokio mode: its transports are tokio's (the injector wraps blocking ones)",
    ),
    (
        "async_7_cancellation_loses_nothing",
        "tokio mode: its transports are tokio's (the injector wraps blocking ones)",
    ),
    (
        "async_8_handshake_deadline",
        "tokio mode: its transports are tokio's (the injector wraps blocking ones)",
    ),
];

/// The cases that run in the blocking mode only, each with why: what the SPEC marks
/// *Sync-only*, what is about the blocking API itself, and what does no stream I/O
/// (contexts, the registry, key files: they run once, not again in a mode they never
/// touch). Every other case runs in the tokio mode too ([`run_case`](crate::run_case)); one that makes
/// no tokio stream there fails, so this list stays true.
pub const BLOCKING_ONLY: &[(&str, &str)] = &[
    (
        "rel_4_thousand_blocking_connections",
        "the blocking half of REL-4, a thread per connection (the tokio half: \
         async_9_thousand_connections)",
    ),
    (
        "close_4_drop_gives_clean_eof",
        "SPEC CLOSE-4 is Sync-only (async: ASYNC-6)",
    ),
    (
        "stream_8_read_timeout_keeps_session",
        "SPEC STREAM-8 is Sync-only",
    ),
    (
        "stream_1_open_tcp_stream",
        "the blocking constructor open_tcp_stream (async: ASYNC-8)",
    ),
    (
        "stream_2_3_errors_and_timeouts",
        "the blocking constructor open_tcp_stream",
    ),
    (
        "stream_4_from_accepted",
        "the blocking constructor from_accepted (async: ASYNC-8)",
    ),
    (
        "attach_2_constructor_with_options",
        "the blocking constructor SocketStream::with_options",
    ),
    (
        "stream_6_transports",
        "the blocking Transport implementations (TcpStream, UnixStream, boxes)",
    ),
    (
        "stream_9_nonblocking_transport",
        "non-blocking transports under the blocking stream",
    ),
    (
        "rec_4_one_octet_reads",
        "a transport that gives one octet per read: MemoryStream::set_max_read",
    ),
    (
        "sec_1_no_legacy_versions",
        "the openssl tool against a from_accepted server",
    ),
    (
        "sec_3_no_client_renegotiation",
        "the openssl tool against a from_accepted server",
    ),
    (
        "rel_7_verification_alerts",
        "reads the wire through a blocking tap transport",
    ),
    (
        "rel_7_server_without_identity_alert",
        "reads the wire through a blocking tap transport",
    ),
    (
        "rel_7_tampered_record_alert",
        "alters a record through a blocking tap transport",
    ),
    (
        "rel_7_alert_reaches_a_writing_client",
        "the blocking close's linger over TCP",
    ),
    (
        "impl_1_2_registry_lists_backend",
        "no stream I/O: the registry",
    ),
    (
        "impl_4_default_only_available",
        "no stream I/O: the registry",
    ),
    ("ctx_1_side_1_defaults", "no stream I/O: option defaults"),
    ("abs_6_name", "no stream I/O: context names"),
    (
        "init_2_ensure_initialized_concurrently",
        "no stream I/O: library initialisation",
    ),
    (
        "key_5_6_bad_identities",
        "no stream I/O: identities refused at build()",
    ),
    (
        "sec_8_no_secrets_in_debug",
        "no stream I/O: Debug output of contexts and identities",
    ),
];
