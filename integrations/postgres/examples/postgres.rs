//! Connects to PostgreSQL over TLS with unitls and runs a query.
//!
//! ```text
//! cargo run -p unitls-postgres --example postgres -- \
//!     "host=db.internal user=app password=secret dbname=app sslmode=require channel_binding=prefer" \
//!     [root.crt]
//! ```
//!
//! With a CA file, the server must chain to it (and only to it); without one, to the
//! system's roots. Either way its name must match `host` (libpq's `verify-full`).
//! Pick the TLS backend with this crate's features: `--no-default-features --features
//! openssl` (or `boring`, `native-tls`, `rustls`).

use unitls::{Source, TrustSource};
use unitls_postgres::MakeUnitlsConnect;

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let config = args
        .next()
        .ok_or("usage: postgres CONNECTION-STRING [CA-FILE]")?;
    let tls = match args.next() {
        Some(ca) => MakeUnitlsConnect::with_context(
            unitls::create_client_context()
                .trust_only([TrustSource::Pem(Source::file(ca))])
                .build()?,
        ),
        None => MakeUnitlsConnect::new(),
    };
    let (client, connection) = tokio_postgres::connect(&config, tls).await?;
    let connection = tokio::spawn(connection);
    let row = client
        .query_one(
            "SELECT version(), (SELECT version FROM pg_stat_ssl WHERE pid = pg_backend_pid())",
            &[],
        )
        .await?;
    let server: String = row.get(0);
    let tls: Option<String> = row.get(1);
    println!("{server}\nTLS: {}", tls.as_deref().unwrap_or("none"));
    drop(client);
    connection.await??;
    Ok(())
}
