//! SPEC §3 ERR — errors as users handle them.

use std::io::Read;

use unitls_core::{Error, ErrorKind, FailureIndicator, VerifyReason};

use crate::fixtures::pki;
use crate::harness::spawn;
use crate::Harness;

/// ERR-3, ERR-4, ERR-5, ERR-9: stream errors are `io::Error`s that downcast back to
/// `unitls::Error`, keep the backend's error as source, and name the backend.
pub fn err_3_errors_round_trip_io(h: &Harness) {
    let (mut client, mut server, _k) = h.plain_pair();
    let server_opts = unitls_core::AttachOptions::server()
        .ctx(h.server_builder_with(&pki().expired).build().expect("ctx"));
    let server_thread = spawn(move || {
        let _ = server.attach_ssl(server_opts);
    });
    let err = client.attach_ssl(h.client_opts()).expect_err("expired");
    server_thread.join();
    assert_eq!(
        err.kind(),
        ErrorKind::VerificationFailure(VerifyReason::Expired)
    );
    let text = err.to_string();
    assert!(
        text.contains(h.backend) && text.contains("attach"),
        "ERR-5: {text}"
    );
    assert!(
        std::error::Error::source(&err).is_some(),
        "ERR-4: the backend's error is kept"
    );
    let io: std::io::Error = err.into();
    assert_eq!(io.kind(), std::io::ErrorKind::InvalidData);
    assert!(
        io.get_ref()
            .and_then(|e| e.downcast_ref::<Error>())
            .is_some(),
        "ERR-3: downcasts back"
    );
    assert_eq!(
        unitls_core::failure_indicator(&io),
        FailureIndicator::Tls(ErrorKind::VerificationFailure(VerifyReason::Expired))
    );
    // Misuse gives kinds, never panics (ERR-9).
    let (mut plain, _p, _k2) = h.plain_pair();
    assert_eq!(
        plain.set_connect_state().expect_err("plain").kind(),
        ErrorKind::NotAttached
    );
    assert_eq!(
        plain.shutdown_write().expect_err("plain").kind(),
        ErrorKind::NotAttached
    );
    assert!(plain.read(&mut []).is_ok());
}
