//! The part every test proxy shares: a listener on 127.0.0.1 that connects each client it
//! accepts to the upstream daemon and hands the pair to the proxy's relay, on a thread of its
//! own.

use std::net::{TcpListener, TcpStream};
use std::thread;

/// Starts relaying to `upstream` ("127.0.0.1:port"); returns the proxy's `tcp://` address.
pub fn serve(upstream: &str, relay: impl Fn(TcpStream, TcpStream) + Clone + Send + 'static) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let host = format!("tcp://{}", listener.local_addr().unwrap());
    let upstream = upstream.to_string();
    thread::spawn(move || {
        for client in listener.incoming().flatten() {
            let Ok(daemon) = TcpStream::connect(&upstream) else { continue };
            let relay = relay.clone();
            thread::spawn(move || relay(client, daemon));
        }
    });
    host
}
