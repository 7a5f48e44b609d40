//! Edits the `auths` section of a docker config file's text, leaving every other byte as it
//! was: other keys, their order, their formatting, other registries' entries.
//!
//! The docker CLI rewrites the whole file from its own struct (dropping keys it does not know
//! and reformatting the rest); a library that edits a file the user owns should not. The text
//! is checked to be a JSON object first (by `serde_json`), then scanned for the spans of the
//! top-level members and of `auths`' members, and only the span of the one entry changes.
//! New members are indented with tabs, as the CLI writes them. [`edit_file`] applies an edit
//! to the file atomically.

use std::fs;
use std::io::Write;
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::Path;

use crate::error::{Error, Result};

/// A member of a JSON object: its key (decoded) and the byte spans of the whole member
/// (key through value) and of its value.
#[derive(Debug, Clone)]
struct Member {
    key: String,
    start: usize,
    value_start: usize,
    end: usize,
}

/// An object's members and the span of its braces (`open` at `{`, `close` at `}`).
#[derive(Debug)]
struct Object {
    open: usize,
    close: usize,
    members: Vec<Member>,
}

/// `text` with `auths[key]` set to `entry` (a JSON object's text). An empty text is an empty
/// config.
pub fn set_entry(text: &str, key: &str, entry: &str) -> Result<String> {
    if text.trim().is_empty() {
        return Ok(format!("{{\n\t\"auths\": {{\n\t\t{}: {entry}\n\t}}\n}}\n", quote(key)));
    }
    let top = parse_top(text)?;
    let Some(auths) = top.members.iter().find(|m| m.key == "auths") else {
        let member = format!("\"auths\": {{\n\t\t{}: {entry}\n\t}}", quote(key));
        return Ok(insert_member(text, &top, &member, "\t"));
    };
    let inner = object_at(text, auths.value_start).ok_or_else(|| not_object("\"auths\""))?;
    if let Some(m) = inner.members.iter().find(|m| m.key == key) {
        return Ok(format!("{}{entry}{}", &text[..m.value_start], &text[m.end..]));
    }
    Ok(insert_member(text, &inner, &format!("{}: {entry}", quote(key)), "\t\t"))
}

/// `text` without `auths[key]`, and whether there was one.
pub fn remove_entry(text: &str, key: &str) -> Result<(String, bool)> {
    if text.trim().is_empty() {
        return Ok((text.to_string(), false));
    }
    let top = parse_top(text)?;
    let Some(auths) = top.members.iter().find(|m| m.key == "auths") else {
        return Ok((text.to_string(), false));
    };
    let inner = object_at(text, auths.value_start).ok_or_else(|| not_object("\"auths\""))?;
    let Some(i) = inner.members.iter().position(|m| m.key == key) else {
        return Ok((text.to_string(), false));
    };
    // Take the member with the comma before it, or after it when it is the first.
    let m = &inner.members[i];
    let (from, to) = if i > 0 {
        (inner.members[i - 1].end, m.end)
    } else if let Some(next) = inner.members.get(1) {
        (m.start, next.start)
    } else {
        // The only entry: leave `{}`.
        (inner.open + 1, inner.close)
    };
    Ok((format!("{}{}", &text[..from], &text[to..]), true))
}

/// Rewrites the config file at `path` through `edit`, atomically, keeping its mode (0600 for a
/// new file) and writing through a symlink to the file it names.
pub fn edit_file(path: &Path, edit: impl FnOnce(&str) -> Result<String>) -> Result<()> {
    let target = fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
    let shown = target.display().to_string();
    let io_err = |what: &str, e: std::io::Error| Error::invalid(format!("docker config file {shown}: {what}: {e}"));
    let (text, mode) = match fs::read_to_string(&target) {
        Ok(t) => (t, fs::metadata(&target).map(|m| m.permissions().mode() & 0o7777).unwrap_or(0o600)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => (String::new(), 0o600),
        Err(e) => return Err(io_err("cannot read it", e)),
    };
    let new = edit(&text).map_err(|e| e.context(format!("docker config file {shown}")))?;
    if new == text {
        return Ok(());
    }
    let dir = target.parent().unwrap_or(Path::new("."));
    fs::create_dir_all(dir).map_err(|e| io_err("cannot create its directory", e))?;
    let name = target.file_name().and_then(|n| n.to_str()).unwrap_or("config.json");
    let temp = dir.join(format!(".{name}.tmp-{}", crate::platform::random_hex(8)));
    let written = (|| {
        let mut f = fs::OpenOptions::new().write(true).create_new(true).mode(0o600).open(&temp)?;
        f.set_permissions(fs::Permissions::from_mode(mode))?;
        f.write_all(new.as_bytes())?;
        f.sync_all()?;
        fs::rename(&temp, &target)
    })();
    if let Err(e) = written {
        let _ = fs::remove_file(&temp);
        return Err(io_err("cannot write it", e));
    }
    Ok(())
}

fn not_object(what: &str) -> Error {
    Error::invalid(format!("the docker config's {what} is not a JSON object"))
}

fn parse_top(text: &str) -> Result<Object> {
    let value: serde_json::Value = serde_json::from_str(text).map_err(|e| {
        Error::invalid(format!("the docker config is not valid JSON (line {}, column {})", e.line(), e.column()))
    })?;
    if !value.is_object() {
        return Err(not_object("top level"));
    }
    let start = skip_ws(text.as_bytes(), 0);
    object_at(text, start).ok_or_else(|| not_object("top level"))
}

/// Inserts `member` as the object's last member: after the last one with a comma, or alone
/// inside the braces; `indent` is the new member's indentation.
fn insert_member(text: &str, obj: &Object, member: &str, indent: &str) -> String {
    let outer = &indent[..indent.len() - 1];
    match obj.members.last() {
        Some(last) => format!("{},\n{indent}{member}{}", &text[..last.end], &text[last.end..]),
        None => format!("{}\n{indent}{member}\n{outer}{}", &text[..obj.open + 1], &text[obj.close..]),
    }
}

fn quote(s: &str) -> String {
    serde_json::Value::String(s.to_string()).to_string()
}

fn skip_ws(b: &[u8], mut i: usize) -> usize {
    while i < b.len() && matches!(b[i], b' ' | b'\t' | b'\r' | b'\n') {
        i += 1;
    }
    i
}

/// The object starting at `at` (which must be `{`), with its members' spans. The text was
/// checked to be valid JSON, so the scan only finds boundaries.
fn object_at(text: &str, at: usize) -> Option<Object> {
    let b = text.as_bytes();
    if b.get(at) != Some(&b'{') {
        return None;
    }
    let mut members = Vec::new();
    let mut i = skip_ws(b, at + 1);
    if b.get(i) == Some(&b'}') {
        return Some(Object { open: at, close: i, members });
    }
    loop {
        let start = i;
        let key_end = skip_string(b, i)?;
        let key: String = serde_json::from_str(&text[i..key_end]).ok()?;
        i = skip_ws(b, key_end);
        if b.get(i) != Some(&b':') {
            return None;
        }
        let value_start = skip_ws(b, i + 1);
        let end = skip_value(b, value_start)?;
        members.push(Member { key, start, value_start, end });
        i = skip_ws(b, end);
        match b.get(i) {
            Some(b',') => i = skip_ws(b, i + 1),
            Some(b'}') => return Some(Object { open: at, close: i, members }),
            _ => return None,
        }
    }
}

/// One past the end of the string starting at `i`.
fn skip_string(b: &[u8], mut i: usize) -> Option<usize> {
    if b.get(i) != Some(&b'"') {
        return None;
    }
    i += 1;
    while i < b.len() {
        match b[i] {
            b'\\' => i += 2,
            b'"' => return Some(i + 1),
            _ => i += 1,
        }
    }
    None
}

/// One past the end of the value starting at `i`.
fn skip_value(b: &[u8], i: usize) -> Option<usize> {
    match b.get(i)? {
        b'"' => skip_string(b, i),
        b'{' | b'[' => {
            let mut depth = 0usize;
            let mut j = i;
            while j < b.len() {
                match b[j] {
                    b'"' => {
                        j = skip_string(b, j)?;
                        continue;
                    }
                    b'{' | b'[' => depth += 1,
                    b'}' | b']' => {
                        depth -= 1;
                        if depth == 0 {
                            return Some(j + 1);
                        }
                    }
                    _ => {}
                }
                j += 1;
            }
            None
        }
        _ => {
            let mut j = i;
            while j < b.len() && !matches!(b[j], b',' | b'}' | b']' | b' ' | b'\t' | b'\r' | b'\n') {
                j += 1;
            }
            Some(j)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const E: &str = r#"{"auth": "dTpw"}"#;

    #[test]
    fn a_new_file() {
        let t = set_entry("", "r:5000", E).unwrap();
        assert_eq!(t, "{\n\t\"auths\": {\n\t\t\"r:5000\": {\"auth\": \"dTpw\"}\n\t}\n}\n");
        serde_json::from_str::<serde_json::Value>(&t).unwrap();
    }

    #[test]
    fn other_keys_and_entries_keep_every_byte() {
        let before = "{\n  \"zeta\": [1, {\"a\": \"}\"}],\n  \"auths\": {\n    \"other\": {\"auth\": \"eDp5\"}\n  },\n  \"credsStore\":\"\"\n}";
        let after = set_entry(before, "r:5000", E).unwrap();
        assert_eq!(
            after,
            "{\n  \"zeta\": [1, {\"a\": \"}\"}],\n  \"auths\": {\n    \"other\": {\"auth\": \"eDp5\"},\n\t\t\"r:5000\": {\"auth\": \"dTpw\"}\n  },\n  \"credsStore\":\"\"\n}"
        );
        // Replacing keeps the rest too.
        let again = set_entry(&after, "r:5000", r#"{}"#).unwrap();
        assert_eq!(again, after.replace(r#"{"auth": "dTpw"}"#, "{}"));
        // Removing gives back the original bytes.
        let (removed, was) = remove_entry(&after, "r:5000").unwrap();
        assert!(was);
        assert_eq!(removed, before);
    }

    #[test]
    fn auths_missing_or_empty() {
        let t = set_entry("{\"x\": true}", "h", E).unwrap();
        assert_eq!(t, "{\"x\": true,\n\t\"auths\": {\n\t\t\"h\": {\"auth\": \"dTpw\"}\n\t}}");
        let t = set_entry("{}", "h", E).unwrap();
        assert_eq!(t, "{\n\t\"auths\": {\n\t\t\"h\": {\"auth\": \"dTpw\"}\n\t}\n}");
        let t = set_entry("{\"auths\": {}}", "h", E).unwrap();
        assert_eq!(t, "{\"auths\": {\n\t\t\"h\": {\"auth\": \"dTpw\"}\n\t}}");
        for t in [&t, "{\"auths\": {\"h\": {}, \"k\": {}}}", "{\"auths\": {\"k\": {}, \"h\": {}}}"] {
            let (removed, was) = remove_entry(t, "h").unwrap();
            assert!(was);
            let v: serde_json::Value = serde_json::from_str(&removed).unwrap();
            assert!(v["auths"].get("h").is_none(), "{removed}");
        }
        assert!(!remove_entry("{\"x\": 1}", "h").unwrap().1);
    }

    #[test]
    fn keys_with_escapes_and_bad_files() {
        let t = set_entry("{\"auths\": {\"a\\\"b\": {}}}", "a\"b", E).unwrap();
        assert_eq!(t, "{\"auths\": {\"a\\\"b\": {\"auth\": \"dTpw\"}}}");
        assert!(set_entry("{\"auths\": [1]}", "h", E).is_err());
        assert!(set_entry("[]", "h", E).is_err());
        let e = set_entry("{\"auths\": ", "h", E).unwrap_err();
        assert!(e.message.contains("not valid JSON"), "{}", e.message);
    }
}
