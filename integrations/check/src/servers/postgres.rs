//! A throw-away PostgreSQL cluster: `initdb` into a temporary directory, `postgres`
//! on a free loopback port with `ssl = on` and the suite's server certificate, run as
//! the `postgres` user when we are root (PostgreSQL refuses root). Its `pg_hba.conf`
//! admits TCP only over TLS, with one role per login method the scenarios need.

use std::path::{Path, PathBuf};
use std::process::Child;
use std::time::Duration;

use rustix::process::Signal;

use super::process;
use crate::pki::PkiFiles;

/// The role that logs in with SCRAM-SHA-256 (and -PLUS over TLS).
pub(crate) const SCRAM_USER: &str = "scram_user";
/// The role that logs in with md5, which has no channel binding.
pub(crate) const MD5_USER: &str = "md5_user";
/// Both roles' password.
pub(crate) const PASSWORD: &str = "unitls-integration";

/// Client authentication: the superuser over the Unix socket only (to create the
/// roles), each test role over TLS with its method, and nothing over plain TCP.
const PG_HBA: &str = "\
local   all  postgres                     trust
hostssl all  scram_user   127.0.0.1/32    scram-sha-256
hostssl all  md5_user     127.0.0.1/32    md5
host    all  all          127.0.0.1/32    reject
";

/// A running cluster; stopped (fast shutdown, by its PID) and removed on drop.
pub(crate) struct Postgres {
    /// The postmaster.
    child: Child,
    /// The cluster's directory: data, socket, certificate, log.
    dir: PathBuf,
    /// Its TCP port on 127.0.0.1.
    pub(crate) port: u16,
    /// `postgres --version`.
    pub(crate) version: String,
}

impl Postgres {
    /// Creates and starts a cluster; the error says what is missing or what the
    /// server logged.
    pub(crate) fn start(pki: &PkiFiles) -> Result<Postgres, String> {
        let bin = bindir().ok_or(
            "PostgreSQL's initdb is not on PATH nor in /usr/lib/postgresql/*/bin: install \
             the Debian package `postgresql` (cargo xtask prereqs does)",
        )?;
        let run_as = process::run_as_when_root("postgres")?;
        let dir = process::server_dir("postgres", run_as)?;
        let data = dir.join("data");
        let log = dir.join("postgres.log");
        let initdb = bin.join("initdb");
        let status = process::command(&initdb, run_as, &log)?
            .args([
                "-U",
                "postgres",
                "--auth=trust",
                "--no-sync",
                "-E",
                "UTF8",
                "--locale=C",
                "-D",
            ])
            .arg(&data)
            .current_dir(&dir)
            .status()
            .map_err(|e| format!("cannot run {}: {e}", initdb.display()))?;
        if !status.success() {
            return Err(format!(
                "initdb failed ({status}):\n{}",
                process::tail(&log)
            ));
        }
        process::write_file(&data.join("pg_hba.conf"), PG_HBA.as_bytes(), 0o600, run_as)?;
        // The key must belong to the server's user with no access for others, or
        // PostgreSQL refuses to start.
        let cert = dir.join("server.crt");
        let key = dir.join("server.key");
        process::write_file(&cert, pki.server_chain.as_bytes(), 0o644, run_as)?;
        process::write_file(&key, pki.server_key.as_bytes(), 0o600, run_as)?;
        let port = process::free_port().map_err(|e| format!("no free port: {e}"))?;
        let postgres = bin.join("postgres");
        let mut child = process::command(&postgres, run_as, &log)?
            .arg("-D")
            .arg(&data)
            .args(["-p", &port.to_string(), "-k"])
            .arg(&dir)
            .args(settings(&cert, &key))
            .current_dir(&dir)
            .spawn()
            .map_err(|e| format!("cannot start {}: {e}", postgres.display()))?;
        let pid_file = data.join("postmaster.pid");
        let ready = process::wait_until_ready(&mut child, port, Duration::from_secs(30), || {
            std::fs::read_to_string(&pid_file).is_ok_and(|text| text.contains("ready"))
        });
        let version = process::version_line(&postgres, "--version");
        let server = Postgres {
            child,
            dir,
            port,
            version,
        };
        ready.map_err(|e| format!("PostgreSQL: {e}\n{}", process::tail(&log)))?;
        Ok(server)
    }

    /// The directory of the Unix socket (for the superuser's setup connection).
    pub(crate) fn socket_dir(&self) -> &Path {
        &self.dir
    }

    /// Creates the test roles, each with its password stored as its login method
    /// needs (md5 login needs an md5 hash: with a SCRAM verifier PostgreSQL would use
    /// SCRAM instead).
    pub(crate) async fn create_roles(&self) -> Result<(), String> {
        let (client, connection) = tokio_postgres::Config::new()
            .host_path(self.socket_dir())
            .port(self.port)
            .user("postgres")
            .dbname("postgres")
            .connect(tokio_postgres::NoTls)
            .await
            .map_err(|e| format!("the setup connection over the Unix socket failed: {e}"))?;
        let connection = tokio::spawn(connection);
        let sql = format!(
            "SET password_encryption = 'scram-sha-256';
             CREATE ROLE {SCRAM_USER} LOGIN PASSWORD '{PASSWORD}';
             SET password_encryption = 'md5';
             CREATE ROLE {MD5_USER} LOGIN PASSWORD '{PASSWORD}';"
        );
        let created = client.batch_execute(&sql).await;
        drop(client);
        let _ = connection.await;
        created.map_err(|e| format!("creating the test roles failed: {e}"))
    }
}

impl Drop for Postgres {
    fn drop(&mut self) {
        // SIGINT is PostgreSQL's fast shutdown: sessions end, no checkpoint wait.
        process::stop(&mut self.child, Signal::INT, Duration::from_secs(15));
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// The server settings: loopback only, TLS 1.2 at least with our certificate, and
/// what keeps a throw-away cluster light.
fn settings(cert: &Path, key: &Path) -> Vec<String> {
    [
        "listen_addresses=127.0.0.1".to_string(),
        "ssl=on".to_string(),
        format!("ssl_cert_file={}", cert.display()),
        format!("ssl_key_file={}", key.display()),
        "ssl_min_protocol_version=TLSv1.2".to_string(),
        "fsync=off".to_string(),
        "max_connections=20".to_string(),
        "shared_buffers=16MB".to_string(),
    ]
    .into_iter()
    .flat_map(|setting| ["-c".to_string(), setting])
    .collect()
}

/// The directory of `initdb` and `postgres`: PATH first, else Debian's
/// `/usr/lib/postgresql/<version>/bin` (not on PATH there), the newest version.
fn bindir() -> Option<PathBuf> {
    let mut debian: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .map(|entry| entry.path().join("bin"))
        .collect();
    debian.sort_by_key(|dir| {
        dir.parent()
            .and_then(|v| v.file_name())
            .and_then(|v| v.to_str())
            .and_then(|v| v.parse::<u32>().ok())
            .unwrap_or(0)
    });
    debian.reverse();
    process::find_program("initdb", &debian)
        .and_then(|initdb| initdb.parent().map(Path::to_path_buf))
}
