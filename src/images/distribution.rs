//! `GET /distribution/{name}/json`: asks the image's registry (through the daemon) for the
//! manifest descriptor and platforms of a reference, verbatim JSON.
//!
//! Credentials for the reference's registry are the caller's `auth`, else the docker config's,
//! sent base64url-encoded in `X-Registry-Auth` (`{}` when anonymous).

use crate::client::{ApiVersion, Call, Client, escape_name, RawJson};
use crate::error::{Error, Result};
use crate::images::auth_header;
use crate::reference::parse_normalized;

/// First API version with `GET /distribution/{name}/json`.
pub const DISTRIBUTION_MIN: ApiVersion = ApiVersion::new(1, 30);

crate::options::options_struct! {
    /// Options of `GET /distribution/{name}/json` (the JSON object `dc_image_distribution`
    /// takes): only `auth`, credentials for the reference's registry.
    pub struct DistributionOptions {}
    groups: [auth]
}

/// Returns the daemon's `{"Descriptor": {...}, "Platforms": [...]}` for `name` verbatim.
///
/// Errors: invalid argument (a name that is not a valid reference, a broken docker config
/// file), unsupported (before 1.30, checked before any request), unauthorized (credentials
/// missing or refused; daemons report that as HTTP 500 or 401 with the registry's message, so
/// the message decides), not found (no such repository, tag or manifest), server error (the
/// registry cannot be reached).
pub fn distribution(client: &Client, name: &str, opts: &DistributionOptions) -> Result<RawJson> {
    let path = format!("/distribution/{}/json", escape_name("image name", name)?);
    let reference = parse_normalized(name)?;
    let header = auth_header::auth_header_for(client, &reference, opts.auth.as_ref())?;
    client.require("image distribution inspect", DISTRIBUTION_MIN)?;
    client
        .get_json(&Call::get(path).header("X-Registry-Auth", header))
        .map_err(Error::registry_class)
}
