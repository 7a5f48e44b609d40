//! TCP connections for ureq, made by the library (instead of ureq's own connector) so that
//! they are [`Socket`]s like every other: cancellable, with bounded sends, no SIGPIPE. TLS is
//! layered on top by ureq's rustls connector, so encrypted connections get the same.

use std::io;
use std::time::Duration;

use ureq::unversioned::transport::{ConnectionDetails, Connector, Either, Transport};

use super::socket::Socket;
use super::socket_transport::SocketTransport;

#[derive(Debug, Default)]
pub struct TcpConnector;

impl<In: Transport> Connector<In> for TcpConnector {
    type Out = Either<In, SocketTransport>;

    fn connect(&self, details: &ConnectionDetails, chained: Option<In>) -> Result<Option<Self::Out>, ureq::Error> {
        if let Some(t) = chained {
            return Ok(Some(Either::A(t)));
        }
        let timeout = (!details.timeout.after.is_not_happening()).then(|| *details.timeout.after);
        if timeout == Some(Duration::ZERO) {
            return Err(ureq::Error::Timeout(details.timeout.reason));
        }
        let mut last = None;
        for addr in details.addrs.iter() {
            match Socket::connect_tcp(addr, timeout) {
                Ok(socket) => {
                    return SocketTransport::new(socket, details.config, &*details.register_shutdown)
                        .map(|t| Some(Either::B(t)));
                }
                Err(e) => last = Some(e),
            }
        }
        Err(ureq::Error::Io(last.unwrap_or_else(|| io::Error::new(io::ErrorKind::NotFound, "the host has no address"))))
    }
}
