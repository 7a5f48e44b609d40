//! The loop that runs a call answered by a JSON progress stream (pull, push, load).

use crate::client::{Body, Call, Client};
use crate::error::Result;
use crate::stream::{ProgressSink, StreamSummary};

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
