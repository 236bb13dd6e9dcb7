//! The real servers the scenarios talk to, each started on loopback in a directory
//! of its own and stopped by its own PID, with every wait bounded.

pub(crate) mod nginx;
pub(crate) mod postgres;
mod process;

pub(crate) use process::version_line;

/// `curl` on `PATH`.
pub(crate) fn find_curl() -> Option<std::path::PathBuf> {
    process::find_program("curl", &[])
}
