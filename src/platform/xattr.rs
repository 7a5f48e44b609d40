//! File capabilities (`security.capability`), which Docker copies into a build context's tar.
//! Only Linux has them; elsewhere a file has none.

use std::path::Path;

/// The raw `security.capability` attribute of `path` (not following a symlink), if any.
#[cfg(target_os = "linux")]
pub fn security_capability(path: &Path) -> Option<Vec<u8>> {
    use std::os::unix::ffi::OsStrExt;
    let path = std::ffi::CString::new(path.as_os_str().as_bytes()).ok()?;
    let name = c"security.capability";
    let mut buf = [0u8; 64];
    // SAFETY: both strings are NUL-terminated, `buf` is writable for its full length.
    let n = unsafe { libc::lgetxattr(path.as_ptr(), name.as_ptr(), buf.as_mut_ptr().cast(), buf.len()) };
    (n > 0).then(|| buf[..n as usize].to_vec())
}

#[cfg(not(target_os = "linux"))]
pub fn security_capability(_path: &Path) -> Option<Vec<u8>> {
    None
}
