//! `GET /images/search`: the daemon asks a registry's v1 search index for repositories
//! matching a term; its JSON array is passed through verbatim.
//!
//! The registry is the term's, as the daemon sees it: a term whose first path component looks
//! like a host (`127.0.0.1:5000/name`, `registry.example.com/x`, `localhost/x`) searches that
//! registry, anything else Docker Hub. Credentials for that registry come from `auth`, else
//! from the docker config, and travel base64url-encoded in `X-Registry-Auth` (`{}` when
//! anonymous, as the CLI sends it). The term itself is form-encoded into the query, so it can
//! never add or change a parameter.


use crate::auth::{INDEX_SERVER, normalize_registry};
use crate::client::{ApiVersion, Call, Client, Query, RawJson};
use crate::error::{Error, Result};
use crate::images::filters::{self, SearchFilters};

/// First API version with `limit` and `filters` on search.
pub const LIMIT_FILTERS_MIN: ApiVersion = ApiVersion::new(1, 24);
/// The daemon accepts limits in 1..=100.
pub const MAX_LIMIT: u32 = 100;
/// Longest term accepted (far above any repository name).
pub const MAX_TERM_LEN: usize = 4096;

crate::options::options_struct! {
    /// Options of `GET /images/search` (the JSON object `dc_image_search` takes).
    pub struct SearchOptions {
        /// What to search for (required), optionally prefixed by a registry host.
        pub term: Option<String>,
        /// At most this many results, 1 to 100 (API 1.24+; the daemon's default is 25).
        pub limit: Option<u32>,
        /// `is-official`, `is-automated`, `stars` (API 1.24+).
        pub filters: Option<SearchFilters>,
    }
    groups: [auth]
}

const WHAT: &str = "search options";

/// Searches; returns the daemon's array of `{"name", "description", "star_count",
/// "is_official", "is_automated"}` verbatim.
///
/// Errors: invalid argument (missing or over-long term, limit outside 1..=100, bad filter
/// values, a broken docker config file), unsupported (`limit`/`filters` before 1.24, checked
/// before any request), then the daemon's answer (a registry that cannot be reached is a
/// server error; bad credentials unauthorized).
pub fn search(client: &Client, opts: &SearchOptions) -> Result<RawJson> {
    let term = opts.term.as_deref().unwrap_or("");
    if term.is_empty() {
        return Err(Error::invalid(format!("{WHAT}: \"term\" is missing or empty")));
    }
    if term.len() > MAX_TERM_LEN {
        return Err(Error::invalid(format!(
            "{WHAT}: \"term\" is {} bytes long; at most {MAX_TERM_LEN} are accepted",
            term.len()
        )));
    }
    if let Some(l) = opts.limit
        && (l == 0 || l > MAX_LIMIT) {
            return Err(Error::invalid(format!(
                "{WHAT}: \"limit\" {l} is outside the range the daemon accepts, 1 to {MAX_LIMIT}"
            )));
        }
    let empty = SearchFilters::default();
    let f = opts.filters.as_ref().unwrap_or(&empty);
    f.check(WHAT)?;
    let pairs = f.pairs();
    let header = credentials_header(client, term, opts)?;
    if opts.limit.is_some() {
        client.require(&format!("{WHAT}: \"limit\""), LIMIT_FILTERS_MIN)?;
    }
    if !pairs.is_empty() {
        client.require(&format!("{WHAT}: \"filters\""), LIMIT_FILTERS_MIN)?;
    }
    let mut q = Query::new();
    q.push("term", term);
    q.push_opt("limit", opts.limit.map(|l| l.to_string()));
    q.push_opt("filters", filters::encode(&pairs, client.api_version()?));
    client
        .get_json(&Call::get("/images/search").query(q).header("X-Registry-Auth", header))
        .map_err(Error::registry_class)
}

/// The registry a search term is sent to (the config key of its credentials), split as the
/// daemon splits it: the first component is a host when it has a `.` or `:` or is
/// `localhost`.
pub fn registry_of_term(term: &str) -> String {
    match term.split_once('/') {
        Some((host, _)) if host.contains('.') || host.contains(':') || host == "localhost" => {
            normalize_registry(host)
        }
        _ => INDEX_SERVER.to_string(),
    }
}

/// `X-Registry-Auth` for the term's registry: `auth`, else the client's docker config's,
/// else `{}`.
fn credentials_header(client: &Client, term: &str, opts: &SearchOptions) -> Result<String> {
    crate::images::auth_header::auth_header(client, &registry_of_term(term), opts.auth.as_ref())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::{AuthConfig, DockerConfig};

    #[test]
    fn registry_comes_from_the_term_like_the_daemon_splits_it() {
        assert_eq!(registry_of_term("busybox"), INDEX_SERVER);
        assert_eq!(registry_of_term("library/busybox"), INDEX_SERVER);
        assert_eq!(registry_of_term("127.0.0.1:5000/x"), "127.0.0.1:5000");
        assert_eq!(registry_of_term("registry.example.com/a/b"), "registry.example.com");
        assert_eq!(registry_of_term("localhost/x"), "localhost");
        assert_eq!(registry_of_term("docker.io/x"), INDEX_SERVER);
    }

    #[test]
    fn explicit_credentials_win_over_the_config() {
        let mut cfg = DockerConfig::default();
        cfg.auths.insert(
            "127.0.0.1:5000".into(),
            AuthConfig { username: Some("cfg".into()), password: Some("p".into()), ..Default::default() },
        );
        let mut o = SearchOptions { term: Some("127.0.0.1:5000/x".into()), ..Default::default() };
        let opts = crate::client::ClientOptions { host: Some("unix:///nonexistent.sock".into()), ..Default::default() };
        let c = Client::new(&opts).unwrap().with_docker_config(cfg);
        let decode = |h: String| {
            use base64::Engine;
            String::from_utf8(base64::engine::general_purpose::URL_SAFE.decode(h).unwrap()).unwrap()
        };
        assert!(decode(credentials_header(&c, "127.0.0.1:5000/x", &o).unwrap()).contains("\"cfg\""));
        assert_eq!(credentials_header(&c, "other.example/x", &o).unwrap(), "e30=");
        o.auth = Some(AuthConfig { username: Some("given".into()), ..Default::default() });
        assert!(decode(credentials_header(&c, "127.0.0.1:5000/x", &o).unwrap()).contains("\"given\""));
    }
}
