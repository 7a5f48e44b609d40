//! A loopback TCP proxy in front of the test engine that cuts a connection once a given number
//! of bytes has passed in one direction, with a FIN (both sockets shut down) or an RST (both
//! closed with a zero linger).
//!
//! Each connection is relayed by one thread with `poll(2)` over non-blocking sockets, so the
//! proxy owns both sockets alone (a close really closes, and an RST really is one) and never
//! deadlocks when both sides send at once.

#![allow(dead_code)]

use std::io::{ErrorKind, Read, Write};
use std::net::{Shutdown, TcpStream};
use std::os::fd::AsRawFd;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

/// Toward the daemon (the request) or toward the client (the answer).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Direction {
    Up = 0,
    Down = 1,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cut {
    Fin,
    Rst,
}

/// Cut the first connection that passes `offset` bytes in `direction`.
#[derive(Clone, Copy, Debug)]
pub struct Plan {
    pub direction: Direction,
    pub offset: u64,
    pub cut: Cut,
}

#[derive(Default)]
struct Shared {
    /// The plan, and its generation: bumped by every `arm`, so that a pooled connection made
    /// before counts its bytes afresh.
    plan: Mutex<(Option<Plan>, u64)>,
    /// A connection was cut with bytes still to pass (the peer lost data).
    cut: AtomicBool,
    /// The most bytes one connection carried in each direction since the last reset.
    most: Mutex<[u64; 2]>,
}

pub struct CuttingProxy {
    pub host: String,
    shared: Arc<Shared>,
}

impl CuttingProxy {
    /// A proxy to `upstream` ("127.0.0.1:port").
    pub fn start(upstream: &str) -> CuttingProxy {
        let shared = Arc::new(Shared::default());
        let s = shared.clone();
        let host = super::loopback_proxy::serve(upstream, move |client, daemon| relay(client, daemon, &s));
        CuttingProxy { host, shared }
    }

    /// The plan for the next connections (None = relay everything), and a fresh record.
    pub fn arm(&self, plan: Option<Plan>) {
        let mut p = self.shared.plan.lock().unwrap();
        *p = (plan, p.1 + 1);
        self.shared.cut.store(false, Ordering::SeqCst);
        *self.shared.most.lock().unwrap() = [0, 0];
    }

    /// Whether a connection was cut before its end since the last `arm`.
    pub fn was_cut(&self) -> bool {
        self.shared.cut.load(Ordering::SeqCst)
    }

    /// The most bytes a single connection carried up and down since the last `arm`.
    pub fn most(&self) -> [u64; 2] {
        *self.shared.most.lock().unwrap()
    }
}

fn relay(client: TcpStream, daemon: TcpStream, shared: &Shared) {
    let mut socks = [client, daemon];
    for s in &socks {
        s.set_nonblocking(true).unwrap();
    }
    // pending[d]: bytes read and not yet written in direction d (Up: client -> daemon).
    let mut pending: [Vec<u8>; 2] = [Vec::new(), Vec::new()];
    let mut counts = [0u64; 2];
    let mut eof = [false, false];
    let mut half_closed = [false, false];
    let mut cutting: Option<Cut> = None;
    let mut generation = u64::MAX;
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        // Source of direction d is socks[d]; its destination is socks[1 - d].
        let mut fds = [0usize, 1].map(|i| libc::pollfd { fd: socks[i].as_raw_fd(), events: 0, revents: 0 });
        for d in [0usize, 1] {
            if cutting.is_none() && !eof[d] && pending[d].is_empty() {
                fds[d].events |= libc::POLLIN;
            }
            if !pending[d].is_empty() {
                fds[1 - d].events |= libc::POLLOUT;
            }
        }
        if let Some(how) = cutting
            && pending.iter().all(Vec::is_empty)
        {
            // Recorded before the cut: the client may see it and return at once.
            shared.cut.store(true, Ordering::SeqCst);
            cut_now(&socks, how);
            break;
        }
        if fds.iter().all(|f| f.events == 0) {
            break; // both directions ended and were flushed
        }
        // SAFETY: two valid pollfd entries.
        if unsafe { libc::poll(fds.as_mut_ptr(), 2, -1) } < 0 {
            break;
        }
        // A socket that failed or hung up while nothing was asked of it would wake poll at
        // once forever: the connection is over.
        let mut broken = fds.iter().any(|f| f.events == 0 && f.revents & (libc::POLLERR | libc::POLLHUP) != 0);
        for d in [0usize, 1] {
            if fds[d].events & libc::POLLIN != 0 && fds[d].revents != 0 {
                match socks[d].read(&mut buf) {
                    Ok(0) => eof[d] = true,
                    Ok(n) => {
                        let (plan, now) = *shared.plan.lock().unwrap();
                        if now != generation {
                            generation = now;
                            counts = [0, 0];
                        }
                        let mut take = n;
                        if let Some(p) = plan
                            && p.direction as usize == d
                            && !shared.cut.load(Ordering::SeqCst)
                        {
                            let allowed = p.offset.saturating_sub(counts[d]);
                            if (n as u64) > allowed {
                                take = allowed as usize;
                                cutting = Some(p.cut);
                            }
                        }
                        pending[d].extend_from_slice(&buf[..take]);
                        counts[d] += take as u64;
                        let mut most = shared.most.lock().unwrap();
                        most[d] = most[d].max(counts[d]);
                    }
                    Err(e) if e.kind() == ErrorKind::WouldBlock || e.kind() == ErrorKind::Interrupted => {}
                    Err(_) => broken = true,
                }
            }
            let dst = 1 - d;
            if !pending[d].is_empty() && fds[dst].revents != 0 {
                match socks[dst].write(&pending[d]) {
                    Ok(n) => {
                        pending[d].drain(..n);
                    }
                    Err(e) if e.kind() == ErrorKind::WouldBlock || e.kind() == ErrorKind::Interrupted => {}
                    Err(_) => broken = true,
                }
            }
            // A side that ended its sending: pass the half-close on once flushed.
            if eof[d] && pending[d].is_empty() && !half_closed[d] {
                let _ = socks[dst].shutdown(Shutdown::Write);
                half_closed[d] = true;
            }
        }
        if broken {
            break;
        }
    }
}

fn cut_now(socks: &[TcpStream; 2], how: Cut) {
    match how {
        Cut::Fin => {
            for s in socks {
                let _ = s.shutdown(Shutdown::Both);
            }
        }
        Cut::Rst => {
            let linger = libc::linger { l_onoff: 1, l_linger: 0 };
            for s in socks {
                // SAFETY: a valid socket and a linger struct of the size given. Closing it
                // (when `socks` is dropped) then sends an RST instead of a FIN.
                unsafe {
                    libc::setsockopt(
                        s.as_raw_fd(),
                        libc::SOL_SOCKET,
                        libc::SO_LINGER,
                        &linger as *const libc::linger as *const libc::c_void,
                        std::mem::size_of::<libc::linger>() as libc::socklen_t,
                    );
                }
            }
        }
    }
    let _ = std::io::stdout().flush();
}
