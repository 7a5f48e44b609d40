//! `POST /build/prune`: removes build cache (classic and BuildKit), answering with what was
//! deleted and the space reclaimed (`{"CachesDeleted": [...], "SpaceReclaimed": n}`), verbatim.
//!
//! The space limits changed names in API 1.48: `keep-storage` became `reserved-space`, and
//! `max-used-space` and `min-free-space` came with it. As the docker CLI does, `keep_storage`
//! is sent as `keep-storage` up to 1.47 and as `reserved-space` from 1.48 (daemons from 1.48
//! read the new name, and 1.52 dropped the old one from the documentation).

use serde::Deserialize;

use crate::client::{ApiVersion, Call, Client, Query, RawJson};
use crate::error::{Error, Result};
use crate::images::filters;

/// First API version with `POST /build/prune` (no parameters).
pub const BUILD_PRUNE_MIN: ApiVersion = ApiVersion::new(1, 31);
/// First API version reading `all`, `filters` and `keep-storage`.
pub const PARAMETERS_MIN: ApiVersion = ApiVersion::new(1, 39);
/// First API version reading `reserved-space`, `max-used-space` and `min-free-space`.
pub const SPACE_LIMITS_MIN: ApiVersion = ApiVersion::new(1, 48);

/// The filters of `POST /build/prune`, each an array of strings as the daemon reads them.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BuildPruneFilters {
    /// Cache older than this: a Go duration (`"24h"`); newer daemons also read timestamps.
    pub until: Option<Vec<String>>,
    /// Cache records whose ID matches (a regular expression on the daemon side).
    pub id: Option<Vec<String>>,
    pub parent: Option<Vec<String>>,
    /// `"regular"`, `"source.local"`, `"exec.cachemount"`, `"frontend"`, `"internal"`, ….
    #[serde(rename = "type")]
    pub kind: Option<Vec<String>>,
    pub description: Option<Vec<String>>,
    /// Presence flags: `[]` selects records in use / shared / private.
    pub inuse: Option<Vec<String>>,
    pub shared: Option<Vec<String>>,
    pub private: Option<Vec<String>>,
}

/// Options of `POST /build/prune` (the JSON object `dc_build_prune` takes).
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BuildPruneOptions {
    /// Every kind of cache, not only the dangling (unused, unreferenced) records (API 1.39+).
    pub all: Option<bool>,
    pub filters: Option<BuildPruneFilters>,
    /// Bytes of cache to keep (API 1.39+; sent as `reserved-space` from 1.48).
    pub keep_storage: Option<u64>,
    /// Bytes of cache to keep (API 1.48+).
    pub reserved_space: Option<u64>,
    /// Prune until the cache uses at most this many bytes (API 1.48+).
    pub max_used_space: Option<u64>,
    /// Prune until the disk has this many bytes free (API 1.48+).
    pub min_free_space: Option<u64>,
}

const WHAT: &str = "build prune options";

impl BuildPruneFilters {
    /// The filters in the daemon's order. The presence flags (`inuse`, `shared`, `private`)
    /// take no value: `[]` is sent as `{"inuse":{}}`, which the daemon hands to BuildKit as the
    /// bare flag (a value would reach BuildKit as `inuse==<value>` and match nothing, or, empty,
    /// fail to parse).
    fn pairs(&self) -> Result<Vec<(&'static str, Vec<String>)>> {
        for (key, flag) in [("inuse", &self.inuse), ("shared", &self.shared), ("private", &self.private)] {
            if flag.as_ref().is_some_and(|v| !v.is_empty()) {
                return Err(Error::invalid(format!(
                    "{WHAT}: \"filters\".\"{key}\" is a flag that takes no value: give []"
                )));
            }
        }
        let valued = [
            ("until", &self.until),
            ("id", &self.id),
            ("parent", &self.parent),
            ("type", &self.kind),
            ("description", &self.description),
        ];
        let flags = [("inuse", &self.inuse), ("shared", &self.shared), ("private", &self.private)];
        let mut pairs: Vec<(&'static str, Vec<String>)> = valued
            .into_iter()
            .filter_map(|(k, v)| v.as_ref().filter(|v| !v.is_empty()).map(|v| (k, v.clone())))
            .collect();
        pairs.extend(flags.into_iter().filter_map(|(k, v)| v.as_ref().map(|_| (k, Vec::new()))));
        Ok(pairs)
    }
}

/// Prunes the build cache; the daemon's answer verbatim.
///
/// Errors: invalid argument (`keep_storage` together with `reserved_space`; a filter with more
/// than one value, which the daemon refuses), unsupported (before 1.31; `all`, `filters`,
/// `keep_storage` before 1.39; the other space limits before 1.48: checked before any
/// request).
pub fn build_prune(client: &Client, opts: &BuildPruneOptions) -> Result<RawJson> {
    if opts.keep_storage.is_some() && opts.reserved_space.is_some() {
        return Err(Error::invalid(format!(
            "{WHAT}: \"keep_storage\" and \"reserved_space\" are the same limit (renamed in API 1.48): give one"
        )));
    }
    let pairs = opts.filters.as_ref().map(BuildPruneFilters::pairs).transpose()?.unwrap_or_default();
    if let Some((key, _)) = pairs.iter().find(|(_, v)| v.len() > 1) {
        return Err(Error::invalid(format!("{WHAT}: \"filters\".\"{key}\" takes one value (the daemon reads one)")));
    }
    client.require("build cache prune", BUILD_PRUNE_MIN)?;
    for (given, key) in [
        (opts.all.is_some(), "all"),
        (!pairs.is_empty(), "filters"),
        (opts.keep_storage.is_some(), "keep_storage"),
    ] {
        if given {
            client.require(&format!("{WHAT}: \"{key}\""), PARAMETERS_MIN)?;
        }
    }
    for (given, key) in [
        (opts.reserved_space.is_some(), "reserved_space"),
        (opts.max_used_space.is_some(), "max_used_space"),
        (opts.min_free_space.is_some(), "min_free_space"),
    ] {
        if given {
            client.require(&format!("{WHAT}: \"{key}\""), SPACE_LIMITS_MIN)?;
        }
    }
    let version = client.api_version()?;
    let mut q = Query::new();
    q.push_bool("all", opts.all);
    let borrowed: Vec<filters::Pair<'_>> = pairs.iter().map(|(k, v)| (*k, v.as_slice())).collect();
    q.push_opt("filters", filters::encode(&borrowed, version));
    if let Some(n) = opts.keep_storage {
        let key = if version >= SPACE_LIMITS_MIN { "reserved-space" } else { "keep-storage" };
        q.push(key, n.to_string());
    }
    q.push_opt("reserved-space", opts.reserved_space.map(|n| n.to_string()));
    q.push_opt("max-used-space", opts.max_used_space.map(|n| n.to_string()));
    q.push_opt("min-free-space", opts.min_free_space.map(|n| n.to_string()));
    client.send_json(&Call::post("/build/prune").query(q), crate::client::Body::Empty)
}
