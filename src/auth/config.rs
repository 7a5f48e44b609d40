//! The credentials object the daemon takes, and its header encodings.
//!
//! The daemon decodes `X-Registry-Auth` and `X-Registry-Config` with Go's
//! `base64.URLEncoding` (URL-safe alphabet, with `=` padding) and silently ignores a header it
//! cannot decode, so a standard-alphabet header would turn into an unauthenticated request
//! whenever the JSON happens to encode to a `+` or `/`. Hence base64url, always.

use std::collections::BTreeMap;
use std::fmt;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE;
use serde::{Deserialize, Serialize};

/// Registry credentials as the Engine API's `AuthConfig` (JSON keys are the daemon's).
///
/// `Debug` is written by hand: secrets print as `"<redacted>"`, so an `AuthConfig` can appear in
/// any debug output or log without leaking them.
#[derive(Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct AuthConfig {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// The registry these credentials are for (`"https://index.docker.io/v1/"` for Docker Hub).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub serveraddress: Option<String>,
    /// A token from `POST /auth` or a credential helper, used instead of a password.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub identitytoken: Option<String>,
    /// A bearer token sent to the registry as is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub registrytoken: Option<String>,
}

const REDACTED: &str = "<redacted>";

impl fmt::Debug for AuthConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let secret = |v: &Option<String>| v.as_ref().map(|_| REDACTED);
        f.debug_struct("AuthConfig")
            .field("username", &self.username)
            .field("password", &secret(&self.password))
            .field("email", &self.email)
            .field("serveraddress", &self.serveraddress)
            .field("identitytoken", &secret(&self.identitytoken))
            .field("registrytoken", &secret(&self.registrytoken))
            .finish()
    }
}

impl AuthConfig {
    /// True when the config carries something that authenticates (a user name, password or
    /// token, non-empty); an entry with only an e-mail or server address does not.
    pub fn has_credentials(&self) -> bool {
        [
            &self.username,
            &self.password,
            &self.identitytoken,
            &self.registrytoken,
        ]
        .iter()
        .any(|v| v.as_deref().is_some_and(|s| !s.is_empty()))
    }

    /// The `X-Registry-Auth` header value: this object as JSON, base64url with padding.
    ///
    /// An empty config encodes to `e30=` (`{}`), which is what the CLI sends for anonymous
    /// pulls and pushes.
    pub fn encode_header(&self) -> String {
        encode_json(self)
    }
}

/// The `X-Registry-Config` header of `POST /build`: a JSON object mapping each registry
/// (config key, e.g. `"https://index.docker.io/v1/"`, `"127.0.0.1:5000"`) to its
/// [`AuthConfig`], base64url with padding.
///
/// API 1.41 and every later version up to 1.56 document the same shape for this header, so one
/// encoding serves every version the library speaks.
pub fn encode_config_header(map: &BTreeMap<String, AuthConfig>) -> String {
    encode_json(map)
}

fn encode_json<T: Serialize + ?Sized>(value: &T) -> String {
    // Serializing plain strings and maps into JSON cannot fail.
    let json = serde_json::to_vec(value).unwrap_or_else(|_| b"{}".to_vec());
    URL_SAFE.encode(json)
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::engine::general_purpose::STANDARD;

    fn decode(h: &str) -> serde_json::Value {
        serde_json::from_slice(&URL_SAFE.decode(h).unwrap()).unwrap()
    }

    #[test]
    fn header_is_base64url_with_padding() {
        // "?>?>" encodes to "Pz4/Pg==" in the standard alphabet; "~~~" gives "fn5+".
        // Placed in the password, these make the JSON's encoding contain '+' and '/'.
        let a = AuthConfig {
            username: Some("u".into()),
            password: Some("?>?>~~~ÿÿ".into()),
            ..Default::default()
        };
        let json = serde_json::to_vec(&a).unwrap();
        let std = STANDARD.encode(&json);
        assert!(
            std.contains('+') || std.contains('/'),
            "test input must exercise the alphabet: {std}"
        );
        let h = a.encode_header();
        assert!(!h.contains('+') && !h.contains('/'), "{h}");
        assert_eq!(h, std.replace('+', "-").replace('/', "_"));
        assert_eq!(h.len() % 4, 0, "padded like Go's URLEncoding");
        let v = decode(&h);
        assert_eq!(v["password"], "?>?>~~~ÿÿ");
        assert!(v.get("email").is_none(), "None fields are left out");
    }

    #[test]
    fn empty_config_is_empty_object() {
        assert_eq!(AuthConfig::default().encode_header(), "e30=");
    }

    #[test]
    fn keys_are_the_daemons() {
        let a = AuthConfig {
            username: Some("u".into()),
            password: Some("p".into()),
            email: Some("e".into()),
            serveraddress: Some("s".into()),
            identitytoken: Some("i".into()),
            registrytoken: Some("r".into()),
        };
        let v = decode(&a.encode_header());
        let keys: Vec<_> = v.as_object().unwrap().keys().cloned().collect();
        assert_eq!(
            keys,
            [
                "email",
                "identitytoken",
                "password",
                "registrytoken",
                "serveraddress",
                "username"
            ]
        );
        let back: AuthConfig = serde_json::from_value(v).unwrap();
        assert_eq!(back, a);
    }

    #[test]
    fn unknown_keys_are_refused() {
        let e = serde_json::from_str::<AuthConfig>(r#"{"username":"u","Username":"x"}"#);
        assert!(e.unwrap_err().to_string().contains("Username"));
    }

    #[test]
    fn debug_redacts_secrets() {
        let a = AuthConfig {
            username: Some("alice".into()),
            password: Some("hunter2".into()),
            identitytoken: Some("tok-identity".into()),
            registrytoken: Some("tok-registry".into()),
            ..Default::default()
        };
        let d = format!("{a:?} {a:#?}");
        for secret in ["hunter2", "tok-identity", "tok-registry"] {
            assert!(!d.contains(secret), "{d}");
        }
        assert!(d.contains("alice") && d.contains(REDACTED));
        // Absent secrets show as None, so a reader can tell "missing" from "hidden".
        assert!(format!("{:?}", AuthConfig::default()).contains("password: None"));
    }

    #[test]
    fn config_header_maps_registries() {
        let mut m = BTreeMap::new();
        m.insert(
            "https://index.docker.io/v1/".to_string(),
            AuthConfig {
                username: Some("hub".into()),
                ..Default::default()
            },
        );
        m.insert(
            "127.0.0.1:5000".to_string(),
            AuthConfig {
                identitytoken: Some("t".into()),
                ..Default::default()
            },
        );
        let v = decode(&encode_config_header(&m));
        assert_eq!(v["https://index.docker.io/v1/"]["username"], "hub");
        assert_eq!(v["127.0.0.1:5000"]["identitytoken"], "t");
        assert_eq!(encode_config_header(&BTreeMap::new()), "e30=");
    }

    #[test]
    fn has_credentials() {
        assert!(!AuthConfig::default().has_credentials());
        let only_email = AuthConfig {
            email: Some("e".into()),
            username: Some("".into()),
            ..Default::default()
        };
        assert!(!only_email.has_credentials());
        let tok = AuthConfig {
            identitytoken: Some("t".into()),
            ..Default::default()
        };
        assert!(tok.has_credentials());
    }
}
