//! ureq's transport over the library's own sockets (Unix and TCP alike): ureq 3 has no Unix
//! sockets, and owning the TCP ones too lets a cancel reach every connection and the call's
//! time limits bound sends as they bound reads (see [`super::call_scope`]).

use std::io;
use std::sync::{Arc, Weak};
use std::time::Duration;

use ureq::unversioned::transport::{Buffers, LazyBuffers, NextTimeout, ShutdownHandle, Transport};

use super::call_scope;
use super::socket::{SharedSocket, Socket};

pub struct SocketTransport {
    socket: Arc<SharedSocket>,
    buffers: LazyBuffers,
    read_timeout: Option<Duration>,
    write_timeout: Option<Duration>,
}

impl SocketTransport {
    /// Wraps a new connection; `register` hands ureq a handle so `Agent::shutdown()` can close
    /// it too.
    pub fn new(
        socket: Socket,
        config: &ureq::config::Config,
        register: &dyn Fn(Weak<dyn ShutdownHandle>) -> Result<(), ureq::Error>,
    ) -> Result<SocketTransport, ureq::Error> {
        let socket = SharedSocket::new(socket);
        register(Arc::downgrade(&socket) as Weak<dyn ShutdownHandle>)?;
        let buffers = LazyBuffers::new(config.input_buffer_size(), config.output_buffer_size());
        Ok(SocketTransport { socket, buffers, read_timeout: None, write_timeout: None })
    }
}

impl ShutdownHandle for SharedSocket {
    fn shutdown(&self) {
        Socket::shutdown(self)
    }
}

impl std::fmt::Debug for SocketTransport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SocketTransport").finish()
    }
}

/// The socket timeout ureq asks for (`None` = wait for ever), or its timeout error when the
/// budget is spent.
fn io_timeout(timeout: NextTimeout) -> Result<Option<Duration>, ureq::Error> {
    if timeout.after.is_not_happening() {
        return Ok(None);
    }
    if *timeout.after == Duration::ZERO {
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

impl Transport for SocketTransport {
    fn buffers(&mut self) -> &mut dyn Buffers {
        &mut self.buffers
    }

    fn transmit_output(&mut self, amount: usize, timeout: NextTimeout) -> Result<(), ureq::Error> {
        call_scope::claim(&self.socket);
        let timeout = timeout.for_write();
        let natural = io_timeout(timeout)?;
        // The call's own limits bound a send too: a daemon that stops reading must not hold
        // the call longer than its inactivity limit or past its deadline.
        let wanted = call_scope::send_wait(natural);
        if wanted == Some(Duration::ZERO) {
            return Err(ureq::Error::Io(io::Error::new(io::ErrorKind::TimedOut, "the call's time limit passed while sending")));
        }
        if wanted != self.write_timeout {
            self.socket.set_write_timeout(wanted)?;
            self.write_timeout = wanted;
        }
        let output = &self.buffers.output()[..amount];
        self.socket.send_all(output).map_err(|e| match e.kind() {
            io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut if wanted != natural => ureq::Error::Io(io::Error::new(
                io::ErrorKind::TimedOut,
                format!("the daemon took nothing for {:.1}s while the request was sent", wanted.unwrap_or_default().as_secs_f64()),
            )),
            _ => map_io(e, timeout),
        })
    }

    fn await_input(&mut self, timeout: NextTimeout) -> Result<bool, ureq::Error> {
        call_scope::claim(&self.socket);
        let timeout = timeout.for_read();
        let wanted = io_timeout(timeout)?;
        if wanted != self.read_timeout {
            self.socket.set_read_timeout(wanted)?;
            self.read_timeout = wanted;
        }
        let input = self.buffers.input_append_buf();
        let amount = loop {
            match self.socket.read(input) {
                Ok(n) => break n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(map_io(e, timeout)),
            }
        };
        self.buffers.input_appended(amount);
        Ok(amount > 0)
    }

    fn is_open(&mut self) -> bool {
        self.socket.still_open()
    }
}
