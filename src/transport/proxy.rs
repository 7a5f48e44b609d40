//! HTTP proxies between the library and a `tcp://`/`https://` daemon, chosen as the docker CLI
//! (Go's `http.ProxyFromEnvironment`) chooses them.
//!
//! - An `https` daemon uses `HTTPS_PROXY` (else `https_proxy`), a plain one `HTTP_PROXY` (else
//!   `http_proxy`): the first non-empty of each pair; `ALL_PROXY` is not read (Go does not).
//! - Never for `localhost` or a loopback address, whatever the variables say; nor for a host
//!   `NO_PROXY` (else `no_proxy`) names: `*`, a domain (`example.com` covers its subdomains,
//!   `.example.com` and `*.example.com` only them), an IP address or CIDR block, each with an
//!   optional `:port`.
//! - Unix sockets and ssh never use a proxy.
//! - The client option `"proxy"` overrides the variables: a URL is used for any TCP daemon
//!   (even on loopback: it was asked for), `"none"` turns proxies off.
//!
//! The library tunnels through the proxy with `CONNECT host:port` for both kinds of daemon
//! (Go sends plain-HTTP requests in absolute form instead; both reach the same daemon, and
//! CONNECT keeps the daemon's streams byte-exact). Proxy URLs take `http://` or `https://`
//! (TLS to the proxy) and may carry `user:password@`, sent as `Proxy-Authorization: Basic`;
//! the password is never shown.

use std::net::IpAddr;

use super::Endpoint;
use crate::error::{Error, Result};

/// The proxy a client goes through, and where it was named.
#[derive(Clone)]
pub struct ProxyChoice {
    pub proxy: ureq::Proxy,
    /// The URL without its password (`http://user:***@host:port`).
    pub shown: String,
    /// `"option"`, `"HTTPS_PROXY"`, `"http_proxy"`, ….
    pub source: String,
}

impl std::fmt::Debug for ProxyChoice {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ProxyChoice").field("shown", &self.shown).field("source", &self.source).finish()
    }
}

/// The proxy for `endpoint`: the `"proxy"` option when given, else the environment
/// (`var` reads a variable, `None` when unset or empty).
pub fn choose(endpoint: &Endpoint, option: Option<&str>, var: &dyn Fn(&str) -> Option<String>) -> Result<Option<ProxyChoice>> {
    let Endpoint::Tcp { host, port, tls, .. } = endpoint else {
        return Ok(None);
    };
    if let Some(given) = option {
        return match given.trim() {
            "none" => Ok(None),
            "" => Err(Error::invalid("option \"proxy\" is empty: give a proxy URL or \"none\"")),
            url => parse(url, "option \"proxy\"").map(|p| Some(with_source(p, "option"))),
        };
    }
    if host.eq_ignore_ascii_case("localhost") || host.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback()) {
        return Ok(None);
    }
    let names: [&str; 2] = if *tls { ["HTTPS_PROXY", "https_proxy"] } else { ["HTTP_PROXY", "http_proxy"] };
    let Some((name, url)) = names.iter().find_map(|n| var(n).map(|v| (*n, v))) else {
        return Ok(None);
    };
    let no_proxy = var("NO_PROXY").or_else(|| var("no_proxy")).unwrap_or_default();
    if no_proxy_covers(&no_proxy, host, *port) {
        return Ok(None);
    }
    parse(&url, name).map(|p| Some(with_source(p, name)))
}

fn with_source((proxy, shown): (ureq::Proxy, String), source: &str) -> ProxyChoice {
    ProxyChoice { proxy, shown, source: source.to_string() }
}

/// A proxy URL (`http://` assumed without a scheme, as Go does), and its shown form.
fn parse(url: &str, what: &str) -> Result<(ureq::Proxy, String)> {
    let full = if url.contains("://") { url.to_string() } else { format!("http://{url}") };
    let parsed = url::Url::parse(&full).ok().filter(|u| u.host_str().is_some_and(|h| !h.is_empty()));
    let Some(parsed) = parsed else {
        return Err(Error::invalid(format!("{what}: not a proxy URL (http://[user:password@]host:port)")));
    };
    let shown = shown(&parsed);
    match parsed.scheme() {
        "http" | "https" => {}
        other => {
            return Err(Error::invalid(format!(
                "{what}: {shown}: a {other} proxy is not supported (http:// and https:// proxies are)"
            )));
        }
    }
    let proxy = ureq::Proxy::new(&full).map_err(|_| Error::invalid(format!("{what}: {shown} is not a usable proxy URL")))?;
    Ok((proxy, shown))
}

/// `scheme://[user:***@]host[:port]`.
fn shown(u: &url::Url) -> String {
    let creds = match (u.username(), u.password()) {
        ("", None) => String::new(),
        (user, None) => format!("{user}@"),
        (user, Some(_)) => format!("{user}:***@"),
    };
    let port = u.port().map(|p| format!(":{p}")).unwrap_or_default();
    format!("{}://{creds}{}{port}", u.scheme(), u.host_str().unwrap_or(""))
}

/// Whether a `NO_PROXY` list covers `host:port` (Go's rules, see the module documentation).
pub fn no_proxy_covers(list: &str, host: &str, port: u16) -> bool {
    let host = host.to_ascii_lowercase();
    let ip = host.trim_start_matches('[').trim_end_matches(']').parse::<IpAddr>().ok();
    list.split(',').map(|e| e.trim().to_ascii_lowercase()).filter(|e| !e.is_empty()).any(|entry| {
        if entry == "*" {
            return true;
        }
        if let Some((net, bits)) = entry.split_once('/') {
            return match (net.parse::<IpAddr>(), bits.parse::<u8>(), ip) {
                (Ok(net), Ok(bits), Some(ip)) => in_block(ip, net, bits),
                _ => false,
            };
        }
        let (name, entry_port) = split_port(&entry);
        if entry_port.is_some_and(|p| p != port) {
            return false;
        }
        if let Ok(entry_ip) = name.trim_start_matches('[').trim_end_matches(']').parse::<IpAddr>() {
            return ip == Some(entry_ip);
        }
        if ip.is_some() || name.is_empty() {
            // Domain entries never match an address.
            return false;
        }
        let name = name.strip_prefix('*').unwrap_or(name);
        match name.strip_prefix('.') {
            Some(suffix) => host.ends_with(&format!(".{suffix}")),
            None => host == name || host.ends_with(&format!(".{name}")),
        }
    })
}

/// `name[:port]` / `[v6]:port` of a NO_PROXY entry (a bare IPv6 address has no port).
fn split_port(entry: &str) -> (&str, Option<u16>) {
    if entry.parse::<IpAddr>().is_ok() {
        return (entry, None);
    }
    match entry.rsplit_once(':') {
        Some((name, p)) if !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()) => (name, p.parse().ok()),
        _ => (entry, None),
    }
}

fn in_block(ip: IpAddr, net: IpAddr, bits: u8) -> bool {
    match (ip, net) {
        (IpAddr::V4(a), IpAddr::V4(n)) if bits <= 32 => {
            let mask = if bits == 0 { 0 } else { u32::MAX << (32 - u32::from(bits)) };
            u32::from(a) & mask == u32::from(n) & mask
        }
        (IpAddr::V6(a), IpAddr::V6(n)) if bits <= 128 => {
            let mask = if bits == 0 { 0 } else { u128::MAX << (128 - u32::from(bits)) };
            u128::from(a) & mask == u128::from(n) & mask
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tcp(host: &str, port: u16, tls: bool) -> Endpoint {
        Endpoint::Tcp { host: host.into(), port, base_path: String::new(), tls }
    }

    fn pick(e: &Endpoint, option: Option<&str>, vars: &[(&str, &str)]) -> Option<(String, String)> {
        let var = |k: &str| vars.iter().find(|(n, v)| *n == k && !v.is_empty()).map(|(_, v)| v.to_string());
        choose(e, option, &var).unwrap().map(|c| (c.shown, c.source))
    }

    #[test]
    fn the_daemons_scheme_picks_the_variable() {
        let vars = [("HTTP_PROXY", "http://plain:3128"), ("https_proxy", "secure:3129")];
        assert_eq!(pick(&tcp("d.example", 2375, false), None, &vars).unwrap(), ("http://plain:3128".into(), "HTTP_PROXY".into()));
        assert_eq!(pick(&tcp("d.example", 2376, true), None, &vars).unwrap(), ("http://secure:3129".into(), "https_proxy".into()));
        assert_eq!(pick(&tcp("d.example", 2376, true), None, &[("HTTP_PROXY", "http://p:1")]), None, "no fallback");
        assert_eq!(pick(&tcp("d.example", 2375, false), None, &[("HTTP_PROXY", ""), ("http_proxy", "http://l:1")]).unwrap().1, "http_proxy");
        assert_eq!(pick(&tcp("d.example", 2375, false), None, &[("ALL_PROXY", "http://a:1")]), None);
    }

    #[test]
    fn loopback_sockets_and_ssh_never_use_one() {
        let vars = [("HTTP_PROXY", "http://p:3128")];
        for h in ["localhost", "127.0.0.1", "127.5.5.5", "::1"] {
            assert_eq!(pick(&tcp(h, 2375, false), None, &vars), None, "{h}");
        }
        assert_eq!(pick(&Endpoint::Unix("/s".into()), None, &vars), None);
        assert_eq!(pick(&Endpoint::Unix("/s".into()), Some("http://p:1"), &vars), None);
    }

    #[test]
    fn the_option_overrides() {
        let vars = [("HTTP_PROXY", "http://p:3128")];
        assert_eq!(pick(&tcp("d.example", 2375, false), Some("none"), &vars), None);
        assert_eq!(pick(&tcp("127.0.0.1", 2375, false), Some("http://o:8080"), &vars).unwrap().1, "option");
        let e = choose(&tcp("h", 1, false), Some("socks5://u:secret@s:1080"), &|_| None).unwrap_err();
        assert!(e.message.contains("socks5 proxy is not supported") && !e.message.contains("secret"), "{}", e.message);
        let e = choose(&tcp("h", 1, false), Some("http://"), &|_| None).unwrap_err();
        assert!(e.message.contains("not a proxy URL"), "{}", e.message);
    }

    #[test]
    fn passwords_are_never_shown() {
        let c = choose(&tcp("h", 1, false), Some("http://user:s3cret@p:3128"), &|_| None).unwrap().unwrap();
        assert_eq!(c.shown, "http://user:***@p:3128");
        assert!(!format!("{c:?}").contains("s3cret"));
    }

    #[test]
    fn no_proxy_follows_go() {
        for (list, host, port, want) in [
            ("*", "any.host", 1, true),
            ("example.com", "example.com", 1, true),
            ("example.com", "d.example.com", 1, true),
            ("example.com", "badexample.com", 1, false),
            (".example.com", "example.com", 1, false),
            (".example.com", "d.example.com", 1, true),
            ("*.example.com", "d.example.com", 1, true),
            ("example.com:2375", "d.example.com", 2376, false),
            ("example.com:2375", "d.example.com", 2375, true),
            (" foo , Example.COM ", "d.example.com", 1, true),
            ("10.0.0.0/8", "10.1.2.3", 1, true),
            ("10.0.0.0/8", "11.1.2.3", 1, false),
            ("10.1.2.3", "10.1.2.3", 1, true),
            ("10.1.2.3:5", "10.1.2.3", 6, false),
            ("fd00::/8", "fd00::1", 1, true),
            ("example.com", "10.1.2.3", 1, false),
            ("", "h", 1, false),
        ] {
            assert_eq!(no_proxy_covers(list, host, port), want, "{list:?} {host}:{port}");
        }
    }
}
