//! dockerclient: a Docker Engine API client for images, shipped as a C library.
//!
//! The C surface (`include/dockerclient.h`) is what most users see; this is the Rust API it
//! stands on, usable directly from Rust. The public surface is what this file re-exports:
//!
//! - [`Client`] and its options: one daemon endpoint (`unix://`, `tcp://`, TLS), the negotiated
//!   API version, time limits, where registry credentials come from;
//! - [`images`]: one module per operation family, each with its options, its function and its
//!   typed result (`images::pull::{pull, PullOptions, PullResult}`, …); the streaming ones take
//!   an [`Io`] bundle (bytes in, bytes out, progress);
//! - [`system`]: ping, version, info, registry login check;
//! - [`Error`] / [`Status`]: one error type whose status is what the C API returns.
//!
//! Layers (data flows top to bottom, nothing calls upward): `ffi` (the C surface) → `images`,
//! `system` → `auth`, `client`, `build_context` → `stream`, `transport` → `tar`, `platform`,
//! `error`. See the README's "How the code is laid out" for one line per module.

// Internal modules: `#[doc(hidden)] pub` ones are reachable by the integration tests and
// benchmarks (request building, option parsing, stream rendering, credential resolution) but
// are not the API: no stability promise, not in the documentation.
#[doc(hidden)]
pub mod auth;
#[doc(hidden)]
pub mod build_context;
#[doc(hidden)]
pub mod client;
mod error;
mod ffi;
#[doc(hidden)]
pub mod fuzzing;
pub mod images;
#[doc(hidden)]
pub mod options;
mod platform;
#[doc(hidden)]
pub mod reference;
#[doc(hidden)]
pub mod stream;
pub mod system;
#[doc(hidden)]
pub mod tar;
#[cfg(test)]
mod testutil;
#[doc(hidden)]
pub mod transport;

pub use auth::{AuthConfig, DockerConfig};
pub use client::{ApiVersion, Client, ClientOptions, CredentialSource, PingHeaders, RawJson, TlsOptions};
pub use error::{Error, Result, Status};
pub use images::io::{Io, WriteFn};
pub use stream::ProgressMode;
pub use transport::CancelToken;
