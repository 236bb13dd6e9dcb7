//! A child process with bounded waits: its stdout read line by line as it comes (so a
//! caller can wait for one line with a deadline), its stderr collected, and a kill when
//! a deadline passes. std only: one reader thread per pipe.

use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Child, ChildStdin, Command, ExitStatus, Stdio};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

use crate::workspace::display;

/// A running child.
pub(crate) struct Running {
    /// The command, as a shell line, for messages.
    pub(crate) shown: String,
    /// The process.
    child: Child,
    /// Its stdin, when piped and not closed yet.
    stdin: Option<ChildStdin>,
    /// Stdout lines as they arrive.
    lines: Receiver<String>,
    /// Stdout lines already taken by [`Running::line_until`].
    seen: Vec<String>,
    /// All of stderr, sent once it ends.
    stderr: Receiver<String>,
    /// Whether [`Running::finish`] has reaped the child.
    reaped: bool,
}

/// How long output may trail the child's exit (a grandchild could hold a pipe open).
const OUTPUT_GRACE: Duration = Duration::from_secs(2);

/// How a child ended.
#[derive(Debug)]
pub(crate) struct Finished {
    /// The command, as a shell line.
    pub(crate) shown: String,
    /// The exit status; killed children have the status of the kill.
    pub(crate) status: Option<ExitStatus>,
    /// Whether it was killed because its deadline passed.
    pub(crate) timed_out: bool,
    /// Every stdout line.
    pub(crate) stdout: Vec<String>,
    /// All of stderr.
    pub(crate) stderr: String,
}

impl Finished {
    /// Whether it exited by itself with status 0.
    pub(crate) fn success(&self) -> bool {
        !self.timed_out && self.status.is_some_and(|s| s.success())
    }

    /// How it ended, in words: `exit code 1`, `killed after the 15 s deadline`.
    pub(crate) fn describe(&self) -> String {
        match (self.timed_out, self.status) {
            (true, _) => "killed: still running at its deadline".to_owned(),
            (false, Some(status)) => match status.code() {
                Some(code) => format!("exit code {code}"),
                None => "killed by a signal".to_owned(),
            },
            (false, None) => "status unknown".to_owned(),
        }
    }

    /// The last `n` lines of stderr, for a failure's detail.
    pub(crate) fn stderr_tail(&self, n: usize) -> String {
        let lines: Vec<&str> = self.stderr.lines().collect();
        lines[lines.len().saturating_sub(n)..].join("\n")
    }
}

impl Running {
    /// Starts `command` with stdout and stderr piped; stdin piped if `stdin`, else null.
    pub(crate) fn spawn(command: &mut Command, stdin: bool) -> Result<Running, String> {
        let shown = display(command);
        let mut child = command
            .stdin(if stdin { Stdio::piped() } else { Stdio::null() })
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| format!("cannot run `{shown}`: {e}"))?;
        let stdout = child.stdout.take();
        let stderr = child.stderr.take();
        let (sender, lines) = mpsc::channel();
        if let Some(stdout) = stdout {
            std::thread::spawn(move || {
                for line in BufReader::new(stdout).lines() {
                    let Ok(line) = line else { break };
                    if sender.send(line).is_err() {
                        break;
                    }
                }
            });
        }
        let (stderr_sender, stderr_text) = mpsc::channel();
        if let Some(mut stderr) = stderr {
            std::thread::spawn(move || {
                let mut bytes = Vec::new();
                let _ = stderr.read_to_end(&mut bytes);
                let _ = stderr_sender.send(String::from_utf8_lossy(&bytes).into_owned());
            });
        }
        Ok(Running {
            shown,
            stdin: child.stdin.take(),
            child,
            lines,
            seen: Vec::new(),
            stderr: stderr_text,
            reaped: false,
        })
    }

    /// The first stdout line, from now on, for which `wanted` gives a value, waiting
    /// until `deadline`; `None` if stdout ends or the deadline passes first.
    pub(crate) fn line_until<T>(
        &mut self,
        deadline: Instant,
        mut wanted: impl FnMut(&str) -> Option<T>,
    ) -> Option<T> {
        loop {
            let left = deadline.checked_duration_since(Instant::now())?;
            match self.lines.recv_timeout(left) {
                Ok(line) => {
                    let found = wanted(&line);
                    self.seen.push(line);
                    if found.is_some() {
                        return found;
                    }
                }
                Err(RecvTimeoutError::Timeout | RecvTimeoutError::Disconnected) => return None,
            }
        }
    }

    /// Writes `data` to stdin (if it is piped and still open).
    pub(crate) fn write_stdin(&mut self, data: &[u8]) -> Result<(), String> {
        match self.stdin.as_mut() {
            Some(stdin) => stdin
                .write_all(data)
                .and_then(|()| stdin.flush())
                .map_err(|e| format!("writing to `{}`: {e}", self.shown)),
            None => Err(format!("the stdin of `{}` is not open", self.shown)),
        }
    }

    /// Closes stdin: the child reads end-of-file.
    pub(crate) fn close_stdin(&mut self) {
        self.stdin = None;
    }

    /// Waits for the child to exit until `deadline`, killing it then; collects its
    /// output.
    pub(crate) fn finish(mut self, deadline: Instant) -> Finished {
        self.stdin = None;
        let mut timed_out = false;
        let status = loop {
            match self.child.try_wait() {
                Ok(Some(status)) => break Some(status),
                Ok(None) if Instant::now() >= deadline => {
                    timed_out = true;
                    let _ = self.child.kill();
                    break self.child.wait().ok();
                }
                Ok(None) => std::thread::sleep(Duration::from_millis(10)),
                Err(_) => {
                    let _ = self.child.kill();
                    break self.child.wait().ok();
                }
            }
        };
        self.reaped = true;
        let grace = Instant::now() + OUTPUT_GRACE;
        let mut stdout = std::mem::take(&mut self.seen);
        while let Some(left) = grace.checked_duration_since(Instant::now()) {
            match self.lines.recv_timeout(left) {
                Ok(line) => stdout.push(line),
                Err(_) => break,
            }
        }
        let left = grace
            .checked_duration_since(Instant::now())
            .unwrap_or_default();
        let stderr = self.stderr.recv_timeout(left).unwrap_or_default();
        Finished {
            shown: std::mem::take(&mut self.shown),
            status,
            timed_out,
            stdout,
            stderr,
        }
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        // `finish` was not called (an early return): never leave the child behind.
        if !self.reaped {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_and_deadlines() {
        let mut command = Command::new("sh");
        command.args(["-c", "echo one; echo two; echo err >&2; exec sleep 5"]);
        let mut child = Running::spawn(&mut command, false).unwrap();
        let deadline = Instant::now() + Duration::from_secs(5);
        let found = child.line_until(deadline, |line| (line == "two").then_some(2));
        assert_eq!(found, Some(2));
        let started = Instant::now();
        let finished = child.finish(Instant::now() + Duration::from_millis(200));
        assert!(
            started.elapsed() < Duration::from_secs(4),
            "killed at the deadline"
        );
        assert!(finished.timed_out);
        assert!(!finished.success());
        assert_eq!(finished.stdout, ["one", "two"]);
        assert_eq!(finished.stderr, "err\n");

        let mut command = Command::new("cat");
        let mut cat = Running::spawn(&mut command, true).unwrap();
        cat.write_stdin(b"echoed\n").unwrap();
        let deadline = Instant::now() + Duration::from_secs(5);
        assert_eq!(
            cat.line_until(deadline, |line| Some(line.to_owned())),
            Some("echoed".to_owned())
        );
        cat.close_stdin();
        let finished = cat.finish(Instant::now() + Duration::from_secs(5));
        assert!(finished.success(), "{}", finished.describe());
    }
}
