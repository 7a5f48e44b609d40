//! `POST /auth`: the daemon checks registry credentials (a login that is not kept).

use crate::client::{Body, Call, Client, RawJson};
use crate::error::{Error, Result};

/// Asks the daemon to log in to a registry with these credentials; returns the daemon's answer
/// (`{"Status": "Login Succeeded", "IdentityToken": …}`) verbatim. A refusal is unauthorized,
/// also where the daemon reports the registry's refusal as HTTP 500.
pub fn auth(client: &Client, credentials: &impl serde::Serialize) -> Result<RawJson> {
    let body = serde_json::to_vec(credentials)
        .map_err(|e| Error::internal(format!("cannot encode credentials: {e}")))?;
    client
        .send_json(&Call::post("/auth"), Body::Bytes(&body, "application/json"))
        .map_err(Error::registry_class)
}
