//! List, inspect, history, tag, remove, prune, commit, distribution and search on the real test
//! engine (API 1.41) and its registries.
//!
//! Every test works on images and containers it creates under unique names and labels, and
//! removes only those; prune runs only with a label filter unique to its test. Images with
//! parents are built with the classic builder (`DOCKER_BUILDKIT=0`), whose every step is an
//! image of its own. Search runs through the real daemon against a small registry index this
//! file serves on 127.0.0.1 (the engine treats 127.0.0.0/8 registries as insecure, so it asks
//! `http://127.0.0.1:PORT/v1/search`).

mod common;

use std::collections::BTreeSet;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::thread;

use common::engine::{engine, unique};
use dockerclient::{AuthConfig, DockerConfig};
use dockerclient::images::commit::{commit, CommitOptions};
use dockerclient::images::distribution::{distribution, DistributionOptions};
use dockerclient::images::history::history;
use dockerclient::images::inspect::inspect;
use dockerclient::images::list::list;
use dockerclient::images::prune::prune;
use dockerclient::images::push::{push, PushOptions};
use dockerclient::images::remove::remove;
use dockerclient::images::search::{search, SearchOptions};
use dockerclient::images::tag::tag;
use dockerclient::{Client, Error, Status};
use dockerclient::images::io::Io;
use serde::de::DeserializeOwned;
use serde_json::{json, Value};

// ---------------------------------------------------------------------------------------------
// Helpers

/// A client of the test engine that never reads the machine's docker config.
fn client() -> Client {
    engine().client().with_docker_config(empty_config())
}

/// Options from JSON, through the same parser the C surface uses.
fn opts<T: DeserializeOwned + Default>(v: Value) -> T {
    dockerclient::options::parse("options", Some(&v.to_string())).expect("valid options")
}

fn parse(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"))
}

fn docker_ok(args: &[&str]) -> String {
    let out = engine().docker(args);
    assert!(out.status.success(), "docker {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

/// Builds `dockerfile` (no context) with the classic builder under `tags`; returns the ID.
fn build(tags: &[&str], dockerfile: &str) -> String {
    let e = engine();
    let mut cmd = e.docker_command();
    cmd.args(["build", "-q"]);
    for t in tags {
        cmd.args(["-t", t]);
    }
    let mut child = cmd
        .arg("-")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run docker build");
    child.stdin.take().unwrap().write_all(dockerfile.as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "docker build {tags:?}: {}", String::from_utf8_lossy(&out.stderr));
    let id = String::from_utf8_lossy(&out.stdout).trim().lines().last().unwrap_or("").to_string();
    assert!(id.starts_with("sha256:"), "build printed {id:?}");
    id
}

fn base() -> String {
    engine().base_image()
}

/// The CLI's view of an image (None when it does not exist).
fn cli_inspect(name: &str) -> Option<Value> {
    let out = engine().docker(&["image", "inspect", name]);
    out.status.success().then(|| parse(&String::from_utf8_lossy(&out.stdout))[0].clone())
}

fn exists(name: &str) -> bool {
    cli_inspect(name).is_some()
}

/// A throw-away container of `image` (never started).
fn create_container(image: &str) -> String {
    docker_ok(&["create", "--network", "none", image, "true"])
}

/// Removes what a test made, passed or failed: containers first, then images.
#[derive(Default)]
struct Cleanup {
    images: Vec<String>,
    containers: Vec<String>,
}

impl Cleanup {
    fn image(&mut self, name: &str) -> &mut Self {
        self.images.push(name.to_string());
        self
    }
    fn container(&mut self, id: &str) -> &mut Self {
        self.containers.push(id.to_string());
        self
    }
}

impl Drop for Cleanup {
    fn drop(&mut self) {
        for c in &self.containers {
            let _ = engine().docker(&["rm", "-f", c]);
        }
        for i in self.images.iter().rev() {
            let _ = engine().docker(&["rmi", "-f", i]);
        }
    }
}

/// IDs of a list answer.
fn ids(list_json: &str) -> BTreeSet<String> {
    parse(list_json)
        .as_array()
        .expect("list answers an array")
        .iter()
        .map(|i| i["Id"].as_str().unwrap().to_string())
        .collect()
}

fn set(items: &[&str]) -> BTreeSet<String> {
    items.iter().map(|s| s.to_string()).collect()
}

/// The `Untagged` and `Deleted` values of a remove or prune answer.
fn removed(entries: &Value) -> (Vec<String>, Vec<String>) {
    let mut untagged = Vec::new();
    let mut deleted = Vec::new();
    for e in entries.as_array().expect("an array of entries") {
        if let Some(u) = e["Untagged"].as_str() {
            untagged.push(u.to_string());
        }
        if let Some(d) = e["Deleted"].as_str() {
            deleted.push(d.to_string());
        }
    }
    (untagged, deleted)
}

fn assert_status<T: std::fmt::Debug>(r: Result<T, Error>, want: Status, says: &str) -> Error {
    let e = r.expect_err("the call fails");
    assert_eq!(e.status, want, "{e}");
    assert!(e.message.to_lowercase().contains(&says.to_lowercase()), "message {:?} lacks {says:?}", e.message);
    e
}

// ---------------------------------------------------------------------------------------------
// List

#[test]
fn list_all_shows_intermediate_images_and_digests_are_included() {
    let u = unique("dcmeta-all");
    let label = format!("dc.meta.all={u}");
    let mut clean = Cleanup::default();
    clean.image(&format!("{u}:1"));
    let id = build(&[&format!("{u}:1")], &format!("FROM {}\nLABEL {label}\nENV DCMETA=1\n", base()));
    let parent = cli_inspect(&id).unwrap()["Parent"].as_str().unwrap().to_string();
    assert!(!parent.is_empty(), "the classic builder leaves the LABEL step as the parent image");
    clean.image(&parent);
    let c = client();

    let top = list(&c, &opts(json!({"filters": {"label": [label]}}))).unwrap();
    assert_eq!(ids(&top), set(&[&id]), "without all: only the final image");
    assert_eq!(parse(&top)[0]["RepoTags"], json!([format!("{u}:1")]));

    let all = list(&c, &opts(json!({"all": true, "digests": true, "filters": {"label": [label]}}))).unwrap();
    assert_eq!(ids(&all), set(&[&id, &parent]), "with all: the intermediate image too");
    for image in parse(&all).as_array().unwrap() {
        assert!(image.get("RepoDigests").is_some(), "digests: RepoDigests present in {image}");
        if image["Id"] == parent.as_str() {
            assert_eq!(image["RepoTags"], json!(["<none>:<none>"]));
        }
    }
}

#[test]
fn list_with_each_filter() {
    let u = unique("dcmeta-filters");
    let label = format!("dc.meta.filters={u}");
    let mut clean = Cleanup::default();
    let df = |order: &str| format!("FROM {}\nLABEL {label} dc.meta.order={order}\n", base());
    let a = build(&[&format!("{u}:a")], &df("a"));
    let b = build(&[&format!("{u}:b")], &df("b"));
    let old = build(&[&format!("{u}:c")], &df("c1"));
    let new = build(&[&format!("{u}:c")], &df("c2"));
    for i in [&a, &b, &old, &new] {
        clean.image(i);
    }
    let c = client();
    let run = |filters: Value| list(&c, &opts(json!({ "filters": filters })));

    assert_eq!(ids(&run(json!({"label": [label]})).unwrap()), set(&[&a, &b, &old, &new]), "label");
    assert_eq!(ids(&run(json!({"reference": [format!("{u}:a")]})).unwrap()), set(&[&a]), "reference");
    assert_eq!(ids(&run(json!({"reference": [u.clone()]})).unwrap()), set(&[&a, &b, &new]), "reference, repository");
    assert_eq!(
        ids(&run(json!({"label": [label], "dangling": ["true"]})).unwrap()),
        set(&[&old]),
        "dangling=true: the image whose tag moved"
    );
    assert_eq!(ids(&run(json!({"label": [label], "dangling": ["false"]})).unwrap()), set(&[&a, &b, &new]), "dangling=false");
    assert_eq!(ids(&run(json!({"label": [label], "before": [format!("{u}:b")]})).unwrap()), set(&[&a]), "before");
    assert_eq!(ids(&run(json!({"label": [label], "since": [format!("{u}:b")]})).unwrap()), set(&[&old, &new]), "since");
    assert_eq!(
        ids(&run(json!({"label": [label, "dc.meta.order=b"]})).unwrap()),
        set(&[&b]),
        "several labels must all match"
    );
    // `until` on image lists came with Engine 25 (not versioned): a 20.10 daemon refuses it by
    // name, a newer one answers with the images created before the instant.
    match run(json!({"label": [label], "until": ["2000-01-01T00:00:00Z"]})) {
        Ok(text) => assert_eq!(ids(&text), set(&[]), "until: nothing created before 2000"),
        Err(e) => {
            assert_eq!(e.status, Status::InvalidArgument, "{e}");
            assert!(e.message.contains("until"), "{e}");
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Inspect and history

#[test]
fn inspect_and_history_of_the_base_image_match_the_cli() {
    let c = client();
    let text = inspect(&c, &base(), &Default::default()).unwrap();
    let ours = parse(&text);
    assert_eq!(ours, cli_inspect(&base()).unwrap(), "same document as the docker CLI's");
    assert!(ours["RepoTags"].as_array().unwrap().contains(&json!(base())));
    for key in ["GraphDriver", "RootFS", "Metadata"] {
        assert!(ours.get(key).is_some(), "daemon field {key} passed through");
    }
    let by_id = parse(&inspect(&c, ours["Id"].as_str().unwrap(), &Default::default()).unwrap());
    assert_eq!(by_id["Id"], ours["Id"]);

    let h = parse(&history(&c, &base(), &Default::default()).unwrap());
    let cli_lines = docker_ok(&["history", "-q", "--no-trunc", &base()]);
    assert_eq!(h.as_array().unwrap().len(), cli_lines.lines().count());
    assert_eq!(h[0]["Id"], ours["Id"]);
    for key in ["Created", "CreatedBy", "Tags", "Size", "Comment"] {
        assert!(h[0].get(key).is_some(), "history entry has {key}: {}", h[0]);
    }
}

#[test]
fn inspect_and_history_of_a_built_image() {
    let u = unique("dcmeta-built");
    let label = format!("dc.meta.built={u}");
    let mut clean = Cleanup::default();
    clean.image(&format!("{u}:1"));
    let id = build(&[&format!("{u}:1")], &format!("FROM {}\nLABEL {label}\nENV DCMETA=built\n", base()));
    let c = client();

    let img = parse(&inspect(&c, &format!("{u}:1"), &Default::default()).unwrap());
    clean.image(img["Parent"].as_str().unwrap());
    assert_eq!(img["Id"], id.as_str());
    assert_eq!(img["Config"]["Labels"]["dc.meta.built"], u.as_str());
    assert!(img["Config"]["Env"].as_array().unwrap().contains(&json!("DCMETA=built")));
    assert!(!img["Parent"].as_str().unwrap().is_empty());

    let base_len = parse(&history(&c, &base(), &Default::default()).unwrap()).as_array().unwrap().len();
    let h = parse(&history(&c, &id, &Default::default()).unwrap());
    let h = h.as_array().unwrap();
    assert_eq!(h.len(), base_len + 2, "two steps on top of the base image");
    assert_eq!(h[0]["Id"], id.as_str());
    assert!(h[0]["CreatedBy"].as_str().unwrap().contains("ENV DCMETA=built"), "{}", h[0]);
    assert!(h[1]["CreatedBy"].as_str().unwrap().contains("LABEL"), "{}", h[1]);
    assert_eq!(h[0]["Tags"], json!([format!("{u}:1")]));
}

#[test]
fn missing_images_are_not_found() {
    let c = client();
    let missing = format!("{}:nope", unique("dcmeta-missing"));
    assert_status(inspect(&c, &missing, &Default::default()), Status::NotFound, "no such image");
    assert_status(history(&c, &missing, &Default::default()), Status::NotFound, "no such image");
    assert_status(remove(&c, &missing, &Default::default()), Status::NotFound, "no such image");
    assert_status(tag(&c, &missing, &opts(json!({"repo": "dcmeta-x"}))), Status::NotFound, "no such image");
}

// ---------------------------------------------------------------------------------------------
// Tag and remove

#[test]
fn tag_then_list_shows_the_new_tag_and_remove_by_tag_only_untags() {
    let u = unique("dcmeta-tag");
    let mut clean = Cleanup::default();
    clean.image(&format!("{u}:t1")).image(&format!("{u}:t2")).image(&format!("{u}:latest"));
    let c = client();
    let base_id = cli_inspect(&base()).unwrap()["Id"].clone();

    tag(&c, &base(), &opts(json!({"repo": u, "tag": "t1"}))).unwrap();
    tag(&c, &base(), &opts(json!({"repo": format!("{u}:t2")}))).unwrap();
    tag(&c, &base(), &opts(json!({"repo": u}))).unwrap();
    let listed = parse(&list(&c, &opts(json!({"filters": {"reference": [u.clone()]}}))).unwrap());
    assert_eq!(listed.as_array().unwrap().len(), 1, "one image under three tags");
    let tags: BTreeSet<String> =
        listed[0]["RepoTags"].as_array().unwrap().iter().map(|t| t.as_str().unwrap().to_string()).collect();
    assert_eq!(tags, set(&[&format!("{u}:t1"), &format!("{u}:t2"), &format!("{u}:latest")]));
    assert_eq!(cli_inspect(&format!("{u}:t1")).unwrap()["Id"], base_id);

    for t in ["t1", "t2", "latest"] {
        let r = parse(&remove(&c, &format!("{u}:{t}"), &Default::default()).unwrap());
        assert_eq!(removed(&r), (vec![format!("{u}:{t}")], vec![]), "removing a tag of a shared image only untags");
    }
    assert!(exists(&base()), "the base image stays");
    assert_eq!(ids(&list(&c, &opts(json!({"filters": {"reference": [u.clone()]}}))).unwrap()), set(&[]));
}

#[test]
fn tag_refuses_a_digest_target_before_sending() {
    let u = unique("dcmeta-digest");
    let c = client();
    let digest = format!("sha256:{}", "a".repeat(64));
    assert_status(tag(&c, &base(), &opts(json!({"repo": format!("{u}@{digest}")}))), Status::InvalidArgument, "digest");
    assert_status(tag(&c, &base(), &opts(json!({"repo": u, "tag": digest}))), Status::InvalidArgument, "digest");
    assert_status(tag(&c, &base(), &opts(json!({"repo": format!("{u}:1"), "tag": "2"}))), Status::InvalidArgument, "already has the tag");
    assert_eq!(ids(&list(&c, &opts(json!({"filters": {"reference": [u.clone()]}}))).unwrap()), set(&[]), "nothing tagged");
}

#[test]
fn remove_by_id_and_force_on_an_image_tagged_twice() {
    let u = unique("dcmeta-rm");
    let mut clean = Cleanup::default();
    let (t1, t2) = (format!("{u}:1"), format!("{u}:2"));
    clean.image(&t1).image(&t2);
    let id = build(&[&t1, &t2], &format!("FROM {}\nLABEL dc.meta.rm={u}\n", base()));
    let c = client();

    let e = assert_status(remove(&c, &id, &Default::default()), Status::Conflict, "must be forced");
    assert_eq!(e.http_status, 409);
    assert!(e.daemon_message.is_some(), "the daemon's own message is kept");
    assert!(exists(&id));

    let r = parse(&remove(&c, &id, &opts(json!({"force": true}))).unwrap());
    let (untagged, deleted) = removed(&r);
    assert_eq!(untagged.into_iter().collect::<BTreeSet<_>>(), set(&[&t1, &t2]));
    assert_eq!(deleted, vec![id.clone()]);
    assert!(!exists(&id));

    // By ID, tagged once: untagged and deleted without force.
    let single = format!("{u}-single:1");
    clean.image(&single);
    let id2 = build(&[&single], &format!("FROM {}\nLABEL dc.meta.rm.single={u}\n", base()));
    let (untagged, deleted) = removed(&parse(&remove(&c, &id2, &Default::default()).unwrap()));
    assert_eq!((untagged, deleted), (vec![single.clone()], vec![id2.clone()]));
}

#[test]
fn noprune_keeps_the_untagged_parent() {
    let u = unique("dcmeta-noprune");
    let mut clean = Cleanup::default();
    let c = client();
    let df = |v: &str| format!("FROM {}\nLABEL dc.meta.noprune={u}-{v}\nENV DCMETA={v}\n", base());

    let kept = build(&[&format!("{u}:kept")], &df("kept"));
    let parent = cli_inspect(&kept).unwrap()["Parent"].as_str().unwrap().to_string();
    clean.image(&kept).image(&parent);
    let r = parse(&remove(&c, &format!("{u}:kept"), &opts(json!({"noprune": true}))).unwrap());
    assert_eq!(removed(&r).1, vec![kept.clone()], "noprune: only the image itself is deleted");
    assert!(exists(&parent), "its untagged parent stays");
    assert_eq!(removed(&parse(&remove(&c, &parent, &Default::default()).unwrap())).1, vec![parent.clone()]);

    let pruned = build(&[&format!("{u}:pruned")], &df("pruned"));
    let parent2 = cli_inspect(&pruned).unwrap()["Parent"].as_str().unwrap().to_string();
    clean.image(&pruned).image(&parent2);
    let r = parse(&remove(&c, &format!("{u}:pruned"), &Default::default()).unwrap());
    assert_eq!(removed(&r).1, vec![pruned.clone(), parent2.clone()], "without noprune the parent goes too");
    assert!(!exists(&parent2));
}

#[test]
fn removing_an_image_a_container_uses_is_a_conflict() {
    let u = unique("dcmeta-inuse");
    let name = format!("{u}:1");
    let mut clean = Cleanup::default();
    clean.image(&name);
    build(&[&name], &format!("FROM {}\nLABEL dc.meta.inuse={u}\n", base()));
    let container = create_container(&name);
    clean.container(&container);
    let c = client();

    let e = assert_status(remove(&c, &name, &Default::default()), Status::Conflict, "container");
    assert_eq!(e.http_status, 409);
    assert!(e.message.contains(&container[..12]), "the daemon names the container: {}", e.message);
    assert!(exists(&name));
}

// ---------------------------------------------------------------------------------------------
// Prune

#[test]
fn prune_removes_the_dangling_images_carrying_the_label() {
    let u = unique("dcmeta-prune");
    let label = format!("dc.meta.prune={u}");
    let mut clean = Cleanup::default();
    let old = build(&[&format!("{u}:1")], &format!("FROM {}\nLABEL {label} dc.meta.v=1\n", base()));
    let new = build(&[&format!("{u}:1")], &format!("FROM {}\nLABEL {label} dc.meta.v=2\n", base()));
    clean.image(&old).image(&new);
    let c = client();

    let r = parse(&prune(&c, &opts(json!({"filters": {"dangling": ["true"], "label": [label]}}))).unwrap());
    let (_, deleted) = removed(&r["ImagesDeleted"]);
    assert_eq!(deleted, vec![old.clone()], "only the dangling image with the label: {r}");
    assert!(r["SpaceReclaimed"].is_u64(), "{r}");
    assert!(!exists(&old));
    assert!(exists(&new), "the tagged image stays");

    let again = parse(&prune(&c, &opts(json!({"filters": {"label": [label]}}))).unwrap());
    assert!(again["ImagesDeleted"].is_null() || again["ImagesDeleted"] == json!([]), "{again}");
}

// ---------------------------------------------------------------------------------------------
// Commit

#[test]
fn commit_with_changes_then_inspect() {
    let u = unique("dcmeta-commit");
    let mut clean = Cleanup::default();
    clean.image(&format!("{u}:c1")).image(&format!("{u}:c2"));
    let container = create_container(&base());
    clean.container(&container);
    let c = client();

    let o: CommitOptions = opts(json!({
        "container": container, "repo": u, "tag": "c1",
        "comment": "dc meta commit", "author": "DC Test <dc@example.com>", "pause": false,
        "changes": ["ENV DCMETA=committed", format!("LABEL dc.meta.commit={u}"), "CMD [\"/bin/sh\", \"-c\", \"true\"]"],
    }));
    let r = parse(&commit(&c, &o).unwrap());
    let id = r["Id"].as_str().expect("the answer carries the new image's ID");
    let img = cli_inspect(&format!("{u}:c1")).unwrap();
    assert_eq!(img["Id"], id);
    assert!(img["Config"]["Env"].as_array().unwrap().contains(&json!("DCMETA=committed")));
    assert_eq!(img["Config"]["Labels"]["dc.meta.commit"], u.as_str());
    assert_eq!(img["Config"]["Cmd"], json!(["/bin/sh", "-c", "true"]));
    assert_eq!(img["Comment"], "dc meta commit");
    assert_eq!(img["Author"], "DC Test <dc@example.com>");

    let o: CommitOptions = opts(json!({
        "container": container, "repo": format!("{u}:c2"), "changes": "ENV ONE=1",
        "config": {"Labels": {"dc.meta.config": "yes"}, "Env": ["FROM_CONFIG=1"]},
    }));
    let r = parse(&commit(&c, &o).unwrap());
    let img = cli_inspect(&format!("{u}:c2")).unwrap();
    assert_eq!(img["Id"], r["Id"]);
    assert_eq!(img["Config"]["Labels"]["dc.meta.config"], "yes");
    let env = img["Config"]["Env"].as_array().unwrap();
    assert!(env.contains(&json!("FROM_CONFIG=1")) && env.contains(&json!("ONE=1")), "{env:?}");
}

#[test]
fn commit_errors_come_from_the_daemon_with_their_class() {
    let c = client();
    let missing = unique("dcmeta-no-container");
    assert_status(commit(&c, &opts(json!({"container": missing}))), Status::NotFound, "no such container");
    let container = create_container(&base());
    let mut clean = Cleanup::default();
    clean.container(&container);
    let e = assert_status(
        commit(&c, &opts(json!({"container": container, "changes": ["FROBNICATE x"]}))),
        Status::InvalidArgument,
        "frobnicate is not a valid change command",
    );
    assert_eq!(e.http_status, 400, "the daemon refused it, not this library");
}

// ---------------------------------------------------------------------------------------------
// Distribution

fn empty_config() -> DockerConfig {
    DockerConfig::default()
}

fn push_to(name: &str, auth: Option<AuthConfig>) -> String {
    let o = PushOptions { auth, ..Default::default() };
    let r = parse(&push(&client(), name, &o, Io::none()).expect("push").to_json());
    r["digest"].as_str().expect("pushed digest").to_string()
}

fn registry_auth(password: &str) -> AuthConfig {
    let e = engine();
    AuthConfig { username: Some(e.registry_user()), password: Some(password.into()), ..Default::default() }
}

#[test]
fn distribution_inspect_on_the_open_registry() {
    let name = format!("{}/{}:1", engine().registry(), unique("dcmeta-dist"));
    let mut clean = Cleanup::default();
    clean.image(&name);
    docker_ok(&["tag", &base(), &name]);
    let digest = push_to(&name, None);
    let c = client();

    let o = DistributionOptions::default();
    let d = parse(&distribution(&c, &name, &o).unwrap());
    assert_eq!(d["Descriptor"]["digest"], digest.as_str());
    assert!(d["Descriptor"]["mediaType"].as_str().unwrap().contains("manifest"), "{d}");
    assert_eq!(d["Platforms"][0]["os"], "linux");

    let by_digest = format!("{}@{digest}", name.rsplit_once(':').unwrap().0);
    assert_eq!(parse(&distribution(&c, &by_digest, &o).unwrap())["Descriptor"]["digest"], digest.as_str());

    let missing = format!("{}/{}:1", engine().registry(), unique("dcmeta-dist-missing"));
    assert_status(distribution(&c, &missing, &o), Status::NotFound, "manifest unknown");
    assert_status(distribution(&c, "127.0.0.1:9/x:1", &o), Status::ServerError, "connection refused");
}

#[test]
fn distribution_inspect_on_the_authenticated_registry() {
    let e = engine();
    let name = format!("{}/{}:1", e.auth_registry(), unique("dcmeta-dist-auth"));
    let mut clean = Cleanup::default();
    clean.image(&name);
    docker_ok(&["tag", &base(), &name]);
    let digest = push_to(&name, Some(registry_auth(&e.registry_password())));
    let c = client();

    let given = DistributionOptions { auth: Some(registry_auth(&e.registry_password())) };
    assert_eq!(parse(&distribution(&c, &name, &given).unwrap())["Descriptor"]["digest"], digest.as_str());

    let mut config = empty_config();
    config.auths.insert(e.auth_registry(), registry_auth(&e.registry_password()));
    let from_config = DistributionOptions::default();
    let c_config = c.with_docker_config(config);
    assert_eq!(parse(&distribution(&c_config, &name, &from_config).unwrap())["Descriptor"]["digest"], digest.as_str());

    let none = DistributionOptions::default();
    assert_status(distribution(&c, &name, &none), Status::Unauthorized, "");
    let wrong = DistributionOptions { auth: Some(registry_auth("wrong-password")) };
    let err = assert_status(distribution(&c, &name, &wrong), Status::Unauthorized, "");
    assert!(!err.to_json().contains("wrong-password"), "no credential in the error");
}

// ---------------------------------------------------------------------------------------------
// Search, through the real daemon, against a registry index served here

/// Query string and `Authorization` header of each search the index answered.
type Searches = Arc<Mutex<Vec<(String, Option<String>)>>>;

/// A v1 registry index on 127.0.0.1: answers `/v1/_ping` and `/v1/search?q=…&n=…` with
/// `RESULTS` entries (the first `n`), and records each search's query and Authorization header.
struct FakeIndex {
    port: u16,
    searches: Searches,
}

const RESULTS: usize = 10;

impl FakeIndex {
    fn start() -> FakeIndex {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let searches: Searches = Arc::new(Mutex::new(Vec::new()));
        let seen = searches.clone();
        thread::spawn(move || {
            for conn in listener.incoming().flatten() {
                let seen = seen.clone();
                thread::spawn(move || serve_index(conn, &seen));
            }
        });
        FakeIndex { port, searches }
    }

    fn host(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    fn searches(&self) -> Vec<(String, Option<String>)> {
        self.searches.lock().unwrap().clone()
    }
}

fn serve_index(mut conn: TcpStream, seen: &Mutex<Vec<(String, Option<String>)>>) {
    // The daemon tries HTTPS first: a TLS handshake starts with 0x16. Close it so it falls back
    // to plain HTTP at once.
    let mut first = [0u8; 1];
    if conn.read_exact(&mut first).is_err() || first[0] == 0x16 {
        return;
    }
    let mut reader = BufReader::new(conn.try_clone().unwrap());
    let mut line = vec![first[0]];
    if reader.read_until(b'\n', &mut line).is_err() {
        return;
    }
    let line = String::from_utf8_lossy(&line).to_string();
    let target = line.split(' ').nth(1).unwrap_or("").to_string();
    let mut authorization = None;
    loop {
        let mut h = String::new();
        if reader.read_line(&mut h).unwrap_or(0) == 0 || h.trim().is_empty() {
            break;
        }
        if let Some((k, v)) = h.split_once(':')
            && k.eq_ignore_ascii_case("authorization") {
                authorization = Some(v.trim().to_string());
            }
    }
    let (path, query) = target.split_once('?').unwrap_or((&target, ""));
    let body = if path == "/v1/search" {
        seen.lock().unwrap().push((query.to_string(), authorization));
        let params: Vec<(String, String)> = url::form_urlencoded::parse(query.as_bytes()).into_owned().collect();
        let get = |k: &str| params.iter().find(|(p, _)| p == k).map(|(_, v)| v.clone());
        let n = get("n").and_then(|n| n.parse::<usize>().ok()).unwrap_or(25).min(RESULTS);
        let results: Vec<Value> = (0..n)
            .map(|i| {
                json!({"name": format!("dcmeta/r{i}"), "description": format!("result {i}"),
                       "star_count": i, "is_official": i % 2 == 0, "is_automated": false})
            })
            .collect();
        json!({"num_results": results.len(), "query": get("q"), "results": results}).to_string()
    } else {
        "{}".to_string()
    };
    let _ = write!(
        conn,
        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
}

fn search_opts(v: Value) -> SearchOptions {
    opts(v)
}

#[test]
fn search_through_the_daemon_honours_limit_and_filters() {
    let index = FakeIndex::start();
    let term = format!("{}/dcmeta", index.host());
    let c = client();

    let r = parse(&search(&c, &search_opts(json!({"term": term, "limit": 3}))).unwrap());
    let names: Vec<&str> = r.as_array().unwrap().iter().map(|x| x["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["dcmeta/r0", "dcmeta/r1", "dcmeta/r2"]);
    assert_eq!(r[1]["description"], "result 1", "the daemon's fields pass through");
    let (query, auth) = index.searches().last().cloned().unwrap();
    assert_eq!(query, "q=dcmeta&n=3", "the daemon asked the index for the term and the limit");
    assert_eq!(auth, None, "anonymous");

    // The daemon filters what the index returned.
    let r = parse(&search(&c, &search_opts(json!({"term": term, "filters": {"is-official": ["true"]}}))).unwrap());
    let all = r.as_array().unwrap();
    assert_eq!(all.len(), RESULTS / 2, "{r}");
    assert!(all.iter().all(|x| x["is_official"] == true), "{r}");
    let r = parse(&search(&c, &search_opts(json!({"term": term, "filters": {"stars": ["7"]}}))).unwrap());
    let stars: Vec<u64> = r.as_array().unwrap().iter().map(|x| x["star_count"].as_u64().unwrap()).collect();
    assert_eq!(stars, [7, 8, 9]);
    let r = parse(&search(&c, &search_opts(json!({"term": term, "limit": 4, "filters": {"is-official": ["false"], "stars": ["2"]}}))).unwrap());
    let names: Vec<&str> = r.as_array().unwrap().iter().map(|x| x["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["dcmeta/r3"], "limit applies at the index, filters after it");
    assert!(index.searches().iter().all(|(q, _)| q.starts_with("q=dcmeta&n=")));
}

#[test]
fn search_sends_credentials_for_the_terms_registry() {
    let index = FakeIndex::start();
    let term = format!("{}/dcmeta", index.host());
    let c = client();
    let basic = |u: &str, p: &str| {
        use base64::Engine;
        format!("Basic {}", base64::engine::general_purpose::STANDARD.encode(format!("{u}:{p}")))
    };

    let given = json!({"term": term, "auth": {"username": "dcuser", "password": "given-secret"}});
    search(&c, &search_opts(given)).unwrap();
    assert_eq!(index.searches().last().unwrap().1, Some(basic("dcuser", "given-secret")));

    let mut config = empty_config();
    config.auths.insert(
        index.host(),
        AuthConfig { username: Some("cfguser".into()), password: Some("cfg-secret".into()), ..Default::default() },
    );
    let o: SearchOptions = opts(json!({"term": term}));
    search(&c.with_docker_config(config.clone()), &o).unwrap();
    assert_eq!(index.searches().last().unwrap().1, Some(basic("cfguser", "cfg-secret")));

    // Credentials of another registry are not sent.
    let other = FakeIndex::start();
    let o: SearchOptions = opts(json!({"term": format!("{}/dcmeta", other.host())}));
    search(&c.with_docker_config(config), &o).unwrap();
    assert_eq!(other.searches().last().unwrap().1, None);
}

#[test]
fn search_terms_cannot_add_parameters_and_unreachable_indexes_fail() {
    let index = FakeIndex::start();
    let c = client();
    let term = format!("{}/dc meta&n=99#frag", index.host());
    let r = parse(&search(&c, &search_opts(json!({"term": term, "limit": 2}))).unwrap());
    assert_eq!(r.as_array().unwrap().len(), 2);
    let (query, _) = index.searches().last().cloned().unwrap();
    let params: Vec<(String, String)> = url::form_urlencoded::parse(query.as_bytes()).into_owned().collect();
    assert_eq!(params, [("q".to_string(), "dc meta&n=99#frag".to_string()), ("n".to_string(), "2".to_string())]);

    let closed = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let e = search(&c, &search_opts(json!({"term": format!("127.0.0.1:{closed}/x")}))).unwrap_err();
    assert_eq!(e.status, Status::ServerError, "{e}");
    assert!(e.http_status >= 500, "{e}");
}

// ---------------------------------------------------------------------------------------------
// Names that try to reach another endpoint

#[test]
fn odd_names_reach_only_the_image_they_name() {
    let u = unique("dcmeta-odd");
    let name = format!("{u}:1");
    let mut clean = Cleanup::default();
    clean.image(&name);
    docker_ok(&["tag", &base(), &name]);
    let c = client();
    let r#force = json!({"force": true});

    for odd in [
        format!("{name}?force=1"),
        format!("{name}#x"),
        format!("{u}%3A1"),
        format!("{name} "),
        format!("{u}/../{u}:1"),
        format!("../containers/{u}"),
        "..".to_string(),
    ] {
        for r in [
            remove(&c, &odd, &opts(r#force.clone())).map(|_| ()),
            inspect(&c, &odd, &Default::default()).map(|_| ()),
            history(&c, &odd, &Default::default()).map(|_| ()),
            tag(&c, &odd, &opts(json!({"repo": format!("{u}-copy")}))),
        ] {
            let e = r.expect_err(&odd);
            assert!(
                matches!(e.status, Status::NotFound | Status::InvalidArgument),
                "{odd:?}: {e}"
            );
        }
        assert!(exists(&name), "{odd:?} did not remove the image it resembles");
    }
    assert!(!exists(&format!("{u}-copy")), "no odd name tagged anything");
}
