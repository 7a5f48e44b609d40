//! `GET /images/{name}/attestations` (API 1.55): the in-toto attestation statements attached
//! to an image (provenance, SBOM), for one platform, verbatim: `[{"Descriptor": {...},
//! "PredicateType": "...", "Statement": {...}?}, ...]` (`[]` when there are none).
//!
//! Only daemons with the containerd image store keep attestations; the legacy store answers
//! 501, reported as `DC_UNSUPPORTED` with the daemon's message.

use serde::Deserialize;

use crate::client::{escape_name, ApiVersion, Call, Client, Query, RawJson};
use crate::error::{Error, Result, Status};
use crate::images::platform;

/// First API version with the endpoint.
pub const ATTESTATIONS_MIN: ApiVersion = ApiVersion::new(1, 55);

/// Options of `GET /images/{name}/attestations` (the JSON object `dc_image_attestations`
/// takes).
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AttestationsOptions {
    /// The image variant: `"os/arch[/variant]"` (default: the daemon's own platform).
    pub platform: Option<String>,
    /// Only statements of these in-toto predicate types
    /// (`"https://slsa.dev/provenance/v0.2"`, `"https://spdx.dev/Document"`, …).
    #[serde(rename = "type")]
    pub predicate_types: Option<Vec<String>>,
    /// Include each statement's body (default: descriptors and predicate types only).
    pub statement: Option<bool>,
}

const WHAT: &str = "attestations options";

/// The image's attestation statements, verbatim.
///
/// Errors: invalid argument (a bad platform or name), unsupported (before 1.55, checked
/// before any request; an image store without attestations), not found (no such image, or no
/// manifest for the platform).
pub fn attestations(client: &Client, name: &str, opts: &AttestationsOptions) -> Result<RawJson> {
    let image = escape_name("image name", name)?;
    let platform = opts.platform.as_deref().map(|p| platform::oci_json(WHAT, p)).transpose()?;
    client.require("image attestations", ATTESTATIONS_MIN)?;
    let mut q = Query::new();
    // The daemon reads the OCI platform as JSON, and needs its architecture.
    q.push_opt("platform", platform);
    for t in opts.predicate_types.iter().flatten() {
        q.push("type", t.as_str());
    }
    if opts.statement == Some(true) {
        q.push("statement", "1");
    }
    let call = Call::get(format!("/images/{image}/attestations")).query(q);
    client.get_json(&call).map_err(|e| {
        if e.http_status == 501 {
            Error { status: Status::Unsupported, ..e }
        } else {
            e
        }
    })
}
