//! One error type for the whole crate.
//!
//! Every failure carries a [`Status`] class (what the C caller switches on), a human-readable
//! message (never containing credentials), the HTTP status when the daemon answered, the
//! daemon's own message when it gave one, and the API version in use.

use std::fmt;

/// Declares [`Status`] from one table: each class's code, its stable name and its
/// documentation. Everything else about a status (its name as a Rust or C string, the lookup by
/// code, the list of all) is derived from here; the C constants `DC_*` are tied to it by
/// compile-time checks in `ffi/status.rs`.
macro_rules! status_table {
    ($( $(#[doc = $doc:literal])* $variant:ident = $code:literal, $name:literal; )*) => {
        /// Status classes returned by every fallible C function. `Ok` is 0.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        #[repr(i32)]
        pub enum Status {
            $( $(#[doc = $doc])* $variant = $code, )*
        }

        impl Status {
            /// Every status, in code order.
            pub const ALL: &'static [Status] = &[$(Status::$variant),*];

            /// Stable upper-case name, e.g. `"NOT_FOUND"`.
            pub fn name(self) -> &'static str {
                match self {
                    $( Status::$variant => $name, )*
                }
            }

            /// The name as a C string (for `dc_status_name`).
            pub fn c_name(self) -> &'static std::ffi::CStr {
                let with_nul: &'static str = match self {
                    $( Status::$variant => concat!($name, "\0"), )*
                };
                std::ffi::CStr::from_bytes_with_nul(with_nul.as_bytes()).unwrap_or_default()
            }

            /// The status with this code, if any.
            pub fn from_code(code: i32) -> Option<Status> {
                match code {
                    $( $code => Some(Status::$variant), )*
                    _ => None,
                }
            }
        }
    };
}

status_table! {
    /// Success.
    Ok = 0, "OK";
    /// Bad JSON, unknown option key, wrong type, NULL pointer, bad endpoint or name.
    InvalidArgument = 1, "INVALID_ARGUMENT";
    /// The daemon (or a file the caller named) has no such object.
    NotFound = 2, "NOT_FOUND";
    /// The daemon refused because of a conflict (e.g. removing an image a container uses).
    Conflict = 3, "CONFLICT";
    /// Authentication failed or is required (HTTP 401, registry auth errors).
    Unauthorized = 4, "UNAUTHORIZED";
    /// The daemon refused the operation for lack of permission (HTTP 403).
    Forbidden = 5, "FORBIDDEN";
    /// The daemon failed (HTTP 5xx) or answered something this library cannot read.
    ServerError = 6, "SERVER_ERROR";
    /// Connecting, sending or receiving failed (including TLS failures).
    Transport = 7, "TRANSPORT";
    /// The per-call timeout or the inactivity timeout expired.
    Timeout = 8, "TIMEOUT";
    /// A callback asked to stop the operation.
    Cancelled = 9, "CANCELLED";
    /// The daemon's negotiated API version lacks a requested feature.
    Unsupported = 10, "UNSUPPORTED";
    /// An error reported inside a progress stream (pull, push, build, load, import).
    StreamError = 11, "STREAM_ERROR";
    /// A bug in this library (a caught panic). Please report it.
    Internal = 12, "INTERNAL";
}

impl Status {
    /// The class an HTTP error status from the daemon belongs to.
    pub fn from_http(code: u16) -> Status {
        match code {
            400 => Status::InvalidArgument,
            401 => Status::Unauthorized,
            403 => Status::Forbidden,
            404 => Status::NotFound,
            409 => Status::Conflict,
            501 => Status::Unsupported,
            _ => Status::ServerError,
        }
    }
}

/// The payload of an `io::Error` that a cancel caused (readers fail with it once their call's
/// token was triggered, so the failure keeps its class through any I/O layer).
#[derive(Debug, Clone, Copy)]
pub struct CancelledIo;

impl fmt::Display for CancelledIo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the call was cancelled")
    }
}

impl std::error::Error for CancelledIo {}

/// The crate's error.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Error {
    pub status: Status,
    /// What went wrong, for people. Never contains credentials.
    pub message: String,
    /// HTTP status of the daemon's answer, 0 when there was none.
    pub http_status: u16,
    /// The daemon's own message (from `{"message": …}` or a stream's `errorDetail`).
    pub daemon_message: Option<String>,
    /// The error code a stream's `errorDetail` carried, if any.
    pub daemon_code: Option<i64>,
    /// The API version in use when the error happened (`"1.41"`), if known.
    pub api_version: Option<String>,
}

pub type Result<T> = std::result::Result<T, Error>;

impl Error {
    pub fn new(status: Status, message: impl Into<String>) -> Error {
        Error {
            status,
            message: message.into(),
            http_status: 0,
            daemon_message: None,
            daemon_code: None,
            api_version: None,
        }
    }

    pub fn invalid(message: impl Into<String>) -> Error {
        Error::new(Status::InvalidArgument, message)
    }

    pub fn not_found(message: impl Into<String>) -> Error {
        Error::new(Status::NotFound, message)
    }

    pub fn transport(message: impl Into<String>) -> Error {
        Error::new(Status::Transport, message)
    }

    pub fn timeout(message: impl Into<String>) -> Error {
        Error::new(Status::Timeout, message)
    }

    pub fn cancelled(message: impl Into<String>) -> Error {
        Error::new(Status::Cancelled, message)
    }

    pub fn internal(message: impl Into<String>) -> Error {
        Error::new(Status::Internal, message)
    }

    pub fn server(message: impl Into<String>) -> Error {
        Error::new(Status::ServerError, message)
    }

    /// The daemon's API version lacks what `what` needs.
    pub fn unsupported(what: &str, needs: &str, have: &str) -> Error {
        let mut e = Error::new(
            Status::Unsupported,
            format!("{what} requires API version {needs}, but the daemon speaks {have}"),
        );
        e.api_version = Some(have.to_string());
        e
    }

    /// An error reported inside a progress stream; the class follows the daemon's message.
    pub fn from_stream(message: &str, code: Option<i64>) -> Error {
        let mut e = Error::new(classify_stream_message(message, code), message.to_string());
        e.daemon_message = Some(message.to_string());
        e.daemon_code = code;
        e
    }

    /// An error answer from the daemon (HTTP status >= 400); `daemon_message` is what it said.
    pub fn from_http(code: u16, daemon_message: Option<String>) -> Error {
        let message = match &daemon_message {
            Some(m) if !m.is_empty() => m.clone(),
            _ => format!("daemon answered HTTP {code} with no message"),
        };
        Error {
            status: Status::from_http(code),
            message,
            http_status: code,
            daemon_message,
            daemon_code: None,
            api_version: None,
        }
    }

    /// Gives a registry failure that the daemon reported as an HTTP error the class its
    /// message says: daemons answer a refused login or a missing manifest with 500 as often as
    /// with 401/404, and the registry's words are all there is to go on.
    pub fn registry_class(mut self) -> Error {
        if self.http_status >= 400 && matches!(self.status, Status::ServerError | Status::NotFound) {
            let text = self.daemon_message.as_deref().unwrap_or(&self.message);
            let class = classify_stream_message(text, None);
            if matches!(class, Status::Unauthorized | Status::NotFound) {
                self.status = class;
            }
        }
        self
    }

    /// An I/O failure while `what` (may be empty) was being done. This is the one place where a
    /// timeout is told from other failures: sockets report an expired timeout as `TimedOut` or
    /// `WouldBlock` (EAGAIN); a read the caller's cancel stopped carries [`CancelledIo`];
    /// anything else is a transport failure.
    pub fn from_io(e: std::io::Error, what: &str) -> Error {
        if e.get_ref().is_some_and(|inner| inner.is::<CancelledIo>()) {
            return Error::cancelled("the call was cancelled");
        }
        let prefix = if what.is_empty() { String::new() } else { format!("{what}: ") };
        match e.kind() {
            std::io::ErrorKind::TimedOut | std::io::ErrorKind::WouldBlock => {
                Error::timeout(format!("{prefix}timed out: {e}"))
            }
            _ => Error::transport(format!("{prefix}{e}")),
        }
    }

    /// Names the endpoint after the message: `… (unix:///var/run/docker.sock)`.
    pub fn at(mut self, endpoint: &str) -> Error {
        self.message = format!("{} ({endpoint})", self.message);
        self
    }

    /// Adds context in front of the message (e.g. which file or which option).
    pub fn context(mut self, what: impl fmt::Display) -> Error {
        self.message = format!("{what}: {}", self.message);
        self
    }

    pub fn with_api_version(mut self, version: &str) -> Error {
        if self.api_version.is_none() {
            self.api_version = Some(version.to_string());
        }
        self
    }

    /// The whole error as a JSON object (for `dc_error_json`).
    pub fn to_json(&self) -> String {
        serde_json::json!({
            "status": self.status.name(),
            "code": self.status as i32,
            "http_status": self.http_status,
            "message": self.message,
            "daemon_message": self.daemon_message,
            "daemon_code": self.daemon_code,
            "api_version": self.api_version,
        })
        .to_string()
    }
}

/// Maps a progress-stream error message to a status class. The daemon reports registry
/// failures only as text inside the stream, so the text is all there is to go on.
fn classify_stream_message(message: &str, code: Option<i64>) -> Status {
    if let Some(code) = code {
        match code {
            401 => return Status::Unauthorized,
            403 => return Status::Forbidden,
            404 => return Status::NotFound,
            _ => {}
        }
    }
    let m = message.to_ascii_lowercase();
    let unauthorized = [
        "unauthorized",
        "unexpected status code 401",
        "authentication required",
        "no basic auth credentials",
        "denied",
        "incorrect username or password",
    ];
    let not_found = [
        "not found",
        "manifest unknown",
        "does not exist",
        "name unknown",
        "no such image",
        "repository unknown",
    ];
    if unauthorized.iter().any(|p| m.contains(p)) {
        Status::Unauthorized
    } else if not_found.iter().any(|p| m.contains(p)) {
        Status::NotFound
    } else {
        Status::StreamError
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.status.name(), self.message)
    }
}

impl std::error::Error for Error {}

impl From<std::io::Error> for Error {
    fn from(e: std::io::Error) -> Error {
        Error::from_io(e, "")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn http_codes_map_to_classes() {
        assert_eq!(Status::from_http(404), Status::NotFound);
        assert_eq!(Status::from_http(409), Status::Conflict);
        assert_eq!(Status::from_http(401), Status::Unauthorized);
        assert_eq!(Status::from_http(403), Status::Forbidden);
        assert_eq!(Status::from_http(500), Status::ServerError);
        assert_eq!(Status::from_http(400), Status::InvalidArgument);
    }

    #[test]
    fn stream_messages_are_classified() {
        let e = Error::from_stream("unauthorized: authentication required", None);
        assert_eq!(e.status, Status::Unauthorized);
        let e = Error::from_stream("manifest for x:nope not found: manifest unknown", None);
        assert_eq!(e.status, Status::NotFound);
        let e = Error::from_stream("The command '/bin/sh -c false' returned a non-zero code: 1", Some(1));
        assert_eq!(e.status, Status::StreamError);
    }

    #[test]
    fn registry_failures_get_their_class() {
        let e = Error::from_http(
            500,
            Some("Head \"http://127.0.0.1:25001/v2/x/manifests/1\": no basic auth credentials".into()),
        )
        .registry_class();
        assert_eq!(e.status, Status::Unauthorized);
        let e = Error::from_http(500, Some("login attempt to http://h/v2/ failed with status: 401 Unauthorized".into()))
            .registry_class();
        assert_eq!(e.status, Status::Unauthorized);
        let e = Error::from_http(
            500,
            Some("Get \"http://127.0.0.1:9/v2/\": dial tcp 127.0.0.1:9: connect: connection refused".into()),
        )
        .registry_class();
        assert_eq!(e.status, Status::ServerError);
        let e = Error::from_http(500, Some("Unexpected status code 401".into())).registry_class();
        assert_eq!(e.status, Status::Unauthorized, "search's wording");
        let e = Error::from_http(404, Some("manifest unknown".into())).registry_class();
        assert_eq!(e.status, Status::NotFound);
        let e = Error::transport("unauthorized").registry_class();
        assert_eq!(e.status, Status::Transport, "only daemon answers are reclassified");
    }

    #[test]
    fn json_names_the_status() {
        let v: serde_json::Value =
            serde_json::from_str(&Error::not_found("no such image: x").to_json()).unwrap();
        assert_eq!(v["status"], "NOT_FOUND");
        assert_eq!(v["http_status"], 0);
    }
}
