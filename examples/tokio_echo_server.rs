//! A tokio TLS echo server: many connections on one runtime, and a graceful shutdown.
//!
//! ```text
//! cargo run --features tokio --example tokio_echo_server -- --cert chain.pem --key key.pem [--listen ADDR] [--max-connections N]
//! ```
//! Prints `listening <addr>`, then serves each connection on its own task: echoes
//! application data until the client closes, then closes with close_notify. On
//! Ctrl-C (or once N connections were accepted) it stops accepting, gives the
//! connections under way 10 s to finish, closes the rest, and prints
//! `served N connections`.

use std::collections::HashMap;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio::task::JoinSet;
use unitls::{create_server_context, AbstractContext, IdentitySource};

const USAGE: &str = "\
usage: tokio_echo_server --cert CHAIN.pem --key KEY.pem [--listen ADDR] [--max-connections N]

options:
  --cert CHAIN.pem       the server's certificate chain, PEM, leaf first (required)
  --key KEY.pem          the server's private key, PEM (required)
  --listen ADDR          the address to listen on (default: 127.0.0.1:0, any free
                         port); the server prints `listening <addr>`
  --max-connections N    accept N connections, then shut down gracefully once they
                         are served (default: serve until Ctrl-C)
  -h, --help             print this help
";

/// How long connections under way may go on after the shutdown began.
const GRACE: Duration = Duration::from_secs(10);

/// Prints what is wrong and the usage to stderr, then exits with status 2.
fn usage_error(problem: &str) -> ! {
    eprint!("tokio_echo_server: {problem}\n{USAGE}");
    std::process::exit(2)
}

/// Reads `--option VALUE` pairs; an unknown option or a missing value is a usage error.
fn parse_args(known: &[&str]) -> HashMap<String, String> {
    let mut args = std::env::args().skip(1);
    let mut found = HashMap::new();
    while let Some(arg) = args.next() {
        if arg == "-h" || arg == "--help" {
            print!("{USAGE}");
            std::process::exit(0);
        }
        if !known.contains(&arg.as_str()) {
            usage_error(&format!("unknown argument {arg:?}"));
        }
        let Some(value) = args.next() else {
            usage_error(&format!("{arg} needs a value"));
        };
        found.insert(arg, value);
    }
    found
}

/// Serves one connection: the handshake, then echo until the client closes, or
/// until the shutdown begins (then close_notify, and the client reads a clean end).
async fn serve(
    context: std::sync::Arc<AbstractContext>,
    socket: TcpStream,
    mut shutdown: watch::Receiver<bool>,
) -> unitls::Result<u64> {
    let mut stream = unitls::tokio::accept(context, socket).await?;
    let mut total = 0u64;
    let mut buf = [0u8; 16 * 1024];
    loop {
        let n = tokio::select! {
            read = stream.read(&mut buf) => read?,
            _ = shutdown.wait_for(|stop| *stop) => break,
        };
        if n == 0 {
            break;
        }
        stream.write_all(&buf[..n]).await?;
        stream.flush().await?;
        total += n as u64;
    }
    stream.close().await?;
    Ok(total)
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args = parse_args(&["--listen", "--cert", "--key", "--max-connections"]);
    let listen = args
        .get("--listen")
        .cloned()
        .unwrap_or_else(|| "127.0.0.1:0".into());
    let Some(cert) = args.get("--cert") else {
        usage_error("--cert is required");
    };
    let Some(key) = args.get("--key") else {
        usage_error("--key is required");
    };
    let max: Option<usize> = match args.get("--max-connections").map(|n| n.parse()) {
        None => None,
        Some(Ok(n)) => Some(n),
        Some(Err(_)) => usage_error("--max-connections needs a number"),
    };
    let context = create_server_context()
        .identity(IdentitySource::pem_files(cert, key))
        .build()?;
    let listener = TcpListener::bind(listen).await?;
    println!("listening {}", listener.local_addr()?);
    let (stop, stopping) = watch::channel(false);
    let mut connections = JoinSet::new();
    let mut accepted = 0usize;
    while max.map_or(true, |max| accepted < max) {
        let socket = tokio::select! {
            socket = listener.accept() => socket?.0,
            _ = tokio::signal::ctrl_c() => break,
        };
        accepted += 1;
        connections.spawn(serve(context.clone(), socket, stopping.clone()));
    }
    drop(listener); // no more connections
                    // Graceful: let the connections under way finish, then ask the rest to close.
    let mut served = 0usize;
    let finish = async {
        while let Some(done) = connections.join_next().await {
            served += 1;
            match done {
                Ok(Ok(total)) => eprintln!("echoed {total} octets"),
                Ok(Err(err)) => eprintln!("connection failed: {err}"),
                Err(err) => eprintln!("connection task failed: {err}"),
            }
        }
    };
    if tokio::time::timeout(GRACE, finish).await.is_err() {
        let _ = stop.send(true);
        while connections.join_next().await.is_some() {
            served += 1;
        }
    }
    println!("served {served} connections");
    Ok(())
}
