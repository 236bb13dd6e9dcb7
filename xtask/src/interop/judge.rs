//! A cell's verdict from what both ends reported: each end's process, handshake(s),
//! octets and close checked against what the variant must show, and the two ends
//! compared (a peer, or what the `openssl` tool printed).

use std::collections::BTreeMap;
use std::fmt::Write as _;

use super::openssl_cli::{iana, parse_s_client, parse_s_server, rev_line};
use super::peer_log::{Handshake, PeerLog};
use super::plan::{Caps, Variant, Version};
use super::{BULK, CLIENT_CN, RESUMPTION_CONNECTIONS, SERVER_NAME, S_CLIENT_LINE, TEXT};
use crate::outcome::Outcome;
use crate::running::Finished;
use crate::text::one_line;
use unitls_model::Mode;

#[cfg(test)]
mod tests;

/// One end of a pair as the judge sees it.
#[derive(Debug)]
pub(super) struct End<'a> {
    /// `client` or `server`.
    role: &'static str,
    /// The backend.
    name: &'a str,
    /// Its capabilities.
    caps: &'a Caps,
    /// The mode it was started in: every handshake it reports must say so.
    mode: Mode,
    /// What it printed.
    log: PeerLog,
    /// Whether it exited 0 by itself.
    success: bool,
    /// How it ended, in words.
    ended: String,
    /// The end of its stderr.
    stderr_tail: String,
}

impl<'a> End<'a> {
    /// The end of a finished peer process.
    pub(super) fn new(
        role: &'static str,
        name: &'a str,
        caps: &'a Caps,
        mode: Mode,
        finished: &Finished,
    ) -> End<'a> {
        End {
            role,
            name,
            caps,
            mode,
            log: PeerLog::parse(&finished.stdout),
            success: finished.success(),
            ended: finished.describe(),
            stderr_tail: finished.stderr_tail(5),
        }
    }

    /// `Unsupported(X)` reported for a capability the backend does not declare.
    fn unsupported(&self) -> Option<String> {
        self.log.errors.iter().find_map(|e| {
            let capability = e.kind.strip_prefix("Unsupported(")?.strip_suffix(')')?;
            let role = match self.role {
                "client" => crate::declared::Role::Client,
                _ => crate::declared::Role::Server,
            };
            (!self.caps.has(capability, role))
                .then(|| format!("{} {}: {}", self.role, self.name, e.message))
        })
    }

    /// Problems with how the process ended and what it reported as errors.
    fn process_problems(&self, problems: &mut Vec<String>) {
        for e in &self.log.errors {
            problems.push(format!(
                "{} {}: {}: {}",
                self.role, self.name, e.kind, e.message
            ));
        }
        if !self.success {
            let mut text = format!("{} {} {}", self.role, self.name, self.ended);
            if self.log.errors.is_empty() && !self.stderr_tail.is_empty() {
                let _ = write!(text, " (stderr: {})", one_line(&self.stderr_tail));
            }
            problems.push(text);
        }
    }

    /// The one handshake, or a problem.
    fn handshake(&self, problems: &mut Vec<String>) -> Option<&Handshake> {
        match self.log.handshakes.as_slice() {
            [one] => Some(one),
            [] => None, // the errors say why
            many => {
                problems.push(format!(
                    "{} {} reported {} handshakes, expected 1",
                    self.role,
                    self.name,
                    many.len()
                ));
                None
            }
        }
    }

    /// Exactly `n` handshakes in connection order, or a problem.
    fn handshakes(&self, n: usize, problems: &mut Vec<String>) -> Option<Vec<&Handshake>> {
        let mut all: Vec<&Handshake> = self.log.handshakes.iter().collect();
        all.sort_by_key(|hs| hs.conn.unwrap_or(u64::MAX));
        if all.len() == n {
            return Some(all);
        }
        // None at all: the errors say why, if there are any.
        if !all.is_empty() || self.log.errors.is_empty() {
            problems.push(format!(
                "{} {} reported {} handshakes, expected {n}",
                self.role,
                self.name,
                all.len()
            ));
        }
        None
    }

    /// Checks a handshake's version and suite; `which` names the connection in the
    /// problem (`""` or ` (connection 2)`).
    fn check_handshake(
        &self,
        hs: &Handshake,
        version: Version,
        which: &str,
        problems: &mut Vec<String>,
    ) {
        if hs.version.as_deref() != Some(version.name()) {
            problems.push(format!(
                "{} {} negotiated {}, expected {} (pinned){which}",
                self.role,
                self.name,
                hs.version.as_deref().unwrap_or("no version"),
                version.name()
            ));
        }
        if hs.cipher.is_none() {
            problems.push(format!(
                "{} {} reports no cipher suite{which}",
                self.role, self.name
            ));
        }
        if hs.mode != self.mode {
            problems.push(format!(
                "{} {} ran {}, expected {}{which}",
                self.role,
                self.name,
                hs.mode.as_str(),
                self.mode.as_str()
            ));
        }
    }

    /// Checks that each of `connections` connections echoed `bytes` octets and closed
    /// cleanly.
    fn check_io(&self, connections: usize, bytes: u64, problems: &mut Vec<String>) {
        if self.log.received != vec![bytes; connections] {
            problems.push(format!(
                "{} {} received {:?} octets, expected {:?}",
                self.role,
                self.name,
                self.log.received,
                vec![bytes; connections]
            ));
        }
        if self.log.closed != connections {
            problems.push(match connections {
                1 => format!("{} {} did not close cleanly", self.role, self.name),
                n => format!(
                    "{} {} closed cleanly {} times, expected {n}",
                    self.role, self.name, self.log.closed
                ),
            });
        }
    }

    /// Checks the handshake's version and the echo count and close.
    fn check_common(
        &self,
        hs: &Handshake,
        version: Version,
        bytes: u64,
        problems: &mut Vec<String>,
    ) {
        self.check_handshake(hs, version, "", problems);
        self.check_io(1, bytes, problems);
    }

    /// Checks that the peer's leaf has common name `cn` (when the backend can tell).
    fn check_peer_cn(&self, hs: &Handshake, cn: &str, problems: &mut Vec<String>) {
        if let Some(chain) = &hs.peer_cns {
            let leaf = chain.first().cloned().flatten();
            if leaf.as_deref() != Some(cn) {
                problems.push(format!(
                    "{} {} saw peer leaf {:?}, expected CN {cn}",
                    self.role, self.name, leaf
                ));
            }
        }
    }
}

/// The verdict of one cell.
#[derive(Debug, PartialEq)]
pub(super) struct Verdict {
    /// pass, fail or unsupported.
    pub(super) outcome: Outcome,
    /// The suite, when known.
    pub(super) cipher: Option<String>,
    /// Why, unless it passed.
    pub(super) detail: String,
}

impl Verdict {
    /// From the problems found: none is a pass.
    fn from_problems(problems: Vec<String>, cipher: Option<String>) -> Verdict {
        if problems.is_empty() {
            Verdict {
                outcome: Outcome::Pass,
                cipher,
                detail: String::new(),
            }
        } else {
            Verdict {
                outcome: Outcome::Fail,
                cipher,
                detail: problems.join("; "),
            }
        }
    }

    /// Unsupported, for `reason` (a capability one end lacks).
    pub(super) fn unsupported(reason: String) -> Verdict {
        Verdict {
            outcome: Outcome::Unsupported,
            cipher: None,
            detail: reason,
        }
    }

    /// A fail for one reason.
    pub(super) fn fail(detail: impl Into<String>) -> Verdict {
        Verdict {
            outcome: Outcome::Fail,
            cipher: None,
            detail: detail.into(),
        }
    }
}

/// What a peer × peer cell must show.
#[derive(Debug, Clone, Copy)]
pub(super) struct Expect {
    /// The pinned version.
    version: Version,
    /// The ALPN protocol both must report.
    alpn: Option<&'static str>,
    /// The octets each side must count.
    bytes: u64,
    /// The client certificate's CN the server must see.
    client_cn: Option<&'static str>,
}

impl Expect {
    /// What `variant` at `version` must show.
    pub(super) fn of(variant: Variant, version: Version) -> Expect {
        Expect {
            version,
            alpn: (variant == Variant::Alpn).then_some("http/1.1"),
            bytes: match variant {
                Variant::Basic => BULK,
                _ => TEXT.len() as u64,
            },
            client_cn: (variant == Variant::ClientAuth).then_some(CLIENT_CN),
        }
    }
}

/// Judges a peer × peer cell.
pub(super) fn judge_pair(expect: Expect, client: &End<'_>, server: &End<'_>) -> Verdict {
    if let Some(reason) = client.unsupported().or_else(|| server.unsupported()) {
        return Verdict::unsupported(reason);
    }
    let mut problems = Vec::new();
    client.process_problems(&mut problems);
    server.process_problems(&mut problems);
    let c = client.handshake(&mut problems);
    let s = server.handshake(&mut problems);
    if let Some(c) = c {
        client.check_common(c, expect.version, expect.bytes, &mut problems);
        client.check_peer_cn(c, SERVER_NAME, &mut problems);
        if c.sni.as_deref() != Some(SERVER_NAME) {
            problems.push(format!(
                "client {} sent SNI {:?}, expected {SERVER_NAME}",
                client.name, c.sni
            ));
        }
    }
    if let Some(s) = s {
        server.check_common(s, expect.version, expect.bytes, &mut problems);
        if s.sni.as_deref() != Some(SERVER_NAME) {
            problems.push(format!(
                "server {} saw SNI {:?}, expected {SERVER_NAME}",
                server.name, s.sni
            ));
        }
        if let Some(cn) = expect.client_cn {
            server.check_peer_cn(s, cn, &mut problems);
        }
    }
    if let (Some(c), Some(s)) = (c, s) {
        if c.cipher != s.cipher {
            problems.push(format!(
                "the ends disagree on the suite: client {:?}, server {:?}",
                c.cipher, s.cipher
            ));
        }
        for (end, hs) in [(client, c), (server, s)] {
            if hs.alpn.as_deref() != expect.alpn {
                problems.push(format!(
                    "{} {} reports ALPN {:?}, expected {:?}",
                    end.role, end.name, hs.alpn, expect.alpn
                ));
            }
        }
    } else if problems.is_empty() {
        problems.push("no handshake was reported".into());
    }
    let cipher = c
        .and_then(|c| c.cipher.clone())
        .or_else(|| s.and_then(|s| s.cipher.clone()));
    Verdict::from_problems(problems, cipher)
}

/// Judges a resumption cell: two connections, the first a full handshake and the second
/// resumed, at both ends.
pub(super) fn judge_resumption(version: Version, client: &End<'_>, server: &End<'_>) -> Verdict {
    if let Some(reason) = client.unsupported().or_else(|| server.unsupported()) {
        return Verdict::unsupported(reason);
    }
    let mut problems = Vec::new();
    client.process_problems(&mut problems);
    server.process_problems(&mut problems);
    let n = RESUMPTION_CONNECTIONS;
    let c = client.handshakes(n, &mut problems);
    let s = server.handshakes(n, &mut problems);
    for (end, handshakes) in [(client, &c), (server, &s)] {
        end.check_io(n, TEXT.len() as u64, &mut problems);
        let Some(handshakes) = handshakes else {
            continue;
        };
        for (i, hs) in handshakes.iter().enumerate() {
            let which = format!(" (connection {})", i + 1);
            end.check_handshake(hs, version, &which, &mut problems);
            let (want, why) = if i == 0 {
                (false, "a full handshake on its first connection")
            } else {
                (true, "a resumed session on its second connection")
            };
            if hs.resumed != want {
                problems.push(format!(
                    "{} {} reports resumed: {}{which}, expected {why}",
                    end.role, end.name, hs.resumed
                ));
            }
        }
    }
    if let Some(c) = &c {
        client.check_peer_cn(c[0], SERVER_NAME, &mut problems);
        if c[0].sni.as_deref() != Some(SERVER_NAME) {
            problems.push(format!(
                "client {} sent SNI {:?}, expected {SERVER_NAME}",
                client.name, c[0].sni
            ));
        }
    }
    match (&c, &s) {
        (Some(c), Some(s)) => {
            for (i, (c, s)) in c.iter().zip(s).enumerate() {
                if c.cipher != s.cipher {
                    problems.push(format!(
                        "the ends disagree on the suite (connection {}): client {:?}, \
                         server {:?}",
                        i + 1,
                        c.cipher,
                        s.cipher
                    ));
                }
            }
        }
        _ if problems.is_empty() => problems.push("no handshake was reported".into()),
        _ => {}
    }
    let cipher = c
        .as_ref()
        .and_then(|c| c[0].cipher.clone())
        .or_else(|| s.as_ref().and_then(|s| s[0].cipher.clone()));
    Verdict::from_problems(problems, cipher)
}

/// Judges a client peer against `openssl s_server -rev`.
pub(super) fn judge_vs_s_server(
    version: Version,
    client: &End<'_>,
    s_server: &Finished,
    ciphers: &BTreeMap<String, String>,
) -> Verdict {
    if let Some(reason) = client.unsupported() {
        return Verdict::unsupported(reason);
    }
    let mut problems = Vec::new();
    client.process_problems(&mut problems);
    let c = client.handshake(&mut problems);
    if let Some(c) = c {
        client.check_common(c, version, rev_line().0.len() as u64, &mut problems);
        client.check_peer_cn(c, SERVER_NAME, &mut problems);
    }
    let (s_version, s_cipher) = parse_s_server(&s_server.stderr);
    if !s_server.success() {
        problems.push(format!(
            "openssl s_server {} (stderr: {})",
            s_server.describe(),
            one_line(&s_server.stderr_tail(5))
        ));
    }
    let tool = ToolSession {
        tool: "openssl s_server",
        version: s_version.as_deref(),
        suite: s_cipher.as_deref(),
    };
    tool.check_against(c, version, ciphers, &mut problems);
    let cipher = c.and_then(|c| c.cipher.clone());
    Verdict::from_problems(problems, cipher)
}

/// What an `openssl` command-line peer printed of its session.
struct ToolSession<'a> {
    /// `openssl s_server` or `openssl s_client`.
    tool: &'static str,
    /// The version it printed, `TLSv1.3`.
    version: Option<&'a str>,
    /// The suite it printed, OpenSSL's name.
    suite: Option<&'a str>,
}

impl ToolSession<'_> {
    /// Checks the tool's session against the expected version and the unitls end's
    /// handshake report (`None` when the end reported none).
    fn check_against(
        &self,
        end: Option<&Handshake>,
        version: Version,
        ciphers: &BTreeMap<String, String>,
        problems: &mut Vec<String>,
    ) {
        let tool = self.tool;
        match (self.version, self.suite, end) {
            (Some(v), Some(suite), Some(end)) => {
                if v != version.name() {
                    problems.push(format!(
                        "{tool} negotiated {v}, expected {}",
                        version.name()
                    ));
                }
                if Some(iana(ciphers, suite)) != end.cipher.as_deref() {
                    problems.push(format!(
                        "the ends disagree on the suite: {tool} {suite}, unitls end {:?}",
                        end.cipher
                    ));
                }
            }
            (_, _, Some(_)) => problems.push(format!("{tool} did not report its session")),
            (_, _, None) if problems.is_empty() => {
                problems.push("no handshake was reported".into())
            }
            _ => {}
        }
    }
}

/// Judges `openssl s_client` against a server peer.
pub(super) fn judge_s_client(
    version: Version,
    server: &End<'_>,
    s_client: &Finished,
    echoed: bool,
    ciphers: &BTreeMap<String, String>,
) -> Verdict {
    if let Some(reason) = server.unsupported() {
        return Verdict::unsupported(reason);
    }
    let mut problems = Vec::new();
    server.process_problems(&mut problems);
    let s = server.handshake(&mut problems);
    if let Some(s) = s {
        server.check_common(s, version, S_CLIENT_LINE.len() as u64 + 1, &mut problems);
        if s.sni.as_deref() != Some(SERVER_NAME) {
            problems.push(format!(
                "server {} saw SNI {:?}, expected {SERVER_NAME}",
                server.name, s.sni
            ));
        }
    }
    let seen = parse_s_client(&s_client.stdout);
    if !s_client.success() {
        problems.push(format!(
            "openssl s_client {} (stderr: {})",
            s_client.describe(),
            one_line(&s_client.stderr_tail(5))
        ));
    }
    if !seen.verified {
        problems.push("openssl s_client did not print `Verify return code: 0 (ok)`".into());
    }
    if !echoed {
        problems.push("openssl s_client did not get its line back".into());
    }
    let tool = ToolSession {
        tool: "openssl s_client",
        version: seen.version.as_deref(),
        suite: seen.cipher.as_deref(),
    };
    tool.check_against(s, version, ciphers, &mut problems);
    let cipher = s.and_then(|s| s.cipher.clone());
    Verdict::from_problems(problems, cipher)
}
