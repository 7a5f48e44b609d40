//! The `dc_error` object behind `dc_error **err`: the crate's [`Error`] with its message and
//! JSON kept as C strings, so the accessors lend them without allocating.

use std::ffi::CString;

use crate::error::Error;

/// An error returned through `dc_error **err`. Free it with dc_error_free().
#[allow(non_camel_case_types)]
pub struct dc_error {
    pub(super) error: Error,
    pub(super) message: CString,
    pub(super) json: CString,
}

fn c_lossy(s: String) -> CString {
    CString::new(s.replace('\0', "\\0")).unwrap_or_default()
}

impl dc_error {
    pub(super) fn boxed(error: Error) -> *mut dc_error {
        let message = c_lossy(error.message.clone());
        let json = c_lossy(error.to_json());
        Box::into_raw(Box::new(dc_error { error, message, json }))
    }
}
