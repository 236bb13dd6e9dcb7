//! `--starttls smtp` on tokio: [`crate::smtp`]'s dialogue (its answers, replies and
//! checks) driven over the tokio stream, each write flushed before the answer is read.

use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use unitls::tokio::SocketStream;
use unitls::AttachOptions;

use super::io;
use crate::report_handshake;
use crate::smtp::{
    answer, cut_reply, ends_reply, expect, left_before_starttls, offers_starttls, reply_octets,
    Answer, EHLO, GREETING, MAX_LINE, QUIT, STARTTLS,
};

/// Server: greeting, EHLO, STARTTLS in plaintext, attach, then the answers until QUIT
/// or the client's close_notify. Returns the octets received over TLS.
pub(crate) async fn serve<T: AsyncRead + AsyncWrite + Unpin>(
    stream: &mut SocketStream<T>,
    options: impl FnOnce() -> AttachOptions,
    conn: usize,
) -> unitls::Result<u64> {
    send(stream, GREETING).await?;
    let mut options = Some(options);
    let mut received = 0u64;
    loop {
        let Some(line) = read_line(stream).await? else {
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
            Answer::Reply(reply) => send(stream, reply).await?,
            Answer::StartTls(reply) => {
                send(stream, reply).await?;
                if let Some(options) = options.take() {
                    stream.attach_ssl(options()).await?;
                    report_handshake(stream, Some(conn))?;
                }
            }
            Answer::Quit(reply) => {
                send(stream, reply).await?;
                return Ok(received);
            }
        }
    }
}

/// Client, in plaintext: reads the greeting, says EHLO, checks that STARTTLS is offered,
/// sends it and reads the go-ahead. TLS is attached next by the caller.
pub(crate) async fn client_starttls<T: AsyncRead + AsyncWrite + Unpin>(
    stream: &mut SocketStream<T>,
) -> unitls::Result<()> {
    expect(&reply(stream).await?, "220", "greeting")?;
    send(stream, EHLO).await?;
    let ehlo = reply(stream).await?;
    expect(&ehlo, "250", "EHLO")?;
    offers_starttls(&ehlo)?;
    send(stream, STARTTLS).await?;
    expect(&reply(stream).await?, "220", "STARTTLS")
}

/// Client, over TLS: EHLO (expects 250) and QUIT (expects 221). Returns the octets of
/// the replies received.
pub(crate) async fn client_dialogue<T: AsyncRead + AsyncWrite + Unpin>(
    stream: &mut SocketStream<T>,
) -> unitls::Result<u64> {
    send(stream, EHLO).await?;
    let ehlo = reply(stream).await?;
    expect(&ehlo, "250", "EHLO over TLS")?;
    send(stream, QUIT).await?;
    let quit = reply(stream).await?;
    expect(&quit, "221", "QUIT")?;
    Ok(reply_octets(&[&ehlo, &quit]))
}

/// Writes `text` and flushes it.
async fn send<T: AsyncRead + AsyncWrite + Unpin>(
    stream: &mut SocketStream<T>,
    text: &str,
) -> unitls::Result<()> {
    io(stream.write_all(text.as_bytes())).await?;
    io(stream.flush()).await
}

/// One line with its ending, or `None` at a clean end of stream.
async fn read_line<T: AsyncRead + AsyncWrite + Unpin>(
    stream: &mut SocketStream<T>,
) -> unitls::Result<Option<Vec<u8>>> {
    let mut line = Vec::new();
    io(AsyncReadExt::take(&mut *stream, MAX_LINE).read_until(b'\n', &mut line)).await?;
    Ok((!line.is_empty()).then_some(line))
}

/// One SMTP reply: its lines up to the one without `-` after the code.
async fn reply<T: AsyncRead + AsyncWrite + Unpin>(
    stream: &mut SocketStream<T>,
) -> unitls::Result<Vec<String>> {
    let mut lines = Vec::new();
    loop {
        let Some(line) = read_line(stream).await? else {
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
