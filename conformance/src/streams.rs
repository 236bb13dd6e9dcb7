//! SPEC §3 STREAM, SIDE-2, SNI-6, ATTACH-2, CTX-9 — constructors and transports
//! (LispWorks `open-tcp-stream`, `create-ssl-socket-stream`).

use std::io::{self, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::time::{Duration, Instant};

use unitls_core::{
    duplex, failure_indicator, from_accepted, open_tcp_stream, AttachOptions, CtxSpec, ErrorKind,
    FailureIndicator, MemoryStream, Side, Sni, SocketStream, TcpOptions, Transport,
};

use crate::harness::{echo, read_exact, send, spawn, BoxTransport, TransportKind, WAIT};
use crate::Harness;

fn tcp_options(h: &Harness, sni: Sni) -> TcpOptions {
    TcpOptions {
        ctx: Some(CtxSpec::Abstract(h.client_ctx())),
        sni,
        ..TcpOptions::default()
    }
}

/// A server accepting `n` connections with `from_accepted`, echoing one message each.
fn echo_server(h: &Harness, n: usize) -> (u16, crate::harness::Joiner<()>) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    let server_ctx = h.server_ctx();
    let thread = spawn(move || {
        for _ in 0..n {
            let (socket, _) = listener.accept().expect("accept");
            socket.set_read_timeout(Some(WAIT)).expect("timeout");
            let Ok(mut stream) = from_accepted(
                socket,
                Some(AttachOptions::server().ctx(server_ctx.clone())),
            ) else {
                continue;
            };
            let mut buf = [0u8; 4];
            if stream.read_exact(&mut buf).is_ok() {
                let _ = stream.write_all(&buf);
            }
        }
    });
    (port, thread)
}

/// STREAM-1, SIDE-2, SNI-6, STREAM-4: `open_tcp_stream` connects and attaches as
/// the client verifying the host; `ctx: None` is plain; `Sni::Name` and `Sni::None`
/// choose the name; `from_accepted` makes the server stream.
pub fn stream_1_open_tcp_stream(h: &Harness) {
    if h.kind == TransportKind::Memory {
        return; // TCP constructors: the TCP run covers them.
    }
    let (port, server) = echo_server(h, 4);
    let mut stream =
        open_tcp_stream("localhost", port, tcp_options(h, Sni::FromHost)).expect("open_tcp_stream");
    assert_eq!(stream.ssl_side(), Some(Side::Client), "SIDE-2");
    assert_eq!(
        stream.server_name().expect("attached").as_deref(),
        Some("localhost")
    );
    stream.write_all(b"ping").expect("write");
    assert_eq!(read_exact(&mut stream, 4), b"ping");
    let mut named = open_tcp_stream(
        "127.0.0.1",
        port,
        tcp_options(h, Sni::Name("localhost".into())),
    )
    .expect("Sni::Name");
    assert_eq!(
        named.server_name().expect("attached").as_deref(),
        Some("localhost")
    );
    named.write_all(b"pong").expect("write");
    assert_eq!(read_exact(&mut named, 4), b"pong");
    let err = open_tcp_stream("localhost", port, tcp_options(h, Sni::None))
        .expect_err("Sni::None while verifying");
    assert_eq!(
        unitls_core::Error::from_io(err).kind(),
        ErrorKind::InvalidArgument,
        "SNI-3"
    );
    let plain = open_tcp_stream(
        "localhost",
        port,
        TcpOptions {
            ctx: None,
            ..TcpOptions::default()
        },
    )
    .expect("plain");
    assert_eq!(plain.ssl_side(), None);
    drop(plain);
    server.join();
}

/// STREAM-2, STREAM-3: TCP failures are plain `io::Error`s; TLS failures carry a
/// `unitls::Error`; the handshake timeout limits the handshake alone.
pub fn stream_2_3_errors_and_timeouts(h: &Harness) {
    if h.kind == TransportKind::Memory {
        return;
    }
    let closed_port = {
        let l = TcpListener::bind("127.0.0.1:0").expect("bind");
        l.local_addr().expect("addr").port()
    };
    let err = open_tcp_stream(
        "127.0.0.1",
        closed_port,
        tcp_options(h, Sni::Name("localhost".into())),
    )
    .expect_err("refused");
    assert_eq!(
        failure_indicator(&err),
        FailureIndicator::NotTls,
        "STREAM-2: {err}"
    );
    let silent = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = silent.local_addr().expect("addr").port();
    let options = TcpOptions {
        handshake_timeout: Some(Duration::from_millis(300)),
        connect_timeout: Some(Duration::from_secs(5)),
        ..tcp_options(h, Sni::FromHost)
    };
    let started = Instant::now();
    let err = open_tcp_stream("localhost", port, options).expect_err("silent server");
    assert_eq!(
        failure_indicator(&err),
        FailureIndicator::Timeout,
        "STREAM-3: {err}"
    );
    assert!(started.elapsed() < Duration::from_secs(5));
    drop(silent);
}

/// STREAM-4: `from_accepted` makes server streams only (`Both` allowed, plain for
/// `None`) and owns the socket.
pub fn stream_4_from_accepted(h: &Harness) {
    if h.kind == TransportKind::Memory {
        return;
    }
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("addr");
    let _c1 = TcpStream::connect(addr).expect("connect");
    let (socket, _) = listener.accept().expect("accept");
    let err =
        from_accepted(socket, Some(AttachOptions::client("localhost"))).expect_err("client side");
    assert_eq!(
        unitls_core::Error::from_io(err).kind(),
        ErrorKind::InvalidArgument
    );
    let mut c2 = TcpStream::connect(addr).expect("connect");
    let (socket, _) = listener.accept().expect("accept");
    let mut plain = from_accepted(socket, None).expect("plain");
    assert_eq!(plain.ssl_side(), None);
    c2.write_all(b"hi").expect("write");
    assert_eq!(read_exact(&mut plain, 2), b"hi");
    let _c3 = TcpStream::connect(addr).expect("connect");
    let (socket, _) = listener.accept().expect("accept");
    let both = from_accepted(
        socket,
        Some(
            AttachOptions::server()
                .ctx(h.natives.server_context(&crate::fixtures::pki().server))
                .side(Side::Both),
        ),
    )
    .expect("Both");
    assert_eq!(both.ssl_side(), Some(Side::Both));
}

/// ATTACH-2, CTX-9: a constructor given options equals `new` plus `attach_ssl`; given
/// `None` it is plain.
pub fn attach_2_constructor_with_options(h: &Harness) {
    let (client_end, server_end, _k) = h.pair();
    let server_opts = h.server_opts();
    let server = spawn(move || {
        SocketStream::with_options(server_end, Some(server_opts)).expect("server with_options")
    });
    let mut client =
        SocketStream::with_options(client_end, Some(h.client_opts())).expect("client with_options");
    let mut server = server.join();
    assert_eq!(client.ssl_side(), Some(Side::Client));
    client.set_read_timeout(Some(WAIT)).expect("timeout");
    server.set_read_timeout(Some(WAIT)).expect("timeout");
    echo(&mut client, &mut server, b"constructed");
    let (a, _b, _k2) = h.pair();
    assert_eq!(
        SocketStream::with_options(a, None)
            .expect("plain")
            .ssl_side(),
        None
    );
}

/// A transport that cannot take timeouts.
struct NoTimeouts(MemoryStream);

impl Read for NoTimeouts {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.0.read(buf)
    }
}

impl Write for NoTimeouts {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        self.0.write(data)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.0.flush()
    }
}

impl Transport for NoTimeouts {}

/// STREAM-6: streams run over TCP, Unix sockets and the in-memory duplex; a transport
/// that cannot take deadlines makes `handshake_timeout` InvalidArgument.
pub fn stream_6_transports(h: &Harness) {
    #[cfg(unix)]
    if h.kind == TransportKind::Tcp {
        let (a, b) = std::os::unix::net::UnixStream::pair().expect("unix pair");
        let mut server = SocketStream::new(Box::new(b) as BoxTransport);
        let mut client = SocketStream::new(Box::new(a) as BoxTransport);
        client.set_read_timeout(Some(WAIT)).expect("timeout");
        server.set_read_timeout(Some(WAIT)).expect("timeout");
        let server_opts = h.server_opts();
        let t = spawn(move || {
            server
                .attach_ssl(server_opts)
                .expect("server over UnixStream");
            server
        });
        client
            .attach_ssl(h.client_opts())
            .expect("client over UnixStream");
        let mut server = t.join();
        echo(&mut client, &mut server, b"unix");
    }
    let (a, _b) = duplex();
    let mut stream = SocketStream::new(NoTimeouts(a));
    let err = stream
        .attach_ssl(h.client_opts().handshake_timeout(Duration::from_secs(1)))
        .expect_err("no deadlines");
    assert_eq!(err.kind(), ErrorKind::InvalidArgument);
}

/// STREAM-8: a read timeout after the handshake leaves the session usable.
pub fn stream_8_read_timeout_keeps_session(h: &Harness) {
    let (mut client, mut server, _k) = h.connected();
    client
        .set_read_timeout(Some(Duration::from_millis(100)))
        .expect("timeout");
    let err = client.read(&mut [0u8; 4]).expect_err("nothing to read");
    assert!(
        matches!(
            err.kind(),
            io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
        ),
        "{err}"
    );
    client.set_read_timeout(Some(WAIT)).expect("timeout");
    send(&mut server, b"late");
    assert_eq!(read_exact(&mut client, 4), b"late");
    echo(&mut client, &mut server, b"still usable");
}

/// Reads until `n` octets arrived, retrying on `WouldBlock` (bounded).
fn read_nonblocking(stream: &mut SocketStream<TcpStream>, n: usize) -> Vec<u8> {
    let deadline = Instant::now() + WAIT;
    let mut got = Vec::new();
    let mut buf = [0u8; 64];
    while got.len() < n {
        match stream.read(&mut buf) {
            Ok(0) => panic!("EOF after {} octets", got.len()),
            Ok(k) => got.extend_from_slice(&buf[..k]),
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                assert!(Instant::now() < deadline, "no data within {WAIT:?}");
                std::thread::sleep(Duration::from_millis(5));
            }
            Err(e) => panic!("read failed: {e}"),
        }
    }
    got
}

/// STREAM-9: on a non-blocking transport, plain and TLS reads return `WouldBlock`
/// when nothing is there and can be called again to continue (attach, handshake,
/// writes and detach need a blocking transport, as `SocketStream` documents).
pub fn stream_9_nonblocking_reads(h: &Harness) {
    if h.kind == TransportKind::Memory {
        return; // the in-memory transport has no non-blocking mode; TCP has
    }
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let socket = TcpStream::connect(listener.local_addr().expect("addr")).expect("connect");
    let (accepted, _) = listener.accept().expect("accept");
    let switch = socket.try_clone().expect("clone");
    let mut client = SocketStream::new(socket);
    let mut server = SocketStream::new(Box::new(accepted) as BoxTransport);
    server.set_read_timeout(Some(WAIT)).expect("timeout");
    switch.set_nonblocking(true).expect("non-blocking");
    let err = client.read(&mut [0u8; 4]).expect_err("nothing to read yet");
    assert_eq!(err.kind(), io::ErrorKind::WouldBlock);
    send(&mut server, b"plain");
    assert_eq!(read_nonblocking(&mut client, 5), b"plain");
    switch
        .set_nonblocking(false)
        .expect("blocking for the handshake");
    let server_opts = h.server_opts();
    let t = spawn(move || {
        server.attach_ssl(server_opts).expect("server attach");
        server
    });
    client.attach_ssl(h.client_opts()).expect("client attach");
    let mut server = t.join();
    switch.set_nonblocking(true).expect("non-blocking");
    let err = client
        .read(&mut [0u8; 4])
        .expect_err("no application data yet");
    assert_eq!(err.kind(), io::ErrorKind::WouldBlock, "{err}");
    send(&mut server, b"encrypted");
    assert_eq!(read_nonblocking(&mut client, 9), b"encrypted");
    switch.set_nonblocking(false).expect("blocking again");
    client.write_all(b"back").expect("write");
    assert_eq!(read_exact(&mut server, 4), b"back");
}
