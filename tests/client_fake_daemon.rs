//! Client behaviour a real engine cannot show: other API versions, missing headers, error
//! bodies in JSON and in plain text, a server that stalls mid-answer.

mod common;

use std::time::{Duration, Instant};

use common::fake_daemon::{json, FakeDaemon, Reply};
use dockerclient::{system, Client, ClientOptions, Status};

fn client(host: &str, extra: &str) -> Client {
    let json = format!(r#"{{"host": "{host}"{extra}}}"#);
    let opts: ClientOptions = serde_json::from_str(&json).unwrap();
    Client::new(&opts).unwrap()
}

fn version_answer() -> Reply {
    json(200, r#"{"Version":"20.10.0","ApiVersion":"x","Unknown":{"kept":true}}"#)
}

#[test]
fn negotiates_the_daemons_version_and_prefixes_requests() {
    for (daemon, used) in [("1.24", "1.24"), ("1.41", "1.41"), ("1.60", "1.56"), ("1.5", "1.12")] {
        let fake = FakeDaemon::with_version(Some(daemon), |_| version_answer());
        let c = client(&fake.host(), "");
        assert_eq!(c.api_version().unwrap().to_string(), used, "daemon {daemon}");
        system::version(&c).unwrap();
        assert_eq!(fake.targets(), vec![format!("/v{used}/version")], "daemon {daemon}");
    }
}

#[test]
fn a_daemon_without_api_version_header_is_taken_as_1_24() {
    let fake = FakeDaemon::with_version(None, |_| version_answer());
    let c = client(&fake.host(), "");
    assert_eq!(c.api_version().unwrap().to_string(), "1.24");
}

#[test]
fn head_ping_refused_falls_back_to_get() {
    let fake = FakeDaemon::start(|req| {
        if req.method == "HEAD" {
            return json(405, r#"{"message":"method not allowed"}"#);
        }
        Reply::Full(200, vec![("API-Version".into(), "1.30".into())], b"OK".to_vec())
    });
    let c = client(&fake.host(), "");
    assert_eq!(c.api_version().unwrap().to_string(), "1.30");
    let methods: Vec<String> = fake.seen().iter().map(|s| s.method.clone()).collect();
    assert_eq!(methods, vec!["HEAD", "GET"]);
}

#[test]
fn a_pinned_version_disables_negotiation() {
    let fake = FakeDaemon::with_version(Some("1.41"), |_| version_answer());
    let c = client(&fake.host(), r#", "api_version": "1.30""#);
    system::version(&c).unwrap();
    let seen: Vec<String> = fake.seen().iter().map(|s| s.target.clone()).collect();
    assert_eq!(seen, vec!["/v1.30/version"], "no ping when pinned");
}

#[test]
fn output_is_the_daemons_json_verbatim() {
    let fake = FakeDaemon::with_version(Some("1.41"), |_| version_answer());
    let c = client(&fake.host(), "");
    let out = system::version(&c).unwrap();
    assert_eq!(out, r#"{"Version":"20.10.0","ApiVersion":"x","Unknown":{"kept":true}}"#);
}

#[test]
fn error_bodies_keep_the_daemons_message() {
    let fake = FakeDaemon::with_version(Some("1.41"), |req| match req.path() {
        "/v1.41/version" => json(404, r#"{"message":"No such thing: x"}"#),
        "/v1.41/info" => Reply::Full(500, vec![], b"plain text failure\n".to_vec()),
        _ => json(409, r#"{"message":"conflict here"}"#),
    });
    let c = client(&fake.host(), "");
    let e = system::version(&c).unwrap_err();
    assert_eq!(e.status, Status::NotFound);
    assert_eq!(e.http_status, 404);
    assert_eq!(e.message, "No such thing: x");
    assert_eq!(e.api_version.as_deref(), Some("1.41"));
    let e = system::info(&c).unwrap_err();
    assert_eq!(e.status, Status::ServerError);
    assert_eq!(e.message, "plain text failure");
}

#[test]
fn status_classes_follow_http_codes() {
    for (code, status) in [
        (400, Status::InvalidArgument),
        (401, Status::Unauthorized),
        (403, Status::Forbidden),
        (404, Status::NotFound),
        (409, Status::Conflict),
        (500, Status::ServerError),
        (503, Status::ServerError),
    ] {
        let fake = FakeDaemon::with_version(Some("1.41"), move |_| Reply::Full(code, vec![], vec![]));
        let e = system::info(&client(&fake.host(), "")).unwrap_err();
        assert_eq!(e.status, status, "HTTP {code}");
        assert!(e.message.contains(&code.to_string()), "empty body still gives a message: {}", e.message);
    }
}

#[test]
fn inactivity_timeout_fires_on_a_stalled_answer() {
    let fake = FakeDaemon::with_version(Some("1.41"), |_| {
        Reply::Stall(200, vec![], br#"{"Version":"#.to_vec(), Duration::from_secs(30))
    });
    let c = client(&fake.host(), r#", "inactivity_timeout_ms": 300"#);
    let started = Instant::now();
    let e = system::version(&c).unwrap_err();
    assert_eq!(e.status, Status::Timeout, "{e}");
    // Not a time limit on the test: only proof that it did not wait for the server's 30 s.
    assert!(started.elapsed() < Duration::from_secs(25));
}

#[test]
fn whole_call_timeout_fires_too() {
    let fake = FakeDaemon::with_version(Some("1.41"), |_| {
        Reply::Stall(200, vec![], Vec::new(), Duration::from_secs(30))
    });
    let c = client(&fake.host(), r#", "api_version": "1.41", "timeout_ms": 300"#);
    let e = system::info(&c).unwrap_err();
    assert_eq!(e.status, Status::Timeout, "{e}");
}

#[test]
fn a_server_that_hangs_up_is_a_transport_error() {
    let fake = FakeDaemon::with_version(Some("1.41"), |_| Reply::Hangup);
    let e = system::info(&client(&fake.host(), "")).unwrap_err();
    assert_eq!(e.status, Status::Transport, "{e}");
}

#[test]
fn nothing_listening_is_a_transport_error_naming_the_endpoint() {
    let e = system::ping(&client("unix:///nonexistent/docker.sock", "")).unwrap_err();
    assert_eq!(e.status, Status::Transport);
    assert!(e.message.contains("/nonexistent/docker.sock"), "{}", e.message);
}

#[test]
fn connections_are_reused_between_calls() {
    let fake = FakeDaemon::with_version(Some("1.41"), |_| version_answer());
    let c = client(&fake.host(), "");
    for _ in 0..5 {
        system::version(&c).unwrap();
    }
    assert_eq!(fake.targets().len(), 5);
    assert_eq!(fake.connections(), 1, "ping and five calls on one kept-alive connection");
}

#[test]
fn a_post_without_body_says_content_length_zero() {
    let fake = FakeDaemon::with_version(Some("1.41"), |_| json(200, "{}"));
    let c = client(&fake.host(), "");
    c.send(&dockerclient::client::Call::post("/x"), dockerclient::client::Body::Empty).unwrap().discard();
    let seen = fake.seen().into_iter().find(|s| s.path() == "/v1.41/x").unwrap();
    assert_eq!(seen.header("Content-Length"), Some("0"));
    assert_eq!(seen.header("Transfer-Encoding"), None);
}

#[test]
fn a_calls_own_timeout_also_bounds_the_negotiating_ping() {
    // A daemon that accepts the connection and never answers the ping.
    let fake = FakeDaemon::start(|_| {
        std::thread::sleep(Duration::from_secs(30));
        Reply::Hangup
    });
    let c = client(&fake.host(), "");
    let call = dockerclient::client::Call::get("/info").limits(Some(300), None);
    let e = c.send(&call, dockerclient::client::Body::Empty).err().expect("stalled ping");
    assert_eq!(e.status, Status::Timeout, "{e}");
}
