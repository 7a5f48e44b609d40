//! The library-wide utilities every caller needs: `dc_version`, `dc_status_name`,
//! `dc_string_free`.

use std::ffi::{c_char, CString};

use super::guard::guard_value;
use super::status::dc_status;
use crate::error::Status;

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
    use crate::ffi::status::TIED;
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
