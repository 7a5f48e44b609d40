//! BuildKit builds' progress: the daemon wraps each update of its build graph in a
//! `{"id":"moby.buildkit.trace","aux":"<base64 protobuf>"}` message. This module decodes them
//! ([`proto`]), follows the build ([`trace`]) and gives the caller the progress in the mode it
//! asked for: the text `docker buildx build --progress=plain` prints ([`plain`]), documented
//! JSON events ([`events`]), or the daemon's messages as received.

pub mod events;
pub mod plain;
pub mod proto;
pub mod trace;

use serde_json::{json, Value};

use super::progress::ProgressMode;
use crate::error::Error;
use plain::PlainPrinter;
use trace::Trace;

/// The `id` of a trace message.
pub const TRACE_ID: &str = "moby.buildkit.trace";

/// Turns a BuildKit build's messages into what the caller gets.
#[derive(Debug, Default)]
pub struct BuildkitProgress {
    trace: Trace,
    printer: PlainPrinter,
}

impl BuildkitProgress {
    pub fn new() -> BuildkitProgress {
        BuildkitProgress::default()
    }

    /// The deliveries (one callback call each) for one daemon message: `raw` is its bytes,
    /// `msg` the parsed object. The trace is followed whatever the mode (an error report and
    /// the result's warnings need it). Errors are left to [`BuildkitProgress::explain`].
    pub fn deliveries(&mut self, msg: &Value, raw: &[u8], mode: ProgressMode) -> Vec<Vec<u8>> {
        let line = |v: Value| {
            let mut b = v.to_string().into_bytes();
            b.push(b'\n');
            b
        };
        let aux = msg.get("aux");
        let events = match msg.get("id").and_then(Value::as_str) {
            Some(TRACE_ID) => aux.and_then(Value::as_str).and_then(proto::decode_trace).map(|u| self.trace.apply(u)),
            _ => None,
        };
        if mode == ProgressMode::Raw {
            let mut b = raw.to_vec();
            b.push(b'\n');
            return vec![b];
        }
        if let Some(events) = events {
            return match mode {
                ProgressMode::Text => {
                    let text = self.printer.render(&self.trace, &events);
                    if text.is_empty() { Vec::new() } else { vec![text.into_bytes()] }
                }
                _ => events.iter().map(|e| line(events::event_json(&self.trace, e))).collect(),
            };
        }
        if mode == ProgressMode::Text || msg.get("id").and_then(Value::as_str) == Some(TRACE_ID) {
            return Vec::new();
        }
        if let Some(id) = aux.and_then(|a| a.get("ID")).and_then(Value::as_str) {
            return vec![line(json!({"type": "image", "id": id}))];
        }
        if let Some(text) = msg.get("stream").and_then(Value::as_str) {
            return vec![line(json!({"type": "output", "text": text}))];
        }
        if super::progress::stream_error(msg).is_some() {
            return Vec::new();
        }
        vec![line(json!({"type": "message", "message": msg}))]
    }

    /// The warnings the trace reported (Engine 23+), in order.
    pub fn warnings(&self) -> &[String] {
        self.trace.warnings()
    }

    /// What to tell about a build that failed with `error`: the error with the failed step and
    /// its last output added (as buildx prints them under a failed build), and in text mode the
    /// box to deliver; JSON mode gets an `{"type":"error"}` event.
    pub fn explain(&mut self, mut error: Error, mode: ProgressMode) -> (Error, Option<Vec<u8>>) {
        let Some(failed) = self.trace.failed() else {
            let delivery = (mode == ProgressMode::Json)
                .then(|| format!("{}\n", json!({"type": "error", "message": error.message})).into_bytes());
            return (error, delivery);
        };
        let report = PlainPrinter::new().error_box(failed);
        error.message = format!("{}\n{report}", error.message).trim_end().to_string();
        let delivery = match mode {
            ProgressMode::Text => Some(self.printer.error_box(failed).into_bytes()),
            ProgressMode::Json => Some(
                format!(
                    "{}\n",
                    json!({
                        "type": "error",
                        "message": error.daemon_message.clone().unwrap_or_default(),
                        "vertex": failed.digest,
                        "number": failed.number,
                        "name": failed.name,
                        "last_output": failed.recent,
                    })
                )
                .into_bytes(),
            ),
            ProgressMode::Raw => None,
        };
        (error, delivery)
    }
}
