//! One overall progress figure for a pull, push, load or import (JSON mode, `aggregate: true`).
//!
//! The daemon reports progress per layer, in messages a caller would have to correlate itself
//! (and whose statuses differ between pull, push and load). The aggregator folds them into a
//! single message, delivered after the daemon message that changed it:
//!
//! ```json
//! {"aggregate":{"current":1234567,"total":7340032,"layers":3,"layers_done":1,
//!  "total_final":true,"extract_current":0,"extract_total":7340032}}
//! ```
//!
//! - `current`: bytes transferred so far over all layers; it never goes backwards (a retried
//!   download does not take it back), and equals `total` once every layer is done.
//! - `total`: bytes to transfer over all layers known so far. It grows as layers are
//!   discovered and their sizes become known.
//! - `total_final`: `total` will not grow any more, so a percentage computed from it never
//!   goes back; before, show the bytes, not a percentage. It becomes true, and stays true,
//!   once the transfer has started (bytes were reported) and every layer seen has its size
//!   known — for operations that announce their layers before transferring any (a pull's
//!   "Pulling fs layer" / "Already exists", a push's "Preparing"): the announcements come one
//!   message each, so a total that looks complete between two of them is not. Where layers
//!   are not announced (a load's "Loading layer", an import), the next layer is unknown until
//!   it starts, so the total is final only at the end of the stream; the sink then delivers a
//!   last aggregate message saying so.
//! - `layers`: layers seen so far; `layers_done`: those transferred (or already there).
//! - `extract_current`, `extract_total`: a pull's second phase, unpacking the downloaded
//!   layers ("Extracting"), in bytes; 0 where the daemon reports none (push, load, import).
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
    pub total_final: bool,
    pub extract_current: u64,
    pub extract_total: u64,
}

impl AggregateProgress {
    /// The message as delivered, without the trailing newline. Written by hand so the keys
    /// come in the documented order.
    pub fn to_json(&self) -> String {
        format!(
            "{{\"aggregate\":{{\"current\":{},\"total\":{},\"layers\":{},\"layers_done\":{},\"total_final\":{},\
             \"extract_current\":{},\"extract_total\":{}}}}}",
            self.current,
            self.total,
            self.layers,
            self.layers_done,
            self.total_final,
            self.extract_current,
            self.extract_total
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
    /// Reported to be there already, with no size in the stream.
    present: bool,
    /// Named before any of its bytes were reported.
    announced: bool,
    /// Unpacking: largest position and size reported, and whether it finished.
    extract_current: u64,
    extract_total: u64,
    extracted: bool,
}

impl Layer {
    fn size(&self) -> u64 {
        self.total.max(self.current)
    }

    fn transferred(&self) -> u64 {
        if self.done { self.size() } else { self.current }
    }

    /// Its size is known (or it needs no transfer).
    fn sized(&self) -> bool {
        self.total > 0 || self.present || self.done
    }

    fn extract_size(&self) -> u64 {
        self.extract_total.max(self.extract_current)
    }

    fn extract_done(&self) -> u64 {
        if self.extracted { self.extract_size() } else { self.extract_current }
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
    /// Bytes of some layer's transfer were reported.
    transfer_started: bool,
    /// A layer's bytes came without an announcement: layers are not known in advance.
    unannounced: bool,
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
        let mut next = AggregateProgress {
            total_final: self.last.total_final || (self.transfer_started && !self.unannounced),
            ..AggregateProgress::default()
        };
        for layer in self.layers.values() {
            next.total = next.total.saturating_add(layer.size());
            next.current = next.current.saturating_add(layer.transferred());
            next.layers += 1;
            next.layers_done += u64::from(layer.done);
            next.total_final &= self.last.total_final || layer.sized();
            next.extract_total = next.extract_total.saturating_add(layer.extract_size());
            next.extract_current = next.extract_current.saturating_add(layer.extract_done());
        }
        next.extract_current = next.extract_current.max(self.last.extract_current);
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

    /// The stream ended cleanly: nothing will be added, so the total is final. The figures
    /// when that changed them.
    pub fn finish(&mut self) -> Option<AggregateProgress> {
        if self.last.total_final || self.layers.is_empty() {
            return None;
        }
        self.last.total_final = true;
        Some(self.last)
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
        if status != "Extracting" {
            if has_bytes {
                self.transfer_started = true;
                self.unannounced |= !layer.announced;
            }
            layer.announced = true;
        }
        if status == "Extracting" {
            // The download is finished (it supplies the size if no download progress came);
            // the figures are the unpacking's.
            layer.total = layer.total.max(total);
            layer.current = layer.current.max(layer.total);
            layer.done = true;
            layer.extract_total = layer.extract_total.max(total);
            // The daemon counts unpacked bytes against the compressed size, so its position
            // runs past its total: a bar wants at most 100 %.
            let position = if total > 0 { current.min(total) } else { current };
            layer.extract_current = layer.extract_current.max(position);
            return true;
        }
        layer.total = layer.total.max(total);
        layer.current = layer.current.max(current);
        if status == "Already exists" || status == "Layer already exists" {
            layer.present = true;
        }
        if status == "Pull complete" {
            layer.extracted = true;
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
            AggregateProgress { layers: 1, ..AggregateProgress::default() }
        );
        // The total is final once every layer has a size: "bbb" gets one with its first bytes.
        let first_final = seq.iter().position(|p| p.total_final).unwrap();
        assert_eq!((seq[first_final].total, seq[first_final].layers), (1500, 3));
        assert!(seq[first_final..].iter().all(|p| p.total_final && p.total == 1500));
        // Unpacking has its own figures, clamped to the layer's size.
        assert!(seq.iter().all(|p| p.extract_current <= p.extract_total));
        // The retry does not take bytes back.
        assert!(seq.iter().all(|p| p.current != 610));
        let last = *seq.last().unwrap();
        assert_eq!(
            last,
            AggregateProgress {
                current: 1500,
                total: 1500,
                layers: 3,
                layers_done: 3,
                total_final: true,
                extract_current: 1500,
                extract_total: 1500,
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
                layers_done: 3,
                total_final: true,
                ..AggregateProgress::default()
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
            AggregateProgress { current: 65536, total: 65536, layers: 1, layers_done: 1, ..AggregateProgress::default() }
        );
        // A load names each layer as it starts: only the end of the stream makes the total final.
        assert!(seq.iter().all(|p| !p.total_final));
        let end = agg.finish().expect("the end changes the figures");
        assert!(end.total_final && end.current == end.total);
        assert_eq!(agg.finish(), None);
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
            // No size is ever given, so the total is never final.
            AggregateProgress {
                current: 900000,
                total: 900000,
                layers: 1,
                layers_done: 0,
                ..AggregateProgress::default()
            }
        );
        assert!(agg.finish().unwrap().total_final);
    }

    #[test]
    fn a_total_between_two_announcements_is_not_final() {
        // What Engine 20.10 sends for an image whose base layer is already there: the first
        // announcement alone looks like a complete (empty) total.
        let mut agg = Aggregator::new();
        let seq = feed(
            &mut agg,
            r#"
{"status":"Pulling from aggtest","id":"1"}
{"status":"Already exists","progressDetail":{},"id":"c5ba47e999f9"}
{"status":"Pulling fs layer","progressDetail":{},"id":"f007d9d17051"}
{"status":"Downloading","progressDetail":{"current":36413,"total":400317},"id":"f007d9d17051"}
{"status":"Downloading","progressDetail":{"current":400317,"total":400317},"id":"f007d9d17051"}
{"status":"Verifying Checksum","progressDetail":{},"id":"f007d9d17051"}
{"status":"Download complete","progressDetail":{},"id":"f007d9d17051"}
{"status":"Extracting","progressDetail":{"current":32768,"total":400317},"id":"f007d9d17051"}
{"status":"Extracting","progressDetail":{"current":400317,"total":400317},"id":"f007d9d17051"}
{"status":"Pull complete","progressDetail":{},"id":"f007d9d17051"}
"#,
        );
        let finals: Vec<bool> = seq.iter().map(|p| p.total_final).collect();
        assert_eq!(finals, [false, false, true, true, true, true]);
        assert_eq!((seq[2].current, seq[2].total), (36413, 400317));
        assert_eq!(agg.finish(), None, "already final");
    }

    #[test]
    fn everything_already_there_is_final_at_the_end() {
        let mut agg = Aggregator::new();
        let seq = feed(
            &mut agg,
            r#"
{"status":"Already exists","progressDetail":{},"id":"a"}
{"status":"Already exists","progressDetail":{},"id":"b"}
"#,
        );
        assert!(seq.iter().all(|p| !p.total_final));
        let end = agg.finish().unwrap();
        assert_eq!((end.layers, end.layers_done, end.total, end.total_final), (2, 2, 0, true));
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
            concat!(
                r#"{"aggregate":{"current":1,"total":2,"layers":1,"layers_done":0,"#,
                r#""total_final":false,"extract_current":0,"extract_total":0}}"#
            )
        );
    }
}
