//! Zero-copy answers: a GET on a connection of the library's own whose body can be moved into a
//! file descriptor without passing through this process's memory.
//!
//! ureq reads every body into its own buffer and copies it out again, and the kernel copies it
//! into that buffer: for a multi-gigabyte `docker save` written to a file or device that is
//! most of the client's CPU time. This path speaks just enough HTTP/1.1 for one GET
//! ([`request`]) over Unix sockets and plain TCP, within time [`limits`], decodes the body's framing
//! itself ([`body`]) and, on Linux, moves the data with splice(2) through a pipe of its own
//! (`pipe`); the portable path copies through a buffer. Its socket is one of the library's
//! own ([`crate::transport::socket`]), so a cancel reaches it. TLS endpoints have no such path (the
//! bytes must be decrypted here) and keep using ureq.
//!
//! The one capability offered upward is [`ZeroCopyBody::drain_into`]: move the whole body into
//! a file, letting a [`Watcher`] see every byte it must check (tar headers, say) and pass the
//! rest unseen.

mod body;
#[cfg(dc_linux)]
mod pipe;
mod limits;
mod request;

pub use body::ZeroCopyBody;
pub use request::{ZeroCopyResponse, ZeroCopyTarget};
pub use limits::Limits;

use std::fs::File;
use std::io::{Read, Write};

use body::MoveError;
use crate::error::{Error, Result};

/// Below this, bytes the watcher need not see are copied rather than moved (a splice costs a
/// few calls).
const MOVE_MIN: u64 = 64 * 1024;
/// Most bytes moved in one go, so a huge unseen stretch does not stall the watcher's bookkeeping.
const MOVE_STEP: u64 = 64 * 1024 * 1024;
/// What is read when the watcher wants to see the next bytes but cannot say how many (one tar
/// block: a header).
const LOOK_READ: usize = 512;
/// The largest read of bytes the watcher sees.
const SEEN_BUFFER: usize = 256 * 1024;

/// Follows a body as it is drained into a file.
pub trait Watcher {
    /// How many of the next bytes may reach the file without being seen (0 = show me the next
    /// ones).
    fn may_pass_unseen(&self) -> u64;
    /// Bytes seen on their way to the file.
    fn see(&mut self, bytes: &[u8]);
    /// `n` bytes reached the file unseen.
    fn passed_unseen(&mut self, n: u64);
}

impl ZeroCopyBody {
    /// Moves the whole body into `out`, showing `watcher` what it asks to see; returns the
    /// body's size. Errors: reading the daemon's answer (timeout or transport, naming `what`
    /// and the endpoint), or writing `out` (transport, naming `out_name`).
    pub fn drain_into(&mut self, out: &mut File, out_name: &str, what: &str, watcher: &mut dyn Watcher) -> Result<u64> {
        let input_error = |e: std::io::Error, body: &ZeroCopyBody| Error::from_io(e, what).at(body.endpoint_text());
        let output_error = |e: std::io::Error| Error::transport(format!("writing {out_name}: {e}"));
        let mut buf = vec![0u8; SEEN_BUFFER];
        let mut total = 0u64;
        loop {
            let unseen = watcher.may_pass_unseen();
            if unseen >= MOVE_MIN {
                let n = match self.move_to(std::os::fd::AsRawFd::as_raw_fd(out), unseen.min(MOVE_STEP)) {
                    Ok(n) => n,
                    Err(MoveError::Input(e)) => return Err(input_error(e, self)),
                    Err(MoveError::Output(e)) => return Err(output_error(e)),
                };
                if n == 0 {
                    break;
                }
                watcher.passed_unseen(n);
                total += n;
            } else {
                let want = if unseen == 0 { LOOK_READ } else { unseen as usize }.min(SEEN_BUFFER);
                let n = match fill(self, &mut buf[..want]) {
                    Ok(n) => n,
                    Err(e) => return Err(input_error(e, self)),
                };
                if n == 0 {
                    break;
                }
                watcher.see(&buf[..n]);
                out.write_all(&buf[..n]).map_err(output_error)?;
                total += n as u64;
            }
        }
        Ok(total)
    }
}

/// Reads until `buf` is full or the body ends.
fn fill(body: &mut ZeroCopyBody, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        match body.read(&mut buf[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        }
    }
    Ok(filled)
}
