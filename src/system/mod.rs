//! System calls: ping, version, info, and the registry login check (`POST /auth`).

use crate::client::{Body, Call, Client};
use crate::error::Result;

/// `/_ping`: API version, OS type, experimental flag and builder version, as a JSON object.
pub fn ping(client: &Client) -> Result<String> {
    let h = client.ping_headers()?;
    Ok(serde_json::json!({
        "api_version": h.api_version,
        "os_type": h.os_type,
        "experimental": h.experimental.unwrap_or(false),
        "builder_version": h.builder_version,
    })
    .to_string())
}

/// `GET /version`, verbatim.
pub fn version(client: &Client) -> Result<String> {
    client.get_json(&Call::get("/version"))
}

/// `GET /info`, verbatim.
pub fn info(client: &Client) -> Result<String> {
    client.get_json(&Call::get("/info"))
}

/// `POST /auth`: asks the daemon to log in to a registry with these credentials; returns the
/// daemon's answer (`{"Status": "Login Succeeded", "IdentityToken": …}`) verbatim.
pub fn auth(client: &Client, credentials: &impl serde::Serialize) -> Result<String> {
    let body = serde_json::to_vec(credentials)
        .map_err(|e| crate::error::Error::internal(format!("cannot encode credentials: {e}")))?;
    client
        .send(&Call::post("/auth"), Body::Bytes(&body, "application/json"))
        .map_err(crate::error::Error::registry_class)?
        .text()
}
