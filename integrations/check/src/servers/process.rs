//! What starting and stopping a server needs: a free loopback port, the program's
//! path, the unprivileged user a server must run as when we are root, a bounded wait
//! for the port, and a stop by the server's own PID.

use std::io;
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use rustix::process::{kill_process, Pid, Signal};

/// A port on 127.0.0.1 that nothing listens on now (the kernel's pick).
pub(crate) fn free_port() -> io::Result<u16> {
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))?;
    Ok(listener.local_addr()?.port())
}

/// `program` on `PATH`, else in the first of `also` that has it.
pub(crate) fn find_program(program: &str, also: &[PathBuf]) -> Option<PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .chain(also.iter().cloned())
        .map(|dir| dir.join(program))
        .find(|candidate| candidate.is_file())
}

/// The first line a program prints about its version (on stdout or stderr), e.g.
/// `nginx version: nginx/1.22.1`; `unknown` when it prints none.
pub(crate) fn version_line(program: &Path, flag: &str) -> String {
    let Ok(output) = Command::new(program).arg(flag).output() else {
        return "unknown".to_string();
    };
    let mut text = String::from_utf8_lossy(&output.stdout).into_owned();
    text.push_str(&String::from_utf8_lossy(&output.stderr));
    text.lines()
        .next()
        .map_or_else(|| "unknown".to_string(), |line| line.trim().to_string())
}

/// The user and group a server must run as: the named system user when this process
/// is root (PostgreSQL refuses to run as root), else none (ourselves).
#[derive(Debug, Clone, Copy)]
pub(crate) struct RunAs {
    /// User id.
    pub(crate) uid: u32,
    /// Group id.
    pub(crate) gid: u32,
}

/// `Some(user)` when we run as root, `None` otherwise; an error when we are root and
/// `user` does not exist.
pub(crate) fn run_as_when_root(user: &str) -> Result<Option<RunAs>, String> {
    if !rustix::process::geteuid().is_root() {
        return Ok(None);
    }
    let passwd = std::fs::read_to_string("/etc/passwd")
        .map_err(|e| format!("cannot read /etc/passwd to find user {user}: {e}"))?;
    passwd
        .lines()
        .map(|line| line.split(':').collect::<Vec<_>>())
        .find(|fields| fields.len() > 3 && fields[0] == user)
        .and_then(|fields| {
            Some(RunAs {
                uid: fields[2].parse().ok()?,
                gid: fields[3].parse().ok()?,
            })
        })
        .map(Some)
        .ok_or_else(|| {
            format!("running as root, and there is no user {user:?} to run the server as")
        })
}

/// A fresh directory for one server under the system temp dir, owned by `owner`.
pub(crate) fn server_dir(name: &str, owner: Option<RunAs>) -> Result<PathBuf, String> {
    static COUNTER: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let dir = std::env::temp_dir().join(format!("unitls-{name}-{}-{n}", std::process::id()));
    // A directory left by an earlier process that had our PID.
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    give(&dir, owner)?;
    Ok(dir)
}

/// Makes `owner` (when given) the owner of `path`.
pub(crate) fn give(path: &Path, owner: Option<RunAs>) -> Result<(), String> {
    if let Some(owner) = owner {
        std::os::unix::fs::chown(path, Some(owner.uid), Some(owner.gid))
            .map_err(|e| format!("cannot give {} to uid {}: {e}", path.display(), owner.uid))?;
    }
    Ok(())
}

/// Writes `contents` to `path` with `mode`, owned by `owner`.
pub(crate) fn write_file(
    path: &Path,
    contents: &[u8],
    mode: u32,
    owner: Option<RunAs>,
) -> Result<(), String> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::write(path, contents).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))
        .map_err(|e| format!("cannot chmod {}: {e}", path.display()))?;
    give(path, owner)
}

/// A command that runs as `run_as` when given, with its output appended to `log`.
pub(crate) fn command(
    program: &Path,
    run_as: Option<RunAs>,
    log: &Path,
) -> Result<Command, String> {
    use std::os::unix::process::CommandExt;
    let open = || {
        std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(log)
            .map_err(|e| format!("cannot open {}: {e}", log.display()))
    };
    let mut command = Command::new(program);
    command.stdin(Stdio::null()).stdout(open()?).stderr(open()?);
    if let Some(user) = run_as {
        command.uid(user.uid).gid(user.gid);
    }
    Ok(command)
}

/// The last lines of a log, for an error message.
pub(crate) fn tail(log: &Path) -> String {
    let text = std::fs::read_to_string(log).unwrap_or_default();
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(8)..].join("\n")
}

/// Waits until `port` on 127.0.0.1 accepts connections and `ready()` says so, at most
/// `limit`; fails early when the server exits.
pub(crate) fn wait_until_ready(
    child: &mut Child,
    port: u16,
    limit: Duration,
    mut ready: impl FnMut() -> bool,
) -> Result<(), String> {
    let started = Instant::now();
    let address = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
    while started.elapsed() < limit {
        if let Ok(Some(status)) = child.try_wait() {
            return Err(format!("it exited before it was ready ({status})"));
        }
        if ready() && TcpStream::connect_timeout(&address, Duration::from_millis(200)).is_ok() {
            return Ok(());
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    Err(format!("not ready on port {port} within {limit:?}"))
}

/// Stops `child` by its own PID: `signal` (the server's clean shutdown), then a kill
/// if it is still there after `grace`; waits for it so it leaves no zombie.
pub(crate) fn stop(child: &mut Child, signal: Signal, grace: Duration) {
    if let Ok(Some(_)) = child.try_wait() {
        return;
    }
    if let Some(pid) = i32::try_from(child.id()).ok().and_then(Pid::from_raw) {
        let _ = kill_process(pid, signal);
    }
    let started = Instant::now();
    while started.elapsed() < grace {
        if let Ok(Some(_)) = child.try_wait() {
            return;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let _ = child.kill();
    let _ = child.wait();
}
