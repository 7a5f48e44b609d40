//! A daemon that closes the socket while a body is being uploaded must give an error, not
//! kill the process. C hosts leave SIGPIPE at its default action (terminate), so this test
//! binary does the same before uploading to a Unix socket that hangs up mid-body.

use std::io::Read;
use std::os::unix::net::UnixListener;

use dockerclient::client::{Body, Call};
use dockerclient::{Client, ClientOptions, Status};

#[test]
fn an_upload_cut_by_the_daemon_is_an_error_not_sigpipe() {
    // SAFETY: restores the default action, as a C program has it; this binary has one test.
    unsafe { libc::signal(libc::SIGPIPE, libc::SIG_DFL) };

    let path = std::env::temp_dir().join(format!("dc-sigpipe-{}.sock", std::process::id()));
    let _ = std::fs::remove_file(&path);
    let listener = UnixListener::bind(&path).unwrap();
    let server = std::thread::spawn(move || {
        let (mut conn, _) = listener.accept().unwrap();
        let mut head = [0u8; 4096];
        let _ = conn.read(&mut head);
        // Hang up without reading the body.
    });

    let opts: ClientOptions = serde_json::from_str(&format!(
        r#"{{"host": "unix://{}", "api_version": "1.41"}}"#,
        path.display()
    ))
    .unwrap();
    let client = Client::new(&opts).unwrap();
    let mut body = std::io::repeat(0).take(256 * 1024 * 1024);
    let err = client
        .send(&Call::post("/images/load"), Body::Reader(&mut body, "application/x-tar"))
        .err()
        .expect("the upload cannot succeed");
    assert_eq!(err.status, Status::Transport, "{err}");
    server.join().unwrap();
    let _ = std::fs::remove_file(&path);
}
