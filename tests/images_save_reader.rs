//! A save read by its caller (`SaveReader`, `dc_image_save_open` / `dc_reader_read`): the same
//! archive as the other save paths on every kind of endpoint and with any buffer size, its end
//! only after a whole archive, a failure mid-archive after the bytes that came first, a cancel
//! from another thread, and a reader dropped early.

mod common;

use std::io::Cursor;
use std::time::Duration;

use common::engine::{engine, unique};
use common::fake_daemon::{FakeDaemon, Reply};
use dockerclient::images::import::import;
use dockerclient::images::io::Io;
use dockerclient::images::save::{save, SaveOptions};
use dockerclient::images::save_reader::SaveReader;
use dockerclient::{CancelToken, Client, ClientOptions, Status};
use serde_json::{json, Value};

fn opts(v: Value) -> SaveOptions {
    dockerclient::options::parse("options", Some(&v.to_string())).expect("valid options")
}

/// Reads a reader to its end with reads of `size` bytes; checks that only the last read is
/// short and that the end stays the end.
fn read_all(r: &mut SaveReader, size: usize) -> Vec<u8> {
    let mut all = Vec::new();
    let mut buf = vec![0u8; size];
    let mut short = false;
    loop {
        let n = r.read(&mut buf).expect("a read");
        if n == 0 {
            break;
        }
        assert!(!short, "a short read came before the end");
        short = n < size;
        all.extend_from_slice(&buf[..n]);
    }
    assert_eq!(r.read(&mut buf).unwrap(), 0, "the end stays the end");
    all
}

fn through_callback(c: &Client, o: &SaveOptions) -> Vec<u8> {
    let mut all = Vec::new();
    save(c, o, Io::output(&mut |b: &[u8]| {
        all.extend_from_slice(b);
        true
    }))
    .expect("a save through a callback");
    all
}

/// A tar with one file of `size` bytes whose content is unique to `seed`.
fn rootfs(seed: &str, size: usize) -> Vec<u8> {
    let mut b = tar::Builder::new(Vec::new());
    let data: Vec<u8> = seed.bytes().cycle().take(size).collect();
    let mut h = tar::Header::new_gnu();
    h.set_size(data.len() as u64);
    h.set_mode(0o644);
    h.set_mtime(1_700_000_000);
    h.set_cksum();
    b.append_data(&mut h, "data.bin", &data[..]).unwrap();
    b.into_inner().unwrap()
}

#[test]
fn the_archive_read_is_the_archive_saved_on_every_endpoint() {
    let e = engine();
    let name = format!("dctest/save-reader:{}", unique("t"));
    let c = e.client();
    import(&c, &dockerclient::options::parse("o", Some(&json!({"repository": name}).to_string())).unwrap(), Io::input(&mut Cursor::new(rootfs(&name, 3 << 20))))
        .expect("import");
    let o = opts(json!({"names": name}));
    let expected = through_callback(&c, &o);
    assert!(expected.len() > 3 << 20);

    let certs = e.certs();
    let tls = format!(
        r#"{{"host": "{}", "tls": {{"ca": "{}", "cert": "{}", "key": "{}"}}}}"#,
        e.tls(),
        certs.join("ca.pem").display(),
        certs.join("cert.pem").display(),
        certs.join("key.pem").display()
    );
    for (endpoint, client) in [
        ("unix", e.client()),
        ("tcp", e.client_with(&format!(r#"{{"host": "{}"}}"#, e.tcp()))),
        ("tls", e.client_with(&tls)),
    ] {
        for size in [1usize, 511, 4096, 65536, 8 << 20] {
            if size == 1 && endpoint != "unix" {
                continue; // a byte at a time once is enough
            }
            let mut r = SaveReader::open(&client, &o).expect("open");
            let got = read_all(&mut r, size);
            assert!(got == expected, "{endpoint}, reads of {size}: {} bytes, {} expected", got.len(), expected.len());
        }
    }

    // Refused: output_path, a read with no room, a missing image (at the open).
    let err = SaveReader::open(&c, &opts(json!({"names": name, "output_path": "/tmp/x.tar"}))).err().unwrap();
    assert_eq!(err.status, Status::InvalidArgument);
    assert!(err.message.contains("output_path"), "{}", err.message);
    let mut r = SaveReader::open(&c, &o).unwrap();
    let err = r.read(&mut []).unwrap_err();
    assert_eq!(err.status, Status::InvalidArgument);
    let err = SaveReader::open(&c, &opts(json!({"names": format!("{name}-absent")}))).err().unwrap();
    assert_eq!(err.status, Status::NotFound, "{err:?}");

    // Dropped before its end: the connection is closed, nothing is left open, the client goes on.
    let fds = || std::fs::read_dir("/proc/self/fd").unwrap().count();
    let before = fds();
    for _ in 0..20 {
        let mut r = SaveReader::open(&c, &o).unwrap();
        let mut buf = vec![0u8; 1000];
        assert_eq!(r.read(&mut buf).unwrap(), 1000);
    }
    assert!(fds() <= before + 1, "descriptors: {before} before, {} after", fds());
    assert_eq!(through_callback(&c, &o), expected, "the client saves after readers were dropped");
    e.docker(&["rmi", &name]);
}

fn fake_client(d: &FakeDaemon) -> Client {
    Client::new(&ClientOptions { host: Some(d.host()), ..Default::default() }).unwrap()
}

fn tar_head() -> Vec<(String, String)> {
    vec![("Content-Type".into(), "application/x-tar".into())]
}

#[test]
fn a_failure_mid_archive_comes_after_the_bytes_before_it() {
    let whole = rootfs("mid", 1024);
    let partial = whole[..512 + 1024].to_vec(); // a header and its data, no end marker
    let mut body = partial.clone();
    body.extend_from_slice(b"{\"errorDetail\":{\"message\":\"failed to read blob\"},\"error\":\"failed to read blob\"}\r\n");
    let d = FakeDaemon::with_version(Some("1.41"), move |_| Reply::Full(200, tar_head(), body.clone()));
    let c = fake_client(&d);
    let mut r = SaveReader::open(&c, &opts(json!({"names": "a"}))).unwrap();
    let mut buf = vec![0u8; 1 << 20];
    let n = r.read(&mut buf).expect("the bytes that came before the failure");
    assert!(n >= partial.len() && buf[..partial.len()] == partial[..], "{n} bytes");
    for _ in 0..2 {
        let err = r.read(&mut buf).unwrap_err();
        assert!(err.message.contains("incomplete"), "{err}");
        assert_eq!(err.daemon_message.as_deref(), Some("failed to read blob"), "{err:?}");
    }

    // Cut short without a word: an error, never the end.
    let cut = whole[..512].to_vec();
    let d = FakeDaemon::with_version(Some("1.41"), move |_| Reply::Full(200, tar_head(), cut.clone()));
    let mut r = SaveReader::open(&fake_client(&d), &opts(json!({"names": "a"}))).unwrap();
    let mut small = [0u8; 100];
    let mut total = 0;
    let err = loop {
        match r.read(&mut small) {
            Ok(0) => panic!("a cut archive reached its end"),
            Ok(n) => total += n,
            Err(e) => break e,
        }
    };
    assert_eq!(total, 512);
    assert!(err.message.contains("incomplete"), "{err}");
}

#[test]
fn a_cancel_from_another_thread_stops_a_read_on_a_silent_daemon() {
    let first = rootfs("silent", 4096)[..1024].to_vec();
    let d = FakeDaemon::with_version(Some("1.41"), move |_| Reply::Stall(200, tar_head(), first.clone(), Duration::from_secs(600)));
    let token = CancelToken::new();
    let c = fake_client(&d).with_cancel(token.clone());
    let mut r = SaveReader::open(&c, &opts(json!({"names": "a"}))).unwrap();
    let trigger = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(300));
        token.trigger();
    });
    let mut buf = vec![0u8; 1 << 20];
    // The first read returns the bytes before the silence once the cancel stops the wait;
    // the next one is the cancel.
    let outcome = r.read(&mut buf).and_then(|_| r.read(&mut buf));
    trigger.join().unwrap();
    assert_eq!(outcome.unwrap_err().status, Status::Cancelled);
}
