//! `/_ping`: what the daemon tells in its headers (API version, OS, experimental, builder).

use crate::client::{Client, PingHeaders};
use crate::error::Result;

/// Pings the daemon (`HEAD /_ping`, `GET` where HEAD is refused).
pub fn ping(client: &Client) -> Result<PingHeaders> {
    client.ping_headers()
}

impl PingHeaders {
    /// `{"api_version", "os_type", "experimental", "builder_version"}` (null where the daemon
    /// sent no header; `experimental` false then).
    pub fn to_json(&self) -> String {
        serde_json::json!({
            "api_version": self.api_version,
            "os_type": self.os_type,
            "experimental": self.experimental.unwrap_or(false),
            "builder_version": self.builder_version,
        })
        .to_string()
    }
}
