use super::*;

/// A libtest result.
fn test(id: &str, status: TestStatus, output: Option<&str>) -> TestResult {
    TestResult {
        id: id.into(),
        status,
        output: output.map(Into::into),
    }
}

/// A recorded verdict.
fn recorded(id: &str, outcome: Outcome, detail: &str) -> Recorded {
    Recorded {
        backend: "rustls".into(),
        id: id.into(),
        spec: vec![format!("X-{}", id.len())],
        mode: Mode::Blocking,
        outcome,
        detail: detail.into(),
    }
}

#[test]
fn outcome_words_round_trip() {
    for outcome in Outcome::ALL {
        let word = serde_json::Value::from(outcome.as_str());
        assert_eq!(serde_json::from_value::<Outcome>(word).ok(), Some(outcome));
    }
    assert!(serde_json::from_value::<Outcome>("ignored".into()).is_err());
}

#[test]
fn outcome_file_is_read() {
    let text = concat!(
        r#"{"backend":"openssl","library":"OpenSSL 3.0.19 27 Jan 2026","crate":"unitls-openssl 0.1.0","deviations":[{"spec":"PROTO-9","limitation":"ignores \"x\""}]}"#,
        "\n",
        r#"{"backend":"openssl","id":"attach_1_already_attached","spec":["ATTACH-1"],"outcome":"pass","detail":""}"#,
        "\n",
        r#"{"backend":"openssl","id":"proto_8_10_alpn","spec":["PROTO-8","PROTO-9"],"outcome":"deviation","detail":"PROTO-9: no alert"}"#,
        "\n",
        r#"{"backend":"rustls","id":"stray","spec":[],"outcome":"pass","detail":""}"#,
        "\n",
        "not json\n",
        r#"{"backend":"openssl","id":"x","spec":[],"outcome":"maybe","detail":""}"#,
        "\n",
        r#"{"backend":"openssl","id":"proto_8_10_alpn","spec":["PROTO-8"],"outcome":"pass"}"#,
        "\n",
        r#"{"backend":"openssl","id":"key_2_pkcs12","spec":["KEY-2"],"outcome":"unsupp"#,
    );
    let mut log = OutcomeLog::new("openssl");
    // Fed in awkward pieces, as a file read while it is being written.
    for chunk in text.as_bytes().chunks(7) {
        log.feed(chunk);
    }
    assert_eq!(log.cases.len(), 2);
    log.feed(b"orted\",\"detail\":\"Pkcs12 not declared\"}");
    assert_eq!(log.cases.len(), 2, "a line without its newline waits");
    log.finish();
    let info = log.info.as_ref().unwrap();
    assert_eq!(info.library, "OpenSSL 3.0.19 27 Jan 2026");
    assert_eq!(info.crate_version, "unitls-openssl 0.1.0");
    assert_eq!(
        info.deviations,
        [Deviation {
            spec: "PROTO-9".into(),
            limitation: "ignores \"x\"".into()
        }]
    );
    assert_eq!(log.cases.len(), 3);
    assert_eq!(log.cases[0].outcome, Outcome::Pass);
    assert_eq!(log.cases[0].detail, "");
    // The duplicate pass did not replace the deviation (only a failure would).
    let alpn = log.get("proto_8_10_alpn").unwrap();
    assert_eq!(alpn.outcome, Outcome::Deviation);
    let pkcs12 = log.get("key_2_pkcs12").unwrap();
    assert_eq!(pkcs12.outcome, Outcome::Unsupported);
    assert_eq!(pkcs12.detail, "Pkcs12 not declared");
    assert_eq!(log.warnings.len(), 4, "{:#?}", log.warnings);
    assert!(log.warnings[0].contains("backend `rustls`"));
    assert!(log.warnings[1].contains("not json"));
    assert!(log.warnings[2].contains("unknown variant `maybe`"));
    assert!(log.warnings[3].contains("recorded twice"));
}

#[test]
fn a_recorded_failure_wins() {
    let mut log = OutcomeLog::new("rustls");
    log.feed(
        concat!(
            r#"{"backend":"rustls","id":"a","spec":[],"outcome":"fail","detail":"boom"}"#,
            "\n",
            r#"{"backend":"rustls","id":"a","spec":[],"outcome":"pass","detail":""}"#,
            "\n",
            r#"{"backend":"rustls","id":"b","spec":[],"outcome":"pass","detail":""}"#,
            "\n",
            r#"{"backend":"rustls","id":"b","spec":[],"outcome":"fail","detail":"late"}"#,
            "\n",
        )
        .as_bytes(),
    );
    assert_eq!(log.get("a").unwrap().outcome, Outcome::Fail);
    assert_eq!(log.get("b").unwrap().detail, "late");
}

#[test]
fn runner_verdicts_stand_and_libtest_failures_fail() {
    let tests = [
        test("pass", TestStatus::Ok, None),
        test("unsupported", TestStatus::Ok, None),
        test("deviation", TestStatus::Ok, None),
        test(
            "judged_fail",
            TestStatus::Failed,
            Some("judged_fail on x: boom\nmore"),
        ),
        test(
            "panic_outside",
            TestStatus::Failed,
            Some("thread panicked at setup"),
        ),
        test("silent_fail", TestStatus::Failed, None),
        test("contradiction", TestStatus::Failed, Some("late panic")),
        test("unrecorded", TestStatus::Ok, None),
        test("ignored", TestStatus::Ignored, None),
    ];
    let recorded = [
        recorded("pass", Outcome::Pass, ""),
        recorded("unsupported", Outcome::Unsupported, "Pkcs12 not declared"),
        recorded("deviation", Outcome::Deviation, "PROTO-9: no alert"),
        recorded("judged_fail", Outcome::Fail, "boom"),
        recorded("contradiction", Outcome::Pass, ""),
        recorded("crashed_later", Outcome::Deviation, "seen"),
    ];
    let cases = merge(&tests, &recorded);
    let by_id = |id: &str| cases.iter().find(|c| c.id == id).unwrap();
    let ids: Vec<&str> = cases.iter().map(|c| c.id.as_str()).collect();
    let mut sorted = ids.clone();
    sorted.sort_unstable();
    assert_eq!(ids, sorted);
    assert_eq!(cases.len(), 10);

    assert_eq!(by_id("pass").outcome, Outcome::Pass);
    assert_eq!(by_id("pass").spec, ["X-4"]);
    assert_eq!(by_id("unsupported").outcome, Outcome::Unsupported);
    assert_eq!(by_id("unsupported").detail, "Pkcs12 not declared");
    assert_eq!(by_id("deviation").outcome, Outcome::Deviation);
    assert_eq!(by_id("crashed_later").outcome, Outcome::Deviation);

    let judged = by_id("judged_fail");
    assert_eq!(
        (judged.outcome, judged.detail.as_str()),
        (Outcome::Fail, "boom")
    );
    assert_eq!(
        judged.output.as_deref(),
        Some("judged_fail on x: boom\nmore")
    );
    let outside = by_id("panic_outside");
    assert_eq!(outside.outcome, Outcome::Fail);
    assert_eq!(outside.detail, "thread panicked at setup");
    assert!(outside.spec.is_empty());
    assert_eq!(by_id("silent_fail").outcome, Outcome::Fail);
    assert!(by_id("silent_fail").detail.contains("no output captured"));
    let contradiction = by_id("contradiction");
    assert_eq!(contradiction.outcome, Outcome::Fail);
    assert!(contradiction.detail.contains("recorded `pass`"));
    assert!(contradiction.detail.ends_with("late panic"));
    assert_eq!(by_id("unrecorded").outcome, Outcome::Fail);
    assert_eq!(by_id("ignored").outcome, Outcome::Fail);
}

#[test]
fn identical_output_is_not_repeated() {
    let cases = merge(
        &[test("a", TestStatus::Failed, Some("boom\n"))],
        &[recorded("a", Outcome::Fail, "boom")],
    );
    assert_eq!(cases[0].output, None);
}

#[test]
fn missing_cases_fail() {
    let mut cases = merge(
        &[test("b", TestStatus::Ok, None)],
        &[recorded("b", Outcome::Pass, "")],
    );
    let expected = [
        ("a".to_owned(), vec!["A-1".to_owned()]),
        ("b".to_owned(), vec!["X-1".to_owned()]),
    ];
    add_missing(&mut cases, &expected, "never reported");
    assert_eq!(cases.len(), 2);
    assert_eq!(cases[0].id, "a");
    assert_eq!(cases[0].outcome, Outcome::Fail);
    assert_eq!(cases[0].spec, ["A-1"]);
    assert_eq!(cases[0].detail, "never reported");
    assert_eq!(cases[1].outcome, Outcome::Pass);
}

#[test]
fn library_strings_are_split() {
    let split = |s: &str| {
        let (name, version) = split_library(s);
        (name, version.unwrap_or_default())
    };
    assert_eq!(
        split("OpenSSL 3.0.19 27 Jan 2026"),
        ("OpenSSL".into(), "3.0.19".into())
    );
    assert_eq!(
        split("rustls 0.23 (aws-lc-rs)"),
        ("rustls".into(), "0.23 (aws-lc-rs)".into())
    );
    assert_eq!(
        split("OpenSSL 1.1.1 (compatible; BoringSSL)"),
        ("OpenSSL".into(), "1.1.1 (compatible; BoringSSL)".into())
    );
    assert_eq!(
        split("native-tls 0.2 (OpenSSL 3.0.19 27 Jan 2026) trailing"),
        (
            "native-tls".into(),
            "0.2 (OpenSSL 3.0.19 27 Jan 2026)".into()
        )
    );
    assert_eq!(
        split("Secure Transport v10.1"),
        ("Secure Transport".into(), "v10.1".into())
    );
    assert_eq!(split_library("BoringSSL"), ("BoringSSL".into(), None));
    assert_eq!(split_library("3.0 only"), ("3.0 only".into(), None));
}

#[test]
fn a_case_run_in_both_modes_gives_a_row_per_mode() {
    let async_pass = Recorded {
        mode: Mode::Async,
        ..recorded("rec_1", Outcome::Pass, "")
    };
    let blocking_pass = recorded("rec_1", Outcome::Pass, "");
    let rows = merge(
        &[test("rec_1", TestStatus::Ok, None)],
        &[async_pass.clone(), blocking_pass.clone()],
    );
    let labels: Vec<String> = rows.iter().map(CaseResult::label).collect();
    assert_eq!(labels, ["rec_1", "rec_1 (async)"]);
    assert!(rows.iter().all(|r| r.outcome == Outcome::Pass));
    // The async row failed: libtest's FAILED is that row's, the blocking row passes.
    let async_fail = Recorded {
        mode: Mode::Async,
        ..recorded("rec_1", Outcome::Fail, "in the tokio mode: broken")
    };
    let rows = merge(
        &[test("rec_1", TestStatus::Failed, Some("panicked"))],
        &[blocking_pass, async_fail],
    );
    assert_eq!(rows[0].outcome, Outcome::Pass);
    assert_eq!(rows[1].outcome, Outcome::Fail);
    assert_eq!(rows[1].mode, Mode::Async);
}

#[test]
fn a_case_line_per_mode_is_not_a_repeat() {
    let mut log = OutcomeLog::new("rustls");
    log.feed(
        concat!(
            r#"{"backend":"rustls","id":"rec_1","spec":["REC-1"],"mode":"blocking","outcome":"pass","detail":""}"#,
            "\n",
            r#"{"backend":"rustls","id":"rec_1","spec":["REC-1"],"mode":"async","outcome":"pass","detail":""}"#,
            "\n",
        )
        .as_bytes(),
    );
    assert_eq!(log.cases.len(), 2, "{:?}", log.warnings);
    assert!(log.warnings.is_empty(), "{:?}", log.warnings);
    assert_eq!(log.get("rec_1").map(|r| r.mode), Some(Mode::Blocking));
}
