//! What a hostile caller or a failing world does to the library: uploads to a daemon that stops
//! reading, TLS material that is wrong, option objects of the wrong shape or size. Every case
//! must end in a clear error (never a hang, a panic, or a silent default), and the client must
//! stay usable.
//!
//! The tests that stop the private daemon (SIGSTOP) hold a lock so that no other test of this
//! file runs meanwhile; cargo runs test binaries one after another.

mod common;

use std::io::Read;
use std::net::TcpListener;
use std::process::Command;
use std::sync::Mutex;
use std::thread;
use std::time::{Duration, Instant};

use common::engine::engine;
use common::scratch::Scratch;
use dockerclient::images::import::{import, ImportOptions};
use dockerclient::images::load::{load, LoadOptions};
use dockerclient::{system, Client, ClientOptions, Io, Status};
use serde_json::{json, Value};

static DAEMON: Mutex<()> = Mutex::new(());

/// An endless reader of zeros (an upload that never ends by itself).
struct Zeros;
impl Read for Zeros {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        buf.fill(0);
        Ok(buf.len())
    }
}

/// A server that reads a request's head and then never reads again (its socket buffers fill
/// and the client's sends block).
fn deaf_server() -> String {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let host = format!("tcp://{}", l.local_addr().unwrap());
    thread::spawn(move || {
        let mut held = Vec::new();
        for mut s in l.incoming().flatten() {
            let mut head = Vec::new();
            let mut b = [0u8; 1];
            while !head.ends_with(b"\r\n\r\n") && s.read(&mut b).unwrap_or(0) == 1 {
                head.push(b[0]);
            }
            held.push(s);
        }
    });
    host
}

fn opts<T: serde::de::DeserializeOwned + Default>(v: Value) -> T {
    dockerclient::options::parse("options", Some(&v.to_string())).unwrap()
}

#[test]
fn an_upload_to_a_daemon_that_stops_reading_times_out() {
    let host = deaf_server();
    let c = Client::new(&ClientOptions { host: Some(host), api_version: Some("1.41".into()), ..Default::default() }).unwrap();
    for (what, limits) in [("inactivity", json!({"inactivity_timeout_ms": 1000})), ("whole call", json!({"timeout_ms": 2000}))] {
        let t0 = Instant::now();
        let e = load(&c, &opts::<LoadOptions>(limits.clone()), Io::input(&mut Zeros)).unwrap_err();
        assert_eq!(e.status, Status::Timeout, "load, {what}: {e:?}");
        eprintln!("load to a deaf daemon ({what} limit): DC_TIMEOUT after {:?}", t0.elapsed());
        let t0 = Instant::now();
        let e = import(&c, &opts::<ImportOptions>(limits.clone()), Io::input(&mut Zeros)).unwrap_err();
        assert_eq!(e.status, Status::Timeout, "import, {what}: {e:?}");
        eprintln!("import to a deaf daemon ({what} limit): DC_TIMEOUT after {:?}", t0.elapsed());
    }
}

/// The private daemon's process.
fn dockerd_pid() -> String {
    std::fs::read_to_string(std::path::Path::new(&engine().var("DC_TEST_DIR")).join("docker.pid")).unwrap().trim().to_string()
}

fn signal(pid: &str, sig: &str) {
    assert!(Command::new("kill").args([sig, pid]).status().unwrap().success(), "kill {sig} {pid}");
}

#[test]
fn an_upload_to_a_stopped_daemon_times_out_and_the_client_goes_on() {
    let _lock = DAEMON.lock().unwrap_or_else(|p| p.into_inner());
    let c = engine().client();
    system::ping(&c).unwrap();
    let pid = dockerd_pid();
    let stopper = {
        let pid = pid.clone();
        thread::spawn(move || {
            thread::sleep(Duration::from_millis(300));
            signal(&pid, "-STOP");
        })
    };
    let t0 = Instant::now();
    let r = load(&c, &opts::<LoadOptions>(json!({"inactivity_timeout_ms": 2000})), Io::input(&mut Zeros));
    let took = t0.elapsed();
    stopper.join().unwrap();
    signal(&pid, "-CONT");
    let e = r.unwrap_err();
    assert_eq!(e.status, Status::Timeout, "{e:?}");
    eprintln!("load into a stopped daemon: DC_TIMEOUT after {took:?} (inactivity limit 2 s)");
    system::ping(&c).expect("the same client works once the daemon runs again");
}

/// Makes TLS material with openssl in `dir`: a CA, a client certificate and its key, another
/// RSA key and an EC key.
fn make_tls(dir: &Scratch) {
    let run = |args: &[&str]| {
        let out = Command::new("openssl").args(args).current_dir(dir.path()).output().unwrap();
        assert!(out.status.success(), "openssl {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    };
    run(&["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca-key.pem", "-out", "ca.pem", "-days", "2", "-subj", "/CN=ca"]);
    run(&["req", "-newkey", "rsa:2048", "-nodes", "-keyout", "key.pem", "-out", "req.pem", "-subj", "/CN=client"]);
    std::fs::write(dir.join("ext.cnf"), "extendedKeyUsage = clientAuth\n").unwrap();
    run(&["x509", "-req", "-in", "req.pem", "-CA", "ca.pem", "-CAkey", "ca-key.pem", "-CAcreateserial", "-out", "cert.pem", "-days", "2", "-extfile", "ext.cnf"]);
    // An X.509 v1 certificate (no extensions), which rustls cannot use.
    run(&["x509", "-req", "-in", "req.pem", "-CA", "ca.pem", "-CAkey", "ca-key.pem", "-CAcreateserial", "-out", "v1-cert.pem", "-days", "2"]);
    run(&["genrsa", "-out", "other-rsa.pem", "2048"]);
    run(&["ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", "ec.pem"]);
}

fn tls_client(dir: &Scratch, ca: &str, cert: &str, key: &str) -> Result<Client, dockerclient::Error> {
    let o: ClientOptions = opts(json!({
        "host": "tcp://127.0.0.1:1",
        "tls": {"ca": dir.join(ca), "cert": dir.join(cert), "key": dir.join(key)},
    }));
    Client::new(&o)
}

#[test]
fn bad_tls_material_is_refused_when_the_client_is_made() {
    let dir = Scratch::new("dc-hard-tls");
    make_tls(&dir);
    tls_client(&dir, "ca.pem", "cert.pem", "key.pem").expect("good material");
    let garbage_block = "-----BEGIN PRIVATE KEY-----\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\n-----END PRIVATE KEY-----\n";
    dir.file("garbage-key.pem", garbage_block);
    dir.file("garbage-cert.pem", garbage_block.replace("PRIVATE KEY", "CERTIFICATE"));
    dir.file("not-pem.pem", "hello\n");
    for (ca, cert, key, names, says) in [
        ("ca.pem", "cert.pem", "other-rsa.pem", "other-rsa.pem", "does not belong"),
        ("ca.pem", "cert.pem", "ec.pem", "ec.pem", "does not belong"),
        ("ca.pem", "cert.pem", "garbage-key.pem", "garbage-key.pem", "not a usable private key"),
        ("ca.pem", "garbage-cert.pem", "key.pem", "garbage-cert.pem", ""),
        ("garbage-cert.pem", "cert.pem", "key.pem", "garbage-cert.pem", "does not parse"),
        ("not-pem.pem", "cert.pem", "key.pem", "not-pem.pem", ""),
        ("ca.pem", "v1-cert.pem", "key.pem", "v1-cert.pem", "v1"),
    ] {
        let e = tls_client(&dir, ca, cert, key).unwrap_err();
        assert_eq!(e.status, Status::InvalidArgument, "{ca} {cert} {key}: {e:?}");
        assert!(e.message.contains(names) && e.message.contains(says), "{ca} {cert} {key}: {}", e.message);
    }
}

/// Every object-typed option of every function, given as an array (in positional order, the
/// way serde would otherwise fill a struct from it): refused, naming the key.
#[test]
fn arrays_are_refused_wherever_an_object_is_expected() {
    use dockerclient::images::{build, commit, distribution, list, prune, pull, push, search};
    fn refused<T: serde::de::DeserializeOwned + Default + std::fmt::Debug>(what: &str, v: Value, key: &str) {
        let e = dockerclient::options::parse::<T>(what, Some(&v.to_string())).unwrap_err();
        assert_eq!(e.status, Status::InvalidArgument, "{v}");
        assert!(e.message.contains(key) && (e.message.contains("expected a JSON object") || e.message.contains("expected a map")), "{v}: {}", e.message);
        assert!(!e.message.contains("s3cret"), "no credential quoted: {}", e.message);
    }
    let positional = json!(["user", "s3cret"]);
    refused::<pull::PullOptions>("pull options", json!({"image": "x", "auth": positional}), "auth");
    refused::<pull::PullOptions>("pull options", json!({"image": "x", "auth": []}), "auth");
    refused::<push::PushOptions>("push options", json!({"auth": positional}), "auth");
    refused::<search::SearchOptions>("search options", json!({"term": "x", "auth": positional}), "auth");
    refused::<search::SearchOptions>("search options", json!({"term": "x", "filters": [["true"]]}), "filters");
    refused::<distribution::DistributionOptions>("distribution options", json!({"auth": positional}), "auth");
    refused::<build::BuildOptions>("build options", json!({"auth_configs": {"r": positional}}), "auth_configs.r");
    refused::<build::BuildOptions>("build options", json!({"ulimits": [["nofile", 1, 2]]}), "ulimits[0]");
    refused::<list::ListOptions>("list options", json!({"filters": [["x"]]}), "filters");
    refused::<prune::PruneOptions>("prune options", json!({"filters": [["x"]]}), "filters");
    refused::<commit::CommitOptions>("commit options", json!({"config": ["x"]}), "config");
    refused::<ClientOptions>("client options", json!({"tls": ["/ca", "/cert", "/key", true]}), "tls");
    // A whole options object given as an array (dc_system_auth's credentials, say).
    let e = dockerclient::options::parse::<dockerclient::AuthConfig>("credentials", Some(&positional.to_string())).unwrap_err();
    assert!(e.status == Status::InvalidArgument && e.message.contains("must be a JSON object"), "{}", e.message);
}

#[test]
fn options_too_large_to_send_and_huge_keys() {
    let c = engine().client().with_docker_config(Default::default());
    let big = "p".repeat(200_000);
    let o: dockerclient::images::pull::PullOptions = opts(json!({"image": "127.0.0.1:5000/x", "auth": {"username": "u", "password": big}}));
    let e = dockerclient::images::pull::pull(&c, &o, Io::none()).unwrap_err();
    assert_eq!(e.status, Status::InvalidArgument, "{e:?}");
    assert!(e.message.contains("\"auth\"") && e.message.contains("65536"), "{}", e.message);
    assert!(!e.message.contains("ppppppppppppppppppp"), "the value is not quoted");
    // A 10 MB key makes a short message.
    let mut huge = serde_json::Map::new();
    huge.insert("k".repeat(10 << 20), json!(1));
    let e = dockerclient::options::parse::<dockerclient::images::list::ListOptions>("list options", Some(&Value::Object(huge).to_string())).unwrap_err();
    assert_eq!(e.status, Status::InvalidArgument);
    assert!(e.message.len() < 1000, "{} bytes", e.message.len());
}

#[test]
fn an_answer_that_ends_with_its_connection_must_be_whole_json() {
    use common::fake_daemon::{FakeDaemon, Reply};
    use dockerclient::images::list::{list, ListOptions};
    // No Content-Length, no chunked encoding: the body ends when the connection closes, which
    // is also what a cut connection looks like.
    let cut = FakeDaemon::with_version(Some("1.41"), |_| {
        Reply::Raw(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n[{\"Id\":\"sha256:ab".to_vec())
    });
    let c = Client::new(&ClientOptions { host: Some(cut.host()), ..Default::default() }).unwrap();
    let e = list(&c, &ListOptions::default()).unwrap_err();
    assert_eq!(e.status, Status::Transport, "{e:?}");
    assert!(e.message.contains("before it was complete JSON"), "{e:?}");
    let whole = FakeDaemon::with_version(Some("1.41"), |_| {
        Reply::Raw(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n[]\n".to_vec())
    });
    let c = Client::new(&ClientOptions { host: Some(whole.host()), ..Default::default() }).unwrap();
    assert_eq!(list(&c, &ListOptions::default()).unwrap().as_str(), "[]\n");
}
