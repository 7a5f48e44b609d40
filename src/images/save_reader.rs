//! `docker save` read by the caller, as from a file: the caller's thread asks for the next
//! bytes of the archive and they are read from the socket straight into its buffer.
//!
//! Why a reader besides the write callback and `output_path`: a caller that wants the archive in
//! its own memory (a Python `bytes` object, a buffer it parses) gets it in one copy. A callback
//! costs a second copy (the library's buffer, then the caller's) and, for languages that must
//! hand the bytes to another thread, a hand-over per chunk; a pipe the library splices into
//! costs the kernel's copy and the reader's. Here a Unix or plain TCP connection's body is read
//! by [`ZeroCopyBody`](crate::transport::ZeroCopyBody) directly into the caller's buffer; TLS and
//! ssh endpoints go through the usual buffered reader.
//!
//! The archive is checked as it passes, as by [`save`](super::save::save): the end comes only
//! after tar's end-of-archive marker, and a daemon failure mid-archive is an error, never a
//! short archive.

use std::io::{ErrorKind, Read};

use super::save::{save_call, SaveOptions};
use crate::client::{Body, Client};
use crate::error::{Error, Result};
use crate::tar::TarCheck;
use crate::transport::ZeroCopyBody;

/// Where the archive's bytes come from.
enum Source {
    /// A connection of the library's own: bytes go from the socket into the caller's buffer.
    Direct(ZeroCopyBody),
    /// Any other endpoint (TLS, ssh through a proxy...): ureq's reader.
    Buffered(Box<dyn Read + Send>),
}

/// An open save, read by the caller until it ends.
pub struct SaveReader {
    source: Source,
    /// None once the archive has ended whole.
    check: Option<TarCheck>,
    /// The failure, given again to every later read.
    failed: Option<Error>,
}

const WHAT: &str = "reading the image archive";

impl SaveReader {
    /// Sends the save and waits for the daemon's answer (for a large image the daemon copies
    /// it before its first byte: this can take a while). The options are those of
    /// [`save`](super::save::save) without `output_path`.
    pub fn open(client: &Client, options: &SaveOptions) -> Result<SaveReader> {
        if options.output_path.is_some() {
            return Err(Error::invalid(
                "save reader options: \"output_path\" is for a save into a file; a reader hands the archive to its caller",
            ));
        }
        let call = save_call(client, options)?;
        let source = match client.send_zero_copy(&call)? {
            Some(body) => Source::Direct(body),
            None => Source::Buffered(Box::new(client.send(&call, Body::Empty)?.into_reader())),
        };
        Ok(SaveReader { source, check: Some(TarCheck::new()), failed: None })
    }

    /// Fills `buf` with the archive's next bytes unless the archive ends first; returns how
    /// many. 0 only once the whole archive has been read and checked. Bytes that arrived
    /// before a failure are returned first; the failure comes with the next read, and with
    /// every one after it.
    pub fn read(&mut self, buf: &mut [u8]) -> Result<usize> {
        if let Some(e) = &self.failed {
            return Err(e.clone());
        }
        if buf.is_empty() {
            return Err(Error::invalid("save reader: a read needs room for at least one byte"));
        }
        let Some(check) = self.check.as_mut() else { return Ok(0) };
        let mut filled = 0;
        let mut ended = false;
        let mut failure = None;
        while filled < buf.len() {
            match read_some(&mut self.source, &mut buf[filled..]) {
                Ok(0) => {
                    ended = true;
                    break;
                }
                Ok(n) => filled += n,
                Err(e) => {
                    failure = Some(e);
                    break;
                }
            }
        }
        check.feed(&buf[..filled]);
        if ended && let Some(check) = self.check.take() {
            failure = check.finish().err();
        }
        match failure {
            Some(e) if filled == 0 => {
                self.failed = Some(e.clone());
                Err(e)
            }
            Some(e) => {
                self.failed = Some(e);
                Ok(filled)
            }
            None => Ok(filled),
        }
    }
}

/// One read from the source (at least one byte, 0 at the body's end), errors named as the
/// other save paths name them.
fn read_some(source: &mut Source, buf: &mut [u8]) -> Result<usize> {
    loop {
        let got = match source {
            Source::Direct(body) => body.read(buf),
            Source::Buffered(reader) => reader.read(buf),
        };
        match got {
            Ok(n) => return Ok(n),
            Err(e) if e.kind() == ErrorKind::Interrupted => continue,
            Err(e) => {
                return Err(match source {
                    Source::Direct(body) => Error::from_io(e, WHAT).at(body.endpoint_text()),
                    Source::Buffered(_) => e.into(),
                });
            }
        }
    }
}
