//! A TLS echo server over whatever backend the `unitls` features turn on.
//!
//! ```text
//! cargo run --example echo_server -- --listen 127.0.0.1:4433 --cert chain.pem --key key.pem [--max-connections N]
//! ```
//! Prints `listening <addr>`, then serves each connection on its own thread: echoes
//! application data until the client closes, then closes with close_notify.

use std::io::{Read, Write};
use std::net::TcpListener;

use unitls::{create_server_context, from_accepted, AttachOptions, IdentitySource};

fn arg(args: &[String], name: &str) -> Option<String> {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .cloned()
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let listen = arg(&args, "--listen").unwrap_or_else(|| "127.0.0.1:0".into());
    let (Some(cert), Some(key)) = (arg(&args, "--cert"), arg(&args, "--key")) else {
        return Err("usage: echo_server --listen ADDR --cert CHAIN.pem --key KEY.pem".into());
    };
    let max: Option<usize> = arg(&args, "--max-connections")
        .map(|n| n.parse())
        .transpose()?;
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
