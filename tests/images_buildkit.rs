//! BuildKit builds (`"version": "2"`) on the real engine: features only BuildKit has, parity
//! with `DOCKER_BUILDKIT=1 docker build --progress=plain` (the Debian CLI 20.10, which uses
//! its session protocol), every context source, failures, and a cancel that leaves nothing
//! running on the daemon.
//!
//! The test engine has no bridge network: every RUN step runs with `network_mode: none`.

mod common;
#[path = "images_build/support.rs"]
mod support;

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::net::TcpListener;
use std::process::Command;

use dockerclient::images::build::{build, BuildOptions};
use dockerclient::{Io, ProgressMode, Status};
use serde_json::{json, Value};
use support::*;

use common::engine::{engine, unique};

/// BuildKit runs identical steps of concurrent builds once, under the name the first build
/// gave them (`[2/4] WORKDIR /work` of another Dockerfile): the tests of this file, which compare
/// step names, build one at a time.
static SERIAL: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn serial() -> std::sync::MutexGuard<'static, ()> {
    SERIAL.lock().unwrap_or_else(|p| p.into_inner())
}

/// Options for a BuildKit build of `dir` with text progress.
fn bk(dir: &std::path::Path) -> BuildOptions {
    BuildOptions {
        version: Some(json!("2")),
        network_mode: Some("none".into()),
        progress: ProgressMode::Text,
        ..dir_options(dir)
    }
}

/// `DOCKER_BUILDKIT=1 docker build --network=none --progress=plain <args>` with the Debian CLI
/// 20.10 (BuildKit built in; it sends the context through its session): (ok, stdout, stderr).
fn cli_buildkit(args: &[&str]) -> (bool, String, String) {
    let e = engine();
    let out = Command::new("/usr/bin/docker")
        .args(["-H", &e.unix(), "build", "--network=none", "--progress=plain"])
        .args(args)
        .env("DOCKER_CONFIG", e.cli_config_dir())
        .env("DOCKER_BUILDKIT", "1")
        .output()
        .expect("run /usr/bin/docker");
    (out.status.success(), String::from_utf8_lossy(&out.stdout).into_owned(), String::from_utf8_lossy(&out.stderr).into_owned())
}

/// What plain progress text says: the vertices in the order their headers first appear, and
/// every output line (the time stripped).
#[derive(Debug, Default)]
struct Plain {
    vertices: Vec<String>,
    output: Vec<String>,
}

fn parse_plain(text: &str) -> Plain {
    let mut p = Plain::default();
    let mut seen = std::collections::HashSet::new();
    let mut after_blank = true;
    for line in text.lines() {
        if line.is_empty() {
            after_blank = true;
            continue;
        }
        let header = after_blank;
        after_blank = false;
        let Some(rest) = line.strip_prefix('#') else { continue };
        let Some((num, rest)) = rest.split_once(' ') else { continue };
        if !num.bytes().all(|b| b.is_ascii_digit()) {
            continue;
        }
        if header {
            if seen.insert(num.to_string()) {
                p.vertices.push(rest.to_string());
            }
            continue;
        }
        // `#N 0.123 text`: an output line.
        if let Some((t, text)) = rest.split_once(' ')
            && t.contains('.')
            && t.bytes().all(|b| b.is_ascii_digit() || b == b'.')
        {
            p.output.push(text.to_string());
        }
    }
    p
}

/// The Dockerfile steps (`[stage i/n] …`), without the `[internal]` vertices, which differ
/// between a session context and an uploaded one, as their instructions, sorted and without
/// repeats: BuildKit runs identical steps of several stages (the same `FROM`) once, under the
/// label of whichever stage it met first, so the label is not part of the comparison.
fn steps(vertices: &[String]) -> Vec<String> {
    let mut s: Vec<String> = vertices
        .iter()
        .filter(|v| v.starts_with('[') && !v.starts_with("[internal]"))
        .map(|v| v.split_once("] ").map(|(_, i)| i.to_string()).unwrap_or_else(|| v.clone()))
        .collect();
    s.sort();
    s.dedup();
    s
}

/// Within each stage, the steps in the order they appeared (parallel stages may interleave
/// differently; one stage's steps never do). `FROM` steps are left out: shared between stages,
/// they carry whichever stage's label (see [`steps`]).
fn per_stage(vertices: &[String]) -> BTreeMap<String, Vec<String>> {
    let mut m: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for v in vertices.iter().filter(|v| v.starts_with('[') && !v.starts_with("[internal]") && !v.contains("] FROM ")) {
        let stage = v[1..v.find(']').unwrap()].rsplit_once(' ').map(|(s, _)| s.to_string()).unwrap_or_default();
        m.entry(stage).or_default().push(v.clone());
    }
    m
}

/// Builds `dockerfile` (with `files` in the context) with the library and with the CLI, both
/// through BuildKit, and insists on the same outcome: the same final listing of /work, the same
/// Dockerfile steps, each stage's in the same order.
fn parity(case: &str, dockerfile: &str, files: &[(&str, &str)]) {
    let s = Scratch::new(&format!("dc-bk-{case}"));
    s.file("Dockerfile", dockerfile);
    for (p, c) in files {
        s.file(p, c);
    }
    let mut images = Images::default();
    let tag = format!("{}:lib", unique(&format!("dctest/bk-{case}")));
    let cli_tag = format!("{}:cli", unique(&format!("dctest/bk-{case}")));
    images.add(&tag);
    images.add(&cli_tag);

    let run = run_build(&BuildOptions { tags: vec![tag.clone()], no_cache: Some(true), ..bk(s.path()) }, None);
    let (ok, out, err) = cli_buildkit(&["--no-cache", "-t", &cli_tag, &s.s()]);
    assert!(ok, "{case}: the docker CLI failed: {err}\n{out}");
    run.ok();

    let ours = parse_plain(&run.text());
    let theirs = parse_plain(&err);
    let listing = |p: &Plain| {
        let mut l: Vec<String> = p.output.iter().filter(|l| l.starts_with("/work")).cloned().collect();
        l.sort();
        l
    };
    assert!(!listing(&ours).is_empty(), "{case}: the final step listed nothing:\n{}", run.text());
    assert_eq!(listing(&ours), listing(&theirs), "{case}: different files");
    assert_eq!(steps(&ours.vertices), steps(&theirs.vertices), "{case}: different steps\nours:\n{}\ntheirs:\n{err}", run.text());
    assert_eq!(per_stage(&ours.vertices), per_stage(&theirs.vertices), "{case}: steps in another order");
}

#[test]
fn mount_cache_needs_buildkit_and_builds_with_it() {
    let _serial = serial();
    let s = Scratch::new("dc-bk-mount");
    s.file("Dockerfile", format!("FROM {}\nRUN --mount=type=cache,target=/c echo hi > /c/x && ls /c\n", base()));
    let classic = run_build(&BuildOptions { version: Some(json!("1")), network_mode: Some("none".into()), ..dir_options(s.path()) }, None);
    let e = classic.result.unwrap_err();
    assert!(e.message.contains("--mount option requires BuildKit"), "{e}");

    let mut images = Images::default();
    let run = run_build(&BuildOptions { no_cache: Some(true), ..bk(s.path()) }, None);
    images.add(&run.id());
    let r = run.ok();
    assert!(r["id"].as_str().unwrap().starts_with("sha256:"), "{r}");
    let text = run.text();
    assert!(text.contains("RUN --mount=type=cache,target=/c echo hi > /c/x && ls /c"), "{text}");
    assert!(text.lines().any(|l| l.ends_with(" x") && l.starts_with('#')), "the step's output: {text}");
    assert!(text.contains(" DONE "), "{text}");
    assert!(!text.contains("Sending build context"), "BuildKit prints no classic line: {text}");
}

#[test]
fn parity_mount_cache() {
    let _serial = serial();
    parity(
        "cache",
        &format!("FROM {}\nWORKDIR /work\nRUN --mount=type=cache,target=/c echo hi > /c/x && cp /c/x /work/from-cache\nRUN find /work | sort\n", base()),
        &[],
    );
}

#[test]
fn parity_mount_bind() {
    let _serial = serial();
    parity(
        "bind",
        &format!("FROM {}\nWORKDIR /work\nRUN --mount=type=bind,source=data.txt,target=/mnt/d cp /mnt/d /work/copied\nRUN find /work | sort && cat /work/copied\n", base()),
        &[("data.txt", "bound\n")],
    );
}

#[test]
fn parity_mount_tmpfs() {
    let _serial = serial();
    parity(
        "tmpfs",
        &format!("FROM {}\nWORKDIR /work\nRUN --mount=type=tmpfs,target=/t touch /t/gone && ls /t > /work/seen\nRUN find /work | sort && ls /t 2>/dev/null | wc -l\n", base()),
        &[],
    );
}

#[test]
fn parity_multi_stage_skips_the_unused_stage() {
    let _serial = serial();
    parity(
        "stages",
        &format!(
            "FROM {b} AS unused\nRUN echo this stage must not run && exit 1\n\
             FROM {b} AS one\nRUN mkdir -p /out && echo one > /out/one\n\
             FROM {b}\nWORKDIR /work\nCOPY --from=one /out/one /work/one\nCOPY a.txt /work/\nRUN find /work | sort\n",
            b = base()
        ),
        &[("a.txt", "a")],
    );
}

#[test]
fn parity_build_arg_in_from() {
    let _serial = serial();
    parity(
        "argfrom",
        &format!("ARG BASE={}\nFROM $BASE\nARG BASE\nWORKDIR /work\nRUN echo \"$BASE\" > /work/base\nRUN find /work | sort && cat /work/base\n", base()),
        &[],
    );
}

#[test]
fn copy_chmod_as_the_cli_does() {
    let _serial = serial();
    // The built-in frontend of Engine 20.10 may or may not have COPY --chmod: whatever the CLI
    // does, the library does.
    let s = Scratch::new("dc-bk-chmod");
    s.file("Dockerfile", format!("FROM {}\nWORKDIR /work\nCOPY --chmod=0751 tool.sh /work/tool.sh\nRUN ls -l /work/tool.sh\n", base()));
    s.file("tool.sh", "#!/bin/sh\n");
    let mut images = Images::default();
    let run = run_build(&BuildOptions { no_cache: Some(true), ..bk(s.path()) }, None);
    if let Ok(r) = &run.result {
        images.add(r["id"].as_str().unwrap());
    }
    let (ok, out, err) = cli_buildkit(&["--no-cache", &s.s()]);
    assert_eq!(run.result.is_ok(), ok, "library: {:?}\nCLI: {err}{out}", run.result);
    if ok {
        let mode = |p: &Plain| p.output.iter().find(|l| l.contains("/work/tool.sh")).map(|l| l.split_whitespace().next().unwrap().to_string());
        assert_eq!(mode(&parse_plain(&run.text())), mode(&parse_plain(&err)));
        assert_eq!(mode(&parse_plain(&run.text())).as_deref(), Some("-rwxr-x--x"));
    }
}

#[test]
fn a_failing_step_reports_its_name_error_and_last_output() {
    let _serial = serial();
    let s = Scratch::new("dc-bk-fail");
    s.file("Dockerfile", format!("FROM {}\nRUN echo output-before-failure && echo more && false\n", base()));
    let run = run_build(&BuildOptions { no_cache: Some(true), ..bk(s.path()) }, None);
    let e = run.result.as_ref().unwrap_err();
    assert_eq!(e.status, Status::StreamError, "{e:?}");
    let daemon = e.daemon_message.as_deref().unwrap();
    assert!(daemon.contains("exit code: 1"), "{daemon}");
    assert!(e.message.starts_with(daemon), "the daemon's message first: {}", e.message);
    assert!(e.message.contains("[2/2] RUN echo output-before-failure && echo more && false"), "{}", e.message);
    assert!(e.message.contains("output-before-failure\nmore"), "the last output: {}", e.message);
    let text = run.text();
    assert!(text.contains("ERROR: "), "{text}");
    assert!(text.contains("------\n > [2/2] RUN echo output-before-failure"), "the error box: {text}");
}

#[test]
fn a_missing_base_image_and_a_bad_instruction_fail() {
    let _serial = serial();
    let s = Scratch::new("dc-bk-missing");
    s.file("Dockerfile", format!("FROM {}/{}:nope\n", engine().registry(), unique("dctest/missing")));
    let e = run_build(&bk(s.path()), None).result.unwrap_err();
    assert!(matches!(e.status, Status::NotFound | Status::StreamError), "{e:?}");
    assert!(e.message.contains("not found") || e.message.contains("manifest unknown"), "{e}");

    let s = Scratch::new("dc-bk-bad");
    s.file("Dockerfile", format!("FROM {}\nFLY away\n", base()));
    let e = run_build(&bk(s.path()), None).result.unwrap_err();
    assert_ne!(e.status, Status::Ok);
    assert!(e.message.to_lowercase().contains("unknown instruction"), "{e}");
}

#[test]
fn json_progress_is_decoded_events_and_raw_is_the_daemons() {
    let _serial = serial();
    let s = Scratch::new("dc-bk-json");
    s.file("Dockerfile", format!("FROM {}\nRUN echo event-out\n", base()));
    let mut images = Images::default();
    let run = run_build(&BuildOptions { no_cache: Some(true), progress: ProgressMode::Json, ..bk(s.path()) }, None);
    images.add(&run.id());
    let events = run.messages();
    let types: std::collections::BTreeSet<&str> = events.iter().filter_map(|e| e["type"].as_str()).collect();
    assert!(types.contains("vertex") && types.contains("log") && types.contains("image"), "{types:?}");
    let step = events
        .iter()
        .find(|e| e["type"] == "vertex" && e["state"] == "done" && e["name"].as_str().unwrap().contains("RUN echo event-out"))
        .expect("the RUN step completed");
    assert!(step["number"].as_u64().unwrap() > 0 && step["vertex"].as_str().unwrap().starts_with("sha256:"), "{step}");
    assert!(step["duration"].as_f64().is_some(), "{step}");
    assert!(events.iter().any(|e| e["type"] == "log" && e["text"].as_str().unwrap().contains("event-out")));
    let image = events.iter().find(|e| e["type"] == "image").unwrap();
    assert_eq!(image["id"], run.ok()["id"]);

    let run = run_build(&BuildOptions { progress: ProgressMode::Raw, ..bk(s.path()) }, None);
    images.add(&run.id());
    let raw = run.messages();
    assert!(raw.iter().any(|m| m["id"] == "moby.buildkit.trace" && m["aux"].is_string()), "raw trace messages");
    assert!(raw.iter().any(|m| m["id"] == "moby.image.id"), "raw image id message");
}

#[test]
fn every_context_source_builds_with_buildkit() {
    let _serial = serial();
    let mut images = Images::default();
    // A directory with a .dockerignore, a Dockerfile outside the context, inline content.
    let s = Scratch::new("dc-bk-sources");
    s.file("ctx/keep.txt", "k");
    s.file("ctx/skip.log", "s");
    s.file("ctx/.dockerignore", "*.log\n");
    let df = format!("FROM {}\nWORKDIR /work\nCOPY . /work/\nRUN find /work -name '*.txt' -o -name '*.log' | sort\n", base());
    s.file("elsewhere/Dockerfile", &df);
    for opts in [
        BuildOptions { dockerfile: Some(s.join("elsewhere/Dockerfile").display().to_string()), ..bk(&s.join("ctx")) },
        BuildOptions { dockerfile_content: Some(df.clone()), ..bk(&s.join("ctx")) },
    ] {
        let run = run_build(&BuildOptions { no_cache: Some(true), ..opts }, None);
        images.add(&run.id());
        let out = parse_plain(&run.text()).output;
        assert!(out.iter().any(|l| l == "/work/keep.txt"), "{}", run.text());
        assert!(!out.iter().any(|l| l.contains("skip.log")), ".dockerignore applied: {}", run.text());
    }
    // A tar from the caller's reader.
    let tar = {
        let mut b = tar::Builder::new(Vec::new());
        let mut add = |name: &str, data: &[u8]| {
            let mut h = tar::Header::new_gnu();
            h.set_size(data.len() as u64);
            h.set_mode(0o644);
            h.set_cksum();
            b.append_data(&mut h, name, data).unwrap();
        };
        add("Dockerfile", format!("FROM {}\nCOPY from-reader.txt /\nRUN cat /from-reader.txt\n", base()).as_bytes());
        add("from-reader.txt", b"read-callback-context\n");
        b.into_inner().unwrap()
    };
    let c = client();
    let mut reader = std::io::Cursor::new(tar.clone());
    let run = run_build_on(&c, &BuildOptions { version: Some(json!("2")), network_mode: Some("none".into()), progress: ProgressMode::Text, no_cache: Some(true), ..Default::default() }, Some(&mut reader));
    images.add(&run.id());
    assert!(run.text().contains("read-callback-context"), "{}", run.text());
    // A remote tarball the daemon fetches.
    let url = serve_once(tar);
    let run = run_build(&BuildOptions { remote: Some(url), version: Some(json!("2")), network_mode: Some("none".into()), progress: ProgressMode::Text, no_cache: Some(true), ..Default::default() }, None);
    images.add(&run.id());
    assert!(run.text().contains("read-callback-context"), "{}", run.text());
}

/// Serves `body` once over HTTP on a loopback port; returns its URL.
fn serve_once(body: Vec<u8>) -> String {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/context.tar", l.local_addr().unwrap());
    std::thread::spawn(move || {
        for conn in l.incoming().take(4) {
            let Ok(mut conn) = conn else { continue };
            let mut head = [0u8; 4096];
            let _ = conn.read(&mut head);
            let _ = write!(conn, "HTTP/1.1 200 OK\r\nContent-Type: application/x-tar\r\nContent-Length: {}\r\nConnection: close\r\n\r\n", body.len());
            let _ = conn.write_all(&body);
        }
    });
    url
}

/// Whether a process whose command line contains `needle` runs on this machine (the engine's
/// containers are processes here).
fn running(needle: &str) -> bool {
    std::fs::read_dir("/proc").unwrap().flatten().any(|p| {
        std::fs::read(p.path().join("cmdline")).is_ok_and(|c| String::from_utf8_lossy(&c).replace('\0', " ").contains(needle))
    })
}

#[test]
fn a_cancelled_build_stops_on_the_daemon() {
    let _serial = serial();
    let marker = format!("sleep {}", 3000 + std::process::id() % 1000);
    let s = Scratch::new("dc-bk-cancel");
    s.file("Dockerfile", format!("FROM {}\nRUN echo started && {marker}\n", base()));
    let c = client();
    let opts = BuildOptions { no_cache: Some(true), ..bk(s.path()) };
    let mut saw_start = false;
    let mut cb = |b: &[u8]| {
        saw_start |= String::from_utf8_lossy(b).contains("started");
        // Stop once the step runs (its process exists), not before.
        !(saw_start && running(&marker))
    };
    let t0 = std::time::Instant::now();
    let e = build(&c, &opts, Io::progress(&mut cb)).unwrap_err();
    assert_eq!(e.status, Status::Cancelled, "{e:?}");
    eprintln!("cancelled after {:?}", t0.elapsed());
    // The daemon was asked to stop the build: its RUN process goes away (a hang guard only;
    // the build itself would run for an hour).
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(120);
    while running(&marker) && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(200));
    }
    assert!(!running(&marker), "the RUN step still runs on the daemon");
    eprintln!("no build left running {:?} after the cancel", t0.elapsed());
    // The client is still usable.
    let run = run_build_on(&c, &BuildOptions { dockerfile_content: Some(format!("FROM {}\n", base())), ..bk(s.path()) }, None);
    let mut images = Images::default();
    images.add(&run.id());
}

#[test]
fn the_dockerignore_parity_cases_hold_through_buildkit() {
    let _serial = serial();
    // The cases that differ between builders are in tests/dockerignore_cli_parity.rs (both
    // builders there); here, the classic builder's expectations for one context through BuildKit.
    let s = Scratch::new("dc-bk-ignore");
    s.file("Dockerfile", format!("FROM {}\nCOPY . /ctx\nRUN find /ctx | sort\n", base()));
    s.file(".dockerignore", "**/*.log\n!keep.log\ntmp\n");
    for f in ["a.txt", "b.log", "keep.log", "tmp/x", "sub/c.log", "sub/d.txt"] {
        s.file(f, f);
    }
    let mut images = Images::default();
    let run = run_build(&BuildOptions { no_cache: Some(true), ..bk(s.path()) }, None);
    images.add(&run.id());
    let mut ours: Vec<String> = parse_plain(&run.text()).output.into_iter().filter_map(|l| l.strip_prefix("/ctx/").map(str::to_string)).collect();
    ours.sort();
    let (ok, _, err) = cli_buildkit(&["--no-cache", &s.s()]);
    assert!(ok, "{err}");
    let mut theirs: Vec<String> = parse_plain(&err).output.into_iter().filter_map(|l| l.strip_prefix("/ctx/").map(str::to_string)).collect();
    theirs.sort();
    assert_eq!(ours, theirs);
    assert_eq!(ours, [".dockerignore", "Dockerfile", "a.txt", "keep.log", "sub", "sub/d.txt"]);
}

#[test]
fn options_buildkit_would_ignore_are_refused() {
    let _serial = serial();
    let s = Scratch::new("dc-bk-refuse");
    s.file("Dockerfile", "FROM scratch\n");
    for (extra, says) in [
        (json!({"memory": 1 << 30}), "memory"),
        (json!({"cpu_shares": 2}), "cpu_shares"),
        (json!({"cgroup_parent": "x"}), "cgroup_parent"),
        (json!({"rm": false}), "rm"),
        (json!({"network_mode": "bridge"}), "network_mode"),
        (json!({"shm_size": 1 << 20}), "1.42"),
        (json!({"ulimits": [{"name": "nofile", "soft": 1, "hard": 2}]}), "1.42"),
        (json!({"auth_configs": {"r": {"username": "u"}}, "session": false}), "auth_configs"),
        (json!({"outputs": [{"Type": "registry", "Attrs": {}}]}), "not supported"),
        (json!({"aggregate": true}), "aggregate"),
    ] {
        let mut o = serde_json::to_value(json!({"context_dir": s.s(), "version": "2"})).unwrap();
        o.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
        let opts: BuildOptions = dockerclient::options::parse("build options", Some(&o.to_string())).unwrap();
        let e = run_build(&opts, None).result.unwrap_err();
        assert_eq!(e.status, Status::Unsupported, "{o}: {e:?}");
        assert!(e.message.contains(says), "{o}: {e}");
    }
    // And the one BuildKit-only option for the classic builder.
    let opts: BuildOptions = dockerclient::options::parse("build options", Some(&json!({"context_dir": s.s(), "version": "1", "build_id": "x"}).to_string())).unwrap();
    let e = run_build(&opts, None).result.unwrap_err();
    assert!(e.status == Status::Unsupported && e.message.contains("build_id"), "{e:?}");
}

#[allow(dead_code)]
fn unused(_: Value) {}
