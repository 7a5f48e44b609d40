//! What the real 1.41 engine cannot show about save, load and import: the exact queries sent
//! (repeated `names=`, JSON-encoded platforms of API 1.48/1.52, `quiet` always explicit, import's
//! parameters), version gates, and a daemon that fails after it started sending an archive.

mod common;

use std::io::Cursor;

use common::fake_daemon::{json, FakeDaemon, Reply};
use common::scratch::Scratch;
use dockerclient::images::import::import;
use dockerclient::images::load::{load, LoadOptions};
use dockerclient::images::save::save;
use dockerclient::{Client, ClientOptions, Status};
use dockerclient::images::io::Io;
use serde::de::DeserializeOwned;
use serde_json::{json as j, Value};

fn opts<T: DeserializeOwned + Default>(v: Value) -> T {
    dockerclient::options::parse("options", Some(&v.to_string())).expect("valid options")
}

fn client(d: &FakeDaemon) -> Client {
    Client::new(&ClientOptions { host: Some(d.host()), ..Default::default() }).unwrap()
}

fn tar_reply(body: Vec<u8>) -> Reply {
    Reply::Full(200, vec![("Content-Type".into(), "application/x-tar".into())], body)
}

/// A small valid archive.
fn small_tar() -> Vec<u8> {
    let mut b = tar::Builder::new(Vec::new());
    let mut h = tar::Header::new_gnu();
    h.set_size(3);
    h.set_cksum();
    b.append_data(&mut h, "manifest.json", &b"[]\n"[..]).unwrap();
    b.into_inner().unwrap()
}

fn sink() -> impl FnMut(&[u8]) -> bool {
    |_: &[u8]| true
}

#[test]
fn save_sends_repeated_names_and_json_platforms() {
    let d = FakeDaemon::with_version(Some("1.52"), |_| tar_reply(small_tar()));
    let c = client(&d);
    let mut got = Vec::new();
    save(
        &c,
        &opts(j!({"names": ["a:1", "b,c", "sha256:abc"], "platform": ["linux/amd64", "linux/arm/v7"]})), Io::output(&mut |b: &[u8]| {
            got.extend_from_slice(b);
            true
        }))
    .unwrap();
    assert_eq!(got, small_tar());
    let targets = d.targets();
    assert_eq!(targets.len(), 1);
    let amd = "%7B%22architecture%22%3A%22amd64%22%2C%22os%22%3A%22linux%22%7D";
    let arm = "%7B%22architecture%22%3A%22arm%22%2C%22os%22%3A%22linux%22%2C%22variant%22%3A%22v7%22%7D";
    assert_eq!(
        targets[0],
        format!("/v1.52/images/get?names=a%3A1&names=b%2Cc&names=sha256%3Aabc&platform={amd}&platform={arm}")
    );
}

#[test]
fn platform_gates_for_save_and_load() {
    let d = FakeDaemon::with_version(Some("1.48"), |req| {
        if req.path().ends_with("/images/load") {
            json(200, "{\"stream\":\"Loaded image ID: sha256:0\\n\"}\r\n")
        } else {
            tar_reply(small_tar())
        }
    });
    let c = client(&d);
    // One platform is fine at 1.48; two need 1.52 and are refused before any request.
    save(&c, &opts(j!({"names": "a", "platform": "linux/amd64"})), Io::output(&mut sink())).unwrap();
    let e = save(&c, &opts(j!({"names": "a", "platform": ["linux/amd64", "linux/arm64"]})), Io::output(&mut sink()))
        .unwrap_err();
    assert_eq!(e.status, Status::Unsupported, "{e}");
    assert!(e.message.contains("1.52"), "{e}");
    load(&c, &opts(j!({"platform": "linux/arm64/v8"})), Io::input(&mut Cursor::new(small_tar()))).unwrap();
    let e = load(&c, &opts(j!({"platform": ["linux/amd64", "linux/arm64"]})), Io::input(&mut Cursor::new(small_tar())))
        .unwrap_err();
    assert_eq!(e.status, Status::Unsupported, "{e}");
    let targets = d.targets();
    assert_eq!(targets.len(), 2, "{targets:?}");
    assert!(targets[0].starts_with("/v1.48/images/get?names=a&platform=%7B"), "{targets:?}");
    assert!(targets[1].starts_with("/v1.48/images/load?quiet=1&platform=%7B"), "{targets:?}");
}

#[test]
fn load_always_sends_quiet() {
    let d = FakeDaemon::with_version(Some("1.41"), |_| {
        json(200, "{\"stream\":\"Loaded image ID: sha256:0123\\n\"}\r\n")
    });
    let c = client(&d);
    let body = small_tar();
    let r = load(&c, &LoadOptions::default(), Io::input(&mut Cursor::new(&body))).unwrap();
    assert_eq!(r.to_json(), r#"{"images":[{"id":"sha256:0123","name":null}]}"#);
    load(&c, &LoadOptions::default(), Io::input(&mut Cursor::new(&body)).with_progress(Some(&mut sink()))).unwrap();
    load(&c, &opts(j!({"quiet": true})), Io::input(&mut Cursor::new(&body)).with_progress(Some(&mut sink()))).unwrap();
    load(&c, &opts(j!({"quiet": false})), Io::input(&mut Cursor::new(&body))).unwrap();
    assert_eq!(
        d.targets(),
        vec![
            "/v1.41/images/load?quiet=1",
            "/v1.41/images/load?quiet=0",
            "/v1.41/images/load?quiet=1",
            "/v1.41/images/load?quiet=0"
        ]
    );
    let seen = d.seen().into_iter().find(|s| s.path().ends_with("/images/load")).unwrap();
    assert_eq!(seen.body, body, "the archive is the request body, unchanged");
    assert_eq!(seen.header("Content-Type"), Some("application/x-tar"));
}

#[test]
fn import_sends_its_parameters() {
    let id = format!("sha256:{}", "ab".repeat(32));
    let reply = format!("{{\"status\":\"{id}\"}}\r\n");
    let d = FakeDaemon::with_version(Some("1.41"), move |_| json(200, &reply));
    let c = client(&d);
    let r = import(
        &c,
        &opts(j!({
            "repository": "me/app",
            "tag": "v1",
            "message": "hi & bye",
            "changes": ["ENV A=b c", "CMD [\"/x\"]"],
            "platform": "Linux/AMD64",
        })), Io::input(&mut Cursor::new(b"rootfs".to_vec())))
    .unwrap();
    assert_eq!(r.to_json(), format!("{{\"id\":\"{id}\"}}"));
    import(&c, &opts(j!({"url": "https://example.com/r.tgz"})), Io::none()).unwrap();
    let seen = d.seen().into_iter().filter(|s| s.path() != "/_ping").collect::<Vec<_>>();
    assert_eq!(
        seen[0].target,
        "/v1.41/images/create?fromSrc=-&repo=me%2Fapp&tag=v1&message=hi+%26+bye&changes=ENV+A%3Db+c&changes=CMD+%5B%22%2Fx%22%5D&platform=linux%2Famd64"
    );
    assert_eq!(seen[0].body, b"rootfs");
    assert_eq!(seen[1].target, "/v1.41/images/create?fromSrc=https%3A%2F%2Fexample.com%2Fr.tgz");
    assert!(seen[1].body.is_empty());
}

#[test]
fn import_platform_needs_1_32_and_a_missing_id_is_an_error() {
    let d = FakeDaemon::with_version(Some("1.30"), |_| json(200, "{\"status\":\"Importing\"}\r\n"));
    let c = client(&d);
    let e = import(&c, &opts(j!({"platform": "linux"})), Io::input(&mut Cursor::new(Vec::new()))).unwrap_err();
    assert_eq!(e.status, Status::Unsupported, "{e}");
    assert!(e.message.contains("1.32"), "{e}");
    assert!(d.targets().is_empty(), "refused before any request");
    let e = import(&c, &opts(j!({})), Io::input(&mut Cursor::new(Vec::new()))).unwrap_err();
    assert_eq!(e.status, Status::ServerError, "{e}");
    assert!(e.message.contains("no image ID"), "{e}");
}

#[test]
fn a_daemon_failing_mid_archive_fails_the_save_and_leaves_no_file() {
    // The engine writes a JSON error message into the archive once it has started sending;
    // plain text (a proxy, an older engine) and a bare cut are recognized too.
    let whole = small_tar();
    let partial = whole[..512 + 512].to_vec(); // a header and its data block, no end marker
    let mut with_json = partial.clone();
    with_json.extend_from_slice(b"{\"errorDetail\":{\"message\":\"failed to read blob\"},\"error\":\"failed to read blob\"}\r\n");
    let mut with_text = partial.clone();
    with_text.extend_from_slice(b"write /tmp/x: no space left on device");
    for (i, (body, want)) in [
        (with_json, Some("failed to read blob")),
        (with_text, Some("write /tmp/x: no space left on device")),
        (partial, None),
    ]
    .into_iter()
    .enumerate()
    {
        let d = FakeDaemon::with_version(Some("1.41"), move |_| tar_reply(body.clone()));
        let c = client(&d);
        let dir = Scratch::new(&format!("dc-archive-fake-{i}"));
        let out = dir.join("out.tar");
        let e = save(&c, &opts(j!({"names": "a", "output_path": out})), Io::none()).unwrap_err();
        assert!(e.message.contains("incomplete"), "{e}");
        assert_eq!(e.daemon_message.as_deref(), want, "{e:?}");
        let left: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
        assert!(left.is_empty(), "no archive and no temporary file: {left:?}");
        // Through a callback: the same failure.
        let e = save(&c, &opts(j!({"names": "a"})), Io::output(&mut sink())).unwrap_err();
        assert!(e.message.contains("incomplete"), "{e}");
    }
}

#[test]
fn load_error_inside_the_stream_is_a_failure() {
    let d = FakeDaemon::with_version(Some("1.41"), |_| {
        json(
            200,
            "{\"status\":\"Loading layer\",\"progressDetail\":{\"current\":1,\"total\":2},\"id\":\"x\"}\r\n\
             {\"errorDetail\":{\"message\":\"Error processing tar file(exit status 1): unexpected EOF\"},\"error\":\"Error processing tar file(exit status 1): unexpected EOF\"}\r\n",
        )
    });
    let c = client(&d);
    let mut seen = Vec::new();
    let e = load(&c, &LoadOptions::default(), Io::input(&mut Cursor::new(small_tar())).with_progress(Some(&mut |b: &[u8]| {
        seen.push(b.to_vec());
        true
    })))
    .unwrap_err();
    assert_eq!(e.status, Status::StreamError);
    assert_eq!(e.daemon_message.as_deref(), Some("Error processing tar file(exit status 1): unexpected EOF"));
    assert_eq!(seen.len(), 2, "the caller saw the error message too");
}

#[test]
fn load_refused_with_an_http_error_carries_the_daemons_message() {
    // Engines that check the archive before answering report it as an HTTP error instead.
    let d = FakeDaemon::with_version(Some("1.41"), |_| {
        json(500, "{\"message\":\"Error processing tar file(exit status 1): unexpected EOF\"}")
    });
    let c = client(&d);
    let e = load(&c, &LoadOptions::default(), Io::input(&mut Cursor::new(small_tar()))).unwrap_err();
    assert_eq!(e.status, Status::ServerError);
    assert_eq!(e.http_status, 500);
    assert_eq!(e.daemon_message.as_deref(), Some("Error processing tar file(exit status 1): unexpected EOF"));
}

/// An archive like a save's: small JSON files around a layer big enough to be spliced.
fn archive_with_a_big_layer() -> Vec<u8> {
    let mut b = tar::Builder::new(Vec::new());
    let layer: Vec<u8> = (0..700_001u32).map(|i| (i.wrapping_mul(2654435761) >> 13) as u8).collect();
    for (name, data) in [
        ("abc/VERSION", &b"1.0"[..]),
        ("abc/layer.tar", &layer[..]),
        ("manifest.json", &b"[{\"Config\":\"x.json\"}]"[..]),
    ] {
        let mut h = tar::Header::new_gnu();
        h.set_size(data.len() as u64);
        h.set_mode(0o644);
        h.set_cksum();
        b.append_data(&mut h, name, data).unwrap();
    }
    b.into_inner().unwrap()
}

/// A whole HTTP answer with a chunked body, in chunks of `size` (one with an extension).
fn chunked_reply(status: u16, body: &[u8], size: usize) -> Vec<u8> {
    let mut w = format!("HTTP/1.1 {status} OK\r\nContent-Type: application/x-tar\r\nTransfer-Encoding: chunked\r\n\r\n")
        .into_bytes();
    for (i, c) in body.chunks(size).enumerate() {
        let ext = if i == 1 { ";note=x" } else { "" };
        w.extend_from_slice(format!("{:x}{ext}\r\n", c.len()).as_bytes());
        w.extend_from_slice(c);
        w.extend_from_slice(b"\r\n");
    }
    w.extend_from_slice(b"0\r\n\r\n");
    w
}

#[test]
fn output_path_over_plain_tcp_gets_every_byte_whatever_the_framing() {
    // Over a Unix socket or plain TCP, save to a file moves layer data with splice(2) and
    // decodes the HTTP framing itself: chunked (as the engine sends), Content-Length, or
    // until the daemon closes.
    let archive = archive_with_a_big_layer();
    let until_close = {
        let mut w = b"HTTP/1.0 200 OK\r\nContent-Type: application/x-tar\r\n\r\n".to_vec();
        w.extend_from_slice(&archive);
        w
    };
    let replies: Vec<(&str, Vec<u8>)> = vec![
        ("chunked 32 KiB", chunked_reply(200, &archive, 32 * 1024)),
        ("chunked 1000", chunked_reply(200, &archive, 1000)),
        ("chunked 1 MiB", chunked_reply(200, &archive, 1 << 20)),
        ("until close", until_close),
    ];
    for (what, reply) in replies {
        let d = FakeDaemon::with_version(Some("1.41"), move |_| Reply::Raw(reply.clone()));
        let c = client(&d);
        let dir = Scratch::new("dc-archive-fake-framing");
        let out = dir.join("image.tar");
        save(&c, &opts(j!({"names": "a", "output_path": out})), Io::none()).unwrap_or_else(|e| panic!("{what}: {e}"));
        assert!(std::fs::read(&out).unwrap() == archive, "{what}: the file is the archive");
        let mut through_callback = Vec::new();
        save(&c, &opts(j!({"names": "a"})), Io::output(&mut |b: &[u8]| {
            through_callback.extend_from_slice(b);
            true
        }))
        .unwrap();
        assert!(through_callback == archive, "{what}: the callback got the archive");
    }
    // Content-Length framing, through the fake's own replies.
    let d = FakeDaemon::with_version(Some("1.41"), move |_| tar_reply(archive_with_a_big_layer()));
    let dir = Scratch::new("dc-archive-fake-length");
    let out = dir.join("image.tar");
    save(&client(&d), &opts(j!({"names": "a", "output_path": out})), Io::none()).unwrap();
    assert!(std::fs::read(&out).unwrap() == archive_with_a_big_layer());
}

#[test]
fn output_path_failures_on_the_direct_path_leave_no_file() {
    let archive = archive_with_a_big_layer();
    let whole = chunked_reply(200, &archive, 32 * 1024);
    let cut = whole[..whole.len() / 2].to_vec();
    let not_found = b"HTTP/1.1 404 Not Found\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n2b\r\n{\"message\":\"reference does not exist: a\"}\n\r\n0\r\n\r\n".to_vec();
    let garbage = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nnot-hex\r\n".to_vec();
    let cases: Vec<(&str, Reply, Status, &str)> = vec![
        ("cut mid-chunk", Reply::Raw(cut), Status::Transport, "closed the connection"),
        ("404", Reply::Raw(not_found), Status::NotFound, "reference does not exist"),
        ("bad framing", Reply::Raw(garbage), Status::Transport, "chunk size"),
        (
            "stalled",
            Reply::Stall(200, vec![], archive[..100_000].to_vec(), std::time::Duration::from_secs(30)),
            Status::Timeout,
            "timed out",
        ),
    ];
    for (what, reply, status, text) in cases {
        let reply = std::sync::Mutex::new(Some(reply));
        let d = FakeDaemon::with_version(Some("1.41"), move |_| reply.lock().unwrap().take().unwrap_or(Reply::Hangup));
        let c = client(&d);
        let dir = Scratch::new("dc-archive-fake-fail");
        let out = dir.join("image.tar");
        let e = save(&c, &opts(j!({"names": "a", "output_path": out, "inactivity_timeout_ms": 300})), Io::none())
            .expect_err(what);
        assert_eq!(e.status, status, "{what}: {e}");
        assert!(e.to_string().contains(text), "{what}: {e}");
        let left: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
        assert!(left.is_empty(), "{what}: no archive and no temporary file: {left:?}");
    }
}
