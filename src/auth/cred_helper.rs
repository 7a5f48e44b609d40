//! Running `docker-credential-<name>` programs (the credential-helper protocol).
//!
//! `get`: the server address on stdin, `{"ServerURL","Username","Secret"}` on stdout; a
//! `Username` of `<token>` means `Secret` is an identity token, not a password. `list`: `{server
//! URL: user name}`. A helper that is not installed, or that answers "credentials not found in
//! native keychain", simply has no credentials (the CLI then carries on without). Any other
//! failure is an error naming the helper and its exit status, but never quoting its output,
//! which may contain secrets.
//!
//! The helper is looked up on `PATH` by this module (only absolute directories, as Go's
//! `exec.LookPath` refuses the current directory); a search path can be passed instead, so tests
//! do not need to change the process environment. Its stderr is captured and dropped: a library
//! must not write to its caller's terminal. There is no timeout, as in the CLI.

use std::collections::BTreeMap;
use std::ffi::{OsStr, OsString};
use std::io::{Read, Write};
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use serde::Deserialize;

use crate::auth::config::AuthConfig;
use crate::error::{Error, Result, Status};

/// Prefix of every credential helper program.
pub const PROGRAM_PREFIX: &str = "docker-credential-";
/// The user name a helper returns when the secret is an identity token.
pub const TOKEN_USERNAME: &str = "<token>";
/// What helpers print (and exit non-zero with) when they hold nothing for a server.
pub const NOT_FOUND_MESSAGE: &str = "credentials not found in native keychain";

/// One credential helper, e.g. `desktop` for `docker-credential-desktop`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CredHelper {
    name: String,
    search_path: Option<OsString>,
    timeout: Duration,
}

#[derive(Deserialize)]
struct GetAnswer {
    #[serde(rename = "Username", default)]
    username: String,
    #[serde(rename = "Secret", default)]
    secret: String,
}

impl CredHelper {
    /// A helper by name; `search_path` is a `PATH`-style list (`None`: the process's `PATH`).
    /// The name comes from the user's config file; one with a path separator or NUL is refused
    /// so it cannot point outside the search path.
    pub fn new(name: &str, search_path: Option<&OsStr>) -> Result<CredHelper> {
        if name.is_empty() || name.contains(['/', '\\', '\0']) {
            return Err(Error::invalid(format!(
                "invalid credential helper name \"{}\" in docker config",
                name.escape_debug()
            )));
        }
        Ok(CredHelper {
            name: name.to_string(),
            search_path: search_path.map(OsStr::to_os_string),
            timeout: HELPER_TIMEOUT,
        })
    }

    /// Changes how long the helper may take before it is killed (default 60 s).
    pub fn with_timeout(mut self, timeout: Duration) -> CredHelper {
        self.timeout = timeout;
        self
    }

    /// The helper's name as configured (`desktop`).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The program name (`docker-credential-desktop`).
    pub fn program(&self) -> String {
        format!("{PROGRAM_PREFIX}{}", self.name)
    }

    /// The helper's executable, if one is on the search path.
    pub fn find(&self) -> Option<PathBuf> {
        let path = match &self.search_path {
            Some(p) => p.clone(),
            None => std::env::var_os("PATH")?,
        };
        let program = self.program();
        std::env::split_paths(&path)
            .filter(|dir| dir.is_absolute())
            .map(|dir| dir.join(&program))
            .find(|p| is_executable(p))
    }

    /// Credentials for `server_address`; `Ok(None)` when the helper is not installed or holds
    /// none. The result's `serveraddress` is `server_address`.
    pub fn get(&self, server_address: &str) -> Result<Option<AuthConfig>> {
        let Some(out) = self.run("get", server_address)? else {
            return Ok(None);
        };
        if !out.status.success() {
            return if is_not_found(&out) {
                Ok(None)
            } else {
                Err(self.failed("get", &out))
            };
        }
        parse_get_answer(server_address, &out.stdout).ok_or_else(|| self.bad_answer("get"))
    }

    /// Every server the helper holds credentials for, with its user name; empty when the helper
    /// is not installed.
    pub fn list(&self) -> Result<BTreeMap<String, String>> {
        // The protocol sends a placeholder on stdin for `list`.
        let Some(out) = self.run("list", "unused")? else {
            return Ok(BTreeMap::new());
        };
        if !out.status.success() {
            return if is_not_found(&out) {
                Ok(BTreeMap::new())
            } else {
                Err(self.failed("list", &out))
            };
        }
        parse_list_answer(&out.stdout).ok_or_else(|| self.bad_answer("list"))
    }

    /// Stores a secret for `server_address` (`store`; an identity token goes with the user name
    /// `<token>`, as the CLI stores it). Not installed is an error: the caller chose it.
    pub fn store(&self, server_address: &str, username: &str, secret: &str) -> Result<()> {
        let input = serde_json::json!({"ServerURL": server_address, "Username": username, "Secret": secret}).to_string();
        let Some(out) = self.run("store", &input)? else {
            return Err(self.error(format!("credential helper {} is not installed", self.program())));
        };
        if !out.status.success() {
            return Err(self.failed("store", &out));
        }
        Ok(())
    }

    /// Erases what the helper holds for `server_address`; false when it held nothing (or is
    /// not installed).
    pub fn erase(&self, server_address: &str) -> Result<bool> {
        let Some(out) = self.run("erase", server_address)? else {
            return Ok(false);
        };
        if !out.status.success() {
            return if is_not_found(&out) { Ok(false) } else { Err(self.failed("erase", &out)) };
        }
        Ok(true)
    }

    /// Runs the helper with `action`, writing `input` to its stdin; `None` if not installed.
    fn run(&self, action: &str, input: &str) -> Result<Option<Output>> {
        let Some(exe) = self.find() else {
            return Ok(None);
        };
        let mut attempts = 0;
        let mut child = loop {
            let spawned = Command::new(&exe)
                .arg(action)
                .stdin(Stdio::piped())
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn();
            match spawned {
                Ok(c) => break c,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
                // A file just written (by an installer, or a test) can be briefly busy.
                Err(e) if e.kind() == std::io::ErrorKind::ExecutableFileBusy && attempts < 20 => {
                    attempts += 1;
                    std::thread::sleep(std::time::Duration::from_millis(10));
                }
                Err(e) => {
                    return Err(self.error(format!("cannot run {}: {e}", self.program())));
                }
            }
        };
        if let Some(stdin) = child.stdin.take() {
            feed_stdin(stdin, input.to_string());
        }
        let stdout = child.stdout.take().map(|r| read_bounded(r, MAX_HELPER_STDOUT));
        let stderr = child.stderr.take().map(|r| read_bounded(r, MAX_HELPER_STDERR));
        let started = Instant::now();
        let mut pause = Duration::from_millis(1);
        let status = loop {
            match child.try_wait() {
                Ok(Some(status)) => break status,
                Ok(None) if started.elapsed() >= self.timeout => {
                    let _ = child.kill();
                    let _ = child.wait();
                    return Err(self.error(format!(
                        "credential helper {} {action} did not answer within {} ms",
                        self.program(),
                        self.timeout.as_millis()
                    )));
                }
                Ok(None) => {
                    std::thread::sleep(pause);
                    pause = (pause * 2).min(Duration::from_millis(50));
                }
                Err(e) => {
                    return Err(self.error(format!("waiting for {} failed: {e}", self.program())));
                }
            }
        };
        let join = |h: Option<std::thread::JoinHandle<Vec<u8>>>| h.and_then(|h| h.join().ok()).unwrap_or_default();
        Ok(Some(Output { status, stdout: join(stdout), stderr: join(stderr) }))
    }

    fn error(&self, message: String) -> Error {
        Error::new(Status::Unauthorized, message)
    }

    /// The helper failed: name it and its exit status, never its output.
    fn failed(&self, action: &str, out: &Output) -> Error {
        self.error(format!(
            "credential helper {} {action} failed ({})",
            self.program(),
            out.status
        ))
    }

    fn bad_answer(&self, action: &str) -> Error {
        self.error(format!(
            "credential helper {} {action} returned an answer that is not the expected JSON",
            self.program()
        ))
    }
}

/// A `get` answer read: `None` when it is not the protocol's JSON, `Some(None)` when it holds
/// no credentials.
pub fn parse_get_answer(server_address: &str, stdout: &[u8]) -> Option<Option<AuthConfig>> {
    let answer: GetAnswer = serde_json::from_slice(stdout).ok()?;
    if answer.username.is_empty() && answer.secret.is_empty() {
        return Some(None);
    }
    let mut ac = AuthConfig { serveraddress: Some(server_address.to_string()), ..Default::default() };
    if answer.username == TOKEN_USERNAME {
        ac.identitytoken = Some(answer.secret);
    } else {
        ac.username = Some(answer.username);
        ac.password = Some(answer.secret);
    }
    Some(Some(ac))
}

/// A `list` answer read (server -> user name); `None` when it is not the protocol's JSON.
pub fn parse_list_answer(stdout: &[u8]) -> Option<BTreeMap<String, String>> {
    serde_json::from_slice(stdout).ok()
}

/// How long a helper may take: a keychain prompt can be slow, a hung helper must not hang the
/// pull or build that asked it.
const HELPER_TIMEOUT: Duration = Duration::from_secs(60);
/// The answer is a small JSON document; anything beyond this is drained, not kept.
const MAX_HELPER_STDOUT: u64 = 1024 * 1024;
const MAX_HELPER_STDERR: u64 = 64 * 1024;

/// Writes the helper's input on a thread of its own with SIGPIPE blocked: a helper that exits
/// without reading (as `list` helpers may) must give EPIPE, not kill a C host process whose
/// SIGPIPE is at its default action. A thread-directed SIGPIPE left pending dies with the thread.
fn feed_stdin(mut stdin: std::process::ChildStdin, input: String) {
    std::thread::spawn(move || {
        crate::platform::block_sigpipe_on_this_thread();
        // The exit status tells whether the helper was happy; a write error says nothing more.
        let _ = stdin.write_all(input.as_bytes());
    });
}

/// Reads at most `cap` bytes of a helper's output on a thread, draining (not keeping) the rest.
fn read_bounded<R: Read + Send + 'static>(r: R, cap: u64) -> std::thread::JoinHandle<Vec<u8>> {
    std::thread::spawn(move || {
        let mut kept = Vec::new();
        let mut limited = r.take(cap);
        let _ = limited.read_to_end(&mut kept);
        let _ = std::io::copy(&mut limited.into_inner(), &mut std::io::sink());
        kept
    })
}

fn is_not_found(out: &Output) -> bool {
    [&out.stdout, &out.stderr]
        .iter()
        .any(|b| String::from_utf8_lossy(b).trim() == NOT_FOUND_MESSAGE)
}

#[cfg(unix)]
fn is_executable(p: &std::path::Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(p).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

#[cfg(not(unix))]
fn is_executable(p: &std::path::Path) -> bool {
    p.is_file()
}

#[cfg(all(test, unix))]
pub(crate) mod tests {
    use super::*;
    use crate::testutil::TempDir;

    /// A fake helper: answers from the server address it reads, logs its arguments and input.
    pub(crate) const FAKE_HELPER: &str = r#"#!/bin/sh
dir=$(dirname "$0")
read -r server || true
echo "$1 $server" >> "$dir/calls.log"
case "$1" in
  list)
    printf '{"https://index.docker.io/v1/":"hubuser","tok.example":"<token>"}'
    exit 0 ;;
esac
case "$server" in
  https://index.docker.io/v1/) printf '{"ServerURL":"%s","Username":"hubuser","Secret":"hubpass"}' "$server" ;;
  tok.example) printf '{"ServerURL":"%s","Username":"<token>","Secret":"idtoken-xyz"}' "$server" ;;
  broken.example) printf 'leaked-secret-in-output'; exit 3 ;;
  garbage.example) printf 'leaked-secret not json' ;;
  empty.example) printf '{"ServerURL":"%s","Username":"","Secret":""}' "$server" ;;
  *) printf 'credentials not found in native keychain\n'; exit 1 ;;
esac
"#;

    #[test]
    fn a_hung_helper_is_killed_and_reported() {
        let d = TempDir::new("hung");
        d.write_script("docker-credential-hung", "#!/bin/sh\nexec sleep 600\n");
        let h = CredHelper::new("hung", Some(d.path().as_os_str()))
            .unwrap()
            .with_timeout(Duration::from_millis(200));
        let e = h.get("127.0.0.1:5000").unwrap_err();
        assert!(e.message.contains("did not answer"), "{}", e.message);
    }

    #[test]
    fn a_helper_that_ignores_its_input_is_no_problem() {
        let d = TempDir::new("deaf");
        d.write_script("docker-credential-deaf", "#!/bin/sh\nexec 0<&-\nprintf '{}'\n");
        let h = CredHelper::new("deaf", Some(d.path().as_os_str())).unwrap();
        assert!(h.list().unwrap().is_empty());
    }

    fn setup() -> (TempDir, CredHelper) {
        let d = TempDir::new("helper");
        d.write_script("docker-credential-test", FAKE_HELPER);
        let h = CredHelper::new("test", Some(d.path().as_os_str())).unwrap();
        (d, h)
    }

    #[test]
    fn get_password() {
        let (_d, h) = setup();
        let ac = h.get("https://index.docker.io/v1/").unwrap().unwrap();
        assert_eq!(ac.username.as_deref(), Some("hubuser"));
        assert_eq!(ac.password.as_deref(), Some("hubpass"));
        assert_eq!(ac.identitytoken, None);
        assert_eq!(
            ac.serveraddress.as_deref(),
            Some("https://index.docker.io/v1/")
        );
    }

    #[test]
    fn token_username_means_identity_token() {
        let (_d, h) = setup();
        let ac = h.get("tok.example").unwrap().unwrap();
        assert_eq!(ac.identitytoken.as_deref(), Some("idtoken-xyz"));
        assert_eq!(ac.username, None);
        assert_eq!(ac.password, None);
    }

    #[test]
    fn not_found_answers_are_none() {
        let (_d, h) = setup();
        assert_eq!(h.get("other.example").unwrap(), None);
        assert_eq!(h.get("empty.example").unwrap(), None);
    }

    #[test]
    fn missing_helper_is_none() {
        let d = TempDir::new("nohelper");
        let h = CredHelper::new("absent", Some(d.path().as_os_str())).unwrap();
        assert_eq!(h.find(), None);
        assert_eq!(h.get("x").unwrap(), None);
        assert!(h.list().unwrap().is_empty());
        // A non-executable file is not a helper either.
        d.write("docker-credential-absent", "#!/bin/sh\n");
        assert_eq!(h.get("x").unwrap(), None);
        // Relative search path entries are skipped.
        let h = CredHelper::new("test", Some(OsStr::new("relative/dir"))).unwrap();
        assert_eq!(h.find(), None);
    }

    #[test]
    fn failures_name_the_helper_but_not_its_output() {
        let (_d, h) = setup();
        for server in ["broken.example", "garbage.example"] {
            let e = h.get(server).unwrap_err();
            assert!(
                e.message.contains("docker-credential-test get"),
                "{}",
                e.message
            );
            assert!(!e.message.contains("leaked-secret"), "{}", e.message);
        }
        assert!(h.get("broken.example").unwrap_err().message.contains("3"));
    }

    #[test]
    fn server_address_goes_on_stdin() {
        let (d, h) = setup();
        h.get("tok.example").unwrap();
        let log = std::fs::read_to_string(d.path().join("calls.log")).unwrap();
        assert_eq!(log, "get tok.example\n");
    }

    #[test]
    fn list_servers() {
        let (_d, h) = setup();
        let l = h.list().unwrap();
        assert_eq!(l.len(), 2);
        assert_eq!(l["https://index.docker.io/v1/"], "hubuser");
    }

    #[test]
    fn names_with_separators_are_refused() {
        for n in ["", "../x", "a/b", "a\\b"] {
            assert!(CredHelper::new(n, None).is_err(), "{n}");
        }
        assert!(CredHelper::new("desktop.exe", None).is_ok());
    }
}
