//! Pull and push on the real test engine and its two registries (open: DC_TEST_REGISTRY,
//! htpasswd: DC_TEST_AUTH_REGISTRY), plus what only a fake daemon can show (other API versions,
//! truncated streams, the exact query sent).
//!
//! Every test works on images it creates under unique names and removes only those.

mod common;

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

use common::engine::{engine, unique};
use common::fake_daemon::{json, FakeDaemon, Reply};
use dockerclient::AuthConfig;
use dockerclient::images::pull::{pull, PullOptions};
use dockerclient::images::push::{push, PushOptions};
use dockerclient::{Client, Error, Status};
use dockerclient::images::io::Io;
use serde_json::Value;

// ---------------------------------------------------------------------------------------------
// Helpers

/// Runs a pull, collecting every delivery; `stop_after` deliveries are accepted, then the
/// callback asks to stop.
fn pull_collect(c: &Client, opts: &PullOptions, stop_after: usize) -> (Result<Value, Error>, Vec<String>) {
    let mut got = Vec::new();
    let mut cb = |b: &[u8]| {
        got.push(String::from_utf8(b.to_vec()).expect("UTF-8 progress"));
        got.len() < stop_after
    };
    let r = pull(c, opts, Io::progress(&mut cb));
    (r.map(|r| serde_json::from_str(&r.to_json()).expect("result is JSON")), got)
}

fn push_collect(c: &Client, name: &str, opts: &PushOptions) -> (Result<Value, Error>, Vec<String>) {
    let mut got = Vec::new();
    let mut cb = |b: &[u8]| {
        got.push(String::from_utf8(b.to_vec()).expect("UTF-8 progress"));
        true
    };
    let r = push(c, name, opts, Io::progress(&mut cb));
    (r.map(|r| serde_json::from_str(&r.to_json()).expect("result is JSON")), got)
}

fn docker_ok(args: &[&str]) -> String {
    let out = engine().docker(args);
    assert!(out.status.success(), "docker {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

fn image_id(name: &str) -> String {
    docker_ok(&["image", "inspect", "--format", "{{.Id}}", name])
}

fn image_exists(name: &str) -> bool {
    engine().docker(&["image", "inspect", name]).status.success()
}

/// Tags the base image as `<registry>/<unique>:<tag>` and returns that name.
fn tag_base(registry: &str, prefix: &str, tag: &str) -> String {
    let name = format!("{registry}/{}:{tag}", unique(prefix));
    docker_ok(&["tag", &engine().base_image(), &name]);
    name
}

fn explicit_auth(password: &str) -> AuthConfig {
    let e = engine();
    AuthConfig {
        username: Some(e.registry_user()),
        password: Some(password.to_string()),
        serveraddress: Some(e.auth_registry()),
        ..Default::default()
    }
}

/// Builds (classic builder) an image FROM the base with `layers` COPY layers of random data,
/// so its layers exist nowhere else, and tags it `name`.
fn build_multilayer(name: &str, layers: usize, bytes_per_layer: usize) {
    let dir = std::env::temp_dir().join(unique("dc-transfer-build"));
    std::fs::create_dir_all(&dir).unwrap();
    let mut dockerfile = format!("FROM {}\n", engine().base_image());
    let mut urandom = std::fs::File::open("/dev/urandom").unwrap();
    for i in 0..layers {
        let mut data = vec![0u8; bytes_per_layer];
        urandom.read_exact(&mut data).unwrap();
        std::fs::write(dir.join(format!("f{i}")), &data).unwrap();
        dockerfile.push_str(&format!("COPY f{i} /data/f{i}\n"));
    }
    std::fs::write(dir.join("Dockerfile"), dockerfile).unwrap();
    let out = engine()
        .docker_command()
        .args(["build", "-q", "-t", name])
        .arg(&dir)
        .output()
        .expect("docker build");
    let _ = std::fs::remove_dir_all(&dir);
    assert!(out.status.success(), "docker build: {}", String::from_utf8_lossy(&out.stderr));
}

/// A multi-layer image of unique content in the open registry, absent locally; returns its
/// name.
fn remote_only_multilayer(prefix: &str, layers: usize, bytes_per_layer: usize) -> String {
    let name = format!("{}/{}:v1", engine().registry(), unique(prefix));
    build_multilayer(&name, layers, bytes_per_layer);
    let (r, _) = push_collect(&engine().client(), &name, &PushOptions::default());
    r.expect("push of the built image");
    docker_ok(&["rmi", &name]);
    assert!(!image_exists(&name));
    name
}

fn json_lines(got: &[String]) -> Vec<Value> {
    got.iter()
        .map(|l| {
            assert!(l.ends_with('\n') && l.matches('\n').count() == 1, "one message per call: {l:?}");
            serde_json::from_str(l).expect("each delivery is JSON")
        })
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Push, remove, pull back, by digest

#[test]
fn push_to_open_registry_then_pull_back_and_by_digest() {
    let e = engine();
    let c = e.client();
    let name = tag_base(&e.registry(), "dc-open", "v1");
    let base_id = image_id(&e.base_image());

    let (r, got) = push_collect(&c, &name, &PushOptions::default());
    let pushed = r.unwrap();
    let msgs = json_lines(&got);
    assert!(msgs[0]["status"].as_str().unwrap().starts_with("The push refers to repository"));
    assert_eq!(pushed["tag"], "v1");
    let digest = pushed["digest"].as_str().unwrap().to_string();
    assert!(digest.starts_with("sha256:") && digest.len() == 71, "{pushed}");
    assert!(pushed["size"].as_u64().unwrap() > 0);
    assert_eq!(pushed["pushed"].as_array().unwrap().len(), 1);

    docker_ok(&["rmi", &name]);
    assert!(!image_exists(&name));
    let (r, got) = pull_collect(&c, &PullOptions::new(&name), usize::MAX);
    let pulled = r.unwrap();
    assert_eq!(pulled["reference"], name.as_str());
    assert_eq!(pulled["digest"], digest.as_str());
    assert_eq!(pulled["id"], base_id.as_str());
    assert_eq!(pulled["new"], true);
    let last = json_lines(&got).pop().unwrap();
    assert!(last["status"].as_str().unwrap().starts_with("Status: Downloaded newer image for"));
    assert_eq!(image_id(&name), base_id, "the image is really there");

    // Again: up to date.
    let (r, _) = pull_collect(&c, &PullOptions::new(&name), usize::MAX);
    let again = r.unwrap();
    assert_eq!(again["new"], false);
    assert_eq!(again["digest"], digest.as_str());

    // By digest, after removing the tag again.
    docker_ok(&["rmi", &name]);
    let repo = name.rsplit_once(':').unwrap().0.to_string();
    let by_digest = format!("{repo}@{digest}");
    let (r, _) = pull_collect(&c, &PullOptions::new(&by_digest), usize::MAX);
    let pulled = r.unwrap();
    assert_eq!(pulled["reference"], by_digest.as_str());
    assert_eq!(pulled["digest"], digest.as_str());
    assert_eq!(pulled["id"], base_id.as_str());
    // And with the digest in the "tag" option.
    let opts = PullOptions { tag: Some(digest.clone()), ..PullOptions::new(&repo) };
    let (r, _) = pull_collect(&c, &opts, usize::MAX);
    assert_eq!(r.unwrap()["id"], base_id.as_str());
    docker_ok(&["rmi", &by_digest]);
}

#[test]
fn push_and_pull_on_the_htpasswd_registry() {
    let e = engine();
    let c = e.client();
    let name = tag_base(&e.auth_registry(), "dc-auth", "v1");
    let good = PushOptions { auth: Some(explicit_auth(&e.registry_password())), ..Default::default() };

    // Without credentials the registry refuses.
    let anonymous = c.with_docker_config(Default::default());
    let (r, _) = push_collect(&anonymous, &name, &PushOptions::default());
    let err = r.unwrap_err();
    assert_eq!(err.status, Status::Unauthorized, "{err}");

    let (r, _) = push_collect(&c, &name, &good);
    let pushed = r.unwrap();
    assert_eq!(pushed["tag"], "v1");
    docker_ok(&["rmi", &name]);

    // Wrong password: unauthorized, with the daemon's message and without the password.
    let wrong = "Wr0ng-Passw0rd-xyzzy";
    let opts = PullOptions { auth: Some(explicit_auth(wrong)), ..PullOptions::new(&name) };
    let (r, _) = pull_collect(&c, &opts, usize::MAX);
    let err = r.unwrap_err();
    assert_eq!(err.status, Status::Unauthorized, "{err}");
    let daemon = err.daemon_message.clone().expect("the daemon's message");
    assert!(daemon.contains("unauthorized") || daemon.contains("authentication required"), "{daemon}");
    assert!(err.message.contains(&daemon), "{err}");
    for text in [err.message.as_str(), &err.to_json(), &format!("{err:?}")] {
        assert!(!text.contains(wrong), "no password in errors: {text}");
    }
    assert!(!image_exists(&name));

    // Right password.
    let opts = PullOptions { auth: Some(explicit_auth(&e.registry_password())), ..PullOptions::new(&name) };
    let (r, _) = pull_collect(&c, &opts, usize::MAX);
    let pulled = r.unwrap();
    assert_eq!(pulled["digest"], pushed["digest"]);
    assert_eq!(pulled["new"], true);
    docker_ok(&["rmi", &name]);
}

#[test]
fn unknown_tag_and_repository_are_not_found() {
    let e = engine();
    let c = e.client();
    let name = tag_base(&e.registry(), "dc-nf", "v1");
    push_collect(&c, &name, &PushOptions::default()).0.unwrap();
    docker_ok(&["rmi", &name]);
    let repo = name.rsplit_once(':').unwrap().0;
    for missing in [format!("{repo}:no-such-tag"), format!("{}/{}:v1", e.registry(), unique("dc-never-pushed"))] {
        let (r, _) = pull_collect(&c, &PullOptions::new(&missing), usize::MAX);
        let err = r.unwrap_err();
        assert_eq!(err.status, Status::NotFound, "{missing}: {err}");
        assert!(err.daemon_message.as_deref().unwrap_or("").contains("unknown"), "{err}");
    }
    // Pushing a tag that does not exist locally is not found too (reported inside the stream).
    let (r, _) = push_collect(&c, &format!("{repo}:no-such-tag"), &PushOptions::default());
    assert_eq!(r.unwrap_err().status, Status::NotFound);
}

#[test]
fn unknown_registry_port_fails_without_hanging() {
    let c = engine().client();
    // A port nobody listens on: bind one, then free it.
    let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let name = format!("127.0.0.1:{port}/{}:v1", unique("dc-noreg"));
    let (r, got) = pull_collect(&c, &PullOptions::new(&name), usize::MAX);
    let err = r.unwrap_err();
    assert_eq!(err.status, Status::ServerError, "{err}");
    assert!(err.message.contains("connection refused"), "{err}");
    assert!(got.is_empty(), "nothing streamed");
    let (r, _) = push_collect(&c, &name, &PushOptions::default());
    assert!(r.is_err(), "push to nowhere fails");
}

// ---------------------------------------------------------------------------------------------
// Progress: text mode, aggregate, cancel

#[test]
fn text_mode_prints_what_docker_pull_prints() {
    let c = engine().client();
    let name = remote_only_multilayer("dc-text", 2, 200_000);
    let opts = PullOptions {
        progress: dockerclient::ProgressMode::Text,
        ..PullOptions::new(&name)
    };
    let (r, got) = pull_collect(&c, &opts, usize::MAX);
    let pulled = r.unwrap();
    let text = got.concat();
    let lines: Vec<&str> = text.lines().collect();
    let repo_path = name.split_once('/').unwrap().1.rsplit_once(':').unwrap().0;
    assert_eq!(lines[0], format!("v1: Pulling from {repo_path}"), "{text}");
    let is_layer_line = |l: &str, what: &str| {
        l.split_once(": ").is_some_and(|(id, rest)| {
            id.len() == 12 && id.bytes().all(|b| b.is_ascii_hexdigit()) && rest == what
        })
    };
    assert_eq!(lines.iter().filter(|l| is_layer_line(l, "Pull complete")).count(), 2, "{text}");
    assert!(lines.iter().any(|l| is_layer_line(l, "Already exists")), "the base layer: {text}");
    let n = lines.len();
    assert_eq!(lines[n - 2], format!("Digest: {}", pulled["digest"].as_str().unwrap()));
    assert_eq!(lines[n - 1], format!("Status: Downloaded newer image for {name}"));
    assert!(!text.contains('{'), "no JSON in text mode");
    assert!(!text.contains("Downloading"), "no progress bars when not on a terminal: {text}");
    docker_ok(&["rmi", &name]);
}

#[test]
fn aggregate_is_non_decreasing_and_ends_at_the_total() {
    let c = engine().client();
    let name = remote_only_multilayer("dc-agg", 4, 1_500_000);
    let opts = PullOptions { aggregate: true, ..PullOptions::new(&name) };
    let (r, got) = pull_collect(&c, &opts, usize::MAX);
    r.unwrap();
    let msgs = json_lines(&got);
    let agg: Vec<&Value> = msgs.iter().filter_map(|m| m.get("aggregate")).collect();
    assert!(agg.len() >= 3, "{got:?}");
    let field = |v: &Value, k: &str| v[k].as_u64().unwrap();
    for w in agg.windows(2) {
        assert!(field(w[1], "current") >= field(w[0], "current"), "current went back: {w:?}");
        assert!(field(w[1], "layers_done") >= field(w[0], "layers_done"));
    }
    let last = agg.last().unwrap();
    assert_eq!(field(last, "current"), field(last, "total"), "{last}");
    assert!(field(last, "total") > 4 * 1_000_000, "four layers of random data: {last}");
    assert_eq!(field(last, "layers"), field(last, "layers_done"));
    assert_eq!(field(last, "layers"), 5, "four new layers and the base's");
    // Every daemon message is still delivered as is, each followed (if it changed the
    // figures) by one aggregate.
    assert!(msgs.iter().filter(|m| m.get("aggregate").is_none()).count() >= 10);
    docker_ok(&["rmi", &name]);
}

#[test]
fn cancel_after_the_first_message_closes_the_pull_and_the_client_goes_on() {
    let c = engine().client();
    let name = remote_only_multilayer("dc-cancel", 5, 2_000_000);
    let (r, got) = pull_collect(&c, &PullOptions::new(&name), 1);
    let err = r.unwrap_err();
    assert_eq!(err.status, Status::Cancelled, "{err}");
    assert_eq!(got.len(), 1, "no callback after the one that said stop");
    assert!(got[0].contains("Pulling from"), "{got:?}");

    // The same client serves the next calls: the same pull, then a push.
    let (r, _) = pull_collect(&c, &PullOptions::new(&name), usize::MAX);
    let pulled = r.unwrap();
    assert_eq!(pulled["reference"], name.as_str());
    assert_eq!(image_id(&name), pulled["id"].as_str().unwrap());
    let (r, _) = push_collect(&c, &name, &PushOptions::default());
    assert_eq!(r.unwrap()["digest"], pulled["digest"]);
    docker_ok(&["rmi", &name]);
}

#[test]
fn push_text_mode_and_all_tags() {
    let e = engine();
    let c = e.client();
    let repo = format!("{}/{}", e.registry(), unique("dc-alltags"));
    for t in ["a", "b"] {
        docker_ok(&["tag", &e.base_image(), &format!("{repo}:{t}")]);
    }
    let opts = PushOptions { all_tags: true, progress: dockerclient::ProgressMode::Text, ..Default::default() };
    let (r, got) = push_collect(&c, &repo, &opts);
    let pushed = r.unwrap();
    let tags: Vec<&str> = pushed["pushed"].as_array().unwrap().iter().map(|p| p["tag"].as_str().unwrap()).collect();
    assert_eq!(tags, ["a", "b"]);
    let text = got.concat();
    assert!(text.starts_with(&format!("The push refers to repository [{repo}]\n")), "{text}");
    assert!(text.contains(&format!("a: digest: {} size: ", pushed["pushed"][0]["digest"].as_str().unwrap())), "{text}");
    for t in ["a", "b"] {
        docker_ok(&["rmi", &format!("{repo}:{t}")]);
    }
    // all_tags pull fetches both, and reports no single digest or ID.
    let opts = PullOptions { all_tags: true, ..PullOptions::new(&repo) };
    let (r, _) = pull_collect(&c, &opts, usize::MAX);
    let pulled = r.unwrap();
    assert_eq!(pulled["reference"], repo.as_str());
    assert!(pulled["digest"].is_null() && pulled["id"].is_null(), "{pulled}");
    for t in ["a", "b"] {
        assert!(image_exists(&format!("{repo}:{t}")));
        docker_ok(&["rmi", &format!("{repo}:{t}")]);
    }
}

// ---------------------------------------------------------------------------------------------
// Inactivity timeout: a registry that stops answering mid-blob

/// A TCP proxy in front of a registry that forwards everything until a blob download starts,
/// then forwards a few KiB of the answer and stalls (holds the connection, sends nothing) until
/// released.
struct StallingProxy {
    port: u16,
    release: Arc<AtomicBool>,
    stalled: Arc<AtomicBool>,
}

impl StallingProxy {
    fn start(upstream: &str) -> StallingProxy {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let release = Arc::new(AtomicBool::new(false));
        let stalled = Arc::new(AtomicBool::new(false));
        let (upstream, rel, st) = (upstream.to_string(), release.clone(), stalled.clone());
        thread::spawn(move || {
            for conn in listener.incoming() {
                let Ok(client) = conn else { continue };
                if rel.load(Ordering::SeqCst) {
                    return;
                }
                let Ok(server) = TcpStream::connect(&upstream) else { continue };
                let blob = Arc::new(AtomicBool::new(false));
                let (c2, s2) = (client.try_clone().unwrap(), server.try_clone().unwrap());
                let b2 = blob.clone();
                thread::spawn(move || forward_requests(c2, s2, &b2));
                let (rel2, st2) = (rel.clone(), st.clone());
                thread::spawn(move || forward_answers(server, client, &blob, &rel2, &st2));
            }
        });
        StallingProxy { port, release, stalled }
    }
}

impl Drop for StallingProxy {
    fn drop(&mut self) {
        self.release.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect(("127.0.0.1", self.port)); // wakes the accept loop
    }
}

/// Client → registry: marks the connection once a blob GET goes through it.
fn forward_requests(mut from: TcpStream, mut to: TcpStream, blob: &AtomicBool) {
    let mut buf = [0u8; 16384];
    loop {
        let n = match from.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => n,
        };
        let text = String::from_utf8_lossy(&buf[..n]);
        if text.contains("GET /v2/") && text.contains("/blobs/sha256:") {
            blob.store(true, Ordering::SeqCst);
        }
        if to.write_all(&buf[..n]).is_err() {
            break;
        }
    }
    let _ = to.shutdown(std::net::Shutdown::Write);
}

/// Registry → client: after a blob request, passes 8 KiB more, then stalls until released.
fn forward_answers(mut from: TcpStream, mut to: TcpStream, blob: &AtomicBool, release: &AtomicBool, stalled: &AtomicBool) {
    let mut budget: usize = 8 * 1024;
    let mut buf = [0u8; 4096];
    loop {
        let n = match from.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => n,
        };
        let n = if blob.load(Ordering::SeqCst) {
            let n = n.min(budget);
            budget -= n;
            n
        } else {
            n
        };
        if to.write_all(&buf[..n]).is_err() {
            break;
        }
        if blob.load(Ordering::SeqCst) && budget == 0 {
            stalled.store(true, Ordering::SeqCst);
            while !release.load(Ordering::SeqCst) {
                thread::sleep(Duration::from_millis(50));
            }
            break;
        }
    }
    let _ = to.shutdown(std::net::Shutdown::Both);
}

#[test]
fn inactivity_timeout_fires_when_the_registry_stalls_mid_blob() {
    let e = engine();
    let c = e.client();
    let name = remote_only_multilayer("dc-stall", 1, 3_000_000);
    let proxy = StallingProxy::start(&e.registry());
    let via_proxy = name.replacen(&e.registry(), &format!("127.0.0.1:{}", proxy.port), 1);

    let opts = PullOptions { inactivity_timeout_ms: Some(3000), ..PullOptions::new(&via_proxy) };
    let started = Instant::now();
    let (r, got) = pull_collect(&c, &opts, usize::MAX);
    let err = r.unwrap_err();
    assert_eq!(err.status, Status::Timeout, "{err}");
    assert!(proxy.stalled.load(Ordering::SeqCst), "the proxy stalled a blob download");
    assert!(got.iter().any(|m| m.contains("Pulling fs layer")), "the pull had started: {got:?}");
    assert!(started.elapsed() >= Duration::from_millis(3000));
    drop(proxy);

    // The client is still usable; the image was never completed.
    dockerclient::system::ping(&c).unwrap();
    assert!(!image_exists(&via_proxy));
}

// ---------------------------------------------------------------------------------------------
// What only a fake daemon can show

/// A client of the fake daemon that never reads the machine's docker config.
fn fake_client(fake: &FakeDaemon) -> Client {
    engine_free_client(&fake.host()).with_docker_config(Default::default())
}

fn engine_free_client(host: &str) -> Client {
    let opts: dockerclient::ClientOptions = serde_json::from_str(&format!(r#"{{"host": "{host}"}}"#)).unwrap();
    Client::new(&opts).unwrap()
}

const PULL_STREAM: &str = "{\"status\":\"Pulling from x\",\"id\":\"latest\"}\r\n{\"status\":\"Digest: sha256:1111111111111111111111111111111111111111111111111111111111111111\"}\r\n{\"status\":\"Status: Downloaded newer image for 127.0.0.1:5000/x:latest\"}\r\n";

fn pull_handler(req: &common::fake_daemon::Seen) -> Reply {
    if req.path().ends_with("/images/create") {
        Reply::Full(200, vec![("Content-Type".into(), "application/json".into())], PULL_STREAM.as_bytes().to_vec())
    } else if req.path().contains("/images/") && req.path().ends_with("/json") {
        json(200, r#"{"Id":"sha256:2222","RepoTags":[]}"#)
    } else {
        json(404, r#"{"message":"page not found"}"#)
    }
}

#[test]
fn pull_sends_latest_never_an_empty_tag_and_base64url_auth() {
    let fake = FakeDaemon::with_version(Some("1.41"), pull_handler);
    let c = fake_client(&fake);
    let auth = AuthConfig {
        username: Some("u".into()),
        // Chosen so that standard base64 of the JSON would contain '+' or '/'.
        password: Some("?>?>~~~ÿÿ".into()),
        ..Default::default()
    };
    let opts = PullOptions { auth: Some(auth.clone()), ..PullOptions::new("127.0.0.1:5000/x") };
    let (r, _) = pull_collect(&c, &opts, usize::MAX);
    let v = r.unwrap();
    assert_eq!(v["id"], "sha256:2222");
    assert_eq!(v["new"], true);
    assert_eq!(v["reference"], "127.0.0.1:5000/x:latest");
    let seen = fake.seen();
    let create = seen.iter().find(|s| s.path().ends_with("/images/create")).unwrap();
    assert_eq!(create.target, "/v1.41/images/create?fromImage=127.0.0.1%3A5000%2Fx&tag=latest");
    let h = create.header("X-Registry-Auth").unwrap();
    assert_eq!(h, auth.encode_header());
    assert!(!h.contains('+') && !h.contains('/'), "{h}");
    let inspect = seen.iter().find(|s| s.path().ends_with("/json")).unwrap();
    assert_eq!(inspect.path(), "/v1.41/images/127.0.0.1:5000/x:latest/json");

    // all_tags: no tag parameter at all; anonymous = "{}".
    let opts = PullOptions { all_tags: true, ..PullOptions::new("127.0.0.1:5000/x") };
    pull_collect(&c, &opts, usize::MAX).0.unwrap();
    let last = fake.seen().into_iter().rfind(|s| s.path().ends_with("/images/create")).unwrap();
    assert_eq!(last.target, "/v1.41/images/create?fromImage=127.0.0.1%3A5000%2Fx");
    assert_eq!(last.header("X-Registry-Auth"), Some("e30="));
}

#[test]
fn a_stream_without_its_final_message_is_a_transport_error() {
    let cut_pull = "{\"status\":\"Pulling from x\",\"id\":\"latest\"}\r\n{\"status\":\"Downloading\",\"progressDetail\":{\"current\":1,\"total\":9},\"id\":\"abc\"}\r\n";
    let cut_push = "{\"status\":\"The push refers to repository [127.0.0.1:5000/x]\"}\r\n{\"status\":\"Pushed\",\"progressDetail\":{},\"id\":\"abc\"}\r\n";
    let fake = FakeDaemon::with_version(Some("1.41"), move |req| {
        let body = if req.path().ends_with("/push") { cut_push } else { cut_pull };
        Reply::Full(200, vec![], body.as_bytes().to_vec())
    });
    let c = fake_client(&fake);
    let opts = PullOptions::new("127.0.0.1:5000/x");
    let (r, got) = pull_collect(&c, &opts, usize::MAX);
    let err = r.unwrap_err();
    assert_eq!(err.status, Status::Transport, "{err}");
    assert!(err.message.contains("final status"), "{err}");
    assert_eq!(got.len(), 2, "what did arrive was delivered");
    let opts = PushOptions::default();
    let (r, _) = push_collect(&c, "127.0.0.1:5000/x", &opts);
    let err = r.unwrap_err();
    assert_eq!(err.status, Status::Transport, "{err}");
    let push = fake.seen().into_iter().find(|s| s.path().ends_with("/push")).unwrap();
    assert_eq!(push.target, "/v1.41/images/127.0.0.1:5000/x/push?tag=latest");
    assert_eq!(push.header("X-Registry-Auth"), Some("e30="), "push always carries the header");
}

#[test]
fn platform_needs_1_32_for_pull_and_1_46_for_push() {
    let fake = FakeDaemon::with_version(Some("1.24"), pull_handler);
    let c = fake_client(&fake);
    let opts = PullOptions { platform: Some("linux/amd64".into()), ..PullOptions::new("127.0.0.1:5000/x") };
    let err = pull_collect(&c, &opts, usize::MAX).0.unwrap_err();
    assert_eq!(err.status, Status::Unsupported, "{err}");
    assert!(err.message.contains("platform") && err.message.contains("1.32"), "{err}");
    let opts = PushOptions { platform: Some("linux/amd64".into()), ..Default::default() };
    let err = push_collect(&c, "127.0.0.1:5000/x", &opts).0.unwrap_err();
    assert_eq!(err.status, Status::Unsupported, "{err}");
    assert!(err.message.contains("1.46"), "{err}");
    assert!(fake.targets().is_empty(), "nothing but the ping was sent: {:?}", fake.targets());

    // On the real engine (1.41) pull's platform goes through, push's is refused.
    let fake = FakeDaemon::with_version(Some("1.41"), pull_handler);
    let c = fake_client(&fake);
    let opts = PullOptions { platform: Some("linux/arm64/v8".into()), ..PullOptions::new("127.0.0.1:5000/x") };
    pull_collect(&c, &opts, usize::MAX).0.unwrap();
    assert!(fake.targets()[0].ends_with("&tag=latest&platform=linux%2Farm64%2Fv8"), "{:?}", fake.targets());

    // API 1.46: push's platform is the OCI platform object, JSON-encoded.
    let fake = FakeDaemon::with_version(Some("1.46"), |_| {
        Reply::Full(200, vec![], b"{\"progressDetail\":{},\"aux\":{\"Tag\":\"latest\",\"Digest\":\"sha256:3333\",\"Size\":5}}\r\n".to_vec())
    });
    let c = fake_client(&fake);
    let (r, _) = push_collect(&c, "127.0.0.1:5000/x", &opts_push_platform("linux/arm/v7"));
    let v = r.unwrap();
    assert_eq!((v["tag"].as_str(), v["digest"].as_str(), v["size"].as_u64()), (Some("latest"), Some("sha256:3333"), Some(5)));
    let target = &fake.targets()[0];
    let query = target.split_once('?').unwrap().1;
    let platform: String = url_decode(query.split('&').find_map(|kv| kv.strip_prefix("platform=")).unwrap());
    let p: Value = serde_json::from_str(&platform).unwrap();
    assert_eq!(p, serde_json::json!({"os":"linux","architecture":"arm","variant":"v7"}));
}

fn opts_push_platform(p: &str) -> PushOptions {
    PushOptions { platform: Some(p.into()), ..Default::default() }
}

fn url_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'%' => {
                out.push(u8::from_str_radix(&s[i + 1..i + 3], 16).unwrap());
                i += 3;
            }
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            x => {
                out.push(x);
                i += 1;
            }
        }
    }
    String::from_utf8(out).unwrap()
}

#[test]
fn bad_input_is_refused_before_anything_is_sent() {
    let fake = FakeDaemon::with_version(Some("1.41"), pull_handler);
    let c = fake_client(&fake);
    let d = "sha256:".to_string() + &"a".repeat(64);
    let pulls: Vec<(&str, Result<PullOptions, Error>)> = vec![
        ("UPPER/case", Ok(PullOptions::new("UPPER/case"))),
        ("a::b", Ok(PullOptions::new("a::b"))),
        ("name@notadigest", Ok(PullOptions::new("name@notadigest"))),
        ("empty", Ok(PullOptions::new(""))),
        ("missing", Ok(PullOptions::default())),
        ("platform", Ok(PullOptions { platform: Some("linux//amd64".into()), ..PullOptions::new("x") })),
        ("auth keys", dockerclient::options::parse("pull options", Some(r#"{"image":"x","auth":{"username":"u","pasword":"p"}}"#))),
        ("unknown key", dockerclient::options::parse("pull options", Some(r#"{"image":"x","tags":"1"}"#))),
        ("tag and digest", Ok(PullOptions { tag: Some(d.clone()), ..PullOptions::new("x:1") })),
    ];
    for (what, opts) in pulls {
        let err = match opts {
            Ok(o) => pull_collect(&c, &o, usize::MAX).0.unwrap_err(),
            Err(e) => e,
        };
        assert_eq!(err.status, Status::InvalidArgument, "{what}: {err}");
    }
    for name in ["UPPER/case", "a::b", "name@notadigest", "", &format!("x@{d}")] {
        let err = push_collect(&c, name, &PushOptions::default()).0.unwrap_err();
        assert_eq!(err.status, Status::InvalidArgument, "push {name:?}: {err}");
    }
    assert!(fake.seen().is_empty(), "no request at all: {:?}", fake.seen());
}

#[test]
fn cancel_closes_the_connection_instead_of_reusing_it() {
    let fake = FakeDaemon::with_version(Some("1.41"), |req| {
        if req.path().ends_with("/images/create") {
            // The first message, then silence: only closing the connection ends this call.
            Reply::Stall(200, vec![], b"{\"status\":\"Pulling from x\",\"id\":\"latest\"}\r\n".to_vec(), Duration::from_secs(3600))
        } else {
            json(200, r#"{"Version":"20.10"}"#)
        }
    });
    let c = fake_client(&fake);
    let opts = PullOptions::new("127.0.0.1:5000/x");
    let (r, got) = pull_collect(&c, &opts, 1);
    assert_eq!(r.unwrap_err().status, Status::Cancelled);
    assert_eq!(got.len(), 1);
    let before = fake.connections();
    dockerclient::system::version(&c).unwrap();
    assert_eq!(fake.connections(), before + 1, "the cancelled call returned at once and its connection is not reused");
}
