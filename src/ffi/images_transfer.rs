//! Pull and push: `dc_image_pull`, `dc_image_push`.

use std::ffi::{c_char, c_void};

use super::callbacks::{dc_write_cb, with_io, Callbacks};
use super::client::{client_ref, dc_client};
use super::error_object::dc_error;
use super::guard::guard;
use super::status::dc_status;
use super::cancel::bound;
use super::strings::{clear_out, options_with_cancel, req_str, set_out};
use crate::images::pull::{pull, PullOptions};
use crate::images::push::{push, PushOptions};

/// Pulls an image from its registry (POST /images/create), reporting progress as it happens.
///
/// options_json (JSON object):
/// - "image" (required): "name", "name:tag" or "name@sha256:…", with or without a registry
///   host ("busybox", "127.0.0.1:5000/app:1"). Without tag or digest, "latest" is pulled
///   (never every tag).
/// - "tag": a tag or digest, for an "image" given without one.
/// - "all_tags": true pulls every tag of the repository ("image" without tag, no "tag").
/// - "platform": "os[/arch[/variant]]" (API 1.32+; older daemons: DC_UNSUPPORTED).
/// - "auth": {"username", "password", "email", "serveraddress", "identitytoken",
///   "registrytoken"}, sent as X-Registry-Auth (base64url JSON). Without it, the credentials
///   the docker config holds for the image's registry are used, found as the docker CLI finds
///   them ($DOCKER_CONFIG/config.json, else ~/.docker/config.json: "auths", "credsStore",
///   "credHelpers" with `docker-credential-<name>` on PATH); none found = anonymous.
/// - "progress": "json" (default): each call of `progress_cb` carries one daemon message, one
///   line of JSON plus "\n", as received. "text": what `docker pull` prints into a pipe
///   ("`<layer>`: Pull complete", "Digest: …", "Status: …").
/// - "aggregate": true (JSON mode) adds after each update that changes them one message
///   {"aggregate": {"current", "total", "layers", "layers_done", "total_final",
///   "extract_current", "extract_total"}} with the overall bytes done and known total over all
///   layers; "current" never goes backwards and ends equal to "total"; "total_final" is true
///   once "total" cannot grow any more (a percentage never goes back from then on);
///   "extract_*" are the unpacking phase. dc_progress_parse() reads it without a JSON parser.
///   With "progress": "text" or "raw", "aggregate" is refused (DC_INVALID_ARGUMENT).
/// - "inactivity_timeout_ms": longest silence between two reads of the stream (0 = none;
///   default: the client's).
///
/// `progress_cb` may be NULL (no progress). It runs on the calling thread and must not re-enter
/// this operation. Returning non-zero stops the pull at once: the connection is closed and the
/// call returns DC_CANCELLED; the client stays usable.
///
/// On success *out_json receives {"reference": "127.0.0.1:5000/app:1", "digest":
/// "sha256:…", "id": "sha256:…", "new": true} (the reference pulled; the manifest digest; the
/// local image ID; whether a newer image was downloaded rather than already up to date).
/// "digest" and "id" are null with "all_tags". Free it with dc_string_free().
///
/// Statuses: DC_INVALID_ARGUMENT (NULL client or out_json, bad JSON, unknown key, a
/// malformed reference, tag or platform, an "auth" object with unknown keys, a docker config
/// file that is not valid: the message names the file), DC_UNSUPPORTED, DC_UNAUTHORIZED
/// (credentials missing or refused; the message is the daemon's), DC_NOT_FOUND (no such
/// repository, tag or manifest), DC_STREAM_ERROR (another error reported inside the stream),
/// DC_SERVER_ERROR (e.g. the registry cannot be reached), DC_TRANSPORT (including a stream that
/// ended before the daemon's final status), DC_TIMEOUT, DC_CANCELLED.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn dc_image_pull(
    client: *const dc_client,
    options_json: *const c_char,
    progress_cb: dc_write_cb,
    progress_userdata: *mut c_void,
    out_json: *mut *mut c_char,
    err: *mut *mut dc_error,
) -> dc_status {
    guard(err, || {
        clear_out(out_json, "out_json")?;
        let c = client_ref(client)?;
        // SAFETY: NULL or a NUL-terminated string from the caller.
        let (opts, cancel): (PullOptions, _) = unsafe { options_with_cancel(options_json, "pull options") }?;
        let c = &bound(c, cancel);
        let progress = Callbacks { progress: progress_cb, progress_userdata, ..Callbacks::default() };
        let result = with_io(progress, |io| pull(c, &opts, io))?;
        set_out(out_json, result.to_json())
    })
}

/// Pushes a local image to its registry (POST /images/{name}/push), reporting progress as it
/// happens.
///
/// name: the image, "repo" or "repo:tag" with the registry host in it
/// ("127.0.0.1:5000/app:1"); a digest cannot be pushed.
///
/// options_json (JSON object; NULL or "" for defaults):
/// - "tag": the tag to push, for a name without one (default "latest"; never every tag).
/// - "all_tags": true pushes every local tag of the repository (name without tag, no "tag").
/// - "platform": "os[/arch[/variant]]", the variant of a multi-platform image to push (API
///   1.46+; older daemons: DC_UNSUPPORTED).
/// - "auth", "progress", "aggregate", "inactivity_timeout_ms": as for dc_image_pull (text mode
///   prints what `docker push` prints into a pipe).
///
/// `progress_cb` may be NULL and behaves as for dc_image_pull (non-zero stops the push:
/// DC_CANCELLED, connection closed, client usable).
///
/// On success *out_json receives {"tag": "1", "digest": "sha256:…", "size": 527, "pushed":
/// [{"tag", "digest", "size"}, …]} from the stream's final aux message(s): the manifest
/// pushed, and every tag pushed (several with "all_tags"; the top-level fields are the last
/// one's). Free it with dc_string_free().
///
/// Statuses: DC_INVALID_ARGUMENT (NULL client, name or out_json, bad JSON, unknown key, a
/// malformed name or tag, conflicting tags, a digest, an "auth" object with unknown keys, an
/// invalid docker config file), DC_UNSUPPORTED, DC_NOT_FOUND (no such local image or tag),
/// DC_UNAUTHORIZED, DC_STREAM_ERROR, DC_SERVER_ERROR, DC_TRANSPORT (including a stream that
/// ended before the final aux message), DC_TIMEOUT, DC_CANCELLED.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn dc_image_push(
    client: *const dc_client,
    name: *const c_char,
    options_json: *const c_char,
    progress_cb: dc_write_cb,
    progress_userdata: *mut c_void,
    out_json: *mut *mut c_char,
    err: *mut *mut dc_error,
) -> dc_status {
    guard(err, || {
        clear_out(out_json, "out_json")?;
        let c = client_ref(client)?;
        // SAFETY: NULL or NUL-terminated strings from the caller.
        let name = unsafe { req_str(name, "image name") }?;
        // SAFETY: as above.
        let (opts, cancel): (PushOptions, _) = unsafe { options_with_cancel(options_json, "push options") }?;
        let c = &bound(c, cancel);
        let progress = Callbacks { progress: progress_cb, progress_userdata, ..Callbacks::default() };
        let result = with_io(progress, |io| push(c, name, &opts, io))?;
        set_out(out_json, result.to_json())
    })
}
