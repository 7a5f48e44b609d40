//! The daemon's JSON progress streams (pull, push, build, load, import).
//!
//! - [`json_lines`]: splits the response body into messages, in bounded memory.
//! - [`text`]: renders a message as the docker CLI prints it into a pipe or file.
//! - [`aggregate`]: folds per-layer progress into one overall figure (JSON mode option).
//! - [`buildkit`]: a BuildKit build's trace decoded: plain text as buildx prints it, or JSON
//!   events.
//! - [`progress`]: [`ProgressSink`], the loop operations hand their stream to.
//! - [`progress_view`]: one delivery read back as figures (for `dc_progress_parse`).

pub mod aggregate;
pub mod buildkit;
pub mod json_lines;
pub mod progress;
pub mod progress_view;
pub mod text;

pub use aggregate::{AggregateProgress, Aggregator};
pub use json_lines::{JsonMessageReader, MAX_MESSAGE, Message};
pub use progress::{WriteFn, ProgressMode, ProgressSink, StreamSummary, stream_error};
pub use text::{build_context_line, decimal_size, human_size, render};
