//! A client made with no options reads the docker CLI's environment variables. Environment
//! variables are process-wide, so this file holds a single test that sets them in sequence.

mod common;

use common::engine::engine;
use dockerclient::{system, Client, Status};

fn set(vars: &[(&str, Option<&str>)]) {
    for (k, v) in vars {
        // SAFETY: this test binary runs this one test only; no other thread reads the
        // environment meanwhile.
        unsafe {
            match v {
                Some(v) => std::env::set_var(k, v),
                None => std::env::remove_var(k),
            }
        }
    }
}

#[test]
fn docker_cli_environment_is_honoured() {
    let e = engine();
    let certs = e.certs();
    let certs = certs.to_str().unwrap();

    // DOCKER_HOST alone: the Unix socket.
    set(&[("DOCKER_HOST", Some(&e.unix())), ("DOCKER_TLS_VERIFY", None), ("DOCKER_API_VERSION", None)]);
    let c = Client::from_env().unwrap();
    system::ping(&c).unwrap();

    // DOCKER_HOST + DOCKER_TLS_VERIFY + DOCKER_CERT_PATH: TLS with client certificate.
    set(&[
        ("DOCKER_HOST", Some(&e.tls())),
        ("DOCKER_TLS_VERIFY", Some("1")),
        ("DOCKER_CERT_PATH", Some(certs)),
    ]);
    let c = Client::from_env().unwrap();
    system::version(&c).unwrap();

    // The same TLS port without DOCKER_TLS_VERIFY speaks plain HTTP to a TLS server: fails.
    set(&[("DOCKER_TLS_VERIFY", None)]);
    let c = Client::from_env().unwrap();
    assert!(system::version(&c).is_err());

    // DOCKER_API_VERSION pins the version: no negotiation, and requests use it.
    set(&[("DOCKER_HOST", Some(&e.unix())), ("DOCKER_API_VERSION", Some("1.30"))]);
    let c = Client::from_env().unwrap();
    assert_eq!(c.api_version().unwrap().to_string(), "1.30");
    let v: serde_json::Value = serde_json::from_str(&system::version(&c).unwrap()).unwrap();
    assert!(v["ApiVersion"].is_string());

    // A bad DOCKER_API_VERSION is refused, naming the variable.
    set(&[("DOCKER_API_VERSION", Some("one.two"))]);
    let err = Client::from_env().unwrap_err();
    assert_eq!(err.status, Status::InvalidArgument);
    assert!(err.message.contains("DOCKER_API_VERSION"), "{}", err.message);

    // A bad DOCKER_HOST is refused, naming the host.
    set(&[("DOCKER_API_VERSION", None), ("DOCKER_HOST", Some("bogus://x"))]);
    let err = Client::from_env().unwrap_err();
    assert_eq!(err.status, Status::InvalidArgument);
    assert!(err.message.contains("bogus://x"), "{}", err.message);
    set(&[("DOCKER_HOST", None), ("DOCKER_CERT_PATH", None)]);
}
