//! `cargo xtask test`: every test, the way CI runs it.
//!
//! The workspace members can be tested together (none of them turns on a set of backends
//! that cannot link; the OpenSSL-family crates' doctests are off so that rustdoc's
//! shared link paths cannot mix BoringSSL and OpenSSL). The feature-selection example plays "a dependent crate" with its own
//! manifest outside the workspace; it is tested with `--manifest-path` and shares
//! `target/` so nothing is built twice (which is why this runs here, after the
//! workspace's tests, and not as a nested cargo inside `cargo test`: that one would wait
//! on the lock of `target/`). It also proves the facade refuses BoringSSL with OpenSSL
//! (SPEC IMPL-7) with a message that says why.

use crate::workspace::{cargo, display, run_shown};
use crate::{prereqs, workspace, Result};

/// The manifest of the feature-selection example, relative to the workspace root.
const FEATURE_SELECTION: &str = "examples/feature-selection/Cargo.toml";

/// Runs the task: prereqs, the workspace's tests, then the example crate's tests.
pub(crate) fn run() -> Result<()> {
    prereqs::run()?;
    let root = workspace::root();
    // The OpenSSL-family crates have their doctests off (their Cargo.toml says why),
    // so the whole workspace can be tested in one invocation.
    run_shown(cargo(&root).args(["test", "--workspace"]))?;
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
