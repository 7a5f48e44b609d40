//! A loopback TCP proxy in front of the test engine that relays every connection but a BuildKit
//! session's: that one is relayed until the daemon's `101 Switching Protocols` has reached the
//! client, then nothing more passes either way, and both sockets stay open. The daemon and the
//! client each see a peer that has gone silent without closing, as across a network partition.

#![allow(dead_code)]

use std::io::{Read, Write};
use std::net::{Shutdown, TcpStream};
use std::sync::{Arc, Mutex};
use std::thread;

pub struct StallingProxy {
    pub host: String,
    /// The stalled sessions' sockets, kept open (never read) for the proxy's lifetime.
    stalled: Arc<Mutex<Vec<(TcpStream, TcpStream)>>>,
}

impl StallingProxy {
    /// A proxy to `upstream` ("127.0.0.1:port").
    pub fn start(upstream: &str) -> StallingProxy {
        let stalled = Arc::new(Mutex::new(Vec::new()));
        let kept = stalled.clone();
        let host = super::loopback_proxy::serve(upstream, move |client, daemon| relay(client, daemon, &kept));
        StallingProxy { host, stalled }
    }

    /// How many session connections were stalled so far.
    pub fn stalled(&self) -> usize {
        self.stalled.lock().unwrap().len()
    }
}

/// Reads from `from` until an HTTP head has ended; returns everything read (head and what
/// followed it in the same reads), or None if the connection ended first.
fn read_head(from: &mut TcpStream) -> Option<Vec<u8>> {
    let mut got = Vec::new();
    let mut buf = [0u8; 16 * 1024];
    while !got.windows(4).any(|w| w == b"\r\n\r\n") {
        match from.read(&mut buf) {
            Ok(0) | Err(_) => return None,
            Ok(n) => got.extend_from_slice(&buf[..n]),
        }
    }
    Some(got)
}

fn relay(mut client: TcpStream, mut daemon: TcpStream, stalled: &Mutex<Vec<(TcpStream, TcpStream)>>) {
    let Some(request) = read_head(&mut client) else { return };
    let first_line = request.split(|&b| b == b'\n').next().unwrap_or_default();
    let is_session = String::from_utf8_lossy(first_line).contains("/session ");
    if daemon.write_all(&request).is_err() {
        return;
    }
    if is_session {
        // Only the head of the answer passes; the HTTP/2 bytes that may follow it do not.
        let Some(answer) = read_head(&mut daemon) else { return };
        let end = answer.windows(4).position(|w| w == b"\r\n\r\n").unwrap() + 4;
        if client.write_all(&answer[..end]).is_ok() {
            stalled.lock().unwrap().push((client, daemon));
        }
        return;
    }
    // Any other connection: relayed both ways until each side ends.
    let (Ok(mut client_reader), Ok(mut daemon_writer)) = (client.try_clone(), daemon.try_clone()) else { return };
    let up = thread::spawn(move || {
        let _ = std::io::copy(&mut client_reader, &mut daemon_writer);
        let _ = daemon_writer.shutdown(Shutdown::Write);
    });
    let _ = std::io::copy(&mut daemon, &mut client);
    let _ = client.shutdown(Shutdown::Write);
    let _ = up.join();
}

impl StallingProxy {
    /// Whether the client (`client_side`) or the daemon closed its end of the `i`th stalled
    /// session; waits up to `patience_ms` for it (a hang guard: both come right after the build).
    pub fn closed_by(&self, i: usize, client_side: bool, patience_ms: i32) -> bool {
        use std::os::fd::AsRawFd;
        let kept = self.stalled.lock().unwrap();
        let sock = if client_side { &kept[i].0 } else { &kept[i].1 };
        sock.set_nonblocking(true).unwrap();
        let mut buf = [0u8; 64 * 1024];
        loop {
            let mut p = libc::pollfd { fd: sock.as_raw_fd(), events: libc::POLLIN, revents: 0 };
            // SAFETY: one valid pollfd.
            if unsafe { libc::poll(&mut p, 1, patience_ms) } <= 0 {
                return false;
            }
            // Readable: the end of the stream, or bytes the silent peer had sent before it.
            loop {
                match (&*sock).read(&mut buf) {
                    Ok(0) => return true,
                    Ok(_) => continue,
                    Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => return true,
                    Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => break,
                    Err(_) => return false,
                }
            }
        }
    }
}
