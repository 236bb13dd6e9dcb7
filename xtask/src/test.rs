//! `cargo xtask test`: every test, the way CI runs it.
//!
//! The workspace members can be tested together (none of them turns on a set of backends
//! that cannot link). The feature-selection example plays "a dependent crate" with its own
//! manifest outside the workspace; it is tested with `--manifest-path` and shares
//! `target/` so nothing is built twice.

use crate::workspace::{cargo, run_shown};
use crate::{prereqs, workspace, Result};

/// The manifest of the feature-selection example, relative to the workspace root.
const FEATURE_SELECTION: &str = "examples/feature-selection/Cargo.toml";

/// Runs the task: prereqs, the workspace's tests, then the example crate's tests.
pub(crate) fn run() -> Result<()> {
    prereqs::run()?;
    let root = workspace::root();
    run_shown(cargo(&root).args(["test", "--workspace"]))?;
    if root.join(FEATURE_SELECTION).is_file() {
        run_shown(cargo(&root).args([
            "test",
            "--manifest-path",
            FEATURE_SELECTION,
            "--target-dir",
            "target",
        ]))?;
    } else {
        println!("(no {FEATURE_SELECTION} yet; skipping the feature-selection example)");
    }
    println!("test: ok");
    Ok(())
}
