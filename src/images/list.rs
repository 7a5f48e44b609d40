//! `GET /images/json`: the local images, as the daemon lists them (verbatim JSON array).
//!
//! Old daemons are served as their own client served them: the `reference` filter, which
//! daemons before API 1.25 do not know, goes into the legacy single `filter` parameter (as the
//! docker CLI does), and a caller that asks for the legacy `filter` itself gets it up to API
//! 1.40 and an unsupported error from 1.41 on, where the daemon dropped it.

use serde::Deserialize;

use crate::client::{ApiVersion, Call, Client, Query, RawJson};
use crate::error::{Error, Result};
use crate::images::filters::{self, ListFilters};

/// First API version with the `label` filter.
pub const LABEL_FILTER_MIN: ApiVersion = ApiVersion::new(1, 18);
/// First API version with the `digests` parameter.
pub const DIGESTS_MIN: ApiVersion = ApiVersion::new(1, 18);
/// First API version with the `before` and `since` filters.
pub const BEFORE_SINCE_MIN: ApiVersion = ApiVersion::new(1, 24);
/// First API version with the `reference` filter (older daemons take the `filter` parameter).
pub const REFERENCE_FILTER_MIN: ApiVersion = ApiVersion::new(1, 25);
/// API version that removed the legacy `filter` parameter.
pub const LEGACY_FILTER_REMOVED: ApiVersion = ApiVersion::new(1, 41);
/// First API version with `shared-size`.
pub const SHARED_SIZE_MIN: ApiVersion = ApiVersion::new(1, 42);
/// First API version with `manifests`.
pub const MANIFESTS_MIN: ApiVersion = ApiVersion::new(1, 47);
/// First API version with `identity`.
pub const IDENTITY_MIN: ApiVersion = ApiVersion::new(1, 54);

/// Options of `GET /images/json` (the JSON object `dc_image_list` takes).
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListOptions {
    /// Also list intermediate images (`all=1`).
    pub all: Option<bool>,
    /// Filters, each an array of strings.
    pub filters: Option<ListFilters>,
    /// The legacy single `filter` (an image name pattern); API 1.40 and older only.
    pub filter: Option<String>,
    /// Include `RepoDigests` (`digests=1`; API 1.18+).
    pub digests: Option<bool>,
    /// Compute `SharedSize` (`shared-size=1`; API 1.42+).
    pub shared_size: Option<bool>,
    /// Include `Manifests` (`manifests=1`; API 1.47+).
    pub manifests: Option<bool>,
    /// Include `Identity` in each manifest summary (`identity=1`; API 1.54+; needs `manifests`).
    pub identity: Option<bool>,
}

const WHAT: &str = "list options";

/// Lists images and returns the daemon's JSON array verbatim.
///
/// Errors: invalid argument (bad filter values, `identity` without `manifests`, the legacy
/// `filter` together with a `reference` filter on an old daemon), unsupported (an option or
/// filter the daemon's API version lacks, checked before any request), then whatever the
/// daemon answers.
pub fn list(client: &Client, opts: &ListOptions) -> Result<RawJson> {
    let query = query(client, opts)?;
    client.get_json(&Call::get("/images/json").query(query))
}

/// The query for these options on this client's API version (negotiating it if needed).
pub fn query(client: &Client, opts: &ListOptions) -> Result<Query> {
    let on = |b: Option<bool>| b == Some(true);
    let empty = ListFilters::default();
    let f = opts.filters.as_ref().unwrap_or(&empty);
    f.check(WHAT)?;
    if on(opts.identity) && !on(opts.manifests) {
        return Err(Error::invalid(format!("{WHAT}: \"identity\" needs \"manifests\": true")));
    }
    if opts.filter.as_deref() == Some("") {
        return Err(Error::invalid(format!("{WHAT}: \"filter\" is empty")));
    }

    // Version gates, all before the request.
    if opts.filter.is_some() {
        client.require_before(&format!("{WHAT}: \"filter\""), LEGACY_FILTER_REMOVED)?;
    }
    if on(opts.digests) {
        client.require(&format!("{WHAT}: \"digests\""), DIGESTS_MIN)?;
    }
    if on(opts.shared_size) {
        client.require(&format!("{WHAT}: \"shared_size\""), SHARED_SIZE_MIN)?;
    }
    if on(opts.manifests) {
        client.require(&format!("{WHAT}: \"manifests\""), MANIFESTS_MIN)?;
    }
    if on(opts.identity) {
        client.require(&format!("{WHAT}: \"identity\""), IDENTITY_MIN)?;
    }
    let mut pairs = f.pairs();
    for (key, min) in [("label", LABEL_FILTER_MIN), ("before", BEFORE_SINCE_MIN), ("since", BEFORE_SINCE_MIN)] {
        if pairs.iter().any(|(k, _)| *k == key) {
            client.require(&format!("{WHAT}: filter \"{key}\""), min)?;
        }
    }
    let version = client.api_version()?;
    let mut legacy = opts.filter.clone();
    if version < REFERENCE_FILTER_MIN
        && let Some(i) = pairs.iter().position(|(k, _)| *k == "reference") {
            let refs = pairs.remove(i).1;
            if refs.len() > 1 {
                return Err(Error::unsupported(
                    &format!("{WHAT}: more than one \"reference\" filter"),
                    &REFERENCE_FILTER_MIN.to_string(),
                    &version.to_string(),
                ));
            }
            if legacy.is_some() {
                return Err(Error::invalid(format!(
                    "{WHAT}: \"filter\" and a \"reference\" filter both become the daemon's \
                     \"filter\" parameter before API {REFERENCE_FILTER_MIN}; give only one"
                )));
            }
            legacy = Some(refs[0].clone());
        }

    let mut q = Query::new();
    if on(opts.all) {
        q.push("all", "1");
    }
    q.push_opt("filters", filters::encode(&pairs, version));
    q.push_opt("filter", legacy);
    if on(opts.digests) {
        q.push("digests", "1");
    }
    if on(opts.shared_size) {
        q.push("shared-size", "1");
    }
    if on(opts.manifests) {
        q.push("manifests", "1");
    }
    if on(opts.identity) {
        q.push("identity", "1");
    }
    Ok(q)
}
