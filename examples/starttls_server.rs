//! An SMTP-style STARTTLS server: plaintext greeting and EHLO, `STARTTLS`, then the
//! same dialogue over TLS on the same connection. It takes mail (MAIL, RCPT, DATA)
//! and prints each message it receives on stdout instead of delivering it.
//!
//! ```text
//! cargo run --example starttls_server -- --listen 127.0.0.1:2525 --cert chain.pem --key key.pem [--max-connections N]
//! ```
//! Plaintext the client sends after `STARTTLS` and before its ClientHello is never
//! taken as TLS data: the handshake fails instead (RFC 3207 §6, CVE-2011-0411).

use std::collections::HashMap;
use std::io::{BufRead, Read, Write};
use std::net::{TcpListener, TcpStream};

use unitls::{create_server_context, AbstractContext, AttachOptions, IdentitySource, SocketStream};

const USAGE: &str = "\
usage: starttls_server --cert CHAIN.pem --key KEY.pem [--listen ADDR] [--max-connections N]

options:
  --cert CHAIN.pem       the server's certificate chain, PEM, leaf first (required)
  --key KEY.pem          the server's private key, PEM (required)
  --listen ADDR          the address to listen on (default: 127.0.0.1:0, any free
                         port); the server prints `listening <addr>`
  --max-connections N    serve N connections, one after the other, then exit
                         (default: serve until killed)
  -h, --help             print this help
";

/// The longest line taken, in octets with CRLF (RFC 5321 §4.5.3.1.6).
const MAX_LINE: u64 = 1000;
/// The largest message taken, in octets.
const MAX_MESSAGE: usize = 10 * 1024 * 1024;

/// Prints what is wrong and the usage to stderr, then exits with status 2.
fn usage_error(problem: &str) -> ! {
    eprint!("starttls_server: {problem}\n{USAGE}");
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

/// Reads one line, CRLF or LF included; `None` at the end of the stream. A line
/// longer than [`MAX_LINE`] is an error.
fn read_line(stream: &mut SocketStream<TcpStream>) -> std::io::Result<Option<Vec<u8>>> {
    let mut line = Vec::new();
    Read::take(&mut *stream, MAX_LINE).read_until(b'\n', &mut line)?;
    if line.is_empty() {
        return Ok(None);
    }
    if !line.ends_with(b"\n") {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            "line too long or cut short",
        ));
    }
    Ok(Some(line))
}

/// The mail transaction under way (RFC 5321 §3.3).
#[derive(Default)]
struct Transaction {
    from: Option<String>,
    to: Vec<String>,
}

/// Reads a message after `354`, up to the line holding a lone `.`, undoing the
/// dot-stuffing (RFC 5321 §4.5.2): a line that starts with `.` loses that dot.
/// `None` if it was larger than [`MAX_MESSAGE`] (it is still read to its end).
fn read_message(stream: &mut SocketStream<TcpStream>) -> std::io::Result<Option<Vec<u8>>> {
    let mut message = Vec::new();
    let mut too_big = false;
    loop {
        let Some(line) = read_line(stream)? else {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        };
        if line == b".\r\n" || line == b".\n" {
            return Ok((!too_big).then_some(message));
        }
        let line = line.strip_prefix(b".").unwrap_or(&line);
        if message.len() + line.len() > MAX_MESSAGE {
            too_big = true;
            message.clear();
        } else if !too_big {
            message.extend_from_slice(line);
        }
    }
}

fn serve(socket: TcpStream, context: std::sync::Arc<AbstractContext>) -> unitls::Result<()> {
    let mut stream = SocketStream::new(socket);
    stream.write_all(b"220 unitls ESMTP ready\r\n")?;
    let mut tls = false;
    let mut mail = Transaction::default();
    loop {
        let Some(line) = read_line(&mut stream)? else {
            return Ok(());
        };
        let line = String::from_utf8_lossy(&line);
        let line = line.trim_end();
        let (verb, rest) = line.split_once(' ').unwrap_or((line, ""));
        let reply = match verb.to_ascii_uppercase().as_str() {
            "EHLO" | "HELO" if rest.is_empty() => "501 Syntax: EHLO hostname".to_string(),
            "EHLO" => {
                // RFC 3207 §4.2: after TLS, no STARTTLS and a fresh state.
                mail = Transaction::default();
                let last = if tls {
                    "250 8BITMIME"
                } else {
                    "250-8BITMIME\r\n250 STARTTLS"
                };
                format!("250-unitls Hello {rest}\r\n{last}")
            }
            "HELO" => {
                mail = Transaction::default();
                format!("250 unitls Hello {rest}")
            }
            "STARTTLS" if tls => "503 TLS is already active".to_string(),
            "STARTTLS" => {
                stream.write_all(b"220 Ready to start TLS\r\n")?;
                stream.attach_ssl(AttachOptions::server().ctx(context.clone()))?;
                tls = true;
                mail = Transaction::default();
                continue;
            }
            "MAIL" if mail.from.is_some() => "503 Sender already given".to_string(),
            "MAIL" => match rest.get(..5) {
                Some(from) if from.eq_ignore_ascii_case("FROM:") => {
                    mail.from = Some(rest[5..].trim().to_string());
                    "250 OK".to_string()
                }
                _ => "501 Syntax: MAIL FROM:<address>".to_string(),
            },
            "RCPT" if mail.from.is_none() => "503 Need MAIL first".to_string(),
            "RCPT" => match rest.get(..3) {
                Some(to) if to.eq_ignore_ascii_case("TO:") => {
                    mail.to.push(rest[3..].trim().to_string());
                    "250 OK".to_string()
                }
                _ => "501 Syntax: RCPT TO:<address>".to_string(),
            },
            "DATA" if mail.to.is_empty() => "503 Need RCPT first".to_string(),
            "DATA" => {
                stream.write_all(b"354 End data with <CR><LF>.<CR><LF>\r\n")?;
                let message = read_message(&mut stream)?;
                let mail = std::mem::take(&mut mail);
                match message {
                    None => "552 Message too big".to_string(),
                    Some(message) => {
                        let text = String::from_utf8_lossy(&message);
                        let mut out = std::io::stdout().lock();
                        let _ = writeln!(
                            out,
                            "message from {} to {}, {} octets:",
                            mail.from.unwrap_or_default(),
                            mail.to.join(", "),
                            message.len()
                        );
                        for line in text.lines() {
                            let _ = writeln!(out, "> {line}");
                        }
                        let _ = out.flush();
                        "250 OK: message accepted".to_string()
                    }
                }
            }
            "RSET" => {
                mail = Transaction::default();
                "250 OK".to_string()
            }
            "NOOP" => "250 OK".to_string(),
            "QUIT" => {
                stream.write_all(b"221 Bye\r\n")?;
                stream.close()?;
                return Ok(());
            }
            _ => format!("502 Command not implemented: {verb}"),
        };
        stream.write_all(format!("{reply}\r\n").as_bytes())?;
    }
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
