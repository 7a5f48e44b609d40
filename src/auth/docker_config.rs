//! The user's docker config file (`config.json`), read the way the CLI reads it.
//!
//! Location: `$DOCKER_CONFIG/config.json`, else `$HOME/.docker/config.json` (an empty variable
//! counts as unset, as in the CLI). A missing file is an empty config: most machines that pull
//! public images never ran `docker login`. A file that exists but cannot be read or is not a
//! docker config is an error naming the file, because silently ignoring it would turn into
//! confusing "unauthorized" errors later.
//!
//! Only the credential-related fields are read; every other field of this user-owned file is
//! ignored. Error messages never quote the file's content (it holds secrets): parse errors give
//! only their kind, line and column.

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::path::{Path, PathBuf};

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde::Deserialize;

use crate::auth::config::AuthConfig;
use crate::error::{Error, Result};

/// Credential settings of a docker config file.
///
/// Build one with [`DockerConfig::load`] (environment) or [`DockerConfig::load_from`] (explicit
/// path, for tests and callers that manage their own config), then ask it with the methods in
/// [`crate::auth::resolve`].
#[derive(Clone, Debug, Default)]
pub struct DockerConfig {
    /// The file this was read from (`None` when no location was known).
    pub path: Option<PathBuf>,
    /// `auths`: config key → credentials, with `auth` already decoded into `username` and
    /// `password`, and `serveraddress` set to the key (as the CLI does when loading).
    pub auths: BTreeMap<String, AuthConfig>,
    /// `credsStore`: the helper holding every registry's credentials (`None` when unset/empty).
    pub creds_store: Option<String>,
    /// `credHelpers`: registry → helper for that registry. An empty helper name means "use the
    /// file's `auths`", overriding `credsStore` (CLI behaviour).
    pub cred_helpers: BTreeMap<String, String>,
    /// Where to look for `docker-credential-*` programs (a `PATH`-style list); `None` means the
    /// process's `PATH`. Tests set it instead of mutating the environment.
    pub helper_path: Option<OsString>,
}

/// The on-disk shape; every other key is ignored.
#[derive(Deserialize, Default)]
struct FileFormat {
    #[serde(default)]
    auths: Option<BTreeMap<String, Option<AuthEntry>>>,
    #[serde(default, rename = "credsStore")]
    creds_store: Option<String>,
    #[serde(default, rename = "credHelpers")]
    cred_helpers: Option<BTreeMap<String, Option<String>>>,
}

/// One `auths` entry as stored. No `Debug`: it holds secrets and never leaves this module.
#[derive(Deserialize, Default)]
struct AuthEntry {
    #[serde(default)]
    auth: Option<String>,
    #[serde(default)]
    username: Option<String>,
    #[serde(default)]
    password: Option<String>,
    #[serde(default)]
    email: Option<String>,
    #[serde(default)]
    identitytoken: Option<String>,
    #[serde(default)]
    registrytoken: Option<String>,
}

impl DockerConfig {
    /// The config file the CLI would read, from `DOCKER_CONFIG` / `HOME`; `None` if neither is
    /// set.
    pub fn default_path() -> Option<PathBuf> {
        let nonempty = |k: &str| std::env::var_os(k).filter(|v| !v.is_empty());
        let dir = match nonempty("DOCKER_CONFIG") {
            Some(d) => PathBuf::from(d),
            None => PathBuf::from(nonempty("HOME")?).join(".docker"),
        };
        Some(dir.join("config.json"))
    }

    /// Loads the config file named by the environment (see [`DockerConfig::default_path`]).
    pub fn load() -> Result<DockerConfig> {
        match Self::default_path() {
            Some(p) => Self::load_from(&p),
            None => Ok(DockerConfig::default()),
        }
    }

    /// Loads `path`. Missing → empty config; unreadable or not a docker config →
    /// [`Error::invalid`] naming the path.
    pub fn load_from(path: &Path) -> Result<DockerConfig> {
        let bytes = match std::fs::read(path) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Ok(DockerConfig {
                    path: Some(path.to_path_buf()),
                    ..Default::default()
                });
            }
            Err(e) => {
                return Err(Error::invalid(format!(
                    "cannot read docker config file {}: {e}",
                    path.display()
                )));
            }
        };
        let mut cfg = Self::parse(&bytes)
            .map_err(|e| e.context(format!("docker config file {}", path.display())))?;
        cfg.path = Some(path.to_path_buf());
        Ok(cfg)
    }

    /// Parses a config file's content. Errors do not name a file; [`DockerConfig::load_from`]
    /// adds it.
    pub fn parse(bytes: &[u8]) -> Result<DockerConfig> {
        // An empty file is an empty config (the CLI treats EOF before any value as "nothing").
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Ok(DockerConfig::default());
        }
        let file: Option<FileFormat> = serde_json::from_slice(bytes).map_err(|e| {
            // Describe the error by kind and position only: serde's message may quote values.
            let kind = match e.classify() {
                serde_json::error::Category::Syntax => "not valid JSON",
                serde_json::error::Category::Eof => "truncated JSON",
                serde_json::error::Category::Data => "unexpected JSON structure",
                serde_json::error::Category::Io => "read error",
            };
            Error::invalid(format!("{kind} at line {} column {}", e.line(), e.column()))
        })?;
        let file = file.unwrap_or_default();

        let mut auths = BTreeMap::new();
        for (key, entry) in file.auths.unwrap_or_default() {
            let entry = entry.unwrap_or_default();
            let mut ac = AuthConfig {
                username: entry.username,
                password: entry.password,
                email: entry.email,
                serveraddress: Some(key.clone()),
                identitytoken: entry.identitytoken,
                registrytoken: entry.registrytoken,
            };
            if let Some(auth) = entry.auth.filter(|a| !a.is_empty()) {
                let (u, p) = decode_auth(&auth).map_err(|why| {
                    Error::invalid(format!(
                        "the \"auth\" field of auths[\"{}\"] {why}",
                        key.escape_debug()
                    ))
                })?;
                ac.username = Some(u);
                ac.password = Some(p);
            }
            auths.insert(key, ac);
        }
        Ok(DockerConfig {
            path: None,
            auths,
            creds_store: file.creds_store.filter(|s| !s.is_empty()),
            cred_helpers: file
                .cred_helpers
                .unwrap_or_default()
                .into_iter()
                .map(|(k, v)| (k, v.unwrap_or_default()))
                .collect(),
            helper_path: None,
        })
    }

    /// Sets where `docker-credential-*` programs are looked up (a `PATH`-style list).
    pub fn with_helper_path(mut self, path: impl Into<OsString>) -> DockerConfig {
        self.helper_path = Some(path.into());
        self
    }

    /// True when the file configures any credentials at all (the CLI's `ContainsAuth`).
    pub fn contains_auth(&self) -> bool {
        self.creds_store.is_some() || !self.cred_helpers.is_empty() || !self.auths.is_empty()
    }
}

/// Decodes an `auth` field: standard base64 of `user:password`. The reason in the error never
/// includes the value.
fn decode_auth(auth: &str) -> std::result::Result<(String, String), &'static str> {
    // Go's decoder skips line breaks inside the text; so do we.
    let cleaned: String = auth.chars().filter(|c| *c != '\r' && *c != '\n').collect();
    let bytes = STANDARD
        .decode(cleaned)
        .map_err(|_| "is not valid base64")?;
    let text = String::from_utf8(bytes).map_err(|_| "is not UTF-8 after base64 decoding")?;
    match text.split_once(':') {
        Some((u, p)) if !u.is_empty() => Ok((u.to_string(), p.trim_matches('\0').to_string())),
        _ => Err("is not of the form base64(\"user:password\")"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::TempDir;
    use crate::error::Status;

    #[test]
    fn missing_file_is_empty_config() {
        let d = TempDir::new("missing");
        let c = DockerConfig::load_from(&d.path().join("config.json")).unwrap();
        assert!(c.auths.is_empty() && c.creds_store.is_none() && c.cred_helpers.is_empty());
        assert!(!c.contains_auth());
    }

    #[test]
    fn parses_auths_store_and_helpers() {
        let d = TempDir::new("parse");
        let auth = STANDARD.encode("alice:s3cr:et");
        let p = d.write(
            "config.json",
            &format!(
                r#"{{
                  "auths": {{
                    "https://index.docker.io/v1/": {{"auth": "{auth}", "email": "a@x"}},
                    "127.0.0.1:5000": {{"identitytoken": "tok"}},
                    "empty.example": {{}},
                    "null.example": null
                  }},
                  "credsStore": "desktop",
                  "credHelpers": {{"gcr.io": "gcloud"}},
                  "psFormat": "table",
                  "HttpHeaders": {{"X": "y"}}
                }}"#
            ),
        );
        let c = DockerConfig::load_from(&p).unwrap();
        assert_eq!(c.path.as_deref(), Some(p.as_path()));
        let hub = &c.auths["https://index.docker.io/v1/"];
        assert_eq!(hub.username.as_deref(), Some("alice"));
        assert_eq!(
            hub.password.as_deref(),
            Some("s3cr:et"),
            "split at the first colon"
        );
        assert_eq!(hub.email.as_deref(), Some("a@x"));
        assert_eq!(
            hub.serveraddress.as_deref(),
            Some("https://index.docker.io/v1/")
        );
        assert_eq!(
            c.auths["127.0.0.1:5000"].identitytoken.as_deref(),
            Some("tok")
        );
        assert!(!c.auths["empty.example"].has_credentials());
        assert!(!c.auths["null.example"].has_credentials());
        assert_eq!(c.creds_store.as_deref(), Some("desktop"));
        assert_eq!(c.cred_helpers["gcr.io"], "gcloud");
        assert!(c.contains_auth());
    }

    #[test]
    fn auth_field_overrides_username_and_trims_nuls() {
        let auth = STANDARD.encode("bob:pw\0\0");
        let c = DockerConfig::parse(
            format!(r#"{{"auths":{{"r":{{"auth":"{auth}","username":"x","password":"y"}}}}}}"#)
                .as_bytes(),
        )
        .unwrap();
        assert_eq!(c.auths["r"].username.as_deref(), Some("bob"));
        assert_eq!(c.auths["r"].password.as_deref(), Some("pw"));
    }

    #[test]
    fn empty_and_null_files_are_empty_configs() {
        for body in ["", "  \n", "null", "{}", r#"{"credsStore":""}"#] {
            let c = DockerConfig::parse(body.as_bytes()).unwrap();
            assert!(!c.contains_auth(), "{body:?}");
        }
    }

    #[test]
    fn broken_files_name_the_path_but_not_the_content() {
        let d = TempDir::new("broken");
        for (body, why) in [
            ("{ not json", "not valid JSON"),
            (r#"{"auths": "supersecret"}"#, "unexpected JSON structure"),
            (
                r#"{"auths": {"r": {"auth": "supersecret!!"}}}"#,
                "not valid base64",
            ),
            (
                r#"{"auths": {"r": {"auth": "c3VwZXJzZWNyZXQ="}}}"#,
                "user:password",
            ),
            ("[1,2]", "unexpected JSON structure"),
            (r#"{"auths": {"r": {"auth": "#, "truncated"),
        ] {
            let p = d.write("config.json", body);
            let e = DockerConfig::load_from(&p).unwrap_err();
            assert_eq!(e.status, Status::InvalidArgument);
            assert!(
                e.message.contains(&p.display().to_string()),
                "{}",
                e.message
            );
            assert!(e.message.contains(why), "{body}: {}", e.message);
            assert!(!e.message.contains("supersecret"), "{}", e.message);
        }
    }

    #[cfg(unix)]
    #[test]
    fn unreadable_file_is_an_error() {
        let d = TempDir::new("unreadable");
        // A directory where the file should be cannot be read as a file.
        let p = d.path().join("config.json");
        std::fs::create_dir(&p).unwrap();
        let e = DockerConfig::load_from(&p).unwrap_err();
        assert_eq!(e.status, Status::InvalidArgument);
        assert!(
            e.message.contains(&p.display().to_string()),
            "{}",
            e.message
        );
    }

    #[test]
    fn decode_auth_rules() {
        assert_eq!(
            decode_auth(&STANDARD.encode("u:")).unwrap(),
            ("u".into(), "".into())
        );
        assert!(
            decode_auth(&STANDARD.encode(":p")).is_err(),
            "user name required"
        );
        assert!(decode_auth(&STANDARD.encode("nocolon")).is_err());
        let wrapped = format!("{}\n", STANDARD.encode("u:p"));
        assert_eq!(decode_auth(&wrapped).unwrap().1, "p");
    }
}
