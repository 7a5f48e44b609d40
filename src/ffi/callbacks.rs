//! Callback types of the C surface and their Rust adapters.

use std::ffi::c_void;

/// Receives bytes: one progress message per call, or one chunk of an archive.
/// Return 0 to go on, non-zero to stop the operation (it then returns DC_CANCELLED).
/// Runs on the calling thread; must not re-enter the same operation.
#[allow(non_camel_case_types)]
pub type dc_write_cb =
    Option<unsafe extern "C" fn(userdata: *mut c_void, buf: *const u8, len: usize) -> i32>;

/// Supplies bytes: fill at most `cap` bytes of `buf` and return how many, 0 at the end,
/// or a negative value on error (the operation then fails). Runs on the calling thread.
#[allow(non_camel_case_types)]
pub type dc_read_cb =
    Option<unsafe extern "C" fn(userdata: *mut c_void, buf: *mut u8, cap: usize) -> isize>;
