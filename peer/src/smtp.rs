//! `--starttls smtp` (RFC 3207): the plaintext SMTP dialogue before TLS, for both roles,
//! and the short dialogue over TLS after it — what is said, once ([`answer`], the
//! replies and checks), and its driver over the blocking stream (the tokio one is in
//! [`crate::async_mode::smtp`]).

use std::io::{BufRead, Read, Write};

use unitls::{AttachOptions, ErrorKind, SocketStream, Transport};

use crate::{io_error, report_handshake};

/// The longest command or reply line read (RFC 5321 §4.5.3.1.4 allows 512 octets).
pub(crate) const MAX_LINE: u64 = 4096;

/// The server's greeting.
pub(crate) const GREETING: &str = "220 unitls-peer ESMTP\r\n";

/// The client's EHLO (before and over TLS).
pub(crate) const EHLO: &str = "EHLO unitls-peer\r\n";

/// The client's STARTTLS.
pub(crate) const STARTTLS: &str = "STARTTLS\r\n";

/// The client's QUIT.
pub(crate) const QUIT: &str = "QUIT\r\n";

/// What the server does with one command line.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Answer {
    /// Sends this reply and reads the next command.
    Reply(&'static str),
    /// Sends this go-ahead, then attaches TLS as the server.
    StartTls(&'static str),
    /// Sends this reply and ends the dialogue.
    Quit(&'static str),
}

/// The server's answer to `line`: EHLO → 250 (offering STARTTLS before TLS), STARTTLS
/// (before TLS) → 220 and attach, QUIT → 221, anything else → `250 ok`.
pub(crate) fn answer(line: &[u8], tls: bool) -> Answer {
    let text = String::from_utf8_lossy(line);
    let verb = text
        .split_whitespace()
        .next()
        .unwrap_or("")
        .to_ascii_uppercase();
    match verb.as_str() {
        "EHLO" | "HELO" if tls => Answer::Reply("250 unitls-peer\r\n"),
        "EHLO" | "HELO" => Answer::Reply("250-unitls-peer\r\n250 STARTTLS\r\n"),
        "STARTTLS" if !tls => Answer::StartTls("220 Ready to start TLS\r\n"),
        "QUIT" => Answer::Quit("221 Bye\r\n"),
        _ => Answer::Reply("250 ok\r\n"),
    }
}

/// The server's error for a client that left before STARTTLS.
pub(crate) fn left_before_starttls() -> unitls::Error {
    unitls::Error::new(ErrorKind::Failure, "the client left before STARTTLS")
}

/// The client's error for a reply cut short.
pub(crate) fn cut_reply() -> unitls::Error {
    unitls::Error::new(
        ErrorKind::Failure,
        "the SMTP server closed the connection in the middle of a reply",
    )
}

/// Whether `line` is the last of its reply (no `-` after the code).
pub(crate) fn ends_reply(line: &str) -> bool {
    line.as_bytes().get(3) != Some(&b'-')
}

/// Fails unless the EHLO reply offers STARTTLS.
pub(crate) fn offers_starttls(ehlo: &[String]) -> unitls::Result<()> {
    if ehlo
        .iter()
        .any(|line| line.to_ascii_uppercase().contains("STARTTLS"))
    {
        Ok(())
    } else {
        Err(unitls::Error::new(
            ErrorKind::Failure,
            "the SMTP server does not offer STARTTLS",
        ))
    }
}

/// The octets of the replies the client counts over TLS.
pub(crate) fn reply_octets(replies: &[&[String]]) -> u64 {
    replies
        .iter()
        .flat_map(|reply| reply.iter())
        .map(|line| line.len() as u64)
        .sum()
}

/// Fails unless the reply's code is `code`.
pub(crate) fn expect(reply: &[String], code: &str, what: &str) -> unitls::Result<()> {
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

/// Server: greeting, EHLO, STARTTLS in plaintext, attach, then the [`answer`]s until
/// QUIT or the client's close_notify. Returns the octets received over TLS.
pub(crate) fn serve<T: Transport>(
    stream: &mut SocketStream<T>,
    options: impl FnOnce() -> AttachOptions,
    conn: usize,
) -> unitls::Result<u64> {
    send(stream, GREETING)?;
    let mut options = Some(options);
    let mut received = 0u64;
    loop {
        let Some(line) = read_line(stream)? else {
            if options.is_some() {
                return Err(left_before_starttls());
            }
            return Ok(received);
        };
        let tls = options.is_none();
        if tls {
            received += line.len() as u64;
        }
        match answer(&line, tls) {
            Answer::Reply(reply) => send(stream, reply)?,
            Answer::StartTls(reply) => {
                send(stream, reply)?;
                if let Some(options) = options.take() {
                    stream.attach_ssl(options())?;
                    report_handshake(stream, Some(conn))?;
                }
            }
            Answer::Quit(reply) => {
                send(stream, reply)?;
                return Ok(received);
            }
        }
    }
}

/// Client, in plaintext: reads the greeting, says EHLO, checks that STARTTLS is offered,
/// sends it and reads the go-ahead. TLS is attached next by the caller.
pub(crate) fn client_starttls<T: Transport>(stream: &mut SocketStream<T>) -> unitls::Result<()> {
    expect(&reply(stream)?, "220", "greeting")?;
    send(stream, EHLO)?;
    let ehlo = reply(stream)?;
    expect(&ehlo, "250", "EHLO")?;
    offers_starttls(&ehlo)?;
    send(stream, STARTTLS)?;
    expect(&reply(stream)?, "220", "STARTTLS")
}

/// Client, over TLS: EHLO (expects 250) and QUIT (expects 221). Returns the octets of
/// the replies received.
pub(crate) fn client_dialogue<T: Transport>(stream: &mut SocketStream<T>) -> unitls::Result<u64> {
    send(stream, EHLO)?;
    let ehlo = reply(stream)?;
    expect(&ehlo, "250", "EHLO over TLS")?;
    send(stream, QUIT)?;
    let quit = reply(stream)?;
    expect(&quit, "221", "QUIT")?;
    Ok(reply_octets(&[&ehlo, &quit]))
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
            return Err(cut_reply());
        };
        let line = String::from_utf8_lossy(&line).into_owned();
        let last = ends_reply(&line);
        lines.push(line);
        if last {
            return Ok(lines);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_server_answers_each_command() {
        assert_eq!(
            answer(b"EHLO x\r\n", false),
            Answer::Reply("250-unitls-peer\r\n250 STARTTLS\r\n")
        );
        assert_eq!(
            answer(b"ehlo x\r\n", true),
            Answer::Reply("250 unitls-peer\r\n")
        );
        assert!(matches!(
            answer(b"STARTTLS\r\n", false),
            Answer::StartTls(_)
        ));
        assert_eq!(answer(b"STARTTLS\r\n", true), Answer::Reply("250 ok\r\n"));
        assert!(matches!(answer(b"QUIT\r\n", true), Answer::Quit(r) if r.starts_with("221")));
        assert!(ends_reply("250 ok\r\n") && !ends_reply("250-x\r\n"));
        let ehlo = ["250-a\r\n".to_owned(), "250 STARTTLS\r\n".to_owned()];
        assert!(offers_starttls(&ehlo).is_ok() && offers_starttls(&ehlo[..1]).is_err());
        assert!(expect(&ehlo, "250", "EHLO").is_ok() && expect(&ehlo, "220", "x").is_err());
        assert_eq!(reply_octets(&[&ehlo, &ehlo[..1]]), 7 + 14 + 7);
    }
}
