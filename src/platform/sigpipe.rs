//! Writing to a pipe, FIFO or socket without letting SIGPIPE kill the host program.
//!
//! This library runs inside C programs, which usually leave SIGPIPE at its default action
//! (terminate). A write or splice to a FIFO whose reader has gone raises SIGPIPE at the
//! writing thread; with the signal blocked, the write fails with EPIPE instead, and the
//! signal it left pending is taken back before the mask is restored, so the host never sees
//! it. A SIGPIPE the host had pending already (it blocks the signal itself) is left alone.

/// Runs `f` with SIGPIPE blocked on the calling thread, then restores the thread's mask.
pub fn without_sigpipe<T>(f: impl FnOnce() -> T) -> T {
    let pipe_only = sigpipe_set();
    let mut old = empty_set();
    // SAFETY: signal-mask calls on the current thread with local, initialised sets.
    unsafe { libc::pthread_sigmask(libc::SIG_BLOCK, &pipe_only, &mut old) };
    let pending_before = sigpipe_pending();

    let result = f();

    if !pending_before && sigpipe_pending() {
        take_pending(&pipe_only);
    }
    // SAFETY: restores the mask saved above.
    unsafe { libc::pthread_sigmask(libc::SIG_SETMASK, &old, std::ptr::null_mut()) };
    result
}

/// Blocks SIGPIPE for the rest of the calling thread's life (a thread of the library's own
/// that writes to a pipe or a child's stdin): a write to a closed pipe then fails with EPIPE
/// instead of killing the host process. The signal is thread-directed, so the rest of the
/// program is unaffected; a pending one is discarded when the thread ends.
pub fn block_sigpipe_on_this_thread() {
    let set = sigpipe_set();
    // SAFETY: plain signal-mask manipulation of the current thread on a local, initialised set.
    unsafe { libc::pthread_sigmask(libc::SIG_BLOCK, &set, std::ptr::null_mut()) };
}

fn empty_set() -> libc::sigset_t {
    // SAFETY: sigemptyset initialises the set it is given.
    unsafe {
        let mut set: libc::sigset_t = std::mem::zeroed();
        libc::sigemptyset(&mut set);
        set
    }
}

fn sigpipe_set() -> libc::sigset_t {
    let mut set = empty_set();
    // SAFETY: an initialised set and a valid signal number.
    unsafe { libc::sigaddset(&mut set, libc::SIGPIPE) };
    set
}

fn sigpipe_pending() -> bool {
    let mut set = empty_set();
    // SAFETY: sigpending fills a local set.
    unsafe {
        libc::sigpending(&mut set);
        libc::sigismember(&set, libc::SIGPIPE) == 1
    }
}

/// Takes a SIGPIPE that is pending on this thread (and blocked), so it is never delivered.
#[cfg(dc_linux)]
fn take_pending(pipe_only: &libc::sigset_t) {
    let zero = libc::timespec { tv_sec: 0, tv_nsec: 0 };
    // SAFETY: a zero timeout makes sigtimedwait a non-blocking "take it if pending".
    unsafe { libc::sigtimedwait(pipe_only, std::ptr::null_mut(), &zero) };
}

/// Takes a SIGPIPE that is pending on this thread (and blocked), so it is never delivered.
/// POSIX `sigwait`: it returns at once because the signal is known to be pending.
#[cfg(not(dc_linux))]
fn take_pending(pipe_only: &libc::sigset_t) {
    let mut sig = 0;
    // SAFETY: a valid set and an out-parameter; the signal is pending, so this cannot block.
    unsafe { libc::sigwait(pipe_only, &mut sig) };
}
