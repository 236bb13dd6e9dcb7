//! The alert that ended a connection, as it went on the wire (SPEC REL-7, ERR-6).
//!
//! OpenSSL's error stack names an alert it *received* ("tlsv1 alert unknown ca") but
//! never the one it *sent*: a client that refuses the server's certificate sends
//! `unknown_ca`, `certificate_expired` or `bad_certificate` and its error stack says
//! only "certificate verify failed". The info callback sees both directions, so every
//! `SSL` the engine drives carries one: it keeps the first fatal alert sent or
//! received, and calls the callback a user installed (on the `SSL` or its context)
//! after it, so a user's own callback keeps working.
#![allow(unsafe_code)]

use std::os::raw::c_int;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::OnceLock;

use foreign_types::ForeignTypeRef as _;
use openssl::ex_data::Index;
use openssl::ssl::{Ssl, SslRef};
use unitls_core::Alert;

use crate::flavor::{self, InfoCallback};

/// `SSL_CB_READ_ALERT`: an alert arrived.
const SSL_CB_READ_ALERT: c_int = 0x4004;
/// `SSL_CB_WRITE_ALERT`: an alert was written.
const SSL_CB_WRITE_ALERT: c_int = 0x4008;
/// The alert level `fatal`.
const FATAL: c_int = 2;

/// Marks a kept alert (description codes start at 0).
const KEPT: u32 = 1 << 8;

/// The per-`SSL` record: the first fatal alert, and the callback it runs after.
struct AlertLog {
    /// 0 until a fatal alert passes; then [`KEPT`] and its description code.
    first_fatal: AtomicU32,
    /// The info callback that was in force when the log was installed.
    chained: Option<InfoCallback>,
}

fn index() -> Index<Ssl, AlertLog> {
    static INDEX: OnceLock<Index<Ssl, AlertLog>> = OnceLock::new();
    *INDEX.get_or_init(|| Ssl::new_ex_index().expect("OpenSSL ex_data index"))
}

/// Makes `ssl` record the first fatal alert it sends or receives. Installed after the
/// user's `ssl_configure` hook, so a callback the user set there runs too.
pub(crate) fn install(ssl: &mut Ssl) {
    let raw = ssl.as_ptr();
    // SAFETY: `raw` is the valid SSL owned by `ssl`; these calls read its callbacks
    // and its context's, and take no ownership.
    let chained = unsafe {
        flavor::SSL_get_info_callback(raw)
            .or_else(|| flavor::SSL_CTX_get_info_callback(openssl_sys::SSL_get_SSL_CTX(raw)))
    };
    ssl.set_ex_data(
        index(),
        AlertLog {
            first_fatal: AtomicU32::new(0),
            chained,
        },
    );
    // SAFETY: `raw` is valid; `record` has the callback's C signature, and the log it
    // reads is ex_data of the same SSL, freed with it.
    unsafe { flavor::SSL_set_info_callback(raw, Some(record)) };
}

/// The first fatal alert `ssl` sent or received.
pub(crate) fn first_fatal(ssl: &SslRef) -> Option<Alert> {
    let kept = ssl.ex_data(index())?.first_fatal.load(Ordering::Relaxed);
    (kept & KEPT != 0).then(|| Alert::from_code((kept & 0xff) as u8))
}

/// The info callback: keeps the first fatal alert, then runs the chained callback.
unsafe extern "C" fn record(ssl: *const openssl_sys::SSL, kind: c_int, value: c_int) {
    // SAFETY: OpenSSL passes the SSL the callback belongs to, valid for the call.
    let ssl_ref = unsafe { SslRef::from_ptr(ssl as *mut openssl_sys::SSL) };
    let Some(log) = ssl_ref.ex_data(index()) else {
        return;
    };
    // TLS 1.3 alerts are all fatal except close_notify and user_canceled, whatever
    // level field the peer wrote.
    let description = (value & 0xff) as u32;
    let fatal = (value >> 8) == FATAL || !matches!(description, 0 | 90);
    if matches!(kind, SSL_CB_WRITE_ALERT | SSL_CB_READ_ALERT) && fatal {
        let _ = log.first_fatal.compare_exchange(
            0,
            KEPT | description,
            Ordering::Relaxed,
            Ordering::Relaxed,
        );
    }
    if let Some(chained) = log.chained {
        // SAFETY: the callback the SSL had before, called as OpenSSL would.
        unsafe { chained(ssl, kind, value) };
    }
}
