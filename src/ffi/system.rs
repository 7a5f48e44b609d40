//! System calls: ping, version, info, registry login check, disk usage, events.

use std::ffi::{c_char, c_void};

use super::callbacks::{dc_write_cb, with_io, Callbacks};
use super::cancel::bound;
use super::client::{client_ref, dc_client};
use super::error_object::dc_error;
use super::guard::guard;
use super::status::dc_status;
use super::strings::{clear_out, options_arg, options_with_cancel, set_out};
use crate::auth::AuthConfig;
use crate::error::{Error, Result};
use crate::system::df::DfOptions;
use crate::system::events::EventsOptions;
use crate::{system, Client};

/// Checks `out_json` and the client, runs `f`, hands its JSON out.
fn json_out(client: *const dc_client, out_json: *mut *mut c_char, f: impl FnOnce(&Client) -> Result<String>) -> Result<()> {
    clear_out(out_json, "out_json")?;
    let c = client_ref(client)?;
    set_out(out_json, f(c)?)
}

/// Pings the daemon (HEAD /_ping, GET if HEAD is refused). *out_json receives
/// {"api_version": "1.41", "os_type": "linux", "experimental": false,
///  "builder_version": "1" or null} (values from the daemon's headers; null when absent).
/// Free it with dc_string_free(). Statuses: DC_TRANSPORT, DC_TIMEOUT, DC_SERVER_ERROR.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn dc_system_ping(
    client: *const dc_client,
    out_json: *mut *mut c_char,
    err: *mut *mut dc_error,
) -> dc_status {
    guard(err, || json_out(client, out_json, |c| system::ping(c).map(|p| p.to_json())))
}

/// GET /version: the daemon's answer, verbatim JSON. Free with dc_string_free().
/// Statuses: DC_INVALID_ARGUMENT (NULL client or out_json), DC_TRANSPORT, DC_TIMEOUT,
/// DC_SERVER_ERROR.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn dc_system_version(
    client: *const dc_client,
    out_json: *mut *mut c_char,
    err: *mut *mut dc_error,
) -> dc_status {
    guard(err, || json_out(client, out_json, |c| system::version(c).map(|j| j.into_string())))
}

/// GET /info: the daemon's answer, verbatim JSON. Free with dc_string_free().
/// Statuses: DC_INVALID_ARGUMENT (NULL client or out_json), DC_TRANSPORT, DC_TIMEOUT,
/// DC_SERVER_ERROR.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn dc_system_info(
    client: *const dc_client,
    out_json: *mut *mut c_char,
    err: *mut *mut dc_error,
) -> dc_status {
    guard(err, || json_out(client, out_json, |c| system::info(c).map(|j| j.into_string())))
}

/// POST /auth: asks the daemon to check registry credentials.
/// credentials_json: {"username", "password", "email", "serveraddress", "identitytoken",
/// "registrytoken"} (all strings, all optional; "serveraddress" names the registry, default
/// Docker Hub). *out_json receives the daemon's answer verbatim, e.g.
/// {"Status": "Login Succeeded", "IdentityToken": ""}. Free with dc_string_free().
/// NULL or "" credentials send an empty object (an anonymous check of Docker Hub).
/// Statuses: DC_UNAUTHORIZED for refused credentials (also when the daemon reports the
/// registry's refusal as HTTP 500), DC_INVALID_ARGUMENT (NULL client or out_json, bad JSON,
/// unknown key; no credential is ever quoted in a message), DC_SERVER_ERROR (the registry
/// cannot be reached), DC_TRANSPORT, DC_TIMEOUT.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn dc_system_auth(
    client: *const dc_client,
    credentials_json: *const c_char,
    out_json: *mut *mut c_char,
    err: *mut *mut dc_error,
) -> dc_status {
    guard(err, || {
        json_out(client, out_json, |c| {
            // SAFETY: NULL or a NUL-terminated string from the caller.
            let creds: AuthConfig = unsafe { options_arg(credentials_json, "credentials") }?;
            system::auth(c, &creds).map(|j| j.into_string())
        })
    })
}

/// Disk usage of the daemon's images, containers, volumes and build cache (GET /system/df;
/// API 1.25+), as `docker system df -v` shows it.
///
/// options_json: NULL or "" for defaults (every kind), else a JSON object:
/// - "type": ["image", "container", "volume", "build-cache"]: only these kinds (API 1.42+;
///   older daemons always compute all of them).
/// - "verbose": true lists each kind's items (API 1.52+, where the answer has one summary per
///   kind).
///
/// On success *out_json receives the daemon's JSON verbatim. Up to API 1.51: {"LayersSize",
/// "Images": [{"Id", "RepoTags", "Size", "SharedSize", "Containers", …}], "Containers",
/// "Volumes", "BuildCache": [{"ID", "Type", "Size", "InUse", "Shared", …}]}; from 1.52:
/// {"ImageUsage": {"ActiveCount", "TotalCount", "Reclaimable", "TotalSize", "Items"}, …}.
/// Free it with dc_string_free(). Computing sizes can take the daemon a while on a big store.
///
/// Statuses: DC_INVALID_ARGUMENT (an unknown kind), DC_UNSUPPORTED (an option the API
/// version lacks, before any request), DC_SERVER_ERROR, DC_TRANSPORT, DC_TIMEOUT.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn dc_system_df(
    client: *const dc_client,
    options_json: *const c_char,
    out_json: *mut *mut c_char,
    err: *mut *mut dc_error,
) -> dc_status {
    guard(err, || {
        json_out(client, out_json, |c| {
            // SAFETY: NULL or a NUL-terminated string from the caller.
            let (opts, cancel): (DfOptions, _) = unsafe { options_with_cancel(options_json, "disk usage options") }?;
            system::df::df(&bound(c, cancel), &opts).map(|j| j.into_string())
        })
    })
}

/// Follows the daemon's events (GET /events), as `docker events` does: each event is handed
/// to `event_cb` as it happens, one JSON object plus "\n" per call, as the daemon wrote it:
/// {"Type": "image", "Action": "pull", "Actor": {"ID": "…", "Attributes": {"name": …}},
/// "scope": "local", "time": seconds, "timeNano": nanoseconds, …}.
///
/// options_json: NULL or "" for defaults (every event from now on, until stopped), else:
/// - "since": replay kept events from this time on (the daemon keeps its last 256 events).
/// - "until": stop at this time; in the past, replays what was kept and returns at once.
///   Both take a Unix time ("1700000000", "1700000000.5"), a date or date-time
///   ("2024-05-01", "2024-05-01T10:30:00Z", with an offset or, without one, local time), or
///   a duration before now ("10m", "1h30m"), as the docker CLI does.
/// - "filters" (API 1.24+): {"type": ["image"], "event": ["pull", "tag", …], "image":
///   [name or ID], "label": ["key" | "key=value"], "container", "volume", "network",
///   "daemon", "plugin", "scope", "node", "service", "secret", "config"}, arrays of strings.
///   Without "type", every kind of event comes.
/// - "timeout_ms", "inactivity_timeout_ms": time limits of this call (0 = none; default: the
///   client's). The client's inactivity limit also applies: an event stream is silent between
///   events, so give "inactivity_timeout_ms": 0 (or a client without one) to follow events
///   indefinitely.
/// - "cancel": a token's id (dc_cancel_id) to stop the call from another thread.
///
/// The call returns DC_OK when the stream ends by itself ("until"), DC_CANCELLED when
/// `event_cb` returns non-zero or the cancel token is triggered; the connection is closed and
/// the client stays usable either way. It never reconnects: after an error, events may have
/// been missed, and the caller decides whether to call again with "since" set to the last
/// event's "time" (events at that second may then come twice) or to start over. Memory stays
/// bounded however long the stream runs.
///
/// `event_cb` (required) runs on the calling thread, must return, and must not re-enter
/// this call; `event_userdata` is passed to it.
///
/// Statuses: DC_INVALID_ARGUMENT (NULL client or event_cb, bad options, a time in no known
/// form), DC_UNSUPPORTED (filters before API 1.24), DC_CANCELLED, DC_TIMEOUT, DC_TRANSPORT,
/// DC_SERVER_ERROR.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn dc_system_events(
    client: *const dc_client,
    options_json: *const c_char,
    event_cb: dc_write_cb,
    event_userdata: *mut c_void,
    err: *mut *mut dc_error,
) -> dc_status {
    guard(err, || {
        let c = client_ref(client)?;
        // SAFETY: NULL or a NUL-terminated string from the caller.
        let (opts, cancel): (EventsOptions, _) = unsafe { options_with_cancel(options_json, "events options") }?;
        let callbacks = Callbacks { progress: event_cb, progress_userdata: event_userdata, ..Callbacks::default() };
        with_io(callbacks, |io| {
            let Some(on_event) = io.progress else {
                return Err(Error::invalid("event_cb is NULL: events need a callback to go to"));
            };
            system::events::events(&bound(c, cancel), &opts, on_event).map(|_| ())
        })
    })
}
