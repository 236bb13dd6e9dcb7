//! A TLS echo client over whatever backend the `unitls` features turn on.
//!
//! ```text
//! cargo run --example echo_client -- --connect 127.0.0.1:4433 --ca ca.pem [--name localhost] [--send TEXT]
//! ```
//! Verifies the server against `--ca` and `--name` (default: the host), sends the
//! text, prints the echo and the session's version and cipher suite.

use std::io::{Read, Write};
use std::net::TcpStream;

use unitls::{
    create_client_context, AttachOptions, DetachOptions, SocketStream, Source, TrustSource,
};

fn arg(args: &[String], name: &str) -> Option<String> {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .cloned()
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let (Some(connect), Some(ca)) = (arg(&args, "--connect"), arg(&args, "--ca")) else {
        return Err(
            "usage: echo_client --connect HOST:PORT --ca CA.pem [--name NAME] [--send TEXT]".into(),
        );
    };
    let host = connect
        .rsplit_once(':')
        .map(|(h, _)| h.trim_matches(['[', ']']))
        .unwrap_or(&connect);
    let name = arg(&args, "--name").unwrap_or_else(|| host.to_string());
    let text = arg(&args, "--send").unwrap_or_else(|| "hello, unitls".into());
    let context = create_client_context()
        .trust_only([TrustSource::Pem(Source::file(ca))])
        .build()?;
    let mut stream = SocketStream::new(TcpStream::connect(&connect)?);
    stream.attach_ssl(AttachOptions::client(name).ctx(context))?;
    stream.write_all(text.as_bytes())?;
    let mut echo = vec![0u8; text.len()];
    stream.read_exact(&mut echo)?;
    println!(
        "{} via {} {}",
        String::from_utf8_lossy(&echo),
        stream
            .protocol_version()?
            .map(|v| v.to_string())
            .unwrap_or_default(),
        stream
            .cipher_suite()?
            .map(|c| c.to_string())
            .unwrap_or_default()
    );
    stream.detach_ssl(DetachOptions::no_wait())?;
    Ok(())
}
