//! Image names as URL path segments.
//!
//! A name must reach only the endpoint it was meant for: characters that would end the path
//! (`?`, `#`), change its meaning (`%`, spaces, controls) are percent-encoded, and `.`/`..`
//! segments are refused outright, because the daemon's router cleans paths and would send
//! `images/../containers/x` to another endpoint. `/`, `:` and `@` stay literal since
//! references contain them and the daemon's routes expect them as they are.

use crate::error::{Error, Result};

/// Longest name accepted: far above any real reference (255) or ID, far below abuse.
pub(crate) const MAX_NAME_LEN: usize = 4096;

/// Validates an image name or ID for use in a path and returns it escaped.
pub fn escape_name(what: &str, name: &str) -> Result<String> {
    if name.is_empty() {
        return Err(Error::invalid(format!("{what} is empty")));
    }
    if name.len() > MAX_NAME_LEN {
        return Err(Error::invalid(format!(
            "{what} is {} bytes long; at most {MAX_NAME_LEN} are accepted",
            name.len()
        )));
    }
    if name.split('/').any(|seg| seg == "." || seg == ".." || seg.is_empty()) {
        return Err(Error::invalid(format!(
            "{what} \"{}\" has an empty, \".\" or \"..\" path segment",
            name.escape_debug()
        )));
    }
    let mut out = String::with_capacity(name.len());
    for b in name.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'/' | b':' | b'@') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_reference_characters() {
        assert_eq!(
            escape_name("image name", "127.0.0.1:5000/a/b:tag@sha256:ab").unwrap(),
            "127.0.0.1:5000/a/b:tag@sha256:ab"
        );
    }

    #[test]
    fn encodes_what_would_change_the_request() {
        assert_eq!(escape_name("n", "a?b#c%d e").unwrap(), "a%3Fb%23c%25d%20e");
        assert_eq!(escape_name("n", "a\u{e9}").unwrap(), "a%C3%A9");
        assert_eq!(escape_name("n", "a\r\nX: y").unwrap(), "a%0D%0AX%3A%20y".replace("%3A", ":"));
    }

    #[test]
    fn refuses_dot_segments_and_empties() {
        for n in ["", "..", "a/../b", "./a", "a//b", "a/", "/a", "a/."] {
            assert!(escape_name("n", n).is_err(), "{n}");
        }
        assert!(escape_name("n", &"a".repeat(MAX_NAME_LEN + 1)).is_err());
        assert!(escape_name("n", "a..b").is_ok());
    }
}
