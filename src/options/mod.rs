//! Option objects: the JSON a caller passes, parsed into typed structs with errors that name
//! the offending key.

mod strict;

use serde::de::DeserializeOwned;
use serde::Deserializer;

use crate::error::{Error, Result};
use strict::Strict;

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

/// Deserializes a JSON value, naming the path of the first bad key. Objects only at every
/// depth (see [`strict`]); what the error quotes is bounded (a 10 MB key must not make a
/// 10 MB message).
pub fn from_value<T: DeserializeOwned>(what: &str, value: serde_json::Value) -> Result<T> {
    serde_path_to_error::deserialize::<_, T>(Strict(value)).map_err(|e| {
        let path = bounded(&e.path().to_string(), MAX_QUOTED);
        let inner = bounded(&hide_string_values(&e.into_inner().to_string()), MAX_QUOTED);
        if path == "." || path.is_empty() {
            Error::invalid(format!("{what}: {inner}"))
        } else {
            Error::invalid(format!("{what}: \"{path}\": {inner}"))
        }
    })
}

/// The most of a caller's input an error message quotes (bytes).
pub const MAX_QUOTED: usize = 300;

/// `s` cut to at most `max` bytes (at a character boundary), `…` marking the cut.
pub fn bounded(s: &str, max: usize) -> String {
    if s.len() <= max {
        return s.to_string();
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}… ({} bytes)", &s[..end], s.len())
}

/// serde quotes the offending value in type errors (`invalid type: string "…", expected …`).
/// A string given where an object was expected may be a password or a token (an `auth`
/// header pasted as `"auth"`), so string values are replaced by their kind; numbers, booleans
/// and key names stay, since they say what was wrong without revealing anything.
fn hide_string_values(msg: &str) -> String {
    let mut out = String::with_capacity(msg.len());
    let mut rest = msg;
    while let Some(i) = rest.find("string \"") {
        out.push_str(&rest[..i]);
        out.push_str("a string");
        let quoted = &rest[i + "string \"".len()..];
        let mut end = quoted.len();
        let mut escaped = false;
        for (j, c) in quoted.char_indices() {
            match c {
                '\\' if !escaped => escaped = true,
                '"' if !escaped => {
                    end = j + 1;
                    break;
                }
                _ => escaped = false,
            }
        }
        rest = &quoted[end.min(quoted.len())..];
    }
    out.push_str(rest);
    out
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

/// Declares an options struct (serde, `deny_unknown_fields`, JSON keys = field names) with
/// the option groups several operations share, written once here:
///
/// - `progress`: `"progress"` (`"json"` | `"text"`) and `"aggregate"`;
/// - `limits`: `"timeout_ms"` and `"inactivity_timeout_ms"` (this call's limits, 0 = none,
///   absent = the client's);
/// - `auth`: `"auth"`, registry credentials (absent = found in the docker config).
///
/// serde's `flatten` would share them too, but it cannot be combined with
/// `deny_unknown_fields`, which every option object needs (an unknown key is an error).
/// Each group also implements its accessor trait ([`HasProgress`], [`HasLimits`], [`HasAuth`]).
macro_rules! options_struct {
    (
        $(#[$meta:meta])*
        pub struct $name:ident {
            $( $(#[$fmeta:meta])* pub $field:ident : $ty:ty, )*
        }
        groups: [$($group:ident),* $(,)?]
    ) => {
        $crate::options::options_struct!(@build $name [$(#[$meta])*] [$( $(#[$fmeta])* pub $field : $ty, )*] $($group)*);
    };
    (@build $name:ident [$($meta:tt)*] [$($fields:tt)*] progress $($rest:ident)*) => {
        $crate::options::options_struct!(@build $name [$($meta)*] [$($fields)*
            /// `"json"` (default): one daemon message per callback; `"text"`: what the docker
            /// CLI prints when not on a terminal.
            #[serde(default)]
            pub progress: $crate::stream::ProgressMode,
            /// JSON mode: an overall-progress message after each update that changes it.
            #[serde(default)]
            pub aggregate: bool,
        ] $($rest)*);
        impl $crate::options::HasProgress for $name {
            fn progress_mode(&self) -> $crate::stream::ProgressMode {
                self.progress
            }
            fn aggregate(&self) -> bool {
                self.aggregate
            }
        }
    };
    (@build $name:ident [$($meta:tt)*] [$($fields:tt)*] limits $($rest:ident)*) => {
        $crate::options::options_struct!(@build $name [$($meta)*] [$($fields)*
            /// Whole-call time limit in ms (0 = none; absent = the client's).
            pub timeout_ms: Option<u64>,
            /// Longest silence between two reads in ms (0 = none; absent = the client's).
            pub inactivity_timeout_ms: Option<u64>,
        ] $($rest)*);
        impl $crate::options::HasLimits for $name {
            fn timeout_ms(&self) -> Option<u64> {
                self.timeout_ms
            }
            fn inactivity_timeout_ms(&self) -> Option<u64> {
                self.inactivity_timeout_ms
            }
        }
    };
    (@build $name:ident [$($meta:tt)*] [$($fields:tt)*] auth $($rest:ident)*) => {
        $crate::options::options_struct!(@build $name [$($meta)*] [$($fields)*
            /// Registry credentials; when absent, the client's docker config is asked.
            pub auth: Option<$crate::auth::AuthConfig>,
        ] $($rest)*);
        impl $crate::options::HasAuth for $name {
            fn auth(&self) -> Option<&$crate::auth::AuthConfig> {
                self.auth.as_ref()
            }
        }
    };
    (@build $name:ident [$($meta:tt)*] [$($fields:tt)*]) => {
        $($meta)*
        #[derive(Debug, Default, Clone, serde::Deserialize)]
        #[serde(deny_unknown_fields)]
        pub struct $name {
            $($fields)*
        }
    };
}
pub(crate) use options_struct;

/// Options with the `progress` group: how a streaming operation reports progress.
pub trait HasProgress {
    fn progress_mode(&self) -> crate::stream::ProgressMode;
    fn aggregate(&self) -> bool;

    /// A sink delivering progress to `cb` in the mode these options ask for. `aggregate` is a
    /// JSON-mode message: with text or raw progress it is refused, never ignored.
    fn sink<'a>(&self, cb: Option<crate::stream::WriteFn<'a>>) -> crate::error::Result<crate::stream::ProgressSink<'a>> {
        self.check_progress()?;
        Ok(crate::stream::ProgressSink::new(self.progress_mode(), self.aggregate(), cb))
    }

    /// Refuses `aggregate` with a mode other than JSON (call it before any request).
    fn check_progress(&self) -> crate::error::Result<()> {
        if self.aggregate() && self.progress_mode() != crate::stream::ProgressMode::Json {
            return Err(crate::error::Error::invalid(
                "option \"aggregate\" adds JSON messages: it needs \"progress\": \"json\"",
            ));
        }
        Ok(())
    }
}

/// Options with the `limits` group: this call's time limits.
pub trait HasLimits {
    fn timeout_ms(&self) -> Option<u64>;
    fn inactivity_timeout_ms(&self) -> Option<u64>;
}

/// Options with the `auth` group: the caller's registry credentials, if given.
pub trait HasAuth {
    fn auth(&self) -> Option<&crate::auth::AuthConfig>;
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

    #[derive(Debug, Default, Deserialize)]
    #[serde(deny_unknown_fields)]
    struct WithAuth {
        #[allow(dead_code)]
        auth: Option<crate::auth::AuthConfig>,
    }

    #[test]
    fn string_values_never_appear_in_errors() {
        for json in [
            r#"{"auth": "dXNlcjpzM2NyM3Q="}"#,
            r#"{"auth": {"password": ["s3cr3t"]}}"#,
            r#"{"auth": {"username": "u", "password": {"v": "s3cr3t"}}}"#,
            r#"{"auth": "s3cr3t \" quoted"}"#,
        ] {
            let e = parse::<WithAuth>("pull options", Some(json)).unwrap_err();
            assert!(!e.message.contains("s3cr3t") && !e.message.contains("dXNlcjpzM2NyM3Q="), "{}", e.message);
            assert!(e.message.contains("\"auth"), "names the key: {}", e.message);
        }
        assert_eq!(hide_string_values(r#"invalid type: string "a\"b", expected x"#), "invalid type: a string, expected x");
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
