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
//! cleanly. [`TarCheck`](super::tar_check::TarCheck) follows the tar structure as the bytes pass (one 512-byte header per
//! entry, data skipped by its size) and the save succeeds only if the archive ended with tar's
//! end-of-archive blocks; what follows a break is reported as the daemon's message (as JSON, or
//! as plain text from a proxy or an older engine).

use std::fs::{File, OpenOptions};
use std::io::{ErrorKind, Read, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};

use serde::Deserialize;

use crate::client::{escape_name, Body, Call, Client, Query};
use crate::error::{Error, Result};
use crate::images::platform;
use crate::images::tar_check::TarCheck;

/// How many bytes are read from the socket before the caller gets them: large enough that a
/// callback writing to a file or pipe does few, big writes.
pub const CHUNK: usize = 256 * 1024;

/// `GET /images/get` options (JSON keys are these field names).
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SaveOptions {
    /// Images to save (names, tags, IDs): a string or an array of strings, at least one.
    #[serde(default, deserialize_with = "crate::options::string_or_list")]
    pub names: Option<Vec<String>>,
    /// `"os/arch[/variant]"` or an array of them (API 1.48+, several from 1.52): save only these
    /// platforms of a multi-platform image.
    #[serde(default, deserialize_with = "crate::options::string_or_list")]
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
    for p in platform::oci_json_list(client, "save options", options.platform.as_deref())? {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_platforms_parse() {
        let o: SaveOptions = crate::options::parse("save options", Some(r#"{"names":"a:b","platform":["linux/arm64/v8"]}"#)).unwrap();
        assert_eq!(o.names.unwrap(), vec!["a:b"]);
        assert_eq!(o.platform.unwrap(), vec!["linux/arm64/v8"]);
        let e = crate::options::parse::<SaveOptions>("save options", Some(r#"{"names":["a",1]}"#)).unwrap_err();
        assert!(e.message.contains("names[1]"), "{}", e.message);
        let e = crate::options::parse::<SaveOptions>("save options", Some(r#"{"names":{}}"#)).unwrap_err();
        assert!(e.message.contains("a string or an array of strings"), "{}", e.message);
    }
}
