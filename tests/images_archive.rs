//! Save, load and import on the real test engine: archives checked with the `tar` crate, round
//! trips that remove and bring back images, imports from a reader, a file and a URL served by
//! this test, broken archives, cancellation, and bad input.
//!
//! Every test works on images it creates under unique names and removes only those.

mod common;

use std::io::{Cursor, Read, Write};
use std::net::TcpListener;
use std::thread;

use common::engine::{engine, unique};
use dockerclient::images::import::{import, ImportOptions, ImportResult};
use dockerclient::images::load::{load, LoadOptions, LoadResult};
use dockerclient::images::save::{save, SaveOptions};
use dockerclient::{Client, Error, Status};
use dockerclient::images::io::Io;
use serde::de::DeserializeOwned;
use serde_json::{json, Value};

// ---------------------------------------------------------------------------------------------
// Helpers

fn opts<T: DeserializeOwned + Default>(v: Value) -> T {
    dockerclient::options::parse("options", Some(&v.to_string())).expect("valid options")
}

fn docker_ok(args: &[&str]) -> String {
    let out = engine().docker(args);
    assert!(out.status.success(), "docker {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

fn inspect(name: &str) -> Option<Value> {
    let out = engine().docker(&["image", "inspect", name]);
    if !out.status.success() {
        return None;
    }
    let v: Value = serde_json::from_slice(&out.stdout).expect("inspect JSON");
    Some(v[0].clone())
}

fn image_id(name: &str) -> String {
    inspect(name).unwrap_or_else(|| panic!("image {name} exists"))["Id"].as_str().unwrap().to_string()
}

/// Removes the images it holds when the test ends, passed or failed.
struct Cleanup(Vec<String>);

impl Cleanup {
    fn new() -> Cleanup {
        Cleanup(Vec::new())
    }
    fn add(&mut self, name: &str) {
        self.0.push(name.to_string());
    }
}

impl Drop for Cleanup {
    fn drop(&mut self) {
        for name in &self.0 {
            let _ = engine().docker(&["rmi", "-f", name]);
        }
    }
}

use common::scratch::Scratch as TempDir;

/// A small root filesystem tarball whose content is unique to `seed` (so every image made from
/// it has its own layer and ID).
fn rootfs_tar(seed: &str) -> Vec<u8> {
    let mut b = tar::Builder::new(Vec::new());
    let mut add = |path: &str, data: &[u8], mode: u32| {
        let mut h = tar::Header::new_gnu();
        h.set_size(data.len() as u64);
        h.set_mode(mode);
        h.set_mtime(1_700_000_000);
        h.set_cksum();
        b.append_data(&mut h, path, data).unwrap();
    };
    add("hello.txt", format!("hello from {seed}\n").as_bytes(), 0o644);
    add("etc/seed", seed.as_bytes(), 0o644);
    add("bin/tool", &[0x7f, b'E', b'L', b'F', 1, 2, 3], 0o755);
    b.into_inner().unwrap()
}

/// Imports a fresh image named `name` (registered for cleanup) and returns its ID.
fn make_image(c: &Client, cleanup: &mut Cleanup, name: &str) -> String {
    cleanup.add(name);
    let tar = rootfs_tar(name);
    let r = import(c, &opts(json!({"repository": name})), Io::input(&mut Cursor::new(tar)))
        .expect("import");
    r.id
}

fn save_to_vec(c: &Client, o: &SaveOptions) -> Result<Vec<u8>, Error> {
    let mut buf = Vec::new();
    save(c, o, Io::output(&mut |b: &[u8]| {
        buf.extend_from_slice(b);
        true
    }))?;
    Ok(buf)
}

/// The archive's entries: path → content (archives here are a few MB).
fn entries(archive: &[u8]) -> Vec<(String, Vec<u8>)> {
    let mut a = tar::Archive::new(archive);
    a.entries()
        .expect("a tar archive")
        .map(|e| {
            let mut e = e.expect("a tar entry");
            let path = e.path().unwrap().to_string_lossy().to_string();
            let mut data = Vec::new();
            e.read_to_end(&mut data).unwrap();
            (path, data)
        })
        .collect()
}

fn entry<'a>(all: &'a [(String, Vec<u8>)], path: &str) -> &'a [u8] {
    &all.iter().find(|(p, _)| p == path).unwrap_or_else(|| panic!("{path} in the archive")).1
}

/// The files of a layer tarball.
fn layer_files(layer: &[u8]) -> Vec<String> {
    entries(layer).into_iter().map(|(p, _)| p).collect()
}

fn names_ids(r: &LoadResult) -> Vec<(Option<String>, Option<String>)> {
    let mut v: Vec<_> = r.images.iter().map(|i| (i.name.clone(), i.id.clone())).collect();
    v.sort();
    v
}

// ---------------------------------------------------------------------------------------------
// Save

#[test]
fn save_one_image_is_a_docker_archive() {
    let e = engine();
    let c = e.client();
    let mut cleanup = Cleanup::new();
    let name = format!("{}:v1", unique("dctest/archive-one"));
    let id = make_image(&c, &mut cleanup, &name);

    let archive = save_to_vec(&c, &opts(json!({"names": name}))).unwrap();
    let all = entries(&archive);

    let manifest: Value = serde_json::from_slice(entry(&all, "manifest.json")).unwrap();
    let m = &manifest.as_array().expect("manifest is a list")[0];
    assert_eq!(m["RepoTags"], json!([name]));
    let hex = id.strip_prefix("sha256:").unwrap();
    assert_eq!(m["Config"], format!("{hex}.json"));
    let config: Value = serde_json::from_slice(entry(&all, &format!("{hex}.json"))).unwrap();
    assert_eq!(config["rootfs"]["type"], "layers");

    let layers = m["Layers"].as_array().unwrap();
    assert_eq!(layers.len(), 1, "an imported image has one layer");
    let files = layer_files(entry(&all, layers[0].as_str().unwrap()));
    assert!(files.iter().any(|f| f.ends_with("hello.txt")), "{files:?}");
    assert!(files.iter().any(|f| f.ends_with("etc/seed")), "{files:?}");

    let repositories: Value = serde_json::from_slice(entry(&all, "repositories")).unwrap();
    let (repo, tag) = name.rsplit_once(':').unwrap();
    let layer_id = layers[0].as_str().unwrap().split('/').next().unwrap();
    assert_eq!(repositories[repo][tag], layer_id);
}

#[test]
fn save_by_id_and_by_tag() {
    let e = engine();
    let c = e.client();
    let mut cleanup = Cleanup::new();
    let name = format!("{}:t", unique("dctest/archive-id"));
    let id = make_image(&c, &mut cleanup, &name);
    let hex = id.strip_prefix("sha256:").unwrap();

    for (by, want_tags) in [(id.clone(), Value::Null), (hex[..12].to_string(), Value::Null), (name.clone(), json!([name]))] {
        let archive = save_to_vec(&c, &opts(json!({"names": [by]}))).unwrap();
        let all = entries(&archive);
        let manifest: Value = serde_json::from_slice(entry(&all, "manifest.json")).unwrap();
        assert_eq!(manifest[0]["Config"], format!("{hex}.json"), "saved by {by}");
        assert_eq!(manifest[0]["RepoTags"], want_tags, "saved by {by}");
        if by == id {
            // An archive saved by ID loads back as "Loaded image ID: …".
            let r = load(&c, &LoadOptions::default(), Io::input(&mut Cursor::new(archive))).unwrap();
            assert_eq!(names_ids(&r), vec![(None, Some(id.clone()))]);
        }
    }
}

#[test]
fn three_images_in_one_archive_come_back_after_removal() {
    let e = engine();
    let c = e.client();
    let mut cleanup = Cleanup::new();
    let dir = TempDir::new("dc-archive-three");
    let names: Vec<String> = (0..3).map(|i| format!("{}:n{i}", unique("dctest/archive-three"))).collect();
    let ids: Vec<String> = names.iter().map(|n| make_image(&c, &mut cleanup, n)).collect();
    assert_eq!(ids.iter().collect::<std::collections::HashSet<_>>().len(), 3, "three distinct images");

    let path = dir.join("three.tar");
    save(&c, &opts(json!({"names": names, "output_path": path})), Io::none()).unwrap();
    let archive = std::fs::read(&path).unwrap();
    let manifest: Value = serde_json::from_slice(entry(&entries(&archive), "manifest.json")).unwrap();
    assert_eq!(manifest.as_array().unwrap().len(), 3, "one archive holds all three (repeated names=)");

    for n in &names {
        docker_ok(&["rmi", n]);
        assert!(inspect(n).is_none(), "{n} removed");
    }
    let r = load(&c, &opts(json!({"input_path": path})), Io::none()).unwrap();
    let mut want: Vec<_> = names.iter().cloned().map(Some).zip(ids.iter().cloned().map(Some)).collect();
    want.sort();
    assert_eq!(names_ids(&r), want);
    for (n, id) in names.iter().zip(&ids) {
        assert_eq!(&image_id(n), id, "{n} back with its tag and ID");
    }
}

#[test]
fn output_path_is_complete_0644_and_loads_back() {
    let e = engine();
    let c = e.client();
    let mut cleanup = Cleanup::new();
    let dir = TempDir::new("dc-archive-out");
    let name = format!("{}:out", unique("dctest/archive-out"));
    let id = make_image(&c, &mut cleanup, &name);

    let path = dir.join("image.tar");
    std::fs::write(&path, b"an older file that is replaced").unwrap();
    save(&c, &opts(json!({"names": name, "output_path": path})), Io::none()).unwrap();
    assert_eq!(dir.entries(), vec!["image.tar"], "no temporary file left behind");

    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
    let umask = process_umask();
    // The file replaced an existing one: it is the new file, with the new file's mode.
    assert_eq!(mode, 0o644 & !umask, "mode {mode:o} with umask {umask:o}");

    let saved = std::fs::read(&path).unwrap();
    assert_eq!(saved, save_to_vec(&c, &opts(json!({"names": name}))).unwrap(), "same bytes as through a callback");

    docker_ok(&["rmi", &name]);
    let r = load(&c, &opts(json!({"input_path": path})), Io::none()).unwrap();
    assert_eq!(names_ids(&r), vec![(Some(name.clone()), Some(id.clone()))]);
    assert_eq!(image_id(&name), id);
}

#[test]
fn output_path_writes_devices_and_fifos_in_place_and_follows_links() {
    use std::os::unix::fs::FileTypeExt;
    let e = engine();
    let c = e.client();
    let dir = TempDir::new("dc-archive-special");
    let base = e.base_image();
    let expected = save_to_vec(&c, &opts(json!({"names": base}))).unwrap();

    // A null device of the test's own (mknod c 1 3): renaming a temporary file over it would
    // turn it into a regular file, as it would /dev/null itself.
    let null_device = dir.join("null");
    let made = std::process::Command::new("mknod").arg(&null_device).args(["c", "1", "3"]).status().unwrap();
    assert!(made.success(), "mknod (the tests run as root)");
    save(&c, &opts(json!({"names": base, "output_path": null_device})), Io::none()).unwrap();
    assert!(std::fs::metadata(&null_device).unwrap().file_type().is_char_device(), "still the device");
    assert_eq!(dir.entries(), vec!["null"], "no temporary file");

    // A FIFO: the archive reaches the reader on the other end, byte for byte.
    let fifo = dir.join("fifo");
    let made = std::process::Command::new("mkfifo").arg(&fifo).status().unwrap();
    assert!(made.success());
    let reader_path = fifo.clone();
    let reader = thread::spawn(move || std::fs::read(reader_path).unwrap());
    save(&c, &opts(json!({"names": base, "output_path": fifo})), Io::none()).unwrap();
    assert!(reader.join().unwrap() == expected, "the FIFO's reader got the archive");
    assert!(std::fs::metadata(&fifo).unwrap().file_type().is_fifo(), "still the FIFO");

    // A symbolic link (relative, into a subdirectory): the link stays, its target is the archive.
    std::fs::create_dir(dir.join("real")).unwrap();
    std::os::unix::fs::symlink("real/image.tar", dir.join("link.tar")).unwrap();
    save(&c, &opts(json!({"names": base, "output_path": dir.join("link.tar")})), Io::none()).unwrap();
    let link_meta = std::fs::symlink_metadata(dir.join("link.tar")).unwrap();
    assert!(link_meta.file_type().is_symlink(), "the link is kept");
    assert!(std::fs::read(dir.join("real/image.tar")).unwrap() == expected, "the target holds the archive");
    assert_eq!(std::fs::read_dir(dir.join("real")).unwrap().count(), 1, "no temporary file");

    // A socket cannot take an archive.
    let sock = dir.join("sock");
    let _listener = std::os::unix::net::UnixListener::bind(&sock).unwrap();
    let err = save(&c, &opts(json!({"names": base, "output_path": sock})), Io::none()).unwrap_err();
    assert_eq!(err.status, Status::InvalidArgument, "{err}");
    assert!(err.message.contains("socket"), "{err}");
}

fn process_umask() -> u32 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let line = status.lines().find(|l| l.starts_with("Umask:")).expect("Umask line");
    u32::from_str_radix(line["Umask:".len()..].trim(), 8).unwrap()
}

#[test]
fn save_of_a_missing_image_is_not_found_and_leaves_no_file() {
    let e = engine();
    let c = e.client();
    let dir = TempDir::new("dc-archive-missing");
    let path = dir.join("missing.tar");
    let missing = format!("{}:nope", unique("dctest/archive-missing"));
    let err = save(&c, &opts(json!({"names": [missing], "output_path": path})), Io::none()).unwrap_err();
    assert_eq!(err.status, Status::NotFound, "{err}");
    assert_eq!(err.http_status, 404);
    assert!(err.daemon_message.is_some(), "{err:?}");
    assert!(dir.entries().is_empty(), "no file and no temporary file: {:?}", dir.entries());

    // One missing name among existing ones fails the whole save, too.
    let err = save_to_vec(&c, &opts(json!({"names": [e.base_image(), missing]}))).unwrap_err();
    assert_eq!(err.status, Status::NotFound, "{err}");
}

#[test]
fn save_stopped_by_the_callback_is_cancelled_and_the_client_goes_on() {
    let e = engine();
    let c = e.client();
    let mut calls = 0;
    let err = save(&c, &opts(json!({"names": e.base_image()})), Io::output(&mut |_: &[u8]| {
        calls += 1;
        false
    }))
    .unwrap_err();
    assert_eq!(err.status, Status::Cancelled, "{err}");
    assert_eq!(calls, 1, "no callback after the one that said stop");
    // Same client, next call: the abandoned connection was not reused.
    let archive = save_to_vec(&c, &opts(json!({"names": e.base_image()}))).unwrap();
    assert!(!entries(&archive).is_empty());
}

#[test]
fn save_delivers_large_chunks() {
    let e = engine();
    let c = e.client();
    let mut sizes = Vec::new();
    save(&c, &opts(json!({"names": e.base_image()})), Io::output(&mut |b: &[u8]| {
        sizes.push(b.len());
        true
    }))
    .unwrap();
    let total: usize = sizes.iter().sum();
    assert!(total > 1_000_000, "the base image is a few MB: {total}");
    // Every chunk but the last fills the 256 KiB buffer.
    assert!(sizes[..sizes.len() - 1].iter().all(|&n| n == 256 * 1024), "{sizes:?}");
}

// ---------------------------------------------------------------------------------------------
// Load

#[test]
fn load_with_progress_json_and_text() {
    let e = engine();
    let c = e.client();
    let mut cleanup = Cleanup::new();
    let name = format!("{}:p", unique("dctest/archive-progress"));
    let id = make_image(&c, &mut cleanup, &name);
    let archive = save_to_vec(&c, &opts(json!({"names": name}))).unwrap();
    docker_ok(&["rmi", &name]);

    // JSON mode on a fresh image: the layer's progress (asked for with quiet=0), then the name.
    let mut got: Vec<Value> = Vec::new();
    let r = load(&c, &LoadOptions::default(), Io::input(&mut Cursor::new(&archive)).with_progress(Some(&mut |b: &[u8]| {
        assert_eq!(b.last(), Some(&b'\n'));
        got.push(serde_json::from_slice(b).expect("one JSON message per call"));
        true
    })))
    .unwrap();
    assert_eq!(names_ids(&r), vec![(Some(name.clone()), Some(id.clone()))]);
    assert!(got.iter().any(|m| m["status"] == "Loading layer"), "progress was asked for: {got:?}");
    assert!(got.iter().any(|m| m["stream"] == format!("Loaded image: {name}\n")), "{got:?}");

    // Text mode: what `docker load` prints.
    let mut text = String::new();
    let r = load(&c, &opts(json!({"progress": "text"})), Io::input(&mut Cursor::new(&archive)).with_progress(Some(&mut |b: &[u8]| {
        text.push_str(std::str::from_utf8(b).unwrap());
        true
    })))
    .unwrap();
    assert_eq!(r.images.len(), 1);
    assert!(text.ends_with(&format!("Loaded image: {name}\n")), "{text:?}");

    // A progress callback that stops: cancelled.
    let err = load(&c, &LoadOptions::default(), Io::input(&mut Cursor::new(&archive)).with_progress(Some(&mut |_: &[u8]| false)))
        .unwrap_err();
    assert_eq!(err.status, Status::Cancelled);
}

/// A fresh image's archive, with the image removed again.
fn archive_of_removed_image(c: &Client, cleanup: &mut Cleanup, prefix: &str) -> (String, Vec<u8>) {
    let name = format!("{}:x", unique(prefix));
    make_image(c, cleanup, &name);
    let archive = save_to_vec(c, &opts(json!({"names": name}))).unwrap();
    docker_ok(&["rmi", &name]);
    (name, archive)
}

#[test]
fn truncated_archive_fails_with_the_daemons_message_and_loads_nothing() {
    let e = engine();
    let c = e.client();
    let mut cleanup = Cleanup::new();
    let (name, archive) = archive_of_removed_image(&c, &mut cleanup, "dctest/archive-trunc");
    // Inside a header, and in the middle of the layer's data.
    let layer_middle = {
        let mut a = tar::Archive::new(&archive[..]);
        let layer = a
            .entries()
            .unwrap()
            .map(|e| e.unwrap())
            .find(|e| e.path().unwrap().to_string_lossy().ends_with("layer.tar"))
            .expect("a layer entry");
        (layer.raw_file_position() + layer.size() / 2) as usize
    };
    for cut in [700, layer_middle] {
        let err = load(&c, &LoadOptions::default(), Io::input(&mut Cursor::new(&archive[..cut]))).unwrap_err();
        assert_eq!(err.status, Status::StreamError, "cut at {cut}: {err}");
        let msg = err.daemon_message.clone().expect("the daemon's message");
        assert!(msg.contains("EOF") || msg.contains("tar"), "cut at {cut}: {msg}");
        assert_eq!(err.message, msg);
        assert!(inspect(&name).is_none(), "no partial image after a cut at {cut}");
    }
}

#[test]
fn corrupt_archive_fails_with_the_daemons_message_and_loads_nothing() {
    let e = engine();
    let c = e.client();
    let mut cleanup = Cleanup::new();
    let (name, archive) = archive_of_removed_image(&c, &mut cleanup, "dctest/archive-corrupt");

    // The header of the layer's entry overwritten: the archive's structure is broken there.
    let mut corrupt = archive.clone();
    let hdr = {
        let mut a = tar::Archive::new(&archive[..]);
        let found = a
            .entries()
            .unwrap()
            .map(|e| e.unwrap())
            .find(|e| e.path().unwrap().to_string_lossy().ends_with("layer.tar"))
            .expect("a layer entry");
        found.raw_header_position() as usize
    };
    for b in &mut corrupt[hdr..hdr + 512] {
        *b = 0x5a;
    }
    let err = load(&c, &LoadOptions::default(), Io::input(&mut Cursor::new(&corrupt))).unwrap_err();
    assert_eq!(err.status, Status::StreamError, "{err}");
    assert!(err.daemon_message.as_deref().is_some_and(|m| m.contains("tar")), "{err:?}");
    assert!(inspect(&name).is_none(), "no partial image");

    // Not a tar at all.
    let noise: Vec<u8> = (0..200_000u32).map(|i| (i.wrapping_mul(2654435761) >> 13) as u8).collect();
    let err = load(&c, &LoadOptions::default(), Io::input(&mut Cursor::new(noise))).unwrap_err();
    assert_eq!(err.status, Status::StreamError, "{err}");
    assert!(err.daemon_message.is_some(), "{err:?}");

    // An empty archive: the daemon finds no manifest.
    let err = load(&c, &LoadOptions::default(), Io::input(&mut Cursor::new(Vec::new()))).unwrap_err();
    assert!(err.daemon_message.is_some(), "{err:?}");
}

/// A reader that fails after `ok` bytes.
struct FailingReader {
    data: Cursor<Vec<u8>>,
    ok: u64,
}

impl Read for FailingReader {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.data.position() >= self.ok {
            return Err(std::io::Error::other("the source broke"));
        }
        let room = (self.ok - self.data.position()) as usize;
        let n = buf.len().min(room);
        self.data.read(&mut buf[..n])
    }
}

#[test]
fn a_failing_reader_ends_the_load_and_the_client_goes_on() {
    let e = engine();
    let c = e.client();
    let mut cleanup = Cleanup::new();
    let (name, archive) = archive_of_removed_image(&c, &mut cleanup, "dctest/archive-readfail");
    let mut r = FailingReader { data: Cursor::new(archive.clone()), ok: archive.len() as u64 / 2 };
    let err = load(&c, &LoadOptions::default(), Io::input(&mut r)).unwrap_err();
    assert_eq!(err.status, Status::Transport, "{err}");
    assert!(err.message.contains("the source broke"), "{err}");
    assert!(inspect(&name).is_none(), "nothing loaded");
    // The client is still usable.
    let r = load(&c, &LoadOptions::default(), Io::input(&mut Cursor::new(archive))).unwrap();
    assert_eq!(r.images[0].name.as_deref(), Some(name.as_str()));
}

// ---------------------------------------------------------------------------------------------
// Import

fn check_imported(r: &ImportResult, name: &str, cmd: Value, env: &str, message: Option<&str>) {
    assert!(r.id.starts_with("sha256:") && r.id.len() == 71, "{r:?}");
    let img = inspect(name).unwrap_or_else(|| panic!("{name} exists"));
    assert_eq!(img["Id"], r.id.as_str());
    assert_eq!(img["Config"]["Cmd"], cmd);
    assert!(img["Config"]["Env"].as_array().unwrap().iter().any(|v| v == env), "{img}");
    if let Some(m) = message {
        assert_eq!(img["Comment"], m);
    }
    assert_eq!(img["RootFS"]["Layers"].as_array().unwrap().len(), 1);
}

#[test]
fn import_from_a_reader_with_changes_and_message() {
    let e = engine();
    let c = e.client();
    let mut cleanup = Cleanup::new();
    let repo = unique("dctest/archive-import-reader");
    let name = format!("{repo}:r1");
    cleanup.add(&name);
    let tar = rootfs_tar(&name);
    let mut progress = Vec::new();
    let r = import(
        &c,
        &opts(json!({
            "repository": repo,
            "tag": "r1",
            "message": "imported by the test",
            "changes": ["CMD [\"/bin/tool\", \"--x\"]", "ENV STAGE=test", "WORKDIR /etc"],
        })), Io::input(&mut Cursor::new(tar)).with_progress(Some(&mut |b: &[u8]| {
            progress.push(String::from_utf8(b.to_vec()).unwrap());
            true
        })))
    .unwrap();
    check_imported(&r, &name, json!(["/bin/tool", "--x"]), "STAGE=test", Some("imported by the test"));
    assert_eq!(inspect(&name).unwrap()["Config"]["WorkingDir"], "/etc");
    assert_eq!(progress.last().unwrap(), &format!("{{\"status\":\"{}\"}}\n", r.id), "{progress:?}");

    // The imported layer holds the tarball's files.
    let archive = save_to_vec(&c, &opts(json!({"names": name}))).unwrap();
    let all = entries(&archive);
    let manifest: Value = serde_json::from_slice(entry(&all, "manifest.json")).unwrap();
    let files = layer_files(entry(&all, manifest[0]["Layers"][0].as_str().unwrap()));
    for f in ["hello.txt", "etc/seed", "bin/tool"] {
        assert!(files.iter().any(|p| p.trim_start_matches("./") == f), "{f} in {files:?}");
    }
}

#[test]
fn import_from_a_file() {
    let e = engine();
    let c = e.client();
    let mut cleanup = Cleanup::new();
    let dir = TempDir::new("dc-archive-import-file");
    let name = format!("{}:f1", unique("dctest/archive-import-file"));
    cleanup.add(&name);
    let path = dir.join("rootfs.tar");
    std::fs::write(&path, rootfs_tar(&name)).unwrap();
    let r = import(
        &c,
        &opts(json!({"input_path": path, "repository": name, "changes": "ENV FROM_FILE=1"})), Io::none())
    .unwrap();
    check_imported(&r, &name, Value::Null, "FROM_FILE=1", None);
    let comment = inspect(&name).unwrap()["Comment"].clone();
    assert_eq!(comment, "Imported from -", "the daemon's default message");
}

/// Serves `body` to every GET on 127.0.0.1 until the test ends; returns the URL.
fn serve_once(body: Vec<u8>) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/rootfs.tar", listener.local_addr().unwrap());
    thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut s) = stream else { continue };
            let mut head = Vec::new();
            let mut byte = [0u8; 1];
            while !head.ends_with(b"\r\n\r\n") {
                match s.read(&mut byte) {
                    Ok(1) => head.push(byte[0]),
                    _ => break,
                }
            }
            let reply = format!(
                "HTTP/1.1 200 OK\r\nContent-Type: application/x-tar\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                body.len()
            );
            let _ = s.write_all(reply.as_bytes());
            let _ = s.write_all(&body);
        }
    });
    url
}

#[test]
fn import_from_a_url_the_daemon_fetches() {
    let e = engine();
    let c = e.client();
    let mut cleanup = Cleanup::new();
    let name = format!("{}:u1", unique("dctest/archive-import-url"));
    cleanup.add(&name);
    let url = serve_once(rootfs_tar(&name));
    let mut progress = Vec::new();
    let r = import(
        &c,
        &opts(json!({"url": url, "repository": name, "changes": ["CMD [\"/bin/tool\"]", "ENV FROM_URL=yes"]})), Io::progress(&mut |b: &[u8]| {
            progress.push(String::from_utf8(b.to_vec()).unwrap());
            true
        }))
    .unwrap();
    check_imported(&r, &name, json!(["/bin/tool"]), "FROM_URL=yes", None);
    assert!(progress.iter().any(|m| m.contains("Downloading from")), "{progress:?}");
    assert_eq!(inspect(&name).unwrap()["Comment"], format!("Imported from {url}"));
}

#[test]
fn import_from_an_unreachable_url_fails_with_the_daemons_message() {
    let e = engine();
    let c = e.client();
    // A port nothing listens on: bind one, then free it.
    let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let err = import(&c, &opts(json!({"url": format!("http://127.0.0.1:{port}/x.tar")})), Io::none()).unwrap_err();
    assert!(err.http_status >= 400, "{err:?}");
    assert!(err.daemon_message.as_deref().is_some_and(|m| m.contains("connection refused")), "{err:?}");
}

// ---------------------------------------------------------------------------------------------
// Bad input: refused before anything is sent, with a message naming the culprit.

fn assert_invalid(r: Result<impl std::fmt::Debug, Error>, status: Status, words: &[&str]) {
    let err = r.expect_err("must fail");
    assert_eq!(err.status, status, "{err}");
    for w in words {
        assert!(err.message.contains(w), "{w:?} in {err}");
    }
}

fn parse_err<T: DeserializeOwned + Default + std::fmt::Debug>(v: Value) -> Error {
    dockerclient::options::parse::<T>("options", Some(&v.to_string())).unwrap_err()
}

#[test]
fn bad_save_input() {
    let e = engine();
    let c = e.client();
    let dir = TempDir::new("dc-archive-bad-save");
    let mut sink = |_: &[u8]| true;
    assert_invalid(save(&c, &opts(json!({})), Io::output(&mut sink)), Status::InvalidArgument, &["names"]);
    assert_invalid(save(&c, &opts(json!({"names": []})), Io::output(&mut sink)), Status::InvalidArgument, &["names"]);
    assert_invalid(save(&c, &opts(json!({"names": [""]})), Io::output(&mut sink)), Status::InvalidArgument, &["names\"[0]"]);
    assert!(parse_err::<SaveOptions>(json!({"names": [1]})).message.contains("names[0]"));
    assert!(parse_err::<SaveOptions>(json!({"names": {"a": 1}})).message.contains("names"));
    assert!(parse_err::<SaveOptions>(json!({"name": "x"})).message.contains("name"));
    // Destinations: both, neither, a directory, a missing directory.
    let out = dir.join("x.tar");
    assert_invalid(
        save(&c, &opts(json!({"names": "x", "output_path": out})), Io::output(&mut sink)),
        Status::InvalidArgument,
        &["not both"],
    );
    assert_invalid(save(&c, &opts(json!({"names": "x"})), Io::none()), Status::InvalidArgument, &["output_path"]);
    assert_invalid(
        save(&c, &opts(json!({"names": e.base_image(), "output_path": dir.path()})), Io::none()),
        Status::InvalidArgument,
        &["directory"],
    );
    assert_invalid(
        save(&c, &opts(json!({"names": e.base_image(), "output_path": dir.join("no/such/x.tar")})), Io::none()),
        Status::NotFound,
        &["does not exist"],
    );
    // Platforms: malformed, then unsupported by the 1.41 engine (needs 1.48).
    assert_invalid(
        save(&c, &opts(json!({"names": "x", "platform": "linux"})), Io::output(&mut sink)),
        Status::InvalidArgument,
        &["platform", "architecture"],
    );
    assert_invalid(
        save(&c, &opts(json!({"names": e.base_image(), "platform": "linux/amd64"})), Io::output(&mut sink)),
        Status::Unsupported,
        &["platform", "1.48"],
    );
    assert!(dir.entries().is_empty(), "{:?}", dir.entries());
}

#[test]
fn bad_load_and_import_input() {
    let e = engine();
    let c = e.client();
    let dir = TempDir::new("dc-archive-bad-load");
    let empty = || Cursor::new(Vec::<u8>::new());

    assert_invalid(load(&c, &LoadOptions::default(), Io::none()), Status::InvalidArgument, &["input_path"]);
    assert_invalid(
        load(&c, &opts(json!({"input_path": "/x"})), Io::input(&mut empty())),
        Status::InvalidArgument,
        &["not both"],
    );
    assert_invalid(
        load(&c, &opts(json!({"input_path": dir.join("missing.tar")})), Io::none()),
        Status::NotFound,
        &["input_path", "does not exist"],
    );
    assert_invalid(load(&c, &opts(json!({"input_path": dir.path()})), Io::none()), Status::InvalidArgument, &["directory"]);
    assert_invalid(
        load(&c, &opts(json!({"platform": ["linux/amd64"]})), Io::input(&mut empty())),
        Status::Unsupported,
        &["platform", "1.48"],
    );
    assert!(parse_err::<LoadOptions>(json!({"quiet": "yes"})).message.contains("quiet"));
    assert!(parse_err::<LoadOptions>(json!({"progress": "xml"})).message.contains("progress"));

    assert_invalid(import(&c, &ImportOptions::default(), Io::none()), Status::InvalidArgument, &["input_path", "url"]);
    assert_invalid(
        import(&c, &opts(json!({"url": "http://127.0.0.1:1/x"})), Io::input(&mut empty())),
        Status::InvalidArgument,
        &["not both"],
    );
    assert_invalid(
        import(&c, &opts(json!({"url": "http://127.0.0.1:1/x", "input_path": "/x"})), Io::none()),
        Status::InvalidArgument,
        &["input_path", "url"],
    );
    for url in ["ftp://127.0.0.1/x.tar", "127.0.0.1/x.tar", "file:///etc/hostname"] {
        assert_invalid(import(&c, &opts(json!({"url": url})), Io::none()), Status::InvalidArgument, &["url", "http"]);
    }
    assert_invalid(
        import(&c, &opts(json!({"input_path": dir.join("missing.tar")})), Io::none()),
        Status::NotFound,
        &["input_path"],
    );
    assert_invalid(import(&c, &opts(json!({"input_path": dir.path()})), Io::none()), Status::InvalidArgument, &["directory"]);
    assert_invalid(
        import(&c, &opts(json!({"repository": "Bad_Name"})), Io::input(&mut empty())),
        Status::InvalidArgument,
        &["repository"],
    );
    assert_invalid(
        import(&c, &opts(json!({"changes": ["FROM scratch"]})), Io::input(&mut empty())),
        Status::InvalidArgument,
        &["changes\"[0]", "CMD"],
    );
    assert_invalid(
        import(&c, &opts(json!({"tag": "v1"})), Io::input(&mut empty())),
        Status::InvalidArgument,
        &["tag", "repository"],
    );
    assert!(parse_err::<ImportOptions>(json!({"changes": [true]})).message.contains("changes[0]"));
    assert!(parse_err::<ImportOptions>(json!({"repo": "x"})).message.contains("repo"));
}

/// The refusals above must not cost a request: a read callback is never asked for data.
#[test]
fn refused_input_reads_nothing() {
    let e = engine();
    let c = e.client();
    struct Untouchable;
    impl Read for Untouchable {
        fn read(&mut self, _: &mut [u8]) -> std::io::Result<usize> {
            panic!("the input must not be read when the options are refused");
        }
    }
    assert!(import(&c, &opts(json!({"changes": "RUN x"})), Io::input(&mut Untouchable)).is_err());
    assert!(import(&c, &opts(json!({"tag": "-x", "repository": "a"})), Io::input(&mut Untouchable)).is_err());
    assert!(load(&c, &opts(json!({"platform": "linux/arm64"})), Io::input(&mut Untouchable)).is_err());
}
