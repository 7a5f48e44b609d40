//! Pushes and pulls on the htpasswd registry with credentials found the way the docker CLI finds
//! them: a config file's `auths`, a `credHelpers` entry and a `credsStore`, the helpers being a
//! fake `docker-credential-test` script written by the test.
//!
//! The config is handed to the core as a [`DockerConfig`] (with the helper search path set),
//! so these tests run in parallel without touching process-global variables; the lookup
//! through `DOCKER_CONFIG` and `PATH` themselves is tested in `auth_env.rs`.

mod common;

use std::path::Path;

use base64::Engine;
use common::engine::{engine, unique};
use dockerclient::DockerConfig;
use dockerclient::images::pull::{pull, PullOptions};
use dockerclient::images::push::{push, PushOptions};
use dockerclient::Status;
use dockerclient::images::io::Io;
use serde_json::Value;

use common::scratch::Scratch;

/// What these tests do with a scratch directory: a docker config in it, a credential helper.
trait AuthScratch {
    fn config(&self, body: &Value) -> DockerConfig;
    fn helper(&self, user: &str, secret: &str);
    fn calls(&self) -> String;
}

impl AuthScratch for Scratch {
    fn config(&self, body: &Value) -> DockerConfig {
        let file = self.file("config.json", body.to_string());
        DockerConfig::load_from(&file).unwrap().with_helper_path(self.path().as_os_str())
    }

    /// Writes `docker-credential-test`, answering `get` with `user`/`secret` and logging each
    /// call (action and server address) to `calls.log`.
    fn helper(&self, user: &str, secret: &str) {
        write_helper(self.path(), user, secret);
    }

    fn calls(&self) -> String {
        std::fs::read_to_string(self.join("calls.log")).unwrap_or_default()
    }
}

fn write_helper(dir: &Path, user: &str, secret: &str) {
    use std::os::unix::fs::PermissionsExt;
    let script = format!(
        "#!/bin/sh\nread server\necho \"$1 $server\" >> '{log}'\ncase \"$1\" in\n  get) printf '{{\"ServerURL\":\"%s\",\"Username\":\"{user}\",\"Secret\":\"{secret}\"}}' \"$server\" ;;\n  list) printf '{{\"%s\":\"{user}\"}}' '{reg}' ;;\n  *) exit 1 ;;\nesac\n",
        log = dir.join("calls.log").display(),
        reg = engine().auth_registry(),
    );
    // Written under another name and renamed, so no thread can exec a file still open for
    // writing (ETXTBSY).
    let tmp = dir.join(".helper.tmp");
    std::fs::write(&tmp, script).unwrap();
    std::fs::set_permissions(&tmp, std::fs::Permissions::from_mode(0o755)).unwrap();
    std::fs::rename(&tmp, dir.join("docker-credential-test")).unwrap();
}

fn docker_ok(args: &[&str]) {
    let out = engine().docker(args);
    assert!(out.status.success(), "docker {args:?}: {}", String::from_utf8_lossy(&out.stderr));
}

/// The base image tagged for the htpasswd registry under a unique name.
fn tagged_for_auth_registry(prefix: &str) -> String {
    let name = format!("{}/{}:v1", engine().auth_registry(), unique(prefix));
    docker_ok(&["tag", &engine().base_image(), &name]);
    name
}

fn push_with(name: &str, config: DockerConfig) -> Result<Value, dockerclient::Error> {
    let c = engine().client().with_docker_config(config);
    push(&c, name, &PushOptions::default(), Io::none()).map(|r| serde_json::from_str(&r.to_json()).unwrap())
}

fn pull_with(name: &str, config: DockerConfig) -> Result<Value, dockerclient::Error> {
    let c = engine().client().with_docker_config(config);
    pull(&c, &PullOptions::new(name), Io::none()).map(|r| serde_json::from_str(&r.to_json()).unwrap())
}

fn basic(user: &str, password: &str) -> String {
    base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"))
}

#[test]
fn plain_auths_entry_in_a_config_file() {
    let e = engine();
    let dir = Scratch::new("dc-cfg-auths");
    let name = tagged_for_auth_registry("dc-cfg-auths");
    // The CLI's spelling (host:port), and an old-style URL spelling: both are the registry.
    for key in [e.auth_registry(), format!("http://{}/v2/", e.auth_registry())] {
        let config = dir.config(&serde_json::json!({
            "auths": { key.clone(): { "auth": basic(&e.registry_user(), &e.registry_password()) } }
        }));
        let pushed = push_with(&name, config.clone()).unwrap_or_else(|err| panic!("{key}: {err}"));
        assert_eq!(pushed["tag"], "v1");
        docker_ok(&["rmi", &name]);
        let pulled = pull_with(&name, config).unwrap();
        assert_eq!(pulled["digest"], pushed["digest"]);
    }
    // An entry for another registry does not help.
    let other = dir.config(&serde_json::json!({
        "auths": { "127.0.0.1:1": { "auth": basic(&e.registry_user(), &e.registry_password()) } }
    }));
    assert_eq!(push_with(&name, other).unwrap_err().status, Status::Unauthorized);
    docker_ok(&["rmi", &name]);
}

#[test]
fn cred_helpers_entry_runs_the_helper_with_the_registry() {
    let e = engine();
    let dir = Scratch::new("dc-cfg-helper");
    dir.helper(&e.registry_user(), &e.registry_password());
    let name = tagged_for_auth_registry("dc-cfg-helper");
    let config = dir.config(&serde_json::json!({
        "credHelpers": { e.auth_registry(): "test" },
        "auths": { e.auth_registry(): {} }
    }));
    let pushed = push_with(&name, config.clone()).unwrap();
    assert!(pushed["digest"].as_str().unwrap().starts_with("sha256:"));
    assert_eq!(dir.calls(), format!("get {}\n", e.auth_registry()), "one get, with the server address on stdin");
    docker_ok(&["rmi", &name]);
    pull_with(&name, config).unwrap();
    docker_ok(&["rmi", &name]);
}

#[test]
fn creds_store_is_asked_for_every_registry() {
    let e = engine();
    let dir = Scratch::new("dc-cfg-store");
    dir.helper(&e.registry_user(), &e.registry_password());
    let name = tagged_for_auth_registry("dc-cfg-store");
    let config = dir.config(&serde_json::json!({ "credsStore": "test" }));
    let pushed = push_with(&name, config.clone()).unwrap();
    assert_eq!(pushed["tag"], "v1");
    assert!(dir.calls().contains(&format!("get {}", e.auth_registry())), "{}", dir.calls());
    docker_ok(&["rmi", &name]);
    let pulled = pull_with(&name, config).unwrap();
    assert_eq!(pulled["digest"], pushed["digest"]);
    docker_ok(&["rmi", &name]);
}

#[test]
fn a_helper_with_a_wrong_secret_is_unauthorized_and_the_secret_stays_hidden() {
    let e = engine();
    let dir = Scratch::new("dc-cfg-wrong");
    let secret = "helper-Secret-wrong-42";
    dir.helper(&e.registry_user(), secret);
    let name = tagged_for_auth_registry("dc-cfg-wrong");
    let config = dir.config(&serde_json::json!({ "credHelpers": { e.auth_registry(): "test" } }));
    let err = push_with(&name, config.clone()).unwrap_err();
    assert_eq!(err.status, Status::Unauthorized, "{err}");
    let err = pull_with(&name, config).unwrap_err();
    assert_eq!(err.status, Status::Unauthorized, "{err}");
    assert!(!err.to_json().contains(secret) && !format!("{err:?}").contains(secret));
    docker_ok(&["rmi", &name]);
}

#[test]
fn a_missing_helper_means_anonymous() {
    let e = engine();
    let dir = Scratch::new("dc-cfg-nohelper");
    // No script written: the helper is not installed, which is not an error; the registry then
    // refuses the anonymous push, and the open registry accepts it.
    let config = dir.config(&serde_json::json!({ "credsStore": "test" }));
    let name = tagged_for_auth_registry("dc-cfg-nohelper");
    assert_eq!(push_with(&name, config.clone()).unwrap_err().status, Status::Unauthorized);
    docker_ok(&["rmi", &name]);
    let open = format!("{}/{}:v1", e.registry(), unique("dc-cfg-nohelper"));
    docker_ok(&["tag", &e.base_image(), &open]);
    push_with(&open, config).unwrap();
    docker_ok(&["rmi", &open]);
}
