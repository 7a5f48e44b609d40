//! Reading and freeing a `dc_error`. Every accessor takes NULL as "no error": status DC_OK,
//! message "", HTTP status 0, JSON "{}".

use std::ffi::c_char;

use super::error_object::dc_error;
use super::guard::guard_value;
use super::status::dc_status;
use crate::error::Status;

/// The error's status code. A NULL error is no error: DC_OK (so `dc_error_status(err)` can be
/// read whether or not a call failed).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn dc_error_status(err: *const dc_error) -> dc_status {
    // SAFETY: NULL or a pointer returned by this library.
    guard_value(Status::Internal as dc_status, || match unsafe { err.as_ref() } {
        Some(e) => e.error.status as dc_status,
        None => Status::Ok as dc_status,
    })
}

/// A human-readable message (never contains credentials). Valid until dc_error_free();
/// do not free it. Returns "" for a NULL error.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn dc_error_message(err: *const dc_error) -> *const c_char {
    // SAFETY: NULL or a pointer returned by this library.
    guard_value(c"".as_ptr(), || match unsafe { err.as_ref() } {
        Some(e) => e.message.as_ptr(),
        None => c"".as_ptr(),
    })
}

/// The HTTP status of the daemon's answer, or 0 when there was none (or err is NULL).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn dc_error_http_status(err: *const dc_error) -> i32 {
    // SAFETY: NULL or a pointer returned by this library.
    guard_value(0, || unsafe { err.as_ref() }.map(|e| e.error.http_status as i32).unwrap_or(0))
}

/// The whole error as a JSON object: {"status": "NOT_FOUND", "code": 2, "http_status": 404,
/// "message": ..., "daemon_message": ... or null, "daemon_code": ... or null,
/// "api_version": "1.41" or null}. Valid until dc_error_free(); do not free it.
/// Returns "{}" for a NULL error.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn dc_error_json(err: *const dc_error) -> *const c_char {
    // SAFETY: NULL or a pointer returned by this library.
    guard_value(c"{}".as_ptr(), || match unsafe { err.as_ref() } {
        Some(e) => e.json.as_ptr(),
        None => c"{}".as_ptr(),
    })
}

/// Frees an error. NULL is allowed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn dc_error_free(err: *mut dc_error) {
    guard_value((), || {
        if !err.is_null() {
            // SAFETY: a pointer returned by this library, freed once.
            drop(unsafe { Box::from_raw(err) });
        }
    })
}
