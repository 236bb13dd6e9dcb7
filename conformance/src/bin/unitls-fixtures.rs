//! `unitls-fixtures --out DIR`: writes the suite's generated certificates
//! ([`unitls_conformance::fixtures::pki`]) as PEM files, for peers in other processes
//! (the interop matrix of `cargo xtask conformance`, `unitls-peer`, `openssl s_server`),
//! then prints the directory's path.
//!
//! The certificates are made afresh on every run (new keys, same names and serials):
//!
//! | file | contents |
//! |---|---|
//! | `ca.pem` | the root CA, the only trust anchor the peers need |
//! | `intermediate.pem` | the intermediate CA that issued both leaves |
//! | `server-chain.pem` | server leaf (CN `localhost`; SANs `localhost`, `127.0.0.1`, `::1`), then the intermediate |
//! | `server-leaf.pem` | the server leaf alone (`openssl s_server -cert`, with `-cert_chain intermediate.pem`) |
//! | `server-key.pem` | the server's P-256 key, PKCS#8 |
//! | `server-key-encrypted.pem` | the same key as encrypted PKCS#8, password `correct horse` |
//! | `client-chain.pem` | client leaf (CN `client-1`, clientAuth), then the intermediate |
//! | `client-key.pem` | the client's P-256 key, PKCS#8 |
//! | `other-ca.pem` | an unrelated root CA (for "unknown issuer" checks) |

use std::path::PathBuf;
use std::process::ExitCode;

use unitls_conformance::fixtures::pki;

const USAGE: &str = "usage: unitls-fixtures --out DIR";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let out = match args.as_slice() {
        [flag, dir] if flag == "--out" => PathBuf::from(dir),
        [arg] if arg.starts_with("--out=") => PathBuf::from(&arg["--out=".len()..]),
        [arg] if arg == "--help" || arg == "-h" => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        _ => {
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    match write(&out) {
        Ok(dir) => {
            println!("{}", dir.display());
            ExitCode::SUCCESS
        }
        Err(message) => {
            eprintln!("unitls-fixtures: {message}");
            ExitCode::FAILURE
        }
    }
}

/// Writes every file into `out` (created if need be); returns its absolute path.
fn write(out: &PathBuf) -> Result<PathBuf, String> {
    let p = pki();
    let intermediate = p
        .server
        .chain_pem
        .strip_prefix(p.server.leaf_pem.as_str())
        .ok_or("the server chain does not start with its leaf")?;
    let files: [(&str, &str); 9] = [
        ("ca.pem", &p.ca_pem),
        ("intermediate.pem", intermediate),
        ("server-chain.pem", &p.server.chain_pem),
        ("server-leaf.pem", &p.server.leaf_pem),
        ("server-key.pem", &p.server.key_pem),
        ("server-key-encrypted.pem", &p.encrypted_key_pem),
        ("client-chain.pem", &p.client.chain_pem),
        ("client-key.pem", &p.client.key_pem),
        ("other-ca.pem", &p.other_ca_pem),
    ];
    std::fs::create_dir_all(out).map_err(|e| format!("cannot create {}: {e}", out.display()))?;
    for (name, contents) in files {
        let path = out.join(name);
        std::fs::write(&path, contents)
            .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    }
    out.canonicalize()
        .map_err(|e| format!("cannot resolve {}: {e}", out.display()))
}
