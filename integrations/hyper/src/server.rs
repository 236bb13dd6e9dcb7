//! The server side: TLS attached to an accepted connection, then served by hyper
//! with the HTTP version ALPN chose.

use std::sync::Arc;

use http::{Request, Response, Version};
use hyper::body::{Body, Incoming};
use hyper::server::conn::{http1, http2};
use hyper::service::Service;
use hyper_util::rt::{TokioExecutor, TokioIo};
use tokio::io::{AsyncRead, AsyncWrite};
use unitls::{AbstractContext, BoxError};

/// Attaches TLS as a server to `io`, an accepted connection, with `context` (a server
/// context whose `alpn(…)` lists [`ALPN_H2_HTTP11`](crate::ALPN_H2_HTTP11) to allow
/// HTTP/2). Returns once the handshake is done; the error is unitls's (a client that
/// does not speak TLS, a refused client certificate, the handshake deadline).
pub async fn accept<T>(context: Arc<AbstractContext>, io: T) -> unitls::Result<HttpsConnection<T>>
where
    T: AsyncRead + AsyncWrite + Unpin,
{
    let stream = unitls::tokio::accept(context, io).await?;
    Ok(HttpsConnection { stream })
}

/// An accepted connection with TLS attached, ready to be served.
#[derive(Debug)]
pub struct HttpsConnection<T: AsyncRead + AsyncWrite + Unpin> {
    /// The attached stream.
    stream: unitls::tokio::SocketStream<T>,
}

impl<T> HttpsConnection<T>
where
    T: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    /// The HTTP version the client and server agreed on by ALPN: HTTP/2 for `h2`,
    /// HTTP/1.1 otherwise (`http/1.1`, or no ALPN at all).
    pub fn http_version(&self) -> Version {
        match self.stream.alpn_protocol() {
            Ok(Some(protocol)) if protocol == crate::H2 => Version::HTTP_2,
            _ => Version::HTTP_11,
        }
    }

    /// The TLS stream, for its accessors (version, cipher, the client's certificate).
    pub fn tls(&self) -> &unitls::tokio::SocketStream<T> {
        &self.stream
    }

    /// Serves the connection with `service` until the client is done, over the HTTP
    /// version of [`http_version`](Self::http_version) (HTTP/2 streams run on tokio).
    pub async fn serve<S, B>(self, service: S) -> Result<(), hyper::Error>
    where
        S: Service<Request<Incoming>, Response = Response<B>>,
        S::Future: Send + 'static,
        S::Error: Into<BoxError>,
        B: Body + Send + 'static,
        B::Data: Send,
        B::Error: Into<BoxError>,
    {
        let version = self.http_version();
        let io = TokioIo::new(self.stream);
        if version == Version::HTTP_2 {
            http2::Builder::new(TokioExecutor::new())
                .serve_connection(io, service)
                .await
        } else {
            http1::Builder::new().serve_connection(io, service).await
        }
    }
}
