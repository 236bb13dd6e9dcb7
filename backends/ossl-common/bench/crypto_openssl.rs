//! The ceiling's primitives through the `openssl` crate (the system's OpenSSL 3):
//! `EVP_CIPHER_CTX` AEADs reused across records with a fresh nonce each, X25519 by
//! `EVP_PKEY` key generation and derivation, signatures by `EVP_DigestSign` — the
//! calls OpenSSL's own TLS stack makes. Included by the OpenSSL and native-tls bench
//! targets, each naming the `openssl` crate `tls`; the signatures come from
//! `direct.rs`'s `signature_op`, passed in.

use std::hint::black_box;

use unitls_conformance::bench::{Aead, Keys, OpFn, PrimOp, Primitives, CHUNK};

use super::tls::cipher::{Cipher, CipherRef};
use super::tls::cipher_ctx::CipherCtx;
use super::tls::derive::Deriver;
use super::tls::pkey::{Id, PKey};

/// A signature primitive: (PKCS#8 key, RSA?, verify?) → closure.
pub(crate) type SignatureOp = fn(&[u8], bool, bool) -> Result<OpFn<'static>, String>;

/// OpenSSL's primitives.
pub(crate) struct OpenSslCrypto {
    /// The signature primitive (shared with BoringSSL's bench).
    pub(crate) signature: SignatureOp,
}

/// The 13-octet TLS record header used as AAD.
const HEADER: [u8; 13] = [0, 0, 0, 0, 0, 0, 0, 1, 23, 3, 3, 0x40, 0x11];

fn text(e: impl std::fmt::Display) -> String {
    e.to_string()
}

fn cipher(aead: Aead) -> &'static CipherRef {
    match aead {
        Aead::Aes128Gcm => Cipher::aes_128_gcm(),
        Aead::Aes256Gcm => Cipher::aes_256_gcm(),
        Aead::Chacha20Poly1305 => Cipher::chacha20_poly1305(),
    }
}

fn nonce(seq: u64) -> [u8; 12] {
    let mut n = [0u8; 12];
    n[4..].copy_from_slice(&seq.to_be_bytes());
    n
}

impl Primitives for OpenSslCrypto {
    fn op<'a>(&'a self, op: PrimOp, keys: Keys<'a>) -> Result<OpFn<'a>, String> {
        Ok(match op {
            PrimOp::X25519 => {
                let peer = PKey::generate_x25519().map_err(text)?;
                let peer = PKey::public_key_from_raw_bytes(
                    &peer.raw_public_key().map_err(text)?,
                    Id::X25519,
                )
                .map_err(text)?;
                Box::new(move || {
                    let mine = PKey::generate_x25519().expect("key pair");
                    black_box(mine.raw_public_key().expect("public key"));
                    let mut deriver = Deriver::new(&mine).expect("deriver");
                    deriver.set_peer(&peer).expect("peer");
                    black_box(deriver.derive_to_vec().expect("derive"));
                })
            }
            PrimOp::EcdsaP256Sign => (self.signature)(keys.ecdsa_pkcs8, false, false)?,
            PrimOp::EcdsaP256Verify => (self.signature)(keys.ecdsa_pkcs8, false, true)?,
            PrimOp::Rsa2048PssSign => (self.signature)(keys.rsa_pkcs8, true, false)?,
            PrimOp::Rsa2048PssVerify => (self.signature)(keys.rsa_pkcs8, true, true)?,
            PrimOp::Seal(aead) => {
                let key = vec![7u8; aead.key_len()];
                let mut ctx = CipherCtx::new().map_err(text)?;
                ctx.encrypt_init(Some(cipher(aead)), Some(&key), None)
                    .map_err(text)?;
                let mut record = vec![0x5au8; CHUNK];
                let mut tag = [0u8; 16];
                let mut seq = 0u64;
                Box::new(move || {
                    seq += 1;
                    ctx.encrypt_init(None, None, Some(&nonce(seq)))
                        .expect("nonce");
                    ctx.cipher_update(&HEADER, None).expect("aad");
                    ctx.cipher_update_inplace(&mut record, CHUNK).expect("seal");
                    ctx.cipher_final(&mut []).expect("final");
                    ctx.tag(&mut tag).expect("tag");
                    black_box(&tag);
                })
            }
            PrimOp::Open(aead) => {
                let key = vec![7u8; aead.key_len()];
                let mut seal = CipherCtx::new().map_err(text)?;
                seal.encrypt_init(Some(cipher(aead)), Some(&key), Some(&nonce(1)))
                    .map_err(text)?;
                let mut sealed = vec![0x5au8; CHUNK];
                seal.cipher_update(&HEADER, None).map_err(text)?;
                seal.cipher_update_inplace(&mut sealed, CHUNK)
                    .map_err(text)?;
                seal.cipher_final(&mut []).map_err(text)?;
                let mut tag = [0u8; 16];
                seal.tag(&mut tag).map_err(text)?;
                let mut ctx = CipherCtx::new().map_err(text)?;
                ctx.decrypt_init(Some(cipher(aead)), Some(&key), None)
                    .map_err(text)?;
                let mut plain = vec![0u8; CHUNK];
                Box::new(move || {
                    ctx.decrypt_init(None, None, Some(&nonce(1)))
                        .expect("nonce");
                    ctx.cipher_update(&HEADER, None).expect("aad");
                    ctx.cipher_update(&sealed, Some(&mut plain)).expect("open");
                    ctx.set_tag(&tag).expect("tag");
                    ctx.cipher_final(&mut []).expect("authentic");
                    black_box(&plain);
                })
            }
        })
    }
}
