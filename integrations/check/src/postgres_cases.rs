//! tokio-postgres over unitls-postgres against a real PostgreSQL (SPEC INTEG-1,
//! INTEG-2): libpq's two meanings of "TLS required" — verifying (`verify-full`) and
//! encrypting only (`require`) — refusals for a wrong CA and a wrong host name, and
//! SCRAM-SHA-256-PLUS channel binding.

use std::net::{IpAddr, Ipv4Addr};
use std::sync::Arc;

use tokio_postgres::config::{ChannelBinding, SslMode};
use tokio_postgres::Client;
use unitls_postgres::MakeUnitlsConnect;

use crate::pki::PkiFiles;
use crate::scenario::{chain, expect_refused, unexpected, unitls_error, Ending, Recorder};
use crate::servers::postgres::{Postgres, MD5_USER, PASSWORD, SCRAM_USER};

/// The scenarios, with the SPEC IDs each checks (also listed when the server is
/// missing, so that the report shows them failed rather than absent).
pub(crate) const SCENARIOS: &[(&str, &[&str])] = &[
    (VERIFY_FULL, &["INTEG-1"]),
    (REQUIRE_UNVERIFIED, &["INTEG-1"]),
    (DEFAULT_VERIFIES, &["INTEG-1"]),
    (WRONG_CA, &["INTEG-1"]),
    (WRONG_HOST, &["INTEG-1"]),
    (SCRAM_PLUS, &["INTEG-2"]),
    (MD5_BINDING, &["INTEG-2"]),
];

const VERIFY_FULL: &str = "verify-full (chain + host name), queries";
const REQUIRE_UNVERIFIED: &str = "libpq require: encrypted, not verified";
const DEFAULT_VERIFIES: &str = "MakeUnitlsConnect::new() verifies: private CA refused";
const WRONG_CA: &str = "verify-full, untrusted CA: refused";
const WRONG_HOST: &str = "verify-full, wrong host name: refused";
const SCRAM_PLUS: &str = "SCRAM-SHA-256-PLUS, channel_binding=require";
const MD5_BINDING: &str = "md5 login, channel_binding=require: refused";

/// One connection's settings.
struct Login<'a> {
    /// The host name the certificate must match (the address is always 127.0.0.1).
    host: &'a str,
    /// The role.
    user: &'a str,
    /// Channel binding.
    binding: ChannelBinding,
}

/// Runs every scenario against `server`.
pub(crate) async fn run(server: &Postgres, pki: &PkiFiles, recorder: &mut Recorder<'_>) {
    let verifying = || context(PkiFiles::client_context(&pki.ca_pem, &[]));
    let scram = |binding| Login {
        host: "localhost",
        user: SCRAM_USER,
        binding,
    };

    recorder
        .run(VERIFY_FULL, &["INTEG-1"], async {
            let ctx = verifying()?;
            let client = connect(server, &scram(ChannelBinding::Prefer), ctx).await;
            queries(client.map_err(|e| unexpected(&e))?).await
        })
        .await;

    recorder
        .run(REQUIRE_UNVERIFIED, &["INTEG-1"], async {
            // Trusts only an unrelated CA, and accepts anything: only an unverified
            // context can connect, which shows it is not verifying.
            let ctx = context(
                PkiFiles::client_context(&pki.other_ca_pem, &[])
                    .danger_accept_invalid_certs()
                    .danger_accept_invalid_hostnames(),
            )?;
            let client = connect(server, &scram(ChannelBinding::Prefer), ctx).await;
            queries(client.map_err(|e| unexpected(&e))?).await
        })
        .await;

    recorder
        .run(DEFAULT_VERIFIES, &["INTEG-1"], async {
            // The default connector trusts the system's roots only; the server's chain
            // ends at the suite's private CA, so a verifying default must refuse it.
            Ok(expect_refused(
                connect_with(
                    server,
                    &scram(ChannelBinding::Prefer),
                    MakeUnitlsConnect::new(),
                )
                .await,
            ))
        })
        .await;

    recorder
        .run(WRONG_CA, &["INTEG-1"], async {
            let ctx = context(PkiFiles::client_context(&pki.other_ca_pem, &[]))?;
            Ok(expect_refused(
                connect(server, &scram(ChannelBinding::Prefer), ctx).await,
            ))
        })
        .await;

    recorder
        .run(WRONG_HOST, &["INTEG-1"], async {
            let login = Login {
                host: "wrong.example",
                ..scram(ChannelBinding::Prefer)
            };
            Ok(expect_refused(connect(server, &login, verifying()?).await))
        })
        .await;

    recorder
        .run(SCRAM_PLUS, &["INTEG-2"], async {
            // tokio-postgres logs in with SCRAM-SHA-256-PLUS only when the stream gives
            // it `tls-server-end-point`, and the server checks that binding against its
            // own certificate: success means the hash was right.
            let client = connect(server, &scram(ChannelBinding::Require), verifying()?).await;
            let ending = queries(client.map_err(|e| unexpected(&e))?).await?;
            match ending {
                Ending::Pass(detail) => Ok(Ending::Pass(format!("bound login; {detail}"))),
                other => Ok(other),
            }
        })
        .await;

    recorder
        .run(MD5_BINDING, &["INTEG-2"], async {
            let md5 = |binding| Login {
                host: "localhost",
                user: MD5_USER,
                binding,
            };
            // The login itself works unbound, so a refusal below is the binding's.
            let unbound = connect(server, &md5(ChannelBinding::Prefer), verifying()?).await;
            drop(unbound.map_err(|e| {
                Ending::Fail(format!("md5 login without binding failed: {}", chain(&e)))
            })?);
            match connect(server, &md5(ChannelBinding::Require), verifying()?).await {
                Ok(_) => Ok(Ending::Fail(
                    "logged in unbound although channel_binding=require".to_string(),
                )),
                Err(error)
                    if unitls_error(&error).is_none()
                        && chain(&error).contains("channel binding") =>
                {
                    Ok(Ending::Pass(format!(
                        "refused before login: {}",
                        chain(&error)
                    )))
                }
                Err(error) => Ok(Ending::Fail(format!(
                    "refused for another reason: {}",
                    chain(&error)
                ))),
            }
        })
        .await;
}

/// A context from `builder`, or the ending that says why it could not be built.
fn context(builder: unitls::ContextBuilder) -> Result<Arc<unitls::AbstractContext>, Ending> {
    builder.build().map_err(|e| unexpected(&e))
}

/// A connected client (its connection task spawned) with `sslmode=require` and
/// `context`.
async fn connect(
    server: &Postgres,
    login: &Login<'_>,
    context: Arc<unitls::AbstractContext>,
) -> Result<Client, tokio_postgres::Error> {
    connect_with(server, login, MakeUnitlsConnect::with_context(context)).await
}

/// A connected client (its connection task spawned) with `sslmode=require` over `tls`.
async fn connect_with(
    server: &Postgres,
    login: &Login<'_>,
    tls: MakeUnitlsConnect,
) -> Result<Client, tokio_postgres::Error> {
    let (client, connection) = tokio_postgres::Config::new()
        .host(login.host)
        .hostaddr(IpAddr::V4(Ipv4Addr::LOCALHOST))
        .port(server.port)
        .user(login.user)
        .password(PASSWORD)
        .dbname("postgres")
        .ssl_mode(SslMode::Require)
        .channel_binding(login.binding)
        .connect_timeout(std::time::Duration::from_secs(10))
        .connect(tls)
        .await?;
    tokio::spawn(connection);
    Ok(client)
}

/// Queries over `client`: arithmetic, and the server's own view of the connection's
/// TLS (`pg_stat_ssl`), which must say it is encrypted.
async fn queries(client: Client) -> Result<Ending, Ending> {
    let fail = |e: tokio_postgres::Error| Ending::Fail(format!("query failed: {}", chain(&e)));
    let sum: i32 = client
        .query_one("SELECT 20 + 22", &[])
        .await
        .map_err(fail)?
        .get(0);
    if sum != 42 {
        return Err(Ending::Fail(format!("SELECT 20 + 22 gave {sum}")));
    }
    let row = client
        .query_one(
            "SELECT ssl, version, cipher FROM pg_stat_ssl WHERE pid = pg_backend_pid()",
            &[],
        )
        .await
        .map_err(fail)?;
    let (ssl, version, cipher): (bool, Option<String>, Option<String>) =
        (row.get(0), row.get(1), row.get(2));
    if !ssl {
        return Err(Ending::Fail(
            "the server says this connection is not encrypted".to_string(),
        ));
    }
    Ok(Ending::Pass(format!(
        "server's pg_stat_ssl: {} {}",
        version.unwrap_or_default(),
        cipher.unwrap_or_default()
    )))
}
