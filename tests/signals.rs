//! SIGINT and SIGTERM at any point of a run (issue 16, item 3): exit 130 /
//! 143, no partial report or incident draft, no temporary file left, and the
//! server session gone. Deterministic while blocked on a database read,
//! sampled over the whole run (writes included), and caught mid-write by
//! stopping the process the moment its temporary file appears.

mod common;

use common::cluster::Cluster;
use common::migrated::{as_app, credentialmate_ini, ris052_database};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const SIGINT: i32 = 2;
const SIGTERM: i32 = 15;

fn kill(child: &Child, signal: &str) {
    let status = Command::new("kill")
        .args([&format!("-{signal}"), &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success(), "kill -{signal}");
}

/// The check with a default report and an incident draft, in `dir`.
fn spawn_check(cluster: &Cluster, db: &str, dir: &Path) -> Child {
    let ini = credentialmate_ini();
    // driftcheck never creates the RIS directory itself.
    std::fs::create_dir_all(dir.join("ris")).unwrap();
    Command::new(env!("CARGO_BIN_EXE_driftcheck"))
        .args(["--skip-production", "--alembic-ini", ini.to_str().unwrap()])
        .args(["--local-url", &cluster.url_with_password(db)])
        .args(["--create-ris", "--ris-dir", "ris", "--format", "json"])
        .current_dir(dir)
        .env_remove("DATABASE_URL")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

/// Every file under `dir`, recursively.
fn all_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(all_files(&path));
        } else {
            out.push(path);
        }
    }
    out
}

/// No temporary file anywhere, and every report or draft whole (a whole one
/// names itself: reports their path, drafts their RIS number).
#[track_caller]
fn assert_no_partial_file(dir: &Path) -> usize {
    let files = all_files(dir);
    for file in &files {
        let name = file.file_name().unwrap().to_str().unwrap();
        assert!(
            !name.ends_with(".tmp"),
            "temporary file left: {}",
            file.display()
        );
        let text = std::fs::read_to_string(file).unwrap();
        let whole = if let Some(number) = name.strip_prefix("ris-") {
            text.contains(&format!("RIS-{}", number.split('-').next().unwrap()))
        } else {
            // A report: whole from its title on.
            text.starts_with("# Schema drift report\n\n> **")
        };
        assert!(
            whole && text.ends_with('\n'),
            "partial file: {}",
            file.display()
        );
    }
    files.len()
}

/// Sessions of application `driftcheck` still open at the server.
fn driftcheck_sessions(cluster: &Cluster) -> usize {
    cluster
        .psql(
            "postgres",
            "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'driftcheck';",
        )
        .trim()
        .parse()
        .unwrap()
}

#[test]
fn a_signal_while_blocked_on_a_database_read_ends_the_run_cleanly() {
    let cluster = Cluster::start();
    ris052_database(&cluster, "locked");
    for (signal, number, code) in [("INT", SIGINT, 130), ("TERM", SIGTERM, 143)] {
        // Another session holds the version table (a migration running).
        let mut holder = Command::new("runuser")
            .args(["-u", "postgres", "--", "sh", "-c"])
            .arg(format!(
                "exec psql -X -q -h {} -d locked -c 'BEGIN' -c 'LOCK TABLE alembic_version IN ACCESS EXCLUSIVE MODE' -c 'SELECT pg_sleep(30)'",
                cluster.socket_dir().display()
            ))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        // Only once the lock is held does driftcheck start (else it may finish first).
        let start = Instant::now();
        while cluster
            .psql(
                "locked",
                "SELECT count(*) FROM pg_locks WHERE relation = 'alembic_version'::regclass AND mode = 'AccessExclusiveLock' AND granted;",
            )
            .trim()
            != "1"
        {
            assert!(start.elapsed() < Duration::from_secs(20), "the lock was never taken");
            std::thread::sleep(Duration::from_millis(50));
        }
        let work = tempfile::tempdir().unwrap();
        let child = spawn_check(&cluster, "locked", work.path());
        // Wait until driftcheck waits for the lock.
        let start = Instant::now();
        while cluster
            .psql(
                "postgres",
                "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'driftcheck' AND wait_event_type = 'Lock';",
            )
            .trim()
            != "1"
        {
            assert!(start.elapsed() < Duration::from_secs(20), "driftcheck never waited");
            std::thread::sleep(Duration::from_millis(50));
        }
        kill(&child, signal);
        let out = child.wait_with_output().unwrap();
        cluster.psql(
            "postgres",
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query LIKE '%pg_sleep(30)%' AND pid <> pg_backend_pid();",
        );
        let _ = holder.wait();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(
            out.status.code(),
            Some(code),
            "SIG{signal} ({number}): {stderr}"
        );
        assert!(
            stderr.contains(&format!("interrupted by SIG{signal}")),
            "{stderr}"
        );
        assert_eq!(assert_no_partial_file(work.path()), 0);
        // The server noticed: the read-only session is gone.
        let start = Instant::now();
        while driftcheck_sessions(&cluster) > 0 {
            assert!(
                start.elapsed() < Duration::from_secs(10),
                "session left open"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

#[test]
fn signals_at_sampled_moments_of_a_whole_run_leave_no_partial_file() {
    let cluster = Cluster::start();
    ris052_database(&cluster, "sampled");
    // How long a whole run takes here.
    let work = tempfile::tempdir().unwrap();
    let start = Instant::now();
    let out = spawn_check(&cluster, "sampled", work.path())
        .wait_with_output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let whole = start.elapsed();
    assert_eq!(assert_no_partial_file(work.path()), 2);

    const RUNS: u32 = 24;
    let (mut interrupted, mut completed) = (0, 0);
    for i in 0..RUNS {
        let (signal, code) = if i % 2 == 0 {
            ("INT", 130)
        } else {
            ("TERM", 143)
        };
        // From at once to past the end, evenly.
        let delay = whole.mul_f64(1.2 * f64::from(i) / f64::from(RUNS));
        let work = tempfile::tempdir().unwrap();
        let child = spawn_check(&cluster, "sampled", work.path());
        std::thread::sleep(delay);
        let _ = Command::new("kill")
            .args([&format!("-{signal}"), &child.id().to_string()])
            .stderr(Stdio::null())
            .status();
        let out = child.wait_with_output().unwrap();
        match out.status.code() {
            Some(1) => completed += 1,
            Some(c) if c == code => interrupted += 1,
            // Killed before the handler was installed: the default action.
            None => interrupted += 1,
            other => panic!(
                "SIG{signal} after {delay:?}: exit {other:?}\n{}",
                String::from_utf8_lossy(&out.stderr)
            ),
        }
        assert_no_partial_file(work.path());
    }
    eprintln!(
        "signals: {RUNS} runs signalled over 0..1.2 x {whole:?}: {interrupted} interrupted, {completed} completed, 0 partial files"
    );
    assert!(interrupted > 0, "no run was interrupted");
}

#[test]
fn a_run_stopped_with_its_temporary_file_open_removes_it_on_sigterm() {
    let cluster = Cluster::start();
    ris052_database(&cluster, "caught");
    // A bigger report, written for longer: many tables only in the database.
    as_app(
        &cluster,
        "caught",
        &(0..300)
            .map(|i| format!("CREATE TABLE extra_{i} (id int PRIMARY KEY, v text);"))
            .collect::<String>(),
    );
    let mut caught = 0;
    let mut attempts = 0;
    while caught < 3 && attempts < 40 {
        attempts += 1;
        let work = tempfile::tempdir().unwrap();
        let child = spawn_check(&cluster, "caught", work.path());
        let mut temp = None;
        while temp.is_none() {
            temp = all_files(work.path())
                .into_iter()
                .find(|p| p.to_str().unwrap().ends_with(".tmp"));
            if temp.is_some() {
                kill(&child, "STOP");
                break;
            }
            if !Path::new(&format!("/proc/{}", child.id())).exists()
                || std::fs::read_to_string(format!("/proc/{}/stat", child.id()))
                    .map(|s| s.contains(") Z "))
                    .unwrap_or(true)
            {
                break;
            }
        }
        let Some(temp) = temp else {
            let _ = child.wait_with_output();
            continue;
        };
        // Stopped: the temp file may have been linked just before; if it is
        // still there, SIGTERM must remove it.
        let present = temp.exists();
        kill(&child, "TERM");
        kill(&child, "CONT");
        let out = child.wait_with_output().unwrap();
        assert!(
            matches!(out.status.code(), Some(143) | Some(1)),
            "exit {:?}: {}",
            out.status.code(),
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(!temp.exists(), "{} left behind", temp.display());
        assert_no_partial_file(work.path());
        if present && out.status.code() == Some(143) {
            caught += 1;
        }
    }
    eprintln!("signals: temporary file caught open {caught} time(s) in {attempts} runs; each removed on SIGTERM");
    if caught == 0 {
        eprintln!("signals: NOTE the write window was never caught on this machine (too fast); the sampled test still ran");
    }
}
