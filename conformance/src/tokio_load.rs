//! SPEC REL-4 — load in the tokio mode: 1,000 TLS connections open at once through
//! one tokio server, each then echoing, on a current-thread and a multi-thread
//! runtime, over loopback TCP (the run's `Tcp`) or tokio duplexes (`Memory`).

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::sync::Barrier;
use tokio::task::JoinSet;
use unitls_core::tokio::{accept, connect};
use unitls_model::reliability::{LoadFigures, ReliabilityLine};

use crate::harness::TransportKind;
use crate::tokio_mode::BoxIo;
use crate::Harness;

/// The connections held open at once.
const CONNECTIONS: usize = 1000;

/// The longest one runtime's run may take.
const LIMIT: Duration = Duration::from_secs(180);

/// The server ends arrive on this channel (accepted TCP sockets or duplex ends).
async fn connections(kind: TransportKind) -> (Vec<BoxIo>, tokio::sync::mpsc::Receiver<BoxIo>) {
    let (sender, receiver) = tokio::sync::mpsc::channel(CONNECTIONS);
    let mut clients: Vec<BoxIo> = Vec::with_capacity(CONNECTIONS);
    match kind {
        TransportKind::Memory => {
            for _ in 0..CONNECTIONS {
                let (client, server) = tokio::io::duplex(16 * 1024);
                clients.push(Box::new(client));
                sender.try_send(Box::new(server) as BoxIo).expect("room");
            }
        }
        TransportKind::Tcp => {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
                .await
                .expect("bind loopback");
            let addr = listener.local_addr().expect("addr");
            tokio::spawn(async move {
                for _ in 0..CONNECTIONS {
                    let Ok((socket, _)) = listener.accept().await else {
                        return;
                    };
                    let _ = socket.set_nodelay(true);
                    if sender.send(Box::new(socket) as BoxIo).await.is_err() {
                        return;
                    }
                }
            });
            for _ in 0..CONNECTIONS {
                let socket = tokio::net::TcpStream::connect(addr).await.expect("connect");
                let _ = socket.set_nodelay(true);
                clients.push(Box::new(socket));
            }
        }
    }
    (clients, receiver)
}

/// REL-4: 1,000 connections through one tokio server, all handshaken and open at
/// once (a barrier holds every end until all are), then each echoes its own message
/// and closes with close_notify; no error, none lost — on a current-thread and a
/// multi-thread runtime.
pub fn async_9_thousand_connections(h: &Harness) {
    crate::harness::enough_open_files(4 * CONNECTIONS as u64);
    for multi_thread in [false, true] {
        crate::tokio_mode::run_within(multi_thread, LIMIT, load(h, multi_thread));
    }
}

async fn load(h: &Harness, multi_thread: bool) {
    let started = Instant::now();
    let handshaken = Arc::new(AtomicUsize::new(0));
    let all_handshaken = Arc::new(Mutex::new(None));
    let (clients, mut accepted) = connections(h.kind).await;
    let all_open = Arc::new(Barrier::new(2 * CONNECTIONS));
    let server_ctx = h.server_ctx();
    let server_barrier = Arc::clone(&all_open);
    let (count, at) = (Arc::clone(&handshaken), Arc::clone(&all_handshaken));
    let server = tokio::spawn(async move {
        let mut tasks = JoinSet::new();
        for _ in 0..CONNECTIONS {
            let io = accepted.recv().await.expect("a connection");
            let (ctx, open) = (server_ctx.clone(), Arc::clone(&server_barrier));
            let (count, at) = (Arc::clone(&count), Arc::clone(&at));
            tasks.spawn(async move {
                let mut stream = accept(ctx, io).await.expect("server handshake");
                if count.fetch_add(1, Ordering::SeqCst) + 1 == CONNECTIONS {
                    *at.lock().unwrap_or_else(PoisonError::into_inner) = Some(Instant::now());
                }
                open.wait().await;
                let mut message = [0u8; 16];
                stream.read_exact(&mut message).await.expect("server read");
                stream.write_all(&message).await.expect("server write");
                stream.flush().await.expect("server flush");
                let mut rest = Vec::new();
                stream
                    .read_to_end(&mut rest)
                    .await
                    .expect("the client's close_notify");
                stream.close().await.expect("server close");
            });
        }
        let mut served = 0;
        while let Some(done) = tasks.join_next().await {
            done.expect("a server task panicked");
            served += 1;
        }
        served
    });
    let mut tasks = JoinSet::new();
    let client_ctx = h.client_ctx(); // one context for every connection, as in real use
    for (i, io) in clients.into_iter().enumerate() {
        let (ctx, open) = (client_ctx.clone(), Arc::clone(&all_open));
        tasks.spawn(async move {
            let mut stream = connect(ctx, "localhost", io)
                .await
                .expect("client handshake");
            open.wait().await;
            let message = format!("{i:>16}");
            stream
                .write_all(message.as_bytes())
                .await
                .expect("client write");
            stream.flush().await.expect("client flush");
            let mut echoed = [0u8; 16];
            stream.read_exact(&mut echoed).await.expect("echo");
            assert_eq!(
                &echoed,
                message.as_bytes(),
                "REL-4: another connection's octets"
            );
            stream.shutdown().await.expect("close_notify");
            let mut rest = Vec::new();
            stream
                .read_to_end(&mut rest)
                .await
                .expect("the server's close_notify");
        });
    }
    let mut done = 0;
    while let Some(finished) = tasks.join_next().await {
        finished.expect("a client task panicked");
        done += 1;
    }
    assert_eq!(done, CONNECTIONS);
    assert_eq!(
        server.await.expect("server"),
        CONNECTIONS,
        "REL-4: connections lost"
    );
    let duration = started.elapsed();
    let to_all = all_handshaken
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .map_or(duration, |at| at - started);
    let runtime = if multi_thread {
        "multi-thread"
    } else {
        "current-thread"
    };
    crate::figures::record(&ReliabilityLine::Load(LoadFigures {
        backend: h.backend.to_owned(),
        mode: unitls_model::Mode::Async,
        setup: format!(
            "{}, {runtime} runtime",
            crate::figures::transport_name(h.kind)
        ),
        connections: handshaken.load(Ordering::SeqCst),
        handshakes_per_sec: unitls_model::round(
            CONNECTIONS as f64 / to_all.as_secs_f64().max(1e-9),
            1,
        ),
        errors: 0, // any error failed the run above
        lost: 0,
        duration_secs: unitls_model::round(duration.as_secs_f64(), 3),
    }));
}
