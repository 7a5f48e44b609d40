//! Docker contexts, read as the docker CLI reads them (`docker context create/use`).
//!
//! A context is a named endpoint kept under the docker config directory:
//! `contexts/meta/<sha256(name)>/meta.json` holds `{"Name", "Metadata", "Endpoints":
//! {"docker": {"Host", "SkipTLSVerify"}}}` and `contexts/tls/<sha256(name)>/docker/` its TLS
//! material (`ca.pem`, `cert.pem`, `key.pem`, each only when given). The CLI uses TLS for a
//! context's TCP host as soon as that directory exists or `SkipTLSVerify` is set; it uses the
//! client certificate only when both `cert.pem` and `key.pem` are there. Keys are matched
//! case-insensitively, as Go's JSON decoder does. The name `default` is not stored: it means
//! the environment (`DOCKER_HOST`, the default socket).

use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::transport::TlsFiles;

/// The reserved name of the context made of the environment.
pub const DEFAULT_CONTEXT: &str = "default";

/// A stored context's docker endpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredContext {
    pub name: String,
    /// `Endpoints.docker.Host`, as stored (the CLI does not normalize it).
    pub host: String,
    /// TLS for a TCP host (the CLI's rule above); `None` means plain HTTP.
    pub tls: Option<TlsFiles>,
}

/// The directory a context's files live in: the SHA-256 of its name, in hex.
pub fn context_id(name: &str) -> String {
    crate::platform::sha256_hex(name.as_bytes())
}

/// Checks a context name as `docker context create` does (`^[a-zA-Z0-9][a-zA-Z0-9_.+-]+$`).
fn check_name(name: &str, source: &str) -> Result<()> {
    let bytes = name.as_bytes();
    let ok = bytes.len() >= 2
        && bytes[0].is_ascii_alphanumeric()
        && bytes[1..].iter().all(|b| b.is_ascii_alphanumeric() || b"_.+-".contains(b));
    if ok {
        Ok(())
    } else {
        Err(Error::invalid(format!(
            "{source}: \"{}\" is not a context name (letters, digits, and _ . + - after the first)",
            crate::options::bounded(name, crate::options::MAX_QUOTED).escape_debug()
        )))
    }
}

/// Loads context `name` from the config directory `config_dir`; `source` names where the
/// name came from, for errors. Errors (invalid argument): a bad name, no such context, a
/// meta file that is not a context, a context without a docker endpoint.
pub fn load(config_dir: &Path, name: &str, source: &str) -> Result<StoredContext> {
    check_name(name, source)?;
    let id = context_id(name);
    let meta = config_dir.join("contexts").join("meta").join(&id).join("meta.json");
    let text = match std::fs::read_to_string(&meta) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(Error::invalid(format!("{source}: context \"{name}\" not found (no {})", meta.display())));
        }
        Err(e) => return Err(Error::invalid(format!("{source}: context \"{name}\": cannot read {}: {e}", meta.display()))),
    };
    let broken = |why: &str| Error::invalid(format!("{source}: context \"{name}\": {} {why}", meta.display()));
    let value: serde_json::Value = serde_json::from_str(&text).map_err(|e| broken(&format!("is not valid JSON: {e}")))?;
    let docker = field(&value, "Endpoints")
        .and_then(|e| field(e, "docker"))
        .ok_or_else(|| broken("has no docker endpoint (Endpoints.docker)"))?;
    let host = match field(docker, "Host") {
        Some(serde_json::Value::String(h)) if !h.is_empty() => h.clone(),
        Some(serde_json::Value::String(_)) | None => return Err(broken("has no docker host (Endpoints.docker.Host)")),
        Some(_) => return Err(broken("has a docker host that is not a string")),
    };
    let skip_verify = match field(docker, "SkipTLSVerify") {
        None | Some(serde_json::Value::Null) => false,
        Some(serde_json::Value::Bool(b)) => *b,
        Some(_) => return Err(broken("has a SkipTLSVerify that is not a boolean")),
    };
    let tls_dir = config_dir.join("contexts").join("tls").join(&id).join("docker");
    Ok(StoredContext { name: name.to_string(), host, tls: tls_of(&tls_dir, skip_verify) })
}

/// The CLI's TLS rule for a context (see the module documentation).
fn tls_of(dir: &Path, skip_verify: bool) -> Option<TlsFiles> {
    if !dir.is_dir() && !skip_verify {
        return None;
    }
    let file = |n: &str| -> Option<PathBuf> {
        let p = dir.join(n);
        p.is_file().then_some(p)
    };
    let (cert, key) = match (file("cert.pem"), file("key.pem")) {
        (Some(c), Some(k)) => (Some(c), Some(k)),
        _ => (None, None),
    };
    Some(TlsFiles { ca: file("ca.pem"), cert, key, verify: !skip_verify })
}

/// A key of a JSON object, matched as Go's decoder matches struct fields (exact first, then
/// case-insensitively).
fn field<'a>(v: &'a serde_json::Value, key: &str) -> Option<&'a serde_json::Value> {
    let obj = v.as_object()?;
    obj.get(key).or_else(|| obj.iter().find(|(k, _)| k.eq_ignore_ascii_case(key)).map(|(_, v)| v))
}

/// The `currentContext` of `<config_dir>/config.json` (`None` when absent, empty, or the file
/// does not exist). A file that is not JSON is an error naming it: guessing the default socket
/// instead could reach the wrong daemon.
pub fn current_context(config_dir: &Path) -> Result<Option<String>> {
    let path = config_dir.join("config.json");
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(Error::invalid(format!("cannot read {}: {e}", path.display()))),
    };
    let value: serde_json::Value = serde_json::from_str(&text)
        .map_err(|e| Error::invalid(format!("{} is not valid JSON: {e}", path.display())))?;
    match field(&value, "currentContext") {
        None | Some(serde_json::Value::Null) => Ok(None),
        Some(serde_json::Value::String(s)) if s.is_empty() => Ok(None),
        Some(serde_json::Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(Error::invalid(format!("{}: \"currentContext\" is not a string", path.display()))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_the_sha256_of_the_name() {
        // The value docker/cli's own test fixture uses for the context "remote".
        assert!(context_id("remote").starts_with("b71199eb"), "{}", context_id("remote"));
        assert_eq!(context_id("remote").len(), 64);
    }

    #[test]
    fn names_follow_the_cli_rule() {
        for good in ["ab", "remote", "my-ctx.1+x_y", "9a"] {
            check_name(good, "t").unwrap();
        }
        for bad in ["", "a", "-ab", "../x", "a/b", "a b", ".ab"] {
            assert!(check_name(bad, "t").is_err(), "{bad}");
        }
    }

    #[test]
    fn meta_files_are_read_case_insensitively_and_tls_follows_the_cli() {
        let dir = std::env::temp_dir().join(format!("dc-ctx-unit-{}", std::process::id()));
        let id = context_id("tlsctx");
        let meta = dir.join("contexts/meta").join(&id);
        std::fs::create_dir_all(&meta).unwrap();
        std::fs::write(meta.join("meta.json"), r#"{"name":"tlsctx","metadata":{},"endpoints":{"docker":{"host":"tcp://h:2376","skipTLSVerify":false}}}"#).unwrap();
        let c = load(&dir, "tlsctx", "t").unwrap();
        assert_eq!(c.host, "tcp://h:2376");
        assert_eq!(c.tls, None, "no TLS directory, no skip: plain");
        let tls = dir.join("contexts/tls").join(&id).join("docker");
        std::fs::create_dir_all(&tls).unwrap();
        std::fs::write(tls.join("ca.pem"), "x").unwrap();
        std::fs::write(tls.join("cert.pem"), "x").unwrap();
        let c = load(&dir, "tlsctx", "t").unwrap();
        let t = c.tls.unwrap();
        assert!(t.ca.is_some() && t.cert.is_none() && t.key.is_none() && t.verify, "a cert without its key is not used");
        std::fs::write(meta.join("meta.json"), r#"{"Endpoints":{}}"#).unwrap();
        assert!(load(&dir, "tlsctx", "t").unwrap_err().message.contains("has no docker endpoint"));
        std::fs::write(meta.join("meta.json"), "{").unwrap();
        assert!(load(&dir, "tlsctx", "t").unwrap_err().message.contains("is not valid JSON"));
        let e = load(&dir, "nosuch", "option \"context\"").unwrap_err();
        assert!(e.message.starts_with("option \"context\": context \"nosuch\" not found"), "{}", e.message);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
