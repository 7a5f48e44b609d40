//! System calls on the real test engine over unix, tcp and TLS.

mod common;

use common::engine::engine;
use dockerclient::{system, Status};

#[test]
fn ping_version_info_over_unix() {
    let e = engine();
    let c = e.client();
    let ping: serde_json::Value = serde_json::from_str(&system::ping(&c).unwrap().to_json()).unwrap();
    assert_eq!(ping["os_type"], "linux");
    assert!(ping["api_version"].as_str().unwrap().starts_with("1."));
    let v: serde_json::Value = serde_json::from_str(&system::version(&c).unwrap()).unwrap();
    assert_eq!(v["ApiVersion"], ping["api_version"]);
    let info: serde_json::Value = serde_json::from_str(&system::info(&c).unwrap()).unwrap();
    assert!(info["DockerRootDir"].as_str().unwrap().starts_with(&e.var("DC_TEST_DIR")), "private engine");
    assert_eq!(c.api_version().unwrap().to_string(), v["ApiVersion"].as_str().unwrap());
}

#[test]
fn ping_over_tcp() {
    let e = engine();
    let c = e.client_with(&format!(r#"{{"host": "{}"}}"#, e.tcp()));
    system::ping(&c).unwrap();
    system::version(&c).unwrap();
}

fn tls_client(ca: &str, with_cert: bool, key: &str) -> dockerclient::Client {
    let e = engine();
    let d = e.certs();
    let cert = if with_cert {
        format!(r#", "cert": "{}", "key": "{}""#, d.join("cert.pem").display(), d.join(key).display())
    } else {
        String::new()
    };
    e.client_with(&format!(
        r#"{{"host": "{}", "tls": {{"ca": "{}"{cert}}}}}"#,
        e.tls(),
        d.join(ca).display()
    ))
}

#[test]
fn tls_with_pkcs1_and_pkcs8_client_keys() {
    for key in ["key.pem", "key-pkcs8.pem"] {
        let c = tls_client("ca.pem", true, key);
        let v: serde_json::Value = serde_json::from_str(&system::version(&c).unwrap()).unwrap();
        assert!(v["Version"].is_string(), "{key}");
    }
    let key = std::fs::read_to_string(engine().certs().join("key.pem")).unwrap();
    assert!(key.contains("BEGIN RSA PRIVATE KEY"), "key.pem is PKCS#1");
}

#[test]
fn tls_with_a_wrong_ca_fails_as_transport() {
    let err = system::ping(&tls_client("wrong-ca.pem", true, "key.pem")).unwrap_err();
    assert_eq!(err.status, Status::Transport, "{err}");
}

#[test]
fn tls_without_a_client_certificate_fails_as_transport() {
    let err = system::ping(&tls_client("ca.pem", false, "key.pem")).unwrap_err();
    assert_eq!(err.status, Status::Transport, "{err}");
}

#[test]
fn tls_with_verification_explicitly_on() {
    // (The DOCKER_* variables themselves are tested in tests/client_environment.rs.)
    let e = engine();
    let d = e.certs();
    let c = e.client_with(&format!(
        r#"{{"host": "{}", "tls": {{"ca": "{}", "cert": "{}", "key": "{}", "verify": true}}}}"#,
        e.tls(),
        d.join("ca.pem").display(),
        d.join("cert.pem").display(),
        d.join("key.pem").display()
    ));
    system::info(&c).unwrap();
}

#[test]
fn auth_accepts_the_right_password_and_refuses_a_wrong_one() {
    let e = engine();
    let c = e.client();
    let good = serde_json::json!({
        "username": e.registry_user(),
        "password": e.registry_password(),
        "serveraddress": e.auth_registry(),
    });
    let out: serde_json::Value = serde_json::from_str(&system::auth(&c, &good).unwrap()).unwrap();
    assert_eq!(out["Status"], "Login Succeeded");
    let bad = serde_json::json!({
        "username": e.registry_user(),
        "password": "wrong-password",
        "serveraddress": e.auth_registry(),
    });
    let err = system::auth(&c, &bad).unwrap_err();
    assert_eq!(err.status, Status::Unauthorized, "{err}");
    assert!(!err.message.contains("wrong-password"), "no credential in messages");
}
