//! The build context as a request body: the tar is written by a producer thread into a pipe and
//! read from the other end, so memory stays bounded (pipe + write buffer) whatever its size.
//!
//! The producer's failures reach the consumer: at the end of the stream a read returns an
//! `io::Error` naming the file (so an HTTP client stops sending and the daemon never sees a
//! complete-looking context), and [`ContextStream::producer_error`] gives the typed error.
//! Dropping the stream early closes the pipe; the producer's next write fails and its thread
//! is joined. SIGPIPE is blocked on the producer thread: this library lives inside C programs
//! that may leave SIGPIPE's default action (terminate) in place.

use std::fs;
use std::io::{self, PipeReader, PipeWriter, Read, Write};
use std::path::Path;
use std::thread::{self, JoinHandle};

use crate::build_context::walk::{ContextSpec, write_context};
use crate::build_context::ignore::IgnoreRules;
use crate::error::{Error, Result, Status};

/// Reads `<dir>/.dockerignore`; no file means no rules. Errors name the file.
pub fn load_rules(dir: &Path) -> Result<IgnoreRules> {
    let path = dir.join(".dockerignore");
    match fs::read(&path) {
        Ok(content) => IgnoreRules::parse(&content).map_err(|e| e.context(path.display())),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(IgnoreRules::empty()),
        Err(e) => Err(Error::invalid(format!("cannot read {}: {e}", path.display()))),
    }
}

/// A build context being produced on another thread; read it like a file.
pub struct ContextStream {
    reader: Option<PipeReader>,
    producer: Option<JoinHandle<Result<u64>>>,
    /// The producer's result once its thread has been joined: bytes written, or its error.
    outcome: Option<Result<u64>>,
    bytes_read: u64,
    eof: bool,
}

impl ContextStream {
    /// Starts producing the tar of `spec` with `rules`. A missing context directory is
    /// reported here; anything found later is reported through reads and `finish`.
    pub fn start(spec: ContextSpec, rules: IgnoreRules) -> Result<ContextStream> {
        match fs::metadata(&spec.dir) {
            Ok(md) if md.is_dir() => {}
            Ok(_) => return Err(Error::invalid(format!("build context {} is not a directory", spec.dir.display()))),
            Err(e) => {
                let status = if e.kind() == io::ErrorKind::NotFound { Status::NotFound } else { Status::InvalidArgument };
                return Err(Error::new(status, format!("cannot open build context {}: {e}", spec.dir.display())));
            }
        }
        let (reader, writer) = io::pipe().map_err(|e| Error::internal(format!("cannot create a pipe: {e}")))?;
        let producer = thread::Builder::new()
            .name("dc-build-context".into())
            .spawn(move || {
                crate::platform::block_sigpipe_on_this_thread();
                let out = write_context(&spec, &rules, Counted { inner: writer, bytes: 0 })?;
                // Dropping `out` closes the pipe: the reader sees the end of the stream.
                Ok(out.bytes)
            })
            .map_err(|e| Error::internal(format!("cannot start the build context thread: {e}")))?;
        Ok(ContextStream { reader: Some(reader), producer: Some(producer), outcome: None, bytes_read: 0, eof: false })
    }

    /// The producer's error, if it has failed: use it after a send failed to tell a context
    /// problem (unreadable file: `InvalidArgument`/`NotFound`) from a transport one. Never blocks.
    pub fn producer_error(&mut self) -> Option<Error> {
        if self.outcome.is_none() && self.producer.as_ref().is_some_and(|h| h.is_finished()) {
            self.join();
        }
        match &self.outcome {
            Some(Err(e)) => Some(e.clone()),
            _ => None,
        }
    }

    /// Bytes handed to the consumer so far.
    pub fn bytes_read(&self) -> u64 {
        self.bytes_read
    }

    /// Ends the stream: closes the pipe, waits for the producer and returns the size of the
    /// context, or the producer's error, or `Cancelled` if the stream was not read to the end.
    pub fn finish(mut self) -> Result<u64> {
        self.reader = None;
        self.join();
        let outcome = self.outcome.take().unwrap_or_else(|| Err(Error::internal("build context producer vanished")));
        let not_read = || Error::cancelled("the build context was not read to the end");
        match outcome {
            // A write error after an early stop is only the consequence of closing the pipe.
            Err(e) if !self.eof && e.status == Status::Transport => Err(not_read()),
            Err(e) => Err(e),
            Ok(n) if !self.eof || self.bytes_read != n => Err(not_read()),
            Ok(n) => Ok(n),
        }
    }

    fn join(&mut self) {
        if let Some(handle) = self.producer.take() {
            let result = handle
                .join()
                .unwrap_or_else(|_| Err(Error::internal("the build context producer panicked")));
            self.outcome = Some(result);
        }
    }

    /// What a read at the end of the pipe returns: EOF, or the producer's error.
    fn at_end(&self) -> io::Result<usize> {
        match &self.outcome {
            Some(Err(e)) => Err(io::Error::other(e.message.clone())),
            _ => Ok(0),
        }
    }
}

impl Read for ContextStream {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.eof {
            return self.at_end();
        }
        let Some(reader) = self.reader.as_mut() else { return Ok(0) };
        if buf.is_empty() {
            return Ok(0);
        }
        let n = reader.read(buf)?;
        if n > 0 {
            self.bytes_read += n as u64;
            return Ok(n);
        }
        // The write end closed: the producer is done, successfully or not.
        self.eof = true;
        self.join();
        self.at_end()
    }
}

impl Drop for ContextStream {
    fn drop(&mut self) {
        // Close our end first so a producer blocked on a full pipe gets EPIPE and stops.
        self.reader = None;
        self.join();
    }
}

/// Counts what the producer writes (the size `finish` reports).
struct Counted {
    inner: PipeWriter,
    bytes: u64,
}

impl Write for Counted {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.bytes += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::{TempDir, as_nobody, can_provoke_eacces, names, read_tar};
    use std::os::unix::fs::PermissionsExt;
    use std::time::{Duration, Instant};

    #[test]
    fn stream_carries_the_same_tar_and_finish_reports_its_size() {
        let d = TempDir::new("stream");
        d.file("a", b"hello");
        d.file("b/c", &vec![7u8; 300_000]);
        let spec = ContextSpec::new(d.path());
        let direct = write_context(&spec, &IgnoreRules::empty(), Vec::new()).unwrap();
        let mut s = ContextStream::start(spec, IgnoreRules::empty()).unwrap();
        let mut got = Vec::new();
        s.read_to_end(&mut got).unwrap();
        assert_eq!(got, direct);
        assert!(s.producer_error().is_none());
        assert_eq!(s.finish().unwrap(), direct.len() as u64);
        assert_eq!(names(&read_tar(&got)), ["a", "b/", "b/c"]);
    }

    #[test]
    fn producer_error_reaches_the_reader_and_finish() {
        let d = TempDir::new("stream-err");
        d.file("a", b"x");
        let mut spec = ContextSpec::new(d.path());
        spec.extra_files.push(("../outside".into(), b"x".to_vec()));
        let mut s = ContextStream::start(spec, IgnoreRules::empty()).unwrap();
        let mut got = Vec::new();
        let err = s.read_to_end(&mut got).unwrap_err();
        assert!(err.to_string().contains("../outside"), "{err}");
        // Reading again keeps failing: the stream cannot pass for a complete one.
        assert!(s.read(&mut [0u8; 16]).is_err());
        let typed = s.producer_error().unwrap();
        assert_eq!(typed.status, Status::InvalidArgument);
        assert_eq!(s.finish().unwrap_err(), typed);
    }

    #[test]
    fn unreadable_file_error_names_the_file() {
        let d = TempDir::new("stream-eacces");
        if !can_provoke_eacces(&d) {
            return; // root whose file capabilities cannot be dropped: nothing to provoke
        }
        let p = d.file("z/secret", b"x");
        fs::set_permissions(&p, fs::Permissions::from_mode(0o000)).unwrap();
        let spec = ContextSpec::new(d.path());
        // Started from a `nobody` thread: the producer thread inherits those credentials.
        let (read_err, typed) = as_nobody(move || {
            let mut s = ContextStream::start(spec, IgnoreRules::empty()).unwrap();
            let err = s.read_to_end(&mut Vec::new()).unwrap_err();
            (err, s.producer_error())
        });
        let path = p.display().to_string();
        assert!(read_err.to_string().contains(&path), "{read_err}");
        assert!(typed.unwrap().message.contains(&path));
    }

    /// A context much larger than the pipe, so the producer is blocked writing when we stop.
    fn big_context() -> TempDir {
        let d = TempDir::new("stream-big");
        let f = fs::File::create(d.path().join("big")).unwrap();
        f.set_len(64 << 20).unwrap();
        d
    }

    #[test]
    fn dropping_the_reader_early_stops_the_producer() {
        let d = big_context();
        let mut s = ContextStream::start(ContextSpec::new(d.path()), IgnoreRules::empty()).unwrap();
        let mut buf = [0u8; 4096];
        s.read_exact(&mut buf).unwrap();
        let t = Instant::now();
        drop(s);
        assert!(t.elapsed() < Duration::from_secs(10));
    }

    #[test]
    fn finish_after_a_partial_read_is_cancelled() {
        let d = big_context();
        let mut s = ContextStream::start(ContextSpec::new(d.path()), IgnoreRules::empty()).unwrap();
        s.read_exact(&mut [0u8; 1000]).unwrap();
        assert_eq!(s.bytes_read(), 1000);
        assert_eq!(s.finish().unwrap_err().status, Status::Cancelled);
    }

    #[test]
    fn missing_context_fails_at_start() {
        let d = TempDir::new("stream-missing");
        let err = ContextStream::start(ContextSpec::new(d.path().join("nope")), IgnoreRules::empty()).err().unwrap();
        assert_eq!(err.status, Status::NotFound);
    }

    /// Run in a child process (see `early_drop_survives_default_sigpipe`).
    #[test]
    fn sigpipe_child() {
        if std::env::var_os("DC_BUILD_SIGPIPE_CHILD").is_none() {
            return;
        }
        // What a C host program has: SIGPIPE kills the process.
        unsafe { libc::signal(libc::SIGPIPE, libc::SIG_DFL) };
        let d = big_context();
        let mut s = ContextStream::start(ContextSpec::new(d.path()), IgnoreRules::empty()).unwrap();
        s.read_exact(&mut [0u8; 4096]).unwrap();
        drop(s);
    }

    #[test]
    fn early_drop_survives_default_sigpipe() {
        let status = std::process::Command::new(std::env::current_exe().unwrap())
            .args(["--exact", "build::context_stream::tests::sigpipe_child", "--test-threads=1", "-q"])
            .env("DC_BUILD_SIGPIPE_CHILD", "1")
            .stdout(std::process::Stdio::null())
            .status()
            .unwrap();
        assert!(status.success(), "child died: {status:?}");
    }

    #[test]
    fn load_rules_reads_the_context_dockerignore() {
        let d = TempDir::new("load");
        assert!(!load_rules(d.path()).unwrap().is_excluded("x"));
        d.file(".dockerignore", b"x\n");
        assert!(load_rules(d.path()).unwrap().is_excluded("x"));
        d.file(".dockerignore", b"ok\n[\n");
        let e = load_rules(d.path()).unwrap_err();
        assert!(e.message.contains(".dockerignore") && e.message.contains("line 2"), "{}", e.message);
        fs::remove_file(d.path().join(".dockerignore")).unwrap();
        d.dir(".dockerignore");
        let e = load_rules(d.path()).unwrap_err();
        assert!(e.message.contains(".dockerignore"), "{}", e.message);
    }
}
