//! `ssh://` hosts against a real sshd (Debian's openssh-server, started by
//! scripts/test-remote.sh on a loopback port with keys of its own) whose remote
//! `docker system dial-stdio` reaches the private test engine. The system `ssh` is found on
//! PATH, as the CLI finds it; the test puts a wrapper first that points ssh at the test's keys
//! and known hosts (OpenSSH reads its config from the passwd home, not $HOME).
//!
//! Everything runs in one test, in order: PATH is the process's.

mod common;

use std::fs;

use common::engine::{engine, unique};
use common::scratch::Scratch;
use dockerclient::images::load::{load, LoadOptions};
use dockerclient::images::pull::{pull, PullOptions};
use dockerclient::images::push::{push, PushOptions};
use dockerclient::images::save::{save, SaveOptions};
use dockerclient::images::build::{build, BuildOptions};
use dockerclient::{Client, ClientOptions, Io, Status};
use serde_json::{json, Value};

fn opts<T: serde::de::DeserializeOwned + Default>(v: Value) -> T {
    dockerclient::options::parse("options", Some(&v.to_string())).unwrap()
}

/// Puts `dir` first on PATH (where `ssh` is looked up).
fn path_first(dir: &str) {
    let path = std::env::var("PATH").unwrap_or_default();
    let rest: Vec<&str> = path.split(':').filter(|p| !p.contains("/remote/bin")).collect();
    // SAFETY: this test binary runs one test, on one thread.
    unsafe { std::env::set_var("PATH", format!("{dir}:{}", rest.join(":"))) };
}

fn client(host: &str) -> Client {
    Client::new(&ClientOptions { host: Some(host.to_string()), ..Default::default() }).expect("ssh client")
}

/// The ssh processes this test process started and has not reaped (zombies included).
fn ssh_children() -> Vec<(i32, char)> {
    let me = std::process::id().to_string();
    let mut found = Vec::new();
    for entry in fs::read_dir("/proc").unwrap().flatten() {
        let Ok(stat) = fs::read_to_string(entry.path().join("stat")) else { continue };
        // pid (comm) state ppid ...
        let Some((head, tail)) = stat.rsplit_once(')') else { continue };
        let comm = head.split_once('(').map(|(_, c)| c).unwrap_or("");
        let fields: Vec<&str> = tail.split_whitespace().collect();
        if comm == "ssh" && fields.get(1) == Some(&me.as_str()) {
            let pid = head.split_whitespace().next().unwrap_or("0").parse().unwrap_or(0);
            found.push((pid, fields[0].chars().next().unwrap_or('?')));
        }
    }
    found
}

fn open_fds() -> usize {
    fs::read_dir("/proc/self/fd").unwrap().count()
}

fn fd_targets() -> Vec<String> {
    let mut v: Vec<String> = fs::read_dir("/proc/self/fd")
        .unwrap()
        .flatten()
        .map(|e| format!("{:?} -> {:?}", e.file_name(), fs::read_link(e.path()).unwrap_or_default()))
        .collect();
    v.sort();
    v
}

fn daemon_id(c: &Client) -> String {
    let info: Value = serde_json::from_str(&dockerclient::system::info(c).expect("info over ssh")).unwrap();
    info["ID"].as_str().unwrap().to_string()
}

#[test]
fn ssh_hosts_reach_the_daemon_as_the_cli_does() {
    let e = engine();
    let ssh_host = e.var("DC_TEST_SSH_HOST");
    path_first(&e.var("DC_TEST_SSH_BIN"));
    let fds_before = open_fds();
    let fds_before_list = fd_targets();

    // The same daemon as the engine's socket, and as the CLI over the same ssh.
    let c = client(&ssh_host);
    assert_eq!(daemon_id(&c), daemon_id(&e.client()));
    let cli = std::process::Command::new("docker")
        .args(["-H", &ssh_host, "info", "--format", "{{.ID}}"])
        .env("DOCKER_CONFIG", e.cli_config_dir())
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&cli.stdout).trim(), daemon_id(&c), "{}", String::from_utf8_lossy(&cli.stderr));
    let endpoint: Value = serde_json::from_str(&c.endpoint_json()).unwrap();
    assert_eq!(endpoint["host"], ssh_host.as_str(), "{endpoint}");
    assert_eq!(endpoint["tls"], Value::Null);

    // Streams: push and pull with progress, save (zero-copy path) and load, a build context.
    let name = format!("{}/{}:1", e.registry(), unique("dctest/over-ssh"));
    e.docker(&["tag", &e.base_image(), &name]);
    let mut messages = 0;
    push(&c, &name, &PushOptions::default(), Io::progress(&mut |_| {
        messages += 1;
        true
    }))
    .expect("push over ssh");
    e.docker(&["rmi", &name]);
    let pulled = pull(&c, &opts::<PullOptions>(json!({"image": name})), Io::progress(&mut |_| {
        messages += 1;
        true
    }))
    .expect("pull over ssh");
    assert!(pulled.id.is_some() && messages > 2, "{pulled:?}, {messages} messages");
    let dir = Scratch::new("dc-ssh");
    let archive = dir.join("image.tar");
    save(&c, &opts::<SaveOptions>(json!({"names": [name], "output_path": archive})), Io::none()).expect("save over ssh");
    let saved = e.docker(&["save", &name]);
    assert!(saved.status.success(), "docker save: {}", String::from_utf8_lossy(&saved.stderr));
    let through_cli = saved.stdout;
    assert_eq!(fs::metadata(&archive).unwrap().len() as usize, through_cli.len(), "the same archive as docker save");
    e.docker(&["rmi", &name]);
    let loaded = load(&c, &LoadOptions::default(), Io::input(&mut fs::File::open(&archive).unwrap())).expect("load over ssh");
    assert_eq!(loaded.images.len(), 1, "{loaded:?}");
    dir.file("ctx/Dockerfile", format!("FROM {}\nCOPY hello /hello\n", e.base_image()));
    dir.file("ctx/hello", "over ssh\n");
    let built = build(
        &c,
        &opts::<BuildOptions>(json!({"context_dir": dir.join("ctx"), "network_mode": "none", "tags": [format!("{name}-built")]})),
        Io::none(),
    )
    .expect("build over ssh");
    assert!(built.id.starts_with("sha256:"), "{built:?}");
    e.docker(&["rmi", &format!("{name}-built"), &name]);

    // One ssh process per pooled connection; all ended and reaped when the client goes.
    let running = ssh_children();
    assert!(!running.is_empty(), "idle pooled connections keep their ssh");
    drop(c);
    let left = ssh_children();
    assert!(left.is_empty(), "ssh processes left after the client was dropped: {left:?}");
    assert_eq!(open_fds(), fds_before, "no descriptor left: {fds_before_list:?} -> {:?}", fd_targets());

    // ssh killed in the middle of a save: DC_TRANSPORT; the client goes on.
    let c = client(&ssh_host);
    let big = format!("{}/{}:big", e.registry(), unique("dctest/ssh-big"));
    dir.file("big/Dockerfile", format!("FROM {}\nRUN head -c 67108864 /dev/urandom > /big\n", e.base_image()));
    build(&c, &opts::<BuildOptions>(json!({"context_dir": dir.join("big"), "network_mode": "none", "tags": [big]})), Io::none())
        .expect("big image");
    drop(c);
    let c = client(&ssh_host);
    let mut killed = false;
    let err = save(&c, &opts::<SaveOptions>(json!({"names": [big]})), Io::output(&mut |_chunk: &[u8]| {
        if !killed {
            for (pid, _) in ssh_children() {
                // SAFETY: signalling a child process of this test.
                unsafe { libc::kill(pid, libc::SIGKILL) };
            }
            killed = true;
        }
        true
    }))
    .expect_err("a save whose ssh was killed");
    assert_eq!(err.status, Status::Transport, "{err:?}");
    assert!(killed);
    assert_eq!(daemon_id(&c), daemon_id(&e.client()), "the client still works");
    drop(c);
    e.docker(&["rmi", &big]);
    assert!(ssh_children().is_empty(), "{:?}", ssh_children());

    // ssh's own failures come back with its words: an unknown host key, a socket that is not
    // there on the remote side.
    path_first(&e.var("DC_TEST_SSH_BIN_UNKNOWN_HOST"));
    let err = dockerclient::system::ping(&client(&ssh_host)).unwrap_err();
    assert_eq!(err.status, Status::Transport, "{err:?}");
    assert!(err.message.contains("Host key verification failed"), "{}", err.message);
    path_first(&e.var("DC_TEST_SSH_BIN"));
    let err = dockerclient::system::ping(&client(&format!("{ssh_host}/nonexistent/docker.sock"))).unwrap_err();
    assert_eq!(err.status, Status::Transport, "{err:?}");
    assert!(err.message.contains("exit status") && err.message.contains("nonexistent"), "{}", err.message);
    let err = dockerclient::system::ping(&client(&e.var("DC_TEST_SSH_HOST_NO_DOCKER"))).unwrap_err();
    assert_eq!(err.status, Status::Transport, "{err:?}");
    assert!(err.message.contains("exit status: 127") && err.message.contains("docker: command not found"), "{}", err.message);
    assert!(ssh_children().is_empty(), "{:?}", ssh_children());
}
