//! One HTTP/1.1 exchange over ureq: the request the client composed, and the answer as a status,
//! headers and a body reader. Everything ureq-specific above the socket lives here and in
//! [`super::agent`]; nothing outside `transport/` names a ureq type.

use std::io::Read;
use std::time::Duration;

use ureq::http;

use super::CancelToken;
use crate::error::{Error, Result};

/// Largest answer read whole as text (image lists of thousands of images stay far below it).
const MAX_TEXT_BODY: u64 = 512 * 1024 * 1024;

/// What a request sends.
pub enum Body<'a> {
    Empty,
    /// A whole body with its content type (small JSON documents).
    Bytes(&'a [u8], &'static str),
    /// A streamed body (chunked transfer encoding) with its content type.
    Reader(&'a mut dyn Read, &'static str),
}

/// A request as the client composed it: the path and query after the endpoint's base URL.
pub struct Request<'a> {
    pub method: &'static str,
    /// `/v1.41/images/json?all=1`: everything after the base URL.
    pub target: &'a str,
    pub headers: &'a [(&'static str, String)],
    /// This call's time limits, when they differ from the client's: (whole call, inactivity),
    /// `None` = no limit.
    pub limits: Option<(Option<Duration>, Option<Duration>)>,
    /// What error messages call the request (`GET /images/json`).
    pub what: &'a str,
    /// The call's effective limits (whole call, inactivity), which also bound sending.
    pub effective: (Option<Duration>, Option<Duration>),
    /// Stops the call from another thread.
    pub cancel: Option<&'a CancelToken>,
}

/// An answer whose body has not been read yet (any status).
pub struct Response {
    inner: http::Response<ureq::Body>,
    what: String,
    cancel: Option<CancelToken>,
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
        let cancel = self.cancel;
        BodyReader { inner: self.inner.into_body().into_with_config().limit(u64::MAX).reader(), what, cancel }
    }

    /// The body as text, verbatim (JSON answers are passed through without loss). A call
    /// cancelled while the body was read fails: its socket was shut down, which may read as
    /// the end of a body that the connection's close delimits.
    pub fn text(mut self) -> Result<String> {
        let what = format!("reading the answer to {}", self.what);
        let text = self.inner.body_mut().with_config().limit(MAX_TEXT_BODY).read_to_string();
        if self.cancel.as_ref().is_some_and(CancelToken::is_triggered) {
            return Err(Error::cancelled(format!("{what}: the call was cancelled")));
        }
        text.map_err(|e| ureq_error(e, &what))
    }

    /// Whether the body's end is marked (a Content-Length or chunked encoding) rather than
    /// given by the connection closing, which a cut connection imitates.
    pub fn is_framed(&self) -> bool {
        self.header("content-length").is_some()
            || self.header("transfer-encoding").is_some_and(|v| v.to_ascii_lowercase().contains("chunked"))
    }

    /// The start of the body as text, invalid UTF-8 replaced, at most `limit` bytes read (an
    /// error answer's message); a broken body gives what arrived, possibly nothing.
    pub fn text_lossy(mut self, limit: u64) -> String {
        self.inner.body_mut().with_config().limit(limit).lossy_utf8(true).read_to_string().unwrap_or_default()
    }

    /// Reads and drops the body so the connection can be reused.
    pub fn discard(self) {
        let mut r = self.into_reader();
        let _ = std::io::copy(&mut r, &mut std::io::sink());
    }

    pub(super) fn new(inner: http::Response<ureq::Body>, what: &str) -> Response {
        Response { inner, what: what.to_string(), cancel: None }
    }

    pub(super) fn with_cancel(mut self, cancel: Option<CancelToken>) -> Response {
        self.cancel = cancel;
        self
    }
}

/// The body reader, with errors that say which request they belong to; once the call's
/// token is triggered every read fails as cancelled (a shut-down socket may read as a clean
/// end, which must not pass for the end of the answer).
struct BodyReader {
    inner: ureq::BodyReader<'static>,
    what: String,
    cancel: Option<CancelToken>,
}

impl Read for BodyReader {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.cancel.as_ref().is_some_and(CancelToken::is_triggered) {
            return Err(cancelled_io());
        }
        let result = self.inner.read(buf);
        if self.cancel.as_ref().is_some_and(CancelToken::is_triggered) {
            return Err(cancelled_io());
        }
        result.map_err(|e| {
            // ureq reports its own timeouts as I/O errors of another kind; give them the kind
            // that makes them timeouts for `Error::from_io`.
            let text = e.to_string();
            let kind = if text.contains("timeout") || text.contains("timed out") {
                std::io::ErrorKind::TimedOut
            } else {
                e.kind()
            };
            std::io::Error::new(kind, format!("reading the answer to {}: {text}", self.what))
        })
    }
}

fn cancelled_io() -> std::io::Error {
    std::io::Error::other(crate::error::CancelledIo)
}

/// Maps a ureq error to the crate's classes (timeouts as `Error::from_io` tells them), keeping
/// the detail but never a header value.
pub(super) fn ureq_error(e: ureq::Error, what: &str) -> Error {
    match e {
        ureq::Error::Timeout(t) => Error::timeout(format!("{what}: timed out ({t})")),
        ureq::Error::Io(io) => Error::from_io(io, what),
        other => Error::transport(format!("{what}: {other}")),
    }
}
