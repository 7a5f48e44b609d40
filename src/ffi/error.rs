//! `dc_error`: the error object, its accessors, and the small utilities every caller needs
//! (`dc_version`, `dc_status_name`, `dc_string_free`).

use std::ffi::{c_char, CString};

use super::dc_status;
use super::guard::guard_value;
use crate::error::{Error, Status};

/// An error returned through `dc_error **err`. Free it with dc_error_free().
#[allow(non_camel_case_types)]
pub struct dc_error {
    error: Error,
    message: CString,
    json: CString,
}

fn c_lossy(s: String) -> CString {
    CString::new(s.replace('\0', "\\0")).unwrap_or_default()
}

impl dc_error {
    pub(crate) fn boxed(error: Error) -> *mut dc_error {
        let message = c_lossy(error.message.clone());
        let json = c_lossy(error.to_json());
        Box::into_raw(Box::new(dc_error { error, message, json }))
    }
}

static VERSION: &[u8] = concat!(env!("CARGO_PKG_VERSION"), "\0").as_bytes();

/// The library's version, e.g. "0.1.0". Static string: do not free.
#[unsafe(no_mangle)]
pub extern "C" fn dc_version() -> *const c_char {
    VERSION.as_ptr() as *const c_char
}

/// The name of a status code, e.g. "NOT_FOUND" for DC_NOT_FOUND, or "UNKNOWN" for a value
/// that is not a status. Static string: do not free.
#[unsafe(no_mangle)]
pub extern "C" fn dc_status_name(status: dc_status) -> *const c_char {
    let name: &'static [u8] = match status {
        0 => b"OK\0",
        1 => b"INVALID_ARGUMENT\0",
        2 => b"NOT_FOUND\0",
        3 => b"CONFLICT\0",
        4 => b"UNAUTHORIZED\0",
        5 => b"FORBIDDEN\0",
        6 => b"SERVER_ERROR\0",
        7 => b"TRANSPORT\0",
        8 => b"TIMEOUT\0",
        9 => b"CANCELLED\0",
        10 => b"UNSUPPORTED\0",
        11 => b"STREAM_ERROR\0",
        12 => b"INTERNAL\0",
        _ => b"UNKNOWN\0",
    };
    name.as_ptr() as *const c_char
}

/// The error's status code (DC_INTERNAL for a NULL error).
#[unsafe(no_mangle)]
pub extern "C" fn dc_error_status(err: *const dc_error) -> dc_status {
    // SAFETY: NULL or a pointer returned by this library.
    guard_value(Status::Internal as dc_status, || match unsafe { err.as_ref() } {
        Some(e) => e.error.status as dc_status,
        None => Status::Internal as dc_status,
    })
}

/// A human-readable message (never contains credentials). Valid until dc_error_free();
/// do not free it. Returns "" for a NULL error.
#[unsafe(no_mangle)]
pub extern "C" fn dc_error_message(err: *const dc_error) -> *const c_char {
    // SAFETY: NULL or a pointer returned by this library.
    match unsafe { err.as_ref() } {
        Some(e) => e.message.as_ptr(),
        None => c"".as_ptr(),
    }
}

/// The HTTP status of the daemon's answer, or 0 when there was none (or err is NULL).
#[unsafe(no_mangle)]
pub extern "C" fn dc_error_http_status(err: *const dc_error) -> i32 {
    // SAFETY: NULL or a pointer returned by this library.
    unsafe { err.as_ref() }.map(|e| e.error.http_status as i32).unwrap_or(0)
}

/// The whole error as a JSON object: {"status": "NOT_FOUND", "code": 2, "http_status": 404,
/// "message": ..., "daemon_message": ... or null, "daemon_code": ... or null,
/// "api_version": "1.41" or null}. Valid until dc_error_free(); do not free it.
/// Returns "{}" for a NULL error.
#[unsafe(no_mangle)]
pub extern "C" fn dc_error_json(err: *const dc_error) -> *const c_char {
    // SAFETY: NULL or a pointer returned by this library.
    match unsafe { err.as_ref() } {
        Some(e) => e.json.as_ptr(),
        None => c"{}".as_ptr(),
    }
}

/// Frees an error. NULL is allowed.
#[unsafe(no_mangle)]
pub extern "C" fn dc_error_free(err: *mut dc_error) {
    if !err.is_null() {
        // SAFETY: a pointer returned by this library, freed once.
        guard_value((), || drop(unsafe { Box::from_raw(err) }));
    }
}

/// Frees a string returned by this library (any `char **out_json`). NULL is allowed.
#[unsafe(no_mangle)]
pub extern "C" fn dc_string_free(s: *mut c_char) {
    if !s.is_null() {
        // SAFETY: a string returned by this library through CString::into_raw, freed once.
        guard_value((), || drop(unsafe { CString::from_raw(s) }));
    }
}
