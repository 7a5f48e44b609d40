//! Status codes: the `dc_status` type and its `DC_*` constants.
//!
//! The codes are [`Status`]'s (`src/error.rs`, the one table). cbindgen can only write literal
//! constants into the header, so each `DC_*` below is a literal, and the `const` assertions
//! after them tie every one to its `Status` at compile time; a unit test checks that every
//! `Status` has its constant.

use crate::error::Status;

/// Status code returned by every fallible function (0 = success). See the DC_* constants.
#[allow(non_camel_case_types)]
pub type dc_status = i32;

/// Success.
pub const DC_OK: dc_status = 0;
/// Bad JSON, unknown option key, wrong type, NULL pointer, bad endpoint, bad name.
pub const DC_INVALID_ARGUMENT: dc_status = 1;
/// No such image, container, registry repository or file.
pub const DC_NOT_FOUND: dc_status = 2;
/// The daemon refused because of a conflict (e.g. removing an image a container uses).
pub const DC_CONFLICT: dc_status = 3;
/// Authentication failed or is required.
pub const DC_UNAUTHORIZED: dc_status = 4;
/// The daemon refused for lack of permission (HTTP 403).
pub const DC_FORBIDDEN: dc_status = 5;
/// The daemon failed (HTTP 5xx) or answered something unreadable.
pub const DC_SERVER_ERROR: dc_status = 6;
/// Connecting, sending or receiving failed (TLS failures included).
pub const DC_TRANSPORT: dc_status = 7;
/// The per-call or inactivity timeout expired.
pub const DC_TIMEOUT: dc_status = 8;
/// A callback asked to stop.
pub const DC_CANCELLED: dc_status = 9;
/// The daemon's API version lacks a requested feature (the message names it).
pub const DC_UNSUPPORTED: dc_status = 10;
/// An error reported inside a progress stream (pull, push, build, load, import).
pub const DC_STREAM_ERROR: dc_status = 11;
/// A bug in this library (a caught panic).
pub const DC_INTERNAL: dc_status = 12;

/// Each C constant is its status's code (a mismatch does not compile).
macro_rules! tie {
    ($($c:ident = $s:ident),* $(,)?) => {
        $(const _: () = assert!($c == Status::$s as dc_status);)*
        /// The C constants with their names, for the completeness test.
        #[cfg(test)]
        pub(super) const TIED: &[(&str, dc_status)] = &[$((stringify!($c), $c)),*];
    };
}
tie! {
    DC_OK = Ok, DC_INVALID_ARGUMENT = InvalidArgument, DC_NOT_FOUND = NotFound, DC_CONFLICT = Conflict,
    DC_UNAUTHORIZED = Unauthorized, DC_FORBIDDEN = Forbidden, DC_SERVER_ERROR = ServerError,
    DC_TRANSPORT = Transport, DC_TIMEOUT = Timeout, DC_CANCELLED = Cancelled,
    DC_UNSUPPORTED = Unsupported, DC_STREAM_ERROR = StreamError, DC_INTERNAL = Internal,
}
