//! Re-wrapping PKCS#1 (RSA) and SEC1 (EC) keys as PKCS#8, for libraries that take
//! PKCS#8 only (native-tls), so every backend accepts the same key files (SPEC KEY-7).

use rustls_pki_types::{PrivateKeyDer, PrivatePkcs8KeyDer};

use crate::{Error, Result};

/// DER OID body of rsaEncryption (1.2.840.113549.1.1.1).
const RSA_ENCRYPTION: &[u8] = &[0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x01, 0x01];
/// DER OID body of id-ecPublicKey (1.2.840.10045.2.1).
const EC_PUBLIC_KEY: &[u8] = &[0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x02, 0x01];

fn tlv(tag: u8, body: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    let len = body.len();
    if len < 0x80 {
        out.push(len as u8);
    } else {
        let bytes: Vec<u8> = len
            .to_be_bytes()
            .into_iter()
            .skip_while(|b| *b == 0)
            .collect();
        out.push(0x80 | bytes.len() as u8);
        out.extend_from_slice(&bytes);
    }
    out.extend_from_slice(body);
    out
}

/// Splits one DER TLV off the front: (tag, body, rest).
fn split_tlv(input: &[u8]) -> Option<(u8, &[u8], &[u8])> {
    let (&tag, rest) = input.split_first()?;
    let (&first, rest) = rest.split_first()?;
    let (len, rest) = if first < 0x80 {
        (usize::from(first), rest)
    } else {
        let n = usize::from(first & 0x7F);
        if n == 0 || n > 4 || rest.len() < n {
            return None;
        }
        let len = rest[..n]
            .iter()
            .fold(0usize, |acc, b| (acc << 8) | usize::from(*b));
        (len, &rest[n..])
    };
    (rest.len() >= len).then(|| (tag, &rest[..len], &rest[len..]))
}

/// The named-curve OID (full TLV) inside a SEC1 ECPrivateKey's `[0]` parameters.
fn sec1_curve(sec1: &[u8]) -> Option<Vec<u8>> {
    let (0x30, mut body, _) = split_tlv(sec1)? else {
        return None;
    };
    while let Some((tag, inner, rest)) = split_tlv(body) {
        if tag == 0xA0 {
            let (0x06, oid, _) = split_tlv(inner)? else {
                return None;
            };
            return Some(tlv(0x06, oid));
        }
        body = rest;
    }
    None
}

/// The key as PKCS#8 DER.
pub(crate) fn to_pkcs8(key: &PrivateKeyDer<'_>) -> Result<PrivatePkcs8KeyDer<'static>> {
    let (algorithm, inner) = match key {
        PrivateKeyDer::Pkcs8(k) => {
            return Ok(PrivatePkcs8KeyDer::from(k.secret_pkcs8_der().to_vec()))
        }
        PrivateKeyDer::Pkcs1(k) => {
            let mut alg = tlv(0x06, RSA_ENCRYPTION);
            alg.extend_from_slice(&[0x05, 0x00]);
            (alg, k.secret_pkcs1_der())
        }
        PrivateKeyDer::Sec1(k) => {
            let curve = sec1_curve(k.secret_sec1_der())
                .ok_or_else(|| Error::invalid("the SEC1 key does not name its curve"))?;
            let mut alg = tlv(0x06, EC_PUBLIC_KEY);
            alg.extend_from_slice(&curve);
            (alg, k.secret_sec1_der())
        }
        _ => return Err(Error::invalid("unsupported private key format")),
    };
    let mut body = vec![0x02, 0x01, 0x00];
    body.extend_from_slice(&tlv(0x30, &algorithm));
    body.extend_from_slice(&tlv(0x04, inner));
    Ok(PrivatePkcs8KeyDer::from(tlv(0x30, &body)))
}

/// The public key a private key implies, when its DER carries it: RSA `(n, e)` as
/// an RSAPublicKey-shaped comparison key, EC the point from SEC1's `publicKey`.
enum ImpliedPublic {
    Rsa(Vec<u8>, Vec<u8>),
    Ec(Vec<u8>),
}

fn strip_zeros(int: &[u8]) -> Vec<u8> {
    int.iter().copied().skip_while(|b| *b == 0).collect()
}

fn implied_public(key: &PrivateKeyDer<'_>) -> Option<ImpliedPublic> {
    let pkcs8 = to_pkcs8(key).ok()?;
    let (0x30, body, _) = split_tlv(pkcs8.secret_pkcs8_der())? else {
        return None;
    };
    let (0x02, _, rest) = split_tlv(body)? else {
        return None;
    };
    let (0x30, algorithm, rest) = split_tlv(rest)? else {
        return None;
    };
    let (0x04, inner, _) = split_tlv(rest)? else {
        return None;
    };
    let (0x06, oid, _) = split_tlv(algorithm)? else {
        return None;
    };
    let (0x30, fields, _) = split_tlv(inner)? else {
        return None;
    };
    let (0x02, _version, rest) = split_tlv(fields)? else {
        return None;
    };
    if oid == RSA_ENCRYPTION {
        let (0x02, n, rest) = split_tlv(rest)? else {
            return None;
        };
        let (0x02, e, _) = split_tlv(rest)? else {
            return None;
        };
        return Some(ImpliedPublic::Rsa(strip_zeros(n), strip_zeros(e)));
    }
    if oid == EC_PUBLIC_KEY {
        let mut rest = rest;
        while let Some((tag, value, tail)) = split_tlv(rest) {
            if tag == 0xA1 {
                let (0x03, bits, _) = split_tlv(value)? else {
                    return None;
                };
                return bits
                    .split_first()
                    .map(|(_, point)| ImpliedPublic::Ec(point.to_vec()));
            }
            rest = tail;
        }
    }
    None
}

/// Whether `key` belongs to the certificate `leaf_der`: `Some(false)` is a certain
/// mismatch, `None` when the key's DER does not carry enough to tell (SPEC KEY-6).
pub(crate) fn key_matches_certificate(key: &PrivateKeyDer<'_>, leaf_der: &[u8]) -> Option<bool> {
    let implied = implied_public(key)?;
    let (_, cert) = x509_parser::parse_x509_certificate(leaf_der).ok()?;
    let spki_bits: &[u8] = &cert.public_key().subject_public_key.data;
    match implied {
        ImpliedPublic::Ec(point) => Some(point == spki_bits),
        ImpliedPublic::Rsa(n, e) => {
            let (0x30, fields, _) = split_tlv(spki_bits)? else {
                return None;
            };
            let (0x02, cert_n, rest) = split_tlv(fields)? else {
                return None;
            };
            let (0x02, cert_e, _) = split_tlv(rest)? else {
                return None;
            };
            Some(strip_zeros(cert_n) == n && strip_zeros(cert_e) == e)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_lengths_round_trip() {
        let body = vec![7u8; 300];
        let encoded = tlv(0x04, &body);
        let (tag, parsed, rest) = split_tlv(&encoded).unwrap();
        assert_eq!((tag, parsed.len(), rest.len()), (0x04, 300, 0));
    }

    #[test]
    fn sec1_without_curve_is_refused() {
        let sec1 = tlv(0x30, &[0x02, 0x01, 0x01, 0x04, 0x01, 0x00]);
        let key = PrivateKeyDer::Sec1(sec1.into());
        assert!(to_pkcs8(&key).is_err());
    }
}

#[cfg(test)]
mod matching_tests {
    use super::*;
    use rustls_pki_types::PrivatePkcs8KeyDer;

    fn key_and_cert() -> (Vec<u8>, Vec<u8>) {
        let key = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).unwrap();
        let cert = rcgen::CertificateParams::new(vec!["a.example".to_string()])
            .unwrap()
            .self_signed(&key)
            .unwrap();
        (key.serialize_der(), cert.der().to_vec())
    }

    /// SPEC KEY-6: a key that is not the leaf's is refused.
    #[test]
    fn detects_a_foreign_key() {
        let (key, cert) = key_and_cert();
        let (other, _) = key_and_cert();
        let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key));
        let other = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(other));
        assert_eq!(key_matches_certificate(&key, &cert), Some(true));
        assert_eq!(key_matches_certificate(&other, &cert), Some(false));
    }
}
