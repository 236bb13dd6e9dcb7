//! `unitls-integrations`: tokio-postgres (through `unitls-postgres`) and hyper
//! (through `unitls-hyper`) over one unitls backend, against real servers started
//! here on loopback — a PostgreSQL cluster, nginx, and `curl` against a hyper server
//! (SPEC INTEG). Built once per backend with cargo features, like the suite; run by
//! `cargo xtask conformance` and `cargo xtask test`.
//!
//! Prints one line per scenario, writes the records (JSON lines,
//! `unitls_model::integration`) to `--out`, and exits with failure when any scenario
//! failed. A scenario the backend cannot do (`Unsupported`, its declared capability)
//! is not a failure.

mod curl_cases;
mod nginx_cases;
mod pki;
mod postgres_cases;
mod scenario;
mod servers;

use std::path::PathBuf;
use std::process::ExitCode;

use unitls_model::integration::{IntegrationOutcome, IntegrationRecord};

use crate::pki::PkiFiles;
use crate::scenario::Recorder;
use crate::servers::nginx::Nginx;
use crate::servers::postgres::Postgres;

/// What the command line asks for.
struct Args {
    /// Where to write the records as JSON lines.
    out: Option<PathBuf>,
}

const USAGE: &str = "\
usage: unitls-integrations [--out FILE]

Runs tokio-postgres and hyper over this build's unitls backend against a PostgreSQL
cluster, nginx and curl started on loopback (SPEC INTEG). Needs the Debian packages
postgresql, nginx and curl (cargo xtask prereqs installs them).

options:
  --out FILE   write one JSON record per scenario to FILE
  -h, --help   this text";

/// Parses the command line; `Err` is the exit status to end with.
fn parse() -> Result<Args, ExitCode> {
    use lexopt::prelude::*;
    let mut parser = lexopt::Parser::from_env();
    let mut args = Args { out: None };
    let error = |message: String| {
        eprintln!("error: {message}\n\n{USAGE}");
        ExitCode::from(2)
    };
    while let Some(arg) = parser.next().map_err(|e| error(e.to_string()))? {
        match arg {
            Long("out") => {
                args.out = Some(parser.value().map_err(|e| error(e.to_string()))?.into())
            }
            Short('h') | Long("help") => {
                println!("{USAGE}");
                return Err(ExitCode::SUCCESS);
            }
            other => return Err(error(other.unexpected().to_string())),
        }
    }
    Ok(args)
}

fn main() -> ExitCode {
    let args = match parse() {
        Ok(args) => args,
        Err(code) => return code,
    };
    let backend = match unitls::default_implementation() {
        Ok(backend) => backend,
        Err(error) => {
            eprintln!("error: no unitls backend in this build: {error}");
            return ExitCode::FAILURE;
        }
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("error: cannot start tokio: {error}");
            return ExitCode::FAILURE;
        }
    };
    println!("unitls-integrations on {backend}");
    let records = runtime.block_on(run_all(backend));
    report(&records, args.out.as_deref())
}

/// Starts each server, runs its scenarios and stops it (by its PID, on drop).
async fn run_all(backend: &str) -> Vec<IntegrationRecord> {
    let pki = PkiFiles::make();
    let mut records = Vec::new();

    let postgres = Postgres::start(&pki);
    let version = postgres
        .as_ref()
        .map_or("not started".to_string(), |pg| pg.version.clone());
    let mut recorder = Recorder {
        backend,
        server: "tokio-postgres → PostgreSQL",
        version: &version,
        records: &mut records,
    };
    match postgres {
        Ok(server) => match server.create_roles().await {
            Ok(()) => postgres_cases::run(&server, &pki, &mut recorder).await,
            Err(why) => recorder.server_missing(postgres_cases::SCENARIOS, &why),
        },
        Err(why) => recorder.server_missing(postgres_cases::SCENARIOS, &why),
    }

    let nginx = Nginx::start(&pki);
    let version = nginx
        .as_ref()
        .map_or("not started".to_string(), |n| n.version.clone());
    let mut recorder = Recorder {
        backend,
        server: "hyper client → nginx",
        version: &version,
        records: &mut records,
    };
    match nginx {
        Ok(server) => nginx_cases::run(&server, &pki, &mut recorder).await,
        Err(why) => recorder.server_missing(nginx_cases::SCENARIOS, &why),
    }

    let curl = curl_cases::curl();
    let version = curl.as_ref().map_or("not found".to_string(), |c| {
        servers::version_line(c, "--version")
    });
    let mut recorder = Recorder {
        backend,
        server: "curl → hyper server",
        version: &version,
        records: &mut records,
    };
    match curl {
        Ok(curl) => curl_cases::run(&curl, &pki, &mut recorder).await,
        Err(why) => recorder.server_missing(curl_cases::SCENARIOS, &why),
    }
    records
}

/// Writes the records and sums them up; failure when any scenario failed.
fn report(records: &[IntegrationRecord], out: Option<&std::path::Path>) -> ExitCode {
    if let Some(out) = out {
        let lines: String = records
            .iter()
            .map(|record| unitls_model::to_line(record) + "\n")
            .collect();
        if let Err(error) = std::fs::write(out, lines) {
            eprintln!("error: cannot write {}: {error}", out.display());
            return ExitCode::FAILURE;
        }
    }
    let count = |outcome| records.iter().filter(|r| r.outcome == outcome).count();
    let failed = count(IntegrationOutcome::Fail);
    println!(
        "integrations: {} passed, {failed} failed, {} unsupported",
        count(IntegrationOutcome::Pass),
        count(IntegrationOutcome::Unsupported)
    );
    if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
