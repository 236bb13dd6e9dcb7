//! HTTPS for [hyper](https://docs.rs/hyper) 1 over unitls, on every unitls backend
//! (rustls, OpenSSL, BoringSSL, native-tls) picked with this crate's cargo features.
//!
//! - **Client**: [`HttpsConnector`] is a `tower_service::Service<Uri>` for
//!   hyper-util's client. It verifies the server (chain and host name) with unitls's
//!   secure defaults or your context, offers ALPN `h2` and `http/1.1`, and tells the
//!   client which one the server picked, so HTTP/2 is used when negotiated. `http://`
//!   URIs pass through as plain TCP.
//! - **Server**: [`accept`] attaches TLS to an accepted connection;
//!   [`HttpsConnection::serve`] then serves it with HTTP/2 or HTTP/1.1 as ALPN decided.
//!
//! ```no_run
//! use http_body_util::{BodyExt, Empty};
//! use hyper_util::client::legacy::Client;
//! use hyper_util::rt::TokioExecutor;
//!
//! # async fn run() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
//! let https = unitls_hyper::HttpsConnector::new()?;
//! let client = Client::builder(TokioExecutor::new()).build::<_, Empty<bytes::Bytes>>(https);
//! let response = client.get("https://example.org/".parse()?).await?;
//! println!("{:?} {}", response.version(), response.status());
//! let body = response.into_body().collect().await?.to_bytes();
//! # Ok(())
//! # }
//! ```

mod connector;
mod server;
mod stream;

pub use connector::HttpsConnector;
pub use server::{accept, HttpsConnection};
pub use stream::MaybeHttpsStream;

/// The ALPN protocols HTTP clients and servers offer, in preference order: HTTP/2,
/// then HTTP/1.1. [`HttpsConnector::new`] offers them; give them to a server context's
/// `alpn(…)` so that [`HttpsConnection::serve`] can speak HTTP/2.
pub const ALPN_H2_HTTP11: [&[u8]; 2] = [b"h2", b"http/1.1"];

/// The ALPN identifier of HTTP/2 (RFC 7540 §3.3).
const H2: &[u8] = b"h2";
