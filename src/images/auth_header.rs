//! The `X-Registry-Auth` header of an image operation (pull, push, search, distribution),
//! found as the docker CLI finds it: the caller's credentials when given, else those the
//! docker config holds for the registry (an injected config, for Rust callers and tests, else
//! `$DOCKER_CONFIG/config.json` or `~/.docker/config.json`), else `{}`, anonymous. The daemon
//! wants the header even when anonymous (a push without it is refused).

use crate::auth::{registry_for_reference, AuthConfig};
use crate::client::Client;
use crate::error::Result;
use crate::reference::Reference;

/// The header value (base64url JSON) for a registry host: `explicit` credentials, else those
/// the client's docker config holds for it, else anonymous. A config file that exists but is
/// broken is an error naming the file.
pub fn auth_header(client: &Client, registry: &str, explicit: Option<&AuthConfig>) -> Result<String> {
    let creds = match explicit {
        Some(a) => Some(a.clone()),
        None => client.credentials().load()?.resolve(registry)?,
    };
    Ok(creds.unwrap_or_default().encode_header())
}

/// The header value for the registry `reference` lives in.
pub fn auth_header_for(client: &Client, reference: &Reference, explicit: Option<&AuthConfig>) -> Result<String> {
    auth_header(client, &registry_for_reference(reference), explicit)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::DockerConfig;
    use crate::reference::parse_normalized;

    fn client(cfg: DockerConfig) -> Client {
        let opts = crate::client::ClientOptions { host: Some("unix:///nonexistent.sock".into()), ..Default::default() };
        Client::new(&opts).unwrap().with_docker_config(cfg)
    }

    #[test]
    fn explicit_then_config_then_anonymous() {
        let r = parse_normalized("127.0.0.1:5000/app").unwrap();
        let empty = DockerConfig::default();
        assert_eq!(auth_header_for(&client(empty.clone()), &r, None).unwrap(), "e30=");
        let a = AuthConfig { username: Some("u".into()), password: Some("p".into()), ..Default::default() };
        assert_eq!(auth_header_for(&client(empty), &r, Some(&a)).unwrap(), a.encode_header());
        let cfg = DockerConfig::parse(br#"{"auths":{"127.0.0.1:5000":{"auth":"dTpw"}}}"#).unwrap();
        let h = auth_header_for(&client(cfg.clone()), &r, None).unwrap();
        use base64::Engine;
        let v: serde_json::Value =
            serde_json::from_slice(&base64::engine::general_purpose::URL_SAFE.decode(h).unwrap()).unwrap();
        assert_eq!(v["username"], "u");
        assert_eq!(v["serveraddress"], "127.0.0.1:5000");
        let other = parse_normalized("other.example/app").unwrap();
        assert_eq!(auth_header_for(&client(cfg), &other, None).unwrap(), "e30=");
    }
}
