//! SPEC §3 ABS — abstract contexts (LispWorks `create-ssl-client-context`,
//! `reset-ssl-abstract-context`).

use std::sync::Arc;

use unitls_core::backend::NativeTypes;

use unitls_core::{
    create_client_context, create_server_context, default_implementation, AttachOptions, ErrorKind,
    IdentitySource,
};

use crate::fixtures::{pki, write_temp};
use crate::harness::echo;
use crate::Harness;

/// ABS-4, IMPL-5: an unavailable backend is InvalidArgument at creation; a context
/// without one uses the default at attach.
pub fn abs_4_implementation_choice(h: &Harness) {
    let err = create_client_context()
        .implementation("no-such-backend")
        .build()
        .expect_err("unknown backend");
    assert_eq!(err.kind(), ErrorKind::InvalidArgument);
    let p = pki();
    let floating = create_server_context()
        .identity(IdentitySource::pem(
            p.server.chain_pem.clone(),
            p.server.key_pem.clone(),
        ))
        .build()
        .expect("context without implementation");
    assert_eq!(floating.implementation(), None);
    let (mut client, mut server, _k) =
        h.connected_with(h.client_opts(), AttachOptions::server().ctx(floating));
    assert_eq!(
        server.implementation(),
        Some(default_implementation().expect("default"))
    );
    echo(&mut client, &mut server, b"default backend");
}

/// ABS-6: `name()` is the creation label or `None`.
pub fn abs_6_name(h: &Harness) {
    assert_eq!(
        h.client_builder()
            .name("mail client")
            .build()
            .expect("ctx")
            .name(),
        Some("mail client")
    );
    assert_eq!(h.client_ctx().name(), None);
}

/// ABS-7: `reset()` re-reads the files; if reading fails it errs and the old
/// material stays.
pub fn abs_7_reset_rereads_files(h: &Harness) {
    let p = pki();
    let dir = write_temp(&[
        ("chain.pem", p.server.chain_pem.as_bytes()),
        ("key.pem", p.server.key_pem.as_bytes()),
    ]);
    let context = create_server_context()
        .implementation(h.backend)
        .identity(IdentitySource::pem_files(
            dir.join("chain.pem"),
            dir.join("key.pem"),
        ))
        .build()
        .expect("context from files");
    let leaf_cn = |ctx: &Arc<unitls_core::AbstractContext>| {
        let (client, _server, _k) =
            h.connected_with(h.client_opts(), AttachOptions::server().ctx(ctx.clone()));
        client
            .peer_certificate()
            .expect("attached")
            .expect("leaf")
            .subject_common_name()
            .map(str::to_string)
    };
    assert_eq!(leaf_cn(&context).as_deref(), Some("localhost"));
    std::fs::write(dir.join("chain.pem"), b"garbage").expect("overwrite");
    assert_eq!(
        context.reset().expect_err("garbage").kind(),
        ErrorKind::InvalidArgument
    );
    assert_eq!(
        leaf_cn(&context).as_deref(),
        Some("localhost"),
        "the old material stays"
    );
    std::fs::write(dir.join("chain.pem"), &p.server_rsa.chain_pem).expect("overwrite");
    std::fs::write(dir.join("key.pem"), &p.server_rsa.key_pem).expect("overwrite");
    context.reset().expect("reset with new files");
    assert_eq!(
        leaf_cn(&context).as_deref(),
        Some("localhost-rsa"),
        "new connections use the new files"
    );
    let _ = std::fs::remove_dir_all(dir);
}

/// A backend that is never registered, to carry hooks that must not run.
enum Elsewhere {}

impl NativeTypes for Elsewhere {
    const NAME: &'static str = "some-other-backend";
    type Context = ();
    type ContextBuilder = ();
    type Connection = ();
}

/// ABS-8: hooks may be set for several backends; only those of the backend in use run.
pub fn abs_8_only_hooks_of_the_backend_in_use(h: &Harness) {
    let context = h
        .client_builder()
        .context_hook::<Elsewhere>(|_| panic!("another backend's context hook ran"))
        .connection_hook::<Elsewhere>(|_| panic!("another backend's connection hook ran"))
        .build()
        .expect("ctx");
    let options = AttachOptions::client("localhost")
        .ctx(context)
        .context_hook::<Elsewhere>(|_| panic!("another backend's context hook ran"))
        .connection_hook::<Elsewhere>(|_| panic!("another backend's connection hook ran"));
    let (mut client, mut server, _k) = h.connected_with(options, h.server_opts());
    echo(&mut client, &mut server, b"only mine");
}
