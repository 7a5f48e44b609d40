//! Options shared by the operations that answer with a JSON progress stream (pull, push,
//! load, import, build), and the loop that runs such a call.

use serde::Deserialize;

use crate::client::{Body, Call, Client};
use crate::error::Result;
use crate::stream::{ProgressMode, ProgressSink, StreamSummary};

/// `progress`, `aggregate` and `inactivity_timeout_ms`. serde cannot combine `flatten` with
/// `deny_unknown_fields`, so each operation's options struct repeats these three keys and
/// builds one of these from them.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StreamOptions {
    /// `"json"` (default): each daemon message as received; `"text"`: what the CLI prints.
    #[serde(default)]
    pub progress: ProgressMode,
    /// JSON mode only: add a summary message of overall bytes after each update.
    #[serde(default)]
    pub aggregate: bool,
    /// Longest silence allowed between two reads of the stream, in ms (0 = none).
    pub inactivity_timeout_ms: Option<u64>,
}

/// Sends `call` and feeds the answer's message stream to `sink`; `on_message` sees every
/// message (to collect IDs, digests, aux data). Errors inside the stream become errors.
pub fn run_stream(
    client: &Client,
    call: &Call,
    body: Body,
    sink: &mut ProgressSink,
    on_message: &mut dyn FnMut(&serde_json::Value) -> Result<()>,
) -> Result<StreamSummary> {
    let response = client.send(call, body)?;
    sink.drain(response.into_reader(), on_message)
}
