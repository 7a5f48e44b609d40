//! Extended attributes: file capabilities (`security.capability`), which Docker copies into a
//! build context's tar, and all of a file's attributes, which a BuildKit session lists. Only
//! Linux is read; elsewhere a file has none.

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

/// Every extended attribute of `path` (not following a symlink), by name, as fsutil lists
/// them for a BuildKit context; none where the file system keeps none or reading fails.
#[cfg(target_os = "linux")]
pub fn all(path: &Path) -> std::collections::BTreeMap<String, Vec<u8>> {
    use std::os::unix::ffi::OsStrExt;
    let mut out = std::collections::BTreeMap::new();
    let Ok(cpath) = std::ffi::CString::new(path.as_os_str().as_bytes()) else { return out };
    // SAFETY: a NUL-terminated path; a NULL buffer of size 0 asks for the list's size.
    let size = unsafe { libc::llistxattr(cpath.as_ptr(), std::ptr::null_mut(), 0) };
    if size <= 0 {
        return out;
    }
    let mut names = vec![0u8; size as usize];
    // SAFETY: `names` is writable for its full length.
    let size = unsafe { libc::llistxattr(cpath.as_ptr(), names.as_mut_ptr().cast(), names.len()) };
    if size <= 0 {
        return out; // changed in between: taken as none, as fsutil would retry or fail
    }
    for name in names[..size as usize].split(|b| *b == 0).filter(|n| !n.is_empty()) {
        let Ok(cname) = std::ffi::CString::new(name) else { continue };
        // SAFETY: NUL-terminated strings; size query first, then a buffer of that size.
        let len = unsafe { libc::lgetxattr(cpath.as_ptr(), cname.as_ptr(), std::ptr::null_mut(), 0) };
        if len < 0 {
            continue;
        }
        let mut value = vec![0u8; len as usize];
        // SAFETY: `value` is writable for its full length.
        let n = unsafe { libc::lgetxattr(cpath.as_ptr(), cname.as_ptr(), value.as_mut_ptr().cast(), value.len()) };
        if n >= 0 {
            value.truncate(n as usize);
            out.insert(String::from_utf8_lossy(name).into_owned(), value);
        }
    }
    out
}

#[cfg(not(target_os = "linux"))]
pub fn all(_path: &Path) -> std::collections::BTreeMap<String, Vec<u8>> {
    std::collections::BTreeMap::new()
}
