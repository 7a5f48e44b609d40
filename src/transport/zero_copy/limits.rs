//! The time limits a zero-copy request runs under.

use std::io;
use std::time::{Duration, Instant};

/// A call's time limits: a deadline for the whole call and the longest wait for any one read.
#[derive(Debug, Clone, Copy, Default)]
pub struct Limits {
    pub deadline: Option<Instant>,
    pub inactivity: Option<Duration>,
}

impl Limits {
    /// Limits starting now: `timeout` for the whole call, `inactivity` for any one wait.
    pub fn starting_now(timeout: Option<Duration>, inactivity: Option<Duration>) -> Limits {
        Limits { deadline: timeout.map(|t| Instant::now() + t), inactivity }
    }

    /// The socket timeout for the next blocking operation (`None` = wait forever), or a
    /// timeout error once the deadline has passed.
    pub fn next_wait(&self) -> io::Result<Option<Duration>> {
        let left = match self.deadline {
            Some(d) => {
                let left = d.saturating_duration_since(Instant::now());
                if left.is_zero() {
                    return Err(io::Error::new(io::ErrorKind::TimedOut, "the call's time limit passed"));
                }
                Some(left)
            }
            None => None,
        };
        Ok(match (left, self.inactivity) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        })
    }
}

/// A socket timeout surfaces as EAGAIN; say what it is.
pub(super) fn timeout_named(e: io::Error) -> io::Error {
    match e.kind() {
        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut => {
            io::Error::new(io::ErrorKind::TimedOut, "no data from the daemon within the time allowed")
        }
        _ => e,
    }
}
