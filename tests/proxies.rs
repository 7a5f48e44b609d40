//! HTTP proxies between the library and a TCP daemon, with real proxies (Debian's tinyproxy,
//! started by scripts/test-remote.sh): a permissive one whose log shows each CONNECT, one that
//! refuses CONNECT to the daemon's ports, one that wants credentials. The daemon is named
//! `dctest-daemon.internal` (127.0.0.1 in /etc/hosts): the CLI's rules never proxy a loopback
//! address or `localhost`.
//!
//! The variables are the process's, so everything runs in one test, in order.

mod common;

use common::engine::engine;
use common::scratch::Scratch;
use dockerclient::images::save::{save, SaveOptions};
use dockerclient::{Client, ClientOptions, Io, Status};
use serde_json::{json, Value};

const PROXY_VARS: [&str; 6] = ["HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "https_proxy", "NO_PROXY", "no_proxy"];

fn set_proxy_env(pairs: &[(&str, &str)]) {
    // SAFETY: this test binary runs one test, on one thread.
    unsafe {
        for v in PROXY_VARS {
            std::env::remove_var(v);
        }
        for (k, v) in pairs {
            std::env::set_var(k, v);
        }
    }
}

fn client(v: Value) -> Client {
    Client::new(&serde_json::from_str::<ClientOptions>(&v.to_string()).unwrap()).expect("client")
}

fn endpoint(c: &Client) -> Value {
    serde_json::from_str(&c.endpoint_json()).unwrap()
}

/// CONNECT lines the permissive proxy has logged so far for `target`.
fn connects(log: &str, target: &str) -> usize {
    std::fs::read_to_string(log).unwrap_or_default().lines().filter(|l| l.contains("CONNECT") && l.contains(target)).count()
}

#[test]
fn proxies_apply_as_the_cli_applies_them() {
    let e = engine();
    let name = e.var("DC_TEST_DAEMON_NAME");
    let proxy = e.var("DC_TEST_PROXY");
    let log = e.var("DC_TEST_PROXY_LOG");
    let tcp_port = e.tcp().rsplit(':').next().unwrap().to_string();
    let tls_port = e.tls().rsplit(':').next().unwrap().to_string();
    let plain = format!("tcp://{name}:{tcp_port}");
    let plain_target = format!("{name}:{tcp_port}");
    let certs = e.certs();
    let tls = |verify: bool| {
        json!({"ca": certs.join("ca.pem"), "cert": certs.join("cert.pem"), "key": certs.join("key.pem"), "verify": verify})
    };

    // Plain TCP through HTTP_PROXY: tunnelled, and the report says through what.
    set_proxy_env(&[("HTTP_PROXY", &proxy)]);
    let before = connects(&log, &plain_target);
    let c = client(json!({"host": plain}));
    dockerclient::system::ping(&c).expect("ping through the proxy");
    let listed = dockerclient::images::list::list(&c, &Default::default()).expect("list through the proxy");
    assert!(listed.starts_with('['));
    assert!(connects(&log, &plain_target) > before, "the proxy saw the CONNECT");
    let r = endpoint(&c);
    assert_eq!((r["proxy"]["url"].as_str(), r["proxy"]["source"].as_str()), (Some(proxy.as_str()), Some("HTTP_PROXY")), "{r}");
    // A whole archive through it (the direct zero-copy path is not taken through a proxy).
    let dir = Scratch::new("dc-proxy");
    let archive = dir.join("base.tar");
    save(&c, &serde_json::from_value::<SaveOptions>(json!({"names": [e.base_image()], "output_path": archive})).unwrap(), Io::none())
        .expect("save through the proxy");
    assert!(std::fs::metadata(&archive).unwrap().len() > 100_000);
    drop(c);

    // NO_PROXY and loopback hosts go direct; an https daemon does not take HTTP_PROXY.
    set_proxy_env(&[("HTTP_PROXY", &proxy), ("NO_PROXY", "foo.example, .internal")]);
    let before = connects(&log, &plain_target);
    let c = client(json!({"host": plain}));
    dockerclient::system::ping(&c).unwrap();
    assert_eq!(connects(&log, &plain_target), before, "NO_PROXY bypassed the proxy");
    assert_eq!(endpoint(&c)["proxy"], Value::Null);
    set_proxy_env(&[("HTTP_PROXY", &proxy)]);
    let c = client(json!({"host": e.tcp()}));
    dockerclient::system::ping(&c).unwrap();
    assert_eq!(endpoint(&c)["proxy"], Value::Null, "loopback is never proxied");
    let c = client(json!({"host": e.unix()}));
    dockerclient::system::ping(&c).unwrap();
    assert_eq!(endpoint(&c)["proxy"], Value::Null, "nor a Unix socket");

    // TLS through CONNECT: HTTPS_PROXY for an https daemon (end-to-end TLS; the certificate
    // names 127.0.0.1, so this one is not verified), and the option on a verified one.
    let tls_target = format!("{name}:{tls_port}");
    set_proxy_env(&[("HTTPS_PROXY", &proxy)]);
    let before = connects(&log, &tls_target);
    let c = client(json!({"host": format!("tcp://{name}:{tls_port}"), "tls": tls(false)}));
    dockerclient::system::ping(&c).expect("TLS through the proxy");
    assert!(connects(&log, &tls_target) > before);
    assert_eq!(endpoint(&c)["proxy"]["source"], "HTTPS_PROXY");
    set_proxy_env(&[]);
    let loopback_tls = format!("127.0.0.1:{tls_port}");
    let before = connects(&log, &loopback_tls);
    let c = client(json!({"host": e.tls(), "tls": tls(true), "proxy": proxy}));
    dockerclient::system::version(&c).expect("verified TLS through the proxy option");
    assert!(connects(&log, &loopback_tls) > before, "the option applies even to loopback");
    // "none" turns the variables off.
    set_proxy_env(&[("HTTP_PROXY", &e.var("DC_TEST_PROXY_REFUSING"))]);
    let c = client(json!({"host": plain, "proxy": "none"}));
    dockerclient::system::ping(&c).expect("no proxy");

    // A proxy that refuses: DC_TRANSPORT naming the proxy's answer.
    let c = client(json!({"host": plain}));
    let err = dockerclient::system::ping(&c).unwrap_err();
    assert_eq!(err.status, Status::Transport, "{err:?}");
    assert!(err.message.contains("403"), "{}", err.message);

    // Credentials in the proxy URL: used, never shown.
    let with_auth = e.var("DC_TEST_PROXY_AUTH");
    let secret = e.var("DC_TEST_PROXY_AUTH_PASSWORD");
    set_proxy_env(&[("HTTP_PROXY", &with_auth)]);
    let c = client(json!({"host": plain}));
    dockerclient::system::ping(&c).expect("through the proxy with credentials");
    let r = c.endpoint_json();
    assert!(!r.contains(&secret) && r.contains(":***@"), "{r}");
    let wrong = with_auth.replace(&secret, "not-the-password");
    set_proxy_env(&[("HTTP_PROXY", &wrong)]);
    let err = dockerclient::system::ping(&client(json!({"host": plain}))).unwrap_err();
    assert_eq!(err.status, Status::Transport, "{err:?}");
    // tinyproxy answers wrong credentials with 401 (none at all: 407).
    assert!(err.message.contains("proxy server responded 40") && !err.message.contains("not-the-password"), "{}", err.message);
    // A proxy URL that cannot be one is refused when the client is made, without its password.
    set_proxy_env(&[("HTTP_PROXY", "socks5://u:hidden@127.0.0.1:1080")]);
    let err = Client::new(&serde_json::from_value::<ClientOptions>(json!({"host": plain})).unwrap()).unwrap_err();
    assert!(err.status == Status::InvalidArgument && err.message.starts_with("HTTP_PROXY") && !err.message.contains("hidden"), "{err:?}");
    set_proxy_env(&[]);
}
