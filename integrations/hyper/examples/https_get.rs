//! Fetches a URL with hyper over unitls and prints the HTTP version, the status and
//! the body.
//!
//! ```text
//! cargo run -p unitls-hyper --example https_get -- https://localhost:8443/ [ca.pem]
//! ```
//!
//! HTTP/2 is used when the server picks `h2` by ALPN. With a CA file, the server must
//! chain to it (and only to it); without one, to the system's roots. Pick the TLS
//! backend with this crate's features: `--no-default-features --features openssl` (or
//! `boring`, `native-tls`, `rustls`).

use bytes::Bytes;
use http_body_util::{BodyExt, Empty};
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use unitls::{Source, TrustSource};
use unitls_hyper::{HttpsConnector, ALPN_H2_HTTP11};

type BoxError = Box<dyn std::error::Error + Send + Sync>;

#[tokio::main]
async fn main() -> Result<(), BoxError> {
    let mut args = std::env::args().skip(1);
    let url = args.next().ok_or("usage: https_get URL [CA-FILE]")?;
    let connector = match args.next() {
        Some(ca) => HttpsConnector::with_context(
            unitls::create_client_context()
                .trust_only([TrustSource::Pem(Source::file(ca))])
                .alpn(ALPN_H2_HTTP11)
                .build()?,
        ),
        None => HttpsConnector::new()?,
    };
    let client = Client::builder(TokioExecutor::new()).build::<_, Empty<Bytes>>(connector);
    let response = client.get(url.parse()?).await?;
    println!("{:?} {}", response.version(), response.status());
    let body = response.into_body().collect().await?.to_bytes();
    println!("{}", String::from_utf8_lossy(&body));
    Ok(())
}
