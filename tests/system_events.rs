//! `GET /events` on the real engine: image operations produce the events `docker events
//! --filter type=image` shows, in the same order; a live stream is stopped by its callback and
//! by a cancel token from another thread; times in every accepted form; bad input refused.
//!
//! One test at a time in this file: every test reads the daemon's whole image event stream.

mod common;

use std::io::Cursor;
use std::sync::Mutex;
use std::thread;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use common::engine::{engine, unique};
use common::scratch::Scratch;
use dockerclient::images::build::{build, BuildOptions};
use dockerclient::images::import::{import, ImportOptions};
use dockerclient::images::load::{load, LoadOptions};
use dockerclient::images::pull::{pull, PullOptions};
use dockerclient::images::push::{push, PushOptions};
use dockerclient::images::remove::{remove, RemoveOptions};
use dockerclient::images::save::{save, SaveOptions};
use dockerclient::images::tag::{tag, TagOptions};
use dockerclient::system::events::{events, EventsOptions};
use dockerclient::{CancelToken, Io, Status};
use serde_json::{json, Value};

static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

fn opts<T: serde::de::DeserializeOwned + Default>(v: Value) -> T {
    dockerclient::options::parse("options", Some(&v.to_string())).unwrap()
}

fn now() -> f64 {
    SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs_f64()
}

/// The image events between two times, as the library delivers them.
fn library_events(since: f64, until: f64) -> Vec<Value> {
    let mut got = Vec::new();
    let o: EventsOptions = opts(json!({
        "since": format!("{since:.9}"), "until": format!("{until:.9}"), "filters": {"type": ["image"]}
    }));
    let n = events(&engine().client(), &o, &mut |b: &[u8]| {
        assert_eq!(b.last(), Some(&b'\n'), "one event per delivery, ending in a newline");
        got.push(serde_json::from_slice::<Value>(b).unwrap());
        true
    })
    .unwrap();
    assert_eq!(n as usize, got.len());
    got
}

/// The same through the docker CLI.
fn cli_events(since: f64, until: f64) -> Vec<Value> {
    let out = engine().docker(&[
        "events",
        "--since",
        &format!("{since:.9}"),
        "--until",
        &format!("{until:.9}"),
        "--filter",
        "type=image",
        "--format",
        "{{json .}}",
    ]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).lines().map(|l| serde_json::from_str(l).unwrap()).collect()
}

fn summary(events: &[Value]) -> Vec<(String, String)> {
    events.iter().map(|e| (e["Action"].as_str().unwrap_or("").to_string(), e["Actor"]["ID"].as_str().unwrap_or("").to_string())).collect()
}

#[test]
fn image_operations_give_the_events_the_cli_shows_in_order() {
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|p| p.into_inner());
    let e = engine();
    let c = e.client();
    let name = unique("events");
    let repo = format!("{}/{name}", e.registry());
    let ctx = Scratch::new("dc-events");
    ctx.file("Dockerfile", format!("FROM {}\nLABEL events=1\n", e.base_image()));
    let mut archive = Vec::new();
    save(&c, &opts::<SaveOptions>(json!({"names": [e.base_image()]})), Io::output(&mut |b| {
        archive.extend_from_slice(b);
        true
    }))
    .unwrap();

    let since = now() - 0.5;
    tag(&c, &e.base_image(), &TagOptions { repo: Some(repo.clone()), tag: Some("1".into()) }).unwrap();
    push(&c, &format!("{repo}:1"), &PushOptions::default(), Io::none()).unwrap();
    remove(&c, &format!("{repo}:1"), &RemoveOptions::default()).unwrap();
    pull(&c, &PullOptions::new(&format!("{repo}:1")), Io::none()).unwrap();
    save(&c, &opts::<SaveOptions>(json!({"names": [format!("{repo}:1")]})), Io::output(&mut |_| true)).unwrap();
    load(&c, &LoadOptions::default(), Io::input(&mut Cursor::new(&archive))).unwrap();
    let imported = import(&c, &opts::<ImportOptions>(json!({"repository": repo, "tag": "imported"})), Io::input(&mut Cursor::new(&archive))).unwrap();
    let built = build(&c, &opts::<BuildOptions>(json!({"context_dir": ctx.s(), "tags": [format!("{repo}:built")], "version": "1", "network_mode": "none"})), Io::none()).unwrap();
    remove(&c, &format!("{repo}:built"), &RemoveOptions::default()).unwrap();
    remove(&c, &format!("{repo}:imported"), &RemoveOptions { force: Some(true), ..Default::default() }).unwrap();
    remove(&c, &format!("{repo}:1"), &RemoveOptions::default()).unwrap();
    thread::sleep(Duration::from_millis(200));
    let until = now() + 0.5;
    thread::sleep(Duration::from_millis(700));

    let ours = library_events(since, until);
    let cli = cli_events(since, until);
    eprintln!("image events: {:?}", summary(&ours));
    assert_eq!(summary(&ours), summary(&cli), "the library and the CLI see the same events in the same order");
    let actions: Vec<String> = ours.iter().map(|e| e["Action"].as_str().unwrap().to_string()).collect();
    // Each operation's own event, in the order of the operations.
    let wanted = ["tag", "push", "untag", "pull", "save", "load", "import", "tag", "untag", "delete"];
    let mut at = 0;
    for w in wanted {
        let found = actions[at..].iter().position(|a| a == w);
        assert!(found.is_some(), "no {w} after position {at} in {actions:?}");
        at += found.unwrap() + 1;
    }
    assert!(ours.iter().any(|e| e["Actor"]["ID"] == json!(imported.id)), "the import's event names its image");
    assert!(ours.iter().any(|e| e["Actor"]["ID"] == json!(built.id) && e["Action"] == "tag"), "the build's tag");
}

#[test]
fn a_live_stream_stops_when_the_callback_says_so_or_a_token_is_triggered() {
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|p| p.into_inner());
    let e = engine();
    let repo = format!("dctest/{}", unique("live"));
    // The callback stops at the first event: a tag made from another thread.
    let tagger = {
        let (base, repo) = (e.base_image(), repo.clone());
        thread::spawn(move || {
            thread::sleep(Duration::from_millis(500));
            tag(&engine().client(), &base, &TagOptions { repo: Some(repo), tag: Some("a".into()) }).unwrap();
        })
    };
    let mut seen = Vec::new();
    let o: EventsOptions = opts(json!({"filters": {"type": ["image"], "event": ["tag"], "image": [format!("{repo}:a")]}}));
    let r = events(&e.client(), &o, &mut |b: &[u8]| {
        seen.push(serde_json::from_slice::<Value>(b).unwrap());
        false
    });
    tagger.join().unwrap();
    assert_eq!(r.unwrap_err().status, Status::Cancelled);
    assert_eq!(seen.len(), 1);
    assert_eq!(seen[0]["Action"], "tag");

    // A token triggered from another thread ends a silent stream.
    let token = CancelToken::new();
    let trigger = {
        let t = token.clone();
        thread::spawn(move || {
            thread::sleep(Duration::from_millis(300));
            t.trigger();
        })
    };
    let o: EventsOptions = opts(json!({"filters": {"type": ["image"], "image": ["dctest/nothing-ever-happens-here"]}}));
    let started = std::time::Instant::now();
    let r = events(&e.client().with_cancel(token), &o, &mut |_| true);
    trigger.join().unwrap();
    assert_eq!(r.unwrap_err().status, Status::Cancelled);
    eprintln!("silent event stream cancelled after {:?}", started.elapsed());
    // An inactivity limit ends a silent stream as a timeout.
    let o: EventsOptions = opts(json!({"filters": {"image": ["dctest/nothing-ever-happens-here"]}, "inactivity_timeout_ms": 300}));
    assert_eq!(events(&e.client(), &o, &mut |_| true).unwrap_err().status, Status::Timeout);
    let _ = remove(&e.client(), &format!("{repo}:a"), &RemoveOptions::default());
}

#[test]
fn times_in_every_form_and_bad_input() {
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|p| p.into_inner());
    let c = engine().client();
    // A past window in each form ends by itself.
    for (since, until) in [("2000-01-01T00:00:00Z", "2000-01-02"), ("946684800", "946684801.5"), ("100000h", "99999h")] {
        let o: EventsOptions = opts(json!({"since": since, "until": until}));
        events(&c, &o, &mut |_| true).unwrap_or_else(|e| panic!("{since}..{until}: {e:?}"));
    }
    for bad in [json!({"since": "yesterday"}), json!({"until": "10x"}), json!({"filters": {"typo": ["image"]}}), json!({"filters": {"type": "image"}})] {
        let e = dockerclient::options::parse::<EventsOptions>("events options", Some(&bad.to_string()))
            .and_then(|o| events(&c, &o, &mut |_| true).map(drop))
            .unwrap_err();
        assert_eq!(e.status, Status::InvalidArgument, "{bad}: {e:?}");
    }
}
