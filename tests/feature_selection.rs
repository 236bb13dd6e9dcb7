//! The facade's features, as a dependent crate uses them (issue 2, item 4): the
//! example crate in `examples/feature-selection` builds with a backend feature, and
//! refuses BoringSSL together with OpenSSL with a message that explains why (SPEC
//! IMPL-7).

use std::path::Path;
use std::process::Command;

fn cargo(args: &[&str]) -> std::process::Output {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    // A target directory of its own: the outer `cargo test` may still hold the lock
    // on the workspace's.
    Command::new(env!("CARGO"))
        .args(args)
        .arg("--manifest-path")
        .arg(root.join("examples/feature-selection/Cargo.toml"))
        .env("CARGO_TARGET_DIR", root.join("target/feature-selection"))
        .output()
        .expect("run cargo")
}

/// IMPL-7: `boring` with `openssl` is a compile_error! naming the clash.
#[test]
fn boring_with_openssl_is_refused_with_the_reason() {
    let out = cargo(&[
        "check",
        "--quiet",
        "--no-default-features",
        "--features",
        "clash",
    ]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "the clash compiled");
    assert!(stderr.contains("cannot be enabled together"), "{stderr}");
    assert!(stderr.contains("same C symbols"), "{stderr}");
}

/// A dependent crate that picks `rustls` builds and gets it as the default backend.
#[test]
fn a_dependent_crate_builds_with_its_chosen_backend() {
    let out = cargo(&["run", "--quiet"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.contains("compiled in: [\"rustls\"]; default: rustls"),
        "{stdout}"
    );
}
