//! Certificates generated at test time, with pure-Rust crates only (never by linking
//! OpenSSL into the BoringSSL test binary): a CA, an intermediate, server leaves good
//! and bad, a client certificate, an encrypted key and a PKCS#12 archive. Made once per
//! process, in memory; nothing on disk unless a case writes a file of its own.

use std::sync::OnceLock;

use rcgen::{
    BasicConstraints, CertificateParams, CertifiedIssuer, DnType, ExtendedKeyUsagePurpose, IsCa,
    KeyPair, KeyUsagePurpose, SanType, SerialNumber, PKCS_ECDSA_P256_SHA256, PKCS_RSA_SHA256,
};
use time::{Duration, OffsetDateTime};

/// The password of [`Pki::encrypted_key_pem`] and [`Pki::server_p12`].
pub const PASSWORD: &str = "correct horse";

/// A leaf certificate with its key.
#[derive(Debug, Clone)]
pub struct Leaf {
    /// The leaf then the intermediate, PEM.
    pub chain_pem: String,
    /// The leaf alone, PEM.
    pub leaf_pem: String,
    /// The leaf, DER.
    pub leaf_der: Vec<u8>,
    /// The key, PKCS#8 PEM.
    pub key_pem: String,
    /// The key, PKCS#8 DER.
    pub key_der: Vec<u8>,
    /// The serial number, unsigned big-endian.
    pub serial: Vec<u8>,
    /// The subject common name.
    pub common_name: String,
}

/// Every fixture of the suite.
#[derive(Debug)]
pub struct Pki {
    /// The root CA, PEM (the only trust anchor of the suite's clients).
    pub ca_pem: String,
    /// The root CA, DER (its subject name appears in it as sent in CertificateRequest).
    pub ca_der: Vec<u8>,
    /// An unrelated CA, PEM.
    pub other_ca_pem: String,
    /// Server leaf for `localhost`, `127.0.0.1`, `::1`, issued by the intermediate.
    pub server: Leaf,
    /// Server leaf under RSA-2048, same names.
    pub server_rsa: Leaf,
    /// Expired server leaf.
    pub expired: Leaf,
    /// Server leaf valid only from next year.
    pub not_yet_valid: Leaf,
    /// Server leaf for `other.example` only.
    pub wrong_host: Leaf,
    /// Server leaf for `*.example.test`.
    pub wildcard: Leaf,
    /// Server leaf for the IP address 127.0.0.1 only.
    pub ip_only: Leaf,
    /// Server leaf with only the clientAuth EKU.
    pub wrong_eku: Leaf,
    /// Server leaf issued by the unrelated CA.
    pub untrusted: Leaf,
    /// Client certificate (clientAuth EKU), CN `client-1`.
    pub client: Leaf,
    /// The server key as encrypted PKCS#8, password [`PASSWORD`].
    pub encrypted_key_pem: String,
    /// The server identity as PKCS#12, password [`PASSWORD`].
    pub server_p12: Vec<u8>,
    /// The RSA server key as PKCS#1 PEM ("RSA PRIVATE KEY").
    pub server_rsa_pkcs1_pem: String,
    /// The P-256 server key as SEC1 PEM ("EC PRIVATE KEY", curve named).
    pub server_sec1_pem: String,
}

/// The fixtures, made on first use.
pub fn pki() -> &'static Pki {
    static PKI: OnceLock<Pki> = OnceLock::new();
    PKI.get_or_init(make)
}

fn ca_params(name: &str) -> CertificateParams {
    let mut params = CertificateParams::new(Vec::<String>::new()).expect("no names");
    params.distinguished_name.push(DnType::CommonName, name);
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::CrlSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    params.not_before = OffsetDateTime::now_utc() - Duration::days(400);
    params.not_after = OffsetDateTime::now_utc() + Duration::days(3650);
    params
}

struct LeafSpec<'a> {
    cn: &'a str,
    names: &'a [&'a str],
    eku: ExtendedKeyUsagePurpose,
    not_before: OffsetDateTime,
    not_after: OffsetDateTime,
    rsa: bool,
    serial: u64,
}

fn leaf_spec<'a>(cn: &'a str, names: &'a [&'a str], serial: u64) -> LeafSpec<'a> {
    LeafSpec {
        cn,
        names,
        eku: ExtendedKeyUsagePurpose::ServerAuth,
        not_before: OffsetDateTime::now_utc() - Duration::days(1),
        not_after: OffsetDateTime::now_utc() + Duration::days(365),
        rsa: false,
        serial,
    }
}

fn leaf(spec: LeafSpec<'_>, issuer: &CertifiedIssuer<'_, KeyPair>) -> Leaf {
    let key = if spec.rsa {
        KeyPair::generate_for(&PKCS_RSA_SHA256).expect("RSA key")
    } else {
        KeyPair::generate_for(&PKCS_ECDSA_P256_SHA256).expect("P-256 key")
    };
    let mut params = CertificateParams::new(Vec::<String>::new()).expect("no names");
    params.distinguished_name.push(DnType::CommonName, spec.cn);
    params.subject_alt_names = spec
        .names
        .iter()
        .map(|n| match n.parse() {
            Ok(ip) => SanType::IpAddress(ip),
            Err(_) => SanType::DnsName((*n).try_into().expect("valid DNS name")),
        })
        .collect();
    params.extended_key_usages = vec![spec.eku];
    params.key_usages = vec![
        KeyUsagePurpose::DigitalSignature,
        KeyUsagePurpose::KeyEncipherment,
    ];
    params.not_before = spec.not_before;
    params.not_after = spec.not_after;
    params.serial_number = Some(SerialNumber::from(spec.serial));
    params.use_authority_key_identifier_extension = true;
    let cert = params.signed_by(&key, issuer).expect("sign leaf");
    let leaf_pem = cert.pem();
    let chain_pem = format!("{leaf_pem}{}", issuer.pem());
    Leaf {
        chain_pem,
        leaf_pem,
        leaf_der: cert.der().to_vec(),
        key_pem: key.serialize_pem(),
        key_der: key.serialize_der(),
        serial: spec
            .serial
            .to_be_bytes()
            .iter()
            .copied()
            .skip_while(|b| *b == 0)
            .collect(),
        common_name: spec.cn.to_string(),
    }
}

fn make() -> Pki {
    let root_key = KeyPair::generate_for(&PKCS_ECDSA_P256_SHA256).expect("CA key");
    let root = CertifiedIssuer::self_signed(ca_params("unitls test root"), root_key).expect("root");
    let inter_key = KeyPair::generate_for(&PKCS_ECDSA_P256_SHA256).expect("intermediate key");
    let mut inter_params = ca_params("unitls test intermediate");
    inter_params.use_authority_key_identifier_extension = true;
    let inter = CertifiedIssuer::signed_by(inter_params, inter_key, &root).expect("intermediate");
    let other_key = KeyPair::generate_for(&PKCS_ECDSA_P256_SHA256).expect("other CA key");
    let other =
        CertifiedIssuer::self_signed(ca_params("unrelated root"), other_key).expect("other root");

    let names = ["localhost", "127.0.0.1", "::1"];
    let now = OffsetDateTime::now_utc();
    let server = leaf(leaf_spec("localhost", &names, 0x1001), &inter);
    let server_rsa = leaf(
        LeafSpec {
            rsa: true,
            ..leaf_spec("localhost-rsa", &names, 0x1002)
        },
        &inter,
    );
    let expired = leaf(
        LeafSpec {
            not_before: now - Duration::days(60),
            not_after: now - Duration::days(30),
            ..leaf_spec("expired", &names, 0x1003)
        },
        &inter,
    );
    let not_yet_valid = leaf(
        LeafSpec {
            not_before: now + Duration::days(365),
            not_after: now + Duration::days(730),
            ..leaf_spec("future", &names, 0x1004)
        },
        &inter,
    );
    let wrong_host = leaf(
        leaf_spec("other.example", &["other.example"], 0x1005),
        &inter,
    );
    let wildcard = leaf(leaf_spec("wildcard", &["*.example.test"], 0x1006), &inter);
    let ip_only = leaf(leaf_spec("ip", &["127.0.0.1"], 0x1007), &inter);
    let wrong_eku = leaf(
        LeafSpec {
            eku: ExtendedKeyUsagePurpose::ClientAuth,
            ..leaf_spec("wrong-eku", &names, 0x1008)
        },
        &inter,
    );
    let untrusted = leaf(leaf_spec("untrusted", &names, 0x1009), &other);
    let client = leaf(
        LeafSpec {
            eku: ExtendedKeyUsagePurpose::ClientAuth,
            ..leaf_spec("client-1", &["client-1.example"], 0x2001)
        },
        &inter,
    );
    let encrypted_key_pem = encrypt_key(&server.key_der);
    let server_rsa_pkcs1_pem = pem("RSA PRIVATE KEY", &pkcs8_inner(&server_rsa.key_der));
    let server_sec1_pem = pem(
        "EC PRIVATE KEY",
        &sec1_with_curve(&pkcs8_inner(&server.key_der)),
    );
    let server_p12 = pkcs12(&server, &inter_der(&inter));
    Pki {
        ca_pem: root.pem(),
        ca_der: root.der().to_vec(),
        other_ca_pem: other.pem(),
        server,
        server_rsa,
        expired,
        not_yet_valid,
        wrong_host,
        wildcard,
        ip_only,
        wrong_eku,
        untrusted,
        client,
        encrypted_key_pem,
        server_p12,
        server_rsa_pkcs1_pem,
        server_sec1_pem,
    }
}

fn pem(label: &str, der: &[u8]) -> String {
    pkcs8::der::pem::encode_string(label, pkcs8::der::pem::LineEnding::LF, der).expect("PEM")
}

/// The key inside a PKCS#8 PrivateKeyInfo (PKCS#1 for RSA, SEC1 for EC).
fn pkcs8_inner(pkcs8_der: &[u8]) -> Vec<u8> {
    let info = pkcs8::PrivateKeyInfoRef::try_from(pkcs8_der).expect("PKCS#8");
    info.private_key.as_bytes().to_vec()
}

/// A DER length.
fn der_len(len: usize) -> Vec<u8> {
    if len < 0x80 {
        return vec![len as u8];
    }
    let bytes: Vec<u8> = len
        .to_be_bytes()
        .into_iter()
        .skip_while(|b| *b == 0)
        .collect();
    let mut out = vec![0x80 | bytes.len() as u8];
    out.extend(bytes);
    out
}

/// A P-256 SEC1 ECPrivateKey with its curve named in `[0]`, as `openssl ec` writes it.
fn sec1_with_curve(sec1: &[u8]) -> Vec<u8> {
    // SEQUENCE { INTEGER 1, OCTET STRING key, [1] public key }: insert [0] before [1].
    let header = if sec1[1] & 0x80 != 0 {
        2 + usize::from(sec1[1] & 0x7F)
    } else {
        2
    };
    let body = &sec1[header..];
    // INTEGER 1 is three octets; the OCTET STRING's length is its second octet.
    assert_eq!((body[0], body[3]), (0x02, 0x04), "SEC1 layout");
    let split = 5 + usize::from(body[4]);
    let prime256v1 = [
        0xA0, 0x0A, 0x06, 0x08, 0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x03, 0x01, 0x07,
    ];
    let mut inner = body[..split].to_vec();
    inner.extend_from_slice(&prime256v1);
    inner.extend_from_slice(&body[split..]);
    let mut out = vec![0x30];
    out.extend(der_len(inner.len()));
    out.extend(inner);
    out
}

/// Writes `files` (name, contents) into a fresh directory under the system temp dir.
pub fn write_temp(files: &[(&str, &[u8])]) -> std::path::PathBuf {
    static COUNTER: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = COUNTER.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    let dir = std::env::temp_dir().join(format!("unitls-fixtures-{}-{n}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    for (name, contents) in files {
        std::fs::write(dir.join(name), contents).expect("write fixture");
    }
    dir
}

fn inter_der(inter: &CertifiedIssuer<'_, KeyPair>) -> Vec<u8> {
    inter.der().to_vec()
}

/// Encrypts a PKCS#8 key with PBES2 (PBKDF2-SHA256, AES-256-CBC), as
/// `openssl pkcs8 -topk8 -v2 aes-256-cbc` does.
fn encrypt_key(key_der: &[u8]) -> String {
    use pkcs8::der::pem::LineEnding;
    let info = pkcs8::PrivateKeyInfoRef::try_from(key_der).expect("PKCS#8 key");
    let params = pkcs8::pkcs5::pbes2::Parameters::generate_pbkdf2_sha256_aes256cbc(
        2048,
        b"unitls-fixture-salt",
        [7; 16],
    )
    .expect("PBES2 parameters");
    let doc = info
        .encrypt_with_params(params, PASSWORD)
        .expect("encrypt key");
    doc.to_pem("ENCRYPTED PRIVATE KEY", LineEnding::LF)
        .expect("PEM")
        .to_string()
}

fn pkcs12(leaf: &Leaf, inter_der: &[u8]) -> Vec<u8> {
    use p12_keystore::{Certificate, KeyStore, KeyStoreEntry, PrivateKey, PrivateKeyChain};
    let key = PrivateKey::from_der(&leaf.key_der).expect("key for PKCS#12");
    let certs = [
        Certificate::from_der(&leaf.leaf_der).expect("leaf for PKCS#12"),
        Certificate::from_der(inter_der).expect("intermediate for PKCS#12"),
    ];
    let mut store = KeyStore::new();
    store.add_entry(
        "server",
        KeyStoreEntry::PrivateKeyChain(PrivateKeyChain::new(b"server-key".to_vec(), key, certs)),
    );
    store.writer(PASSWORD).write().expect("write PKCS#12")
}
