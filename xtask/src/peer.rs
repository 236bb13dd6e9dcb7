//! `cargo xtask peer <backend> [--] ARGS...`: builds `unitls-peer` for one backend and
//! runs it with ARGS, passing stdio and the exit status through.
//!
//! The peer is the workspace member `peer/` (package `unitls-peer`), built with
//! `--no-default-features --features <backend>` (each of its features turns on the
//! facade's of the same name), so each build links exactly one backend (BoringSSL and
//! OpenSSL cannot share a binary). All four builds go to the workspace's own target
//! directory, one after the other — cargo then rebuilds only the facade and the peer
//! when the features change, and BoringSSL (already built there for the workspace's
//! tests) is not built a second time — and each resulting binary is copied to
//! `target/peer/<backend>/unitls-peer` right after its build, so the four peers exist
//! side by side.

use std::ffi::OsString;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

use crate::workspace::{self, cargo, display};
use crate::Result;

/// The peer's package, and its binary's name.
pub(crate) const PEER_BIN: &str = "unitls-peer";

/// Runs the task: builds the peer, then runs it with `args`.
pub(crate) fn run(backend: &str, args: &[OsString]) -> Result<ExitCode> {
    let root = workspace::root();
    let known = workspace::backend_crates(&root);
    if !known.contains(&backend) {
        return Err(format!(
            "unknown backend `{backend}` (backend crates here: {})",
            known.join(", ")
        )
        .into());
    }
    let path = build(&root, backend)?;
    let status = Command::new(&path)
        .args(args)
        .status()
        .map_err(|e| format!("cannot run {}: {e}", path.display()))?;
    Ok(match status.code() {
        Some(code) => ExitCode::from(u8::try_from(code).unwrap_or(1)),
        None => ExitCode::FAILURE,
    })
}

/// The cargo feature of the peer that turns backend `name` on.
pub(crate) fn feature(name: &str) -> &str {
    // The peer's features, like the facade's, are named after the backends (`rustls` is
    // rustls with aws-lc-rs; `rustls-ring` would be the same backend name with ring).
    name
}

/// Builds the peer for `backend` and copies it to `<target>/peer/<backend>/unitls-peer`;
/// returns the copy's path. Progress goes to stderr, so the peer's own stdout stays
/// clean JSON for `cargo xtask peer`.
pub(crate) fn build(root: &Path, backend: &str) -> Result<PathBuf> {
    let mut command = cargo(root);
    command.args([
        "build",
        "-p",
        PEER_BIN,
        "--bin",
        PEER_BIN,
        "--no-default-features",
        "--features",
        feature(backend),
        "--message-format=json-render-diagnostics",
    ]);
    let shown = display(&command);
    eprintln!("$ {shown}");
    let built = workspace::built_executable(&mut command, &shown, PEER_BIN)?;
    let dir = peer_dir(&built, backend);
    fs::create_dir_all(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let target = dir.join(PEER_BIN);
    // Copy, then rename over the old one: a peer still running keeps its old file.
    let partial = dir.join(format!("{PEER_BIN}.partial"));
    fs::copy(&built, &partial).map_err(|e| {
        format!(
            "cannot copy {} to {}: {e}",
            built.display(),
            partial.display()
        )
    })?;
    fs::rename(&partial, &target)
        .map_err(|e| format!("cannot move {} into place: {e}", target.display()))?;
    eprintln!("    {backend} peer: {}", target.display());
    Ok(target)
}

/// Where backend `name`'s copy goes, given the freshly built `<target>/debug/unitls-peer`.
fn peer_dir(built: &Path, name: &str) -> PathBuf {
    let target = built
        .parent()
        .and_then(Path::parent)
        .unwrap_or_else(|| Path::new("target"));
    target.join("peer").join(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_backend_has_its_own_copy() {
        assert_eq!(
            peer_dir(Path::new("/w/target/debug/unitls-peer"), "boring"),
            PathBuf::from("/w/target/peer/boring")
        );
    }
}
