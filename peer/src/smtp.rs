//! `--starttls smtp` (RFC 3207): the plaintext SMTP dialogue before TLS, for both roles,
//! and the short dialogue over TLS after it.

use std::io::{BufRead, Read, Write};

use unitls::{AttachOptions, ErrorKind, SocketStream, Transport};

use crate::{io_error, report_handshake};

/// The longest command or reply line read (RFC 5321 §4.5.3.1.4 allows 512 octets).
const MAX_LINE: u64 = 4096;

/// Server: greeting, EHLO, STARTTLS in plaintext, attach, then EHLO → 250, QUIT → 221,
/// anything else → `250 ok`, until QUIT or the client's close_notify. Returns the
/// octets received over TLS.
pub(crate) fn serve<T: Transport>(
    stream: &mut SocketStream<T>,
    options: impl FnOnce() -> AttachOptions,
    conn: usize,
) -> unitls::Result<u64> {
    send(stream, "220 unitls-peer ESMTP\r\n")?;
    let mut options = Some(options);
    let mut received = 0u64;
    loop {
        let Some(line) = read_line(stream)? else {
            if options.is_some() {
                return Err(unitls::Error::new(
                    ErrorKind::Failure,
                    "the client left before STARTTLS",
                ));
            }
            return Ok(received);
        };
        let tls = options.is_none();
        if tls {
            received += line.len() as u64;
        }
        let text = String::from_utf8_lossy(&line);
        let verb = text
            .split_whitespace()
            .next()
            .unwrap_or("")
            .to_ascii_uppercase();
        match verb.as_str() {
            "EHLO" | "HELO" if tls => send(stream, "250 unitls-peer\r\n")?,
            "EHLO" | "HELO" => send(stream, "250-unitls-peer\r\n250 STARTTLS\r\n")?,
            "STARTTLS" if !tls => {
                send(stream, "220 Ready to start TLS\r\n")?;
                if let Some(options) = options.take() {
                    stream.attach_ssl(options())?;
                    report_handshake(stream, Some(conn))?;
                }
            }
            "QUIT" => {
                send(stream, "221 Bye\r\n")?;
                return Ok(received);
            }
            _ => send(stream, "250 ok\r\n")?,
        }
    }
}

/// Client, in plaintext: reads the greeting, says EHLO, checks that STARTTLS is offered,
/// sends it and reads the go-ahead. TLS is attached next by the caller.
pub(crate) fn client_starttls<T: Transport>(stream: &mut SocketStream<T>) -> unitls::Result<()> {
    expect(&reply(stream)?, "220", "greeting")?;
    send(stream, "EHLO unitls-peer\r\n")?;
    let ehlo = reply(stream)?;
    expect(&ehlo, "250", "EHLO")?;
    if !ehlo
        .iter()
        .any(|line| line.to_ascii_uppercase().contains("STARTTLS"))
    {
        return Err(unitls::Error::new(
            ErrorKind::Failure,
            "the SMTP server does not offer STARTTLS",
        ));
    }
    send(stream, "STARTTLS\r\n")?;
    expect(&reply(stream)?, "220", "STARTTLS")
}

/// Client, over TLS: EHLO (expects 250) and QUIT (expects 221). Returns the octets of
/// the replies received.
pub(crate) fn client_dialogue<T: Transport>(stream: &mut SocketStream<T>) -> unitls::Result<u64> {
    send(stream, "EHLO unitls-peer\r\n")?;
    let ehlo = reply(stream)?;
    expect(&ehlo, "250", "EHLO over TLS")?;
    send(stream, "QUIT\r\n")?;
    let quit = reply(stream)?;
    expect(&quit, "221", "QUIT")?;
    Ok(ehlo.iter().chain(&quit).map(|l| l.len() as u64).sum())
}

/// Writes `text`.
fn send<T: Transport>(stream: &mut SocketStream<T>, text: &str) -> unitls::Result<()> {
    stream.write_all(text.as_bytes()).map_err(io_error)
}

/// One line with its ending, or `None` at a clean end of stream.
fn read_line<T: Transport>(stream: &mut SocketStream<T>) -> unitls::Result<Option<Vec<u8>>> {
    let mut line = Vec::new();
    Read::take(&mut *stream, MAX_LINE)
        .read_until(b'\n', &mut line)
        .map_err(io_error)?;
    Ok((!line.is_empty()).then_some(line))
}

/// One SMTP reply: its lines up to the one without `-` after the code.
fn reply<T: Transport>(stream: &mut SocketStream<T>) -> unitls::Result<Vec<String>> {
    let mut lines = Vec::new();
    loop {
        let Some(line) = read_line(stream)? else {
            return Err(unitls::Error::new(
                ErrorKind::Failure,
                "the SMTP server closed the connection in the middle of a reply",
            ));
        };
        let line = String::from_utf8_lossy(&line).into_owned();
        let last = line.as_bytes().get(3) != Some(&b'-');
        lines.push(line);
        if last {
            return Ok(lines);
        }
    }
}

/// Fails unless the reply's code is `code`.
fn expect(reply: &[String], code: &str, what: &str) -> unitls::Result<()> {
    let last = reply.last().map_or("", String::as_str);
    if last.starts_with(code) {
        Ok(())
    } else {
        Err(unitls::Error::new(
            ErrorKind::Failure,
            format!("SMTP {what}: expected {code}, got {:?}", last.trim_end()),
        ))
    }
}
