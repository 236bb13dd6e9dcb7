//! An SMTP-style STARTTLS client on tokio: reads the greeting, says EHLO, upgrades
//! with STARTTLS on the same connection, says EHLO again over TLS and quits.
//!
//! ```text
//! cargo run --features tokio --example tokio_starttls_client -- --connect 127.0.0.1:2525 --ca ca.pem [--name localhost]
//! ```
//! The same client as `starttls_client`, with `unitls::tokio::SocketStream`: plaintext
//! first, then TLS attached to the very same stream.

use std::collections::HashMap;

use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpStream;
use unitls::tokio::SocketStream;
use unitls::{create_client_context, AttachOptions, Source, TrustSource};

const USAGE: &str = "\
usage: tokio_starttls_client --connect HOST:PORT --ca CA.pem [--name NAME]

options:
  --connect HOST:PORT  the SMTP server to connect to (required)
  --ca CA.pem          the CA certificates, PEM, that alone are trusted to verify
                       the server (required)
  --name NAME          the name the server's certificate must carry, also sent as
                       SNI (default: the host of --connect)
  -h, --help           print this help
";

type Failure = Box<dyn std::error::Error>;

/// Prints what is wrong and the usage to stderr, then exits with status 2.
fn usage_error(problem: &str) -> ! {
    eprint!("tokio_starttls_client: {problem}\n{USAGE}");
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

/// One SMTP reply: its code and the text of each of its lines.
struct Reply {
    code: u16,
    lines: Vec<String>,
}

impl Reply {
    /// Whether an EHLO reply offers `keyword` on any of its lines (RFC 5321 §4.1.1.1).
    fn offers(&self, keyword: &str) -> bool {
        self.lines.iter().any(|line| {
            line.split_whitespace()
                .next()
                .is_some_and(|word| word.eq_ignore_ascii_case(keyword))
        })
    }
}

/// Reads one whole SMTP reply: `NNN-text` continues it, `NNN text` ends it.
async fn reply<T>(stream: &mut SocketStream<T>) -> Result<Reply, Failure>
where
    T: AsyncRead + AsyncWrite + Unpin,
{
    let mut lines = Vec::new();
    loop {
        let mut line = String::new();
        if stream.read_line(&mut line).await? == 0 {
            return Err("the server closed the connection in the middle of a reply".into());
        }
        print!("S: {line}");
        let line = line.trim_end_matches(['\r', '\n']);
        let code = line
            .get(..3)
            .and_then(|code| code.parse::<u16>().ok())
            .ok_or_else(|| format!("not an SMTP reply line: {line:?}"))?;
        let last = match line.as_bytes().get(3) {
            None | Some(b' ') => true,
            Some(b'-') => false,
            Some(_) => return Err(format!("not an SMTP reply line: {line:?}").into()),
        };
        lines.push(line.get(4..).unwrap_or("").to_string());
        if last {
            return Ok(Reply { code, lines });
        }
    }
}

/// Sends one command and reads its reply, which must have the code `expected`.
async fn command<T>(
    stream: &mut SocketStream<T>,
    text: &str,
    expected: u16,
) -> Result<Reply, Failure>
where
    T: AsyncRead + AsyncWrite + Unpin,
{
    println!("C: {text}");
    stream.write_all(format!("{text}\r\n").as_bytes()).await?;
    stream.flush().await?;
    let reply = reply(stream).await?;
    if reply.code != expected {
        return Err(format!("{text}: the server answered {}, not {expected}", reply.code).into());
    }
    Ok(reply)
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Failure> {
    let args = parse_args(&["--connect", "--ca", "--name"]);
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
    let context = create_client_context()
        .trust_only([TrustSource::Pem(Source::file(ca))])
        .build()?;
    let mut stream = SocketStream::new(TcpStream::connect(&connect).await?);
    let greeting = reply(&mut stream).await?;
    if greeting.code != 220 {
        return Err(format!("the server's greeting is {}, not 220", greeting.code).into());
    }
    if !command(&mut stream, "EHLO client.example", 250)
        .await?
        .offers("STARTTLS")
    {
        return Err("the server does not offer STARTTLS".into());
    }
    command(&mut stream, "STARTTLS", 220).await?;
    stream
        .attach_ssl(AttachOptions::client(name).ctx(context))
        .await?;
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
    // RFC 3207 §4.2: the client forgets what it knew and asks again.
    command(&mut stream, "EHLO client.example", 250).await?;
    command(&mut stream, "QUIT", 221).await?;
    stream.close().await?;
    Ok(())
}
