//! What the library serves the daemon in a session: the health check (the daemon ends a
//! session whose check fails), build secrets, registry credentials on demand, and a `tar`
//! output's archive (`FileSend/DiffCopy`: the daemon streams it, the library writes it to a
//! temporary file renamed into place once whole). Anything
//! else is answered `Unimplemented`, which the daemon reads as "not provided" (a secret mount
//! that is optional is then skipped; an SSH mount reports no agent forwarded).

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;

use bytes::Bytes;
use h2::server::SendResponse;
use h2::RecvStream;
use prost::Message;

use super::grpc::{self, Code, Status};
use crate::auth::AuthConfig;
use crate::auth::registry_key::normalize_registry;
use crate::client::CredentialSource;
use crate::images::save_output::SaveOutput;

const HEALTH_CHECK: &str = "/grpc.health.v1.Health/Check";
const GET_SECRET: &str = "/moby.buildkit.secrets.v1.Secrets/GetSecret";
const CREDENTIALS: &str = "/moby.filesync.v1.Auth/Credentials";
const FILE_SEND: &str = "/moby.filesync.v1.FileSend/DiffCopy";
const FILE_SYNC: &str = "/moby.filesync.v1.FileSync/DiffCopy";
const CHECK_AGENT: &str = "/moby.sshforward.v1.SSH/CheckAgent";
const FORWARD_AGENT: &str = "/moby.sshforward.v1.SSH/ForwardAgent";

/// The methods a session announces (one `X-Docker-Expose-Session-Grpc-Method` header each).
/// The token methods of `Auth` are announced and answered `Unimplemented`: the daemon then asks
/// for credentials and fetches its tokens itself.
pub const METHODS: [&str; 10] = [
    HEALTH_CHECK,
    FILE_SYNC,
    GET_SECRET,
    CREDENTIALS,
    FILE_SEND,
    CHECK_AGENT,
    FORWARD_AGENT,
    "/moby.filesync.v1.Auth/FetchToken",
    "/moby.filesync.v1.Auth/GetTokenAuthority",
    "/moby.filesync.v1.Auth/VerifyTokenAuthority",
];

/// `grpc.health.v1.HealthCheckResponse`.
#[derive(Clone, PartialEq, Message)]
struct HealthCheckResponse {
    /// 1 = SERVING.
    #[prost(int32, tag = "1")]
    status: i32,
}

/// `moby.buildkit.secrets.v1.GetSecretRequest` (its annotations are not read).
#[derive(Clone, PartialEq, Message)]
struct GetSecretRequest {
    #[prost(string, tag = "1")]
    id: String,
}

/// `moby.buildkit.secrets.v1.GetSecretResponse`.
#[derive(Clone, PartialEq, Message)]
struct GetSecretResponse {
    #[prost(bytes = "vec", tag = "1")]
    data: Vec<u8>,
}

/// `moby.filesync.v1.BytesMessage`: one piece of a tar output.
#[derive(Clone, PartialEq, Message)]
struct BytesMessage {
    #[prost(bytes = "vec", tag = "1")]
    data: Vec<u8>,
}

/// `moby.sshforward.v1.CheckAgentRequest`.
#[derive(Clone, PartialEq, Message)]
struct CheckAgentRequest {
    #[prost(string, tag = "1")]
    id: String,
}

/// `moby.filesync.v1.CredentialsRequest`.
#[derive(Clone, PartialEq, Message)]
struct CredentialsRequest {
    #[prost(string, tag = "1")]
    host: String,
}

/// `moby.filesync.v1.CredentialsResponse`.
#[derive(Clone, PartialEq, Message)]
struct CredentialsResponse {
    #[prost(string, tag = "1")]
    username: String,
    #[prost(string, tag = "2")]
    secret: String,
}

/// What one session serves.
pub struct Services {
    /// Secret id → its bytes (read before the build starts, so a missing file fails early).
    pub secrets: BTreeMap<String, Vec<u8>>,
    /// Where registry credentials come from (the client's docker config), `None` to serve none.
    pub credentials: Option<CredentialSource>,
    /// Credentials the build was given (`auth_configs`), by normalized registry key: when
    /// present, the only ones served.
    pub given: Option<BTreeMap<String, AuthConfig>>,
    /// Where a `tar` output is written (opened and checked before the build starts; taken by
    /// the daemon's one FileSend call).
    pub tar_output: std::sync::Mutex<Option<SaveOutput>>,
    /// The directory a `local` output is written to.
    pub local_output: Option<PathBuf>,
    /// SSH agents forwarded to `RUN --mount=type=ssh[,id=…]`: id → the agent's socket.
    pub ssh_agents: BTreeMap<String, PathBuf>,
    /// Directories served on demand (`context`, `dockerfile`) → where they are.
    pub dirs: BTreeMap<String, PathBuf>,
    /// File bytes sent for served directories.
    pub context_bytes: Arc<std::sync::atomic::AtomicU64>,
}

impl std::fmt::Debug for Services {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the secrets' bytes.
        f.debug_struct("Services").field("secrets", &self.secrets.keys().collect::<Vec<_>>()).finish()
    }
}

/// Answers one call.
pub async fn handle(request: http::Request<RecvStream>, respond: SendResponse<Bytes>, services: Arc<Services>) {
    let path = request.uri().path().to_string();
    let request_headers = request.headers().clone();
    let mut body = request.into_body();
    let mut pending = Vec::new();
    if path == FILE_SYNC {
        let req = super::filesync::Request::from_headers(&request_headers);
        return match services.dirs.get(&req.dir_name) {
            Some(root) => super::filesync::serve(body, respond, root.clone(), req, services.context_bytes.clone()).await,
            None => grpc::reply_status(respond, Status::new(Code::NotFound, format!("no access allowed to dir {:?}", req.dir_name))),
        };
    }
    if path == FORWARD_AGENT {
        let id = request_id(&request_headers);
        return match services.ssh_agents.get(&id) {
            Some(socket) => forward_agent(body, respond, socket.clone()).await,
            None => grpc::reply_status(respond, Status::new(Code::NotFound, format!("no SSH agent {id:?} was forwarded to the build"))),
        };
    }
    if path == FILE_SEND {
        if let Some(dest) = &services.local_output {
            return super::filesync::receive(body, respond, dest.clone(), services.context_bytes.clone()).await;
        }
        let output = services.tar_output.lock().unwrap_or_else(|p| p.into_inner()).take();
        let status = match output {
            Some(output) => receive_tar(&mut body, &mut pending, output).await,
            None => Status::new(Code::Unimplemented, "this build asked for no file output, or it was written already"),
        };
        return grpc::reply_status(respond, status);
    }
    let message = match grpc::next_message(&mut body, &mut pending).await {
        Ok(m) => m.unwrap_or_default(),
        Err(status) => return grpc::reply(respond, Err(status)),
    };
    let result = match path.as_str() {
        HEALTH_CHECK => Ok(HealthCheckResponse { status: 1 }.encode_to_vec()),
        GET_SECRET => secret(&services, &message),
        CREDENTIALS => credentials(services.clone(), &message).await,
        CHECK_AGENT => check_agent(&services, &message),
        other => Err(Status::new(Code::Unimplemented, format!("{other} is not served by this client"))),
    };
    grpc::reply(respond, result);
}

fn secret(services: &Services, message: &[u8]) -> Result<Vec<u8>, Status> {
    let req = GetSecretRequest::decode(message).map_err(|e| Status::new(Code::InvalidArgument, e.to_string()))?;
    match services.secrets.get(&req.id) {
        Some(data) => Ok(GetSecretResponse { data: data.clone() }.encode_to_vec()),
        None => Err(Status::new(Code::NotFound, format!("secret {:?} was not given to the build", req.id))),
    }
}

/// Registry credentials for the host the daemon is pulling from, resolved as for pulls (the
/// docker config, its credential helpers). None found: empty (anonymous).
async fn credentials(services: Arc<Services>, message: &[u8]) -> Result<Vec<u8>, Status> {
    let req = CredentialsRequest::decode(message).map_err(|e| Status::new(Code::InvalidArgument, e.to_string()))?;
    if let Some(given) = &services.given {
        return Ok(match given.get(&normalize_registry(&req.host)) {
            Some(auth) => answer_with(auth.clone()),
            None => CredentialsResponse::default(),
        }
        .encode_to_vec());
    }
    let Some(source) = services.credentials.clone() else {
        return Ok(CredentialsResponse::default().encode_to_vec());
    };
    // Credential helpers are programs: run off the session's I/O thread.
    let host = req.host.clone();
    let resolved = tokio::task::spawn_blocking(move || source.load().and_then(|c| c.resolve(&host)))
        .await
        .map_err(|_| Status::new(Code::Internal, "the credential lookup failed"))?;
    let auth = match resolved {
        Ok(Some(auth)) => auth,
        Ok(None) => return Ok(CredentialsResponse::default().encode_to_vec()),
        // The message names the helper or the file, never a secret.
        Err(e) => return Err(Status::new(Code::Unauthenticated, e.message)),
    };
    Ok(answer_with(auth).encode_to_vec())
}

/// An identity token goes as the secret with no user name (as the CLI answers).
fn answer_with(auth: AuthConfig) -> CredentialsResponse {
    match auth.identitytoken.filter(|t| !t.is_empty()) {
        Some(token) => CredentialsResponse { username: String::new(), secret: token },
        None => CredentialsResponse { username: auth.username.unwrap_or_default(), secret: auth.password.unwrap_or_default() },
    }
}

/// Writes the archive the daemon streams (`BytesMessage` pieces, in order) to the tar output:
/// a regular file through a temporary file renamed over it once the daemon ended the stream
/// (a failed build never leaves a truncated archive), a device or FIFO in place, as a save's
/// `output_path` is written. Memory holds one piece at a time.
async fn receive_tar(body: &mut RecvStream, pending: &mut Vec<u8>, mut output: SaveOutput) -> Status {
    let written = async {
        while let Some(message) = grpc::next_message(body, pending).await? {
            let piece = BytesMessage::decode(message.as_slice()).map_err(|e| Status::new(Code::InvalidArgument, e.to_string()))?;
            output.write(&piece.data).map_err(|e| Status::new(Code::Internal, e.message))?;
        }
        Ok::<(), Status>(())
    }
    .await;
    // Dropped on failure: a temporary file removes itself.
    match written.and_then(|()| output.commit().map_err(|e| Status::new(Code::Internal, e.message))) {
        Ok(()) => Status::new(Code::Ok, ""),
        Err(status) => status,
    }
}

/// The agent id of a `ForwardAgent` call (`buildkit.ssh.id`, default `default`).
fn request_id(headers: &http::HeaderMap) -> String {
    match headers.get("buildkit.ssh.id").and_then(|v| v.to_str().ok()) {
        Some(id) if !id.is_empty() => id.to_string(),
        _ => "default".to_string(),
    }
}

fn check_agent(services: &Services, message: &[u8]) -> Result<Vec<u8>, Status> {
    let req = CheckAgentRequest::decode(message).map_err(|e| Status::new(Code::InvalidArgument, e.to_string()))?;
    let id = if req.id.is_empty() { "default".to_string() } else { req.id };
    match services.ssh_agents.contains_key(&id) {
        true => Ok(Vec::new()),
        false => Err(Status::new(Code::NotFound, format!("no SSH agent {id:?} was forwarded to the build"))),
    }
}

/// The agent requests a build may make, as the docker CLI's read-only forwarding allows: list
/// the keys, sign with one. Adding, removing or locking keys, extensions and anything else are
/// answered SSH_AGENT_FAILURE without reaching the agent.
const AGENT_REQUEST_IDENTITIES: u8 = 11;
const AGENT_SIGN_REQUEST: u8 = 13;
const AGENT_FAILURE: [u8; 5] = [0, 0, 0, 1, 5];
/// OpenSSH's bound on an agent message; a longer one ends the connection.
const AGENT_MAX_MESSAGE: usize = 256 * 1024;

/// One connection of the build to the forwarded agent: the build's requests, one whole agent
/// message at a time, each answered by the agent (when allowed) or refused here, until the
/// build closes its side.
async fn forward_agent(mut body: RecvStream, mut respond: SendResponse<Bytes>, socket: PathBuf) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut agent = match tokio::net::UnixStream::connect(&socket).await {
        Ok(a) => a,
        Err(e) => {
            return grpc::reply_status(
                respond,
                Status::new(Code::Internal, format!("cannot reach the SSH agent at {}: {e}", socket.display())),
            );
        }
    };
    let Ok(mut out) = respond.send_response(grpc::response_head(), false) else { return };
    let (mut from_build, mut pending) = (Vec::new(), Vec::new());
    'connection: loop {
        // A whole request from the build (it may come in several pieces, or with the next).
        let request: Vec<u8> = loop {
            if from_build.len() >= 4 {
                let len = u32::from_be_bytes([from_build[0], from_build[1], from_build[2], from_build[3]]) as usize;
                if len > AGENT_MAX_MESSAGE {
                    break 'connection;
                }
                if from_build.len() >= 4 + len {
                    break from_build.drain(..4 + len).collect();
                }
            }
            match grpc::next_message(&mut body, &mut pending).await {
                Ok(Some(message)) => match BytesMessage::decode(message.as_slice()) {
                    Ok(piece) => from_build.extend_from_slice(&piece.data),
                    Err(_) => break 'connection,
                },
                _ => break 'connection,
            }
        };
        let answer = if matches!(request.get(4), Some(&AGENT_REQUEST_IDENTITIES | &AGENT_SIGN_REQUEST)) {
            let mut head = [0u8; 4];
            if agent.write_all(&request).await.is_err() || agent.read_exact(&mut head).await.is_err() {
                break;
            }
            let len = u32::from_be_bytes(head) as usize;
            if len > AGENT_MAX_MESSAGE {
                break;
            }
            let mut answer = vec![0u8; 4 + len];
            answer[..4].copy_from_slice(&head);
            if agent.read_exact(&mut answer[4..]).await.is_err() {
                break;
            }
            answer
        } else {
            AGENT_FAILURE.to_vec()
        };
        let piece = BytesMessage { data: answer }.encode_to_vec();
        if out.send_data(grpc::frame(&piece), false).is_err() {
            return;
        }
    }
    let _ = out.send_trailers(grpc::ok_trailers());
}
