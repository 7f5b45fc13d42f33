//! Ephemeral PostgreSQL clusters for tests: a fresh `initdb` in a temp dir,
//! listening only on a Unix socket inside it, so any number run in parallel;
//! optionally also on TCP 127.0.0.1 at a free port, with or without TLS.
//! Stopped (`-m immediate`) and deleted on drop, panics included.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// Password of the `app` role; tests assert it never appears in output.
pub const APP_PASSWORD: &str = "PLANTED-s3cret-pw-7731";

#[derive(Default, Clone)]
pub struct Options {
    /// `log_statement=all` with the application name in every line.
    pub log_statements: bool,
}

/// Also listen on TCP 127.0.0.1 at a free port, where every role
/// authenticates by password (scram-sha-256). See [`Cluster::start_tcp`].
#[derive(Default, Clone)]
pub struct Tcp {
    /// Serve TLS with this certificate and key (copied into the data dir).
    pub tls: Option<ServerCert>,
    /// TCP clients must use TLS (`hostssl` instead of `host` in pg_hba).
    pub requires_tls: bool,
}

/// PEM files of a server certificate (chain) and its private key.
#[derive(Clone)]
pub struct ServerCert {
    pub cert: PathBuf,
    pub key: PathBuf,
}

pub struct Cluster {
    bin: PathBuf,
    dir: tempfile::TempDir,
    running: bool,
    /// Set when listening on TCP; the socket file name carries it too.
    port: Option<u16>,
}

/// A port nobody listens on right now (the kernel's pick for port 0).
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .expect("bind 127.0.0.1:0")
        .port()
}

fn chown_postgres(path: &Path) {
    run_checked(
        Command::new("chown")
            .args(["-R", "postgres:postgres"])
            .arg(path),
        "chown",
    );
}

/// The newest server binaries: `/usr/lib/postgresql/<version>/bin`, else PATH.
fn bin_dir() -> PathBuf {
    let mut found: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| {
            let version = e.file_name().to_str()?.parse::<u32>().ok()?;
            let bin = e.path().join("bin");
            bin.join("initdb").exists().then_some((version, bin))
        })
        .collect();
    found.sort();
    if let Some((_, bin)) = found.pop() {
        return bin;
    }
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .find(|dir| dir.join("initdb").exists())
        .expect("no PostgreSQL server binaries (initdb) in /usr/lib/postgresql/*/bin or PATH")
}

fn run_checked(command: &mut Command, what: &str) -> String {
    let out = command.output().unwrap_or_else(|e| panic!("{what}: {e}"));
    assert!(
        out.status.success(),
        "{what} failed ({}):\n{}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

impl Cluster {
    pub fn start() -> Cluster {
        Self::start_with(Options::default())
    }

    pub fn start_with(options: Options) -> Cluster {
        Self::start_configured(options, None)
    }

    /// A cluster listening on its Unix socket and on TCP 127.0.0.1.
    pub fn start_tcp(tcp: Tcp) -> Cluster {
        Self::start_configured(Options::default(), Some(tcp))
    }

    fn start_configured(options: Options, tcp: Option<Tcp>) -> Cluster {
        let bin = bin_dir();
        // Short path under /tmp: Unix socket paths are limited to ~107 bytes.
        let dir = tempfile::Builder::new()
            .prefix("dc-pg-")
            .tempdir_in("/tmp")
            .expect("temp dir");
        let mut cluster = Cluster {
            bin,
            dir,
            running: false,
            port: tcp.as_ref().map(|_| free_port()),
        };
        std::fs::create_dir(cluster.socket_dir()).unwrap();
        chown_postgres(cluster.dir.path());
        run_checked(
            cluster.as_postgres("initdb").args([
                "-D",
                cluster.data_dir().to_str().unwrap(),
                "-U",
                "postgres",
                "--auth=trust",
                "--encoding=UTF8",
                "--locale=C",
                "--no-sync",
            ]),
            "initdb",
        );
        let mut hba = "local all postgres trust\nlocal all all scram-sha-256\n".to_string();
        let listen = match &tcp {
            Some(tcp) if tcp.requires_tls => {
                hba.push_str("hostssl all all 127.0.0.1/32 scram-sha-256\n");
                "127.0.0.1"
            }
            Some(_) => {
                hba.push_str("host all all 127.0.0.1/32 scram-sha-256\n");
                "127.0.0.1"
            }
            None => "",
        };
        std::fs::write(cluster.data_dir().join("pg_hba.conf"), hba).unwrap();
        let mut conf = format!(
            "\nlisten_addresses = '{listen}'\nunix_socket_directories = '{}'\nfsync = off\nsynchronous_commit = off\nfull_page_writes = off\nmax_connections = 20\nshared_buffers = 16MB\n",
            cluster.socket_dir().display()
        );
        if let Some(port) = cluster.port {
            conf.push_str(&format!("port = {port}\n"));
        }
        if let Some(tls) = tcp.as_ref().and_then(|tcp| tcp.tls.as_ref()) {
            let data = cluster.data_dir();
            std::fs::copy(&tls.cert, data.join("server.crt")).expect("copy server certificate");
            std::fs::copy(&tls.key, data.join("server.key")).expect("copy server key");
            // The server refuses a key others can read.
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(
                data.join("server.key"),
                std::fs::Permissions::from_mode(0o600),
            )
            .unwrap();
            // log_connections: tests read from the log whether a session used TLS.
            conf.push_str(
                "ssl = on\nssl_cert_file = 'server.crt'\nssl_key_file = 'server.key'\nlog_connections = on\n",
            );
        }
        if options.log_statements {
            conf.push_str("log_statement = 'all'\nlog_line_prefix = '%m [%p] app=%a: '\n");
        }
        std::fs::OpenOptions::new()
            .append(true)
            .open(cluster.data_dir().join("postgresql.conf"))
            .unwrap()
            .write_all(conf.as_bytes())
            .unwrap();
        chown_postgres(cluster.dir.path());
        // From here on, drop must stop the server even if starting it "failed".
        cluster.running = true;
        run_checked(
            cluster.as_postgres("pg_ctl").args([
                "-D",
                cluster.data_dir().to_str().unwrap(),
                "-l",
                cluster.log_path().to_str().unwrap(),
                "-w",
                "start",
            ]),
            "pg_ctl start",
        );
        cluster.psql(
            "postgres",
            // Not logged: tests scan the server log for the password.
            &format!(
                "SET log_statement = 'none'; CREATE ROLE app LOGIN PASSWORD '{APP_PASSWORD}';"
            ),
        );
        cluster
    }

    fn as_postgres(&self, program: &str) -> Command {
        let mut command = Command::new("runuser");
        command
            .args(["-u", "postgres", "--"])
            .arg(self.bin.join(program))
            .current_dir(self.dir.path())
            .stdin(Stdio::null());
        command
    }

    pub fn data_dir(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    pub fn socket_dir(&self) -> PathBuf {
        self.dir.path().join("sock")
    }

    pub fn log_path(&self) -> PathBuf {
        self.dir.path().join("server.log")
    }

    /// Everything the server logged so far.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.log_path()).unwrap_or_default()
    }

    /// Run SQL as the superuser with the server's own psql; returns unaligned output.
    pub fn psql(&self, db: &str, sql: &str) -> String {
        let mut child = self
            .as_postgres("psql")
            .args(["-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-h"])
            .arg(self.socket_dir())
            .args(["-p", &self.port.unwrap_or(5432).to_string()])
            .args(["-d", db, "-f", "-"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("psql");
        child
            .stdin
            .take()
            .unwrap()
            .write_all(sql.as_bytes())
            .unwrap();
        let out = child.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "psql on {db} failed:\n{sql}\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// `pg_dump --schema-only` of `db` (the server's own pg_dump, as the
    /// superuser through the Unix socket): owners, grants and comments included.
    pub fn pg_dump_schema(&self, db: &str) -> String {
        run_checked(
            self.as_postgres("pg_dump")
                .args(["--schema-only", "-h"])
                .arg(self.socket_dir())
                .args(["-p", &self.port.unwrap_or(5432).to_string()])
                .args(["-U", "postgres", "-d", db]),
            "pg_dump",
        )
    }

    /// A database owned by `app`.
    pub fn create_database(&self, name: &str) {
        self.psql(
            "postgres",
            &format!("CREATE DATABASE \"{name}\" OWNER app;"),
        );
    }

    /// The TCP port, when the cluster listens on TCP.
    pub fn port(&self) -> Option<u16> {
        self.port
    }

    /// `host=DIR` (and `&port=P` when not the default) for socket URLs.
    pub fn socket_query(&self) -> String {
        let mut query = format!("host={}", self.socket_dir().display());
        if let Some(port) = self.port {
            query.push_str(&format!("&port={port}"));
        }
        query
    }

    /// The superuser, by trust (no password).
    pub fn url(&self, db: &str) -> String {
        format!("postgresql://postgres@/{db}?{}", self.socket_query())
    }

    /// The `app` role with its planted password (scram-sha-256).
    pub fn url_with_password(&self, db: &str) -> String {
        format!(
            "postgresql://app:{APP_PASSWORD}@/{db}?{}",
            self.socket_query()
        )
    }

    /// The `app` role over TCP at `host` (`127.0.0.1` or `localhost`), no parameters.
    #[track_caller]
    pub fn tcp_url_with_password(&self, host: &str, db: &str) -> String {
        let port = self
            .port
            .expect("cluster started without Cluster::start_tcp");
        format!("postgresql://app:{APP_PASSWORD}@{host}:{port}/{db}")
    }

    /// Restart the server (`pg_ctl restart -m fast`, same port): open
    /// sessions are ended (SQLSTATE 57P01); returns once it accepts connections.
    pub fn restart(&self) {
        run_checked(
            self.as_postgres("pg_ctl").args([
                "-D",
                self.data_dir().to_str().unwrap(),
                "-l",
                self.log_path().to_str().unwrap(),
                "-m",
                "fast",
                "-w",
                "restart",
            ]),
            "pg_ctl restart",
        );
    }

    pub fn stop(&mut self) {
        if !self.running {
            return;
        }
        self.running = false;
        let _ = self
            .as_postgres("pg_ctl")
            .args([
                "-D",
                self.data_dir().to_str().unwrap(),
                "-m",
                "immediate",
                "-w",
                "stop",
            ])
            .output();
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        self.stop();
    }
}

/// Statements the server logged for application `driftcheck`, in order
/// (multi-line statements joined, leading SQL comments dropped).
pub fn driftcheck_statements(log: &str) -> Vec<String> {
    let mut statements: Vec<String> = Vec::new();
    let mut current: Option<String> = None;
    for line in log.lines() {
        let is_entry = line.starts_with(|c: char| c.is_ascii_digit()) && line.contains(" app=");
        if is_entry {
            statements.extend(current.take());
            if !line.contains(" app=driftcheck: ") {
                continue;
            }
            let body = line
                .split_once("LOG:  statement: ")
                .map(|(_, s)| s)
                .or_else(|| {
                    line.split_once("LOG:  execute ")
                        .and_then(|(_, s)| s.split_once(": "))
                        .map(|(_, s)| s)
                });
            current = body.map(str::to_string);
        } else if let Some(text) = current.as_mut() {
            text.push('\n');
            text.push_str(line);
        }
    }
    statements.extend(current);
    statements
        .into_iter()
        .map(|s| {
            s.lines()
                .map(str::trim)
                .filter(|l| !l.is_empty() && !l.starts_with("--"))
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect()
}

/// Assert every statement is a read (and the one setting driftcheck changes is transaction-local).
#[track_caller]
pub fn assert_only_reads(statements: &[String]) {
    assert!(!statements.is_empty());
    for statement in statements {
        let upper = statement.to_ascii_uppercase();
        let first = upper.split_whitespace().next().unwrap_or_default();
        let read = match first {
            "SELECT" | "SHOW" | "COMMIT" | "ROLLBACK" => true,
            "BEGIN" => upper.contains("READ ONLY"),
            _ => false,
        };
        assert!(read, "driftcheck sent a non-read statement: {statement}");
        // The one setting driftcheck changes is transaction-local (is_local = true).
        if upper.contains("SET_CONFIG") {
            assert!(
                upper.ends_with(", TRUE)"),
                "session-wide setting: {statement}"
            );
        }
    }
}
