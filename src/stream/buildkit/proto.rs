//! The protobuf messages of a BuildKit progress trace (`moby.buildkit.v1.StatusResponse`, from
//! moby/buildkit `api/services/control/control.proto`), declared by hand for prost: no `protoc`
//! at build time, and only what the progress needs (prost skips fields it was not told about).
//!
//! Field numbers and types as the daemon sends them: Engine 20.10 (BuildKit 0.8) fills
//! `vertexes`, `statuses` and `logs`; Engine 23+ also `warnings`. Digests are plain strings;
//! every timestamp is optional (newer daemons may leave out what older ones always wrote).

use base64::Engine;

/// `google.protobuf.Timestamp`.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, prost::Message)]
pub struct Timestamp {
    #[prost(int64, tag = "1")]
    pub seconds: i64,
    #[prost(int32, tag = "2")]
    pub nanos: i32,
}

impl Timestamp {
    /// Seconds since the epoch, as a float.
    pub fn as_secs_f64(&self) -> f64 {
        self.seconds as f64 + f64::from(self.nanos) / 1e9
    }
}

/// One progress update: the vertices whose state changed, status counters, log output.
#[derive(Clone, PartialEq, prost::Message)]
pub struct StatusResponse {
    #[prost(message, repeated, tag = "1")]
    pub vertexes: Vec<Vertex>,
    #[prost(message, repeated, tag = "2")]
    pub statuses: Vec<VertexStatus>,
    #[prost(message, repeated, tag = "3")]
    pub logs: Vec<VertexLog>,
    #[prost(message, repeated, tag = "4")]
    pub warnings: Vec<VertexWarning>,
}

/// A step of the build graph (`[2/3] RUN …`, `[internal] load build context`, …).
#[derive(Clone, PartialEq, prost::Message)]
pub struct Vertex {
    #[prost(string, tag = "1")]
    pub digest: String,
    #[prost(string, repeated, tag = "2")]
    pub inputs: Vec<String>,
    #[prost(string, tag = "3")]
    pub name: String,
    #[prost(bool, tag = "4")]
    pub cached: bool,
    #[prost(message, optional, tag = "5")]
    pub started: Option<Timestamp>,
    #[prost(message, optional, tag = "6")]
    pub completed: Option<Timestamp>,
    #[prost(string, tag = "7")]
    pub error: String,
}

/// A counter inside a vertex (bytes transferred, a layer extracted).
#[derive(Clone, PartialEq, prost::Message)]
pub struct VertexStatus {
    #[prost(string, tag = "1")]
    pub id: String,
    #[prost(string, tag = "2")]
    pub vertex: String,
    #[prost(string, tag = "3")]
    pub name: String,
    #[prost(int64, tag = "4")]
    pub current: i64,
    #[prost(int64, tag = "5")]
    pub total: i64,
    #[prost(message, optional, tag = "6")]
    pub timestamp: Option<Timestamp>,
    #[prost(message, optional, tag = "7")]
    pub started: Option<Timestamp>,
    #[prost(message, optional, tag = "8")]
    pub completed: Option<Timestamp>,
}

/// Output of a vertex (a RUN step's stdout or stderr): a chunk, not necessarily whole lines.
#[derive(Clone, PartialEq, prost::Message)]
pub struct VertexLog {
    #[prost(string, tag = "1")]
    pub vertex: String,
    #[prost(message, optional, tag = "2")]
    pub timestamp: Option<Timestamp>,
    /// 1 = stdout, 2 = stderr.
    #[prost(int64, tag = "3")]
    pub stream: i64,
    #[prost(bytes = "vec", tag = "4")]
    pub msg: Vec<u8>,
}

/// A warning about the build definition (Engine 23+).
#[derive(Clone, PartialEq, prost::Message)]
pub struct VertexWarning {
    #[prost(string, tag = "1")]
    pub vertex: String,
    #[prost(int64, tag = "2")]
    pub level: i64,
    #[prost(bytes = "vec", tag = "3")]
    pub short: Vec<u8>,
    #[prost(bytes = "vec", repeated, tag = "4")]
    pub detail: Vec<Vec<u8>>,
    #[prost(string, tag = "5")]
    pub url: String,
}

/// Decodes the `aux` of a `{"id": "moby.buildkit.trace", "aux": "<base64>"}` message: one
/// marshalled `StatusResponse` in standard base64. `None` for anything else (the docker CLI
/// skips what it cannot decode too).
pub fn decode_trace(aux: &str) -> Option<StatusResponse> {
    let bytes = base64::engine::general_purpose::STANDARD.decode(aux).ok()?;
    prost::Message::decode(bytes.as_slice()).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use prost::Message;

    #[test]
    fn a_trace_round_trips_through_base64() {
        let sr = StatusResponse {
            vertexes: vec![Vertex {
                digest: "sha256:aa".into(),
                name: "[1/2] FROM x".into(),
                started: Some(Timestamp { seconds: 10, nanos: 5 }),
                ..Default::default()
            }],
            logs: vec![VertexLog { vertex: "sha256:aa".into(), stream: 1, msg: b"hi\n".to_vec(), ..Default::default() }],
            ..Default::default()
        };
        let aux = base64::engine::general_purpose::STANDARD.encode(sr.encode_to_vec());
        assert_eq!(decode_trace(&aux), Some(sr));
        assert_eq!(decode_trace("not base64!"), None);
        assert_eq!(decode_trace(&base64::engine::general_purpose::STANDARD.encode([0xff, 0xff])), None);
    }
}
