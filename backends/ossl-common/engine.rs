//! Shared by the OpenSSL and BoringSSL backends (each compiles it against its own
//! crate, renamed `openssl`; `crate::flavor` holds what differs).
//!
//! The OpenSSL `SSL` object driven over two memory BIOs: core feeds whole records
//! into the read BIO and drains ciphertext from the write BIO.
//!
//! The openssl crate's `SslStream` would own the `Ssl` for good (it has no way to give
//! it back), and SPEC CTX-7 wants a user's `Ssl` handed back at detach, so the few
//! calls below go to OpenSSL directly. Everything else uses the safe crate.
#![allow(unsafe_code)]

use std::os::raw::{c_int, c_long, c_void};
use std::ptr;

use openssl::error::ErrorStack;
use openssl::ssl::Ssl;
use openssl_sys as ffi;

use crate::flavor;

use foreign_types::ForeignType as _;

/// `BIO_CTRL_PENDING`: how many octets a BIO holds.
const BIO_CTRL_PENDING: c_int = 10;

/// What an `SSL_*` call reported.
pub(crate) enum Step {
    /// It made progress (for reads and writes: this many octets).
    Done(usize),
    /// It needs another record from the peer.
    WantRead,
    /// The peer's close_notify arrived.
    Closed,
    /// A fatal error; the stack holds OpenSSL's reasons.
    Failed(ErrorStack),
}

/// An `SSL` with memory BIOs attached (owned by the `SSL`).
pub(crate) struct Engine {
    ssl: Ssl,
    rbio: *mut ffi::BIO,
    wbio: *mut ffi::BIO,
}

// SAFETY: the BIOs belong to the `SSL` (freed with it) and are only used through
// `&mut self`; `Ssl` itself is `Send`.
unsafe impl Send for Engine {}

impl Engine {
    /// Attaches fresh memory BIOs to `ssl`.
    pub(crate) fn new(ssl: Ssl) -> Result<Engine, ErrorStack> {
        // SAFETY: BIO_new(BIO_s_mem()) returns an owned BIO or NULL (checked).
        let rbio = unsafe { ffi::BIO_new(ffi::BIO_s_mem()) };
        if rbio.is_null() {
            return Err(ErrorStack::get());
        }
        // SAFETY: as above.
        let wbio = unsafe { ffi::BIO_new(ffi::BIO_s_mem()) };
        if wbio.is_null() {
            // SAFETY: rbio is ours and not attached to anything yet.
            unsafe { ffi::BIO_free_all(rbio) };
            return Err(ErrorStack::get());
        }
        // SAFETY: both BIOs are valid; an empty read BIO must say "retry", not EOF,
        // so OpenSSL reports WANT_READ; SSL_set_bio takes ownership of both.
        unsafe {
            ffi::BIO_ctrl(
                rbio,
                flavor::BIO_C_SET_BUF_MEM_EOF_RETURN,
                -1 as c_long,
                ptr::null_mut(),
            );
            ffi::BIO_ctrl(
                wbio,
                flavor::BIO_C_SET_BUF_MEM_EOF_RETURN,
                -1 as c_long,
                ptr::null_mut(),
            );
            ffi::SSL_set_bio(ssl.as_ptr(), rbio, wbio);
        }
        Ok(Engine { ssl, rbio, wbio })
    }

    /// The `SSL`.
    pub(crate) fn ssl(&self) -> &Ssl {
        &self.ssl
    }

    /// The `SSL`, mutably (before the handshake: role, SNI, host name).
    pub(crate) fn ssl_mut(&mut self) -> &mut Ssl {
        &mut self.ssl
    }

    /// Gives the `SSL` back (its memory BIOs stay attached until the user sets others).
    pub(crate) fn into_ssl(self) -> Ssl {
        self.ssl
    }

    /// Appends ciphertext from the peer to the read BIO.
    pub(crate) fn feed(&mut self, data: &[u8]) -> Result<(), ErrorStack> {
        let mut rest = data;
        while !rest.is_empty() {
            let len = rest.len().min(c_int::MAX as usize);
            // SAFETY: rbio is valid while self.ssl lives; the pointer/len pair is a
            // live slice.
            let n =
                unsafe { ffi::BIO_write(self.rbio, rest.as_ptr() as *const c_void, len as c_int) };
            if n <= 0 {
                return Err(ErrorStack::get());
            }
            rest = &rest[n as usize..];
        }
        Ok(())
    }

    /// Octets of ciphertext waiting in the write BIO.
    pub(crate) fn pending_out(&self) -> usize {
        // SAFETY: wbio is valid while self.ssl lives.
        let n = unsafe { ffi::BIO_ctrl(self.wbio, BIO_CTRL_PENDING, 0, ptr::null_mut()) };
        n.max(0) as usize
    }

    /// Moves up to `buf.len()` octets of ciphertext out of the write BIO.
    pub(crate) fn drain(&mut self, buf: &mut [u8]) -> usize {
        let len = buf.len().min(c_int::MAX as usize) as c_int;
        // SAFETY: wbio is valid; buf is a live, writable slice of at least len octets.
        let n = unsafe { ffi::BIO_read(self.wbio, buf.as_mut_ptr() as *mut c_void, len) };
        n.max(0) as usize
    }

    fn step(&mut self, ret: c_int) -> Step {
        if ret > 0 {
            return Step::Done(ret as usize);
        }
        // SAFETY: ssl is valid; ret is the return value of the call just made on it.
        let code = unsafe { ffi::SSL_get_error(self.ssl.as_ptr(), ret) };
        match code {
            flavor::SSL_ERROR_WANT_READ | flavor::SSL_ERROR_WANT_WRITE => {
                // Drop any stale entries so they are not blamed on a later call.
                let _ = ErrorStack::get();
                Step::WantRead
            }
            flavor::SSL_ERROR_ZERO_RETURN => Step::Closed,
            _ => Step::Failed(ErrorStack::get()),
        }
    }

    /// Runs the handshake as far as the fed records allow.
    pub(crate) fn handshake(&mut self) -> Step {
        // SAFETY: ssl is valid and has BIOs.
        let ret = unsafe { ffi::SSL_do_handshake(self.ssl.as_ptr()) };
        if ret == 1 {
            return Step::Done(0);
        }
        self.step(ret)
    }

    /// Decrypts application data into `buf`.
    pub(crate) fn read(&mut self, buf: &mut [u8]) -> Step {
        if buf.is_empty() {
            return Step::Done(0);
        }
        let len = buf.len().min(c_int::MAX as usize) as c_int;
        // SAFETY: ssl is valid; buf is a live, writable slice of at least len octets.
        let ret = unsafe { ffi::SSL_read(self.ssl.as_ptr(), buf.as_mut_ptr() as *mut c_void, len) };
        self.step(ret)
    }

    /// Encrypts application data (the write BIO never blocks, so all of it).
    pub(crate) fn write(&mut self, data: &[u8]) -> Step {
        if data.is_empty() {
            return Step::Done(0);
        }
        let len = data.len().min(c_int::MAX as usize) as c_int;
        // SAFETY: ssl is valid; data is a live slice of at least len octets.
        let ret = unsafe { ffi::SSL_write(self.ssl.as_ptr(), data.as_ptr() as *const c_void, len) };
        self.step(ret)
    }

    /// Queues close_notify.
    pub(crate) fn shutdown(&mut self) {
        // SAFETY: ssl is valid. The result only says whether the peer's close_notify
        // came too; errors leave nothing to clean up.
        unsafe {
            ffi::SSL_shutdown(self.ssl.as_ptr());
        }
        let _ = ErrorStack::get();
    }

    /// Whether the peer's close_notify was processed.
    pub(crate) fn received_shutdown(&self) -> bool {
        // SAFETY: ssl is valid.
        let state = unsafe { ffi::SSL_get_shutdown(self.ssl.as_ptr()) };
        state & flavor::SSL_RECEIVED_SHUTDOWN != 0
    }
}
