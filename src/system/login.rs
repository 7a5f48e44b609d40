//! Registry logins: `POST /auth` checks credentials ([`auth`], a login that is not kept), and
//! [`login`] / [`logout`] keep and remove them as `docker login` / `docker logout` do.
//!
//! Logging in and out the way `docker login` / `docker logout` do: the credentials are checked
//! with the daemon (`POST /auth`), then kept where the CLI keeps them, so that later pulls and
//! pushes (by this library or by the CLI) find them.
//!
//! Where: the credential helper the config names for the registry (`credHelpers`, else
//! `credsStore`: `docker-credential-<name> store`, the secret on stdin, an empty `auths` entry
//! in the file as the CLI writes), else the config file's `auths` (base64 `user:password`, or
//! the identity token the daemon returned instead of the password). The file is written
//! atomically (a temporary file renamed over it), keeps its mode (0600 for a new one), follows
//! a symlink to the real file, and keeps every byte it does not need to change (unlike the
//! CLI, which rewrites the whole file).

use std::path::PathBuf;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde::Deserialize;

use crate::auth::config_edit::{self, edit_file};
use crate::auth::cred_helper::{CredHelper, TOKEN_USERNAME};
use crate::auth::registry_key::normalize_registry;
use crate::auth::resolve::Source;
use crate::auth::{AuthConfig, DockerConfig};
use crate::client::{Body, Call, Client, CredentialSource, RawJson};
use crate::error::{Error, Result};

/// What a login kept, and where.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LoginResult {
    /// The config key: `https://index.docker.io/v1/` for Docker Hub, else `host[:port]`.
    pub registry: String,
    /// `"auths"`, `"credsStore:<name>"` or `"credHelper:<name>"`.
    pub stored_in: String,
    /// The config file written.
    pub config: PathBuf,
    /// The daemon's `Status` ("Login Succeeded").
    pub status: String,
    /// The daemon returned an identity token, kept instead of the password.
    pub identity_token: bool,
}

impl LoginResult {
    pub fn to_json(&self) -> String {
        serde_json::json!({
            "registry": self.registry,
            "stored_in": self.stored_in,
            "config": self.config.display().to_string(),
            "status": self.status,
            "identity_token": self.identity_token,
        })
        .to_string()
    }
}

/// What a logout removed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LogoutResult {
    pub registry: String,
    /// Where credentials were removed from (`"auths"`, `"credHelper:<name>"`, …); empty when
    /// there were none.
    pub removed_from: Vec<String>,
    pub config: PathBuf,
}

impl LogoutResult {
    pub fn to_json(&self) -> String {
        serde_json::json!({
            "registry": self.registry,
            "removed_from": self.removed_from,
            "found": !self.removed_from.is_empty(),
            "config": self.config.display().to_string(),
        })
        .to_string()
    }
}

#[derive(Deserialize, Default)]
struct AuthAnswer {
    #[serde(rename = "Status", default)]
    status: String,
    #[serde(rename = "IdentityToken", default)]
    identity_token: String,
}

/// Checks `creds` with the daemon and keeps them (see the module documentation). Nothing is
/// written when the daemon refuses them.
///
/// Errors: invalid argument (no user name and password or identity token; a config file that is
/// not JSON; a client whose docker config was given in memory), unauthorized (refused by the
/// registry, or the helper failed to store), transport, …
pub fn login(client: &Client, creds: &AuthConfig, opts: &LoginOptions) -> Result<LoginResult> {
    let password = creds.password.as_deref().unwrap_or("");
    let username = creds.username.as_deref().unwrap_or("");
    let token = creds.identitytoken.as_deref().unwrap_or("");
    if token.is_empty() && (username.is_empty() || password.is_empty()) {
        return Err(Error::invalid("login credentials: give \"username\" and \"password\", or \"identitytoken\""));
    }
    let key = normalize_registry(creds.serveraddress.as_deref().unwrap_or(""));
    let (path, config) = config_of(client)?;
    let mut checked = creds.clone();
    checked.serveraddress = Some(key.clone());
    let answer: AuthAnswer =
        serde_json::from_str(&auth_call(client, &checked, Call::post("/auth").limits_of(opts))?).unwrap_or_default();
    // A registry may answer with an identity token: it is kept instead of the password.
    let kept_token = if answer.identity_token.is_empty() { token } else { answer.identity_token.as_str() };

    let stored_in = match config.helper_for(&key) {
        Some((name, source)) => {
            let helper = CredHelper::new(&name, config.helper_path.as_deref())?;
            if kept_token.is_empty() {
                helper.store(&key, username, password)?;
            } else {
                helper.store(&key, TOKEN_USERNAME, kept_token)?;
            }
            edit_file(&path, |text| config_edit::set_entry(text, &key, "{}"))?;
            source.label()
        }
        None => {
            let entry = if kept_token.is_empty() {
                serde_json::json!({"auth": STANDARD.encode(format!("{username}:{password}"))})
            } else {
                serde_json::json!({"auth": STANDARD.encode(format!("{username}:")), "identitytoken": kept_token})
            };
            edit_file(&path, |text| config_edit::set_entry(text, &key, &entry.to_string()))?;
            Source::Auths.label()
        }
    };
    Ok(LoginResult { registry: key, stored_in, config: path, status: answer.status, identity_token: !kept_token.is_empty() })
}

/// Removes what is kept for `registry` (any spelling; `""` is Docker Hub): from its credential
/// helper, and its `auths` entry. Nothing kept is not an error (`removed_from` is empty).
pub fn logout(client: &Client, registry: &str) -> Result<LogoutResult> {
    let key = normalize_registry(registry);
    let (path, config) = config_of(client)?;
    let mut removed_from = Vec::new();
    if let Some((name, source)) = config.helper_for(&key) {
        let helper = CredHelper::new(&name, config.helper_path.as_deref())?;
        if helper.erase(&key)? {
            removed_from.push(source.label());
        }
    }
    if path.exists() {
        let mut removed = false;
        edit_file(&path, |text| {
            let (t, was) = config_edit::remove_entry(text, &key)?;
            removed = was;
            Ok(t)
        })?;
        if removed {
            removed_from.push(Source::Auths.label());
        }
    }
    Ok(LogoutResult { registry: key, removed_from, config: path })
}

/// The config file a client's credentials come from (which a login writes), as it is now.
/// A config given in memory must name its file; its helper search path is kept.
fn config_of(client: &Client) -> Result<(PathBuf, DockerConfig)> {
    let (path, helper_path) = match client.credentials() {
        CredentialSource::Environment => (
            DockerConfig::default_path()
                .ok_or_else(|| Error::invalid("no docker config location: neither DOCKER_CONFIG nor HOME is set"))?,
            None,
        ),
        CredentialSource::Dir(dir) => (dir.join("config.json"), None),
        CredentialSource::Given(cfg) => (
            cfg.path.clone().ok_or_else(|| {
                Error::invalid("the client's docker config was given in memory: there is no file to keep credentials in")
            })?,
            cfg.helper_path.clone(),
        ),
    };
    let mut config = DockerConfig::load_from(&path)?;
    config.helper_path = helper_path;
    Ok((path, config))
}

/// Asks the daemon to log in to a registry with these credentials; returns the daemon's answer
/// (`{"Status": "Login Succeeded", "IdentityToken": …}`) verbatim. A refusal is unauthorized,
/// also where the daemon reports the registry's refusal as HTTP 500.
pub fn auth(client: &Client, credentials: &impl serde::Serialize) -> Result<RawJson> {
    auth_call(client, credentials, Call::post("/auth"))
}

/// `POST /auth` as `call` (which may carry time limits).
fn auth_call(client: &Client, credentials: &impl serde::Serialize, call: Call) -> Result<RawJson> {
    let body = serde_json::to_vec(credentials)
        .map_err(|e| Error::internal(format!("cannot encode credentials: {e}")))?;
    client.send_json(&call, Body::Bytes(&body, "application/json")).map_err(Error::registry_class)
}

crate::options::options_struct! {
    /// Options of a kept login (the JSON object `dc_auth_login` takes): the time limits of the
    /// daemon's check. The credentials themselves are a separate argument.
    pub struct LoginOptions {
    }
    groups: [limits]
}
