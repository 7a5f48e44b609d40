//! The `X-Registry-Config` header of a build: the credentials of every registry a `FROM` may
//! pull from, base64url JSON, in the shape the daemon's API version decodes.
//!
//! Shapes, from the daemon's build route over time:
//! - API 1.20 and later (Docker 1.8+): `{"<registry>": {AuthConfig}, …}`, what the CLI sends.
//! - API 1.12–1.18 (Docker ≤ 1.6): the old `ConfigFile`, `{"configs": {"<registry>": …}}`.
//! - API 1.19 (Docker 1.7.x): 1.7.0 decoded the new `ConfigFile` (`{"auths": {…}}`) and 1.7.1
//!   fixed it to the plain map. Both are sent in one object: each daemon ignores what it does
//!   not know (the plain map's reader sees an `"auths"` registry with no usable credentials).
//!
//! The daemon silently ignores a header it cannot decode, so the encoding is always base64url.

use std::collections::BTreeMap;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE;

use super::options::BuildOptions;
use crate::auth::{AuthConfig, encode_config_header};
use crate::client::{ApiVersion, Client};
use crate::error::Result;

/// First API version whose daemons decode the plain registry map.
const PLAIN_MAP_MIN: ApiVersion = ApiVersion::new(1, 19);
/// First API version whose daemons decode only the plain registry map.
const PLAIN_MAP_ONLY_MIN: ApiVersion = ApiVersion::new(1, 20);

/// The credentials to send: `auth_configs` when given, else every registry's from the
/// client's docker config (as the CLI's `GetAllCredentials`).
pub fn credentials(client: &Client, opts: &BuildOptions) -> Result<BTreeMap<String, AuthConfig>> {
    match &opts.auth_configs {
        Some(given) => Ok(given.clone()),
        None => client.credentials().load()?.resolve_all(),
    }
}

/// The header value for `creds` at API version `have` (`e30=`, i.e. `{}`, when there are none).
pub fn header(creds: &BTreeMap<String, AuthConfig>, have: ApiVersion) -> String {
    if have >= PLAIN_MAP_ONLY_MIN {
        return encode_config_header(creds);
    }
    let mut doc = serde_json::Map::new();
    // Serializing plain strings cannot fail.
    let map = serde_json::to_value(creds).unwrap_or_default();
    if have >= PLAIN_MAP_MIN {
        if let serde_json::Value::Object(m) = &map {
            doc.extend(m.clone());
        }
        doc.insert("auths".into(), map);
    } else {
        doc.insert("configs".into(), map);
    }
    URL_SAFE.encode(serde_json::Value::Object(doc).to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::DockerConfig;

    fn decode(h: &str) -> serde_json::Value {
        serde_json::from_slice(&URL_SAFE.decode(h).unwrap()).unwrap()
    }

    fn creds() -> BTreeMap<String, AuthConfig> {
        let mut m = BTreeMap::new();
        m.insert(
            "127.0.0.1:5000".to_string(),
            AuthConfig { username: Some("u".into()), password: Some("p>?~".into()), ..Default::default() },
        );
        m
    }

    #[test]
    fn shapes_follow_the_api_version() {
        let now = decode(&header(&creds(), ApiVersion::new(1, 41)));
        assert_eq!(now, serde_json::json!({"127.0.0.1:5000": {"username": "u", "password": "p>?~"}}));
        let old = decode(&header(&creds(), ApiVersion::new(1, 18)));
        assert_eq!(old, serde_json::json!({"configs": {"127.0.0.1:5000": {"username": "u", "password": "p>?~"}}}));
        let v119 = decode(&header(&creds(), ApiVersion::new(1, 19)));
        assert_eq!(v119["auths"], now);
        assert_eq!(v119["127.0.0.1:5000"], now["127.0.0.1:5000"]);
    }

    #[test]
    fn header_is_base64url_and_empty_is_an_empty_object() {
        let h = header(&creds(), ApiVersion::new(1, 41));
        assert!(!h.contains('+') && !h.contains('/'), "{h}");
        assert_eq!(header(&BTreeMap::new(), ApiVersion::new(1, 41)), "e30=");
    }

    #[test]
    fn explicit_credentials_win_over_the_config() {
        let cfg = DockerConfig::parse(br#"{"auths":{"r.example:1":{"auth":"dTpw"}}}"#).unwrap();
        let client_opts = crate::client::ClientOptions { host: Some("unix:///nonexistent.sock".into()), ..Default::default() };
        let c = Client::new(&client_opts).unwrap().with_docker_config(cfg);
        let opts = BuildOptions { auth_configs: Some(creds()), ..Default::default() };
        assert_eq!(credentials(&c, &opts).unwrap(), creds());
        let opts = BuildOptions::default();
        let got = credentials(&c, &opts).unwrap();
        assert_eq!(got["r.example:1"].username.as_deref(), Some("u"));
    }
}
