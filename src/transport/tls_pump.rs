//! A TLS connection of the library's own, for protocols that take a connection over (a BuildKit
//! session's HTTP/2 after `101 Switching Protocols`).
//!
//! What runs above it (the HTTP/1.1 upgrade request, then h2 on tokio) wants a plain socket it
//! can read, write, poll and shut down, like the Unix and TCP ones. So the encryption runs on
//! a thread of its own, as ssh runs in a process of its own: the thread holds the TCP
//! connection and rustls, and passes plaintext to and from one end of a socket pair whose other
//! end is the connection's socket. One thread and one poll(2) loop a connection (sessions are
//! few and long-lived); no async TLS crate.
//!
//! Memory is bounded: the daemon's data is read only once what it decrypted to has been passed
//! on, and the library's data only once rustls has sent what it holds. The thread ends when the
//! library closes its end (close_notify is sent first), when the daemon closes the connection,
//! or on a TLS or network error, which [`TlsPump::failure`] then tells (a certificate the CA
//! does not vouch for, say): the library's end reads as closed, and the socket names why.

use std::io::{self, Read, Write};
use std::net::{Shutdown, TcpStream};
use std::os::fd::AsRawFd;
use std::os::unix::net::UnixStream;
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

use rustls::pki_types::ServerName;
use rustls::{ClientConfig, ClientConnection};

/// Plaintext moved in one read (a TLS record holds at most 16 KiB).
const CHUNK: usize = 16 * 1024;

/// The thread encrypting one connection. Dropping it closes the TCP connection and waits for
/// the thread.
#[derive(Debug)]
pub struct TlsPump {
    /// A handle on the thread's TCP connection, to end it from here.
    tcp: TcpStream,
    failure: Arc<Mutex<Option<String>>>,
    thread: Option<JoinHandle<()>>,
}

impl TlsPump {
    /// Starts TLS on `tcp` (connected) for `name`; returns the plaintext socket and the pump.
    /// The handshake runs on the pump's thread: its failure shows when the socket is read.
    pub fn start(tcp: TcpStream, config: Arc<ClientConfig>, name: ServerName<'static>) -> io::Result<(UnixStream, TlsPump)> {
        let shown = name.to_str().into_owned();
        let conn = ClientConnection::new(config, name)
            .map_err(|e| io::Error::other(format!("TLS with {shown}: {e}")))?;
        let (ours, theirs) = UnixStream::pair()?;
        crate::platform::socket::prepare(ours.as_raw_fd())?;
        crate::platform::socket::prepare(theirs.as_raw_fd())?;
        let failure = Arc::new(Mutex::new(None));
        let handle = tcp.try_clone()?;
        let kept = failure.clone();
        let thread = std::thread::Builder::new().name("dockerclient-tls".into()).spawn(move || {
            crate::platform::block_sigpipe_on_this_thread();
            if let Err(why) = Pump::new(conn, tcp, theirs).and_then(|mut p| p.run()) {
                *kept.lock().unwrap_or_else(|p| p.into_inner()) = Some(format!("TLS with {shown}: {why}"));
            }
            // The pair's end and the TCP connection close here: the library reads the end.
        })?;
        Ok((ours, TlsPump { tcp: handle, failure, thread: Some(thread) }))
    }

    /// Why the connection ended, when TLS or the network ended it; `None` while it runs on,
    /// or when the daemon closed it.
    pub fn failure(&self) -> Option<String> {
        self.failure.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }
}

impl Drop for TlsPump {
    fn drop(&mut self) {
        let _ = self.tcp.shutdown(Shutdown::Both);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// The thread's state: what is on its way each way.
struct Pump {
    conn: ClientConnection,
    tcp: TcpStream,
    app: UnixStream,
    /// Decrypted bytes not yet written to the library's end.
    to_app: Vec<u8>,
    to_app_at: usize,
    /// The library's bytes rustls has not taken yet (its buffer was full).
    to_tls: Vec<u8>,
    daemon_done: bool,
    app_done: bool,
    app_shut: bool,
    buf: Vec<u8>,
}

impl Pump {
    fn new(conn: ClientConnection, tcp: TcpStream, app: UnixStream) -> io::Result<Pump> {
        tcp.set_nonblocking(true)?;
        app.set_nonblocking(true)?;
        Ok(Pump {
            conn,
            tcp,
            app,
            to_app: Vec::new(),
            to_app_at: 0,
            to_tls: Vec::new(),
            daemon_done: false,
            app_done: false,
            app_shut: false,
            buf: vec![0; CHUNK],
        })
    }

    /// Moves bytes both ways until both are done; errors are TLS's or the network's (the
    /// library closing its end is no error).
    fn run(&mut self) -> io::Result<()> {
        loop {
            self.hand_to_rustls();
            if !self.send_tls()? || !self.deliver_to_app() {
                return Ok(());
            }
            if self.daemon_done && self.to_app.is_empty() && !self.app_shut {
                // The daemon is done: the library reads the end of the stream.
                let _ = self.app.shutdown(Shutdown::Write);
                self.app_shut = true;
            }
            if self.daemon_done && self.app_done && !self.conn.wants_write() {
                return Ok(());
            }
            let want_daemon = !self.daemon_done && self.to_app.is_empty();
            let want_app = !self.app_done && self.to_tls.is_empty() && !self.conn.wants_write();
            let mut fds = [
                libc::pollfd {
                    fd: self.tcp.as_raw_fd(),
                    events: (if want_daemon { libc::POLLIN } else { 0 })
                        | (if self.conn.wants_write() { libc::POLLOUT } else { 0 }),
                    revents: 0,
                },
                libc::pollfd {
                    fd: self.app.as_raw_fd(),
                    events: (if want_app { libc::POLLIN } else { 0 })
                        | (if self.to_app.is_empty() { 0 } else { libc::POLLOUT }),
                    revents: 0,
                },
            ];
            // SAFETY: two pollfd structures we own, for descriptors we own.
            let n = unsafe { libc::poll(fds.as_mut_ptr(), 2, -1) };
            if n < 0 {
                let e = io::Error::last_os_error();
                if e.kind() == io::ErrorKind::Interrupted {
                    continue;
                }
                return Err(e);
            }
            let hangup = libc::POLLHUP | libc::POLLERR;
            if want_daemon && fds[0].revents & (libc::POLLIN | hangup) != 0 {
                self.receive_tls()?;
            }
            if want_app && fds[1].revents & (libc::POLLIN | libc::POLLHUP) != 0 {
                self.read_app();
            } else if fds[1].revents & libc::POLLERR != 0 || (!want_app && fds[1].revents & libc::POLLHUP != 0) {
                return Ok(()); // the library closed its end
            }
        }
    }

    /// Reads what the daemon sent and decrypts it into `to_app`.
    fn receive_tls(&mut self) -> io::Result<()> {
        match self.conn.read_tls(&mut self.tcp) {
            Ok(0) => self.daemon_done = true,
            Ok(_) => {
                if let Err(e) = self.conn.process_new_packets() {
                    let _ = self.conn.write_tls(&mut self.tcp); // the alert, if any
                    return Err(io::Error::other(e));
                }
            }
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => return Ok(()),
            Err(e) => return Err(e),
        }
        loop {
            match self.conn.reader().read(&mut self.buf) {
                Ok(0) => {
                    self.daemon_done = true; // close_notify
                    return Ok(());
                }
                Ok(n) => self.to_app.extend_from_slice(&self.buf[..n]),
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => return Ok(()),
                // The connection closed without close_notify: the daemon is done all the same
                // (what it sent was checked record by record).
                Err(_) => {
                    self.daemon_done = true;
                    return Ok(());
                }
            }
        }
    }

    /// Reads what the library wrote, for rustls.
    fn read_app(&mut self) {
        match (&self.app).read(&mut self.buf) {
            Ok(n) if n > 0 => self.to_tls.extend_from_slice(&self.buf[..n]),
            Err(e) if matches!(e.kind(), io::ErrorKind::WouldBlock | io::ErrorKind::Interrupted) => {}
            // The library closed its end (or shut down its writing).
            _ => {
                self.app_done = true;
                self.conn.send_close_notify();
            }
        }
    }

    /// Gives rustls what it will take of the library's bytes.
    fn hand_to_rustls(&mut self) {
        if self.to_tls.is_empty() {
            return;
        }
        let taken = self.conn.writer().write(&self.to_tls).unwrap_or(0);
        self.to_tls.drain(..taken);
    }

    /// Sends what rustls holds; false when the daemon's side is gone.
    fn send_tls(&mut self) -> io::Result<bool> {
        while self.conn.wants_write() {
            match self.conn.write_tls(&mut self.tcp) {
                Ok(_) => {}
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => break,
                // Closing anyway: the close_notify need not arrive.
                Err(_) if self.app_done => return Ok(false),
                Err(e) => return Err(e),
            }
        }
        Ok(true)
    }

    /// Writes decrypted bytes to the library's end; false when the library closed it.
    fn deliver_to_app(&mut self) -> bool {
        while self.to_app_at < self.to_app.len() {
            // SIGPIPE is blocked on this thread: a closed end is an EPIPE error.
            match (&self.app).write(&self.to_app[self.to_app_at..]) {
                Ok(n) => self.to_app_at += n,
                Err(e) if matches!(e.kind(), io::ErrorKind::WouldBlock | io::ErrorKind::Interrupted) => return true,
                Err(_) => return false,
            }
        }
        self.to_app.clear();
        self.to_app_at = 0;
        true
    }
}

#[cfg(test)]
mod tests {
    use std::io::{Read, Write};
    use std::net::TcpListener;

    use crate::transport::socket::Socket;

    #[test]
    fn a_peer_that_speaks_no_tls_is_a_named_failure_and_the_thread_ends() {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let server = std::thread::spawn(move || {
            let (mut s, _) = listener.accept().unwrap();
            let mut hello = [0u8; 512];
            let _ = s.read(&mut hello);
            let _ = s.write_all(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n");
        });
        let config = crate::transport::TlsFiles::default().to_rustls_config().unwrap();
        let name = rustls::pki_types::ServerName::try_from("127.0.0.1").unwrap();
        let socket = Socket::connect_tls(&addr, None, config, name).unwrap();
        let _ = socket.send_all(b"POST /session HTTP/1.1\r\n\r\n");
        let mut buf = [0u8; 64];
        let err = socket.read(&mut buf).expect_err("no TLS answer");
        assert_eq!(err.kind(), std::io::ErrorKind::ConnectionAborted, "{err}");
        assert!(err.to_string().starts_with("TLS with 127.0.0.1: "), "{err}");
        drop(socket); // joins the pump's thread
        server.join().unwrap();
    }
}
