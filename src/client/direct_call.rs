//! A GET whose body may be moved without copying (see [`crate::transport::DirectTarget`]):
//! the same request, version prefix, time limits and error mapping as [`Client::send`], on a
//! connection of its own.

use std::io::Read;
use std::time::{Duration, Instant};

use super::request::{error_from_text, target, MAX_ERROR_BODY};
use super::{Call, Client};
use crate::error::{Error, Result};
use crate::transport::{Limits, SplicedBody};

impl Client {
    /// Sends a GET `call` directly; a 2xx answer's body is returned unread, anything else
    /// becomes an [`Error`] carrying the daemon's message. `None` when the endpoint has no
    /// direct path (TLS): use [`Client::send`] then.
    pub fn send_direct(&self, call: &Call) -> Result<Option<SplicedBody>> {
        let Some(direct) = &self.inner.direct else {
            return Ok(None);
        };
        if call.method != "GET" {
            return Err(Error::invalid(format!("a direct request must be a GET, not {}", call.method)));
        }
        let version = if call.versioned {
            Some(self.api_version_within(call.timeout, call.inactivity_timeout)?)
        } else {
            None
        };
        let with_version = |e: Error| match version {
            Some(v) => e.with_api_version(&v.to_string()),
            None => e,
        };
        let what = format!("{} {}", call.method, call.path);
        let limits = self.limits(call);
        let mut response = direct
            .get(&target(call, version), &call.headers, limits)
            .map_err(|e| with_version(self.io_error(e, &what)))?;
        if (200..300).contains(&response.status) {
            return Ok(Some(response.body));
        }
        let mut text = Vec::new();
        // The error body is read whole only up to a bound; a broken one still gives the status.
        let _ = (&mut response.body).take(MAX_ERROR_BODY).read_to_end(&mut text);
        Err(with_version(error_from_text(response.status, &String::from_utf8_lossy(&text))))
    }

    /// The call's limits, or the client's where the call sets none (0 = no limit).
    fn limits(&self, call: &Call) -> Limits {
        let zero_is_none = |d: Duration| (!d.is_zero()).then_some(d);
        let timeout = call.timeout.map(zero_is_none).unwrap_or(self.inner.timeout);
        let inactivity = call.inactivity_timeout.map(zero_is_none).unwrap_or(self.inner.inactivity_timeout);
        Limits { deadline: timeout.map(|t| Instant::now() + t), inactivity }
    }

    /// An I/O failure of a direct request, classified like ureq's: timeouts apart.
    pub(crate) fn io_error(&self, e: std::io::Error, what: &str) -> Error {
        match e.kind() {
            std::io::ErrorKind::TimedOut | std::io::ErrorKind::WouldBlock => {
                Error::timeout(format!("{what}: timed out: {e} ({})", self.endpoint()))
            }
            _ => Error::transport(format!("{what}: {e} ({})", self.endpoint())),
        }
    }
}
