//! Sending on a socket without SIGPIPE: a daemon that closes the socket mid-upload must give
//! the call an EPIPE error, not kill a C host process (whose SIGPIPE is usually left at its
//! default action) with SIGPIPE.
//!
//! Linux has `send(MSG_NOSIGNAL)`. macOS and the BSDs have the `SO_NOSIGPIPE` socket option,
//! set once by [`prepare`] when the connection is made. Anything else (and Linux on the
//! portable path) blocks SIGPIPE around the write.

use std::io;
use std::os::fd::RawFd;

/// Readies a new connection's socket for [`send_all`].
pub fn prepare(fd: RawFd) -> io::Result<()> {
    #[cfg(all(not(dc_linux), any(target_vendor = "apple", target_os = "freebsd", target_os = "netbsd", target_os = "openbsd", target_os = "dragonfly")))]
    {
        let on: libc::c_int = 1;
        // SAFETY: an open socket and a correctly sized option value.
        let r = unsafe {
            libc::setsockopt(
                fd,
                libc::SOL_SOCKET,
                libc::SO_NOSIGPIPE,
                (&on as *const libc::c_int).cast(),
                std::mem::size_of::<libc::c_int>() as libc::socklen_t,
            )
        };
        if r != 0 {
            return Err(io::Error::last_os_error());
        }
    }
    let _ = fd;
    Ok(())
}

/// Writes all of `buf` to the socket `fd`, retrying on EINTR.
pub fn send_all(fd: RawFd, mut buf: &[u8]) -> io::Result<()> {
    while !buf.is_empty() {
        let n = send_once(fd, buf)?;
        if n == 0 {
            return Err(io::Error::new(io::ErrorKind::WriteZero, "the daemon accepted no bytes"));
        }
        buf = &buf[n..];
    }
    Ok(())
}

fn send_once(fd: RawFd, buf: &[u8]) -> io::Result<usize> {
    loop {
        let n = raw_send(fd, buf);
        if n >= 0 {
            return Ok(n as usize);
        }
        let e = io::Error::last_os_error();
        if e.kind() != io::ErrorKind::Interrupted {
            return Err(e);
        }
    }
}

#[cfg(dc_linux)]
fn raw_send(fd: RawFd, buf: &[u8]) -> isize {
    // SAFETY: a socket the caller holds open and a readable buffer of buf.len() bytes.
    unsafe { libc::send(fd, buf.as_ptr().cast(), buf.len(), libc::MSG_NOSIGNAL) }
}

#[cfg(all(not(dc_linux), any(target_vendor = "apple", target_os = "freebsd", target_os = "netbsd", target_os = "openbsd", target_os = "dragonfly")))]
fn raw_send(fd: RawFd, buf: &[u8]) -> isize {
    // SAFETY: as above; SO_NOSIGPIPE was set by `prepare`.
    unsafe { libc::send(fd, buf.as_ptr().cast(), buf.len(), 0) }
}

#[cfg(all(not(dc_linux), not(any(target_vendor = "apple", target_os = "freebsd", target_os = "netbsd", target_os = "openbsd", target_os = "dragonfly"))))]
fn raw_send(fd: RawFd, buf: &[u8]) -> isize {
    // SAFETY: as above; SIGPIPE is blocked (and a pending one taken back) around the call.
    super::without_sigpipe(|| unsafe { libc::send(fd, buf.as_ptr().cast(), buf.len(), 0) })
}
