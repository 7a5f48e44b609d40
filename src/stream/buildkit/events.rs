//! A BuildKit trace as JSON events, one object per event, so that a C program follows a build
//! without protobuf or base64. The shapes (documented in the header under `dc_image_build`):
//!
//! ```text
//! {"type":"vertex","vertex":"sha256:…","number":3,"name":"[2/3] RUN …","state":"started"|
//!   "done"|"cached"|"error"|"canceled","error":"…" (error only),"started":1733241234.5,
//!   "completed":1733241234.9 (or null),"duration":0.4 (seconds, or null)}
//! {"type":"status","vertex":…,"number":3,"id":"sha256:…","name":"…","current":1050000,
//!   "total":2810000 (0 = unknown),"completed":false}
//! {"type":"log","vertex":…,"number":3,"stream":"stdout"|"stderr","text":"hi\n"}
//! {"type":"warning","vertex":… (or null),"number":3 (or null),"level":1,"short":"…",
//!   "detail":["…"],"url":"…"}
//! ```
//!
//! Besides the trace, a BuildKit build's stream carries the built image's ID
//! (`{"type":"image","id":"sha256:…"}`) and plain text lines (`{"type":"output","text":
//! "Successfully tagged …\n"}`).

use serde_json::{json, Value};

use super::trace::{Event, Outcome, Trace};

/// The JSON object for one event.
pub fn event_json(trace: &Trace, event: &Event) -> Value {
    let vertex = |i: usize| {
        let v = trace.vertex(i);
        (v.digest.clone(), v.number)
    };
    match event {
        Event::Started { vertex: i } | Event::Completed { vertex: i } => {
            let v = trace.vertex(*i);
            let state = match (event, v.outcome()) {
                (Event::Started { .. }, _) | (_, None) => "started",
                (_, Some(Outcome::Done)) => "done",
                (_, Some(Outcome::Cached)) => "cached",
                (_, Some(Outcome::Error(_))) => "error",
                (_, Some(Outcome::Canceled)) => "canceled",
            };
            let mut o = json!({
                "type": "vertex",
                "vertex": v.digest,
                "number": v.number,
                "name": v.name,
                "state": state,
                "started": v.started.map(|t| t.as_secs_f64()),
                "completed": if state == "started" { None } else { v.completed.map(|t| t.as_secs_f64()) },
                "duration": if state == "started" || v.started.is_none() { None } else { Some(v.since_start(v.completed)) },
            });
            if let (Some(Outcome::Error(e)), false) = (v.outcome(), state == "started") {
                o["error"] = Value::String(e);
            }
            o
        }
        Event::Status { vertex: i, status } => {
            let (digest, number) = vertex(*i);
            json!({
                "type": "status",
                "vertex": digest,
                "number": number,
                "id": status.id,
                "name": status.name,
                "current": status.current,
                "total": status.total,
                "completed": status.completed.is_some(),
            })
        }
        Event::Log { vertex: i, log } => {
            let (digest, number) = vertex(*i);
            json!({
                "type": "log",
                "vertex": digest,
                "number": number,
                "stream": if log.stream == 2 { "stderr" } else { "stdout" },
                "text": String::from_utf8_lossy(&log.msg),
            })
        }
        Event::Warning { vertex: i, warning } => {
            let (digest, number) = match i {
                Some(i) => {
                    let (d, n) = vertex(*i);
                    (Some(d), Some(n))
                }
                None => (None, None),
            };
            json!({
                "type": "warning",
                "vertex": digest,
                "number": number,
                "level": warning.level,
                "short": String::from_utf8_lossy(&warning.short),
                "detail": warning.detail.iter().map(|d| String::from_utf8_lossy(d).into_owned()).collect::<Vec<_>>(),
                "url": warning.url,
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::proto::{StatusResponse, Timestamp, Vertex, VertexLog};
    use super::*;

    #[test]
    fn events_have_the_documented_shape() {
        let t0 = Some(Timestamp { seconds: 100, nanos: 0 });
        let t1 = Some(Timestamp { seconds: 100, nanos: 500_000_000 });
        let mut t = Trace::new();
        let events = t.apply(StatusResponse {
            vertexes: vec![Vertex { digest: "sha256:a".into(), name: "[1/1] RUN x".into(), started: t0, completed: t1, ..Default::default() }],
            logs: vec![VertexLog { vertex: "sha256:a".into(), timestamp: t0, stream: 2, msg: b"err\n".to_vec() }],
            ..Default::default()
        });
        let got: Vec<Value> = events.iter().map(|e| event_json(&t, e)).collect();
        assert_eq!(got[0]["state"], "started");
        assert_eq!(got[0]["completed"], Value::Null);
        assert_eq!(got[1], json!({"type": "log", "vertex": "sha256:a", "number": 1, "stream": "stderr", "text": "err\n"}));
        assert_eq!(got[2]["state"], "done");
        assert_eq!(got[2]["duration"], 0.5);
        assert_eq!(got[2]["name"], "[1/1] RUN x");
    }
}
