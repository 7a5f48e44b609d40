//! Docker contexts, resolved as the docker CLI resolves them. Contexts are made by the docker
//! CLI itself (`docker context create`, `docker context use`) in a config directory of the
//! test's own; in each case the library and the CLI, given the same environment, must reach the
//! same daemon: the test engine (over its Unix socket, and its TLS port with the context's
//! certificates), or a fake daemon whose `/info` answers another ID.
//!
//! The environment is the process's, so everything runs in one test, in order.

mod common;

use std::process::Command;

use common::engine::engine;
use common::fake_daemon::{json as reply_json, FakeDaemon};
use common::scratch::Scratch;
use dockerclient::{Client, ClientOptions, Status};
use serde_json::Value;

const FAKE_ID: &str = "FAKE:DAEMON:OF:THE:CONTEXT:TEST";
const VARS: [&str; 6] = ["DOCKER_HOST", "DOCKER_CONTEXT", "DOCKER_CONFIG", "DOCKER_TLS_VERIFY", "DOCKER_TLS", "DOCKER_CERT_PATH"];

/// Sets the variables the resolution reads (unset when `None`).
fn set_env(config: &Scratch, host: Option<&str>, context: Option<&str>) {
    // SAFETY: this test binary runs one test, on one thread; nothing else reads the
    // environment meanwhile.
    unsafe {
        for v in VARS {
            std::env::remove_var(v);
        }
        std::env::set_var("DOCKER_CONFIG", config.path());
        if let Some(h) = host {
            std::env::set_var("DOCKER_HOST", h);
        }
        if let Some(c) = context {
            std::env::set_var("DOCKER_CONTEXT", c);
        }
    }
}

fn cli(config: &Scratch, args: &[&str]) -> String {
    // The CLI inherits the variables set_env set.
    let out = Command::new("docker").args(args).env("DOCKER_CONFIG", config.path()).output().expect("docker CLI");
    assert!(out.status.success(), "docker {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

fn library_id(opts: &str) -> (String, Value) {
    let c = Client::new(&serde_json::from_str::<ClientOptions>(opts).unwrap()).expect("client");
    let info: Value = serde_json::from_str(&dockerclient::system::info(&c).expect("info")).unwrap();
    let endpoint: Value = serde_json::from_str(&c.endpoint_json()).unwrap();
    (info["ID"].as_str().unwrap().to_string(), endpoint)
}

fn refused(opts: &str) -> dockerclient::Error {
    Client::new(&serde_json::from_str::<ClientOptions>(opts).unwrap()).unwrap_err()
}

#[test]
fn the_library_follows_the_clis_contexts() {
    let e = engine();
    let cfg = Scratch::new("dc-contexts");
    let fake = FakeDaemon::with_version(Some("1.41"), |req| {
        if req.path().ends_with("/info") {
            reply_json(200, &format!("{{\"ID\":\"{FAKE_ID}\",\"Name\":\"fake\",\"ServerVersion\":\"20.10.0\"}}"))
        } else if req.path().ends_with("/version") {
            reply_json(200, r#"{"ApiVersion":"1.41","Version":"20.10.0","Os":"linux","Arch":"amd64"}"#)
        } else {
            reply_json(404, r#"{"message":"not here"}"#)
        }
    });
    let engine_id = {
        let info: Value = serde_json::from_str(&dockerclient::system::info(&e.client()).unwrap()).unwrap();
        info["ID"].as_str().unwrap().to_string()
    };
    assert_ne!(engine_id, FAKE_ID);
    let certs = e.certs();
    let cert = |n: &str| certs.join(n).display().to_string();

    set_env(&cfg, None, None);
    cli(&cfg, &["context", "create", "sock", "--docker", &format!("host={}", e.unix())]);
    cli(&cfg, &["context", "create", "fake", "--docker", &format!("host={}", fake.host())]);
    cli(&cfg, &[
        "context", "create", "tls", "--docker",
        &format!("host={},ca={},cert={},key={}", e.tls(), cert("ca.pem"), cert("cert.pem"), cert("key.pem")),
    ]);
    // The daemon wants a client certificate; without a CA, its own is not verified.
    cli(&cfg, &[
        "context", "create", "skip", "--docker",
        &format!("host={},cert={},key={},skip-tls-verify=true", e.tls(), cert("cert.pem"), cert("key.pem")),
    ]);

    // Each case: the environment, the library's options, the CLI's arguments, the daemon
    // both must reach, and the source the library reports.
    struct Case {
        host: Option<String>,
        context: Option<&'static str>,
        opts: String,
        cli: Vec<String>,
        id: String,
        source: &'static str,
    }
    let case = |host: Option<String>, context, opts: &str, cli: &[&str], id: &str, source| Case {
        host,
        context,
        opts: opts.to_string(),
        cli: cli.iter().map(|s| s.to_string()).collect(),
        id: id.to_string(),
        source,
    };
    let host_opt = format!("{{\"host\": \"{}\"}}", e.unix());
    let cases = [
        case(None, None, r#"{"context": "sock"}"#, &["--context", "sock"], &engine_id, "context:sock"),
        case(None, None, r#"{"context": "tls"}"#, &["--context", "tls"], &engine_id, "context:tls"),
        case(None, None, r#"{"context": "skip"}"#, &["--context", "skip"], &engine_id, "context:skip"),
        case(None, Some("fake"), "{}", &[], FAKE_ID, "context:fake"),
        // DOCKER_HOST beats DOCKER_CONTEXT.
        case(Some(e.unix()), Some("fake"), "{}", &[], &engine_id, "DOCKER_HOST"),
        // An explicit context beats DOCKER_HOST (as --context does).
        case(Some(e.unix()), None, r#"{"context": "fake"}"#, &["--context", "fake"], FAKE_ID, "context:fake"),
        // "default" is the environment.
        case(Some(fake.host()), None, r#"{"context": "default"}"#, &["--context", "default"], FAKE_ID, "DOCKER_HOST"),
        // The host option beats everything (as -H does).
        case(Some(fake.host()), Some("fake"), &host_opt, &["-H", &e.unix()], &engine_id, "option"),
    ];
    for c in &cases {
        set_env(&cfg, c.host.as_deref(), c.context);
        let (id, endpoint) = library_id(&c.opts);
        let mut args: Vec<&str> = c.cli.iter().map(String::as_str).collect();
        args.extend(["info", "--format", "{{.ID}}"]);
        let cli_id = cli(&cfg, &args);
        let what = format!("DOCKER_HOST={:?} DOCKER_CONTEXT={:?} options {}", c.host, c.context, c.opts);
        assert_eq!(id, c.id, "library, {what}");
        assert_eq!(cli_id, c.id, "CLI, {what}");
        assert_eq!(endpoint["source"], c.source, "{what}: {endpoint}");
    }

    // TLS material comes from the context's own directory, verified unless it says skip.
    set_env(&cfg, None, None);
    let (_, endpoint) = library_id(r#"{"context": "tls"}"#);
    let tls = &endpoint["tls"];
    assert_eq!(tls["verify"], true, "{endpoint}");
    for f in ["ca", "cert", "key"] {
        let p = tls[f].as_str().unwrap_or_default();
        assert!(p.starts_with(&cfg.s()) && p.contains("/contexts/tls/"), "{f}: {endpoint}");
    }
    assert!(endpoint["host"].as_str().unwrap().starts_with("https://"), "{endpoint}");
    let (_, endpoint) = library_id(r#"{"context": "skip"}"#);
    assert_eq!(endpoint["tls"]["verify"], false, "{endpoint}");
    let (_, endpoint) = library_id(r#"{"context": "sock"}"#);
    assert_eq!(endpoint["tls"], Value::Null, "{endpoint}");

    // currentContext (docker context use), and DOCKER_CONTEXT over it.
    cli(&cfg, &["context", "use", "fake"]);
    set_env(&cfg, None, None);
    assert_eq!(library_id("{}").0, FAKE_ID);
    assert_eq!(cli(&cfg, &["info", "--format", "{{.ID}}"]), FAKE_ID);
    set_env(&cfg, None, Some("sock"));
    assert_eq!(library_id("{}").0, engine_id);
    // The docker_config option names where contexts live (as --config).
    set_env(&cfg, Some(&e.unix()), None);
    // SAFETY: as in set_env.
    unsafe {
        std::env::remove_var("DOCKER_HOST");
        std::env::remove_var("DOCKER_CONFIG");
        std::env::set_var("HOME", "/nonexistent-home-of-the-context-test");
    }
    let (id, endpoint) = library_id(&format!("{{\"docker_config\": \"{}\"}}", cfg.s()));
    assert_eq!((id.as_str(), endpoint["source"].as_str().unwrap()), (FAKE_ID, "context:fake"));
    // "default" with nothing set is the default socket (no request made here).
    let c = Client::new(&serde_json::from_str::<ClientOptions>(&format!(
        "{{\"docker_config\": \"{}\", \"context\": \"default\"}}",
        cfg.s()
    ))
    .unwrap())
    .unwrap();
    let endpoint: Value = serde_json::from_str(&c.endpoint_json()).unwrap();
    assert_eq!((endpoint["host"].as_str().unwrap(), endpoint["source"].as_str().unwrap()), ("unix:///var/run/docker.sock", "default"));

    // What cannot be used is refused, naming it.
    set_env(&cfg, None, None);
    let err = refused(r#"{"context": "nosuch"}"#);
    assert_eq!(err.status, Status::InvalidArgument);
    assert!(err.message.contains("option \"context\": context \"nosuch\" not found"), "{}", err.message);
    set_env(&cfg, None, Some("nosuch"));
    let err = refused("{}");
    assert!(err.message.starts_with("DOCKER_CONTEXT: context \"nosuch\""), "{}", err.message);
    set_env(&cfg, None, None);
    let err = refused(&format!(r#"{{"context": "sock", "host": "{}"}}"#, e.unix()));
    assert!(err.message.contains("give one"), "{}", err.message);
    let err = refused(r#"{"context": "../etc"}"#);
    assert!(err.message.contains("is not a context name"), "{}", err.message);
    // A broken meta file names the file.
    let id = dockerclient::client::context::context_id("sock");
    let meta = cfg.path().join("contexts/meta").join(&id).join("meta.json");
    let good = std::fs::read_to_string(&meta).unwrap();
    std::fs::write(&meta, "{\"Endpoints\": ").unwrap();
    let err = refused(r#"{"context": "sock"}"#);
    assert!(err.message.contains(&meta.display().to_string()) && err.message.contains("not valid JSON"), "{}", err.message);
    // A context whose host the library cannot speak.
    std::fs::write(&meta, good.replace(&e.unix(), "npipe:////./pipe/docker_engine")).unwrap();
    let err = refused(r#"{"context": "sock"}"#);
    assert!(err.message.contains("context \"sock\"") && err.message.contains("Windows"), "{}", err.message);
    std::fs::write(&meta, good).unwrap();
    // A currentContext that is gone.
    cli(&cfg, &["context", "use", "default"]);
    std::fs::write(cfg.path().join("config.json"), "{\"currentContext\": \"gone\"}").unwrap();
    let err = refused("{}");
    assert!(err.message.starts_with("currentContext: context \"gone\" not found"), "{}", err.message);
    for v in VARS {
        // SAFETY: as in set_env.
        unsafe { std::env::remove_var(v) };
    }
}
