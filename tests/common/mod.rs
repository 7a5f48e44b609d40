//! Shared helpers of the integration tests: the project's private test engine, and a small
//! fake daemon for what a real engine cannot show.
#![allow(dead_code)]

pub mod cutting_proxy;
pub mod engine;
pub mod fake_daemon;
pub mod loopback_proxy;
pub mod scratch;
pub mod stalling_proxy;
