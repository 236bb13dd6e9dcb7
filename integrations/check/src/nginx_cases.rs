//! hyper-util's client over unitls-hyper against a real nginx (SPEC INTEG-3):
//! HTTP/1.1, HTTP/2 chosen by ALPN over TLS 1.3 and TLS 1.2, plain `http://` passed
//! through, and an untrusted server refused. nginx answers with the HTTP and TLS
//! versions it saw, so each scenario checks both ends.

use std::sync::Arc;

use bytes::Bytes;
use http::{StatusCode, Version};
use http_body_util::{BodyExt, Empty};
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use unitls::ProtocolVersion;
use unitls_hyper::{HttpsConnector, ALPN_H2_HTTP11};

use crate::pki::PkiFiles;
use crate::scenario::{chain, expect_refused, unexpected, Ending, Recorder};
use crate::servers::nginx::Nginx;

/// The scenarios and the SPEC IDs each checks.
pub(crate) const SCENARIOS: &[(&str, &[&str])] = &[
    (HTTP1, &["INTEG-3"]),
    (HTTP2_TLS13, &["INTEG-3"]),
    (HTTP2_TLS12, &["INTEG-3"]),
    (PLAIN, &["INTEG-3"]),
    (UNTRUSTED, &["INTEG-3"]),
    (DEFAULT_VERIFIES, &["INTEG-3"]),
];

const HTTP1: &str = "GET over HTTP/1.1 (ALPN http/1.1)";
const HTTP2_TLS13: &str = "GET over HTTP/2 by ALPN, TLS 1.3";
const HTTP2_TLS12: &str = "GET over HTTP/2 by ALPN, TLS 1.2";
const PLAIN: &str = "plain http:// passes through";
const UNTRUSTED: &str = "untrusted CA: refused";
const DEFAULT_VERIFIES: &str = "HttpsConnector::new() verifies: private CA refused";

/// Runs every scenario against `server`.
pub(crate) async fn run(server: &Nginx, pki: &PkiFiles, recorder: &mut Recorder<'_>) {
    let https = format!("https://localhost:{}/", server.https_port);
    let client_with =
        |alpn: &[&[u8]], configure: fn(unitls::ContextBuilder) -> unitls::ContextBuilder| {
            let context = configure(PkiFiles::client_context(&pki.ca_pem, alpn))
                .build()
                .map_err(|e| unexpected(&e))?;
            Ok::<_, Ending>(client(context))
        };

    recorder
        .run(HTTP1, &["INTEG-3"], async {
            let client = client_with(&[b"http/1.1"], |b| b)?;
            expect(
                get(&client, &https).await?,
                Version::HTTP_11,
                "HTTP/1.1 TLSv1.",
            )
        })
        .await;

    recorder
        .run(HTTP2_TLS13, &["INTEG-3"], async {
            let client = client_with(&ALPN_H2_HTTP11, |b| b.min_version(ProtocolVersion::Tls13))?;
            expect(
                get(&client, &https).await?,
                Version::HTTP_2,
                "HTTP/2.0 TLSv1.3",
            )
        })
        .await;

    recorder
        .run(HTTP2_TLS12, &["INTEG-3"], async {
            let client = client_with(&ALPN_H2_HTTP11, |b| b.max_version(ProtocolVersion::Tls12))?;
            expect(
                get(&client, &https).await?,
                Version::HTTP_2,
                "HTTP/2.0 TLSv1.2",
            )
        })
        .await;

    recorder
        .run(PLAIN, &["INTEG-3"], async {
            let client = client_with(&ALPN_H2_HTTP11, |b| b)?;
            let plain = format!("http://127.0.0.1:{}/", server.http_port);
            expect(
                get(&client, &plain).await?,
                Version::HTTP_11,
                "HTTP/1.1 plain",
            )
        })
        .await;

    recorder
        .run(UNTRUSTED, &["INTEG-3"], async {
            let context = PkiFiles::client_context(&pki.other_ca_pem, &ALPN_H2_HTTP11)
                .build()
                .map_err(|e| unexpected(&e))?;
            let uri = https.parse().map_err(|e| Ending::Fail(format!("{e}")))?;
            Ok(expect_refused(client(context).get(uri).await))
        })
        .await;

    recorder
        .run(DEFAULT_VERIFIES, &["INTEG-3"], async {
            // The default trusts the system's roots only, not the suite's private CA.
            let connector = HttpsConnector::new().map_err(|e| unexpected(&e))?;
            let client: Client<HttpsConnector, Empty<Bytes>> =
                Client::builder(TokioExecutor::new()).build(connector);
            let uri = https.parse().map_err(|e| Ending::Fail(format!("{e}")))?;
            Ok(expect_refused(client.get(uri).await))
        })
        .await;
}

/// A hyper-util client over unitls-hyper with `context`.
fn client(context: Arc<unitls::AbstractContext>) -> Client<HttpsConnector, Empty<Bytes>> {
    Client::builder(TokioExecutor::new()).build(HttpsConnector::with_context(context))
}

/// The response's HTTP version, status and body of `GET uri`.
async fn get(
    client: &Client<HttpsConnector, Empty<Bytes>>,
    uri: &str,
) -> Result<(Version, StatusCode, String), Ending> {
    let uri = uri.parse().map_err(|e| Ending::Fail(format!("{e}")))?;
    let response = client.get(uri).await.map_err(|e| unexpected(&e))?;
    let (version, status) = (response.version(), response.status());
    let body = response
        .into_body()
        .collect()
        .await
        .map_err(|e| Ending::Fail(format!("reading the body failed: {}", chain(&e))))?
        .to_bytes();
    Ok((
        version,
        status,
        String::from_utf8_lossy(&body).trim().to_string(),
    ))
}

/// A pass when the response came with `version`, status 200 and a body starting with
/// `seen` (what nginx saw); a failure that says what came instead.
fn expect(
    (version, status, body): (Version, StatusCode, String),
    want: Version,
    seen: &str,
) -> Result<Ending, Ending> {
    if version == want && status == StatusCode::OK && body.starts_with(seen) {
        Ok(Ending::Pass(format!(
            "{version:?} {status}; nginx saw \"{body}\""
        )))
    } else {
        Ok(Ending::Fail(format!(
            "wanted {want:?} 200 and \"{seen}…\", got {version:?} {status} and \"{body}\""
        )))
    }
}
