//! Where the workspace is, which backend crates it has, and how xtask runs commands in it.

use std::fs;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};

use crate::Result;

/// Every backend the project knows, in the order tables and reports list them.
pub(crate) const KNOWN_BACKENDS: [&str; 4] = ["rustls", "openssl", "boring", "native-tls"];

/// The workspace root (the parent of `xtask/`).
pub(crate) fn root() -> PathBuf {
    let manifest_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest_dir.parent().unwrap_or(manifest_dir).to_path_buf()
}

/// The directory of backend `name`'s crate.
pub(crate) fn backend_dir(root: &Path, name: &str) -> PathBuf {
    root.join("backends").join(name)
}

/// The package name of backend `name` (`unitls-native-tls`).
pub(crate) fn backend_package(name: &str) -> String {
    format!("unitls-{name}")
}

/// The known backends whose crate exists (`backends/<name>/Cargo.toml`), in table order.
pub(crate) fn backend_crates(root: &Path) -> Vec<&'static str> {
    KNOWN_BACKENDS
        .into_iter()
        .filter(|name| backend_dir(root, name).join("Cargo.toml").is_file())
        .collect()
}

/// The backend crates that are also workspace members, so `cargo test -p` can run them.
pub(crate) fn member_backends(root: &Path) -> Result<Vec<&'static str>> {
    let manifest_path = root.join("Cargo.toml");
    let manifest = fs::read_to_string(&manifest_path)
        .map_err(|e| format!("cannot read {}: {e}", manifest_path.display()))?;
    let members = workspace_members(&manifest).ok_or_else(|| {
        format!(
            "no `[workspace] members = [...]` in {}",
            manifest_path.display()
        )
    })?;
    Ok(backend_crates(root)
        .into_iter()
        .filter(|name| {
            let path = format!("backends/{name}");
            members.iter().any(|member| member_matches(member, &path))
        })
        .collect())
}

/// The backends a task runs: the member backends named in `wanted` (`--backend`), in
/// that order and once each, or all of them when `wanted` is empty; an unknown name is
/// an error.
pub(crate) fn select_backends(root: &Path, wanted: &[String]) -> Result<Vec<&'static str>> {
    let available = member_backends(root)?;
    if wanted.is_empty() {
        return Ok(available);
    }
    let mut selected = Vec::new();
    for wanted in wanted {
        let found = available.iter().find(|name| **name == wanted.as_str());
        let Some(name) = found else {
            return Err(format!(
                "backend `{wanted}` has no crate in the workspace (available: {})",
                available.join(", ")
            )
            .into());
        };
        if !selected.contains(name) {
            selected.push(*name);
        }
    }
    Ok(selected)
}

/// `path`, taken from the current directory when it is relative.
pub(crate) fn absolute(path: PathBuf) -> Result<PathBuf> {
    if path.is_absolute() {
        return Ok(path);
    }
    let here =
        std::env::current_dir().map_err(|e| format!("cannot read the current directory: {e}"))?;
    Ok(here.join(path))
}

/// The `members` list of the `[workspace]` table of a root manifest.
fn workspace_members(manifest: &str) -> Option<Vec<String>> {
    let mut in_workspace = false;
    let mut list: Option<String> = None;
    for line in manifest.lines() {
        let line = line.split('#').next().unwrap_or("").trim();
        if let Some(collected) = list.as_mut() {
            collected.push_str(line);
        } else if line.starts_with('[') {
            in_workspace = line == "[workspace]";
        } else if in_workspace {
            if let Some(value) = line.strip_prefix("members") {
                if let Some(value) = value.trim_start().strip_prefix('=') {
                    list = Some(value.trim().to_owned());
                }
            }
        }
        if list
            .as_deref()
            .is_some_and(|collected| collected.contains(']'))
        {
            break;
        }
    }
    let list = list?;
    let inner = list.trim().strip_prefix('[')?.split(']').next()?;
    Some(
        inner
            .split(',')
            .map(|item| {
                item.trim()
                    .trim_matches(|c| c == '"' || c == '\'')
                    .to_owned()
            })
            .filter(|item| !item.is_empty())
            .collect(),
    )
}

/// Whether a `members` entry (a path or a `dir/*` glob) names `path`.
fn member_matches(member: &str, path: &str) -> bool {
    let member = member.trim_start_matches("./").trim_end_matches('/');
    match member.strip_suffix("/*") {
        Some(parent) => path
            .strip_prefix(parent)
            .and_then(|rest| rest.strip_prefix('/'))
            .is_some_and(|rest| !rest.is_empty() && !rest.contains('/')),
        None => member == path,
    }
}

/// A `cargo` command run in the workspace root (the `cargo` that runs xtask, if known).
pub(crate) fn cargo(root: &Path) -> Command {
    let program = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut command = Command::new(program);
    command.current_dir(root);
    command
}

/// How a command reads when printed: the program's file name, then the arguments.
pub(crate) fn display(command: &Command) -> String {
    let program = Path::new(command.get_program());
    let mut line = program
        .file_name()
        .unwrap_or(program.as_os_str())
        .to_string_lossy()
        .into_owned();
    for arg in command.get_args() {
        let arg = arg.to_string_lossy();
        line.push(' ');
        if arg.is_empty() || arg.contains(|c: char| c.is_whitespace() || c == '"' || c == '\'') {
            line.push_str(&format!("'{}'", arg.replace('\'', r"'\''")));
        } else {
            line.push_str(&arg);
        }
    }
    line
}

/// Prints `$ command`, runs it with inherited stdio, and fails if it does not succeed.
pub(crate) fn run_shown(command: &mut Command) -> Result<()> {
    let shown = display(command);
    println!("$ {shown}");
    let status = command
        .status()
        .map_err(|e| format!("cannot run `{shown}`: {e}"))?;
    check_status(&shown, status)
}

/// Spawns `command` (`shown` in errors) with stdin closed and stdout piped, hands
/// `each` every line of its output as it comes, and waits: its exit status.
pub(crate) fn each_stdout_line(
    command: &mut Command,
    shown: &str,
    mut each: impl FnMut(String),
) -> Result<ExitStatus> {
    let mut child = command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot run `{shown}`: {e}"))?;
    let stdout = child
        .stdout
        .take()
        .ok_or("the child's stdout is not piped")?;
    for line in BufReader::new(stdout).lines() {
        let line = line.map_err(|e| format!("reading the output of `{shown}`: {e}"))?;
        each(line);
    }
    let status = child
        .wait()
        .map_err(|e| format!("waiting for `{shown}`: {e}"))?;
    Ok(status)
}

/// Runs a cargo build `command` (`shown` in errors) that asks for
/// `--message-format=json-render-diagnostics` (the diagnostics still reach the
/// terminal) and returns the executable it reported for target `target`; fails if the
/// build fails or reports none.
pub(crate) fn built_executable(
    command: &mut Command,
    shown: &str,
    target: &str,
) -> Result<PathBuf> {
    let mut executable = None;
    let status = each_stdout_line(command, shown, |line| {
        if let Some(path) = artifact_executable(&line, target) {
            executable = Some(path);
        }
    })?;
    check_status(shown, status)?;
    executable.ok_or_else(|| format!("`{shown}` reported no {target} executable").into())
}

/// The executable of target `target` if `line` is cargo's JSON message of its artifact.
pub(crate) fn artifact_executable(line: &str, target: &str) -> Option<PathBuf> {
    let message: serde_json::Value = serde_json::from_str(line).ok()?;
    if message.get("reason")?.as_str()? != "compiler-artifact" {
        return None;
    }
    if message.get("target")?.get("name")?.as_str()? != target {
        return None;
    }
    message.get("executable")?.as_str().map(PathBuf::from)
}

/// Turns an unsuccessful exit status into an error naming the command.
pub(crate) fn check_status(shown: &str, status: ExitStatus) -> Result<()> {
    if status.success() {
        Ok(())
    } else {
        Err(format!("`{shown}` failed ({status})").into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn members_are_read_from_the_workspace_table() {
        let manifest = r#"
[workspace]
resolver = "2"
members = [
    "core",   # the core
    "backends/rustls",
    'conformance',
]
exclude = ["examples/x"]

[package]
members = ["not-this"]
"#;
        assert_eq!(
            workspace_members(manifest).unwrap(),
            ["core", "backends/rustls", "conformance"]
        );
        let one_line = "[workspace]\nmembers = [\"core\", \"xtask\"]\n";
        assert_eq!(workspace_members(one_line).unwrap(), ["core", "xtask"]);
        assert_eq!(workspace_members("[package]\nname = \"x\"\n"), None);
    }

    #[test]
    fn member_globs() {
        assert!(member_matches("backends/rustls", "backends/rustls"));
        assert!(member_matches("./backends/rustls/", "backends/rustls"));
        assert!(member_matches("backends/*", "backends/openssl"));
        assert!(!member_matches("backends/*", "core"));
        assert!(!member_matches("backends/rustls", "backends/openssl"));
    }

    #[test]
    fn the_executable_is_found_in_cargo_messages() {
        let line = r#"{"reason":"compiler-artifact","package_id":"path+file:///w/peer#unitls-peer@0.1.0","target":{"kind":["bin"],"name":"unitls-peer","src_path":"/w/peer/src/main.rs"},"filenames":["/w/target/debug/unitls-peer"],"executable":"/w/target/debug/unitls-peer","fresh":true}"#;
        assert_eq!(
            artifact_executable(line, "unitls-peer"),
            Some(PathBuf::from("/w/target/debug/unitls-peer"))
        );
        let lib = r#"{"reason":"compiler-artifact","target":{"name":"unitls"},"executable":null}"#;
        assert_eq!(artifact_executable(lib, "unitls"), None);
        assert_eq!(artifact_executable(line, "compare"), None);
        assert_eq!(artifact_executable("not json", "unitls-peer"), None);
    }

    #[test]
    fn backends_are_selected_once_each_or_all() {
        let root = root();
        let all = member_backends(&root).unwrap();
        assert_eq!(select_backends(&root, &[]).unwrap(), all);
        let twice = ["rustls".to_owned(), "rustls".to_owned()];
        assert_eq!(select_backends(&root, &twice).unwrap(), ["rustls"]);
        let unknown = select_backends(&root, &["nope".to_owned()]).unwrap_err();
        assert!(unknown
            .to_string()
            .starts_with("backend `nope` has no crate"));
    }

    #[test]
    fn commands_display_like_a_shell_line() {
        let mut command = Command::new("/usr/bin/cargo");
        command.args(["test", "-p", "unitls-rustls", "--", "a b"]);
        assert_eq!(display(&command), "cargo test -p unitls-rustls -- 'a b'");
    }
}
