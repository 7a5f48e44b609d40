//! A daemon that closes the socket while a body is being uploaded must give an error, not
//! kill the process. C hosts leave SIGPIPE at its default action (terminate), so this test
//! binary does the same before uploading to a Unix socket that hangs up mid-body, and before
//! saving to a FIFO whose reader goes away.

use std::io::Read;
use std::os::unix::net::UnixListener;

use dockerclient::client::{Body, Call};
use dockerclient::{Client, ClientOptions, Status};

#[test]
fn an_upload_cut_by_the_daemon_is_an_error_not_sigpipe() {
    // SAFETY: restores the default action, as a C program has it (every test here wants it).
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

#[test]
fn a_fifo_whose_reader_leaves_fails_the_save_without_sigpipe() {
    use std::io::Write;
    // SAFETY: as above.
    unsafe { libc::signal(libc::SIGPIPE, libc::SIG_DFL) };

    // An archive of one 8 MiB entry, far more than a pipe holds.
    let mut b = tar::Builder::new(Vec::new());
    let mut h = tar::Header::new_gnu();
    h.set_size(8 << 20);
    h.set_mode(0o644);
    h.set_cksum();
    b.append_data(&mut h, "layer.tar", std::io::repeat(7).take(8 << 20)).unwrap();
    let archive = b.into_inner().unwrap();
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        for conn in listener.incoming() {
            let Ok(mut conn) = conn else { return };
            let mut head = [0u8; 4096];
            let _ = conn.read(&mut head);
            let _ = write!(conn, "HTTP/1.1 200 OK\r\nContent-Length: {}\r\n\r\n", archive.len());
            let _ = conn.write_all(&archive);
        }
    });

    let dir = std::env::temp_dir().join(format!("dc-sigpipe-fifo-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let fifo = dir.join("fifo");
    assert!(std::process::Command::new("mkfifo").arg(&fifo).status().unwrap().success());
    let reader_path = fifo.clone();
    // The reader takes a little and goes away.
    let reader = std::thread::spawn(move || {
        let mut f = std::fs::File::open(reader_path).unwrap();
        let mut first = [0u8; 1000];
        f.read_exact(&mut first).unwrap();
    });

    let opts: ClientOptions =
        serde_json::from_str(&format!(r#"{{"host": "tcp://{addr}", "api_version": "1.41"}}"#)).unwrap();
    let client = Client::new(&opts).unwrap();
    let save_opts: dockerclient::images::save::SaveOptions =
        serde_json::from_str(&format!(r#"{{"names": "a", "output_path": "{}"}}"#, fifo.display())).unwrap();
    let err = dockerclient::images::save::save(&client, &save_opts, dockerclient::images::io::Io::none()).expect_err("the reader left");
    assert_eq!(err.status, Status::Transport, "{err}");
    assert!(err.message.contains("output_path"), "{err}");
    reader.join().unwrap();
    let _ = std::fs::remove_dir_all(&dir);
}
