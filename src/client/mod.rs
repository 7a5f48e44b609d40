//! The client: an endpoint, its agent, the negotiated API version, timeouts, and the request
//! helpers every operation uses.

pub mod context;
mod path;
mod query;
mod raw_json;
mod options;
mod request;
mod version;
mod zero_copy;

pub use path::escape_name;
pub use query::Query;
pub use raw_json::RawJson;
pub use options::{ClientOptions, EndpointSource, TlsOptions};
pub use request::Call;
pub use crate::transport::{Body, Response};
pub use version::ApiVersion;
pub use zero_copy::Upgraded;


use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::error::{Error, Result};
use crate::transport::{CancelToken, Settings, Transport};

/// What a client's endpoint was resolved from.
#[derive(Debug)]
struct EndpointReport {
    source: EndpointSource,
    tls: Option<crate::transport::TlsFiles>,
    tls_on: bool,
    /// The proxy's URL (password hidden) and the variable or option that named it.
    proxy: Option<(String, String)>,
}

/// A connection to one daemon. Cheap to clone; safe to share between threads.
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
    /// Where registry credentials come from when an operation is given none.
    credentials: CredentialSource,
    /// Stops every call made with this client value (see [`Client::with_cancel`]).
    cancel: Option<CancelToken>,
}

/// Where a client finds registry credentials that an operation was not given, as the docker
/// CLI finds them: a docker config directory (`config.json`, with its `credsStore` and
/// `credHelpers`), read afresh at each operation so a `docker login` in between is seen.
#[derive(Clone, Debug, Default)]
pub enum CredentialSource {
    /// `$DOCKER_CONFIG/config.json`, else `~/.docker/config.json` (the CLI's default).
    #[default]
    Environment,
    /// `<dir>/config.json`: the client option `"docker_config"` (the CLI's `--config`).
    Dir(std::path::PathBuf),
    /// A config given by a Rust program (or a test) without touching the environment.
    Given(Arc<crate::auth::DockerConfig>),
}

impl CredentialSource {
    /// The docker config as it is now; a missing file is an empty config, a broken one an
    /// error naming it.
    pub fn load(&self) -> Result<crate::auth::DockerConfig> {
        match self {
            CredentialSource::Environment => crate::auth::DockerConfig::load(),
            CredentialSource::Dir(dir) => crate::auth::DockerConfig::load_from(&dir.join("config.json")),
            CredentialSource::Given(cfg) => Ok((**cfg).clone()),
        }
    }
}

struct Inner {
    transport: Transport,
    /// What was resolved, and from where (for `dc_client_endpoint`).
    resolved: EndpointReport,
    /// Set when the caller (or `DOCKER_API_VERSION`) pinned a version: no negotiation.
    pinned: Option<ApiVersion>,
    /// The version negotiated with the daemon, once known.
    negotiated: Mutex<Option<ApiVersion>>,
    /// What the daemon's last `/_ping` told (OS, builder, experimental), once asked.
    daemon: Mutex<Option<PingHeaders>>,
    timeout: Option<Duration>,
    inactivity_timeout: Option<Duration>,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client").field("endpoint", &self.endpoint()).finish()
    }
}

impl Client {
    /// A client configured from options, with anything absent taken from the environment
    /// exactly as the docker CLI reads it.
    pub fn new(options: &ClientOptions) -> Result<Client> {
        let resolved = options.resolve(&options::ProcessEnv)?;
        let transport = Transport::new(&Settings {
            endpoint: &resolved.endpoint,
            tls: resolved.tls.as_ref(),
            proxy: resolved.proxy.as_ref(),
            user_agent: &resolved.user_agent,
            timeout: resolved.timeout,
            inactivity_timeout: resolved.inactivity_timeout,
        })?;
        let resolved_report = EndpointReport {
            source: resolved.source.clone(),
            tls: resolved.tls.clone().filter(|_| resolved.endpoint.is_tls()),
            tls_on: resolved.endpoint.is_tls(),
            proxy: resolved.proxy.as_ref().map(|p| (p.shown.clone(), p.source.clone())),
        };
        Ok(Client {
            inner: Arc::new(Inner {
                transport,
                resolved: resolved_report,
                pinned: resolved.api_version,
                negotiated: Mutex::new(None),
                daemon: Mutex::new(None),
                timeout: resolved.timeout,
                inactivity_timeout: resolved.inactivity_timeout,
            }),
            credentials: match resolved.docker_config {
                Some(dir) => CredentialSource::Dir(dir),
                None => CredentialSource::Environment,
            },
            cancel: None,
        })
    }

    /// The same client (sharing its connections) whose calls `token` stops: when it is
    /// triggered, from any thread, a call in progress returns cancelled within moments, even
    /// while the daemon is silent (its sockets are shut down), and later calls fail at once.
    /// Other calls of the client are not affected.
    pub fn with_cancel(&self, token: CancelToken) -> Client {
        Client { cancel: Some(token), ..self.clone() }
    }

    /// The cancel token this client value's calls obey, if any.
    pub fn cancel_token(&self) -> Option<&CancelToken> {
        self.cancel.as_ref()
    }

    /// A copy without the cancel token (for what must run after a cancel: stopping a build on
    /// the daemon).
    pub fn without_cancel(&self) -> Client {
        Client { cancel: None, ..self.clone() }
    }

    /// The same client (sharing its connections), taking registry credentials from `config`
    /// instead of the docker config the environment names.
    pub fn with_docker_config(&self, config: crate::auth::DockerConfig) -> Client {
        Client { credentials: CredentialSource::Given(Arc::new(config)), ..self.clone() }
    }

    /// The same client (sharing its connections), taking registry credentials from `source`.
    pub fn with_credentials(&self, source: CredentialSource) -> Client {
        Client { credentials: source, ..self.clone() }
    }

    /// Where this client finds registry credentials an operation was not given.
    pub fn credentials(&self) -> &CredentialSource {
        &self.credentials
    }

    /// A client from the environment alone (`DOCKER_HOST`, …).
    pub fn from_env() -> Result<Client> {
        Client::new(&ClientOptions::default())
    }

    pub fn endpoint(&self) -> &str {
        self.inner.transport.endpoint_text()
    }

    /// Which daemon this client talks to and why, as JSON: `{"host", "source": "option" |
    /// "DOCKER_HOST" | "context:<name>" | "default", "context", "tls": null | {"ca", "cert",
    /// "key", "verify"}}`. Nothing secret is in it (TLS material is named by path).
    pub fn endpoint_json(&self) -> String {
        let r = &self.inner.resolved;
        let path = |p: &Option<std::path::PathBuf>| p.as_ref().map(|p| p.display().to_string());
        let tls = match (&r.tls, r.tls_on) {
            (Some(t), _) => serde_json::json!({"ca": path(&t.ca), "cert": path(&t.cert), "key": path(&t.key), "verify": t.verify}),
            (None, true) => serde_json::json!({"ca": null, "cert": null, "key": null, "verify": true}),
            (None, false) => serde_json::Value::Null,
        };
        let context = match &r.source {
            EndpointSource::Context { name, .. } => serde_json::Value::String(name.clone()),
            _ => serde_json::Value::Null,
        };
        let proxy = match &r.proxy {
            Some((url, source)) => serde_json::json!({"url": url, "source": source}),
            None => serde_json::Value::Null,
        };
        serde_json::json!({
            "host": self.endpoint(),
            "source": r.source.label(),
            "context": context,
            "tls": tls,
            "proxy": proxy,
        })
        .to_string()
    }

    pub fn default_timeout(&self) -> Option<Duration> {
        self.inner.timeout
    }

    pub fn default_inactivity_timeout(&self) -> Option<Duration> {
        self.inner.inactivity_timeout
    }

    /// The API version requests use: the pinned one, or the one negotiated with the daemon
    /// (negotiated on first use, then remembered; a failed negotiation is retried next time).
    pub fn api_version(&self) -> Result<ApiVersion> {
        self.api_version_within(None, None)
    }

    /// [`Client::api_version`], negotiating within a call's own time limits (so a call with
    /// `timeout_ms` cannot hang in the ping that precedes it).
    pub fn api_version_within(
        &self,
        timeout: Option<Duration>,
        inactivity_timeout: Option<Duration>,
    ) -> Result<ApiVersion> {
        if let Some(v) = self.inner.pinned {
            return Ok(v);
        }
        if let Some(v) = *self.inner.negotiated.lock().unwrap_or_else(|p| p.into_inner()) {
            return Ok(v);
        }
        let ping = self.ping_headers_within(timeout, inactivity_timeout)?;
        let v = match ping.api_version.as_deref() {
            Some(h) => ApiVersion::parse(h)
                .map_err(|_| Error::server(format!("daemon sent an invalid API-Version header \"{h}\"")))?,
            None => ApiVersion::NO_HEADER_FALLBACK,
        }
        .clamp_supported();
        *self.inner.negotiated.lock().unwrap_or_else(|p| p.into_inner()) = Some(v);
        Ok(v)
    }

    /// Refuses, before any request, an option the daemon's API version lacks.
    pub fn require(&self, what: &str, min: ApiVersion) -> Result<()> {
        let have = self.api_version()?;
        if have < min {
            return Err(Error::unsupported(what, &min.to_string(), &have.to_string()));
        }
        Ok(())
    }

    /// Like [`Client::require`] for options that were removed at `max` (exclusive).
    pub fn require_before(&self, what: &str, max: ApiVersion) -> Result<()> {
        let have = self.api_version()?;
        if have >= max {
            let mut e = Error::new(
                crate::error::Status::Unsupported,
                format!("{what} was removed in API version {max}; the daemon speaks {have}"),
            );
            e.api_version = Some(have.to_string());
            return Err(e);
        }
        Ok(())
    }

    /// `HEAD /_ping`, falling back to `GET /_ping` for daemons that refuse HEAD.
    pub fn ping_headers(&self) -> Result<PingHeaders> {
        self.ping_headers_within(None, None)
    }

    /// [`Client::ping_headers`] within a call's time limits (`None` = the client's).
    pub fn ping_headers_within(
        &self,
        timeout: Option<Duration>,
        inactivity_timeout: Option<Duration>,
    ) -> Result<PingHeaders> {
        let ping = |method| {
            let mut call = Call::new(method, "/_ping").unversioned();
            call.timeout = timeout;
            call.inactivity_timeout = inactivity_timeout;
            call
        };
        let resp = match self.send(&ping("HEAD"), Body::Empty) {
            Ok(r) => r,
            Err(e) if e.http_status != 0 => {
                // Old daemons (and some proxies) answer HEAD with an error: ask with GET.
                self.send(&ping("GET"), Body::Empty)?
            }
            Err(e) => return Err(e),
        };
        let h = |name: &str| resp.header(name).map(str::to_string);
        let ping = PingHeaders {
            api_version: h("API-Version"),
            os_type: h("OSType"),
            experimental: h("Docker-Experimental").map(|v| v.eq_ignore_ascii_case("true")),
            builder_version: h("Builder-Version"),
        };
        resp.discard();
        let mut known = self.inner.daemon.lock().unwrap_or_else(|p| p.into_inner());
        if known.as_ref() != Some(&ping) {
            *known = Some(ping.clone());
        }
        drop(known);
        Ok(ping)
    }

    /// What the daemon's `/_ping` tells (OS type, default builder, experimental features):
    /// remembered from the version negotiation or an earlier ping, else asked now within the
    /// given limits (`None` = the client's).
    pub fn daemon_traits(
        &self,
        timeout: Option<Duration>,
        inactivity_timeout: Option<Duration>,
    ) -> Result<PingHeaders> {
        if let Some(p) = self.inner.daemon.lock().unwrap_or_else(|p| p.into_inner()).clone() {
            return Ok(p);
        }
        self.ping_headers_within(timeout, inactivity_timeout)
    }
}

/// What `/_ping` tells in its headers.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PingHeaders {
    pub api_version: Option<String>,
    pub os_type: Option<String>,
    pub experimental: Option<bool>,
    pub builder_version: Option<String>,
}
