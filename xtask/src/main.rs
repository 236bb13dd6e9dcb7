//! `cargo xtask`: the project's entry points that need no TLS library.
//!
//! The alias in `.cargo/config.toml` runs this binary. It compiles only itself (std, no
//! TLS crate), so it can check and install the system prerequisites before anything
//! touches OpenSSL or BoringSSL. One module per task:
//!
//! - `prereqs`: C compiler, pkg-config, the `openssl` tool, CA certificates, cmake,
//!   clang/libclang and the OpenSSL headers; installs what is missing with apt-get;
//! - `test`: the whole test suite, the way CI runs it;
//! - `conformance`: the conformance suite, one process per backend, and its report
//!   (`libtest` reads the test output, `outcome` the runner's SPEC §0 verdicts, `spec`
//!   the SPEC's requirement IDs, `report` writes the three report files);
//! - `conformance` also runs the interop matrix (`interop`, one `unitls-peer` process per
//!   end, built per backend by `peer`; `running` bounds every child process), which
//!   `interop` runs alone;
//! - `conformance` and `test` run the dependent crates against real servers
//!   (`integrations`: `unitls-integrations` once per backend);
//! - `peer`: builds `unitls-peer` for one backend and runs it;
//! - `fuzz`: builds the fuzz targets of `fuzz/` and runs them with libFuzzer;
//! - `leaks`: the lifecycle paths under valgrind memcheck, one process per backend;
//! - `codegen`: the generated sections of README.md.
//!
//! `tidy` is not a task but tests: the repository's invariants (file length, docs,
//! references, ARCHITECTURE.md's paths), run by `cargo test -p xtask`.

mod codegen;
mod conformance;
mod declared;
mod flags;
mod fuzz;
mod integrations;
mod interop;
mod leaks;
mod libtest;
mod outcome;
mod peer;
mod prereqs;
mod reliability;
mod report;
mod report_perf;
mod running;
mod spec;
mod test;
mod text;
#[cfg(test)]
mod tidy;
mod validation;
mod workspace;

use std::process::ExitCode;

/// The error of every task: a message for the person at the terminal.
type Error = Box<dyn std::error::Error>;

/// The result of every task.
type Result<T, E = Error> = std::result::Result<T, E>;

/// Parses the command line, runs the task and turns its outcome into an exit status.
fn main() -> ExitCode {
    let task = match flags::parse(std::env::args_os().skip(1)) {
        Ok(task) => task,
        Err(flags::UsageError { message, task }) => {
            eprintln!("error: {message}\n\n{}", flags::usage(task));
            return ExitCode::from(2);
        }
    };
    let result = match task {
        flags::Task::Help(task) => {
            println!("{}", flags::usage(task));
            Ok(())
        }
        flags::Task::Prereqs => prereqs::run(),
        flags::Task::Test => test::run(),
        flags::Task::Conformance(args) => conformance::run(&args),
        flags::Task::Interop(args) => interop::run_task(&args),
        flags::Task::Peer { backend, args } => {
            // The peer's exit status is the task's.
            return peer::run(&backend, &args).unwrap_or_else(|error| {
                eprintln!("error: {error}");
                ExitCode::FAILURE
            });
        }
        flags::Task::Fuzz(args) => fuzz::run(&args),
        flags::Task::Leaks { backends } => leaks::run(&backends),
        flags::Task::Codegen { check } => codegen::run(check),
        flags::Task::Report(args) => report_perf::run(&args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::FAILURE
        }
    }
}
