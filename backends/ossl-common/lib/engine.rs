//! Shared by the OpenSSL and BoringSSL backends (each compiles it against its own
//! crate, renamed `openssl`; `crate::flavor` holds what differs).
//!
//! The OpenSSL `SSL` object driven over one custom BIO that core feeds and drains:
//! - input: a record core lends for the duration of one call is read straight out of
//!   core's buffer (OpenSSL copies it into its record buffer, as it would from a
//!   socket); whatever OpenSSL leaves unread is kept in the BIO, read first next time;
//! - output: records OpenSSL writes go straight to the transport when core lends it
//!   (application data, see [`Engine::write_through`]), otherwise into a buffer that
//!   `write_tls` drains (handshake flights, alerts, close_notify).
//!
//! Memory BIOs would cost two more copies of every record each way, and a pass to
//! zero the drain buffer. The BIO's state belongs to the BIO, freed with it, so an
//! `Ssl` handed back to the user (SPEC CTX-7) keeps a valid BIO.
//!
//! The openssl crate's `SslStream` would own the `Ssl` for good (it has no way to give
//! it back), and SPEC CTX-7 wants a user's `Ssl` handed back at detach, so the few
//! calls below go to OpenSSL directly. Everything else uses the safe crate.
#![allow(unsafe_code)]

use std::io::{self, Write};
use std::os::raw::{c_char, c_int, c_long, c_void};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::ptr;
use std::sync::OnceLock;

use openssl::error::ErrorStack;
use openssl::ssl::Ssl;
use openssl_sys as ffi;

use crate::flavor;

use foreign_types::ForeignType as _;

/// `BIO_CTRL_FLUSH`.
const BIO_CTRL_FLUSH: c_int = 11;
/// `BIO_CTRL_PENDING`: octets waiting to be read.
const BIO_CTRL_PENDING: c_int = 10;
/// `BIO_CTRL_WPENDING`: octets waiting to be written.
const BIO_CTRL_WPENDING: c_int = 13;

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

/// The BIO's state: owned by the BIO (`BIO_get_data`), freed by its destroy callback.
#[derive(Default)]
struct Channel {
    /// Ciphertext from the peer not read by OpenSSL yet, read before `lent`.
    input: Vec<u8>,
    input_pos: usize,
    /// A record lent by core for one call ([`Engine::with_input`]); null otherwise.
    lent: *const u8,
    lent_len: usize,
    lent_pos: usize,
    /// Ciphertext written while no sink was lent, drained by `write_tls`.
    output: Vec<u8>,
    output_pos: usize,
    /// A `*mut &mut dyn Write` lent for one call ([`Engine::write_through`]).
    sink: *mut c_void,
    /// What the sink failed with.
    sink_error: Option<io::Error>,
}

impl Channel {
    fn pending_input(&self) -> usize {
        self.input.len() - self.input_pos + self.lent_len - self.lent_pos
    }
}

/// Reads ciphertext for OpenSSL: the kept input, then the lent record; an empty
/// channel says "retry" (`SSL_ERROR_WANT_READ`), never EOF.
unsafe extern "C" fn bio_read(bio: *mut ffi::BIO, buf: *mut c_char, len: c_int) -> c_int {
    // SAFETY (whole function): OpenSSL passes the BIO this module made, whose data is
    // a live `Channel`, and a writable buffer of `len` octets; the lent pointer and
    // length describe a slice that lives for the current `with_input` call.
    ffi::BIO_clear_retry_flags(bio);
    let channel = &mut *(ffi::BIO_get_data(bio) as *mut Channel);
    let want = usize::try_from(len).unwrap_or(0);
    if want == 0 {
        return 0;
    }
    let out = std::slice::from_raw_parts_mut(buf as *mut u8, want);
    let mut n = 0;
    let kept = &channel.input[channel.input_pos..];
    if !kept.is_empty() {
        n = kept.len().min(want);
        out[..n].copy_from_slice(&kept[..n]);
        channel.input_pos += n;
        if channel.input_pos == channel.input.len() {
            // Drained: an idle connection keeps no buffer.
            channel.input = Vec::new();
            channel.input_pos = 0;
        }
    }
    if n < want && !channel.lent.is_null() {
        let lent = std::slice::from_raw_parts(
            channel.lent.add(channel.lent_pos),
            channel.lent_len - channel.lent_pos,
        );
        let k = lent.len().min(want - n);
        out[n..n + k].copy_from_slice(&lent[..k]);
        channel.lent_pos += k;
        n += k;
    }
    if n == 0 {
        ffi::BIO_set_retry_read(bio);
        return -1;
    }
    n as c_int
}

/// Takes ciphertext from OpenSSL: straight to the lent sink, or into the output.
unsafe extern "C" fn bio_write(bio: *mut ffi::BIO, buf: *const c_char, len: c_int) -> c_int {
    // SAFETY (whole function): the BIO's data is a live `Channel`; `buf` holds `len`
    // readable octets; a non-null sink points at a `&mut dyn Write` on the stack of
    // the `write_through` call in progress.
    ffi::BIO_clear_retry_flags(bio);
    let channel = &mut *(ffi::BIO_get_data(bio) as *mut Channel);
    let data = std::slice::from_raw_parts(buf as *const u8, usize::try_from(len).unwrap_or(0));
    if channel.sink.is_null() {
        channel.output.extend_from_slice(data);
        return len;
    }
    let sink = &mut *(channel.sink as *mut &mut dyn Write);
    loop {
        match catch_unwind(AssertUnwindSafe(|| sink.write(data))) {
            Ok(Ok(0)) if !data.is_empty() => {
                channel.sink_error = Some(io::ErrorKind::WriteZero.into());
                return -1;
            }
            Ok(Ok(n)) => return n as c_int,
            Ok(Err(e)) if e.kind() == io::ErrorKind::Interrupted => {}
            Ok(Err(e))
                if matches!(
                    e.kind(),
                    io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
                ) =>
            {
                // The transport cannot take more now (non-blocking, or its write
                // timeout ran out): the rest of the record, and every later record of
                // this call, waits in the output for `write_tls`, so nothing is lost.
                channel.output.extend_from_slice(data);
                channel.sink = ptr::null_mut();
                return len;
            }
            Ok(Err(e)) => {
                channel.sink_error = Some(e);
                return -1;
            }
            Err(_) => {
                channel.sink_error = Some(io::Error::other("the transport panicked in write"));
                return -1;
            }
        }
    }
}

unsafe extern "C" fn bio_ctrl(
    bio: *mut ffi::BIO,
    cmd: c_int,
    _num: c_long,
    _ptr: *mut c_void,
) -> c_long {
    // SAFETY: the BIO's data is a live `Channel` (or null before init).
    let data = ffi::BIO_get_data(bio) as *const Channel;
    if data.is_null() {
        return 0;
    }
    let channel = &*data;
    match cmd {
        BIO_CTRL_FLUSH => 1,
        BIO_CTRL_PENDING => channel.pending_input() as c_long,
        BIO_CTRL_WPENDING => (channel.output.len() - channel.output_pos) as c_long,
        _ => 0,
    }
}

unsafe extern "C" fn bio_create(bio: *mut ffi::BIO) -> c_int {
    // SAFETY: a BIO being created by BIO_new.
    ffi::BIO_set_init(bio, 0);
    ffi::BIO_set_data(bio, ptr::null_mut());
    1
}

unsafe extern "C" fn bio_destroy(bio: *mut ffi::BIO) -> c_int {
    if bio.is_null() {
        return 0;
    }
    // SAFETY: the data, if set, is the `Box<Channel>` leaked by `Engine::new`, freed
    // here once.
    let data = ffi::BIO_get_data(bio) as *mut Channel;
    if !data.is_null() {
        drop(Box::from_raw(data));
        ffi::BIO_set_data(bio, ptr::null_mut());
    }
    ffi::BIO_set_init(bio, 0);
    1
}

/// The BIO method, made once per process.
fn method() -> *const ffi::BIO_METHOD {
    struct Method(*mut ffi::BIO_METHOD);
    // SAFETY: a BIO_METHOD is immutable once set up and may be shared by threads.
    unsafe impl Send for Method {}
    // SAFETY: as above.
    unsafe impl Sync for Method {}
    static METHOD: OnceLock<Method> = OnceLock::new();
    METHOD
        .get_or_init(|| {
            // SAFETY: BIO_meth_new copies nothing it does not own; the name is static;
            // the callbacks have the signatures OpenSSL expects.
            unsafe {
                let method = ffi::BIO_meth_new(ffi::BIO_TYPE_NONE as c_int, c"unitls".as_ptr());
                assert!(!method.is_null(), "BIO_meth_new");
                flavor::set_bio_callbacks(
                    method,
                    bio_read,
                    bio_write,
                    bio_ctrl,
                    bio_create,
                    bio_destroy,
                );
                Method(method)
            }
        })
        .0
}

/// An `SSL` with the channel BIO attached (owned by the `SSL`).
pub(crate) struct Engine {
    ssl: Ssl,
    bio: *mut ffi::BIO,
}

// SAFETY: the BIO belongs to the `SSL` (freed with it) and is only used through
// `&mut self` (or `&self` for reads of its counters); `Ssl` itself is `Send`.
unsafe impl Send for Engine {}

/// Clears the lent record or sink even if the engine call unwinds.
struct Lent<'a>(&'a mut Engine);

impl Drop for Lent<'_> {
    fn drop(&mut self) {
        let channel = self.0.channel_mut();
        channel.lent = ptr::null();
        channel.lent_len = 0;
        channel.lent_pos = 0;
        channel.sink = ptr::null_mut();
    }
}

impl Engine {
    /// Attaches a fresh channel BIO to `ssl`.
    pub(crate) fn new(mut ssl: Ssl) -> Result<Engine, ErrorStack> {
        crate::alert_log::install(&mut ssl);
        // SAFETY: BIO_new returns an owned BIO or NULL (checked); the channel is
        // leaked into the BIO and freed by its destroy callback; SSL_set_bio with the
        // same BIO twice takes one reference.
        unsafe {
            let bio = ffi::BIO_new(method());
            if bio.is_null() {
                return Err(ErrorStack::get());
            }
            let channel = Box::into_raw(Box::<Channel>::default());
            ffi::BIO_set_data(bio, channel as *mut c_void);
            ffi::BIO_set_init(bio, 1);
            ffi::SSL_set_bio(ssl.as_ptr(), bio, bio);
            Ok(Engine { ssl, bio })
        }
    }

    fn channel(&self) -> &Channel {
        // SAFETY: the data was set in `new` and lives as long as the BIO, which the
        // SSL in `self` owns.
        unsafe { &*(ffi::BIO_get_data(self.bio) as *const Channel) }
    }

    fn channel_mut(&mut self) -> &mut Channel {
        // SAFETY: as in `channel`; `&mut self` makes this the only reference.
        unsafe { &mut *(ffi::BIO_get_data(self.bio) as *mut Channel) }
    }

    /// The `SSL`.
    pub(crate) fn ssl(&self) -> &Ssl {
        &self.ssl
    }

    /// The `SSL`, mutably (before the handshake: role, SNI, host name).
    pub(crate) fn ssl_mut(&mut self) -> &mut Ssl {
        &mut self.ssl
    }

    /// Gives the `SSL` back (its BIO stays attached, with anything still buffered).
    pub(crate) fn into_ssl(self) -> Ssl {
        self.ssl
    }

    /// Keeps ciphertext from the peer for a later `SSL_*` call.
    pub(crate) fn feed(&mut self, data: &[u8]) {
        let channel = self.channel_mut();
        if channel.input_pos == channel.input.len() {
            channel.input.clear();
            channel.input_pos = 0;
        }
        channel.input.extend_from_slice(data);
    }

    /// Runs `f` with `record` readable by OpenSSL straight from the caller's buffer;
    /// what OpenSSL leaves unread is kept for the next call, after older input.
    pub(crate) fn with_input<R>(&mut self, record: &[u8], f: impl FnOnce(&mut Engine) -> R) -> R {
        {
            let channel = self.channel_mut();
            channel.lent = record.as_ptr();
            channel.lent_len = record.len();
            channel.lent_pos = 0;
        }
        let guard = Lent(self);
        let result = f(&mut *guard.0);
        let consumed = guard.0.channel().lent_pos;
        let rest = &record[consumed..];
        if !rest.is_empty() {
            guard.0.channel_mut().input.extend_from_slice(rest);
        }
        drop(guard);
        result
    }

    /// Encrypts `data` with every record written straight to `out`; the second value
    /// is what `out` failed with, if it did.
    pub(crate) fn write_through(
        &mut self,
        data: &[u8],
        out: &mut dyn Write,
    ) -> (Step, Option<io::Error>) {
        let mut sink: &mut dyn Write = out;
        self.channel_mut().sink = &mut sink as *mut &mut dyn Write as *mut c_void;
        let guard = Lent(self);
        let step = guard.0.write(data);
        drop(guard);
        let error = self.channel_mut().sink_error.take();
        (step, error)
    }

    /// Whether an `SSL_read` could give anything: ciphertext kept in the channel, or
    /// decrypted octets OpenSSL holds from the current record.
    pub(crate) fn may_read(&self) -> bool {
        // SAFETY: ssl is valid; SSL_pending only reads its record buffer's state.
        self.channel().pending_input() > 0 || unsafe { ffi::SSL_pending(self.ssl.as_ptr()) } > 0
    }

    /// Octets of ciphertext waiting for `write_out`.
    pub(crate) fn pending_out(&self) -> usize {
        let channel = self.channel();
        channel.output.len() - channel.output_pos
    }

    /// Writes waiting ciphertext to `out`, once; `Ok(0)` when none waits.
    pub(crate) fn write_out(&mut self, out: &mut dyn Write) -> io::Result<usize> {
        let channel = self.channel_mut();
        if channel.output_pos == channel.output.len() {
            return Ok(0);
        }
        let n = out.write(&channel.output[channel.output_pos..])?;
        channel.output_pos += n;
        if channel.output_pos == channel.output.len() {
            // Drained: an idle connection keeps no buffer (handshake flights and
            // alerts use it; application data goes straight to the transport).
            channel.output = Vec::new();
            channel.output_pos = 0;
        }
        Ok(n)
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

    /// Runs the handshake as far as the input allows.
    pub(crate) fn handshake(&mut self) -> Step {
        // SAFETY: ssl is valid and has its BIO.
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

    /// Encrypts application data (all of it, unless the sink fails).
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
