//! The x509-limbo corpus (C2SP/x509-limbo, Apache-2.0): where it is, what a case
//! holds, which cases can run through a handshake, and each such case decoded once.
//!
//! The corpus is data outside the repository: `$UNITLS_LIMBO`, else
//! `../shared/limbo/limbo.json` beside the workspace root. It is never copied in.

use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::Deserialize;
use unitls_core::pki_types::pem::PemObject;
use unitls_core::pki_types::CertificateDer;

/// The environment variable naming the corpus file.
pub const LIMBO_ENV: &str = "UNITLS_LIMBO";

/// Where the corpus is expected when `$UNITLS_LIMBO` is unset, relative to the
/// workspace root.
pub const DEFAULT_RELATIVE: &str = "../shared/limbo/limbo.json";

/// The whole corpus file (`{"version": 1, "testcases": [...]}`).
#[derive(Debug, Clone, Deserialize)]
pub struct Corpus {
    /// The format version (1).
    pub version: u32,
    /// Every case, in the corpus's order.
    pub testcases: Vec<LimboCase>,
}

/// A reference identity as the corpus gives it.
#[derive(Debug, Clone, Deserialize)]
pub struct PeerName {
    /// `DNS`, `IP` or `RFC822`.
    pub kind: String,
    /// The name or address.
    pub value: String,
}

/// One x509-limbo case: the fields the runner reads.
#[derive(Debug, Clone, Deserialize)]
pub struct LimboCase {
    /// The case's stable identifier (`rfc5280::validity::expired-leaf`).
    pub id: String,
    /// Feature tags (`pedantic-rfc5280`, `denial-of-service`…).
    #[serde(default)]
    pub features: Option<Vec<String>>,
    /// What the case checks, in Markdown.
    #[serde(default)]
    pub description: String,
    /// `SERVER` or `CLIENT`.
    pub validation_kind: String,
    /// The trust anchors (PEM, one certificate each).
    #[serde(default)]
    pub trusted_certs: Vec<String>,
    /// Certificates the peer sends besides its own (PEM).
    #[serde(default)]
    pub untrusted_intermediates: Vec<String>,
    /// The end-entity certificate (PEM).
    pub peer_certificate: String,
    /// The end-entity's private key (PEM), when the corpus has it.
    #[serde(default)]
    pub peer_certificate_key: Option<String>,
    /// The instant to validate at (RFC 3339); `None`: now.
    #[serde(default)]
    pub validation_time: Option<String>,
    /// `SUCCESS` or `FAILURE`.
    pub expected_result: String,
    /// The reference identity to check, if any.
    #[serde(default)]
    pub expected_peer_name: Option<PeerName>,
    /// A chain-depth limit (not expressible through a handshake).
    #[serde(default)]
    pub max_chain_depth: Option<u64>,
    /// Revocation lists (not expressible through a handshake).
    #[serde(default)]
    pub crls: Option<Vec<String>>,
}

impl LimboCase {
    /// Whether the case can run through a real handshake: a SERVER case with a
    /// `peer_certificate_key`, no CRLs and no `max_chain_depth`.
    pub fn eligible(&self) -> bool {
        self.validation_kind == "SERVER"
            && self.peer_certificate_key.is_some()
            && self.crls.as_ref().map_or(true, Vec::is_empty)
            && self.max_chain_depth.is_none()
    }

    /// The expected verdict.
    pub fn expected(&self) -> Expected {
        if self.expected_result == "SUCCESS" {
            Expected::Accept
        } else {
            Expected::Reject
        }
    }

    /// The description's first paragraph on one line, without code blocks or
    /// emphasis; a paragraph that announces a code block ("Produces the following
    /// chain:") is joined with the next one.
    pub fn summary(&self) -> String {
        let mut paragraphs: Vec<String> = Vec::new();
        let mut current = String::new();
        let mut in_code = false;
        for line in self.description.lines() {
            let trimmed = line.trim();
            if trimmed.starts_with("```") {
                in_code = !in_code;
                continue;
            }
            if in_code {
                continue;
            }
            if trimmed.is_empty() {
                if !current.is_empty() {
                    paragraphs.push(std::mem::take(&mut current));
                }
            } else {
                if !current.is_empty() {
                    current.push(' ');
                }
                current.push_str(trimmed);
            }
        }
        if !current.is_empty() {
            paragraphs.push(current);
        }
        let mut summary = paragraphs.first().cloned().unwrap_or_default();
        if summary.ends_with(':') {
            if let Some(next) = paragraphs.get(1) {
                summary.push(' ');
                summary.push_str(next);
            }
        }
        summary.replace("**", "")
    }
}

/// What the corpus expects of a validator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expected {
    /// `SUCCESS`: the chain is valid for the name.
    Accept,
    /// `FAILURE`: it must be refused.
    Reject,
}

impl Expected {
    /// The report's word: `accept` or `reject`.
    pub fn word(self) -> &'static str {
        match self {
            Expected::Accept => "accept",
            Expected::Reject => "reject",
        }
    }
}

/// The reference identity a client checks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reference {
    /// A DNS name (also sent as SNI).
    Dns(String),
    /// An IP address: matched against iPAddress SANs only, never sent as SNI.
    Ip(IpAddr),
    /// No name: host-name checks off, the chain still checked.
    NoName,
}

impl Reference {
    /// The host-name text a client is given (`None` for [`Reference::NoName`]).
    pub fn host(&self) -> Option<String> {
        match self {
            Reference::Dns(name) => Some(name.clone()),
            Reference::Ip(ip) => Some(ip.to_string()),
            Reference::NoName => None,
        }
    }
}

/// An eligible case decoded once: DER and PEM of every certificate, the key, the
/// reference identity and the validation time.
#[derive(Debug, Clone)]
pub struct Prepared {
    /// The case's identifier.
    pub id: String,
    /// The expected verdict.
    pub expected: Expected,
    /// The trust anchors, DER.
    pub trusted_der: Vec<CertificateDer<'static>>,
    /// The trust anchors, PEM, concatenated.
    pub trusted_pem: String,
    /// The end-entity certificate, DER.
    pub leaf_der: CertificateDer<'static>,
    /// The other certificates the server sends, DER, in corpus order.
    pub intermediates_der: Vec<CertificateDer<'static>>,
    /// The chain the server presents (leaf first), PEM.
    pub chain_pem: String,
    /// The end-entity's private key, PEM.
    pub key_pem: String,
    /// The reference identity.
    pub reference: Reference,
    /// The instant to verify at; `None`: now.
    pub validation_time: Option<SystemTime>,
}

impl Prepared {
    /// Decodes `case`; `Err` is why no backend can run it (the same reason for all).
    pub fn new(case: &LimboCase) -> Result<Prepared, String> {
        let decode = |pem: &str, what: &str| {
            CertificateDer::from_pem_slice(pem.as_bytes())
                .map_err(|e| format!("the corpus's {what} is not a PEM certificate: {e}"))
        };
        let trusted_der = case
            .trusted_certs
            .iter()
            .map(|pem| decode(pem, "trusted certificate"))
            .collect::<Result<Vec<_>, _>>()?;
        let intermediates_der = case
            .untrusted_intermediates
            .iter()
            .map(|pem| decode(pem, "intermediate"))
            .collect::<Result<Vec<_>, _>>()?;
        let leaf_der = decode(&case.peer_certificate, "peer certificate")?;
        let key_pem = case
            .peer_certificate_key
            .clone()
            .ok_or("the case has no peer_certificate_key")?;
        let reference = match &case.expected_peer_name {
            None => Reference::NoName,
            Some(name) => match name.kind.as_str() {
                "DNS" => Reference::Dns(name.value.clone()),
                "IP" => Reference::Ip(
                    name.value
                        .parse()
                        .map_err(|e| format!("bad IP reference {:?}: {e}", name.value))?,
                ),
                other => {
                    return Err(format!(
                        "a {other} reference identity cannot be checked by a TLS client"
                    ))
                }
            },
        };
        let validation_time = case
            .validation_time
            .as_deref()
            .map(parse_rfc3339)
            .transpose()?;
        let mut chain_pem = pem_block(&case.peer_certificate);
        for pem in &case.untrusted_intermediates {
            chain_pem.push_str(&pem_block(pem));
        }
        Ok(Prepared {
            id: case.id.clone(),
            expected: case.expected(),
            trusted_der,
            trusted_pem: case.trusted_certs.iter().map(|p| pem_block(p)).collect(),
            leaf_der,
            intermediates_der,
            chain_pem,
            key_pem,
            reference,
            validation_time,
        })
    }

    /// The validation time as seconds since the Unix epoch (fractions dropped, as
    /// every backend's setting takes whole seconds).
    pub fn validation_secs(&self) -> Option<i64> {
        self.validation_time
            .map(|t| match t.duration_since(UNIX_EPOCH) {
                Ok(d) => d.as_secs() as i64,
                Err(e) => -(e.duration().as_secs_f64().ceil() as i64),
            })
    }
}

/// A PEM block ending with a newline, so blocks concatenate.
fn pem_block(pem: &str) -> String {
    let mut block = pem.trim().to_string();
    block.push('\n');
    block
}

/// Parses an RFC 3339 date-time (`2024-03-01T00:00:00.999+00:00`, `…Z`).
pub fn parse_rfc3339(text: &str) -> Result<SystemTime, String> {
    let bad = || format!("not an RFC 3339 date-time: {text:?}");
    let b = text.as_bytes();
    if b.len() < 20 || b[4] != b'-' || b[7] != b'-' || !matches!(b[10], b'T' | b't' | b' ') {
        return Err(bad());
    }
    let num = |range: std::ops::Range<usize>| -> Result<i64, String> {
        let part = text.get(range).ok_or_else(bad)?;
        if !part.bytes().all(|c| c.is_ascii_digit()) {
            return Err(bad());
        }
        part.parse::<i64>().map_err(|_| bad())
    };
    let (year, month, day) = (num(0..4)?, num(5..7)?, num(8..10)?);
    if b[13] != b':' || b[16] != b':' {
        return Err(bad());
    }
    let (hour, minute, second) = (num(11..13)?, num(14..16)?, num(17..19)?);
    let mut pos = 19;
    let mut nanos: u32 = 0;
    if b.get(pos) == Some(&b'.') {
        pos += 1;
        let start = pos;
        while b.get(pos).is_some_and(u8::is_ascii_digit) {
            pos += 1;
        }
        let digits = &text[start..pos];
        if digits.is_empty() {
            return Err(bad());
        }
        let padded: String = digits
            .chars()
            .chain(std::iter::repeat('0'))
            .take(9)
            .collect();
        nanos = padded.parse().map_err(|_| bad())?;
    }
    let offset = match &text[pos..] {
        "Z" | "z" => 0,
        zone if zone.len() == 6 && matches!(zone.as_bytes()[0], b'+' | b'-') => {
            let sign = if zone.starts_with('-') { -1 } else { 1 };
            sign * (num(pos + 1..pos + 3)? * 3600 + num(pos + 4..pos + 6)? * 60)
        }
        _ => return Err(bad()),
    };
    if !(1..=12).contains(&month)
        || !(1..=31).contains(&day)
        || hour > 23
        || minute > 59
        || second > 60
    {
        return Err(bad());
    }
    let secs =
        days_from_civil(year, month, day) * 86_400 + hour * 3600 + minute * 60 + second - offset;
    let whole = Duration::from_secs(secs.unsigned_abs());
    let base = if secs >= 0 {
        UNIX_EPOCH + whole
    } else {
        UNIX_EPOCH - whole
    };
    Ok(base + Duration::from_nanos(u64::from(nanos)))
}

/// Days from 1970-01-01 to a proleptic Gregorian date (H. Hinnant's algorithm).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Where the corpus is and how it was found.
#[derive(Debug, Clone)]
pub struct Location {
    /// The corpus file.
    pub path: PathBuf,
    /// Whether `$UNITLS_LIMBO` named it.
    pub from_env: bool,
}

/// The corpus location: `$UNITLS_LIMBO`, else `../shared/limbo/limbo.json` beside the
/// workspace root.
pub fn locate() -> Location {
    if let Some(path) = std::env::var_os(LIMBO_ENV).filter(|p| !p.is_empty()) {
        return Location {
            path: PathBuf::from(path),
            from_env: true,
        };
    }
    let conformance = Path::new(env!("CARGO_MANIFEST_DIR"));
    let root = conformance.parent().unwrap_or(conformance);
    let shared = root.parent().unwrap_or(root);
    Location {
        path: shared.join("shared").join("limbo").join("limbo.json"),
        from_env: false,
    }
}

/// Why the corpus could not be read.
#[derive(Debug, Clone)]
pub enum LoadError {
    /// The file does not exist: the run is skipped, saying so.
    Absent(String),
    /// It exists but cannot be read or parsed: a real failure.
    Invalid(String),
}

impl Location {
    /// Reads and parses the corpus.
    pub fn load(&self) -> Result<Corpus, LoadError> {
        if !self.path.is_file() {
            let how = if self.from_env {
                format!("${LIMBO_ENV}")
            } else {
                format!("the default location ({DEFAULT_RELATIVE} from the workspace root)")
            };
            return Err(LoadError::Absent(format!(
                "the x509-limbo corpus is absent: no file at {} ({how}); set {LIMBO_ENV}=PATH \
                 (or `cargo xtask conformance --limbo PATH`) to run the certificate-validation \
                 comparison",
                self.path.display()
            )));
        }
        let text = std::fs::read_to_string(&self.path)
            .map_err(|e| LoadError::Invalid(format!("cannot read {}: {e}", self.path.display())))?;
        serde_json::from_str(&text).map_err(|e| {
            LoadError::Invalid(format!(
                "{} is not an x509-limbo corpus: {e}",
                self.path.display()
            ))
        })
    }

    /// Where the corpus came from: the commit named in the `README.md` beside it.
    pub fn commit(&self) -> Option<String> {
        let readme = std::fs::read_to_string(self.path.parent()?.join("README.md")).ok()?;
        commit_in(&readme)
    }
}

/// The first `commit <hex>` in a text.
pub fn commit_in(text: &str) -> Option<String> {
    let mut rest = text;
    while let Some(at) = rest.find("commit ") {
        rest = &rest[at + "commit ".len()..];
        let hex: String = rest.chars().take_while(char::is_ascii_hexdigit).collect();
        if hex.len() >= 7 {
            return Some(hex);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3339() {
        let at = |t| {
            parse_rfc3339(t)
                .expect(t)
                .duration_since(UNIX_EPOCH)
                .expect("after 1970")
        };
        assert_eq!(at("1970-01-01T00:00:00Z").as_secs(), 0);
        assert_eq!(at("2024-03-01T00:00:00+00:00").as_secs(), 1_709_251_200);
        assert_eq!(at("2024-03-01T01:00:00+01:00").as_secs(), 1_709_251_200);
        assert_eq!(
            at("2024-03-01T00:00:00.999+00:00").as_millis(),
            1_709_251_200_999
        );
        assert_eq!(at("2022-01-01T00:00:00+00:00").as_secs(), 1_640_995_200);
        assert!(parse_rfc3339("2024-03-01").is_err());
        assert!(parse_rfc3339("2024-13-01T00:00:00Z").is_err());
    }

    #[test]
    fn summary_skips_code_blocks() {
        let case = LimboCase {
            id: "x".into(),
            features: None,
            description: "Produces the following **invalid** chain:\n\n```\nroot -> EE\n\n```\n\n\
                          The EE has\nno EKU.\n\nMore."
                .into(),
            validation_kind: "SERVER".into(),
            trusted_certs: Vec::new(),
            untrusted_intermediates: Vec::new(),
            peer_certificate: String::new(),
            peer_certificate_key: None,
            validation_time: None,
            expected_result: "FAILURE".into(),
            expected_peer_name: None,
            max_chain_depth: None,
            crls: None,
        };
        assert_eq!(
            case.summary(),
            "Produces the following invalid chain: The EE has no EKU."
        );
    }

    #[test]
    fn commit_from_readme() {
        assert_eq!(
            commit_in("generated at commit 8a2e6f4 (2026-06-29)").as_deref(),
            Some("8a2e6f4")
        );
        assert_eq!(commit_in("no commit here"), None);
    }
}
