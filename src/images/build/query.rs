//! The query of `POST /build`: every option mapped to its parameter, and refused with the
//! unsupported status when the daemon's API version does not know it (an old daemon ignores an
//! unknown parameter, so sending it anyway would silently build something else).
//!
//! Minimum versions: the API reference of each version (`api/docs/v1.*` in moby) and, where the
//! reference documents a parameter later than the daemon accepted it, the daemon's own code:
//! `target` shipped in Docker 17.05 (API 1.29) though first documented in 1.37, `platform` is
//! read from API 1.32 (`versions.GreaterThanOrEqualTo(version, "1.32")` in the build route),
//! `cpusetmems`/`cgroupparent` arrived with Docker 1.7 (1.19), `ulimits` with 1.8 (1.20),
//! `isolation` with 1.10 (1.22) and `securityopt` with 1.13 (1.25), none of them documented.

use serde_json::json;

use super::options::{BuildOptions, Builder};
use crate::client::{ApiVersion, Query};
use crate::error::{Error, Result};

const fn v(minor: u16) -> ApiVersion {
    ApiVersion::new(1, minor)
}

/// First API version with a non-default `dockerfile` parameter.
pub const DOCKERFILE_MIN: ApiVersion = v(17);
/// First API version with `version` (the builder choice).
pub const BUILDER_VERSION_MIN: ApiVersion = v(38);

/// The query for `opts`, with `dockerfile` the value of the `dockerfile` parameter (the path in
/// the sent context; `None` leaves the daemon's default). Errors: unsupported, naming the
/// option and the version it needs.
pub fn build_query(
    opts: &BuildOptions,
    have: ApiVersion,
    dockerfile: Option<&str>,
    builder: Builder,
    build_id: Option<&str>,
) -> Result<Query> {
    let mut q = Query::new();
    let need = |key: &str, min: ApiVersion| -> Result<()> {
        if have < min {
            return Err(Error::unsupported(&format!("build option \"{key}\""), &min.to_string(), &have.to_string()));
        }
        Ok(())
    };
    let is_true = |b: Option<bool>| b == Some(true);

    for t in &opts.tags {
        q.push("t", t.as_str());
    }
    if let Some(r) = &opts.remote {
        q.push("remote", r.as_str());
    }
    if let Some(d) = dockerfile {
        if d != "Dockerfile" {
            need("dockerfile", DOCKERFILE_MIN)?;
        }
        if have >= DOCKERFILE_MIN {
            q.push("dockerfile", d);
        }
    }
    if is_true(opts.quiet) {
        q.push("q", "1");
    }
    if is_true(opts.no_cache) {
        q.push("nocache", "1");
    }
    if is_true(opts.pull) {
        need("pull", v(16))?;
        q.push("pull", "1");
    }
    // Sent always, as the CLI does: the default is true from API 1.12 on.
    q.push("rm", if opts.rm.unwrap_or(true) { "1" } else { "0" });
    if is_true(opts.force_rm) {
        q.push("forcerm", "1");
    }
    for (key, param, value, min) in [
        ("memory", "memory", opts.memory, v(18)),
        ("memswap", "memswap", opts.memswap, v(18)),
        ("cpu_shares", "cpushares", opts.cpu_shares, v(18)),
        ("cpu_period", "cpuperiod", opts.cpu_period, v(19)),
        ("cpu_quota", "cpuquota", opts.cpu_quota, v(19)),
        ("shm_size", "shmsize", opts.shm_size, v(22)),
    ] {
        if let Some(n) = value {
            need(key, min)?;
            q.push(param, n.to_string());
        }
    }
    for (key, param, value, min) in [
        ("cpuset_cpus", "cpusetcpus", &opts.cpuset_cpus, v(18)),
        ("cpuset_mems", "cpusetmems", &opts.cpuset_mems, v(19)),
        ("cgroup_parent", "cgroupparent", &opts.cgroup_parent, v(19)),
        ("isolation", "isolation", &opts.isolation, v(22)),
        ("network_mode", "networkmode", &opts.network_mode, v(25)),
        ("target", "target", &opts.target, v(29)),
    ] {
        if let Some(s) = value {
            need(key, min)?;
            q.push(param, s.as_str());
        }
    }
    if let Some(p) = &opts.platform {
        need("platform", v(32))?;
        // The CLI lower-cases it too.
        q.push("platform", p.to_ascii_lowercase());
    }
    if let Some(u) = &opts.ulimits {
        need("ulimits", v(20))?;
        let list: Vec<_> = u.iter().map(|u| json!({"Name": u.name, "Hard": u.hard, "Soft": u.soft})).collect();
        q.push("ulimits", serde_json::Value::Array(list).to_string());
    }
    if let Some(args) = &opts.build_args {
        need("build_args", v(21))?;
        q.push("buildargs", json!(args).to_string());
    }
    if let Some(labels) = &opts.labels {
        need("labels", v(23))?;
        q.push("labels", json!(labels).to_string());
    }
    if let Some(c) = &opts.cache_from {
        need("cache_from", v(25))?;
        q.push("cachefrom", json!(c).to_string());
    }
    if is_true(opts.squash) {
        need("squash", v(25))?;
        q.push("squash", "1");
    }
    if let Some(s) = &opts.security_opt {
        need("security_opt", v(25))?;
        for o in s {
            q.push("securityopt", o.as_str());
        }
    }
    if opts.extra_hosts.is_some() {
        need("extra_hosts", v(28))?;
        for h in opts.extra_hosts_param() {
            q.push("extrahosts", h);
        }
    }
    if let Some(o) = opts.outputs_for_daemon() {
        need("outputs", v(40))?;
        q.push("outputs", json!(o).to_string());
    }
    // Only "1" gets this far (`validate` refuses the rest); older daemons only have it.
    match builder {
        Builder::BuildKit => {
            q.push("version", "2");
            if let Some(id) = build_id {
                q.push("buildid", id);
            }
        }
        _ if have >= BUILDER_VERSION_MIN => {
            q.push("version", "1");
        }
        _ => {}
    }
    Ok(q)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Status;

    fn opts(json: &str) -> BuildOptions {
        let o: BuildOptions = crate::options::parse("build options", Some(json)).unwrap();
        o.validate().unwrap();
        o
    }

    fn encoded(json: &str, have: ApiVersion, dockerfile: Option<&str>) -> String {
        build_query(&opts(json), have, dockerfile, Builder::Classic, None).unwrap().encode()
    }

    #[test]
    fn defaults_are_what_the_cli_sends() {
        assert_eq!(encoded("{}", v(41), Some("Dockerfile")), "dockerfile=Dockerfile&rm=1&version=1");
        assert_eq!(encoded("{}", v(24), None), "rm=1");
        assert_eq!(encoded(r#"{"rm":false}"#, v(12), Some("Dockerfile")), "rm=0");
    }

    #[test]
    fn every_option_has_its_parameter() {
        let q = encoded(
            r#"{"tags":["a","b:1"],"remote":"http://h/c.tar","build_args":{"A":"1","B":null},
                "labels":{"l":"v"},"target":"t","platform":"Linux/AMD64","network_mode":"none",
                "extra_hosts":["h:1.2.3.4","g=::1"],"cache_from":["c1","c2"],"pull":true,"no_cache":true,
                "quiet":true,"rm":true,"force_rm":true,"memory":1,"memswap":-1,"cpu_shares":2,
                "cpuset_cpus":"0-1","cpuset_mems":"0","cpu_period":100000,"cpu_quota":50000,
                "shm_size":9007199254740993,"ulimits":[{"name":"nofile","soft":1024,"hard":2048}],
                "cgroup_parent":"p","isolation":"default","security_opt":["s1","s2"],"squash":true,
                "outputs":[{"Type":"moby","Attrs":{}}],"version":"1"}"#,
            v(56),
            Some("sub/Dockerfile.x"),
        );
        let pairs: Vec<(String, String)> = url::form_urlencoded::parse(q.as_bytes()).into_owned().collect();
        let get = |k: &str| pairs.iter().filter(|(n, _)| n == k).map(|(_, v)| v.as_str()).collect::<Vec<_>>();
        assert_eq!(get("t"), ["a", "b:1"]);
        assert_eq!(get("remote"), ["http://h/c.tar"]);
        assert_eq!(get("dockerfile"), ["sub/Dockerfile.x"]);
        assert_eq!(get("buildargs"), [r#"{"A":"1","B":null}"#]);
        assert_eq!(get("labels"), [r#"{"l":"v"}"#]);
        assert_eq!(get("target"), ["t"]);
        assert_eq!(get("platform"), ["linux/amd64"]);
        assert_eq!(get("networkmode"), ["none"]);
        assert_eq!(get("extrahosts"), ["h:1.2.3.4", "g:::1"]);
        assert_eq!(get("cachefrom"), [r#"["c1","c2"]"#]);
        for flag in ["pull", "nocache", "q", "rm", "forcerm", "squash"] {
            assert_eq!(get(flag), ["1"], "{flag}");
        }
        assert_eq!(get("memory"), ["1"]);
        assert_eq!(get("memswap"), ["-1"]);
        assert_eq!(get("cpushares"), ["2"]);
        assert_eq!(get("cpusetcpus"), ["0-1"]);
        assert_eq!(get("cpusetmems"), ["0"]);
        assert_eq!(get("cpuperiod"), ["100000"]);
        assert_eq!(get("cpuquota"), ["50000"]);
        assert_eq!(get("shmsize"), ["9007199254740993"]);
        assert_eq!(get("ulimits"), [r#"[{"Hard":2048,"Name":"nofile","Soft":1024}]"#]);
        assert_eq!(get("cgroupparent"), ["p"]);
        assert_eq!(get("isolation"), ["default"]);
        assert_eq!(get("securityopt"), ["s1", "s2"]);
        assert_eq!(get("outputs"), [r#"[{"Attrs":{},"Type":"moby"}]"#]);
        assert_eq!(get("version"), ["1"]);
    }

    #[test]
    fn options_newer_than_the_daemon_are_refused() {
        for (json, key, min) in [
            (r#"{"pull":true}"#, "pull", "1.16"),
            (r#"{"memory":1}"#, "memory", "1.18"),
            (r#"{"cpuset_cpus":"0"}"#, "cpuset_cpus", "1.18"),
            (r#"{"cpu_quota":1}"#, "cpu_quota", "1.19"),
            (r#"{"cgroup_parent":"x"}"#, "cgroup_parent", "1.19"),
            (r#"{"ulimits":[]}"#, "ulimits", "1.20"),
            (r#"{"build_args":{}}"#, "build_args", "1.21"),
            (r#"{"shm_size":1}"#, "shm_size", "1.22"),
            (r#"{"isolation":"default"}"#, "isolation", "1.22"),
            (r#"{"labels":{}}"#, "labels", "1.23"),
            (r#"{"network_mode":"none"}"#, "network_mode", "1.25"),
            (r#"{"cache_from":[]}"#, "cache_from", "1.25"),
            (r#"{"squash":true}"#, "squash", "1.25"),
            (r#"{"security_opt":["x"]}"#, "security_opt", "1.25"),
            (r#"{"extra_hosts":[]}"#, "extra_hosts", "1.28"),
            (r#"{"target":"x"}"#, "target", "1.29"),
            (r#"{"platform":"linux"}"#, "platform", "1.32"),
            (r#"{"outputs":[]}"#, "outputs", "1.40"),
        ] {
            let minor: u16 = min[2..].parse().unwrap();
            let e = build_query(&opts(json), v(minor - 1), None, Builder::Classic, None).unwrap_err();
            assert_eq!(e.status, Status::Unsupported, "{json}");
            assert!(e.message.contains(key) && e.message.contains(min), "{json}: {}", e.message);
            assert!(build_query(&opts(json), v(minor), None, Builder::Classic, None).is_ok(), "{json}");
        }
        let e = build_query(&opts("{}"), v(16), Some("other/Dockerfile"), Builder::Classic, None).unwrap_err();
        assert!(e.message.contains("dockerfile") && e.message.contains("1.17"), "{}", e.message);
        // Defaults never need a newer version.
        assert!(build_query(&opts(r#"{"pull":false,"squash":false,"no_cache":false}"#), v(12), Some("Dockerfile"), Builder::Classic, None).is_ok());
    }
}
