//! The command line of `cargo xtask`, parsed by hand (no argument-parsing crate).

use std::path::PathBuf;

/// What `cargo xtask` prints for `help` and after a usage error.
pub(crate) const USAGE: &str = "\
usage: cargo xtask <task> [options]

tasks:
  prereqs                       check system prerequisites; install missing ones (root + apt-get)
  test                          prereqs, then every test (cargo test --workspace, and the
                                feature-selection example crate)
  conformance [--backend NAME]... [--out DIR] [--limbo PATH]
                                prereqs, then the conformance suite, one process per backend,
                                then the interop matrix: every client backend x server
                                backend, and the openssl tool, as separate processes (with
                                --backend: only the pairs involving it), then the x509-limbo
                                certificate-validation comparison (corpus: --limbo, else
                                $UNITLS_LIMBO, else ../shared/limbo/limbo.json); writes
                                DIR/report.json, report.md and index.html
                                (default DIR: target/unitls-report)
  interop [--backend NAME]... [--out DIR]
                                the interop matrix alone; writes DIR/interop.json
  peer <backend> [--] ARGS...   build unitls-peer for one backend into
                                target/peer/<backend>/ and run it with ARGS
                                (`cargo xtask peer rustls -- --help`)
  report [--quick] [--backend NAME]... [--out DIR] [--snapshot]
                                the backend comparison benchmarks (cargo bench -p
                                unitls-<backend> --bench compare), one process per backend:
                                unitls against each TLS library used directly, and the
                                crypto ceiling; merges a `performance` section into
                                DIR/report.json, report.md and index.html (--quick: the short
                                plan for CI; --snapshot: also docs/report.json, for codegen)
  codegen [--check]             regenerate README.md's generated sections (capability table;
                                performance table and docs/benchmarks.md's ratio table from
                                docs/report.json); with --check, fail if one is stale
  help                          this text";

/// One parsed `cargo xtask` invocation.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Task {
    /// `help`, `-h`, `--help`, or nothing at all.
    Help,
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
        args: Vec<String>,
    },
    /// `report`: the comparison benchmarks.
    Report(crate::report_perf::ReportArgs),
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

/// Parses the arguments that follow `cargo xtask`.
pub(crate) fn parse(args: impl IntoIterator<Item = String>) -> Result<Task, String> {
    let mut args = args.into_iter();
    let Some(task) = args.next() else {
        return Ok(Task::Help);
    };
    let mut options = Options::new(task.clone(), args);
    let parsed = match task.as_str() {
        "help" | "-h" | "--help" => Task::Help,
        "prereqs" => {
            options.none()?;
            Task::Prereqs
        }
        "test" => {
            options.none()?;
            Task::Test
        }
        "peer" => {
            let rest: Vec<String> = options.rest.by_ref().collect();
            let (backend, args) = match rest.split_first() {
                Some((backend, args)) if !backend.starts_with('-') => (backend.clone(), args),
                _ => return Err("`peer` needs a backend: cargo xtask peer rustls -- ARGS".into()),
            };
            let args = args.strip_prefix(&["--".to_owned()]).unwrap_or(args);
            Task::Peer {
                backend,
                args: args.to_vec(),
            }
        }
        "conformance" | "interop" => {
            let mut parsed = ConformanceArgs::default();
            while let Some(flag) = options.next_flag()? {
                match flag.as_str() {
                    "--backend" => parsed.backends.push(options.value(&flag)?),
                    "--out" => parsed.out = Some(PathBuf::from(options.value(&flag)?)),
                    "--limbo" => parsed.limbo = Some(PathBuf::from(options.value(&flag)?)),
                    _ => return Err(options.unknown(&flag)),
                }
            }
            if task == "interop" {
                Task::Interop(parsed)
            } else {
                Task::Conformance(parsed)
            }
        }
        "report" => {
            let mut parsed = crate::report_perf::ReportArgs::default();
            while let Some(flag) = options.next_flag()? {
                match flag.as_str() {
                    "--quick" => parsed.quick = true,
                    "--snapshot" => parsed.snapshot = true,
                    "--backend" => parsed.backends.push(options.value(&flag)?),
                    "--out" => parsed.out = Some(PathBuf::from(options.value(&flag)?)),
                    _ => return Err(options.unknown(&flag)),
                }
            }
            Task::Report(parsed)
        }
        "codegen" => {
            let mut check = false;
            while let Some(flag) = options.next_flag()? {
                match flag.as_str() {
                    "--check" => check = true,
                    _ => return Err(options.unknown(&flag)),
                }
            }
            Task::Codegen { check }
        }
        other => return Err(format!("unknown task `{other}`")),
    };
    options.finish()?;
    Ok(parsed)
}

/// The arguments after the task name, with `--flag=value` split in two.
struct Options<I> {
    /// The task, for messages.
    task: String,
    /// The arguments not read yet.
    rest: I,
    /// The value of a `--flag=value` whose flag was just returned.
    pending: Option<String>,
}

impl<I: Iterator<Item = String>> Options<I> {
    /// Wraps the arguments that follow `task`.
    fn new(task: String, rest: I) -> Self {
        Self {
            task,
            rest,
            pending: None,
        }
    }

    /// The next flag, or `None` at the end; a bare word is an error.
    fn next_flag(&mut self) -> Result<Option<String>, String> {
        if let Some(value) = self.pending.take() {
            return Err(format!("`{}` takes no value (got `{value}`)", self.task));
        }
        let Some(arg) = self.rest.next() else {
            return Ok(None);
        };
        if !arg.starts_with("--") {
            return Err(format!("unexpected argument `{arg}` for `{}`", self.task));
        }
        match arg.split_once('=') {
            Some((flag, value)) => {
                self.pending = Some(value.to_owned());
                Ok(Some(flag.to_owned()))
            }
            None => Ok(Some(arg)),
        }
    }

    /// The value of `flag`: after `=`, or the next argument.
    fn value(&mut self, flag: &str) -> Result<String, String> {
        self.pending
            .take()
            .or_else(|| self.rest.next())
            .filter(|value| !value.is_empty())
            .ok_or_else(|| format!("`{flag}` needs a value"))
    }

    /// Fails on any further argument (for tasks without options).
    fn none(&mut self) -> Result<(), String> {
        match self.next_flag()? {
            Some(flag) => Err(self.unknown(&flag)),
            None => Ok(()),
        }
    }

    /// The message for a flag the task does not know.
    fn unknown(&self, flag: &str) -> String {
        format!("unknown option `{flag}` for `{}`", self.task)
    }

    /// Fails if a flag that takes no value was given one (`--check=yes`).
    fn finish(mut self) -> Result<(), String> {
        match self.pending.take() {
            Some(value) => Err(format!("unexpected value `{value}` for `{}`", self.task)),
            None => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Parses a command line written as one string.
    fn parse_str(line: &str) -> Result<Task, String> {
        parse(line.split_whitespace().map(str::to_owned))
    }

    #[test]
    fn tasks_and_options() {
        assert_eq!(parse_str(""), Ok(Task::Help));
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
                    .map(String::from)
                    .to_vec(),
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
    fn usage_errors() {
        assert!(parse_str("frobnicate").is_err());
        assert!(parse_str("conformance --backend").is_err());
        assert!(parse_str("conformance rustls").is_err());
        assert!(parse_str("codegen --check=yes").is_err());
        assert!(parse_str("test --verbose").is_err());
    }
}
