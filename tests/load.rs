//! Many runs at once (issue 16, item 4): 50 concurrent checks against one
//! server with `max_connections = 10` each open at most one session per
//! target, and a run the server turns away says so (exit 3, naming the
//! database and "too many connections"); 20 concurrent runs writing their
//! reports and incident drafts into one directory produce 20 of each, none
//! overwritten.

mod common;

use common::cluster::{Cluster, APP_PASSWORD};
use common::migrated::{credentialmate_ini, ris052_database};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// Set server parameters that need a restart, and restart.
fn restart_with(cluster: &Cluster, settings: &str) {
    cluster.psql("postgres", settings);
    let bin = std::fs::read_dir("/usr/lib/postgresql")
        .unwrap()
        .flatten()
        .map(|e| e.path().join("bin"))
        .filter(|b| b.join("pg_ctl").exists())
        .max()
        .expect("pg_ctl");
    let status = Command::new("runuser")
        .args(["-u", "postgres", "--"])
        .arg(bin.join("pg_ctl"))
        .arg("-D")
        .arg(cluster.data_dir())
        .arg("-l")
        .arg(cluster.log_path())
        .args(["-w", "restart", "-m", "fast"])
        .stdout(Stdio::null())
        .status()
        .unwrap();
    assert!(status.success(), "pg_ctl restart");
}

/// The check of the credentialmate codebase against `db`, not yet waited for.
fn spawn_check(cluster: &Cluster, db: &str, dir: &Path, extra: &[&str]) -> std::process::Child {
    let ini = credentialmate_ini();
    Command::new(env!("CARGO_BIN_EXE_driftcheck"))
        .args(["--skip-production", "--alembic-ini", ini.to_str().unwrap()])
        .args([
            "--local-url",
            &cluster.url_with_password(db),
            "--format",
            "json",
        ])
        .args(extra)
        .current_dir(dir)
        .env_remove("DATABASE_URL")
        .env_remove("PGOPTIONS")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn driftcheck")
}

struct Run {
    db: String,
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

fn wait(db: String, child: std::process::Child) -> Run {
    let out = child.wait_with_output().unwrap();
    Run {
        db,
        code: out.status.code(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

#[test]
fn fifty_concurrent_runs_against_ten_connections_never_crash_and_refusals_say_so() {
    const RUNS: usize = 50;
    let cluster = Cluster::start();
    ris052_database(&cluster, "base");
    for i in 0..RUNS {
        cluster.psql(
            "postgres",
            &format!("CREATE DATABASE load_{i} TEMPLATE base OWNER app;"),
        );
    }
    // 10 in all, 3 of them reserved for superusers: 7 for `app`.
    restart_with(
        &cluster,
        "ALTER SYSTEM SET max_connections = 10; ALTER SYSTEM SET log_connections = on;",
    );
    // Hold 5 of those 7, so that the runs compete for 2.
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let target = driftcheck::database::parse_target(
        &cluster.url_with_password("base"),
        driftcheck::database::Role::Local,
    )
    .unwrap();
    let held: Vec<_> = (0..5)
        .map(|_| {
            runtime
                .block_on(driftcheck::database::connect(
                    &target,
                    &driftcheck::database::Timeouts::default(),
                ))
                .expect("hold a connection")
        })
        .collect();
    let log_start = cluster.log().len();

    let work = tempfile::tempdir().unwrap();
    let children: Vec<(String, std::process::Child)> = (0..RUNS)
        .map(|i| {
            let db = format!("load_{i}");
            let child = spawn_check(&cluster, &db, work.path(), &["--no-report"]);
            (db, child)
        })
        .collect();
    let runs: Vec<Run> = children.into_iter().map(|(db, c)| wait(db, c)).collect();
    drop(held);

    let mut refused = 0;
    for run in &runs {
        assert!(
            !run.stdout.contains(APP_PASSWORD) && !run.stderr.contains(APP_PASSWORD),
            "password leaked"
        );
        assert!(
            !run.stderr.contains("panicked"),
            "{}: {}",
            run.db,
            run.stderr
        );
        match run.code {
            // RIS-052: drift found, diagnosed.
            Some(1) => {
                let json: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
                assert_eq!(json["targets"]["local"]["state"], "renamed", "{}", run.db);
            }
            Some(3) => {
                refused += 1;
                assert!(
                    run.stderr.contains("too many connections")
                        && run.stderr.contains(&format!("database \"{}\"", run.db)),
                    "{}: {}",
                    run.db,
                    run.stderr
                );
            }
            other => panic!("{}: exit {other:?}\n{}", run.db, run.stderr),
        }
    }
    // Sessions per run, from the server's own log (one database per run).
    let log = cluster.log();
    let mut sessions: BTreeMap<String, usize> = BTreeMap::new();
    for line in log[log_start..].lines() {
        if let Some(rest) = line.split_once("connection authorized: user=app database=") {
            let db = rest.1.split_whitespace().next().unwrap().to_string();
            *sessions.entry(db).or_default() += 1;
        }
    }
    for run in &runs {
        // A run refused for the reserved slots is authorized first, then
        // turned away; one refused for lack of any slot never gets that far.
        let n = sessions.get(&run.db).copied().unwrap_or(0);
        assert!(
            n <= 1,
            "{} opened {n} sessions (exit {:?})",
            run.db,
            run.code
        );
        if run.code == Some(1) {
            assert_eq!(n, 1, "{} completed without a logged session", run.db);
        }
    }
    eprintln!(
        "load: {RUNS} concurrent runs, max_connections = 10 (2 free for them): {} completed, {refused} refused with exit 3, 0 crashed",
        RUNS - refused
    );
    assert!(refused < RUNS, "no run got a connection");
}

fn files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|d| d.flatten().map(|e| e.path()).collect())
        .unwrap_or_default();
    files.sort();
    files
}

#[test]
fn twenty_concurrent_runs_write_twenty_reports_and_drafts_into_one_directory() {
    const RUNS: usize = 20;
    let cluster = Cluster::start();
    restart_with(&cluster, "ALTER SYSTEM SET max_connections = 40;");
    ris052_database(&cluster, "incident");
    let work = tempfile::tempdir().unwrap();
    let ris = work.path().join("ris");
    std::fs::create_dir(&ris).unwrap();
    let children: Vec<(String, std::process::Child)> = (0..RUNS)
        .map(|i| {
            let child = spawn_check(
                &cluster,
                "incident",
                work.path(),
                &["--create-ris", "--ris-dir", ris.to_str().unwrap()],
            );
            (format!("run {i}"), child)
        })
        .collect();
    let runs: Vec<Run> = children.into_iter().map(|(n, c)| wait(n, c)).collect();
    for run in &runs {
        assert_eq!(run.code, Some(1), "{}: {}", run.db, run.stderr);
    }

    let reports = files(&work.path().join("drift-reports"));
    assert_eq!(reports.len(), RUNS, "{reports:#?}");
    for report in &reports {
        let name = report.file_name().unwrap().to_str().unwrap();
        assert!(
            name.starts_with("drift-") && name.ends_with(".md"),
            "{name}"
        );
        // Written whole: the title first, the verdict right after it.
        let text = std::fs::read_to_string(report).unwrap();
        assert!(
            text.starts_with("# Schema drift report\n\n> **"),
            "{name} is not a whole report"
        );
    }
    let drafts = files(&ris);
    assert_eq!(drafts.len(), RUNS, "{drafts:#?}");
    let mut numbers: Vec<String> = drafts
        .iter()
        .map(|d| {
            let name = d.file_name().unwrap().to_str().unwrap().to_string();
            assert!(name.starts_with("ris-") && name.ends_with(".md"), "{name}");
            let number = name.split('-').nth(1).unwrap().to_string();
            let text = std::fs::read_to_string(d).unwrap();
            assert!(
                text.contains(&format!("RIS-{number}")),
                "{name} lacks its number"
            );
            number
        })
        .collect();
    numbers.dedup();
    assert_eq!(numbers.len(), RUNS, "draft numbers repeat: {numbers:?}");
    // What each run said it wrote is what is there, and all differ.
    let mut said: Vec<String> = runs
        .iter()
        .flat_map(|r| {
            let json: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
            [json["report_path"].clone(), json["ris_path"].clone()]
        })
        .map(|v| v.as_str().unwrap_or_default().to_string())
        .collect();
    said.sort();
    said.dedup();
    assert_eq!(said.len(), 2 * RUNS, "{said:#?}");
}
