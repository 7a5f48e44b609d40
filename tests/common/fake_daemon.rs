//! A tiny HTTP server on 127.0.0.1 that answers as a scripted daemon would, and records the
//! request lines it receives. Only for what a real engine cannot show: other API versions,
//! malformed answers, servers that stall or die.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::Duration;

/// One request as the fake server saw it.
#[derive(Debug, Clone)]
pub struct Seen {
    pub method: String,
    /// The raw request target, e.g. `/v1.41/images/a%3Fb/json?all=1`.
    pub target: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Seen {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }
    pub fn path(&self) -> &str {
        self.target.split('?').next().unwrap_or("")
    }
}

/// What the server does with a request.
pub enum Reply {
    /// Status, headers, body.
    Full(u16, Vec<(String, String)>, Vec<u8>),
    /// Sends the head and the first part of the body, then stalls for the duration.
    Stall(u16, Vec<(String, String)>, Vec<u8>, Duration),
    /// Closes the connection without answering.
    Hangup,
    /// These bytes verbatim (status line, headers and body as the test frames them), then
    /// the connection is closed.
    Raw(Vec<u8>),
}

pub fn json(status: u16, body: &str) -> Reply {
    Reply::Full(status, vec![("Content-Type".into(), "application/json".into())], body.as_bytes().to_vec())
}

type Handler = dyn Fn(&Seen) -> Reply + Send + Sync;

pub struct FakeDaemon {
    pub addr: String,
    seen: Arc<Mutex<Vec<Seen>>>,
    connections: Arc<std::sync::atomic::AtomicUsize>,
}

impl FakeDaemon {
    /// Starts a server answering with `handler`. `/_ping` is answered by the handler too.
    pub fn start(handler: impl Fn(&Seen) -> Reply + Send + Sync + 'static) -> FakeDaemon {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap().to_string();
        let seen = Arc::new(Mutex::new(Vec::new()));
        let handler: Arc<Handler> = Arc::new(handler);
        let seen2 = seen.clone();
        let connections = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let counter = connections.clone();
        thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(stream) = stream else { continue };
                counter.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                let (h, s) = (handler.clone(), seen2.clone());
                thread::spawn(move || serve(stream, &*h, &s));
            }
        });
        FakeDaemon { addr, seen, connections }
    }

    /// A daemon that answers `/_ping` with the given API-Version header (None = no header)
    /// and everything else through `handler`.
    pub fn with_version(
        version: Option<&str>,
        handler: impl Fn(&Seen) -> Reply + Send + Sync + 'static,
    ) -> FakeDaemon {
        let version = version.map(str::to_string);
        FakeDaemon::start(move |req| {
            if req.path() == "/_ping" {
                let mut headers = vec![("OSType".to_string(), "linux".to_string())];
                if let Some(v) = &version {
                    headers.push(("API-Version".into(), v.clone()));
                }
                return Reply::Full(200, headers, b"OK".to_vec());
            }
            handler(req)
        })
    }

    pub fn host(&self) -> String {
        format!("tcp://{}", self.addr)
    }

    /// How many TCP connections clients opened.
    pub fn connections(&self) -> usize {
        self.connections.load(std::sync::atomic::Ordering::SeqCst)
    }

    /// Forgets the requests seen so far (a long test keeps the record from growing).
    pub fn forget_seen(&self) {
        self.seen.lock().unwrap().clear();
    }

    pub fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }

    /// Request targets other than pings.
    pub fn targets(&self) -> Vec<String> {
        self.seen().into_iter().filter(|s| s.path() != "/_ping").map(|s| s.target).collect()
    }
}

fn serve(stream: TcpStream, handler: &Handler, seen: &Mutex<Vec<Seen>>) {
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut out = stream;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 {
            return;
        }
        let mut parts = line.trim_end().splitn(3, ' ');
        let method = parts.next().unwrap_or("").to_string();
        let target = parts.next().unwrap_or("").to_string();
        let mut headers = Vec::new();
        loop {
            let mut h = String::new();
            if reader.read_line(&mut h).unwrap_or(0) == 0 {
                return;
            }
            let h = h.trim_end();
            if h.is_empty() {
                break;
            }
            if let Some((k, v)) = h.split_once(':') {
                headers.push((k.trim().to_string(), v.trim().to_string()));
            }
        }
        let find = |n: &str| headers.iter().find(|(k, _): &&(String, String)| k.eq_ignore_ascii_case(n)).map(|(_, v)| v.clone());
        let mut body = Vec::new();
        if let Some(len) = find("content-length").and_then(|v| v.parse::<usize>().ok()) {
            body.resize(len, 0);
            if reader.read_exact(&mut body).is_err() {
                return;
            }
        } else if find("transfer-encoding").is_some_and(|v| v.eq_ignore_ascii_case("chunked")) {
            loop {
                let mut size = String::new();
                if reader.read_line(&mut size).unwrap_or(0) == 0 {
                    return;
                }
                let n = usize::from_str_radix(size.trim(), 16).unwrap_or(0);
                let mut chunk = vec![0; n + 2];
                if reader.read_exact(&mut chunk).is_err() {
                    return;
                }
                if n == 0 {
                    break;
                }
                body.extend_from_slice(&chunk[..n]);
            }
        }
        let req = Seen { method, target, headers, body };
        seen.lock().unwrap().push(req.clone());
        let head = |status: u16, headers: &[(String, String)], len: Option<usize>| {
            let mut s = format!("HTTP/1.1 {status} X\r\n");
            for (k, v) in headers {
                s.push_str(&format!("{k}: {v}\r\n"));
            }
            match len {
                Some(n) => s.push_str(&format!("Content-Length: {n}\r\n\r\n")),
                None => s.push_str("Connection: close\r\n\r\n"),
            }
            s
        };
        match handler(&req) {
            Reply::Full(status, headers, body) => {
                let len = if req.method == "HEAD" { 0 } else { body.len() };
                let mut bytes = head(status, &headers, Some(body.len())).into_bytes();
                bytes.extend_from_slice(&body[..len]);
                if out.write_all(&bytes).is_err() {
                    return;
                }
            }
            Reply::Stall(status, headers, body, wait) => {
                let _ = out.write_all(head(status, &headers, None).as_bytes());
                let _ = out.write_all(&body);
                let _ = out.flush();
                thread::sleep(wait);
                return;
            }
            Reply::Hangup => return,
            Reply::Raw(bytes) => {
                let _ = out.write_all(&bytes);
                return;
            }
        }
    }
}
