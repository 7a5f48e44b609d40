//! What the real 1.41 engine cannot show about the image metadata calls, on a fake daemon that
//! records every request line: version gates (unsupported before any request but the version
//! ping), the exact queries each API version gets (filters in array or map form, the legacy
//! `filter` parameter, JSON platforms), the pre-1.12 inspect shape, verbatim answers, names that
//! try to reach another endpoint, and bad input that must never reach the daemon.

mod common;

use base64::Engine;
use common::fake_daemon::{json, FakeDaemon};
use dockerclient::DockerConfig;
use dockerclient::images::commit::{commit, CommitOptions};
use dockerclient::images::distribution::{distribution, DistributionOptions};
use dockerclient::images::history::{history, HistoryOptions};
use dockerclient::images::inspect::{inspect, InspectOptions};
use dockerclient::images::list::{list, ListOptions};
use dockerclient::images::prune::{prune, PruneOptions};
use dockerclient::images::remove::{remove, RemoveOptions};
use dockerclient::images::search::{search, SearchOptions};
use dockerclient::images::tag::{tag, TagOptions};
use dockerclient::{options, Client, ClientOptions, Result, Status};
use serde_json::{json as j, Value};

fn client(d: &FakeDaemon) -> Client {
    Client::new(&ClientOptions { host: Some(d.host()), ..Default::default() }).unwrap()
}

/// Runs one operation the way the C surface does: options parsed from JSON text, then the call.
/// `op` is the C function's name without `dc_image_`.
fn call(c: &Client, op: &str, name: &str, options_json: &str) -> Result<String> {
    let o = Some(options_json);
    // Credentials never come from the machine's docker config in these tests.
    let c = &c.with_docker_config(DockerConfig::default());
    let json = match op {
        "list" => list(c, &options::parse::<ListOptions>("list options", o)?),
        "inspect" => inspect(c, name, &options::parse::<InspectOptions>("inspect options", o)?),
        "history" => history(c, name, &options::parse::<HistoryOptions>("history options", o)?),
        "tag" => return tag(c, name, &options::parse::<TagOptions>("tag options", o)?).map(|()| String::new()),
        "remove" => remove(c, name, &options::parse::<RemoveOptions>("remove options", o)?),
        "prune" => prune(c, &options::parse::<PruneOptions>("prune options", o)?),
        "search" => search(c, &options::parse::<SearchOptions>("search options", o)?),
        "distribution" => distribution(c, name, &options::parse::<DistributionOptions>("distribution options", o)?),
        "commit" => commit(c, &options::parse::<CommitOptions>("commit options", o)?),
        other => panic!("no operation {other}"),
    };
    json.map(|j| j.into_string())
}

/// A daemon of `version` answering every request with `body`.
fn daemon(version: &str, body: &'static str) -> FakeDaemon {
    FakeDaemon::with_version(Some(version), move |_| json(200, body))
}

fn enc(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

// ---------------------------------------------------------------------------------------------
// Version gates

#[test]
fn options_the_version_lacks_are_unsupported_before_any_request() {
    let table: &[(&str, &str, &str, &str, &str)] = &[
        // (version, op, name, options, what the message names)
        ("1.41", "list", "", r#"{"shared_size": true}"#, "\"shared_size\" requires API version 1.42"),
        ("1.46", "list", "", r#"{"manifests": true}"#, "\"manifests\" requires API version 1.47"),
        ("1.53", "list", "", r#"{"manifests": true, "identity": true}"#, "\"identity\" requires API version 1.54"),
        ("1.41", "list", "", r#"{"filter": "busybox"}"#, "\"filter\" was removed in API version 1.41"),
        ("1.17", "list", "", r#"{"digests": true}"#, "\"digests\" requires API version 1.18"),
        ("1.17", "list", "", r#"{"filters": {"label": ["a"]}}"#, "filter \"label\" requires API version 1.18"),
        ("1.23", "list", "", r#"{"filters": {"before": ["a"]}}"#, "filter \"before\" requires API version 1.24"),
        ("1.23", "list", "", r#"{"filters": {"since": ["a"]}}"#, "filter \"since\" requires API version 1.24"),
        ("1.24", "list", "", r#"{"filters": {"reference": ["a", "b"]}}"#, "more than one \"reference\" filter requires API version 1.25"),
        ("1.47", "inspect", "x", r#"{"manifests": true}"#, "\"manifests\" requires API version 1.48"),
        ("1.48", "inspect", "x", r#"{"platform": "linux/arm64"}"#, "\"platform\" requires API version 1.49"),
        ("1.47", "history", "x", r#"{"platform": "linux/arm64"}"#, "\"platform\" requires API version 1.48"),
        ("1.49", "remove", "x", r#"{"platforms": ["linux/arm64"]}"#, "\"platforms\" requires API version 1.50"),
        ("1.24", "prune", "", "", "image prune requires API version 1.25"),
        ("1.28", "prune", "", r#"{"filters": {"label": ["a"]}}"#, "filter \"label\" requires API version 1.29"),
        ("1.28", "prune", "", r#"{"filters": {"label!": ["a"]}}"#, "filter \"label!\" requires API version 1.29"),
        ("1.23", "search", "", r#"{"term": "x", "limit": 5}"#, "\"limit\" requires API version 1.24"),
        ("1.23", "search", "", r#"{"term": "x", "filters": {"stars": ["1"]}}"#, "\"filters\" requires API version 1.24"),
        ("1.29", "distribution", "127.0.0.1:5000/x:1", "", "distribution inspect requires API version 1.30"),
        ("1.12", "commit", "", r#"{"container": "c", "pause": false}"#, "\"pause\" requires API version 1.13"),
        ("1.17", "commit", "", r#"{"container": "c", "changes": ["ENV A=b"]}"#, "\"changes\" requires API version 1.18"),
    ];
    for (version, op, name, opts, says) in table {
        let d = daemon(version, "[]");
        let e = call(&client(&d), op, name, opts).unwrap_err();
        assert_eq!(e.status, Status::Unsupported, "{op} {opts} on {version}: {e}");
        assert!(e.message.contains(says), "{op} {opts} on {version}: {:?} lacks {says:?}", e.message);
        assert!(e.message.contains(version), "names the daemon's version: {}", e.message);
        assert_eq!(e.api_version.as_deref(), Some(*version));
        assert_eq!(d.targets(), Vec::<String>::new(), "{op} {opts}: nothing but the ping was sent");
    }
}

#[test]
fn the_same_options_are_sent_where_the_version_has_them() {
    let d = daemon("1.54", "[]");
    let c = client(&d);
    call(&c, "list", "", r#"{"all": true, "digests": true, "shared_size": true, "manifests": true, "identity": true,
                             "filters": {"label": ["a=b"], "until": ["1h"]}}"#)
        .unwrap();
    call(&c, "inspect", "x", r#"{"manifests": true}"#).unwrap();
    call(&c, "inspect", "x", r#"{"platform": "linux/arm64/v8"}"#).unwrap();
    call(&c, "history", "x", r#"{"platform": "Linux/AMD64"}"#).unwrap();
    call(&c, "remove", "x", r#"{"force": true, "noprune": true, "platforms": ["linux/amd64", "linux/arm/v7"]}"#).unwrap();
    let amd = enc(r#"{"architecture":"amd64","os":"linux"}"#);
    assert_eq!(
        d.targets(),
        [
            format!(
                "/v1.54/images/json?all=1&filters={}&digests=1&shared-size=1&manifests=1&identity=1",
                enc(r#"{"label":{"a=b":true},"until":{"1h":true}}"#)
            ),
            "/v1.54/images/x/json?manifests=1".to_string(),
            format!("/v1.54/images/x/json?platform={}", enc(r#"{"architecture":"arm64","os":"linux","variant":"v8"}"#)),
            format!("/v1.54/images/x/history?platform={amd}"),
            format!(
                "/v1.54/images/x?force=1&noprune=1&platforms={amd}&platforms={}",
                enc(r#"{"architecture":"arm","os":"linux","variant":"v7"}"#)
            ),
        ]
    );
    let methods: Vec<String> = d.seen().into_iter().filter(|s| s.path() != "/_ping").map(|s| s.method).collect();
    assert_eq!(methods, ["GET", "GET", "GET", "GET", "DELETE"]);
}

#[test]
fn filters_take_the_form_each_version_reads() {
    // Before 1.22 the daemon reads only the array form.
    let d = daemon("1.21", "[]");
    call(&client(&d), "list", "", r#"{"filters": {"dangling": ["true"], "label": ["k=v"]}}"#).unwrap();
    assert_eq!(d.targets(), [format!("/v1.21/images/json?filters={}", enc(r#"{"dangling":["true"],"label":["k=v"]}"#))]);

    // Before 1.25 one `reference` becomes the legacy `filter` parameter, as the CLI sends it.
    let d = daemon("1.24", "[]");
    let c = client(&d);
    call(&c, "list", "", r#"{"filters": {"reference": ["busy*"]}}"#).unwrap();
    call(&c, "list", "", r#"{"filters": {"reference": ["busy*"], "label": ["k"]}}"#).unwrap();
    let e = call(&c, "list", "", r#"{"filter": "a", "filters": {"reference": ["b"]}}"#).unwrap_err();
    assert_eq!(e.status, Status::InvalidArgument, "{e}");
    assert_eq!(
        d.targets(),
        [
            "/v1.24/images/json?filter=busy*".to_string(),
            format!("/v1.24/images/json?filters={}&filter=busy*", enc(r#"{"label":{"k":true}}"#)),
        ]
    );

    // The legacy `filter` itself up to 1.40; from 1.25 `reference` stays a filter.
    let d = daemon("1.40", "[]");
    let c = client(&d);
    call(&c, "list", "", r#"{"filter": "busybox"}"#).unwrap();
    call(&c, "list", "", r#"{"filters": {"reference": ["a", "b"]}}"#).unwrap();
    assert_eq!(
        d.targets(),
        [
            "/v1.40/images/json?filter=busybox".to_string(),
            format!("/v1.40/images/json?filters={}", enc(r#"{"reference":{"a":true,"b":true}}"#)),
        ]
    );

    // Prune and search filters, in map form.
    let d = daemon("1.41", "{}");
    let c = client(&d);
    call(&c, "prune", "", r#"{"filters": {"dangling": ["false"], "until": ["24h"], "label": ["a"], "label!": ["b=c"]}}"#).unwrap();
    call(&c, "prune", "", "").unwrap();
    assert_eq!(
        d.targets(),
        [
            format!(
                "/v1.41/images/prune?filters={}",
                enc(r#"{"dangling":{"false":true},"label":{"a":true},"label!":{"b=c":true},"until":{"24h":true}}"#)
            ),
            "/v1.41/images/prune".to_string(),
        ]
    );
}

#[test]
fn search_tag_commit_and_distribution_requests() {
    let d = daemon("1.41", "{}");
    let c = client(&d);
    call(&c, "search", "", r#"{"term": "a b&limit=99#x", "limit": 5, "filters": {"is-official": ["true"], "stars": ["3"]}}"#)
        .unwrap();
    call(&c, "search", "", r#"{"term": "127.0.0.1:5000/x", "auth": {"username": "u", "password": "p"}}"#).unwrap();
    call(&c, "tag", "sha256:abc", r#"{"repo": "127.0.0.1:5000/New/x", "tag": "v1"}"#).unwrap_err();
    call(&c, "tag", "sha256:abc", r#"{"repo": "127.0.0.1:5000/new/x", "tag": "v1"}"#).unwrap();
    call(&c, "tag", "busybox", r#"{"repo": "docker.io/library/copy"}"#).unwrap();
    call(&c, "commit", "", r#"{"container": "c 1", "repo": "img", "comment": "a&b", "author": "Me <m@e>", "pause": false,
                               "changes": ["ENV A=b", "CMD [\"sh\"]"], "config": {"Labels": {"k": "v"}}}"#)
        .unwrap();
    call(&c, "commit", "", r#"{"container": "c2"}"#).unwrap();
    call(&c, "distribution", "127.0.0.1:5000/x:1", "").unwrap();

    let seen: Vec<_> = d.seen().into_iter().filter(|s| s.path() != "/_ping").collect();
    let targets: Vec<&str> = seen.iter().map(|s| s.target.as_str()).collect();
    assert_eq!(
        targets,
        [
            format!("/v1.41/images/search?term=a+b%26limit%3D99%23x&limit=5&filters={}", enc(r#"{"is-official":{"true":true},"stars":{"3":true}}"#)).as_str(),
            "/v1.41/images/search?term=127.0.0.1%3A5000%2Fx",
            "/v1.41/images/sha256:abc/tag?repo=127.0.0.1%3A5000%2Fnew%2Fx&tag=v1",
            "/v1.41/images/busybox/tag?repo=copy&tag=latest",
            "/v1.41/commit?container=c+1&repo=img&tag=latest&comment=a%26b&author=Me+%3Cm%40e%3E&pause=0&changes=ENV+A%3Db&changes=CMD+%5B%22sh%22%5D",
            "/v1.41/commit?container=c2",
            "/v1.41/distribution/127.0.0.1:5000/x:1/json",
        ]
    );
    let decode = |h: Option<&str>| -> Value {
        serde_json::from_slice(&base64::engine::general_purpose::URL_SAFE.decode(h.expect("X-Registry-Auth")).unwrap()).unwrap()
    };
    assert_eq!(decode(seen[0].header("X-Registry-Auth")), j!({}), "anonymous search sends {{}}");
    assert_eq!(decode(seen[1].header("X-Registry-Auth")), j!({"username": "u", "password": "p"}));
    assert_eq!(decode(seen[6].header("X-Registry-Auth")), j!({}));
    assert_eq!(seen[2].method, "POST");
    assert_eq!(seen[4].header("Content-Type"), Some("application/json"));
    assert_eq!(serde_json::from_slice::<Value>(&seen[4].body).unwrap(), j!({"Labels": {"k": "v"}}));
    assert_eq!(seen[5].body, b"{}", "no config is an empty JSON object");
}

// ---------------------------------------------------------------------------------------------
// Answers

#[test]
fn the_pre_1_12_inspect_shape_is_converted() {
    let old = r#"{"id":"b750fe79269d","parent":"27cf78414709","created":"2013-03-23T22:24:18.818426-07:00",
                  "container":"3d67245a8d72","container_config":{"Cmd":["/bin/bash"],"Tty":true},
                  "docker_version":"0.1.7","author":"me","comment":"first","config":{"Env":null},
                  "architecture":"x86_64","os":"linux","Size":6824592,"extra":[1]}"#;
    let d = daemon("1.11", old);
    let got: Value = serde_json::from_str(&call(&client(&d), "inspect", "ubuntu", "").unwrap()).unwrap();
    assert_eq!(d.targets(), ["/v1.12/images/ubuntu/json"], "the client speaks at least 1.12");
    assert_eq!(
        got,
        j!({"Id":"b750fe79269d","Parent":"27cf78414709","Created":"2013-03-23T22:24:18.818426-07:00",
            "Container":"3d67245a8d72","ContainerConfig":{"Cmd":["/bin/bash"],"Tty":true},
            "DockerVersion":"0.1.7","Author":"me","Comment":"first","Config":{"Env":null},
            "Architecture":"x86_64","Os":"linux","Size":6824592,"extra":[1]})
    );

    // A modern answer that merely contains "id" somewhere is untouched.
    let modern = r#"{"Id":"sha256:1","Config":{"Labels":{"id":"x"}},"id":"odd"}"#;
    let d = daemon("1.41", modern);
    assert_eq!(call(&client(&d), "inspect", "x", "").unwrap(), modern);
}

#[test]
fn answers_pass_through_byte_for_byte() {
    let body = "[ {\"Id\" : \"sha256:1\", \"FutureField\": {\"nested\": [1, 2.50, null]}, \"Size\": 1e3} ]\n";
    let d = daemon("1.41", body);
    let c = client(&d);
    for (op, name, opts) in [
        ("list", "", ""),
        ("inspect", "x", ""),
        ("history", "x", ""),
        ("remove", "x", ""),
        ("prune", "", ""),
        ("search", "", r#"{"term": "x"}"#),
        ("distribution", "127.0.0.1:5000/x", ""),
        ("commit", "", r#"{"container": "c"}"#),
    ] {
        assert_eq!(call(&c, op, name, opts).unwrap(), body, "{op}");
    }
}

#[test]
fn daemon_errors_keep_their_class_and_message() {
    let d = FakeDaemon::with_version(Some("1.41"), |req| {
        if req.path().contains("/images/gone") {
            json(404, r#"{"message":"No such image: gone:latest"}"#)
        } else if req.method == "DELETE" {
            json(409, r#"{"message":"conflict: unable to remove repository reference \"x\" (must force) - container 0123 is using its referenced image 4567"}"#)
        } else {
            json(500, r#"{"message":"something broke"}"#)
        }
    });
    let c = client(&d);
    let e = call(&c, "inspect", "gone", "").unwrap_err();
    assert_eq!((e.status, e.http_status, e.message.as_str()), (Status::NotFound, 404, "No such image: gone:latest"));
    let e = call(&c, "remove", "x", "").unwrap_err();
    assert_eq!(e.status, Status::Conflict);
    assert!(e.message.contains("container 0123 is using"), "{e}");
    let e = call(&c, "list", "", "").unwrap_err();
    assert_eq!((e.status, e.message.as_str()), (Status::ServerError, "something broke"));
}

// ---------------------------------------------------------------------------------------------
// Names

#[test]
fn names_reach_only_their_own_endpoint() {
    let d = FakeDaemon::with_version(Some("1.41"), |_| json(404, r#"{"message":"No such image"}"#));
    let c = client(&d);
    let escaped = [
        ("a?b", "a%3Fb"),
        ("busybox?force=1", "busybox%3Fforce%3D1"),
        ("a#b", "a%23b"),
        ("a%2F..%2Fb", "a%252F..%252Fb"),
        ("a b", "a%20b"),
        ("a\r\nHost: evil", "a%0D%0AHost:%20evil"),
        ("a..b", "a..b"),
        ("sha256:abc", "sha256:abc"),
    ];
    for (name, want) in escaped {
        for (op, opts, path) in [
            ("inspect", "", format!("/v1.41/images/{want}/json")),
            ("history", "", format!("/v1.41/images/{want}/history")),
            ("remove", "", format!("/v1.41/images/{want}")),
            ("tag", r#"{"repo": "copy"}"#, format!("/v1.41/images/{want}/tag?repo=copy&tag=latest")),
        ] {
            let before = d.targets().len();
            let e = call(&c, op, name, opts).unwrap_err();
            assert_eq!(e.status, Status::NotFound, "{op} {name:?}: {e}");
            assert_eq!(d.targets()[before..], [path], "{op} {name:?}");
        }
    }
    let sent = d.targets().len();
    for name in ["..", ".", "a/../b", "../containers/x", "a/./b", "a//b", "/a", "a/"] {
        for (op, opts) in [("inspect", ""), ("history", ""), ("remove", ""), ("tag", r#"{"repo": "copy"}"#), ("distribution", "")] {
            let e = call(&c, op, name, opts).unwrap_err();
            assert_eq!(e.status, Status::InvalidArgument, "{op} {name:?}: {e}");
        }
    }
    // Distribution needs a valid reference: odd characters are refused before sending.
    for name in ["a?b", "a#b", "a b", "a%3Fb"] {
        let e = call(&c, "distribution", name, "").unwrap_err();
        assert_eq!(e.status, Status::InvalidArgument, "{name:?}: {e}");
    }
    assert_eq!(d.targets().len(), sent, "no refused name was sent");
}

// ---------------------------------------------------------------------------------------------
// Bad input

#[test]
fn bad_input_is_invalid_argument_and_never_reaches_the_daemon() {
    let d = daemon("1.56", "[]");
    let c = client(&d);
    let huge = "a".repeat(300 * 1024);
    let table: Vec<(&str, &str, String, &str)> = vec![
        // (op, name, options, what the message names)
        ("inspect", "", String::new(), "empty"),
        ("history", "", String::new(), "empty"),
        ("remove", "", String::new(), "empty"),
        ("tag", "", r#"{"repo": "x"}"#.into(), "empty"),
        ("distribution", "", String::new(), "empty"),
        ("inspect", &huge, String::new(), "bytes long"),
        ("remove", &huge, String::new(), "bytes long"),
        ("tag", &huge, r#"{"repo": "x"}"#.into(), "bytes long"),
        ("list", "", "[]".into(), "must be a JSON object"),
        ("list", "", "1".into(), "must be a JSON object"),
        ("list", "", r#""all""#.into(), "must be a JSON object"),
        ("list", "", "{".into(), "not valid JSON"),
        ("inspect", "x", "null".into(), "must be a JSON object"),
        ("list", "", r#"{"al": true}"#.into(), "al"),
        ("list", "", r#"{"all": "yes"}"#.into(), "\"all\""),
        ("list", "", r#"{"sharedSize": true}"#.into(), "sharedSize"),
        ("list", "", r#"{"filters": {"lable": ["x"]}}"#.into(), "lable"),
        ("list", "", r#"{"filters": {"label": "x"}}"#.into(), "label"),
        ("list", "", r#"{"filters": ["label"]}"#.into(), "filters"),
        ("list", "", r#"{"filters": {"dangling": ["yes"]}}"#.into(), "dangling"),
        ("list", "", r#"{"identity": true}"#.into(), "\"identity\" needs \"manifests\""),
        ("list", "", r#"{"filter": ""}"#.into(), "filter"),
        ("inspect", "x", r#"{"manifests": true, "platform": "linux/amd64"}"#.into(), "cannot be used together"),
        ("inspect", "x", r#"{"platform": "linux"}"#.into(), "platform"),
        ("inspect", "x", r#"{"platform": "linux/amd64&x=1"}"#.into(), "platform"),
        ("inspect", "x", r#"{"manifest": true}"#.into(), "manifest"),
        ("history", "x", r#"{"platform": 5}"#.into(), "platform"),
        ("tag", "x", String::new(), "\"repo\" is missing"),
        ("tag", "x", r#"{"repo": ""}"#.into(), "\"repo\" is empty"),
        ("tag", "x", r#"{"repo": "Upper"}"#.into(), "repo"),
        ("tag", "x", r#"{"repo": "x", "tag": "a b"}"#.into(), "tag"),
        ("tag", "x", r#"{"repo": "x", "force": true}"#.into(), "force"),
        ("remove", "x", r#"{"force": 1}"#.into(), "\"force\""),
        ("remove", "x", r#"{"platforms": []}"#.into(), "empty list"),
        ("remove", "x", r#"{"platforms": ["linux/"]}"#.into(), "platform"),
        ("prune", "", r#"{"filters": {"dangling": ["maybe"]}}"#.into(), "dangling"),
        ("prune", "", r#"{"filters": {"reference": ["x"]}}"#.into(), "reference"),
        ("search", "", String::new(), "\"term\" is missing"),
        ("search", "", r#"{"term": ""}"#.into(), "\"term\" is missing"),
        ("search", "", format!(r#"{{"term": "{huge}"}}"#), "bytes long"),
        ("search", "", r#"{"term": "x", "limit": -1}"#.into(), "\"limit\""),
        ("search", "", r#"{"term": "x", "limit": 0}"#.into(), "\"limit\" 0"),
        ("search", "", r#"{"term": "x", "limit": 101}"#.into(), "\"limit\" 101"),
        ("search", "", r#"{"term": "x", "limit": "5"}"#.into(), "\"limit\""),
        ("search", "", r#"{"term": "x", "filters": {"stars": ["-1"]}}"#.into(), "stars"),
        ("search", "", r#"{"term": "x", "filters": {"is-official": ["ja"]}}"#.into(), "is-official"),
        ("search", "", r#"{"term": "x", "auth": {"user": "u"}}"#.into(), "user"),
        ("distribution", "UPPER/x", String::new(), "reference"),
        ("distribution", "x", r#"{"auth": "secret"}"#.into(), "auth"),
        ("commit", "", String::new(), "\"container\" is missing"),
        ("commit", "", r#"{"container": ""}"#.into(), "\"container\" is missing"),
        ("commit", "", r#"{"container": "c", "tag": "v1"}"#.into(), "\"tag\" needs \"repo\""),
        ("commit", "", format!(r#"{{"container": "c", "repo": "x@sha256:{}"}}"#, "a".repeat(64)), "digest"),
        ("commit", "", r#"{"container": "c", "changes": [""]}"#.into(), "empty instruction"),
        ("commit", "", r#"{"container": "c", "changes": [1]}"#.into(), "changes"),
        ("commit", "", r#"{"container": "c", "config": []}"#.into(), "config"),
        ("commit", "", r#"{"container": "c", "pause": "no"}"#.into(), "pause"),
    ];
    for (op, name, opts, says) in &table {
        let e = call(&c, op, name, opts).unwrap_err();
        let shown = if opts.len() > 80 { &opts[..80] } else { opts.as_str() };
        assert_eq!(e.status, Status::InvalidArgument, "{op} {shown}: {e}");
        assert!(e.message.contains(says), "{op} {shown}: {:?} lacks {says:?}", e.message);
        assert!(e.message.len() < 2000, "{op}: the message does not echo huge input");
    }
    assert_eq!(d.seen().len(), 0, "no bad input reached the daemon, not even a ping");
}
