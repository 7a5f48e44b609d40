//! Which builder runs a build, and what changes when it is BuildKit (`POST /build?version=2`,
//! the context uploaded as a tar, a session when one is needed).
//!
//! - The builder: `"version": "1"` classic, `"2"` BuildKit, `"auto"` (the default) BuildKit
//!   where the daemon's `/_ping` says `Builder-Version: 2` — Engine 23+ on Linux, or 20.10 with
//!   `"features": {"buildkit": true}` — as the docker CLI decides. BuildKit needs API 1.38 and a
//!   Linux daemon (Windows daemons have only the classic builder).
//! - Options BuildKit would silently ignore are refused, never dropped: the classic builder's
//!   resource limits (`memory`, `memswap`, `cpu_*`, `cpuset_*`, `cgroup_parent`), `rm: false`
//!   (BuildKit makes no intermediate containers to keep), a non-default `isolation`;
//!   `shm_size` and `ulimits` reach BuildKit only from API 1.42 (Engine 23); `network_mode`
//!   other than `host`, `none` or `default` is refused by the daemon itself. Registry
//!   credentials (`auth_configs`, or the docker config's) and `tar` outputs go through a
//!   session (see `session`), and so do `tar` and `local` outputs.
//! - A BuildKit build has an ID (`buildid`); when the caller stops it (or a time limit does)
//!   the library asks the daemon to cancel it (`POST /build/cancel`), so no build is left
//!   running there.

use std::time::Duration;

use super::options::{builder_of, BuildOptions, Builder};
use crate::client::{ApiVersion, Body, Call, Client, Query};
use crate::error::{Error, Result, Status};

/// First API version with BuildKit builds (Engine 18.06).
pub const BUILDKIT_MIN: ApiVersion = ApiVersion::new(1, 38);
/// First API version whose BuildKit reads `shmsize` and `ulimits` (Engine 23.0).
pub const BUILDKIT_LIMITS_MIN: ApiVersion = ApiVersion::new(1, 42);
/// First API version with the `buildid` parameter.
pub const BUILD_ID_MIN: ApiVersion = ApiVersion::new(1, 33);

/// The builder this build runs on: `Classic` or `BuildKit`, never `Auto`.
pub fn choose(client: &Client, opts: &BuildOptions) -> Result<Builder> {
    let limits = opts.inactivity_timeout_ms.map(Duration::from_millis);
    match builder_of(opts.version.as_ref())? {
        Builder::Classic => Ok(Builder::Classic),
        Builder::Auto => {
            let have = client.api_version()?;
            if have < BUILDKIT_MIN {
                return Ok(Builder::Classic);
            }
            let daemon = client.daemon_traits(None, limits)?;
            Ok(match daemon.builder_version.as_deref() {
                Some("2") => Builder::BuildKit,
                _ => Builder::Classic,
            })
        }
        Builder::BuildKit => {
            client.require("build option \"version\" \"2\" (BuildKit)", BUILDKIT_MIN)?;
            let daemon = client.daemon_traits(None, limits)?;
            if daemon.os_type.as_deref().is_some_and(|os| os.eq_ignore_ascii_case("windows")) {
                return Err(unsupported(
                    "build option \"version\" \"2\": BuildKit runs only on Linux daemons; this one runs windows",
                ));
            }
            Ok(Builder::BuildKit)
        }
    }
}

fn unsupported(message: impl Into<String>) -> Error {
    Error::new(Status::Unsupported, message)
}

/// Refuses what BuildKit would not honour (see the module documentation); `builder` is the
/// chosen one. Options only BuildKit reads are refused for the classic builder.
pub fn check_options(client: &Client, opts: &BuildOptions, builder: Builder) -> Result<()> {
    if builder != Builder::BuildKit {
        // (auth_configs is the classic builder's own: X-Registry-Config.)
        let session_only = opts.secrets.as_ref().is_some_and(|s| !s.is_empty())
            || opts.ssh.as_ref().is_some_and(|s| !s.is_empty())
            || matches!(opts.output_type().as_deref(), Some("tar") | Some("local"));
        if opts.session_choice()? == Some(true) || session_only {
            return Err(unsupported(
                "build options \"secrets\", \"ssh\", a \"tar\" output and \"session\" need BuildKit; this build runs on the classic builder \
                 (give \"version\": \"2\")",
            ));
        }
        if opts.build_id.is_some() {
            return Err(unsupported(
                "build option \"build_id\" names a BuildKit build; this build runs on the classic builder \
                 (give \"version\": \"2\")",
            ));
        }
        return Ok(());
    }
    check_without_daemon(opts)?;
    if opts.shm_size.is_some() {
        client.require("build option \"shm_size\" with BuildKit", BUILDKIT_LIMITS_MIN)?;
    }
    if opts.ulimits.is_some() {
        client.require("build option \"ulimits\" with BuildKit", BUILDKIT_LIMITS_MIN)?;
    }
    if opts.build_id.is_some() {
        client.require("build option \"build_id\"", BUILD_ID_MIN)?;
    }
    Ok(())
}

/// What [`check_options`] refuses for BuildKit without asking the daemon anything (for a build
/// that asks for BuildKit explicitly, checked before any request).
pub fn check_without_daemon(opts: &BuildOptions) -> Result<()> {
    let refuse = |key: &str, why: &str| Err(unsupported(format!("build option \"{key}\" {why} with BuildKit (\"version\": \"2\")")));
    for (key, given) in [
        ("memory", opts.memory.is_some()),
        ("memswap", opts.memswap.is_some()),
        ("cpu_shares", opts.cpu_shares.is_some()),
        ("cpuset_cpus", opts.cpuset_cpus.is_some()),
        ("cpuset_mems", opts.cpuset_mems.is_some()),
        ("cpu_period", opts.cpu_period.is_some()),
        ("cpu_quota", opts.cpu_quota.is_some()),
        ("cgroup_parent", opts.cgroup_parent.is_some()),
    ] {
        if given {
            return refuse(key, "is a classic-builder limit that BuildKit ignores; it cannot be applied");
        }
    }
    if opts.rm == Some(false) {
        return refuse("rm", "false keeps intermediate containers; BuildKit makes none, so it cannot be honoured");
    }
    if opts.isolation.as_deref().is_some_and(|i| !i.eq_ignore_ascii_case("default")) {
        return refuse("isolation", "is ignored");
    }
    if let Some(mode) = opts.network_mode.as_deref()
        && !["host", "none", "default"].contains(&mode)
    {
        return Err(unsupported(format!(
            "build option \"network_mode\" \"{}\" is not supported by BuildKit, which takes \"host\", \"none\" or \"default\"",
            mode.escape_debug()
        )));
    }
    if opts.auth_configs.is_some() && opts.session_choice()? == Some(false) {
        return refuse(
            "auth_configs",
            "cannot be used with \"session\": false: without a session the daemon pulls base images anonymously",
        );
    }
    if opts.aggregate {
        return refuse("aggregate", "does not apply: BuildKit reports its own counters (\"type\": \"status\" events)");
    }
    if let Some(outputs) = &opts.outputs {
        if outputs.len() > 1 {
            return refuse("outputs", "takes one output");
        }
        let kind = opts.output_type().unwrap_or_default();
        match kind.as_str() {
            "moby" | "image" | "cacheonly" => {}
            "tar" | "local" => {
                if opts.tar_destination().is_none() && opts.local_destination().is_none() {
                    return Err(Error::invalid(format!(
                        "build option \"outputs\": a \"{kind}\" output needs \"Attrs\": {{\"dest\": \"<{}>\"}}",
                        if kind == "tar" { "file the archive is written to" } else { "directory the files are written to" }
                    )));
                }
                if opts.session_choice()? == Some(false) {
                    return Err(Error::invalid(format!(
                        "build option \"outputs\": a \"{kind}\" output comes back through a session; \"session\" is false"
                    )));
                }
            }
            _ => {
                return Err(unsupported(format!(
                    "build option \"outputs\": type \"{}\" is not supported (\"moby\", \"image\", \"cacheonly\", \"tar\" and \"local\" are)",
                    kind.escape_debug()
                )));
            }
        }
    }
    Ok(())
}

/// How long asking the daemon to cancel may take: after the caller stopped the build the daemon
/// is answering; after a time limit ended it the daemon may be the one that stopped answering,
/// and the caller is owed its DC_TIMEOUT promptly (the build also ends with its connection).
pub const CANCEL_LIMIT_MS: u64 = 2_000;
pub const CANCEL_AFTER_TIMEOUT_LIMIT_MS: u64 = 500;

/// Asks the daemon to stop the BuildKit build `id` (it answers 200 even for an unknown one),
/// waiting at most `limit_ms`. Best effort: the build is also cancelled when its connection
/// closes.
pub fn cancel(client: &Client, id: &str, limit_ms: u64) {
    let mut q = Query::new();
    q.push("id", id);
    let call = Call::post("/build/cancel").query(q).limits(Some(limit_ms), Some(limit_ms));
    if let Ok(r) = client.send(&call, Body::Empty) {
        r.discard();
    }
}
