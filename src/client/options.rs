//! `dc_client_new` options, and how absent ones are filled from the environment the way the
//! docker CLI does (`DOCKER_HOST`, `DOCKER_TLS_VERIFY`, `DOCKER_TLS`, `DOCKER_CERT_PATH`,
//! `DOCKER_API_VERSION`).

use std::path::PathBuf;
use std::time::Duration;

use serde::Deserialize;

use super::version::ApiVersion;
use crate::error::{Error, Result};
use crate::transport::{Endpoint, TlsFiles};

/// Client options (JSON keys are these field names).
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClientOptions {
    /// `unix:///path`, `tcp://host:port`, `http://…`, `https://…`; default `DOCKER_HOST`.
    pub host: Option<String>,
    /// Pin an API version (`"1.41"`); default `DOCKER_API_VERSION`, else negotiate.
    pub api_version: Option<String>,
    /// TLS settings; default from `DOCKER_TLS_VERIFY`/`DOCKER_TLS`/`DOCKER_CERT_PATH`.
    pub tls: Option<TlsOptions>,
    /// Whole-call time limit in milliseconds (0 or absent = none).
    pub timeout_ms: Option<u64>,
    /// Longest silence allowed between two reads, in milliseconds (0 or absent = none).
    pub inactivity_timeout_ms: Option<u64>,
    /// `User-Agent` header.
    pub user_agent: Option<String>,
    /// The docker config directory registry credentials come from (holding `config.json`, as
    /// the CLI's `--config`); default `DOCKER_CONFIG`, else `~/.docker`.
    pub docker_config: Option<String>,
}

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TlsOptions {
    pub ca: Option<String>,
    pub cert: Option<String>,
    pub key: Option<String>,
    /// Verify the daemon's certificate (default true).
    pub verify: Option<bool>,
}

/// Where environment variables come from (tests pass their own).
pub trait Env {
    fn var(&self, key: &str) -> Option<String>;
}

pub struct ProcessEnv;

impl Env for ProcessEnv {
    fn var(&self, key: &str) -> Option<String> {
        std::env::var(key).ok().filter(|v| !v.is_empty())
    }
}

/// Options with every default applied.
#[derive(Debug)]
pub struct Resolved {
    pub endpoint: Endpoint,
    pub tls: Option<TlsFiles>,
    pub api_version: Option<ApiVersion>,
    pub timeout: Option<Duration>,
    pub inactivity_timeout: Option<Duration>,
    pub user_agent: String,
    /// `None`: the environment's docker config directory, looked up at each operation.
    pub docker_config: Option<PathBuf>,
}

fn millis(v: Option<u64>) -> Option<Duration> {
    v.filter(|ms| *ms > 0).map(Duration::from_millis)
}

impl ClientOptions {
    pub fn resolve(&self, env: &dyn Env) -> Result<Resolved> {
        let host = match &self.host {
            Some(h) => h.clone(),
            None => env.var("DOCKER_HOST").unwrap_or_else(|| crate::transport::DEFAULT_HOST.to_string()),
        };
        let tls = match &self.tls {
            Some(t) => Some(TlsFiles {
                ca: t.ca.as_ref().map(PathBuf::from),
                cert: t.cert.as_ref().map(PathBuf::from),
                key: t.key.as_ref().map(PathBuf::from),
                verify: t.verify.unwrap_or(true),
            }),
            None => tls_from_env(env),
        };
        let want_tls = tls.is_some();
        let endpoint = Endpoint::parse(&host, want_tls)?;
        // TLS settings from the environment apply to TCP endpoints only; given explicitly for
        // a Unix socket they are a mistake worth reporting.
        let tls = match (&endpoint, tls) {
            (Endpoint::Unix(_), Some(_)) if self.tls.is_none() => None,
            (Endpoint::Tcp { tls: false, .. }, Some(_)) if self.tls.is_none() => None,
            (_, t) => t,
        };
        let api_version = match &self.api_version {
            Some(v) => Some(pinned(v, "option \"api_version\"")?),
            None => match env.var("DOCKER_API_VERSION") {
                Some(v) => Some(pinned(&v, "DOCKER_API_VERSION")?),
                None => None,
            },
        };
        let user_agent = match &self.user_agent {
            Some(ua) if ua.bytes().any(|b| b < 0x20 || b == 0x7f) => {
                return Err(Error::invalid("option \"user_agent\" contains control characters"));
            }
            Some(ua) => ua.clone(),
            None => format!("dockerclient/{}", env!("CARGO_PKG_VERSION")),
        };
        Ok(Resolved {
            endpoint,
            tls,
            api_version,
            timeout: millis(self.timeout_ms),
            inactivity_timeout: millis(self.inactivity_timeout_ms),
            user_agent,
            docker_config: match &self.docker_config {
                Some(d) if d.is_empty() => return Err(Error::invalid("option \"docker_config\" is empty")),
                Some(d) => Some(PathBuf::from(d)),
                None => None,
            },
        })
    }
}

fn pinned(v: &str, source: &str) -> Result<ApiVersion> {
    let parsed = ApiVersion::parse(v).map_err(|e| e.context(source))?;
    if parsed < ApiVersion::MIN || parsed > ApiVersion::MAX {
        return Err(Error::invalid(format!(
            "{source}: API version {parsed} is outside the supported range {} to {}",
            ApiVersion::MIN,
            ApiVersion::MAX
        )));
    }
    Ok(parsed)
}

/// `DOCKER_TLS_VERIFY` (any non-empty value) means TLS with verification; `DOCKER_TLS` alone
/// means TLS without verifying the daemon. Certificates come from `DOCKER_CERT_PATH`, else
/// `~/.docker`, and are used only if present.
fn tls_from_env(env: &dyn Env) -> Option<TlsFiles> {
    let verify = env.var("DOCKER_TLS_VERIFY").is_some();
    let tls = verify || env.var("DOCKER_TLS").is_some();
    if !tls {
        return None;
    }
    let dir = env
        .var("DOCKER_CERT_PATH")
        .map(PathBuf::from)
        .or_else(|| env.var("HOME").map(|h| PathBuf::from(h).join(".docker")))?;
    let file = |name: &str| {
        let p = dir.join(name);
        p.exists().then_some(p)
    };
    Some(TlsFiles { ca: file("ca.pem"), cert: file("cert.pem"), key: file("key.pem"), verify })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    struct MapEnv(HashMap<&'static str, String>);
    impl Env for MapEnv {
        fn var(&self, key: &str) -> Option<String> {
            self.0.get(key).cloned()
        }
    }

    fn env(pairs: &[(&'static str, &str)]) -> MapEnv {
        MapEnv(pairs.iter().map(|(k, v)| (*k, v.to_string())).collect())
    }

    #[test]
    fn defaults_to_the_standard_socket() {
        let r = ClientOptions::default().resolve(&env(&[])).unwrap();
        assert_eq!(r.endpoint, Endpoint::Unix("/var/run/docker.sock".into()));
        assert!(r.api_version.is_none() && r.tls.is_none());
    }

    #[test]
    fn reads_the_cli_environment() {
        let r = ClientOptions::default()
            .resolve(&env(&[
                ("DOCKER_HOST", "tcp://10.0.0.1:2376"),
                ("DOCKER_TLS_VERIFY", "1"),
                ("DOCKER_CERT_PATH", "/nonexistent"),
                ("DOCKER_API_VERSION", "1.41"),
            ]))
            .unwrap();
        assert!(r.endpoint.is_tls());
        assert!(r.tls.unwrap().verify);
        assert_eq!(r.api_version, Some(ApiVersion::new(1, 41)));
    }

    #[test]
    fn options_win_over_environment() {
        let o = ClientOptions { host: Some("unix:///tmp/x.sock".into()), ..Default::default() };
        let r = o.resolve(&env(&[("DOCKER_HOST", "tcp://h:1"), ("DOCKER_TLS_VERIFY", "1")])).unwrap();
        assert_eq!(r.endpoint, Endpoint::Unix("/tmp/x.sock".into()));
        assert!(r.tls.is_none(), "environment TLS does not apply to a socket");
    }

    #[test]
    fn bad_versions_name_their_source() {
        let e = ClientOptions::default().resolve(&env(&[("DOCKER_API_VERSION", "banana")])).unwrap_err();
        assert!(e.message.contains("DOCKER_API_VERSION"), "{}", e.message);
        let o = ClientOptions { api_version: Some("1.99".into()), ..Default::default() };
        let e = o.resolve(&env(&[])).unwrap_err();
        assert!(e.message.contains("outside the supported range"), "{}", e.message);
    }
}
