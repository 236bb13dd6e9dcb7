//! The unitls side of every figure: abstract contexts and `SocketStream`s.

use std::io::{self, Read, Write};
use std::sync::Arc;

use unitls_core::{
    create_client_context, create_server_context, AbstractContext, AttachOptions, Capability,
    CtxSpec, DetachOptions, IdentitySource, Side, SocketStream, Source, TrustSource,
};

use super::{
    AsyncEndpoints, AsyncStream, BenchStream, BoxFuture, BoxIo, BoxTransport, Endpoints,
    Implementation, Negotiated, Setup, StartTls, HOST, STARTTLS_PAYLOAD, STARTTLS_REPLY,
    STARTTLS_REQUEST,
};
use crate::fixtures::pki;

/// unitls over one backend, through abstract contexts (the API most users take).
#[derive(Debug, Clone, Copy)]
pub struct Unitls {
    /// The backend's registry name.
    pub backend: &'static str,
}

impl Implementation for Unitls {
    fn prepare(&self, setup: &Setup) -> Result<Arc<dyn Endpoints>, String> {
        let (client, server) = self.contexts(setup)?;
        Ok(Arc::new(UnitlsEndpoints { client, server }))
    }

    fn prepare_async(&self, setup: &Setup) -> Result<Arc<dyn AsyncEndpoints>, String> {
        let (client, server) = self.contexts(setup)?;
        Ok(Arc::new(UnitlsEndpoints { client, server }))
    }
}

impl Unitls {
    /// The client and server abstract contexts for `setup`.
    fn contexts(
        &self,
        setup: &Setup,
    ) -> Result<(Arc<AbstractContext>, Arc<AbstractContext>), String> {
        let caps = unitls_core::capabilities(self.backend)
            .ok_or_else(|| format!("backend {} is not registered", self.backend))?;
        let leaf = setup.key.leaf();
        let mut client = create_client_context()
            .implementation(self.backend)
            .trust_only([TrustSource::Pem(Source::memory(pki().ca_pem.clone()))])
            .min_version(setup.version)
            .max_version(setup.version);
        let mut server = create_server_context()
            .implementation(self.backend)
            .identity(IdentitySource::pem(
                leaf.chain_pem.clone(),
                leaf.key_pem.clone(),
            ))
            .min_version(setup.version)
            .max_version(setup.version);
        if let Some(suite) = setup.suite {
            let name = suite.iana_name().ok_or("a suite without IANA name")?;
            client = client.cipher_suites([name]);
            server = server.cipher_suites([name]);
        }
        if setup.x25519 {
            client = client.groups(setup.groups());
            server = server.groups(setup.groups());
        }
        if !setup.resumption && caps.contains(Capability::Resumption) {
            client = client.resumption(false);
            server = server.resumption(false);
        }
        let client = client.build().map_err(|e| e.to_string())?;
        let server = server.build().map_err(|e| e.to_string())?;
        Ok((client, server))
    }
}

impl AsyncEndpoints for UnitlsEndpoints {
    fn connect(&self, io: BoxIo) -> BoxFuture<Result<AsyncStream, String>> {
        let ctx = Arc::clone(&self.client);
        Box::pin(async move {
            let stream = unitls_core::tokio::connect(ctx, HOST, io)
                .await
                .map_err(|e| e.to_string())?;
            Ok(Box::new(stream) as AsyncStream)
        })
    }

    fn accept(&self, io: BoxIo) -> BoxFuture<Result<AsyncStream, String>> {
        let ctx = Arc::clone(&self.server);
        Box::pin(async move {
            let stream = unitls_core::tokio::accept(ctx, io)
                .await
                .map_err(|e| e.to_string())?;
            Ok(Box::new(stream) as AsyncStream)
        })
    }
}

struct UnitlsEndpoints {
    client: Arc<AbstractContext>,
    server: Arc<AbstractContext>,
}

impl UnitlsEndpoints {
    fn client_options(&self) -> AttachOptions {
        AttachOptions::client(HOST).ctx(CtxSpec::Abstract(Arc::clone(&self.client)))
    }

    fn server_options(&self) -> AttachOptions {
        AttachOptions::server()
            .ctx(CtxSpec::Abstract(Arc::clone(&self.server)))
            .side(Side::Server)
    }
}

impl Endpoints for UnitlsEndpoints {
    fn connect(&self, transport: BoxTransport) -> Result<Box<dyn BenchStream>, String> {
        let mut stream = SocketStream::new(transport);
        stream
            .attach_ssl(self.client_options())
            .map_err(|e| e.to_string())?;
        Ok(Box::new(UnitlsStream(stream)))
    }

    fn accept(&self, transport: BoxTransport) -> Result<Box<dyn BenchStream>, String> {
        let mut stream = SocketStream::new(transport);
        stream
            .attach_ssl(self.server_options())
            .map_err(|e| e.to_string())?;
        Ok(Box::new(UnitlsStream(stream)))
    }

    fn starttls_client(&self, transport: BoxTransport) -> Box<dyn StartTls> {
        Box::new(UnitlsStartTls {
            stream: SocketStream::new(transport),
            options: AttachOptionsMaker::Client(Arc::clone(&self.client)),
        })
    }

    fn starttls_server(&self, transport: BoxTransport) -> Box<dyn StartTls> {
        Box::new(UnitlsStartTls {
            stream: SocketStream::new(transport),
            options: AttachOptionsMaker::Server(Arc::clone(&self.server)),
        })
    }
}

/// A unitls stream with TLS attached.
struct UnitlsStream(SocketStream<BoxTransport>);

impl Read for UnitlsStream {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.0.read(buf)
    }
}

impl Write for UnitlsStream {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        self.0.write(data)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.0.flush()
    }
}

impl BenchStream for UnitlsStream {
    fn negotiated(&self) -> Negotiated {
        Negotiated {
            version: self.0.protocol_version().ok().flatten(),
            suite: self.0.cipher_suite().ok().flatten(),
            resumed: self.0.resumed().ok(),
            group: self.0.negotiated_group().ok().flatten(),
        }
    }

    fn close(mut self: Box<Self>) {
        let _ = self.0.close();
    }
}

enum AttachOptionsMaker {
    Client(Arc<AbstractContext>),
    Server(Arc<AbstractContext>),
}

struct UnitlsStartTls {
    stream: SocketStream<BoxTransport>,
    options: AttachOptionsMaker,
}

fn io_text(e: io::Error) -> String {
    e.to_string()
}

impl StartTls for UnitlsStartTls {
    fn cycle(&mut self) -> Result<bool, String> {
        let s = &mut self.stream;
        match &self.options {
            AttachOptionsMaker::Client(ctx) => {
                s.write_all(STARTTLS_REQUEST).map_err(io_text)?;
                let mut reply = [0u8; STARTTLS_REPLY.len()];
                s.read_exact(&mut reply).map_err(io_text)?;
                s.attach_ssl(AttachOptions::client(HOST).ctx(CtxSpec::Abstract(Arc::clone(ctx))))
                    .map_err(|e| e.to_string())?;
                s.write_all(&[b'c'; STARTTLS_PAYLOAD]).map_err(io_text)?;
                let detached = s
                    .detach_ssl(DetachOptions::default())
                    .map_err(|e| e.to_string())?;
                if !detached.is_some_and(|d| d.peer_closed) {
                    return Err("the server did not answer close_notify".into());
                }
                Ok(true)
            }
            AttachOptionsMaker::Server(ctx) => {
                let mut request = [0u8; STARTTLS_REQUEST.len()];
                match s.read_exact(&mut request) {
                    Ok(()) => {}
                    Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => return Ok(false),
                    Err(e) => return Err(e.to_string()),
                }
                s.write_all(STARTTLS_REPLY).map_err(io_text)?;
                s.attach_ssl(
                    AttachOptions::server()
                        .ctx(CtxSpec::Abstract(Arc::clone(ctx)))
                        .side(Side::Server),
                )
                .map_err(|e| e.to_string())?;
                let mut payload = [0u8; STARTTLS_PAYLOAD];
                s.read_exact(&mut payload).map_err(io_text)?;
                if s.read(&mut [0u8; 1]).map_err(io_text)? != 0 {
                    return Err("data after the payload".into());
                }
                s.detach_ssl(DetachOptions::default())
                    .map_err(|e| e.to_string())?;
                Ok(true)
            }
        }
    }
}
