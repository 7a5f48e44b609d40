//! What differs between Unix systems, in one room: SIGPIPE handling, sending on a socket
//! without SIGPIPE, reading file capabilities, random identifiers (and the hex text they and digests are written in). Everything above this module is the same
//! on every Unix.
//!
//! Two paths: `dc_linux` (set by `build.rs` on Linux unless the `portable` feature is on) uses
//! `MSG_NOSIGNAL`, `sigtimedwait`, `lgetxattr` and, in the zero-copy save, `splice(2)`; the
//! portable path uses only POSIX calls (`SO_NOSIGPIPE` where the system has it, else SIGPIPE
//! blocked around the call). The test suite runs through both on Linux.

pub mod hex;
pub mod random;
pub mod sigpipe;
pub mod socket;
pub mod xattr;

pub use hex::{hex, sha256_hex};
pub use random::random_hex;
pub use sigpipe::{block_sigpipe_on_this_thread, without_sigpipe};
