//! The rest of the image domain on the real engine (API 1.41) and on fake daemons for other
//! versions: disk usage (`GET /system/df`), build-cache prune (`POST /build/prune`) and image
//! attestations (`GET /images/{name}/attestations`, API 1.55).

mod common;

use std::sync::Mutex;

use common::engine::engine;
use common::fake_daemon::{json as reply_json, FakeDaemon};
use common::scratch::Scratch;
use dockerclient::images::attestations::{attestations, AttestationsOptions};
use dockerclient::images::build::{build, BuildOptions};
use dockerclient::images::build_prune::{build_prune, BuildPruneOptions};
use dockerclient::system::df::{df, DfOptions};
use dockerclient::{Client, ClientOptions, Io, Status};
use serde_json::{json, Value};

/// Builds and prunes share the daemon's build cache.
static CACHE: Mutex<()> = Mutex::new(());

fn opts<T: serde::de::DeserializeOwned + Default>(v: Value) -> T {
    dockerclient::options::parse("options", Some(&v.to_string())).unwrap()
}

fn parse(s: &str) -> Value {
    serde_json::from_str(s).unwrap()
}

fn fake(version: &str) -> (FakeDaemon, Client) {
    let f = FakeDaemon::with_version(Some(version), |req| match req.path() {
        p if p.ends_with("/attestations") => reply_json(200, r#"[{"Descriptor":{"digest":"sha256:1"},"PredicateType":"https://slsa.dev/provenance/v0.2"}]"#),
        p if p.ends_with("/system/df") => reply_json(200, r#"{"ImageUsage":{"TotalCount":1}}"#),
        p if p.ends_with("/build/prune") => reply_json(200, r#"{"CachesDeleted":[],"SpaceReclaimed":0}"#),
        _ => reply_json(404, r#"{"message":"no"}"#),
    });
    let c = Client::new(&ClientOptions { host: Some(f.host()), ..Default::default() }).unwrap();
    (f, c)
}

#[test]
fn disk_usage_matches_what_the_cli_counts() {
    // No build of this file's other tests may add an image between the two counts.
    let _cache = CACHE.lock().unwrap_or_else(|p| p.into_inner());
    let e = engine();
    let c = e.client();
    let ours = parse(&df(&c, &DfOptions::default()).unwrap());
    let out = e.docker(&["system", "df", "-v", "--format", "{{json .}}"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let cli = parse(String::from_utf8_lossy(&out.stdout).trim());
    let images = ours["Images"].as_array().unwrap();
    let cli_images = cli["Images"].as_array().unwrap();
    assert_eq!(images.len(), cli_images.len(), "image count");
    // The same images, with the same container counts, from the same answer.
    let strip = |v: &Value| v.as_str().unwrap().trim_start_matches("sha256:").to_string();
    for img in cli_images {
        let id = strip(&img["ID"]);
        let mine = images.iter().find(|i| strip(&i["Id"]).starts_with(&id)).unwrap_or_else(|| panic!("{id} missing"));
        assert_eq!(mine["Containers"].to_string(), img["Containers"].as_str().unwrap(), "{mine} / {img}");
        assert!(mine["Size"].as_i64().unwrap() > 0, "{mine}");
    }
    assert!(ours["LayersSize"].as_i64().unwrap() > 0);
    eprintln!("df: {} images, layers {} bytes (the CLI lists {})", images.len(), ours["LayersSize"], cli_images.len());
    // Gates on this daemon (1.41): "type" needs 1.42, "verbose" 1.52; a bad kind is named.
    for (o, want) in [
        (json!({"type": ["image"]}), Status::Unsupported),
        (json!({"verbose": true}), Status::Unsupported),
        (json!({"type": ["images"]}), Status::InvalidArgument),
    ] {
        let err = df(&c, &opts(o.clone())).unwrap_err();
        assert_eq!(err.status, want, "{o}: {err:?}");
    }
    // Newer daemons get them, as the CLI sends them.
    let (f, fc) = fake("1.52");
    df(&fc, &opts(json!({"type": ["image", "build-cache"], "verbose": true}))).unwrap();
    assert!(f.targets().last().unwrap().ends_with("/v1.52/system/df?type=image&type=build-cache&verbose=1"), "{:?}", f.targets());
}

#[test]
fn build_cache_prune_shrinks_the_cache_after_classic_and_buildkit_builds() {
    let _cache = CACHE.lock().unwrap_or_else(|p| p.into_inner());
    let e = engine();
    let c = e.client();
    let ctx = Scratch::new("dc-prune");
    ctx.file("Dockerfile", format!("FROM {}\nRUN head -c 100000 /dev/urandom > /r\n", e.base_image()));
    for version in ["1", "2"] {
        build(&c, &opts::<BuildOptions>(json!({"context_dir": ctx.s(), "version": version, "no_cache": true, "network_mode": "none"})), Io::none()).unwrap();
    }
    let before = parse(&df(&c, &DfOptions::default()).unwrap());
    let cache_before = before["BuildCache"].as_array().map_or(0, Vec::len);
    let pruned = parse(&build_prune(&c, &opts(json!({"all": true}))).unwrap());
    let after = parse(&df(&c, &DfOptions::default()).unwrap());
    let cache_after = after["BuildCache"].as_array().map_or(0, Vec::len);
    eprintln!(
        "build cache: {cache_before} records before, {cache_after} after; reclaimed {} bytes, {} deleted",
        pruned["SpaceReclaimed"],
        pruned["CachesDeleted"].as_array().map_or(0, Vec::len)
    );
    assert!(cache_before > 0, "the BuildKit build left cache records");
    assert!(cache_after < cache_before, "the prune removed cache records");
    assert!(pruned["SpaceReclaimed"].as_i64().unwrap() > 0);
    // Filters and limits as this daemon (1.41) reads them.
    build_prune(&c, &opts(json!({"filters": {"until": ["24h"], "inuse": []}, "keep_storage": 1000000}))).unwrap();
    let err = build_prune(&c, &opts(json!({"reserved_space": 1}))).unwrap_err();
    assert_eq!(err.status, Status::Unsupported, "{err:?}");
    let err = build_prune(&c, &opts(json!({"keep_storage": 1, "reserved_space": 1}))).unwrap_err();
    assert_eq!(err.status, Status::InvalidArgument, "{err:?}");
    let err = build_prune(&c, &opts(json!({"filters": {"id": ["a", "b"]}}))).unwrap_err();
    assert_eq!(err.status, Status::InvalidArgument, "{err:?}");
    let err = build_prune(&c, &opts(json!({"filters": {"inuse": ["true"]}}))).unwrap_err();
    assert!(err.status == Status::InvalidArgument && err.message.contains("\"inuse\" is a flag"), "{err:?}");
}

#[test]
fn build_prune_speaks_each_versions_names() {
    let (f, c) = fake("1.47");
    build_prune(&c, &opts(json!({"all": true, "keep_storage": 5, "filters": {"inuse": []}}))).unwrap();
    let t = f.targets().last().unwrap().clone();
    assert!(t.contains("all=1") && t.contains("keep-storage=5") && !t.contains("reserved-space"), "{t}");
    assert!(t.contains("filters=%7B%22inuse%22%3A%7B%7D%7D"), "{t}");
    let (f, c) = fake("1.48");
    build_prune(&c, &opts(json!({"keep_storage": 5, "max_used_space": 6, "min_free_space": 7}))).unwrap();
    let t = f.targets().last().unwrap().clone();
    assert!(t.contains("reserved-space=5") && t.contains("max-used-space=6") && t.contains("min-free-space=7"), "{t}");
    assert!(!t.contains("keep-storage"), "{t}");
    let (_f, c) = fake("1.30");
    assert_eq!(build_prune(&c, &BuildPruneOptions::default()).unwrap_err().status, Status::Unsupported);
    let (_f, c) = fake("1.38");
    assert_eq!(build_prune(&c, &opts(json!({"all": true}))).unwrap_err().status, Status::Unsupported);
}

#[test]
fn attestations_on_a_daemon_that_has_them_and_one_that_does_not() {
    let (f, c) = fake("1.55");
    let o: AttestationsOptions = opts(json!({"platform": "linux/arm64/v8", "type": ["https://slsa.dev/provenance/v0.2", "https://spdx.dev/Document"], "statement": true}));
    let got = parse(&attestations(&c, "127.0.0.1:5000/app:1", &o).unwrap());
    assert_eq!(got[0]["PredicateType"], "https://slsa.dev/provenance/v0.2");
    let t = f.targets().last().unwrap().clone();
    assert!(t.starts_with("/v1.55/images/127.0.0.1:5000/app:1/attestations?"), "{t}");
    let q: Vec<(String, String)> = url::form_urlencoded::parse(t.split_once('?').unwrap().1.as_bytes()).into_owned().collect();
    assert_eq!(
        q,
        [
            ("platform".to_string(), r#"{"architecture":"arm64","os":"linux","variant":"v8"}"#.to_string()),
            ("type".into(), "https://slsa.dev/provenance/v0.2".into()),
            ("type".into(), "https://spdx.dev/Document".into()),
            ("statement".into(), "1".into()),
        ]
    );
    // No options: nothing but the path.
    attestations(&c, "app", &AttestationsOptions::default()).unwrap();
    assert_eq!(f.targets().last().unwrap(), "/v1.55/images/app/attestations");
    // Bad input, then the real engine (1.41) refuses before sending.
    assert_eq!(attestations(&c, "app", &opts(json!({"platform": "linux"}))).unwrap_err().status, Status::InvalidArgument);
    assert_eq!(attestations(&c, "../x", &AttestationsOptions::default()).unwrap_err().status, Status::InvalidArgument);
    let err = attestations(&engine().client(), &engine().base_image(), &AttestationsOptions::default()).unwrap_err();
    assert_eq!(err.status, Status::Unsupported, "{err:?}");
    assert!(err.message.contains("1.55"), "{err:?}");
}
