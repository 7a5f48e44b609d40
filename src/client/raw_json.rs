//! The daemon's JSON answer, passed through as received.

/// A JSON document exactly as the daemon sent it: no field the library does not know is
/// dropped and nothing is re-serialized. Read it as a `&str` (it derefs to one), parse it with
/// the JSON library of your choice, or take the `String`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RawJson(String);

impl RawJson {
    pub fn new(text: String) -> RawJson {
        RawJson(text)
    }

    pub fn into_string(self) -> String {
        self.0
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::ops::Deref for RawJson {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for RawJson {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl PartialEq<str> for RawJson {
    fn eq(&self, other: &str) -> bool {
        self.0 == other
    }
}

impl PartialEq<&str> for RawJson {
    fn eq(&self, other: &&str) -> bool {
        self.0 == *other
    }
}
