//! Daemon endpoints as the docker CLI writes them: `unix://`, `tcp://`, `http://`, `https://`.

use std::path::PathBuf;

use crate::error::{Error, Result};

/// Where the daemon listens.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Endpoint {
    Unix(PathBuf),
    Tcp {
        host: String,
        port: u16,
        /// A path prefix in front of `/vX.Y/…` (rare, but the CLI allows it).
        base_path: String,
        tls: bool,
    },
}

/// The CLI's default when `DOCKER_HOST` is unset.
pub const DEFAULT_HOST: &str = "unix:///var/run/docker.sock";

impl Endpoint {
    /// Parses a host string. `want_tls` turns `tcp://` into HTTPS (as `DOCKER_TLS_VERIFY` does).
    pub fn parse(host: &str, want_tls: bool) -> Result<Endpoint> {
        let bad = |why: &str| Error::invalid(format!("invalid host \"{host}\": {why}"));
        let host = host.trim();
        if host.is_empty() {
            return Err(bad("empty"));
        }
        let (scheme, rest) = match host.split_once("://") {
            Some((s, r)) => (s.to_ascii_lowercase(), r),
            None => return Err(bad("expected unix://, tcp://, http:// or https://")),
        };
        match scheme.as_str() {
            "unix" => {
                if rest.is_empty() || !rest.starts_with('/') {
                    return Err(bad("unix:// needs an absolute socket path"));
                }
                Ok(Endpoint::Unix(PathBuf::from(rest)))
            }
            "tcp" | "http" | "https" => {
                let tls = scheme == "https" || (scheme == "tcp" && want_tls);
                let (authority, path) = match rest.find('/') {
                    Some(i) => (&rest[..i], rest[i..].trim_end_matches('/')),
                    None => (rest, ""),
                };
                let (h, port) = split_host_port(authority).map_err(|w| bad(&w))?;
                let port = match port {
                    Some(p) => p,
                    None if tls => 2376,
                    None => 2375,
                };
                if path.contains(['?', '#']) {
                    return Err(bad("a query or fragment is not allowed"));
                }
                Ok(Endpoint::Tcp { host: h, port, base_path: path.to_string(), tls })
            }
            "npipe" => Err(bad("named pipes exist only on Windows")),
            "ssh" => Err(bad("ssh:// endpoints are not supported; forward the socket instead")),
            _ => Err(bad("unknown scheme")),
        }
    }

    pub fn is_tls(&self) -> bool {
        matches!(self, Endpoint::Tcp { tls: true, .. })
    }
}

fn split_host_port(authority: &str) -> std::result::Result<(String, Option<u16>), String> {
    if authority.is_empty() {
        return Err("missing host".into());
    }
    if authority.contains('@') {
        return Err("credentials in the host are not supported".into());
    }
    let (host, port) = if let Some(rest) = authority.strip_prefix('[') {
        let end = rest.find(']').ok_or("unclosed '[' in IPv6 address")?;
        let host = &rest[..end];
        let after = &rest[end + 1..];
        let port = match after.strip_prefix(':') {
            Some(p) => Some(p),
            None if after.is_empty() => None,
            None => return Err("junk after IPv6 address".into()),
        };
        (host.to_string(), port)
    } else {
        match authority.rsplit_once(':') {
            Some((h, p)) => (h.to_string(), Some(p)),
            None => (authority.to_string(), None),
        }
    };
    if host.is_empty() {
        return Err("missing host".into());
    }
    let port = match port {
        None => None,
        Some(p) => Some(
            p.parse::<u16>()
                .ok()
                .filter(|p| *p != 0)
                .ok_or_else(|| format!("invalid port \"{p}\""))?,
        ),
    };
    Ok((host, port))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_cli_forms() {
        assert_eq!(
            Endpoint::parse("unix:///var/run/docker.sock", false).unwrap(),
            Endpoint::Unix("/var/run/docker.sock".into())
        );
        assert_eq!(
            Endpoint::parse("tcp://127.0.0.1:2375", false).unwrap(),
            Endpoint::Tcp { host: "127.0.0.1".into(), port: 2375, base_path: "".into(), tls: false }
        );
        assert!(Endpoint::parse("tcp://h:1", true).unwrap().is_tls());
        assert!(Endpoint::parse("https://h", false).unwrap().is_tls());
        assert_eq!(
            Endpoint::parse("https://h", false).unwrap(),
            Endpoint::Tcp { host: "h".into(), port: 2376, base_path: "".into(), tls: true }
        );
        assert_eq!(
            Endpoint::parse("http://[::1]:80/prefix/", false).unwrap(),
            Endpoint::Tcp { host: "::1".into(), port: 80, base_path: "/prefix".into(), tls: false }
        );
    }

    #[test]
    fn refuses_bad_hosts_with_a_reason() {
        for (h, why) in [
            ("", "empty"),
            ("docker.sock", "expected"),
            ("unix://relative", "absolute"),
            ("tcp://:2375", "missing host"),
            ("tcp://h:99999", "invalid port"),
            ("tcp://h:x", "invalid port"),
            ("ftp://h", "unknown scheme"),
            ("npipe:////./pipe/docker_engine", "Windows"),
            ("tcp://u:p@h:1", "credentials"),
        ] {
            let e = Endpoint::parse(h, false).unwrap_err();
            assert!(e.message.contains(why), "{h}: {}", e.message);
        }
    }
}
