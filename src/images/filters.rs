//! The `filters` query parameter of list, prune and search: typed filter objects (each key an
//! array of strings, as the caller writes them) and their encoding for the daemon.
//!
//! The Engine API documents `filters` as a JSON `map[string][]string`, but the daemon has read
//! two forms since API 1.22: the legacy array form `{"label":["a=b"]}` and the map form
//! `{"label":{"a=b":true}}`, which is what the docker CLI sends from 1.22 on. Daemons before
//! 1.22 read only the array form. [`encode`] picks the form by version, as the CLI's
//! `ToParamWithVersion` does, so the daemon sees exactly what its own client would send.
//!
//! Values are checked where the daemon would refuse them anyway (booleans, star counts), so a
//! typo fails before anything is sent, with the key named.

use serde::Deserialize;

use crate::client::ApiVersion;
use crate::error::{Error, Result};

/// First API version whose daemon reads the map form of `filters`.
pub const MAP_FORM_MIN: ApiVersion = ApiVersion::new(1, 22);

/// `GET /images/json` filters.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListFilters {
    /// Images created before this image (`name[:tag]`, ID or `name@digest`); API 1.24+.
    pub before: Option<Vec<String>>,
    /// `"true"` (only untagged images) or `"false"`.
    pub dangling: Option<Vec<String>>,
    /// `key` or `key=value` of an image label; API 1.18+.
    pub label: Option<Vec<String>>,
    /// `name[:tag]` patterns; API 1.25+ (older daemons get the legacy `filter` parameter).
    pub reference: Option<Vec<String>>,
    /// Images created after this image; API 1.24+.
    pub since: Option<Vec<String>>,
    /// Images created before a timestamp or duration (not versioned by the daemon).
    pub until: Option<Vec<String>>,
}

/// `POST /images/prune` filters.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PruneFilters {
    /// `"true"`: only dangling images (the daemon's default); `"false"`: every unused image.
    pub dangling: Option<Vec<String>>,
    /// Images created before a timestamp or duration.
    pub until: Option<Vec<String>>,
    /// `key` or `key=value`: prune only images with the label; API 1.29+.
    pub label: Option<Vec<String>>,
    /// `key` or `key=value`: prune only images without the label; API 1.29+.
    #[serde(rename = "label!")]
    pub label_not: Option<Vec<String>>,
}

/// `GET /images/search` filters (API 1.24+ as a whole).
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SearchFilters {
    /// `"true"` or `"false"`.
    #[serde(rename = "is-official")]
    pub is_official: Option<Vec<String>>,
    /// `"true"` or `"false"` (API 1.44+ daemons treat every image as not automated).
    #[serde(rename = "is-automated")]
    pub is_automated: Option<Vec<String>>,
    /// A minimum number of stars.
    pub stars: Option<Vec<String>>,
}

/// One filter key and its values, in the order the caller's struct lists them.
pub type Pair<'a> = (&'static str, &'a [String]);

impl ListFilters {
    pub fn pairs(&self) -> Vec<Pair<'_>> {
        present(&[
            ("before", &self.before),
            ("dangling", &self.dangling),
            ("label", &self.label),
            ("reference", &self.reference),
            ("since", &self.since),
            ("until", &self.until),
        ])
    }

    /// Checks the values the daemon would refuse.
    pub fn check(&self, what: &str) -> Result<()> {
        check_bools(what, "dangling", &self.dangling)
    }
}

impl PruneFilters {
    pub fn pairs(&self) -> Vec<Pair<'_>> {
        present(&[
            ("dangling", &self.dangling),
            ("until", &self.until),
            ("label", &self.label),
            ("label!", &self.label_not),
        ])
    }

    pub fn check(&self, what: &str) -> Result<()> {
        check_bools(what, "dangling", &self.dangling)
    }
}

impl SearchFilters {
    pub fn pairs(&self) -> Vec<Pair<'_>> {
        present(&[
            ("is-official", &self.is_official),
            ("is-automated", &self.is_automated),
            ("stars", &self.stars),
        ])
    }

    pub fn check(&self, what: &str) -> Result<()> {
        check_bools(what, "is-official", &self.is_official)?;
        check_bools(what, "is-automated", &self.is_automated)?;
        for v in self.stars.iter().flatten() {
            if v.is_empty() || v.len() > 9 || !v.bytes().all(|b| b.is_ascii_digit()) {
                return Err(Error::invalid(format!(
                    "{what}: \"filters\".\"stars\": \"{}\" is not a non-negative number of stars",
                    v.escape_debug()
                )));
            }
        }
        Ok(())
    }
}

/// The keys given with at least one value (an empty array means no filter on that key).
fn present<'a>(all: &[(&'static str, &'a Option<Vec<String>>)]) -> Vec<Pair<'a>> {
    all.iter()
        .filter_map(|(k, v)| v.as_deref().filter(|v| !v.is_empty()).map(|v| (*k, v)))
        .collect()
}

/// Values the daemon parses as booleans: `true`, `false`, `1`, `0` (any case, as Go's
/// `strconv.ParseBool` plus the daemon's own spellings accept).
fn check_bools(what: &str, key: &str, values: &Option<Vec<String>>) -> Result<()> {
    for v in values.iter().flatten() {
        let ok = matches!(v.to_ascii_lowercase().as_str(), "true" | "false" | "1" | "0");
        if !ok {
            return Err(Error::invalid(format!(
                "{what}: \"filters\".\"{key}\": \"{}\" is not \"true\" or \"false\"",
                v.escape_debug()
            )));
        }
    }
    Ok(())
}

/// The `filters` query value for these pairs in the form `version` reads, or `None` when no
/// filter is set (then the parameter is not sent at all).
pub fn encode(pairs: &[Pair<'_>], version: ApiVersion) -> Option<String> {
    if pairs.is_empty() {
        return None;
    }
    let mut obj = serde_json::Map::new();
    for (key, values) in pairs {
        let value = if version >= MAP_FORM_MIN {
            serde_json::Value::Object(values.iter().map(|v| (v.clone(), serde_json::Value::Bool(true))).collect())
        } else {
            serde_json::Value::Array(values.iter().cloned().map(serde_json::Value::String).collect())
        };
        obj.insert((*key).to_string(), value);
    }
    Some(serde_json::Value::Object(obj).to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Status;

    fn list(json: &str) -> Result<ListFilters> {
        crate::options::from_value("list options", serde_json::from_str(json).unwrap())
    }

    #[test]
    fn map_form_from_1_22_array_form_before() {
        let f = list(r#"{"label":["a=b c","x"],"dangling":["true"]}"#).unwrap();
        assert_eq!(
            encode(&f.pairs(), ApiVersion::new(1, 41)).unwrap(),
            r#"{"dangling":{"true":true},"label":{"a=b c":true,"x":true}}"#
        );
        assert_eq!(
            encode(&f.pairs(), ApiVersion::new(1, 21)).unwrap(),
            r#"{"dangling":["true"],"label":["a=b c","x"]}"#
        );
    }

    #[test]
    fn nothing_set_sends_nothing() {
        assert_eq!(encode(&list("{}").unwrap().pairs(), ApiVersion::new(1, 41)), None);
        assert_eq!(encode(&list(r#"{"label":[]}"#).unwrap().pairs(), ApiVersion::new(1, 41)), None);
    }

    #[test]
    fn unknown_keys_and_wrong_types_are_named() {
        let e = list(r#"{"lable":["x"]}"#).unwrap_err();
        assert!(e.message.contains("lable"), "{}", e.message);
        let e = list(r#"{"label":"x"}"#).unwrap_err();
        assert!(e.message.contains("label"), "{}", e.message);
        let e = list(r#"{"label":[1]}"#).unwrap_err();
        assert!(e.message.contains("label"), "{}", e.message);
    }

    #[test]
    fn values_are_checked() {
        let e = list(r#"{"dangling":["yes"]}"#).unwrap().check("list options").unwrap_err();
        assert_eq!(e.status, Status::InvalidArgument);
        assert!(e.message.contains("dangling"), "{}", e.message);
        let s: SearchFilters =
            crate::options::from_value("o", serde_json::json!({"stars": ["-1"]})).unwrap();
        assert!(s.check("o").unwrap_err().message.contains("stars"));
        let s: SearchFilters =
            crate::options::from_value("o", serde_json::json!({"stars": ["3"], "is-official": ["TRUE"]})).unwrap();
        s.check("o").unwrap();
        let p: PruneFilters =
            crate::options::from_value("o", serde_json::json!({"label!": ["k=v"]})).unwrap();
        assert_eq!(encode(&p.pairs(), ApiVersion::new(1, 41)).unwrap(), r#"{"label!":{"k=v":true}}"#);
    }
}
