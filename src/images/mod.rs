//! Image operations, one file per endpoint family. Each builds its request from typed
//! options, checks the API version each option needs, and streams the answer.

pub mod auth_header;
pub mod io;
pub mod platform;

// Metadata (JSON in, JSON out).
pub mod attestations;
pub mod commit;
pub mod distribution;
pub mod filters;
pub mod history;
pub mod inspect;
pub mod list;
pub mod prune;
pub mod remove;
pub mod search;
pub mod tag;

// Registry transfers with progress.
pub mod pull;
pub mod push;

// Archives.
pub mod import;
pub mod load;
pub mod save;
pub mod save_reader;
mod save_output;

// Builds.
pub mod build;
pub mod build_prune;
