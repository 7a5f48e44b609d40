//! Which key of the docker config a registry's credentials live under.
//!
//! The CLI stores Docker Hub's credentials under the legacy v1 index URL
//! `https://index.docker.io/v1/` and every other registry under its host name (with port).
//! Config files written by hand or by old tools use other spellings (`http://host:5000`,
//! `host:5000/v2/`), which the CLI matches by reducing them to the host name
//! (`ConvertToHostname`). This module does the same for both sides of the match.

use crate::reference::{DEFAULT_DOMAIN, Reference};

/// Docker Hub's config key (and the `serveraddress` the CLI sends for it).
pub const INDEX_SERVER: &str = "https://index.docker.io/v1/";

/// Host names that all mean Docker Hub.
const HUB_HOSTS: [&str; 3] = ["docker.io", "index.docker.io", "registry-1.docker.io"];

/// Strips an `http://` or `https://` scheme and everything from the first `/` after it, as the
/// CLI's `ConvertToHostname`: `https://host:5000/v2/` → `host:5000`.
pub fn convert_to_hostname(url: &str) -> &str {
    let stripped = url
        .strip_prefix("http://")
        .or_else(|| url.strip_prefix("https://"))
        .unwrap_or(url);
    stripped.split('/').next().unwrap_or(stripped)
}

/// The config key for a registry name given in any common spelling.
///
/// Empty, `docker.io`, `index.docker.io`, `registry-1.docker.io` (with or without scheme and
/// path, e.g. `https://index.docker.io/v1/`) → [`INDEX_SERVER`]; anything else → its host name
/// (`http://127.0.0.1:5000/v2/` → `127.0.0.1:5000`). Surrounding white space is ignored.
pub fn normalize_registry(name: &str) -> String {
    let host = convert_to_hostname(name.trim());
    if host.is_empty() || HUB_HOSTS.contains(&host) {
        INDEX_SERVER.to_string()
    } else {
        host.to_string()
    }
}

/// True when `name` (any spelling) means Docker Hub.
pub fn is_docker_hub(name: &str) -> bool {
    normalize_registry(name) == INDEX_SERVER
}

/// The config key holding the credentials for pulling or pushing `reference`.
pub fn registry_for_reference(reference: &Reference) -> String {
    if reference.domain == DEFAULT_DOMAIN {
        INDEX_SERVER.to_string()
    } else {
        normalize_registry(&reference.domain)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::reference::parse_normalized;

    #[test]
    fn hub_spellings() {
        for s in [
            "",
            "  ",
            "docker.io",
            "index.docker.io",
            "registry-1.docker.io",
            "https://index.docker.io/v1/",
            "https://index.docker.io/v1",
            "http://docker.io",
            "https://registry-1.docker.io/v2/",
        ] {
            assert_eq!(normalize_registry(s), INDEX_SERVER, "{s:?}");
            assert!(is_docker_hub(s));
        }
    }

    #[test]
    fn other_registries_reduce_to_host() {
        for s in [
            "127.0.0.1:5000",
            "http://127.0.0.1:5000",
            "https://127.0.0.1:5000/",
            "127.0.0.1:5000/v2/",
            "http://127.0.0.1:5000/v1/",
        ] {
            assert_eq!(normalize_registry(s), "127.0.0.1:5000", "{s}");
        }
        assert_eq!(normalize_registry("ghcr.io"), "ghcr.io");
        assert!(!is_docker_hub("ghcr.io"));
        // Only the scheme is stripped, not other prefixes.
        assert_eq!(convert_to_hostname("ftp://x/y"), "ftp:");
    }

    #[test]
    fn reference_registries() {
        let reg = |s: &str| registry_for_reference(&parse_normalized(s).unwrap());
        assert_eq!(reg("busybox"), INDEX_SERVER);
        assert_eq!(reg("user/app:1"), INDEX_SERVER);
        assert_eq!(reg("index.docker.io/user/app"), INDEX_SERVER);
        assert_eq!(reg("127.0.0.1:5000/x"), "127.0.0.1:5000");
        assert_eq!(reg("localhost/x"), "localhost");
        assert_eq!(reg("ghcr.io/o/r"), "ghcr.io");
    }
}
