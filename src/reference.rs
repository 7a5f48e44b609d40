//! Image references, parsed and normalized the way the docker CLI does it.
//!
//! The grammar is the one of `github.com/distribution/reference` (written here by hand, without
//! regular expressions):
//!
//! ```text
//! reference        := name [ ":" tag ] [ "@" digest ]
//! name             := [ domain "/" ] path
//! domain           := host [ ":" port ]
//! host             := domain-name | "[" ipv6-hex-and-colons "]"
//! domain-name      := component ( "." component )*
//! component        := [a-zA-Z0-9] | [a-zA-Z0-9] [a-zA-Z0-9-]* [a-zA-Z0-9]
//! port             := [0-9]+
//! path             := path-component ( "/" path-component )*
//! path-component   := [a-z0-9]+ ( separator [a-z0-9]+ )*
//! separator        := "." | "_" | "__" | "-"+
//! tag              := [A-Za-z0-9_] [A-Za-z0-9_.-]{0,127}
//! digest           := algorithm ":" hex
//! ```
//!
//! Normalization follows `ParseNormalizedNamed` as the docker CLI / Engine 20.10 use it: the
//! first `/`-separated component is a domain only when it contains `.` or `:` or is exactly
//! `localhost`; otherwise the reference lives on Docker Hub (`docker.io`), and a single-component
//! Hub name gets the `library/` prefix of official images. `index.docker.io` is the legacy name of
//! `docker.io`.
//!
//! Deliberate choices, where the Go code is looser or has changed over time:
//! - Newer `distribution/reference` releases also take an upper-case first component as a domain
//!   (`UPPER/case` → domain `UPPER`). Engine 20.10 and the CLI of its era do not; neither do we,
//!   so `UPPER/case` is "repository name must be lowercase".
//! - The 255-character limit applies to the whole name (`domain/path`) as in Engine 20.10;
//!   newer releases count only the path. The stricter rule accepts nothing either side refuses.
//! - A first component that is meant as a domain (it has `.` or `:`) but is not a valid domain
//!   is refused, instead of being silently re-read as part of the path.
//! - Digests must use a registered algorithm (`sha256`, `sha384`, `sha512`) with the exact
//!   number of lower-case hex digits, as go-digest's validation requires.

use std::fmt;

use crate::error::{Error, Result};

/// Docker Hub's canonical domain.
pub const DEFAULT_DOMAIN: &str = "docker.io";
/// The legacy name of Docker Hub, normalized to [`DEFAULT_DOMAIN`].
pub const LEGACY_DEFAULT_DOMAIN: &str = "index.docker.io";
/// Namespace of Docker Hub's official images.
pub const OFFICIAL_REPO_PREFIX: &str = "library/";
/// The tag a name without tag or digest means.
pub const DEFAULT_TAG: &str = "latest";
/// Longest accepted name (`domain/path`), in bytes.
pub const NAME_TOTAL_LENGTH_MAX: usize = 255;
/// Longest accepted tag.
pub const TAG_LENGTH_MAX: usize = 128;

/// A parsed, normalized image reference.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Reference {
    /// Registry domain (with port if any); `"docker.io"` when the reference named none.
    pub domain: String,
    /// Repository path; `"library/busybox"` for official Hub images.
    pub path: String,
    /// Tag, without the `:`.
    pub tag: Option<String>,
    /// Digest (`sha256:…`), without the `@`.
    pub digest: Option<String>,
}

impl Reference {
    /// The full name without tag or digest: `docker.io/library/busybox`.
    pub fn name(&self) -> String {
        format!("{}/{}", self.domain, self.path)
    }

    /// The name as `docker` shows it: `busybox`, `user/app`, `127.0.0.1:5000/x`.
    pub fn familiar_name(&self) -> String {
        if self.domain != DEFAULT_DOMAIN {
            return self.name();
        }
        match self.path.strip_prefix(OFFICIAL_REPO_PREFIX) {
            // Only a single component after `library/` is an official image.
            Some(rest) if !rest.contains('/') => rest.to_string(),
            _ => self.path.clone(),
        }
    }

    /// The familiar form with tag and digest: `busybox:1.36`, `x@sha256:…`.
    pub fn familiar_string(&self) -> String {
        self.with_suffix(self.familiar_name())
    }

    /// True when the reference has neither tag nor digest.
    pub fn is_name_only(&self) -> bool {
        self.tag.is_none() && self.digest.is_none()
    }

    /// The `fromImage` and `tag` query parameters of `POST /images/create` for this reference.
    ///
    /// The digest wins over a tag (as the CLI's `ParseDockerRef` does), and a reference with
    /// neither gets `latest`: an empty `tag` would make the daemon pull *every* tag.
    pub fn pull_params(&self) -> (String, String) {
        let tag = match (&self.digest, &self.tag) {
            (Some(d), _) => d.clone(),
            (None, Some(t)) => t.clone(),
            (None, None) => DEFAULT_TAG.to_string(),
        };
        (self.name(), tag)
    }

    fn with_suffix(&self, mut s: String) -> String {
        if let Some(t) = &self.tag {
            s.push(':');
            s.push_str(t);
        }
        if let Some(d) = &self.digest {
            s.push('@');
            s.push_str(d);
        }
        s
    }
}

/// The full form: `docker.io/library/busybox:latest@sha256:…` (what Go's `String()` gives).
impl fmt::Display for Reference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.with_suffix(self.name()))
    }
}

impl std::str::FromStr for Reference {
    type Err = Error;
    fn from_str(s: &str) -> Result<Reference> {
        parse_normalized(s)
    }
}

fn invalid(s: &str, what: impl fmt::Display) -> Error {
    Error::invalid(format!(
        "invalid reference format \"{}\": {what}",
        s.escape_debug()
    ))
}

/// Parses `s` as the docker CLI's `ParseNormalizedNamed` does (see the module docs).
///
/// Errors are [`Error::invalid`] naming the reference and what is wrong with it.
pub fn parse_normalized(s: &str) -> Result<Reference> {
    if s.is_empty() {
        return Err(invalid(s, "reference is empty"));
    }
    if is_identifier(s) {
        return Err(invalid(
            s,
            "cannot specify 64-byte hexadecimal strings as a repository name",
        ));
    }
    let (domain, remainder) = split_docker_domain(s);

    // The remainder holds no domain any more, so its first `@` starts the digest and its first
    // `:` the tag (neither may appear in a path).
    let (before_digest, digest) = match remainder.split_once('@') {
        Some((b, d)) => (b, Some(d)),
        None => (remainder.as_str(), None),
    };
    let (path, tag) = match before_digest.split_once(':') {
        Some((p, t)) => (p, Some(t)),
        None => (before_digest, None),
    };

    if path.bytes().any(|b| b.is_ascii_uppercase()) {
        return Err(invalid(
            s,
            format!("repository name ({path}) must be lowercase"),
        ));
    }
    if !is_valid_domain(&domain) {
        return Err(invalid(s, format!("invalid registry domain ({domain})")));
    }
    if !is_valid_path(path) {
        return Err(invalid(s, format!("invalid repository name ({path})")));
    }
    if domain.len() + 1 + path.len() > NAME_TOTAL_LENGTH_MAX {
        return Err(invalid(
            s,
            format!("repository name must not be more than {NAME_TOTAL_LENGTH_MAX} characters"),
        ));
    }
    if let Some(t) = tag
        && !is_valid_tag(t) {
            return Err(invalid(s, format!("invalid tag ({t})")));
        }
    if let Some(d) = digest {
        validate_digest(d).map_err(|why| invalid(s, why))?;
    }
    Ok(Reference {
        domain,
        path: path.to_string(),
        tag: tag.map(str::to_string),
        digest: digest.map(str::to_string),
    })
}

/// Splits a name into (domain, rest) with Docker Hub's defaults applied.
fn split_docker_domain(s: &str) -> (String, String) {
    let (mut domain, mut rest) = match s.split_once('/') {
        Some((first, rest))
            if first.contains('.') || first.contains(':') || first == "localhost" =>
        {
            (first.to_string(), rest.to_string())
        }
        _ => (DEFAULT_DOMAIN.to_string(), s.to_string()),
    };
    if domain == LEGACY_DEFAULT_DOMAIN {
        domain = DEFAULT_DOMAIN.to_string();
    }
    if domain == DEFAULT_DOMAIN && !rest.contains('/') {
        rest = format!("{OFFICIAL_REPO_PREFIX}{rest}");
    }
    (domain, rest)
}

/// A bare 64-hex string is an image ID, never a name.
fn is_identifier(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

fn is_valid_domain(d: &str) -> bool {
    // The port is what follows the last `:` after the host (an IPv6 host is bracketed).
    let (host, port) = if let Some(inner_end) = d.strip_prefix('[').and_then(|r| r.find(']')) {
        let host = &d[..inner_end + 2];
        let after = &d[inner_end + 2..];
        match after {
            "" => (host, None),
            _ => match after.strip_prefix(':') {
                Some(p) => (host, Some(p)),
                None => return false,
            },
        }
    } else {
        match d.split_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (d, None),
        }
    };
    if let Some(p) = port
        && (p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit())) {
            return false;
        }
    if let Some(inner) = host.strip_prefix('[') {
        let inner = &inner[..inner.len() - 1];
        return !inner.is_empty() && inner.bytes().all(|b| b.is_ascii_hexdigit() || b == b':');
    }
    !host.is_empty() && host.split('.').all(is_valid_domain_component)
}

fn is_valid_domain_component(c: &str) -> bool {
    let b = c.as_bytes();
    !b.is_empty()
        && b[0].is_ascii_alphanumeric()
        && b[b.len() - 1].is_ascii_alphanumeric()
        && b.iter().all(|&x| x.is_ascii_alphanumeric() || x == b'-')
}

fn is_valid_path(p: &str) -> bool {
    p.split('/').all(is_valid_path_component)
}

fn is_valid_path_component(c: &str) -> bool {
    let is_alnum = |b: u8| b.is_ascii_lowercase() || b.is_ascii_digit();
    let b = c.as_bytes();
    if b.is_empty() || !is_alnum(b[0]) || !is_alnum(b[b.len() - 1]) {
        return false;
    }
    // Every run of non-alphanumerics between alphanumerics must be one separator.
    let mut i = 0;
    while i < b.len() {
        if is_alnum(b[i]) {
            i += 1;
            continue;
        }
        let start = i;
        while i < b.len() && !is_alnum(b[i]) {
            i += 1;
        }
        let sep = &c[start..i];
        let ok = matches!(sep, "." | "_" | "__") || sep.bytes().all(|x| x == b'-');
        if !ok {
            return false;
        }
    }
    true
}

fn is_valid_tag(t: &str) -> bool {
    let word = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
    let b = t.as_bytes();
    !b.is_empty()
        && b.len() <= TAG_LENGTH_MAX
        && word(b[0])
        && b.iter().all(|&x| word(x) || x == b'.' || x == b'-')
}

/// Checks `algorithm:hex`: the grammar, then that the algorithm is one we know and the hex part
/// has its exact length in lower-case hex (`sha256` = 64 digits).
pub fn validate_digest(d: &str) -> std::result::Result<(), String> {
    let Some((alg, hex)) = d.split_once(':') else {
        return Err(format!("invalid digest ({d}): missing algorithm"));
    };
    let alg_ok = !alg.is_empty()
        && alg.split(['-', '_', '+', '.']).all(|part| {
            let b = part.as_bytes();
            !b.is_empty() && b[0].is_ascii_alphabetic() && b.iter().all(u8::is_ascii_alphanumeric)
        });
    if !alg_ok {
        return Err(format!("invalid digest ({d}): bad algorithm"));
    }
    let want = match alg {
        "sha256" => 64,
        "sha384" => 96,
        "sha512" => 128,
        _ => {
            return Err(format!(
                "invalid digest ({d}): unsupported digest algorithm"
            ));
        }
    };
    if hex.len() != want || !hex.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')) {
        return Err(format!(
            "invalid digest ({d}): {alg} needs {want} lower-case hex digits"
        ));
    }
    Ok(())
}

/// Splits `repo[:tag]` or `repo[:tag]@digest` into the API's (`fromImage`/`repo`, `tag`) pair,
/// without validating anything.
///
/// A `:` counts as the tag separator only after the last `/`, so `host:5000/name` has no tag.
/// With a digest, the digest is returned as the tag (the API accepts it there) and any tag in
/// front of it is dropped. A missing tag is `""`; note that `POST /images/create` with an empty
/// `tag` pulls every tag, so pull callers must default it themselves.
pub fn split_repo_tag(s: &str) -> (String, String) {
    let (name, digest) = match s.split_once('@') {
        Some((n, d)) => (n, Some(d)),
        None => (s, None),
    };
    let slash = name.rfind('/').map_or(0, |i| i + 1);
    let (repo, tag) = match name[slash..].rfind(':') {
        Some(i) => (&name[..slash + i], &name[slash + i + 1..]),
        None => (name, ""),
    };
    match digest {
        Some(d) => (repo.to_string(), d.to_string()),
        None => (repo.to_string(), tag.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Status;

    const H64: &str = "7cc4b5aefd1d0cadf8d97d4350462ba51c694ebca145b08d7d41b41acc8db5aa";

    fn r(domain: &str, path: &str, tag: Option<&str>, digest: Option<&str>) -> Reference {
        Reference {
            domain: domain.into(),
            path: path.into(),
            tag: tag.map(Into::into),
            digest: digest.map(Into::into),
        }
    }

    #[test]
    fn valid_references() {
        let d = format!("sha256:{H64}");
        let table: Vec<(String, Reference)> = vec![
            (
                "busybox".into(),
                r("docker.io", "library/busybox", None, None),
            ),
            (
                "busybox:1.36".into(),
                r("docker.io", "library/busybox", Some("1.36"), None),
            ),
            ("user/app".into(), r("docker.io", "user/app", None, None)),
            (
                "user/app/sub".into(),
                r("docker.io", "user/app/sub", None, None),
            ),
            (
                "docker.io/busybox".into(),
                r("docker.io", "library/busybox", None, None),
            ),
            (
                "index.docker.io/busybox".into(),
                r("docker.io", "library/busybox", None, None),
            ),
            (
                "docker.io/library/busybox".into(),
                r("docker.io", "library/busybox", None, None),
            ),
            ("localhost/a".into(), r("localhost", "a", None, None)),
            (
                "localhost:5000/a/b:t".into(),
                r("localhost:5000", "a/b", Some("t"), None),
            ),
            (
                format!("127.0.0.1:25000/x@{d}"),
                r("127.0.0.1:25000", "x", None, Some(&d)),
            ),
            (
                format!("busybox:latest@{d}"),
                r("docker.io", "library/busybox", Some("latest"), Some(&d)),
            ),
            ("[::1]:5000/a".into(), r("[::1]:5000", "a", None, None)),
            (
                "[fe80::1]/a:T_1.x-y".into(),
                r("[fe80::1]", "a", Some("T_1.x-y"), None),
            ),
            ("Example.COM/a".into(), r("Example.COM", "a", None, None)),
            (
                "my-reg.example.com/a.b_c__d---e".into(),
                r("my-reg.example.com", "a.b_c__d---e", None, None),
            ),
            // A first component without `.`/`:` and not `localhost` is a Hub namespace.
            (
                "myhost/app".into(),
                r("docker.io", "myhost/app", None, None),
            ),
            (
                "foo/localhost".into(),
                r("docker.io", "foo/localhost", None, None),
            ),
        ];
        for (s, want) in table {
            assert_eq!(parse_normalized(&s).unwrap(), want, "{s}");
        }
    }

    #[test]
    fn invalid_references() {
        let long = "a".repeat(250);
        let table: Vec<(String, &str)> = vec![
            ("".into(), "empty"),
            ("UPPER/case".into(), "must be lowercase"),
            ("Busybox".into(), "must be lowercase"),
            ("example.com/Up".into(), "must be lowercase"),
            ("a::b".into(), "invalid tag"),
            ("name@notadigest".into(), "invalid digest"),
            ("name@sha256:abc".into(), "64 lower-case hex"),
            (
                format!("name@sha256:{}", H64.to_uppercase()),
                "64 lower-case hex",
            ),
            (format!("name@md5:{H64}"), "unsupported digest algorithm"),
            (format!("name@{H64}"), "missing algorithm"),
            (H64.into(), "64-byte hexadecimal"),
            (format!("x/{long}"), "255"),
            (":tag".into(), "invalid repository name"),
            ("a//b".into(), "invalid repository name"),
            ("a/".into(), "invalid repository name"),
            ("-a".into(), "invalid repository name"),
            ("a..b".into(), "invalid repository name"),
            ("a._b".into(), "invalid repository name"),
            ("a___b".into(), "invalid repository name"),
            ("a b".into(), "invalid repository name"),
            ("a?x=1".into(), "invalid repository name"),
            ("a:-tag".into(), "invalid tag"),
            (format!("a:{}", "t".repeat(129)), "invalid tag"),
            ("a/b:t/c".into(), "invalid tag"),
            // A first component with `:` is a domain, whose port must be numeric.
            ("a:t/b".into(), "invalid registry domain"),
            ("host:port/a".into(), "invalid registry domain"),
            ("-bad.com/a".into(), "invalid registry domain"),
            ("a_b.com/x".into(), "invalid registry domain"),
            ("[::1/a".into(), "invalid registry domain"),
            ("localhost:/a".into(), "invalid registry domain"),
        ];
        for (s, why) in table {
            let e = parse_normalized(&s).expect_err(&s);
            assert_eq!(e.status, Status::InvalidArgument, "{s}");
            assert!(e.message.contains(why), "{s:?}: {}", e.message);
            assert!(
                e.message.contains(&format!("\"{s}\"")),
                "names the reference: {}",
                e.message
            );
        }
    }

    #[test]
    fn length_limit_counts_the_whole_name() {
        // docker.io/ (10) + library/ (8) + 237 = 255: accepted; one more is refused.
        assert!(parse_normalized(&"a".repeat(237)).is_ok());
        assert!(parse_normalized(&"a".repeat(238)).is_err());
    }

    #[test]
    fn normalization_equivalences() {
        let same = [
            "busybox",
            "library/busybox",
            "docker.io/busybox",
            "docker.io/library/busybox",
            "index.docker.io/library/busybox",
        ];
        for s in same {
            let p = parse_normalized(s).unwrap();
            assert_eq!(p.name(), "docker.io/library/busybox", "{s}");
            assert_eq!(p.familiar_name(), "busybox", "{s}");
        }
    }

    #[test]
    fn names_and_display() {
        let p = parse_normalized("busybox:1").unwrap();
        assert_eq!(p.to_string(), "docker.io/library/busybox:1");
        assert_eq!(p.familiar_string(), "busybox:1");
        let p = parse_normalized("127.0.0.1:5000/x").unwrap();
        assert_eq!(p.familiar_name(), "127.0.0.1:5000/x");
        assert_eq!(p.name(), "127.0.0.1:5000/x");
        let p = parse_normalized("user/app").unwrap();
        assert_eq!(p.familiar_name(), "user/app");
        assert_eq!(p.name(), "docker.io/user/app");
        // Nested under library/ is not an official image, so the prefix stays.
        let p = parse_normalized("library/a/b").unwrap();
        assert_eq!(p.familiar_name(), "library/a/b");
        let d = format!("sha256:{H64}");
        let p = parse_normalized(&format!("a:t@{d}")).unwrap();
        assert_eq!(p.to_string(), format!("docker.io/library/a:t@{d}"));
        assert_eq!(p.familiar_string(), format!("a:t@{d}"));
        assert_eq!(
            "busybox".parse::<Reference>().unwrap().path,
            "library/busybox"
        );
    }

    #[test]
    fn pull_params_never_leave_tag_empty() {
        let d = format!("sha256:{H64}");
        assert_eq!(
            parse_normalized("busybox").unwrap().pull_params(),
            ("docker.io/library/busybox".into(), "latest".into())
        );
        assert_eq!(parse_normalized("busybox:1").unwrap().pull_params().1, "1");
        assert_eq!(
            parse_normalized(&format!("busybox:1@{d}"))
                .unwrap()
                .pull_params()
                .1,
            d
        );
    }

    #[test]
    fn split_repo_tag_cases() {
        let d = format!("sha256:{H64}");
        let cases: Vec<(String, (&str, String))> = vec![
            ("busybox".into(), ("busybox", "".into())),
            ("busybox:1.36".into(), ("busybox", "1.36".into())),
            ("host:5000/name".into(), ("host:5000/name", "".into())),
            ("host:5000/name:t".into(), ("host:5000/name", "t".into())),
            ("host:5000/a/b:t".into(), ("host:5000/a/b", "t".into())),
            (format!("name@{d}"), ("name", d.clone())),
            (
                format!("host:5000/name:t@{d}"),
                ("host:5000/name", d.clone()),
            ),
            ("".into(), ("", "".into())),
        ];
        for (s, (repo, tag)) in cases {
            assert_eq!(split_repo_tag(&s), (repo.to_string(), tag), "{s}");
        }
    }

    #[test]
    fn digest_validation() {
        assert!(validate_digest(&format!("sha256:{H64}")).is_ok());
        assert!(validate_digest(&format!("sha512:{H64}{H64}")).is_ok());
        assert!(validate_digest(&format!("sha512:{H64}")).is_err());
        assert!(validate_digest(&format!("sha256:{H64}0")).is_err());
        assert!(validate_digest(&format!("sha256+x:{H64}")).is_err());
        assert!(validate_digest(&format!("1sha:{H64}")).is_err());
    }
}
