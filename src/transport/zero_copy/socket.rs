//! The socket of a zero-copy request (Unix or plain TCP), and the time limits it runs under.

use std::io::{self, Read};
use std::net::{TcpStream, ToSocketAddrs};
use std::os::fd::{AsRawFd, RawFd};
use std::os::unix::net::UnixStream;
use std::path::Path;
use std::time::{Duration, Instant};

/// A call's time limits: a deadline for the whole call and the longest wait for any one read.
#[derive(Debug, Clone, Copy, Default)]
pub struct Limits {
    pub deadline: Option<Instant>,
    pub inactivity: Option<Duration>,
}

impl Limits {
    /// Limits starting now: `timeout` for the whole call, `inactivity` for any one wait.
    pub fn starting_now(timeout: Option<Duration>, inactivity: Option<Duration>) -> Limits {
        Limits { deadline: timeout.map(|t| Instant::now() + t), inactivity }
    }

    /// The socket timeout for the next blocking operation (`None` = wait forever), or a
    /// timeout error once the deadline has passed.
    pub fn next_wait(&self) -> io::Result<Option<Duration>> {
        let left = match self.deadline {
            Some(d) => {
                let left = d.saturating_duration_since(Instant::now());
                if left.is_zero() {
                    return Err(io::Error::new(io::ErrorKind::TimedOut, "the call's time limit passed"));
                }
                Some(left)
            }
            None => None,
        };
        Ok(match (left, self.inactivity) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        })
    }
}

/// The socket of a zero-copy request.
pub(super) enum Stream {
    Unix(UnixStream),
    Tcp(TcpStream),
}

impl Stream {
    pub(super) fn connect_unix(path: &Path) -> io::Result<Stream> {
        let s = UnixStream::connect(path)
            .map_err(|e| io::Error::new(e.kind(), format!("cannot connect to {}: {e}", path.display())))?;
        crate::platform::socket::prepare(s.as_raw_fd())?;
        Ok(Stream::Unix(s))
    }

    pub(super) fn connect_tcp(host: &str, port: u16, limits: Limits) -> io::Result<Stream> {
        let mut last = None;
        for addr in (host, port).to_socket_addrs()? {
            let attempt = match limits.next_wait()? {
                Some(t) => TcpStream::connect_timeout(&addr, t),
                None => TcpStream::connect(addr),
            };
            match attempt {
                Ok(s) => {
                    crate::platform::socket::prepare(s.as_raw_fd())?;
                    return Ok(Stream::Tcp(s));
                }
                Err(e) => last = Some(e),
            }
        }
        Err(last.unwrap_or_else(|| io::Error::new(io::ErrorKind::NotFound, format!("{host} has no address"))))
    }

    pub(super) fn set_read_timeout(&self, t: Option<Duration>) -> io::Result<()> {
        match self {
            Stream::Unix(s) => s.set_read_timeout(t),
            Stream::Tcp(s) => s.set_read_timeout(t),
        }
    }

    pub(super) fn set_write_timeout(&self, t: Option<Duration>) -> io::Result<()> {
        match self {
            Stream::Unix(s) => s.set_write_timeout(t),
            Stream::Tcp(s) => s.set_write_timeout(t),
        }
    }

    pub(super) fn raw_fd(&self) -> RawFd {
        match self {
            Stream::Unix(s) => s.as_raw_fd(),
            Stream::Tcp(s) => s.as_raw_fd(),
        }
    }

    pub(super) fn read(&self, buf: &mut [u8]) -> io::Result<usize> {
        match self {
            Stream::Unix(s) => (&*s).read(buf),
            Stream::Tcp(s) => (&*s).read(buf),
        }
    }

    /// Writes all of `buf`, never raising SIGPIPE.
    pub(super) fn send_all(&self, buf: &[u8]) -> io::Result<()> {
        crate::platform::socket::send_all(self.raw_fd(), buf)
    }
}

/// A socket timeout surfaces as EAGAIN; say what it is.
pub(super) fn timeout_named(e: io::Error) -> io::Error {
    match e.kind() {
        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut => {
            io::Error::new(io::ErrorKind::TimedOut, "no data from the daemon within the time allowed")
        }
        _ => e,
    }
}
