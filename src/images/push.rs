//! `POST /images/{name}/push`: pushing a local image to its registry, with live progress.
//!
//! As for pulls (see [`crate::images::pull`]): the `tag` parameter is never empty unless
//! `all_tags` was asked for (the daemon pushes every local tag of the repository when it is
//! empty), `X-Registry-Auth` is always sent (the daemon refuses a push without it) with the
//! caller's or the docker config's credentials, and the push counts as done only when the
//! stream carried the final `aux` message with the pushed manifest's digest: a stream that ends
//! without it is a transport error.

use serde_json::Value;

use super::io::{run_stream, Io};
use crate::client::{escape_name, ApiVersion, Body, Call, Client, Query};
use crate::error::{Error, Result};
use crate::images::{auth_header, platform};
use crate::options::{options_struct, HasProgress};
use crate::reference::{parse_normalized, DEFAULT_TAG};

/// First API version with the `platform` parameter of `POST /images/{name}/push`.
pub const PUSH_PLATFORM_MIN: ApiVersion = ApiVersion::new(1, 46);

options_struct! {
    /// Options of a push (the JSON object `dc_image_push` takes).
    pub struct PushOptions {
        /// The tag to push, for a name given without one (default `latest`).
        pub tag: Option<String>,
        /// Push every local tag of the repository (the name must then have no tag).
        #[serde(default)]
        pub all_tags: bool,
        /// `os[/arch[/variant]]`: the platform variant to push (API 1.46+).
        pub platform: Option<String>,
    }
    groups: [auth, progress, limits]
}

/// One tag pushed, from the stream's `aux` message: the daemon's values as it sent them.
#[derive(Clone, Debug, PartialEq)]
pub struct PushedTag {
    pub tag: Value,
    pub digest: Value,
    pub size: Value,
}

/// What [`push`] returns: every tag pushed (one, or several with `all_tags`), in order.
#[derive(Clone, Debug, PartialEq)]
pub struct PushResult {
    pub pushed: Vec<PushedTag>,
}

impl PushResult {
    /// The last tag pushed (the one the top-level fields describe).
    pub fn last(&self) -> Option<&PushedTag> {
        self.pushed.last()
    }

    /// `{"tag": "1", "digest": "sha256:…", "size": 527, "pushed": [{"tag", "digest", "size"}, …]}`
    /// (the top-level fields are the last tag's).
    pub fn to_json(&self) -> String {
        let entry = |p: &PushedTag| serde_json::json!({"tag": p.tag, "digest": p.digest, "size": p.size});
        let mut result = self.last().map(entry).unwrap_or_else(|| serde_json::json!({}));
        result["pushed"] = Value::Array(self.pushed.iter().map(entry).collect());
        result.to_string()
    }
}

/// The repository and the `tag` query value (`None` only for `all_tags`) of a push.
fn push_target(name: &str, opts: &PushOptions) -> Result<(crate::reference::Reference, Option<String>)> {
    if name.is_empty() {
        return Err(Error::invalid("the name of the image to push is empty"));
    }
    let reference = parse_normalized(name)?;
    if reference.digest.is_some() {
        return Err(Error::invalid(format!(
            "cannot push \"{name}\": a digest names content already in a registry; push a tag"
        )));
    }
    if let Some(t) = &opts.tag {
        if t.is_empty() {
            return Err(Error::invalid(
                "push options: \"tag\" is empty (an empty tag would push every tag; use \"all_tags\")",
            ));
        }
        parse_normalized(&format!("{}:{t}", reference.name()))
            .map_err(|e| e.context("push options: \"tag\""))?;
    }
    let tag = match (&reference.tag, &opts.tag) {
        (Some(a), Some(b)) if a != b => {
            return Err(Error::invalid(format!(
                "push: the name \"{name}\" has the tag \"{a}\" but the \"tag\" option says \"{b}\""
            )));
        }
        (Some(a), _) => Some(a.clone()),
        (None, b) => b.clone(),
    };
    if opts.all_tags {
        if tag.is_some() {
            return Err(Error::invalid(format!(
                "push options: \"all_tags\" pushes every tag of a repository; \"{name}\" must then \
                 have no tag and \"tag\" must be absent"
            )));
        }
        return Ok((reference, None));
    }
    Ok((reference, Some(tag.unwrap_or_else(|| DEFAULT_TAG.to_string()))))
}

/// Pushes `name` (`repo`, `repo:tag`; the registry is the one the name says), delivering
/// progress to `io.progress`, and returns the tags pushed, from the stream's `aux` messages.
///
/// Errors: invalid argument for bad input (before anything is sent), unsupported for `platform`
/// on a daemon older than 1.46, not found for a name with no local image, unauthorized / stream
/// error for what the registry refused, transport when the stream ends without its final `aux`
/// message, timeout, cancelled (the connection is then closed; the client stays usable).
pub fn push(client: &Client, name: &str, opts: &PushOptions, io: Io) -> Result<PushResult> {
    opts.check_progress()?;
    let (reference, tag) = push_target(name, opts)?;
    let platform = match &opts.platform {
        Some(p) => Some(platform::oci_json_of(&platform::parse("push options", p)?)),
        None => None,
    };
    let header = auth_header::auth_header_for(client, &reference, opts.auth.as_ref())?;
    if platform.is_some() {
        client.require("push option \"platform\"", PUSH_PLATFORM_MIN)?;
    }

    let path_name = escape_name("image name", &reference.familiar_name())?;
    let mut query = Query::new();
    query.push_opt("tag", tag.clone());
    query.push_opt("platform", platform);
    let call = Call::post(format!("/images/{path_name}/push"))
        .query(query)
        .header("X-Registry-Auth", header)
        .limits_of(opts);

    let mut pushed = Vec::new();
    let mut sink = opts.sink(io.progress)?;
    run_stream(client, &call, Body::Empty, &mut sink, &mut |msg| {
        if let Some(aux) = msg.get("aux").filter(|a| a.get("Digest").is_some()) {
            let field = |k: &str| aux.get(k).cloned().unwrap_or(Value::Null);
            pushed.push(PushedTag { tag: field("Tag"), digest: field("Digest"), size: field("Size") });
        }
        Ok(())
    })
    .map_err(Error::registry_class)?;

    if pushed.is_empty() {
        let what = match &tag {
            Some(t) => format!("{}:{t}", reference.familiar_name()),
            None => reference.familiar_name(),
        };
        return Err(Error::transport(format!(
            "the push of {what} ended before the daemon reported the pushed digest; the push may \
             not have completed"
        )));
    }
    Ok(PushResult { pushed })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Status;

    fn target(name: &str, json: &str) -> Result<(String, Option<String>)> {
        let o: PushOptions = crate::options::parse("push options", Some(json))?;
        push_target(name, &o).map(|(r, t)| (r.familiar_name(), t))
    }

    #[test]
    fn tags() {
        assert_eq!(target("127.0.0.1:5000/x", "{}").unwrap(), ("127.0.0.1:5000/x".into(), Some("latest".into())));
        assert_eq!(target("x:1", "{}").unwrap().1.as_deref(), Some("1"));
        assert_eq!(target("x", r#"{"tag":"2"}"#).unwrap().1.as_deref(), Some("2"));
        assert_eq!(target("x:2", r#"{"tag":"2"}"#).unwrap().1.as_deref(), Some("2"));
        assert_eq!(target("x", r#"{"all_tags":true}"#).unwrap().1, None);
    }

    #[test]
    fn bad_input() {
        let d = format!("sha256:{}", "a".repeat(64));
        for (name, json, says) in [
            ("", "{}", "empty"),
            ("UPPER/case", "{}", "lowercase"),
            ("a::b", "{}", "a::b"),
            ("name@notadigest", "{}", "digest"),
            (&format!("x@{d}") as &str, "{}", "digest"),
            ("x:1", r#"{"tag":"2"}"#, "\"1\""),
            ("x", r#"{"tag":""}"#, "empty"),
            ("x", r#"{"tag":"a b"}"#, "tag"),
            ("x:1", r#"{"all_tags":true}"#, "all_tags"),
            ("x", r#"{"tag":"1","all_tags":true}"#, "all_tags"),
            ("x", r#"{"auth":{"pass":"p"}}"#, "pass"),
            ("x", r#"{"platform":"linux/"}"#, "platform"),
        ] {
            let e = target(name, json)
                .and_then(|r| {
                    let o: PushOptions = crate::options::parse("push options", Some(json))?;
                    if let Some(p) = &o.platform {
                        platform::parse("push options", p)?;
                    }
                    Ok(r)
                })
                .unwrap_err();
            assert_eq!(e.status, Status::InvalidArgument, "{name} {json}");
            assert!(e.message.contains(says), "{name} {json}: {}", e.message);
        }
    }

    #[test]
    fn platform_is_an_oci_object() {
        let p = |s: &str| platform::oci_json_of(&platform::parse("p", s).unwrap());
        assert_eq!(p("linux"), r#"{"os":"linux"}"#);
        assert_eq!(p("linux/arm/v5"), r#"{"architecture":"arm","os":"linux","variant":"v5"}"#);
    }
}
