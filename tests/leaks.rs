//! 2,000 mixed calls in one process — successes, errors from the daemon, refused options,
//! callbacks that stop a stream at every point, time limits that expire, cancel tokens
//! triggered from another thread, connections the server hangs up — and afterwards the
//! process's open files, threads and resident memory are back where they started.

mod common;

use std::io::{Cursor, Read};
use std::thread;
use std::time::Duration;

use common::engine::engine;
use common::fake_daemon::{json, FakeDaemon, Reply};
use dockerclient::images::inspect::{inspect, InspectOptions};
use dockerclient::images::list::{list, ListOptions};
use dockerclient::images::load::{load, LoadOptions};
use dockerclient::images::pull::{pull, PullOptions};
use dockerclient::images::save::{save, SaveOptions};
use dockerclient::{system, CancelToken, Client, ClientOptions, Io, Status};
use serde_json::json;

fn open_fds() -> usize {
    std::fs::read_dir("/proc/self/fd").unwrap().count()
}

fn threads() -> usize {
    std::fs::read_dir("/proc/self/task").unwrap().count()
}

fn rss_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    status.lines().find_map(|l| l.strip_prefix("VmRSS:")).unwrap().trim().trim_end_matches(" kB").trim().parse().unwrap()
}

fn opts<T: serde::de::DeserializeOwned + Default>(v: serde_json::Value) -> T {
    dockerclient::options::parse("options", Some(&v.to_string())).unwrap()
}

const PULL_STREAM: &str = concat!(
    "{\"status\":\"Pulling from x\",\"id\":\"1\"}\r\n",
    "{\"status\":\"Downloading\",\"progressDetail\":{\"current\":1,\"total\":2},\"id\":\"a\"}\r\n",
    "{\"status\":\"Downloading\",\"progressDetail\":{\"current\":2,\"total\":2},\"id\":\"a\"}\r\n",
    "{\"status\":\"Pull complete\",\"progressDetail\":{},\"id\":\"a\"}\r\n",
    "{\"status\":\"Status: Downloaded newer image for 127.0.0.1:5000/x:1\"}\r\n",
);

/// A reader that fails after some bytes (a file that cannot be read to its end).
struct FailingReader(usize);
impl Read for FailingReader {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.0 == 0 {
            return Err(std::io::Error::other("disk gone"));
        }
        let n = buf.len().min(self.0);
        buf[..n].fill(0);
        self.0 -= n;
        Ok(n)
    }
}

fn one_round(real: &Client, fake: &Client, impatient: &Client, archive_names: &[String], round: usize) -> usize {
    let mut calls = 0;
    let mut call = |ok: bool, what: &str, detail: String| {
        assert!(ok, "round {round}, {what}: {detail}");
        calls += 1;
    };
    // Successes.
    call(system::ping(real).is_ok(), "ping", String::new());
    let r = list(real, &ListOptions::default());
    call(r.is_ok(), "list", format!("{r:?}"));
    let r = inspect(real, &archive_names[0], &InspectOptions::default());
    call(r.is_ok(), "inspect", format!("{r:?}"));
    // An error from the daemon, and options refused before any request.
    let r = inspect(real, "dctest/no-such-image-for-leaks:1", &InspectOptions::default());
    call(r.as_ref().is_err_and(|e| e.status == Status::NotFound), "failing inspect", format!("{r:?}"));
    let r = dockerclient::options::parse::<PullOptions>("pull options", Some("{\"image\": 5}"));
    call(r.as_ref().is_err_and(|e| e.status == Status::InvalidArgument), "bad options", format!("{r:?}"));
    // A pull stopped by its callback at each message in turn.
    for stop_at in 0..5 {
        let mut seen = 0;
        let r = pull(fake, &PullOptions::new("127.0.0.1:5000/x:1"), Io::progress(&mut |_| {
            seen += 1;
            seen <= stop_at
        }));
        call(r.as_ref().is_err_and(|e| e.status == Status::Cancelled), "stopped pull", format!("{r:?}"));
    }
    // A save stopped at its first chunk.
    let r = save(real, &opts::<SaveOptions>(json!({"names": archive_names})), Io::output(&mut |_| false));
    call(r.as_ref().is_err_and(|e| e.status == Status::Cancelled), "stopped save", format!("{r:?}"));
    // A time limit that expires: the fake daemon stalls mid-answer.
    let r = list(impatient, &ListOptions::default());
    call(r.as_ref().is_err_and(|e| e.status == Status::Timeout), "timeout", format!("{r:?}"));
    // A cancel token triggered from another thread while the daemon stalls.
    let token = CancelToken::new();
    let trigger = {
        let t = token.clone();
        thread::spawn(move || {
            thread::sleep(Duration::from_millis(5));
            t.trigger();
        })
    };
    let r = list(&fake.with_cancel(token), &ListOptions::default());
    trigger.join().unwrap();
    call(r.as_ref().is_err_and(|e| e.status == Status::Cancelled), "cancel token", format!("{r:?}"));
    // The server hangs up without answering.
    let r = inspect(fake, "hangup", &InspectOptions::default());
    call(r.as_ref().is_err_and(|e| e.status == Status::Transport), "hangup", format!("{r:?}"));
    // An upload whose input fails half-way.
    let r = load(fake, &LoadOptions::default(), Io::input(&mut FailingReader(100_000)));
    call(r.is_err(), "failing input", format!("{r:?}"));
    // A load that works, from memory (every tenth round: it is the slowest call here).
    if round.is_multiple_of(10) {
        let mut archive = Vec::new();
        save(real, &opts::<SaveOptions>(json!({"names": archive_names})), Io::output(&mut |b| {
            archive.extend_from_slice(b);
            true
        }))
        .unwrap();
        let r = load(real, &LoadOptions::default(), Io::input(&mut Cursor::new(archive)));
        call(r.is_ok(), "load", format!("{r:?}"));
    }
    calls
}

#[test]
fn two_thousand_mixed_calls_leave_nothing_behind() {
    let e = engine();
    let real = e.client();
    let fake_daemon = FakeDaemon::with_version(Some("1.41"), |req| {
        let path = req.path();
        if path.ends_with("/images/create") {
            Reply::Full(200, vec![("Content-Type".into(), "application/json".into())], PULL_STREAM.as_bytes().to_vec())
        } else if path.ends_with("/images/json") {
            Reply::Stall(200, vec![("Content-Type".into(), "application/json".into())], b"[".to_vec(), Duration::from_millis(200))
        } else if path.ends_with("/hangup/json") {
            Reply::Hangup
        } else {
            json(500, r#"{"message":"no"}"#)
        }
    });
    let fake = Client::new(&ClientOptions { host: Some(fake_daemon.host()), ..Default::default() })
        .unwrap()
        .with_docker_config(Default::default());
    let impatient = Client::new(&ClientOptions {
        host: Some(fake_daemon.host()),
        inactivity_timeout_ms: Some(30),
        ..Default::default()
    })
    .unwrap();
    let names = vec![e.base_image()];
    // Warm up: pools, lazily made statics, the allocator's first arenas.
    one_round(&real, &fake, &impatient, &names, 0);
    fake_daemon.forget_seen();
    thread::sleep(Duration::from_millis(300));
    let (fds, tasks, rss) = (open_fds(), threads(), rss_kib());

    let mut calls = 0;
    let mut round = 1;
    let target: usize = std::env::var("DC_LEAK_CALLS").ok().and_then(|v| v.parse().ok()).unwrap_or(2000);
    while calls < target {
        calls += one_round(&real, &fake, &impatient, &names, round);
        fake_daemon.forget_seen();
        round += 1;
    }
    // The fake daemon's own threads (stalled answers) end a moment later.
    for _ in 0..100 {
        if threads() <= tasks {
            break;
        }
        thread::sleep(Duration::from_millis(50));
    }
    let (fds_after, tasks_after, rss_after) = (open_fds(), threads(), rss_kib());
    eprintln!(
        "{calls} mixed calls: open files {fds} -> {fds_after}, threads {tasks} -> {tasks_after}, RSS {rss} -> {rss_after} KiB"
    );
    assert!(fds_after <= fds + 2, "open files grew from {fds} to {fds_after}");
    assert!(tasks_after <= tasks, "threads grew from {tasks} to {tasks_after}");
    // Memory: the allocator keeps some of what was freed; a leak of one buffer per call
    // (2,000 x 16 KiB and more) would be far beyond this.
    assert!(rss_after <= rss + 8 * 1024, "RSS grew from {rss} to {rss_after} KiB");
}
