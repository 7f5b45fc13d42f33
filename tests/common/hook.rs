//! A one-request HTTP server on 127.0.0.1 standing in for a Slack-compatible
//! webhook (a thread reading one request): what driftcheck really sends.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::sync::mpsc;
use std::time::Duration;

/// The secret part of the webhook URL: must never be printed or sent.
pub const HOOK_PATH: &str = "/services/T000/B000/PLANTEDhookSECRET";

/// A one-request HTTP server answering `status`; yields the request body.
pub struct Hook {
    port: u16,
    received: mpsc::Receiver<(String, String)>,
}

impl Hook {
    pub fn start(status: u16) -> Hook {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let (tx, received) = mpsc::channel();
        std::thread::spawn(move || {
            let Ok((stream, _)) = listener.accept() else {
                return;
            };
            let mut reader = BufReader::new(stream);
            let mut request_line = String::new();
            reader.read_line(&mut request_line).unwrap();
            let mut length = 0usize;
            loop {
                let mut line = String::new();
                reader.read_line(&mut line).unwrap();
                if line.trim().is_empty() {
                    break;
                }
                if let Some((name, value)) = line.split_once(':') {
                    if name.eq_ignore_ascii_case("content-length") {
                        length = value.trim().parse().unwrap();
                    }
                }
            }
            let mut body = vec![0; length];
            reader.read_exact(&mut body).unwrap();
            let mut stream = reader.into_inner();
            write!(
                stream,
                "HTTP/1.1 {status} X\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok"
            )
            .unwrap();
            let _ = tx.send((request_line, String::from_utf8(body).unwrap()));
        });
        Hook { port, received }
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}{HOOK_PATH}", self.port)
    }

    /// The request, if one arrived (driftcheck has exited by now).
    pub fn request(&self) -> Option<(String, String)> {
        self.received.recv_timeout(Duration::from_secs(2)).ok()
    }
}
