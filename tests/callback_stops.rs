//! A callback that stops an operation at every possible point (its first message, in the
//! middle, its last) leaves nothing behind: 1,000 such calls, then the process's open files,
//! threads and temporary files are counted against what they were before.

mod common;

use std::io::Cursor;

use common::engine::engine;
use common::fake_daemon::{FakeDaemon, Reply};
use common::scratch::Scratch;
use dockerclient::images::build::{build, BuildOptions};
use dockerclient::images::load::{load, LoadOptions};
use dockerclient::images::pull::{pull, PullOptions};
use dockerclient::images::save::{save, SaveOptions};
use dockerclient::{Client, ClientOptions, Io, Status};
use serde_json::json;

fn open_fds() -> usize {
    std::fs::read_dir("/proc/self/fd").unwrap().count()
}

fn threads() -> usize {
    std::fs::read_dir("/proc/self/task").unwrap().count()
}

fn temp_files() -> usize {
    std::fs::read_dir(std::env::temp_dir()).unwrap().flatten().filter(|e| e.file_name().to_string_lossy().contains(".tmp-")).count()
}

/// Messages of a pull stream the fake daemon answers with.
const PULL_MESSAGES: usize = 6;

fn pull_stream() -> Vec<u8> {
    let mut body = String::new();
    body.push_str("{\"status\":\"Pulling from x\",\"id\":\"latest\"}\r\n");
    for i in 0..3 {
        body.push_str(&format!("{{\"status\":\"Downloading\",\"progressDetail\":{{\"current\":{i},\"total\":3}},\"id\":\"l{i}\"}}\r\n"));
    }
    body.push_str("{\"status\":\"Digest: sha256:1111111111111111111111111111111111111111111111111111111111111111\"}\r\n");
    body.push_str("{\"status\":\"Status: Downloaded newer image for 127.0.0.1:5000/x:latest\"}\r\n");
    body.into_bytes()
}

#[test]
fn a_thousand_stopped_calls_leave_nothing_behind() {
    let fake = FakeDaemon::with_version(Some("1.41"), |req| {
        if req.path().ends_with("/images/create") {
            Reply::Full(200, vec![("Content-Type".into(), "application/json".into())], pull_stream())
        } else {
            common::fake_daemon::json(404, r#"{"message":"no"}"#)
        }
    });
    let fake_client = Client::new(&ClientOptions { host: Some(fake.host()), ..Default::default() }).unwrap().with_docker_config(Default::default());
    let e = engine();
    let c = e.client();
    let dir = Scratch::new("dc-stops");
    dir.file("Dockerfile", format!("FROM {}\nRUN echo one && echo two\n", e.base_image()));
    let archive = {
        let mut v = Vec::new();
        save(&c, &dockerclient::options::parse::<SaveOptions>("o", Some(&json!({"names": e.base_image()}).to_string())).unwrap(), Io::output(&mut |b| {
            v.extend_from_slice(b);
            true
        }))
        .unwrap();
        v
    };
    // Warm up (the client's pool, lazily made statics) before counting.
    dockerclient::system::ping(&c).unwrap();
    let (fds, tasks, temps) = (open_fds(), threads(), temp_files());

    let mut calls = 0;
    // Pulls (fake daemon): stop at each message in turn, 880 calls.
    for round in 0..880 {
        let stop_at = round % PULL_MESSAGES;
        let mut seen = 0;
        let r = pull(&fake_client, &PullOptions::new("127.0.0.1:5000/x"), Io::progress(&mut |_| {
            seen += 1;
            seen <= stop_at
        }));
        assert_eq!(r.unwrap_err().status, Status::Cancelled);
        calls += 1;
    }
    // Saves to a callback (real engine): stop at the first, a middle and the last chunk.
    let save_opts: SaveOptions = dockerclient::options::parse("o", Some(&json!({"names": e.base_image()}).to_string())).unwrap();
    let chunks = archive.len().div_ceil(256 * 1024);
    for round in 0..60 {
        let stop_at = [0, chunks / 2, chunks.saturating_sub(1)][round % 3];
        let mut seen = 0;
        let r = save(&c, &save_opts, Io::output(&mut |_| {
            seen += 1;
            seen <= stop_at
        }));
        assert_eq!(r.unwrap_err().status, Status::Cancelled);
        calls += 1;
    }
    // Loads (real engine): stop at the first progress message, or the last.
    for round in 0..30 {
        let mut seen = 0;
        let stop_at = round % 2;
        let mut input = Cursor::new(&archive);
        let r = load(&c, &LoadOptions::default(), Io::input(&mut input).with_progress(Some(&mut |_| {
            seen += 1;
            seen <= stop_at
        })));
        if let Err(e) = r {
            assert_eq!(e.status, Status::Cancelled, "{e:?}");
        }
        calls += 1;
    }
    // Builds (real engine, classic and BuildKit): stop at the first message, or later.
    for round in 0..30 {
        let version = if round % 2 == 0 { "1" } else { "2" };
        let opts: BuildOptions = dockerclient::options::parse(
            "o",
            Some(&json!({"context_dir": dir.s(), "version": version, "network_mode": "none"}).to_string()),
        )
        .unwrap();
        let mut seen = 0;
        let stop_at = round % 3;
        let r = build(&c, &opts, Io::progress(&mut |_| {
            seen += 1;
            seen <= stop_at
        }));
        if let Err(e) = r {
            assert_eq!(e.status, Status::Cancelled, "{e:?}");
        }
        calls += 1;
    }
    assert_eq!(calls, 1000);
    // A stopped call closes its connection; the pool keeps at most the idle ones of the warm-up.
    let (fds_after, tasks_after, temps_after) = (open_fds(), threads(), temp_files());
    eprintln!("after {calls} stopped calls: fds {fds} -> {fds_after}, threads {tasks} -> {tasks_after}, temp files {temps} -> {temps_after}");
    assert!(fds_after <= fds + 2, "open files grew from {fds} to {fds_after}");
    assert!(tasks_after <= tasks, "threads grew from {tasks} to {tasks_after}");
    assert_eq!(temps_after, temps, "temporary files left");
}
