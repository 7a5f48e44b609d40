//! `POST /images/{name}/tag`: gives an image another name.
//!
//! The target is checked here, as the docker CLI checks it: `repo` must be a valid reference
//! without a digest (a digest names content; it cannot be assigned), `tag` a valid tag, and
//! the two must not disagree. What the daemon receives is what the CLI sends: the familiar
//! repository name and an explicit tag (`latest` when none was given).

use serde::Deserialize;

use crate::client::{Call, Client, Query, escape_name, Body};
use crate::error::{Error, Result};
use crate::reference::{DEFAULT_TAG, parse_normalized};

/// Options of `POST /images/{name}/tag` (the JSON object `dc_image_tag` takes).
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TagOptions {
    /// The new repository (`name`, `host:port/name`, or with a `:tag`); required.
    pub repo: Option<String>,
    /// The new tag (default: the one in `repo`, else `latest`).
    pub tag: Option<String>,
}

/// A checked tag target: the repository name as the daemon's `repo` parameter, and the tag.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub repo: String,
    pub tag: String,
}

impl Target {
    /// Checks `repo` and `tag` (`what` names the options in errors).
    pub fn parse(what: &str, repo: &str, tag: Option<&str>) -> Result<Target> {
        if repo.is_empty() {
            return Err(Error::invalid(format!("{what}: \"repo\" is empty")));
        }
        let reference = parse_normalized(repo).map_err(|e| e.context(format!("{what}: \"repo\"")))?;
        if reference.digest.is_some() {
            return Err(Error::invalid(format!(
                "{what}: \"repo\" \"{}\" has a digest; refusing to create a tag with a digest \
                 reference (a digest names content and cannot be assigned)",
                repo.escape_debug()
            )));
        }
        let name = reference.familiar_name();
        let tag = match (tag, reference.tag) {
            (None, t) => t.unwrap_or_else(|| DEFAULT_TAG.to_string()),
            (Some(t), existing) => {
                if t.contains(':') || t.contains('@') {
                    return Err(Error::invalid(format!(
                        "{what}: \"tag\" \"{}\" is a digest or not a tag; refusing to create a tag \
                         with a digest reference",
                        t.escape_debug()
                    )));
                }
                let checked = parse_normalized(&format!("{name}:{t}"))
                    .map_err(|e| e.context(format!("{what}: \"tag\"")))?;
                let t = checked.tag.unwrap_or_default();
                if let Some(existing) = existing.filter(|e| *e != t) {
                    return Err(Error::invalid(format!(
                        "{what}: \"repo\" already has the tag \"{existing}\", and \"tag\" says \"{t}\""
                    )));
                }
                t
            }
        };
        Ok(Target { repo: name, tag })
    }
}

const WHAT: &str = "tag options";

/// Tags image `name` as `repo:tag`. The daemon answers with no body.
///
/// Errors: invalid argument (bad name, missing or invalid `repo`, a digest target, a bad or
/// conflicting `tag`), not found (no such image), conflict.
pub fn tag(client: &Client, name: &str, opts: &TagOptions) -> Result<()> {
    let path = format!("/images/{}/tag", escape_name("image name", name)?);
    let repo = opts.repo.as_deref().ok_or_else(|| Error::invalid(format!("{WHAT}: \"repo\" is missing")))?;
    let target = Target::parse(WHAT, repo, opts.tag.as_deref())?;
    let mut q = Query::new();
    q.push("repo", target.repo).push("tag", target.tag);
    client.send(&Call::post(path).query(q), Body::Empty)?.discard();
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Status;

    fn t(repo: &str, tag: Option<&str>) -> Result<Target> {
        Target::parse("tag options", repo, tag)
    }

    #[test]
    fn targets_are_what_the_cli_sends() {
        assert_eq!(t("busybox", None).unwrap(), Target { repo: "busybox".into(), tag: "latest".into() });
        assert_eq!(t("docker.io/library/x:1", None).unwrap(), Target { repo: "x".into(), tag: "1".into() });
        assert_eq!(
            t("127.0.0.1:5000/a/b", Some("v2")).unwrap(),
            Target { repo: "127.0.0.1:5000/a/b".into(), tag: "v2".into() }
        );
        assert_eq!(t("x:1", Some("1")).unwrap().tag, "1");
    }

    #[test]
    fn digests_and_bad_targets_are_refused() {
        let d = format!("sha256:{}", "a".repeat(64));
        for (repo, tag, says) in [
            (format!("x@{d}"), None, "digest"),
            ("x".to_string(), Some(d.as_str()), "digest"),
            ("x".to_string(), Some("a@b"), "digest"),
            ("".to_string(), None, "empty"),
            ("UPPER".to_string(), None, "repo"),
            ("x:1".to_string(), Some("2"), "already has the tag"),
            ("x".to_string(), Some("bad tag"), "tag"),
            ("x".to_string(), Some(""), "tag"),
        ] {
            let e = t(&repo, tag).unwrap_err();
            assert_eq!(e.status, Status::InvalidArgument);
            assert!(e.message.contains(says), "{repo} {tag:?}: {}", e.message);
        }
    }
}
