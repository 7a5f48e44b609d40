//! The daemon fails in the middle of every streaming operation: stopped (SIGSTOP) or killed
//! (SIGKILL) once the operation is under way.
//!
//! - Stopped: the call returns DC_TIMEOUT once its inactivity limit (1 s) has passed, whether it
//!   was receiving (save, pull, push, build) or sending (load, import); the daemon is resumed
//!   and the same client works.
//! - Killed: the call returns DC_TRANSPORT (never DC_OK with a truncated result), a save to a
//!   file leaves no partial file, and the same client works once the engine is restarted.
//!
//! The fault fires from inside the operation (its callback, its input reader, or a watcher of
//! the bytes it has moved), so it always lands mid-stream. One test walks every case in turn:
//! the daemon is shared, and every case needs it to itself.

mod common;

use std::fs;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

use common::engine::{engine, repo_root, unique};
use common::scratch::Scratch;
use dockerclient::images::build::{build, BuildOptions};
use dockerclient::images::import::{import, ImportOptions};
use dockerclient::images::load::{load, LoadOptions};
use dockerclient::images::pull::{pull, PullOptions};
use dockerclient::images::push::{push, PushOptions};
use dockerclient::images::save::{save, SaveOptions};
use dockerclient::{system, Client, Error, Io, Status};
use serde_json::{json, Value};

const INACTIVITY_MS: u64 = 1000;
/// Bytes an operation moves before a watcher fires the fault.
const UNDER_WAY: u64 = 1 << 20;

#[derive(Clone, Copy, Debug, PartialEq)]
enum Fault {
    Stop,
    Kill,
}

/// Fires the fault once, from whichever hook sees the operation under way first.
#[derive(Clone)]
struct Trigger {
    fault: Fault,
    fired: Arc<AtomicBool>,
}

impl Trigger {
    fn new(fault: Fault) -> Trigger {
        Trigger { fault, fired: Arc::new(AtomicBool::new(false)) }
    }

    fn fire(&self) {
        if self.fired.swap(true, Ordering::SeqCst) {
            return;
        }
        let sig = match self.fault {
            Fault::Stop => "-STOP",
            Fault::Kill => "-KILL",
        };
        let ok = Command::new("kill").args([sig, &dockerd_pid()]).status().map(|s| s.success());
        assert!(matches!(ok, Ok(true)), "kill {sig} dockerd");
    }

    fn fired(&self) -> bool {
        self.fired.load(Ordering::SeqCst)
    }
}

fn dockerd_pid() -> String {
    fs::read_to_string(Path::new(&engine().var("DC_TEST_DIR")).join("docker.pid")).unwrap().trim().to_string()
}

/// Brings the daemon back: resumes it, or restarts the engine after a kill.
fn recover(fault: Fault) {
    match fault {
        Fault::Stop => {
            assert!(Command::new("kill").args(["-CONT", &dockerd_pid()]).status().unwrap().success());
        }
        Fault::Kill => {
            let out = Command::new("bash").arg(repo_root().join("scripts/test-engine.sh")).arg("up").output().unwrap();
            assert!(out.status.success(), "restart: {}", String::from_utf8_lossy(&out.stderr));
        }
    }
}

/// A reader over a file that fires the trigger once `UNDER_WAY` bytes were read.
struct FiringReader {
    file: fs::File,
    read: u64,
    trigger: Trigger,
}

impl Read for FiringReader {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.read >= UNDER_WAY {
            self.trigger.fire();
        }
        let n = self.file.read(buf)?;
        self.read += n as u64;
        Ok(n)
    }
}

/// Watches, on its own thread, how far the operation has got (`progress` returns bytes moved)
/// and fires the trigger once it passes `UNDER_WAY`; stops when `done` is set.
fn watch(trigger: &Trigger, done: &Arc<AtomicBool>, progress: impl Fn() -> u64 + Send + 'static) -> thread::JoinHandle<()> {
    let (trigger, done) = (trigger.clone(), done.clone());
    thread::spawn(move || {
        while !done.load(Ordering::SeqCst) && !trigger.fired() {
            if progress() >= UNDER_WAY {
                trigger.fire();
            }
            thread::sleep(Duration::from_millis(1));
        }
    })
}

/// Bytes written so far into any file of `dir` (a save's temporary file).
fn bytes_in(dir: &Path) -> u64 {
    fs::read_dir(dir).map(|d| d.flatten().filter_map(|e| e.metadata().ok()).map(|m| m.len()).sum()).unwrap_or(0)
}

/// The file offset of this process's open descriptor of `path` (a load's input file).
fn offset_of(path: &Path) -> u64 {
    let Ok(fds) = fs::read_dir("/proc/self/fd") else { return 0 };
    for fd in fds.flatten() {
        if fs::read_link(fd.path()).ok().as_deref() == Some(path)
            && let Ok(info) = fs::read_to_string(Path::new("/proc/self/fdinfo").join(fd.file_name()))
            && let Some(pos) = info.lines().find_map(|l| l.strip_prefix("pos:"))
        {
            return pos.trim().parse().unwrap_or(0);
        }
    }
    0
}

fn opts<T: serde::de::DeserializeOwned + Default>(v: Value) -> T {
    dockerclient::options::parse("options", Some(&v.to_string())).unwrap()
}

/// What every case needs: a 64 MiB image (so that no stream fits in socket buffers), its
/// archive, a copy of it in the registry, a build context.
struct Fixture {
    dir: Scratch,
    big: String,
    archive: PathBuf,
    in_registry: String,
}

fn fixture(c: &Client) -> Fixture {
    let e = engine();
    let dir = Scratch::new("dc-faults");
    let big = format!("dctest/{}:big", unique("faults"));
    dir.file(
        "big/Dockerfile",
        format!("FROM {}\nRUN head -c {} /dev/urandom > /big\n", e.base_image(), 64 << 20),
    );
    build(c, &opts(json!({"context_dir": dir.join("big"), "tags": [big], "version": "1", "network_mode": "none"})), Io::none())
        .expect("build the big image");
    let archive = dir.join("big.tar");
    save(c, &opts(json!({"names": [big], "output_path": archive})), Io::none()).expect("save the big image");
    let in_registry = format!("{}/{}", e.registry(), big.trim_start_matches("dctest/"));
    assert!(e.docker(&["tag", &big, &in_registry]).status.success());
    push(c, &in_registry, &PushOptions::default(), Io::none()).expect("push the big image");
    dir.file("slow/Dockerfile", format!("FROM {}\nRUN echo started && sleep 30\n", e.base_image()));
    Fixture { dir, big, archive, in_registry }
}

/// One operation run under a fault: its result, as `Err` or `Ok` (never wanted).
type Outcome = Result<(), Error>;

fn run_case(c: &Client, f: &Fixture, op: &str, trigger: &Trigger, out_dir: &Path) -> Outcome {
    let limits = json!({"inactivity_timeout_ms": INACTIVITY_MS});
    let with = |mut v: Value| {
        v.as_object_mut().unwrap().extend(limits.as_object().unwrap().clone());
        v
    };
    let fire_on_message = |_: &[u8]| {
        trigger.fire();
        true
    };
    match op {
        "save (callback)" => {
            let mut cb = fire_on_message;
            save(c, &opts::<SaveOptions>(with(json!({"names": [f.big]}))), Io::output(&mut cb))
        }
        "save (output_path)" => {
            let done = Arc::new(AtomicBool::new(false));
            let dir = out_dir.to_path_buf();
            let w = watch(trigger, &done, move || bytes_in(&dir));
            let r = save(c, &opts::<SaveOptions>(with(json!({"names": [f.big], "output_path": out_dir.join("big.tar")}))), Io::none());
            done.store(true, Ordering::SeqCst);
            w.join().unwrap();
            r
        }
        "load (callback)" => {
            let mut input = FiringReader { file: fs::File::open(&f.archive).unwrap(), read: 0, trigger: trigger.clone() };
            load(c, &opts::<LoadOptions>(with(json!({}))), Io::input(&mut input)).map(drop)
        }
        "load (input_path)" => {
            let done = Arc::new(AtomicBool::new(false));
            let path = f.archive.clone();
            let w = watch(trigger, &done, move || offset_of(&path));
            let r = load(c, &opts::<LoadOptions>(with(json!({"input_path": f.archive}))), Io::none()).map(drop);
            done.store(true, Ordering::SeqCst);
            w.join().unwrap();
            r
        }
        "import" => {
            let mut input = FiringReader { file: fs::File::open(&f.archive).unwrap(), read: 0, trigger: trigger.clone() };
            import(c, &opts::<ImportOptions>(with(json!({}))), Io::input(&mut input)).map(drop)
        }
        "pull" => {
            // Not there locally: the daemon has to fetch its layers from the registry.
            let _ = engine().docker(&["rmi", "-f", &f.in_registry]);
            let mut cb = fire_on_message;
            pull(c, &opts::<PullOptions>(with(json!({"image": f.in_registry}))), Io::progress(&mut cb)).map(drop)
        }
        "push" => {
            // The pull case before may have left no local copy.
            assert!(engine().docker(&["tag", &f.big, &f.in_registry]).status.success());
            let mut cb = fire_on_message;
            push(c, &f.in_registry, &opts::<PushOptions>(with(json!({}))), Io::progress(&mut cb)).map(drop)
        }
        "build (classic)" | "build (BuildKit)" => {
            let version = if op.contains("classic") { "1" } else { "2" };
            let mut cb = fire_on_message;
            let o = with(json!({"context_dir": f.dir.join("slow"), "version": version, "no_cache": true, "network_mode": "none"}));
            build(c, &opts::<BuildOptions>(o), Io::progress(&mut cb)).map(drop)
        }
        other => panic!("no case {other}"),
    }
}

const OPERATIONS: [&str; 9] = [
    "save (callback)",
    "save (output_path)",
    "load (callback)",
    "load (input_path)",
    "import",
    "pull",
    "push",
    "build (classic)",
    "build (BuildKit)",
];

#[test]
fn every_streaming_operation_survives_a_stopped_or_killed_daemon() {
    let c = engine().client();
    system::ping(&c).unwrap();
    let f = fixture(&c);
    let mut report = Vec::new();
    for fault in [Fault::Stop, Fault::Kill] {
        for op in OPERATIONS {
            let out_dir = f.dir.dir(&unique("out"));
            let trigger = Trigger::new(fault);
            let t0 = Instant::now();
            let r = run_case(&c, &f, op, &trigger, &out_dir);
            let took = t0.elapsed();
            let fired = trigger.fired();
            recover(if fired { fault } else { Fault::Stop });
            assert!(fired, "{op}: the operation ended before the fault could fire ({r:?})");
            let want = match fault {
                Fault::Stop => Status::Timeout,
                Fault::Kill => Status::Transport,
            };
            let status = match &r {
                Ok(()) => panic!("{op} under {fault:?}: DC_OK"),
                Err(e) => e.status,
            };
            assert_eq!(status, want, "{op} under {fault:?}: {r:?}");
            assert!(fs::read_dir(&out_dir).unwrap().next().is_none(), "{op} under {fault:?}: a partial file was left");
            system::ping(&c).unwrap_or_else(|e| panic!("{op} under {fault:?}: the same client after recovery: {e:?}"));
            report.push(format!("{fault:?} {op}: {status:?} after {:.2} s", took.as_secs_f64()));
        }
    }
    eprintln!("faults (inactivity limit {INACTIVITY_MS} ms):\n  {}", report.join("\n  "));
    let e = engine();
    for name in [&f.big, &f.in_registry] {
        let _ = e.docker(&["rmi", "-f", name]);
    }
    let _ = std::io::stderr().flush();
}
