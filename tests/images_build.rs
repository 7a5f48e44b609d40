//! Builds on the real engine: instructions, tags, labels and files checked by inspect and by
//! running the image; text output against `DOCKER_BUILDKIT=0 docker build`; Dockerfiles
//! outside the context and inline; multi-stage targets; build args; the cache; contexts from a
//! remote URL and from a reader; failures reported inside the stream; registry credentials.

mod common;
#[path = "images_build/support.rs"]
mod support;

use std::io::{Read, Write};
use std::net::TcpListener;

use common::engine::engine;
use dockerclient::Status;
use dockerclient::{AuthConfig, DockerConfig};
use dockerclient::images::build::BuildOptions;
use dockerclient::images::push::{PushOptions, push};
use dockerclient::images::io::Io;
use serde_json::json;
use support::*;

/// `Step`s, IDs and timings differ between two builds; the rest must be the same bytes.
fn normalize(text: &str) -> String {
    let mut out = String::new();
    for word in text.split_inclusive(|c: char| c.is_whitespace()) {
        let core = word.trim_end();
        if core.len() == 12 && core.bytes().all(|b| b.is_ascii_hexdigit()) {
            out.push_str("<id>");
            out.push_str(&word[core.len()..]);
        } else {
            out.push_str(word);
        }
    }
    out
}

fn app_context(s: &Scratch) {
    s.file(
        "Dockerfile",
        format!(
            "FROM {}\nARG GREETING=hello\nARG UNSET\nENV APP_MODE=test\nLABEL com.example.from-file=\"yes\"\n\
             COPY app/ /app/\nRUN echo \"$GREETING from build${{UNSET:-}}\" > /greeting && chmod 640 /greeting\n",
            base()
        ),
    );
    s.file("app/config.txt", "key=value\n");
    s.file("app/bin/tool.sh", "#!/bin/sh\necho tool\n");
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(s.path().join("app/bin/tool.sh"), std::fs::Permissions::from_mode(0o755)).unwrap();
}

#[test]
fn run_copy_arg_env_label_with_tags_and_labels() {
    let s = Scratch::new("dc-build-app");
    app_context(&s);
    let name = image_name("app");
    let mut images = Images::default();
    images.add(&format!("{name}:1"));
    images.add(&format!("{name}-second:latest"));
    let opts = BuildOptions {
        tags: vec![format!("{name}:1"), format!("{name}-second")],
        labels: Some([("com.example.extra".to_string(), "x y".to_string())].into()),
        build_args: Some([("GREETING".to_string(), Some("hi".to_string())), ("UNSET".to_string(), None)].into()),
        ..dir_options(s.path())
    };
    let run = run_build(&opts, None);
    let result = run.ok().clone();
    assert_eq!(result["tags"], json!([format!("{name}:1"), format!("{name}-second:latest")]));

    let info = inspect(&format!("{name}:1"));
    assert_eq!(result["id"], info["Id"]);
    let mut repo_tags: Vec<String> = serde_json::from_value(info["RepoTags"].clone()).unwrap();
    repo_tags.sort();
    assert_eq!(repo_tags, [format!("{name}-second:latest"), format!("{name}:1")]);
    assert_eq!(info["Config"]["Labels"]["com.example.from-file"], "yes");
    assert_eq!(info["Config"]["Labels"]["com.example.extra"], "x y");
    assert!(info["Config"]["Env"].as_array().unwrap().contains(&json!("APP_MODE=test")));

    let out = run_in(
        &format!("{name}:1"),
        "cat /greeting; cat /app/config.txt; /app/bin/tool.sh; stat -c '%a' /greeting /app/bin/tool.sh; echo $APP_MODE",
    );
    assert_eq!(out, "hi from build\nkey=value\ntool\n640\n755\ntest\n");
    // JSON mode: every delivery is one daemon message, passed through.
    let messages = run.messages();
    assert!(messages.iter().any(|m| m["aux"]["ID"] == result["id"]), "{messages:?}");
    assert!(run.output().contains(&format!("Successfully tagged {name}:1")), "{}", run.output());
}

#[test]
fn text_mode_prints_what_the_cli_prints() {
    let s = Scratch::new("dc-build-text");
    app_context(&s);
    s.file(".dockerignore", "*.log\n");
    s.file("debug.log", "not sent");
    let name = image_name("text");
    let mut images = Images::default();
    images.add(&format!("{name}:lib"));
    images.add(&format!("{name}:cli"));
    let opts = BuildOptions { tags: vec![format!("{name}:lib")], no_cache: Some(true), ..text_options(s.path()) };
    let run = run_build(&opts, None);
    run.ok();
    let (ok, cli, err) = cli_build(&["--no-cache", "-t", &format!("{name}:cli"), &s.s()]);
    assert!(ok, "{err}");
    let ours = run.text();
    assert!(ours.starts_with("Sending build context to Docker daemon  "), "{ours:?}");
    let cli = cli.replace(&format!("{name}:cli"), &format!("{name}:lib"));
    assert_eq!(normalize(&ours), normalize(&cli), "\n--- ours ---\n{ours}\n--- cli ---\n{cli}");
    // Same context, byte for byte: same size, same content on both sides.
    assert_eq!(ours.lines().next(), cli.lines().next());
}

#[test]
fn quiet_build_prints_only_the_id() {
    let s = Scratch::new("dc-build-quiet");
    s.file("Dockerfile", format!("FROM {}\nRUN echo noisy\n", base()));
    let opts = BuildOptions { quiet: Some(true), no_cache: Some(true), ..text_options(s.path()) };
    let run = run_build(&opts, None);
    let id = run.id();
    let mut images = Images::default();
    images.add(&id);
    assert_eq!(run.text(), format!("{id}\n"));
    let (ok, cli, err) = cli_build(&["-q", "--no-cache", &s.s()]);
    assert!(ok, "{err}");
    images.add(cli.trim());
    assert!(cli.starts_with("sha256:") && cli.lines().count() == 1, "{cli}");
}

/// The listing a `RUN ls -A /ctx` step wrote, for an image built by the CLI from `args`.
fn cli_listing(images: &mut Images, args: &[&str]) -> String {
    let mut all = vec!["-q", "--no-cache"];
    all.extend_from_slice(args);
    let (ok, out, err) = cli_build(&all);
    assert!(ok, "{err}");
    images.add(out.trim());
    run_in(out.trim(), "cat /listing")
}

#[test]
fn dockerfile_outside_the_context_and_inline() {
    let s = Scratch::new("dc-build-outside");
    s.file("ctx/data.txt", "data\n");
    s.file("ctx/.dockerignore", "ignored.txt\n");
    s.file("ctx/ignored.txt", "never sent\n");
    let df = format!("FROM {}\nCOPY . /ctx\nRUN ls -A /ctx | sort > /listing\n", base());
    let outside = s.file("elsewhere/Build.dockerfile", &df);
    let ctx = s.path().join("ctx");
    let mut images = Images::default();
    // The reference: the CLI with the same Dockerfile outside the context.
    let cli = cli_listing(&mut images, &["-f", &outside.display().to_string(), &ctx.display().to_string()]);
    // The generated Dockerfile is read by the daemon, then dropped: COPY . never sees it, and
    // the context's own .dockerignore still applies (and, not listing itself, is copied).
    assert_eq!(cli, ".dockerignore\ndata.txt\n");

    for (how, opts) in [
        ("outside", BuildOptions { dockerfile: Some(outside.display().to_string()), ..dir_options(&ctx) }),
        ("relative outside", BuildOptions { dockerfile: Some("../elsewhere/Build.dockerfile".into()), ..dir_options(&ctx) }),
        ("inline", BuildOptions { dockerfile_content: Some(df.clone()), ..dir_options(&ctx) }),
    ] {
        let run = run_build(&BuildOptions { no_cache: Some(true), ..opts }, None);
        let id = run.id();
        images.add(&id);
        assert_eq!(run_in(&id, "cat /listing"), cli, "{how}");
    }
    // Without a .dockerignore in the context, one listing only the generated file is sent.
    std::fs::remove_file(ctx.join(".dockerignore")).unwrap();
    let cli = cli_listing(&mut images, &["-f", &outside.display().to_string(), &ctx.display().to_string()]);
    assert_eq!(cli, "data.txt\nignored.txt\n");
    let run = run_build(&BuildOptions { dockerfile_content: Some(df), no_cache: Some(true), ..dir_options(&ctx) }, None);
    images.add(&run.id());
    assert_eq!(run_in(&run.id(), "cat /listing"), cli);
}

#[test]
fn dockerfile_in_a_subdirectory_and_excluded_by_dockerignore_is_still_used() {
    let s = Scratch::new("dc-build-subdir");
    s.file("docker/app.Dockerfile", format!("FROM {}\nCOPY . /ctx\nRUN ls -A /ctx | sort > /listing\n", base()));
    s.file("docker/other", "not sent");
    s.file(".dockerignore", "docker\n");
    s.file("keep.txt", "k");
    let mut images = Images::default();
    let opts = BuildOptions { dockerfile: Some("docker/app.Dockerfile".into()), no_cache: Some(true), ..dir_options(s.path()) };
    let run = run_build(&opts, None);
    let id = run.id();
    images.add(&id);
    let cli = cli_listing(&mut images, &["-f", &s.path().join("docker/app.Dockerfile").display().to_string(), &s.s()]);
    assert_eq!(run_in(&id, "cat /listing"), cli);
    // Only the Dockerfile of `docker/` was sent, and the daemon dropped it after reading it.
    assert_eq!(run_in(&id, "ls -A /ctx/docker | wc -l"), "0\n");
}

#[test]
fn target_selects_a_stage() {
    let s = Scratch::new("dc-build-target");
    s.file(
        "Dockerfile",
        format!(
            "FROM {b} AS first\nRUN echo first > /stage\n\nFROM {b} AS second\nCOPY --from=first /stage /from-first\nRUN echo second > /stage\n",
            b = base()
        ),
    );
    let mut images = Images::default();
    let first = run_build(&BuildOptions { target: Some("first".into()), ..dir_options(s.path()) }, None);
    images.add(&first.id());
    assert_eq!(run_in(&first.id(), "cat /stage; test -e /from-first || echo absent"), "first\nabsent\n");
    let whole = run_build(&dir_options(s.path()), None);
    images.add(&whole.id());
    assert_eq!(run_in(&whole.id(), "cat /stage /from-first"), "second\nfirst\n");
    let missing = run_build(&BuildOptions { target: Some("third".into()), ..dir_options(s.path()) }, None);
    let e = missing.result.unwrap_err();
    assert!(e.message.contains("third"), "{e:?}");
}

#[test]
fn build_args_reach_run_and_unused_ones_are_warned_about() {
    let s = Scratch::new("dc-build-args");
    s.file("Dockerfile", format!("FROM {}\nARG A\nARG B=default\nRUN echo \"A=$A B=$B\" > /args\n", base()));
    let opts = BuildOptions {
        build_args: Some(
            [("A".to_string(), Some("one two".to_string())), ("NOT_DECLARED".to_string(), None)].into(),
        ),
        no_cache: Some(true),
        ..dir_options(s.path())
    };
    let run = run_build(&opts, None);
    let mut images = Images::default();
    images.add(&run.id());
    assert_eq!(run_in(&run.id(), "cat /args"), "A=one two B=default\n");
    let warnings = run.ok()["warnings"].as_array().unwrap().clone();
    assert!(
        warnings.iter().any(|w| w.as_str().unwrap().contains("[NOT_DECLARED] were not consumed")),
        "{warnings:?}"
    );
}

#[test]
fn cache_is_reused_unless_no_cache() {
    let s = Scratch::new("dc-build-cache");
    // Unique content so the first build cannot hit another test's cache.
    s.file("Dockerfile", format!("FROM {}\nRUN echo {} > /unique\n", base(), image_name("cache")));
    let mut images = Images::default();
    let first = run_build(&dir_options(s.path()), None);
    images.add(&first.id());
    assert!(!first.output().contains("Using cache"), "{}", first.output());
    let second = run_build(&dir_options(s.path()), None);
    assert!(second.output().contains("Using cache"), "{}", second.output());
    assert_eq!(second.id(), first.id());
    let fresh = run_build(&BuildOptions { no_cache: Some(true), ..dir_options(s.path()) }, None);
    images.add(&fresh.id());
    assert!(!fresh.output().contains("Using cache"), "{}", fresh.output());
    assert_ne!(fresh.id(), first.id());
}

/// A tar of `files` (path, content), as a caller would supply it.
fn tar_of(files: &[(&str, &str)]) -> Vec<u8> {
    let mut b = tar::Builder::new(Vec::new());
    for (path, content) in files {
        let mut h = tar::Header::new_gnu();
        h.set_size(content.len() as u64);
        h.set_mode(0o644);
        h.set_mtime(1_700_000_000);
        h.set_cksum();
        b.append_data(&mut h, path, content.as_bytes()).unwrap();
    }
    b.into_inner().unwrap()
}

/// Serves `body` to every GET on 127.0.0.1 (the daemon runs on this host) and counts requests.
struct TarServer {
    url: String,
    hits: std::sync::Arc<std::sync::atomic::AtomicUsize>,
}

impl TarServer {
    fn start(body: Vec<u8>) -> TarServer {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}/context.tar", listener.local_addr().unwrap());
        let hits = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let counter = hits.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { continue };
                let mut head = Vec::new();
                let mut byte = [0u8; 1];
                while !head.ends_with(b"\r\n\r\n") && stream.read(&mut byte).unwrap_or(0) == 1 {
                    head.push(byte[0]);
                }
                counter.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                let reply = format!(
                    "HTTP/1.1 200 OK\r\nContent-Type: application/x-tar\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                    body.len()
                );
                let _ = stream.write_all(reply.as_bytes());
                let _ = stream.write_all(&body);
            }
        });
        TarServer { url, hits }
    }
}

#[test]
fn remote_context_is_fetched_by_the_daemon() {
    let df = format!("FROM {}\nCOPY . /ctx\nRUN cat /ctx/served.txt > /served\n", base());
    let server = TarServer::start(tar_of(&[("Dockerfile", &df), ("served.txt", "from the server\n"), ("alt/Other", &df)]));
    let mut images = Images::default();
    let opts = BuildOptions { remote: Some(server.url.clone()), no_cache: Some(true), ..Default::default() };
    let run = run_build(&BuildOptions { progress: dockerclient::ProgressMode::Text, ..opts.clone() }, None);
    images.add(&run.id());
    assert_eq!(run_in(&run.id(), "cat /served"), "from the server\n");
    assert!(server.hits.load(std::sync::atomic::Ordering::SeqCst) >= 1);
    // Nothing was sent, so nothing is said about sending.
    assert!(!run.text().contains("Sending build context"), "{}", run.text());
    // `dockerfile` names a path inside the remote context.
    let alt = run_build(&BuildOptions { dockerfile: Some("alt/Other".into()), ..opts }, None);
    images.add(&alt.id());
}

#[test]
fn context_from_a_reader() {
    let df = format!("FROM {}\nCOPY . /ctx\nRUN ls -A /ctx | sort > /listing && cat /ctx/sub/f.txt >> /listing\n", base());
    let tar = tar_of(&[("Dockerfile", &df), ("sub/f.txt", "in the tar\n"), ("top.txt", "")]);
    let mut images = Images::default();
    let mut reader: &[u8] = &tar;
    let opts = BuildOptions { no_cache: Some(true), progress: dockerclient::ProgressMode::Text, ..Default::default() };
    let run = run_build(&opts, Some(&mut reader));
    images.add(&run.id());
    assert_eq!(run_in(&run.id(), "cat /listing"), "Dockerfile\nsub\ntop.txt\nin the tar\n");
    let size = dockerclient::stream::human_size(tar.len() as u64);
    assert!(run.text().starts_with(&format!("Sending build context to Docker daemon  {size}")), "{}", run.text());

    // A Dockerfile elsewhere in the caller's tar.
    let tar = tar_of(&[("build/Custom", &df), ("sub/f.txt", "x\n")]);
    let mut reader: &[u8] = &tar;
    let run = run_build(&BuildOptions { dockerfile: Some("build/Custom".into()), ..Default::default() }, Some(&mut reader));
    images.add(&run.id());
}

#[test]
fn failing_run_is_a_failure_with_the_daemons_message() {
    let s = Scratch::new("dc-build-fail");
    s.file("Dockerfile", format!("FROM {}\nRUN echo before && exit 3\nRUN echo never\n", base()));
    // force_rm: a failed step's container is removed too (rm alone keeps it for inspection).
    let run = run_build(&BuildOptions { no_cache: Some(true), force_rm: Some(true), ..text_options(s.path()) }, None);
    let e = run.result.as_ref().unwrap_err();
    assert_eq!(e.status, Status::StreamError, "{e:?}");
    assert!(e.message.contains("returned a non-zero code: 3"), "{e:?}");
    assert_eq!(e.daemon_message.as_deref(), Some(e.message.as_str()));
    assert!(run.text().contains("before\n") && !run.text().contains("never\n"), "{}", run.text());
    // The CLI fails the same way, with the same message.
    let (ok, _, err) = cli_build(&["--no-cache", "--force-rm", &s.s()]);
    assert!(!ok && err.contains("returned a non-zero code: 3"), "{err}");
}

#[test]
fn unknown_instruction_is_a_failure() {
    let s = Scratch::new("dc-build-unknown");
    s.file("Dockerfile", format!("FROM {}\nFROBNICATE now\n", base()));
    let run = run_build(&dir_options(s.path()), None);
    let e = run.result.unwrap_err();
    assert!(e.message.to_lowercase().contains("unknown instruction"), "{e:?}");
    assert!(e.daemon_message.is_some(), "{e:?}");
}

#[test]
fn missing_base_image_is_a_failure() {
    let s = Scratch::new("dc-build-nobase");
    let missing = format!("{}/{}:nope", engine().registry(), image_name("missing"));
    s.file("Dockerfile", format!("FROM {missing}\nRUN true\n"));
    let run = run_build(&dir_options(s.path()), None);
    let e = run.result.unwrap_err();
    assert_eq!(e.status, Status::NotFound, "{e:?}");
    assert!(e.message.contains("not found") || e.message.contains("manifest unknown"), "{e:?}");
    assert!(e.daemon_message.is_some());
}

#[test]
fn cancel_stops_the_build_and_the_client_goes_on() {
    let s = Scratch::new("dc-build-cancel");
    s.file("Dockerfile", format!("FROM {}\nRUN sleep 1\nRUN echo done\n", base()));
    let c = client();
    let opts = BuildOptions { no_cache: Some(true), force_rm: Some(true), ..dir_options(s.path()) };
    let mut calls = 0;
    let mut cb = |_: &[u8]| {
        calls += 1;
        false
    };
    let e = dockerclient::images::build::build(&c, &opts, Io::progress(&mut cb)).unwrap_err();
    assert_eq!(e.status, Status::Cancelled);
    assert_eq!(calls, 1);
    let again = run_build_on(&c, &dir_options(s.path()), None);
    let mut images = Images::default();
    images.add(&again.id());
}

#[test]
fn auth_configs_reach_the_daemon() {
    let e = engine();
    // The base image, pushed under a unique name to the htpasswd registry, then removed
    // locally so that FROM has to pull it.
    let remote = format!("{}/{}:v1", e.auth_registry(), image_name("auth-base"));
    docker_ok(&["tag", &base(), &remote]);
    let right = AuthConfig {
        username: Some(e.registry_user()),
        password: Some(e.registry_password()),
        ..Default::default()
    };
    let push_opts = PushOptions { auth: Some(right.clone()), ..Default::default() };
    push(&client(), &remote, &push_opts, Io::none()).expect("push the base image");
    docker_ok(&["rmi", &remote]);

    let s = Scratch::new("dc-build-auth");
    s.file("Dockerfile", format!("FROM {remote}\nRUN echo built-on-private > /marker\n"));
    let mut images = Images::default();
    images.add(&remote);
    let creds = |a: AuthConfig| Some([(e.auth_registry(), a)].into());
    let empty_config = DockerConfig::default();

    // No credentials at all, and wrong ones: the daemon cannot pull.
    for (what, c, opts) in [
        ("none", client().with_docker_config(empty_config.clone()), dir_options(s.path())),
        (
            "wrong",
            client(),
            BuildOptions {
                auth_configs: creds(AuthConfig { password: Some("wrong-password".into()), ..right.clone() }),
                ..dir_options(s.path())
            },
        ),
    ] {
        let err = run_build_on(&c, &opts, None).result.unwrap_err();
        assert_eq!(err.status, Status::Unauthorized, "{what}: {err:?}");
        assert!(!err.message.contains(&e.registry_password()), "no secret in errors");
        assert!(!err.message.contains("wrong-password"), "no secret in errors");
    }
    // The right ones, given explicitly.
    let run = run_build(&BuildOptions { auth_configs: creds(right.clone()), ..dir_options(s.path()) }, None);
    images.add(&run.id());
    assert_eq!(run_in(&run.id(), "cat /marker"), "built-on-private\n");

    // The same credentials found in a docker config (every registry's, as the CLI sends them),
    // with `pull` forcing the daemon to ask the registry again.
    docker_ok(&["rmi", &remote]);
    let dir = Scratch::new("dc-build-auth-cfg");
    let file = dir.file(
        "config.json",
        json!({"auths": {e.auth_registry(): {"auth": base64_basic(&e.registry_user(), &e.registry_password())}}}).to_string(),
    );
    let config = DockerConfig::load_from(&file).unwrap();
    let run = run_build_on(
        &client().with_docker_config(config),
        &BuildOptions { pull: Some(true), no_cache: Some(true), ..dir_options(s.path()) },
        None,
    );
    images.add(&run.id());
    assert_eq!(run_in(&run.id(), "cat /marker"), "built-on-private\n");
}

fn base64_basic(user: &str, password: &str) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"))
}

#[test]
fn result_json_has_id_tags_and_warnings() {
    let s = Scratch::new("dc-build-result");
    s.file("Dockerfile", format!("FROM {}\nLABEL x=y\n", base()));
    let run = run_build(&dir_options(s.path()), None);
    let v = run.ok();
    let keys: Vec<&String> = v.as_object().unwrap().keys().collect();
    assert_eq!(keys, ["id", "tags", "warnings"]);
    assert!(v["id"].as_str().unwrap().starts_with("sha256:"));
    assert_eq!(v["tags"], json!([]));
    let mut images = Images::default();
    images.add(&run.id());
}

#[test]
fn an_unreadable_context_file_fails_the_build_naming_it() {
    use std::os::unix::fs::PermissionsExt;
    let s = Scratch::new("dc-build-unreadable");
    s.file("Dockerfile", format!("FROM {}\nCOPY . /ctx\n", base()));
    let secret = s.file("sub/secret.key", "x");
    std::fs::set_permissions(&secret, std::fs::Permissions::from_mode(0o000)).unwrap();
    let dir = s.path().to_path_buf();
    let build_as_nobody = move |dir: std::path::PathBuf| {
        // Root reads anything: the build runs on a thread whose file-system identity is
        // `nobody` (the context producer thread it starts inherits it), over TCP since the
        // engine's socket is root's.
        let tcp = engine().tcp();
        std::thread::spawn(move || {
            // SAFETY: setfsuid/setfsgid change only this thread's file-system credentials.
            unsafe {
                libc::setfsgid(65534);
                libc::setfsuid(65534);
            }
            let readable = std::fs::File::open(dir.join("sub/secret.key")).is_ok();
            let c = engine().client_with(&format!(r#"{{"host": "{tcp}"}}"#)).with_docker_config(DockerConfig::default());
            let opts = dir_options(&dir);
            (readable, run_build_on(&c, &opts, None).result)
        })
        .join()
        .unwrap()
    };
    let (readable_as_nobody, result) = build_as_nobody(dir.clone());
    assert!(!readable_as_nobody, "the file must be unreadable for the build thread");
    let e = result.unwrap_err();
    assert_eq!(e.status, Status::InvalidArgument, "{e:?}");
    assert!(e.message.contains("sub/secret.key"), "{}", e.message);

    // Excluded, with no `!` pattern that could reach into it: the directory is never opened.
    std::fs::set_permissions(s.path().join("sub"), std::fs::Permissions::from_mode(0o000)).unwrap();
    s.file(".dockerignore", "sub\n");
    let (_, result) = build_as_nobody(dir);
    let built = result.expect("an excluded unreadable directory is no error");
    let mut images = Images::default();
    images.add(built["id"].as_str().unwrap());
}
