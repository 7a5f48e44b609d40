//! `POST /images/create?fromImage=…`: pulling an image from a registry, with live progress.
//!
//! What makes a pull correct rather than merely plausible:
//! - The `tag` query parameter is never empty unless `all_tags` was asked for: the daemon pulls
//!   *every* tag of the repository when it is empty. A reference without tag or digest means
//!   `latest`, as in the CLI.
//! - The stream must end with the daemon's final `Status: …` line. A stream that ends without
//!   it (the daemon died, a proxy cut the connection between two messages) is a transport
//!   error, never a success; an `errorDetail` inside it is the daemon's error.
//! - `X-Registry-Auth` is always sent (`e30=`, i.e. `{}`, when anonymous, as the CLI does); its
//!   credentials are the caller's `auth`, else those the docker config holds for the image's
//!   registry (see [`credentials_header`]).
//! - Registry failures the daemon reports before streaming (HTTP 404/500 with the registry's
//!   message) get the class their message says: a refused login is unauthorized and an unknown
//!   tag not found, even when the daemon answered 500.
//!
//! The result is a small object the library composes: see [`pull`].

use serde_json::Value;

use super::io::{run_stream, Io};
use crate::client::{ApiVersion, Body, Call, Client, Query};
use crate::error::{Error, Result};
use crate::images::{auth_header, inspect, platform};
use crate::options::{options_struct, HasProgress};
use crate::reference::{Reference, parse_normalized, validate_digest};

/// First API version with the `platform` parameter of `POST /images/create`.
pub const PULL_PLATFORM_MIN: ApiVersion = ApiVersion::new(1, 32);

options_struct! {
    /// Options of a pull (the JSON object `dc_image_pull` takes).
    pub struct PullOptions {
        /// The image: `name`, `name:tag` or `name@digest`, with or without a registry host.
        pub image: Option<String>,
        /// A tag (or digest) for an `image` given without one.
        pub tag: Option<String>,
        /// Pull every tag of the repository (`image` must then have neither tag nor digest).
        #[serde(default)]
        pub all_tags: bool,
        /// `os[/arch[/variant]]` (API 1.32+).
        pub platform: Option<String>,
    }
    groups: [auth, progress, limits]
}

impl PullOptions {
    /// Options pulling `image` with everything else at its default.
    pub fn new(image: &str) -> PullOptions {
        PullOptions { image: Some(image.to_string()), ..Default::default() }
    }
}

/// What [`pull`] returns.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PullResult {
    /// What was pulled, familiar form, tag defaulted to `latest` (the bare name with
    /// `all_tags`).
    pub reference: String,
    /// The manifest digest from the stream's `Digest:` line (`None` when the registry gave
    /// none, and with `all_tags`, which pulls several).
    pub digest: Option<String>,
    /// The local image ID, from inspecting the image after the pull (`None` with `all_tags`).
    pub id: Option<String>,
    /// True when the daemon downloaded a newer image, false when it was up to date.
    pub new: bool,
}

impl PullResult {
    /// `{"reference": "127.0.0.1:5000/app:1", "digest": "sha256:…", "id": "sha256:…", "new": true}`.
    pub fn to_json(&self) -> String {
        serde_json::json!({"reference": self.reference, "digest": self.digest, "id": self.id, "new": self.new})
            .to_string()
    }
}

/// What is pulled, after validation: the reference, and the `tag` query value (`None` only
/// for `all_tags`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PullTarget {
    pub reference: Reference,
    pub tag: Option<String>,
}

impl PullTarget {
    /// Reference and tag from the options, refusing every combination that is ambiguous.
    pub fn from_options(opts: &PullOptions) -> Result<PullTarget> {
        let image = opts.image.as_deref().unwrap_or("");
        if image.is_empty() {
            return Err(Error::invalid("pull options: \"image\" is missing or empty"));
        }
        let mut reference = parse_normalized(image)?;
        let has_suffix = !reference.is_name_only();
        if opts.all_tags {
            if has_suffix || opts.tag.is_some() {
                return Err(Error::invalid(format!(
                    "pull options: \"all_tags\" pulls every tag of a repository; \"{image}\" must \
                     then name no tag or digest, and \"tag\" must be absent"
                )));
            }
            return Ok(PullTarget { reference, tag: None });
        }
        if let Some(tag) = &opts.tag {
            let same = reference.tag.as_ref() == Some(tag) || reference.digest.as_ref() == Some(tag);
            if has_suffix && !same {
                return Err(Error::invalid(format!(
                    "pull options: \"image\" \"{image}\" already has a tag or digest, and \"tag\" \
                     says \"{tag}\""
                )));
            }
            if !has_suffix {
                apply_tag(&mut reference, tag)?;
            }
        }
        let (_, tag) = reference.pull_params();
        Ok(PullTarget { reference, tag: Some(tag) })
    }

    /// The reference as the caller will read it back: `busybox:latest`,
    /// `127.0.0.1:5000/x@sha256:…`, or the bare name for `all_tags`.
    pub fn familiar(&self) -> String {
        match (&self.tag, &self.reference.digest) {
            (None, _) => self.reference.familiar_name(),
            (Some(_), Some(d)) => format!("{}@{d}", self.reference.familiar_name()),
            (Some(t), None) => format!("{}:{t}", self.reference.familiar_name()),
        }
    }
}

/// Puts the `tag` option (a tag or a digest) into a reference that has neither.
fn apply_tag(reference: &mut Reference, tag: &str) -> Result<()> {
    if tag.is_empty() {
        return Err(Error::invalid(
            "pull options: \"tag\" is empty (an empty tag would pull every tag; use \"all_tags\")",
        ));
    }
    if tag.contains(':') {
        validate_digest(tag).map_err(|why| Error::invalid(format!("pull options: \"tag\": {why}")))?;
        reference.digest = Some(tag.to_string());
    } else {
        // The reference grammar checks the tag.
        let checked = parse_normalized(&format!("{}:{tag}", reference.name()))
            .map_err(|e| e.context("pull options: \"tag\""))?;
        reference.tag = checked.tag;
    }
    Ok(())
}

/// What the pull stream told, collected message by message.
#[derive(Debug, Default)]
struct PullOutcome {
    digest: Option<String>,
    /// The final `Status: …` line.
    status: Option<String>,
}

impl PullOutcome {
    fn observe(&mut self, msg: &Value) {
        let Some(status) = msg.get("status").and_then(Value::as_str) else { return };
        if let Some(d) = status.strip_prefix("Digest: ") {
            self.digest = Some(d.trim().to_string());
        } else if status.starts_with("Status: ") {
            self.status = Some(status.to_string());
        }
    }
}

/// Pulls an image, delivering progress to `io.progress` (see [`PullResult`]).
///
/// Errors: invalid argument for bad options (before anything is sent), unsupported for
/// `platform` on a daemon older than 1.32, unauthorized / not found / stream error for what the
/// daemon or registry refused, transport when the stream ends without its final status,
/// timeout, cancelled when the progress callback asked to stop (the connection is then closed;
/// the client stays usable).
pub fn pull(client: &Client, opts: &PullOptions, io: Io) -> Result<PullResult> {
    opts.check_progress()?;
    let target = PullTarget::from_options(opts)?;
    if let Some(p) = &opts.platform {
        platform::parse("pull options", p)?;
    }
    let header = auth_header::auth_header_for(client, &target.reference, opts.auth.as_ref())?;
    if opts.platform.is_some() {
        client.require("pull option \"platform\"", PULL_PLATFORM_MIN)?;
    }

    let mut query = Query::new();
    query.push("fromImage", target.reference.name());
    query.push_opt("tag", target.tag.clone());
    query.push_opt("platform", opts.platform.clone());
    let call = Call::post("/images/create")
        .query(query)
        .header("X-Registry-Auth", header)
        .limits_of(opts);

    let mut outcome = PullOutcome::default();
    let mut sink = opts.sink(io.progress)?;
    run_stream(client, &call, Body::Empty, &mut sink, &mut |msg| {
        outcome.observe(msg);
        Ok(())
    })
    .map_err(Error::registry_class)?;

    let Some(status) = outcome.status else {
        return Err(Error::transport(format!(
            "the pull of {} ended before the daemon's final status message; the image may not \
             have been pulled",
            target.familiar()
        )));
    };
    let id = match target.tag {
        Some(_) => Some(inspect::image_id(client, "the image just pulled", &target.familiar())?),
        None => None,
    };
    Ok(PullResult {
        reference: target.familiar(),
        digest: outcome.digest.filter(|_| target.tag.is_some()),
        id,
        new: status.contains("Downloaded newer image"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Status;

    fn target(json: &str) -> Result<PullTarget> {
        let o: PullOptions = crate::options::parse("pull options", Some(json))?;
        PullTarget::from_options(&o)
    }

    #[test]
    fn a_reference_without_tag_means_latest() {
        let t = target(r#"{"image":"busybox"}"#).unwrap();
        assert_eq!(t.tag.as_deref(), Some("latest"));
        assert_eq!(t.reference.name(), "docker.io/library/busybox");
        assert_eq!(t.familiar(), "busybox:latest");
        let t = target(r#"{"image":"x:v2","tag":"v2"}"#).unwrap();
        assert_eq!(t.familiar(), "x:v2", "the same tag twice is no conflict");
        let t = target(r#"{"image":"127.0.0.1:5000/a/b","tag":"v2"}"#).unwrap();
        assert_eq!(t.tag.as_deref(), Some("v2"));
        assert_eq!(t.familiar(), "127.0.0.1:5000/a/b:v2");
    }

    #[test]
    fn digests_go_in_the_tag_parameter() {
        let d = format!("sha256:{}", "a".repeat(64));
        let t = target(&format!(r#"{{"image":"x@{d}"}}"#)).unwrap();
        assert_eq!(t.tag.as_deref(), Some(d.as_str()));
        assert_eq!(t.familiar(), format!("x@{d}"));
        let t = target(&format!(r#"{{"image":"x","tag":"{d}"}}"#)).unwrap();
        assert_eq!(t.tag.as_deref(), Some(d.as_str()));
    }

    #[test]
    fn all_tags_sends_no_tag_and_is_exclusive() {
        let t = target(r#"{"image":"x","all_tags":true}"#).unwrap();
        assert_eq!(t.tag, None);
        assert_eq!(t.familiar(), "x");
        for bad in [
            r#"{"image":"x:1","all_tags":true}"#,
            r#"{"image":"x","tag":"1","all_tags":true}"#,
        ] {
            assert_eq!(target(bad).unwrap_err().status, Status::InvalidArgument, "{bad}");
        }
    }

    #[test]
    fn bad_input_is_refused_with_the_reason() {
        for (bad, says) in [
            (r#"{}"#, "image"),
            (r#"{"image":""}"#, "image"),
            (r#"{"image":"UPPER/case"}"#, "lowercase"),
            (r#"{"image":"a::b"}"#, "a::b"),
            (r#"{"image":"name@notadigest"}"#, "digest"),
            (r#"{"image":"x:1","tag":"2"}"#, "already has a tag"),
            (r#"{"image":"x@sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa","tag":"1"}"#, "already has"),
            (r#"{"image":"x","tag":""}"#, "empty"),
            (r#"{"image":"x","tag":"bad tag"}"#, "tag"),
            (r#"{"image":"x","tag":"sha256:12"}"#, "digest"),
            (r#"{"image":"x","auth":{"user":"u"}}"#, "user"),
            (r#"{"image":"x","progress":"yaml"}"#, "progress"),
            (r#"{"image":"x","bogus":1}"#, "bogus"),
        ] {
            let e = target(bad).unwrap_err();
            assert_eq!(e.status, Status::InvalidArgument, "{bad}");
            assert!(e.message.contains(says), "{bad}: {}", e.message);
        }
    }

    #[test]
    fn outcome_reads_digest_and_final_status() {
        let mut o = PullOutcome::default();
        for m in [
            serde_json::json!({"status":"Pulling from x","id":"1"}),
            serde_json::json!({"status":"Digest: sha256:abc"}),
            serde_json::json!({"status":"Status: Image is up to date for x:1"}),
        ] {
            o.observe(&m);
        }
        assert_eq!(o.digest.as_deref(), Some("sha256:abc"));
        assert!(o.status.unwrap().contains("up to date"));
    }
}
