//! One connection's TLS connector: attaches TLS to the socket tokio-postgres opened
//! after the server agreed to `SSLRequest`.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use tokio::io::{AsyncRead, AsyncWrite};
use tokio_postgres::tls::TlsConnect;
use unitls::{AbstractContext, AttachOptions};

use crate::UnitlsStream;

/// The TLS connector for one connection: the context and the host name the server's
/// certificate must match (also sent as SNI). Made by
/// [`MakeUnitlsConnect`](crate::MakeUnitlsConnect).
#[derive(Clone)]
pub struct UnitlsConnect {
    /// The client context; `None` for the verifying default.
    context: Option<Arc<AbstractContext>>,
    /// The host tokio-postgres connects to.
    domain: String,
}

impl UnitlsConnect {
    /// A connector for `domain` with `context` (the verifying default when `None`).
    pub fn new(context: Option<Arc<AbstractContext>>, domain: &str) -> UnitlsConnect {
        UnitlsConnect {
            context,
            domain: domain.to_string(),
        }
    }
}

impl std::fmt::Debug for UnitlsConnect {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UnitlsConnect")
            .field("domain", &self.domain)
            .finish_non_exhaustive()
    }
}

impl<S> TlsConnect<S> for UnitlsConnect
where
    S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    type Stream = UnitlsStream<S>;
    type Error = unitls::Error;
    type Future = Pin<Box<dyn Future<Output = Result<UnitlsStream<S>, unitls::Error>> + Send>>;

    fn connect(self, stream: S) -> Self::Future {
        Box::pin(async move {
            let mut options = AttachOptions::client(self.domain.as_str());
            if let Some(context) = self.context {
                options = options.ctx(context);
            }
            let mut tls = unitls::tokio::SocketStream::new(stream);
            tls.attach_ssl(options).await?;
            Ok(UnitlsStream::new(tls))
        })
    }
}
