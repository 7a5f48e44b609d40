//! What an operation hands its progress stream to: delivery to the caller's callback, the
//! operation's own bookkeeping, and the stream's error, in one loop.
//!
//! Order per message, and why:
//! 1. deliver it to the callback (JSON mode: the raw bytes plus `\n`, one message per call;
//!    text mode: the rendered text, if any), so the caller sees even the message that carries
//!    the error;
//! 2. if it carries `errorDetail`/`error`, stop with that error (an HTTP 200 whose stream
//!    reports an error is a failure);
//! 3. JSON mode with `aggregate`: deliver the aggregate message if the figures changed;
//! 4. hand the parsed message to the operation (`on_message`), which collects aux data, IDs,
//!    digests and "Loaded image:" lines.
//!
//! A callback returning `false` stops everything at once with the cancelled status; the sink
//! then refuses any further delivery, so the callback is never called again.

use std::io::Read;
use std::str::FromStr;

use serde::Deserialize;
use serde_json::Value;

use super::aggregate::Aggregator;
use super::buildkit::BuildkitProgress;
use super::json_lines::JsonMessageReader;
use super::text::render;
use crate::error::{Error, Result};

pub use super::text::{build_context_line, human_size};

/// How progress reaches the caller: the daemon's JSON messages, or the CLI's text.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ProgressMode {
    /// One daemon message per callback, exactly as received, plus `\n`.
    #[default]
    Json,
    /// The lines `docker pull`/`push`/`build`/`load` print when not on a terminal (for a
    /// BuildKit build, what `docker buildx build --progress=plain` prints).
    Text,
    /// The daemon's messages exactly as received, plus `\n`: the same as `Json` except for
    /// BuildKit builds, whose `Json` progress is decoded into events.
    Raw,
}

impl ProgressMode {
    /// `"json"` or `"text"`; anything else is an invalid-argument error naming the value.
    pub fn parse(s: &str) -> Result<Self> {
        match s {
            "json" => Ok(ProgressMode::Json),
            "text" => Ok(ProgressMode::Text),
            "raw" => Ok(ProgressMode::Raw),
            other => Err(Error::invalid(format!(
                "unknown progress mode {other:?} (expected \"json\", \"text\" or \"raw\")"
            ))),
        }
    }
}

impl FromStr for ProgressMode {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        ProgressMode::parse(s)
    }
}

/// The caller's progress callback: gets one delivery, returns false to stop (cancel).
pub type WriteFn<'a> = &'a mut dyn FnMut(&[u8]) -> bool;

/// What a cleanly ended stream contained; the operation decides whether the message it needed
/// (an image ID, a digest) was among them.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct StreamSummary {
    /// Messages read, including ones that printed nothing.
    pub messages: u64,
}

/// Delivers a progress stream to the caller (see the module documentation).
pub struct ProgressSink<'a> {
    mode: ProgressMode,
    aggregator: Option<Aggregator>,
    /// Set for a BuildKit build: its trace messages are decoded (see [`super::buildkit`]).
    buildkit: Option<BuildkitProgress>,
    cb: Option<WriteFn<'a>>,
    stopped: bool,
}

impl<'a> ProgressSink<'a> {
    /// `aggregate` only applies to JSON mode: text mode prints what the CLI prints, and the CLI
    /// has no such line.
    pub fn new(mode: ProgressMode, aggregate: bool, cb: Option<WriteFn<'a>>) -> Self {
        let aggregator = (aggregate && mode == ProgressMode::Json).then(Aggregator::new);
        ProgressSink {
            mode,
            aggregator,
            buildkit: None,
            cb,
            stopped: false,
        }
    }

    /// A sink for a BuildKit build's stream: trace messages are decoded, and `mode` says
    /// whether the caller gets plain text, JSON events or the daemon's messages as received.
    pub fn buildkit(mode: ProgressMode, cb: Option<WriteFn<'a>>) -> Self {
        ProgressSink { mode, aggregator: None, buildkit: Some(BuildkitProgress::new()), cb, stopped: false }
    }

    pub fn mode(&self) -> ProgressMode {
        self.mode
    }

    /// Consumes a whole stream. For each message: delivers it (JSON: raw bytes + `\n`, one
    /// message per call, then the aggregate message if enabled and changed; text: the rendered
    /// text if non-empty), turns `errorDetail`/`error` into
    /// `Err(Error::from_stream(message, code))` after delivering that message, and otherwise
    /// calls `on_message`. A callback returning false is `Err(cancelled)` at once. A clean end
    /// is `Ok` with how many messages were seen.
    pub fn drain<R: Read>(
        &mut self,
        reader: R,
        on_message: &mut dyn FnMut(&Value) -> Result<()>,
    ) -> Result<StreamSummary> {
        self.check_stopped()?;
        let mut reader = JsonMessageReader::new(reader);
        let mut summary = StreamSummary::default();
        while let Some(msg) = reader.next_message()? {
            summary.messages += 1;
            if let Some(bk) = self.buildkit.as_mut() {
                let deliveries = bk.deliveries(&msg.value, &msg.raw, self.mode);
                if self.cb.is_some() {
                    for d in deliveries {
                        self.deliver(&d)?;
                    }
                }
                if let Some(err) = stream_error(&msg.value) {
                    let (err, delivery) = match self.buildkit.as_mut() {
                        Some(bk) => bk.explain(err, self.mode),
                        None => (err, None),
                    };
                    if let Some(d) = delivery {
                        // The build failed; a callback asking to stop now changes nothing.
                        let _ = self.deliver(&d);
                    }
                    return Err(err);
                }
                on_message(&msg.value)?;
                continue;
            }
            if self.cb.is_some() {
                match self.mode {
                    ProgressMode::Json | ProgressMode::Raw => {
                        let mut line = msg.raw;
                        line.push(b'\n');
                        self.deliver(&line)?;
                    }
                    ProgressMode::Text => {
                        let text = render(&msg.value);
                        if !text.is_empty() {
                            self.deliver(text.as_bytes())?;
                        }
                    }
                }
            }
            if let Some(err) = stream_error(&msg.value) {
                return Err(err);
            }
            if let Some(agg) = self.aggregator.as_mut()
                && let Some(figures) = agg.observe(&msg.value)
                && self.cb.is_some()
            {
                let mut line = figures.to_json();
                line.push('\n');
                self.deliver(line.as_bytes())?;
            }
            on_message(&msg.value)?;
        }
        if let Some(agg) = self.aggregator.as_mut()
            && let Some(figures) = agg.finish()
            && self.cb.is_some()
        {
            let mut line = figures.to_json();
            line.push('\n');
            self.deliver(line.as_bytes())?;
        }
        Ok(summary)
    }

    /// The warnings a BuildKit build's trace reported (empty for other streams).
    pub fn buildkit_warnings(&self) -> Vec<String> {
        self.buildkit.as_ref().map(|b| b.warnings().to_vec()).unwrap_or_default()
    }

    /// Delivers a line the library itself composes in text mode (e.g. build's
    /// [`build_context_line`]). In JSON mode it is dropped: there every delivery is one daemon
    /// message (or aggregate message), and a stray text line would break the caller's parser.
    pub fn emit_text(&mut self, text: &str) -> Result<()> {
        self.check_stopped()?;
        if self.mode == ProgressMode::Text && !text.is_empty() {
            self.deliver(text.as_bytes())?;
        }
        Ok(())
    }

    fn deliver(&mut self, bytes: &[u8]) -> Result<()> {
        self.check_stopped()?;
        if let Some(cb) = self.cb.as_mut()
            && !cb(bytes)
        {
            self.stopped = true;
            return Err(cancelled());
        }
        Ok(())
    }

    fn check_stopped(&self) -> Result<()> {
        if self.stopped {
            Err(cancelled())
        } else {
            Ok(())
        }
    }
}

fn cancelled() -> Error {
    Error::cancelled("progress callback asked to stop")
}

/// The error a message reports, if any: `errorDetail.message` (else the older `error` string)
/// with `errorDetail.code` when non-zero, classified by [`Error::from_stream`].
pub fn stream_error(msg: &Value) -> Option<Error> {
    let detail = msg.get("errorDetail").filter(|v| !v.is_null());
    let error = msg
        .get("error")
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty());
    if detail.is_none() && error.is_none() {
        return None;
    }
    let detail_message = detail
        .and_then(|d| d.get("message"))
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty());
    let message = detail_message
        .or(error)
        .unwrap_or("the daemon reported an error without a message");
    let code = detail
        .and_then(|d| d.get("code"))
        .and_then(Value::as_i64)
        .filter(|&c| c != 0);
    Some(Error::from_stream(message, code))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Status;
    use std::cell::RefCell;

    const PULL: &str = concat!(
        "{\"status\":\"Pulling from library/alpine\",\"id\":\"3.19\"}\r\n",
        "{\"status\":\"Pulling fs layer\",\"progressDetail\":{},\"id\":\"a3ed95caeb02\"}\r\n",
        "{\"status\":\"Downloading\",\"progressDetail\":{\"current\":512,\"total\":1024},\"progress\":\"[=>  ] 512B/1.024kB\",\"id\":\"a3ed95caeb02\"}\r\n",
        "{\"status\":\"Download complete\",\"progressDetail\":{},\"id\":\"a3ed95caeb02\"}\r\n",
        "{\"status\":\"Pull complete\",\"progressDetail\":{},\"id\":\"a3ed95caeb02\"}\r\n",
        "{\"status\":\"Digest: sha256:c5b1\"}\r\n",
        "{\"status\":\"Status: Downloaded newer image for alpine:3.19\"}\r\n",
    );

    fn run(
        mode: ProgressMode,
        aggregate: bool,
        input: &str,
        stop_after: usize,
    ) -> (Result<StreamSummary>, Vec<String>, usize) {
        let got = RefCell::new(Vec::new());
        let mut cb = |b: &[u8]| {
            got.borrow_mut()
                .push(String::from_utf8(b.to_vec()).unwrap());
            got.borrow().len() < stop_after
        };
        let mut seen = 0;
        let result = {
            let mut sink = ProgressSink::new(mode, aggregate, Some(&mut cb));
            sink.drain(input.as_bytes(), &mut |_| {
                seen += 1;
                Ok(())
            })
        };
        (result, got.into_inner(), seen)
    }

    #[test]
    fn json_mode_delivers_raw_bytes_one_message_per_call() {
        let input = "{\"zeta\":1,\"status\":\"x\",\"unknownField\":{\"b\":2,\"a\":1},\"alpha\":  3}\r\n{\"stream\":\"hi\\n\"}";
        let (r, got, seen) = run(ProgressMode::Json, false, input, usize::MAX);
        assert_eq!(r.unwrap(), StreamSummary { messages: 2 });
        assert_eq!(
            got,
            vec![
                "{\"zeta\":1,\"status\":\"x\",\"unknownField\":{\"b\":2,\"a\":1},\"alpha\":  3}\n",
                "{\"stream\":\"hi\\n\"}\n"
            ]
        );
        assert_eq!(seen, 2);
    }

    #[test]
    fn json_mode_with_aggregate_follows_changed_messages() {
        let (r, got, _) = run(ProgressMode::Json, true, PULL, usize::MAX);
        assert_eq!(r.unwrap().messages, 7);
        let aggregates: Vec<&String> = got
            .iter()
            .filter(|l| l.starts_with("{\"aggregate\""))
            .collect();
        assert_eq!(got.len(), 7 + aggregates.len());
        // Each aggregate directly follows the layer message that changed it.
        assert!(got[1].contains("Pulling fs layer"));
        assert_eq!(
            got[2],
            "{\"aggregate\":{\"current\":0,\"total\":0,\"layers\":1,\"layers_done\":0,\"total_final\":false,\
             \"extract_current\":0,\"extract_total\":0}}\n"
        );
        assert_eq!(
            aggregates.last().unwrap().as_str(),
            "{\"aggregate\":{\"current\":1024,\"total\":1024,\"layers\":1,\"layers_done\":1,\"total_final\":true,\
             \"extract_current\":0,\"extract_total\":0}}\n"
        );
    }

    #[test]
    fn the_end_of_the_stream_makes_the_aggregate_total_final() {
        let input = "{\"status\":\"Already exists\",\"progressDetail\":{},\"id\":\"a\"}\r\n";
        let (r, got, _) = run(ProgressMode::Json, true, input, usize::MAX);
        assert_eq!(r.unwrap().messages, 1);
        assert_eq!(got.len(), 3, "{got:?}");
        assert!(got[1].contains("\"total_final\":false"));
        assert!(got[2].contains("\"layers_done\":1,\"total_final\":true"), "{}", got[2]);
    }

    #[test]
    fn text_mode_renders_like_the_cli() {
        let (r, got, seen) = run(ProgressMode::Text, true, PULL, usize::MAX);
        assert!(r.is_ok());
        assert_eq!(seen, 7);
        assert_eq!(
            got.concat(),
            "3.19: Pulling from library/alpine\na3ed95caeb02: Pulling fs layer\na3ed95caeb02: Download complete\n\
             a3ed95caeb02: Pull complete\nDigest: sha256:c5b1\nStatus: Downloaded newer image for alpine:3.19\n"
        );
        // One delivery per printed message, none for skipped ones, no aggregate in text mode.
        assert_eq!(got.len(), 6);
    }

    #[test]
    fn error_detail_with_code_becomes_the_error_after_delivery() {
        let input = concat!(
            "{\"status\":\"Pulling from me/private\",\"id\":\"latest\"}\r\n",
            "{\"errorDetail\":{\"code\":401,\"message\":\"pull access denied\"},\"error\":\"pull access denied\"}\r\n",
            "{\"status\":\"never seen\"}\r\n",
        );
        let (r, got, seen) = run(ProgressMode::Json, false, input, usize::MAX);
        let e = r.unwrap_err();
        assert_eq!(e.status, Status::Unauthorized);
        assert_eq!(e.daemon_code, Some(401));
        assert_eq!(e.daemon_message.as_deref(), Some("pull access denied"));
        assert_eq!(got.len(), 2);
        assert!(got[1].starts_with("{\"errorDetail\""));
        assert_eq!(seen, 1, "on_message is not called for the error message");
    }

    #[test]
    fn error_without_code_and_old_error_field() {
        let input = "{\"stream\":\"Step 1/1 : RUN false\\n\"}\r\n{\"errorDetail\":{\"message\":\"The command '/bin/sh -c false' returned a non-zero code: 1\"},\"error\":\"The command '/bin/sh -c false' returned a non-zero code: 1\"}\r\n";
        let (r, got, _) = run(ProgressMode::Text, false, input, usize::MAX);
        let e = r.unwrap_err();
        assert_eq!(e.status, Status::StreamError);
        assert_eq!(e.daemon_code, None);
        assert_eq!(
            e.message,
            "The command '/bin/sh -c false' returned a non-zero code: 1"
        );
        assert_eq!(
            got,
            vec!["Step 1/1 : RUN false\n"],
            "the error itself is not printed"
        );

        let e = stream_error(
            &serde_json::json!({"error":"manifest for x:nope not found: manifest unknown"}),
        )
        .unwrap();
        assert_eq!(e.status, Status::NotFound);
        let e = stream_error(&serde_json::json!({"errorDetail":{}})).unwrap();
        assert_eq!(e.status, Status::StreamError);
        assert!(stream_error(&serde_json::json!({"status":"ok","errorDetail":null})).is_none());
    }

    #[test]
    fn callback_cancel_stops_at_once() {
        for stop_after in 1..=3 {
            let (r, got, seen) = run(ProgressMode::Json, true, PULL, stop_after);
            assert_eq!(r.unwrap_err().status, Status::Cancelled);
            assert_eq!(
                got.len(),
                stop_after,
                "no callback after the one that said stop"
            );
            // on_message runs only for messages whose deliveries all went through.
            assert!(seen < stop_after);
        }
    }

    #[test]
    fn stopped_sink_refuses_more_work() {
        let mut calls = 0;
        let mut cb = |_: &[u8]| {
            calls += 1;
            false
        };
        let mut sink = ProgressSink::new(ProgressMode::Text, false, Some(&mut cb));
        assert_eq!(
            sink.emit_text("Sending…\n").unwrap_err().status,
            Status::Cancelled
        );
        assert_eq!(
            sink.emit_text("again\n").unwrap_err().status,
            Status::Cancelled
        );
        assert_eq!(
            sink.drain(PULL.as_bytes(), &mut |_| Ok(()))
                .unwrap_err()
                .status,
            Status::Cancelled
        );
        drop(sink);
        assert_eq!(calls, 1);
    }

    #[test]
    fn emit_text_only_in_text_mode() {
        let got = RefCell::new(Vec::<Vec<u8>>::new());
        let mut cb = |b: &[u8]| {
            got.borrow_mut().push(b.to_vec());
            true
        };
        let mut sink = ProgressSink::new(ProgressMode::Json, false, Some(&mut cb));
        sink.emit_text(&build_context_line(2048)).unwrap();
        let mut sink = ProgressSink::new(ProgressMode::Text, false, Some(&mut cb));
        sink.emit_text(&build_context_line(2048)).unwrap();
        assert_eq!(
            got.into_inner(),
            vec![b"Sending build context to Docker daemon  2.048kB\r\r\n".to_vec()]
        );
    }

    #[test]
    fn without_callback_still_collects_and_fails() {
        let mut sink = ProgressSink::new(ProgressMode::Text, true, None);
        let mut ids = Vec::new();
        let s = sink
            .drain(PULL.as_bytes(), &mut |v| {
                if let Some(id) = v.get("id").and_then(Value::as_str) {
                    ids.push(id.to_string());
                }
                Ok(())
            })
            .unwrap();
        assert_eq!(s.messages, 7);
        assert_eq!(ids.len(), 5);
        let r = sink.drain(&b"{\"error\":\"boom\"}"[..], &mut |_| Ok(()));
        assert_eq!(r.unwrap_err().message, "boom");
        // An on_message error ends the drain with that error.
        let r = sink.drain(PULL.as_bytes(), &mut |_| Err(Error::server("bad aux")));
        assert_eq!(r.unwrap_err().message, "bad aux");
    }

    #[test]
    fn modes_parse() {
        assert_eq!(ProgressMode::parse("json").unwrap(), ProgressMode::Json);
        assert_eq!("text".parse::<ProgressMode>().unwrap(), ProgressMode::Text);
        let e = ProgressMode::parse("yaml").unwrap_err();
        assert_eq!(e.status, Status::InvalidArgument);
        assert!(e.message.contains("yaml"));
        let m: ProgressMode = serde_json::from_str("\"text\"").unwrap();
        assert_eq!(m, ProgressMode::Text);
    }
}
