//! dockerclient: a Docker Engine API client for images, shipped as a C library.
//!
//! Layers (data flows top to bottom, nothing calls upward): `ffi` (the C surface) →
//! `images`, `system` → `auth`, `build`, `stream` → `client` → `transport`; `error` is shared.

pub mod auth;
pub mod build_context;
pub mod client;
pub mod error;
pub mod ffi;
pub mod images;
pub mod options;
pub mod reference;
mod platform;
pub mod stream;
pub mod system;
pub mod tar;
#[cfg(test)]
mod testutil;
pub mod transport;

pub use client::{Client, ClientOptions};
pub use error::{Error, Result, Status};
