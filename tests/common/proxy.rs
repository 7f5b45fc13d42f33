//! A loopback TCP proxy for fault tests: in front of a real server, it passes
//! bytes through, or after N bytes in one direction stalls (holds the
//! connection open and forwards nothing until released) or cuts (closes both
//! sides). Std threads only; every connection and the listener stop by
//! themselves after [`LIFETIME`], or when the proxy is dropped.
#![allow(dead_code)]

use std::io::{ErrorKind, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// Nothing a proxy does outlives this, whatever the test does.
pub const LIFETIME: Duration = Duration::from_secs(90);
/// How often blocked threads look at the stop and release flags.
const POLL: Duration = Duration::from_millis(20);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// Client → server (startup, queries).
    ToServer,
    /// Server → client (handshake answers, rows).
    ToClient,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    Pass,
    /// After `after` bytes in `direction`, forward nothing more until [`Proxy::release`].
    Stall {
        direction: Direction,
        after: usize,
    },
    /// After `after` bytes in `direction`, close both connections.
    Cut {
        direction: Direction,
        after: usize,
    },
}

impl Fault {
    /// How many bytes may pass in `direction` before the fault; `None` = unlimited.
    fn limit(self, direction: Direction) -> Option<usize> {
        match self {
            Fault::Stall {
                direction: d,
                after,
            }
            | Fault::Cut {
                direction: d,
                after,
            } if d == direction => Some(after),
            _ => None,
        }
    }
}

#[derive(Default)]
struct Shared {
    stop: AtomicBool,
    released: AtomicBool,
    connections: AtomicUsize,
    faults: AtomicUsize,
    to_server: AtomicUsize,
    to_client: AtomicUsize,
}

impl Shared {
    fn bytes(&self, direction: Direction) -> &AtomicUsize {
        match direction {
            Direction::ToServer => &self.to_server,
            Direction::ToClient => &self.to_client,
        }
    }
}

pub struct Proxy {
    port: u16,
    shared: Arc<Shared>,
    acceptor: Option<JoinHandle<()>>,
}

impl Proxy {
    /// Listen on 127.0.0.1 at a free port and forward every connection to
    /// 127.0.0.1:`upstream`, applying `fault` to each.
    pub fn start(upstream: u16, fault: Fault) -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
        listener.set_nonblocking(true).unwrap();
        let port = listener.local_addr().unwrap().port();
        let shared = Arc::new(Shared::default());
        let deadline = Instant::now() + LIFETIME;
        let acceptor = {
            let shared = Arc::clone(&shared);
            std::thread::spawn(move || accept_loop(listener, upstream, fault, shared, deadline))
        };
        Proxy {
            port,
            shared,
            acceptor: Some(acceptor),
        }
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// Connections accepted so far.
    pub fn connections(&self) -> usize {
        self.shared.connections.load(Ordering::SeqCst)
    }

    /// Bytes forwarded so far in `direction`, all connections together.
    pub fn bytes(&self, direction: Direction) -> usize {
        self.shared.bytes(direction).load(Ordering::SeqCst)
    }

    /// How many connections reached their fault (stalled or were cut).
    pub fn faults(&self) -> usize {
        self.shared.faults.load(Ordering::SeqCst)
    }

    /// Wait until some connection reached its fault; false after `limit`.
    pub fn wait_for_fault(&self, limit: Duration) -> bool {
        let started = Instant::now();
        while self.faults() == 0 {
            if started.elapsed() > limit {
                return false;
            }
            std::thread::sleep(POLL);
        }
        true
    }

    /// Stalled connections forward again, and no longer stall.
    pub fn release(&self) {
        self.shared.released.store(true, Ordering::SeqCst);
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.shared.stop.store(true, Ordering::SeqCst);
        if let Some(acceptor) = self.acceptor.take() {
            let _ = acceptor.join();
        }
    }
}

fn accept_loop(
    listener: TcpListener,
    upstream: u16,
    fault: Fault,
    shared: Arc<Shared>,
    deadline: Instant,
) {
    let mut pumps = Vec::new();
    while !shared.stop.load(Ordering::SeqCst) && Instant::now() < deadline {
        match listener.accept() {
            Ok((client, _)) => {
                shared.connections.fetch_add(1, Ordering::SeqCst);
                let Ok(server) = TcpStream::connect(("127.0.0.1", upstream)) else {
                    continue; // the client sees its connection closed
                };
                for (from, to, direction) in [
                    (client.try_clone(), server.try_clone(), Direction::ToServer),
                    (server.try_clone(), client.try_clone(), Direction::ToClient),
                ] {
                    let (from, to) = (from.unwrap(), to.unwrap());
                    let shared = Arc::clone(&shared);
                    let limit = fault.limit(direction);
                    let cut = matches!(fault, Fault::Cut { .. });
                    pumps.push(std::thread::spawn(move || {
                        pump(from, to, direction, limit, cut, &shared, deadline)
                    }));
                }
            }
            Err(e) if e.kind() == ErrorKind::WouldBlock => std::thread::sleep(POLL),
            Err(_) => std::thread::sleep(POLL),
        }
    }
    shared.stop.store(true, Ordering::SeqCst);
    for pump in pumps {
        let _ = pump.join();
    }
}

/// Copy `from` → `to` until either closes, the proxy stops, or the fault:
/// after `limit` bytes, cut (close both) or stall (until released).
fn pump(
    mut from: TcpStream,
    mut to: TcpStream,
    direction: Direction,
    mut limit: Option<usize>,
    cut: bool,
    shared: &Shared,
    deadline: Instant,
) {
    let _ = from.set_read_timeout(Some(POLL));
    let stopped = || shared.stop.load(Ordering::SeqCst) || Instant::now() >= deadline;
    let mut buf = [0u8; 4096];
    'copy: loop {
        if stopped() {
            break;
        }
        let read = match from.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => continue,
            Err(_) => break,
        };
        let mut chunk = &buf[..read];
        if let Some(remaining) = limit {
            if chunk.len() >= remaining {
                let (before, after) = chunk.split_at(remaining);
                if to.write_all(before).is_err() {
                    break;
                }
                shared
                    .bytes(direction)
                    .fetch_add(before.len(), Ordering::SeqCst);
                shared.faults.fetch_add(1, Ordering::SeqCst);
                if cut {
                    break 'copy;
                }
                while !shared.released.load(Ordering::SeqCst) {
                    if stopped() {
                        break 'copy;
                    }
                    std::thread::sleep(POLL);
                }
                limit = None;
                chunk = after;
            } else {
                limit = Some(remaining - chunk.len());
            }
        }
        if to.write_all(chunk).is_err() {
            break;
        }
        shared
            .bytes(direction)
            .fetch_add(chunk.len(), Ordering::SeqCst);
    }
    // Either side ending ends the connection for both.
    let _ = from.shutdown(Shutdown::Both);
    let _ = to.shutdown(Shutdown::Both);
}
