//! The command line of `cargo xtask`, parsed with `lexopt` (CONTRIBUTING.md says why).

use std::ffi::OsString;
use std::path::PathBuf;

use lexopt::prelude::*;
use lexopt::Parser;

/// Every task: its name, its synopsis, and what it does (lines, unindented). The usage
/// texts are made from this table: all of it for `cargo xtask --help`, one row for
/// `cargo xtask <task> --help`.
const TASKS: [(&str, &str, &str); 10] = [
    (
        "prereqs",
        "prereqs",
        "check system prerequisites; install missing ones (root + apt-get)",
    ),
    (
        "test",
        "test",
        "prereqs, then every test (cargo test --workspace, and the\n\
         feature-selection example crate)",
    ),
    (
        "conformance",
        "conformance [--backend NAME]... [--out DIR] [--limbo PATH]",
        "prereqs, then the conformance suite, one process per backend,\n\
         then the interop matrix: every client backend x server\n\
         backend, and the openssl tool, as separate processes (with\n\
         --backend: only the pairs involving it), then the x509-limbo\n\
         certificate-validation comparison (corpus: --limbo, else\n\
         $UNITLS_LIMBO, else ../shared/limbo/limbo.json); writes\n\
         DIR/report.json, report.md and index.html\n\
         (default DIR: target/unitls-report)",
    ),
    (
        "interop",
        "interop [--backend NAME]... [--out DIR]",
        "the interop matrix alone; writes DIR/interop.json",
    ),
    (
        "peer",
        "peer <backend> [--] ARGS...",
        "build unitls-peer (the peer/ crate) for one backend\n\
         into target/peer/<backend>/ and run it with ARGS\n\
         (`cargo xtask peer rustls -- --help`)",
    ),
    (
        "report",
        "report [--quick] [--backend NAME]... [--out DIR] [--snapshot]",
        "the backend comparison benchmarks (cargo bench -p\n\
         unitls-<backend> --bench compare), one process per backend:\n\
         unitls against each TLS library used directly, and the\n\
         crypto ceiling; merges a `performance` section into\n\
         DIR/report.json, report.md and index.html (--quick: the short\n\
         plan for CI; --snapshot: also docs/report.json, for codegen)",
    ),
    (
        "fuzz",
        "fuzz [--smoke] [--target NAME]... [--seconds N] [--jobs N]",
        "build the fuzz targets of fuzz/ with coverage instrumentation\n\
         (plain cargo, stable compiler, into <target dir>/fuzz) and run\n\
         them with libFuzzer, N seconds each (default 60), all at once\n\
         (--jobs: N at a time); writes target/unitls-fuzz.json\n\
         (--smoke: CI's run, the Conn targets and the rustls server's\n\
         first flight, 30 s each)",
    ),
    (
        "leaks",
        "leaks [--backend NAME]...",
        "every lifecycle path (attach, detach, close, Drop, failed\n\
         attach, handshake timeout, hostile peer) under valgrind\n\
         memcheck, one process per backend; fails on a definitely-lost\n\
         byte; writes target/unitls-leaks.json",
    ),
    (
        "codegen",
        "codegen [--check]",
        "regenerate README.md's generated sections (capability table;\n\
         performance table and docs/benchmarks.md's ratio table from\n\
         docs/report.json); with --check, fail if one is stale",
    ),
    (
        "help",
        "help [TASK]",
        "this text, or TASK's (also `cargo xtask TASK --help`)",
    ),
];

/// Where the description starts in the list of tasks.
const ABOUT_COLUMN: usize = 32;

/// The usage text: of every task (`None`), or of one.
pub(crate) fn usage(task: Option<&str>) -> String {
    if let Some((_, synopsis, about)) = task.and_then(|t| TASKS.iter().find(|row| row.0 == t)) {
        return format!("usage: cargo xtask {synopsis}\n\n{about}");
    }
    let mut text = String::from("usage: cargo xtask <task> [options]\n\ntasks:");
    for (_, synopsis, about) in TASKS {
        let mut lines = about.lines();
        let head = format!("  {synopsis}");
        if head.len() < ABOUT_COLUMN {
            let first = lines.next().unwrap_or_default();
            text.push_str(&format!("\n{head:ABOUT_COLUMN$}{first}"));
        } else {
            text.push('\n');
            text.push_str(&head);
        }
        for line in lines {
            text.push_str(&format!("\n{:ABOUT_COLUMN$}{line}", ""));
        }
    }
    text
}

/// One parsed `cargo xtask` invocation.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Task {
    /// `help`, `-h`, `--help`, or nothing at all (`None`: every task); `help TASK` or
    /// `TASK --help` (that task).
    Help(Option<&'static str>),
    /// `prereqs`.
    Prereqs,
    /// `test`.
    Test,
    /// `conformance`.
    Conformance(ConformanceArgs),
    /// `interop`: the matrix alone.
    Interop(ConformanceArgs),
    /// `peer <backend> [--] ARGS...`.
    Peer {
        /// The backend to build the peer for.
        backend: String,
        /// The peer's own arguments, passed through untouched.
        args: Vec<OsString>,
    },
    /// `report`: the comparison benchmarks.
    Report(crate::report_perf::ReportArgs),
    /// `fuzz`: the fuzz targets.
    Fuzz(crate::fuzz::FuzzArgs),
    /// `leaks`: the lifecycle paths under valgrind, for these backends (empty: all).
    Leaks {
        /// The backends (`--backend`, repeatable).
        backends: Vec<String>,
    },
    /// `codegen`.
    Codegen {
        /// Compare instead of rewriting.
        check: bool,
    },
}

/// The options of `cargo xtask conformance`.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct ConformanceArgs {
    /// The backends to run (`--backend`, repeatable); empty means every backend crate.
    /// The interop matrix then runs only the pairs involving one of them.
    pub(crate) backends: Vec<String>,
    /// Where the report goes (`--out`); `None` means `target/unitls-report`.
    pub(crate) out: Option<PathBuf>,
    /// The x509-limbo corpus (`--limbo`); `None`: `$UNITLS_LIMBO`, else
    /// `../shared/limbo/limbo.json` beside the workspace.
    pub(crate) limbo: Option<PathBuf>,
}

/// A usage error: what was wrong, and the task whose usage goes with it (`None`: all).
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct UsageError {
    /// What was wrong.
    pub(crate) message: String,
    /// The task it was in, if it got that far.
    pub(crate) task: Option<&'static str>,
}

/// Parses the arguments that follow `cargo xtask`.
pub(crate) fn parse<I>(args: I) -> Result<Task, UsageError>
where
    I: IntoIterator,
    I::Item: Into<OsString>,
{
    let mut parser = Parser::from_args(args);
    let general = |message: String| UsageError {
        message,
        task: None,
    };
    let name = match parser.next().map_err(|e| general(e.to_string()))? {
        None | Some(Long("help") | Short('h')) => return Ok(Task::Help(None)),
        Some(Value(name)) => name.string().map_err(|e| general(e.to_string()))?,
        Some(other) => return Err(general(unexpected(other, None))),
    };
    let Some(&(task, _, _)) = TASKS.iter().find(|row| row.0 == name) else {
        return Err(general(format!("unknown task `{name}`")));
    };
    let in_task = |message: String| UsageError {
        message,
        task: Some(task),
    };
    let parsed = match task {
        // A mistake after `help` is answered with the whole usage.
        "help" => return help(&mut parser).map_err(general),
        "peer" => peer(&mut parser),
        _ => options(task, &mut parser),
    };
    match parsed {
        Ok(Parsed::Task(parsed)) => Ok(parsed),
        Ok(Parsed::Help) => Ok(Task::Help(Some(task))),
        Err(message) => Err(in_task(message)),
    }
}

/// What a task's parser found: the task, or that `--help` was asked for.
enum Parsed {
    /// The task with its options.
    Task(Task),
    /// `--help` or `-h` among the options.
    Help,
}

/// `help [TASK]`.
fn help(parser: &mut Parser) -> Result<Task, String> {
    let topic = match parser.next().map_err(|e| e.to_string())? {
        None => None,
        Some(Long("help") | Short('h')) => Some("help"),
        Some(Value(name)) => {
            let name = name.to_string_lossy();
            let row = TASKS.iter().find(|row| row.0 == name);
            Some(row.ok_or_else(|| format!("unknown task `{name}`"))?.0)
        }
        Some(other) => return Err(unexpected(other, Some("help"))),
    };
    if let Some(extra) = parser.next().map_err(|e| e.to_string())? {
        return Err(unexpected(extra, Some("help")));
    }
    Ok(Task::Help(topic))
}

/// `peer <backend> [--] ARGS...`: everything after the backend (but a first `--`) goes
/// to the peer untouched, `--help` included.
fn peer(parser: &mut Parser) -> Result<Parsed, String> {
    let backend = match parser.next().map_err(|e| e.to_string())? {
        Some(Long("help") | Short('h')) => return Ok(Parsed::Help),
        Some(Value(backend)) => backend.string().map_err(|e| e.to_string())?,
        _ => return Err("`peer` needs a backend: cargo xtask peer rustls -- ARGS".into()),
    };
    let mut args: Vec<OsString> = parser.raw_args().map_err(|e| e.to_string())?.collect();
    if args.first().is_some_and(|first| first == "--") {
        args.remove(0);
    }
    Ok(Parsed::Task(Task::Peer { backend, args }))
}

/// The tasks made of options only: `prereqs`, `test`, `conformance`, `interop`, `report`,
/// `fuzz`, `leaks`, `codegen`.
fn options(task: &str, parser: &mut Parser) -> Result<Parsed, String> {
    let mut conformance = ConformanceArgs::default();
    let mut fuzz = crate::fuzz::FuzzArgs::default();
    let mut report = crate::report_perf::ReportArgs::default();
    let mut check = false;
    while let Some(arg) = parser.next().map_err(|e| e.to_string())? {
        match (task, arg) {
            (_, Long("help") | Short('h')) => return Ok(Parsed::Help),
            ("conformance" | "interop", Long("backend")) => {
                conformance.backends.push(value(parser, "backend")?);
            }
            ("conformance" | "interop", Long("out")) => {
                conformance.out = Some(value(parser, "out")?.into());
            }
            // `interop` has always taken (and ignored) `--limbo` too.
            ("conformance" | "interop", Long("limbo")) => {
                conformance.limbo = Some(value(parser, "limbo")?.into());
            }
            ("report", Long("quick")) => report.quick = true,
            ("report", Long("snapshot")) => report.snapshot = true,
            ("report", Long("backend")) => report.backends.push(value(parser, "backend")?),
            ("report", Long("out")) => report.out = Some(value(parser, "out")?.into()),
            ("fuzz", Long("smoke")) => fuzz.smoke = true,
            ("fuzz", Long("target")) => fuzz.targets.push(value(parser, "target")?),
            ("fuzz", Long("seconds")) => fuzz.seconds = Some(number(parser, "seconds")?),
            ("fuzz", Long("jobs")) => fuzz.jobs = Some(number(parser, "jobs")?),
            ("leaks", Long("backend")) => conformance.backends.push(value(parser, "backend")?),
            ("codegen", Long("check")) => check = true,
            (_, other) => return Err(unexpected(other, Some(task))),
        }
    }
    Ok(Parsed::Task(match task {
        "prereqs" => Task::Prereqs,
        "test" => Task::Test,
        "conformance" => Task::Conformance(conformance),
        "interop" => Task::Interop(conformance),
        "report" => Task::Report(report),
        "fuzz" => Task::Fuzz(fuzz),
        "leaks" => Task::Leaks {
            backends: conformance.backends,
        },
        _ => Task::Codegen { check },
    }))
}

/// The value of `--flag`: after `=`, or the next argument; never empty.
fn value(parser: &mut Parser, flag: &str) -> Result<String, String> {
    parser
        .value()
        .ok()
        .and_then(|value| value.into_string().ok())
        .filter(|value| !value.is_empty())
        .ok_or_else(|| format!("`--{flag}` needs a value"))
}

/// The value of `--flag` as a positive number.
fn number<N: std::str::FromStr + Default + PartialEq>(
    parser: &mut Parser,
    flag: &str,
) -> Result<N, String> {
    let text = value(parser, flag)?;
    match text.parse::<N>() {
        Ok(n) if n != N::default() => Ok(n),
        _ => Err(format!("`--{flag}` needs a positive number, not `{text}`")),
    }
}

/// The message for an argument the task does not take.
fn unexpected(arg: lexopt::Arg<'_>, task: Option<&str>) -> String {
    let what = match arg {
        Long(flag) => format!("unknown option `--{flag}`"),
        Short(flag) => format!("unknown option `-{flag}`"),
        Value(value) => format!("unexpected argument `{}`", value.to_string_lossy()),
    };
    match task {
        Some(task) => format!("{what} for `{task}`"),
        None => what,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Parses a command line written as one string.
    fn parse_str(line: &str) -> Result<Task, UsageError> {
        parse(line.split_whitespace())
    }

    #[test]
    fn tasks_and_options() {
        assert_eq!(parse_str(""), Ok(Task::Help(None)));
        assert_eq!(parse_str("prereqs"), Ok(Task::Prereqs));
        assert_eq!(
            parse_str("codegen --check"),
            Ok(Task::Codegen { check: true })
        );
        assert_eq!(
            parse_str("conformance --backend rustls --backend=openssl --out=/tmp/r --limbo l.json"),
            Ok(Task::Conformance(ConformanceArgs {
                backends: vec!["rustls".into(), "openssl".into()],
                out: Some("/tmp/r".into()),
                limbo: Some("l.json".into()),
            }))
        );
        assert_eq!(
            parse_str("report --quick --backend boring --snapshot"),
            Ok(Task::Report(crate::report_perf::ReportArgs {
                quick: true,
                backends: vec!["boring".into()],
                out: None,
                snapshot: true,
            }))
        );
    }

    #[test]
    fn fuzz_and_leaks_options() {
        assert_eq!(
            parse_str("fuzz --smoke"),
            Ok(Task::Fuzz(crate::fuzz::FuzzArgs {
                smoke: true,
                ..Default::default()
            }))
        );
        assert_eq!(
            parse_str(
                "fuzz --target conn_handshake --target=conn_established --seconds 600 --jobs 1"
            ),
            Ok(Task::Fuzz(crate::fuzz::FuzzArgs {
                smoke: false,
                targets: vec!["conn_handshake".into(), "conn_established".into()],
                seconds: Some(600),
                jobs: Some(1),
            }))
        );
        assert!(parse_str("fuzz --seconds 0").is_err());
        assert!(parse_str("fuzz --seconds ten").is_err());
        assert_eq!(
            parse_str("leaks --backend boring"),
            Ok(Task::Leaks {
                backends: vec!["boring".into()],
            })
        );
        assert_eq!(parse_str("leaks"), Ok(Task::Leaks { backends: vec![] }));
    }

    #[test]
    fn peer_arguments_pass_through() {
        assert_eq!(
            parse_str("peer rustls -- --version"),
            Ok(Task::Peer {
                backend: "rustls".into(),
                args: vec!["--version".into()],
            })
        );
        assert_eq!(
            parse_str("peer boring client --connect x:1 -- y"),
            Ok(Task::Peer {
                backend: "boring".into(),
                args: ["client", "--connect", "x:1", "--", "y"]
                    .map(OsString::from)
                    .to_vec(),
            })
        );
        assert_eq!(
            parse_str("peer openssl --help"),
            Ok(Task::Peer {
                backend: "openssl".into(),
                args: vec!["--help".into()],
            })
        );
        assert!(parse_str("peer").is_err());
        assert!(parse_str("peer --version").is_err());
        assert_eq!(
            parse_str("interop --backend boring"),
            Ok(Task::Interop(ConformanceArgs {
                backends: vec!["boring".into()],
                out: None,
                limbo: None,
            }))
        );
    }

    #[test]
    fn help_for_every_task() {
        for line in ["--help", "-h", "help"] {
            assert_eq!(parse_str(line), Ok(Task::Help(None)));
        }
        for (task, synopsis, _) in TASKS {
            assert_eq!(
                parse_str(&format!("{task} --help")),
                Ok(Task::Help(Some(task)))
            );
            assert!(usage(Some(task)).starts_with(&format!("usage: cargo xtask {synopsis}\n")));
            assert!(usage(None).contains(&format!("\n  {synopsis}")));
        }
        assert_eq!(parse_str("help peer"), Ok(Task::Help(Some("peer"))));
        assert_eq!(
            parse_str("conformance --out x -h"),
            Ok(Task::Help(Some("conformance")))
        );
        assert!(parse_str("help frobnicate").is_err());
        // The list keeps its columns.
        assert!(
            usage(None).contains("\n  prereqs                       check system prerequisites")
        );
        assert!(usage(None).contains("\n  peer <backend> [--] ARGS...   build unitls-peer"));
    }

    #[test]
    fn usage_errors() {
        let error = parse_str("frobnicate").unwrap_err();
        assert_eq!(error.task, None);
        assert!(parse_str("conformance --backend").is_err());
        assert!(parse_str("conformance --backend=").is_err());
        let error = parse_str("conformance rustls").unwrap_err();
        assert_eq!(error.task, Some("conformance"));
        assert_eq!(
            error.message,
            "unexpected argument `rustls` for `conformance`"
        );
        assert!(parse_str("codegen --check=yes").is_err());
        let error = parse_str("test --verbose").unwrap_err();
        assert_eq!(error.message, "unknown option `--verbose` for `test`");
    }
}
