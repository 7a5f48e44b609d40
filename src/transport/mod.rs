//! How bytes reach the daemon: endpoints, and the ureq agents that speak HTTP over them.
//!
//! All ureq-specific code lives here (its transport API is outside ureq's semver promise).

mod direct;
mod endpoint;
mod spliced_body;
mod tls;
mod unix;

pub use direct::{DirectResponse, DirectTarget, Limits};
pub use endpoint::{Endpoint, DEFAULT_HOST};
pub use spliced_body::{SpliceError, SplicedBody};
pub use tls::TlsFiles;

use std::time::Duration;

use crate::error::{Error, Result};

/// What the client needs to build its agent.
pub struct AgentSettings<'a> {
    pub endpoint: &'a Endpoint,
    pub tls: Option<&'a TlsFiles>,
    pub user_agent: &'a str,
    pub timeout: Option<Duration>,
    pub inactivity_timeout: Option<Duration>,
}

/// Socket buffer sizes: large enough that image archives move in big chunks.
const INPUT_BUFFER: usize = 128 * 1024;
const OUTPUT_BUFFER: usize = 128 * 1024;

/// Builds the agent for an endpoint and returns it with the base URL requests are made against.
pub fn build_agent(s: &AgentSettings) -> Result<(ureq::Agent, String)> {
    let mut config = ureq::Agent::config_builder()
        // Keep the daemon's error bodies: we map statuses ourselves.
        .http_status_as_error(false)
        // A daemon client must not be redirected through HTTP(S)_PROXY or follow redirects
        // (a redirect could carry X-Registry-Auth somewhere else).
        .proxy(None)
        .max_redirects(0)
        .user_agent(s.user_agent)
        .input_buffer_size(INPUT_BUFFER)
        .output_buffer_size(OUTPUT_BUFFER)
        .max_idle_connections(16)
        .max_idle_connections_per_host(16)
        .no_delay(true)
        .timeout_global(s.timeout)
        .timeout_per_read(s.inactivity_timeout);
    match s.endpoint {
        Endpoint::Unix(path) => {
            if s.tls.is_some() {
                return Err(Error::invalid("TLS options cannot be used with a unix:// endpoint"));
            }
            let agent = ureq::Agent::with_parts(
                config.build(),
                unix::UnixConnector::new(path.clone()),
                unix::NoDnsResolver,
            );
            Ok((agent, "http://docker".to_string()))
        }
        Endpoint::Tcp { host, port, base_path, tls } => {
            let scheme = if *tls { "https" } else { "http" };
            if *tls {
                let files = s.tls.cloned().unwrap_or_default();
                config = config.tls_config(files.to_tls_config()?);
            } else if s.tls.is_some() {
                return Err(Error::invalid("TLS options given for an http:// endpoint"));
            }
            let host = if host.contains(':') { format!("[{host}]") } else { host.clone() };
            let agent = ureq::Agent::new_with_config(config.build());
            Ok((agent, format!("{scheme}://{host}:{port}{base_path}")))
        }
    }
}

/// Maps a ureq error to the crate's classes, keeping the detail but never a header value.
pub fn map_ureq_error(e: ureq::Error, what: &str) -> Error {
    use ureq::Error as U;
    match e {
        U::Timeout(t) => Error::timeout(format!("{what}: timed out ({t})")),
        U::Io(io) => match io.kind() {
            std::io::ErrorKind::TimedOut | std::io::ErrorKind::WouldBlock => {
                Error::timeout(format!("{what}: timed out: {io}"))
            }
            _ => Error::transport(format!("{what}: {io}")),
        },
        other => Error::transport(format!("{what}: {other}")),
    }
}
