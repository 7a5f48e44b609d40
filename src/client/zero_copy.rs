//! A GET whose body may be moved into a file without copying (see
//! [`crate::transport::zero_copy`]): the same request, version prefix, time limits and error
//! mapping as [`Client::send`], on a connection of its own.

use std::io::Read;

use super::request::{error_from_text, target, MAX_ERROR_BODY};
use super::{Call, Client};
use crate::error::{Error, Result};
use crate::transport::{Request, ZeroCopyBody};

impl Client {
    /// Sends a GET `call` on a connection of its own; a 2xx answer's body is returned unread,
    /// anything else becomes an [`Error`] carrying the daemon's message. `None` when the
    /// endpoint has no such path (TLS): use [`Client::send`] then.
    pub fn send_zero_copy(&self, call: &Call) -> Result<Option<ZeroCopyBody>> {
        super::request::check_header_sizes(call)?;
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
        let target = target(call, version);
        let request = self.own_connection_request(call, &target, &what);
        let Some(mut response) =
            self.inner.transport.get_zero_copy(&request, request.effective).map_err(with_version)?
        else {
            return Ok(None);
        };
        if (200..300).contains(&response.status) {
            return Ok(Some(response.body));
        }
        Err(with_version(error_answer(response.status, &mut response.body)))
    }

    /// The request for `call` on a connection of the library's own: no body limits (the
    /// caller reads the answer itself), the call's effective time limits, the client's cancel.
    fn own_connection_request<'a>(&'a self, call: &'a Call, target: &'a str, what: &'a str) -> Request<'a> {
        Request {
            method: call.method,
            target,
            headers: &call.headers,
            limits: None,
            what,
            effective: self.limits(call),
            cancel: self.cancel.as_ref(),
        }
    }
}

/// The error a non-success answer on an own connection stands for. Its body is read only up
/// to a bound; a broken one still gives the status.
fn error_answer(status: u16, body: &mut impl Read) -> Error {
    let mut text = Vec::new();
    let _ = body.take(MAX_ERROR_BODY).read_to_end(&mut text);
    error_from_text(status, &String::from_utf8_lossy(&text))
}

/// A connection switched to another protocol by the daemon (`101 Switching Protocols`).
pub struct Upgraded {
    /// The connection; shutting it down ends the new protocol.
    pub socket: std::sync::Arc<crate::transport::socket::SharedSocket>,
    /// Bytes of the new protocol read with the answer's head.
    pub early: Vec<u8>,
}

impl Client {
    /// Whether the library can open connections of its own to the daemon and take them over
    /// (not through a proxy): what BuildKit sessions need.
    pub fn can_take_over_connections(&self) -> bool {
        self.inner.transport.can_upgrade()
    }

    /// Sends `call` (a POST without a body) asking the daemon to switch its connection, one of
    /// its own, to `protocol`. Errors: the daemon's answer when it is not a 101; unsupported
    /// when the endpoint has no connection the library can take over (TLS, a proxy).
    pub fn upgrade(&self, call: &Call, protocol: &str) -> Result<Upgraded> {
        super::request::check_header_sizes(call)?;
        let version = self.api_version_within(call.timeout, call.inactivity_timeout)?;
        let what = format!("{} {}", call.method, call.path);
        let target = target(call, Some(version));
        let request = self.own_connection_request(call, &target, &what);
        let with_version = |e: Error| e.with_api_version(&version.to_string());
        let Some(mut response) =
            self.inner.transport.post_upgrade(&request, protocol, request.effective).map_err(with_version)?
        else {
            return Err(Error::new(crate::error::Status::Unsupported, format!(
                "{what}: the connection to {} cannot be taken over by the library (it goes through an HTTP \
                 proxy)",
                self.endpoint()
            )));
        };
        if response.status == 101 {
            let (socket, early) = response.body.into_upgraded();
            return Ok(Upgraded { socket, early });
        }
        Err(with_version(error_answer(response.status, &mut response.body)))
    }
}
