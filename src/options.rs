//! Option objects: the JSON a caller passes, parsed into typed structs with errors that name
//! the offending key.

use serde::de::DeserializeOwned;
use serde::Deserializer;

use crate::error::{Error, Result};

/// Parses an options object. `None`, `""` or only whitespace mean all defaults.
/// Unknown keys and wrong types are errors naming the key (`"all": expected a boolean`).
pub fn parse<T: DeserializeOwned + Default>(what: &str, json: Option<&str>) -> Result<T> {
    let text = match json {
        None => return Ok(T::default()),
        Some(t) if t.trim().is_empty() => return Ok(T::default()),
        Some(t) => t,
    };
    let value: serde_json::Value = serde_json::from_str(text)
        .map_err(|e| Error::invalid(format!("{what} are not valid JSON: {e}")))?;
    if !value.is_object() {
        return Err(Error::invalid(format!(
            "{what} must be a JSON object, not {}",
            kind_of(&value)
        )));
    }
    from_value(what, value)
}

/// Deserializes a JSON value, naming the path of the first bad key.
pub fn from_value<T: DeserializeOwned>(what: &str, value: serde_json::Value) -> Result<T> {
    serde_path_to_error::deserialize::<_, T>(value).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner().to_string();
        if path == "." || path.is_empty() {
            Error::invalid(format!("{what}: {inner}"))
        } else {
            Error::invalid(format!("{what}: \"{path}\": {inner}"))
        }
    })
}

pub fn kind_of(v: &serde_json::Value) -> &'static str {
    match v {
        serde_json::Value::Null => "null",
        serde_json::Value::Bool(_) => "a boolean",
        serde_json::Value::Number(_) => "a number",
        serde_json::Value::String(_) => "a string",
        serde_json::Value::Array(_) => "an array",
        serde_json::Value::Object(_) => "an object",
    }
}

/// Deserializes a string or an array of strings into a list (`null` = absent).
pub fn string_or_list<'de, D: Deserializer<'de>>(d: D) -> std::result::Result<Option<Vec<String>>, D::Error> {
    struct V;
    impl<'de> serde::de::Visitor<'de> for V {
        type Value = Option<Vec<String>>;
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("a string or an array of strings")
        }
        fn visit_unit<E>(self) -> std::result::Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_none<E>(self) -> std::result::Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_str<E>(self, s: &str) -> std::result::Result<Self::Value, E> {
            Ok(Some(vec![s.to_string()]))
        }
        fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> std::result::Result<Self::Value, A::Error> {
            let mut out = Vec::new();
            while let Some(s) = seq.next_element::<String>()? {
                out.push(s);
            }
            Ok(Some(out))
        }
    }
    d.deserialize_any(V)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Default, Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Opts {
        all: Option<bool>,
        limit: Option<u32>,
    }

    #[test]
    fn defaults_for_nothing() {
        assert!(parse::<Opts>("options", None).unwrap().all.is_none());
        assert!(parse::<Opts>("options", Some("  ")).unwrap().all.is_none());
    }

    #[test]
    fn errors_name_the_key() {
        let e = parse::<Opts>("list options", Some(r#"{"all":"yes"}"#)).unwrap_err();
        assert!(e.message.contains("\"all\""), "{}", e.message);
        let e = parse::<Opts>("list options", Some(r#"{"limit":-1}"#)).unwrap_err();
        assert!(parse::<Opts>("o", Some(r#"{"limit":3}"#)).unwrap().limit == Some(3));
        assert!(e.message.contains("\"limit\""), "{}", e.message);
        let e = parse::<Opts>("list options", Some(r#"{"bogus":1}"#)).unwrap_err();
        assert!(e.message.contains("bogus"), "{}", e.message);
        let e = parse::<Opts>("list options", Some("[1]")).unwrap_err();
        assert!(e.message.contains("must be a JSON object"), "{}", e.message);
        let e = parse::<Opts>("list options", Some("{")).unwrap_err();
        assert!(e.message.contains("not valid JSON"), "{}", e.message);
    }
}
