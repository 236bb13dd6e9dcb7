//! `cargo xtask test`: every test, the way CI runs it.
//!
//! The workspace members can be tested together (none of them turns on a set of backends
//! that cannot link), except that BoringSSL gets a cargo invocation of its own (see
//! `run`). The feature-selection example plays "a dependent crate" with its own
//! manifest outside the workspace; it is tested with `--manifest-path` and shares
//! `target/` so nothing is built twice (which is why this runs here, after the
//! workspace's tests, and not as a nested cargo inside `cargo test`: that one would wait
//! on the lock of `target/`). It also proves the facade refuses BoringSSL with OpenSSL
//! (SPEC IMPL-7) with a message that says why.

use crate::workspace::{cargo, display, run_shown};
use crate::{prereqs, workspace, Result};

/// The BoringSSL backend's package, tested in a cargo invocation of its own.
const BORING: &str = "unitls-boring";

/// The manifest of the feature-selection example, relative to the workspace root.
const FEATURE_SELECTION: &str = "examples/feature-selection/Cargo.toml";

/// Runs the task: prereqs, the workspace's tests, then the example crate's tests.
pub(crate) fn run() -> Result<()> {
    prereqs::run()?;
    let root = workspace::root();
    // BoringSSL is tested in a cargo invocation of its own: with it in the same one,
    // rustdoc's link line for the other crates' doctests also searches boring-sys's
    // output directory, where BoringSSL's static libssl.a/libcrypto.a shadow the
    // system OpenSSL (undefined OpenSSL 3 symbols). See CONTRIBUTING.md.
    run_shown(cargo(&root).args(["test", "--workspace", "--exclude", BORING]))?;
    if root.join("backends/boring/Cargo.toml").is_file() {
        run_shown(cargo(&root).args(["test", "-p", BORING]))?;
    }
    if root.join(FEATURE_SELECTION).is_file() {
        run_shown(cargo(&root).args([
            "test",
            "--manifest-path",
            FEATURE_SELECTION,
            "--target-dir",
            "target",
        ]))?;
        refuses_boring_with_openssl(&root)?;
    } else {
        println!("(no {FEATURE_SELECTION} yet; skipping the feature-selection example)");
    }
    println!("test: ok");
    Ok(())
}

/// The `clash` feature of the example asks for `boring` and `openssl` together: the
/// build must fail with the facade's explanation (SPEC IMPL-7).
fn refuses_boring_with_openssl(root: &std::path::Path) -> Result<()> {
    let mut command = cargo(root);
    command.args([
        "check",
        "--manifest-path",
        FEATURE_SELECTION,
        "--target-dir",
        "target",
        "--no-default-features",
        "--features",
        "clash",
    ]);
    println!("$ {} (must fail)", display(&command));
    let output = command
        .output()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    let stderr = String::from_utf8_lossy(&output.stderr);
    if output.status.success() {
        return Err("the facade compiled with both `boring` and `openssl`".into());
    }
    if !stderr.contains("cannot be enabled together") || !stderr.contains("same C symbols") {
        return Err(format!("the clash failed without the facade's explanation:\n{stderr}").into());
    }
    println!("boring + openssl is refused with the reason, as it must be");
    Ok(())
}
