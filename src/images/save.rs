//! `docker save`: `GET /images/get?names=…`, an image archive streamed to a callback or to a
//! file, in bounded memory.
//!
//! The body goes from the socket to the caller in chunks of [`CHUNK`] bytes; nothing holds more
//! than one chunk. With `output_path` the archive is written to a hidden temporary file next to
//! the target and renamed into place only once it is complete and synced, so a failed save never
//! leaves a truncated file where the caller expects an archive.
//!
//! "Complete" is checked, not assumed: once the daemon has started sending, it can no longer
//! report a failure through the HTTP status, so it appends a JSON error message
//! (`{"errorDetail": …}`) to the half-written tar instead, and the HTTP answer still ends
//! cleanly. [`TarCheck`] follows the tar structure as the bytes pass (one 512-byte header per
//! entry, data skipped by its size) and the save succeeds only if the archive ended with tar's
//! end-of-archive blocks; what follows a break is reported as the daemon's message (as JSON, or
//! as plain text from a proxy or an older engine).
//!
//! Also home of the option helpers the archive operations share: [`string_or_list`] and
//! [`platform_params`] (the JSON-encoded OCI platforms `save` and `load` take).

use std::fs::{File, OpenOptions};
use std::io::{ErrorKind, Read, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};

use serde::{Deserialize, Deserializer};

use crate::client::{escape_name, ApiVersion, Body, Call, Client, Query};
use crate::error::{Error, Result};
use crate::stream::stream_error;

/// How many bytes are read from the socket before the caller gets them: large enough that a
/// callback writing to a file or pipe does few, big writes.
pub const CHUNK: usize = 256 * 1024;

/// `GET /images/get` options (JSON keys are these field names).
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SaveOptions {
    /// Images to save (names, tags, IDs): a string or an array of strings, at least one.
    #[serde(default, deserialize_with = "string_or_list")]
    pub names: Option<Vec<String>>,
    /// `"os/arch[/variant]"` or an array of them (API 1.48+, several from 1.52): save only these
    /// platforms of a multi-platform image.
    #[serde(default, deserialize_with = "string_or_list")]
    pub platform: Option<Vec<String>>,
    /// Write the archive to this file instead of the callback.
    pub output_path: Option<String>,
    /// Whole-call time limit in ms (0 = none; absent = the client's).
    pub timeout_ms: Option<u64>,
    /// Longest silence between two reads in ms (0 = none; absent = the client's).
    pub inactivity_timeout_ms: Option<u64>,
}

/// Receives archive chunks; returns false to stop the save (it then fails as cancelled).
pub type ChunkFn<'a> = &'a mut dyn FnMut(&[u8]) -> bool;

/// Saves images as one tar archive: to `out`, or to `options.output_path` (exactly one of
/// them). Statuses: invalid argument (bad options, both or neither destination, unusable
/// `output_path`), not found (an image, or `output_path`'s directory), unsupported (`platform`
/// on an old daemon), cancelled (`out` returned false), server error (the daemon failed, also
/// mid-archive), transport/timeout. On failure, bytes already given to `out` are not a complete
/// archive; `output_path` is left untouched.
pub fn save(client: &Client, options: &SaveOptions, out: Option<ChunkFn>) -> Result<()> {
    one_destination(out.is_some(), options.output_path.is_some())?;
    let call = save_call(client, options)?;
    match (out, &options.output_path) {
        (Some(out), _) => {
            stream_archive(client, &call, &mut |chunk| {
                if out(chunk) {
                    Ok(())
                } else {
                    Err(Error::cancelled("the write callback asked to stop; the save was stopped"))
                }
            })?;
            Ok(())
        }
        (None, Some(path)) => save_to_file(client, &call, path),
        (None, None) => unreachable!("checked by one_destination"),
    }
}

fn one_destination(has_callback: bool, has_path: bool) -> Result<()> {
    match (has_callback, has_path) {
        (true, true) => Err(Error::invalid(
            "image save: give either a write callback or \"output_path\", not both",
        )),
        (false, false) => Err(Error::invalid(
            "image save: the write callback is NULL and no \"output_path\" was given",
        )),
        _ => Ok(()),
    }
}

/// Validates the options and builds the request, checking the API version each option needs.
fn save_call(client: &Client, options: &SaveOptions) -> Result<Call> {
    let names = options.names.as_deref().unwrap_or_default();
    if names.is_empty() {
        return Err(Error::invalid(
            "save options: \"names\" must name at least one image",
        ));
    }
    let mut query = Query::new();
    for (i, name) in names.iter().enumerate() {
        // The same rules as a name in a path: no empty names, no control of the request.
        escape_name(&format!("save options: \"names\"[{i}]"), name)?;
        // Repeated `names=` parameters: a comma-joined list would be one (wrong) name.
        query.push("names", name.as_str());
    }
    for p in platform_params(client, "save options", options.platform.as_deref())? {
        query.push("platform", p);
    }
    Ok(Call::get("/images/get")
        .query(query)
        .limits(options.timeout_ms, options.inactivity_timeout_ms))
}

/// Sends `call` and hands the archive to `deliver` chunk by chunk; returns the size. Fails
/// unless the archive ended properly (see the module documentation).
fn stream_archive(
    client: &Client,
    call: &Call,
    deliver: &mut dyn FnMut(&[u8]) -> Result<()>,
) -> Result<u64> {
    let response = client.send(call, Body::Empty)?;
    let mut reader = response.into_reader();
    let mut buf = vec![0u8; CHUNK];
    let mut check = TarCheck::new();
    loop {
        let n = fill(&mut reader, &mut buf)?;
        if n == 0 {
            break;
        }
        check.feed(&buf[..n]);
        // Returning early drops the reader mid-body: the connection is closed, not reused.
        deliver(&buf[..n])?;
    }
    check.finish()
}

/// Reads until `buf` is full or the stream ends.
fn fill(reader: &mut dyn Read, buf: &mut [u8]) -> Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        match reader.read(&mut buf[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == ErrorKind::Interrupted => continue,
            Err(e) => return Err(e.into()),
        }
    }
    Ok(filled)
}

fn save_to_file(client: &Client, call: &Call, path: &str) -> Result<()> {
    let mut file = PendingFile::create(path)?;
    stream_archive(client, call, &mut |chunk| file.write(chunk))?;
    file.commit()
}

/// Numbers temporary files within this process.
static TEMP_COUNTER: AtomicU64 = AtomicU64::new(0);

/// The temporary file a save writes before renaming it to `output_path`. Dropped without
/// [`PendingFile::commit`] (any failure, a panic), it removes itself.
struct PendingFile {
    file: Option<File>,
    temp: PathBuf,
    target: PathBuf,
    /// `output_path` as the caller wrote it, for messages.
    shown: String,
}

impl PendingFile {
    /// Checks `output_path` and creates `<dir>/.<name>.tmp-<pid>-<n>` (mode 0644 less the
    /// umask) before anything is sent to the daemon.
    fn create(path: &str) -> Result<PendingFile> {
        let shown = path.escape_debug().to_string();
        if path.is_empty() {
            return Err(Error::invalid("save options: \"output_path\" is empty"));
        }
        let target = PathBuf::from(path);
        if path.ends_with('/') || target.is_dir() {
            return Err(Error::invalid(format!(
                "save options: \"output_path\" \"{shown}\" is a directory; name the archive file"
            )));
        }
        let Some(name) = target.file_name() else {
            return Err(Error::invalid(format!(
                "save options: \"output_path\" \"{shown}\" does not name a file"
            )));
        };
        let dir = match target.parent() {
            Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
            _ => PathBuf::from("."),
        };
        if !dir.is_dir() {
            let e = if dir.exists() {
                Error::invalid(format!(
                    "save options: \"output_path\" \"{shown}\": \"{}\" is not a directory",
                    dir.display()
                ))
            } else {
                Error::not_found(format!(
                    "save options: \"output_path\" \"{shown}\": directory \"{}\" does not exist",
                    dir.display()
                ))
            };
            return Err(e);
        }
        let mut temp_name = std::ffi::OsString::from(".");
        temp_name.push(name);
        temp_name.push(format!(
            ".tmp-{}-{}",
            std::process::id(),
            TEMP_COUNTER.fetch_add(1, Ordering::Relaxed)
        ));
        let temp = dir.join(temp_name);
        let file = OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o644)
            .open(&temp)
            .map_err(|e| {
                Error::invalid(format!(
                    "save options: \"output_path\" \"{shown}\": cannot create \"{}\": {e}",
                    temp.display()
                ))
            })?;
        Ok(PendingFile { file: Some(file), temp, target, shown })
    }

    fn write(&mut self, chunk: &[u8]) -> Result<()> {
        let file = self.file.as_mut().expect("file open until commit");
        file.write_all(chunk).map_err(|e| self.io_error("writing", e))
    }

    /// Syncs the complete archive and renames it into place.
    fn commit(mut self) -> Result<()> {
        let file = self.file.take().expect("file open until commit");
        file.sync_all().map_err(|e| self.io_error("syncing", e))?;
        drop(file);
        std::fs::rename(&self.temp, &self.target)
            .map_err(|e| self.io_error("renaming the finished archive to", e))?;
        // The rename itself survives a crash only once the directory is synced; best effort.
        if let Some(dir) = self.target.parent().filter(|d| !d.as_os_str().is_empty())
            && let Ok(d) = File::open(dir)
        {
            let _ = d.sync_all();
        }
        self.temp = PathBuf::new();
        Ok(())
    }

    fn io_error(&self, doing: &str, e: std::io::Error) -> Error {
        Error::transport(format!("{doing} \"output_path\" \"{}\": {e}", self.shown))
    }
}

impl Drop for PendingFile {
    fn drop(&mut self) {
        drop(self.file.take());
        if !self.temp.as_os_str().is_empty() {
            let _ = std::fs::remove_file(&self.temp);
        }
    }
}

/// Tar's block size.
const BLOCK: usize = 512;
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

/// Deserializes a string or an array of strings into a list (`null` = absent).
pub fn string_or_list<'de, D: Deserializer<'de>>(d: D) -> std::result::Result<Option<Vec<String>>, D::Error> {
    struct V;
    impl<'de> serde::de::Visitor<'de> for V {
        type Value = Option<Vec<String>>;
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("a string or an array of strings")
        }
        fn visit_unit<E>(self) -> std::result::Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_none<E>(self) -> std::result::Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_str<E>(self, s: &str) -> std::result::Result<Self::Value, E> {
            Ok(Some(vec![s.to_string()]))
        }
        fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> std::result::Result<Self::Value, A::Error> {
            let mut out = Vec::new();
            while let Some(s) = seq.next_element::<String>()? {
                out.push(s);
            }
            Ok(Some(out))
        }
    }
    d.deserialize_any(V)
}

/// The `platform` query values of `save` and `load`: each `"os/arch[/variant]"` becomes the
/// JSON-encoded OCI platform the daemon expects (as the docker CLI sends it). One platform needs
/// API 1.48, several 1.52; the version is checked only when platforms are given.
pub fn platform_params(client: &Client, what: &str, platforms: Option<&[String]>) -> Result<Vec<String>> {
    let Some(platforms) = platforms else {
        return Ok(Vec::new());
    };
    if platforms.is_empty() {
        return Err(Error::invalid(format!("{what}: \"platform\" is an empty list")));
    }
    let encoded = platforms
        .iter()
        .enumerate()
        .map(|(i, p)| oci_platform_json(p).map_err(|m| Error::invalid(format!("{what}: \"platform\"[{i}]: {m}"))))
        .collect::<Result<Vec<_>>>()?;
    client.require(&format!("{what}: \"platform\""), ApiVersion::new(1, 48))?;
    if encoded.len() > 1 {
        client.require(&format!("{what}: several \"platform\" values"), ApiVersion::new(1, 52))?;
    }
    Ok(encoded)
}

/// `"linux/arm64/v8"` → `{"architecture":"arm64","os":"linux","variant":"v8"}`.
fn oci_platform_json(p: &str) -> std::result::Result<String, String> {
    let parts = platform_parts(p)?;
    if parts.len() < 2 {
        return Err(format!(
            "\"{}\" names no architecture; give \"os/arch[/variant]\", e.g. \"linux/amd64\"",
            p.escape_debug()
        ));
    }
    let mut obj = serde_json::Map::new();
    obj.insert("architecture".into(), parts[1].clone().into());
    obj.insert("os".into(), parts[0].clone().into());
    if let Some(v) = parts.get(2) {
        obj.insert("variant".into(), v.clone().into());
    }
    Ok(serde_json::Value::Object(obj).to_string())
}

/// Splits and checks `"os[/arch[/variant]]"`, lower-cased as the daemon normalizes it.
pub fn platform_parts(p: &str) -> std::result::Result<Vec<String>, String> {
    let parts: Vec<&str> = p.split('/').collect();
    let ok = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_alphanumeric() || b"_.-".contains(&b));
    if parts.len() > 3 || !parts.iter().all(|s| ok(s)) {
        return Err(format!(
            "\"{}\" is not a platform; expected \"os[/arch[/variant]]\", e.g. \"linux/amd64\"",
            p.escape_debug()
        ));
    }
    Ok(parts.iter().map(|s| s.to_ascii_lowercase()).collect())
}

#[cfg(test)]
mod tests {
    use super::*;
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

    #[test]
    fn names_and_platforms_parse() {
        let o: SaveOptions = crate::options::parse("save options", Some(r#"{"names":"a:b","platform":["linux/arm64/v8"]}"#)).unwrap();
        assert_eq!(o.names.unwrap(), vec!["a:b"]);
        assert_eq!(o.platform.unwrap(), vec!["linux/arm64/v8"]);
        let e = crate::options::parse::<SaveOptions>("save options", Some(r#"{"names":["a",1]}"#)).unwrap_err();
        assert!(e.message.contains("names[1]"), "{}", e.message);
        let e = crate::options::parse::<SaveOptions>("save options", Some(r#"{"names":{}}"#)).unwrap_err();
        assert!(e.message.contains("a string or an array of strings"), "{}", e.message);
        assert_eq!(
            oci_platform_json("Linux/ARM64/v8").unwrap(),
            r#"{"architecture":"arm64","os":"linux","variant":"v8"}"#
        );
        assert!(oci_platform_json("linux").is_err());
        assert!(oci_platform_json("linux//x").is_err());
        assert!(oci_platform_json("a/b/c/d").is_err());
        assert!(oci_platform_json("linux/amd64&x=1").is_err());
    }
}
