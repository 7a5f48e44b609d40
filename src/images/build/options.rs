//! The options of a build (the JSON object `dc_image_build` takes) and the checks that need
//! neither the daemon nor the file system.

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::Value;

use crate::auth::AuthConfig;
use crate::error::{Error, Result};
use crate::images::platform;
use crate::reference::{DEFAULT_TAG, parse_normalized};

/// What the option errors call these options.
pub(crate) const WHAT: &str = "build options";

crate::options::options_struct! {
    /// Options of a build. JSON keys are these field names; see `dc_image_build` for each one's
    /// meaning and the API version it needs.
    pub struct BuildOptions {
        /// A directory the library sends as the context (tarred while it is sent).
        pub context_dir: Option<String>,
        /// A URL the daemon fetches the context from (git repository, tarball or plain Dockerfile).
        pub remote: Option<String>,
        /// The Dockerfile: relative to `context_dir` (or a path inside the tar / remote context),
        /// or absolute. Default `Dockerfile`.
        pub dockerfile: Option<String>,
        /// The Dockerfile's text, sent inside the context under a generated name.
        pub dockerfile_content: Option<String>,
        /// Names for the image (`t`, repeated).
        #[serde(default)]
        pub tags: Vec<String>,
        /// Build-time variables; `null` declares one without a value.
        pub build_args: Option<BTreeMap<String, Option<String>>>,
        pub labels: Option<BTreeMap<String, String>>,
        pub target: Option<String>,
        pub platform: Option<String>,
        pub network_mode: Option<String>,
        /// `host:ip` entries (`host=ip` is accepted and sent as `host:ip`, as the CLI does).
        pub extra_hosts: Option<Vec<String>>,
        pub cache_from: Option<Vec<String>>,
        pub pull: Option<bool>,
        pub no_cache: Option<bool>,
        pub quiet: Option<bool>,
        /// Remove intermediate containers after a successful build (default true).
        pub rm: Option<bool>,
        pub force_rm: Option<bool>,
        pub memory: Option<i64>,
        pub memswap: Option<i64>,
        pub cpu_shares: Option<i64>,
        pub cpuset_cpus: Option<String>,
        pub cpuset_mems: Option<String>,
        pub cpu_period: Option<i64>,
        pub cpu_quota: Option<i64>,
        pub shm_size: Option<i64>,
        pub ulimits: Option<Vec<Ulimit>>,
        pub cgroup_parent: Option<String>,
        pub isolation: Option<String>,
        pub security_opt: Option<Vec<String>>,
        pub squash: Option<bool>,
        /// BuildKit output configurations (`[{"Type": "moby", "Attrs": {…}}]`); a `tar` output's
        /// `Attrs.dest` is the file the library writes (through a session).
        pub outputs: Option<Vec<Value>>,
        /// The builder: `"1"` (classic), `"2"` (BuildKit) or `"auto"` (the default: BuildKit
        /// where the daemon's `/_ping` says it is its default builder).
        pub version: Option<Value>,
        /// BuildKit: the build's ID, with which `POST /build/cancel` stops it (API 1.33+);
        /// default a random one.
        pub build_id: Option<String>,
        /// Registry → credentials sent as `X-Registry-Config`; when absent, every registry's
        /// credentials from the docker config.
        pub auth_configs: Option<BTreeMap<String, AuthConfig>>,
        /// BuildKit secrets for `RUN --mount=type=secret,id=…`: id → `{"file": path}` or
        /// `{"env": NAME}`, served through a session (never stored in the image).
        pub secrets: Option<BTreeMap<String, crate::images::build::session::SecretSource>>,
        /// BuildKit SSH agents for `RUN --mount=type=ssh[,id=…]`: id (`"default"`) → `true`
        /// (the agent of `SSH_AUTH_SOCK`) or an agent's socket path; served through a session.
        pub ssh: Option<BTreeMap<String, Value>>,
        /// BuildKit session: `true` (registry credentials on demand, secrets, tar outputs),
        /// `false` (none), `"auto"` (the default: a session when `secrets`, `ssh`, `auth_configs`
        /// or a `tar` output are given).
        pub session: Option<Value>,
    }
    groups: [progress, limits]
}

/// One `ulimits` entry, sent as the daemon's `{"Name", "Soft", "Hard"}`.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Ulimit {
    pub name: String,
    pub soft: i64,
    pub hard: i64,
}

impl BuildOptions {
    /// `session`: `Some(true|false)`, or `None` for `"auto"`/absent.
    pub fn session_choice(&self) -> Result<Option<bool>> {
        match &self.session {
            None => Ok(None),
            Some(Value::Bool(b)) => Ok(Some(*b)),
            Some(Value::String(s)) if s == "auto" => Ok(None),
            Some(other) => Err(Error::invalid(format!(
                "{WHAT}: \"session\" is true, false or \"auto\", not {}",
                crate::options::bounded(&other.to_string(), crate::options::MAX_QUOTED)
            ))),
        }
    }

    /// Whether a BuildKit build of these options runs with a session. `direct` says whether the
    /// endpoint lets the library open one (not through TLS or a proxy): where it does not,
    /// `"auto"` uploads a directory context as a tar instead.
    pub fn wants_session(&self, direct: bool) -> Result<bool> {
        Ok(match self.session_choice()? {
            Some(b) => b,
            None => self.needs_session() || (direct && self.context_dir.is_some()),
        })
    }

    /// Whether something asked for only a session can give (secrets, SSH agents, credentials
    /// for BuildKit, a tar output).
    pub fn needs_session(&self) -> bool {
        self.secrets.as_ref().is_some_and(|s| !s.is_empty())
            || self.ssh.as_ref().is_some_and(|s| !s.is_empty())
            || matches!(self.output_type().as_deref(), Some("tar") | Some("local"))
            || self.auth_configs.is_some()
    }

    /// The type of the one output, lower-cased (`None` without `outputs`).
    pub fn output_type(&self) -> Option<String> {
        let o = self.outputs.as_ref()?.first()?;
        let kind = o.get("Type").or_else(|| o.get("type")).and_then(|t| t.as_str()).unwrap_or("");
        Some(kind.to_ascii_lowercase())
    }

    /// Where a `tar` output goes (its `Attrs.dest`, a client-side path the daemon never sees).
    pub fn tar_destination(&self) -> Option<std::path::PathBuf> {
        self.destination_of("tar")
    }

    /// Where a `local` output goes (its `Attrs.dest`: a directory).
    pub fn local_destination(&self) -> Option<std::path::PathBuf> {
        self.destination_of("local")
    }

    fn destination_of(&self, kind: &str) -> Option<std::path::PathBuf> {
        if self.output_type().as_deref() != Some(kind) {
            return None;
        }
        let o = self.outputs.as_ref()?.first()?;
        let attrs = o.get("Attrs").or_else(|| o.get("attrs"))?;
        attrs.get("dest").and_then(|d| d.as_str()).map(std::path::PathBuf::from)
    }

    /// Whether the build's result is an image (no `outputs`, or `moby`/`image`): otherwise
    /// the daemon reports no image ID.
    pub fn exports_image(&self) -> bool {
        matches!(self.output_type().as_deref(), None | Some("moby") | Some("image"))
    }

    /// `outputs` as the daemon gets them: client-side destinations (`dest`) taken out, as the
    /// CLI does.
    pub fn outputs_for_daemon(&self) -> Option<Vec<Value>> {
        let mut outputs = self.outputs.clone()?;
        for o in &mut outputs {
            for key in ["Attrs", "attrs"] {
                if let Some(Value::Object(attrs)) = o.get_mut(key) {
                    attrs.remove("dest");
                }
            }
        }
        Some(outputs)
    }

    /// True when the daemon is asked for no progress (`quiet`).
    pub fn is_quiet(&self) -> bool {
        self.quiet == Some(true)
    }

    /// Checks everything that needs neither the daemon nor the file system: values, ranges,
    /// combinations, references. The context sources are checked by the context preparation.
    pub fn validate(&self) -> Result<()> {
        builder_of(self.version.as_ref())?;
        let session = self.session_choice()?;
        if session == Some(false) && self.secrets.as_ref().is_some_and(|s| !s.is_empty()) {
            return Err(Error::invalid(format!("{WHAT}: \"secrets\" are served by a session; \"session\" is false")));
        }
        if session == Some(false) && self.ssh.as_ref().is_some_and(|s| !s.is_empty()) {
            return Err(Error::invalid(format!("{WHAT}: \"ssh\" agents are served by a session; \"session\" is false")));
        }
        non_empty("build_id", self.build_id.as_deref())?;
        non_empty("context_dir", self.context_dir.as_deref())?;
        non_empty("remote", self.remote.as_deref())?;
        non_empty("dockerfile", self.dockerfile.as_deref())?;
        non_empty("dockerfile_content", self.dockerfile_content.as_deref())?;
        if self.dockerfile.is_some() && self.dockerfile_content.is_some() {
            return Err(Error::invalid(format!(
                "{WHAT}: give either \"dockerfile\" or \"dockerfile_content\", not both"
            )));
        }
        if self.dockerfile_content.is_some() && self.context_dir.is_none() {
            return Err(Error::invalid(format!(
                "{WHAT}: \"dockerfile_content\" is added to the context the library sends, so it \
                 needs \"context_dir\" (a read callback's or a remote context cannot be changed)"
            )));
        }
        for tag in &self.tags {
            tag_reference(tag)?;
        }
        let empty_name = |keys: Option<Vec<&String>>| keys.is_some_and(|k| k.iter().any(|k| k.is_empty()));
        for (key, keys) in [
            ("build_args", self.build_args.as_ref().map(|m| m.keys().collect())),
            ("labels", self.labels.as_ref().map(|m| m.keys().collect())),
        ] {
            if empty_name(keys) {
                return Err(Error::invalid(format!("{WHAT}: \"{key}\" has an empty name")));
            }
        }
        non_empty("target", self.target.as_deref())?;
        if let Some(p) = &self.platform {
            platform::parse(WHAT, p)?;
        }
        non_empty("network_mode", self.network_mode.as_deref())?;
        for host in self.extra_hosts.iter().flatten() {
            extra_host(host)?;
        }
        list_of_non_empty("cache_from", self.cache_from.as_deref())?;
        list_of_non_empty("security_opt", self.security_opt.as_deref())?;
        for (key, value) in [("memory", self.memory), ("shm_size", self.shm_size)] {
            if let Some(v) = value
                && v < 0
            {
                return Err(Error::invalid(format!(
                    "{WHAT}: \"{key}\" is {v}; a size in bytes cannot be negative"
                )));
            }
        }
        for u in self.ulimits.iter().flatten() {
            if u.name.trim().is_empty() {
                return Err(Error::invalid(format!("{WHAT}: a \"ulimits\" entry has an empty name")));
            }
        }
        if let Some(i) = &self.isolation
            && !ISOLATIONS.contains(&i.to_ascii_lowercase().as_str())
        {
            return Err(Error::invalid(format!(
                "{WHAT}: \"isolation\" is \"{}\"; it is one of \"default\", \"process\", \"hyperv\"",
                i.escape_debug()
            )));
        }
        for output in self.outputs.iter().flatten() {
            check_output(output)?;
        }
        Ok(())
    }

    /// The tags the daemon applies, as it reports them (`app:latest`, `127.0.0.1:5000/x:1`).
    pub fn applied_tags(&self) -> Result<Vec<String>> {
        self.tags
            .iter()
            .map(|t| {
                let mut r = tag_reference(t)?;
                r.tag.get_or_insert_with(|| DEFAULT_TAG.to_string());
                Ok(r.familiar_string())
            })
            .collect()
    }

    /// `extra_hosts` as the daemon takes them (`host:ip`).
    pub(crate) fn extra_hosts_param(&self) -> Vec<String> {
        self.extra_hosts.iter().flatten().map(|h| extra_host(h).unwrap_or_else(|_| h.clone())).collect()
    }
}

/// The isolation technologies the daemon knows (Linux daemons only take `default`).
pub(crate) const ISOLATIONS: [&str; 3] = ["default", "process", "hyperv"];

/// One `outputs` entry as the daemon decodes it (`{"Type": string, "Attrs": {string: string}}`):
/// a daemon refuses anything else before reading the context.
fn check_output(output: &Value) -> Result<()> {
    let bad = |why: &str| Error::invalid(format!("{WHAT}: \"outputs\" entry {output}: {why}"));
    let Some(obj) = output.as_object() else {
        return Err(bad("must be an object like {\"Type\": \"moby\", \"Attrs\": {}}"));
    };
    for (key, value) in obj {
        match key.to_ascii_lowercase().as_str() {
            "type" if !value.is_string() => return Err(bad("\"Type\" must be a string")),
            "attrs" if !(value.is_null() || value.as_object().is_some_and(|a| a.values().all(Value::is_string))) => {
                return Err(bad("\"Attrs\" must be an object of strings"));
            }
            _ => {}
        }
    }
    Ok(())
}

/// Which builder runs a build.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Builder {
    /// The classic builder (`version=1`).
    Classic,
    /// BuildKit (`version=2`).
    BuildKit,
    /// BuildKit where the daemon says it is its default builder, else classic.
    Auto,
}

/// `version`: absent or `"auto"` → [`Builder::Auto`]; `"1"`/`1` classic; `"2"`/`2` BuildKit;
/// anything else is invalid.
pub fn builder_of(v: Option<&Value>) -> Result<Builder> {
    let text = match v {
        None | Some(Value::Null) => return Ok(Builder::Auto),
        Some(Value::String(s)) => s.clone(),
        Some(Value::Number(n)) => n.to_string(),
        Some(other) => {
            return Err(Error::invalid(format!(
                "{WHAT}: \"version\" must be \"1\", \"2\" or \"auto\", not {}",
                crate::options::kind_of(other)
            )));
        }
    };
    match text.as_str() {
        "1" => Ok(Builder::Classic),
        "2" => Ok(Builder::BuildKit),
        "auto" => Ok(Builder::Auto),
        other => Err(Error::invalid(format!(
            "{WHAT}: \"version\" is \"{}\"; the builders are \"1\" (classic), \"2\" (BuildKit) and \"auto\"",
            other.escape_debug()
        ))),
    }
}

/// A tag checked as the daemon checks `t`: a valid reference without digest.
fn tag_reference(tag: &str) -> Result<crate::reference::Reference> {
    let r = parse_normalized(tag).map_err(|e| e.context(format!("{WHAT}: \"tags\"")))?;
    if r.digest.is_some() {
        return Err(Error::invalid(format!(
            "{WHAT}: \"tags\": \"{}\" has a digest; an image can only be tagged with a name[:tag]",
            tag.escape_debug()
        )));
    }
    Ok(r)
}

/// `host:ip`, or `host=ip` turned into `host:ip`.
fn extra_host(entry: &str) -> Result<String> {
    let bad = || {
        Error::invalid(format!(
            "{WHAT}: \"extra_hosts\" entry \"{}\" is not of the form host:ip",
            entry.escape_debug()
        ))
    };
    let split = match (entry.find('='), entry.find(':')) {
        (Some(e), Some(c)) if e < c => Some(('=', e)),
        (Some(e), None) => Some(('=', e)),
        (_, Some(c)) => Some((':', c)),
        (None, None) => None,
    };
    let (_, at) = split.ok_or_else(bad)?;
    let (host, ip) = (&entry[..at], &entry[at + 1..]);
    if host.is_empty() || ip.is_empty() || host.chars().any(char::is_whitespace) {
        return Err(bad());
    }
    Ok(format!("{host}:{ip}"))
}

fn non_empty(key: &str, v: Option<&str>) -> Result<()> {
    match v {
        Some(s) if s.trim().is_empty() => Err(Error::invalid(format!("{WHAT}: \"{key}\" is empty"))),
        _ => Ok(()),
    }
}

fn list_of_non_empty(key: &str, v: Option<&[String]>) -> Result<()> {
    if v.is_some_and(|l| l.iter().any(|s| s.trim().is_empty())) {
        return Err(Error::invalid(format!("{WHAT}: \"{key}\" has an empty entry")));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Status;

    fn parse(json: &str) -> Result<BuildOptions> {
        let o: BuildOptions = crate::options::parse(WHAT, Some(json))?;
        o.validate()?;
        Ok(o)
    }

    #[test]
    fn every_key_parses() {
        let o = parse(
            r#"{"context_dir":"/x","dockerfile":"d/Dockerfile","tags":["a","b:1"],
                "build_args":{"A":"1","B":null},"labels":{"l":"v"},"target":"t","platform":"linux/amd64",
                "network_mode":"none","extra_hosts":["h:1.2.3.4","g=::1"],"cache_from":["a"],
                "pull":true,"no_cache":true,"quiet":false,"rm":false,"force_rm":true,
                "memory":1,"memswap":-1,"cpu_shares":2,"cpuset_cpus":"0","cpuset_mems":"0",
                "cpu_period":100000,"cpu_quota":50000,"shm_size":9007199254740993,
                "ulimits":[{"name":"nofile","soft":1,"hard":2}],"cgroup_parent":"p","isolation":"default",
                "security_opt":["x"],"squash":false,"outputs":[{"Type":"moby"}],"version":"1",
                "auth_configs":{"r":{"username":"u","password":"p"}},"progress":"text",
                "inactivity_timeout_ms":5}"#,
        )
        .unwrap();
        assert_eq!(o.build_args.unwrap()["B"], None);
        assert_eq!(o.shm_size, Some(9_007_199_254_740_993), "64-bit integers are kept exactly");
        assert_eq!(o.progress, crate::stream::ProgressMode::Text);
    }

    #[test]
    fn builders() {
        assert_eq!(builder_of(None).unwrap(), Builder::Auto);
        for (v, b) in [("\"1\"", Builder::Classic), ("1", Builder::Classic), ("\"2\"", Builder::BuildKit), ("2", Builder::BuildKit), ("\"auto\"", Builder::Auto)] {
            assert_eq!(builder_of(Some(&serde_json::from_str(v).unwrap())).unwrap(), b, "{v}");
        }
    }

    #[test]
    fn bad_values_name_their_key() {
        for (json, says, status) in [
            (r#"{"memory":-1}"#, "\"memory\"", Status::InvalidArgument),
            (r#"{"shm_size":-5}"#, "\"shm_size\"", Status::InvalidArgument),
            (r#"{"memory":1.5}"#, "memory", Status::InvalidArgument),
            (r#"{"memory":18446744073709551615}"#, "memory", Status::InvalidArgument),
            (r#"{"tags":["UPPER"]}"#, "tags", Status::InvalidArgument),
            (r#"{"tags":["a@sha256:0123456789012345678901234567890123456789012345678901234567890123"]}"#, "digest", Status::InvalidArgument),
            (r#"{"build_args":{"A":1}}"#, "build_args", Status::InvalidArgument),
            (r#"{"build_args":{"":"x"}}"#, "build_args", Status::InvalidArgument),
            (r#"{"extra_hosts":["nohost"]}"#, "extra_hosts", Status::InvalidArgument),
            (r#"{"platform":"linux/"}"#, "platform", Status::InvalidArgument),
            (r#"{"ulimits":[{"name":"x","soft":1}]}"#, "hard", Status::InvalidArgument),
            (r#"{"outputs":["x"]}"#, "outputs", Status::InvalidArgument),
            (r#"{"outputs":[{"Type":1}]}"#, "Type", Status::InvalidArgument),
            (r#"{"outputs":[{"Type":"moby","Attrs":{"a":1}}]}"#, "Attrs", Status::InvalidArgument),
            (r#"{"isolation":"bogus"}"#, "isolation", Status::InvalidArgument),
            (r#"{"version":"3"}"#, "version", Status::InvalidArgument),
            (r#"{"version":true}"#, "version", Status::InvalidArgument),
            (r#"{"build_id":" "}"#, "build_id", Status::InvalidArgument),
            (r#"{"dockerfile":"a","dockerfile_content":"FROM x","context_dir":"/"}"#, "not both", Status::InvalidArgument),
            (r#"{"dockerfile_content":"FROM x","remote":"http://x"}"#, "context_dir", Status::InvalidArgument),
            (r#"{"dockerfile_content":""}"#, "empty", Status::InvalidArgument),
            (r#"{"context_dir":""}"#, "empty", Status::InvalidArgument),
            (r#"{"bogus":1}"#, "bogus", Status::InvalidArgument),
            (r#"{"Tags":["x"]}"#, "Tags", Status::InvalidArgument),
        ] {
            let e = parse(json).unwrap_err();
            assert_eq!(e.status, status, "{json}: {}", e.message);
            assert!(e.message.contains(says), "{json}: {}", e.message);
        }
    }

    #[test]
    fn tags_as_the_daemon_reports_them() {
        let o = parse(r#"{"tags":["app","127.0.0.1:5000/x:1","docker.io/library/busybox:2","me/y"]}"#).unwrap();
        assert_eq!(o.applied_tags().unwrap(), ["app:latest", "127.0.0.1:5000/x:1", "busybox:2", "me/y:latest"]);
    }

    #[test]
    fn extra_hosts_in_the_daemons_form() {
        let o = parse(r#"{"extra_hosts":["a:1.2.3.4","b=10.0.0.1","c=::1","d:::1"]}"#).unwrap();
        assert_eq!(o.extra_hosts_param(), ["a:1.2.3.4", "b:10.0.0.1", "c:::1", "d:::1"]);
    }
}
