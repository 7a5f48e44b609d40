//! Query strings: form-encoded key/value pairs, booleans as the daemon reads them.

/// A query string under construction; values are form-encoded.
#[derive(Default, Debug, Clone)]
pub struct Query {
    pairs: Vec<(String, String)>,
}

impl Query {
    pub fn new() -> Query {
        Query::default()
    }

    pub fn push(&mut self, key: &str, value: impl Into<String>) -> &mut Query {
        self.pairs.push((key.to_string(), value.into()));
        self
    }

    pub fn push_opt(&mut self, key: &str, value: Option<impl Into<String>>) -> &mut Query {
        if let Some(v) = value {
            self.push(key, v);
        }
        self
    }

    /// Booleans as the daemon's `BoolValue` reads them (`1`/`0`).
    pub fn push_bool(&mut self, key: &str, value: Option<bool>) -> &mut Query {
        if let Some(v) = value {
            self.push(key, if v { "1" } else { "0" });
        }
        self
    }

    pub fn is_empty(&self) -> bool {
        self.pairs.is_empty()
    }

    pub fn encode(&self) -> String {
        let mut s = url::form_urlencoded::Serializer::new(String::new());
        for (k, v) in &self.pairs {
            s.append_pair(k, v);
        }
        s.finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_encodes_values() {
        let mut q = Query::new();
        q.push("filters", r#"{"label":["a=b c"]}"#).push_bool("all", Some(true));
        assert_eq!(q.encode(), "filters=%7B%22label%22%3A%5B%22a%3Db+c%22%5D%7D&all=1");
    }
}
