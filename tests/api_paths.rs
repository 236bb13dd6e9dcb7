//! The facade names every type its public signatures use: the user API at the crate
//! root, the backend interface under `unitls::backend`, the DER types under
//! `unitls::pki_types` (ARCHITECTURE.md, "The public API"). A type a signature uses
//! but no path names would fail to compile here.
#![cfg(any(feature = "rustls", feature = "rustls-ring"))]

use std::any::type_name;

use unitls::backend::{
    Backend, ContextHook, ContextOptions, Deviation, Material, NativeHooks, NativeTypes, Session,
    SessionConfig, SessionInfo, SessionRequest, Trust,
};
use unitls::pki_types::{CertificateDer, PrivateKeyDer};
use unitls::{
    CoreSocketStream, Group, HandshakeTimeout, ImplementationInfo, IntoPartsError, MemoryStream,
    NativeSession, PasswordCallback, SocketStream,
};

/// Names `T`; a path that does not resolve is a compile error.
fn named<T: ?Sized>() -> &'static str {
    type_name::<T>()
}

#[test]
fn user_api_types_are_nameable_from_the_facade() {
    // `Identity::from_der` takes pki-types' DER values.
    let _: fn(
        Vec<CertificateDer<'static>>,
        PrivateKeyDer<'static>,
    ) -> unitls::Result<unitls::Identity> = unitls::Identity::from_der;
    // `SocketStream::into_parts` fails with core's `IntoPartsError`, holding the core
    // stream that `SocketStream` derefs to.
    type Parts = Result<(MemoryStream, Vec<u8>), Box<IntoPartsError<MemoryStream>>>;
    let _: fn(SocketStream<MemoryStream>) -> Parts = SocketStream::into_parts;
    let _: fn(SocketStream<MemoryStream>) -> CoreSocketStream<MemoryStream> =
        SocketStream::into_inner;
    for name in [
        named::<Group>(),
        named::<HandshakeTimeout>(),
        named::<ImplementationInfo>(),
        named::<NativeSession>(),
        named::<PasswordCallback>(),
    ] {
        assert!(name.contains("unitls_core"), "{name}");
    }
}

#[test]
fn backend_interface_is_under_backend() {
    for name in [
        named::<dyn Backend>(),
        named::<dyn Session>(),
        named::<ContextOptions>(),
        named::<Deviation>(),
        named::<Material>(),
        named::<NativeHooks>(),
        named::<SessionConfig<'static>>(),
        named::<SessionInfo>(),
        named::<SessionRequest<'static>>(),
        named::<Trust>(),
    ] {
        assert!(name.contains("unitls_core"), "{name}");
    }
    assert!(named::<ContextHook<unitls::rustls::Rustls>>().contains("RustlsConfig"));
    assert_eq!(<unitls::rustls::Rustls as NativeTypes>::NAME, "rustls");
    assert!(unitls::implementations().contains(&unitls::DEFAULT_BACKEND));
}
