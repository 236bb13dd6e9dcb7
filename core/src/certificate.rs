//! Peer certificates as owned data (SPEC CERT-1..4, OWN-4) and channel binding
//! computed in core from the leaf (SPEC PROTO-16).

use std::fmt;

use sha2::Digest;

/// A certificate the peer sent: DER as sent, plus the fields users most need.
#[derive(Clone, PartialEq, Eq)]
pub struct PeerCertificate {
    der: Vec<u8>,
    subject_common_name: Option<String>,
    serial_number: Vec<u8>,
}

impl PeerCertificate {
    /// Parses `der`; fields that do not parse are left empty (the DER is kept as sent).
    pub fn from_der(der: Vec<u8>) -> PeerCertificate {
        let (subject_common_name, serial_number) = match x509_parser::parse_x509_certificate(&der) {
            Ok((_, cert)) => (
                cert.subject()
                    .iter_common_name()
                    .next()
                    .and_then(|cn| cn.as_str().ok())
                    .map(str::to_string),
                cert.raw_serial().to_vec(),
            ),
            Err(_) => (None, Vec::new()),
        };
        PeerCertificate {
            der,
            subject_common_name,
            serial_number: strip_leading_zeros(serial_number),
        }
    }

    /// The certificate as DER, exactly as the peer sent it.
    pub fn der(&self) -> &[u8] {
        &self.der
    }

    /// The subject's first common name, if it has one.
    pub fn subject_common_name(&self) -> Option<&str> {
        self.subject_common_name.as_deref()
    }

    /// The serial number, unsigned big-endian without leading zero octets.
    pub fn serial_number(&self) -> &[u8] {
        &self.serial_number
    }

    /// The serial number as upper-case hex (`"0A1B…"`).
    pub fn serial_hex(&self) -> String {
        self.serial_number
            .iter()
            .map(|b| format!("{b:02X}"))
            .collect()
    }
}

fn strip_leading_zeros(mut serial: Vec<u8>) -> Vec<u8> {
    let zeros = serial.iter().take_while(|b| **b == 0).count();
    let keep_one = zeros == serial.len() && !serial.is_empty();
    serial.drain(..zeros - usize::from(keep_one));
    serial
}

impl fmt::Debug for PeerCertificate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PeerCertificate")
            .field("subject_common_name", &self.subject_common_name)
            .field("serial", &self.serial_hex())
            .field("der_len", &self.der.len())
            .finish()
    }
}

/// Whether a certificate lists at least one dNSName in its subjectAltName.
pub(crate) fn has_dns_san(der: &[u8]) -> bool {
    let Ok((_, cert)) = x509_parser::parse_x509_certificate(der) else {
        return false;
    };
    let Ok(Some(san)) = cert.subject_alternative_name() else {
        return false;
    };
    san.value
        .general_names
        .iter()
        .any(|name| matches!(name, x509_parser::extensions::GeneralName::DNSName(_)))
}

/// RFC 5929 §4.1 `tls-server-end-point` channel binding of a server leaf: its hash
/// under the hash of its signature algorithm, SHA-256 for MD5 and SHA-1.
pub fn tls_server_end_point(leaf_der: &[u8]) -> Option<Vec<u8>> {
    let (_, cert) = x509_parser::parse_x509_certificate(leaf_der).ok()?;
    let oid = cert.signature_algorithm.algorithm.to_id_string();
    Some(match oid.as_str() {
        // sha384WithRSAEncryption, ecdsa-with-SHA384
        "1.2.840.113549.1.1.12" | "1.2.840.10045.4.3.3" => sha2::Sha384::digest(leaf_der).to_vec(),
        // sha512WithRSAEncryption, ecdsa-with-SHA512
        "1.2.840.113549.1.1.13" | "1.2.840.10045.4.3.4" => sha2::Sha512::digest(leaf_der).to_vec(),
        // RSASSA-PSS names its hash in parameters; SHA-256 is what every deployed
        // peer computes for the common SHA-256 variant.
        _ => sha2::Sha256::digest(leaf_der).to_vec(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serial_is_unsigned_big_endian() {
        assert_eq!(strip_leading_zeros(vec![0, 0x80, 1]), vec![0x80, 1]);
        assert_eq!(strip_leading_zeros(vec![0]), vec![0]);
        assert_eq!(strip_leading_zeros(vec![5]), vec![5]);
    }

    #[test]
    fn garbage_der_never_panics() {
        let cert = PeerCertificate::from_der(vec![1, 2, 3]);
        assert_eq!(cert.subject_common_name(), None);
        assert!(tls_server_end_point(&[1, 2, 3]).is_none());
    }
}
