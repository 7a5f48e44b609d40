//! `POST /images/prune`: removes unused images; answers with what was deleted and the space
//! reclaimed (`{"ImagesDeleted": [...], "SpaceReclaimed": n}`), passed through verbatim.

use serde::Deserialize;

use crate::client::{ApiVersion, Body, Call, Client, Query, RawJson};
use crate::error::Result;
use crate::images::filters::{self, PruneFilters};

/// First API version with `POST /images/prune`.
pub const PRUNE_MIN: ApiVersion = ApiVersion::new(1, 25);
/// First API version with the `label` and `label!` prune filters.
pub const LABEL_FILTER_MIN: ApiVersion = ApiVersion::new(1, 29);

/// Options of `POST /images/prune` (the JSON object `dc_image_prune` takes).
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PruneOptions {
    /// `dangling`, `until`, `label`, `label!`: each an array of strings.
    pub filters: Option<PruneFilters>,
}

const WHAT: &str = "prune options";

/// Prunes images; returns the daemon's answer verbatim.
///
/// Errors: invalid argument (bad filter values), unsupported (prune before 1.25, label filters
/// before 1.29; checked before any request), conflict (a prune is already running).
pub fn prune(client: &Client, opts: &PruneOptions) -> Result<RawJson> {
    let empty = PruneFilters::default();
    let f = opts.filters.as_ref().unwrap_or(&empty);
    f.check(WHAT)?;
    client.require("image prune", PRUNE_MIN)?;
    let pairs = f.pairs();
    for key in ["label", "label!"] {
        if pairs.iter().any(|(k, _)| *k == key) {
            client.require(&format!("{WHAT}: filter \"{key}\""), LABEL_FILTER_MIN)?;
        }
    }
    let mut q = Query::new();
    q.push_opt("filters", filters::encode(&pairs, client.api_version()?));
    client.send_json(&Call::post("/images/prune").query(q), Body::Empty)
}
