//! `DELETE /images/{name}`: removes an image (or one of its tags) and answers with the list of
//! what was untagged and deleted, passed through verbatim.

use serde::Deserialize;

use crate::client::{ApiVersion, Body, Call, Client, Query, escape_name, RawJson};
use crate::error::{Error, Result};
use crate::images::platform;
use crate::options::string_or_list;

/// First API version with `platforms` on remove.
pub const PLATFORMS_MIN: ApiVersion = ApiVersion::new(1, 50);

/// Options of `DELETE /images/{name}` (the JSON object `dc_image_remove` takes).
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RemoveOptions {
    /// Remove even if stopped containers use the image or it has other tags.
    pub force: Option<bool>,
    /// Keep untagged parent images.
    pub noprune: Option<bool>,
    /// `"os/arch[/variant]"` or an array of them: remove only these platform variants of a
    /// multi-platform image (API 1.50+).
    #[serde(default, deserialize_with = "string_or_list")]
    pub platforms: Option<Vec<String>>,
}

const WHAT: &str = "remove options";

/// Removes `name`; returns the daemon's array of `{"Untagged": …}` / `{"Deleted": …}` entries.
///
/// Errors: invalid argument (bad name or platforms), unsupported (`platforms` before 1.50,
/// checked before any request), not found, conflict (the image is in use or has other tags
/// and `force` was not given; the message is the daemon's).
pub fn remove(client: &Client, name: &str, opts: &RemoveOptions) -> Result<RawJson> {
    let path = format!("/images/{}", escape_name("image name", name)?);
    let mut platforms = Vec::new();
    if let Some(list) = &opts.platforms {
        if list.is_empty() {
            return Err(Error::invalid(format!("{WHAT}: \"platforms\" is an empty list")));
        }
        for p in list {
            platforms.push(platform::oci_json(WHAT, p)?);
        }
        client.require(&format!("{WHAT}: \"platforms\""), PLATFORMS_MIN)?;
    }
    let mut q = Query::new();
    q.push_bool("force", opts.force.filter(|f| *f));
    q.push_bool("noprune", opts.noprune.filter(|f| *f));
    for p in platforms {
        q.push("platforms", p);
    }
    client.send_json(&Call::delete(path).query(q), Body::Empty)
}
