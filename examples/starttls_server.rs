//! An SMTP-style STARTTLS server: plaintext greeting and EHLO, `STARTTLS`, then the
//! same dialogue over TLS on the same connection.
//!
//! ```text
//! cargo run --example starttls_server -- --listen 127.0.0.1:2525 --cert chain.pem --key key.pem [--max-connections N]
//! ```
//! Plaintext the client sends after `STARTTLS` and before its ClientHello is never
//! taken as TLS data: the handshake fails instead (RFC 3207 §6, CVE-2011-0411).

use std::io::{BufRead, Write};
use std::net::{TcpListener, TcpStream};

use unitls::{create_server_context, AbstractContext, AttachOptions, IdentitySource, SocketStream};

fn arg(args: &[String], name: &str) -> Option<String> {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .cloned()
}

fn serve(
    socket: TcpStream,
    context: std::sync::Arc<AbstractContext>,
) -> Result<(), Box<dyn std::error::Error>> {
    let mut stream = SocketStream::new(socket);
    stream.write_all(b"220 unitls ESMTP ready\r\n")?;
    let mut tls = false;
    loop {
        let mut line = String::new();
        if stream.read_line(&mut line)? == 0 {
            return Ok(());
        }
        let command = line.trim_end().to_ascii_uppercase();
        match command.split_whitespace().next().unwrap_or("") {
            "EHLO" if tls => stream.write_all(b"250 unitls\r\n")?,
            "EHLO" => stream.write_all(b"250-unitls\r\n250 STARTTLS\r\n")?,
            "STARTTLS" if !tls => {
                stream.write_all(b"220 Ready to start TLS\r\n")?;
                stream.attach_ssl(AttachOptions::server().ctx(context.clone()))?;
                tls = true;
            }
            "QUIT" => {
                stream.write_all(b"221 Bye\r\n")?;
                stream.close()?;
                return Ok(());
            }
            _ => stream.write_all(format!("250 ok {}\r\n", line.trim_end()).as_bytes())?,
        }
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let listen = arg(&args, "--listen").unwrap_or_else(|| "127.0.0.1:0".into());
    let (Some(cert), Some(key)) = (arg(&args, "--cert"), arg(&args, "--key")) else {
        return Err("usage: starttls_server --listen ADDR --cert CHAIN.pem --key KEY.pem".into());
    };
    let max: Option<usize> = arg(&args, "--max-connections")
        .map(|n| n.parse())
        .transpose()?;
    let context = create_server_context()
        .identity(IdentitySource::pem_files(cert, key))
        .build()?;
    let listener = TcpListener::bind(listen)?;
    println!("listening {}", listener.local_addr()?);
    for (served, socket) in listener.incoming().enumerate() {
        if let Err(err) = serve(socket?, context.clone()) {
            eprintln!("session failed: {err}");
        }
        if max.is_some_and(|max| served + 1 >= max) {
            break;
        }
    }
    Ok(())
}
