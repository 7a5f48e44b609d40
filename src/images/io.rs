//! The one shape of the streaming operations (pull, push, build, load, import, save): each takes
//! the client, its options and an [`Io`] bundle, builds its progress sink from its options,
//! and checks its sources here ([`exactly_one`]).
//!
//! Also home of what uploads share: [`InputFile`] (an `input_path` streamed as a body),
//! [`Upload`] (the caller's reader or that file) and [`run_stream`] (a call answered by a JSON
//! progress stream).

use std::fs::File;
use std::io::{self, Read};
use std::path::PathBuf;

use serde_json::Value;

use crate::client::{Body, Call, Client};
use crate::error::{Error, Result};
use crate::stream::{ProgressSink, StreamSummary};

pub use crate::stream::WriteFn;
/// The content type archives and build contexts are sent with.
pub use crate::tar::CONTENT_TYPE as TAR;

/// What a streaming operation reads and writes besides the daemon: bytes it uploads (`input`:
/// load, import, build context), bytes it hands out (`output`: save), and progress messages
/// (`progress`: pull, push, build, load, import). Each operation documents which it uses; a
/// writer returns false to stop the operation (it then fails as cancelled).
#[derive(Default)]
pub struct Io<'a> {
    pub input: Option<&'a mut dyn Read>,
    pub output: Option<WriteFn<'a>>,
    pub progress: Option<WriteFn<'a>>,
}

impl<'a> Io<'a> {
    /// Nothing to read or write but the daemon.
    pub fn none() -> Io<'a> {
        Io::default()
    }

    /// Progress to `progress`.
    pub fn progress(progress: WriteFn<'a>) -> Io<'a> {
        Io { progress: Some(progress), ..Io::default() }
    }

    /// Bytes to upload from `input`.
    pub fn input(input: &'a mut dyn Read) -> Io<'a> {
        Io { input: Some(input), ..Io::default() }
    }

    /// Bytes handed out to `output`.
    pub fn output(output: WriteFn<'a>) -> Io<'a> {
        Io { output: Some(output), ..Io::default() }
    }

    /// Adds a progress writer.
    pub fn with_progress(mut self, progress: Option<WriteFn<'a>>) -> Io<'a> {
        self.progress = progress;
        self
    }
}

/// Checks that exactly one of `sources` (a name as messages say it — `a read callback`,
/// `"input_path"` — and whether it was given) was given; `subject` says what they are the
/// source of (`input`, `build context`).
pub fn exactly_one(what: &str, subject: &str, sources: &[(&str, bool)]) -> Result<()> {
    let given: Vec<&str> = sources.iter().filter(|(_, g)| *g).map(|(n, _)| *n).collect();
    let list = |names: &[&str], last: &str| match names {
        [] => String::new(),
        [one] => one.to_string(),
        [init @ .., tail] => format!("{} {last} {tail}", init.join(", ")),
    };
    match given.len() {
        1 => Ok(()),
        0 => {
            let all: Vec<&str> = sources.iter().map(|(n, _)| *n).collect();
            Err(Error::invalid(format!("{what}: no {subject}: give {}", list(&all, "or"))))
        }
        2 => Err(Error::invalid(format!(
            "{what}: the {subject} must come from exactly one source, not both {}",
            list(&given, "and")
        ))),
        _ => Err(Error::invalid(format!(
            "{what}: the {subject} must come from exactly one source, not all of {}",
            list(&given, "and")
        ))),
    }
}

/// What an upload sends: the caller's reader, a file, or nothing (the daemon fetches it).
pub enum Upload<'a> {
    Reader(&'a mut dyn Read),
    File(InputFile),
    Nothing,
}

impl<'a> Upload<'a> {
    /// The caller's reader if given, else the file `path` names (`what` names the options in
    /// messages), else nothing. The caller checked that at most one was given.
    pub fn open(reader: Option<&'a mut dyn Read>, path: Option<&str>, what: &str) -> Result<Upload<'a>> {
        Ok(match (reader, path) {
            (Some(r), _) => Upload::Reader(r),
            (None, Some(p)) => Upload::File(InputFile::open(what, p)?),
            (None, None) => Upload::Nothing,
        })
    }

    /// The request body: the bytes as a tar stream, or none.
    pub fn body(&mut self) -> Body<'_> {
        match self {
            Upload::Reader(r) => Body::Reader(*r, TAR),
            Upload::File(f) => Body::Reader(f, TAR),
            Upload::Nothing => Body::Empty,
        }
    }

    /// Replaces `e` by the file's own read failure when there was one (the HTTP layer reports
    /// it as a broken upload).
    pub fn explain(&self, e: Error) -> Error {
        match self {
            Upload::File(f) => f.explain(e),
            _ => e,
        }
    }
}

/// Sends `call` and feeds the answer's message stream to `sink`; `on_message` sees every
/// message (to collect IDs, digests, aux data). Errors inside the stream become errors.
pub fn run_stream(
    client: &Client,
    call: &Call,
    body: Body,
    sink: &mut ProgressSink,
    on_message: &mut dyn FnMut(&Value) -> Result<()>,
) -> Result<StreamSummary> {
    let response = client.send(call, body)?;
    sink.drain(response.into_reader(), on_message)
}

/// An `input_path` opened for streaming. It remembers a read failure so the operation can
/// report it as such rather than as the transport error the HTTP layer turns it into.
pub struct InputFile {
    file: File,
    shown: String,
    failure: Option<io::Error>,
}

impl InputFile {
    /// Opens `path`: not found if it does not exist, invalid argument if it is a directory or
    /// cannot be opened; `what` names the options in messages.
    pub fn open(what: &str, path: &str) -> Result<InputFile> {
        let shown = path.escape_debug().to_string();
        let p = PathBuf::from(path);
        let meta = std::fs::metadata(&p).map_err(|e| {
            if e.kind() == io::ErrorKind::NotFound {
                Error::not_found(format!("{what}: \"input_path\" \"{shown}\" does not exist"))
            } else {
                Error::invalid(format!("{what}: \"input_path\" \"{shown}\": {e}"))
            }
        })?;
        if meta.is_dir() {
            return Err(Error::invalid(format!(
                "{what}: \"input_path\" \"{shown}\" is a directory, not an archive"
            )));
        }
        let file = File::open(&p)
            .map_err(|e| Error::invalid(format!("{what}: \"input_path\" \"{shown}\": {e}")))?;
        Ok(InputFile { file, shown, failure: None })
    }

    /// Replaces `e` by the file's own read failure when there was one.
    pub fn explain(&self, e: Error) -> Error {
        match &self.failure {
            Some(f) => Error::transport(format!("reading \"input_path\" \"{}\": {f}", self.shown)),
            None => e,
        }
    }
}

impl Read for InputFile {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        loop {
            match self.file.read(buf) {
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => {
                    let copy = io::Error::new(e.kind(), e.to_string());
                    self.failure = Some(e);
                    return Err(copy);
                }
                ok => return ok,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Status;

    #[test]
    fn exactly_one_source_names_them() {
        let e = exactly_one("image load", "input", &[("a read callback", true), ("\"input_path\"", true)]).unwrap_err();
        assert!(e.message.contains("not both a read callback and \"input_path\""), "{}", e.message);
        let e = exactly_one("image load", "input", &[("a read callback", false), ("\"input_path\"", false)]).unwrap_err();
        assert!(e.message.contains("no input: give a read callback or \"input_path\""), "{}", e.message);
        let three = [("a", true), ("b", true), ("c", true)];
        assert!(exactly_one("x", "input", &three).unwrap_err().message.contains("not all of a, b and c"));
        assert!(exactly_one("x", "input", &[("a", false), ("b", true)]).is_ok());
    }

    #[test]
    fn input_files_are_checked() {
        let e = InputFile::open("load options", "/nonexistent/archive.tar").err().unwrap();
        assert_eq!(e.status, Status::NotFound);
        assert!(e.message.contains("input_path"), "{}", e.message);
        let e = InputFile::open("load options", "/").err().unwrap();
        assert_eq!(e.status, Status::InvalidArgument);
        assert!(e.message.contains("directory"), "{}", e.message);
    }
}
