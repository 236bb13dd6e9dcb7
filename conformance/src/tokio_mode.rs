//! SPEC ASYNC — the tokio mode: `unitls_core::tokio::SocketStream` over a tokio
//! in-memory duplex (the run's `Memory`) or loopback TCP (`Tcp`), on every backend.
//!
//! Each case builds its own runtime; every wait is bounded by [`LIMIT`].

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, ReadBuf};
use tokio::time::timeout;
use unitls_core::tokio::{accept, connect, SocketStream};
use unitls_core::{AttachOptions, DetachOptions, ErrorKind, RetryPolicy};

use crate::harness::TransportKind;
use crate::Harness;

/// The longest any await in these cases may take.
const LIMIT: Duration = Duration::from_secs(20);

/// An async transport, boxed so one case body serves TCP and the duplex.
pub trait AsyncIo: AsyncRead + AsyncWrite + Send + Unpin {}
impl<T: AsyncRead + AsyncWrite + Send + Unpin> AsyncIo for T {}

/// A boxed async transport.
pub type BoxIo = Box<dyn AsyncIo>;

/// Two connected async transports of the run's kind: client end, server end.
async fn pair(kind: TransportKind) -> (BoxIo, BoxIo) {
    match kind {
        TransportKind::Memory => {
            let (a, b) = tokio::io::duplex(64 * 1024);
            (Box::new(a), Box::new(b))
        }
        TransportKind::Tcp => {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
                .await
                .expect("bind loopback");
            let addr = listener.local_addr().expect("addr");
            let (client, accepted) =
                tokio::join!(tokio::net::TcpStream::connect(addr), listener.accept());
            let (client, (server, _)) = (client.expect("connect"), accepted.expect("accept"));
            let _ = client.set_nodelay(true);
            let _ = server.set_nodelay(true);
            (Box::new(client), Box::new(server))
        }
    }
}

/// Like [`pair`], with small transport buffers, so that a peer that does not read
/// pushes back soon.
async fn small_buffered_pair(kind: TransportKind) -> (BoxIo, BoxIo) {
    match kind {
        TransportKind::Memory => {
            let (a, b) = tokio::io::duplex(8 * 1024);
            (Box::new(a), Box::new(b))
        }
        TransportKind::Tcp => {
            let listening = tokio::net::TcpSocket::new_v4().expect("socket");
            let _ = listening.set_recv_buffer_size(8 * 1024);
            listening
                .bind("127.0.0.1:0".parse().expect("address"))
                .expect("bind loopback");
            let listener = listening.listen(8).expect("listen");
            let addr = listener.local_addr().expect("addr");
            let connecting = tokio::net::TcpSocket::new_v4().expect("socket");
            let _ = connecting.set_send_buffer_size(8 * 1024);
            let (client, accepted) = tokio::join!(connecting.connect(addr), listener.accept());
            let (client, (server, _)) = (client.expect("connect"), accepted.expect("accept"));
            (Box::new(client), Box::new(server))
        }
    }
}

/// Runs `case` on a fresh runtime: current-thread, or multi-thread with two workers.
fn run<F: Future<Output = ()>>(multi_thread: bool, case: F) {
    run_within(multi_thread, LIMIT * 2, case);
}

/// Runs `case` on a fresh runtime (current-thread, or multi-thread with two
/// workers), failing it when it takes longer than `limit`.
pub(crate) fn run_within<F: Future<Output = ()>>(multi_thread: bool, limit: Duration, case: F) {
    let runtime = if multi_thread {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
    } else {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
    }
    .expect("tokio runtime");
    runtime.block_on(async {
        timeout(limit, case)
            .await
            .unwrap_or_else(|_| panic!("the case did not finish within {limit:?}"));
    });
}

/// Awaits `future` for at most [`LIMIT`].
async fn bounded<T>(what: &str, future: impl Future<Output = T>) -> T {
    timeout(LIMIT, future)
        .await
        .unwrap_or_else(|_| panic!("{what} did not finish in time"))
}

/// A client and a server attached to each other with `connect` / `accept`.
async fn connected(h: &Harness) -> (SocketStream<BoxIo>, SocketStream<BoxIo>) {
    let (client_io, server_io) = pair(h.kind).await;
    handshaken(h, client_io, server_io).await
}

/// `connect` over `client_io` and `accept` over `server_io`, together; both must
/// succeed.
async fn handshaken<C, S>(
    h: &Harness,
    client_io: C,
    server_io: S,
) -> (SocketStream<C>, SocketStream<S>)
where
    C: AsyncRead + AsyncWrite + Unpin,
    S: AsyncRead + AsyncWrite + Unpin,
{
    let (client, server) = bounded("connect/accept", async {
        tokio::join!(
            connect(h.client_ctx(), "localhost", client_io),
            accept(h.server_ctx(), server_io)
        )
    })
    .await;
    (client.expect("connect"), server.expect("accept"))
}

fn assert_send<T: Send>(_: &T) {}

/// ASYNC-1, ASYNC-8, ASYNC-2: `connect` and `accept` in one call each, on one
/// current-thread runtime; the accessors answer as the blocking stream's; echo both
/// ways; both ends detach to plaintext; `into_parts` gives the transport and the
/// octets read ahead, `into_inner` refuses to lose them. The stream and its
/// futures are `Send`.
pub fn async_1_lifecycle(h: &Harness) {
    run(false, async {
        let (mut client, mut server) = connected(h).await;
        assert_send(&client);
        assert_send(&client.attach_ssl(h.client_opts()));
        assert_send(&client.detach_ssl(DetachOptions::default()));
        assert_send(&client.close());
        assert_eq!(client.implementation(), Some(h.backend));
        assert!(client.protocol_version().expect("attached").is_some());
        assert!(client.cipher_suite().expect("attached").is_some());
        let peer = client.peer_certificate().expect("attached").expect("leaf");
        assert!(peer.subject_common_name().is_some());
        assert_eq!(server.peer_certificate().expect("attached"), None);
        bounded("echo", async {
            client.write_all(b"ping").await.expect("write");
            client.flush().await.expect("flush");
            let mut got = [0u8; 4];
            server.read_exact(&mut got).await.expect("read");
            assert_eq!(&got, b"ping");
            server.write_all(b"pong").await.expect("write");
            server.flush().await.expect("flush");
            client.read_exact(&mut got).await.expect("read");
            assert_eq!(&got, b"pong");
        })
        .await;
        let (c, s) = bounded("detach", async {
            tokio::join!(
                client.detach_ssl(DetachOptions::default()),
                server.detach_ssl(DetachOptions::default())
            )
        })
        .await;
        assert!(c.expect("client detach").is_some());
        assert!(s.expect("server detach").is_some());
        assert_eq!(client.ssl_side(), None);
        assert_eq!(
            client.protocol_version().expect_err("plain").kind(),
            ErrorKind::NotAttached
        );
        bounded("plaintext after detach", async {
            client
                .write_all(b"plain one, plain two")
                .await
                .expect("write");
            client.flush().await.expect("flush");
            let mut got = [0u8; 9];
            server.read_exact(&mut got).await.expect("read");
            assert_eq!(&got, b"plain one");
        })
        .await;
        // Whatever the server read ahead comes back with the transport.
        let Err(refused) = server.into_inner() else {
            panic!("ASYNC-8: into_inner gave the transport although octets were read ahead");
        };
        assert_eq!(refused.error.kind(), ErrorKind::InvalidArgument);
        let Ok((_transport, ahead)) = refused.stream.into_parts() else {
            panic!("ASYNC-8: into_parts refused a plain stream");
        };
        assert_eq!(ahead, b", plain two");
        let attached = connected(h).await.0;
        let Err(refused) = attached.into_parts() else {
            panic!("ASYNC-8: into_parts gave the transport of an attached stream");
        };
        assert_eq!(refused.error.kind(), ErrorKind::AlreadyAttached);
    });
}

/// ASYNC-2: client and server on one current-thread runtime and on a multi-thread
/// one complete handshake, 256 KiB echo and detach; TLS 1.2 and 1.3 where the
/// backend speaks them.
pub fn async_2_runtimes(h: &Harness) {
    for multi_thread in [false, true] {
        run(multi_thread, async {
            let (mut client, mut server) = connected(h).await;
            let data: Vec<u8> = (0..256 * 1024).map(|i| (i % 251) as u8).collect();
            let sent = data.clone();
            let (_, got) = bounded("256 KiB", async {
                tokio::join!(
                    async {
                        client.write_all(&sent).await.expect("write");
                        client.flush().await.expect("flush");
                    },
                    async {
                        let mut got = vec![0u8; sent.len()];
                        server.read_exact(&mut got).await.expect("read");
                        got
                    }
                )
            })
            .await;
            assert!(got == data, "the octets arrived altered");
            let (c, s) = bounded("detach", async {
                tokio::join!(
                    client.detach_ssl(DetachOptions::default()),
                    server.detach_ssl(DetachOptions::default())
                )
            })
            .await;
            c.expect("client detach");
            s.expect("server detach");
        });
    }
}

/// ASYNC-3: dropping an unfinished attach future (the peer never answers) or an
/// unfinished detach future (the peer never sends close_notify) leaves the stream
/// plain, with everything attach made freed, and the transport usable.
pub fn async_3_cancelled_attach_and_detach(h: &Harness) {
    run(false, async {
        let (client_io, mut silent) = pair(h.kind).await;
        let mut client = SocketStream::new(client_io);
        let attach = client.attach_ssl(h.client_opts());
        assert!(
            timeout(Duration::from_millis(100), attach).await.is_err(),
            "an attach to a silent peer finished"
        );
        assert_eq!(client.ssl_side(), None, "ASYNC-3: still attached");
        // The ClientHello went out; the transport still carries plaintext after it.
        client.write_all(b"plain").await.expect("plain write");
        client.flush().await.expect("flush");
        let mut hello = vec![0u8; 5];
        silent.read_exact(&mut hello).await.expect("hello");
        assert_eq!(hello[0], 22, "a handshake record came first");

        let (mut client, _server) = connected(h).await;
        let detach = client.detach_ssl(DetachOptions::with_retry(RetryPolicy {
            extra_attempts: 50,
            interval: Duration::from_millis(100),
        }));
        assert!(
            timeout(Duration::from_millis(100), detach).await.is_err(),
            "a detach waiting for a silent peer finished"
        );
        assert_eq!(
            client.ssl_side(),
            None,
            "ASYNC-3: still attached after detach"
        );
    });
}

/// ASYNC-4: `shutdown` sends close_notify, then shuts the transport's write side:
/// the peer reads a clean end of stream (not truncation), and can still answer.
pub fn async_4_shutdown_sends_close_notify(h: &Harness) {
    run(false, async {
        let (mut client, mut server) = connected(h).await;
        bounded("shutdown", client.shutdown())
            .await
            .expect("shutdown");
        let mut rest = Vec::new();
        let n = bounded("read to end", server.read_to_end(&mut rest))
            .await
            .expect("ASYNC-4: close_notify, then end of stream");
        assert_eq!(n, 0);
        assert_eq!(
            client
                .write_all(b"x")
                .await
                .expect_err("written after shutdown")
                .kind(),
            io::ErrorKind::NotConnected
        );
    });
}

/// A transport that answers every other poll with `Pending` and wakes the task
/// later from another task (SPEC ASYNC-5).
struct Reluctant {
    inner: BoxIo,
    turn: bool,
}

impl Reluctant {
    fn hold(&mut self, cx: &mut Context<'_>) -> bool {
        self.turn = !self.turn;
        if self.turn {
            let waker = cx.waker().clone();
            tokio::spawn(async move {
                tokio::time::sleep(Duration::from_millis(1)).await;
                waker.wake();
            });
        }
        self.turn
    }
}

impl AsyncRead for Reluctant {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        if self.hold(cx) {
            return Poll::Pending;
        }
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl AsyncWrite for Reluctant {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        data: &[u8],
    ) -> Poll<io::Result<usize>> {
        if self.hold(cx) {
            return Poll::Pending;
        }
        Pin::new(&mut self.inner).poll_write(cx, data)
    }
    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }
    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

/// A transport that answers reads with a `WouldBlock` *error* instead of `Pending`
/// (a misbehaving adaptor: it registers no waker).
struct ErrWouldBlock(BoxIo);

impl AsyncRead for ErrWouldBlock {
    fn poll_read(
        self: Pin<&mut Self>,
        _: &mut Context<'_>,
        _: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Poll::Ready(Err(io::ErrorKind::WouldBlock.into()))
    }
}

impl AsyncWrite for ErrWouldBlock {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        data: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.0).poll_write(cx, data)
    }
    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.0).poll_flush(cx)
    }
    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.0).poll_shutdown(cx)
    }
}

/// ASYNC-5: transports that pend and wake later, at both ends: handshake, 64 KiB
/// each way, detach — nothing stalls.
pub fn async_5_pending_transports_never_stall(h: &Harness) {
    run(false, async {
        let (c, s) = pair(h.kind).await;
        let (c, s) = (
            Reluctant {
                inner: c,
                turn: false,
            },
            Reluctant {
                inner: s,
                turn: true,
            },
        );
        let (mut client, mut server) = handshaken(h, c, s).await;
        let data = vec![7u8; 64 * 1024];
        bounded("64 KiB each way", async {
            let (_, got) = tokio::join!(
                async {
                    client.write_all(&data).await.expect("write");
                    client.flush().await.expect("flush");
                    let mut back = vec![0u8; data.len()];
                    client.read_exact(&mut back).await.expect("read back");
                },
                async {
                    let mut got = vec![0u8; data.len()];
                    server.read_exact(&mut got).await.expect("read");
                    server.write_all(&got).await.expect("write back");
                    server.flush().await.expect("flush");
                    got
                }
            );
            assert!(got == data);
        })
        .await;
        let (c, s) = bounded("detach", async {
            tokio::join!(
                client.detach_ssl(DetachOptions::default()),
                server.detach_ssl(DetachOptions::default())
            )
        })
        .await;
        c.expect("client detach");
        s.expect("server detach");

        // Only a transport's Pending (which registered the waker) becomes Pending; a
        // WouldBlock *error* is an error at once, never a wait nobody will end.
        let (c, _s) = pair(h.kind).await;
        let err = bounded(
            "attach over a transport that errs WouldBlock",
            connect(h.client_ctx(), "localhost", ErrWouldBlock(c)),
        )
        .await
        .expect_err("a transport that fails every read");
        assert_eq!(err.kind(), ErrorKind::Syscall, "{err}");
    });
}

/// A transport that, once `stuck` is set, takes no more writes: `Pending`, never
/// woken.
struct Stuck {
    inner: BoxIo,
    stuck: Arc<AtomicBool>,
}

impl AsyncRead for Stuck {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl AsyncWrite for Stuck {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        data: &[u8],
    ) -> Poll<io::Result<usize>> {
        if self.stuck.load(Ordering::SeqCst) {
            return Poll::Pending;
        }
        Pin::new(&mut self.inner).poll_write(cx, data)
    }
    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        if self.stuck.load(Ordering::SeqCst) {
            return Poll::Pending;
        }
        Pin::new(&mut self.inner).poll_flush(cx)
    }
    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        if self.stuck.load(Ordering::SeqCst) {
            return Poll::Pending;
        }
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

/// ASYNC-6: dropping an open stream never waits. Where the transport takes it,
/// close_notify goes out and the peer reads a clean end (not truncation); where the
/// transport takes nothing more, the drop returns all the same (on a current-thread
/// runtime a drop that waited would hang the case).
pub fn async_6_drop_never_blocks(h: &Harness) {
    run(false, async {
        let (client, mut server) = connected(h).await;
        drop(client);
        let mut rest = Vec::new();
        let n = bounded("read after drop", server.read_to_end(&mut rest))
            .await
            .expect("the dropped stream's close_notify: a clean end");
        assert_eq!(n, 0);

        let (client_io, server_io) = pair(h.kind).await;
        let stuck = Arc::new(AtomicBool::new(false));
        let client_io = Stuck {
            inner: client_io,
            stuck: Arc::clone(&stuck),
        };
        let (client, _server) = handshaken(h, client_io, server_io).await;
        stuck.store(true, Ordering::SeqCst);
        drop(client); // returns: close_notify is not taken, and not waited for
    });
}

/// ASYNC-7: cancelling reads and writes at their await points loses nothing: a read
/// cancelled before data arrives, then completed; writes cancelled while the peer
/// does not read, then continued — the peer gets exactly the octets the writes said
/// they took, in order.
pub fn async_7_cancellation_loses_nothing(h: &Harness) {
    run(false, async {
        let (client_io, server_io) = small_buffered_pair(h.kind).await;
        let (mut client, mut server) = handshaken(h, client_io, server_io).await;
        let mut got = [0u8; 5];
        assert!(
            timeout(Duration::from_millis(50), server.read(&mut got))
                .await
                .is_err(),
            "a read returned with nothing sent"
        );
        client.write_all(b"first").await.expect("write");
        client.flush().await.expect("flush");
        bounded("read after a cancelled read", server.read_exact(&mut got))
            .await
            .expect("read");
        assert_eq!(&got, b"first");

        let data: Vec<u8> = (0..2 * 1024 * 1024).map(|i| (i % 253) as u8).collect();
        let mut taken = 0;
        let mut cancelled = 0;
        for _ in 0..10_000 {
            if taken == data.len() || cancelled >= 3 {
                break;
            }
            match timeout(Duration::from_millis(20), client.write(&data[taken..])).await {
                Ok(Ok(n)) => taken += n,
                Ok(Err(e)) => panic!("write failed: {e}"),
                Err(_) => cancelled += 1,
            }
        }
        assert!(
            cancelled > 0,
            "the peer never pushed back: nothing was cancelled"
        );
        let (_, received) = bounded("the rest", async {
            tokio::join!(
                async {
                    client
                        .write_all(&data[taken..])
                        .await
                        .expect("write the rest");
                    client.flush().await.expect("flush");
                },
                async {
                    let mut received = vec![0u8; data.len()];
                    server.read_exact(&mut received).await.expect("read all");
                    received
                }
            )
        })
        .await;
        assert!(received == data, "ASYNC-7: octets lost or reordered");
    });
}

/// HS-1, ASYNC-2: the handshake deadline runs on the runtime's timer: a silent peer
/// gives HandshakeTimeout at the deadline, and the stream is plain again.
pub fn async_8_handshake_deadline(h: &Harness) {
    run(false, async {
        let (client_io, _silent) = pair(h.kind).await;
        let mut client = SocketStream::new(client_io);
        let options = AttachOptions::client("localhost")
            .ctx(h.client_ctx())
            .handshake_timeout(Duration::from_millis(300));
        let err = bounded("attach to a silent peer", client.attach_ssl(options))
            .await
            .expect_err("a silent peer");
        assert_eq!(err.kind(), ErrorKind::HandshakeTimeout, "{err}");
        assert_eq!(client.ssl_side(), None);
    });
}
