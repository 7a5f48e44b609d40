//! `GET /images/{name}/json`: everything the daemon knows about one image, verbatim.
//!
//! One exception to "verbatim": daemons older than API 1.12 answered with the image's on-disk
//! JSON, whose keys are lower-case (`id`, `parent`, `container_config`, …). That shape is
//! converted to the modern capitalized one, so callers read one shape from every daemon. The
//! client never negotiates below 1.12, so the old shape is recognized by its keys, not by the
//! version: an object with `id` and without `Id`. Keys outside the known set are kept as they
//! are.

use serde::Deserialize;

use crate::client::{ApiVersion, Call, Client, Query, escape_name, RawJson};
use crate::error::{Error, Result};
use crate::images::platform;

/// First API version with `manifests` on inspect.
pub const MANIFESTS_MIN: ApiVersion = ApiVersion::new(1, 48);
/// First API version with `platform` on inspect.
pub const PLATFORM_MIN: ApiVersion = ApiVersion::new(1, 49);

/// Options of `GET /images/{name}/json` (the JSON object `dc_image_inspect` takes).
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InspectOptions {
    /// Include `Manifests` (API 1.48+; not together with `platform`).
    pub manifests: Option<bool>,
    /// `"os/arch[/variant]"`: inspect this platform variant of a multi-platform image (API 1.49+).
    pub platform: Option<String>,
}

const WHAT: &str = "inspect options";

/// Inspects an image; returns the daemon's JSON object (converted only from the pre-1.12
/// shape, see the module docs).
///
/// Errors: invalid argument (bad name, `manifests` with `platform`, a malformed platform),
/// unsupported (an option the daemon's version lacks, before any request), not found.
pub fn inspect(client: &Client, name: &str, opts: &InspectOptions) -> Result<RawJson> {
    let path = format!("/images/{}/json", escape_name("image name", name)?);
    let manifests = opts.manifests == Some(true);
    if manifests && opts.platform.is_some() {
        return Err(Error::invalid(format!("{WHAT}: \"manifests\" and \"platform\" cannot be used together")));
    }
    let platform = opts.platform.as_deref().map(|p| platform::oci_json(WHAT, p)).transpose()?;
    if manifests {
        client.require(&format!("{WHAT}: \"manifests\""), MANIFESTS_MIN)?;
    }
    if platform.is_some() {
        client.require(&format!("{WHAT}: \"platform\""), PLATFORM_MIN)?;
    }
    let mut q = Query::new();
    if manifests {
        q.push("manifests", "1");
    }
    q.push_opt("platform", platform);
    let text = client.get_json(&Call::get(path).query(q))?;
    modernize(text.into_string()).map(RawJson::new)
}

/// The full ID (`sha256:…`) of the image `name` points to now, by inspecting it; `what` says
/// why in errors ("the image just pulled"). Pull, load and build use it to report IDs.
pub fn image_id(client: &Client, what: &str, name: &str) -> Result<String> {
    let path = format!("/images/{}/json", escape_name(what, name)?);
    let text = client
        .get_json(&Call::get(path))
        .map_err(|e| e.context(format!("inspecting {what} \"{name}\"")))?;
    let value: serde_json::Value = serde_json::from_str(&text)
        .map_err(|e| Error::server(format!("the daemon's inspect answer for {what} \"{name}\" is not JSON: {e}")))?;
    value
        .get("Id")
        .and_then(serde_json::Value::as_str)
        .map(str::to_string)
        .ok_or_else(|| Error::server(format!("the daemon's inspect answer for {what} \"{name}\" has no \"Id\"")))
}

/// The pre-1.12 keys and their modern names.
const OLD_KEYS: [(&str, &str); 11] = [
    ("id", "Id"),
    ("parent", "Parent"),
    ("comment", "Comment"),
    ("created", "Created"),
    ("container", "Container"),
    ("container_config", "ContainerConfig"),
    ("docker_version", "DockerVersion"),
    ("author", "Author"),
    ("config", "Config"),
    ("architecture", "Architecture"),
    ("os", "Os"),
];

/// Returns `text` untouched unless it is the pre-1.12 shape, which is converted.
pub fn modernize(text: String) -> Result<String> {
    // Cheap test first: a modern answer almost never needs parsing.
    if !text.contains("\"id\"") {
        return Ok(text);
    }
    let Ok(serde_json::Value::Object(mut obj)) = serde_json::from_str::<serde_json::Value>(&text) else {
        return Ok(text);
    };
    if !obj.contains_key("id") || obj.contains_key("Id") {
        return Ok(text);
    }
    for (old, new) in OLD_KEYS {
        if let Some(v) = obj.remove(old) {
            obj.insert(new.to_string(), v);
        }
    }
    // `size` was written lower-case by some versions and `Size` by others.
    if let Some(v) = obj.remove("size") {
        obj.entry("Size").or_insert(v);
    }
    Ok(serde_json::Value::Object(obj).to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{Value, json};

    #[test]
    fn modern_answers_pass_through_byte_for_byte() {
        let t = r#"{"Id":"sha256:ab", "Unknown" : {"id": 1},"Size":3}"#.to_string();
        assert_eq!(modernize(t.clone()).unwrap(), t);
        let t = "not json \"id\"".to_string();
        assert_eq!(modernize(t.clone()).unwrap(), t);
    }

    #[test]
    fn the_old_shape_is_capitalized() {
        let old = json!({
            "id": "b750fe79269d", "parent": "27cf78414709", "created": "2013-03-23T22:24:18Z",
            "container": "3d67245a8d72", "container_config": {"Cmd": ["/bin/bash"]},
            "docker_version": "0.4.0", "author": "me", "config": {"Env": null},
            "architecture": "x86_64", "os": "linux", "Size": 6824592, "extra": true
        });
        let v: Value = serde_json::from_str(&modernize(old.to_string()).unwrap()).unwrap();
        assert_eq!(
            v,
            json!({
                "Id": "b750fe79269d", "Parent": "27cf78414709", "Created": "2013-03-23T22:24:18Z",
                "Container": "3d67245a8d72", "ContainerConfig": {"Cmd": ["/bin/bash"]},
                "DockerVersion": "0.4.0", "Author": "me", "Config": {"Env": null},
                "Architecture": "x86_64", "Os": "linux", "Size": 6824592, "extra": true
            })
        );
    }
}
