//! The build context, exactly as the docker CLI's classic builder sends it: the `.dockerignore`
//! matcher (`dockerignore`, on `pattern`), the tar writer (`context_tar`, on `tar_entry`) and
//! the streamed request body (`context_stream`).

pub mod context_stream;
pub mod context_tar;
pub mod dockerignore;
mod pattern;
mod tar_entry;
#[cfg(test)]
mod testutil;

pub use context_stream::{ContextStream, load_rules};
pub use context_tar::{ContextSpec, generated_dockerfile_name, write_context};
pub use dockerignore::{IgnoreRules, WalkMatch};
