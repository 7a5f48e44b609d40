//! Logins that are kept, against the htpasswd registry: stored in a plain config (the file's
//! other bytes and its mode kept), through a credential helper, refused (nothing stored), and
//! removed by logout; the docker CLI pulls with what the library stored, and the library with
//! what the CLI stored.

mod common;

use std::os::unix::fs::PermissionsExt;
use std::sync::Arc;

use common::engine::{engine, unique};
use common::scratch::Scratch;
use dockerclient::images::pull::{pull, PullOptions};
use dockerclient::images::push::{push, PushOptions};
use dockerclient::system::login::{login, logout, LoginOptions};
use dockerclient::{AuthConfig, Client, CredentialSource, DockerConfig, Io, Status};

/// An image in the htpasswd registry (pushed with explicit credentials), and its name.
fn private_image() -> String {
    let e = engine();
    let name = format!("{}/{}:1", e.auth_registry(), unique("kept"));
    assert!(e.docker(&["tag", &e.base_image(), &name]).status.success());
    let o: PushOptions = dockerclient::options::parse(
        "o",
        Some(&serde_json::json!({"auth": {"username": e.registry_user(), "password": e.registry_password()}}).to_string()),
    )
    .unwrap();
    push(&e.client(), &name, &o, Io::none()).unwrap();
    let _ = e.docker(&["rmi", &name]);
    name
}

fn creds(password: &str) -> AuthConfig {
    let e = engine();
    AuthConfig {
        username: Some(e.registry_user()),
        password: Some(password.to_string()),
        serveraddress: Some(format!("http://{}/v2/", e.auth_registry())),
        ..Default::default()
    }
}

fn client_in(dir: &Scratch) -> Client {
    engine().client().with_credentials(CredentialSource::Dir(dir.path().to_path_buf()))
}

fn pull_status(c: &Client, image: &str) -> Result<(), Status> {
    let r = pull(c, &PullOptions::new(image), Io::none()).map(drop).map_err(|e| e.status);
    let _ = engine().docker(&["rmi", image]);
    r
}

#[test]
fn a_plain_config_keeps_other_bytes_and_its_mode_and_the_cli_reads_it() {
    let e = engine();
    let image = private_image();
    let dir = Scratch::new("dc-login");
    let original = "{\n  \"psFormat\": \"table {{.ID}}\",\n  \"auths\": {\n    \"other.example:5000\": {\"auth\": \"eDp5\"}\n  },\n  \"experimental\": \"enabled\"\n}\n";
    let path = dir.file("config.json", original);
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o640)).unwrap();
    let c = client_in(&dir);
    assert_eq!(pull_status(&c, &image), Err(Status::Unauthorized), "no credentials yet");

    // A wrong password: refused, nothing written.
    let err = login(&c, &creds("wrong-password"), &LoginOptions::default()).unwrap_err();
    assert_eq!(err.status, Status::Unauthorized, "{err:?}");
    assert_eq!(std::fs::read_to_string(&path).unwrap(), original);

    let kept = login(&c, &creds(&e.registry_password()), &LoginOptions::default()).unwrap();
    assert_eq!(kept.registry, e.auth_registry());
    assert_eq!(kept.stored_in, "auths");
    assert!(!kept.identity_token);
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.starts_with("{\n  \"psFormat\": \"table {{.ID}}\",\n  \"auths\": {\n    \"other.example:5000\": {\"auth\": \"eDp5\"},"), "{text}");
    assert!(text.ends_with("\n  },\n  \"experimental\": \"enabled\"\n}\n"), "{text}");
    assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o640, "mode kept");
    assert_eq!(pull_status(&c, &image), Ok(()), "the library pulls with what it kept");
    // The docker CLI reads the same file.
    let out = e.docker_command().env("DOCKER_CONFIG", dir.path()).args(["pull", &image]).output().unwrap();
    assert!(out.status.success(), "the CLI pulls with it: {}", String::from_utf8_lossy(&out.stderr));
    let _ = e.docker(&["rmi", &image]);

    let gone = logout(&c, &e.auth_registry()).unwrap();
    assert_eq!(gone.removed_from, ["auths"]);
    assert_eq!(std::fs::read_to_string(&path).unwrap(), original, "logout gives back the original bytes");
    assert_eq!(pull_status(&c, &image), Err(Status::Unauthorized));
    assert!(logout(&c, &e.auth_registry()).unwrap().removed_from.is_empty(), "a second logout finds nothing");
}

#[test]
fn a_new_config_file_is_private() {
    let e = engine();
    let dir = Scratch::new("dc-login-new");
    let c = client_in(&dir);
    login(&c, &creds(&e.registry_password()), &LoginOptions::default()).unwrap();
    let path = dir.join("config.json");
    assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
    let cfg = DockerConfig::load_from(&path).unwrap();
    let a = cfg.resolve(&e.auth_registry()).unwrap().unwrap();
    assert_eq!(a.username.as_deref(), Some(e.registry_user().as_str()));
    // Nothing but the config file (no temporary left behind).
    assert_eq!(dir.entries(), ["config.json"]);
}

/// A credential helper that keeps each server's JSON in a file next to itself.
const HELPER: &str = r#"#!/bin/sh
d=$(dirname "$0")/store
mkdir -p "$d"
case "$1" in
store) cat > "$d/current" ;;
get) read -r server; if [ -f "$d/current" ]; then cat "$d/current"; else echo "credentials not found in native keychain"; exit 1; fi ;;
erase) read -r server; if [ -f "$d/current" ]; then rm "$d/current"; else echo "credentials not found in native keychain"; exit 1; fi ;;
list) echo '{}' ;;
esac
"#;

#[test]
fn a_credential_helper_keeps_the_secret() {
    let e = engine();
    let image = private_image();
    let dir = Scratch::new("dc-login-helper");
    let helper = dir.file("bin/docker-credential-dctest", HELPER);
    std::fs::set_permissions(&helper, std::fs::Permissions::from_mode(0o755)).unwrap();
    let path = dir.file("config.json", "{\"credsStore\": \"dctest\"}");
    // A config given in memory is a snapshot: it names the helper, the login writes its file.
    let config = DockerConfig::load_from(&path).unwrap().with_helper_path(dir.join("bin"));
    let c = engine().client().with_credentials(CredentialSource::Given(Arc::new(config)));

    let kept = login(&c, &creds(&e.registry_password()), &LoginOptions::default()).unwrap();
    assert_eq!(kept.stored_in, "credsStore:dctest");
    let stored: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(dir.join("bin/store/current")).unwrap()).unwrap();
    assert_eq!(stored["ServerURL"], e.auth_registry());
    assert_eq!(stored["Secret"], e.registry_password());
    let text = std::fs::read_to_string(&path).unwrap();
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(v["auths"][e.auth_registry()], serde_json::json!({}), "the file names the registry, without a secret: {text}");
    assert!(!text.contains(&e.registry_password()));
    assert_eq!(pull_status(&c, &image), Ok(()), "pulls resolve through the helper");

    let gone = logout(&c, &e.auth_registry()).unwrap();
    assert_eq!(gone.removed_from, ["credsStore:dctest", "auths"]);
    assert!(!dir.join("bin/store/current").exists(), "erased from the helper");
    assert_eq!(pull_status(&c, &image), Err(Status::Unauthorized));
}

#[test]
fn the_library_pulls_with_what_the_cli_stored() {
    let e = engine();
    let image = private_image();
    let dir = Scratch::new("dc-cli-login");
    let mut child = e
        .docker_command()
        .env("DOCKER_CONFIG", dir.path())
        .args(["login", "-u", &e.registry_user(), "--password-stdin", &e.auth_registry()])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    child.stdin.take().unwrap().write_all(e.registry_password().as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "docker login: {}", String::from_utf8_lossy(&out.stderr));
    let c = client_in(&dir);
    assert_eq!(pull_status(&c, &image), Ok(()));
    // And the library logs out of what the CLI stored.
    assert_eq!(logout(&c, &e.auth_registry()).unwrap().removed_from, ["auths"]);
    assert_eq!(pull_status(&c, &image), Err(Status::Unauthorized));
}

#[test]
fn bad_credentials_and_sources_are_refused() {
    let dir = Scratch::new("dc-login-bad");
    let c = client_in(&dir);
    let err = login(&c, &AuthConfig { username: Some("u".into()), ..Default::default() }, &LoginOptions::default()).unwrap_err();
    assert_eq!(err.status, Status::InvalidArgument);
    dir.file("config.json", "{\"auths\": ");
    let err = login(&c, &creds(&engine().registry_password()), &LoginOptions::default()).unwrap_err();
    assert_eq!(err.status, Status::InvalidArgument, "{err:?}");
    assert!(err.message.contains("config.json"), "names the file: {err:?}");
    let mem = engine().client().with_credentials(CredentialSource::Given(Arc::new(DockerConfig::default())));
    assert_eq!(logout(&mem, "r:5000").unwrap_err().status, Status::InvalidArgument);
}
