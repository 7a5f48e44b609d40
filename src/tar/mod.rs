//! Tar, the one format every image archive and build context travels in: the writer of build
//! contexts ([`writer`], Go's `archive/tar` byte for byte) and the checker that follows a saved
//! archive as it streams past ([`check`]).

pub mod check;
pub(crate) mod writer;

pub use check::TarCheck;

/// Tar's block size: a header is one block, data is padded to whole blocks.
pub const BLOCK: usize = 512;

/// The content type archives are sent with (as the docker CLI does).
pub const CONTENT_TYPE: &str = "application/x-tar";
