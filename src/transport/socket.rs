//! The sockets the library speaks over, Unix and TCP, with what every use of them needs:
//! timeouts, sends that never raise SIGPIPE, and a shutdown another thread can trigger (a
//! cancel) that stops exactly the call the socket is serving.
//!
//! Every connection the library makes is one of these, whether ureq drives it (pooled
//! requests, through `socket_transport`) or the library itself (zero-copy answers), so a
//! cancel token can reach any of them (see [`super::call_scope`]).

use std::io::{self, Read};
use std::net::{Shutdown, SocketAddr, TcpStream};
use std::os::fd::{AsRawFd, RawFd};
use std::os::unix::net::UnixStream;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// A connected socket.
#[derive(Debug)]
pub enum Socket {
    Unix(UnixStream),
    Tcp(TcpStream),
    /// A socket pair whose other end is an `ssh` process's stdin and stdout (see
    /// [`super::ssh`]); the process ends when this is dropped (the stream first: fields drop
    /// in order).
    Ssh(UnixStream, super::ssh::SshProcess),
    /// A socket pair whose other end is a thread encrypting a TCP connection (see
    /// [`super::tls_pump`]): for connections the library takes over on a TLS endpoint.
    Tls(UnixStream, super::tls_pump::TlsPump),
}

impl Socket {
    /// Connects to a Unix socket; the error names the path.
    pub fn connect_unix(path: &Path) -> io::Result<Socket> {
        let s = UnixStream::connect(path)
            .map_err(|e| io::Error::new(e.kind(), format!("cannot connect to {}: {e}", path.display())))?;
        crate::platform::socket::prepare(s.as_raw_fd())?;
        Ok(Socket::Unix(s))
    }

    /// Starts ssh for an `ssh://` endpoint.
    pub fn connect_ssh(target: &super::ssh::SshTarget) -> io::Result<Socket> {
        let (stream, process) = target.connect()?;
        Ok(Socket::Ssh(stream, process))
    }

    /// Connects to one TCP address within `timeout` (`None` = the system's) and starts TLS on
    /// it (the handshake goes on while the first request is written: its failure is the
    /// first read's error).
    pub fn connect_tls(
        addr: &SocketAddr,
        timeout: Option<Duration>,
        config: std::sync::Arc<rustls::ClientConfig>,
        name: rustls::pki_types::ServerName<'static>,
    ) -> io::Result<Socket> {
        let Socket::Tcp(tcp) = Socket::connect_tcp(addr, timeout)? else { unreachable!("connect_tcp makes a TCP socket") };
        let (stream, pump) = super::tls_pump::TlsPump::start(tcp, config, name)?;
        Ok(Socket::Tls(stream, pump))
    }

    /// Connects to one TCP address within `timeout` (`None` = the system's).
    pub fn connect_tcp(addr: &SocketAddr, timeout: Option<Duration>) -> io::Result<Socket> {
        let s = match timeout {
            Some(t) => TcpStream::connect_timeout(addr, t.max(Duration::from_millis(1)))?,
            None => TcpStream::connect(addr)?,
        };
        crate::platform::socket::prepare(s.as_raw_fd())?;
        s.set_nodelay(true)?;
        Ok(Socket::Tcp(s))
    }

    pub fn set_read_timeout(&self, t: Option<Duration>) -> io::Result<()> {
        match self {
            Socket::Unix(s) | Socket::Ssh(s, _) | Socket::Tls(s, _) => s.set_read_timeout(t),
            Socket::Tcp(s) => s.set_read_timeout(t),
        }
    }

    pub fn set_write_timeout(&self, t: Option<Duration>) -> io::Result<()> {
        match self {
            Socket::Unix(s) | Socket::Ssh(s, _) | Socket::Tls(s, _) => s.set_write_timeout(t),
            Socket::Tcp(s) => s.set_write_timeout(t),
        }
    }

    pub fn set_nonblocking(&self, on: bool) -> io::Result<()> {
        match self {
            Socket::Unix(s) | Socket::Ssh(s, _) | Socket::Tls(s, _) => s.set_nonblocking(on),
            Socket::Tcp(s) => s.set_nonblocking(on),
        }
    }

    pub fn raw_fd(&self) -> RawFd {
        match self {
            Socket::Unix(s) | Socket::Ssh(s, _) | Socket::Tls(s, _) => s.as_raw_fd(),
            Socket::Tcp(s) => s.as_raw_fd(),
        }
    }

    /// Reads what is there. Over ssh or the library's TLS, an end that came from ssh or TLS
    /// failing is that failure.
    pub fn read(&self, buf: &mut [u8]) -> io::Result<usize> {
        match self {
            Socket::Unix(s) => (&*s).read(buf),
            Socket::Tcp(s) => (&*s).read(buf),
            // ssh closing its end with our request unread shows as a reset.
            Socket::Ssh(s, _) | Socket::Tls(s, _) => match (&*s).read(buf) {
                Ok(0) if !buf.is_empty() => match self.relay_failure() {
                    Some(why) => Err(io::Error::new(io::ErrorKind::ConnectionAborted, why)),
                    None => Ok(0),
                },
                Err(e) if e.kind() == io::ErrorKind::ConnectionReset => match self.relay_failure() {
                    Some(why) => Err(io::Error::new(io::ErrorKind::ConnectionAborted, why)),
                    None => Err(e),
                },
                other => other,
            },
        }
    }

    /// Why the process or thread at the other end of a socket pair ended the connection.
    fn relay_failure(&self) -> Option<String> {
        match self {
            Socket::Ssh(_, process) => process.failure(),
            Socket::Tls(_, pump) => pump.failure(),
            Socket::Unix(_) | Socket::Tcp(_) => None,
        }
    }

    /// Whether an idle connection can serve another request: the peer has not closed it and
    /// sent nothing unexpected (a read without blocking finds nothing yet).
    pub fn still_open(&self) -> bool {
        let mut buf = [0u8; 1];
        if self.set_nonblocking(true).is_err() {
            return false;
        }
        let fd = self.raw_fd();
        // SAFETY: a read into our buffer from a descriptor we own (no ssh failure probing here:
        // any answer but "nothing yet" means the connection is done).
        let n = unsafe { libc::read(fd, buf.as_mut_ptr().cast(), 1) };
        let open = n < 0 && io::Error::last_os_error().kind() == io::ErrorKind::WouldBlock;
        open && self.set_nonblocking(false).is_ok()
    }

    /// Writes all of `buf`, never raising SIGPIPE.
    pub fn send_all(&self, buf: &[u8]) -> io::Result<()> {
        let sent = crate::platform::socket::send_all(self.raw_fd(), buf);
        match (self, sent) {
            // ssh gone before the request was written: say why it went.
            (Socket::Ssh(..) | Socket::Tls(..), Err(e))
                if matches!(e.kind(), io::ErrorKind::BrokenPipe | io::ErrorKind::ConnectionReset) =>
            {
                Err(self.relay_failure().map_or(e, |why| io::Error::new(io::ErrorKind::ConnectionAborted, why)))
            }
            (_, sent) => sent,
        }
    }

    /// Ends both directions: a read blocked on the socket returns at once.
    pub fn shutdown(&self) {
        let _ = match self {
            Socket::Unix(s) | Socket::Ssh(s, _) | Socket::Tls(s, _) => s.shutdown(Shutdown::Both),
            Socket::Tcp(s) => s.shutdown(Shutdown::Both),
        };
    }
}

/// A socket shared between the code using it and the cancel token of the call it serves.
/// `owner` is the call it serves now (a pooled connection serves one call after another): a
/// cancel shuts it down only while it still serves the cancelled call.
#[derive(Debug)]
pub struct SharedSocket {
    socket: Socket,
    owner: AtomicU64,
}

impl SharedSocket {
    pub fn new(socket: Socket) -> Arc<SharedSocket> {
        Arc::new(SharedSocket { socket, owner: AtomicU64::new(0) })
    }

    /// Marks the socket as serving `call`; returns true when it served another one before.
    pub fn claim(&self, call: u64) -> bool {
        self.owner.swap(call, Ordering::AcqRel) != call
    }

    /// Shuts the socket down if it still serves `call`.
    pub fn shutdown_for(&self, call: u64) {
        if self.owner.load(Ordering::Acquire) == call {
            self.socket.shutdown();
        }
    }
}

impl std::ops::Deref for SharedSocket {
    type Target = Socket;
    fn deref(&self) -> &Socket {
        &self.socket
    }
}
