//! The client side: a connector for hyper-util's client that attaches TLS to the
//! connections of an inner (TCP) connector.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use http::uri::Scheme;
use http::Uri;
use hyper::rt::{Read, Write};
use hyper_util::client::legacy::connect::{Connection, HttpConnector};
use hyper_util::rt::TokioIo;
use tower_service::Service;
use unitls::{AbstractContext, AttachOptions, BoxError};

use crate::{MaybeHttpsStream, ALPN_H2_HTTP11};

/// A connector for hyper-util's `Client`: `https://` URIs get a TLS connection over
/// the inner connector's, verified against the URI's host; `http://` URIs pass
/// through as they are. The connection reports the ALPN result, so the client speaks
/// HTTP/2 when the server chose `h2`.
///
/// Cheap to clone (the context is reference-counted); one connector serves every
/// connection of a client.
#[derive(Clone)]
pub struct HttpsConnector<T = HttpConnector> {
    /// Opens the TCP (or other) connection under TLS.
    inner: T,
    /// The client context, shared by every connection.
    context: Arc<AbstractContext>,
}

impl HttpsConnector<HttpConnector> {
    /// A connector with unitls's secure defaults (the system's roots, the host name
    /// checked, TLS 1.2 at least) offering ALPN `h2` and `http/1.1`, over hyper-util's
    /// TCP connector. Fails only when the default context cannot be built (no backend,
    /// unreadable system roots).
    pub fn new() -> unitls::Result<HttpsConnector<HttpConnector>> {
        let context = unitls::create_client_context()
            .alpn(ALPN_H2_HTTP11)
            .build()?;
        Ok(HttpsConnector::with_context(context))
    }

    /// A connector using `context` over hyper-util's TCP connector. The context's ALPN
    /// list decides what is offered: without `h2` in it, connections stay HTTP/1.1.
    pub fn with_context(context: Arc<AbstractContext>) -> HttpsConnector<HttpConnector> {
        let mut tcp = HttpConnector::new();
        tcp.enforce_http(false);
        HttpsConnector::from_parts(tcp, context)
    }
}

impl<T> HttpsConnector<T> {
    /// A connector using `context` over `inner`, which opens the connections TLS is
    /// attached to (it must accept `https://` URIs: for hyper-util's `HttpConnector`,
    /// `enforce_http(false)`).
    pub fn from_parts(inner: T, context: Arc<AbstractContext>) -> HttpsConnector<T> {
        HttpsConnector { inner, context }
    }
}

impl<T> std::fmt::Debug for HttpsConnector<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HttpsConnector")
            .field("context", &self.context.name())
            .finish_non_exhaustive()
    }
}

/// The host a URI names, as the server's certificate must match it: IPv6 literals
/// without their brackets.
fn host_of(uri: &Uri) -> Option<&str> {
    let host = uri.host()?;
    Some(
        host.strip_prefix('[')
            .and_then(|h| h.strip_suffix(']'))
            .unwrap_or(host),
    )
}

impl<T> Service<Uri> for HttpsConnector<T>
where
    T: Service<Uri>,
    T::Response: Read + Write + Connection + Unpin + Send + 'static,
    T::Future: Send + 'static,
    T::Error: Into<BoxError>,
{
    type Response = MaybeHttpsStream<T::Response>;
    type Error = BoxError;
    type Future = Pin<Box<dyn Future<Output = Result<Self::Response, BoxError>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), BoxError>> {
        self.inner.poll_ready(cx).map_err(Into::into)
    }

    fn call(&mut self, uri: Uri) -> Self::Future {
        let https = match uri.scheme() {
            Some(scheme) if *scheme == Scheme::HTTPS => true,
            Some(scheme) if *scheme == Scheme::HTTP => false,
            other => {
                let message = format!(
                    "unitls-hyper connects http:// and https:// URIs only, not {}",
                    other.map_or("a URI without a scheme".to_string(), |s| format!("{s}://"))
                );
                return Box::pin(async move { Err(message.into()) });
            }
        };
        let host = host_of(&uri).map(str::to_string);
        let context = self.context.clone();
        let connecting = self.inner.call(uri);
        Box::pin(async move {
            let io = connecting.await.map_err(Into::into)?;
            if !https {
                return Ok(MaybeHttpsStream::Http(io));
            }
            let host = host.ok_or("an https:// URI without a host")?;
            let mut tls = unitls::tokio::SocketStream::new(TokioIo::new(io));
            tls.attach_ssl(AttachOptions::client(host).ctx(context))
                .await?;
            Ok(MaybeHttpsStream::Https(TokioIo::new(tls)))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ipv6_hosts_lose_their_brackets() {
        let uri: Uri = "https://[::1]:8443/".parse().unwrap();
        assert_eq!(host_of(&uri), Some("::1"));
        let uri: Uri = "https://localhost/".parse().unwrap();
        assert_eq!(host_of(&uri), Some("localhost"));
    }

    /// hyper-util's client clones the connector into every connection attempt.
    #[test]
    fn the_connector_is_clone_send_sync() {
        fn client_ready<T: Clone + Send + Sync + 'static>(_: &T) {}
        let context = unitls::create_client_context().build().unwrap();
        client_ready(&HttpsConnector::with_context(context));
    }

    /// A scheme other than http and https is refused with a message, not connected.
    #[tokio::test]
    async fn other_schemes_are_refused() {
        let context = unitls::create_client_context().build().unwrap();
        let mut connector = HttpsConnector::with_context(context);
        let Err(error) = connector.call("ftp://localhost/".parse().unwrap()).await else {
            panic!("an ftp:// URI was connected");
        };
        assert!(error.to_string().contains("not ftp://"), "{error}");
    }
}
