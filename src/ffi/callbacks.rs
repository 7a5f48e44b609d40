//! Callback types of the C surface and their Rust adapters.
//!
//! Callbacks run on the calling thread, so the adapters need not be `Send`.

use std::cell::Cell;
use std::ffi::c_void;
use std::io;
use std::rc::Rc;

use crate::error::{Error, Result};

/// Receives bytes: one progress message per call, or one chunk of an archive.
/// Return 0 to go on, non-zero to stop the operation (it then returns DC_CANCELLED).
/// Runs on the calling thread; must not re-enter the same operation.
#[allow(non_camel_case_types)]
pub type dc_write_cb =
    Option<unsafe extern "C" fn(userdata: *mut c_void, buf: *const u8, len: usize) -> i32>;

/// Supplies bytes: fill at most `cap` bytes of `buf` and return how many, 0 at the end,
/// or a negative value on error (the operation then fails with DC_CANCELLED). Returning more
/// than `cap` is a caller bug reported as DC_INVALID_ARGUMENT. Runs on the calling thread.
#[allow(non_camel_case_types)]
pub type dc_read_cb =
    Option<unsafe extern "C" fn(userdata: *mut c_void, buf: *mut u8, cap: usize) -> isize>;

/// A C write callback as a Rust closure: `true` = go on.
pub struct CWrite {
    cb: unsafe extern "C" fn(*mut c_void, *const u8, usize) -> i32,
    userdata: *mut c_void,
}

impl CWrite {
    /// `None` when the C caller passed a NULL callback.
    pub fn new(cb: dc_write_cb, userdata: *mut c_void) -> Option<CWrite> {
        cb.map(|cb| CWrite { cb, userdata })
    }

    /// Delivers one message or chunk; `false` when the callback asked to stop.
    pub fn call(&mut self, buf: &[u8]) -> bool {
        // SAFETY: the caller's callback with the caller's userdata, a valid buffer.
        unsafe { (self.cb)(self.userdata, buf.as_ptr(), buf.len()) == 0 }
    }
}

/// Runs `f` with the C progress callback as a Rust progress function (`None` when the caller
/// passed NULL).
pub fn with_progress<T>(
    cb: dc_write_cb,
    userdata: *mut c_void,
    f: impl for<'a> FnOnce(Option<crate::stream::ProgressFn<'a>>) -> T,
) -> T {
    let mut writer = CWrite::new(cb, userdata);
    let mut deliver = writer.as_mut().map(|w| move |m: &[u8]| w.call(m));
    f(deliver.as_mut().map(|d| d as crate::stream::ProgressFn))
}

/// Why a C read callback ended a stream early; kept so the operation can report the right
/// status after the HTTP layer has turned the failure into a plain I/O error.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ReadFailure {
    /// The callback returned a negative value.
    Failed(isize),
    /// The callback claimed more bytes than the buffer holds.
    Overflow { returned: isize, cap: usize },
}

impl ReadFailure {
    pub fn to_error(&self) -> Error {
        match self {
            ReadFailure::Failed(n) => {
                Error::cancelled(format!("the read callback returned {n} (error); the operation was stopped"))
            }
            ReadFailure::Overflow { returned, cap } => Error::invalid(format!(
                "the read callback returned {returned} bytes for a buffer of {cap}"
            )),
        }
    }
}

/// A C read callback as `std::io::Read`.
pub struct CRead {
    cb: unsafe extern "C" fn(*mut c_void, *mut u8, usize) -> isize,
    userdata: *mut c_void,
    failure: Rc<Cell<Option<ReadFailure>>>,
}

/// Lets the operation learn, after the send failed, whether the callback caused it.
#[derive(Clone)]
pub struct ReadFailureProbe(Rc<Cell<Option<ReadFailure>>>);

impl ReadFailureProbe {
    pub fn take(&self) -> Option<ReadFailure> {
        self.0.take()
    }

    /// Replaces `e` by the callback's own failure when there was one.
    pub fn explain(&self, e: Error) -> Error {
        match self.take() {
            Some(f) => f.to_error(),
            None => e,
        }
    }
}

impl CRead {
    pub fn new(cb: dc_read_cb, userdata: *mut c_void) -> Option<(CRead, ReadFailureProbe)> {
        let cb = cb?;
        let failure = Rc::new(Cell::new(None));
        Some((CRead { cb, userdata, failure: failure.clone() }, ReadFailureProbe(failure)))
    }
}

impl io::Read for CRead {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        // SAFETY: the caller's callback, a writable buffer of buf.len() bytes.
        let n = unsafe { (self.cb)(self.userdata, buf.as_mut_ptr(), buf.len()) };
        let failure = if n < 0 {
            ReadFailure::Failed(n)
        } else if n as usize > buf.len() {
            ReadFailure::Overflow { returned: n, cap: buf.len() }
        } else {
            return Ok(n as usize);
        };
        let message = failure.to_error().message;
        self.failure.set(Some(failure));
        Err(io::Error::other(message))
    }
}

/// Checks that exactly one of a callback and a path was given.
pub fn one_source(has_callback: bool, has_path: bool, what: &str, path_key: &str) -> Result<()> {
    match (has_callback, has_path) {
        (true, true) => Err(Error::invalid(format!(
            "{what}: give either a callback or \"{path_key}\", not both"
        ))),
        (false, false) => Err(Error::invalid(format!(
            "{what}: the callback is NULL and no \"{path_key}\" was given"
        ))),
        _ => Ok(()),
    }
}
