//! `cargo xtask prereqs`: the system tools and libraries the build needs.
//!
//! Checks each prerequisite; when something is missing it says so loudly, and, as root
//! with apt-get available, installs the Debian packages that provide it. Otherwise it
//! prints the exact command to run and fails, so nobody has to read a build-script panic
//! (BoringSSL's cmake, bindgen's libclang, openssl-sys's pkg-config) to find out.

use std::env;
use std::fs;
use std::path::Path;
use std::process::{Command, Stdio};

use crate::workspace::{check_status, display};
use crate::Result;

/// One prerequisite: how to detect it and which Debian packages provide it.
struct Prerequisite {
    /// What is checked, as the user would name it.
    name: &'static str,
    /// Why the project needs it.
    why: &'static str,
    /// The Debian packages that provide it.
    packages: &'static [&'static str],
    /// Whether it is present on this machine.
    present: fn() -> bool,
}

/// Every prerequisite, in the order they are reported.
const PREREQUISITES: [Prerequisite; 12] = [
    Prerequisite {
        name: "cc",
        why: "the C compiler that build scripts (aws-lc-rs, openssl-sys, boring-sys) call",
        packages: &["gcc", "libc6-dev"],
        present: || on_path("cc"),
    },
    Prerequisite {
        name: "pkg-config",
        why: "finds the system OpenSSL for the openssl and native-tls backends",
        packages: &["pkg-config"],
        present: || on_path("pkg-config"),
    },
    Prerequisite {
        name: "openssl",
        why: "the command-line tool: an independent interop peer and test fixtures",
        packages: &["openssl"],
        present: || on_path("openssl"),
    },
    Prerequisite {
        name: "ca-certificates",
        why: "/etc/ssl/certs/ca-certificates.crt, the system trust store",
        packages: &["ca-certificates"],
        present: || Path::new("/etc/ssl/certs/ca-certificates.crt").is_file(),
    },
    Prerequisite {
        name: "cmake",
        why: "builds BoringSSL from source (boring backend)",
        packages: &["cmake"],
        present: || on_path("cmake"),
    },
    Prerequisite {
        name: "clang",
        why: "compiles BoringSSL and runs bindgen (boring backend)",
        packages: &["clang"],
        present: || on_path("clang"),
    },
    Prerequisite {
        name: "libclang-dev",
        why: "libclang for bindgen (boring backend)",
        packages: &["libclang-dev"],
        present: libclang_present,
    },
    Prerequisite {
        name: "valgrind",
        why: "memcheck over the lifecycle paths: cargo xtask leaks (SPEC REL-3)",
        packages: &["valgrind"],
        present: || on_path("valgrind"),
    },
    Prerequisite {
        name: "libssl-dev",
        why: "OpenSSL headers and pkg-config file (openssl and native-tls backends)",
        packages: &["libssl-dev"],
        present: || succeeds(Command::new("pkg-config").args(["--exists", "openssl"])),
    },
    Prerequisite {
        name: "postgresql",
        why: "a real PostgreSQL server for unitls-postgres (SPEC INTEG-1, INTEG-2); the \
              integrations run a throw-away cluster of their own, never the package's",
        packages: &["postgresql"],
        present: postgresql_present,
    },
    Prerequisite {
        name: "nginx",
        why: "a real HTTPS server (HTTP/1.1 and HTTP/2) for unitls-hyper's client (SPEC INTEG-3)",
        packages: &["nginx"],
        present: || on_path("nginx") || Path::new("/usr/sbin/nginx").is_file(),
    },
    Prerequisite {
        name: "curl",
        why: "a real HTTP client (HTTP/1.1 and HTTP/2) for unitls-hyper's server (SPEC INTEG-3)",
        packages: &["curl"],
        present: || on_path("curl"),
    },
];

/// Whether PostgreSQL's `initdb` is on PATH or in Debian's
/// `/usr/lib/postgresql/<version>/bin` (not on PATH there).
fn postgresql_present() -> bool {
    on_path("initdb")
        || fs::read_dir("/usr/lib/postgresql")
            .into_iter()
            .flatten()
            .flatten()
            .any(|version| version.path().join("bin").join("initdb").is_file())
}

/// Runs the task: checks, installs what is missing if it can, checks again.
pub(crate) fn run() -> Result<()> {
    let missing = missing();
    if missing.is_empty() {
        println!("prerequisites: ok");
        return Ok(());
    }
    for prerequisite in &missing {
        eprintln!(
            "!!! MISSING PREREQUISITE: {}: {} [Debian package: {}]",
            prerequisite.name,
            prerequisite.why,
            prerequisite.packages.join(" ")
        );
    }
    let packages = packages(&missing);
    if !(is_root() && on_path("apt-get")) {
        let reason = if on_path("apt-get") {
            "not running as root"
        } else {
            "apt-get not found"
        };
        eprintln!(
            "!!! cannot install them ({reason}); run:\n    sudo apt-get update && sudo apt-get install -y {}",
            packages.join(" ")
        );
        return Err(format!("missing prerequisites: {}", names(&missing)).into());
    }
    eprintln!("installing: apt-get install -y {}", packages.join(" "));
    apt_get(&["update"])?;
    let mut install = vec!["install", "-y"];
    install.extend(packages.iter().copied());
    apt_get(&install)?;
    let still_missing = self::missing();
    if still_missing.is_empty() {
        println!("prerequisites: ok (installed {})", packages.join(" "));
        Ok(())
    } else {
        Err(format!(
            "still missing after apt-get install: {}",
            names(&still_missing)
        )
        .into())
    }
}

/// The prerequisites that are not present.
fn missing() -> Vec<&'static Prerequisite> {
    PREREQUISITES
        .iter()
        .filter(|prerequisite| !(prerequisite.present)())
        .collect()
}

/// The Debian packages that provide `missing`, each once, in check order.
fn packages(missing: &[&Prerequisite]) -> Vec<&'static str> {
    let mut packages: Vec<&'static str> = Vec::new();
    for package in missing.iter().flat_map(|p| p.packages.iter().copied()) {
        if !packages.contains(&package) {
            packages.push(package);
        }
    }
    packages
}

/// The names of `missing`, comma-separated.
fn names(missing: &[&Prerequisite]) -> String {
    missing
        .iter()
        .map(|p| p.name)
        .collect::<Vec<_>>()
        .join(", ")
}

/// Runs `apt-get <args>` non-interactively, printing the command first.
fn apt_get(args: &[&str]) -> Result<()> {
    let mut command = Command::new("apt-get");
    command.args(args).env("DEBIAN_FRONTEND", "noninteractive");
    let shown = display(&command);
    println!("$ DEBIAN_FRONTEND=noninteractive {shown}");
    let status = command
        .status()
        .map_err(|e| format!("cannot run `{shown}`: {e}"))?;
    check_status(&shown, status)
}

/// Whether an executable named `program` is on `PATH`.
fn on_path(program: &str) -> bool {
    env::var_os("PATH").is_some_and(|path| {
        env::split_paths(&path).any(|dir| {
            let candidate = dir.join(program);
            fs::metadata(&candidate).is_ok_and(|meta| meta.is_file() && is_executable(&meta))
        })
    })
}

/// Whether the file's mode lets someone execute it.
#[cfg(unix)]
fn is_executable(meta: &fs::Metadata) -> bool {
    use std::os::unix::fs::PermissionsExt;
    meta.permissions().mode() & 0o111 != 0
}

/// Whether the file's mode lets someone execute it (always, off Unix).
#[cfg(not(unix))]
fn is_executable(_meta: &fs::Metadata) -> bool {
    true
}

/// Runs `command` quietly; whether it could run and succeeded.
fn succeeds(command: &mut Command) -> bool {
    command
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|status| status.success())
}

/// Whether this process runs as root (uid 0).
fn is_root() -> bool {
    let from_proc = fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            status
                .lines()
                .find_map(|line| line.strip_prefix("Uid:"))
                .and_then(|uids| uids.split_whitespace().nth(1).map(|euid| euid == "0"))
        });
    from_proc.unwrap_or_else(|| {
        Command::new("id")
            .arg("-u")
            .output()
            .is_ok_and(|out| out.status.success() && out.stdout.trim_ascii() == b"0")
    })
}

/// Whether libclang is installed: `libclang-dev` per dpkg, `LIBCLANG_PATH`, or a
/// `libclang*.so` under `/usr/lib`.
fn libclang_present() -> bool {
    if env::var_os("LIBCLANG_PATH").is_some_and(|dir| has_libclang(Path::new(&dir))) {
        return true;
    }
    let dpkg = Command::new("dpkg-query")
        .args(["-W", "-f=${Status}", "libclang-dev"])
        .stderr(Stdio::null())
        .output();
    if dpkg.is_ok_and(|out| out.status.success() && out.stdout.ends_with(b"install ok installed")) {
        return true;
    }
    ["/usr/lib", "/usr/lib64", "/usr/local/lib"]
        .into_iter()
        .any(|dir| has_libclang(Path::new(dir)) || subdirs(Path::new(dir)).any(|sub| search(&sub)))
}

/// Looks in `dir` and, for `llvm-*` directories, in their `lib/`.
fn search(dir: &Path) -> bool {
    has_libclang(dir)
        || (dir
            .file_name()
            .is_some_and(|name| name.to_string_lossy().starts_with("llvm-"))
            && has_libclang(&dir.join("lib")))
}

/// The subdirectories of `dir` (none if it cannot be read).
fn subdirs(dir: &Path) -> impl Iterator<Item = std::path::PathBuf> {
    fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|entry| entry.path())
        .filter(|path| path.is_dir())
}

/// Whether `dir` holds a libclang shared library (not `libclang-cpp`).
fn has_libclang(dir: &Path) -> bool {
    fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .any(|entry| {
            let name = entry.file_name();
            let name = name.to_string_lossy();
            name == "libclang.so"
                || name.starts_with("libclang.so.")
                || (name.starts_with("libclang-")
                    && !name.starts_with("libclang-cpp")
                    && name.contains(".so"))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn packages_are_listed_once_in_check_order() {
        let missing: Vec<_> = PREREQUISITES.iter().collect();
        assert_eq!(
            packages(&missing),
            [
                "gcc",
                "libc6-dev",
                "pkg-config",
                "openssl",
                "ca-certificates",
                "cmake",
                "clang",
                "libclang-dev",
                "valgrind",
                "libssl-dev",
                "postgresql",
                "nginx",
                "curl"
            ]
        );
    }
}
