//! A TLS echo client over whatever backend the `unitls` features turn on.
//!
//! ```text
//! cargo run --example echo_client -- --connect 127.0.0.1:4433 --ca ca.pem [--name localhost] [--send TEXT]
//! ```
//! Verifies the server against `--ca` and `--name` (default: the host), sends the
//! text, prints the echo and the session's version and cipher suite.

use std::collections::HashMap;
use std::io::{Read, Write};
use std::net::TcpStream;

use unitls::{
    create_client_context, AttachOptions, DetachOptions, SocketStream, Source, TrustSource,
};

const USAGE: &str = "\
usage: echo_client --connect HOST:PORT --ca CA.pem [--name NAME] [--send TEXT]

options:
  --connect HOST:PORT  the echo server to connect to (required)
  --ca CA.pem          the CA certificates, PEM, that alone are trusted to verify
                       the server (required)
  --name NAME          the name the server's certificate must carry, also sent as
                       SNI (default: the host of --connect)
  --send TEXT          the text to send and read back (default: \"hello, unitls\")
  -h, --help           print this help
";

/// Prints what is wrong and the usage to stderr, then exits with status 2.
fn usage_error(problem: &str) -> ! {
    eprint!("echo_client: {problem}\n{USAGE}");
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
    let args = parse_args(&["--connect", "--ca", "--name", "--send"]);
    let Some(connect) = args.get("--connect").cloned() else {
        usage_error("--connect is required");
    };
    let Some(ca) = args.get("--ca").cloned() else {
        usage_error("--ca is required");
    };
    let host = connect
        .rsplit_once(':')
        .map(|(h, _)| h.trim_matches(['[', ']']))
        .unwrap_or(&connect);
    let name = args
        .get("--name")
        .cloned()
        .unwrap_or_else(|| host.to_string());
    let text = args
        .get("--send")
        .cloned()
        .unwrap_or_else(|| "hello, unitls".into());
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
