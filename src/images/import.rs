//! `docker import`: `POST /images/create?fromSrc=…`, a filesystem tarball (plain or compressed)
//! made into a one-layer image. The tarball comes from the caller's reader or a file, streamed
//! as the request body (`fromSrc=-`), or from a URL the daemon fetches itself.
//!
//! Everything the daemon would refuse before reading the body (repository, tag, `changes`,
//! platform) is checked here first: the daemon answers such errors without reading the upload,
//! and once a large body cannot be delivered the daemon's message would be lost in a broken pipe.
//!
//! `message` and `changes` have no version gate: the daemon has read both since long before
//! API 1.24 (the docker CLI sent them unconditionally), though the API documentation only lists
//! them from 1.39 and 1.40.

use serde_json::Value;

use super::io::{exactly_one, run_stream, Io, Upload};
use crate::client::{ApiVersion, Call, Client, Query};
use crate::error::{Error, Result};
use crate::images::platform;
use crate::options::{options_struct, HasProgress};
use crate::reference::parse_normalized;

options_struct! {
    /// `POST /images/create?fromSrc=` options (JSON keys are these field names).
    pub struct ImportOptions {
        /// Read the tarball from this file instead of the read callback.
        pub input_path: Option<String>,
        /// Have the daemon fetch the tarball from this http:// or https:// URL.
        pub url: Option<String>,
        /// Repository (may include a tag) for the new image; untagged image when absent.
        pub repository: Option<String>,
        /// Tag for the new image (needs `repository`).
        pub tag: Option<String>,
        /// Commit message of the new image (the daemon's default: "Imported from <source>").
        pub message: Option<String>,
        /// Dockerfile instructions to apply: a string or an array (`CMD`, `ENTRYPOINT`, `ENV`,
        /// `EXPOSE`, `HEALTHCHECK`, `LABEL`, `ONBUILD`, `STOPSIGNAL`, `USER`, `VOLUME`,
        /// `WORKDIR`).
        #[serde(default, deserialize_with = "crate::options::string_or_list")]
        pub changes: Option<Vec<String>>,
        /// `"os[/arch[/variant]]"` of the new image (API 1.32+).
        pub platform: Option<String>,
    }
    groups: [progress, limits]
}

/// Instructions the daemon accepts in `changes` (its `validCommitCommands`).
const CHANGE_INSTRUCTIONS: &[&str] = &[
    "CMD", "ENTRYPOINT", "ENV", "EXPOSE", "HEALTHCHECK", "LABEL", "ONBUILD", "STOPSIGNAL", "USER",
    "VOLUME", "WORKDIR",
];

/// What [`import`] returns.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImportResult {
    /// The new image's ID (`sha256:…`).
    pub id: String,
}

impl ImportResult {
    /// `{"id": "sha256:…"}`.
    pub fn to_json(&self) -> String {
        serde_json::json!({ "id": self.id }).to_string()
    }
}

/// Imports a tarball from `io.input`, `options.input_path` or `options.url` (exactly one),
/// with progress to `io.progress`. Statuses: invalid argument (bad options, no or several
/// sources, a URL that is not http/https, `input_path` a directory), not found (`input_path`
/// missing), unsupported (`platform` before API 1.32), the daemon's class for its errors (e.g.
/// a URL it cannot fetch), stream error (an error inside its answer), cancelled (the progress
/// writer returned false), transport/timeout. A failure of `io.input` itself surfaces as a
/// transport error; the C layer replaces it with the callback's own status.
pub fn import(client: &Client, options: &ImportOptions, io: Io) -> Result<ImportResult> {
    options.check_progress()?;
    exactly_one(
        "image import",
        "input",
        &[
            ("a read callback", io.input.is_some()),
            ("\"input_path\"", options.input_path.is_some()),
            ("\"url\"", options.url.is_some()),
        ],
    )?;
    let from_src = match &options.url {
        Some(url) => check_url(url)?,
        None => "-".to_string(),
    };
    let mut query = Query::new();
    query.push("fromSrc", from_src);
    check_repository(options.repository.as_deref(), options.tag.as_deref())?;
    query.push_opt("repo", options.repository.clone());
    query.push_opt("tag", options.tag.clone());
    query.push_opt("message", options.message.clone());
    for (i, change) in options.changes.iter().flatten().enumerate() {
        check_change(i, change)?;
        query.push("changes", change.as_str());
    }
    if let Some(p) = &options.platform {
        let parts = platform::parse("import options", p)?;
        client.require("import options: \"platform\"", ApiVersion::new(1, 32))?;
        query.push("platform", parts.join("/"));
    }
    let call = Call::post("/images/create").query(query).limits_of(options);
    let mut upload = Upload::open(io.input, options.input_path.as_deref(), "import options")?;
    let mut sink = options.sink(io.progress)?;
    let mut id = None;
    run_stream(client, &call, upload.body(), &mut sink, &mut |msg| {
        if let Some(found) = image_id_status(msg) {
            id = Some(found);
        }
        Ok(())
    })
    .map_err(|e| upload.explain(e))?;
    id.map(|id| ImportResult { id })
        .ok_or_else(|| Error::server("the daemon's answer to the import carried no image ID"))
}

/// The daemon ends a successful import with `{"status": "sha256:<64 hex>"}`.
fn image_id_status(msg: &Value) -> Option<String> {
    let status = msg.get("status")?.as_str()?;
    let hex = status.strip_prefix("sha256:")?;
    (hex.len() == 64 && hex.bytes().all(|b| b.is_ascii_hexdigit())).then(|| status.to_string())
}

/// Only http:// and https:// URLs with a host: the daemon would read anything else as a
/// host name (it prefixes `http://` to a bare string).
fn check_url(url: &str) -> Result<String> {
    let shown = url.escape_debug();
    let lower = url.get(..8).unwrap_or(url).to_ascii_lowercase();
    if !lower.starts_with("http://") && !lower.starts_with("https://") {
        return Err(Error::invalid(format!(
            "import options: \"url\" \"{shown}\" must start with http:// or https://"
        )));
    }
    let parsed = url::Url::parse(url)
        .map_err(|e| Error::invalid(format!("import options: \"url\" \"{shown}\" is not a URL: {e}")))?;
    if parsed.host_str().is_none_or(str::is_empty) {
        return Err(Error::invalid(format!("import options: \"url\" \"{shown}\" has no host")));
    }
    Ok(parsed.to_string())
}

/// `repository` must be a valid name (tag allowed, digest not); `tag` a valid tag, and only
/// with a repository.
fn check_repository(repository: Option<&str>, tag: Option<&str>) -> Result<()> {
    if let Some(repo) = repository {
        let r = parse_normalized(repo).map_err(|e| e.context("import options: \"repository\""))?;
        if r.digest.is_some() {
            return Err(Error::invalid(format!(
                "import options: \"repository\" \"{}\" has a digest; an imported image can only get a tag",
                repo.escape_debug()
            )));
        }
    }
    if let Some(tag) = tag {
        if repository.is_none() {
            return Err(Error::invalid("import options: \"tag\" needs \"repository\""));
        }
        let valid = !tag.is_empty()
            && tag.len() <= crate::reference::TAG_LENGTH_MAX
            && tag.bytes().enumerate().all(|(i, b)| {
                b.is_ascii_alphanumeric() || b == b'_' || (i > 0 && (b == b'.' || b == b'-'))
            });
        if !valid {
            return Err(Error::invalid(format!(
                "import options: \"tag\" \"{}\" is not a valid tag (letters, digits, _ . -, not starting with . or -, at most 128)",
                tag.escape_debug()
            )));
        }
    }
    Ok(())
}

/// One Dockerfile instruction the daemon accepts, on one line.
fn check_change(i: usize, change: &str) -> Result<()> {
    let shown = change.escape_debug();
    if change.contains(['\n', '\r']) {
        return Err(Error::invalid(format!(
            "import options: \"changes\"[{i}] \"{shown}\" spans several lines; give one instruction per entry"
        )));
    }
    let keyword = change.split_whitespace().next().unwrap_or("");
    if !CHANGE_INSTRUCTIONS.iter().any(|k| k.eq_ignore_ascii_case(keyword)) {
        return Err(Error::invalid(format!(
            "import options: \"changes\"[{i}] \"{shown}\": the instruction must be one of {}",
            CHANGE_INSTRUCTIONS.join(", ")
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_must_be_http() {
        assert_eq!(check_url("http://127.0.0.1:8080/a.tar").unwrap(), "http://127.0.0.1:8080/a.tar");
        assert!(check_url("https://example.com/x.tgz").is_ok());
        for bad in ["ftp://x/y", "file:///etc/passwd", "example.com/x.tar", "", "http://", "unix:///x"] {
            let e = check_url(bad).unwrap_err();
            assert!(e.message.contains("\"url\""), "{bad}: {}", e.message);
        }
    }

    #[test]
    fn repository_tag_and_changes_are_checked() {
        assert!(check_repository(Some("me/app:1"), None).is_ok());
        assert!(check_repository(Some("127.0.0.1:5000/app"), Some("v1.0")).is_ok());
        assert!(check_repository(None, None).is_ok());
        assert!(check_repository(Some("Bad_Name"), None).unwrap_err().message.contains("repository"));
        let digest = format!("app@sha256:{}", "a".repeat(64));
        assert!(check_repository(Some(&digest), None).unwrap_err().message.contains("digest"));
        assert!(check_repository(None, Some("v1")).unwrap_err().message.contains("needs"));
        assert!(check_repository(Some("app"), Some("-x")).is_err());
        assert!(check_repository(Some("app"), Some("a:b")).is_err());
        assert!(check_change(0, "CMD [\"/bin/sh\"]").is_ok());
        assert!(check_change(0, "env A=b").is_ok());
        assert!(check_change(1, "FROM scratch").unwrap_err().message.contains("changes\"[1]"));
        assert!(check_change(0, "ENV A=b\nRUN x").is_err());
        assert!(check_change(0, "").is_err());
    }

    #[test]
    fn the_final_status_is_the_id() {
        let id = format!("sha256:{}", "e4".repeat(32));
        assert_eq!(image_id_status(&serde_json::json!({ "status": id })), Some(id.clone()));
        assert_eq!(image_id_status(&serde_json::json!({"status": "Downloading from http://x"})), None);
        assert_eq!(image_id_status(&serde_json::json!({"status": "sha256:abc"})), None);
    }
}
