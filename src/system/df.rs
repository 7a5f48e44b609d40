//! `GET /system/df`: how much disk the daemon's images, containers, volumes and build cache
//! use, the daemon's JSON verbatim.
//!
//! The answer has two shapes: up to API 1.51 `{"LayersSize", "Images": [...], "Containers",
//! "Volumes", "BuildCache"}` (Engine 20.10 adds `BuilderSize`); from 1.52 one summary per kind
//! (`{"ImageUsage": {"ActiveCount", "TotalCount", "Reclaimable", "TotalSize", "Items"?}, ...}`,
//! the items only with `verbose`). It is passed through as the daemon wrote it.

use serde::Deserialize;

use crate::client::{ApiVersion, Call, Client, Query, RawJson};
use crate::error::{Error, Result};

/// First API version with `GET /system/df`.
pub const DF_MIN: ApiVersion = ApiVersion::new(1, 25);
/// First API version that reads `type` (before, every kind is always computed).
pub const TYPE_MIN: ApiVersion = ApiVersion::new(1, 42);
/// First API version that reads `verbose`.
pub const VERBOSE_MIN: ApiVersion = ApiVersion::new(1, 52);

/// The kinds `type` may name.
const KINDS: [&str; 4] = ["container", "image", "volume", "build-cache"];

/// Options of `GET /system/df` (the JSON object `dc_system_df` takes).
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DfOptions {
    /// Only these kinds: `"container"`, `"image"`, `"volume"`, `"build-cache"` (API 1.42+).
    #[serde(rename = "type")]
    pub kinds: Option<Vec<String>>,
    /// Each kind's items too, with the 1.52 shape (API 1.52+).
    pub verbose: Option<bool>,
}

const WHAT: &str = "disk usage options";

/// The daemon's disk usage, verbatim.
///
/// Errors: invalid argument (an unknown kind), unsupported (before 1.25; `type` before 1.42,
/// `verbose` before 1.52: checked before any request).
pub fn df(client: &Client, opts: &DfOptions) -> Result<RawJson> {
    let kinds = opts.kinds.as_deref().unwrap_or_default();
    for k in kinds {
        if !KINDS.contains(&k.as_str()) {
            return Err(Error::invalid(format!(
                "{WHAT}: \"type\": \"{}\" is not one of \"container\", \"image\", \"volume\", \"build-cache\"",
                crate::options::bounded(k, crate::options::MAX_QUOTED).escape_debug()
            )));
        }
    }
    client.require("disk usage", DF_MIN)?;
    if !kinds.is_empty() {
        client.require(&format!("{WHAT}: \"type\""), TYPE_MIN)?;
    }
    if opts.verbose.is_some() {
        client.require(&format!("{WHAT}: \"verbose\""), VERBOSE_MIN)?;
    }
    let mut q = Query::new();
    for k in kinds {
        q.push("type", k.as_str());
    }
    q.push_bool("verbose", opts.verbose);
    client.get_json(&Call::get("/system/df").query(q))
}
