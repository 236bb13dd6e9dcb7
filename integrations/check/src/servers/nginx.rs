//! nginx serving HTTPS (TLS 1.2 and 1.3, HTTP/1.1 and HTTP/2 by ALPN) and plain HTTP
//! on free loopback ports, from a configuration of our own in a temporary directory:
//! one process (`master_process off`), in the foreground, stopped by its PID.

use std::path::PathBuf;
use std::process::Child;
use std::time::Duration;

use rustix::process::Signal;

use super::process;
use crate::pki::PkiFiles;

/// A running nginx; stopped and removed on drop.
pub(crate) struct Nginx {
    /// The nginx process.
    child: Child,
    /// Its directory: configuration, certificate, logs, temporary files.
    dir: PathBuf,
    /// The HTTPS port on 127.0.0.1.
    pub(crate) https_port: u16,
    /// The plain HTTP port on 127.0.0.1.
    pub(crate) http_port: u16,
    /// `nginx -v`.
    pub(crate) version: String,
}

impl Nginx {
    /// Starts nginx; the error says what is missing or what nginx logged.
    pub(crate) fn start(pki: &PkiFiles) -> Result<Nginx, String> {
        let nginx = process::find_program("nginx", &[PathBuf::from("/usr/sbin")]).ok_or(
            "nginx is not on PATH nor in /usr/sbin: install the Debian package `nginx` \
             (cargo xtask prereqs does)",
        )?;
        let dir = process::server_dir("nginx", None)?;
        let https_port = process::free_port().map_err(|e| format!("no free port: {e}"))?;
        let http_port = process::free_port().map_err(|e| format!("no free port: {e}"))?;
        process::write_file(
            &dir.join("server.crt"),
            pki.server_chain.as_bytes(),
            0o644,
            None,
        )?;
        process::write_file(
            &dir.join("server.key"),
            pki.server_key.as_bytes(),
            0o600,
            None,
        )?;
        let conf = dir.join("nginx.conf");
        let text = config(&dir, https_port, http_port);
        process::write_file(&conf, text.as_bytes(), 0o644, None)?;
        let log = dir.join("stderr.log");
        let mut child = process::command(&nginx, None, &log)?
            .arg("-p")
            .arg(&dir)
            .arg("-c")
            .arg(&conf)
            .arg("-e")
            .arg(dir.join("error.log"))
            .spawn()
            .map_err(|e| format!("cannot start {}: {e}", nginx.display()))?;
        let ready =
            process::wait_until_ready(&mut child, https_port, Duration::from_secs(20), || true);
        let version = process::version_line(&nginx, "-v");
        let server = Nginx {
            child,
            dir,
            https_port,
            http_port,
            version,
        };
        ready.map_err(|e| {
            format!(
                "nginx: {e}\n{}\n{}",
                process::tail(&log),
                process::tail(&server.dir.join("error.log"))
            )
        })?;
        Ok(server)
    }
}

impl Drop for Nginx {
    fn drop(&mut self) {
        // SIGTERM is nginx's fast shutdown.
        process::stop(&mut self.child, Signal::TERM, Duration::from_secs(10));
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// The configuration: every path inside `dir`; each response tells which HTTP
/// version and TLS version the server saw, so the scenarios can check both ends.
fn config(dir: &std::path::Path, https_port: u16, http_port: u16) -> String {
    let dir = dir.display();
    format!(
        "daemon off;
master_process off;
pid {dir}/nginx.pid;
error_log {dir}/error.log warn;
events {{ worker_connections 64; }}
http {{
    access_log off;
    client_body_temp_path {dir}/client_body;
    proxy_temp_path {dir}/proxy;
    fastcgi_temp_path {dir}/fastcgi;
    uwsgi_temp_path {dir}/uwsgi;
    scgi_temp_path {dir}/scgi;
    default_type text/plain;
    server {{
        listen 127.0.0.1:{https_port} ssl http2;
        server_name localhost;
        ssl_certificate {dir}/server.crt;
        ssl_certificate_key {dir}/server.key;
        ssl_protocols TLSv1.2 TLSv1.3;
        location / {{ return 200 \"$server_protocol $ssl_protocol\\n\"; }}
    }}
    server {{
        listen 127.0.0.1:{http_port};
        location / {{ return 200 \"$server_protocol plain\\n\"; }}
    }}
}}
"
    )
}
