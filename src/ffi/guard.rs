//! Runs the body of every exported function: catches panics, reports errors through
//! `dc_error **`, and returns the status.
//!
//! A caught panic must not print either: the host program's stderr is not the library's. The
//! first exported call installs a panic hook that stays silent for panics inside a guarded
//! call (it keeps the location for the error instead) and hands any other panic to the hook
//! that was there before, so a Rust program linking the crate sees its own panics as before.

use std::cell::{Cell, RefCell};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::Once;

use super::error_object::dc_error;
use super::status::dc_status;
use crate::error::{Error, Result, Status};

thread_local! {
    /// How many guarded calls are running on this thread (callbacks can nest them).
    static GUARDED: Cell<u32> = const { Cell::new(0) };
    /// Where the last silenced panic happened.
    static LOCATION: RefCell<Option<String>> = const { RefCell::new(None) };
}

fn install_silent_hook() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if GUARDED.with(Cell::get) > 0 {
                let at = info.location().map(|l| format!("{}:{}", l.file(), l.line()));
                LOCATION.with(|l| *l.borrow_mut() = at);
            } else {
                previous(info);
            }
        }));
    });
}

/// Runs `f` inside the panic boundary: a panic becomes `Err(what it said)`, silently.
fn catch<T>(f: impl FnOnce() -> T) -> std::result::Result<T, String> {
    install_silent_hook();
    GUARDED.with(|g| g.set(g.get() + 1));
    let outcome = catch_unwind(AssertUnwindSafe(f));
    GUARDED.with(|g| g.set(g.get().saturating_sub(1)));
    outcome.map_err(|payload| {
        let what = payload
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown panic".to_string());
        match LOCATION.with(|l| l.borrow_mut().take()) {
            Some(at) => format!("{what} (at {at})"),
            None => what,
        }
    })
}

/// Runs `f`; on error (or panic) stores a new `dc_error` in `*err` when `err` is not NULL.
pub fn guard(err: *mut *mut dc_error, f: impl FnOnce() -> Result<()>) -> dc_status {
    if !err.is_null() {
        // SAFETY: the caller passes either NULL or a valid `dc_error **`.
        unsafe { *err = std::ptr::null_mut() };
    }
    let outcome = match catch(f) {
        Ok(r) => r,
        Err(what) => Err(Error::internal(format!("internal error (please report): {what}"))),
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
    catch(f).unwrap_or(fallback)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_is_an_internal_error_with_its_place() {
        let mut err: *mut dc_error = std::ptr::null_mut();
        let status = guard(&mut err, || panic!("boom {}", 1));
        assert_eq!(status, Status::Internal as dc_status);
        // SAFETY: set by guard.
        let e = unsafe { Box::from_raw(err) };
        assert!(e.error.message.contains("boom 1") && e.error.message.contains("guard.rs"), "{}", e.error.message);
        assert_eq!(guard_value(7, || -> i32 { panic!("x") }), 7);
    }
}
