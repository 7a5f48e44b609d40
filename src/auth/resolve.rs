//! Which credentials a registry gets, with the docker CLI's precedence.
//!
//! For one registry (CLI: `ConfigFile.GetAuthConfig`):
//! 1. The store is chosen: `credHelpers[registry]` if present, else `credsStore`, else the file.
//!    Only one helper is ever asked; a `credHelpers` entry with an empty name selects the file
//!    even when `credsStore` is set.
//! 2. A helper's answer is merged over the file's `auths` entry (which keeps `email`).
//! 3. If the helper holds nothing or is not installed, the `auths` entry is used. (The CLI does
//!    this too when a helper cannot run: it ignores the helper's error and keeps the entry.)
//!    A helper that runs and fails is an error here, so the caller can tell; the CLI would
//!    carry on without credentials.
//!
//! `auths` keys are matched exactly first, then by [`normalize_registry`] (so `http://host:5000`,
//! `host:5000/v2/` and, for Docker Hub, `docker.io` also match). The returned config's
//! `serveraddress` is always the normalized registry key.
//!
//! For builds (CLI: `GetAllCredentials`) every registry is collected: the `auths` entries that
//! hold credentials, then everything `credsStore` lists, then each `credHelpers` registry, later
//! sources overriding earlier ones. Keys are normalized, so the daemon finds Docker Hub under
//! `https://index.docker.io/v1/` whatever the file called it. A failing `credHelpers` registry is
//! skipped (as the CLI does); a failing `credsStore` is an error.
//!
//! Not done (documented divergences from the CLI): the `DOCKER_AUTH_CONFIG` variable of recent
//! CLIs, the legacy `~/.dockercfg` file, and the platform default store the CLI picks when the
//! file configures no credentials at all.

use std::collections::BTreeMap;

use crate::auth::config::AuthConfig;
use crate::auth::cred_helper::CredHelper;
use crate::auth::docker_config::DockerConfig;
use crate::auth::registry_key::{normalize_registry, registry_for_reference};
use crate::error::Result;
use crate::reference::Reference;

/// Where resolved credentials came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Source {
    /// The config file's `auths` entry.
    Auths,
    /// The `credsStore` helper of that name.
    CredsStore(String),
    /// The `credHelpers` helper of that name.
    CredHelper(String),
}

impl Source {
    /// `"auths"`, `"credsStore:<name>"` or `"credHelper:<name>"`.
    pub fn label(&self) -> String {
        match self {
            Source::Auths => "auths".to_string(),
            Source::CredsStore(n) => format!("credsStore:{n}"),
            Source::CredHelper(n) => format!("credHelper:{n}"),
        }
    }
}

/// Credentials with their origin. `Debug` is safe: [`AuthConfig`]'s redacts secrets.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Resolved {
    pub auth: AuthConfig,
    pub source: Source,
}

/// The store chosen for a registry.
enum Store {
    File,
    Helper(String, Source),
}

impl DockerConfig {
    /// Credentials for `registry` (any spelling, see [`normalize_registry`]); `None` when there
    /// are none.
    pub fn resolve(&self, registry: &str) -> Result<Option<AuthConfig>> {
        Ok(self.resolve_with_source(registry)?.map(|r| r.auth))
    }

    /// Credentials for the registry of an image reference.
    pub fn resolve_for_reference(&self, reference: &Reference) -> Result<Option<AuthConfig>> {
        self.resolve(&registry_for_reference(reference))
    }

    /// Like [`DockerConfig::resolve`], also telling where the credentials came from.
    pub fn resolve_with_source(&self, registry: &str) -> Result<Option<Resolved>> {
        let key = normalize_registry(registry);
        let entry = self.auths_entry(&key);
        if let Store::Helper(name, source) = self.store_for(&key) {
            let helper = CredHelper::new(&name, self.helper_path.as_deref())?;
            if let Some(creds) = helper.get(&key)? {
                let mut auth = entry.cloned().unwrap_or_default();
                auth.username = creds.username;
                auth.password = creds.password;
                auth.identitytoken = creds.identitytoken;
                auth.serveraddress = Some(key);
                return Ok(Some(Resolved { auth, source }));
            }
        }
        Ok(entry.filter(|e| e.has_credentials()).map(|e| {
            let mut auth = e.clone();
            auth.serveraddress = Some(key.clone());
            Resolved {
                auth,
                source: Source::Auths,
            }
        }))
    }

    /// Credentials for every registry the config knows, keyed by normalized registry (for the
    /// `X-Registry-Config` header of builds).
    pub fn resolve_all(&self) -> Result<BTreeMap<String, AuthConfig>> {
        let mut all = BTreeMap::new();
        // `auths` first; an exactly-spelled key wins over other spellings of the same registry.
        for (raw, entry) in &self.auths {
            let key = normalize_registry(raw);
            if !entry.has_credentials() || (all.contains_key(&key) && *raw != key) {
                continue;
            }
            let mut auth = entry.clone();
            auth.serveraddress = Some(key.clone());
            all.insert(key, auth);
        }
        if let Some(store) = &self.creds_store {
            let helper = CredHelper::new(store, self.helper_path.as_deref())?;
            for server in helper.list()?.into_keys() {
                let Some(creds) = helper.get(&server)? else {
                    continue;
                };
                let key = normalize_registry(&server);
                let mut auth = self.auths_entry(&key).cloned().unwrap_or_default();
                auth.username = creds.username;
                auth.password = creds.password;
                auth.identitytoken = creds.identitytoken;
                auth.serveraddress = Some(key.clone());
                all.insert(key, auth);
            }
        }
        for registry in self.cred_helpers.keys() {
            // As the CLI: a registry whose helper fails is left out, not fatal.
            if let Ok(Some(auth)) = self.resolve(registry) {
                all.insert(normalize_registry(registry), auth);
            }
        }
        Ok(all)
    }

    /// The `auths` entry for a normalized key: the exact key, else the first key (in sorted
    /// order, preferring ones with credentials) that normalizes to it.
    fn auths_entry(&self, key: &str) -> Option<&AuthConfig> {
        if let Some(e) = self.auths.get(key) {
            return Some(e);
        }
        let mut matching = self
            .auths
            .iter()
            .filter(|(k, _)| normalize_registry(k) == key);
        let first = matching.next()?.1;
        if first.has_credentials() {
            return Some(first);
        }
        matching
            .map(|(_, e)| e)
            .find(|e| e.has_credentials())
            .or(Some(first))
    }

    /// The credential helper that stores `key`'s credentials (`credHelpers`, else
    /// `credsStore`), with where it was named; `None` when the file's `auths` does.
    pub fn helper_for(&self, key: &str) -> Option<(String, Source)> {
        match self.store_for(key) {
            Store::Helper(name, source) => Some((name, source)),
            Store::File => None,
        }
    }

    fn store_for(&self, key: &str) -> Store {
        let helper = self.cred_helpers.get(key).or_else(|| {
            self.cred_helpers
                .iter()
                .find(|(k, _)| normalize_registry(k) == key)
                .map(|(_, v)| v)
        });
        match (helper, &self.creds_store) {
            (Some(h), _) if h.is_empty() => Store::File,
            (Some(h), _) => Store::Helper(h.clone(), Source::CredHelper(h.clone())),
            (None, Some(s)) => Store::Helper(s.clone(), Source::CredsStore(s.clone())),
            (None, None) => Store::File,
        }
    }
}

/// Credentials for `registry` from the config file the environment names.
pub fn resolve(registry: &str) -> Result<Option<AuthConfig>> {
    DockerConfig::load()?.resolve(registry)
}

/// Like [`resolve`], also telling where the credentials came from.
pub fn resolve_with_source(registry: &str) -> Result<Option<Resolved>> {
    DockerConfig::load()?.resolve_with_source(registry)
}

/// Every registry's credentials from the config file the environment names (for builds).
pub fn resolve_all() -> Result<BTreeMap<String, AuthConfig>> {
    DockerConfig::load()?.resolve_all()
}

/// What `dc_auth_resolve` returns: which credentials would be used for `registry`, without any
/// secret — only whether each secret is present.
///
/// `{"registry", "found", "source", "username", "email", "serveraddress", "has_password",
/// "has_identitytoken", "has_registrytoken"}`; `registry` is the normalized key, absent values
/// are `null`.
pub fn redacted_json(resolved: &Option<Resolved>, registry: &str) -> String {
    let auth = resolved.as_ref().map(|r| &r.auth);
    let has = |f: fn(&AuthConfig) -> &Option<String>| {
        auth.is_some_and(|a| f(a).as_deref().is_some_and(|s| !s.is_empty()))
    };
    serde_json::json!({
        "registry": normalize_registry(registry),
        "found": resolved.is_some(),
        "source": resolved.as_ref().map(|r| r.source.label()),
        "username": auth.and_then(|a| a.username.clone()),
        "email": auth.and_then(|a| a.email.clone()),
        "serveraddress": auth.and_then(|a| a.serveraddress.clone()),
        "has_password": has(|a| &a.password),
        "has_identitytoken": has(|a| &a.identitytoken),
        "has_registrytoken": has(|a| &a.registrytoken),
    })
    .to_string()
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use crate::auth::cred_helper::tests::FAKE_HELPER;
    use crate::auth::registry_key::INDEX_SERVER;
    use crate::testutil::TempDir;
    use base64::Engine;
    use base64::engine::general_purpose::STANDARD;

    const HUB: &str = INDEX_SERVER;

    /// A config file in a temp dir, with the fake `docker-credential-test` helper next to it
    /// and that dir as the only helper search path.
    fn config(body: &str) -> (TempDir, DockerConfig) {
        let d = TempDir::new("resolve");
        d.write_script("docker-credential-test", FAKE_HELPER);
        let p = d.write("config.json", body);
        let c = DockerConfig::load_from(&p)
            .unwrap()
            .with_helper_path(d.path().as_os_str());
        (d, c)
    }

    fn b64(s: &str) -> String {
        STANDARD.encode(s)
    }

    #[test]
    fn auths_entry_with_every_spelling() {
        let body = format!(
            r#"{{"auths":{{
                "https://index.docker.io/v1/":{{"auth":"{}","email":"h@x"}},
                "http://127.0.0.1:5000":{{"auth":"{}"}},
                "myreg.example:443/v2/":{{"identitytoken":"idt"}}
            }}}}"#,
            b64("hubu:hubp"),
            b64("locu:locp")
        );
        let (_d, c) = config(&body);
        for hub in [
            "",
            "docker.io",
            "index.docker.io",
            "registry-1.docker.io",
            HUB,
        ] {
            let r = c.resolve_with_source(hub).unwrap().unwrap();
            assert_eq!(r.source, Source::Auths);
            assert_eq!(r.auth.username.as_deref(), Some("hubu"), "{hub:?}");
            assert_eq!(r.auth.password.as_deref(), Some("hubp"));
            assert_eq!(r.auth.email.as_deref(), Some("h@x"));
            assert_eq!(r.auth.serveraddress.as_deref(), Some(HUB));
        }
        for reg in [
            "127.0.0.1:5000",
            "http://127.0.0.1:5000/",
            "https://127.0.0.1:5000/v2/",
        ] {
            let a = c.resolve(reg).unwrap().unwrap();
            assert_eq!(a.username.as_deref(), Some("locu"), "{reg}");
            assert_eq!(a.serveraddress.as_deref(), Some("127.0.0.1:5000"));
        }
        let a = c.resolve("myreg.example:443").unwrap().unwrap();
        assert_eq!(a.identitytoken.as_deref(), Some("idt"));
        assert_eq!(c.resolve("other.example").unwrap(), None);
        assert_eq!(c.resolve("127.0.0.1:5001").unwrap(), None);
    }

    #[test]
    fn hub_entry_under_short_name_matches() {
        let body = format!(r#"{{"auths":{{"docker.io":{{"auth":"{}"}}}}}}"#, b64("u:p"));
        let (_d, c) = config(&body);
        assert_eq!(
            c.resolve(HUB).unwrap().unwrap().username.as_deref(),
            Some("u")
        );
        let r = crate::reference::parse_normalized("busybox").unwrap();
        assert_eq!(
            c.resolve_for_reference(&r)
                .unwrap()
                .unwrap()
                .username
                .as_deref(),
            Some("u")
        );
    }

    #[test]
    fn empty_entries_are_not_credentials() {
        let (_d, c) =
            config(r#"{"auths":{"https://index.docker.io/v1/":{}, "r.example":{"email":"e"}}}"#);
        assert_eq!(c.resolve(HUB).unwrap(), None);
        assert_eq!(c.resolve("r.example").unwrap(), None);
        assert!(c.resolve_all().unwrap().is_empty());
    }

    #[test]
    fn creds_store_wins_over_auths_and_keeps_email() {
        let body = format!(
            r#"{{"auths":{{"https://index.docker.io/v1/":{{"auth":"{}","email":"h@x"}}}},"credsStore":"test"}}"#,
            b64("fileu:filep")
        );
        let (_d, c) = config(&body);
        let r = c.resolve_with_source("docker.io").unwrap().unwrap();
        assert_eq!(r.source, Source::CredsStore("test".into()));
        assert_eq!(r.auth.username.as_deref(), Some("hubuser"));
        assert_eq!(r.auth.password.as_deref(), Some("hubpass"));
        assert_eq!(r.auth.email.as_deref(), Some("h@x"));
        assert_eq!(r.auth.serveraddress.as_deref(), Some(HUB));
    }

    #[test]
    fn cred_helper_wins_over_creds_store() {
        let body = r#"{"credsStore":"absent","credHelpers":{"tok.example":"test"}}"#;
        let (_d, c) = config(body);
        let r = c.resolve_with_source("tok.example").unwrap().unwrap();
        assert_eq!(r.source, Source::CredHelper("test".into()));
        assert_eq!(r.auth.identitytoken.as_deref(), Some("idtoken-xyz"));
        assert_eq!(r.auth.username, None);
        // Other registries go to credsStore, whose helper is not installed: nothing, no error.
        assert_eq!(c.resolve(HUB).unwrap(), None);
    }

    #[test]
    fn empty_cred_helper_selects_the_file() {
        let body = format!(
            r#"{{"auths":{{"r.example":{{"auth":"{}"}}}},"credsStore":"test","credHelpers":{{"r.example":""}}}}"#,
            b64("u:p")
        );
        let (d, c) = config(&body);
        let r = c.resolve_with_source("r.example").unwrap().unwrap();
        assert_eq!(r.source, Source::Auths);
        assert!(!d.path().join("calls.log").exists(), "no helper may run");
    }

    #[test]
    fn helper_without_credentials_falls_back_to_auths() {
        let body = format!(
            r#"{{"auths":{{"r.example":{{"auth":"{}"}}}},"credsStore":"test"}}"#,
            b64("u:p")
        );
        let (_d, c) = config(&body);
        let r = c.resolve_with_source("r.example").unwrap().unwrap();
        assert_eq!(r.source, Source::Auths);
        assert_eq!(r.auth.password.as_deref(), Some("p"));
    }

    #[test]
    fn failing_helper_is_an_error_without_secrets() {
        let (_d, c) = config(r#"{"credHelpers":{"broken.example":"test"}}"#);
        let e = c.resolve("broken.example").unwrap_err();
        assert!(
            e.message.contains("docker-credential-test"),
            "{}",
            e.message
        );
        assert!(!e.message.contains("leaked-secret"));
        // resolve_all leaves the failing registry out instead.
        assert!(c.resolve_all().unwrap().is_empty());
    }

    #[test]
    fn helper_receives_the_normalized_key() {
        let (d, c) = config(r#"{"credHelpers":{"https://tok.example/v2/":"test"}}"#);
        c.resolve("http://tok.example").unwrap().unwrap();
        let log = std::fs::read_to_string(d.path().join("calls.log")).unwrap();
        assert_eq!(log, "get tok.example\n");
    }

    #[test]
    fn resolve_all_collects_every_source() {
        let body = format!(
            r#"{{"auths":{{
                "docker.io":{{"auth":"{}"}},
                "http://file.example:5000":{{"auth":"{}"}},
                "empty.example":{{}}
              }},
              "credsStore":"test",
              "credHelpers":{{"tok.example":"test","nothing.example":"test"}}}}"#,
            b64("fileu:filep"),
            b64("f:p")
        );
        let (_d, c) = config(&body);
        let all = c.resolve_all().unwrap();
        let keys: Vec<_> = all.keys().map(String::as_str).collect();
        assert_eq!(keys, ["file.example:5000", HUB, "tok.example"]);
        // credsStore's answer overrides the file's Hub entry.
        assert_eq!(all[HUB].username.as_deref(), Some("hubuser"));
        assert_eq!(all[HUB].serveraddress.as_deref(), Some(HUB));
        assert_eq!(all["file.example:5000"].username.as_deref(), Some("f"));
        assert_eq!(
            all["tok.example"].identitytoken.as_deref(),
            Some("idtoken-xyz")
        );
        let header = crate::auth::encode_config_header(&all);
        assert!(!header.contains('+') && !header.contains('/'));
    }

    #[test]
    fn redacted_json_has_no_secrets() {
        let (_d, c) = config(r#"{"credHelpers":{"tok.example":"test"},"credsStore":"test"}"#);
        let r = c.resolve_with_source("docker.io").unwrap();
        let j = redacted_json(&r, "docker.io");
        assert!(!j.contains("hubpass"), "{j}");
        let v: serde_json::Value = serde_json::from_str(&j).unwrap();
        assert_eq!(v["registry"], HUB);
        assert_eq!(v["found"], true);
        assert_eq!(v["source"], "credsStore:test");
        assert_eq!(v["username"], "hubuser");
        assert_eq!(v["serveraddress"], HUB);
        assert_eq!(v["email"], serde_json::Value::Null);
        assert_eq!(v["has_password"], true);
        assert_eq!(v["has_identitytoken"], false);
        assert_eq!(v["has_registrytoken"], false);

        let r = c.resolve_with_source("tok.example").unwrap();
        let j = redacted_json(&r, "tok.example");
        assert!(!j.contains("idtoken-xyz"), "{j}");
        let v: serde_json::Value = serde_json::from_str(&j).unwrap();
        assert_eq!(v["source"], "credHelper:test");
        assert_eq!(v["has_identitytoken"], true);
        assert_eq!(v["username"], serde_json::Value::Null);

        let v: serde_json::Value =
            serde_json::from_str(&redacted_json(&None, "x.example")).unwrap();
        assert_eq!(v["found"], false);
        assert_eq!(v["source"], serde_json::Value::Null);
        assert_eq!(v["has_password"], false);
        assert_eq!(v["registry"], "x.example");
    }

    #[test]
    fn debug_of_resolved_is_redacted() {
        let (_d, c) = config(r#"{"credsStore":"test"}"#);
        let r = c.resolve_with_source(HUB).unwrap();
        let all = c.resolve_all().unwrap();
        let d = format!("{r:?} {all:?} {c:?}");
        assert!(!d.contains("hubpass") && !d.contains("idtoken-xyz"), "{d}");
    }
}
