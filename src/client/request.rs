//! Sending one request to the daemon and turning its answer into a body or an [`Error`].

use std::io::Read;
use std::time::Duration;

use ureq::http;

use super::query::Query;
use super::Client;
use crate::error::{Error, Result};
use crate::transport::map_ureq_error;

/// Largest JSON answer read whole (image lists of thousands of images stay far below it).
const MAX_JSON_BODY: u64 = 512 * 1024 * 1024;
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

    /// Sent without the `/vX.Y` prefix (only `/_ping` during negotiation).
    pub fn unversioned(mut self) -> Call {
        self.versioned = false;
        self
    }
}

/// What a request sends.
pub enum Body<'a> {
    Empty,
    /// A whole body with its content type (small JSON documents).
    Bytes(&'a [u8], &'static str),
    /// A streamed body (chunked transfer encoding) with its content type.
    Reader(&'a mut dyn Read, &'static str),
}

/// A successful (2xx) answer whose body has not been read yet.
pub struct Response {
    inner: http::Response<ureq::Body>,
    what: String,
}

impl Response {
    pub fn status(&self) -> u16 {
        self.inner.status().as_u16()
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.inner.headers().get(name).and_then(|v| v.to_str().ok())
    }

    /// The body as a stream (no size limit: for progress streams and archives).
    pub fn into_reader(self) -> impl Read + Send + 'static {
        let what = self.what;
        BodyReader { inner: self.inner.into_body().into_with_config().limit(u64::MAX).reader(), what }
    }

    /// The body as text, verbatim (JSON answers are passed through without loss).
    pub fn text(mut self) -> Result<String> {
        let what = self.what.clone();
        self.inner
            .body_mut()
            .with_config()
            .limit(MAX_JSON_BODY)
            .read_to_string()
            .map_err(|e| map_ureq_error(e, &format!("reading the answer to {what}")))
    }

    /// Reads and drops the body so the connection can be reused.
    pub fn discard(self) {
        let mut r = self.into_reader();
        let _ = std::io::copy(&mut r, &mut std::io::sink());
    }
}

/// The body reader, with errors that say which request they belong to.
struct BodyReader {
    inner: ureq::BodyReader<'static>,
    what: String,
}

impl Read for BodyReader {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        self.inner.read(buf).map_err(|e| {
            let kind = e.kind();
            let text = e.to_string();
            let kind = if text.contains("timeout") || text.contains("timed out") {
                std::io::ErrorKind::TimedOut
            } else {
                kind
            };
            std::io::Error::new(kind, format!("reading the answer to {}: {text}", self.what))
        })
    }
}

impl Client {
    /// Sends a call; a 2xx answer is returned unread, anything else becomes an [`Error`]
    /// carrying the daemon's message.
    pub fn send(&self, call: &Call, body: Body) -> Result<Response> {
        let version = if call.versioned {
            Some(self.api_version_within(call.timeout, call.inactivity_timeout)?)
        } else {
            None
        };
        let url = format!("{}{}", self.inner.base_url, target(call, version));
        let what = format!("{} {}", call.method, call.path);
        let mut builder = http::Request::builder().method(call.method).uri(&url);
        for (name, value) in &call.headers {
            builder = builder.header(*name, value.as_str());
        }
        let result = match body {
            // A POST without a body still says so (`Content-Length: 0`): ureq would otherwise
            // send it chunked, which the daemon reads as a body of unknown length.
            Body::Empty if matches!(call.method, "POST" | "PUT") => {
                self.run(call, builder.body(&b""[..]))
            }
            Body::Empty => self.run(call, builder.body(ureq::SendBody::none())),
            Body::Bytes(bytes, ctype) => {
                self.run(call, builder.header("Content-Type", ctype).body(bytes))
            }
            Body::Reader(reader, ctype) => self.run(
                call,
                builder.header("Content-Type", ctype).body(ureq::SendBody::from_reader(reader)),
            ),
        };
        let version_text = version.map(|v| v.to_string());
        let with_version = |e: Error| match &version_text {
            Some(v) => e.with_api_version(v),
            None => e,
        };
        let resp = result.map_err(|e| with_version(e.context(&what)))?;
        let status = resp.status().as_u16();
        if (200..300).contains(&status) {
            return Ok(Response { inner: resp, what });
        }
        Err(with_version(error_from_response(resp)))
    }

    fn run<S: ureq::AsSendBody>(
        &self,
        call: &Call,
        request: std::result::Result<http::Request<S>, http::Error>,
    ) -> Result<http::Response<ureq::Body>> {
        let request = request.map_err(|e| Error::invalid(format!("cannot build the request: {e}")))?;
        let agent = &self.inner.agent;
        let outcome = if call.timeout.is_some() || call.inactivity_timeout.is_some() {
            let zero_is_none = |d: Duration| (!d.is_zero()).then_some(d);
            let timeout = call.timeout.map(zero_is_none).unwrap_or(self.inner.timeout);
            let per_read =
                call.inactivity_timeout.map(zero_is_none).unwrap_or(self.inner.inactivity_timeout);
            let request = agent
                .configure_request(request)
                .timeout_global(timeout)
                .timeout_per_read(per_read)
                .build();
            agent.run(request)
        } else {
            agent.run(request)
        };
        outcome.map_err(|e| {
            let mut err = map_ureq_error(e, "");
            err.message = format!("{} ({})", err.message.trim_start_matches(": "), self.endpoint());
            err
        })
    }

    /// GET a JSON document and return it verbatim.
    pub fn get_json(&self, call: &Call) -> Result<String> {
        self.send(call, Body::Empty)?.text()
    }
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

/// Builds the error for a non-2xx answer: the daemon's `{"message": …}`, or its plain text.
fn error_from_response(mut resp: http::Response<ureq::Body>) -> Error {
    let status = resp.status().as_u16();
    let text = resp
        .body_mut()
        .with_config()
        .limit(MAX_ERROR_BODY)
        .lossy_utf8(true)
        .read_to_string()
        .unwrap_or_default();
    error_from_text(status, &text)
}

/// The error for a non-2xx status and the (start of the) body that came with it.
pub(super) fn error_from_text(status: u16, text: &str) -> Error {
    let message = serde_json::from_str::<serde_json::Value>(&text)
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
