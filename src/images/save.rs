//! `docker save`: `GET /images/get?names=…`, an image archive streamed to a callback or to a
//! file, in bounded memory.
//!
//! The body goes from the socket to the caller in chunks of [`CHUNK`] bytes; nothing holds more
//! than one chunk. With `output_path` a file is replaced only once the archive is complete (see
//! [`save_output`](super::save_output)).
//!
//! "Complete" is checked, not assumed: once the daemon has started sending, it can no longer
//! report a failure through the HTTP status, so it appends a JSON error message
//! (`{"errorDetail": …}`) to the half-written tar instead, and the HTTP answer still ends
//! cleanly. [`TarCheck`](crate::tar::TarCheck) follows the tar structure as the bytes pass (one 512-byte header per
//! entry, data skipped by its size) and the save succeeds only if the archive ended with tar's
//! end-of-archive blocks; what follows a break is reported as the daemon's message (as JSON, or
//! as plain text from a proxy or an older engine).

use std::io::{ErrorKind, Read};

use super::io::{exactly_one, Io};
use crate::client::{escape_name, Body, Call, Client, Query};
use crate::error::{Error, Result};
use crate::images::platform;
use crate::images::save_output::SaveOutput;
use crate::options::options_struct;
use crate::platform::without_sigpipe;
use crate::tar::TarCheck;

/// How many bytes are read from the socket before the caller gets them: large enough that a
/// callback writing to a file or pipe does few, big writes.
pub const CHUNK: usize = 256 * 1024;

options_struct! {
    /// `GET /images/get` options (JSON keys are these field names).
    pub struct SaveOptions {
        /// Images to save (names, tags, IDs): a string or an array of strings, at least one.
        #[serde(default, deserialize_with = "crate::options::string_or_list")]
        pub names: Option<Vec<String>>,
        /// `"os/arch[/variant]"` or an array of them (API 1.48+, several from 1.52): save only
        /// these platforms of a multi-platform image.
        #[serde(default, deserialize_with = "crate::options::string_or_list")]
        pub platform: Option<Vec<String>>,
        /// Write the archive to this file instead of the callback: a file is replaced only when
        /// the archive is complete; a device or FIFO (`/dev/null`, a named pipe) is written in
        /// place.
        pub output_path: Option<String>,
    }
    groups: [limits]
}

/// Saves images as one tar archive: to `io.output`, or to `options.output_path` (exactly one of
/// them). Statuses: invalid argument (bad options, both or neither destination, unusable
/// `output_path`), not found (an image, or `output_path`'s directory), unsupported (`platform`
/// on an old daemon), cancelled (`io.output` returned false), server error (the daemon failed,
/// also mid-archive), transport/timeout. On failure, bytes already given to `io.output` are not
/// a complete archive; an `output_path` file is left untouched (a device or FIFO there is
/// written in place, so it has what was written before the failure).
pub fn save(client: &Client, options: &SaveOptions, io: Io) -> Result<()> {
    exactly_one(
        "image save",
        "destination",
        &[("a write callback", io.output.is_some()), ("\"output_path\"", options.output_path.is_some())],
    )?;
    let call = save_call(client, options)?;
    match (io.output, &options.output_path) {
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
        (None, None) => Err(Error::internal("image save: no destination passed the check")),
    }
}

/// Validates the options and builds the request, checking the API version each option needs.
pub(super) fn save_call(client: &Client, options: &SaveOptions) -> Result<Call> {
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
    Ok(Call::get("/images/get").query(query).limits_of(options))
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

/// Saves to `output_path`. Over a Unix socket or plain TCP the archive's file contents (nearly
/// all of its bytes) go from the socket to the file without passing through this process
/// ([`crate::transport::zero_copy`]); tar headers and HTTP framing are read as usual so the
/// archive is still checked. TLS endpoints copy.
fn save_to_file(client: &Client, call: &Call, path: &str) -> Result<()> {
    let mut file = SaveOutput::open(path)?;
    // A FIFO whose reader goes away must fail the save, not kill the host with SIGPIPE.
    without_sigpipe(|| match client.send_zero_copy(call)? {
        Some(mut body) => {
            let mut check = TarCheck::new();
            let label = file.label();
            body.drain_into(file.file_mut(), &label, "reading the image archive", &mut check)?;
            check.finish()
        }
        None => stream_archive(client, call, &mut |chunk| file.write(chunk)),
    })?;
    file.commit()
}

/// The archive checker follows a zero-copy save: it sees headers and lets entry data pass unseen.
impl crate::transport::Watcher for TarCheck {
    fn may_pass_unseen(&self) -> u64 {
        self.skippable()
    }

    fn see(&mut self, bytes: &[u8]) {
        self.feed(bytes)
    }

    fn passed_unseen(&mut self, n: u64) {
        self.skip(n)
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
