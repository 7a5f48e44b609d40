//! Callback types of the C surface and their Rust adapters.
//!
//! Callbacks run on the calling thread, so the adapters need not be `Send`.

use std::cell::Cell;
use std::ffi::c_void;
use std::io;
use std::rc::Rc;

use crate::error::{Error, Result};
use crate::images::io::{Io, WriteFn};

/// Receives bytes: one progress message per call, or one chunk of an archive.
/// Return 0 to go on, non-zero to stop the operation (it then returns DC_CANCELLED, having
/// closed its connection and anything else it had open).
/// Runs on the calling thread; must not re-enter the same operation. It must return: a C++
/// exception, a Go panic or a longjmp must not unwind through the library (that skips the code
/// that closes connections and frees memory, and a C++ exception crossing it ends the process);
/// catch them inside the callback and return non-zero instead.
#[allow(non_camel_case_types)]
pub type dc_write_cb =
    Option<unsafe extern "C" fn(userdata: *mut c_void, buf: *const u8, len: usize) -> i32>;

/// Supplies bytes: fill at most `cap` bytes of `buf` and return how many, 0 at the end,
/// or a negative value on error (the operation then fails with DC_CANCELLED). Returning more
/// than `cap` is a caller bug reported as DC_INVALID_ARGUMENT. Runs on the calling thread, and
/// must return rather than unwind (see dc_write_cb).
#[allow(non_camel_case_types)]
pub type dc_read_cb =
    Option<unsafe extern "C" fn(userdata: *mut c_void, buf: *mut u8, cap: usize) -> isize>;

/// A C write callback as a Rust closure: `true` = go on.
struct CWrite {
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

/// The C callbacks of one operation, each with its own userdata: a read callback (bytes to
/// upload), a write callback (a save's archive) and a progress callback. NULL callbacks are
/// absent.
pub struct Callbacks {
    pub read: dc_read_cb,
    pub read_userdata: *mut c_void,
    pub write: dc_write_cb,
    pub write_userdata: *mut c_void,
    pub progress: dc_write_cb,
    pub progress_userdata: *mut c_void,
}

impl Default for Callbacks {
    fn default() -> Callbacks {
        Callbacks {
            read: None,
            read_userdata: std::ptr::null_mut(),
            write: None,
            write_userdata: std::ptr::null_mut(),
            progress: None,
            progress_userdata: std::ptr::null_mut(),
        }
    }
}

/// Runs `f` with the C callbacks as an [`Io`]. When the read callback made the operation fail
/// (it returned an error, or more bytes than asked for), its own failure is the error, not the
/// broken upload the HTTP layer saw.
pub fn with_io<T>(callbacks: Callbacks, f: impl FnOnce(Io) -> Result<T>) -> Result<T> {
    let (mut reader, probe) = match CRead::new(callbacks.read, callbacks.read_userdata) {
        Some((r, p)) => (Some(r), Some(p)),
        None => (None, None),
    };
    let mut write = CWrite::new(callbacks.write, callbacks.write_userdata);
    let mut progress = CWrite::new(callbacks.progress, callbacks.progress_userdata);
    let mut write_fn = write.as_mut().map(|w| move |b: &[u8]| w.call(b));
    let mut progress_fn = progress.as_mut().map(|w| move |b: &[u8]| w.call(b));
    let io = Io {
        input: reader.as_mut().map(|r| r as &mut dyn io::Read),
        output: write_fn.as_mut().map(|f| f as WriteFn),
        progress: progress_fn.as_mut().map(|f| f as WriteFn),
    };
    f(io).map_err(|e| match &probe {
        Some(p) => p.explain(e),
        None => e,
    })
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
struct CRead {
    cb: unsafe extern "C" fn(*mut c_void, *mut u8, usize) -> isize,
    userdata: *mut c_void,
    failure: Rc<Cell<Option<ReadFailure>>>,
}

/// Lets the operation learn, after the send failed, whether the callback caused it.
#[derive(Clone)]
struct ReadFailureProbe(Rc<Cell<Option<ReadFailure>>>);

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
    fn new(cb: dc_read_cb, userdata: *mut c_void) -> Option<(CRead, ReadFailureProbe)> {
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
