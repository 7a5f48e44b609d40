//! Sending one request to the daemon and turning its answer into a body or an [`Error`].

use std::time::Duration;

use super::query::Query;
use super::{Client, RawJson};
use crate::error::{Error, Result};
use crate::transport::{Body, Request, Response};

/// Largest error body kept for the message.
pub(super) const MAX_ERROR_BODY: u64 = 64 * 1024;

/// One request: method, path (after the `/vX.Y` prefix), query, headers, time limits.
#[derive(Clone)]
pub struct Call {
    pub method: &'static str,
    pub path: String,
    pub query: Query,
    /// Header values; `X-Registry-*` values (credentials) are never printed by `Debug`.
    pub headers: Vec<(&'static str, String)>,
    /// Overrides the client's whole-call timeout for this call.
    pub timeout: Option<Duration>,
    /// Overrides the client's inactivity timeout for this call.
    pub inactivity_timeout: Option<Duration>,
    pub(super) versioned: bool,
}

impl std::fmt::Debug for Call {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let headers: Vec<(&str, &str)> = self
            .headers
            .iter()
            .map(|(k, v)| {
                let secret = k.to_ascii_lowercase().starts_with("x-registry-");
                (*k, if secret { "<redacted>" } else { v.as_str() })
            })
            .collect();
        f.debug_struct("Call")
            .field("method", &self.method)
            .field("path", &self.path)
            .field("query", &self.query)
            .field("headers", &headers)
            .field("timeout", &self.timeout)
            .field("inactivity_timeout", &self.inactivity_timeout)
            .finish()
    }
}

impl Call {
    pub fn new(method: &'static str, path: impl Into<String>) -> Call {
        Call {
            method,
            path: path.into(),
            query: Query::new(),
            headers: Vec::new(),
            timeout: None,
            inactivity_timeout: None,
            versioned: true,
        }
    }

    pub fn get(path: impl Into<String>) -> Call {
        Call::new("GET", path)
    }

    pub fn post(path: impl Into<String>) -> Call {
        Call::new("POST", path)
    }

    pub fn delete(path: impl Into<String>) -> Call {
        Call::new("DELETE", path)
    }

    pub fn query(mut self, q: Query) -> Call {
        self.query = q;
        self
    }

    pub fn header(mut self, name: &'static str, value: String) -> Call {
        self.headers.push((name, value));
        self
    }

    /// Per-call time limits in milliseconds (0 = none; absent = the client's).
    pub fn limits(mut self, timeout_ms: Option<u64>, inactivity_ms: Option<u64>) -> Call {
        if let Some(ms) = timeout_ms {
            self.timeout = Some(Duration::from_millis(ms));
        }
        if let Some(ms) = inactivity_ms {
            self.inactivity_timeout = Some(Duration::from_millis(ms));
        }
        self
    }

    /// The time limits an operation's options set (their `limits` group).
    pub fn limits_of(self, opts: &impl crate::options::HasLimits) -> Call {
        self.limits(opts.timeout_ms(), opts.inactivity_timeout_ms())
    }

    /// Sent without the `/vX.Y` prefix (only `/_ping` during negotiation).
    pub fn unversioned(mut self) -> Call {
        self.versioned = false;
        self
    }
}

impl Client {
    /// Sends a call; a 2xx answer is returned unread, anything else becomes an [`Error`]
    /// carrying the daemon's message.
    pub fn send(&self, call: &Call, body: Body) -> Result<Response> {
        check_header_sizes(call)?;
        let version = if call.versioned {
            Some(self.api_version_within(call.timeout, call.inactivity_timeout)?)
        } else {
            None
        };
        let what = format!("{} {}", call.method, call.path);
        let target = target(call, version);
        let effective = self.limits(call);
        let request = Request {
            method: call.method,
            target: &target,
            headers: &call.headers,
            limits: (call.timeout.is_some() || call.inactivity_timeout.is_some()).then_some(effective),
            what: &what,
            effective,
            cancel: self.cancel.as_ref(),
        };
        let version_text = version.map(|v| v.to_string());
        let with_version = |e: Error| match &version_text {
            Some(v) => e.with_api_version(v),
            None => e,
        };
        let resp = self.inner.transport.send(&request, body).map_err(|e| with_version(e.context(&what)))?;
        if (200..300).contains(&resp.status()) {
            return Ok(resp);
        }
        let status = resp.status();
        Err(with_version(error_from_text(status, &resp.text_lossy(MAX_ERROR_BODY))))
    }

    /// The call's limits, or the client's where the call sets none: (whole call, inactivity),
    /// `None` = no limit (a call's 0 means none).
    pub(super) fn limits(&self, call: &Call) -> (Option<Duration>, Option<Duration>) {
        let zero_is_none = |d: Duration| (!d.is_zero()).then_some(d);
        (
            call.timeout.map(zero_is_none).unwrap_or(self.inner.timeout),
            call.inactivity_timeout.map(zero_is_none).unwrap_or(self.inner.inactivity_timeout),
        )
    }

    /// GET a JSON document and return it verbatim.
    pub fn get_json(&self, call: &Call) -> Result<RawJson> {
        self.send_json(call, Body::Empty)
    }

    /// Sends a call whose answer is a JSON document, returned verbatim.
    pub fn send_json(&self, call: &Call, body: Body) -> Result<RawJson> {
        let response = self.send(call, body)?;
        let framed = response.is_framed();
        let text = response.text()?;
        // The daemon always marks where its answer ends; one that ends with the connection
        // instead is whole only if it parses (a cut connection looks the same as an end).
        if !framed && serde_json::from_str::<serde::de::IgnoredAny>(&text).is_err() {
            return Err(Error::transport(format!(
                "the answer to {} {} ended with its connection before it was complete JSON",
                call.method, call.path
            )));
        }
        Ok(RawJson::new(text))
    }
}

/// The longest header value sent (bytes). The request head must fit the HTTP layer's output
/// buffer (128 KiB), and a daemon refuses heads over 1 MiB; credentials that encode to more
/// than this are a mistake (a key file pasted as a password), reported as such.
pub(super) const MAX_HEADER_VALUE: usize = 64 * 1024;

/// Refuses a header too large to send, naming the option it came from.
pub(super) fn check_header_sizes(call: &Call) -> Result<()> {
    for (name, value) in &call.headers {
        if value.len() > MAX_HEADER_VALUE {
            let option = match name.to_ascii_lowercase().as_str() {
                "x-registry-auth" => "the registry credentials (option \"auth\", or the docker config's)",
                "x-registry-config" => "the registry credentials (option \"auth_configs\", or the docker config's)",
                _ => "a header",
            };
            return Err(Error::invalid(format!(
                "{option} encode to {} bytes in {name}; a request header holds at most {MAX_HEADER_VALUE}",
                value.len()
            )));
        }
    }
    Ok(())
}

/// What follows the endpoint's base URL: `/vX.Y`, the path and the query.
pub(super) fn target(call: &Call, version: Option<super::ApiVersion>) -> String {
    let mut t = String::new();
    if let Some(v) = version {
        t.push_str(&format!("/v{v}"));
    }
    t.push_str(&call.path);
    if !call.query.is_empty() {
        t.push('?');
        t.push_str(&call.query.encode());
    }
    t
}

/// The error for a non-2xx status and the (start of the) body that came with it.
pub(super) fn error_from_text(status: u16, text: &str) -> Error {
    let message = serde_json::from_str::<serde_json::Value>(text)
        .ok()
        .and_then(|v| v.get("message").and_then(|m| m.as_str()).map(str::to_string))
        .or_else(|| {
            let t = text.trim();
            (!t.is_empty()).then(|| t.to_string())
        });
    Error::from_http(status, message)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_prints_registry_credentials() {
        let call = Call::post("/images/create")
            .header("X-Registry-Auth", "c2VjcmV0LXRva2Vu".into())
            .header("X-Registry-Config", "c2VjcmV0LWNvbmZpZw==".into())
            .header("Content-Type", "application/json".into());
        let text = format!("{call:?}");
        assert!(!text.contains("c2VjcmV0"), "{text}");
        assert!(text.contains("<redacted>") && text.contains("application/json"), "{text}");
    }
}
