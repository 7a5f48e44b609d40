//! BuildKit sessions on the real engine: build secrets read by RUN steps and found nowhere in
//! the image, registry credentials the daemon asks for while pulling a private base image, and
//! what is refused before anything is sent.

mod common;

use std::sync::Mutex;

use base64::Engine as _;
use common::engine::{engine, unique};
use common::scratch::Scratch;
use common::stalling_proxy::StallingProxy;
use dockerclient::client::CredentialSource;
use dockerclient::images::build::{build, BuildOptions};
use dockerclient::images::push::{push, PushOptions};
use dockerclient::{Io, Status};
use serde_json::{json, Value};

/// BuildKit shares identical steps of concurrent builds: one build at a time.
static BUILDS: Mutex<()> = Mutex::new(());

fn opts<T: serde::de::DeserializeOwned + Default>(v: Value) -> T {
    dockerclient::options::parse("options", Some(&v.to_string())).unwrap()
}

fn sha16(bytes: &[u8]) -> String {
    let out = std::process::Command::new("sha256sum")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .and_then(|mut c| {
            use std::io::Write;
            c.stdin.take().unwrap().write_all(bytes)?;
            c.wait_with_output()
        })
        .unwrap();
    String::from_utf8_lossy(&out.stdout)[..16].to_string()
}

#[test]
fn secrets_reach_run_steps_and_stay_out_of_the_image() {
    let _one = BUILDS.lock().unwrap_or_else(|p| p.into_inner());
    let e = engine();
    let c = e.client();
    let dir = Scratch::new("dc-secrets");
    let file_secret = format!("file-secret-{}", unique("v"));
    let env_secret = format!("env-secret-{}", unique("v"));
    let secret_path = dir.file("pw.txt", &file_secret);
    // SAFETY: read by this process's own build below; no other test reads this variable.
    unsafe { std::env::set_var("DC_TEST_BUILD_SECRET", &env_secret) };
    dir.file(
        "ctx/Dockerfile",
        format!(
            "FROM {}\nRUN --mount=type=secret,id=pw,required=true --mount=type=secret,id=tok,required=true \
             sh -c 'echo pw-sum $(sha256sum < /run/secrets/pw | cut -c1-16); echo tok-sum $(sha256sum < /run/secrets/tok | cut -c1-16); \
             ls /run/secrets > /listed'\n",
            e.base_image()
        ),
    );
    let tag = format!("dctest/secrets:{}", unique("t"));
    let mut text = String::new();
    let built = build(
        &c,
        &opts::<BuildOptions>(json!({
            "context_dir": dir.join("ctx"), "version": "2", "network_mode": "none", "no_cache": true,
            "progress": "text", "tags": [tag],
            "secrets": {"pw": {"file": secret_path}, "tok": {"env": "DC_TEST_BUILD_SECRET"}},
        })),
        Io::progress(&mut |m: &[u8]| {
            text.push_str(&String::from_utf8_lossy(m));
            true
        }),
    )
    .expect("a build with secrets");
    assert!(text.contains(&format!("pw-sum {}", sha16(file_secret.as_bytes()))), "{text}");
    assert!(text.contains(&format!("tok-sum {}", sha16(env_secret.as_bytes()))), "{text}");
    assert!(!text.contains(&file_secret) && !text.contains(&env_secret));

    // Nowhere in the image: its history, its config, its layers.
    let history = e.docker(&["history", "--no-trunc", &tag]);
    let inspect = e.docker(&["image", "inspect", &tag]);
    let saved = e.docker(&["save", &tag]);
    assert!(saved.status.success(), "docker save: {}", String::from_utf8_lossy(&saved.stderr));
    let archive = saved.stdout;
    assert!(archive.len() > 10_000);
    for secret in [&file_secret, &env_secret] {
        let b64 = base64::engine::general_purpose::STANDARD.encode(secret);
        for (what, bytes) in [("history", &history.stdout), ("inspect", &inspect.stdout), ("saved image", &archive)] {
            let hay = String::from_utf8_lossy(bytes);
            assert!(!hay.contains(secret.as_str()) && !hay.contains(&b64), "the secret is in the {what}");
        }
    }
    assert!(built.id.starts_with("sha256:"));
    e.docker(&["rmi", &tag]);

    // A required secret that was not given: the build fails naming it.
    dir.file("ctx2/Dockerfile", format!("FROM {}\nRUN --mount=type=secret,id=absent,required=true true\n", e.base_image()));
    let err = build(
        &c,
        &opts::<BuildOptions>(json!({"context_dir": dir.join("ctx2"), "version": "2", "network_mode": "none", "no_cache": true,
            "secrets": {"pw": {"file": secret_path}}})),
        Io::none(),
    )
    .unwrap_err();
    assert!(err.message.contains("absent"), "{err:?}");

    // Refused before anything is sent.
    for (o, want, says) in [
        (json!({"secrets": {"pw": {"file": "/nonexistent/pw"}}}), Status::InvalidArgument, "/nonexistent/pw"),
        (json!({"secrets": {"pw": {"env": "DC_TEST_NO_SUCH_VARIABLE"}}}), Status::InvalidArgument, "DC_TEST_NO_SUCH_VARIABLE"),
        (json!({"secrets": {"pw": {"file": secret_path, "env": "X"}}}), Status::InvalidArgument, "exactly one"),
        (json!({"secrets": {"pw": {"file": secret_path}}, "session": false}), Status::InvalidArgument, "session"),
        (json!({"session": "sometimes"}), Status::InvalidArgument, "session"),
        (json!({"secrets": {"pw": {"file": secret_path}}, "version": "1"}), Status::Unsupported, "BuildKit"),
    ] {
        let mut all = json!({"context_dir": dir.join("ctx"), "version": "2", "network_mode": "none"});
        for (k, v) in o.as_object().unwrap() {
            all[k] = v.clone();
        }
        let err = build(&c, &opts::<BuildOptions>(all.clone()), Io::none()).unwrap_err();
        assert_eq!(err.status, want, "{all}: {err:?}");
        assert!(err.message.contains(says), "{all}: {}", err.message);
        assert!(!err.message.contains(&file_secret), "{}", err.message);
    }
    // SAFETY: as above.
    unsafe { std::env::remove_var("DC_TEST_BUILD_SECRET") };
}

#[test]
fn the_daemon_asks_the_session_for_registry_credentials() {
    let _one = BUILDS.lock().unwrap_or_else(|p| p.into_inner());
    let e = engine();
    // A base image only the htpasswd registry has.
    let base = format!("{}/{}:1", e.auth_registry(), unique("dctest/private-base"));
    assert!(e.docker(&["tag", &e.base_image(), &base]).status.success());
    let auth = json!({"auth": {"username": e.registry_user(), "password": e.registry_password()}});
    push(&e.client(), &base, &opts::<PushOptions>(auth), Io::none()).expect("push the private base");
    let _ = e.docker(&["rmi", &base]);

    let dir = Scratch::new("dc-session-auth");
    let basic = base64::engine::general_purpose::STANDARD.encode(format!("{}:{}", e.registry_user(), e.registry_password()));
    dir.file("config/config.json", json!({"auths": {e.auth_registry(): {"auth": basic}}}).to_string());
    dir.file("ctx/Dockerfile", format!("FROM {base}\nRUN echo built-on-a-private-base\n"));
    let c = e.client().with_credentials(CredentialSource::Dir(dir.join("config")));
    // Without a session BuildKit pulls anonymously, and the registry refuses.
    let o = |session: bool| {
        opts::<BuildOptions>(json!({"context_dir": dir.join("ctx"), "version": "2", "network_mode": "none", "no_cache": true, "session": session}))
    };
    let err = build(&c, &o(false), Io::none()).unwrap_err();
    assert!(matches!(err.status, Status::Unauthorized | Status::StreamError | Status::NotFound), "{err:?}");
    // With one, the daemon asks for the credentials when it needs them.
    let built = build(&c, &o(true), Io::none()).expect("a build on a private base, credentials through the session");
    assert!(built.id.starts_with("sha256:"));

    // Credentials given to the build ("auth_configs") are served instead (a session opens for
    // them by itself), to a client whose docker config has none.
    let bare = e.client().with_credentials(CredentialSource::Dir(dir.join("empty-config")));
    let given = json!({"context_dir": dir.join("ctx"), "version": "2", "network_mode": "none", "no_cache": true,
        "auth_configs": {e.auth_registry(): {"username": e.registry_user(), "password": e.registry_password()}}});
    build(&bare, &opts::<BuildOptions>(given), Io::none()).expect("auth_configs through the session");
    let err = build(&bare, &o(true), Io::none()).unwrap_err();
    assert!(matches!(err.status, Status::Unauthorized | Status::StreamError | Status::NotFound), "{err:?}");

    // The session ends with its build: a second one leaves no thread or descriptor more.
    let fds = || std::fs::read_dir("/proc/self/fd").unwrap().count();
    let threads = || std::fs::read_dir("/proc/self/task").unwrap().count();
    let (fds_before, threads_before) = (fds(), threads());
    build(&c, &o(true), Io::none()).expect("again");
    assert_eq!((fds(), threads()), (fds_before, threads_before), "descriptors and threads after a second session");
    let _ = e.docker(&["rmi", &base]);
}

#[test]
fn tar_and_local_outputs_come_back_through_the_session() {
    let _one = BUILDS.lock().unwrap_or_else(|p| p.into_inner());
    let e = engine();
    let c = e.client();
    let dir = Scratch::new("dc-tar-output");
    dir.file("ctx/Dockerfile", format!("FROM {}\nCOPY hello.txt /out/hello.txt\nRUN echo made > /out/made.txt\n", e.base_image()));
    dir.file("ctx/hello.txt", "hello through the session\n");
    let dest = dir.join("result.tar");
    let built = build(
        &c,
        &opts::<BuildOptions>(json!({"context_dir": dir.join("ctx"), "version": "2", "network_mode": "none",
            "outputs": [{"Type": "tar", "Attrs": {"dest": dest}}]})),
        Io::none(),
    )
    .expect("a build with a tar output");
    assert!(built.id.is_empty(), "no image: {built:?}");
    assert!(built.to_json().contains("\"id\":null"), "{}", built.to_json());
    let listing = std::process::Command::new("tar").arg("-tf").arg(&dest).output().unwrap();
    let names = String::from_utf8_lossy(&listing.stdout);
    assert!(names.lines().any(|l| l.trim_end_matches('/') == "out/hello.txt"), "{names}");
    assert!(names.lines().any(|l| l == "out/made.txt"), "{names}");
    let hello = std::process::Command::new("tar").arg("-xOf").arg(&dest).arg("out/hello.txt").output().unwrap();
    assert_eq!(String::from_utf8_lossy(&hello.stdout), "hello through the session\n");
    // Nothing but the archive is left next to it.
    assert_eq!(dir.entries(), ["ctx", "result.tar"]);

    // To a FIFO (a stream the program reads while the build runs, as the CLI's `dest=-`): written
    // in place, never replaced by a file.
    let fifo = dir.join("stream.tar");
    let made = std::process::Command::new("mkfifo").arg(&fifo).status().unwrap();
    assert!(made.success());
    let reader = {
        let fifo = fifo.clone();
        std::thread::spawn(move || std::fs::read(fifo).unwrap())
    };
    build(
        &c,
        &opts::<BuildOptions>(json!({"context_dir": dir.join("ctx"), "version": "2", "network_mode": "none",
            "outputs": [{"Type": "tar", "Attrs": {"dest": fifo}}]})),
        Io::none(),
    )
    .expect("a build with a tar output into a FIFO");
    let streamed = reader.join().unwrap();
    assert_eq!(streamed, std::fs::read(&dest).unwrap(), "the same archive as the file's");
    use std::os::unix::fs::FileTypeExt;
    assert!(std::fs::metadata(&fifo).unwrap().file_type().is_fifo(), "the FIFO is still a FIFO");
    // Destinations that cannot be written are refused before the build, naming them.
    for (bad, want) in [(dir.join("nowhere/x.tar"), Status::NotFound), (dir.join("ctx"), Status::InvalidArgument)] {
        let err = build(
            &c,
            &opts::<BuildOptions>(json!({"context_dir": dir.join("ctx"), "version": "2", "network_mode": "none",
                "outputs": [{"Type": "tar", "Attrs": {"dest": bad}}]})),
            Io::none(),
        )
        .unwrap_err();
        assert_eq!(err.status, want, "{err:?}");
        assert!(err.message.contains("\"outputs\" dest"), "{}", err.message);
    }


    // A local output: the same files as `docker build --output type=local`.
    let ours = dir.join("ours");
    let built = build(
        &c,
        &opts::<BuildOptions>(json!({"context_dir": dir.join("ctx"), "version": "2", "network_mode": "none",
            "outputs": [{"Type": "local", "Attrs": {"dest": ours}}]})),
        Io::none(),
    )
    .expect("a build with a local output");
    assert!(built.id.is_empty(), "{built:?}");
    let theirs = dir.join("theirs");
    let cli = std::process::Command::new("/usr/bin/docker")
        .args(["-H", &e.unix(), "build", "--network", "none", "--output"])
        .arg(format!("type=local,dest={}", theirs.display()))
        .arg(dir.join("ctx"))
        .env("DOCKER_BUILDKIT", "1")
        .env("DOCKER_CONFIG", e.cli_config_dir())
        .output()
        .unwrap();
    assert!(cli.status.success(), "{}", String::from_utf8_lossy(&cli.stderr));
    let diff = std::process::Command::new("diff").arg("-r").arg("--no-dereference").arg(&ours).arg(&theirs).output().unwrap();
    assert!(diff.status.success(), "local outputs differ:\n{}", String::from_utf8_lossy(&diff.stdout));
    assert_eq!(std::fs::read_to_string(ours.join("out/hello.txt")).unwrap(), "hello through the session\n");

    for (outputs, want) in [
        (json!([{"Type": "tar", "Attrs": {}}]), Status::InvalidArgument),
        (json!([{"Type": "local", "Attrs": {}}]), Status::InvalidArgument),
        (json!([{"Type": "registry", "Attrs": {}}]), Status::Unsupported),
    ] {
        let err = build(
            &c,
            &opts::<BuildOptions>(json!({"context_dir": dir.join("ctx"), "version": "2", "outputs": outputs})),
            Io::none(),
        )
        .unwrap_err();
        assert_eq!(err.status, want, "{outputs}: {err:?}");
    }
}

/// A static program for the build's RUN step: asks the agent at $SSH_AUTH_SOCK for its keys
/// (SSH2_AGENTC_REQUEST_IDENTITIES) and prints how many it holds.
const AGENT_CHECK: &str = r#"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
static int full(int fd, unsigned char *b, size_t n) {
    size_t got = 0;
    while (got < n) { ssize_t r = read(fd, b + got, n - got); if (r <= 0) return -1; got += (size_t)r; }
    return 0;
}
/* Sends a one-byte request of type t; reads the answer whole; returns its type (-1: none)
 * and, for an identities answer, the number of keys in *keys. */
static int ask(int fd, unsigned char t, unsigned *keys) {
    unsigned char req[5] = {0, 0, 0, 1, 0}, head[4], *body;
    unsigned len;
    int type;
    req[4] = t;
    if (write(fd, req, 5) != 5 || full(fd, head, 4) != 0) return -1;
    len = (unsigned)(head[0] << 24 | head[1] << 16 | head[2] << 8 | head[3]);
    if (len < 1 || len > 262144 || !(body = malloc(len)) || full(fd, body, len) != 0) return -1;
    type = body[0];
    if (type == 12 && len >= 5) *keys = (unsigned)(body[1] << 24 | body[2] << 16 | body[3] << 8 | body[4]);
    free(body);
    return type;
}
int main(void) {
    const char *path = getenv("SSH_AUTH_SOCK");
    struct sockaddr_un a;
    unsigned keys = 0, again = 0;
    int listed, removed, relisted;
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);
    if (!path || fd < 0) { puts("agent: no socket"); return 1; }
    memset(&a, 0, sizeof a);
    a.sun_family = AF_UNIX;
    strncpy(a.sun_path, path, sizeof a.sun_path - 1);
    if (connect(fd, (struct sockaddr *)&a, sizeof a) != 0) { puts("agent: no answer"); return 1; }
    listed = ask(fd, 11, &keys);      /* SSH2_AGENTC_REQUEST_IDENTITIES */
    removed = ask(fd, 19, &again);    /* SSH2_AGENTC_REMOVE_ALL_IDENTITIES */
    relisted = ask(fd, 11, &again);
    printf("agent answer %d keys %u\n", listed, keys);
    printf("remove-all answer %d\n", removed);
    printf("agent answer again %d keys %u\n", relisted, again);
    return listed < 0 || removed < 0 || relisted < 0;
}
"#;

#[test]
fn an_ssh_agent_is_forwarded_to_run_steps() {
    let _one = BUILDS.lock().unwrap_or_else(|p| p.into_inner());
    let e = engine();
    let c = e.client();
    let dir = Scratch::new("dc-ssh-forward");
    dir.file("agentcheck.c", AGENT_CHECK);
    dir.dir("ctx");
    let cc = std::process::Command::new("gcc")
        .args(["-static", "-O2", "-o"])
        .arg(dir.join("ctx/agentcheck"))
        .arg(dir.join("agentcheck.c"))
        .output()
        .unwrap();
    assert!(cc.status.success(), "{}", String::from_utf8_lossy(&cc.stderr));
    dir.file(
        "ctx/Dockerfile",
        format!("FROM {}\nCOPY agentcheck /agentcheck\nRUN --mount=type=ssh /agentcheck\n", e.base_image()),
    );
    // An agent of the test's own, holding one generated key.
    let sock = dir.join("agent.sock");
    let agent = std::process::Command::new("ssh-agent").arg("-a").arg(&sock).output().unwrap();
    assert!(agent.status.success(), "{}", String::from_utf8_lossy(&agent.stderr));
    let pid = String::from_utf8_lossy(&agent.stdout)
        .split("SSH_AGENT_PID=")
        .nth(1)
        .and_then(|s| s.split(';').next())
        .unwrap_or("0")
        .to_string();
    let key = dir.join("id_test");
    assert!(std::process::Command::new("ssh-keygen").args(["-q", "-t", "ed25519", "-N", "", "-f"]).arg(&key).status().unwrap().success());
    assert!(std::process::Command::new("ssh-add").arg("-q").arg(&key).env("SSH_AUTH_SOCK", &sock).status().unwrap().success());

    let mut text = String::new();
    let result = build(
        &c,
        &opts::<BuildOptions>(json!({"context_dir": dir.join("ctx"), "version": "2", "network_mode": "none", "no_cache": true,
            "progress": "text", "ssh": {"default": sock}})),
        Io::progress(&mut |m: &[u8]| {
            text.push_str(&String::from_utf8_lossy(m));
            true
        }),
    );
    let listed = std::process::Command::new("ssh-add").arg("-l").env("SSH_AUTH_SOCK", &sock).output().unwrap();
    let _ = std::process::Command::new("kill").arg(&pid).status();
    result.expect("a build with a forwarded agent");
    // 12 = SSH2_AGENT_IDENTITIES_ANSWER.
    assert!(text.contains("agent answer 12 keys 1"), "{text}");
    // Read-only, as the CLI forwards it: removing keys is refused (5 = SSH_AGENT_FAILURE), the
    // key is still there for the step and for its owner.
    assert!(text.contains("remove-all answer 5"), "{text}");
    assert!(text.contains("agent answer again 12 keys 1"), "{text}");
    assert_eq!(String::from_utf8_lossy(&listed.stdout).lines().count(), 1, "ssh-add -l after the build: {listed:?}");

    // Refused before anything is sent; a build asking for an agent it was not given fails.
    let err = build(&c, &opts::<BuildOptions>(json!({"context_dir": dir.join("ctx"), "version": "2", "ssh": {"default": dir.join("nosuch.sock")}})), Io::none())
        .unwrap_err();
    assert!(err.status == Status::InvalidArgument && err.message.contains("nosuch.sock"), "{err:?}");
    let err = build(
        &c,
        &opts::<BuildOptions>(json!({"context_dir": dir.join("ctx"), "version": "2", "network_mode": "none", "no_cache": true, "session": true})),
        Io::none(),
    )
    .unwrap_err();
    assert!(err.message.to_ascii_lowercase().contains("ssh"), "{err:?}");
}

/// The largest "transferring context" counter of a BuildKit build's JSON progress, checked
/// against the result's `context_bytes_sent`: both count the listing and the files' packets.
fn context_bytes(c: &dockerclient::Client, o: Value) -> u64 {
    let mut most = 0u64;
    let built = build(c, &opts::<BuildOptions>(o), Io::progress(&mut |m: &[u8]| {
        if let Ok(v) = serde_json::from_slice::<Value>(m)
            && v["type"] == "status"
            && v["id"].as_str().is_some_and(|i| i.starts_with("transferring context"))
        {
            most = most.max(v["current"].as_u64().unwrap_or(0));
        }
        true
    }))
    .expect("build");
    let sent = built.context_bytes_sent.expect("a served context reports its bytes");
    assert!(sent.abs_diff(most) < 64 * 1024, "library sent {sent}, BuildKit counted {most}");
    assert!(built.to_json().contains("\"context_bytes_sent\""));
    most
}

#[test]
fn the_context_is_served_on_demand_and_a_rebuild_sends_what_changed() {
    let _one = BUILDS.lock().unwrap_or_else(|p| p.into_inner());
    let e = engine();
    let c = e.client();
    let dir = Scratch::new("dc-filesync");
    let big: Vec<u8> = (0..24u32 * 1024 * 1024).map(|i| (i.wrapping_mul(2_654_435_761) >> 24) as u8).collect();
    dir.file("ctx/big.bin", &big);
    dir.file("ctx/small.txt", "one\n");
    // 20,000 small files, as the issue's context has: the listing goes again in every build,
    // the files' contents only where they changed.
    for i in 0..20_000u32 {
        dir.file(&format!("ctx/many/d{:03}/f{i:05}.txt", i / 100), format!("file {i}\n"));
    }
    dir.file("ctx/skipped/huge.bin", &big);
    dir.file("ctx/.dockerignore", "skipped\n");
    dir.file("ctx/sub/Dockerfile.app", format!("FROM {}\nCOPY . /ctx\nRUN cat /ctx/small.txt\n", e.base_image()));
    let o = json!({"context_dir": dir.join("ctx"), "dockerfile": "sub/Dockerfile.app", "version": "2", "network_mode": "none",
        "session": true, "progress": "json", "tags": ["dctest/filesync:1"]});
    let first = context_bytes(&c, o.clone());
    assert!(first > 24_000_000 && first < 40_000_000, "first build sent {first} bytes (the big file, not the ignored one)");
    std::thread::sleep(std::time::Duration::from_millis(20));
    dir.file("ctx/small.txt", "two\n");
    let second = context_bytes(&c, o.clone());
    // The listing goes again (about 50 bytes an entry), the files only where they changed.
    assert!(second < 2_000_000 && second * 20 < first, "the rebuild sent {second} bytes: the listing and what changed");
    eprintln!("context transferred: first build {first} bytes, rebuild after touching one file {second} bytes");
    // The image has the context minus .dockerignore's, and the changed file.
    let out = e.docker(&["run", "--rm", "--network", "none", "dctest/filesync:1", "sh", "-c", "cat /ctx/small.txt; ls /ctx; cat /ctx/many/d123/f12345.txt; ls /ctx/many/* | grep -c '^f'"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.starts_with("two\n") && text.contains("big.bin") && !text.contains("skipped"), "{text}");
    assert!(text.contains("file 12345\n") && text.trim_end().ends_with("\n20000"), "every small file reached the image: {text}");
    // An inline Dockerfile is served from a private directory, removed afterwards.
    let inline = json!({"context_dir": dir.join("ctx"), "version": "2", "network_mode": "none", "session": true,
        "dockerfile_content": format!("FROM {}\nCOPY small.txt /s\n", e.base_image())});
    build(&c, &opts::<BuildOptions>(inline), Io::none()).expect("inline Dockerfile through the session");
    let left = std::fs::read_dir(std::env::temp_dir()).unwrap().flatten().filter(|d| d.file_name().to_string_lossy().starts_with("dockerclient-dockerfile-")).count();
    assert_eq!(left, 0, "the inline Dockerfile's directory is removed");
    e.docker(&["rmi", "dctest/filesync:1"]);
}

#[test]
fn a_cancel_while_the_context_is_served_leaves_nothing_behind() {
    let _one = BUILDS.lock().unwrap_or_else(|p| p.into_inner());
    let e = engine();
    let c = e.client();
    let dir = Scratch::new("dc-session-cancel");
    // Enough files that the transfer is still going when the cancel comes.
    let chunk: Vec<u8> = (0..4u32 * 1024 * 1024).map(|i| (i.wrapping_mul(2_246_822_519) >> 23) as u8).collect();
    for i in 0..64 {
        dir.file(&format!("ctx/f{i:02}.bin"), &chunk);
    }
    dir.file("ctx/Dockerfile", format!("FROM {}\nCOPY . /ctx\n", e.base_image()));
    // A first build warms the client (its pool) and the daemon; counted after it.
    dir.file("small/Dockerfile", format!("FROM {}\nRUN true\n", e.base_image()));
    build(&c, &opts::<BuildOptions>(json!({"context_dir": dir.join("small"), "version": "2", "network_mode": "none"})), Io::none()).unwrap();
    let fds = || std::fs::read_dir("/proc/self/fd").unwrap().count();
    let threads = || std::fs::read_dir("/proc/self/task").unwrap().count();
    let (fds_before, threads_before) = (fds(), threads());
    let token = dockerclient::CancelToken::new();
    let trigger = {
        let token = token.clone();
        std::thread::spawn(move || {
            std::thread::sleep(std::time::Duration::from_millis(400));
            token.trigger();
        })
    };
    let err = build(
        &c.with_cancel(token),
        &opts::<BuildOptions>(json!({"context_dir": dir.join("ctx"), "version": "2", "network_mode": "none", "no_cache": true})),
        Io::none(),
    )
    .unwrap_err();
    trigger.join().unwrap();
    assert_eq!(err.status, Status::Cancelled, "{err:?}");
    // The session's thread and connections are gone; the client builds again.
    assert_eq!(threads(), threads_before, "threads");
    assert!(fds() <= fds_before + 1, "descriptors: {} before, {} after", fds_before, fds());
    build(&c, &opts::<BuildOptions>(json!({"context_dir": dir.join("small"), "version": "2", "network_mode": "none"})), Io::none())
        .expect("the client builds after a cancel");
}

/// The library's own threads (the session's, the TLS pumps', the context producers'): the
/// test's proxy threads are not counted.
fn library_threads() -> usize {
    std::fs::read_dir("/proc/self/task")
        .unwrap()
        .flatten()
        .filter(|t| {
            let name = std::fs::read_to_string(t.path().join("comm")).unwrap_or_default();
            name.starts_with("dockerclient") || name.starts_with("dc-")
        })
        .count()
}

#[test]
fn a_session_that_goes_silent_ends_the_build_and_leaves_nothing_behind() {
    let _one = BUILDS.lock().unwrap_or_else(|p| p.into_inner());
    let e = engine();
    // Every connection passes but the session's, which goes silent after its upgrade without
    // closing (a network partition): the daemon's health check gives up on it, the build
    // fails, and the library must end its side of a connection whose peer never answers.
    let proxy = StallingProxy::start(e.tcp().trim_start_matches("tcp://"));
    let c = e.client_with(&json!({"host": proxy.host}).to_string());
    let dir = Scratch::new("dc-session-stall");
    dir.file("ctx/Dockerfile", format!("FROM {}\nRUN true\n", e.base_image()));
    let small = |session: bool| json!({"context_dir": dir.join("ctx"), "version": "2", "network_mode": "none", "session": session});
    build(&c, &opts::<BuildOptions>(small(false)), Io::none()).expect("an upload build through the proxy");
    assert_eq!(library_threads(), 0);

    let mut text = String::new();
    let err = build(
        &c,
        &opts::<BuildOptions>(small(true)),
        Io::progress(&mut |m: &[u8]| {
            text.push_str(&String::from_utf8_lossy(m));
            true
        }),
    )
    .unwrap_err();
    assert_eq!(proxy.stalled(), 1, "the session went through the proxy and was stalled");
    assert_eq!(err.status, Status::StreamError, "{err:?}");
    assert!(!err.message.is_empty());
    eprintln!("a silent session ends the build with: {}", err.message);
    // The daemon gave up on the session; the library closed its end before returning, and
    // its session thread is gone.
    assert!(proxy.closed_by(0, false, 30_000), "the daemon keeps the silent session");
    assert!(proxy.closed_by(0, true, 30_000), "the library keeps its end of the silent session open");
    assert_eq!(library_threads(), 0, "a library thread is left");
    // With an inactivity limit the library does not wait for the daemon's health check: the
    // build's progress goes silent with the session, the call ends with DC_TIMEOUT, and the
    // session's end is closed as before.
    let mut limited = small(true);
    limited["inactivity_timeout_ms"] = json!(2000);
    let err = build(&c, &opts::<BuildOptions>(limited), Io::none()).unwrap_err();
    assert_eq!(proxy.stalled(), 2);
    assert_eq!(err.status, Status::Timeout, "{err:?}");
    assert!(proxy.closed_by(1, true, 30_000), "the library keeps its end of the silent session open");
    assert_eq!(library_threads(), 0, "a library thread is left");
    // The client goes on: an upload through the same proxy, a session on the engine directly.
    build(&c, &opts::<BuildOptions>(small(false)), Io::none()).expect("the client builds after the silent session");
    build(&e.client(), &opts::<BuildOptions>(small(true)), Io::none()).expect("a session build on the engine");
}

/// A client on the test engine's TLS port with the client certificate; `tls` adds to its TLS
/// options (another "ca", "verify").
fn tls_client(tls: Value, more: Value) -> Result<dockerclient::Client, dockerclient::Error> {
    let e = engine();
    let certs = e.certs();
    let mut t = json!({"ca": certs.join("ca.pem"), "cert": certs.join("cert.pem"), "key": certs.join("key.pem")});
    for (k, v) in tls.as_object().unwrap() {
        t[k] = v.clone();
    }
    let mut o = json!({"host": e.tls(), "tls": t});
    for (k, v) in more.as_object().unwrap() {
        o[k] = v.clone();
    }
    let opts: dockerclient::client::ClientOptions = serde_json::from_value(o).expect("client options");
    dockerclient::Client::new(&opts)
}

#[test]
fn sessions_run_over_tls_endpoints() {
    let _one = BUILDS.lock().unwrap_or_else(|p| p.into_inner());
    let e = engine();
    let dir = Scratch::new("dc-tls-session");
    let secret = format!("tls-secret-{}", unique("v"));
    let secret_path = dir.file("pw.txt", &secret);
    dir.file(
        "ctx/Dockerfile",
        format!(
            "FROM {}\nCOPY . /ctx/\nRUN --mount=type=secret,id=pw,required=true sh -c 'echo pw-sum $(sha256sum < /run/secrets/pw | cut -c1-16); ls /ctx'\n",
            e.base_image()
        ),
    );
    dir.file("ctx/kept.txt", "kept");
    dir.file("ctx/ignored.txt", "ignored");
    dir.file("ctx/.dockerignore", "ignored.txt\n");
    // Verified against the test CA, and unverified (the daemon's certificate taken as is).
    for (how, tls) in [("verified", json!({})), ("unverified", json!({"ca": null, "verify": false}))] {
        let c = tls_client(tls, json!({})).expect("TLS client");
        // Changed each pass: the daemon keeps its copy of the context, and asks for this file.
        dir.file("ctx/kept.txt", format!("kept {how}"));
        let tag = format!("dctest/tls-session:{}", unique("t"));
        let mut text = String::new();
        let built = build(
            &c,
            &opts::<BuildOptions>(json!({
                "context_dir": dir.join("ctx"), "version": "2", "network_mode": "none", "no_cache": true,
                "progress": "text", "tags": [tag], "secrets": {"pw": {"file": secret_path}},
            })),
            Io::progress(&mut |m: &[u8]| {
                text.push_str(&String::from_utf8_lossy(m));
                true
            }),
        )
        .unwrap_or_else(|err| panic!("{how}: a session build over TLS: {err}\n{text}"));
        assert!(text.contains(&format!("pw-sum {}", sha16(secret.as_bytes()))), "{how}: the secret reached the step:\n{text}");
        // The context went through the session (the daemon applied .dockerignore and asked
        // for the files), not as an upload.
        let sent = built.context_bytes_sent.unwrap_or_else(|| panic!("{how}: no session: {built:?}"));
        assert!(sent > 0, "{how}: {built:?}");
        assert!(text.contains("kept.txt") && !text.contains("ignored.txt"), "{how}: ls /ctx:\n{text}");
        assert!(!built.id.is_empty(), "{how}: {built:?}");
        e.docker(&["rmi", "-f", &tag]);
    }

    // A tar output comes back over the TLS session too.
    let c = tls_client(json!({}), json!({})).unwrap();
    let out = dir.join("out.tar");
    build(
        &c,
        &opts::<BuildOptions>(json!({
            "context_dir": dir.join("ctx"), "version": "2", "network_mode": "none",
            "secrets": {"pw": {"file": secret_path}},
            "outputs": [{"Type": "tar", "Attrs": {"dest": out}}],
        })),
        Io::none(),
    )
    .expect("tar output over TLS");
    let mut names = Vec::new();
    for entry in tar::Archive::new(std::fs::File::open(&out).unwrap()).entries().unwrap() {
        names.push(entry.unwrap().path().unwrap().display().to_string());
    }
    assert!(names.iter().any(|n| n == "ctx/kept.txt"), "{names:?}");
    assert!(!names.iter().any(|n| n == "ctx/ignored.txt"), "{names:?}");

    // The TLS thread and its connection end with the session: another build leaves no thread
    // or descriptor more.
    let fds = || std::fs::read_dir("/proc/self/fd").unwrap().count();
    let threads = || std::fs::read_dir("/proc/self/task").unwrap().count();
    let (fds_before, threads_before) = (fds(), threads());
    build(
        &c,
        &opts::<BuildOptions>(json!({"context_dir": dir.join("ctx"), "version": "2", "network_mode": "none",
            "secrets": {"pw": {"file": secret_path}}, "outputs": [{"Type": "tar", "Attrs": {"dest": out}}]})),
        Io::none(),
    )
    .expect("again");
    assert_eq!((fds(), threads()), (fds_before, threads_before), "descriptors and threads after a second TLS session");
}

#[test]
fn extended_attributes_reach_the_build() {
    // As `DOCKER_BUILDKIT=1 docker build --output type=tar` gives them: the session lists a
    // file's xattrs, the daemon keeps them through COPY, its tar exporter writes them as PAX
    // records. (Device numbers are listed too, see the filesync unit tests; Engine 20.10 makes
    // a device from a context an empty regular file, for the CLI as for the library.)
    let _one = BUILDS.lock().unwrap_or_else(|p| p.into_inner());
    let e = engine();
    let dir = Scratch::new("dc-session-xattrs");
    dir.file("ctx/Dockerfile", format!("FROM {}\nCOPY . /ctx/\n", e.base_image()));
    let marked = dir.file("ctx/marked.txt", "marked");
    let set = std::process::Command::new("python3")
        .args(["-c", "import os,sys; os.setxattr(sys.argv[1], 'user.dctest', b'hello')"])
        .arg(&marked)
        .status()
        .unwrap();
    assert!(set.success(), "setting a user xattr on the scratch file system");
    let out = dir.join("out.tar");
    build(
        &e.client(),
        &opts::<BuildOptions>(json!({
            "context_dir": dir.join("ctx"), "version": "2", "network_mode": "none", "no_cache": true,
            "outputs": [{"Type": "tar", "Attrs": {"dest": out}}],
        })),
        Io::none(),
    )
    .expect("build");
    let mut xattrs = Vec::new();
    for entry in tar::Archive::new(std::fs::File::open(&out).unwrap()).entries().unwrap() {
        let mut entry = entry.unwrap();
        if entry.path().unwrap().display().to_string() != "ctx/marked.txt" {
            continue;
        }
        for ext in entry.pax_extensions().unwrap().into_iter().flatten() {
            let ext = ext.unwrap();
            xattrs.push((ext.key().unwrap().to_string(), ext.value_bytes().to_vec()));
        }
    }
    assert_eq!(xattrs, vec![("SCHILY.xattr.user.dctest".to_string(), b"hello".to_vec())], "the file's xattr");
}
