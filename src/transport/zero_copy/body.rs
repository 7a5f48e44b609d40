//! The body of a [zero-copy](super) response: decoded from its HTTP framing (chunked,
//! Content-Length or until close), readable as a stream, or moved to a file descriptor.
//!
//! Moving is where the zero copy happens (Linux): data goes socket → pipe (the kernel hands the
//! socket's pages to the pipe) → destination (free for /dev/null, one copy into the page cache
//! for a file). Only the framing (a chunk's size line and CRLF, a few bytes) is read into
//! memory; data bytes that arrive in the same read are written into the (emptied) pipe, so the
//! order holds. Spliced data stays in the pipe across chunks and leaves in large drains: a chunk
//! costs a framing read and a splice. A destination that cannot take a splice (EINVAL) gets the
//! pipe's bytes by read and write. On the portable path, moving is a plain read and write.

use std::io::{self, Read};
use std::os::fd::RawFd;
use std::time::Duration;

#[cfg(dc_linux)]
use super::pipe::Pipe;
use std::sync::Arc;

use super::limits::{timeout_named, Limits};
use crate::transport::call_scope::CancelToken;
use crate::transport::socket::SharedSocket;

/// How many bytes a framing read asks for while the framing's length is not known: a chunk's
/// trailing CRLF and next size line fit, while little of the data that follows is copied along.
/// Once one chunk boundary has been seen, reads ask for exactly as many bytes as it took (the
/// daemon sends chunks of one size, so `\r\n8000\r\n` again): no data byte enters memory.
const CONTROL_READ: usize = 64;
/// The buffer of a plain copy (the portable path).
#[cfg(not(dc_linux))]
const COPY_BUFFER: usize = 256 * 1024;
/// The longest chunk-size or trailer line accepted.
const MAX_LINE: usize = 4096;

/// How the body's end is known.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Framing {
    /// `Content-Length`: this many bytes are left.
    Length(u64),
    /// Neither length nor chunked: the body ends when the daemon closes the connection.
    UntilClose,
    Chunked(Chunk),
    Done,
}

/// Where a chunked body stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Chunk {
    /// Expecting a size line.
    Size,
    /// Inside a chunk's data: this many bytes are left.
    Data(u64),
    /// Expecting the CRLF after a chunk's data.
    DataEnd,
    /// After the last (zero) chunk: trailer lines up to an empty one.
    Trailer,
}

impl Framing {
    pub fn chunked() -> Framing {
        Framing::Chunked(Chunk::Size)
    }
}

/// Where a [`ZeroCopyBody::move_to`] failed: reading the daemon's answer, or writing the
/// destination.
#[derive(Debug)]
pub enum MoveError {
    Input(io::Error),
    Output(io::Error),
}

pub struct ZeroCopyBody {
    stream: Arc<SharedSocket>,
    /// Once triggered, every read and move fails as cancelled (the shut-down socket may read as
    /// a clean end, which must not pass for the end of the answer).
    cancel: Option<CancelToken>,
    /// Bytes read from the socket and not consumed yet: `buf[pos..end]`.
    buf: Vec<u8>,
    pos: usize,
    end: usize,
    framing: Framing,
    limits: Limits,
    /// The read timeout currently set on the socket.
    timeout_set: Option<Option<Duration>>,
    #[cfg(dc_linux)]
    pipe: Option<Pipe>,
    /// Framing bytes taken since the last data byte, and how many the last boundary took.
    framing_seen: usize,
    framing_guess: usize,
    /// Data bytes that went through memory on their way to a splice destination.
    copied: u64,
    /// The endpoint as error messages name it.
    endpoint_text: String,
}

impl ZeroCopyBody {
    /// The connection after a `101 Switching Protocols`, with the bytes already read past the
    /// head (the new protocol's first bytes may come in the same read).
    pub fn into_upgraded(self) -> (Arc<SharedSocket>, Vec<u8>) {
        let early = self.buf[self.pos..self.end].to_vec();
        (self.stream, early)
    }

    pub(super) fn new(
        stream: Arc<SharedSocket>,
        mut buf: Vec<u8>,
        buffered: usize,
        framing: Framing,
        limits: Limits,
        endpoint_text: String,
    ) -> ZeroCopyBody {
        // Room for the longest framing line plus one read, so `fill` always has space.
        if buf.len() < MAX_LINE + 2 + CONTROL_READ {
            buf.resize(MAX_LINE + 2 + CONTROL_READ, 0);
        }
        ZeroCopyBody {
            stream,
            buf,
            pos: 0,
            end: buffered,
            framing,
            limits,
            timeout_set: None,
            #[cfg(dc_linux)]
            pipe: None,
            framing_seen: 0,
            framing_guess: CONTROL_READ,
            copied: 0,
            endpoint_text,
            cancel: None,
        }
    }

    pub(super) fn with_cancel(mut self, cancel: Option<CancelToken>) -> ZeroCopyBody {
        self.cancel = cancel;
        self
    }

    fn check_cancel(&self) -> io::Result<()> {
        match &self.cancel {
            Some(t) if t.is_triggered() => Err(io::Error::other(crate::error::CancelledIo)),
            _ => Ok(()),
        }
    }

    /// The endpoint as error messages name it.
    pub fn endpoint_text(&self) -> &str {
        &self.endpoint_text
    }

    /// Moves up to `max` body bytes to `out`; returns how many, 0 at the end of the body.
    /// When it returns, every byte it counted has reached `out`.
    #[cfg(dc_linux)]
    pub fn move_to(&mut self, out: RawFd, max: u64) -> Result<u64, MoveError> {
        self.check_cancel().map_err(MoveError::Input)?;
        let mut pipe = match self.pipe.take() {
            Some(p) => p,
            None => Pipe::new().map_err(MoveError::Output)?,
        };
        let result = self.splice_through(&mut pipe, out, max);
        // Kept for the next call; after a failure its contents no longer matter.
        self.pipe = Some(pipe);
        result
    }

    #[cfg(dc_linux)]
    fn splice_through(&mut self, pipe: &mut Pipe, out: RawFd, max: u64) -> Result<u64, MoveError> {
        let mut moved = 0u64;
        while moved < max {
            let frame = self.data_ahead().map_err(MoveError::Input)?;
            if frame == 0 {
                break;
            }
            let n = if self.pos < self.end {
                // Data that came in with the framing: into an empty pipe (a write into a pipe
                // whose page slots are taken by spliced buffers could wait for ever), so that
                // it leaves before the data spliced after it.
                pipe.drain_to(out).map_err(MoveError::Output)?;
                let n = frame.min(max - moved).min((self.end - self.pos) as u64) as usize;
                let n = n.min(pipe.capacity / 2);
                pipe.write(&self.buf[self.pos..self.pos + n]).map_err(MoveError::Output)?;
                self.pos += n;
                self.copied += n as u64;
                n
            } else {
                if pipe.room() < pipe.capacity / 2 {
                    pipe.drain_to(out).map_err(MoveError::Output)?;
                }
                let step = |pipe: &Pipe| frame.min(max - moved).min(pipe.room() as u64) as usize;
                // Data accumulates in the pipe across chunks and leaves in large drains. A
                // splice into a pipe whose page slots are all taken (each socket buffer takes
                // one however small) would wait for a reader that is us, so a pipe with
                // anything in it is only spliced into without waiting; when that cannot
                // proceed (no data yet, or no free slot) the pipe is drained and the splice
                // waits on the socket alone.
                let quick = match pipe.len {
                    0 => None,
                    _ => pipe.try_splice_from(self.stream.raw_fd(), step(pipe)).map_err(MoveError::Input)?,
                };
                let n = match quick {
                    Some(n) => n,
                    None => {
                        pipe.drain_to(out).map_err(MoveError::Output)?;
                        self.arm_timeout().map_err(MoveError::Input)?;
                        pipe.splice_from(self.stream.raw_fd(), step(pipe)).map_err(MoveError::Input)?
                    }
                };
                if n == 0 {
                    self.end_of_stream().map_err(MoveError::Input)?;
                    continue;
                }
                n
            };
            self.consumed(n as u64);
            moved += n as u64;
        }
        pipe.drain_to(out).map_err(MoveError::Output)?;
        Ok(moved)
    }

    /// Moves up to `max` body bytes to `out` by plain reads and writes (the portable path);
    /// returns how many, 0 at the end of the body.
    #[cfg(not(dc_linux))]
    pub fn move_to(&mut self, out: RawFd, max: u64) -> Result<u64, MoveError> {
        use std::io::Write;
        use std::os::fd::FromRawFd;
        // Borrowed, never closed here: the caller owns `out`.
        // SAFETY: `out` is an open descriptor the caller holds for the whole call.
        let mut dest = std::mem::ManuallyDrop::new(unsafe { std::fs::File::from_raw_fd(out) });
        let mut buf = vec![0u8; COPY_BUFFER];
        let mut moved = 0u64;
        while moved < max {
            let want = (max - moved).min(buf.len() as u64) as usize;
            let n = self.read(&mut buf[..want]).map_err(MoveError::Input)?;
            if n == 0 {
                break;
            }
            dest.write_all(&buf[..n]).map_err(MoveError::Output)?;
            self.copied += n as u64;
            moved += n as u64;
        }
        Ok(moved)
    }

    /// Reads framing until data is next; returns how much data the current frame has left
    /// (`u64::MAX` for a body that runs until close), 0 once the body has ended.
    fn data_ahead(&mut self) -> io::Result<u64> {
        loop {
            match self.framing {
                Framing::Done | Framing::Length(0) => {
                    self.framing = Framing::Done;
                    return Ok(0);
                }
                Framing::Length(n) => return Ok(n),
                Framing::UntilClose => return Ok(u64::MAX),
                Framing::Chunked(Chunk::Data(n)) => return Ok(n),
                Framing::Chunked(Chunk::DataEnd) => {
                    let line = self.line()?;
                    if !line.is_empty() {
                        return Err(bad("chunk data longer than its size"));
                    }
                    self.framing = Framing::Chunked(Chunk::Size);
                }
                Framing::Chunked(Chunk::Size) => {
                    let line = self.line()?;
                    let digits = line.split(|&b| b == b';').next().unwrap_or_default();
                    let digits = std::str::from_utf8(digits).map_err(|_| bad("a chunk size that is not text"))?;
                    let size = u64::from_str_radix(digits.trim(), 16).map_err(|_| bad("an unreadable chunk size"))?;
                    self.framing = Framing::Chunked(if size == 0 { Chunk::Trailer } else { Chunk::Data(size) });
                    if size > 0 {
                        // A boundary whose length is known: the next one is read by it.
                        self.framing_guess = self.framing_seen.clamp(3, CONTROL_READ);
                        self.framing_seen = 0;
                    }
                }
                Framing::Chunked(Chunk::Trailer) => {
                    if self.line()?.is_empty() {
                        self.framing = Framing::Done;
                    }
                }
            }
        }
    }

    /// Takes one CRLF-terminated line from the buffer (reading a little more as needed) and
    /// returns it without the CRLF.
    fn line(&mut self) -> io::Result<Vec<u8>> {
        loop {
            if let Some(i) = self.buf[self.pos..self.end].windows(2).position(|w| w == b"\r\n") {
                let line = self.buf[self.pos..self.pos + i].to_vec();
                self.pos += i + 2;
                self.framing_seen += i + 2;
                return Ok(line);
            }
            if self.end - self.pos > MAX_LINE {
                return Err(bad("a chunk framing line longer than 4 KiB"));
            }
            // Exactly the rest of a boundary as long as the last one, else a larger read.
            let expected = self.framing_guess.saturating_sub(self.framing_seen + (self.end - self.pos));
            let want = if expected > 0 { expected } else { CONTROL_READ };
            if self.fill(want)? == 0 {
                return Err(cut_short());
            }
        }
    }

    /// Appends up to `want` bytes from the socket to the buffer; returns how many (0 = EOF).
    fn fill(&mut self, want: usize) -> io::Result<usize> {
        self.check_cancel()?;
        if self.pos == self.end {
            self.pos = 0;
            self.end = 0;
        } else if self.end + want > self.buf.len() {
            self.buf.copy_within(self.pos..self.end, 0);
            self.end -= self.pos;
            self.pos = 0;
        }
        let room = (self.buf.len() - self.end).min(want);
        self.arm_timeout()?;
        loop {
            match self.stream.read(&mut self.buf[self.end..self.end + room]) {
                Ok(n) => {
                    self.end += n;
                    return Ok(n);
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(timeout_named(e)),
            }
        }
    }

    /// Counts `n` data bytes as delivered.
    fn consumed(&mut self, n: u64) {
        self.framing = match self.framing {
            Framing::Length(left) => Framing::Length(left - n),
            Framing::Chunked(Chunk::Data(left)) if left == n => Framing::Chunked(Chunk::DataEnd),
            Framing::Chunked(Chunk::Data(left)) => Framing::Chunked(Chunk::Data(left - n)),
            other => other,
        };
    }

    /// The socket reached EOF: the end of an until-close body, or a body cut short.
    fn end_of_stream(&mut self) -> io::Result<()> {
        self.check_cancel()?;
        if self.framing == Framing::UntilClose {
            self.framing = Framing::Done;
            Ok(())
        } else {
            Err(cut_short())
        }
    }

    /// Sets the socket's read timeout for the next wait (only when it changes).
    fn arm_timeout(&mut self) -> io::Result<()> {
        let wait = self.limits.next_wait()?;
        if self.timeout_set != Some(wait) {
            self.stream.set_read_timeout(wait)?;
            self.timeout_set = Some(wait);
        }
        Ok(())
    }
}

impl Read for ZeroCopyBody {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        self.check_cancel()?;
        if out.is_empty() {
            return Ok(0);
        }
        loop {
            let frame = self.data_ahead()?;
            if frame == 0 {
                return Ok(0);
            }
            let want = (frame.min(out.len() as u64)) as usize;
            let n = if self.pos < self.end {
                let n = want.min(self.end - self.pos);
                out[..n].copy_from_slice(&self.buf[self.pos..self.pos + n]);
                self.pos += n;
                n
            } else {
                self.arm_timeout()?;
                match self.stream.read(&mut out[..want]) {
                    Ok(0) => {
                        self.end_of_stream()?;
                        continue;
                    }
                    Ok(n) => n,
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                    Err(e) => return Err(timeout_named(e)),
                }
            };
            self.consumed(n as u64);
            return Ok(n);
        }
    }
}

fn bad(what: &str) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, format!("the daemon sent {what}"))
}

fn cut_short() -> io::Error {
    io::Error::new(io::ErrorKind::UnexpectedEof, "the daemon closed the connection before the answer ended")
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;
    use std::os::fd::AsRawFd;
    use std::os::unix::net::UnixStream;

    /// A body whose socket delivers `wire` (in pieces of `piece` bytes) and then closes.
    fn body(wire: &[u8], piece: usize, framing: Framing) -> ZeroCopyBody {
        let (ours, theirs) = UnixStream::pair().unwrap();
        let wire = wire.to_vec();
        std::thread::spawn(move || {
            let mut theirs = theirs;
            for p in wire.chunks(piece.max(1)) {
                if theirs.write_all(p).is_err() {
                    return;
                }
                if piece >= 4096 {
                    // Let the reader catch up, so reads also see a drained socket.
                    std::thread::sleep(Duration::from_micros(200));
                }
            }
        });
        ZeroCopyBody::new(SharedSocket::new(crate::transport::socket::Socket::Unix(ours)), vec![0; 1024], 0, framing, Limits::default(), String::new())
    }

    fn chunked(parts: &[&[u8]]) -> Vec<u8> {
        let mut w = Vec::new();
        for p in parts {
            w.extend_from_slice(format!("{:x}\r\n", p.len()).as_bytes());
            w.extend_from_slice(p);
            w.extend_from_slice(b"\r\n");
        }
        w.extend_from_slice(b"0\r\n\r\n");
        w
    }

    fn data(n: usize, seed: u8) -> Vec<u8> {
        (0..n).map(|i| (i as u8).wrapping_mul(31).wrapping_add(seed)).collect()
    }

    fn read_all(b: &mut ZeroCopyBody) -> io::Result<Vec<u8>> {
        let mut v = Vec::new();
        b.read_to_end(&mut v)?;
        Ok(v)
    }

    /// Splices everything into a temporary file, in steps of `step` bytes.
    fn move_all(b: &mut ZeroCopyBody, step: u64) -> Result<Vec<u8>, MoveError> {
        let path = std::env::temp_dir().join(format!("dc-splice-{}-{step}-{:?}", std::process::id(), std::thread::current().id()));
        let file = std::fs::File::create(&path).unwrap();
        let result = loop {
            match b.move_to(file.as_raw_fd(), step) {
                Ok(0) => break Ok(()),
                Ok(_) => {}
                Err(e) => break Err(e),
            }
        };
        let bytes = std::fs::read(&path).unwrap();
        let _ = std::fs::remove_file(&path);
        result.map(|()| bytes)
    }

    #[test]
    fn chunked_bodies_read_and_splice_whatever_the_pieces() {
        let a = data(7_000, 1);
        let b = data(3, 2);
        let c = data(30_000, 3);
        let want: Vec<u8> = [a.clone(), b.clone(), c.clone()].concat();
        let wire = chunked(&[&a, &b, &c]);
        for piece in [1, 7, 64, 4096, 1 << 20] {
            assert_eq!(read_all(&mut body(&wire, piece, Framing::chunked())).unwrap(), want, "read, pieces of {piece}");
            for step in [1, 512, 10_000, u64::MAX] {
                let got = move_all(&mut body(&wire, piece, Framing::chunked()), step).unwrap();
                assert!(got == want, "splice, pieces of {piece}, steps of {step}");
            }
        }
    }

    #[test]
    #[cfg(dc_linux)]
    fn once_a_boundary_is_known_no_data_byte_enters_memory() {
        // The daemon's shape: chunks of 32 KiB. Only the first two boundaries (the first
        // size line has no CRLF before it) may read data bytes along with the framing.
        let d = data(40 * 32768, 6);
        let parts: Vec<&[u8]> = d.chunks(32768).collect();
        let wire = chunked(&parts);
        let mut b = body(&wire, 1 << 20, Framing::chunked());
        assert!(move_all(&mut b, u64::MAX).unwrap() == d);
        assert!(b.copied <= 2 * CONTROL_READ as u64, "{} data bytes went through memory", b.copied);
        // A boundary longer than the last one is still read whole, whatever the pieces.
        let (small, big) = (data(20, 1), data(70_000, 2));
        let wire = chunked(&[&small, &small, &big, &small]);
        let want = [small.clone(), small.clone(), big.clone(), small.clone()].concat();
        for piece in [1, 3, 1 << 20] {
            assert!(move_all(&mut body(&wire, piece, Framing::chunked()), u64::MAX).unwrap() == want, "pieces of {piece}");
        }
    }

    #[test]
    fn socket_buffers_that_fill_every_pipe_slot_do_not_stall() {
        // Many one-byte socket buffers queue up before the first splice, which then fills all
        // of the pipe's page slots with a few hundred bytes: the next splice must not wait
        // for room that only our own drain would make.
        let d = data(200_000, 8);
        let mut b = body(&d, 1, Framing::UntilClose);
        std::thread::sleep(Duration::from_millis(100));
        assert!(move_all(&mut b, u64::MAX).unwrap() == d);
    }

    #[test]
    fn more_than_a_pipeful_in_one_splice() {
        let d = data(3 << 20, 5);
        let wire = chunked(&[&d[..32768], &d[32768..2_000_000], &d[2_000_000..]]);
        assert!(move_all(&mut body(&wire, 1 << 16, Framing::chunked()), u64::MAX).unwrap() == d);
    }

    #[test]
    fn extensions_trailers_and_mixed_reads() {
        let wire = b"5;name=value\r\nhello\r\n6\r\n world\r\n0\r\nX-Trailer: 1\r\n\r\n".to_vec();
        let mut b = body(&wire, 3, Framing::chunked());
        let mut first = [0u8; 4];
        b.read_exact(&mut first).unwrap();
        assert_eq!(&first, b"hell");
        assert_eq!(move_all(&mut b, u64::MAX).unwrap(), b"o world");
    }

    #[test]
    fn content_length_and_until_close() {
        let d = data(200_000, 9);
        let mut wire = d.clone();
        wire.extend_from_slice(b"extra bytes past the length are not body");
        assert!(move_all(&mut body(&wire, 5000, Framing::Length(d.len() as u64)), 4096).unwrap() == d);
        assert!(read_all(&mut body(&d, 5000, Framing::UntilClose)).unwrap() == d);
        assert!(move_all(&mut body(&d, 5000, Framing::UntilClose), u64::MAX).unwrap() == d);
    }

    #[test]
    fn a_body_cut_short_or_malformed_is_an_error() {
        let full = chunked(&[&data(10_000, 4)]);
        let cut = &full[..full.len() - 9];
        let e = read_all(&mut body(cut, 999, Framing::chunked())).unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::UnexpectedEof, "{e}");
        assert!(matches!(move_all(&mut body(cut, 999, Framing::chunked()), u64::MAX), Err(MoveError::Input(_))));
        let e = read_all(&mut body(&data(10, 1), 4, Framing::Length(11))).unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::UnexpectedEof, "{e}");
        let e = read_all(&mut body(b"zz\r\nab\r\n0\r\n\r\n", 64, Framing::chunked())).unwrap_err();
        assert!(e.to_string().contains("chunk size"), "{e}");
        let e = read_all(&mut body(b"2\r\nabc\r\n0\r\n\r\n", 64, Framing::chunked())).unwrap_err();
        assert!(e.to_string().contains("longer than its size"), "{e}");
        let e = read_all(&mut body(&vec![b'1'; 10_000], 64, Framing::chunked())).unwrap_err();
        assert!(e.to_string().contains("longer than 4 KiB"), "{e}");
    }

    #[test]
    fn a_silent_daemon_times_out() {
        let (ours, _theirs) = UnixStream::pair().unwrap();
        let limits = Limits { deadline: None, inactivity: Some(Duration::from_millis(50)) };
        let mut b = ZeroCopyBody::new(SharedSocket::new(crate::transport::socket::Socket::Unix(ours)), vec![0; 64], 0, Framing::chunked(), limits, String::new());
        let e = read_all(&mut b).unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::TimedOut, "{e}");
        let (ours, _theirs) = UnixStream::pair().unwrap();
        let mut b = ZeroCopyBody::new(SharedSocket::new(crate::transport::socket::Socket::Unix(ours)), vec![0; 64], 0, Framing::Length(10), limits, String::new());
        match move_all(&mut b, u64::MAX) {
            Err(MoveError::Input(e)) => assert_eq!(e.kind(), io::ErrorKind::TimedOut, "{e}"),
            other => panic!("{:?}", other.map(|v| v.len())),
        }
    }

    #[test]
    fn a_destination_without_splice_gets_the_bytes_by_write() {
        // A Unix socket as destination: splice(2) into it works on some kernels and not on
        // others; either way every byte must arrive in order.
        let d = data(500_000, 7);
        let wire = chunked(&[&d[..123_456], &d[123_456..]]);
        let (dest, mut reader) = UnixStream::pair().unwrap();
        let collector = std::thread::spawn(move || {
            let mut v = Vec::new();
            reader.read_to_end(&mut v).unwrap();
            v
        });
        let mut b = body(&wire, 8192, Framing::chunked());
        while b.move_to(dest.as_raw_fd(), u64::MAX).unwrap() > 0 {}
        drop(dest);
        assert!(collector.join().unwrap() == d);
    }
}
