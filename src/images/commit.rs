//! `POST /commit`: makes an image from a container's changes; answers `{"Id": "sha256:…"}`,
//! passed through verbatim.
//!
//! The new name is checked as for tagging (see [`Target`]): no digest, a valid tag, no
//! disagreement between `repo` and `tag`.

use serde::Deserialize;

use crate::client::{ApiVersion, Body, Call, Client, Query, RawJson};
use crate::error::{Error, Result};
use crate::options::string_or_list;
use crate::images::tag::Target;

/// First API version with `pause`.
pub const PAUSE_MIN: ApiVersion = ApiVersion::new(1, 13);
/// First API version with `changes`.
pub const CHANGES_MIN: ApiVersion = ApiVersion::new(1, 18);
/// Longest container name or ID accepted.
pub const MAX_CONTAINER_LEN: usize = 4096;

/// Options of `POST /commit` (the JSON object `dc_image_commit` takes).
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CommitOptions {
    /// The container's name or ID (required).
    pub container: Option<String>,
    /// Repository of the new image (with an optional `:tag`).
    pub repo: Option<String>,
    /// Tag of the new image (needs `repo`; default: the one in `repo`, else `latest`).
    pub tag: Option<String>,
    /// Commit message.
    pub comment: Option<String>,
    /// Author (`"Name <email>"`).
    pub author: Option<String>,
    /// Pause the container while committing (the daemon's default: true; API 1.13+).
    pub pause: Option<bool>,
    /// Dockerfile instructions applied to the image (`"ENV A=b"`, `"CMD [\"sh\"]"`): a string
    /// or an array of strings (API 1.18+).
    #[serde(default, deserialize_with = "string_or_list")]
    pub changes: Option<Vec<String>>,
    /// The container configuration to give the image (the daemon's `ContainerConfig` object).
    pub config: Option<serde_json::Map<String, serde_json::Value>>,
}

const WHAT: &str = "commit options";

/// Commits a container; returns the daemon's `{"Id": …}` verbatim.
///
/// Errors: invalid argument (missing container, a bad or digest target, `tag` without
/// `repo`, an invalid change instruction), unsupported (`pause` before 1.13, `changes` before
/// 1.18; checked before any request), not found (no such container), conflict.
pub fn commit(client: &Client, opts: &CommitOptions) -> Result<RawJson> {
    let container = opts.container.as_deref().unwrap_or("");
    if container.is_empty() {
        return Err(Error::invalid(format!("{WHAT}: \"container\" is missing or empty")));
    }
    if container.len() > MAX_CONTAINER_LEN {
        return Err(Error::invalid(format!(
            "{WHAT}: \"container\" is {} bytes long; at most {MAX_CONTAINER_LEN} are accepted",
            container.len()
        )));
    }
    let target = match (&opts.repo, &opts.tag) {
        (Some(repo), tag) => Some(Target::parse(WHAT, repo, tag.as_deref())?),
        (None, Some(_)) => return Err(Error::invalid(format!("{WHAT}: \"tag\" needs \"repo\""))),
        (None, None) => None,
    };
    if opts.changes.as_ref().is_some_and(|c| c.iter().any(|s| s.trim().is_empty())) {
        return Err(Error::invalid(format!("{WHAT}: \"changes\" holds an empty instruction")));
    }
    // Always a JSON body: the daemon refuses a POST /commit body without the JSON content
    // type, and `{}` is the same as no configuration.
    let body = match &opts.config {
        Some(c) => serde_json::to_vec(c).map_err(|e| Error::internal(format!("cannot encode \"config\": {e}")))?,
        None => b"{}".to_vec(),
    };
    if opts.pause.is_some() {
        client.require(&format!("{WHAT}: \"pause\""), PAUSE_MIN)?;
    }
    if opts.changes.is_some() {
        client.require(&format!("{WHAT}: \"changes\""), CHANGES_MIN)?;
    }

    let mut q = Query::new();
    q.push("container", container);
    if let Some(t) = target {
        q.push("repo", t.repo).push("tag", t.tag);
    }
    q.push_opt("comment", opts.comment.clone());
    q.push_opt("author", opts.author.clone());
    q.push_bool("pause", opts.pause);
    for c in opts.changes.iter().flatten() {
        q.push("changes", c.clone());
    }
    client.send_json(&Call::post("/commit").query(q), Body::Bytes(&body, "application/json"))
}
