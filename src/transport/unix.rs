//! Connections to a Unix socket for ureq (ureq 3 has none built in).
//!
//! Every request URL of a Unix-socket client carries a dummy host (`http://docker/…`); the
//! connector ignores it and dials the socket path it was made with. The resolver answers
//! without DNS so the dummy host is never looked up.

use std::net::{Ipv4Addr, SocketAddr, SocketAddrV4};
use std::path::PathBuf;

use ureq::config::Config;
use ureq::http::Uri;
use ureq::unversioned::resolver::{ResolvedSocketAddrs, Resolver};
use ureq::unversioned::transport::{ConnectionDetails, Connector, NextTimeout};

use super::socket::Socket;
use super::socket_transport::SocketTransport;

/// Dials one Unix socket path for every connection ureq asks for.
#[derive(Debug)]
pub struct UnixConnector {
    path: PathBuf,
}

impl UnixConnector {
    pub fn new(path: PathBuf) -> UnixConnector {
        UnixConnector { path }
    }
}

impl Connector<()> for UnixConnector {
    type Out = SocketTransport;

    fn connect(&self, details: &ConnectionDetails, _chained: Option<()>) -> Result<Option<Self::Out>, ureq::Error> {
        let socket = Socket::connect_unix(&self.path)?;
        SocketTransport::new(socket, details.config, &*details.register_shutdown).map(Some)
    }
}

/// Answers every lookup with a placeholder address: the connector never uses it.
#[derive(Debug, Default)]
pub struct NoDnsResolver;

impl Resolver for NoDnsResolver {
    fn resolve(&self, _uri: &Uri, _config: &Config, _timeout: NextTimeout) -> Result<ResolvedSocketAddrs, ureq::Error> {
        let mut addrs = self.empty();
        addrs.push(SocketAddr::V4(SocketAddrV4::new(Ipv4Addr::LOCALHOST, 0)));
        Ok(addrs)
    }
}
