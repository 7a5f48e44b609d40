//! Cancelling calls from another thread: a silent build step (classic, BuildKit, over TCP and
//! TLS), a stalled pull, a large save to a file, a list against a daemon that never answers.
//! Each returns cancelled before the daemon's own end, its time to return is printed (not
//! asserted: the machine is shared), and the client stays usable.

mod common;

use std::net::TcpListener;
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

use common::engine::{engine, unique};
use common::fake_daemon::{json, FakeDaemon, Reply};
use common::scratch::Scratch;
use dockerclient::images::build::{build, BuildOptions};
use dockerclient::images::list::{list, ListOptions};
use dockerclient::images::pull::{pull, PullOptions};
use dockerclient::images::save::{save, SaveOptions};
use dockerclient::CancelToken;
use dockerclient::{system, Client, ClientOptions, Io, ProgressMode, Status};
use serde_json::json as j;

/// Triggers `token` `after` from now, on a thread of its own; returns when it was triggered.
fn trigger_later(token: &CancelToken, after: Duration) -> mpsc::Receiver<Instant> {
    let token = token.clone();
    let (tx, rx) = mpsc::channel();
    thread::spawn(move || {
        thread::sleep(after);
        token.trigger();
        let _ = tx.send(Instant::now());
    });
    rx
}

/// Runs `f` with a client that `token` cancels after `after`; returns the error and the time
/// from the trigger to the return.
fn cancelled_after(c: &Client, after: Duration, f: impl FnOnce(&Client) -> dockerclient::Error) -> (dockerclient::Error, Duration) {
    let token = CancelToken::new();
    let fired = trigger_later(&token, after);
    let e = f(&c.with_cancel(token));
    let returned = Instant::now();
    let at = fired.recv().expect("the trigger ran");
    (e, returned.saturating_duration_since(at))
}

fn client_of(host: &str) -> Client {
    Client::new(&ClientOptions { host: Some(host.to_string()), ..Default::default() }).unwrap().with_docker_config(Default::default())
}

/// Whether a process whose command line contains `needle` runs here.
fn running(needle: &str) -> bool {
    std::fs::read_dir("/proc").unwrap().flatten().any(|p| {
        std::fs::read(p.path().join("cmdline")).is_ok_and(|c| String::from_utf8_lossy(&c).replace('\0', " ").contains(needle))
    })
}

fn wait_gone(needle: &str) -> bool {
    let deadline = Instant::now() + Duration::from_secs(120);
    while running(needle) && Instant::now() < deadline {
        thread::sleep(Duration::from_millis(100));
    }
    !running(needle)
}

/// A silent RUN step (`sleep N`, unique), built with `opts_json` on client `c`, cancelled once
/// the step runs: cancelled, well before the step's own end, and the step gone on the daemon.
fn silent_build_step_is_cancelled(what: &str, c: &Client, extra: serde_json::Value) {
    let secs = 600 + (std::process::id() % 300) + unique("x").len() as u32 % 7;
    let marker = format!("sleep {secs}");
    let s = Scratch::new(&format!("dc-cancel-{what}"));
    s.file("Dockerfile", format!("FROM {}\nRUN {marker}\n", engine().base_image()));
    let mut o = j!({"context_dir": s.s(), "no_cache": true, "network_mode": "none"});
    o.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
    let opts: BuildOptions = dockerclient::options::parse("build options", Some(&o.to_string())).unwrap();
    let token = CancelToken::new();
    let (tx, rx) = mpsc::channel();
    {
        // Trigger once the step's process exists: the daemon is silent from then on.
        let token = token.clone();
        let marker = marker.clone();
        thread::spawn(move || {
            while !running(&marker) {
                thread::sleep(Duration::from_millis(50));
            }
            thread::sleep(Duration::from_millis(300));
            token.trigger();
            let _ = tx.send(Instant::now());
        });
    }
    let e = build(&c.with_cancel(token), &opts, Io::none()).unwrap_err();
    let returned = Instant::now();
    let fired = rx.recv().unwrap();
    assert_eq!(e.status, Status::Cancelled, "{what}: {e:?}");
    eprintln!("{what}: returned {:?} after the trigger (the step would run {secs} s)", returned.saturating_duration_since(fired));
    assert!(wait_gone(&marker), "{what}: the RUN step still runs on the daemon");
    system::ping(c).expect("the client is still usable");
}

#[test]
fn a_silent_classic_build_step() {
    silent_build_step_is_cancelled("classic over unix", &engine().client(), j!({"version": "1"}));
}

#[test]
fn a_silent_buildkit_build_step() {
    silent_build_step_is_cancelled("buildkit over unix", &engine().client(), j!({"version": "2"}));
}

#[test]
fn a_silent_build_step_over_tcp_and_tls() {
    let e = engine();
    silent_build_step_is_cancelled("classic over tcp", &e.client_with(&format!(r#"{{"host": "{}"}}"#, e.tcp())), j!({"version": "1"}));
    let certs = e.certs();
    let tls = e.client_with(&format!(
        r#"{{"host": "{}", "tls": {{"ca": "{}", "cert": "{}", "key": "{}"}}}}"#,
        e.tls(),
        certs.join("ca.pem").display(),
        certs.join("cert.pem").display(),
        certs.join("key.pem").display()
    ));
    silent_build_step_is_cancelled("buildkit over tls", &tls, j!({"version": "2"}));
}

#[test]
fn a_stalled_pull() {
    let fake = FakeDaemon::with_version(Some("1.41"), |req| {
        if req.path().ends_with("/images/create") {
            Reply::Stall(200, vec![("Content-Type".into(), "application/json".into())], b"{\"status\":\"Pulling from x\",\"id\":\"latest\"}\r\n".to_vec(), Duration::from_secs(3600))
        } else {
            json(404, r#"{"message":"no"}"#)
        }
    });
    let c = client_of(&fake.host());
    let mut messages = 0;
    let (e, took) = cancelled_after(&c, Duration::from_millis(500), |c| {
        pull(c, &PullOptions { progress: ProgressMode::Json, ..PullOptions::new("127.0.0.1:5000/x") }, Io::progress(&mut |_| {
            messages += 1;
            true
        }))
        .unwrap_err()
    });
    assert_eq!(e.status, Status::Cancelled, "{e:?}");
    assert_eq!(messages, 1, "the message before the stall was delivered");
    eprintln!("stalled pull: returned {took:?} after the trigger (the daemon would stall an hour)");
}

#[test]
fn a_list_against_a_daemon_that_never_answers() {
    // Accepts connections, reads, never answers.
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let host = format!("tcp://{}", l.local_addr().unwrap());
    thread::spawn(move || {
        let mut held = Vec::new();
        for s in l.incoming().flatten() {
            held.push(s);
        }
    });
    let c = Client::new(&ClientOptions { host: Some(host), api_version: Some("1.41".into()), ..Default::default() }).unwrap();
    let (e, took) = cancelled_after(&c, Duration::from_millis(300), |c| list(c, &ListOptions::default()).unwrap_err());
    assert_eq!(e.status, Status::Cancelled, "{e:?}");
    eprintln!("silent daemon, list: returned {took:?} after the trigger");
    // A token triggered before the call stops it at once, and other clients are not affected.
    let token = CancelToken::new();
    token.trigger();
    let e = list(&c.with_cancel(token), &ListOptions::default()).unwrap_err();
    assert_eq!(e.status, Status::Cancelled);
}

#[test]
fn a_large_save_to_a_file() {
    // The daemon sends the head and the start of an archive, then nothing: a save stuck in the
    // middle of a (zero-copy) file transfer.
    let fake = FakeDaemon::with_version(Some("1.41"), |req| {
        if req.path().ends_with("/images/get") {
            let mut start = vec![0u8; 512];
            start[..4].copy_from_slice(b"file");
            Reply::Stall(200, vec![("Content-Type".into(), "application/x-tar".into())], start, Duration::from_secs(3600))
        } else {
            json(404, r#"{"message":"no"}"#)
        }
    });
    let c = client_of(&fake.host());
    let dir = Scratch::new("dc-cancel-save");
    let out = dir.join("image.tar");
    let opts: SaveOptions = dockerclient::options::parse("save options", Some(&j!({"names": "x", "output_path": out}).to_string())).unwrap();
    let (e, took) = cancelled_after(&c, Duration::from_millis(500), |c| save(c, &opts, Io::none()).unwrap_err());
    assert_eq!(e.status, Status::Cancelled, "{e:?}");
    assert!(dir.entries().is_empty(), "no archive and no temporary file left: {:?}", dir.entries());
    eprintln!("stalled save to a file: returned {took:?} after the trigger");
}

#[test]
fn a_real_save_to_a_file_and_other_calls_of_the_client_go_on() {
    let e = engine();
    let c = e.client();
    let dir = Scratch::new("dc-cancel-real-save");
    let opts: SaveOptions =
        dockerclient::options::parse("save options", Some(&j!({"names": e.base_image(), "output_path": dir.join("x.tar")}).to_string())).unwrap();
    // Triggered at once: whatever point the save reached, it ends cancelled with no file left.
    let token = CancelToken::new();
    let fired = trigger_later(&token, Duration::from_millis(1));
    let r = save(&c.with_cancel(token), &opts, Io::none());
    fired.recv().unwrap();
    match r {
        Err(err) => assert_eq!(err.status, Status::Cancelled, "{err:?}"),
        Ok(()) => eprintln!("the save finished before the trigger"),
    }
    if dir.entries() != ["x.tar"] {
        assert!(dir.entries().is_empty(), "{:?}", dir.entries());
    }
    // The same client, without the token, works.
    list(&c, &ListOptions::default()).unwrap();
}
