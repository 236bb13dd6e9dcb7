//! A TLS echo server over whatever backend the `unitls` features turn on.
//!
//! ```text
//! cargo run --example echo_server -- --listen 127.0.0.1:4433 --cert chain.pem --key key.pem [--max-connections N]
//! ```
//! Prints `listening <addr>`, then serves each connection on its own thread: echoes
//! application data until the client closes, then closes with close_notify.

use std::collections::HashMap;
use std::io::{Read, Write};
use std::net::TcpListener;

use unitls::{create_server_context, from_accepted, AttachOptions, IdentitySource};

const USAGE: &str = "\
usage: echo_server --cert CHAIN.pem --key KEY.pem [--listen ADDR] [--max-connections N]

options:
  --cert CHAIN.pem       the server's certificate chain, PEM, leaf first (required)
  --key KEY.pem          the server's private key, PEM (required)
  --listen ADDR          the address to listen on (default: 127.0.0.1:0, any free
                         port); the server prints `listening <addr>`
  --max-connections N    accept N connections, then exit once they are served
                         (default: serve until killed)
  -h, --help             print this help
";

/// Prints what is wrong and the usage to stderr, then exits with status 2.
fn usage_error(problem: &str) -> ! {
    eprint!("echo_server: {problem}\n{USAGE}");
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

fn main() -> Result<(), Box<dyn std::error::Error>> {
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
    let listener = TcpListener::bind(listen)?;
    println!("listening {}", listener.local_addr()?);
    let mut workers = Vec::new();
    for (served, socket) in listener.incoming().enumerate() {
        let context = context.clone();
        let socket = socket?;
        workers.push(std::thread::spawn(move || {
            let result = (|| -> unitls::Result<u64> {
                // `?` turns the io::Error of stream I/O into unitls::Error and back.
                let mut stream = from_accepted(socket, Some(AttachOptions::server().ctx(context)))?;
                let mut total = 0u64;
                let mut buf = [0u8; 16 * 1024];
                loop {
                    let n = stream.read(&mut buf)?;
                    if n == 0 {
                        break;
                    }
                    stream.write_all(&buf[..n])?;
                    total += n as u64;
                }
                stream.close()?;
                Ok(total)
            })();
            match result {
                Ok(total) => eprintln!("echoed {total} octets"),
                Err(err) => eprintln!("connection failed: {err}"),
            }
        }));
        if max.is_some_and(|max| served + 1 >= max) {
            break;
        }
    }
    for worker in workers {
        let _ = worker.join();
    }
    Ok(())
}
