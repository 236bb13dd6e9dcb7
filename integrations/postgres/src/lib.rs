//! TLS for [tokio-postgres](https://docs.rs/tokio-postgres) over unitls: one connector
//! for every unitls backend (rustls, OpenSSL, BoringSSL, native-tls), picked with this
//! crate's cargo features, with SCRAM-SHA-256-PLUS channel binding
//! (`tls-server-end-point`, RFC 5929) filled in from the server's certificate.
//!
//! tokio-postgres knows three `sslmode`s (disable, prefer, require) and leaves what
//! "require" means to the connector. Here the context decides, as in libpq:
//!
//! - [`MakeUnitlsConnect::new`] verifies the server's chain against the system's roots
//!   and its name against the host connected to — libpq's `verify-full`;
//! - [`MakeUnitlsConnect::with_context`] takes any abstract client context: your own CA
//!   with `trust_only`, a client certificate, pinned versions;
//! - libpq's own `require` (encrypted, *not* verified) is a context built with
//!   `danger_accept_invalid_certs()` — explicit, as every unverified connection should be.
//!
//! ```no_run
//! use unitls::{create_client_context, Source, TrustSource};
//! use unitls_postgres::MakeUnitlsConnect;
//!
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let context = create_client_context()
//!     .trust_only([TrustSource::Pem(Source::file("root.crt"))])
//!     .build()?;
//! let tls = MakeUnitlsConnect::with_context(context);
//! let (client, connection) = tokio_postgres::connect(
//!     "host=db.internal user=app dbname=app sslmode=require channel_binding=require",
//!     tls,
//! )
//! .await?;
//! tokio::spawn(connection);
//! let row = client.query_one("SELECT 1 + 1", &[]).await?;
//! assert_eq!(row.get::<_, i32>(0), 2);
//! # Ok(())
//! # }
//! ```
//!
//! Errors from the TLS layer reach you as tokio-postgres's `Error` whose
//! [`source()`](std::error::Error::source) is a [`unitls::Error`]: a refused certificate
//! is `ErrorKind::VerificationFailure` on every backend.

mod connect;
mod stream;

use std::sync::Arc;

pub use connect::UnitlsConnect;
pub use stream::UnitlsStream;

use tokio::io::{AsyncRead, AsyncWrite};
use tokio_postgres::tls::MakeTlsConnect;
use unitls::AbstractContext;

/// Makes a TLS connector per connection for tokio-postgres, from one abstract client
/// context shared by all of them.
///
/// Cheap to clone (the context is reference-counted), `Send` and `Sync`, so connection
/// pools can hold and clone it.
#[derive(Clone, Default)]
pub struct MakeUnitlsConnect {
    /// The client context; `None` builds the verifying default per connection.
    context: Option<Arc<AbstractContext>>,
}

impl MakeUnitlsConnect {
    /// A connector with unitls's secure defaults: the server's chain is checked
    /// against the system's roots and its name against the host connected to (libpq's
    /// `sslmode=verify-full`), TLS 1.2 at least, a 30 s handshake deadline.
    pub fn new() -> MakeUnitlsConnect {
        MakeUnitlsConnect::default()
    }

    /// A connector using `context`, an abstract client context (your CA, a client
    /// certificate, pinned versions, or an explicit unverified one).
    pub fn with_context(context: Arc<AbstractContext>) -> MakeUnitlsConnect {
        MakeUnitlsConnect {
            context: Some(context),
        }
    }
}

impl std::fmt::Debug for MakeUnitlsConnect {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MakeUnitlsConnect")
            .field("context", &self.context.as_ref().map(|c| c.name()))
            .finish()
    }
}

impl<S> MakeTlsConnect<S> for MakeUnitlsConnect
where
    S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    type Stream = UnitlsStream<S>;
    type TlsConnect = UnitlsConnect;
    type Error = unitls::Error;

    fn make_tls_connect(&mut self, domain: &str) -> Result<UnitlsConnect, unitls::Error> {
        Ok(UnitlsConnect::new(self.context.clone(), domain))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Pools clone the connector and share it between tasks and threads.
    #[test]
    fn the_connector_is_clone_send_sync() {
        fn pool_ready<T: Clone + Send + Sync + 'static>(_: &T) {}
        pool_ready(&MakeUnitlsConnect::new());
    }
}
