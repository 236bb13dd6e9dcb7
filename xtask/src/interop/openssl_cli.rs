//! The `openssl` command-line tool as a peer: finding it and its suite names
//! (`openssl ciphers -stdname`), reading what `s_server` and `s_client` print, and the
//! line `s_server -rev` must send back.

use std::collections::BTreeMap;
use std::process::Command;

use super::TEXT;

/// The openssl tool, if present.
#[derive(Debug)]
pub(super) struct OpensslCli {
    /// OpenSSL suite names to IANA names.
    pub(super) ciphers: BTreeMap<String, String>,
}

/// Checks the openssl tool and reads its suite names.
pub(super) fn openssl_cli() -> Result<OpensslCli, String> {
    let output = Command::new("openssl")
        .args(["ciphers", "-stdname", "ALL"])
        .output()
        .map_err(|e| {
            format!(
                "the `openssl` tool cannot run ({e}); SPEC INTEROP needs it (cargo xtask prereqs)"
            )
        })?;
    if !output.status.success() {
        return Err(format!(
            "`openssl ciphers -stdname ALL` failed ({})",
            output.status
        ));
    }
    Ok(OpensslCli {
        ciphers: parse_stdname(&String::from_utf8_lossy(&output.stdout)),
    })
}

/// The `ACCEPT 127.0.0.1:PORT` line of `openssl s_server`.
pub(super) fn s_server_addr(line: &str) -> Option<String> {
    line.strip_prefix("ACCEPT ")
        .map(str::trim)
        .filter(|addr| {
            addr.rsplit_once(':')
                .is_some_and(|(_, p)| p.parse::<u16>().is_ok())
        })
        .map(str::to_owned)
}

/// OpenSSL suite names to IANA names, from `openssl ciphers -stdname` lines
/// (`TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384 - ECDHE-ECDSA-AES256-GCM-SHA384 TLSv1.2 ...`).
pub(crate) fn parse_stdname(text: &str) -> BTreeMap<String, String> {
    text.lines()
        .filter_map(|line| {
            let mut words = line.split_whitespace();
            let iana = words.next()?;
            (words.next()? == "-").then_some(())?;
            let openssl = words.next()?;
            Some((openssl.to_owned(), iana.to_owned()))
        })
        .collect()
}

/// What `openssl s_client` printed about its session.
#[derive(Debug, Default, PartialEq, Eq)]
pub(super) struct SClient {
    /// From `New, TLSv1.3, Cipher is X`.
    pub(super) version: Option<String>,
    /// The same line's suite, OpenSSL's name.
    pub(super) cipher: Option<String>,
    /// `Verify return code: 0 (ok)` was printed.
    pub(super) verified: bool,
}

/// Reads `openssl s_client`'s stdout.
pub(super) fn parse_s_client(lines: &[String]) -> SClient {
    let mut seen = SClient::default();
    for line in lines {
        let line = line.trim();
        if let Some(rest) = line.strip_prefix("New, ") {
            if let Some((version, cipher)) = rest.split_once(", Cipher is ") {
                seen.version = Some(version.trim().to_owned());
                seen.cipher = Some(cipher.trim().to_owned());
            }
        }
        if line == "Verify return code: 0 (ok)" {
            seen.verified = true;
        }
    }
    seen
}

/// The version and suite `openssl s_server` reports on stderr (`Protocol version:`,
/// `Ciphersuite:`).
pub(super) fn parse_s_server(stderr: &str) -> (Option<String>, Option<String>) {
    let field = |name: &str| {
        stderr
            .lines()
            .find_map(|line| line.trim().strip_prefix(name))
            .map(|value| value.trim().to_owned())
    };
    (field("Protocol version:"), field("Ciphersuite:"))
}

/// The suite `name` (an OpenSSL name) as its IANA name, if known.
pub(super) fn iana<'a>(ciphers: &'a BTreeMap<String, String>, name: &'a str) -> &'a str {
    ciphers.get(name).map_or(name, String::as_str)
}

/// What a client peer sends to `openssl s_server -rev`, and what must come back: the
/// line reversed, newline kept.
pub(super) fn rev_line() -> (String, String) {
    let sent = format!("{TEXT}\n");
    let back: String = TEXT.chars().rev().collect();
    (sent, format!("{back}\n"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::interop::peer_log::lines;

    #[test]
    fn openssl_output_is_read() {
        let map = parse_stdname(
            "TLS_AES_256_GCM_SHA384                        - TLS_AES_256_GCM_SHA384         TLSv1.3 Kx=any\n\
             TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384       - ECDHE-ECDSA-AES256-GCM-SHA384  TLSv1.2 Kx=ECDH\n",
        );
        assert_eq!(
            iana(&map, "ECDHE-ECDSA-AES256-GCM-SHA384"),
            "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384"
        );
        assert_eq!(iana(&map, "unknown"), "unknown");
        let seen = parse_s_client(&lines(&[
            "CONNECTED(00000003)",
            "New, TLSv1.2, Cipher is ECDHE-ECDSA-AES256-GCM-SHA384",
            "    Verify return code: 0 (ok)",
        ]));
        assert_eq!(
            seen,
            SClient {
                version: Some("TLSv1.2".into()),
                cipher: Some("ECDHE-ECDSA-AES256-GCM-SHA384".into()),
                verified: true,
            }
        );
        let (version, cipher) = parse_s_server(
            "CONNECTION ESTABLISHED\nProtocol version: TLSv1.3\nCiphersuite: TLS_AES_256_GCM_SHA384\n",
        );
        assert_eq!(version.as_deref(), Some("TLSv1.3"));
        assert_eq!(cipher.as_deref(), Some("TLS_AES_256_GCM_SHA384"));
        assert_eq!(
            s_server_addr("ACCEPT 127.0.0.1:39697").as_deref(),
            Some("127.0.0.1:39697")
        );
        assert_eq!(s_server_addr("Using default temp DH parameters"), None);
        assert_eq!(rev_line().1, "reep-sltinu morf olleh\n");
    }
}
