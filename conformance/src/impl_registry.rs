//! SPEC §3 IMPL — the backend registry (LispWorks §25.8.1).

use unitls_core::{
    capabilities, default_implementation, implementation_available, implementation_info,
    implementations, set_default_implementation, ErrorKind,
};

use crate::Harness;

/// IMPL-1, IMPL-2, IMPL-8, IMPL-9: the registry lists the backend, answers any name,
/// gives its fixed capabilities (every gap with the library limitation forcing it,
/// per role) and versions.
pub fn impl_1_2_registry_lists_backend(h: &Harness) {
    assert!(
        implementations().contains(&h.backend),
        "{:?}",
        implementations()
    );
    assert!(implementation_available(h.backend));
    for name in ["", "nope", "OPENSSL", "rustls\0", "ssl-v3"] {
        assert!(
            !implementation_available(name),
            "{name:?} should not be available"
        );
    }
    let caps = capabilities(h.backend).expect("capabilities");
    assert_eq!(
        Some(caps),
        capabilities(h.backend),
        "capabilities are fixed"
    );
    // Every gap, per role, names the library limitation that forces it.
    for capability in unitls_core::Capability::ALL {
        for role in [unitls_core::Role::Client, unitls_core::Role::Server] {
            if !caps.supports(capability, role) {
                assert!(
                    caps.reason(capability, role)
                        .is_some_and(|r| r.trim().len() > 10),
                    "{} does not declare {capability} for the {role:?} role without a reason",
                    h.backend
                );
            }
        }
    }
    let info = implementation_info(h.backend).expect("info");
    assert_eq!(info.name, h.backend);
    assert!(!info.library.is_empty() && !info.crate_version.is_empty());
}

/// IMPL-3, IMPL-4: there is a default; only available backends can become it.
pub fn impl_4_default_only_available(h: &Harness) {
    let before = default_implementation().expect("a default exists");
    let err = set_default_implementation("no-such-backend").expect_err("unknown backend accepted");
    assert_eq!(err.kind(), ErrorKind::InvalidArgument);
    assert_eq!(
        default_implementation().expect("default"),
        before,
        "default changed"
    );
    assert!(implementations().contains(&before));
    let _ = h;
}
