//! What a build sends, seen by a fake daemon: the query and headers at several API versions,
//! the streamed context, bad input refused before anything is sent, and answers a real engine
//! does not give (old daemons' `Successfully built`, a stream cut before the image ID).

mod common;
#[path = "images_build/support.rs"]
mod support;

use base64::Engine;
use common::fake_daemon::{FakeDaemon, Reply, Seen, json};
use dockerclient::{AuthConfig, DockerConfig};
use dockerclient::images::build::BuildOptions;
use dockerclient::{Client, Status};
use serde_json::Value;
use support::{Scratch, run_build_on};

const ID: &str = "sha256:1234567890123456789012345678901234567890123456789012345678901234";

fn stream(lines: &[&str]) -> Reply {
    let body: String = lines.iter().map(|l| format!("{l}\r\n")).collect();
    Reply::Full(200, vec![("Content-Type".into(), "application/json".into())], body.into_bytes())
}

/// A daemon speaking `version` that answers builds with `answer` and inspects with `ID`.
fn daemon(version: &str, answer: fn(&Seen) -> Reply) -> FakeDaemon {
    FakeDaemon::with_version(Some(version), move |req| {
        if req.path().ends_with("/build") {
            answer(req)
        } else if req.path().contains("/images/") && req.path().ends_with("/json") {
            json(200, &format!(r#"{{"Id":"{ID}"}}"#))
        } else {
            json(404, r#"{"message":"page not found"}"#)
        }
    })
}

fn good_build(_: &Seen) -> Reply {
    stream(&[
        r#"{"stream":"Step 1/1 : FROM scratch\n"}"#,
        &format!(r#"{{"aux":{{"ID":"{ID}"}}}}"#),
        r#"{"stream":"Successfully built 123456789012\n"}"#,
    ])
}

/// A client of the fake daemon that never reads the machine's docker config.
fn client(fake: &FakeDaemon) -> Client {
    let opts: dockerclient::ClientOptions = serde_json::from_str(&format!(r#"{{"host": "{}"}}"#, fake.host())).unwrap();
    Client::new(&opts).unwrap().with_docker_config(DockerConfig::default())
}

fn builds(fake: &FakeDaemon) -> Vec<Seen> {
    fake.seen().into_iter().filter(|s| s.path().ends_with("/build")).collect()
}

fn query(seen: &Seen) -> Vec<(String, String)> {
    let q = seen.target.split_once('?').map(|(_, q)| q).unwrap_or("");
    url::form_urlencoded::parse(q.as_bytes()).into_owned().collect()
}

fn registry_config(seen: &Seen) -> Value {
    let h = seen.header("X-Registry-Config").expect("X-Registry-Config is always sent");
    serde_json::from_slice(&base64::engine::general_purpose::URL_SAFE.decode(h).unwrap()).unwrap()
}

/// (path, content) of each regular file in a tar, and every entry name.
fn tar_entries(bytes: &[u8]) -> (Vec<(String, Vec<u8>)>, Vec<String>) {
    let mut files = Vec::new();
    let mut names = Vec::new();
    let mut a = tar::Archive::new(bytes);
    for e in a.entries().unwrap() {
        let mut e = e.unwrap();
        let name = e.path().unwrap().display().to_string();
        names.push(name.clone());
        if e.header().entry_type().is_file() {
            let mut c = Vec::new();
            std::io::Read::read_to_end(&mut e, &mut c).unwrap();
            files.push((name, c));
        }
    }
    (files, names)
}

#[test]
fn the_request_carries_every_option_the_credentials_and_the_streamed_context() {
    let fake = daemon("1.41", good_build);
    let s = Scratch::new("dc-build-req");
    s.file("app/main.c", "int main;");
    s.file("notes.log", "x");
    s.file(".dockerignore", "*.log\n");
    let auth = AuthConfig { username: Some("u".into()), password: Some("?>?>~~~ÿÿ".into()), ..Default::default() };
    let json_opts = format!(
        r#"{{"context_dir":"{}","dockerfile_content":"FROM scratch\nCOPY . /\n","tags":["app:1","other"],
            "build_args":{{"A":"1","N":null}},"labels":{{"l":"v"}},"target":"t","platform":"linux/amd64",
            "network_mode":"none","extra_hosts":["h:10.0.0.1"],"cache_from":["app:0"],"pull":true,"no_cache":true,
            "rm":false,"force_rm":true,"memory":9007199254740993,"memswap":-1,"cpu_shares":512,"cpuset_cpus":"0",
            "cpuset_mems":"0","cpu_period":100000,"cpu_quota":50000,"shm_size":67108864,
            "ulimits":[{{"name":"nofile","soft":1024,"hard":2048}}],"cgroup_parent":"cg","isolation":"default",
            "outputs":[{{"Type":"moby"}}],"version":"1","auth_configs":{{"127.0.0.1:5000":{}}}}}"#,
        s.s(),
        serde_json::to_string(&auth).unwrap()
    );
    let opts: BuildOptions = dockerclient::options::parse("build options", Some(&json_opts)).unwrap();
    let run = run_build_on(&client(&fake), &opts, None);
    let result = run.ok().clone();
    assert_eq!(result, serde_json::json!({"id": ID, "tags": ["app:1", "other:latest"], "warnings": []}));

    let seen = builds(&fake);
    assert_eq!(seen.len(), 1);
    let req = &seen[0];
    assert_eq!(req.method, "POST");
    assert_eq!(req.path(), "/v1.41/build");
    assert_eq!(req.header("Content-Type"), Some("application/x-tar"));
    assert_eq!(req.header("Transfer-Encoding"), Some("chunked"), "streamed, not buffered");
    let q = query(req);
    let get = |k: &str| q.iter().filter(|(n, _)| n == k).map(|(_, v)| v.as_str()).collect::<Vec<_>>();
    let dockerfile = get("dockerfile")[0].to_string();
    assert!(dockerfile.starts_with(".dockerfile.") && dockerfile.len() == 32, "{dockerfile}");
    assert_eq!(get("t"), ["app:1", "other"]);
    assert_eq!(get("buildargs"), [r#"{"A":"1","N":null}"#]);
    assert_eq!(get("labels"), [r#"{"l":"v"}"#]);
    assert_eq!(get("memory"), ["9007199254740993"]);
    assert_eq!(get("rm"), ["0"]);
    assert_eq!(get("ulimits"), [r#"[{"Hard":2048,"Name":"nofile","Soft":1024}]"#]);
    for (k, v) in [
        ("target", "t"), ("platform", "linux/amd64"), ("networkmode", "none"), ("extrahosts", "h:10.0.0.1"),
        ("cachefrom", r#"["app:0"]"#), ("pull", "1"), ("nocache", "1"), ("forcerm", "1"), ("memswap", "-1"),
        ("cpushares", "512"), ("cpusetcpus", "0"), ("cpusetmems", "0"), ("cpuperiod", "100000"),
        ("cpuquota", "50000"), ("shmsize", "67108864"), ("cgroupparent", "cg"), ("isolation", "default"),
        ("outputs", r#"[{"Type":"moby"}]"#), ("version", "1"),
    ] {
        assert_eq!(get(k), [v], "{k}");
    }
    assert!(get("q").is_empty() && get("remote").is_empty());
    // Credentials: the plain registry map, base64url.
    assert_eq!(registry_config(req)["127.0.0.1:5000"]["password"], "?>?>~~~ÿÿ");
    let h = req.header("X-Registry-Config").unwrap();
    assert!(!h.contains('+') && !h.contains('/'), "{h}");

    // The context: filtered by .dockerignore, the inline Dockerfile added under its generated
    // name and listed in the sent .dockerignore.
    let (files, names) = tar_entries(&req.body);
    assert!(!names.iter().any(|n| n.ends_with(".log")), "{names:?}");
    assert!(names.contains(&"app/main.c".to_string()), "{names:?}");
    let find = |n: &str| files.iter().find(|(p, _)| p == n).map(|(_, c)| c.clone());
    assert_eq!(find(&dockerfile).unwrap(), b"FROM scratch\nCOPY . /\n");
    assert_eq!(find(".dockerignore").unwrap(), format!("*.log\n\n{dockerfile}\n").into_bytes());
}

#[test]
fn credentials_from_the_docker_config_in_the_shape_of_each_api_version() {
    let cfg = DockerConfig::parse(br#"{"auths":{"reg.example:5000":{"auth":"dTpw"},"https://index.docker.io/v1/":{"auth":"aHViOnM="}}}"#).unwrap();
    let s = Scratch::new("dc-build-shapes");
    s.file("Dockerfile", "FROM scratch\n");
    for (version, shape) in [("1.41", "map"), ("1.20", "map"), ("1.19", "both"), ("1.18", "configs"), ("1.12", "configs")] {
        let fake = daemon(version, good_build);
        let opts = support::dir_options(s.path());
        run_build_on(&client(&fake).with_docker_config(cfg.clone()), &opts, None).ok();
        let got = registry_config(&builds(&fake)[0]);
        let map = match shape {
            "configs" => got["configs"].clone(),
            _ => got.clone(),
        };
        assert_eq!(map["reg.example:5000"]["username"], "u", "{version}: {got}");
        assert_eq!(map["https://index.docker.io/v1/"]["password"], "s", "{version}: {got}");
        if shape == "both" {
            assert_eq!(got["auths"]["reg.example:5000"]["username"], "u", "{version}: {got}");
        }
        // No non-default dockerfile below 1.17, and then none sent at all.
        let q = query(&builds(&fake)[0]);
        let has_dockerfile = q.iter().any(|(k, _)| k == "dockerfile");
        assert_eq!(has_dockerfile, version != "1.12", "{version}: {q:?}");
    }
    // No credentials anywhere: an empty object, as the CLI sends.
    let fake = daemon("1.41", good_build);
    let opts = support::dir_options(s.path());
    run_build_on(&client(&fake), &opts, None).ok();
    assert_eq!(builds(&fake)[0].header("X-Registry-Config"), Some("e30="));
}

#[test]
fn options_newer_than_the_daemon_are_refused_before_the_build_is_sent() {
    let fake = daemon("1.24", good_build);
    let s = Scratch::new("dc-build-gates");
    s.file("Dockerfile", "FROM scratch\n");
    for (json, key, min) in [
        (r#"{"target":"x"}"#, "target", "1.29"),
        (r#"{"platform":"linux"}"#, "platform", "1.32"),
        (r#"{"network_mode":"none"}"#, "network_mode", "1.25"),
        (r#"{"extra_hosts":["a:1.1.1.1"]}"#, "extra_hosts", "1.28"),
        (r#"{"cache_from":["x"]}"#, "cache_from", "1.25"),
        (r#"{"outputs":[]}"#, "outputs", "1.40"),
    ] {
        let mut opts: BuildOptions = dockerclient::options::parse("build options", Some(json)).unwrap();
        opts.context_dir = Some(s.s());
        let e = run_build_on(&client(&fake), &opts, None).result.unwrap_err();
        assert_eq!(e.status, Status::Unsupported, "{json}");
        assert!(e.message.contains(key) && e.message.contains(min) && e.message.contains("1.24"), "{json}: {}", e.message);
    }
    assert!(builds(&fake).is_empty(), "nothing was built");
}

#[test]
fn squash_security_opt_and_isolation_need_a_daemon_that_has_them() {
    // A Linux daemon without experimental features, as its ping says.
    let fake = FakeDaemon::start(|req| {
        if req.path() == "/_ping" {
            let headers = [("API-Version", "1.41"), ("OSType", "linux"), ("Docker-Experimental", "false")];
            return Reply::Full(200, headers.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(), b"OK".to_vec());
        }
        good_build(req)
    });
    let s = Scratch::new("dc-build-features");
    s.file("Dockerfile", "FROM scratch\n");
    let base = support::dir_options(s.path());
    let opts = BuildOptions { security_opt: Some(vec!["credentialspec=file://x.json".into()]), ..base.clone() };
    let e = run_build_on(&client(&fake), &opts, None).result.unwrap_err();
    assert_eq!(e.status, Status::Unsupported);
    assert!(e.message.contains("security_opt") && e.message.contains("Windows"), "{}", e.message);
    let opts = BuildOptions { squash: Some(true), ..base.clone() };
    let e = run_build_on(&client(&fake), &opts, None).result.unwrap_err();
    assert_eq!(e.status, Status::Unsupported);
    assert!(e.message.contains("squash") && e.message.contains("experimental"), "{}", e.message);
    let opts = BuildOptions { isolation: Some("hyperv".into()), ..base.clone() };
    let e = run_build_on(&client(&fake), &opts, None).result.unwrap_err();
    assert_eq!(e.status, Status::Unsupported);
    assert!(e.message.contains("isolation") && e.message.contains("default"), "{}", e.message);
    assert!(builds(&fake).is_empty());
    run_build_on(&client(&fake), &BuildOptions { isolation: Some("Default".into()), ..base.clone() }, None).ok();
    // squash: false is the default and needs nothing.
    run_build_on(&client(&fake), &BuildOptions { squash: Some(false), ..base }, None).ok();
}

#[test]
fn old_daemons_name_the_image_by_its_short_id() {
    let fake = daemon("1.24", |_| {
        stream(&[r#"{"stream":"Step 1/1 : FROM scratch\n"}"#, r#"{"stream":"Successfully built 123456789012\n"}"#])
    });
    let s = Scratch::new("dc-build-old");
    s.file("Dockerfile", "FROM scratch\n");
    let opts = support::dir_options(s.path());
    let run = run_build_on(&client(&fake), &opts, None);
    assert_eq!(run.ok()["id"], ID);
    assert!(fake.targets().iter().any(|t| t == "/v1.24/images/123456789012/json"), "{:?}", fake.targets());
}

#[test]
fn a_stream_without_the_image_id_or_with_an_error_is_a_failure() {
    let s = Scratch::new("dc-build-cut");
    s.file("Dockerfile", "FROM scratch\n");
    let opts = support::dir_options(s.path());

    let fake = daemon("1.41", |_| stream(&[r#"{"stream":"Step 1/2 : FROM scratch\n"}"#]));
    let e = run_build_on(&client(&fake), &opts, None).result.unwrap_err();
    assert_eq!(e.status, Status::Transport, "{e:?}");
    assert!(e.message.contains("image"), "{}", e.message);

    let fake = daemon("1.41", |_| {
        stream(&[
            r#"{"stream":"Step 1/2 : RUN false\n"}"#,
            r#"{"errorDetail":{"code":1,"message":"The command '/bin/sh -c false' returned a non-zero code: 1"},"error":"The command '/bin/sh -c false' returned a non-zero code: 1"}"#,
            &format!(r#"{{"aux":{{"ID":"{ID}"}}}}"#),
        ])
    });
    let e = run_build_on(&client(&fake), &opts, None).result.unwrap_err();
    assert_eq!(e.status, Status::StreamError);
    assert_eq!(e.message, "The command '/bin/sh -c false' returned a non-zero code: 1");
    assert_eq!(e.daemon_code, Some(1));

    // An HTTP error before any stream (e.g. the Dockerfile is not in a caller's tar).
    let fake = daemon("1.41", |_| json(500, r#"{"message":"Cannot locate specified Dockerfile: Nope"}"#));
    let mut tar: &[u8] = &[0u8; 1024];
    let e = run_build_on(&client(&fake), &BuildOptions { dockerfile: Some("Nope".into()), ..Default::default() }, Some(&mut tar))
        .result
        .unwrap_err();
    assert_eq!(e.status, Status::ServerError);
    assert_eq!(e.message, "Cannot locate specified Dockerfile: Nope");
}

#[test]
fn bad_input_is_refused_before_anything_is_sent() {
    let fake = daemon("1.41", good_build);
    let c = client(&fake);
    let s = Scratch::new("dc-build-bad");
    s.file("Dockerfile", "FROM scratch\n");
    let file = s.file("plain-file", "");
    let bad_ignore = Scratch::new("dc-build-bad-ignore");
    bad_ignore.file("Dockerfile", "FROM scratch\n");
    bad_ignore.file(".dockerignore", "ok\n# fine\nbroken[\n");
    let dir = s.s();
    let cases: Vec<(&str, String, Status, &str)> = vec![
        ("no context", "{}".into(), Status::InvalidArgument, "no build context"),
        ("two contexts", format!(r#"{{"context_dir":"{dir}","remote":"http://127.0.0.1:1/x.tar"}}"#), Status::InvalidArgument, "exactly one source"),
        ("missing dir", format!(r#"{{"context_dir":"{dir}/nope"}}"#), Status::NotFound, "does not exist"),
        ("not a dir", format!(r#"{{"context_dir":"{}"}}"#, file.display()), Status::InvalidArgument, "not a directory"),
        ("no dockerfile", format!(r#"{{"context_dir":"{dir}","dockerfile":"Missing.df"}}"#), Status::NotFound, "Missing.df"),
        ("bad ignore", format!(r#"{{"context_dir":"{}"}}"#, bad_ignore.s()), Status::InvalidArgument, "line 3"),
        ("negative memory", format!(r#"{{"context_dir":"{dir}","memory":-1}}"#), Status::InvalidArgument, "\"memory\""),
        ("unknown key", format!(r#"{{"context_dir":"{dir}","memroy":1}}"#), Status::InvalidArgument, "memroy"),
        ("wrong type", format!(r#"{{"context_dir":"{dir}","no_cache":"yes"}}"#), Status::InvalidArgument, "no_cache"),
        ("buildkit with a classic-only limit", format!(r#"{{"context_dir":"{dir}","version":"2","memory":1}}"#), Status::Unsupported, "memory"),
        ("bad tag", format!(r#"{{"context_dir":"{dir}","tags":["Bad Tag"]}}"#), Status::InvalidArgument, "tags"),
        ("inline and file", format!(r#"{{"context_dir":"{dir}","dockerfile":"Dockerfile","dockerfile_content":"FROM x"}}"#), Status::InvalidArgument, "not both"),
    ];
    for (what, json, status, says) in cases {
        let err = match dockerclient::options::parse::<BuildOptions>("build options", Some(&json)) {
            Ok(o) => run_build_on(&c, &o, None).result.unwrap_err(),
            Err(e) => e,
        };
        assert_eq!(err.status, status, "{what}: {err:?}");
        assert!(err.message.contains(says), "{what}: {}", err.message);
    }
    // A reader and a context_dir at once.
    let mut r: &[u8] = b"";
    let o = BuildOptions { context_dir: Some(dir.clone()), ..Default::default() };
    let err = run_build_on(&c, &o, Some(&mut r)).result.unwrap_err();
    assert!(err.message.contains("read callback"), "{}", err.message);
    assert!(fake.seen().is_empty(), "no request at all, not even a ping: {:?}", fake.seen());
}

/// A daemon that refuses every build at once, as a real one refuses bad options: it answers
/// 400 right after the request head and closes the connection without reading the context.
fn refusing_daemon() -> (String, std::sync::Arc<std::sync::atomic::AtomicUsize>) {
    use std::io::{BufRead, BufReader, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let host = format!("tcp://{}", listener.local_addr().unwrap());
    let builds = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let counter = builds.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(stream) = stream else { continue };
            let counter = counter.clone();
            std::thread::spawn(move || {
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                let mut out = stream;
                loop {
                    let mut head = Vec::new();
                    loop {
                        let mut line = String::new();
                        if reader.read_line(&mut line).unwrap_or(0) == 0 {
                            return;
                        }
                        if line == "\r\n" {
                            break;
                        }
                        head.push(line);
                    }
                    if head[0].contains("/_ping") {
                        let _ = out.write_all(b"HTTP/1.1 200 OK\r\nAPI-Version: 1.41\r\nOSType: linux\r\nContent-Length: 2\r\n\r\nOK");
                        continue;
                    }
                    counter.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                    let body = r#"{"message":"unsupported isolation: \"x\""}"#;
                    let _ = out.write_all(
                        format!("HTTP/1.1 400 Bad Request\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}", body.len())
                            .as_bytes(),
                    );
                    return; // closes with the context unread
                }
            });
        }
    });
    (host, builds)
}

#[test]
fn a_refusal_before_the_context_is_read_is_reported_with_the_daemons_message() {
    let (host, builds) = refusing_daemon();
    let opts: dockerclient::ClientOptions = serde_json::from_str(&format!(r#"{{"host": "{host}"}}"#)).unwrap();
    let c = Client::new(&opts).unwrap().with_docker_config(DockerConfig::default());
    let s = Scratch::new("dc-build-refused");
    s.file("Dockerfile", "FROM scratch\n");
    // Far more than the socket buffers hold, so the refusal arrives while sending.
    let big: Vec<u8> = (0..64u32 << 20).map(|i| (i.wrapping_mul(2_654_435_761) >> 24) as u8).collect();
    s.file("big.bin", &big);
    let opts = support::dir_options(s.path());
    let e = run_build_on(&c, &opts, None).result.unwrap_err();
    assert_eq!(e.status, Status::InvalidArgument, "{e:?}");
    assert_eq!(e.http_status, 400);
    assert!(e.message.contains("unsupported isolation"), "{}", e.message);
    assert_eq!(builds.load(std::sync::atomic::Ordering::SeqCst), 2, "the build, then the empty-context question");
}

/// A fake daemon speaking `version` with the given `/_ping` headers, and `handler` for the rest.
fn daemon_with_ping(version: &str, ping: Vec<(&str, &str)>, handler: impl Fn(&Seen) -> Reply + Send + Sync + 'static) -> FakeDaemon {
    let mut headers: Vec<(String, String)> = vec![("API-Version".into(), version.into())];
    headers.extend(ping.into_iter().map(|(k, v)| (k.to_string(), v.to_string())));
    FakeDaemon::start(move |req| if req.path() == "/_ping" { Reply::Full(200, headers.clone(), b"OK".to_vec()) } else { handler(req) })
}

/// A BuildKit answer: a trace with a step and a warning (as Engine 23+ sends it), the image ID.
fn buildkit_build(_: &Seen) -> Reply {
    use base64::Engine;
    use hand_written_trace::encode;
    let trace = encode();
    stream(&[
        &format!(r#"{{"id":"moby.buildkit.trace","aux":"{}"}}"#, base64::engine::general_purpose::STANDARD.encode(trace)),
        &format!(r#"{{"id":"moby.image.id","aux":{{"ID":"{ID}"}}}}"#),
    ])
}

/// A `StatusResponse` written by hand (no protobuf crate in the tests): one vertex, started and
/// completed, and one warning.
mod hand_written_trace {
    fn varint(mut v: u64, out: &mut Vec<u8>) {
        while v >= 0x80 {
            out.push((v as u8) | 0x80);
            v >>= 7;
        }
        out.push(v as u8);
    }
    fn field(tag: u32, bytes: &[u8], out: &mut Vec<u8>) {
        varint(u64::from(tag << 3 | 2), out);
        varint(bytes.len() as u64, out);
        out.extend_from_slice(bytes);
    }
    fn timestamp(secs: u64) -> Vec<u8> {
        let mut t = Vec::new();
        varint(1 << 3, &mut t);
        varint(secs, &mut t);
        t
    }
    pub fn encode() -> Vec<u8> {
        let mut vertex = Vec::new();
        field(1, b"sha256:aaaa", &mut vertex);
        field(3, b"[1/1] FROM scratch", &mut vertex);
        field(5, &timestamp(100), &mut vertex);
        field(6, &timestamp(101), &mut vertex);
        let mut warning = Vec::new();
        field(1, b"sha256:aaaa", &mut warning);
        field(3, b"FromAsCasing: 'as' and 'FROM' keywords' casing do not match", &mut warning);
        let mut sr = Vec::new();
        field(1, &vertex, &mut sr);
        field(4, &warning, &mut sr);
        sr
    }
}

#[test]
fn buildkit_needs_a_daemon_that_has_it() {
    let s = Scratch::new("dc-build-bk-req");
    s.file("Dockerfile", "FROM scratch\n");
    let bk = |extra: serde_json::Value| {
        let mut o = serde_json::json!({"context_dir": s.s(), "version": "2"});
        o.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
        dockerclient::options::parse::<BuildOptions>("build options", Some(&o.to_string())).unwrap()
    };
    // Too old an API: refused before the context is sent.
    let old = daemon("1.37", good_build);
    let e = run_build_on(&client(&old), &bk(serde_json::json!({})), None).result.unwrap_err();
    assert!(e.status == Status::Unsupported && e.message.contains("1.38"), "{e:?}");
    assert!(builds(&old).is_empty());
    // A Windows daemon: no BuildKit.
    let windows = daemon_with_ping("1.41", vec![("OSType", "windows")], good_build);
    let e = run_build_on(&client(&windows), &bk(serde_json::json!({})), None).result.unwrap_err();
    assert!(e.status == Status::Unsupported && e.message.contains("windows"), "{e:?}");
    assert!(builds(&windows).is_empty());
    // A daemon that refuses the request.
    let refusing = daemon_with_ping("1.41", vec![("OSType", "linux")], |req| {
        if req.path().ends_with("/build") { json(400, r#"{"message":"buildkit not supported by daemon"}"#) } else { json(404, "{}") }
    });
    let e = run_build_on(&client(&refusing), &bk(serde_json::json!({})), None).result.unwrap_err();
    assert!(e.status == Status::Unsupported && e.message.contains("buildkit not supported"), "{e:?}");
}

#[test]
fn auto_follows_the_daemons_default_builder() {
    let s = Scratch::new("dc-build-bk-auto");
    s.file("Dockerfile", "FROM scratch\n");
    let opts = support::dir_options(s.path());
    let classic = daemon_with_ping("1.41", vec![("OSType", "linux")], good_build);
    run_build_on(&client(&classic), &opts, None).result.unwrap();
    let q = query(&builds(&classic)[0]);
    assert!(q.contains(&("version".into(), "1".into())), "{q:?}");
    assert!(!q.iter().any(|(k, _)| k == "buildid"));

    let buildkit = daemon_with_ping("1.43", vec![("OSType", "linux"), ("Builder-Version", "2")], buildkit_build);
    let text = BuildOptions { progress: dockerclient::ProgressMode::Text, ..opts.clone() };
    let run = run_build_on(&client(&buildkit), &text, None);
    let r = run.result.as_ref().unwrap();
    let q = query(&builds(&buildkit)[0]);
    assert!(q.contains(&("version".into(), "2".into())), "{q:?}");
    assert!(q.iter().any(|(k, v)| k == "buildid" && v.len() == 32), "{q:?}");
    assert!(builds(&buildkit)[0].header("X-Registry-Config").is_none(), "BuildKit without a session reads no credentials");
    assert_eq!(r["id"], ID);
    assert_eq!(r["warnings"][0], "FromAsCasing: 'as' and 'FROM' keywords' casing do not match", "{r}");
    let out = run.deliveries.concat();
    assert!(out.contains("#1 [1/1] FROM scratch\n") && out.contains("WARN: FromAsCasing"), "{out}");
}
