//! Writing to a pipe or FIFO without letting SIGPIPE kill the host program.
//!
//! This library runs inside C programs, which usually leave SIGPIPE at its default action
//! (terminate). A write or splice to a FIFO whose reader has gone raises SIGPIPE at the
//! writing thread; with the signal blocked, the write fails with EPIPE instead, and the
//! signal it left pending is taken back before the mask is restored, so the host never sees
//! it. A SIGPIPE the host had pending already (it blocks the signal itself) is left alone.

/// Runs `f` with SIGPIPE blocked on the calling thread, then restores the thread's mask.
pub fn without_sigpipe<T>(f: impl FnOnce() -> T) -> T {
    // SAFETY: signal-mask calls on the current thread with local, initialised sets; the
    // zero timeout makes sigtimedwait a non-blocking "take it if pending".
    unsafe {
        let mut pipe_only: libc::sigset_t = std::mem::zeroed();
        libc::sigemptyset(&mut pipe_only);
        libc::sigaddset(&mut pipe_only, libc::SIGPIPE);
        let mut old: libc::sigset_t = std::mem::zeroed();
        libc::pthread_sigmask(libc::SIG_BLOCK, &pipe_only, &mut old);
        let pending_before = sigpipe_pending();

        let result = f();

        if !pending_before && sigpipe_pending() {
            let zero = libc::timespec { tv_sec: 0, tv_nsec: 0 };
            libc::sigtimedwait(&pipe_only, std::ptr::null_mut(), &zero);
        }
        libc::pthread_sigmask(libc::SIG_SETMASK, &old, std::ptr::null_mut());
        result
    }
}

fn sigpipe_pending() -> bool {
    // SAFETY: sigpending fills a local set.
    unsafe {
        let mut set: libc::sigset_t = std::mem::zeroed();
        libc::sigemptyset(&mut set);
        libc::sigpending(&mut set);
        libc::sigismember(&set, libc::SIGPIPE) == 1
    }
}
