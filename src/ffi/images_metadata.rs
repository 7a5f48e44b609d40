//! Image calls that answer with JSON: `dc_image_list`, `dc_image_inspect`, `dc_image_history`,
//! `dc_image_tag`, `dc_image_remove`, `dc_image_prune`, `dc_image_search`,
//! `dc_image_distribution`, `dc_image_commit`, `dc_image_attestations`, `dc_build_prune`.

use std::ffi::c_char;

use serde::de::DeserializeOwned;

use super::client::{client_ref, dc_client};
use super::error_object::dc_error;
use super::guard::guard;
use super::status::dc_status;
use super::cancel::bound;
use super::strings::{clear_out, options_with_cancel, req_str, set_out};
use crate::client::RawJson;
use crate::error::Result;
use crate::images::{
    attestations, build_prune, commit, distribution, history, inspect, list, prune, remove, search, tag,
};
use crate::Client;

/// Checks `out_json` and the client, parses the options, runs `f`, hands its JSON out.
fn options_call<T: DeserializeOwned + Default>(
    client: *const dc_client,
    options_json: *const c_char,
    what: &str,
    out_json: *mut *mut c_char,
    f: impl FnOnce(&Client, &T) -> Result<RawJson>,
) -> Result<()> {
    clear_out(out_json, "out_json")?;
    let c = client_ref(client)?;
    // SAFETY: NULL or a NUL-terminated string from the caller.
    let (opts, cancel): (T, _) = unsafe { options_with_cancel(options_json, what) }?;
    set_out(out_json, f(&bound(c, cancel), &opts)?.into_string())
}

/// As [`options_call`], for calls on one image `name`.
fn named_call<T: DeserializeOwned + Default>(
    client: *const dc_client,
    name: *const c_char,
    options_json: *const c_char,
    what: &str,
    out_json: *mut *mut c_char,
    f: impl FnOnce(&Client, &str, &T) -> Result<RawJson>,
) -> Result<()> {
    options_call(client, options_json, what, out_json, |c, opts: &T| {
        // SAFETY: NULL or a NUL-terminated string from the caller.
        let name = unsafe { req_str(name, "image name") }?;
        f(c, name, opts)
    })
}

/// Lists local images (GET /images/json).
///
/// options_json: NULL or "" for defaults, else a JSON object:
/// - "all": true also lists intermediate images.
/// - "filters": {"before": [...], "dangling": ["true"|"false"], "label": ["key" | "key=value"],
///   "reference": ["name[:tag]" pattern], "since": [...], "until": [timestamp or duration]},
///   each an array of strings. "before"/"since" need API 1.24, "label" 1.18. Before API 1.25
///   one "reference" is sent as the daemon's legacy "filter" parameter.
/// - "filter": the legacy single name filter of daemons up to API 1.40 (DC_UNSUPPORTED from
///   1.41 on; use "filters": {"reference": [...]}).
/// - "digests": true includes RepoDigests (API 1.18+).
/// - "shared_size": true computes SharedSize (API 1.42+).
/// - "manifests": true includes Manifests (API 1.47+).
/// - "identity": true includes Identity in each manifest (API 1.54+; needs "manifests").
///
/// On success *out_json receives the daemon's JSON array verbatim (fields unknown to this
/// library included); free it with dc_string_free().
///
/// Statuses: DC_INVALID_ARGUMENT (NULL client or out_json, bad JSON, options not an object,
/// unknown key, wrong type, a filter value the daemon would refuse), DC_UNSUPPORTED (an option
/// or filter the daemon's API version lacks: the message names it and the version it needs;
/// nothing but the version negotiation is sent), DC_SERVER_ERROR, DC_TRANSPORT, DC_TIMEOUT.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn dc_image_list(
    client: *const dc_client,
    options_json: *const c_char,
    out_json: *mut *mut c_char,
    err: *mut *mut dc_error,
) -> dc_status {
    guard(err, || options_call(client, options_json, "list options", out_json, list::list))
}

/// Inspects one image (GET /images/{name}/json).
///
/// name: an image name, reference or ID ("busybox", "127.0.0.1:5000/app:1", "sha256:…").
/// It is escaped as one URL path segment: "?", "#", "%" and spaces cannot change the request,
/// and "." or ".." segments are refused (DC_INVALID_ARGUMENT), so no name reaches another
/// endpoint.
///
/// options_json: NULL or "" for defaults, else a JSON object:
/// - "manifests": true includes Manifests (API 1.48+).
/// - "platform": "os/arch[/variant]" inspects that variant of a multi-platform image (API
///   1.49+). Not together with "manifests".
///
/// On success *out_json receives the daemon's JSON object verbatim. Daemons older than API
/// 1.12 answered with lower-case keys ("id", "parent", "container_config", …); that shape is
/// converted to the modern one ("Id", "Parent", "ContainerConfig", …), other keys kept. Free
/// it with dc_string_free().
///
/// Statuses: DC_INVALID_ARGUMENT (NULL client, name or out_json, an empty, over-long (> 4096
/// bytes) or non-UTF-8 name, bad options), DC_UNSUPPORTED, DC_NOT_FOUND (no such image),
/// DC_SERVER_ERROR, DC_TRANSPORT, DC_TIMEOUT.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn dc_image_inspect(
    client: *const dc_client,
    name: *const c_char,
    options_json: *const c_char,
    out_json: *mut *mut c_char,
    err: *mut *mut dc_error,
) -> dc_status {
    guard(err, || named_call(client, name, options_json, "inspect options", out_json, inspect::inspect))
}

/// The layers an image was built from (GET /images/{name}/history).
///
/// name: as for dc_image_inspect.
/// options_json: NULL or "" for defaults, else {"platform": "os/arch[/variant]"} (API 1.48+).
///
/// On success *out_json receives the daemon's JSON array verbatim ({"Id", "Created",
/// "CreatedBy", "Tags", "Size", "Comment"} per layer, newest first); free it with
/// dc_string_free().
///
/// Statuses: DC_INVALID_ARGUMENT, DC_UNSUPPORTED, DC_NOT_FOUND, DC_SERVER_ERROR,
/// DC_TRANSPORT, DC_TIMEOUT.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn dc_image_history(
    client: *const dc_client,
    name: *const c_char,
    options_json: *const c_char,
    out_json: *mut *mut c_char,
    err: *mut *mut dc_error,
) -> dc_status {
    guard(err, || named_call(client, name, options_json, "history options", out_json, history::history))
}

/// Gives image `name` another name (POST /images/{name}/tag).
///
/// name: the image to tag, as for dc_image_inspect.
/// options_json (JSON object, required):
/// - "repo" (required): the new repository, "name", "host:port/name", optionally with ":tag".
/// - "tag": the new tag (default: the tag in "repo", else "latest").
///
/// A target with a digest ("repo@sha256:…", or a digest as "tag") is refused before anything
/// is sent: a digest names content and cannot be assigned. "repo" and "tag" naming different
/// tags is refused too.
///
/// Nothing is returned on success.
///
/// Statuses: DC_INVALID_ARGUMENT (NULL client or name, bad name, missing or invalid "repo",
/// bad or conflicting "tag", a digest target), DC_NOT_FOUND (no such image), DC_CONFLICT,
/// DC_SERVER_ERROR, DC_TRANSPORT, DC_TIMEOUT.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn dc_image_tag(
    client: *const dc_client,
    name: *const c_char,
    options_json: *const c_char,
    err: *mut *mut dc_error,
) -> dc_status {
    guard(err, || {
        let c = client_ref(client)?;
        // SAFETY: NULL or NUL-terminated strings from the caller.
        let name = unsafe { req_str(name, "image name") }?;
        // SAFETY: as above.
        let (opts, cancel): (tag::TagOptions, _) = unsafe { options_with_cancel(options_json, "tag options") }?;
        tag::tag(&bound(c, cancel), name, &opts)
    })
}

/// Removes an image or one of its tags (DELETE /images/{name}).
///
/// name: as for dc_image_inspect (a tag removes that tag; an ID the image).
/// options_json: NULL or "" for defaults, else a JSON object:
/// - "force": true removes even if stopped containers use the image or it has several tags.
/// - "noprune": true keeps untagged parent images.
/// - "platforms": "os/arch[/variant]" or an array of them: remove only these variants of a
///   multi-platform image (API 1.50+).
///
/// On success *out_json receives the daemon's JSON array verbatim: [{"Untagged": "name:tag"},
/// {"Deleted": "sha256:…"}, …]. Free it with dc_string_free().
///
/// Statuses: DC_INVALID_ARGUMENT, DC_UNSUPPORTED, DC_NOT_FOUND (no such image), DC_CONFLICT
/// (a container uses the image, or it is referenced by several tags and "force" was not given;
/// the message is the daemon's), DC_SERVER_ERROR, DC_TRANSPORT, DC_TIMEOUT.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn dc_image_remove(
    client: *const dc_client,
    name: *const c_char,
    options_json: *const c_char,
    out_json: *mut *mut c_char,
    err: *mut *mut dc_error,
) -> dc_status {
    guard(err, || named_call(client, name, options_json, "remove options", out_json, remove::remove))
}

/// Removes unused images (POST /images/prune; API 1.25+).
///
/// options_json: NULL or "" for defaults (dangling images only), else
/// {"filters": {"dangling": ["true"|"false"], "until": [timestamp or duration],
/// "label": ["key" | "key=value"], "label!": ["key" | "key=value"]}}, each an array of strings
/// ("dangling": ["false"] prunes every unused image; "label"/"label!" need API 1.29).
///
/// On success *out_json receives the daemon's answer verbatim: {"ImagesDeleted":
/// [{"Untagged": …} | {"Deleted": …}, …] or null, "SpaceReclaimed": bytes}. Free it with
/// dc_string_free().
///
/// Statuses: DC_INVALID_ARGUMENT, DC_UNSUPPORTED, DC_CONFLICT (a prune is already running),
/// DC_SERVER_ERROR, DC_TRANSPORT, DC_TIMEOUT.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn dc_image_prune(
    client: *const dc_client,
    options_json: *const c_char,
    out_json: *mut *mut c_char,
    err: *mut *mut dc_error,
) -> dc_status {
    guard(err, || options_call(client, options_json, "prune options", out_json, prune::prune))
}

/// Searches a registry's index through the daemon (GET /images/search).
///
/// options_json (JSON object, required):
/// - "term" (required): what to search for. A term whose first component is a host
///   ("127.0.0.1:5000/name", "registry.example.com/x", "localhost/x") searches that registry,
///   anything else Docker Hub. The term is form-encoded: it cannot add query parameters.
/// - "limit": 1 to 100 results (API 1.24+; the daemon's default is 25).
/// - "filters": {"is-official": ["true"|"false"], "is-automated": ["true"|"false"],
///   "stars": ["N"]} (API 1.24+), applied by the daemon.
/// - "auth": {"username", "password", "email", "serveraddress", "identitytoken",
///   "registrytoken"}: credentials for the searched registry, sent as X-Registry-Auth
///   (base64url JSON). Without it, those the docker config holds for that registry are used
///   (as for dc_image_pull); none = anonymous.
///
/// On success *out_json receives the daemon's JSON array verbatim: [{"name", "description",
/// "star_count", "is_official", "is_automated"}, …]. Free it with dc_string_free().
///
/// Statuses: DC_INVALID_ARGUMENT (also for an invalid docker config file, named in the
/// message), DC_UNSUPPORTED, DC_UNAUTHORIZED, DC_SERVER_ERROR (e.g. the registry cannot be
/// reached), DC_TRANSPORT, DC_TIMEOUT.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn dc_image_search(
    client: *const dc_client,
    options_json: *const c_char,
    out_json: *mut *mut c_char,
    err: *mut *mut dc_error,
) -> dc_status {
    guard(err, || options_call(client, options_json, "search options", out_json, search::search))
}

/// Asks the image's registry, through the daemon, for the manifest descriptor and platforms of
/// a reference (GET /distribution/{name}/json; API 1.30+).
///
/// name: a reference with its registry ("127.0.0.1:5000/app:1", "name@sha256:…"); escaped as
/// for dc_image_inspect and parsed as a reference (an invalid one is DC_INVALID_ARGUMENT).
/// options_json: NULL or "" for defaults, else {"auth": {…}} with credentials for the
/// reference's registry, as for dc_image_search (default: from the docker config).
///
/// On success *out_json receives the daemon's JSON verbatim: {"Descriptor": {"mediaType",
/// "digest", "size"}, "Platforms": [{"architecture", "os", …}]}. Free it with
/// dc_string_free().
///
/// Statuses: DC_INVALID_ARGUMENT, DC_UNSUPPORTED, DC_UNAUTHORIZED (credentials missing or
/// refused: the daemon reports that as HTTP 500 or 401 with the registry's message, which
/// decides the class), DC_NOT_FOUND (no such repository, tag or manifest), DC_SERVER_ERROR
/// (the registry cannot be reached), DC_TRANSPORT, DC_TIMEOUT.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn dc_image_distribution(
    client: *const dc_client,
    name: *const c_char,
    options_json: *const c_char,
    out_json: *mut *mut c_char,
    err: *mut *mut dc_error,
) -> dc_status {
    guard(err, || named_call(client, name, options_json, "distribution options", out_json, distribution::distribution))
}

/// Creates an image from a container's changes (POST /commit).
///
/// options_json (JSON object, required):
/// - "container" (required): the container's name or ID.
/// - "repo": repository of the new image, optionally with ":tag" (no digest).
/// - "tag": its tag (needs "repo"; default: the tag in "repo", else "latest").
/// - "comment": commit message.
/// - "author": author, e.g. `"Jane Doe <jane@example.com>"`.
/// - "pause": false commits without pausing the container (the daemon's default is true;
///   API 1.13+).
/// - "changes": Dockerfile instructions to apply, a string or an array of strings
///   (["ENV A=b", "CMD [\"sh\"]"]; API 1.18+).
/// - "config": an object, the container configuration to give the image (the daemon's
///   ContainerConfig: "Env", "Cmd", "Labels", …).
///
/// On success *out_json receives the daemon's answer verbatim, {"Id": "sha256:…"}: the new
/// image's ID. Free it with dc_string_free().
///
/// Statuses: DC_INVALID_ARGUMENT (also for an instruction the daemon cannot parse),
/// DC_UNSUPPORTED, DC_NOT_FOUND (no such container), DC_CONFLICT, DC_SERVER_ERROR,
/// DC_TRANSPORT, DC_TIMEOUT.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn dc_image_commit(
    client: *const dc_client,
    options_json: *const c_char,
    out_json: *mut *mut c_char,
    err: *mut *mut dc_error,
) -> dc_status {
    guard(err, || options_call(client, options_json, "commit options", out_json, commit::commit))
}

/// Lists the in-toto attestations (provenance, SBOM) attached to a local image, for one
/// platform (GET /images/{name}/attestations; API 1.55+).
///
/// name: the image's name, reference or ID, escaped as for dc_image_inspect.
/// options_json: NULL or "" for defaults, else a JSON object:
/// - "platform": "os[/arch[/variant]]" (default: the daemon's own platform).
/// - "type": ["https://slsa.dev/provenance/v0.2", "https://spdx.dev/Document", …]: only
///   statements of these predicate types.
/// - "statement": true includes each statement's body (default: descriptors and types only).
///
/// On success *out_json receives the daemon's JSON array verbatim: [{"Descriptor": {…},
/// "PredicateType": "…", "Statement": {…}}, …], [] when the image has none. Free it with
/// dc_string_free().
///
/// Statuses: DC_INVALID_ARGUMENT (bad name, platform or options), DC_UNSUPPORTED (API before
/// 1.55, checked before any request; a daemon whose image store keeps no attestations, i.e.
/// not the containerd store, answering 501), DC_NOT_FOUND (no such image, or no variant for
/// the platform), DC_SERVER_ERROR, DC_TRANSPORT, DC_TIMEOUT.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn dc_image_attestations(
    client: *const dc_client,
    name: *const c_char,
    options_json: *const c_char,
    out_json: *mut *mut c_char,
    err: *mut *mut dc_error,
) -> dc_status {
    guard(err, || named_call(client, name, options_json, "attestations options", out_json, attestations::attestations))
}

/// Removes build cache (POST /build/prune; API 1.31+), as `docker builder prune` does. It
/// frees what both builders left: the classic builder's intermediate layers are images (see
/// dc_image_prune), BuildKit's cache records are removed here.
///
/// options_json: NULL or "" for defaults (unused cache records only, none kept), else:
/// - "all": true also removes cache that is shared or internal, not only dangling records
///   (API 1.39+).
/// - "filters" (API 1.39+): {"until": ["24h" or a timestamp], "id": [prefix], "parent": [id],
///   "type": ["regular"|"source.local"|"exec.cachemount"|…], "description": [text]}, one
///   value each (the daemon refuses more); and the flags "inuse", "shared", "private", given
///   as [] (a value is DC_INVALID_ARGUMENT: the daemon would match nothing).
/// - "keep_storage": bytes of cache to keep (API 1.39+; sent as "reserved-space" from 1.48,
///   where the daemon renamed it).
/// - "reserved_space", "max_used_space", "min_free_space": bytes (API 1.48+).
///
/// On success *out_json receives the daemon's answer verbatim: {"CachesDeleted": [id, …] or
/// null, "SpaceReclaimed": bytes}. Free it with dc_string_free().
///
/// Statuses: DC_INVALID_ARGUMENT ("keep_storage" with "reserved_space"; a filter with two
/// values), DC_UNSUPPORTED (an option the API version lacks, before any request),
/// DC_SERVER_ERROR, DC_TRANSPORT, DC_TIMEOUT.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn dc_build_prune(
    client: *const dc_client,
    options_json: *const c_char,
    out_json: *mut *mut c_char,
    err: *mut *mut dc_error,
) -> dc_status {
    guard(err, || options_call(client, options_json, "build prune options", out_json, build_prune::build_prune))
}
