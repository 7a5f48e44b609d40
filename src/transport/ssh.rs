//! `ssh://` endpoints, reached as the docker CLI reaches them: the system `ssh` runs
//! `docker system dial-stdio` on the remote host, and HTTP goes over its stdin and stdout.
//!
//! - Arguments as the CLI (28.3.3 and later) gives them: `[-l user] [-p port] -o
//!   ConnectTimeout=30 -T -- host 'docker system dial-stdio'` (`docker
//!   '--host=unix:///path' system dial-stdio` when the URL has a socket path), the remote
//!   command quoted for the remote shell. The user's ssh config, agent and known hosts apply as
//!   usual; nothing weakens host-key checking.
//! - ssh runs in a session of its own (no terminal to prompt on, as the CLI's `Setsid`) and,
//!   on Linux, dies with the process that started it.
//! - One ssh process per connection: its stdin and stdout are one end of a socket pair, so the
//!   library's side is an ordinary Unix socket (time limits, cancel, zero-copy saves all work
//!   as for `unix://`). Closing the connection ends the process (SIGTERM, SIGKILL if it
//!   lingers) and reaps it: no zombie, no descriptor left.
//! - When ssh fails (unknown host key, refused login, no `docker` remotely), the connection
//!   ends early and the error carries ssh's exit status and the end of its stderr (bounded).

use std::io::{self, Read};
use std::os::fd::{AsRawFd, OwnedFd};
use std::os::unix::net::UnixStream;
use std::os::unix::process::CommandExt;
use std::process::{Child, ChildStderr, Command, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How much of ssh's stderr an error quotes (its end: the last lines say why).
const STDERR_KEPT: usize = 4096;
/// How long a failed connection waits for ssh to exit before calling the end a plain EOF.
const EXIT_WAIT: Duration = Duration::from_secs(2);
/// How long a closed connection's ssh gets after SIGTERM before SIGKILL.
const TERM_GRACE: Duration = Duration::from_secs(3);

/// Starts one ssh process for every connection ureq asks for (the request URL's host is a
/// placeholder, as for Unix sockets).
#[derive(Debug)]
pub struct SshConnector {
    target: SshTarget,
}

impl SshConnector {
    pub fn new(target: SshTarget) -> SshConnector {
        SshConnector { target }
    }
}

impl ureq::unversioned::transport::Connector<()> for SshConnector {
    type Out = super::socket_transport::SocketTransport;

    fn connect(
        &self,
        details: &ureq::unversioned::transport::ConnectionDetails,
        _chained: Option<()>,
    ) -> Result<Option<Self::Out>, ureq::Error> {
        let socket = super::socket::Socket::connect_ssh(&self.target)?;
        super::socket_transport::SocketTransport::new(socket, details.config, &*details.register_shutdown).map(Some)
    }
}

/// An `ssh://` endpoint's parts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SshTarget {
    pub user: Option<String>,
    pub host: String,
    pub port: Option<u16>,
    /// The daemon's socket on the remote host (`ssh://host/var/run/docker.sock`), when given.
    pub socket_path: Option<String>,
}

impl SshTarget {
    /// `ssh://[user@]host[:port][/path]` as error messages name it.
    pub fn text(&self) -> String {
        let user = self.user.as_ref().map(|u| format!("{u}@")).unwrap_or_default();
        let host = if self.host.contains(':') { format!("[{}]", self.host) } else { self.host.clone() };
        let port = self.port.map(|p| format!(":{p}")).unwrap_or_default();
        format!("ssh://{user}{host}{port}{}", self.socket_path.as_deref().unwrap_or(""))
    }

    /// The arguments given to `ssh`.
    pub fn args(&self) -> Vec<String> {
        let mut args = Vec::new();
        if let Some(u) = &self.user {
            args.extend(["-l".to_string(), u.clone()]);
        }
        if let Some(p) = self.port {
            args.extend(["-p".to_string(), p.to_string()]);
        }
        args.extend(["-o".to_string(), "ConnectTimeout=30".to_string(), "-T".to_string(), "--".to_string()]);
        args.push(self.host.clone());
        let remote = match &self.socket_path {
            Some(path) => format!("docker {} system dial-stdio", shell_quote(&format!("--host=unix://{path}"))),
            None => "docker system dial-stdio".to_string(),
        };
        args.push(remote);
        args
    }

    /// Starts `ssh` and returns the library's end of its stdin/stdout, with the process.
    pub fn connect(&self) -> io::Result<(UnixStream, SshProcess)> {
        let (ours, theirs) = UnixStream::pair()?;
        crate::platform::socket::prepare(ours.as_raw_fd())?;
        let theirs_out = theirs.try_clone()?;
        let mut cmd = Command::new("ssh");
        cmd.args(self.args())
            .stdin(Stdio::from(OwnedFd::from(theirs)))
            .stdout(Stdio::from(OwnedFd::from(theirs_out)))
            .stderr(Stdio::piped());
        // SAFETY: only async-signal-safe calls between fork and exec.
        unsafe {
            cmd.pre_exec(|| {
                // No controlling terminal: ssh cannot stop the program to prompt (the CLI's
                // Setsid). Failure (already a session leader) is harmless.
                libc::setsid();
                #[cfg(target_os = "linux")]
                libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL as libc::c_ulong, 0, 0, 0);
                Ok(())
            });
        }
        let mut child = cmd.spawn().map_err(|e| {
            io::Error::new(e.kind(), format!("cannot run ssh for {}: {e}", self.text()))
        })?;
        let stderr = child.stderr.take();
        if let Some(s) = &stderr {
            set_nonblocking(s.as_raw_fd());
        }
        Ok((ours, SshProcess { child: Mutex::new(child), stderr: Mutex::new(stderr), target: self.text() }))
    }
}

/// The `ssh` process behind one connection; ended and reaped when dropped.
#[derive(Debug)]
pub struct SshProcess {
    child: Mutex<Child>,
    stderr: Mutex<Option<ChildStderr>>,
    target: String,
}

impl SshProcess {
    /// Why the connection ended, when ssh failed: its exit status and the end of its stderr.
    /// `None` while ssh runs on (or exited 0): the end was the daemon's.
    pub fn failure(&self) -> Option<String> {
        let deadline = Instant::now() + EXIT_WAIT;
        let status = loop {
            let mut child = self.child.lock().unwrap_or_else(|p| p.into_inner());
            match child.try_wait() {
                Ok(Some(status)) => break status,
                Ok(None) if Instant::now() < deadline => {
                    drop(child);
                    std::thread::sleep(Duration::from_millis(10));
                }
                _ => return None,
            }
        };
        if status.success() {
            return None;
        }
        let said = self.stderr_tail();
        let said = said.trim();
        Some(format!(
            "ssh to {} {status}, make sure the host is reachable, its key known and docker installed there{}",
            self.target,
            if said.is_empty() { String::new() } else { format!(": {said}") }
        ))
    }

    /// The last [`STDERR_KEPT`] bytes ssh wrote to its stderr (what is there now).
    fn stderr_tail(&self) -> String {
        let mut guard = self.stderr.lock().unwrap_or_else(|p| p.into_inner());
        let Some(stderr) = guard.as_mut() else { return String::new() };
        let mut kept: Vec<u8> = Vec::new();
        let mut buf = [0u8; 4096];
        loop {
            match stderr.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => {
                    kept.extend_from_slice(&buf[..n]);
                    if kept.len() > STDERR_KEPT {
                        kept.drain(..kept.len() - STDERR_KEPT);
                    }
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(_) => break,
            }
        }
        String::from_utf8_lossy(&kept).into_owned()
    }
}

impl Drop for SshProcess {
    fn drop(&mut self) {
        let child = self.child.get_mut().unwrap_or_else(|p| p.into_inner());
        if let Ok(Some(_)) = child.try_wait() {
            return;
        }
        // The connection is closed: ask ssh to go, then make it.
        // SAFETY: signalling our own child, which has not been reaped (try_wait said so).
        unsafe { libc::kill(child.id() as libc::pid_t, libc::SIGTERM) };
        let deadline = Instant::now() + TERM_GRACE;
        while Instant::now() < deadline {
            match child.try_wait() {
                Ok(Some(_)) | Err(_) => return,
                Ok(None) => std::thread::sleep(Duration::from_millis(5)),
            }
        }
        let _ = child.kill();
        let _ = child.wait();
    }
}

fn set_nonblocking(fd: i32) {
    // SAFETY: fcntl on a descriptor we own.
    unsafe {
        let flags = libc::fcntl(fd, libc::F_GETFL);
        if flags >= 0 {
            libc::fcntl(fd, libc::F_SETFL, flags | libc::O_NONBLOCK);
        }
    }
}

/// Quotes `s` for a POSIX shell when it holds anything the shell would interpret.
pub fn shell_quote(s: &str) -> String {
    let plain = !s.is_empty()
        && s.bytes().all(|b| b.is_ascii_alphanumeric() || b"-_./:=@%+,".contains(&b));
    if plain {
        // `=` is safe inside a word that does not start a command.
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', "'\\''"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn target(user: Option<&str>, host: &str, port: Option<u16>, path: Option<&str>) -> SshTarget {
        SshTarget { user: user.map(String::from), host: host.into(), port, socket_path: path.map(String::from) }
    }

    #[test]
    fn arguments_are_the_clis() {
        assert_eq!(
            target(Some("me"), "h", Some(2222), None).args(),
            ["-l", "me", "-p", "2222", "-o", "ConnectTimeout=30", "-T", "--", "h", "docker system dial-stdio"]
        );
        assert_eq!(target(None, "h", None, None).args(), ["-o", "ConnectTimeout=30", "-T", "--", "h", "docker system dial-stdio"]);
        let a = target(None, "h", None, Some("/run/my docker.sock")).args();
        assert_eq!(a.last().unwrap(), "docker '--host=unix:///run/my docker.sock' system dial-stdio");
        let a = target(None, "h", None, Some("/x;rm -rf /")).args();
        assert_eq!(a.last().unwrap(), "docker '--host=unix:///x;rm -rf /' system dial-stdio");
    }

    #[test]
    fn quoting_leaves_nothing_to_the_shell() {
        assert_eq!(shell_quote("abc/def"), "abc/def");
        assert_eq!(shell_quote("it's"), "'it'\\''s'");
        assert_eq!(shell_quote("$(x)"), "'$(x)'");
        assert_eq!(shell_quote(""), "''");
    }

    #[test]
    fn text_names_the_target() {
        assert_eq!(target(Some("u"), "::1", Some(22), None).text(), "ssh://u@[::1]:22");
        assert_eq!(target(None, "h", None, Some("/s.sock")).text(), "ssh://h/s.sock");
    }
}
