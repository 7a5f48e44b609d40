//! The daemon's System API: `/_ping` ([`ping`]), `GET /version` and `GET /info` ([`info`]),
//! and the registry login check `POST /auth` ([`login`]).

pub mod info;
pub mod login;
pub mod ping;

pub use info::{info, version};
pub use login::auth;
pub use ping::ping;
