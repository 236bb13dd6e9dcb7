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
    TcpOptions::default()
        .ctx(CtxSpec::Abstract(h.client_ctx()))
        .sni(sni)
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
    let plain = open_tcp_stream("localhost", port, TcpOptions::default().plain()).expect("plain");
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
    let options = tcp_options(h, Sni::FromHost)
        .handshake_timeout(Duration::from_millis(300))
        .connect_timeout(Duration::from_secs(5));
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

/// STREAM-8, ERR-8: the user's read timeout running out is an error of kind
/// `Timeout` (`failure_indicator` Timeout) that leaves the session usable; a timeout
/// set on the transport before the stream was made survives an attach that ran under
/// a handshake deadline.
pub fn stream_8_read_timeout_keeps_session(h: &Harness) {
    let (client_end, server_end, _k) = h.pair();
    let mut client_end = client_end;
    // Set on the transport itself, before the stream exists.
    client_end
        .set_read_timeout(Some(Duration::from_millis(150)))
        .expect("timeout");
    let mut client = crate::harness::Conn::new(client_end);
    let mut server = crate::harness::bounded(server_end);
    let server_opts = h.server_opts();
    let late = spawn(move || {
        server.attach_ssl(server_opts).expect("server attach");
        // A client whose timeout was lost would still be waiting for this.
        std::thread::sleep(Duration::from_millis(1500));
        send(&mut server, b"late");
        server
    });
    client
        .attach_ssl(h.client_opts().handshake_timeout(Duration::from_secs(10)))
        .expect("client attach");
    let started = Instant::now();
    let err = client
        .read(&mut [0u8; 4])
        .expect_err("the 150 ms read timeout set before the stream must still apply");
    assert!(
        started.elapsed() < Duration::from_millis(1400),
        "the read waited {:?}, past the user's 150 ms timeout",
        started.elapsed()
    );
    assert_eq!(err.kind(), io::ErrorKind::TimedOut, "{err}");
    assert_eq!(failure_indicator(&err), FailureIndicator::Timeout, "{err}");
    assert_eq!(
        unitls_core::Error::from_io(err).kind(),
        ErrorKind::Timeout,
        "the user's timeout is Timeout, not a transport failure"
    );
    client.set_read_timeout(Some(WAIT)).expect("timeout");
    let mut server = late.join();
    assert_eq!(read_exact(&mut client, 4), b"late");
    echo(&mut client, &mut server, b"still usable");
}

/// STREAM-9: on a non-blocking transport every operation — attach, handshake, read,
/// write, flush, detach — returns `WouldBlock` when it cannot go on and continues
/// when called again: never a false `HandshakeTimeout` or a transport error. The
/// client's transport is non-blocking from before attach to after detach; the
/// server is an ordinary blocking peer.
pub fn stream_9_nonblocking_transport(h: &Harness) {
    let pair = match h.kind {
        TransportKind::Tcp => tcp_nonblocking_pair(),
        TransportKind::Memory => {
            let (mut client_end, server_end) = duplex();
            client_end.set_nonblocking(true);
            (
                Box::new(client_end) as BoxTransport,
                Box::new(server_end) as BoxTransport,
            )
        }
    };
    nonblocking_lifecycle(h, pair);
}

/// A loopback TCP pair whose first end is non-blocking.
fn tcp_nonblocking_pair() -> (BoxTransport, BoxTransport) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let socket = TcpStream::connect(listener.local_addr().expect("addr")).expect("connect");
    let (accepted, _) = listener.accept().expect("accept");
    socket.set_nonblocking(true).expect("non-blocking");
    (Box::new(socket), Box::new(accepted))
}

fn nonblocking_lifecycle(h: &Harness, (client_end, server_end): (BoxTransport, BoxTransport)) {
    assert!(client_end.is_nonblocking(), "the transport says what it is");
    let mut client = SocketStream::new(client_end);
    let mut server = SocketStream::new(server_end);
    server.set_read_timeout(Some(WAIT)).expect("timeout");
    // Plain first: nothing to read yet is WouldBlock, then the octets come.
    let err = client.read(&mut [0u8; 4]).expect_err("nothing to read yet");
    assert_eq!(err.kind(), io::ErrorKind::WouldBlock, "{err}");
    send(&mut server, b"plain");
    assert_eq!(nonblocking(|| read_some(&mut client, 5)), b"plain");
    let server_opts = h.server_opts();
    let peer = spawn(move || {
        server.attach_ssl(server_opts).expect("server attach");
        let got = read_exact(&mut server, 7);
        send(&mut server, &got);
        let detached = server
            .detach_ssl(unitls_core::DetachOptions::default())
            .expect("server detach")
            .expect("was attached");
        assert!(detached.peer_closed);
        send(&mut server, b"plain again");
        server
    });
    // Attach: the deadline is generous; a false HandshakeTimeout or Syscall fails.
    let opts = h.client_opts().handshake_timeout(Duration::from_secs(10));
    match client.attach_ssl(opts) {
        Ok(()) => {}
        Err(err) if err.io_kind() == io::ErrorKind::WouldBlock => {
            assert_eq!(err.kind(), ErrorKind::Syscall, "{err}");
            assert_eq!(client.ssl_side(), Some(Side::Client), "attach under way");
            assert!(nonblocking(|| client
                .handshake(None)
                .map_err(io::Error::from)));
        }
        Err(err) => panic!("attach on a non-blocking transport failed: {err}"),
    }
    assert!(client.protocol_version().expect("attached").is_some());
    // Write, flush, read back.
    let mut taken = 0;
    while taken < 7 {
        taken += nonblocking(|| client.write(&b"echo me"[taken..]));
    }
    nonblocking(|| client.flush());
    assert_eq!(nonblocking(|| read_some(&mut client, 7)), b"echo me");
    // Detach under the default policy: called again until done.
    let detached = nonblocking(|| {
        client
            .detach_ssl(unitls_core::DetachOptions::default())
            .map_err(io::Error::from)
    })
    .expect("was attached");
    assert!(detached.peer_closed);
    assert_eq!(client.ssl_side(), None);
    assert_eq!(nonblocking(|| read_some(&mut client, 11)), b"plain again");
    let _server = peer.join();
}

/// Calls `op` until it does not say `WouldBlock`, 1 ms apart, at most [`WAIT`].
fn nonblocking<R>(mut op: impl FnMut() -> io::Result<R>) -> R {
    let deadline = Instant::now() + WAIT;
    loop {
        match op() {
            Ok(value) => return value,
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                assert!(Instant::now() < deadline, "still WouldBlock after {WAIT:?}");
                std::thread::sleep(Duration::from_millis(1));
            }
            Err(e) => panic!("failed on a non-blocking transport: {e}"),
        }
    }
}

/// Reads until `n` octets arrived; `WouldBlock` when none came yet in this call.
fn read_some(stream: &mut impl Read, n: usize) -> io::Result<Vec<u8>> {
    let mut got = Vec::new();
    let mut buf = [0u8; 64];
    let deadline = Instant::now() + WAIT;
    while got.len() < n {
        match stream.read(&mut buf[..(n - got.len()).min(64)]) {
            Ok(0) => panic!("EOF after {} octets", got.len()),
            Ok(k) => got.extend_from_slice(&buf[..k]),
            Err(e) if e.kind() == io::ErrorKind::WouldBlock && Instant::now() < deadline => {
                std::thread::sleep(Duration::from_millis(1));
            }
            Err(e) => return Err(e),
        }
    }
    Ok(got)
}
