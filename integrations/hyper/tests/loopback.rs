//! The client connector and the server helper against each other over loopback TCP,
//! on the backend this build has (rustls in `cargo test --workspace`): ALPN decides
//! the HTTP version at both ends (SPEC INTEG-3; the real-server runs are
//! `unitls-integrations`).

use std::convert::Infallible;
use std::net::Ipv4Addr;
use std::time::Duration;

use bytes::Bytes;
use http::{Request, Response, Version};
use http_body_util::{BodyExt, Empty, Full};
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use unitls::{IdentitySource, Source, TrustSource};
use unitls_hyper::{HttpsConnector, ALPN_H2_HTTP11};

/// Answers with the version the request came over.
async fn answer(request: Request<Incoming>) -> Result<Response<Full<Bytes>>, Infallible> {
    Ok(Response::new(Full::new(Bytes::from(format!(
        "{:?}",
        request.version()
    )))))
}

/// Serves one connection on a free port; returns the port and the version the server
/// chose.
async fn serve_one() -> (u16, tokio::task::JoinHandle<Version>) {
    let pki = unitls_conformance::fixtures::pki();
    let context = unitls::create_server_context()
        .identity(IdentitySource::pem(
            pki.server.chain_pem.as_bytes(),
            pki.server.key_pem.as_bytes(),
        ))
        .alpn(ALPN_H2_HTTP11)
        .build()
        .expect("server context");
    let listener = tokio::net::TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
        .await
        .expect("listen");
    let port = listener.local_addr().expect("address").port();
    let server = tokio::spawn(async move {
        let (tcp, _) = listener.accept().await.expect("accept");
        let connection = unitls_hyper::accept(context, tcp)
            .await
            .expect("TLS accept");
        let version = connection.http_version();
        connection.serve(service_fn(answer)).await.expect("serve");
        version
    });
    (port, server)
}

/// GET over a client offering `alpn`: the response's version and body, and the
/// version the server chose.
async fn fetch(alpn: &[&[u8]]) -> (Version, String, Version) {
    let (port, server) = serve_one().await;
    let context = unitls::create_client_context()
        .trust_only([TrustSource::Pem(Source::memory(
            unitls_conformance::fixtures::pki().ca_pem.as_bytes(),
        ))])
        .alpn(alpn.iter().copied())
        .build()
        .expect("client context");
    let client = Client::builder(TokioExecutor::new())
        .build::<_, Empty<Bytes>>(HttpsConnector::with_context(context));
    let uri = format!("https://localhost:{port}/").parse().expect("uri");
    let response = client.get(uri).await.expect("GET");
    let version = response.version();
    let body = response
        .into_body()
        .collect()
        .await
        .expect("body")
        .to_bytes();
    drop(client);
    let served = tokio::time::timeout(Duration::from_secs(10), server)
        .await
        .expect("the server ends once the client is gone")
        .expect("server task");
    (version, String::from_utf8_lossy(&body).into_owned(), served)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn integ_3_h2_is_used_when_both_offer_it() {
    let (version, body, served) =
        tokio::time::timeout(Duration::from_secs(20), fetch(&ALPN_H2_HTTP11))
            .await
            .expect("within 20 s");
    assert_eq!(
        (version, body.as_str(), served),
        (Version::HTTP_2, "HTTP/2.0", Version::HTTP_2)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn integ_3_http11_when_the_client_offers_only_it() {
    let (version, body, served) =
        tokio::time::timeout(Duration::from_secs(20), fetch(&[b"http/1.1"]))
            .await
            .expect("within 20 s");
    assert_eq!(
        (version, body.as_str(), served),
        (Version::HTTP_11, "HTTP/1.1", Version::HTTP_11)
    );
}
