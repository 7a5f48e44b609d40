//! Platforms (`os[/arch[/variant]]`) as image options take them: checked before anything is
//! sent, and encoded as the daemon expects (the plain string for pull, import and build; the
//! JSON OCI platform object for push, inspect, history, remove, save and load).

use crate::client::{ApiVersion, Client};
use crate::error::{Error, Result};

/// Splits and checks `"os[/arch[/variant]]"`: one to three non-empty parts of letters,
/// digits, `_`, `.` and `-`, lower-cased as the daemon normalizes them. `what` names the
/// operation in the error ("pull options").
pub fn parse(what: &str, p: &str) -> Result<Vec<String>> {
    let parts: Vec<&str> = p.split('/').collect();
    let ok = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_alphanumeric() || b"_.-".contains(&b));
    if parts.len() > 3 || !parts.iter().all(|s| ok(s)) {
        return Err(Error::invalid(format!(
            "{what}: \"platform\": \"{}\" is not a platform; expected \"os[/arch[/variant]]\", e.g. \"linux/amd64\"",
            p.escape_debug()
        )));
    }
    Ok(parts.iter().map(|s| s.to_ascii_lowercase()).collect())
}

/// The JSON OCI platform object of checked parts: `{"architecture", "os", "variant"}`
/// (absent parts left out).
pub fn oci_json_of(parts: &[String]) -> String {
    let mut obj = serde_json::Map::new();
    if let Some(a) = parts.get(1) {
        obj.insert("architecture".into(), a.clone().into());
    }
    obj.insert("os".into(), parts[0].clone().into());
    if let Some(v) = parts.get(2) {
        obj.insert("variant".into(), v.clone().into());
    }
    serde_json::Value::Object(obj).to_string()
}

/// `"linux/arm64/v8"` → `{"architecture":"arm64","os":"linux","variant":"v8"}`, for the
/// endpoints that need an architecture.
pub fn oci_json(what: &str, p: &str) -> Result<String> {
    let parts = parse(what, p)?;
    if parts.len() < 2 {
        return Err(Error::invalid(format!(
            "{what}: \"platform\": \"{}\" names no architecture; give \"os/arch[/variant]\", e.g. \"linux/amd64\"",
            p.escape_debug()
        )));
    }
    Ok(oci_json_of(&parts))
}

/// The `platform` values of `save` and `load`: one JSON OCI platform each. One platform needs
/// API 1.48, several 1.52; the version is checked only when platforms are given.
pub fn oci_json_list(client: &Client, what: &str, platforms: Option<&[String]>) -> Result<Vec<String>> {
    let Some(platforms) = platforms else {
        return Ok(Vec::new());
    };
    if platforms.is_empty() {
        return Err(Error::invalid(format!("{what}: \"platform\" is an empty list")));
    }
    let encoded = platforms
        .iter()
        .enumerate()
        .map(|(i, p)| oci_json(&format!("{what}: \"platform\"[{i}]"), p))
        .collect::<Result<Vec<_>>>()?;
    client.require(&format!("{what}: \"platform\""), ApiVersion::new(1, 48))?;
    if encoded.len() > 1 {
        client.require(&format!("{what}: several \"platform\" values"), ApiVersion::new(1, 52))?;
    }
    Ok(encoded)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Status;

    #[test]
    fn parses_one_to_three_parts() {
        assert_eq!(parse("p", "linux").unwrap(), ["linux"]);
        assert_eq!(parse("p", "Linux/ARM64/v8").unwrap(), ["linux", "arm64", "v8"]);
        for bad in ["", "linux/", "/amd64", "a/b/c/d", "linux amd64", "linux/amd64?x=1"] {
            let e = parse("pull options", bad).unwrap_err();
            assert_eq!(e.status, Status::InvalidArgument);
            assert!(e.message.contains("pull options") && e.message.contains("platform"), "{}", e.message);
        }
    }

    #[test]
    fn encodes_oci_objects() {
        assert_eq!(oci_json("o", "linux/arm64/v8").unwrap(), r#"{"architecture":"arm64","os":"linux","variant":"v8"}"#);
        assert_eq!(oci_json_of(&["linux".into()]), r#"{"os":"linux"}"#);
        assert!(oci_json("o", "linux").unwrap_err().message.contains("names no architecture"));
    }
}
