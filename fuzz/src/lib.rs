//! What the fuzz targets share: the allocation check every target runs under (SPEC
//! REL-6: "no allocation beyond a record's size") and the first-flight driver of the
//! real backends.
//!
//! A panic is what libFuzzer reports as a crash; every outcome the SPEC allows (an
//! error included) returns quietly.

use std::alloc::{GlobalAlloc, Layout, System};
use std::io::{self, Read, Write};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};

use unitls_core::{
    create_client_context, create_server_context, AbstractContext, AttachOptions, IdentitySource,
    Role, SocketStream, Source, Transport, TrustSource,
};

/// The largest single allocation one input may cause: core's read buffer is four
/// records (72 KiB) and a library's handshake-message buffer at most 64 KiB, so
/// anything larger was sized by a length the peer claimed.
pub const LARGEST_ALLOCATION: usize = 128 * 1024;

/// The largest allocation since the last [`checked`] began.
static LARGEST: AtomicUsize = AtomicUsize::new(0);

/// The system allocator, noting the largest size asked for.
struct Noting;

// SAFETY: every call is passed on unchanged to the system allocator; the only addition
// is an atomic maximum, which neither allocates nor touches the memory.
unsafe impl GlobalAlloc for Noting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        LARGEST.fetch_max(layout.size(), Ordering::Relaxed);
        // SAFETY: the caller's contract is the system allocator's.
        unsafe { System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        LARGEST.fetch_max(layout.size(), Ordering::Relaxed);
        // SAFETY: as for `alloc`.
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` came from this allocator, which is the system's.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        LARGEST.fetch_max(new_size, Ordering::Relaxed);
        // SAFETY: as for `dealloc`.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static ALLOCATOR: Noting = Noting;

/// Runs one input and fails if it made an allocation above [`LARGEST_ALLOCATION`].
pub fn checked(run: impl FnOnce()) {
    LARGEST.store(0, Ordering::Relaxed);
    run();
    let largest = LARGEST.load(Ordering::Relaxed);
    assert!(
        largest <= LARGEST_ALLOCATION,
        "one allocation of {largest} octets: more than a record's worth for peer input"
    );
}

/// A backend the first-flight targets drive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// unitls-rustls with the ring provider.
    Rustls,
    /// unitls-openssl (feature `openssl` of this crate).
    Openssl,
    /// unitls-native-tls (feature `native-tls` of this crate).
    NativeTls,
}

impl Backend {
    fn name(self) -> &'static str {
        match self {
            Backend::Rustls => "rustls",
            Backend::Openssl => "openssl",
            Backend::NativeTls => "native-tls",
        }
    }

    fn register(self) {
        match self {
            Backend::Rustls => unitls_rustls::register(),
            #[cfg(feature = "openssl")]
            Backend::Openssl => unitls_openssl::register(),
            #[cfg(not(feature = "openssl"))]
            Backend::Openssl => panic!("built without the `openssl` feature"),
            #[cfg(feature = "native-tls")]
            Backend::NativeTls => unitls_native_tls::register(),
            #[cfg(not(feature = "native-tls"))]
            Backend::NativeTls => panic!("built without the `native-tls` feature"),
        }
    }
}

/// A server and a client context of one backend, over one generated certificate.
struct Contexts {
    server: Arc<AbstractContext>,
    client: Arc<AbstractContext>,
}

/// The contexts, made on first use (before [`checked`] starts counting).
fn contexts(backend: Backend) -> &'static Contexts {
    static CONTEXTS: OnceLock<Contexts> = OnceLock::new();
    CONTEXTS.get_or_init(|| {
        backend.register();
        let name = backend.name();
        let key = rcgen::KeyPair::generate().expect("key");
        let params =
            rcgen::CertificateParams::new(vec!["fuzz.example".to_string()]).expect("params");
        let cert = params.self_signed(&key).expect("certificate");
        let server = create_server_context()
            .implementation(name)
            .identity(IdentitySource::pem(cert.pem(), key.serialize_pem()))
            .build()
            .expect("server context");
        let client = create_client_context()
            .implementation(name)
            .trust_only([TrustSource::Pem(Source::memory(cert.pem()))])
            .build()
            .expect("client context");
        Contexts { server, client }
    })
}

/// The peer: its octets, a few at a time, then EOF; what is written to it is dropped.
struct Peer {
    octets: Vec<u8>,
    at: usize,
    /// Octets per read (`0`: as many as fit).
    read_size: usize,
}

impl Read for Peer {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let left = &self.octets[self.at..];
        let mut n = buf.len().min(left.len());
        if self.read_size > 0 {
            n = n.min(self.read_size);
        }
        buf[..n].copy_from_slice(&left[..n]);
        self.at += n;
        Ok(n)
    }
}

impl Write for Peer {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        Ok(data.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl Transport for Peer {}

/// How many octets one read returns, by the first input octet.
const READ_SIZES: [usize; 4] = [0, 1, 7, 1000];

/// Attaches a `role` end of `backend` to a peer that sends `input` (after its first
/// octet, which picks the read size) and then closes; reads what an established
/// session gives. Every outcome is fine but a panic, a hang or an oversized allocation.
pub fn first_flight(backend: Backend, role: Role, input: &[u8]) {
    let contexts = contexts(backend);
    let Some((&control, octets)) = input.split_first() else {
        return;
    };
    checked(|| {
        let peer = Peer {
            octets: octets.to_vec(),
            at: 0,
            read_size: READ_SIZES[usize::from(control & 3)],
        };
        let options = match role {
            Role::Server => AttachOptions::server().ctx(Arc::clone(&contexts.server)),
            Role::Client => AttachOptions::client("fuzz.example").ctx(Arc::clone(&contexts.client)),
        };
        let mut stream = SocketStream::new(peer);
        if stream
            .attach_ssl(options.implementation(backend.name()))
            .is_err()
        {
            return;
        }
        let mut buf = [0u8; 4096];
        for _ in 0..64 {
            match stream.read(&mut buf) {
                Ok(0) | Err(_) => break,
                Ok(_) => {}
            }
        }
    });
}
