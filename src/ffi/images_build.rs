//! `dc_image_build`: building an image with the daemon's classic builder, the context streamed
//! from a directory, a read callback or fetched by the daemon from a URL.

use std::ffi::{c_char, c_void};

use super::callbacks::{dc_read_cb, dc_write_cb, with_io, Callbacks};
use super::client::{client_ref, dc_client};
use super::error_object::dc_error;
use super::guard::guard;
use super::status::dc_status;
use super::cancel::bound;
use super::strings::{clear_out, options_with_cancel, set_out};
use crate::images::build::{self, BuildOptions};

/// Builds an image (`docker build`), with BuildKit or the classic builder.
///
/// The builder ("version"): "2" is BuildKit, "1" the classic builder (as `DOCKER_BUILDKIT=0`
/// runs it), "auto" (the default) BuildKit where the daemon's /_ping says it is its default
/// builder (Engine 23+ on Linux; Engine 20.10 with "features": {"buildkit": true}), else
/// classic: the choice the docker CLI makes. BuildKit needs API 1.38 and a Linux daemon
/// (DC_UNSUPPORTED otherwise, before anything is sent). It runs Dockerfiles the classic
/// builder cannot (`RUN --mount=type=cache|bind|tmpfs`, `COPY --chmod`, stages built only when
/// needed). With a BuildKit session ("session" below) the daemon calls back during the build
/// for build secrets and registry credentials; without one it pulls base images anonymously.
/// Either way it exports only images.
///
/// The build context is exactly one of:
/// - "context_dir": a directory the library sends. It is tarred while it is sent (a producer
///   thread and a pipe: memory stays bounded whatever the size), exactly as the docker CLI
///   sends it (for both builders: BuildKit applies no `.dockerignore` to an uploaded context,
///   so the library does): paths relative to the directory, uid/gid 0, permission bits and mtimes kept,
///   directories included, symlinks stored (never followed), hard links as links, sockets and
///   devices skipped; a file that cannot be read fails the build with an error naming it.
///   Its `.dockerignore` applies with the CLI's rules (a UTF-8 BOM ignored, `#` comments in the
///   first column, blank lines skipped, patterns trimmed and cleaned, anchored at the context
///   root, `*` `?` `[a-z]` `[^a-z]` `\` and `**`, a matching directory excludes its contents,
///   `!pattern` re-includes and the last matching pattern decides); excluded directories no
///   `!` pattern can re-enter are not even walked. The Dockerfile is always sent, and so is
///   `.dockerignore` for the classic builder (which drops both when the patterns list them);
///   BuildKit reads the tar as it is, so there `.dockerignore` is sent only where its own
///   patterns keep it, and a Dockerfile the patterns exclude is still visible to `COPY .`.
/// - `context_read_cb`: a tar archive (plain, or gzip/bzip2/xz compressed) the caller supplies;
///   `context_read_cb` fills at most `cap` bytes of `buf` and returns how many, 0 at the end, or
///   < 0 on error (the build then returns DC_CANCELLED; returning more than `cap` is
///   DC_INVALID_ARGUMENT).
/// - "remote": a URL the daemon fetches itself (a git repository, a tarball, or a plain
///   Dockerfile); nothing is sent.
///
/// options_json (JSON object; NULL or "" means no options, which only suits a build from
/// `context_read_cb`). Unknown keys are an error naming the key. Integers are 64-bit.
/// - "context_dir": string, see above.
/// - "remote": string, see above.
/// - "dockerfile": string, the Dockerfile (default "Dockerfile"). With "context_dir": relative
///   to the context directory, or absolute; a Dockerfile outside the context is added to the
///   sent context under a generated name (`".dockerfile.<random hex>"`, listed in the sent
///   `.dockerignore` so `COPY .` does not pick it up, as the CLI does; with BuildKit, which
///   applies no `.dockerignore` to an upload, `COPY .` does see it). With a read callback or
///   "remote": a path inside that context. A non-default name needs API 1.17.
/// - "dockerfile_content": string, the Dockerfile's text, added to the sent context like an
///   outside Dockerfile (needs "context_dir"; not with "dockerfile").
/// - "tags": array of names ("app", "app:1", "registry:5000/app:2") applied to the image.
/// - "build_args": object of string values; a null value declares the variable without a value
///   (API 1.21).
/// - "labels": object of string values set on the image (API 1.23).
/// - "target": string, the stage of a multi-stage Dockerfile to build (API 1.29).
/// - "platform": "os[/arch[/variant]]" (API 1.32).
/// - "network_mode": string, the network of RUN steps: "bridge", "host", "none",
///   `"container:<name|id>"` or a network name (API 1.25); BuildKit takes only "host", "none"
///   and "default".
/// - "extra_hosts": array of "host:ip" ("host=ip" is accepted) added to /etc/hosts (API 1.28).
/// - "cache_from": array of image names used as cache sources (API 1.25).
/// - "pull": bool, pull the base images even if present (API 1.16).
/// - "no_cache": bool, do not use the build cache.
/// - "quiet": bool, the daemon sends no progress, only the image ID.
/// - "rm": bool, remove intermediate containers after a successful build (default true).
///   BuildKit makes none: "rm": false is refused there (DC_UNSUPPORTED).
/// - "force_rm": bool, always remove intermediate containers (BuildKit: nothing to remove).
/// - "memory", "memswap": integers, bytes (memory must not be negative; memswap -1 = unlimited
///   swap) (API 1.18).
/// - "cpu_shares": integer (API 1.18); "cpuset_cpus": string such as "0-3" (API 1.18);
///   "cpuset_mems": string (API 1.19); "cpu_period", "cpu_quota": integers, microseconds
///   (API 1.19).
/// - "shm_size": integer, bytes of /dev/shm (not negative) (API 1.22; with BuildKit 1.42).
/// - "ulimits": array of {"name": "nofile", "soft": 1024, "hard": 2048} (API 1.20; with
///   BuildKit 1.42).
/// - "cgroup_parent": string (API 1.19).
///   The classic builder's resource limits (memory, memswap, cpu_*, cpuset_*, cgroup_parent)
///   are ignored by BuildKit: refused with DC_UNSUPPORTED there, never dropped.
/// - "isolation": string, "default", "process" or "hyperv"; anything but "default" only on
///   Windows daemons, refused with DC_UNSUPPORTED on others (API 1.22).
/// - "security_opt": array of strings; Windows daemons only (credential specs): refused with
///   DC_UNSUPPORTED on others (API 1.25).
/// - "squash": bool, squash the new layers into one; needs a daemon with experimental features,
///   refused with DC_UNSUPPORTED otherwise (API 1.25).
/// - "outputs": one BuildKit output object ({"Type": …, "Attrs": {…}}; API 1.40): "moby" /
///   "image" (an image, the default), "cacheonly", or "tar" with {"Attrs": {"dest": path}}: the
///   build's files come back as a tar archive through a session (opened for it), written as a
///   save's "output_path" is: to a temporary file renamed to `dest` once whole, or, when `dest`
///   is a FIFO or device, in place (a program streams the archive by reading a named pipe
///   while the build runs, as the CLI's `dest=-`; opening a FIFO waits for its reader). `dest`
///   is checked before the build starts (a missing directory is DC_NOT_FOUND). No image is
///   made and the result's "id" is null; or "local" with {"Attrs": {"dest": directory}}: the
///   files themselves, written under `dest` (existing files kept; no path outside `dest` is
///   ever written, symbolic links on the way refused).
/// - "version": "1", "2" or "auto" (the default): the builder, see above.
/// - "secrets" (BuildKit): object mapping a secret id to {"file": path} or {"env": NAME}, for
///   `RUN --mount=type=secret,id=<id>` (mounted at `/run/secrets/<id>`, never stored in the
///   image). Read before anything is sent (each at most 500 KiB, not empty): a missing file or
///   variable is DC_INVALID_ARGUMENT naming it, never quoting the secret. A required secret the
///   build uses but was not given fails the build naming its id.
/// - "ssh" (BuildKit): object mapping an agent id ("default" for `RUN --mount=type=ssh`) to
///   true (the agent of SSH_AUTH_SOCK) or an agent's socket path, forwarded to the RUN steps
///   that mount it (the agent must be a socket now: DC_INVALID_ARGUMENT naming it otherwise).
///   Read-only, as the CLI forwards it: the steps may list keys and sign; requests to add,
///   remove or lock keys are refused without reaching the agent.
/// - "session" (BuildKit): true, false or "auto" (the default: a session for a "context_dir"
///   build, and when "secrets", "ssh", "auth_configs" or a "tar" output are given). A session
///   is a connection of its own (`POST /session`, HTTP/2 on which the daemon asks the library
///   for what it needs), open exactly as long as the build. Through it the daemon fetches a
///   "context_dir" on demand (it applies the `.dockerignore` itself, as for the CLI, and keeps
///   its copy of the directory, so a rebuild after changing one file transfers that file and
///   the directory's listing: the result's "context_bytes_sent" says how many bytes went),
///   secrets, SSH agents, a "tar" output, and registry credentials for private base images
///   (from "auth_configs", else the client's docker config and credential helpers). The
///   session is served by a thread of the library's own; no callback of the caller runs there
///   (progress still comes on the calling thread). Works on every endpoint (over TLS the
///   library encrypts the session's connection itself, with the client's TLS settings) but one
///   reached through an HTTP proxy (DC_UNSUPPORTED: give "session": false there).
/// - "build_id": BuildKit only (API 1.33): the build's ID, with which `POST /build/cancel`
///   stops it (default: a random one). When the callback stops a BuildKit build, or a time
///   limit or a broken connection ends the call, the library asks the daemon to cancel it, so
///   no build goes on there.
/// - "auth_configs" (classic builder: sent as X-Registry-Config; BuildKit: served through a
///   session, opened for it, when the daemon asks; refused with "session": false): object
///   mapping a registry ("registry.example.com",
///   "https://index.docker.io/v1/") to credentials {"username", "password", "email",
///   "serveraddress", "identitytoken", "registrytoken"}, for the images FROM pulls. Sent as
///   X-Registry-Config, base64url, in the shape the daemon's API version decodes. When absent,
///   every registry's credentials from the docker config (DOCKER_CONFIG or ~/.docker/config.json,
///   with its credential helpers) are sent, as the CLI does.
/// - "progress":
///   - "json" (default): classic builder: each daemon message as received, plus "\n", one per
///     call. BuildKit: the daemon's protobuf trace decoded into one JSON object per event,
///     plus "\n":
///     {"type":"vertex","vertex":"sha256:…","number":3,"name":"[2/3] RUN …","state":"started"
///     | "done" | "cached" | "error" | "canceled","started":UNIX_SECONDS,"completed":UNIX_SECONDS
///     or null,"duration":SECONDS or null,"error":"…" (state "error" only)};
///     {"type":"status","vertex":…,"number":3,"id":"sha256:…" | "transferring context:",
///     "name":…,"current":INT,"total":INT (0 = unknown),"completed":BOOL};
///     {"type":"log","vertex":…,"number":3,"stream":"stdout" | "stderr","text":"…"} (a chunk:
///     not always whole lines);
///     {"type":"warning","vertex":… or null,"number":… or null,"level":INT,"short":"…",
///     "detail":["…"],"url":"…"};
///     {"type":"image","id":"sha256:…"}; {"type":"output","text":"…"} (plain text lines of the
///     stream); {"type":"error","message":"…","vertex":…,"number":…,"name":…,
///     "last_output":["…"]} (before a failed build returns).
///   - "text": classic: what `DOCKER_BUILDKIT=0 docker build` prints into a pipe, the
///     "Sending build context to Docker daemon  …" line included. BuildKit: what
///     `docker buildx build --progress=plain` prints ("#3 [2/3] RUN …", `"#3 0.212 <output>"`,
///     "#3 CACHED", "#3 DONE 0.4s", "#3 ERROR: …", and the box with the failed step's last
///     output), one vertex's lines kept together; each call carries the lines of one update.
///   - "raw": the daemon's messages as received, plus "\n" (for BuildKit the
///     {"id":"moby.buildkit.trace","aux":BASE64_PROTOBUF} messages themselves).
/// - "aggregate": true adds overall pull progress in "json" mode (classic builder only; BuildKit
///   reports its own counters as "status" events and refuses it).
/// - "inactivity_timeout_ms": integer, the longest silence allowed between two reads of the
///   daemon's answer (0 = none; default: the client's). A long silent RUN step needs it large.
///
/// Every option is checked before anything is sent; an option the daemon's API version lacks
/// is refused (DC_UNSUPPORTED, naming the option and the version it needs), never dropped.
///
/// `progress_cb` (may be NULL) receives the progress, one message per call, and returns 0 to go
/// on or non-zero to stop (the build then returns DC_CANCELLED and the connection is closed;
/// the daemon cancels the build; the client stays usable). Both callbacks run on the calling
/// thread and must not re-enter dc_image_build with the same read_userdata or progress_userdata.
///
/// A build error (a RUN step that fails, an unknown instruction, a base image that cannot be
/// pulled) arrives inside the daemon's stream and is returned as a failure with the daemon's
/// message, never as success. For BuildKit the message goes on with the failed step's name and
/// its last output lines, as buildx shows them; dc_error_json's "daemon_message" keeps the
/// daemon's words alone.
///
/// On success *out_json receives {"id": "sha256:…", "tags": ["app:latest", …],
/// "warnings": ["[Warning] …", …]}: the image ID (null for a "tar", "local" or "cacheonly" output), the
/// names applied (as the daemon reports them, with the default tag), and the warning lines of
/// the build output. Free it with
/// dc_string_free(). On failure *out_json is NULL.
///
/// Statuses: DC_INVALID_ARGUMENT (NULL client or out_json, bad JSON, unknown key, wrong type,
/// two context sources or none, "context_dir" not a directory, a Dockerfile that is a
/// directory, a malformed `.dockerignore` pattern (the error names the line), negative "memory"
/// or "shm_size", an invalid tag, a context file that cannot be read; also the daemon's own
/// refusal of an option, with its message), DC_NOT_FOUND
/// ("context_dir" or the Dockerfile does not exist; a base image the registry does not have),
/// DC_UNSUPPORTED (BuildKit on a daemon without it, an option newer than the daemon, an option
/// the chosen builder cannot honour, "squash", "security_opt" or "isolation" where the daemon
/// cannot), DC_UNAUTHORIZED (the registry refused the credentials for a base
/// image), DC_STREAM_ERROR (the build failed: the error carries the daemon's message, e.g.
/// "The command '/bin/sh -c false' returned a non-zero code: 1"), DC_SERVER_ERROR, DC_CANCELLED,
/// DC_TRANSPORT (also: the stream ended without naming the image built), DC_TIMEOUT.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn dc_image_build(
    client: *const dc_client,
    options_json: *const c_char,
    context_read_cb: dc_read_cb,
    read_userdata: *mut c_void,
    progress_cb: dc_write_cb,
    progress_userdata: *mut c_void,
    out_json: *mut *mut c_char,
    err: *mut *mut dc_error,
) -> dc_status {
    guard(err, || {
        clear_out(out_json, "out_json")?;
        let c = client_ref(client)?;
        // SAFETY: NULL or a NUL-terminated string from the caller.
        let (opts, cancel): (BuildOptions, _) = unsafe { options_with_cancel(options_json, "build options") }?;
        let c = &bound(c, cancel);
        let callbacks = Callbacks {
            read: context_read_cb,
            read_userdata,
            progress: progress_cb,
            progress_userdata,
            ..Callbacks::default()
        };
        let result = with_io(callbacks, |io| build::build(c, &opts, io))?;
        set_out(out_json, result.to_json())
    })
}
