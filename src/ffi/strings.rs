//! C strings in and out.

use std::ffi::{c_char, CStr, CString};

use crate::error::{Error, Result};

/// Longest C string read from a caller (options, names). Guards against unterminated input
/// only as far as a C string can: the caller must pass NUL-terminated strings.
const MAX_INPUT: usize = 64 * 1024 * 1024;

/// Reads an optional UTF-8 C string (NULL = absent).
///
/// # Safety
/// `p` is NULL or points to a NUL-terminated string.
pub unsafe fn opt_str<'a>(p: *const c_char, what: &str) -> Result<Option<&'a str>> {
    if p.is_null() {
        return Ok(None);
    }
    // SAFETY: guaranteed by the caller.
    let c = unsafe { CStr::from_ptr(p) };
    if c.to_bytes().len() > MAX_INPUT {
        return Err(Error::invalid(format!("{what} is longer than {MAX_INPUT} bytes")));
    }
    c.to_str()
        .map(Some)
        .map_err(|e| Error::invalid(format!("{what} is not valid UTF-8 (byte {})", e.valid_up_to())))
}

/// Reads a required UTF-8 C string.
///
/// # Safety
/// As [`opt_str`].
pub unsafe fn req_str<'a>(p: *const c_char, what: &str) -> Result<&'a str> {
    // SAFETY: forwarded.
    unsafe { opt_str(p, what) }?.ok_or_else(|| Error::invalid(format!("{what} is NULL")))
}

/// Reads an options object from C: NULL, `""` or blanks mean defaults; otherwise JSON whose
/// unknown keys and wrong types are errors naming the key (see [`crate::options::parse`]).
///
/// # Safety
/// As [`opt_str`].
pub unsafe fn options_arg<T: serde::de::DeserializeOwned + Default>(p: *const c_char, what: &str) -> Result<T> {
    // SAFETY: forwarded.
    let json = unsafe { opt_str(p, what) }?;
    crate::options::parse(what, json)
}

/// Reads an options object that may name a cancel token (`"cancel": <number>`, see
/// `ffi/cancel.rs`): the typed options, and the token.
///
/// # Safety
/// As [`opt_str`].
pub unsafe fn options_with_cancel<T: serde::de::DeserializeOwned + Default>(
    p: *const c_char,
    what: &str,
) -> Result<(T, Option<crate::transport::CancelToken>)> {
    // SAFETY: forwarded.
    let json = unsafe { opt_str(p, what) }?;
    let Some(text) = json.filter(|t| !t.trim().is_empty()) else {
        return Ok((T::default(), None));
    };
    let mut value: serde_json::Value = serde_json::from_str(text)
        .map_err(|e| Error::invalid(format!("{what} are not valid JSON: {e}")))?;
    if !value.is_object() {
        return Err(Error::invalid(format!("{what} must be a JSON object, not {}", crate::options::kind_of(&value))));
    }
    let cancel = super::cancel::take_cancel(&mut value)?;
    Ok((crate::options::from_value(what, value)?, cancel))
}

/// Checks an output pointer and clears what it points to, so it is NULL on failure.
pub fn clear_out<T>(out: *mut *mut T, what: &str) -> Result<()> {
    if out.is_null() {
        return Err(Error::invalid(format!("{what} is NULL")));
    }
    // SAFETY: non-NULL output pointer from the caller.
    unsafe { *out = std::ptr::null_mut() };
    Ok(())
}

/// Hands a Rust string to C (free with `dc_string_free`).
pub fn to_c(s: String) -> Result<*mut c_char> {
    CString::new(s)
        .map(CString::into_raw)
        .map_err(|_| Error::server("the answer contains a NUL byte and cannot be returned as a C string"))
}

/// Stores a string in a checked, cleared output pointer.
pub fn set_out(out: *mut *mut c_char, s: String) -> Result<()> {
    let p = to_c(s)?;
    // SAFETY: `out` was checked by `clear_out`.
    unsafe { *out = p };
    Ok(())
}
