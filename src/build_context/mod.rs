//! The build context, exactly as the docker CLI's classic builder sends it: the `.dockerignore`
//! rules ([`ignore`], on `pattern`), the directory walk that writes the tar ([`walk`], on
//! [`crate::tar`]'s writer) and the streamed request body ([`stream`]).

pub mod ignore;
mod pattern;
pub mod stream;
pub mod walk;

pub use ignore::{IgnoreRules, WalkMatch};
pub use stream::{ContextStream, load_rules};
pub use walk::{ContextSpec, generated_dockerfile_name, write_context};
