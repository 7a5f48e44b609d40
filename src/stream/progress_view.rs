//! One progress delivery read back as figures, so that a C program draws a progress bar without
//! a JSON parser (`dc_progress_parse` fills a struct from this).
//!
//! A delivery is whatever one call of a progress callback received: a daemon message (JSON
//! mode, classic), an aggregate message, a BuildKit event (JSON mode), or rendered text (text
//! mode). [`view`] tells which and picks out the figures.

use serde_json::Value;

use super::text::number;

/// What a delivery is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
#[repr(i32)]
pub enum Kind {
    /// Nothing a progress display needs (an aux result, an unknown message).
    #[default]
    Other = 0,
    /// A layer's progress (pull, push, load, import): `id` the layer, `text` its status
    /// ("Downloading", "Extracting", "Pull complete"…), `current`/`total` its bytes.
    Layer = 1,
    /// The overall figures of `"aggregate": true`.
    Aggregate = 2,
    /// A line about the image as a whole ("Pulling from …", "Digest: …", "Status: …").
    Status = 3,
    /// Build output (a classic build's step lines; BuildKit's plain-text lines).
    Output = 4,
    /// The error that ends the operation (it returns failing after this delivery).
    Error = 5,
    /// A BuildKit step started or ended: `id` its digest, `text` its name, `number` its
    /// number, `state` how it stands.
    Vertex = 6,
    /// A BuildKit counter inside a step: `id` the counter, `current`/`total`, `state` 1 once
    /// complete.
    Counter = 7,
    /// A BuildKit step's output: `text` the chunk, `number` the step.
    Log = 8,
    /// A BuildKit warning: `text` its short description.
    Warning = 9,
    /// The ID of the image a BuildKit build produced, in `id`.
    Image = 10,
    /// A text-mode delivery, whole, in `text`.
    Text = 11,
}

/// BuildKit step states (`state` of a [`Kind::Vertex`]).
pub mod vertex_state {
    pub const STARTED: i32 = 1;
    pub const DONE: i32 = 2;
    pub const CACHED: i32 = 3;
    pub const ERROR: i32 = 4;
    pub const CANCELED: i32 = 5;
}

/// The figures of one delivery.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct View {
    pub kind: Kind,
    pub id: String,
    pub text: String,
    pub current: i64,
    pub total: i64,
    pub number: i64,
    pub state: i32,
    pub aggregate_current: i64,
    pub aggregate_total: i64,
    pub layers: i64,
    pub layers_done: i64,
    pub total_final: bool,
    pub extract_current: i64,
    pub extract_total: i64,
}

/// Reads one delivery (see the module documentation).
pub fn view(buf: &[u8]) -> View {
    let trimmed = buf.trim_ascii();
    let Some(msg) = trimmed.starts_with(b"{").then(|| serde_json::from_slice::<Value>(trimmed).ok()).flatten() else {
        return View { kind: Kind::Text, text: String::from_utf8_lossy(buf).into_owned(), ..View::default() };
    };
    let s = |v: &Value, k: &str| v.get(k).and_then(Value::as_str).unwrap_or("").to_string();
    let n = |v: &Value, k: &str| v.get(k).map(number).unwrap_or(0);
    if let Some(a) = msg.get("aggregate") {
        return View {
            kind: Kind::Aggregate,
            aggregate_current: n(a, "current"),
            aggregate_total: n(a, "total"),
            layers: n(a, "layers"),
            layers_done: n(a, "layers_done"),
            total_final: a.get("total_final").and_then(Value::as_bool).unwrap_or(false),
            extract_current: n(a, "extract_current"),
            extract_total: n(a, "extract_total"),
            ..View::default()
        };
    }
    if let Some(kind) = msg.get("type").and_then(Value::as_str) {
        return buildkit_event(kind, &msg);
    }
    if let Some(e) = super::progress::stream_error(&msg) {
        return View { kind: Kind::Error, text: e.message, ..View::default() };
    }
    if let Some(text) = msg.get("stream").and_then(Value::as_str) {
        return View { kind: Kind::Output, text: text.to_string(), ..View::default() };
    }
    let Some(status) = msg.get("status").and_then(Value::as_str) else {
        return View::default();
    };
    let id = s(&msg, "id");
    let image_level = status.starts_with("Pulling from")
        || status.starts_with("Digest:")
        || status.starts_with("Status:")
        || status.starts_with("The push refers to")
        || id.is_empty() && msg.get("progressDetail").is_none_or(|d| d.as_object().is_none_or(|o| o.is_empty()));
    if image_level {
        return View { kind: Kind::Status, id, text: status.to_string(), ..View::default() };
    }
    let detail = msg.get("progressDetail").cloned().unwrap_or(Value::Null);
    View { kind: Kind::Layer, id, text: status.to_string(), current: n(&detail, "current"), total: n(&detail, "total"), ..View::default() }
}

/// A BuildKit event of JSON mode (see `stream/buildkit/events.rs`).
fn buildkit_event(kind: &str, e: &Value) -> View {
    let s = |k: &str| e.get(k).and_then(Value::as_str).unwrap_or("").to_string();
    let n = |k: &str| e.get(k).map(number).unwrap_or(0);
    let base = View { number: n("number"), ..View::default() };
    match kind {
        "vertex" => View {
            kind: Kind::Vertex,
            id: s("vertex"),
            text: s("name"),
            state: match e.get("state").and_then(Value::as_str) {
                Some("started") => vertex_state::STARTED,
                Some("done") => vertex_state::DONE,
                Some("cached") => vertex_state::CACHED,
                Some("error") => vertex_state::ERROR,
                Some("canceled") => vertex_state::CANCELED,
                _ => 0,
            },
            ..base
        },
        "status" => View {
            kind: Kind::Counter,
            id: s("id"),
            text: s("name"),
            current: n("current"),
            total: n("total"),
            state: i32::from(e.get("completed").and_then(Value::as_bool) == Some(true)),
            ..base
        },
        "log" => View { kind: Kind::Log, text: s("text"), id: s("vertex"), ..base },
        "warning" => View { kind: Kind::Warning, text: s("short"), id: s("vertex"), ..base },
        "image" => View { kind: Kind::Image, id: s("id"), ..base },
        "output" => View { kind: Kind::Output, text: s("text"), ..base },
        "error" => View { kind: Kind::Error, text: s("message"), id: s("vertex"), ..base },
        _ => base,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_of_delivery() {
        let v = view(br#"{"status":"Downloading","progressDetail":{"current":512,"total":1024},"id":"a3ed95caeb02"}"#);
        assert_eq!((v.kind, v.id.as_str(), v.text.as_str(), v.current, v.total), (Kind::Layer, "a3ed95caeb02", "Downloading", 512, 1024));
        let v = view(b"{\"status\":\"Pulling from library/alpine\",\"id\":\"3.19\"}\n");
        assert_eq!((v.kind, v.text.as_str()), (Kind::Status, "Pulling from library/alpine"));
        let v = view(br#"{"aggregate":{"current":10,"total":20,"layers":3,"layers_done":1,"total_final":true,"extract_current":0,"extract_total":0}}"#);
        assert_eq!((v.kind, v.aggregate_current, v.aggregate_total, v.layers, v.total_final), (Kind::Aggregate, 10, 20, 3, true));
        let v = view(br#"{"errorDetail":{"message":"boom"},"error":"boom"}"#);
        assert_eq!((v.kind, v.text.as_str()), (Kind::Error, "boom"));
        let v = view(br#"{"stream":"Step 1/2 : FROM x\n"}"#);
        assert_eq!(v.kind, Kind::Output);
        let v = view(br#"{"type":"vertex","vertex":"sha256:a","number":3,"name":"[2/3] RUN x","state":"cached"}"#);
        assert_eq!((v.kind, v.number, v.state, v.text.as_str()), (Kind::Vertex, 3, vertex_state::CACHED, "[2/3] RUN x"));
        let v = view(br#"{"type":"status","vertex":"sha256:a","number":3,"id":"sha256:b","name":"","current":5,"total":9,"completed":true}"#);
        assert_eq!((v.kind, v.current, v.total, v.state), (Kind::Counter, 5, 9, 1));
        let v = view(b"#3 0.212 hi\n");
        assert_eq!((v.kind, v.text.as_str()), (Kind::Text, "#3 0.212 hi\n"));
        assert_eq!(view(br#"{"aux":{"Tag":"1"}}"#).kind, Kind::Other);
        assert_eq!(view(b"{not json").kind, Kind::Text);
    }
}
