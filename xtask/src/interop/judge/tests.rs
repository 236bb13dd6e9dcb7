use super::*;
use crate::interop::peer_log::{lines, CLIENT_OK, SERVER_OK};

fn end<'a>(
    role: &'static str,
    name: &'a str,
    caps: &'a Caps,
    out: &[&str],
    success: bool,
) -> End<'a> {
    End {
        role,
        name,
        caps,
        mode: Mode::Blocking,
        log: PeerLog::parse(&lines(out)),
        success,
        ended: if success {
            "exit code 0".into()
        } else {
            "exit code 1".into()
        },
        stderr_tail: String::new(),
    }
}

#[test]
fn matching_ends_pass_and_mismatches_fail() {
    let caps = Caps::All;
    let expect = Expect::of(Variant::Basic, Version::Tls13);
    let verdict = judge_pair(
        expect,
        &end("client", "rustls", &caps, &CLIENT_OK, true),
        &end("server", "boring", &caps, &SERVER_OK, true),
    );
    assert_eq!(verdict.outcome, Outcome::Pass, "{}", verdict.detail);
    assert_eq!(verdict.cipher.as_deref(), Some("TLS_AES_128_GCM_SHA256"));

    let other_suite =
        SERVER_OK.map(|l| l.replace("TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384"));
    let other_suite: Vec<&str> = other_suite.iter().map(String::as_str).collect();
    let verdict = judge_pair(
        expect,
        &end("client", "rustls", &caps, &CLIENT_OK, true),
        &end("server", "boring", &caps, &other_suite, true),
    );
    assert_eq!(verdict.outcome, Outcome::Fail);
    assert!(
        verdict.detail.contains("disagree on the suite"),
        "{}",
        verdict.detail
    );

    let verdict = judge_pair(
        Expect::of(Variant::Basic, Version::Tls12),
        &end("client", "rustls", &caps, &CLIENT_OK, true),
        &end("server", "boring", &caps, &SERVER_OK, true),
    );
    assert!(
        verdict
            .detail
            .contains("negotiated TLSv1.3, expected TLSv1.2"),
        "{}",
        verdict.detail
    );

    let verdict = judge_pair(
        Expect::of(Variant::Alpn, Version::Tls13),
        &end("client", "rustls", &caps, &CLIENT_OK, true),
        &end("server", "boring", &caps, &SERVER_OK, true),
    );
    assert!(
        verdict
            .detail
            .contains("ALPN None, expected Some(\"http/1.1\")"),
        "{}",
        verdict.detail
    );

    let failed =
        [r#"{"event":"error","kind":"VerificationFailure(UnknownIssuer)","message":"bad"}"#];
    let verdict = judge_pair(
        expect,
        &end("client", "rustls", &caps, &failed, false),
        &end("server", "boring", &caps, &SERVER_OK[..1], false),
    );
    assert_eq!(verdict.outcome, Outcome::Fail);
    assert!(
        verdict
            .detail
            .starts_with("client rustls: VerificationFailure(UnknownIssuer): bad"),
        "{}",
        verdict.detail
    );
}

#[test]
fn unsupported_needs_an_undeclared_capability() {
    let declared = Caps::Declared(crate::declared::Declared {
        all: vec!["Tls12".into()],
        lacks: Vec::new(),
    });
    let refused = [r#"{"event":"error","kind":"Unsupported(ClientAuth)","message":"no"}"#];
    let verdict = judge_pair(
        Expect::of(Variant::ClientAuth, Version::Tls12),
        &end("client", "native-tls", &declared, &refused, false),
        &end("server", "rustls", &Caps::All, &SERVER_OK[..1], false),
    );
    assert_eq!(verdict.outcome, Outcome::Unsupported);
    assert_eq!(verdict.detail, "client native-tls: no");
    // Declared, yet refused: a failure.
    let verdict = judge_pair(
        Expect::of(Variant::ClientAuth, Version::Tls12),
        &end("client", "rustls", &Caps::All, &refused, false),
        &end("server", "rustls", &Caps::All, &SERVER_OK[..1], false),
    );
    assert_eq!(verdict.outcome, Outcome::Fail);
}

/// The events of a resumption cell's end: two connections (`conn` 1 and 2), the
/// first with `resumed` `first`, the second with `second`.
fn resumption_log(server: bool, first: bool, second: bool) -> Vec<String> {
    let mut out = Vec::new();
    if server {
        out.push(r#"{"event":"listening","addr":"127.0.0.1:4433"}"#.to_owned());
    }
    let chain = if server {
        "[]"
    } else {
        r#"[{"subject_cn":"localhost","serial":"1001"}]"#
    };
    for (conn, resumed) in [(1, first), (2, second)] {
        out.push(format!(
            r#"{{"event":"handshake","conn":{conn},"version":"TLSv1.3","cipher":"TLS_AES_128_GCM_SHA256","alpn":null,"sni":"localhost","resumed":{resumed},"peer_chain":{chain}}}"#
        ));
        out.push(format!(
            r#"{{"event":"received","conn":{conn},"bytes":22}}"#
        ));
        out.push(format!(r#"{{"event":"closed","conn":{conn}}}"#));
    }
    out
}

fn resumption_end<'a>(
    role: &'static str,
    name: &'a str,
    caps: &'a Caps,
    out: &[String],
) -> End<'a> {
    let out: Vec<&str> = out.iter().map(String::as_str).collect();
    end(role, name, caps, &out, true)
}

#[test]
fn resumption_needs_a_full_then_a_resumed_handshake_at_both_ends() {
    let caps = Caps::All;
    let judge = |client: &[String], server: &[String]| {
        judge_resumption(
            Version::Tls13,
            &resumption_end("client", "rustls", &caps, client),
            &resumption_end("server", "openssl", &caps, server),
        )
    };
    let verdict = judge(
        &resumption_log(false, false, true),
        &resumption_log(true, false, true),
    );
    assert_eq!(verdict.outcome, Outcome::Pass, "{}", verdict.detail);
    assert_eq!(verdict.cipher.as_deref(), Some("TLS_AES_128_GCM_SHA256"));

    // Server events out of order are read by their connection number.
    let mut swapped = resumption_log(true, false, true);
    swapped.swap(1, 4);
    let verdict = judge(&resumption_log(false, false, true), &swapped);
    assert_eq!(verdict.outcome, Outcome::Pass, "{}", verdict.detail);

    let verdict = judge(
        &resumption_log(false, false, false),
        &resumption_log(true, false, false),
    );
    assert_eq!(verdict.outcome, Outcome::Fail);
    assert_eq!(
        verdict.detail,
        "client rustls reports resumed: false (connection 2), expected a resumed session \
         on its second connection; server openssl reports resumed: false (connection 2), \
         expected a resumed session on its second connection"
    );

    // The client thinks it resumed, the server did a full handshake.
    let verdict = judge(
        &resumption_log(false, false, true),
        &resumption_log(true, false, false),
    );
    assert_eq!(verdict.outcome, Outcome::Fail);
    assert!(
        verdict
            .detail
            .starts_with("server openssl reports resumed: false"),
        "{}",
        verdict.detail
    );

    let verdict = judge(
        &resumption_log(false, true, true),
        &resumption_log(true, false, true),
    );
    assert!(
        verdict.detail.contains(
            "client rustls reports resumed: true (connection 1), expected a full handshake"
        ),
        "{}",
        verdict.detail
    );

    // Only one connection happened.
    let one = resumption_log(false, false, true)[..3].to_vec();
    let verdict = judge(&one, &resumption_log(true, false, true));
    assert_eq!(verdict.outcome, Outcome::Fail);
    assert!(
        verdict
            .detail
            .contains("client rustls reported 1 handshakes, expected 2"),
        "{}",
        verdict.detail
    );
    assert!(
        verdict
            .detail
            .contains("client rustls received [22] octets, expected [22, 22]"),
        "{}",
        verdict.detail
    );

    // A different suite on the resumed connection.
    let mut other = resumption_log(true, false, true);
    other[4] = other[4].replace("TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384");
    let verdict = judge(&resumption_log(false, false, true), &other);
    assert!(
        verdict
            .detail
            .contains("the ends disagree on the suite (connection 2)"),
        "{}",
        verdict.detail
    );

    // The second connection failed at the client.
    let mut failed = resumption_log(false, false, true)[..3].to_vec();
    failed.push(r#"{"event":"error","conn":2,"kind":"Syscall","message":"reset"}"#.to_owned());
    let failed: Vec<&str> = failed.iter().map(String::as_str).collect();
    let verdict = judge_resumption(
        Version::Tls13,
        &end("client", "rustls", &caps, &failed, false),
        &resumption_end(
            "server",
            "openssl",
            &caps,
            &resumption_log(true, false, true),
        ),
    );
    assert_eq!(verdict.outcome, Outcome::Fail);
    assert!(
        verdict
            .detail
            .starts_with("client rustls: Syscall: reset; client rustls exit code 1"),
        "{}",
        verdict.detail
    );
}

/// An end started with `--async` must report `"mode":"async"` on every handshake (so a
/// cross-mode cell cannot pass with both ends blocking), and a blocking end `blocking`.
#[test]
fn each_end_runs_in_the_mode_planned() {
    let caps = Caps::All;
    let expect = Expect::of(Variant::Basic, Version::Tls13);
    let async_log = |log: &[&str]| -> Vec<String> {
        log.iter()
            .map(|l| l.replace(r#""peer_chain":"#, r#""mode":"async","peer_chain":"#))
            .collect()
    };
    let client_async = async_log(&CLIENT_OK);
    let client_async: Vec<&str> = client_async.iter().map(String::as_str).collect();
    let in_mode = |mut end: End<'static>, mode| {
        end.mode = mode;
        end
    };
    let client = |out: &[&str], mode| in_mode(end("client", "rustls", &Caps::All, out, true), mode);
    let server = end("server", "boring", &caps, &SERVER_OK, true);

    let verdict = judge_pair(expect, &client(&client_async, Mode::Async), &server);
    assert_eq!(verdict.outcome, Outcome::Pass, "{}", verdict.detail);

    // Planned async, ran blocking: the peer was not given --async, or ignored it.
    let verdict = judge_pair(expect, &client(&CLIENT_OK, Mode::Async), &server);
    assert_eq!(verdict.outcome, Outcome::Fail);
    assert_eq!(verdict.detail, "client rustls ran blocking, expected async");

    // And the other way round, at the server, per connection.
    let server_async = async_log(&SERVER_OK);
    let server_async: Vec<&str> = server_async.iter().map(String::as_str).collect();
    let verdict = judge_pair(
        expect,
        &client(&CLIENT_OK, Mode::Blocking),
        &end("server", "boring", &caps, &server_async, true),
    );
    assert_eq!(verdict.detail, "server boring ran async, expected blocking");
    let resumed = resumption_log(true, false, true);
    let resumed: Vec<String> = resumed
        .iter()
        .map(|l| l.replace(r#""peer_chain":"#, r#""mode":"async","peer_chain":"#))
        .collect();
    let verdict = judge_resumption(
        Version::Tls13,
        &resumption_end(
            "client",
            "rustls",
            &caps,
            &resumption_log(false, false, true),
        ),
        &in_mode(
            resumption_end("server", "openssl", &Caps::All, &resumed),
            Mode::Async,
        ),
    );
    assert_eq!(verdict.outcome, Outcome::Pass, "{}", verdict.detail);
    let verdict = judge_resumption(
        Version::Tls13,
        &resumption_end(
            "client",
            "rustls",
            &caps,
            &resumption_log(false, false, true),
        ),
        &resumption_end("server", "openssl", &caps, &resumed),
    );
    assert_eq!(
        verdict.detail,
        "server openssl ran async, expected blocking (connection 1); \
         server openssl ran async, expected blocking (connection 2)"
    );
}
