//! How bytes reach the daemon: endpoints, the HTTP seam, and the sockets under it.
//!
//! - [`endpoint`]: `unix://`, `tcp://`, `http://`, `https://`, `ssh://` as the docker CLI
//!   writes them; [`ssh`]: the system ssh running `docker system dial-stdio`;
//! - [`Transport`] (here): one endpoint's connection pool; sends a [`Request`] and returns a
//!   [`Response`], or a [`ZeroCopyBody`] for answers that should not pass through memory;
//! - `http`: the request/response types over ureq; `agent`: ureq's configuration; [`proxy`]:
//!   which HTTP proxy a TCP endpoint goes through (the CLI's rules);
//! - [`socket`]: the library's sockets (Unix, TCP); `socket_transport`: ureq's transport over
//!   them; `unix`, `tcp`: their connectors; `tls`: CA, certificate and key; `tls_pump`: the
//!   TLS the library does itself on connections it takes over;
//! - [`call_scope`]: the call in progress (cancel token, time limits), for the sockets;
//! - [`zero_copy`]: the GET on a connection of its own whose body is moved into a file.
//!
//! All ureq-specific code lives here (its transport API is outside ureq's semver promise): the
//! client above composes requests and reads answers through these types only.

mod agent;
pub mod call_scope;
mod endpoint;
mod http;
pub mod proxy;
pub mod socket;
mod socket_transport;
pub mod ssh;
mod tcp;
mod tls;
mod tls_pump;
mod unix;
pub mod zero_copy;

pub use call_scope::CancelToken;
pub use endpoint::{Endpoint, DEFAULT_HOST};
pub use http::{Body, Request, Response};
pub use tls::TlsFiles;
pub use zero_copy::{Limits, Watcher, ZeroCopyBody, ZeroCopyResponse};

use std::time::Duration;

use crate::error::{Error, Result};

/// What a transport is made of.
pub struct Settings<'a> {
    pub endpoint: &'a Endpoint,
    pub tls: Option<&'a TlsFiles>,
    /// The HTTP proxy a TCP endpoint is reached through.
    pub proxy: Option<&'a proxy::ProxyChoice>,
    pub user_agent: &'a str,
    pub timeout: Option<Duration>,
    pub inactivity_timeout: Option<Duration>,
}

/// One endpoint's connections. Cheap to share between threads (the pool is inside).
pub struct Transport {
    agent: ureq::Agent,
    /// The connection-of-its-own path for big answers; `None` for TLS endpoints.
    zero_copy: Option<zero_copy::ZeroCopyTarget>,
    /// Where connections the library takes over go (the direct path, or TLS done by the
    /// library); `None` through a proxy.
    upgrade: Option<zero_copy::ZeroCopyTarget>,
    /// `http://docker` for Unix sockets, `https://host:port[/prefix]` otherwise.
    base_url: String,
    /// The endpoint as error messages name it.
    endpoint_text: String,
}

impl Transport {
    pub fn new(s: &Settings) -> Result<Transport> {
        let (agent, base_url) = agent::build(s)?;
        let endpoint_text = match s.endpoint {
            Endpoint::Unix(p) => format!("unix://{}", p.display()),
            Endpoint::Ssh(t) => t.text(),
            Endpoint::Tcp { .. } => base_url.clone(),
        };
        // The direct path dials the daemon itself: not through a proxy.
        let (zero_copy, upgrade) = match s.proxy {
            Some(_) => (None, None),
            None => (
                zero_copy::ZeroCopyTarget::new(s.endpoint, s.user_agent, &endpoint_text),
                zero_copy::ZeroCopyTarget::for_upgrades(s.endpoint, s.tls, s.user_agent, &endpoint_text)?,
            ),
        };
        Ok(Transport { agent, zero_copy, upgrade, base_url, endpoint_text })
    }

    /// Whether this endpoint has connections of the library's own (see [`zero_copy`]).
    pub fn has_direct_path(&self) -> bool {
        self.zero_copy.is_some()
    }

    /// Whether the library can take a connection of its own over (see [`Transport::post_upgrade`]):
    /// every endpoint but one reached through a proxy.
    pub fn can_upgrade(&self) -> bool {
        self.upgrade.is_some()
    }

    /// The endpoint as error messages name it (`unix:///var/run/docker.sock`).
    pub fn endpoint_text(&self) -> &str {
        &self.endpoint_text
    }

    /// Sends a request and returns the answer, whatever its status; failures to connect, send
    /// or receive the head are errors naming the endpoint.
    pub fn send(&self, req: &Request, body: Body) -> Result<Response> {
        let scope = call_scope::CallScope::new(req.cancel.cloned(), req.effective.0, req.effective.1);
        let cancel = req.cancel.cloned();
        let result = call_scope::within(scope, || self.send_in_scope(req, body));
        match (&cancel, result) {
            (Some(token), Err(_)) if token.is_triggered() => Err(Error::cancelled("the call was cancelled")),
            (_, result) => result.map(|r| r.with_cancel(cancel)),
        }
    }

    fn send_in_scope(&self, req: &Request, body: Body) -> Result<Response> {
        if req.cancel.is_some_and(CancelToken::is_triggered) {
            return Err(Error::cancelled("the call was cancelled before it started"));
        }
        let url = format!("{}{}", self.base_url, req.target);
        let mut builder = ureq::http::Request::builder().method(req.method).uri(&url);
        for (name, value) in req.headers {
            builder = builder.header(*name, value.as_str());
        }
        let result = match body {
            // A POST without a body still says so (`Content-Length: 0`): ureq would otherwise
            // send it chunked, which the daemon reads as a body of unknown length.
            Body::Empty if matches!(req.method, "POST" | "PUT") => self.run(req, builder.body(&b""[..])),
            Body::Empty => self.run(req, builder.body(ureq::SendBody::none())),
            Body::Bytes(bytes, ctype) => self.run(req, builder.header("Content-Type", ctype).body(bytes)),
            Body::Reader(reader, ctype) => {
                self.run(req, builder.header("Content-Type", ctype).body(ureq::SendBody::from_reader(reader)))
            }
        };
        result.map(|r| Response::new(r, req.what))
    }

    fn run<S: ureq::AsSendBody>(
        &self,
        req: &Request,
        request: std::result::Result<ureq::http::Request<S>, ureq::http::Error>,
    ) -> Result<ureq::http::Response<ureq::Body>> {
        let request = request.map_err(|e| Error::invalid(format!("cannot build the request: {e}")))?;
        let outcome = match req.limits {
            Some((timeout, per_read)) => {
                let request = self
                    .agent
                    .configure_request(request)
                    .timeout_global(timeout)
                    .timeout_per_read(per_read)
                    .build();
                self.agent.run(request)
            }
            None => self.agent.run(request),
        };
        outcome.map_err(|e| {
            let err = http::ureq_error(e, "");
            Error { message: err.message.trim_start_matches(": ").to_string(), ..err }.at(&self.endpoint_text)
        })
    }

    /// Sends `POST` asking to switch to `protocol` on a connection of its own (see
    /// [`zero_copy::ZeroCopyTarget::post_upgrade`]; on a TLS endpoint the library does TLS
    /// itself); `None` through a proxy.
    pub fn post_upgrade(
        &self,
        req: &Request,
        protocol: &str,
        limits: (Option<Duration>, Option<Duration>),
    ) -> Result<Option<ZeroCopyResponse>> {
        let Some(target) = &self.upgrade else {
            return Ok(None);
        };
        let scope = call_scope::CallScope::new(req.cancel.cloned(), limits.0, limits.1);
        let cancel = req.cancel.cloned();
        let result = call_scope::within(scope, || {
            target.post_upgrade(req.target, protocol, req.headers, Limits::starting_now(limits.0, limits.1), cancel.clone())
        });
        match result {
            Ok(r) => Ok(Some(r)),
            Err(_) if cancel.as_ref().is_some_and(CancelToken::is_triggered) => Err(Error::cancelled("the call was cancelled")),
            Err(e) => Err(Error::from_io(e, req.what).at(&self.endpoint_text)),
        }
    }

    /// Sends a GET on a connection of its own whose body can be drained into a file without
    /// passing through memory (see [`zero_copy`]); `None` when the endpoint has no such path
    /// (TLS). `limits` are the call's (whole call, inactivity).
    pub fn get_zero_copy(
        &self,
        req: &Request,
        limits: (Option<Duration>, Option<Duration>),
    ) -> Result<Option<ZeroCopyResponse>> {
        let Some(target) = &self.zero_copy else {
            return Ok(None);
        };
        if req.method != "GET" {
            return Err(Error::invalid(format!("a zero-copy request must be a GET, not {}", req.method)));
        }
        let scope = call_scope::CallScope::new(req.cancel.cloned(), limits.0, limits.1);
        let cancel = req.cancel.cloned();
        let result = call_scope::within(scope, || {
            target.get(req.target, req.headers, Limits::starting_now(limits.0, limits.1), cancel.clone())
        });
        match result {
            Ok(r) => Ok(Some(r)),
            Err(_) if cancel.as_ref().is_some_and(CancelToken::is_triggered) => Err(Error::cancelled("the call was cancelled")),
            Err(e) => Err(Error::from_io(e, req.what).at(&self.endpoint_text)),
        }
    }
}
