//! The daemon's System API: `/_ping` ([`ping`]), `GET /version` and `GET /info` ([`info`]),
//! registry logins (`POST /auth`, kept like `docker login`: [`login`]), disk usage
//! `GET /system/df` ([`df`]) and the event stream `GET /events` ([`events`]).

pub mod df;
pub mod events;
pub mod info;
pub mod login;
pub mod ping;
pub mod timestamp;

pub use info::{info, version};
pub use df::df;
pub use events::events;
pub use login::{auth, login, logout};
pub use ping::ping;
