//! Where the ends of a connection meet: the transports, the worker thread running the
//! server ends, one counted connection, and a long-lived pair for the stream figures.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{mpsc, Arc};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use unitls_core::Transport;

use crate::bench::pipe;
use crate::bench::{BenchStream, BoxTransport, Endpoints, Negotiated, CHUNK, ECHO_SIZE};

/// No single wait of a workload may last longer (a hang fails the figure, not the run).
pub(super) const IO_TIMEOUT: Duration = Duration::from_secs(60);

/// Where the two ends of a connection meet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Wire {
    Memory,
    Tcp,
}

impl Wire {
    pub(super) fn id(self) -> &'static str {
        match self {
            Wire::Memory => "memory",
            Wire::Tcp => "tcp",
        }
    }
}

/// One implementation's endpoints for a figure.
pub(super) type SharedEndpoints = Arc<dyn Endpoints>;

/// A loopback listener for the process's TCP pairs.
pub(super) fn listener() -> &'static TcpListener {
    static LISTENER: std::sync::OnceLock<TcpListener> = std::sync::OnceLock::new();
    LISTENER.get_or_init(|| TcpListener::bind("127.0.0.1:0").expect("bind a loopback port"))
}

/// Two connected transports, client end first, each wait bounded by [`IO_TIMEOUT`].
pub(super) fn transports(wire: Wire) -> Result<(BoxTransport, BoxTransport), String> {
    match wire {
        Wire::Memory => {
            let (mut c, mut s) = pipe::pair();
            let _ = c.set_read_timeout(Some(IO_TIMEOUT));
            let _ = s.set_read_timeout(Some(IO_TIMEOUT));
            Ok((Box::new(c), Box::new(s)))
        }
        Wire::Tcp => {
            let listener = listener();
            let addr = listener.local_addr().map_err(|e| e.to_string())?;
            let c = TcpStream::connect(addr).map_err(|e| format!("connect: {e}"))?;
            let (s, _) = listener.accept().map_err(|e| format!("accept: {e}"))?;
            for end in [&c, &s] {
                let _ = end.set_nodelay(true);
                let _ = end.set_read_timeout(Some(IO_TIMEOUT));
                let _ = end.set_write_timeout(Some(IO_TIMEOUT));
            }
            Ok((Box::new(c), Box::new(s)))
        }
    }
}

/// A thread running jobs in order: the server end of the handshake figures.
pub(super) struct Worker {
    pub(super) jobs: Option<mpsc::Sender<Box<dyn FnOnce() + Send>>>,
    pub(super) thread: Option<JoinHandle<()>>,
}

impl Worker {
    pub(super) fn new() -> Worker {
        let (tx, rx) = mpsc::channel::<Box<dyn FnOnce() + Send>>();
        let thread = thread::spawn(move || {
            for job in rx {
                job();
            }
        });
        Worker {
            jobs: Some(tx),
            thread: Some(thread),
        }
    }

    pub(super) fn run(&self, job: impl FnOnce() + Send + 'static) {
        if let Some(jobs) = &self.jobs {
            let _ = jobs.send(Box::new(job));
        }
    }
}

impl Drop for Worker {
    fn drop(&mut self) {
        self.jobs.take();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

pub(super) fn io<T>(result: std::io::Result<T>) -> Result<T, String> {
    result.map_err(|e| e.to_string())
}

/// One connection as the handshake figures count it: the handshake, one octet from
/// the server (which also delivers TLS 1.3 tickets), close_notify from both ends.
/// With `inspect`, what it negotiated (asking costs, so only probes and the first
/// connection of a sample ask).
pub(super) fn one_connection(
    ep: &Arc<dyn Endpoints>,
    worker: &Worker,
    wire: Wire,
    inspect: bool,
) -> Result<Negotiated, String> {
    let (client_end, server_end) = transports(wire)?;
    let (done, finished) = mpsc::channel();
    let server_ep = Arc::clone(ep);
    worker.run(move || {
        let result = server_ep.accept(server_end).and_then(|mut s| {
            io(s.write_all(b"x"))?;
            s.close();
            Ok(())
        });
        let _ = done.send(result);
    });
    let client = ep.connect(client_end);
    let negotiated = client.and_then(|mut c| {
        let mut octet = [0u8; 1];
        io(c.read_exact(&mut octet))?;
        let negotiated = if inspect {
            c.negotiated()
        } else {
            Negotiated::default()
        };
        c.close();
        Ok(negotiated)
    });
    let served = finished
        .recv_timeout(IO_TIMEOUT)
        .map_err(|_| "the server end did not finish".to_owned())?;
    let negotiated = negotiated?;
    served.map_err(|e| format!("server: {e}"))?;
    Ok(negotiated)
}

/// What the server end of a long-lived pair does next.
pub(super) enum Cmd {
    /// Read this many chunks, then answer one octet.
    Sink(u64),
    /// Echo this many [`ECHO_SIZE`]-octet messages.
    Echo(usize),
}

/// A connection kept open for the throughput and latency figures; its server end
/// runs on its own thread.
pub(super) struct Pair {
    pub(super) client: Option<Box<dyn BenchStream>>,
    pub(super) commands: Option<mpsc::Sender<Cmd>>,
    pub(super) server: Option<JoinHandle<Result<(), String>>>,
    pub(super) chunk: Vec<u8>,
}

impl Pair {
    pub(super) fn open(ep: &Arc<dyn Endpoints>, wire: Wire) -> Result<Pair, String> {
        let (client_end, server_end) = transports(wire)?;
        let (tx, rx) = mpsc::channel::<Cmd>();
        let server_ep = Arc::clone(ep);
        let server = thread::spawn(move || -> Result<(), String> {
            let mut s = server_ep.accept(server_end)?;
            let mut buf = vec![0u8; CHUNK];
            for cmd in rx {
                match cmd {
                    Cmd::Sink(n) => {
                        let mut left = n as usize * CHUNK;
                        while left > 0 {
                            let got = io(s.read(&mut buf[..left.min(CHUNK)]))?;
                            if got == 0 {
                                return Err("EOF in the middle of a sample".into());
                            }
                            left -= got;
                        }
                        io(s.write_all(b"k"))?;
                    }
                    Cmd::Echo(n) => {
                        for _ in 0..n {
                            io(s.read_exact(&mut buf[..ECHO_SIZE]))?;
                            io(s.write_all(&buf[..ECHO_SIZE]))?;
                        }
                    }
                }
            }
            s.close();
            Ok(())
        });
        let client = ep.connect(client_end)?;
        Ok(Pair {
            client: Some(client),
            commands: Some(tx),
            server: Some(server),
            chunk: vec![0x5a; CHUNK],
        })
    }

    pub(super) fn client(&mut self) -> &mut Box<dyn BenchStream> {
        self.client.as_mut().expect("open until finish")
    }

    pub(super) fn send(&self, cmd: Cmd) -> Result<(), String> {
        self.commands
            .as_ref()
            .and_then(|c| c.send(cmd).ok())
            .ok_or_else(|| "the server end is gone".to_owned())
    }

    /// `n` chunks to the server and its one-octet answer.
    pub(super) fn sink(&mut self, n: u64) -> Result<Duration, String> {
        let started = Instant::now();
        self.send(Cmd::Sink(n))?;
        let chunk = std::mem::take(&mut self.chunk);
        let client = self.client();
        for _ in 0..n {
            io(client.write_all(&chunk))?;
        }
        io(client.flush())?;
        let mut ack = [0u8; 1];
        io(client.read_exact(&mut ack))?;
        self.chunk = chunk;
        Ok(started.elapsed())
    }

    /// `n` round trips, each timed.
    pub(super) fn echo(&mut self, n: usize) -> Result<Vec<Duration>, String> {
        self.send(Cmd::Echo(n))?;
        let request = [0x61u8; ECHO_SIZE];
        let mut reply = [0u8; ECHO_SIZE];
        let client = self.client();
        let mut times = Vec::with_capacity(n);
        for _ in 0..n {
            let started = Instant::now();
            io(client.write_all(&request))?;
            io(client.read_exact(&mut reply))?;
            times.push(started.elapsed());
        }
        Ok(times)
    }

    pub(super) fn negotiated(&mut self) -> Negotiated {
        self.client().negotiated()
    }

    pub(super) fn finish(mut self) -> Result<(), String> {
        self.commands.take();
        if let Some(client) = self.client.take() {
            client.close();
        }
        match self.server.take().map(JoinHandle::join) {
            Some(Ok(result)) => result,
            Some(Err(_)) => Err("the server thread panicked".into()),
            None => Ok(()),
        }
    }
}
