//! Checks, as an archive streams past, that it is a whole tar: one 512-byte header per entry,
//! data skipped by its size (PAX `size` records honoured), and tar's end-of-archive blocks at
//! the end. The daemon cannot report a failure through the HTTP status once a save has
//! started, so it appends a JSON error to the half-written tar: whatever follows a break is
//! kept (bounded) and reported as the daemon's message.

use crate::error::{Error, Result};
use crate::stream::stream_error;

use super::BLOCK;
/// How much of what follows a broken archive is kept to explain it (the daemon's error text).
const MAX_TAIL: usize = 4096;
/// Largest PAX extended header read for a `size` record; real ones are a few hundred bytes.
const MAX_PAX: u64 = 64 * 1024;

/// Where [`TarCheck`] stands in the archive.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum TarState {
    /// Expecting a header block.
    Header,
    /// Skipping an entry's data, padding included.
    Data(u64),
    /// Reading a PAX extended header's records (data, then padding).
    Pax { data: u64, padding: u64 },
    /// One zero block seen: the end-of-archive marker has started.
    ZeroBlock,
    /// Two zero blocks seen: the archive is complete; only zero padding may follow.
    End,
    /// Not a valid tar from here on; the rest is kept (up to [`MAX_TAIL`]) to explain it.
    Broken,
    /// An entry this checker does not follow (GNU sparse files): stop checking, accept.
    Unchecked,
}

/// Follows the structure of a tar stream fed in arbitrary chunks, in constant memory: one
/// header block, at most [`MAX_PAX`] of PAX records, at most [`MAX_TAIL`] of trailing text.
pub struct TarCheck {
    state: TarState,
    block: Box<[u8; BLOCK]>,
    filled: usize,
    offset: u64,
    pax: Vec<u8>,
    /// A `size` from a PAX header, for the next entry.
    pax_size: Option<u64>,
    /// Where the block being assembled started.
    block_start: u64,
    broken_at: u64,
    broken_why: &'static str,
    tail: Vec<u8>,
}

impl Default for TarCheck {
    fn default() -> Self {
        TarCheck::new()
    }
}

impl TarCheck {
    pub fn new() -> TarCheck {
        TarCheck {
            state: TarState::Header,
            block: Box::new([0; BLOCK]),
            filled: 0,
            offset: 0,
            pax: Vec::new(),
            pax_size: None,
            block_start: 0,
            broken_at: 0,
            broken_why: "",
            tail: Vec::new(),
        }
    }

    /// Follows the next bytes of the stream.
    pub fn feed(&mut self, mut bytes: &[u8]) {
        while !bytes.is_empty() {
            let used = match self.state {
                TarState::Data(left) => {
                    let n = left.min(bytes.len() as u64);
                    self.state = if n == left { TarState::Header } else { TarState::Data(left - n) };
                    n as usize
                }
                TarState::Pax { data, padding } => {
                    let n = data.min(bytes.len() as u64) as usize;
                    if n > 0 {
                        self.pax.extend_from_slice(&bytes[..n]);
                        self.state = TarState::Pax { data: data - n as u64, padding };
                        n
                    } else {
                        let n = padding.min(bytes.len() as u64);
                        if n == padding {
                            self.pax_size = pax_size(&self.pax);
                            self.pax = Vec::new();
                            self.state = TarState::Header;
                        } else {
                            self.state = TarState::Pax { data: 0, padding: padding - n };
                        }
                        n as usize
                    }
                }
                TarState::Broken => {
                    let room = MAX_TAIL.saturating_sub(self.tail.len()).min(bytes.len());
                    self.tail.extend_from_slice(&bytes[..room]);
                    bytes.len()
                }
                TarState::Unchecked => bytes.len(),
                TarState::Header | TarState::ZeroBlock | TarState::End => {
                    if self.filled == 0 {
                        self.block_start = self.offset;
                    }
                    let n = (BLOCK - self.filled).min(bytes.len());
                    self.block[self.filled..self.filled + n].copy_from_slice(&bytes[..n]);
                    self.filled += n;
                    if self.filled == BLOCK {
                        self.filled = 0;
                        self.on_block();
                    }
                    n
                }
            };
            self.offset += used as u64;
            bytes = &bytes[used..];
        }
    }

    fn on_block(&mut self) {
        let zero = self.block.iter().all(|&b| b == 0);
        self.state = match (self.state, zero) {
            (TarState::Header, true) => TarState::ZeroBlock,
            (TarState::ZeroBlock | TarState::End, true) => TarState::End,
            (TarState::Header, false) => self.on_header(),
            (_, false) => self.broken("data after the end-of-archive marker"),
            (s, true) => s,
        };
    }

    fn on_header(&mut self) -> TarState {
        let h = &*self.block;
        if !checksum_ok(h) {
            return self.broken("a header block with a wrong checksum");
        }
        let Some(size) = header_size(h) else {
            return self.broken("a header with an unreadable size");
        };
        let pax_size = self.pax_size.take();
        match h[156] {
            // Header-only entries: links, devices, directories, FIFOs carry no data.
            b'1' | b'2' | b'3' | b'4' | b'5' | b'6' => TarState::Header,
            // PAX extended header: its records may carry the next entry's real size.
            b'x' if size <= MAX_PAX => TarState::Pax { data: size, padding: padding(size) },
            // Huge PAX records or GNU sparse files: not followed; the rest is not checked.
            b'x' | b'S' => TarState::Unchecked,
            _ => {
                let size = pax_size.unwrap_or(size);
                match size.checked_add(padding(size)) {
                    Some(0) => TarState::Header,
                    Some(n) => TarState::Data(n),
                    None => self.broken("a header with an impossible size"),
                }
            }
        }
    }

    fn broken(&mut self, why: &'static str) -> TarState {
        self.broken_at = self.block_start;
        self.broken_why = why;
        self.tail = self.block.to_vec();
        TarState::Broken
    }

    /// How many of the next bytes this checker would only count, never look at (an entry's
    /// data and padding; everything once it stopped checking): those may bypass it, reported
    /// with [`TarCheck::skip`].
    pub fn skippable(&self) -> u64 {
        match self.state {
            TarState::Data(left) => left,
            TarState::Unchecked => u64::MAX,
            _ => 0,
        }
    }

    /// Follows `n` bytes it was not shown; `n` is at most [`TarCheck::skippable`].
    pub fn skip(&mut self, n: u64) {
        match self.state {
            TarState::Data(left) => {
                debug_assert!(n <= left, "skipped past the entry's data");
                let n = n.min(left);
                self.state = if n == left { TarState::Header } else { TarState::Data(left - n) };
                self.offset += n;
            }
            TarState::Unchecked => self.offset += n,
            _ => debug_assert!(n == 0, "skipped bytes the checker must see"),
        }
    }

    /// Bytes followed so far.
    pub fn offset(&self) -> u64 {
        self.offset
    }

    /// `Ok(size)` when the stream was a whole tar archive; otherwise the error to report,
    /// carrying the daemon's message when the stream ended with one.
    pub fn finish(self) -> Result<u64> {
        let partial = &self.block[..self.filled];
        let (why, tail): (String, &[u8]) = match self.state {
            // Zero padding after the end-of-archive marker is fine.
            TarState::End if partial.iter().all(|&b| b == 0) => return Ok(self.offset),
            TarState::Unchecked => return Ok(self.offset),
            TarState::Broken => (
                format!("it has {} at byte {}", self.broken_why, self.broken_at),
                &self.tail,
            ),
            TarState::End | TarState::ZeroBlock | TarState::Header => (
                format!("it ended after {} bytes, before the end-of-archive marker", self.offset),
                partial,
            ),
            TarState::Data(_) | TarState::Pax { .. } => (
                format!("it ended after {} bytes, inside an entry", self.offset),
                &[][..],
            ),
        };
        Err(incomplete_archive(&why, tail))
    }
}

/// The error for an archive that is not whole, with the daemon's own message when the bytes
/// after the break are one (a JSON error message, or plain text).
fn incomplete_archive(why: &str, tail: &[u8]) -> Error {
    let daemon = daemon_text(tail);
    let mut e = match daemon.as_deref() {
        Some(m) => {
            let from_json = serde_json::from_str::<serde_json::Value>(m).ok().and_then(|v| stream_error(&v));
            let mut e = from_json.unwrap_or_else(|| Error::server(m));
            e.daemon_message = Some(e.daemon_message.clone().unwrap_or_else(|| m.to_string()));
            e
        }
        None => Error::server("no reason given"),
    };
    e.message = format!("the image archive from the daemon is incomplete ({why}): {}", e.message);
    e
}

/// Printable text in `tail` (trimmed of padding), or `None`.
fn daemon_text(tail: &[u8]) -> Option<String> {
    let end = tail.iter().rposition(|&b| b != 0).map_or(0, |i| i + 1);
    let text = std::str::from_utf8(&tail[..end]).ok()?.trim();
    let printable = !text.is_empty() && text.chars().all(|c| !c.is_control() || c == '\n' || c == '\t');
    printable.then(|| text.to_string())
}

fn padding(size: u64) -> u64 {
    (BLOCK as u64 - size % BLOCK as u64) % BLOCK as u64
}

/// The checksum field holds the sum of the header's bytes, the field itself counted as spaces;
/// old writers summed signed bytes, so either sum is accepted.
fn checksum_ok(h: &[u8; BLOCK]) -> bool {
    let Some(stored) = octal(&h[148..156]) else {
        return false;
    };
    let (mut unsigned, mut signed) = (0u64, 0i64);
    for (i, &b) in h.iter().enumerate() {
        let b = if (148..156).contains(&i) { b' ' } else { b };
        unsigned += u64::from(b);
        signed += i64::from(b as i8);
    }
    stored == unsigned || i64::try_from(stored).is_ok_and(|s| s == signed)
}

/// The size field: octal, or GNU base-256 when its first byte has the high bit set.
fn header_size(h: &[u8; BLOCK]) -> Option<u64> {
    let field = &h[124..136];
    if field[0] & 0x80 != 0 {
        if field[0] & 0x40 != 0 {
            return None; // negative
        }
        let mut v: u64 = u64::from(field[0] & 0x3f);
        for &b in &field[1..] {
            v = v.checked_mul(256)?.checked_add(u64::from(b))?;
        }
        return Some(v);
    }
    octal(field)
}

/// An octal number field: leading spaces/NULs, digits, then NUL or space. Empty is 0.
fn octal(field: &[u8]) -> Option<u64> {
    let mut v: u64 = 0;
    let mut digits = false;
    for &b in field {
        match b {
            b'0'..=b'7' => {
                v = v.checked_mul(8)?.checked_add(u64::from(b - b'0'))?;
                digits = true;
            }
            b' ' | 0 if !digits => {}
            b' ' | 0 => break,
            _ => return None,
        }
    }
    Some(v)
}

/// The `size` record of PAX extended header data (`"<len> size=<n>\n"` records).
fn pax_size(records: &[u8]) -> Option<u64> {
    let mut rest = records;
    let mut size = None;
    while !rest.is_empty() {
        let space = rest.iter().position(|&b| b == b' ')?;
        let len: usize = std::str::from_utf8(&rest[..space]).ok()?.parse().ok()?;
        if len <= space || len > rest.len() {
            return size;
        }
        let record = &rest[space + 1..len];
        let record = record.strip_suffix(b"\n").unwrap_or(record);
        if let Some(v) = record.strip_prefix(b"size=") {
            size = std::str::from_utf8(v).ok().and_then(|s| s.parse().ok());
        }
        rest = &rest[len..];
    }
    size
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn skipping_data_is_the_same_as_feeding_it() {
        let mut b = tar::Builder::new(Vec::new());
        for (name, size) in [("a", 70_000usize), ("b", 0), ("c", 513)] {
            let mut h = tar::Header::new_gnu();
            h.set_size(size as u64);
            h.set_mode(0o644);
            h.set_cksum();
            b.append_data(&mut h, name, &vec![7u8; size][..]).unwrap();
        }
        let archive = b.into_inner().unwrap();
        let mut check = TarCheck::new();
        let mut at = 0usize;
        while at < archive.len() {
            let skip = check.skippable().min((archive.len() - at) as u64) as usize;
            if skip > 0 {
                check.skip(skip as u64);
                at += skip;
            } else {
                check.feed(&archive[at..at + 512]);
                at += 512;
            }
        }
        assert_eq!(check.finish().unwrap(), archive.len() as u64);
    }
    use crate::error::Status;

    fn archive(build: impl FnOnce(&mut tar::Builder<Vec<u8>>)) -> Vec<u8> {
        let mut b = tar::Builder::new(Vec::new());
        build(&mut b);
        b.into_inner().unwrap()
    }

    fn file(b: &mut tar::Builder<Vec<u8>>, name: &str, data: &[u8]) {
        let mut h = tar::Header::new_gnu();
        h.set_size(data.len() as u64);
        h.set_mode(0o644);
        h.set_cksum();
        b.append_data(&mut h, name, data).unwrap();
    }

    fn check_in_chunks(bytes: &[u8], chunk: usize) -> Result<u64> {
        let mut c = TarCheck::new();
        for part in bytes.chunks(chunk) {
            c.feed(part);
        }
        c.finish()
    }

    fn sample() -> Vec<u8> {
        archive(|b| {
            file(b, "manifest.json", b"[]");
            file(b, "abc/layer.tar", &vec![7u8; 5000]);
            file(b, "empty", b"");
            let mut d = tar::Header::new_gnu();
            d.set_entry_type(tar::EntryType::Directory);
            d.set_size(0);
            d.set_cksum();
            b.append_data(&mut d, "dir/", &[][..]).unwrap();
            let mut l = tar::Header::new_gnu();
            l.set_entry_type(tar::EntryType::Symlink);
            l.set_size(0);
            b.append_link(&mut l, "link", "abc/layer.tar").unwrap();
            // A GNU long name, then a PAX header with records.
            file(b, &format!("{}/long", "x".repeat(200)), b"long");
            b.append_pax_extensions([("path", &b"pax/named"[..])]).unwrap();
            file(b, "after-pax", b"data");
        })
    }

    #[test]
    fn whole_archives_pass_in_any_chunking() {
        let bytes = sample();
        for chunk in [1, 7, 511, 512, 513, 4096, bytes.len()] {
            assert_eq!(check_in_chunks(&bytes, chunk).unwrap(), bytes.len() as u64, "chunk {chunk}");
        }
    }

    #[test]
    fn truncation_anywhere_fails() {
        let bytes = sample();
        for cut in [0, 100, 512, 700, 1024, 3000, bytes.len() - 1024, bytes.len() - 1] {
            let e = check_in_chunks(&bytes[..cut], 333).unwrap_err();
            assert_eq!(e.status, Status::ServerError, "cut {cut}: {e}");
            assert!(e.message.contains("incomplete"), "{}", e.message);
        }
    }

    #[test]
    fn the_end_marker_is_two_zero_blocks() {
        let bytes = sample();
        assert!(check_in_chunks(&bytes[..bytes.len() - 512], 1000).is_err());
        assert!(check_in_chunks(&bytes[..bytes.len() - 1], 1000).is_err());
    }

    #[test]
    fn appended_error_text_becomes_the_message() {
        let bytes = sample();
        // Plain text right after the last complete entry.
        let mut cut = bytes[..bytes.len() - 1024].to_vec();
        cut.extend_from_slice(b"write /var/lib/docker/tmp/x: no space left on device");
        let e = check_in_chunks(&cut, 4096).unwrap_err();
        assert_eq!(e.daemon_message.as_deref(), Some("write /var/lib/docker/tmp/x: no space left on device"));
        assert!(e.message.contains("no space left"), "{}", e.message);
        // The engine's JSON error message, longer than a block.
        let mut cut = bytes[..bytes.len() - 1024].to_vec();
        let long = "y".repeat(600);
        cut.extend_from_slice(format!("{{\"errorDetail\":{{\"message\":\"{long}\"}},\"error\":\"{long}\"}}\r\n").as_bytes());
        let e = check_in_chunks(&cut, 100).unwrap_err();
        assert_eq!(e.daemon_message.as_deref(), Some(long.as_str()));
        assert!(e.message.contains("wrong checksum"), "{}", e.message);
    }

    #[test]
    fn garbage_after_the_end_fails_but_zero_padding_does_not() {
        let mut bytes = sample();
        bytes.extend_from_slice(&[0u8; 10240]);
        assert!(check_in_chunks(&bytes, 999).is_ok());
        bytes.extend_from_slice(b"oops");
        bytes.extend_from_slice(&[0u8; 508]);
        assert!(check_in_chunks(&bytes, 999).is_err());
    }

    #[test]
    fn pax_size_overrides_the_header() {
        // A PAX header announcing a size the ustar field does not hold (as Go writes > 8 GiB).
        let mut b = tar::Builder::new(Vec::new());
        b.append_pax_extensions([("size", &b"3000"[..])]).unwrap();
        let mut h = tar::Header::new_ustar();
        h.set_path("big").unwrap();
        h.set_size(0);
        h.set_cksum();
        let mut bytes = b.into_inner().unwrap();
        bytes.truncate(bytes.len() - 1024); // into_inner wrote the end-of-archive marker
        bytes.extend_from_slice(h.as_bytes());
        bytes.extend_from_slice(&[1u8; 3000]);
        bytes.extend_from_slice(&[0u8; 3072 - 3000]);
        bytes.extend_from_slice(&[0u8; 1024]);
        check_in_chunks(&bytes, 500).unwrap();
        assert_eq!(pax_size(b"11 size=30\n10 path=x\n"), Some(30));
        assert_eq!(pax_size(b"garbage"), None);
    }

    #[test]
    fn base256_and_octal_sizes() {
        let mut h = [0u8; BLOCK];
        h[124..136].copy_from_slice(b"00000001000\0");
        assert_eq!(header_size(&h), Some(512));
        h[124..136].copy_from_slice(&[0x80, 0, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0]);
        assert_eq!(header_size(&h), Some(2 << 16));
        h[124..136].copy_from_slice(b"12x45\0\0\0\0\0\0\0");
        assert_eq!(header_size(&h), None);
    }
}
