//! Status codes and the library-wide utilities every caller needs: `dc_status_name`,
//! `dc_version`, `dc_string_free`.
//!
//! The codes are [`Status`]'s (`src/error.rs`, the one table). cbindgen can only write literal
//! constants into the header, so each `DC_*` below is a literal, and the `const` assertions
//! after them tie every one to its `Status` at compile time; a unit test checks that every
//! `Status` has its constant.

use std::ffi::{c_char, CString};

use super::guard::guard_value;
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
        const TIED: &[(&str, dc_status)] = &[$((stringify!($c), $c)),*];
    };
}
tie! {
    DC_OK = Ok, DC_INVALID_ARGUMENT = InvalidArgument, DC_NOT_FOUND = NotFound, DC_CONFLICT = Conflict,
    DC_UNAUTHORIZED = Unauthorized, DC_FORBIDDEN = Forbidden, DC_SERVER_ERROR = ServerError,
    DC_TRANSPORT = Transport, DC_TIMEOUT = Timeout, DC_CANCELLED = Cancelled,
    DC_UNSUPPORTED = Unsupported, DC_STREAM_ERROR = StreamError, DC_INTERNAL = Internal,
}

static VERSION: &[u8] = concat!(env!("CARGO_PKG_VERSION"), "\0").as_bytes();

/// The library's version, e.g. "0.1.0". Static string: do not free.
#[unsafe(no_mangle)]
pub extern "C" fn dc_version() -> *const c_char {
    guard_value(c"".as_ptr(), || VERSION.as_ptr() as *const c_char)
}

/// The name of a status code, e.g. "NOT_FOUND" for DC_NOT_FOUND, or "UNKNOWN" for a value
/// that is not a status. Static string: do not free.
#[unsafe(no_mangle)]
pub extern "C" fn dc_status_name(status: dc_status) -> *const c_char {
    guard_value(c"UNKNOWN".as_ptr(), || match Status::from_code(status) {
        Some(s) => s.c_name().as_ptr(),
        None => c"UNKNOWN".as_ptr(),
    })
}

/// Frees a string returned by this library (any `char **out_json`). NULL is allowed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn dc_string_free(s: *mut c_char) {
    guard_value((), || {
        if !s.is_null() {
            // SAFETY: a string returned by this library through CString::into_raw, freed once.
            drop(unsafe { CString::from_raw(s) });
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::ffi::CStr;

    #[test]
    fn every_status_has_its_constant_and_name() {
        assert_eq!(TIED.len(), Status::ALL.len(), "a Status without a DC_ constant, or the reverse");
        for (name, code) in TIED {
            let status = Status::from_code(*code).expect("a status");
            assert_eq!(*name, format!("DC_{}", status.name()));
            // SAFETY: dc_status_name returns a static NUL-terminated string.
            let c = unsafe { CStr::from_ptr(dc_status_name(*code)) };
            assert_eq!(c.to_str().unwrap(), status.name());
        }
        // SAFETY: as above.
        assert_eq!(unsafe { CStr::from_ptr(dc_status_name(99)) }.to_str().unwrap(), "UNKNOWN");
    }
}
