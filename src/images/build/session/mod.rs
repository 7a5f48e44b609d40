//! BuildKit sessions, as the docker CLI opens them: `POST /session` with `Upgrade: h2c` turns a
//! connection of the library's own into HTTP/2 on which the **daemon is the gRPC client** and
//! the library serves it (see [`services`]); the build names the session (`session=<id>`), and
//! the daemon calls back for what it needs while it builds: build secrets, registry
//! credentials, a `tar` or `local` output, SSH agents. The session runs on a thread of its own with a single-threaded tokio runtime
//! (h2 needs one); the C API stays blocking. It lives exactly as long as the build: dropping
//! the [`Session`] shuts its connection down and joins the thread.
//!
//! A `context_dir` is served on demand through the session ([`filesync`]), so the daemon
//! fetches only what changed since its last build of the directory.

mod filesync;
mod grpc;
mod io;
pub mod services;

use std::collections::BTreeMap;
use std::os::fd::{FromRawFd, OwnedFd};
use std::sync::Arc;
use std::thread::JoinHandle;

use bytes::Bytes;

use self::services::{Services, METHODS};
use crate::client::{Call, Client};
use crate::error::{Error, Result};
use crate::transport::socket::{SharedSocket, Socket};

/// The most a secret may hold (the docker CLI's limit).
pub const MAX_SECRET: u64 = 500 * 1024;

/// A session in progress.
pub struct Session {
    id: String,
    socket: Arc<SharedSocket>,
    thread: Option<JoinHandle<()>>,
}

impl Session {
    /// Opens a session serving `services`. Errors: the daemon's refusal, unsupported for an
    /// endpoint whose connection the library cannot take over (a proxy), transport.
    ///
    /// `shared_key` names what the daemon may keep between builds: its copy of a served
    /// context is reused by the next session with the same key (see [`ServedContext::shared_key`]).
    pub fn start(client: &Client, services: Services, shared_key: Option<&str>) -> Result<Session> {
        let id = crate::platform::random_hex(16);
        let mut call = Call::post("/session")
            .header("X-Docker-Expose-Session-Uuid", id.clone())
            .header("X-Docker-Expose-Session-Name", "dockerclient".to_string())
            .header("X-Docker-Expose-Session-Sharedkey", shared_key.unwrap_or(&id).to_string());
        for m in METHODS {
            call = call.header("X-Docker-Expose-Session-Grpc-Method", m.to_string());
        }
        let upgraded = client.upgrade(&call, "h2c").map_err(|e| e.context("opening a BuildKit session"))?;
        let tcp = matches!(&**upgraded.socket, Socket::Tcp(_));
        // The session thread reads and writes a duplicate; this side keeps the original to
        // shut the connection down when the build is over.
        // SAFETY: dup of a descriptor the socket owns; the result is owned by OwnedFd.
        let fd = unsafe { libc::dup(upgraded.socket.raw_fd()) };
        if fd < 0 {
            return Err(Error::transport(format!("opening a BuildKit session: {}", std::io::Error::last_os_error())));
        }
        // SAFETY: a fresh descriptor nothing else owns.
        let fd = unsafe { OwnedFd::from_raw_fd(fd) };
        let services = Arc::new(services);
        let early = upgraded.early;
        let thread = std::thread::Builder::new()
            .name("dockerclient-session".into())
            .spawn(move || serve(fd, tcp, early, services))
            .map_err(|e| Error::internal(format!("cannot start the session thread: {e}")))?;
        Ok(Session { id, socket: upgraded.socket, thread: Some(thread) })
    }

    /// The id the build names (`session=<id>`).
    pub fn id(&self) -> &str {
        &self.id
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        self.socket.shutdown();
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// The session thread: HTTP/2 server handshake, then each call the daemon makes on a task of
/// its own, until the connection ends.
fn serve(fd: OwnedFd, tcp: bool, early: Vec<u8>, services: Arc<Services>) {
    // A tar output may be a FIFO whose reader leaves: EPIPE, not a SIGPIPE for the host.
    crate::platform::block_sigpipe_on_this_thread();
    let Ok(runtime) = tokio::runtime::Builder::new_current_thread().enable_io().build() else { return };
    runtime.block_on(async move {
        let Ok(io) = io::SessionIo::new(fd, tcp, early) else { return };
        let handshake = h2::server::Builder::new()
            .initial_window_size(1 << 20)
            .initial_connection_window_size(1 << 22)
            .handshake::<_, Bytes>(io)
            .await;
        let Ok(mut connection) = handshake else { return };
        while let Some(Ok((request, respond))) = connection.accept().await {
            tokio::spawn(services::handle(request, respond, services.clone()));
        }
    });
}

/// Where a secret's bytes come from (`"secrets": {"id": {"file": path} | {"env": NAME}}`).
#[derive(Debug, Clone, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SecretSource {
    pub file: Option<String>,
    pub env: Option<String>,
}

/// Reads every secret now (a build must not start to fail at its RUN step for a missing
/// file). Errors name the secret and its file or variable, never its bytes.
pub fn read_secrets(secrets: &BTreeMap<String, SecretSource>) -> Result<BTreeMap<String, Vec<u8>>> {
    let mut out = BTreeMap::new();
    for (id, source) in secrets {
        let what = format!("build option \"secrets\": {id:?}");
        if id.is_empty() {
            return Err(Error::invalid("build option \"secrets\": a secret id is empty"));
        }
        let bytes = match (&source.file, &source.env) {
            (Some(path), None) => {
                let meta = std::fs::metadata(path).map_err(|e| Error::invalid(format!("{what}: cannot read {path}: {e}")))?;
                if meta.len() > MAX_SECRET {
                    return Err(Error::invalid(format!("{what}: {path} is over the 500 KiB a secret may hold")));
                }
                std::fs::read(path).map_err(|e| Error::invalid(format!("{what}: cannot read {path}: {e}")))?
            }
            (None, Some(name)) => match std::env::var_os(name) {
                Some(v) => std::os::unix::ffi::OsStrExt::as_bytes(v.as_os_str()).to_vec(),
                None => return Err(Error::invalid(format!("{what}: the environment variable {name} is not set"))),
            },
            _ => return Err(Error::invalid(format!("{what}: give exactly one of \"file\" and \"env\""))),
        };
        if bytes.is_empty() {
            // The daemon cannot tell an empty secret from a missing one.
            return Err(Error::invalid(format!("{what} is empty; BuildKit would take it for a missing secret")));
        }
        out.insert(id.clone(), bytes);
    }
    Ok(out)
}

/// The agents of the `ssh` option: id → `true` (the agent of `SSH_AUTH_SOCK`) or a socket path.
/// Errors name the id; the socket must exist now.
pub fn ssh_agents(ssh: &BTreeMap<String, serde_json::Value>) -> Result<BTreeMap<String, std::path::PathBuf>> {
    let mut out = BTreeMap::new();
    for (id, v) in ssh {
        let what = format!("build option \"ssh\": {id:?}");
        let path = match v {
            serde_json::Value::Bool(true) => std::env::var_os("SSH_AUTH_SOCK")
                .filter(|s| !s.is_empty())
                .map(std::path::PathBuf::from)
                .ok_or_else(|| Error::invalid(format!("{what}: true forwards SSH_AUTH_SOCK's agent, and SSH_AUTH_SOCK is not set")))?,
            serde_json::Value::String(s) if !s.is_empty() => std::path::PathBuf::from(s),
            _ => return Err(Error::invalid(format!("{what}: give true (SSH_AUTH_SOCK) or the agent's socket path"))),
        };
        use std::os::unix::fs::FileTypeExt;
        match std::fs::metadata(&path) {
            Ok(m) if m.file_type().is_socket() => {}
            Ok(_) => return Err(Error::invalid(format!("{what}: {} is not a socket", path.display()))),
            Err(e) => return Err(Error::invalid(format!("{what}: {}: {e}", path.display()))),
        }
        out.insert(if id.is_empty() { "default".to_string() } else { id.clone() }, path);
    }
    Ok(out)
}

/// The directories a session serves for a `context_dir` build (`context`, and `dockerfile`
/// holding the Dockerfile), and the Dockerfile's name inside the latter. An inline Dockerfile
/// (`dockerfile_content`) is written to a private temporary directory, removed on drop.
pub struct ServedContext {
    pub dirs: BTreeMap<String, std::path::PathBuf>,
    pub dockerfile_name: String,
    /// Stable for a directory on this machine (like the CLI's `sha256(nodeID:dir)`): the
    /// daemon keeps its copy of the context under it, and sends a rebuild only what changed.
    pub shared_key: String,
    temp: Option<std::path::PathBuf>,
}

impl ServedContext {
    pub fn new(context_dir: &str, dockerfile: Option<&str>, content: Option<&str>) -> Result<ServedContext> {
        let root = std::path::PathBuf::from(context_dir);
        let real = std::fs::canonicalize(&root).unwrap_or_else(|_| root.clone());
        let shared_key = crate::platform::sha256_hex(format!("dockerclient:{}", real.display()).as_bytes());
        let mut dirs = BTreeMap::new();
        dirs.insert("context".to_string(), root.clone());
        if let Some(text) = content {
            let temp = std::env::temp_dir().join(format!("dockerclient-dockerfile-{}", crate::platform::random_hex(8)));
            std::fs::create_dir(&temp)
                .and_then(|_| std::fs::write(temp.join("Dockerfile"), text))
                .map_err(|e| Error::invalid(format!("build options: cannot write the inline Dockerfile to {}: {e}", temp.display())))?;
            dirs.insert("dockerfile".to_string(), temp.clone());
            return Ok(ServedContext { dirs, dockerfile_name: "Dockerfile".into(), shared_key, temp: Some(temp) });
        }
        let name = dockerfile.unwrap_or("Dockerfile");
        let path = if std::path::Path::new(name).is_absolute() { std::path::PathBuf::from(name) } else { root.join(name) };
        let dir = path.parent().map(std::path::Path::to_path_buf).unwrap_or(root);
        let file = path.file_name().and_then(|f| f.to_str()).unwrap_or("Dockerfile").to_string();
        dirs.insert("dockerfile".to_string(), dir);
        Ok(ServedContext { dirs, dockerfile_name: file, shared_key, temp: None })
    }
}

impl Drop for ServedContext {
    fn drop(&mut self) {
        if let Some(t) = &self.temp {
            let _ = std::fs::remove_dir_all(t);
        }
    }
}
