//! Splits the daemon's progress stream into JSON messages, in bounded memory.
//!
//! The daemon writes one JSON object per message followed by `\r\n`, but the separator is not
//! something to rely on: older daemons and proxies have produced `\n` only or objects written
//! back to back, and HTTP chunking splits messages at arbitrary bytes. So instead of splitting
//! on newlines, the reader finds the end of each object by tracking brace depth outside of
//! strings, exactly as a streaming JSON decoder would, and only then hands the complete object
//! to `serde_json`. The scan resumes where it stopped when more bytes arrive, so a message split
//! across many reads is scanned once.
//!
//! Memory is bounded by [`MAX_MESSAGE`] plus one read chunk: a daemon (or something pretending
//! to be one) that sends an endless object gets an error, not an ever-growing buffer.

use std::io::{ErrorKind, Read};

use serde_json::Value;

use crate::error::{Error, Result};

/// Largest single message accepted, in bytes. Real progress messages are a few hundred bytes;
/// the largest legitimate ones are build output lines (`{"stream": …}`), which the daemon
/// flushes long before this size.
pub const MAX_MESSAGE: usize = 1 << 20;

/// How much is asked of the underlying reader at a time.
const CHUNK: usize = 64 * 1024;

/// How many bytes of an unreadable message are quoted in the error.
const ERROR_PREFIX: usize = 64;

/// One message of the stream.
#[derive(Clone, Debug, PartialEq)]
pub struct Message {
    /// The exact bytes of the object as the daemon sent them (no separator, no trailing
    /// newline). JSON mode passes these through untouched so no field or key order is lost.
    pub raw: Vec<u8>,
    /// The parsed object, for rendering and for the operation's own bookkeeping.
    pub value: Value,
}

/// Where the brace scanner stands inside the current object.
#[derive(Clone, Copy, Debug, Default)]
struct Scan {
    depth: u32,
    in_string: bool,
    escaped: bool,
}

/// Reads [`Message`]s from a byte stream (see the module documentation).
pub struct JsonMessageReader<R: Read> {
    inner: R,
    /// Bytes read but not yet returned; `buf[start..]` is live.
    buf: Vec<u8>,
    start: usize,
    /// Inside an object: how far (absolute index into `buf`) the scanner has looked.
    scan_pos: usize,
    scan: Scan,
    in_object: bool,
    eof: bool,
    /// Once the stream has failed, every later call repeats the failure instead of resyncing
    /// somewhere in the middle of a message.
    failed: Option<Error>,
    max: usize,
}

impl<R: Read> JsonMessageReader<R> {
    pub fn new(inner: R) -> Self {
        Self::with_limit(inner, MAX_MESSAGE)
    }

    /// Like [`JsonMessageReader::new`] with a different per-message cap (tests use small ones).
    pub fn with_limit(inner: R, max: usize) -> Self {
        JsonMessageReader {
            inner,
            buf: Vec::new(),
            start: 0,
            scan_pos: 0,
            scan: Scan::default(),
            in_object: false,
            eof: false,
            failed: None,
            max,
        }
    }

    /// The next message, `Ok(None)` when the stream ended cleanly between messages.
    ///
    /// Errors: bytes that are not a JSON object, an object over the size cap, or a stream that
    /// ends inside an object are `ServerError` (the HTTP body ended normally, so what it held is
    /// the daemon's fault); read errors pass through `From<io::Error>` (timeouts stay
    /// `Timeout`).
    pub fn next_message(&mut self) -> Result<Option<Message>> {
        if let Some(e) = &self.failed {
            return Err(e.clone());
        }
        let result = self.next_inner();
        if let Err(e) = &result {
            self.failed = Some(e.clone());
        }
        result
    }

    fn next_inner(&mut self) -> Result<Option<Message>> {
        loop {
            if !self.in_object {
                while self.start < self.buf.len() && is_ws(self.buf[self.start]) {
                    self.start += 1;
                }
                if self.start < self.buf.len() {
                    if self.buf[self.start] != b'{' {
                        return Err(unreadable(
                            "a message is not a JSON object",
                            &self.buf[self.start..],
                        ));
                    }
                    self.in_object = true;
                    self.scan = Scan::default();
                    self.scan_pos = self.start;
                }
            }
            if self.in_object {
                if let Some(end) = self.scan_for_end() {
                    return self.take_message(end).map(Some);
                }
                if self.buf.len() - self.start > self.max {
                    return Err(self.oversize());
                }
            }
            if self.eof {
                if self.in_object {
                    return Err(unreadable(
                        "the stream ended in the middle of a message",
                        &self.buf[self.start..],
                    ));
                }
                return Ok(None);
            }
            self.fill()?;
        }
    }

    /// Advances the scanner over the bytes read so far; the index one past the object's closing
    /// brace when it was found.
    fn scan_for_end(&mut self) -> Option<usize> {
        let s = &mut self.scan;
        let mut i = self.scan_pos;
        while i < self.buf.len() {
            let b = self.buf[i];
            i += 1;
            if s.in_string {
                if s.escaped {
                    s.escaped = false;
                } else if b == b'\\' {
                    s.escaped = true;
                } else if b == b'"' {
                    s.in_string = false;
                }
                continue;
            }
            match b {
                b'"' => s.in_string = true,
                b'{' | b'[' => s.depth += 1,
                // A stray closer can only make the object end early; serde then rejects it.
                b'}' | b']' => {
                    s.depth = s.depth.saturating_sub(1);
                    if s.depth == 0 {
                        self.scan_pos = i;
                        return Some(i);
                    }
                }
                _ => {}
            }
        }
        self.scan_pos = i;
        None
    }

    fn take_message(&mut self, end: usize) -> Result<Message> {
        let raw = &self.buf[self.start..end];
        if raw.len() > self.max {
            return Err(self.oversize());
        }
        let value: Value = serde_json::from_slice(raw)
            .map_err(|e| unreadable(&format!("malformed JSON ({e})"), raw))?;
        let raw = raw.to_vec();
        self.start = end;
        self.in_object = false;
        Ok(Message { raw, value })
    }

    /// Reads one chunk, first moving the live bytes to the front so the buffer never holds
    /// more than one partial message plus one chunk.
    fn fill(&mut self) -> Result<()> {
        if self.start > 0 {
            self.buf.drain(..self.start);
            self.scan_pos -= self.start.min(self.scan_pos);
            self.start = 0;
        }
        let old = self.buf.len();
        self.buf.resize(old + CHUNK, 0);
        let n = loop {
            match self.inner.read(&mut self.buf[old..]) {
                Ok(n) => break n,
                Err(e) if e.kind() == ErrorKind::Interrupted => continue,
                Err(e) => {
                    self.buf.truncate(old);
                    return Err(e.into());
                }
            }
        };
        self.buf.truncate(old + n);
        if n == 0 {
            self.eof = true;
        }
        Ok(())
    }

    fn oversize(&self) -> Error {
        unreadable(
            &format!("a message is larger than {} bytes", self.max),
            &self.buf[self.start..],
        )
    }
}

fn is_ws(b: u8) -> bool {
    // 0x1E is the record separator of `application/json-seq` (RFC 7464), which newer daemons
    // may use for `/events`.
    matches!(b, b' ' | b'\t' | b'\r' | b'\n' | 0x1E)
}

/// The `ServerError` for a stream this library cannot decode, quoting the start of the bytes
/// so the caller can see what the daemon (or a proxy in between) actually sent.
fn unreadable(what: &str, bytes: &[u8]) -> Error {
    let shown = &bytes[..bytes.len().min(ERROR_PREFIX)];
    let more = if bytes.len() > ERROR_PREFIX {
        "…"
    } else {
        ""
    };
    Error::server(format!(
        "the daemon's progress stream was unreadable: {what}; it began {:?}{more}",
        String::from_utf8_lossy(shown)
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Status;
    use std::io;

    /// A reader that hands out the data in the given piece sizes (then the rest at once).
    struct Pieces<'a> {
        data: &'a [u8],
        sizes: Vec<usize>,
    }

    impl Read for Pieces<'_> {
        fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
            let want = if self.sizes.is_empty() {
                self.data.len()
            } else {
                self.sizes.remove(0)
            };
            let n = want.min(out.len()).min(self.data.len());
            out[..n].copy_from_slice(&self.data[..n]);
            self.data = &self.data[n..];
            Ok(n)
        }
    }

    fn all(r: impl Read) -> Result<Vec<Message>> {
        let mut reader = JsonMessageReader::new(r);
        let mut out = Vec::new();
        while let Some(m) = reader.next_message()? {
            out.push(m);
        }
        Ok(out)
    }

    const STREAM: &[u8] = b"{\"status\":\"Pulling fs layer\",\"progressDetail\":{},\"id\":\"a3ed95caeb02\"}\r\n\
{\"status\":\"Downloading\",\"progressDetail\":{\"current\":1,\"total\":2},\"progress\":\"[=> ] \\\"}{\\\\\",\"id\":\"a3ed95caeb02\"}\r\n\
{\"stream\":\"Step 1/2 : FROM alpine\\n\"}\r\n";

    fn raws(msgs: &[Message]) -> Vec<&[u8]> {
        msgs.iter().map(|m| m.raw.as_slice()).collect()
    }

    #[test]
    fn crlf_separated_messages_keep_exact_bytes() {
        let msgs = all(STREAM).unwrap();
        let expected: Vec<&[u8]> = STREAM
            .split(|&b| b == b'\n')
            .filter(|l| !l.is_empty())
            .map(|l| &l[..l.len() - 1])
            .collect();
        assert_eq!(raws(&msgs), expected);
        assert_eq!(msgs[1].value["progressDetail"]["total"], 2);
        assert_eq!(msgs[2].value["stream"], "Step 1/2 : FROM alpine\n");
    }

    #[test]
    fn split_at_every_byte_offset() {
        let whole = all(STREAM).unwrap();
        // (A read of 0 bytes means end of stream, so every cut leaves at least one byte.)
        for cut in 1..STREAM.len() {
            let got = all(Pieces {
                data: STREAM,
                sizes: vec![cut],
            })
            .unwrap();
            assert_eq!(got, whole, "cut at {cut}");
        }
        let bytewise = all(Pieces {
            data: STREAM,
            sizes: vec![1; STREAM.len()],
        })
        .unwrap();
        assert_eq!(bytewise, whole);
    }

    #[test]
    fn concatenated_and_lf_only() {
        let data = b"{\"a\":1}{\"b\":[{\"c\":\"}\"}]}\n{\"d\":2}  \n";
        let msgs = all(&data[..]).unwrap();
        assert_eq!(
            raws(&msgs),
            vec![&b"{\"a\":1}"[..], b"{\"b\":[{\"c\":\"}\"}]}", b"{\"d\":2}"]
        );
    }

    #[test]
    fn empty_and_whitespace_only_streams_end_cleanly() {
        assert!(all(&b""[..]).unwrap().is_empty());
        assert!(all(&b"\r\n \r\n"[..]).unwrap().is_empty());
    }

    #[test]
    fn oversize_message_is_an_error() {
        let mut data = b"{\"stream\":\"".to_vec();
        data.extend(std::iter::repeat_n(b'x', 300));
        data.extend(b"\"}\r\n");
        let mut r = JsonMessageReader::with_limit(&data[..], 100);
        let e = r.next_message().unwrap_err();
        assert_eq!(e.status, Status::ServerError);
        assert!(e.message.contains("larger than 100 bytes"), "{}", e.message);
        // An endless object also stops at the cap instead of growing the buffer.
        let endless = io::repeat(b' ');
        let mut r = JsonMessageReader::with_limit(
            io::Cursor::new(b"{\"a\":".to_vec()).chain(endless),
            1000,
        );
        assert!(
            r.next_message()
                .unwrap_err()
                .message
                .contains("larger than")
        );
        assert!(r.buf.len() <= 1000 + CHUNK);
        // The real cap admits a message just under it.
        let mut big = b"{\"stream\":\"".to_vec();
        big.extend(std::iter::repeat_n(b'y', MAX_MESSAGE - 20));
        big.extend(b"\"}");
        assert_eq!(all(&big[..]).unwrap().len(), 1);
    }

    #[test]
    fn malformed_json_is_a_server_error_quoting_the_bytes() {
        let e = all(&b"{\"status\":\"ok\"}\r\n{\"status\": nope}\r\n"[..]).unwrap_err();
        assert_eq!(e.status, Status::ServerError);
        assert!(e.message.contains("unreadable"), "{}", e.message);
        assert!(e.message.contains("nope"), "{}", e.message);

        let e = all(&b"404 page not found\n"[..]).unwrap_err();
        assert_eq!(e.status, Status::ServerError);
        assert!(e.message.contains("404 page not found"), "{}", e.message);

        let e = all(&b"{\"status\":\"Downl"[..]).unwrap_err();
        assert_eq!(e.status, Status::ServerError);
        assert!(e.message.contains("ended in the middle"), "{}", e.message);
    }

    #[test]
    fn errors_repeat_after_failure() {
        let mut r = JsonMessageReader::new(&b"[1]"[..]);
        let e1 = r.next_message().unwrap_err();
        assert_eq!(r.next_message().unwrap_err(), e1);
    }

    #[test]
    fn io_errors_pass_through_with_timeout_kept() {
        struct Failing(io::ErrorKind);
        impl Read for Failing {
            fn read(&mut self, _: &mut [u8]) -> io::Result<usize> {
                Err(io::Error::new(self.0, "boom"))
            }
        }
        assert_eq!(
            all(Failing(io::ErrorKind::TimedOut)).unwrap_err().status,
            Status::Timeout
        );
        assert_eq!(
            all(Failing(io::ErrorKind::ConnectionReset))
                .unwrap_err()
                .status,
            Status::Transport
        );
    }

    #[test]
    fn reads_in_large_chunks() {
        struct Recording(Vec<usize>);
        impl Read for Recording {
            fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
                self.0.push(out.len());
                Ok(0)
            }
        }
        let mut rec = Recording(Vec::new());
        assert!(
            JsonMessageReader::new(&mut rec)
                .next_message()
                .unwrap()
                .is_none()
        );
        assert_eq!(rec.0, vec![CHUNK]);
    }
}
