//! One run of a case in a process of its own, for what measures the whole process
//! (resident memory, SPEC REL-2): other cases running beside it in the test binary
//! would move the figure.
//!
//! The case's body calls [`in_child`], which runs the test binary again with
//! `--exact <case id>` and [`ALONE_ENV`] naming the run; the child's [`run_case`]
//! sees it (`run_if_child`), runs that one run's body — which knows it is the child
//! by [`is_child`] — and exits. The child writes its results as lines to the file
//! named by [`ALONE_OUT_ENV`].
//!
//! [`run_case`]: crate::run_case

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::{Case, Harness, NativeFixtures, TransportKind};

/// Names the run a child process is to do: `<case id>/<tcp|memory>/<blocking|async>`.
pub const ALONE_ENV: &str = "UNITLS_ALONE";

/// The file a child writes its result lines to.
pub const ALONE_OUT_ENV: &str = "UNITLS_ALONE_OUT";

/// Whether this process is a child running one case alone.
pub fn is_child() -> bool {
    std::env::var_os(ALONE_ENV).is_some()
}

/// The run `h` stands for, as [`ALONE_ENV`] spells it.
fn run_name(id: &str, h: &Harness) -> String {
    let mode = match h.async_run {
        Some(_) => "async",
        None => "blocking",
    };
    format!("{id}/{}/{mode}", crate::figures::transport_name(h.kind))
}

/// In a child process started by [`in_child`] for `case`: runs the one run it names
/// and exits the process (status 0 when the body returned, 101 when it panicked, with
/// the panic's text on stderr). Anywhere else, returns at once.
pub(crate) fn run_if_child(
    backend: &'static str,
    natives: &'static dyn NativeFixtures,
    case: &Case,
) {
    let Some(name) = std::env::var_os(ALONE_ENV) else {
        return;
    };
    let name = name.to_string_lossy().into_owned();
    let mut parts = name.split('/');
    if parts.next() != Some(case.id) {
        return;
    }
    let kind = match parts.next() {
        Some("memory") => TransportKind::Memory,
        _ => TransportKind::Tcp,
    };
    let mut harness = Harness::new(backend, kind, natives);
    if parts.next() == Some("async") {
        harness = harness.in_async_mode();
    }
    let run = case.run;
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| run(&harness)));
    drop(harness);
    match result {
        Ok(()) => std::process::exit(0),
        Err(panic) => {
            eprintln!("{}", crate::outcome::panic_text(&*panic));
            std::process::exit(101);
        }
    }
}

/// Runs `h`'s run of case `id` in a child process (the test binary again, only that
/// case), with `env` added, for at most `limit`; the lines the child wrote to its
/// result file, or why it failed.
pub fn in_child(
    h: &Harness,
    id: &str,
    env: &[(&str, String)],
    limit: Duration,
) -> Result<Vec<String>, String> {
    let exe = std::env::current_exe().map_err(|e| format!("the test binary: {e}"))?;
    let out = std::env::temp_dir().join(format!(
        "unitls-alone-{}-{}-{}.jsonl",
        std::process::id(),
        h.backend,
        run_name(id, h).replace('/', "-")
    ));
    let _ = std::fs::remove_file(&out);
    let err_path = out.with_extension("stderr");
    let err_file =
        std::fs::File::create(&err_path).map_err(|e| format!("{}: {e}", err_path.display()))?;
    let mut command = Command::new(exe);
    command
        .args([id, "--exact", "--test-threads=1", "--nocapture"])
        .env(ALONE_ENV, run_name(id, h))
        .env(ALONE_OUT_ENV, &out)
        // The parent records outcomes and figures; the child only measures.
        .env_remove("UNITLS_OUTCOME_FILE")
        .env_remove(crate::figures::RELIABILITY_ENV)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(err_file);
    for (key, value) in env {
        command.env(key, value);
    }
    let mut child = command
        .spawn()
        .map_err(|e| format!("starting the child: {e}"))?;
    let until = Instant::now() + limit;
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if Instant::now() < until => std::thread::sleep(Duration::from_millis(20)),
            Ok(None) => {
                let _ = child.kill();
                let _ = child.wait();
                let _ = std::fs::remove_file(&out);
                let _ = std::fs::remove_file(&err_path);
                return Err(format!("the child did not finish within {limit:?}"));
            }
            Err(e) => return Err(format!("waiting for the child: {e}")),
        }
    };
    let stderr = std::fs::read_to_string(&err_path).unwrap_or_default();
    let _ = std::fs::remove_file(&err_path);
    let lines = std::fs::read_to_string(&out).unwrap_or_default();
    let _ = std::fs::remove_file(&out);
    if !status.success() {
        return Err(format!("the child failed ({status}): {}", stderr.trim()));
    }
    Ok(lines.lines().map(str::to_owned).collect())
}
