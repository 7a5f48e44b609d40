//! `GET /images/{name}/history`: the layers an image was built from, verbatim JSON array.

use serde::Deserialize;

use crate::client::{ApiVersion, Call, Client, Query, escape_name, RawJson};
use crate::error::Result;
use crate::images::platform;

/// First API version with `platform` on history.
pub const PLATFORM_MIN: ApiVersion = ApiVersion::new(1, 48);

/// Options of `GET /images/{name}/history` (the JSON object `dc_image_history` takes).
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HistoryOptions {
    /// `"os/arch[/variant]"`: the history of this platform variant (API 1.48+).
    pub platform: Option<String>,
}

const WHAT: &str = "history options";

/// Returns the daemon's history of `name` verbatim.
///
/// Errors: invalid argument (bad name or platform), unsupported (`platform` before 1.48,
/// checked before any request), not found.
pub fn history(client: &Client, name: &str, opts: &HistoryOptions) -> Result<RawJson> {
    let path = format!("/images/{}/history", escape_name("image name", name)?);
    let platform = opts.platform.as_deref().map(|p| platform::oci_json(WHAT, p)).transpose()?;
    if platform.is_some() {
        client.require(&format!("{WHAT}: \"platform\""), PLATFORM_MIN)?;
    }
    let mut q = Query::new();
    q.push_opt("platform", platform);
    client.get_json(&Call::get(path).query(q))
}
