//! Runs the body of every exported function: catches panics, reports errors through
//! `dc_error **`, and returns the status.

use std::panic::{catch_unwind, AssertUnwindSafe};

use super::error_object::dc_error;
use super::status::dc_status;
use crate::error::{Error, Result, Status};

/// Runs `f`; on error (or panic) stores a new `dc_error` in `*err` when `err` is not NULL.
pub fn guard(err: *mut *mut dc_error, f: impl FnOnce() -> Result<()>) -> dc_status {
    if !err.is_null() {
        // SAFETY: the caller passes either NULL or a valid `dc_error **`.
        unsafe { *err = std::ptr::null_mut() };
    }
    let outcome = match catch_unwind(AssertUnwindSafe(f)) {
        Ok(r) => r,
        Err(payload) => {
            let what = payload
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown panic".to_string());
            Err(Error::internal(format!("internal error (please report): {what}")))
        }
    };
    match outcome {
        Ok(()) => Status::Ok as dc_status,
        Err(e) => {
            let status = e.status as dc_status;
            if !err.is_null() {
                // SAFETY: as above.
                unsafe { *err = dc_error::boxed(e) };
            }
            status
        }
    }
}

/// A version of [`guard`] for functions that return a value instead of a status.
pub fn guard_value<T>(fallback: T, f: impl FnOnce() -> T) -> T {
    catch_unwind(AssertUnwindSafe(f)).unwrap_or(fallback)
}
