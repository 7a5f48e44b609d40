//! Daemon endpoints as the docker CLI writes them: `unix://`, `tcp://`, `http://`, `https://`,
//! `ssh://`.

use std::path::PathBuf;

use super::ssh::SshTarget;
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
    /// `ssh://[user@]host[:port][/socket path]`: `docker system dial-stdio` over the system ssh.
    Ssh(SshTarget),
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
            "ssh" => parse_ssh(rest).map(Endpoint::Ssh).map_err(|w| bad(&w)),
            _ => Err(bad("unknown scheme")),
        }
    }

    pub fn is_tls(&self) -> bool {
        matches!(self, Endpoint::Tcp { tls: true, .. })
    }
}

/// `[user@]host[:port][/path]` of an `ssh://` URL, refused as the CLI refuses it: a password,
/// a query or fragment, no host.
fn parse_ssh(rest: &str) -> std::result::Result<SshTarget, String> {
    if rest.contains(['?', '#']) {
        return Err("a query or fragment is not allowed in an ssh:// host".into());
    }
    let (authority, path) = match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, ""),
    };
    let (user, hostport) = match authority.rsplit_once('@') {
        Some((u, h)) => (Some(u), h),
        None => (None, authority),
    };
    if let Some(u) = user {
        if u.contains(':') {
            return Err("a password in an ssh:// host is not supported (use keys or the agent)".into());
        }
        if u.is_empty() || u.starts_with('-') || u.bytes().any(|b| b.is_ascii_control() || b == b' ') {
            return Err("the ssh user name is empty or not a user name".into());
        }
    }
    let (host, port) = split_host_port(hostport)?;
    if host.starts_with('-') || host.bytes().any(|b| b.is_ascii_control() || b == b' ') {
        return Err("the ssh host is not a host name".into());
    }
    // A path of "/" alone names no socket (as in the CLI).
    let socket_path = (!path.trim_end_matches('/').is_empty()).then(|| path.to_string());
    if socket_path.as_deref().is_some_and(|p| p.bytes().any(|b| b.is_ascii_control())) {
        return Err("the socket path holds control characters".into());
    }
    Ok(SshTarget { user: user.map(String::from), host, port, socket_path })
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
    fn parses_ssh_hosts_as_the_cli() {
        let t = |h: &str| match Endpoint::parse(h, true).unwrap() {
            Endpoint::Ssh(t) => t,
            other => panic!("{h}: {other:?}"),
        };
        let a = t("ssh://me@example.com:2222");
        assert_eq!((a.user.as_deref(), a.host.as_str(), a.port, a.socket_path), (Some("me"), "example.com", Some(2222), None));
        let b = t("ssh://[::1]/var/run/docker.sock");
        assert_eq!((b.user, b.host.as_str(), b.port, b.socket_path.as_deref()), (None, "::1", None, Some("/var/run/docker.sock")));
        assert_eq!(t("ssh://h/").socket_path, None, "a lone / names no socket");
        assert!(!Endpoint::parse("ssh://h", true).unwrap().is_tls(), "TLS never applies inside ssh");
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
            ("ssh://u:pw@h", "password"),
            ("ssh://h?x=1", "query"),
            ("ssh://", "missing host"),
            ("ssh://u@", "missing host"),
            ("ssh://-oProxyCommand=x", "not a host name"),
            ("ssh://-l@h", "not a user name"),
        ] {
            let e = Endpoint::parse(h, false).unwrap_err();
            assert!(e.message.contains(why), "{h}: {}", e.message);
        }
    }
}
