//! One overall progress figure for a pull, push, load or import (JSON mode, `aggregate: true`).
//!
//! The daemon reports progress per layer, in messages a caller would have to correlate itself
//! (and whose statuses differ between pull, push and load). The aggregator folds them into a
//! single message, delivered after the daemon message that changed it:
//!
//! ```json
//! {"aggregate":{"current":1234567,"total":7340032,"layers":3,"layers_done":1}}
//! ```
//!
//! - `current`: bytes transferred so far over all layers; it never goes backwards (a retried
//!   download does not take it back), and equals `total` once every layer is done.
//! - `total`: bytes to transfer over all layers known so far. It grows as layers are
//!   discovered and their sizes become known, so it is not final until the stream ends.
//! - `layers`: layers seen so far; `layers_done`: those complete.
//!
//! Counting rules, and why:
//! - A layer's bytes are its transfer progress ("Downloading", "Pushing", "Loading layer",
//!   "Importing", or any other status with a non-empty `progressDetail`), counted once. A pull
//!   reports the same layer twice, downloading then "Extracting" with the same total; counting
//!   both would double the total, so "Extracting" only says "the download is finished" (and
//!   supplies the size if no download progress was seen).
//! - A layer is done on "Pull complete", "Already exists", "Download complete", "Pushed",
//!   "Layer already exists" or "Mounted from …", or when its transfer reaches its total. A done
//!   layer counts as fully transferred. Layers already present ("Already exists",
//!   "Layer already exists") have no size in the stream, so they add to `layers` and
//!   `layers_done` but not to the byte counts.
//! - A layer whose size is unknown (no `total`) counts the bytes seen as its size.
//! - Messages about the image rather than a layer ("Pulling from …" has the tag as its `id`,
//!   "Digest: …", "Status: …") are not layers.

use std::collections::HashMap;

use serde_json::Value;

use super::text::number;

/// The figures of one aggregate message (see the module documentation).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct AggregateProgress {
    pub current: u64,
    pub total: u64,
    pub layers: u64,
    pub layers_done: u64,
}

impl AggregateProgress {
    /// The message as delivered, without the trailing newline. Written by hand so the keys
    /// come in the documented order.
    pub fn to_json(&self) -> String {
        format!(
            "{{\"aggregate\":{{\"current\":{},\"total\":{},\"layers\":{},\"layers_done\":{}}}}}",
            self.current, self.total, self.layers, self.layers_done
        )
    }
}

#[derive(Clone, Copy, Debug, Default)]
struct Layer {
    /// Largest size reported for the layer (0 = unknown).
    total: u64,
    /// Largest transfer position reported.
    current: u64,
    done: bool,
}

impl Layer {
    fn size(&self) -> u64 {
        self.total.max(self.current)
    }

    fn transferred(&self) -> u64 {
        if self.done { self.size() } else { self.current }
    }
}

/// Statuses that mean the layer is complete (or was already there).
const DONE: [&str; 5] = [
    "Pull complete",
    "Already exists",
    "Download complete",
    "Pushed",
    "Layer already exists",
];

/// Statuses that name a layer without reporting bytes.
const MEMBERSHIP: [&str; 4] = [
    "Pulling fs layer",
    "Waiting",
    "Verifying Checksum",
    "Preparing",
];

/// Folds per-layer progress messages into [`AggregateProgress`].
#[derive(Debug, Default)]
pub struct Aggregator {
    layers: HashMap<String, Layer>,
    last: AggregateProgress,
}

impl Aggregator {
    pub fn new() -> Self {
        Self::default()
    }

    /// The figures so far.
    pub fn progress(&self) -> AggregateProgress {
        self.last
    }

    /// Takes one daemon message into account; the new figures if they changed.
    pub fn observe(&mut self, msg: &Value) -> Option<AggregateProgress> {
        if !self.update_layer(msg) {
            return None;
        }
        let mut next = AggregateProgress::default();
        for layer in self.layers.values() {
            next.total = next.total.saturating_add(layer.size());
            next.current = next.current.saturating_add(layer.transferred());
            next.layers += 1;
            next.layers_done += u64::from(layer.done);
        }
        // Per-layer figures only grow, so the sums do too; the guard keeps the promise even
        // if that reasoning is ever broken by a change above.
        next.current = next.current.max(self.last.current);
        next.total = next.total.max(next.current);
        if next == self.last {
            return None;
        }
        self.last = next;
        Some(next)
    }

    /// Applies the message to its layer; false when the message is not about a layer.
    fn update_layer(&mut self, msg: &Value) -> bool {
        if msg.get("errorDetail").is_some_and(|v| !v.is_null()) {
            return false;
        }
        let status = msg.get("status").and_then(Value::as_str).unwrap_or("");
        let id = msg.get("id").and_then(Value::as_str).unwrap_or("");
        let detail = |key: &str| {
            msg.get("progressDetail")
                .and_then(|d| d.get(key))
                .map(number)
                .unwrap_or(0)
                .max(0) as u64
        };
        let (current, total) = (detail("current"), detail("total"));
        let has_bytes = current > 0 || total > 0;
        let done = DONE.contains(&status) || status.starts_with("Mounted from");
        let member = MEMBERSHIP.contains(&status) || status.starts_with("Retrying in");
        // A progress message without an id (import) is the single "layer" of the operation.
        if !(has_bytes || (!id.is_empty() && (done || member || status == "Extracting"))) {
            return false;
        }
        let layer = self.layers.entry(id.to_string()).or_default();
        layer.total = layer.total.max(total);
        if status == "Extracting" {
            layer.current = layer.current.max(layer.total);
        } else {
            layer.current = layer.current.max(current);
        }
        if done || (layer.total > 0 && layer.current >= layer.total) {
            layer.done = true;
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn feed(agg: &mut Aggregator, lines: &str) -> Vec<AggregateProgress> {
        lines
            .lines()
            .filter(|l| !l.trim().is_empty())
            .filter_map(|l| agg.observe(&serde_json::from_str(l).unwrap()))
            .collect()
    }

    fn assert_monotonic(seq: &[AggregateProgress]) {
        for w in seq.windows(2) {
            assert!(w[1].current >= w[0].current, "current went back: {w:?}");
            assert!(w[1].layers_done >= w[0].layers_done, "{w:?}");
        }
        for p in seq {
            assert!(p.current <= p.total, "{p:?}");
        }
    }

    #[test]
    fn pull_counts_download_once_and_ends_at_total() {
        let mut agg = Aggregator::new();
        let seq = feed(
            &mut agg,
            r#"
{"status":"Pulling from library/alpine","id":"3.19"}
{"status":"Pulling fs layer","progressDetail":{},"id":"aaa"}
{"status":"Pulling fs layer","progressDetail":{},"id":"bbb"}
{"status":"Already exists","progressDetail":{},"id":"ccc"}
{"status":"Waiting","progressDetail":{},"id":"bbb"}
{"status":"Downloading","progressDetail":{"current":100,"total":1000},"id":"aaa"}
{"status":"Downloading","progressDetail":{"current":600,"total":1000},"id":"aaa"}
{"status":"Downloading","progressDetail":{"current":50,"total":500},"id":"bbb"}
{"status":"Retrying in 5 seconds","progressDetail":{},"id":"bbb"}
{"status":"Downloading","progressDetail":{"current":10,"total":500},"id":"bbb"}
{"status":"Downloading","progressDetail":{"current":1000,"total":1000},"id":"aaa"}
{"status":"Verifying Checksum","progressDetail":{},"id":"aaa"}
{"status":"Download complete","progressDetail":{},"id":"aaa"}
{"status":"Extracting","progressDetail":{"current":32768,"total":1000},"id":"aaa"}
{"status":"Extracting","progressDetail":{"current":1000,"total":1000},"id":"aaa"}
{"status":"Pull complete","progressDetail":{},"id":"aaa"}
{"status":"Download complete","progressDetail":{},"id":"bbb"}
{"status":"Extracting","progressDetail":{"current":500,"total":500},"id":"bbb"}
{"status":"Pull complete","progressDetail":{},"id":"bbb"}
{"status":"Digest: sha256:abc"}
{"status":"Status: Downloaded newer image for alpine:3.19"}
"#,
        );
        assert_monotonic(&seq);
        // The tag's "Pulling from" line is not a layer.
        assert_eq!(
            seq[0],
            AggregateProgress {
                current: 0,
                total: 0,
                layers: 1,
                layers_done: 0
            }
        );
        // The retry does not take bytes back.
        assert!(seq.iter().all(|p| p.current != 610));
        let last = *seq.last().unwrap();
        assert_eq!(
            last,
            AggregateProgress {
                current: 1500,
                total: 1500,
                layers: 3,
                layers_done: 3
            }
        );
        assert_eq!(agg.progress(), last);
    }

    #[test]
    fn push_and_load() {
        let mut agg = Aggregator::new();
        let seq = feed(
            &mut agg,
            r#"
{"status":"The push refers to repository [docker.io/me/demo]"}
{"status":"Preparing","progressDetail":{},"id":"l1"}
{"status":"Preparing","progressDetail":{},"id":"l2"}
{"status":"Preparing","progressDetail":{},"id":"l3"}
{"status":"Layer already exists","progressDetail":{},"id":"l2"}
{"status":"Mounted from library/alpine","progressDetail":{},"id":"l3"}
{"status":"Pushing","progressDetail":{"current":512,"total":2048},"id":"l1"}
{"status":"Pushing","progressDetail":{"current":2048,"total":2048},"id":"l1"}
{"status":"Pushed","progressDetail":{},"id":"l1"}
{"status":"latest: digest: sha256:0f1e size: 528"}
{"progressDetail":{},"aux":{"Tag":"latest","Digest":"sha256:0f1e","Size":528}}
"#,
        );
        assert_monotonic(&seq);
        assert_eq!(
            *seq.last().unwrap(),
            AggregateProgress {
                current: 2048,
                total: 2048,
                layers: 3,
                layers_done: 3
            }
        );

        let mut agg = Aggregator::new();
        let seq = feed(
            &mut agg,
            r#"
{"status":"Loading layer","progressDetail":{"current":32768,"total":65536},"id":"d4fc045c9e3a"}
{"status":"Loading layer","progressDetail":{"current":65536,"total":65536},"id":"d4fc045c9e3a"}
{"stream":"Loaded image: me/demo:latest\n"}
"#,
        );
        assert_eq!(
            *seq.last().unwrap(),
            AggregateProgress {
                current: 65536,
                total: 65536,
                layers: 1,
                layers_done: 1
            }
        );
    }

    #[test]
    fn import_without_id_and_unknown_size() {
        let mut agg = Aggregator::new();
        let seq = feed(
            &mut agg,
            r#"
{"status":"Importing","progressDetail":{"current":524288},"progress":"524.3kB"}
{"status":"Importing","progressDetail":{"current":900000},"progress":"900kB"}
{}
{"status":"sha256:1234"}
"#,
        );
        assert_monotonic(&seq);
        assert_eq!(
            *seq.last().unwrap(),
            AggregateProgress {
                current: 900000,
                total: 900000,
                layers: 1,
                layers_done: 0
            }
        );
    }

    #[test]
    fn unchanged_messages_emit_nothing_and_json_shape() {
        let mut agg = Aggregator::new();
        let v = serde_json::json!({"status":"Downloading","progressDetail":{"current":1,"total":2},"id":"a"});
        assert!(agg.observe(&v).is_some());
        assert!(agg.observe(&v).is_none());
        assert!(agg.observe(&serde_json::json!({"stream":"hi\n"})).is_none());
        assert_eq!(
            agg.progress().to_json(),
            r#"{"aggregate":{"current":1,"total":2,"layers":1,"layers_done":0}}"#
        );
    }
}
