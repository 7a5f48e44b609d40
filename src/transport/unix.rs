//! A ureq transport over a Unix domain socket (ureq 3 has none built in).
//!
//! Every request URL of a Unix-socket client carries a dummy host (`http://docker/…`); the
//! connector ignores it and dials the socket path it was made with. The resolver answers
//! without DNS so the dummy host is never looked up.

use std::io::{self, Read};
use std::net::{Ipv4Addr, Shutdown, SocketAddr, SocketAddrV4};
use std::os::unix::net::UnixStream;
use std::path::PathBuf;
use std::sync::{Arc, Weak};
use std::time::Duration as StdDuration;

use ureq::config::Config;
use ureq::http::Uri;
use ureq::unversioned::resolver::{ResolvedSocketAddrs, Resolver};
use ureq::unversioned::transport::{
    Buffers, ConnectionDetails, Connector, LazyBuffers, NextTimeout, ShutdownHandle, Transport,
};

/// Dials one Unix socket path for every connection ureq asks for.
#[derive(Debug)]
pub struct UnixConnector {
    path: PathBuf,
}

impl UnixConnector {
    pub fn new(path: PathBuf) -> UnixConnector {
        UnixConnector { path }
    }
}

impl Connector<()> for UnixConnector {
    type Out = UnixTransport;

    fn connect(
        &self,
        details: &ConnectionDetails,
        _chained: Option<()>,
    ) -> Result<Option<Self::Out>, ureq::Error> {
        let stream = UnixStream::connect(&self.path).map_err(|e| {
            ureq::Error::Io(io::Error::new(
                e.kind(),
                format!("cannot connect to {}: {e}", self.path.display()),
            ))
        })?;
        crate::platform::socket::prepare(std::os::fd::AsRawFd::as_raw_fd(&stream))?;
        let config = details.config;
        let buffers = LazyBuffers::new(config.input_buffer_size(), config.output_buffer_size());
        let transport = UnixTransport {
            stream: Arc::new(Socket(stream)),
            buffers,
            read_timeout: None,
            write_timeout: None,
        };
        // Registering lets `Agent::shutdown()` close this connection (used to cancel).
        (details.register_shutdown)(Arc::downgrade(&transport.stream) as Weak<dyn ShutdownHandle>)?;
        Ok(Some(transport))
    }
}

/// Answers every lookup with a placeholder address: the connector never uses it.
#[derive(Debug, Default)]
pub struct NoDnsResolver;

impl Resolver for NoDnsResolver {
    fn resolve(
        &self,
        _uri: &Uri,
        _config: &Config,
        _timeout: NextTimeout,
    ) -> Result<ResolvedSocketAddrs, ureq::Error> {
        let mut addrs = self.empty();
        addrs.push(SocketAddr::V4(SocketAddrV4::new(Ipv4Addr::LOCALHOST, 0)));
        Ok(addrs)
    }
}

pub struct UnixTransport {
    stream: Arc<Socket>,
    buffers: LazyBuffers,
    read_timeout: Option<StdDuration>,
    write_timeout: Option<StdDuration>,
}

/// The socket, shared with ureq's shutdown registry so `Agent::shutdown()` can close it.
struct Socket(UnixStream);

impl ShutdownHandle for Socket {
    fn shutdown(&self) {
        let _ = self.0.shutdown(Shutdown::Both);
    }
}

impl std::ops::Deref for Socket {
    type Target = UnixStream;
    fn deref(&self) -> &UnixStream {
        &self.0
    }
}

impl std::fmt::Debug for UnixTransport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UnixTransport").finish()
    }
}

/// The socket timeout for the next I/O, or an immediate timeout error when the budget is spent.
fn io_timeout(timeout: NextTimeout) -> Result<Option<StdDuration>, ureq::Error> {
    if timeout.after.is_not_happening() {
        return Ok(None);
    }
    if *timeout.after == StdDuration::ZERO {
        return Err(ureq::Error::Timeout(timeout.reason));
    }
    Ok(Some(*timeout.after))
}

fn map_io(e: io::Error, timeout: NextTimeout) -> ureq::Error {
    match e.kind() {
        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut => ureq::Error::Timeout(timeout.reason),
        _ => ureq::Error::Io(e),
    }
}

impl Transport for UnixTransport {
    fn buffers(&mut self) -> &mut dyn Buffers {
        &mut self.buffers
    }

    fn transmit_output(&mut self, amount: usize, timeout: NextTimeout) -> Result<(), ureq::Error> {
        let timeout = timeout.for_write();
        let wanted = io_timeout(timeout)?;
        if wanted != self.write_timeout {
            self.stream.set_write_timeout(wanted)?;
            self.write_timeout = wanted;
        }
        let output = &self.buffers.output()[..amount];
        crate::platform::socket::send_all(std::os::fd::AsRawFd::as_raw_fd(&**self.stream), output)
            .map_err(|e| map_io(e, timeout))
    }

    fn await_input(&mut self, timeout: NextTimeout) -> Result<bool, ureq::Error> {
        let timeout = timeout.for_read();
        let wanted = io_timeout(timeout)?;
        if wanted != self.read_timeout {
            self.stream.set_read_timeout(wanted)?;
            self.read_timeout = wanted;
        }
        let input = self.buffers.input_append_buf();
        let amount = loop {
            match (&**self.stream).read(input) {
                Ok(n) => break n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(map_io(e, timeout)),
            }
        };
        self.buffers.input_appended(amount);
        Ok(amount > 0)
    }

    fn is_open(&mut self) -> bool {
        // A pooled connection is reusable only if the daemon has not closed it and sent
        // nothing unexpected: peek without blocking.
        let mut buf = [0u8; 1];
        if self.stream.set_nonblocking(true).is_err() {
            return false;
        }
        let open = matches!((&**self.stream).read(&mut buf), Err(e) if e.kind() == io::ErrorKind::WouldBlock);
        open && self.stream.set_nonblocking(false).is_ok()
    }
}
