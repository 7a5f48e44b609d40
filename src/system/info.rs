//! `GET /version` and `GET /info`: the daemon's JSON, verbatim.

use crate::client::{Call, Client, RawJson};
use crate::error::Result;

/// `GET /version`, verbatim.
pub fn version(client: &Client) -> Result<RawJson> {
    client.get_json(&Call::get("/version"))
}

/// `GET /info`, verbatim.
pub fn info(client: &Client) -> Result<RawJson> {
    client.get_json(&Call::get("/info"))
}
