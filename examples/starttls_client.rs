//! An SMTP-style STARTTLS client: reads the greeting, says EHLO, upgrades with
//! STARTTLS on the same connection, says EHLO again over TLS and quits.
//!
//! ```text
//! cargo run --example starttls_client -- --connect 127.0.0.1:2525 --ca ca.pem [--name localhost]
//! ```

use std::io::{BufRead, Write};
use std::net::TcpStream;

use unitls::{create_client_context, AttachOptions, SocketStream, Source, Transport, TrustSource};

fn arg(args: &[String], name: &str) -> Option<String> {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .cloned()
}

/// Reads one SMTP reply (all its lines) and returns its last line.
fn reply<T: Transport>(stream: &mut SocketStream<T>) -> std::io::Result<String> {
    loop {
        let mut line = String::new();
        if stream.read_line(&mut line)? == 0 {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        print!("S: {line}");
        if line.as_bytes().get(3) != Some(&b'-') {
            return Ok(line);
        }
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let (Some(connect), Some(ca)) = (arg(&args, "--connect"), arg(&args, "--ca")) else {
        return Err("usage: starttls_client --connect HOST:PORT --ca CA.pem [--name NAME]".into());
    };
    let host = connect
        .rsplit_once(':')
        .map(|(h, _)| h.trim_matches(['[', ']']))
        .unwrap_or(&connect);
    let name = arg(&args, "--name").unwrap_or_else(|| host.to_string());
    let context = create_client_context()
        .trust_only([TrustSource::Pem(Source::file(ca))])
        .build()?;
    let mut stream = SocketStream::new(TcpStream::connect(&connect)?);
    reply(&mut stream)?;
    stream.write_all(b"EHLO client.example\r\n")?;
    let last = reply(&mut stream)?;
    if !last.contains("STARTTLS") {
        return Err("the server does not offer STARTTLS".into());
    }
    stream.write_all(b"STARTTLS\r\n")?;
    if !reply(&mut stream)?.starts_with("220") {
        return Err("STARTTLS refused".into());
    }
    stream.attach_ssl(AttachOptions::client(name).ctx(context))?;
    println!(
        "TLS: {} {}",
        stream
            .protocol_version()?
            .map(|v| v.to_string())
            .unwrap_or_default(),
        stream
            .cipher_suite()?
            .map(|c| c.to_string())
            .unwrap_or_default()
    );
    stream.write_all(b"EHLO client.example\r\n")?;
    reply(&mut stream)?;
    stream.write_all(b"QUIT\r\n")?;
    reply(&mut stream)?;
    stream.close()?;
    Ok(())
}
