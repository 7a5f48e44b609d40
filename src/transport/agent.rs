//! ureq's agent for an endpoint: its configuration, and connectors that make the library's own
//! sockets (Unix, TCP; TLS on top).

use ureq::unversioned::resolver::DefaultResolver;
use ureq::unversioned::transport::{Connector, RustlsConnector};

use super::{tcp, unix, Endpoint, Settings};
use crate::error::{Error, Result};

/// Socket buffer sizes: large enough that image archives move in big chunks.
const INPUT_BUFFER: usize = 128 * 1024;
const OUTPUT_BUFFER: usize = 128 * 1024;

/// Builds the agent for an endpoint and returns it with the base URL requests are made against.
pub(super) fn build(s: &Settings) -> Result<(ureq::Agent, String)> {
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
            // The library's own TCP sockets, with ureq's rustls on top for https.
            let connector = ().chain(tcp::TcpConnector).chain(RustlsConnector::default());
            let agent = ureq::Agent::with_parts(config.build(), connector, DefaultResolver::default());
            Ok((agent, format!("{scheme}://{host}:{port}{base_path}")))
        }
    }
}

