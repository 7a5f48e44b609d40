//! The request of a zero-copy GET: just enough HTTP/1.1 for one GET (request line and headers
//! out; status, headers and body framing in) over a Unix socket or plain TCP, on a connection
//! of its own that is closed when the body is dropped.

use std::io;

use std::net::ToSocketAddrs;
use std::path::PathBuf;
use std::sync::Arc;

use super::body::{Framing, ZeroCopyBody};
use super::limits::Limits;
use crate::transport::call_scope::{self, CancelToken};
use crate::transport::socket::{SharedSocket, Socket};
use crate::transport::Endpoint;

/// The longest response head accepted (status line and headers).
const MAX_HEAD: usize = 64 * 1024;

/// Where direct requests go: a non-TLS endpoint and the identity the client sends.
#[derive(Debug, Clone)]
pub struct ZeroCopyTarget {
    dial: Dial,
    /// The `Host` header: what ureq sends for the same endpoint.
    host_header: String,
    base_path: String,
    user_agent: String,
    /// The endpoint as error messages name it.
    endpoint_text: String,
}

#[derive(Debug, Clone)]
enum Dial {
    Unix(PathBuf),
    Tcp(String, u16),
    Ssh(crate::transport::ssh::SshTarget),
    /// TLS the library does itself: only for connections it takes over (a session), never for
    /// a zero-copy body (the bytes must be decrypted here anyway).
    Tls(String, u16, Arc<rustls::ClientConfig>, rustls::pki_types::ServerName<'static>),
}

/// A response whose head has been read; the body has not.
pub struct ZeroCopyResponse {
    pub status: u16,
    pub body: ZeroCopyBody,
}

impl ZeroCopyTarget {
    /// The direct target for an endpoint, or `None` for TLS (which has no direct path).
    pub fn new(endpoint: &Endpoint, user_agent: &str, endpoint_text: &str) -> Option<ZeroCopyTarget> {
        let (dial, host_header, base_path) = match endpoint {
            Endpoint::Unix(path) => (Dial::Unix(path.clone()), "docker".to_string(), String::new()),
            Endpoint::Ssh(target) => (Dial::Ssh(target.clone()), "docker".to_string(), String::new()),
            Endpoint::Tcp { tls: true, .. } => return None,
            Endpoint::Tcp { host, port, base_path, tls: false } => {
                let shown = if host.contains(':') { format!("[{host}]") } else { host.clone() };
                (Dial::Tcp(host.clone(), *port), format!("{shown}:{port}"), base_path.clone())
            }
        };
        Some(ZeroCopyTarget {
            dial,
            host_header,
            base_path,
            user_agent: user_agent.to_string(),
            endpoint_text: endpoint_text.to_string(),
        })
    }

    /// The target of connections the library takes over (`101 Switching Protocols`): the
    /// direct one, or for a TLS endpoint one whose TLS the library does itself.
    pub fn for_upgrades(
        endpoint: &Endpoint,
        tls: Option<&crate::transport::TlsFiles>,
        user_agent: &str,
        endpoint_text: &str,
    ) -> crate::error::Result<Option<ZeroCopyTarget>> {
        let Endpoint::Tcp { host, port, base_path, tls: true } = endpoint else {
            return Ok(ZeroCopyTarget::new(endpoint, user_agent, endpoint_text));
        };
        // The same settings ureq is given for the endpoint (see agent.rs).
        let config = tls.cloned().unwrap_or_default().to_rustls_config()?;
        let name = rustls::pki_types::ServerName::try_from(host.clone())
            .map_err(|e| crate::error::Error::invalid(format!("TLS: {host} is not a server name: {e}")))?;
        let shown = if host.contains(':') { format!("[{host}]") } else { host.clone() };
        Ok(Some(ZeroCopyTarget {
            dial: Dial::Tls(host.clone(), *port, config, name),
            host_header: format!("{shown}:{port}"),
            base_path: base_path.clone(),
            user_agent: user_agent.to_string(),
            endpoint_text: endpoint_text.to_string(),
        }))
    }

    /// Sends `GET <base path><path_and_query>` with `headers` on a new connection (closed when
    /// the body is dropped) and reads the answer's head.
    pub fn get(
        &self,
        path_and_query: &str,
        headers: &[(&'static str, String)],
        limits: Limits,
        cancel: Option<CancelToken>,
    ) -> io::Result<ZeroCopyResponse> {
        self.exchange("GET", path_and_query, "Accept: */*\r\nConnection: close\r\n", headers, limits, cancel)
    }

    /// Sends `POST <base path><path_and_query>` asking to switch the new connection to
    /// `protocol` (`Connection: Upgrade`), and reads the answer's head: a 101 leaves the
    /// connection to the new protocol, the bytes read past the head in the body's buffer.
    pub fn post_upgrade(
        &self,
        path_and_query: &str,
        protocol: &str,
        headers: &[(&'static str, String)],
        limits: Limits,
        cancel: Option<CancelToken>,
    ) -> io::Result<ZeroCopyResponse> {
        let extra = format!("Connection: Upgrade\r\nUpgrade: {protocol}\r\nContent-Length: 0\r\n");
        self.exchange("POST", path_and_query, &extra, headers, limits, cancel)
    }

    fn exchange(
        &self,
        method: &str,
        path_and_query: &str,
        fixed_headers: &str,
        headers: &[(&'static str, String)],
        limits: Limits,
        cancel: Option<CancelToken>,
    ) -> io::Result<ZeroCopyResponse> {
        let stream = SharedSocket::new(self.connect(limits)?);
        // A cancel of this call shuts the socket down (see call_scope).
        call_scope::claim(&stream);
        let mut head = format!(
            "{method} {}{} HTTP/1.1\r\nHost: {}\r\nUser-Agent: {}\r\n{fixed_headers}",
            self.base_path, path_and_query, self.host_header, self.user_agent
        );
        for (name, value) in headers {
            head.push_str(&format!("{name}: {value}\r\n"));
        }
        head.push_str("\r\n");
        stream.set_write_timeout(limits.next_wait()?)?;
        stream.send_all(head.as_bytes())?;
        read_head(stream, limits, &self.endpoint_text, cancel)
    }

    /// The endpoint as error messages name it.
    pub fn endpoint_text(&self) -> &str {
        &self.endpoint_text
    }

    fn connect(&self, limits: Limits) -> io::Result<Socket> {
        match &self.dial {
            Dial::Unix(path) => Socket::connect_unix(path),
            Dial::Ssh(target) => Socket::connect_ssh(target),
            Dial::Tcp(host, port) | Dial::Tls(host, port, ..) => {
                let mut last = None;
                for addr in (host.as_str(), *port).to_socket_addrs()? {
                    let connected = match &self.dial {
                        Dial::Tls(_, _, config, name) => Socket::connect_tls(&addr, limits.next_wait()?, config.clone(), name.clone()),
                        _ => Socket::connect_tcp(&addr, limits.next_wait()?),
                    };
                    match connected {
                        Ok(s) => return Ok(s),
                        Err(e) => last = Some(e),
                    }
                }
                Err(last.unwrap_or_else(|| io::Error::new(io::ErrorKind::NotFound, format!("{host} has no address"))))
            }
        }
    }
}

/// Reads the status line and headers; bytes after them stay buffered as the body's start.
fn read_head(
    stream: Arc<SharedSocket>,
    limits: Limits,
    endpoint_text: &str,
    cancel: Option<CancelToken>,
) -> io::Result<ZeroCopyResponse> {
    let mut buf = vec![0u8; MAX_HEAD];
    let mut end = 0;
    let head_len = loop {
        if let Some(i) = find(&buf[..end], b"\r\n\r\n") {
            break i + 4;
        }
        if end == buf.len() {
            return Err(bad("a response head longer than 64 KiB"));
        }
        stream.set_read_timeout(limits.next_wait()?)?;
        let n = match stream.read(&mut buf[end..]) {
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if n == 0 {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "the daemon closed the connection before it answered",
            ));
        }
        end += n;
    };
    let text = std::str::from_utf8(&buf[..head_len]).map_err(|_| bad("a response head that is not text"))?;
    let mut lines = text.split("\r\n");
    let status_line = lines.next().unwrap_or_default();
    let status = parse_status(status_line)?;
    let mut chunked = false;
    let mut length = None;
    for line in lines.filter(|l| !l.is_empty()) {
        let (name, value) = line.split_once(':').ok_or_else(|| bad("a header line without a colon"))?;
        let value = value.trim();
        if name.eq_ignore_ascii_case("transfer-encoding") {
            chunked = value.to_ascii_lowercase().split(',').any(|c| c.trim() == "chunked");
        } else if name.eq_ignore_ascii_case("content-length") {
            length = Some(value.parse::<u64>().map_err(|_| bad("an unreadable Content-Length"))?);
        }
    }
    // RFC 9112 §6.3: chunked wins over Content-Length; neither means "until the server closes".
    let framing = match (chunked, length) {
        (true, _) => Framing::chunked(),
        (false, Some(n)) => Framing::Length(n),
        (false, None) => Framing::UntilClose,
    };
    buf.copy_within(head_len..end, 0);
    let body = ZeroCopyBody::new(stream, buf, end - head_len, framing, limits, endpoint_text.to_string()).with_cancel(cancel);
    Ok(ZeroCopyResponse { status, body })
}

fn parse_status(line: &str) -> io::Result<u16> {
    let mut parts = line.splitn(3, ' ');
    let version = parts.next().unwrap_or_default();
    if !version.starts_with("HTTP/1.") {
        return Err(bad("a status line that is not HTTP/1.x"));
    }
    let code = parts.next().unwrap_or_default();
    match code.parse::<u16>() {
        // 101 only answers an upgrade; other informational answers are not expected.
        Ok(c) if c == 101 || (200..600).contains(&c) => Ok(c),
        _ => Err(bad("an unreadable status code")),
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

fn bad(what: &str) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, format!("the daemon sent {what}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_lines() {
        assert_eq!(parse_status("HTTP/1.1 200 OK").unwrap(), 200);
        assert_eq!(parse_status("HTTP/1.0 404 Not Found").unwrap(), 404);
        assert!(parse_status("HTTP/2 200").is_err());
        assert!(parse_status("HTTP/1.1 abc").is_err());
        assert!(parse_status("HTTP/1.1 100 Continue").is_err());
    }

    #[test]
    fn tls_has_no_direct_path() {
        let tls = Endpoint::parse("https://127.0.0.1:2376", false).unwrap();
        assert!(ZeroCopyTarget::new(&tls, "ua", "x").is_none());
        let tcp = Endpoint::parse("tcp://127.0.0.1:2375/prefix", false).unwrap();
        let t = ZeroCopyTarget::new(&tcp, "ua", "x").unwrap();
        assert_eq!(t.host_header, "127.0.0.1:2375");
        assert_eq!(t.base_path, "/prefix");
    }
}
