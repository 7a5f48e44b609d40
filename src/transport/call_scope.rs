//! What the transport knows of the call in progress: its cancel token and its time limits.
//!
//! A library call runs on its caller's thread from start to end (callbacks included), so the
//! transport learns about it from a scope set on that thread for the call's duration
//! ([`within`]). The public API never relies on this: a caller names a cancel token
//! explicitly (a client made with `Client::with_cancel`, the C option `"cancel"`); the scope
//! only carries it down to the sockets, which ureq hands the library without the request.
//!
//! - **Cancel**: every socket a call uses is [claimed](claim) for it; triggering the token
//!   shuts those sockets down, so a read or write blocked on a silent daemon returns at once
//!   (a pooled connection that has moved on to another call is left alone), and the call
//!   fails as cancelled.
//! - **Time limits on the sending side**: a daemon that stops reading blocks a send for as
//!   long as it likes; each send waits at most the call's inactivity limit and never past its
//!   deadline, as reads do.

use std::cell::RefCell;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, Weak};
use std::time::{Duration, Instant};

use super::socket::SharedSocket;

/// Stops the calls made with it, from any thread. Cheap to clone (clones share the state).
#[derive(Clone, Debug, Default)]
pub struct CancelToken(Arc<TokenState>);

#[derive(Debug, Default)]
struct TokenState {
    triggered: AtomicBool,
    /// The sockets of the calls made with this token, with the call each was claimed for.
    sockets: Mutex<Vec<(Weak<SharedSocket>, u64)>>,
}

impl CancelToken {
    pub fn new() -> CancelToken {
        CancelToken::default()
    }

    /// Stops every call made with this token: now (their sockets are shut down) and later
    /// (a call started after this fails at once). Idempotent.
    pub fn trigger(&self) {
        if self.0.triggered.swap(true, Ordering::AcqRel) {
            return;
        }
        let sockets = std::mem::take(&mut *self.0.sockets.lock().unwrap_or_else(|p| p.into_inner()));
        for (socket, call) in sockets {
            if let Some(s) = socket.upgrade() {
                s.shutdown_for(call);
            }
        }
    }

    pub fn is_triggered(&self) -> bool {
        self.0.triggered.load(Ordering::Acquire)
    }

    /// The same token (both clones stop the same calls).
    pub fn same_as(&self, other: &CancelToken) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }

    fn watch(&self, socket: &Arc<SharedSocket>, call: u64) {
        let mut sockets = self.0.sockets.lock().unwrap_or_else(|p| p.into_inner());
        if self.is_triggered() {
            drop(sockets);
            socket.shutdown_for(call);
            return;
        }
        sockets.retain(|(s, _)| s.strong_count() > 0);
        sockets.push((Arc::downgrade(socket), call));
    }
}

/// The call in progress on this thread.
#[derive(Clone, Debug, Default)]
pub struct CallScope {
    /// Unique per call (0 = none).
    pub id: u64,
    pub cancel: Option<CancelToken>,
    pub deadline: Option<Instant>,
    pub inactivity: Option<Duration>,
}

thread_local! {
    static CURRENT: RefCell<Option<CallScope>> = const { RefCell::new(None) };
}

static NEXT_CALL: AtomicU64 = AtomicU64::new(1);

impl CallScope {
    /// A new call's scope: its own id, the token and limits given.
    pub fn new(cancel: Option<CancelToken>, timeout: Option<Duration>, inactivity: Option<Duration>) -> CallScope {
        CallScope {
            id: NEXT_CALL.fetch_add(1, Ordering::Relaxed),
            cancel,
            deadline: timeout.map(|t| Instant::now() + t),
            inactivity,
        }
    }
}

/// Runs `f` with `scope` as this thread's call in progress (the previous one is restored
/// afterwards, also on a panic).
pub fn within<T>(scope: CallScope, f: impl FnOnce() -> T) -> T {
    struct Restore(Option<CallScope>);
    impl Drop for Restore {
        fn drop(&mut self) {
            let previous = self.0.take();
            CURRENT.with(|c| *c.borrow_mut() = previous);
        }
    }
    let previous = CURRENT.with(|c| c.borrow_mut().replace(scope));
    let _restore = Restore(previous);
    f()
}

/// Claims `socket` for this thread's call: a cancel of that call shuts it down.
pub fn claim(socket: &Arc<SharedSocket>) {
    CURRENT.with(|c| {
        let c = c.borrow();
        let Some(scope) = c.as_ref() else { return };
        if socket.claim(scope.id)
            && let Some(token) = &scope.cancel
        {
            token.watch(socket, scope.id);
        }
    });
}

/// Whether this thread's call was cancelled.
pub fn cancelled() -> bool {
    CURRENT.with(|c| c.borrow().as_ref().and_then(|s| s.cancel.as_ref()).is_some_and(CancelToken::is_triggered))
}

/// The longest a send may block now: `natural` (what the HTTP layer allows), bounded by the
/// call's inactivity limit and what is left before its deadline (zero once it has passed).
pub fn send_wait(natural: Option<Duration>) -> Option<Duration> {
    CURRENT.with(|c| {
        let c = c.borrow();
        let Some(scope) = c.as_ref() else { return natural };
        let left = scope.deadline.map(|d| d.saturating_duration_since(Instant::now()));
        [natural, scope.inactivity, left].into_iter().flatten().min()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::transport::socket::Socket;
    use std::os::unix::net::UnixStream;

    fn pair() -> (Arc<SharedSocket>, UnixStream) {
        let (a, b) = UnixStream::pair().unwrap();
        (SharedSocket::new(Socket::Unix(a)), b)
    }

    #[test]
    fn a_trigger_wakes_a_blocked_read_of_its_call_only() {
        let token = CancelToken::new();
        let (mine, _peer1) = pair();
        let (other, _peer2) = pair();
        within(CallScope::new(Some(token.clone()), None, None), || claim(&mine));
        within(CallScope::new(None, None, None), || claim(&other));
        let reader = {
            let mine = mine.clone();
            std::thread::spawn(move || mine.read(&mut [0u8; 8]))
        };
        std::thread::sleep(Duration::from_millis(50));
        token.trigger();
        assert_eq!(reader.join().unwrap().unwrap(), 0, "the blocked read returned (EOF)");
        other.set_nonblocking(true).unwrap();
        assert_eq!(other.read(&mut [0u8; 8]).unwrap_err().kind(), std::io::ErrorKind::WouldBlock, "not shut down");
    }

    #[test]
    fn a_socket_claimed_by_a_later_call_is_left_alone() {
        let token = CancelToken::new();
        let (s, _peer) = pair();
        within(CallScope::new(Some(token.clone()), None, None), || claim(&s));
        within(CallScope::new(None, None, None), || claim(&s));
        token.trigger();
        s.set_nonblocking(true).unwrap();
        assert_eq!(s.read(&mut [0u8; 8]).unwrap_err().kind(), std::io::ErrorKind::WouldBlock);
        // A socket claimed after the trigger is shut down at once.
        let (late, _peer) = pair();
        within(CallScope::new(Some(token.clone()), None, None), || {
            claim(&late);
            assert!(cancelled());
        });
        assert_eq!(late.read(&mut [0u8; 8]).unwrap(), 0);
    }

    #[test]
    fn sends_wait_no_longer_than_the_calls_limits() {
        assert_eq!(send_wait(Some(Duration::from_secs(9))), Some(Duration::from_secs(9)), "no call: as given");
        within(CallScope::new(None, Some(Duration::from_secs(5)), Some(Duration::from_secs(2))), || {
            assert_eq!(send_wait(None), Some(Duration::from_secs(2)));
            assert_eq!(send_wait(Some(Duration::from_secs(1))), Some(Duration::from_secs(1)));
        });
        within(CallScope::new(None, Some(Duration::from_millis(1)), None), || {
            std::thread::sleep(Duration::from_millis(5));
            assert_eq!(send_wait(None), Some(Duration::ZERO));
        });
    }
}
