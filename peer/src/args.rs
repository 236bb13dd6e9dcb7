//! The command line of `unitls-peer`, parsed with `lexopt` (CONTRIBUTING.md says why).

use std::ffi::OsString;
use std::path::PathBuf;
use std::time::Duration;

use lexopt::prelude::*;
use lexopt::Parser;
use unitls::{ClientAuth, ProtocolVersion};

/// What `unitls-peer server --help` prints.
pub(crate) const SERVER_USAGE: &str = "\
usage: unitls-peer server --listen ADDR --cert CHAIN.pem --key KEY.pem [--key-password P]
      [--client-ca CA.pem [--client-auth optional|required]] [--alpn a,b]
      [--min-version 1.2|1.3] [--max-version 1.2|1.3] [--ciphers IANA,...]
      [--handshake-timeout SECS] [--starttls smtp] [--max-connections N] [--async]

An echo server: echoes application data until the client's close_notify, then closes
with its own (--listen defaults to 127.0.0.1:0; the `listening` event names the port).
--client-auth defaults to required when --client-ca is given. --starttls smtp speaks
SMTP first (greeting, EHLO, STARTTLS). Serves until killed, or --max-connections.
--async serves on a tokio runtime with unitls::tokio::SocketStream: the same
behaviour and events (their `mode` says async).";

/// What `unitls-peer client --help` prints.
pub(crate) const CLIENT_USAGE: &str = "\
usage: unitls-peer client --connect HOST:PORT [--sni NAME | --no-sni]
      [--ca CA.pem | --dangerous-no-verify] [--cert CHAIN.pem --key KEY.pem [--key-password P]]
      [--alpn a,b] [--min-version ..] [--max-version ..] [--ciphers ..]
      [--handshake-timeout SECS] [--starttls smtp]
      [--send TEXT | --send-bytes N] [--expect TEXT] [--resume N] [--async]

Sends --send TEXT (default `hello from unitls-peer`) or --send-bytes N (16 KiB
lock-step chunks), checks the echo (or --expect TEXT), then detaches with close_notify
both ways; --resume N makes N more connections with the same context. The name sent
and verified is --sni, else the host of --connect. --send and --expect understand
\\n, \\r, \\t, \\\\. --async runs on a tokio runtime with unitls::tokio::SocketStream:
the same behaviour and events (their `mode` says async).";

/// What `unitls-peer --help` prints.
pub(crate) const USAGE: &str = "\
usage:
  unitls-peer --version
  unitls-peer server --listen ADDR --cert CHAIN.pem --key KEY.pem [--key-password P]
      [--client-ca CA.pem [--client-auth optional|required]] [--alpn a,b]
      [--min-version 1.2|1.3] [--max-version 1.2|1.3] [--ciphers IANA,...]
      [--handshake-timeout SECS] [--starttls smtp] [--max-connections N] [--async]
  unitls-peer client --connect HOST:PORT [--sni NAME | --no-sni]
      [--ca CA.pem | --dangerous-no-verify] [--cert CHAIN.pem --key KEY.pem [--key-password P]]
      [--alpn a,b] [--min-version ..] [--max-version ..] [--ciphers ..]
      [--handshake-timeout SECS] [--starttls smtp]
      [--send TEXT | --send-bytes N] [--expect TEXT] [--resume N] [--async]
  unitls-peer server --help | client --help

Output: one JSON object per line on stdout. Exit status 0 on success, 1 after an
`error` event, 2 on a usage error. --send and --expect understand \\n, \\r, \\t, \\\\.
--async runs either role on a tokio runtime (unitls::tokio::SocketStream over
tokio::net::TcpStream), with the same options, events and exit statuses.";

/// Every socket read and write, and the handshake unless `--handshake-timeout` says
/// otherwise, is bounded by this.
pub(crate) const IO_TIMEOUT: Duration = Duration::from_secs(10);

/// One parsed command line.
#[derive(Debug, PartialEq)]
pub(crate) enum Command {
    /// `--help`, `-h`, `help`, or nothing (the whole usage), or `server --help`,
    /// `client --help` (that command's): what to print on stdout.
    Help(&'static str),
    /// `--version`.
    Version,
    /// `server ...`.
    Server(ServerArgs),
    /// `client ...`.
    Client(ClientArgs),
}

/// A usage error: what was wrong, and the usage of the command it was in.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct UsageError {
    /// What was wrong.
    pub(crate) message: String,
    /// The usage text to print after it (on stderr).
    pub(crate) usage: &'static str,
}

/// The plaintext protocol spoken before TLS is attached.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Starttls {
    /// SMTP (RFC 3207).
    Smtp,
}

/// Options both roles take.
#[derive(Debug, PartialEq)]
pub(crate) struct Tls {
    /// ALPN protocols in preference order.
    pub(crate) alpn: Vec<String>,
    /// `--min-version`.
    pub(crate) min_version: Option<ProtocolVersion>,
    /// `--max-version`.
    pub(crate) max_version: Option<ProtocolVersion>,
    /// `--ciphers`, IANA names.
    pub(crate) ciphers: Option<Vec<String>>,
    /// `--handshake-timeout` (default [`IO_TIMEOUT`]).
    pub(crate) handshake_timeout: Duration,
    /// `--starttls`.
    pub(crate) starttls: Option<Starttls>,
    /// `--cert` and `--key`.
    pub(crate) identity: Option<(PathBuf, PathBuf)>,
    /// `--key-password`.
    pub(crate) key_password: Option<String>,
    /// `--async`: run on a tokio runtime with `unitls::tokio::SocketStream`.
    pub(crate) asynchronous: bool,
}

/// `unitls-peer server`.
#[derive(Debug, PartialEq)]
pub(crate) struct ServerArgs {
    /// `--listen` (default `127.0.0.1:0`).
    pub(crate) listen: String,
    /// `--client-ca`: the client roots.
    pub(crate) client_ca: Option<PathBuf>,
    /// `--client-auth` (default `required` when `--client-ca` is given).
    pub(crate) client_auth: ClientAuth,
    /// `--max-connections`: serve this many, then exit; `None` serves until killed.
    pub(crate) max_connections: Option<usize>,
    /// The shared options; the identity is required.
    pub(crate) tls: Tls,
}

/// Which name the client sends and verifies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Name {
    /// `--sni NAME`, or the host part of `--connect`.
    Name(String),
    /// `--no-sni`.
    None,
}

/// What the client sends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Payload {
    /// `--send TEXT` (default `hello from unitls-peer`).
    Text(Vec<u8>),
    /// `--send-bytes N`: N octets of a fixed pattern, in 16 KiB steps.
    Bytes(usize),
}

/// `unitls-peer client`.
#[derive(Debug, PartialEq)]
pub(crate) struct ClientArgs {
    /// `--connect HOST:PORT`.
    pub(crate) connect: String,
    /// The SNI and reference name.
    pub(crate) name: Name,
    /// `--ca`: the only trust anchors; `None` uses the system store.
    pub(crate) ca: Option<PathBuf>,
    /// `--dangerous-no-verify`.
    pub(crate) no_verify: bool,
    /// What to send.
    pub(crate) payload: Payload,
    /// `--expect`: what the echo must be (default: what was sent).
    pub(crate) expect: Option<Vec<u8>>,
    /// `--resume N`: N more connections with the same context.
    pub(crate) resume: usize,
    /// The shared options.
    pub(crate) tls: Tls,
}

/// Parses the arguments after the program name.
pub(crate) fn parse<I>(args: I) -> Result<Command, UsageError>
where
    I: IntoIterator,
    I::Item: Into<OsString>,
{
    let mut parser = Parser::from_args(args);
    let usage = |message: String| UsageError {
        message,
        usage: USAGE,
    };
    let first = parser.next().map_err(|e| usage(e.to_string()))?;
    let command = match first {
        None | Some(Long("help") | Short('h')) => return Ok(Command::Help(USAGE)),
        Some(Long("version")) => "version".to_owned(),
        Some(Value(word)) => word.string().map_err(|e| usage(e.to_string()))?,
        Some(other) => return Err(usage(unexpected(other, None))),
    };
    match command.as_str() {
        "help" => Ok(Command::Help(USAGE)),
        "version" => match parser.next().map_err(|e| usage(e.to_string()))? {
            None => Ok(Command::Version),
            Some(extra) => Err(usage(format!(
                "{} after --version",
                unexpected(extra, None)
            ))),
        },
        "server" => in_command(server(&mut parser), SERVER_USAGE),
        "client" => in_command(client(&mut parser), CLIENT_USAGE),
        other => Err(usage(format!(
            "unknown command `{other}`: expected server, client or --version"
        ))),
    }
}

/// What a command's own parser found: its arguments, or that `--help` was asked for.
enum Parsed<T> {
    /// The arguments.
    Args(T),
    /// `--help` or `-h` among the options.
    Help,
}

/// A command's outcome as a [`Command`], with the command's own usage.
fn in_command<T: Into<Command>>(
    parsed: Result<Parsed<T>, String>,
    usage: &'static str,
) -> Result<Command, UsageError> {
    match parsed {
        Ok(Parsed::Args(args)) => Ok(args.into()),
        Ok(Parsed::Help) => Ok(Command::Help(usage)),
        Err(message) => Err(UsageError { message, usage }),
    }
}

impl From<ServerArgs> for Command {
    fn from(args: ServerArgs) -> Self {
        Command::Server(args)
    }
}

impl From<ClientArgs> for Command {
    fn from(args: ClientArgs) -> Self {
        Command::Client(args)
    }
}

/// The message for an argument nobody asked for (`role`: the command it came in).
fn unexpected(arg: lexopt::Arg<'_>, role: Option<&str>) -> String {
    let what = match arg {
        Long(flag) => format!("unknown option `--{flag}`"),
        Short(flag) => format!("unknown option `-{flag}`"),
        Value(value) => format!("unexpected argument `{}`", value.to_string_lossy()),
    };
    match role {
        Some(role) => format!("{what} for `{role}`"),
        None => what,
    }
}

/// The options both roles take, collected while a role's options are read.
#[derive(Default)]
struct TlsOptions {
    /// `--alpn`, as given.
    alpn: Option<String>,
    /// `--min-version`, as given.
    min_version: Option<String>,
    /// `--max-version`, as given.
    max_version: Option<String>,
    /// `--ciphers`, as given.
    ciphers: Option<String>,
    /// `--handshake-timeout`, as given.
    handshake_timeout: Option<String>,
    /// `--starttls`, as given.
    starttls: Option<String>,
    /// `--cert`.
    cert: Option<PathBuf>,
    /// `--key`.
    key: Option<PathBuf>,
    /// `--key-password`.
    key_password: Option<String>,
    /// `--async` (a switch).
    asynchronous: bool,
}

impl TlsOptions {
    /// Reads the value of `flag` if it is one of the shared options (or notes the
    /// switch); `Ok(false)` if not.
    fn take(&mut self, flag: &str, parser: &mut Parser) -> Result<bool, String> {
        match flag {
            "async" => self.asynchronous = true,
            "alpn" => self.alpn = Some(string(parser, flag)?),
            "min-version" => self.min_version = Some(string(parser, flag)?),
            "max-version" => self.max_version = Some(string(parser, flag)?),
            "ciphers" => self.ciphers = Some(string(parser, flag)?),
            "handshake-timeout" => self.handshake_timeout = Some(string(parser, flag)?),
            "starttls" => self.starttls = Some(string(parser, flag)?),
            "cert" => self.cert = Some(path(parser, flag)?),
            "key" => self.key = Some(path(parser, flag)?),
            "key-password" => self.key_password = Some(string(parser, flag)?),
            _ => return Ok(false),
        }
        Ok(true)
    }

    /// Checks and converts what was given.
    fn finish(self) -> Result<Tls, String> {
        let alpn = match self.alpn {
            Some(list) => {
                let protocols = split_list(&list);
                if protocols.is_empty() {
                    return Err("`--alpn` needs at least one protocol".into());
                }
                protocols
            }
            None => Vec::new(),
        };
        let handshake_timeout = match self.handshake_timeout {
            Some(text) => seconds(&text)?,
            None => IO_TIMEOUT,
        };
        let starttls = match self.starttls.as_deref() {
            None => None,
            Some("smtp") => Some(Starttls::Smtp),
            Some(other) => return Err(format!("`--starttls {other}`: only `smtp` is known")),
        };
        let identity = match (self.cert, self.key) {
            (Some(cert), Some(key)) => Some((cert, key)),
            (None, None) => None,
            _ => return Err("`--cert` and `--key` go together".into()),
        };
        Ok(Tls {
            alpn,
            min_version: self.min_version.map(|v| version(&v)).transpose()?,
            max_version: self.max_version.map(|v| version(&v)).transpose()?,
            ciphers: self.ciphers.map(|list| split_list(&list)),
            handshake_timeout,
            starttls,
            identity,
            key_password: self.key_password,
            asynchronous: self.asynchronous,
        })
    }
}

/// The value of `--flag` as text.
fn string(parser: &mut Parser, flag: &str) -> Result<String, String> {
    parser
        .value()
        .map_err(|_| format!("`--{flag}` needs a value"))?
        .into_string()
        .map_err(|value| format!("`--{flag} {}`: not valid UTF-8", value.to_string_lossy()))
}

/// The value of `--flag` as a path (any octets).
fn path(parser: &mut Parser, flag: &str) -> Result<PathBuf, String> {
    parser
        .value()
        .map(PathBuf::from)
        .map_err(|_| format!("`--{flag}` needs a value"))
}

/// `server ...` (every option may be repeated; the last one wins).
fn server(parser: &mut Parser) -> Result<Parsed<ServerArgs>, String> {
    let mut listen = None;
    let mut client_ca = None;
    let mut client_auth = None;
    let mut max_connections = None;
    let mut tls = TlsOptions::default();
    while let Some(arg) = parser.next().map_err(|e| e.to_string())? {
        match arg {
            Long("help") | Short('h') => return Ok(Parsed::Help),
            Long("listen") => listen = Some(string(parser, "listen")?),
            Long("client-ca") => client_ca = Some(path(parser, "client-ca")?),
            Long("client-auth") => client_auth = Some(string(parser, "client-auth")?),
            Long("max-connections") => {
                max_connections = Some(string(parser, "max-connections")?);
            }
            Long(flag) => {
                let flag = flag.to_owned();
                if !tls.take(&flag, parser)? {
                    return Err(format!("unknown option `--{flag}` for `server`"));
                }
            }
            other => return Err(unexpected(other, Some("server"))),
        }
    }
    let client_auth = match (client_auth.as_deref(), &client_ca) {
        (None, None) => ClientAuth::Never,
        (None, Some(_)) | (Some("required"), Some(_)) => ClientAuth::Required,
        (Some("optional"), Some(_)) => ClientAuth::Optional,
        (Some("optional" | "required"), None) => {
            return Err("`--client-auth` needs `--client-ca` (the client roots)".into())
        }
        (Some(other), _) => {
            return Err(format!(
                "`--client-auth {other}`: expected optional or required"
            ))
        }
    };
    let max_connections = match max_connections {
        Some(text) => match text.parse::<usize>() {
            Ok(n) if n > 0 => Some(n),
            _ => {
                return Err(format!(
                    "`--max-connections {text}`: expected a positive count"
                ))
            }
        },
        None => None,
    };
    let tls = tls.finish()?;
    if tls.identity.is_none() {
        return Err("`server` needs `--cert CHAIN.pem --key KEY.pem`".into());
    }
    Ok(Parsed::Args(ServerArgs {
        listen: listen.unwrap_or_else(|| "127.0.0.1:0".into()),
        client_ca,
        client_auth,
        max_connections,
        tls,
    }))
}

/// `client ...` (every option may be repeated; the last one wins).
fn client(parser: &mut Parser) -> Result<Parsed<ClientArgs>, String> {
    let mut connect = None;
    let mut sni = None;
    let mut no_sni = false;
    let mut ca = None;
    let mut no_verify = false;
    let mut send = None;
    let mut send_bytes = None;
    let mut expect = None;
    let mut resume = None;
    let mut tls = TlsOptions::default();
    while let Some(arg) = parser.next().map_err(|e| e.to_string())? {
        match arg {
            Long("help") | Short('h') => return Ok(Parsed::Help),
            Long("connect") => connect = Some(string(parser, "connect")?),
            Long("sni") => sni = Some(string(parser, "sni")?),
            Long("no-sni") => no_sni = true,
            Long("ca") => ca = Some(path(parser, "ca")?),
            Long("dangerous-no-verify") => no_verify = true,
            Long("send") => send = Some(string(parser, "send")?),
            Long("send-bytes") => send_bytes = Some(string(parser, "send-bytes")?),
            Long("expect") => expect = Some(string(parser, "expect")?),
            Long("resume") => resume = Some(string(parser, "resume")?),
            Long(flag) => {
                let flag = flag.to_owned();
                if !tls.take(&flag, parser)? {
                    return Err(format!("unknown option `--{flag}` for `client`"));
                }
            }
            other => return Err(unexpected(other, Some("client"))),
        }
    }
    let connect = connect.ok_or("`client` needs `--connect HOST:PORT`")?;
    let name = match (sni, no_sni) {
        (Some(_), true) => return Err("`--sni` and `--no-sni` exclude each other".into()),
        (Some(name), false) => Name::Name(name),
        (None, true) => Name::None,
        (None, false) => Name::Name(host_of(&connect).to_owned()),
    };
    if ca.is_some() && no_verify {
        return Err("`--ca` and `--dangerous-no-verify` exclude each other".into());
    }
    let payload = match (send, send_bytes) {
        (Some(_), Some(_)) => return Err("`--send` and `--send-bytes` exclude each other".into()),
        (Some(text), None) => Payload::Text(unescape(&text)),
        (None, Some(n)) => match n.parse::<usize>() {
            Ok(n) if n > 0 => Payload::Bytes(n),
            _ => return Err(format!("`--send-bytes {n}`: expected a positive count")),
        },
        (None, None) => Payload::Text(b"hello from unitls-peer".to_vec()),
    };
    let expect = expect.map(|text| unescape(&text));
    if expect.is_some() && matches!(payload, Payload::Bytes(_)) {
        return Err("`--expect` goes with `--send`, not `--send-bytes`".into());
    }
    let resume = match resume {
        Some(text) => text
            .parse::<usize>()
            .map_err(|_| format!("`--resume {text}`: expected a count"))?,
        None => 0,
    };
    let tls = tls.finish()?;
    Ok(Parsed::Args(ClientArgs {
        connect,
        name,
        ca,
        no_verify,
        payload,
        expect,
        resume,
        tls,
    }))
}

/// The host part of `HOST:PORT` (`[::1]:443` gives `::1`).
pub(crate) fn host_of(connect: &str) -> &str {
    connect
        .rsplit_once(':')
        .map_or(connect, |(host, _)| host)
        .trim_start_matches('[')
        .trim_end_matches(']')
}

/// `a,b` as `["a", "b"]`, blanks dropped.
fn split_list(list: &str) -> Vec<String> {
    list.split(',')
        .map(str::trim)
        .filter(|item| !item.is_empty())
        .map(str::to_owned)
        .collect()
}

/// `1.2`, `1.3` (also `TLSv1.2`, `tls1.3`, `tls13`).
fn version(text: &str) -> Result<ProtocolVersion, String> {
    let lower = text.to_ascii_lowercase();
    let bare = lower
        .trim_start_matches("tlsv")
        .trim_start_matches("tls")
        .trim_start_matches(['v', '_']);
    match bare {
        "1.2" | "12" | "1_2" => Ok(ProtocolVersion::Tls12),
        "1.3" | "13" | "1_3" => Ok(ProtocolVersion::Tls13),
        _ => Err(format!("unknown TLS version `{text}`: expected 1.2 or 1.3")),
    }
}

/// Positive seconds, fractions allowed.
fn seconds(text: &str) -> Result<Duration, String> {
    match text.parse::<f64>() {
        Ok(secs) if secs > 0.0 && secs.is_finite() && secs < 1e9 => {
            Ok(Duration::from_secs_f64(secs))
        }
        _ => Err(format!("`{text}`: expected a positive number of seconds")),
    }
}

/// `\n`, `\r`, `\t` and `\\` turned into the octets they name.
fn unescape(text: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        let replaced = if c == '\\' {
            match chars.clone().next() {
                Some('n') => Some('\n'),
                Some('r') => Some('\r'),
                Some('t') => Some('\t'),
                Some('\\') => Some('\\'),
                _ => None,
            }
        } else {
            None
        };
        match replaced {
            Some(r) => {
                chars.next();
                out.push(r as u8);
            }
            None => {
                let mut buf = [0u8; 4];
                out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
            }
        }
    }
    out
}

#[cfg(test)]
mod tests;
