//! ureq's agent for an endpoint: its configuration, and connectors that make the library's own
//! sockets (Unix, TCP; TLS on top).

use ureq::unversioned::resolver::DefaultResolver;
use ureq::unversioned::transport::{ConnectProxyConnector, Connector, RustlsConnector};

use super::{ssh, tcp, unix, Endpoint, Settings};
use crate::error::{Error, Result};

/// Socket buffer sizes: large enough that image archives move in big chunks.
const INPUT_BUFFER: usize = 128 * 1024;
const OUTPUT_BUFFER: usize = 128 * 1024;

/// Builds the agent for an endpoint and returns it with the base URL requests are made against.
pub(super) fn build(s: &Settings) -> Result<(ureq::Agent, String)> {
    let mut config = ureq::Agent::config_builder()
        // Keep the daemon's error bodies: we map statuses ourselves.
        .http_status_as_error(false)
        // ureq's own reading of the proxy variables is not the CLI's: the proxy, if any, was
        // chosen by `proxy::choose`. No redirects: one could carry X-Registry-Auth elsewhere.
        .proxy(s.proxy.map(|p| p.proxy.clone()))
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
        Endpoint::Ssh(target) => {
            if s.tls.is_some() {
                return Err(Error::invalid("TLS options cannot be used with an ssh:// endpoint (ssh encrypts)"));
            }
            let agent = ureq::Agent::with_parts(config.build(), ssh::SshConnector::new(target.clone()), unix::NoDnsResolver);
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
            // The library's own TCP sockets (to the daemon, or to the proxy that tunnels to it
            // with CONNECT), with ureq's rustls on top for https.
            let connector =
                ().chain(ConnectProxyConnector::default()).chain(tcp::TcpConnector).chain(RustlsConnector::default());
            let agent = ureq::Agent::with_parts(config.build(), connector, DefaultResolver::default());
            Ok((agent, format!("{scheme}://{host}:{port}{base_path}")))
        }
    }
}

