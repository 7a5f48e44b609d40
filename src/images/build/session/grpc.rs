//! The gRPC the daemon speaks inside a session, server side: requests arrive as HTTP/2
//! streams (`:path` = `/package.Service/Method`), messages are framed with five bytes (a
//! compression flag, always 0 here, and a big-endian length), and the answer ends with
//! trailers carrying `grpc-status` (and `grpc-message`, percent-encoded).

use bytes::Bytes;
use h2::server::SendResponse;
use h2::RecvStream;
use http::{HeaderMap, HeaderValue, Response};

/// The largest request message read (the daemon's own limit is 4 MiB).
pub const MAX_MESSAGE: usize = 4 * 1024 * 1024;

/// gRPC status codes used here.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Code {
    Ok = 0,
    InvalidArgument = 3,
    NotFound = 5,
    Unimplemented = 12,
    Internal = 13,
    Unauthenticated = 16,
}

/// A failed call: its code and message.
#[derive(Debug)]
pub struct Status {
    pub code: Code,
    pub message: String,
}

impl Status {
    pub fn new(code: Code, message: impl Into<String>) -> Status {
        Status { code, message: message.into() }
    }
}

/// One framed message.
pub fn frame(message: &[u8]) -> Bytes {
    let mut out = Vec::with_capacity(5 + message.len());
    out.push(0);
    out.extend_from_slice(&(message.len() as u32).to_be_bytes());
    out.extend_from_slice(message);
    Bytes::from(out)
}

/// Takes one whole message off the front of `buf`, if there is one.
pub fn unframe(buf: &mut Vec<u8>) -> Result<Option<Vec<u8>>, Status> {
    if buf.len() < 5 {
        return Ok(None);
    }
    if buf[0] != 0 {
        return Err(Status::new(Code::Unimplemented, "compressed messages are not supported"));
    }
    let len = u32::from_be_bytes([buf[1], buf[2], buf[3], buf[4]]) as usize;
    if len > MAX_MESSAGE {
        return Err(Status::new(Code::InvalidArgument, format!("a message of {len} bytes is over the limit")));
    }
    if buf.len() < 5 + len {
        return Ok(None);
    }
    let message = buf[5..5 + len].to_vec();
    buf.drain(..5 + len);
    Ok(Some(message))
}

/// Reads the next message of a request stream (`None` at its end), giving the flow-control
/// window back as data arrives (else the daemon stalls after its first 64 KiB).
pub async fn next_message(body: &mut RecvStream, pending: &mut Vec<u8>) -> Result<Option<Vec<u8>>, Status> {
    loop {
        if let Some(m) = unframe(pending)? {
            return Ok(Some(m));
        }
        match body.data().await {
            Some(Ok(chunk)) => {
                let _ = body.flow_control().release_capacity(chunk.len());
                pending.extend_from_slice(&chunk);
                if pending.len() > MAX_MESSAGE + 5 {
                    return Err(Status::new(Code::InvalidArgument, "a message over the limit"));
                }
            }
            Some(Err(e)) => return Err(Status::new(Code::Internal, format!("reading the request: {e}"))),
            None if pending.is_empty() => return Ok(None),
            None => return Err(Status::new(Code::InvalidArgument, "the request ended inside a message")),
        }
    }
}

/// The head of an answer that has messages: `:status 200`, `content-type: application/grpc`.
pub fn response_head() -> Response<()> {
    head()
}

/// The trailers of a call that succeeded.
pub fn ok_trailers() -> HeaderMap {
    let mut trailers = HeaderMap::new();
    status_headers(&mut trailers, &Status::new(Code::Ok, ""));
    trailers
}

fn head() -> Response<()> {
    let mut r = Response::new(());
    // The constant, not the string: http's lookup of a static standard name reads bytes past
    // the name (harmless, but valgrind reports it).
    r.headers_mut().insert(http::header::CONTENT_TYPE, HeaderValue::from_static("application/grpc"));
    r
}

/// Puts `status` into trailers (replacing what they say).
pub fn set_status(map: &mut HeaderMap, status: &Status) {
    status_headers(map, status)
}

fn status_headers(map: &mut HeaderMap, status: &Status) {
    map.insert("grpc-status", HeaderValue::from((status.code as u32) as u64));
    if !status.message.is_empty()
        && let Ok(v) = HeaderValue::from_str(&percent_encode(&status.message))
    {
        map.insert("grpc-message", v);
    }
}

/// Answers a unary call: its one message, or its error (a trailers-only answer).
pub fn reply(mut respond: SendResponse<Bytes>, result: Result<Vec<u8>, Status>) {
    match result {
        Ok(message) => {
            let Ok(mut stream) = respond.send_response(head(), false) else { return };
            if stream.send_data(frame(&message), false).is_err() {
                return;
            }
            let mut trailers = HeaderMap::new();
            status_headers(&mut trailers, &Status::new(Code::Ok, ""));
            let _ = stream.send_trailers(trailers);
        }
        Err(status) => {
            let mut r = head();
            status_headers(r.headers_mut(), &status);
            let _ = respond.send_response(r, true);
        }
    }
}

/// Ends a call that answers with no message (a client-streaming call whose result is its
/// status): a trailers-only answer.
pub fn reply_status(mut respond: SendResponse<Bytes>, status: Status) {
    let mut r = head();
    status_headers(r.headers_mut(), &status);
    let _ = respond.send_response(r, true);
}

/// `grpc-message` encoding: bytes outside printable ASCII, and `%`, as `%XX`.
fn percent_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if (0x20..0x7f).contains(&b) && b != b'%' {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_round_trip_and_wait_for_whole_messages() {
        let mut buf = frame(b"hello").to_vec();
        buf.extend_from_slice(&frame(b"")[..]);
        buf.extend_from_slice(&[0, 0, 0]);
        assert_eq!(unframe(&mut buf).unwrap().unwrap(), b"hello");
        assert_eq!(unframe(&mut buf).unwrap().unwrap(), b"");
        assert_eq!(unframe(&mut buf).unwrap(), None, "three bytes are not a message yet");
        let mut compressed = vec![1, 0, 0, 0, 0];
        assert_eq!(unframe(&mut compressed).unwrap_err().code, Code::Unimplemented);
        let mut huge = vec![0, 0xff, 0xff, 0xff, 0xff];
        assert_eq!(unframe(&mut huge).unwrap_err().code, Code::InvalidArgument);
    }

    #[test]
    fn messages_are_percent_encoded() {
        assert_eq!(percent_encode("secret \"x\" not found: 100%"), "secret \"x\" not found: 100%25");
        assert_eq!(percent_encode("é\n"), "%C3%A9%0A");
    }
}
