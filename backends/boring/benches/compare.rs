//! unitls over BoringSSL against BoringSSL alone (`boring`'s `SslConnector` /
//! `SslAcceptor`, `SslStream`), with BoringSSL's own primitives for the ceiling:
//! `EVP_AEAD` and `X25519_keypair`/`X25519`, exactly what its TLS stack calls.
//!
//! `cargo bench -p unitls-boring [-- --quick]`; the workloads, the statistics and the
//! output are `unitls_conformance::bench`'s, shared by every backend.

use std::hint::black_box;
use std::process::ExitCode;

use openssl_sys as ffi;
use unitls_boring::boring as tls;
use unitls_conformance::bench::{self, Aead, Keys, OpFn, PrimOp, Primitives, CHUNK};

#[path = "../../ossl-common/bench/direct.rs"]
mod direct;

/// What differs from OpenSSL.
mod flavor {
    use super::tls::ssl::{SslCipherRef, SslContextBuilder};
    use unitls_conformance::bench::{AsyncStream, BoxIo};

    pub(crate) fn set_tls13_suite(_: &mut SslContextBuilder, _: &str) -> Result<(), String> {
        Err("BoringSSL cannot restrict TLS 1.3 suites".into())
    }

    pub(crate) fn set_groups(builder: &mut SslContextBuilder, names: &str) -> Result<(), String> {
        builder.set_curves_list(names).map_err(|e| e.to_string())
    }

    pub(crate) fn set_store(
        builder: &mut SslContextBuilder,
        store: super::tls::x509::store::X509StoreBuilder,
    ) {
        builder.set_cert_store_builder(store);
    }

    /// `SSL_OP_NO_TICKET` covers TLS 1.3 tickets in BoringSSL.
    pub(crate) fn no_tls13_tickets(_: &mut SslContextBuilder) {}

    pub(crate) fn cipher_code(cipher: &SslCipherRef) -> u16 {
        cipher.protocol_id()
    }

    /// A client handshake with tokio-boring, the tokio adaptor of the `boring` crate.
    pub(crate) async fn tokio_connect(
        config: super::tls::ssl::ConnectConfiguration,
        host: &str,
        io: BoxIo,
    ) -> Result<AsyncStream, String> {
        let stream = tokio_boring::connect(config, host, io)
            .await
            .map_err(|e| e.to_string())?;
        Ok(Box::new(stream))
    }

    /// A server handshake with tokio-boring.
    pub(crate) async fn tokio_accept(
        acceptor: super::tls::ssl::SslAcceptor,
        io: BoxIo,
    ) -> Result<AsyncStream, String> {
        let stream = tokio_boring::accept(&acceptor, io)
            .await
            .map_err(|e| e.to_string())?;
        Ok(Box::new(stream))
    }
}

/// The 13-octet TLS record header used as AAD.
const HEADER: [u8; 13] = [0, 0, 0, 0, 0, 0, 0, 1, 23, 3, 3, 0x40, 0x11];

/// An `EVP_AEAD_CTX` with a key, freed on drop.
struct AeadCtx(*mut ffi::EVP_AEAD_CTX);

impl AeadCtx {
    fn new(aead: Aead) -> Result<AeadCtx, String> {
        let key = vec![7u8; aead.key_len()];
        #[allow(unsafe_code)]
        // SAFETY: the EVP_AEAD getters return static tables; the key slice is live
        // for the call and its length is the one passed; NULL is checked.
        let ctx = unsafe {
            let alg = match aead {
                Aead::Aes128Gcm => ffi::EVP_aead_aes_128_gcm(),
                Aead::Aes256Gcm => ffi::EVP_aead_aes_256_gcm(),
                Aead::Chacha20Poly1305 => ffi::EVP_aead_chacha20_poly1305(),
            };
            ffi::EVP_AEAD_CTX_new(alg, key.as_ptr(), key.len(), 0)
        };
        if ctx.is_null() {
            return Err("EVP_AEAD_CTX_new failed".into());
        }
        Ok(AeadCtx(ctx))
    }

    /// Seals `input` into `out` (`input.len() + 16` octets).
    fn seal(&self, nonce: &[u8; 12], input: &[u8], out: &mut [u8]) -> bool {
        let mut len = 0usize;
        #[allow(unsafe_code)]
        // SAFETY: ctx is valid; every pointer/length pair is a live slice; out has
        // room for the input and the tag (its length is passed as the maximum).
        let ok = unsafe {
            ffi::EVP_AEAD_CTX_seal(
                self.0,
                out.as_mut_ptr(),
                &mut len,
                out.len(),
                nonce.as_ptr(),
                nonce.len(),
                input.as_ptr(),
                input.len(),
                HEADER.as_ptr(),
                HEADER.len(),
            )
        };
        ok == 1
    }

    /// Opens `input` (ciphertext and tag) into `out`.
    fn open(&self, nonce: &[u8; 12], input: &[u8], out: &mut [u8]) -> bool {
        let mut len = 0usize;
        #[allow(unsafe_code)]
        // SAFETY: as for seal.
        let ok = unsafe {
            ffi::EVP_AEAD_CTX_open(
                self.0,
                out.as_mut_ptr(),
                &mut len,
                out.len(),
                nonce.as_ptr(),
                nonce.len(),
                input.as_ptr(),
                input.len(),
                HEADER.as_ptr(),
                HEADER.len(),
            )
        };
        ok == 1
    }
}

impl Drop for AeadCtx {
    fn drop(&mut self) {
        #[allow(unsafe_code)]
        // SAFETY: made by EVP_AEAD_CTX_new, freed once.
        unsafe {
            ffi::EVP_AEAD_CTX_free(self.0)
        };
    }
}

fn nonce(seq: u64) -> [u8; 12] {
    let mut n = [0u8; 12];
    n[4..].copy_from_slice(&seq.to_be_bytes());
    n
}

/// One side of an X25519 exchange, as BoringSSL's key share does it.
fn x25519(peer_public: &[u8; 32]) -> [u8; 32] {
    let mut public = [0u8; 32];
    let mut private = [0u8; 32];
    let mut shared = [0u8; 32];
    #[allow(unsafe_code)]
    // SAFETY: all three buffers are 32 octets, as the functions require.
    let ok = unsafe {
        ffi::X25519_keypair(public.as_mut_ptr(), private.as_mut_ptr());
        ffi::X25519(shared.as_mut_ptr(), private.as_ptr(), peer_public.as_ptr())
    };
    assert_eq!(ok, 1, "X25519");
    black_box(public);
    shared
}

/// BoringSSL's primitives.
struct BoringCrypto;

impl Primitives for BoringCrypto {
    fn op<'a>(&'a self, op: PrimOp, keys: Keys<'a>) -> Result<OpFn<'a>, String> {
        Ok(match op {
            PrimOp::X25519 => {
                let mut peer = [0u8; 32];
                let mut ignored = [0u8; 32];
                #[allow(unsafe_code)]
                // SAFETY: both buffers are 32 octets.
                unsafe {
                    ffi::X25519_keypair(peer.as_mut_ptr(), ignored.as_mut_ptr())
                };
                Box::new(move || {
                    black_box(x25519(&peer));
                })
            }
            PrimOp::EcdsaP256Sign => direct::signature_op(keys.ecdsa_pkcs8, false, false)?,
            PrimOp::EcdsaP256Verify => direct::signature_op(keys.ecdsa_pkcs8, false, true)?,
            PrimOp::Rsa2048PssSign => direct::signature_op(keys.rsa_pkcs8, true, false)?,
            PrimOp::Rsa2048PssVerify => direct::signature_op(keys.rsa_pkcs8, true, true)?,
            PrimOp::Seal(aead) => {
                let ctx = AeadCtx::new(aead)?;
                let plain = vec![0x5au8; CHUNK];
                let mut sealed = vec![0u8; CHUNK + 16];
                let mut seq = 0u64;
                Box::new(move || {
                    seq += 1;
                    assert!(ctx.seal(&nonce(seq), &plain, &mut sealed), "seal");
                    black_box(&sealed);
                })
            }
            PrimOp::Open(aead) => {
                let ctx = AeadCtx::new(aead)?;
                let mut sealed = vec![0u8; CHUNK + 16];
                if !ctx.seal(&nonce(1), &vec![0x5au8; CHUNK], &mut sealed) {
                    return Err("seal failed".into());
                }
                let mut plain = vec![0u8; CHUNK];
                Box::new(move || {
                    assert!(ctx.open(&nonce(1), &sealed, &mut plain), "open");
                    black_box(&plain);
                })
            }
        })
    }
}

fn main() -> ExitCode {
    bench::main(bench::Direct {
        backend: unitls_boring::NAME,
        register: unitls_boring::register,
        api: "boring::ssl::SslStream (SslConnector / SslAcceptor)",
        async_api: "tokio-boring",
        library: "BoringSSL (boring crate 4, built from source)".into(),
        implementation: &direct::OsslDirect,
        primitives_library: "BoringSSL (EVP_AEAD, X25519, EVP_DigestSign)".into(),
        primitives: &BoringCrypto,
        limitations: &[],
    })
}
