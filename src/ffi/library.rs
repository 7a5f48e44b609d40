//! The library-wide utilities every caller needs: `dc_version`, `dc_status_name`,
//! `dc_string_free`.

use std::ffi::{c_char, CString};

use super::guard::guard_value;
use super::status::dc_status;
use crate::error::Status;

static VERSION: &[u8] = concat!(env!("CARGO_PKG_VERSION"), "\0").as_bytes();

/// The major version of the header; `dc_version()` tells the library's at run time. The
/// SONAME follows the major version (see "ABI policy" at the top of this header).
pub const DC_VERSION_MAJOR: u32 = 0;
/// The minor version of the header.
pub const DC_VERSION_MINOR: u32 = 1;
/// The patch version of the header.
pub const DC_VERSION_PATCH: u32 = 0;
// cbindgen needs literals above (DC_VERSION_STRING is written by tests/header.rs from
// Cargo.toml); these make a version bump in Cargo.toml that forgets them a
// compile error instead of a header that lies.
const _: () = {
    assert!(DC_VERSION_MAJOR == parse_u32(env!("CARGO_PKG_VERSION_MAJOR")));
    assert!(DC_VERSION_MINOR == parse_u32(env!("CARGO_PKG_VERSION_MINOR")));
    assert!(DC_VERSION_PATCH == parse_u32(env!("CARGO_PKG_VERSION_PATCH")));
};

const fn parse_u32(s: &str) -> u32 {
    let b = s.as_bytes();
    let (mut i, mut n) = (0, 0u32);
    while i < b.len() {
        assert!(b[i].is_ascii_digit(), "a version number that is not a number");
        n = n * 10 + (b[i] - b'0') as u32;
        i += 1;
    }
    n
}


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
