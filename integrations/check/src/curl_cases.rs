//! A hyper server over unitls-hyper serving a real `curl` (SPEC INTEG-3): HTTP/1.1
//! and, by ALPN, HTTP/2. The server answers with the HTTP version it served, and curl
//! reports the one it used.

use std::convert::Infallible;
use std::net::Ipv4Addr;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use http::{Request, Response};
use http_body_util::Full;
use hyper::body::Incoming;
use hyper::service::service_fn;
use tokio::net::TcpListener;
use unitls_hyper::ALPN_H2_HTTP11;

use crate::pki::PkiFiles;
use crate::scenario::{unexpected, Ending, Recorder};

/// The scenarios and the SPEC IDs each checks.
pub(crate) const SCENARIOS: &[(&str, &[&str])] = &[(HTTP1, &["INTEG-3"]), (HTTP2, &["INTEG-3"])];

const HTTP1: &str = "curl --http1.1 from a hyper server";
const HTTP2: &str = "curl --http2 from a hyper server (ALPN h2)";

/// The path of `curl`, or why it is missing.
pub(crate) fn curl() -> Result<std::path::PathBuf, String> {
    crate::servers::find_curl().ok_or_else(|| {
        "curl is not on PATH: install the Debian package `curl` (cargo xtask prereqs does)"
            .to_string()
    })
}

/// Runs every scenario with `curl`.
pub(crate) async fn run(curl: &Path, pki: &PkiFiles, recorder: &mut Recorder<'_>) {
    recorder
        .run(
            HTTP1,
            &["INTEG-3"],
            fetch(curl, pki, "--http1.1", "1.1", "HTTP/1.1"),
        )
        .await;
    recorder
        .run(
            HTTP2,
            &["INTEG-3"],
            fetch(curl, pki, "--http2", "2", "HTTP/2.0"),
        )
        .await;
}

/// Serves one hyper server on a free port and fetches from it with `curl flag`: a
/// pass when curl used `curl_version` and the server served `served`.
async fn fetch(
    curl: &Path,
    pki: &PkiFiles,
    flag: &str,
    curl_version: &str,
    served: &str,
) -> Result<Ending, Ending> {
    let context = unitls::create_server_context()
        .identity(unitls::IdentitySource::pem(
            pki.server_chain.as_bytes(),
            pki.server_key.as_bytes(),
        ))
        .alpn(ALPN_H2_HTTP11)
        .build()
        .map_err(|e| unexpected(&e))?;
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
        .await
        .map_err(|e| Ending::Fail(format!("cannot listen: {e}")))?;
    let port = listener
        .local_addr()
        .map_err(|e| Ending::Fail(format!("{e}")))?
        .port();
    let errors = Arc::new(Mutex::new(Vec::new()));
    let server = tokio::spawn(serve(listener, context, errors.clone()));
    let output = tokio::process::Command::new(curl)
        .args([flag, "-sS", "--max-time", "10", "--cacert"])
        .arg(&pki.ca_file)
        .args(["--resolve", &format!("localhost:{port}:127.0.0.1")])
        .args(["-w", "\n%{http_version}"])
        .arg(format!("https://localhost:{port}/"))
        .kill_on_drop(true)
        .output()
        .await;
    server.abort();
    let output = output.map_err(|e| Ending::Fail(format!("cannot run curl: {e}")))?;
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    let server_errors = errors.lock().map(|e| e.join("; ")).unwrap_or_default();
    let (body, used) = stdout.rsplit_once('\n').unwrap_or((&stdout, ""));
    if output.status.success() && used == curl_version && body.starts_with(served) {
        Ok(Ending::Pass(format!(
            "curl used HTTP/{used}; the server served \"{}\"",
            body.trim()
        )))
    } else {
        Ok(Ending::Fail(format!(
            "curl {flag}: {}, used HTTP/{used:?}, body {body:?}, stderr {:?}; server errors: [{server_errors}]",
            output.status,
            String::from_utf8_lossy(&output.stderr).trim()
        )))
    }
}

/// Accepts connections until aborted: TLS by unitls-hyper, then hyper with the HTTP
/// version ALPN chose; each connection's error is kept for the scenario's message.
async fn serve(
    listener: TcpListener,
    context: Arc<unitls::AbstractContext>,
    errors: Arc<Mutex<Vec<String>>>,
) {
    // Bounded: curl opens one connection; a few more would be a retry.
    for _ in 0..8 {
        let Ok(Ok((tcp, _))) =
            tokio::time::timeout(Duration::from_secs(20), listener.accept()).await
        else {
            return;
        };
        let (context, errors) = (context.clone(), errors.clone());
        tokio::spawn(async move {
            let result = match unitls_hyper::accept(context, tcp).await {
                Ok(connection) => connection
                    .serve(service_fn(answer))
                    .await
                    .map_err(|e| format!("hyper: {e}")),
                Err(e) => Err(format!("TLS accept: {e}")),
            };
            if let (Err(error), Ok(mut errors)) = (result, errors.lock()) {
                errors.push(error);
            }
        });
    }
}

/// The answer: the HTTP version the request came over.
async fn answer(request: Request<Incoming>) -> Result<Response<Full<Bytes>>, Infallible> {
    Ok(Response::new(Full::new(Bytes::from(format!(
        "{:?} over unitls\n",
        request.version()
    )))))
}
