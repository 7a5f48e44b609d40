//! `POST /build`, with the classic builder or BuildKit: the context streamed from a directory
//! (tarred with the docker CLI's `.dockerignore` rules while it is sent), from the caller's
//! reader, or fetched by the daemon from a URL; every build option; the result read from the
//! stream.
//!
//! - [`buildkit`]: which builder runs the build, and what BuildKit refuses or needs;
//! - [`options`]: the option object and the checks that need nothing but itself;
//! - [`context`]: the context source and the Dockerfile's place in it;
//! - [`query`]: options → query parameters, with the API version each one needs;
//! - [`credentials_header`]: the `X-Registry-Config` credentials header;
//! - [`outcome`]: the image ID and warnings found in the stream.
//!
//! A build that fails (a `RUN` exiting non-zero, an unknown instruction, a base image that
//! cannot be pulled) is reported by the daemon inside an HTTP 200 stream; it is returned as the
//! failure it is, with the daemon's message. A stream that ends cleanly without naming the
//! image built is an error too: the build cannot be known to have completed.

pub mod buildkit;
pub mod context;
pub mod options;
pub mod outcome;
pub mod query;
pub mod session;
pub mod credentials_header;

use std::io::{self, Read};

use serde_json::Value;

pub use context::DEFAULT_DOCKERFILE;
pub use options::{BuildOptions, Builder, Ulimit};

use self::context::Source;
use self::outcome::{Outcome, is_image_id};
use super::io::{Io, TAR};
use super::save_output::SaveOutput;
use crate::build_context::ContextStream;
use crate::client::{Body, Call, Client, Response};
use crate::error::{Error, Result, Status};
use crate::options::HasProgress;
use crate::stream::{ProgressSink, build_context_line};

/// What [`build`] returns.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BuildResult {
    /// The image ID (`sha256:…`); empty when the build's output is not an image (`tar`,
    /// `cacheonly`).
    pub id: String,
    /// The names applied, as the daemon reports them (`app:latest`).
    pub tags: Vec<String>,
    /// The `[Warning]` lines of the build output, in order.
    pub warnings: Vec<String>,
    /// For a context served through a session: the bytes the library sent for it, the listing of
    /// the directory (about 50 bytes an entry, sent in every build) and the files the daemon
    /// asked for (a rebuild sends only what changed), counted as BuildKit's "transferring
    /// context" counter counts them. `None` for an uploaded context.
    pub context_bytes_sent: Option<u64>,
}

impl BuildResult {
    /// `{"id": "sha256:…" or null, "tags": ["app:latest", …], "warnings": ["[Warning] …", …]}`,
    /// plus `"context_bytes_sent"` for a context served through a session.
    pub fn to_json(&self) -> String {
        let id = (!self.id.is_empty()).then_some(&self.id);
        let mut v = serde_json::json!({"id": id, "tags": self.tags, "warnings": self.warnings});
        if let Some(n) = self.context_bytes_sent {
            v["context_bytes_sent"] = n.into();
        }
        v.to_string()
    }
}

/// Builds an image from the context `options` name (`context_dir`, `remote`) or `io.input` (a
/// tar archive, plain or compressed), delivering progress to `io.progress`.
///
/// Text mode delivers what `DOCKER_BUILDKIT=0 docker build` prints, the
/// `Sending build context to Docker daemon  …` line included (not for `remote` or `quiet`).
///
/// Errors, all before anything is sent for bad input: invalid argument (bad options, two
/// context sources or none, `context_dir` not a directory, a Dockerfile that is a directory, a
/// malformed `.dockerignore`, negative `memory`), not found (`context_dir` or the Dockerfile
/// missing), unsupported (`version` "2", an option the daemon's API version lacks, `squash` on
/// a daemon without experimental features, `security_opt` or an `isolation` other than
/// `default` on a non-Windows daemon); then the
/// daemon's: its HTTP error, or the error inside the stream (stream error, not found,
/// unauthorized… by its message); invalid argument / not found for a context file that cannot
/// be read while sending (naming it); transport when the stream ends without the image ID;
/// timeout; cancelled when `sink`'s callback asked to stop.
pub fn build(client: &Client, opts: &BuildOptions, io: Io) -> Result<BuildResult> {
    opts.check_progress()?;
    opts.validate()?;
    let tags = opts.applied_tags()?;
    // Everything about the input is checked before the daemon is asked anything.
    let mut prepared = context::prepare(opts, io.input)?;
    let secrets = opts.secrets.as_ref().map(session::read_secrets).transpose()?.unwrap_or_default();
    let ssh_agents = opts.ssh.as_ref().map(session::ssh_agents).transpose()?.unwrap_or_default();
    if options::builder_of(opts.version.as_ref())? == Builder::BuildKit {
        buildkit::check_without_daemon(opts)?;
    }
    let builder = buildkit::choose(client, opts)?;
    buildkit::check_options(client, opts, builder)?;
    let on_buildkit = builder == Builder::BuildKit;
    prepared.for_builder(builder);
    let version = client.api_version()?;
    let build_id = on_buildkit.then(|| opts.build_id.clone().unwrap_or_else(|| crate::platform::random_hex(16)));
    let with_session = on_buildkit && opts.wants_session(client.can_take_over_connections())?;
    // Asked for (or needed by an option): a session that cannot open fails the build. Only the
    // default for a directory: a daemon that refuses sessions gets the context uploaded.
    let session_required = opts.session_choice()? == Some(true) || opts.needs_session();
    check_daemon_features(client, opts)?;
    // With a session, a directory is served on demand instead of uploaded.
    let mut served = match (&opts.context_dir, with_session) {
        (Some(dir), true) => Some(session::ServedContext::new(dir, opts.dockerfile.as_deref(), opts.dockerfile_content.as_deref())?),
        _ => None,
    };
    // The session must be up before the build names it (the daemon waits 5 s for it); it ends
    // when this function returns, the build being over.
    let context_bytes = std::sync::Arc::new(std::sync::atomic::AtomicU64::new(0));
    // A tar output is opened (and its place checked) before anything is sent, as a save's
    // output_path is: a FIFO or device is written in place, a file replaced once whole.
    let tar_output = match (&opts.tar_destination(), with_session) {
        (Some(dest), true) => Some(SaveOutput::open_for(&dest.to_string_lossy(), "build options", "\"outputs\" dest")?),
        _ => None,
    };
    let session = match with_session {
        true => {
            let services = session::services::Services {
                secrets,
                credentials: Some(client.credentials().clone()),
                given: opts.auth_configs.as_ref().map(|m| {
                    m.iter().map(|(registry, auth)| (crate::auth::registry_key::normalize_registry(registry), auth.clone())).collect()
                }),
                tar_output: std::sync::Mutex::new(tar_output),
                local_output: opts.local_destination(),
                ssh_agents,
                dirs: served.as_ref().map(|s| s.dirs.clone()).unwrap_or_default(),
                context_bytes: context_bytes.clone(),
            };
            match session::Session::start(client, services, served.as_ref().map(|s| s.shared_key.as_str())) {
                Ok(s) => Some(s),
                Err(e) if session_required || matches!(e.status, Status::Cancelled | Status::Timeout) => return Err(e),
                Err(_) => {
                    served = None;
                    None
                }
            }
        }
        false => None,
    };
    let dockerfile_param = match &served {
        Some(s) => Some(s.dockerfile_name.clone()),
        None => prepared.dockerfile.clone(),
    };
    let mut query = query::build_query(opts, version, dockerfile_param.as_deref(), builder, build_id.as_deref())?;
    if served.is_some() {
        query.push("remote", "client-session");
    }
    if let Some(s) = &session {
        query.push("session", s.id());
    }
    let mut call = Call::post("/build").query(query).limits_of(opts);
    if !on_buildkit {
        // BuildKit without a session never reads it (it pulls anonymously): not even asked
        // of the credential helpers.
        let creds = credentials_header::credentials(client, opts)?;
        call = call.header("X-Registry-Config", credentials_header::header(&creds, version));
    }

    let mut sink = match on_buildkit {
        true => ProgressSink::buildkit(opts.progress, io.progress),
        false => opts.sink(io.progress)?,
    };
    let mut outcome = Outcome::new(opts.is_quiet());
    let source = if served.is_some() { Source::Remote } else { prepared.source };
    let streamed = send(client, &call, source, opts.is_quiet() || on_buildkit, &mut sink).and_then(|response| {
        sink.drain(response.into_reader(), &mut |msg: &Value| {
            outcome.observe(msg);
            Ok(())
        })
    });
    // A daemon that cannot run BuildKit refuses the request with a message saying so.
    let streamed = streamed.map_err(|e| {
        if on_buildkit && e.http_status >= 400 && e.message.to_ascii_lowercase().contains("buildkit") {
            Error { status: Status::Unsupported, ..e }
        } else {
            e
        }
    });
    if let (Err(e), Some(id)) = (&streamed, &build_id) {
        // The caller stopped, or a time limit or the connection ended the call: the build
        // must not go on in the daemon. A build that failed there has ended already.
        if !matches!(e.status, Status::StreamError | Status::NotFound | Status::Unauthorized | Status::InvalidArgument) {
            let limit = match e.status {
                Status::Timeout => buildkit::CANCEL_AFTER_TIMEOUT_LIMIT_MS,
                _ => buildkit::CANCEL_LIMIT_MS,
            };
            buildkit::cancel(&client.without_cancel(), id, limit);
        }
    }
    streamed?;

    let id = match outcome.id() {
        Some(id) if is_image_id(id) => id.to_string(),
        Some(short) => crate::images::inspect::image_id(client, "the built image", short)?,
        // A tar or cache-only output makes no image.
        None if !opts.exports_image() => String::new(),
        None => {
            return Err(Error::transport(
                "the build stream ended without the daemon reporting the image it built; the \
                 build may not have completed",
            ));
        }
    };
    let mut warnings = outcome.warnings;
    warnings.extend(sink.buildkit_warnings());
    let context_bytes_sent = served.is_some().then(|| context_bytes.load(std::sync::atomic::Ordering::Relaxed));
    Ok(BuildResult { id, tags, warnings, context_bytes_sent })
}

/// Sends the request with its context and, once the daemon has the whole context (it answers
/// only then), tells the caller how much was sent, as the CLI does.
fn send(client: &Client, call: &Call, source: Source, quiet: bool, sink: &mut ProgressSink) -> Result<Response> {
    let sent = match source {
        Source::Remote => return client.send(call, Body::Empty),
        Source::Dir { spec, rules } => {
            let mut stream = ContextStream::start(spec, rules)?;
            let response = client.send(call, Body::Reader(&mut stream, TAR));
            let response = response.map_err(|e| match stream.producer_error() {
                Some(context_failure) => context_failure,
                None => explain_early_refusal(client, call, e),
            })?;
            let size = stream.finish()?;
            (response, size)
        }
        Source::Reader(reader) => {
            let mut counted = Counted { inner: reader, bytes: 0 };
            let response = client.send(call, Body::Reader(&mut counted, TAR));
            let response = response.map_err(|e| explain_early_refusal(client, call, e))?;
            (response, counted.bytes)
        }
    };
    if !quiet {
        sink.emit_text(&build_context_line(sent.1))?;
    }
    Ok(sent.0)
}

/// Options whose support depends on how the daemon runs rather than on its API version: refused
/// here, because the daemon refuses them before reading the context, and an answer that comes
/// while a large context is still being sent reaches the client as a broken connection.
fn check_daemon_features(client: &Client, opts: &BuildOptions) -> Result<()> {
    let squash = opts.squash == Some(true);
    let isolation = opts.isolation.as_deref().filter(|i| !i.eq_ignore_ascii_case("default"));
    if !squash && opts.security_opt.is_none() && isolation.is_none() {
        return Ok(());
    }
    let ping = client.ping_headers_within(None, opts.inactivity_timeout_ms.map(std::time::Duration::from_millis))?;
    let unsupported = |m: String| Err(Error::new(Status::Unsupported, m));
    if squash && ping.experimental == Some(false) {
        return unsupported(
            "build option \"squash\" needs a daemon with experimental features enabled; this one has them off".into(),
        );
    }
    let Some(os) = ping.os_type.filter(|os| !os.eq_ignore_ascii_case("windows")) else { return Ok(()) };
    if opts.security_opt.is_some() {
        return unsupported(format!(
            "build option \"security_opt\" (credential specs) is only supported by Windows daemons; this one runs {os}"
        ));
    }
    if let Some(i) = isolation {
        return unsupported(format!(
            "build option \"isolation\" \"{i}\" is only supported by Windows daemons; this one runs {os} and \
             only takes \"default\""
        ));
    }
    Ok(())
}

/// A daemon that refuses a build's options answers before reading the context and closes the
/// connection, which the client sees as a broken pipe while sending. Asking again with an empty
/// context gets its answer: an HTTP 4xx carrying the daemon's message is returned instead of the
/// broken pipe. Any other outcome keeps the original error (an empty context fails on the
/// missing Dockerfile, so nothing is built).
fn explain_early_refusal(client: &Client, call: &Call, e: Error) -> Error {
    let closed = e.status == Status::Transport
        && ["os error 32", "os error 104", "Broken pipe", "Connection reset"].iter().any(|m| e.message.contains(m));
    if !closed {
        return e;
    }
    const EMPTY_TAR: [u8; 1024] = [0; 1024];
    match client.send(call, Body::Bytes(&EMPTY_TAR, TAR)) {
        // A refusal about the (deliberately empty) context itself says nothing about why the
        // real upload broke (a daemon restart, a full disk): keep the original error then.
        Err(refusal)
            if (400..500).contains(&refusal.http_status) && !about_the_empty_context(&refusal.message) =>
        {
            refusal.context("the daemon refused the build before reading its context")
        }
        Ok(response) => {
            response.discard();
            e
        }
        Err(_) => e,
    }
}

fn about_the_empty_context(message: &str) -> bool {
    let m = message.to_ascii_lowercase();
    ["dockerfile", "context", "tar", "archive", "eof"].iter().any(|w| m.contains(w))
}

/// Counts what the caller's reader supplied (for the `Sending build context` line).
struct Counted<'a> {
    inner: &'a mut dyn Read,
    bytes: u64,
}

impl Read for Counted<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.bytes += n as u64;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refusals_about_the_empty_context_are_not_taken_as_the_reason() {
        assert!(about_the_empty_context("Cannot locate specified Dockerfile: Dockerfile"));
        assert!(about_the_empty_context("error reading build context: unexpected EOF"));
        assert!(!about_the_empty_context("isolation 'hyperv' is not supported on linux"));
        assert!(!about_the_empty_context("invalid reference format: repository name must be lowercase"));
    }
}
