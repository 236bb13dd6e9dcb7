//! PEM sections: certificates, plain and encrypted private keys.

use crate::{Error, Result};

/// One decoded PEM section.
pub(crate) struct Section {
    pub(crate) label: String,
    pub(crate) der: Vec<u8>,
}

/// Every PEM section in `input`, in order; text outside sections is ignored.
/// `what` names the input in errors ("certificate file /etc/x.pem").
pub(crate) fn sections(input: &[u8], what: &str) -> Result<Vec<Section>> {
    let text = std::str::from_utf8(input)
        .map_err(|_| Error::invalid(format!("{what} is not PEM text")))?;
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(begin) = rest.find("-----BEGIN ") {
        let after_begin = &rest[begin + 11..];
        let label_end = after_begin
            .find("-----")
            .ok_or_else(|| Error::invalid(format!("{what}: unterminated PEM header")))?;
        let label = &after_begin[..label_end];
        let end_marker = format!("-----END {label}-----");
        let end = rest[begin..].find(&end_marker).ok_or_else(|| {
            Error::invalid(format!("{what}: PEM section {label} has no end line"))
        })?;
        let block = &rest[begin..begin + end + end_marker.len()];
        let (decoded_label, der) = pkcs8::der::pem::decode_vec(block.as_bytes())
            .map_err(|e| Error::invalid(format!("{what}: PEM section {label} is garbled: {e}")))?;
        out.push(Section {
            label: decoded_label.to_string(),
            der,
        });
        rest = &rest[begin + end + end_marker.len()..];
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn garbled_base64_is_invalid_argument() {
        let pem = b"-----BEGIN CERTIFICATE-----\n!!!!\n-----END CERTIFICATE-----\n";
        let err = sections(pem, "test input").err().unwrap();
        assert_eq!(err.kind(), crate::ErrorKind::InvalidArgument);
        assert!(err.to_string().contains("test input"), "{err}");
    }

    #[test]
    fn finds_every_section() {
        let pem = b"junk\n-----BEGIN CERTIFICATE-----\nAQID\n-----END CERTIFICATE-----\n\
                    -----BEGIN PRIVATE KEY-----\nBAUG\n-----END PRIVATE KEY-----\n";
        let s = sections(pem, "x").unwrap();
        assert_eq!(s.len(), 2);
        assert_eq!(s[0].label, "CERTIFICATE");
        assert_eq!(s[0].der, [1, 2, 3]);
        assert_eq!(s[1].label, "PRIVATE KEY");
    }
}
