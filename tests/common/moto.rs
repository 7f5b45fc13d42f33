//! A real `moto_server` (local AWS emulator) for tests.
//!
//! Found at env `DRIFTCHECK_MOTO_SERVER` or `<repo>/.venv/bin/moto_server`
//! (created by `scripts/setup.sh`). Bound to 127.0.0.1 on a free port; the
//! process is killed and reaped when the handle is dropped.

#![allow(dead_code)]

use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use aws_sdk_secretsmanager::config::{BehaviorVersion, Credentials, Region};

pub const TEST_REGION: &str = "us-east-1";
const STARTUP_LIMIT: Duration = Duration::from_secs(30);

pub struct MotoServer {
    child: Child,
    log: tempfile::NamedTempFile,
    pub port: u16,
    pub endpoint: String,
}

fn moto_binary() -> PathBuf {
    if let Some(path) = std::env::var_os("DRIFTCHECK_MOTO_SERVER") {
        let path = PathBuf::from(path);
        assert!(
            path.exists(),
            "DRIFTCHECK_MOTO_SERVER points at {} which does not exist",
            path.display()
        );
        return path;
    }
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(".venv/bin/moto_server");
    assert!(
        path.exists(),
        "moto_server not found at {} (nor env DRIFTCHECK_MOTO_SERVER): run scripts/setup.sh",
        path.display()
    );
    path
}

fn free_port() -> u16 {
    // Bind port 0 so the kernel picks a free port, then release it for moto.
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
    listener.local_addr().expect("local addr").port()
}

impl MotoServer {
    pub fn start() -> MotoServer {
        let binary = moto_binary();
        let log = tempfile::NamedTempFile::new().expect("temp file for the moto log");
        let port = free_port();
        let child = Command::new(&binary)
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .stdin(Stdio::null())
            .stdout(log.reopen().expect("reopen moto log"))
            .stderr(log.reopen().expect("reopen moto log"))
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", binary.display()));
        let mut server = MotoServer {
            child,
            log,
            port,
            endpoint: format!("http://127.0.0.1:{port}"),
        };
        server.wait_until_ready();
        server
    }

    fn wait_until_ready(&mut self) {
        let started = Instant::now();
        loop {
            if let Some(status) = self.child.try_wait().expect("poll moto_server") {
                panic!(
                    "moto_server exited with {status} before answering; its log:\n{}",
                    self.log_text()
                );
            }
            if TcpStream::connect(("127.0.0.1", self.port)).is_ok() {
                return;
            }
            if started.elapsed() > STARTUP_LIMIT {
                panic!(
                    "moto_server did not answer on port {} within {STARTUP_LIMIT:?}; its log:\n{}",
                    self.port,
                    self.log_text()
                );
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    fn log_text(&self) -> String {
        std::fs::read_to_string(self.log.path()).unwrap_or_default()
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// A Secrets Manager client configured explicitly (not from the
    /// environment), for creating the secrets the code under test reads.
    pub fn secrets_client(&self, region: &str) -> aws_sdk_secretsmanager::Client {
        let config = aws_sdk_secretsmanager::Config::builder()
            .behavior_version(BehaviorVersion::latest())
            .region(Region::new(region.to_string()))
            .endpoint_url(&self.endpoint)
            .credentials_provider(Credentials::new("testing", "testing", None, None, "moto"))
            .build();
        aws_sdk_secretsmanager::Client::from_conf(config)
    }
}

impl Drop for MotoServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
