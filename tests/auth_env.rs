//! Credentials found through the environment, as the docker CLI finds them: `DOCKER_CONFIG`
//! names the config directory and credential helpers are looked up on `PATH`.
//!
//! Environment variables belong to the whole process and tests run in parallel threads, so
//! every test of this binary (and only this binary changes them) holds [`ENV_LOCK`] while it
//! sets them, and puts them back before releasing it.

mod common;

use std::ffi::OsString;
use std::path::PathBuf;
use std::sync::{Mutex, MutexGuard};

use base64::Engine;
use common::engine::{engine, unique};
use common::fake_daemon::{json, FakeDaemon};
use dockerclient::auth::{redacted_json, resolve_with_source};
use dockerclient::images::pull::{pull, PullOptions};
use dockerclient::images::push::{push, PushOptions};
use dockerclient::{Client, Status};
use dockerclient::images::io::Io;
use serde_json::Value;

static ENV_LOCK: Mutex<()> = Mutex::new(());

/// `DOCKER_CONFIG` (and optionally a `PATH` prefix) set for the life of the value, under the
/// lock; the previous values come back on drop.
struct EnvScope {
    dir: PathBuf,
    old_config: Option<OsString>,
    old_path: Option<OsString>,
    _lock: MutexGuard<'static, ()>,
}

impl EnvScope {
    fn new(tag: &str, config: Option<&str>, helper: Option<(&str, &str)>) -> EnvScope {
        let lock = ENV_LOCK.lock().unwrap_or_else(|p| p.into_inner());
        let dir = std::env::temp_dir().join(unique(tag));
        std::fs::create_dir_all(&dir).unwrap();
        if let Some(body) = config {
            std::fs::write(dir.join("config.json"), body).unwrap();
        }
        let old_config = std::env::var_os("DOCKER_CONFIG");
        let old_path = std::env::var_os("PATH");
        if let Some((user, secret)) = helper {
            write_helper(&dir, user, secret);
        }
        let mut paths = vec![dir.clone()];
        paths.extend(std::env::split_paths(&old_path.clone().unwrap_or_default()));
        // SAFETY: every test of this binary that reads or writes the environment holds the lock.
        unsafe {
            std::env::set_var("DOCKER_CONFIG", &dir);
            std::env::set_var("PATH", std::env::join_paths(paths).unwrap());
        }
        EnvScope { dir, old_config, old_path, _lock: lock }
    }
}

impl Drop for EnvScope {
    fn drop(&mut self) {
        // SAFETY: still under the lock (the guard is dropped after this body).
        unsafe {
            match &self.old_config {
                Some(v) => std::env::set_var("DOCKER_CONFIG", v),
                None => std::env::remove_var("DOCKER_CONFIG"),
            }
            match &self.old_path {
                Some(v) => std::env::set_var("PATH", v),
                None => std::env::remove_var("PATH"),
            }
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn write_helper(dir: &std::path::Path, user: &str, secret: &str) {
    use std::os::unix::fs::PermissionsExt;
    let script = format!(
        "#!/bin/sh\nread server\ncase \"$1\" in\n  get) printf '{{\"ServerURL\":\"%s\",\"Username\":\"{user}\",\"Secret\":\"{secret}\"}}' \"$server\" ;;\n  *) exit 1 ;;\nesac\n"
    );
    let tmp = dir.join(".helper.tmp");
    std::fs::write(&tmp, script).unwrap();
    std::fs::set_permissions(&tmp, std::fs::Permissions::from_mode(0o755)).unwrap();
    std::fs::rename(&tmp, dir.join("docker-credential-test")).unwrap();
}

fn docker_ok(args: &[&str]) {
    let out = engine().docker(args);
    assert!(out.status.success(), "docker {args:?}: {}", String::from_utf8_lossy(&out.stderr));
}

fn tagged_for_auth_registry(prefix: &str) -> String {
    let name = format!("{}/{}:v1", engine().auth_registry(), unique(prefix));
    docker_ok(&["tag", &engine().base_image(), &name]);
    name
}

fn push_env(c: &Client, name: &str) -> Result<Value, dockerclient::Error> {
    let opts = PushOptions::default();
    push(c, name, &opts, Io::none()).map(|r| serde_json::from_str(&r.to_json()).unwrap())
}

fn pull_env(c: &Client, name: &str) -> Result<Value, dockerclient::Error> {
    let opts = PullOptions::new(name);
    pull(c, &opts, Io::none()).map(|r| serde_json::from_str(&r.to_json()).unwrap())
}

#[test]
fn docker_config_variable_names_the_auths_file() {
    let e = engine();
    let auth = base64::engine::general_purpose::STANDARD
        .encode(format!("{}:{}", e.registry_user(), e.registry_password()));
    let cfg = serde_json::json!({"auths": {e.auth_registry(): {"auth": auth}}}).to_string();
    let name = tagged_for_auth_registry("dc-env-auths");
    {
        let _env = EnvScope::new("dc-env-auths", Some(&cfg), None);
        let c = e.client();
        let pushed = push_env(&c, &name).unwrap();
        docker_ok(&["rmi", &name]);
        assert_eq!(pull_env(&c, &name).unwrap()["digest"], pushed["digest"]);

        let resolved = resolve_with_source(&format!("http://{}/", e.auth_registry())).unwrap();
        let v: Value = serde_json::from_str(&redacted_json(&resolved, &e.auth_registry())).unwrap();
        assert_eq!(v["source"], "auths");
        assert_eq!(v["username"], e.registry_user().as_str());
        assert_eq!(v["has_password"], true);
    }
    docker_ok(&["rmi", &name]);
}

#[test]
fn creds_store_helper_found_on_path() {
    let e = engine();
    let name = tagged_for_auth_registry("dc-env-store");
    {
        let _env = EnvScope::new(
            "dc-env-store",
            Some(r#"{"credsStore": "test"}"#),
            Some((&e.registry_user(), &e.registry_password())),
        );
        let c = e.client();
        push_env(&c, &name).unwrap();
        docker_ok(&["rmi", &name]);
        pull_env(&c, &name).unwrap();
        let text = redacted_json(&resolve_with_source(&e.auth_registry()).unwrap(), &e.auth_registry());
        assert!(!text.contains(&e.registry_password()), "redacted: {text}");
        let v: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(v["source"], "credsStore:test");
        assert_eq!(v["has_password"], true);
    }
    docker_ok(&["rmi", &name]);
}

#[test]
fn cred_helpers_entry_found_on_path() {
    let e = engine();
    let name = tagged_for_auth_registry("dc-env-helper");
    {
        let cfg = serde_json::json!({"credHelpers": {e.auth_registry(): "test"}}).to_string();
        let _env = EnvScope::new("dc-env-helper", Some(&cfg), Some((&e.registry_user(), &e.registry_password())));
        push_env(&e.client(), &name).unwrap();
    }
    docker_ok(&["rmi", &name]);
}

#[test]
fn no_config_file_means_anonymous() {
    let e = engine();
    let name = format!("{}/{}:v1", e.registry(), unique("dc-env-none"));
    docker_ok(&["tag", &e.base_image(), &name]);
    {
        let _env = EnvScope::new("dc-env-none", None, None);
        let c = e.client();
        push_env(&c, &name).unwrap();
        // The htpasswd registry refuses the anonymous request with its own message.
        let err = pull_env(&c, &format!("{}/{}:v1", e.auth_registry(), unique("dc-env-none"))).unwrap_err();
        assert_eq!(err.status, Status::Unauthorized, "{err}");
    }
    docker_ok(&["rmi", &name]);
}

#[test]
fn a_config_file_that_is_not_json_is_an_error_naming_it_and_nothing_is_sent() {
    let fake = FakeDaemon::with_version(Some("1.41"), |_| json(500, r#"{"message":"must not be reached"}"#));
    let opts: dockerclient::ClientOptions =
        serde_json::from_str(&format!(r#"{{"host": "{}"}}"#, fake.host())).unwrap();
    let c = Client::new(&opts).unwrap();
    let env = EnvScope::new("dc-env-bad", Some("{\"auths\": {\"x\": {\"auth\": \"c2VjcmV0OnNlY3JldA==\"}},, oops"), None);
    let file = env.dir.join("config.json").display().to_string();
    for err in [pull_env(&c, "127.0.0.1:5000/x").unwrap_err(), push_env(&c, "127.0.0.1:5000/x").unwrap_err()] {
        assert_eq!(err.status, Status::InvalidArgument, "{err}");
        assert!(err.message.contains(&file), "names the file: {err}");
        assert!(!err.message.contains("c2VjcmV0"), "never quotes the file");
    }
    // Explicit credentials do not need the file.
    let opts = PullOptions { auth: Some(Default::default()), ..PullOptions::new("127.0.0.1:5000/x") };
    let err = pull(&c, &opts, Io::none()).unwrap_err();
    assert_eq!(err.status, Status::ServerError, "reached the daemon: {err}");
    drop(env);
    assert_eq!(fake.targets().len(), 1, "only the explicit-credentials pull was sent: {:?}", fake.targets());
}
