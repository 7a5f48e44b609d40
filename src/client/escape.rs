//! Image names in URL paths, and query strings.
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

/// A query string under construction; values are form-encoded.
#[derive(Default, Debug, Clone)]
pub struct Query {
    pairs: Vec<(String, String)>,
}

impl Query {
    pub fn new() -> Query {
        Query::default()
    }

    pub fn push(&mut self, key: &str, value: impl Into<String>) -> &mut Query {
        self.pairs.push((key.to_string(), value.into()));
        self
    }

    pub fn push_opt(&mut self, key: &str, value: Option<impl Into<String>>) -> &mut Query {
        if let Some(v) = value {
            self.push(key, v);
        }
        self
    }

    /// Booleans as the daemon's `BoolValue` reads them (`1`/`0`).
    pub fn push_bool(&mut self, key: &str, value: Option<bool>) -> &mut Query {
        if let Some(v) = value {
            self.push(key, if v { "1" } else { "0" });
        }
        self
    }

    pub fn is_empty(&self) -> bool {
        self.pairs.is_empty()
    }

    pub fn encode(&self) -> String {
        let mut s = url::form_urlencoded::Serializer::new(String::new());
        for (k, v) in &self.pairs {
            s.append_pair(k, v);
        }
        s.finish()
    }
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

    #[test]
    fn query_encodes_values() {
        let mut q = Query::new();
        q.push("filters", r#"{"label":["a=b c"]}"#).push_bool("all", Some(true));
        assert_eq!(q.encode(), "filters=%7B%22label%22%3A%5B%22a%3Db+c%22%5D%7D&all=1");
    }
}
