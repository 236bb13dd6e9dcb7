//! SPEC §3 INTEROP, in one process: a client of one backend against a server of
//! another, for the pairs that can share a binary (rustls with any; OpenSSL with
//! native-tls). Pairs that cannot (BoringSSL with OpenSSL) cross processes through the
//! peer binary instead (INTEROP-7).

use std::io::{Read, Write};

use unitls_core::{
    create_client_context, create_server_context, AttachOptions, Capability, DetachOptions,
    IdentitySource, ProtocolVersion, Role, Source, TrustSource,
};

use crate::fixtures::pki;
use crate::harness::{bounded, spawn, TransportKind};
use crate::Harness;

/// The versions the client backend declares for its client role and the server
/// backend for its server role.
fn shared_versions(client: &str, server: &str) -> Vec<ProtocolVersion> {
    let caps = |name: &str| {
        unitls_core::capabilities(name).unwrap_or_else(|| panic!("{name} is not registered"))
    };
    let (c, s) = (caps(client), caps(server));
    [
        (ProtocolVersion::Tls12, Capability::Tls12),
        (ProtocolVersion::Tls13, Capability::Tls13),
    ]
    .into_iter()
    .filter(|(_, cap)| c.supports(*cap, Role::Client) && s.supports(*cap, Role::Server))
    .map(|(v, _)| v)
    .collect()
}

/// INTEROP-1, INTEROP-2, INTEROP-6: for every version both declare, a client of
/// `client` and a server of `server` handshake, agree on version and suite, echo
/// 1 MiB each way, detach back to plaintext and close cleanly — over TCP and memory.
pub fn in_process_pair(client: &'static str, server: &'static str) {
    for version in shared_versions(client, server) {
        for kind in [TransportKind::Tcp, TransportKind::Memory] {
            one_pair(client, server, version, kind);
        }
    }
}

fn one_pair(
    client: &'static str,
    server: &'static str,
    version: ProtocolVersion,
    kind: TransportKind,
) {
    let p = pki();
    let client_ctx = create_client_context()
        .implementation(client)
        .trust_only([TrustSource::Pem(Source::memory(p.ca_pem.clone()))])
        .min_version(version)
        .max_version(version)
        .build()
        .expect("client context");
    let server_ctx = create_server_context()
        .implementation(server)
        .identity(IdentitySource::pem(
            p.server.chain_pem.clone(),
            p.server.key_pem.clone(),
        ))
        .min_version(version)
        .max_version(version)
        .build()
        .expect("server context");
    let (client_end, server_end, _k) = Harness::pair_of(kind);
    let (mut c, mut s) = (bounded(client_end), bounded(server_end));
    let data: Vec<u8> = (0..1u32 << 20).map(|i| (i % 253) as u8).collect();
    let expected = data.clone();
    let server_thread = spawn(move || {
        s.attach_ssl(AttachOptions::server().ctx(server_ctx))
            .expect("server attach");
        let seen = (
            s.protocol_version().expect("attached"),
            s.cipher_suite().expect("attached"),
        );
        let mut got = vec![0u8; 1 << 20];
        s.read_exact(&mut got).expect("server reads 1 MiB");
        s.write_all(&got).expect("server echoes 1 MiB");
        assert_eq!(
            s.read(&mut [0u8; 1]).expect("clean close from the client"),
            0
        );
        s.detach_ssl(DetachOptions::default())
            .expect("server detach");
        s.write_all(b"plain").expect("plain after detach");
        (seen, got == expected)
    });
    c.attach_ssl(AttachOptions::client("localhost").ctx(client_ctx))
        .expect("client attach");
    let negotiated = (
        c.protocol_version().expect("attached"),
        c.cipher_suite().expect("attached"),
    );
    assert_eq!(negotiated.0, Some(version), "{client} → {server}");
    c.write_all(&data).expect("client writes 1 MiB");
    let mut echoed = vec![0u8; data.len()];
    c.read_exact(&mut echoed).expect("client reads the echo");
    assert!(echoed == data, "{client} → {server}: echo corrupted");
    c.detach_ssl(DetachOptions::default())
        .expect("client detach");
    let mut plain = [0u8; 5];
    c.read_exact(&mut plain).expect("plaintext after detach");
    assert_eq!(&plain, b"plain");
    let (seen, intact) = server_thread.join();
    assert!(intact, "{client} → {server}: server saw corrupted data");
    assert!(
        negotiated.1.is_some(),
        "{client} → {server}: no cipher suite"
    );
    assert_eq!(
        seen, negotiated,
        "{client} → {server}: the ends disagree on version or suite"
    );
}
