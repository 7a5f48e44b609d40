//! `dc_client_new` options, and how absent ones are filled from the environment the way the
//! docker CLI does (`DOCKER_HOST`, `DOCKER_CONTEXT` and the config's `currentContext`,
//! `DOCKER_TLS_VERIFY`, `DOCKER_TLS`, `DOCKER_CERT_PATH`, `DOCKER_API_VERSION`).
//!
//! Which daemon, in the CLI's order: the `host` option (like `-H`) or the `context` option
//! (like `--context`; giving both is an error, as in the CLI), then `DOCKER_HOST`, then
//! `DOCKER_CONTEXT`, then `currentContext` in the config file, then the default socket. The
//! context `default` means `DOCKER_HOST` or the default socket.

use std::path::PathBuf;
use std::time::Duration;

use serde::Deserialize;

use super::context;
use super::version::ApiVersion;
use crate::error::{Error, Result};
use crate::transport::proxy::{self, ProxyChoice};
use crate::transport::{Endpoint, TlsFiles};

/// Client options (JSON keys are these field names).
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClientOptions {
    /// `unix:///path`, `tcp://host:port`, `http://…`, `https://…`; default `DOCKER_HOST`.
    pub host: Option<String>,
    /// A docker context's name (as `docker --context`); see the module documentation.
    pub context: Option<String>,
    /// The HTTP proxy for a TCP daemon: a URL, or `"none"`; default from `HTTP_PROXY` /
    /// `HTTPS_PROXY` / `NO_PROXY` as the CLI reads them (see `transport::proxy`).
    pub proxy: Option<String>,
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

/// Where the endpoint came from (what `dc_client_endpoint` reports as "source").
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EndpointSource {
    /// The `host` option.
    Option,
    /// The `DOCKER_HOST` variable.
    DockerHost,
    /// A stored context, named by the `context` option, `DOCKER_CONTEXT` or `currentContext`.
    Context { name: String, named_by: &'static str },
    /// Nothing said: the default socket.
    Default,
}

impl EndpointSource {
    /// `"option"`, `"DOCKER_HOST"`, `"context:<name>"` or `"default"`.
    pub fn label(&self) -> String {
        match self {
            EndpointSource::Option => "option".into(),
            EndpointSource::DockerHost => "DOCKER_HOST".into(),
            EndpointSource::Context { name, .. } => format!("context:{name}"),
            EndpointSource::Default => "default".into(),
        }
    }
}

/// Options with every default applied.
#[derive(Debug)]
pub struct Resolved {
    pub endpoint: Endpoint,
    pub source: EndpointSource,
    pub proxy: Option<ProxyChoice>,
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
        let (host, source, context_tls) = self.which_daemon(env)?;
        let tls = match &self.tls {
            Some(t) => Some(TlsFiles {
                ca: t.ca.as_ref().map(PathBuf::from),
                cert: t.cert.as_ref().map(PathBuf::from),
                key: t.key.as_ref().map(PathBuf::from),
                verify: t.verify.unwrap_or(true),
            }),
            // A stored context carries its own TLS settings; the environment's are for the
            // default context only (as in the CLI).
            None if matches!(source, EndpointSource::Context { .. }) => context_tls,
            None => tls_from_env(env),
        };
        let want_tls = tls.is_some();
        let endpoint = Endpoint::parse(&host, want_tls).map_err(|e| match &source {
            EndpointSource::Context { name, named_by } => e.context(format!("{named_by}: context \"{name}\"")),
            EndpointSource::DockerHost => e.context("DOCKER_HOST"),
            _ => e,
        })?;
        // TLS settings from the environment or a context apply to TCP endpoints only; given
        // explicitly for a Unix socket they are a mistake worth reporting.
        let tls = match (&endpoint, tls) {
            (Endpoint::Tcp { tls: true, .. }, t) => t,
            (_, Some(_)) if self.tls.is_none() => None,
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
        let proxy = proxy::choose(&endpoint, self.proxy.as_deref(), &|k| env.var(k))?;
        Ok(Resolved {
            endpoint,
            source,
            proxy,
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

impl ClientOptions {
    /// The host string, where it came from, and a stored context's TLS (see the module
    /// documentation for the order).
    fn which_daemon(&self, env: &dyn Env) -> Result<(String, EndpointSource, Option<TlsFiles>)> {
        if self.host.is_some() && self.context.is_some() {
            return Err(Error::invalid("options \"host\" and \"context\" both name the daemon: give one"));
        }
        if let Some(h) = &self.host {
            return Ok((h.clone(), EndpointSource::Option, None));
        }
        if let Some(name) = &self.context {
            return self.stored_context(env, name, "option \"context\"");
        }
        if let Some(h) = env.var("DOCKER_HOST") {
            return Ok((h, EndpointSource::DockerHost, None));
        }
        if let Some(name) = env.var("DOCKER_CONTEXT") {
            return self.stored_context(env, &name, "DOCKER_CONTEXT");
        }
        if let Some(dir) = self.config_dir(env)
            && let Some(name) = context::current_context(&dir)?
        {
            return self.stored_context(env, &name, "currentContext");
        }
        Ok((crate::transport::DEFAULT_HOST.to_string(), EndpointSource::Default, None))
    }

    /// A named context's host; `default` is the environment's.
    fn stored_context(&self, env: &dyn Env, name: &str, named_by: &'static str) -> Result<(String, EndpointSource, Option<TlsFiles>)> {
        if name == context::DEFAULT_CONTEXT {
            return Ok(match env.var("DOCKER_HOST") {
                Some(h) => (h, EndpointSource::DockerHost, None),
                None => (crate::transport::DEFAULT_HOST.to_string(), EndpointSource::Default, None),
            });
        }
        let dir = self.config_dir(env).ok_or_else(|| {
            Error::invalid(format!("{named_by}: context \"{name}\": no docker config directory (neither DOCKER_CONFIG nor HOME is set)"))
        })?;
        let stored = context::load(&dir, name, named_by)?;
        Ok((stored.host, EndpointSource::Context { name: stored.name, named_by }, stored.tls))
    }

    /// The docker config directory contexts live in: the `docker_config` option, else
    /// `DOCKER_CONFIG`, else `~/.docker`.
    fn config_dir(&self, env: &dyn Env) -> Option<PathBuf> {
        match &self.docker_config {
            Some(d) if !d.is_empty() => Some(PathBuf::from(d)),
            _ => env
                .var("DOCKER_CONFIG")
                .map(PathBuf::from)
                .or_else(|| env.var("HOME").map(|h| PathBuf::from(h).join(".docker"))),
        }
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
