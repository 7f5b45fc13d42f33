//! Faults with real servers: PostgreSQL clusters on 127.0.0.1 behind the
//! loopback proxy of `common/proxy.rs` (cut or stall after N bytes, either
//! direction), a backend ended by `pg_terminate_backend`, a server restarted
//! mid-run, a TLS handshake cut, and a Secrets Manager endpoint (real
//! moto_server) that stalls or refuses.
//!
//! Every case runs the real binary three ways: the fault on the local database
//! (exit 3), on production (a degraded report with its own `reason`), and on
//! production with `--require-production` (exit 3). Each run writes (or not)
//! into a report directory and a RIS directory, and asserts: the documented
//! exit code and reason, a message naming what failed, no partial or
//! temporary file (none at all when the run fails), an elapsed time within
//! its timeouts plus a margin, and the planted password nowhere.

mod common;
#[path = "common/moto.rs"]
mod moto;

use common::cli::{Output, Test};
use common::cluster::{Cluster, ServerCert, Tcp, APP_PASSWORD};
use common::migrated::{credentialmate_ini, ris052_database};
use common::proxy::{Direction, Fault, Proxy};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// Small timeouts for every run (`DRIFTCHECK_*_TIMEOUT`, whole seconds).
const CONNECT: u64 = 2;
const STATEMENT: u64 = 3;
const SECRET: u64 = 2;
/// Secret timeout for the refused endpoint: longer than the SDK's retries.
const REFUSED_SECRET: u64 = 15;
/// The client's extra wait for the server's own cancel (`connect::CLIENT_GRACE`).
const GRACE: u64 = 2;
/// Beyond its timeouts, a run may take this long (start, migrations, writing).
const MARGIN: Duration = Duration::from_secs(4);
const DB: &str = "credmate";

fn secs(s: u64) -> Duration {
    Duration::from_secs(s)
}

/// A TCP cluster holding `credmate` in the RIS-052 state (drift: a run that
/// gets far enough writes a report and a RIS draft), and a snapshot of it
/// that stands in for the local database when production is under test.
struct Fixture {
    cluster: Cluster,
    _dir: tempfile::TempDir,
    local_snapshot: PathBuf,
}

impl Fixture {
    fn new() -> Fixture {
        Self::with(Tcp::default())
    }

    fn with(tcp: Tcp) -> Fixture {
        let cluster = Cluster::start_tcp(tcp);
        ris052_database(&cluster, DB);
        let dir = tempfile::tempdir().unwrap();
        let local_snapshot = dir.path().join("local.json");
        Test::new()
            .args(&["snapshot", "--url", &cluster.url_with_password(DB), "-o"])
            .arg(local_snapshot.to_str().unwrap())
            .run()
            .status(0);
        Fixture {
            cluster,
            _dir: dir,
            local_snapshot,
        }
    }

    fn port(&self) -> u16 {
        self.cluster.port().unwrap()
    }

    /// The `app` role over TCP to `port` (the server's or a proxy's).
    fn url(&self, port: u16, query: &str) -> String {
        format!("postgresql://app:{APP_PASSWORD}@127.0.0.1:{port}/{DB}{query}")
    }

    /// How the target at `port` is named in messages.
    fn named(port: u16) -> String {
        format!(r#"database "{DB}" on 127.0.0.1:{port} as user "app""#)
    }

    /// Local = the live database at `url`, production skipped.
    fn local_args(url: &str) -> Vec<String> {
        vec!["--local-url".into(), url.into(), "--skip-production".into()]
    }

    /// Local = the snapshot, production = the live database at `url`.
    fn production_args(&self, url: &str, require: bool) -> Vec<String> {
        let mut args = vec![
            "--local-snapshot".into(),
            self.local_snapshot.display().to_string(),
            "--prod-url".into(),
            url.into(),
        ];
        if require {
            args.push("--require-production".into());
        }
        args
    }
}

/// One run of `driftcheck --format json --create-ris` in a fresh directory.
struct Run {
    out: Output,
    elapsed: Duration,
    /// Files in `drift-reports/` and `ris/` after the run, with their text.
    reports: Vec<(String, String)>,
    drafts: Vec<(String, String)>,
}

fn files(dir: &Path) -> Vec<(String, String)> {
    let mut found: Vec<(String, String)> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| {
            let text = std::fs::read_to_string(e.path()).unwrap_or_default();
            (e.file_name().to_string_lossy().into_owned(), text)
        })
        .collect();
    found.sort();
    found
}

fn run(args: &[String], env: &[(&str, String)]) -> Run {
    let work = tempfile::tempdir().unwrap();
    std::fs::create_dir(work.path().join("ris")).unwrap();
    let ini = credentialmate_ini();
    let mut test = Test::new()
        .current_dir(work.path())
        .args(&["--alembic-ini", ini.to_str().unwrap()])
        .args(&["--format", "json", "--create-ris", "--ris-dir", "ris"])
        .args(args)
        .env("DRIFTCHECK_CONNECT_TIMEOUT", CONNECT.to_string())
        .env("DRIFTCHECK_STATEMENT_TIMEOUT", STATEMENT.to_string())
        .env("DRIFTCHECK_SECRET_TIMEOUT", SECRET.to_string());
    for (key, value) in env {
        test = test.env(key, value);
    }
    let started = Instant::now();
    let out = test.run();
    let elapsed = started.elapsed();
    let run = Run {
        out,
        elapsed,
        reports: files(&work.path().join("drift-reports")),
        drafts: files(&work.path().join("ris")),
    };
    let everything = format!(
        "{}\n{:?}\n{:?}",
        run.out.all_output(),
        run.reports,
        run.drafts
    );
    assert!(
        !everything.contains(APP_PASSWORD),
        "the planted password leaked:\n{everything}"
    );
    for (name, _) in run.reports.iter().chain(&run.drafts) {
        assert!(
            name.ends_with(".md") && !name.starts_with('.'),
            "a temporary file was left: {name}"
        );
    }
    run
}

impl Run {
    #[track_caller]
    fn within(self, limit: Duration) -> Self {
        assert!(
            self.elapsed < limit,
            "the run took {:?}, limit {limit:?}\n{}",
            self.elapsed,
            self.out.all_output()
        );
        self
    }

    /// Exit 3, stderr naming each of `names`, and no file written at all.
    #[track_caller]
    fn failed(self, names: &[&str]) -> Self {
        let out = self.out.status(3);
        for name in names {
            assert!(
                out.stderr.contains(name),
                "stderr lacks {name:?}:\n{}",
                out.stderr
            );
        }
        assert!(
            !out.stderr.contains("panicked"),
            "driftcheck panicked:\n{}",
            out.stderr
        );
        assert!(
            self.reports.is_empty() && self.drafts.is_empty(),
            "a failed run left files: {:?} {:?}",
            self.reports,
            self.drafts
        );
        Run { out, ..self }
    }

    /// Production unreachable with `reason`, its message naming each of
    /// `names`; the run goes on (exit 1: local has drift) and writes one
    /// whole report and one RIS draft, both saying production was unreachable.
    #[track_caller]
    fn degraded(self, reason: &str, names: &[&str]) -> Self {
        let out = self.out.status(1);
        let json = out.json();
        let production = &json["targets"]["production"];
        assert_eq!(production["state"], "unreachable", "{production:#}");
        assert_eq!(production["reason"], reason, "{production:#}");
        let message = production["message"].as_str().unwrap_or_default();
        for name in names {
            assert!(message.contains(name), "message lacks {name:?}: {message}");
        }
        assert_eq!(self.reports.len(), 1, "{:?}", self.reports);
        assert_eq!(self.drafts.len(), 1, "{:?}", self.drafts);
        let (report_name, report) = &self.reports[0];
        assert!(
            json["report_path"]
                .as_str()
                .is_some_and(|p| p.ends_with(report_name.as_str())),
            "{json:#}"
        );
        assert!(report.contains("unreachable"), "{report}");
        assert!(
            report.trim_end().lines().count() > 10,
            "a short report:\n{report}"
        );
        assert!(
            self.drafts[0].1.starts_with("---\n"),
            "{}",
            self.drafts[0].1
        );
        Run { out, ..self }
    }
}

/// Server→client bytes of a whole `snapshot` run through a pass-through proxy
/// (startup, authentication and every catalog read), and client→server bytes.
fn bytes_of_a_read(fixture: &Fixture) -> (usize, usize) {
    let proxy = Proxy::start(fixture.port(), Fault::Pass);
    let dir = tempfile::tempdir().unwrap();
    Test::new()
        .args(&["snapshot", "--url", &fixture.url(proxy.port(), "")])
        .args(&["-o", dir.path().join("s.json").to_str().unwrap()])
        .run()
        .status(0);
    (
        proxy.bytes(Direction::ToClient),
        proxy.bytes(Direction::ToServer),
    )
}

/// The three runs of a fault the proxy makes: on local, on production, on
/// required production. Each run gets a fresh proxy, whose fault must fire.
fn through_proxy(
    fixture: &Fixture,
    fault: Fault,
    query: &str,
    limit: Duration,
    local_names: &[&str],
    reason: &str,
) {
    let proxy = Proxy::start(fixture.port(), fault);
    let named = Fixture::named(proxy.port());
    let mut names = vec![named.as_str()];
    names.extend(local_names);
    run(&Fixture::local_args(&fixture.url(proxy.port(), query)), &[])
        .within(limit)
        .failed(&names);
    assert!(proxy.faults() > 0, "the fault never fired: {fault:?}");

    let proxy = Proxy::start(fixture.port(), fault);
    let named = Fixture::named(proxy.port());
    let url = fixture.url(proxy.port(), query);
    run(&fixture.production_args(&url, false), &[])
        .within(limit)
        .degraded(reason, &[&named]);
    assert!(proxy.faults() > 0, "the fault never fired: {fault:?}");

    let proxy = Proxy::start(fixture.port(), fault);
    let named = Fixture::named(proxy.port());
    let url = fixture.url(proxy.port(), query);
    run(&fixture.production_args(&url, true), &[])
        .within(limit)
        .failed(&[&named, "--require-production"]);
    assert!(proxy.faults() > 0, "the fault never fired: {fault:?}");
}

#[test]
fn connection_cut_mid_catalog_read() {
    let fixture = Fixture::new();
    let (to_client, to_server) = bytes_of_a_read(&fixture);
    // Startup and authentication take about 1 KB each way: half of the
    // whole read is well inside the catalog queries.
    assert!(
        to_client > 8_192 && to_server > 4_096,
        "{to_client} {to_server}"
    );
    let limit = secs(CONNECT) + MARGIN;
    for (direction, total) in [
        (Direction::ToClient, to_client),
        (Direction::ToServer, to_server),
    ] {
        let fault = Fault::Cut {
            direction,
            after: total / 2,
        };
        through_proxy(
            &fixture,
            fault,
            "?sslmode=disable",
            limit,
            &["was lost while reading"],
            "connection_lost",
        );
    }
}

#[test]
fn stalled_server_hits_the_connect_then_the_statement_timeout() {
    let fixture = Fixture::new();
    let (to_client, _) = bytes_of_a_read(&fixture);
    // Silent from the first byte: the connect timeout.
    let at_connect = Fault::Stall {
        direction: Direction::ToClient,
        after: 0,
    };
    through_proxy(
        &fixture,
        at_connect,
        "?sslmode=disable",
        secs(CONNECT) + MARGIN,
        &[&format!("did not answer within {CONNECT} s")],
        "timeout",
    );
    // Silent in the middle of the catalog reads: the statement timeout
    // (the server's cancel cannot get through, so the client's own bound).
    let mid_read = Fault::Stall {
        direction: Direction::ToClient,
        after: to_client / 2,
    };
    through_proxy(
        &fixture,
        mid_read,
        "?sslmode=disable",
        secs(STATEMENT + GRACE) + MARGIN,
        &[&format!("did not answer within {STATEMENT} s")],
        "timeout",
    );
}

/// A session of the superuser holding `LOCK alembic_version` in an open
/// transaction: driftcheck's read of the version table waits on it, which
/// holds a run at a known point without any sleep.
struct LockHolder {
    // Fields drop in order: the connection (and with it the transaction), then its runtime.
    _conn: sqlx::PgConnection,
    _runtime: tokio::runtime::Runtime,
}

impl LockHolder {
    fn take(cluster: &Cluster) -> LockHolder {
        use sqlx::Connection;
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let conn = runtime.block_on(async {
            let options = sqlx::postgres::PgConnectOptions::new()
                .host(cluster.socket_dir().to_str().unwrap())
                .port(cluster.port().unwrap())
                .username("postgres")
                .database(DB);
            let mut conn = sqlx::PgConnection::connect_with(&options).await.unwrap();
            sqlx::raw_sql("BEGIN; LOCK TABLE alembic_version IN ACCESS EXCLUSIVE MODE")
                .execute(&mut conn)
                .await
                .unwrap();
            conn
        });
        LockHolder {
            _conn: conn,
            _runtime: runtime,
        }
    }
}

/// Statement timeout of held runs: its lock timeout (5 s) leaves the test
/// time to act however loaded the machine is.
const HELD_STATEMENT: u64 = 10;

/// Run driftcheck with `args` while `interrupt` acts on the cluster once
/// driftcheck's session waits on the lock; returns the run.
fn run_interrupted(cluster: &Cluster, args: Vec<String>, interrupt: impl FnOnce(i32)) -> Run {
    let holder = LockHolder::take(cluster);
    let running = std::thread::spawn(move || {
        let statement = ("DRIFTCHECK_STATEMENT_TIMEOUT", HELD_STATEMENT.to_string());
        run(&args, &[statement])
    });
    let started = Instant::now();
    let pid = loop {
        let pid = cluster.psql(
            "postgres",
            "SELECT pid FROM pg_stat_activity WHERE application_name = 'driftcheck' AND wait_event_type = 'Lock'",
        );
        if let Ok(pid) = pid.trim().parse::<i32>() {
            break pid;
        }
        assert!(
            started.elapsed() < secs(HELD_STATEMENT),
            "driftcheck never waited on the lock"
        );
        std::thread::sleep(Duration::from_millis(25));
    };
    interrupt(pid);
    let run = running.join().unwrap();
    drop(holder);
    run
}

#[test]
fn backend_terminated_by_pg_terminate_backend() {
    let fixture = Fixture::new();
    let cluster = &fixture.cluster;
    let terminate = |pid: i32| {
        let done = cluster.psql("postgres", &format!("SELECT pg_terminate_backend({pid})"));
        assert_eq!(done.trim(), "t");
    };
    let url = fixture.url(fixture.port(), "?sslmode=disable");
    let named = Fixture::named(fixture.port());
    let limit = secs(HELD_STATEMENT) + MARGIN;
    let said = "terminating connection due to administrator command";
    run_interrupted(cluster, Fixture::local_args(&url), terminate)
        .within(limit)
        .failed(&[&named, "the version table", said]);
    run_interrupted(cluster, fixture.production_args(&url, false), terminate)
        .within(limit)
        .degraded("connection_lost", &[&named, said]);
    run_interrupted(cluster, fixture.production_args(&url, true), terminate)
        .within(limit)
        .failed(&[&named, said, "--require-production"]);
}

#[test]
fn server_restarted_during_a_run() {
    let fixture = Fixture::new();
    let cluster = &fixture.cluster;
    let restart = |_pid: i32| cluster.restart();
    let url = fixture.url(fixture.port(), "?sslmode=disable");
    let named = Fixture::named(fixture.port());
    // pg_ctl restart waits for the server to be back: a few seconds more.
    let limit = secs(HELD_STATEMENT) + MARGIN + secs(10);
    run_interrupted(cluster, Fixture::local_args(&url), restart)
        .within(limit)
        .failed(&[&named, "was lost while reading", "run again"]);
    run_interrupted(cluster, fixture.production_args(&url, false), restart)
        .within(limit)
        .degraded("connection_lost", &[&named]);
    run_interrupted(cluster, fixture.production_args(&url, true), restart)
        .within(limit)
        .failed(&[&named, "--require-production"]);
    // As the message says: once the server is back, a run reads it.
    let run = run(&fixture.production_args(&url, false), &[]);
    let json = run.out.status(1).json();
    assert_ne!(
        json["targets"]["production"]["state"], "unreachable",
        "{json:#}"
    );
}

/// A self-signed certificate for the server (`sslmode=require` checks none).
fn self_signed(dir: &Path) -> ServerCert {
    let out = std::process::Command::new("openssl")
        .args([
            "req",
            "-x509",
            "-nodes",
            "-days",
            "2",
            "-subj",
            "/CN=localhost",
        ])
        .args(["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1"])
        .args(["-keyout", "server.key", "-out", "server.crt"])
        .current_dir(dir)
        .output()
        .expect("run the openssl CLI");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    ServerCert {
        cert: dir.join("server.crt"),
        key: dir.join("server.key"),
    }
}

#[test]
fn tls_handshake_cut() {
    let certs = tempfile::tempdir().unwrap();
    let fixture = Fixture::with(Tcp {
        tls: Some(self_signed(certs.path())),
        requires_tls: true,
    });
    // Through a pass-through proxy, production (TLS by default) is read.
    let proxy = Proxy::start(fixture.port(), Fault::Pass);
    let url = fixture.url(proxy.port(), "");
    let json = run(&fixture.production_args(&url, false), &[])
        .out
        .status(1)
        .json();
    assert_ne!(
        json["targets"]["production"]["state"], "unreachable",
        "{json:#}"
    );
    // The server accepts TLS with one byte ('S'); cut inside its handshake
    // answer (ServerHello, certificate: about 1 KB).
    let fault = Fault::Cut {
        direction: Direction::ToClient,
        after: 1 + 100,
    };
    through_proxy(
        &fixture,
        fault,
        "?sslmode=require",
        secs(CONNECT) + MARGIN,
        &["unexpected end of file"],
        "server_unreachable",
    );
}

/// AWS settings for a run: dummy keys, a region, no metadata service, and
/// the Secrets Manager endpoint at `port`.
fn aws_env(port: u16) -> Vec<(&'static str, String)> {
    let nowhere = "/nonexistent/driftcheck-tests".to_string();
    vec![
        ("AWS_ENDPOINT_URL", format!("http://127.0.0.1:{port}")),
        ("AWS_ACCESS_KEY_ID", "testing".into()),
        ("AWS_SECRET_ACCESS_KEY", "testing".into()),
        ("AWS_REGION", moto::TEST_REGION.into()),
        ("AWS_EC2_METADATA_DISABLED", "true".into()),
        ("AWS_CONFIG_FILE", nowhere.clone()),
        ("AWS_SHARED_CREDENTIALS_FILE", nowhere),
    ]
}

#[test]
fn secrets_manager_endpoint_stalling_or_refusing() {
    let fixture = Fixture::new();
    let moto = moto::MotoServer::start();
    let id = "credmate/prod/db-credentials";
    let secret = fixture.url(fixture.port(), "?sslmode=disable");
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(
            moto.secrets_client(moto::TEST_REGION)
                .create_secret()
                .name(id)
                .secret_string(&secret)
                .send(),
        )
        .expect("create the secret in moto");
    let args = |require: bool| {
        let mut args = vec![
            "--local-snapshot".to_string(),
            fixture.local_snapshot.display().to_string(),
            "--prod-secret-id".to_string(),
            id.to_string(),
        ];
        if require {
            args.push("--require-production".into());
        }
        args
    };

    // Through a pass-through proxy the secret is read, then production.
    let proxy = Proxy::start(moto.port, Fault::Pass);
    let json = run(&args(false), &aws_env(proxy.port()))
        .out
        .status(1)
        .json();
    assert_ne!(
        json["targets"]["production"]["state"], "unreachable",
        "{json:#}"
    );

    // An endpoint that accepts and never answers: the secret timeout.
    let stall = Fault::Stall {
        direction: Direction::ToClient,
        after: 0,
    };
    let limit = secs(SECRET) + MARGIN;
    let timed_out = format!("secret `{id}` timed out after {SECRET} s");
    for require in [false, true] {
        let proxy = Proxy::start(moto.port, stall);
        let run = run(&args(require), &aws_env(proxy.port())).within(limit);
        if require {
            run.failed(&[&timed_out, "--require-production"]);
        } else {
            run.degraded("timeout", &[&timed_out]);
        }
        assert!(
            proxy.connections() > 0,
            "the request never reached the endpoint"
        );
    }

    // An endpoint nobody listens on: its own reason, a clean message naming it.
    // The SDK retries a refused connection (3 attempts, up to 3 s of jittered
    // backoff), so this case gets a secret timeout long enough for the retries
    // to give up first: otherwise the run ends as `timeout`, by chance.
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let endpoint = format!("http://127.0.0.1:{closed}");
    let refused = [
        format!("cannot reach AWS Secrets Manager at {endpoint} to read secret `{id}`"),
        "Connection refused".to_string(),
    ];
    let refused: Vec<&str> = refused.iter().map(String::as_str).collect();
    for require in [false, true] {
        let mut env = aws_env(closed);
        env.push(("DRIFTCHECK_SECRET_TIMEOUT", REFUSED_SECRET.to_string()));
        let run = run(&args(require), &env).within(secs(REFUSED_SECRET) + MARGIN);
        let text = run.out.all_output();
        assert!(!text.contains("DispatchFailure"), "{text}");
        if require {
            run.failed(&refused);
        } else {
            run.degraded("secrets_unreachable", &refused);
        }
    }
}
