//! A pipe of the library's own between a socket and a destination, moved through with
//! splice(2): Linux only (see [`super::body`]).

use std::io;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};

/// The pipe size asked for (the kernel may give less).
const PIPE_SIZE: i32 = 1 << 20;

/// A pipe of our own between the socket and the destination, with its fill level.
pub(super) struct Pipe {
    read: OwnedFd,
    write: OwnedFd,
    pub(super) capacity: usize,
    pub(super) len: usize,
    /// False once the destination refused a splice: drained by read and write from then on.
    out_splices: bool,
}

impl Pipe {
    pub(super) fn new() -> io::Result<Pipe> {
        let mut fds = [0; 2];
        // SAFETY: pipe2 fills two descriptors we then own.
        if unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) } != 0 {
            return Err(io::Error::last_os_error());
        }
        // SAFETY: fresh descriptors from pipe2, owned from here on.
        let (read, write) = unsafe { (OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1])) };
        // A bigger pipe means fewer trips to the destination; refusal (a low
        // /proc/sys/fs/pipe-max-size) only costs speed.
        // SAFETY: fcntl on a pipe descriptor we own.
        let capacity = unsafe {
            libc::fcntl(write.as_raw_fd(), libc::F_SETPIPE_SZ, PIPE_SIZE);
            libc::fcntl(write.as_raw_fd(), libc::F_GETPIPE_SZ)
        };
        let capacity = if capacity > 0 { capacity as usize } else { 64 * 1024 };
        Ok(Pipe { read, write, capacity, len: 0, out_splices: true })
    }

    pub(super) fn room(&self) -> usize {
        self.capacity - self.len
    }

    /// Moves up to `max` bytes from the socket into the pipe, waiting for the socket (and for
    /// room in the pipe); 0 = the socket is at EOF.
    pub(super) fn splice_from(&mut self, socket: RawFd, max: usize) -> io::Result<usize> {
        self.splice_in(socket, max, 0).map_err(super::limits::timeout_named)
    }

    /// The same without waiting, neither for the socket nor for the pipe; None = it would have
    /// waited.
    pub(super) fn try_splice_from(&mut self, socket: RawFd, max: usize) -> io::Result<Option<usize>> {
        match self.splice_in(socket, max, libc::SPLICE_F_NONBLOCK) {
            Ok(n) => Ok(Some(n)),
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => Ok(None),
            Err(e) => Err(e),
        }
    }

    fn splice_in(&mut self, socket: RawFd, max: usize, flags: libc::c_uint) -> io::Result<usize> {
        loop {
            // SAFETY: two descriptors we hold open; null offsets (neither is seekable).
            let n = unsafe {
                libc::splice(socket, std::ptr::null_mut(), self.write.as_raw_fd(), std::ptr::null_mut(), max, libc::SPLICE_F_MOVE | flags)
            };
            if n >= 0 {
                self.len += n as usize;
                return Ok(n as usize);
            }
            let e = io::Error::last_os_error();
            if e.kind() != io::ErrorKind::Interrupted {
                return Err(e);
            }
        }
    }

    /// Writes bytes from memory into the pipe (at most its room).
    pub(super) fn write(&mut self, bytes: &[u8]) -> io::Result<()> {
        let mut done = 0;
        while done < bytes.len() {
            // SAFETY: a pipe descriptor we own and a readable slice.
            let n = unsafe { libc::write(self.write.as_raw_fd(), bytes[done..].as_ptr().cast(), bytes.len() - done) };
            if n < 0 {
                let e = io::Error::last_os_error();
                if e.kind() == io::ErrorKind::Interrupted {
                    continue;
                }
                return Err(e);
            }
            done += n as usize;
        }
        self.len += done;
        Ok(())
    }

    /// Empties the pipe into `out`.
    pub(super) fn drain_to(&mut self, out: RawFd) -> io::Result<()> {
        while self.len > 0 {
            let n = if self.out_splices {
                // SAFETY: descriptors the caller and we hold open; null offsets write at the
                // destination's current position.
                let n = unsafe {
                    libc::splice(self.read.as_raw_fd(), std::ptr::null_mut(), out, std::ptr::null_mut(), self.len, libc::SPLICE_F_MOVE)
                };
                if n < 0 {
                    let e = io::Error::last_os_error();
                    match e.raw_os_error() {
                        Some(libc::EINTR) => continue,
                        Some(libc::EINVAL) => {
                            self.out_splices = false;
                            continue;
                        }
                        _ => return Err(e),
                    }
                }
                n as usize
            } else {
                self.copy_out(out)?
            };
            if n == 0 {
                return Err(io::Error::new(io::ErrorKind::WriteZero, "the destination took no bytes"));
            }
            self.len -= n;
        }
        Ok(())
    }

    /// One read from the pipe and a full write of it to `out` (for destinations without splice).
    fn copy_out(&mut self, out: RawFd) -> io::Result<usize> {
        let mut chunk = [0u8; 64 * 1024];
        let want = self.len.min(chunk.len());
        let n = loop {
            // SAFETY: a pipe descriptor we own and a writable buffer of `want` bytes.
            let n = unsafe { libc::read(self.read.as_raw_fd(), chunk.as_mut_ptr().cast(), want) };
            if n >= 0 {
                break n as usize;
            }
            let e = io::Error::last_os_error();
            if e.kind() != io::ErrorKind::Interrupted {
                return Err(e);
            }
        };
        let mut done = 0;
        while done < n {
            // SAFETY: the caller's open descriptor and the bytes just read.
            let w = unsafe { libc::write(out, chunk[done..n].as_ptr().cast(), n - done) };
            if w < 0 {
                let e = io::Error::last_os_error();
                if e.kind() == io::ErrorKind::Interrupted {
                    continue;
                }
                return Err(e);
            }
            done += w as usize;
        }
        Ok(n)
    }
}

