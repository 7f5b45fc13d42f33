//! The check (`driftcheck --skip-production`) through the real binary, against
//! databases built by real Alembic on a real PostgreSQL cluster: every local
//! state, the RIS-052 incident, its fix, and the input/connection errors.

mod common;

use common::cli::{Output, Test};
use common::cluster::{assert_only_reads, driftcheck_statements, Cluster, Options, APP_PASSWORD};
use common::migrated::{
    alembic, as_app, credentialmate_ini, database_at, ris052_database, shared_cluster, unique_db,
};
use serde_json::Value;
use std::path::Path;

/// `driftcheck --skip-production --format json` on the credentialmate codebase,
/// run in `dir` (where the default report goes); no output may hold the password.
fn check(dir: &Path, url: &str, extra: &[&str]) -> Output {
    let ini = credentialmate_ini();
    let out = Test::new()
        .current_dir(dir)
        .args(&["--skip-production", "--alembic-ini", ini.to_str().unwrap()])
        .args(&["--local-url", url, "--format", "json"])
        .args(extra)
        .run();
    assert_no_password(&out.all_output());
    out
}

#[track_caller]
fn assert_no_password(text: &str) {
    assert!(
        !text.contains(APP_PASSWORD),
        "the planted password leaked:\n{text}"
    );
}

fn strings(value: &Value) -> Vec<String> {
    value
        .as_array()
        .unwrap_or_else(|| panic!("not an array: {value}"))
        .iter()
        .map(|v| v.as_str().unwrap().to_string())
        .collect()
}

/// `(revision, evidence)` of every pending migration of a target.
fn pending(json: &Value, target: &str) -> Vec<(String, String)> {
    json["targets"][target]["pending"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["revision"].as_str().unwrap().to_string(),
                p["evidence"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn files_in(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .map(|d| d.flatten().map(|e| e.path()).collect())
        .unwrap_or_default();
    files.sort();
    files
}

#[test]
fn ris052_is_renamed_with_evidence_and_a_new_report_each_run() {
    let cluster = shared_cluster();
    let db = unique_db("ris052");
    ris052_database(&cluster, &db);
    let work = tempfile::tempdir().unwrap();
    let url = cluster.url_with_password(&db);

    let out = check(work.path(), &url, &[]).status(1);
    assert_no_password(&out.all_output());
    let json = out.json();
    assert_eq!(json["status"], "drift");
    let local = &json["targets"]["local"];
    assert_eq!(local["state"], "renamed", "{local:#}");
    assert_eq!(strings(&local["current"]), ["394c8c3cbf42"]);
    assert_eq!(local["renamed"][0]["stored"], "394c8c3cbf42");
    assert_eq!(local["renamed"][0]["revision"], "20251230_1643");
    assert_eq!(
        pending(&json, "local"),
        [
            ("20251230_1700".to_string(), "applied".to_string()),
            ("20251230_1900".to_string(), "not_applied".to_string())
        ]
    );
    assert!(local["pending"][0]["file"]
        .as_str()
        .unwrap()
        .ends_with("20251230_1700_add_email_issue_flags.py"));
    assert_eq!(json["targets"]["production"]["state"], "skipped");

    // The default report: a new file under drift-reports/, named in the JSON.
    let reports = files_in(&work.path().join("drift-reports"));
    assert_eq!(reports.len(), 1, "{reports:?}");
    let report_path = json["report_path"].as_str().unwrap();
    assert_eq!(work.path().join(report_path), reports[0]);
    let report = std::fs::read_to_string(&reports[0]).unwrap();
    assert_no_password(&report);
    for section in [
        "# Schema drift report",
        "## Summary",
        "## What to do",
        "## Revisions",
        "## Pending migrations: local",
        "## Findings",
        "## Codebase",
        "## Environment",
        "394c8c3cbf42",
        "20251230_1643",
        "alembic stamp 20251230_1700",
    ] {
        assert!(
            report.contains(section),
            "report lacks {section:?}:\n{report}"
        );
    }

    // A second run writes another file and leaves the first untouched.
    check(work.path(), &url, &[]).status(1);
    let reports = files_in(&work.path().join("drift-reports"));
    assert_eq!(reports.len(), 2, "{reports:?}");
    assert_eq!(
        std::fs::read_to_string(work.path().join(report_path)).unwrap(),
        report
    );

    // An explicit --report that exists: exit 2, file unchanged.
    let existing = work.path().join("existing.md");
    std::fs::write(&existing, "keep me").unwrap();
    let out = check(work.path(), &url, &["--report", existing.to_str().unwrap()]).status(2);
    assert!(out.stderr.contains("existing.md"), "{}", out.stderr);
    assert_no_password(&out.all_output());
    assert_eq!(std::fs::read_to_string(&existing).unwrap(), "keep me");
    assert_eq!(files_in(&work.path().join("drift-reports")).len(), 2);
}

/// Run the local findings' suggestions, in order, with real Alembic; returns them.
fn apply_suggestions(cluster: &Cluster, db: &str, json: &Value) -> Vec<String> {
    let commands: Vec<String> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["target"] == "local")
        .filter_map(|f| f["suggestion"].as_str().map(str::to_string))
        .collect();
    for command in &commands {
        let args: Vec<&str> = command.split_whitespace().collect();
        assert_eq!(args[0], "alembic", "not a command: {command}");
        alembic(cluster, db, &args[1..]);
    }
    commands
}

/// Both branches' own changes, present in the real schema.
fn assert_branch_effects_present(cluster: &Cluster, db: &str) {
    let found = cluster.psql(
        db,
        "SELECT (SELECT count(*) FROM information_schema.columns WHERE table_name = 'credentials' AND column_name = 'batch_id'),
                (SELECT count(*) FROM pg_indexes WHERE indexname IN ('ix_credentials_batch_id', 'ix_audit_events_created_at'));",
    );
    assert_eq!(
        found.trim(),
        "1|2",
        "a branch's changes are missing in {db}"
    );
}

/// Behind on a branched history, with one branch applied by hand or not: the
/// suggested commands run by real Alembic reach the head with every branch's
/// changes really present (no branch skipped, none stamped without running).
#[test]
fn suggested_commands_fix_branched_histories() {
    let cluster = shared_cluster();
    let work = tempfile::tempdir().unwrap();
    let by_hand: [(&str, &str); 4] = [
        ("nothing", ""),
        (
            "c3d9_by_hand",
            "ALTER TABLE credentials ADD COLUMN batch_id varchar(36);
             CREATE INDEX ix_credentials_batch_id ON credentials (batch_id);",
        ),
        (
            "d4f0_by_hand",
            "CREATE INDEX ix_audit_events_created_at ON audit_events (created_at);",
        ),
        (
            // Diverged: both branches applied by Alembic, 1700 by hand.
            "diverged_1700_by_hand",
            "ALTER TABLE credentials ADD COLUMN batch_id varchar(36);
             CREATE INDEX ix_credentials_batch_id ON credentials (batch_id);
             CREATE INDEX ix_audit_events_created_at ON audit_events (created_at);
             UPDATE alembic_version SET version_num = 'c3d9e8f7a6b5';
             INSERT INTO alembic_version VALUES ('d4f0a1b2c3e8');
             ALTER TABLE users ADD COLUMN email_bounced boolean NOT NULL DEFAULT false,
               ADD COLUMN email_complaint boolean NOT NULL DEFAULT false,
               ADD COLUMN email_issue_detected_at timestamp with time zone;",
        ),
    ];
    for (name, sql) in by_hand {
        let db = unique_db(name);
        database_at(&cluster, &db, "b7e4f2a9c1d3");
        if !sql.is_empty() {
            as_app(&cluster, &db, sql);
        }
        let url = cluster.url_with_password(&db);
        let json = check(work.path(), &url, &["--no-report"]).status(1).json();
        let commands = apply_suggestions(&cluster, &db, &json);
        let json = check(work.path(), &url, &["--no-report"]).json();
        assert_eq!(
            json["targets"]["local"]["state"], "at_head",
            "{name}: after {commands:?}: {json:#}"
        );
        assert_branch_effects_present(&cluster, &db);
    }
}

/// The suggested commands, run in order with real Alembic, bring the RIS-052
/// database to the head.
#[test]
fn suggested_fix_commands_really_fix_ris052() {
    let cluster = shared_cluster();
    let db = unique_db("fix");
    ris052_database(&cluster, &db);
    let work = tempfile::tempdir().unwrap();
    let url = cluster.url_with_password(&db);

    let json = check(work.path(), &url, &["--no-report"]).status(1).json();
    let commands = apply_suggestions(&cluster, &db, &json);
    assert_eq!(
        commands,
        [
            "alembic stamp --purge 20251230_1643",
            "alembic stamp 20251230_1700",
            "alembic upgrade heads"
        ]
    );
    let out = check(work.path(), &url, &["--no-report"]).status(0);
    let json = out.json();
    assert_eq!(json["status"], "clean");
    assert_eq!(json["targets"]["local"]["state"], "at_head");
    assert_eq!(
        strings(&json["targets"]["local"]["current"]),
        ["20251230_1900"]
    );
    // 1900 really ran: its constraint exists.
    let constraint = cluster.psql(
        &db,
        "SELECT count(*) FROM pg_constraint WHERE conname = 'ck_users_superuser_role';",
    );
    assert_eq!(constraint.trim(), "1");
}

/// Two runs within one second: the second report gets another name, and the
/// JSON must name the file that run wrote.
#[test]
fn report_path_names_the_file_this_run_wrote() {
    let cluster = shared_cluster();
    let db = unique_db("samesecond");
    ris052_database(&cluster, &db);
    let work = tempfile::tempdir().unwrap();
    let url = cluster.url_with_password(&db);
    let mut seen = Vec::new();
    // Three quick runs: at least two fall within the same second.
    for _ in 0..3 {
        let json = check(work.path(), &url, &[]).status(1).json();
        seen.push(json["report_path"].as_str().unwrap().to_string());
    }
    let reports = files_in(&work.path().join("drift-reports"));
    assert_eq!(reports.len(), 3);
    let mut unique = seen.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), 3, "report_path repeated: {seen:?}");
}

#[test]
fn at_head_is_clean_with_exit_0() {
    let cluster = shared_cluster();
    let db = unique_db("head");
    database_at(&cluster, &db, "heads");
    let work = tempfile::tempdir().unwrap();
    let out = check(work.path(), &cluster.url_with_password(&db), &[]).status(0);
    assert_no_password(&out.all_output());
    let json = out.json();
    assert_eq!(json["status"], "clean");
    assert_eq!(json["targets"]["local"]["state"], "at_head");
    assert_eq!(json["targets"]["local"]["pending"], Value::Array(vec![]));
    assert_eq!(strings(&json["codebase"]["heads"]), ["20251230_1900"]);
    let errors: Vec<_> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["severity"] == "error")
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
}

#[test]
fn behind_lists_pending_in_upgrade_order_with_files() {
    let cluster = shared_cluster();
    let db = unique_db("behind");
    database_at(&cluster, &db, "b7e4f2a9c1d3");
    let work = tempfile::tempdir().unwrap();
    let json = check(
        work.path(),
        &cluster.url_with_password(&db),
        &["--no-report"],
    )
    .status(1)
    .json();
    let local = &json["targets"]["local"];
    assert_eq!(local["state"], "behind", "{local:#}");
    assert_eq!(strings(&local["current"]), ["b7e4f2a9c1d3"]);
    let revisions: Vec<String> = pending(&json, "local").into_iter().map(|p| p.0).collect();
    assert_eq!(revisions.len(), 5, "{revisions:?}");
    // The two branches in either order, then the merge and what follows it.
    let mut branches = revisions[..2].to_vec();
    branches.sort();
    assert_eq!(branches, ["c3d9e8f7a6b5", "d4f0a1b2c3e8"]);
    assert_eq!(
        revisions[2..],
        ["20251230_1643", "20251230_1700", "20251230_1900"]
    );
    for item in local["pending"].as_array().unwrap() {
        let file = item["file"].as_str().unwrap();
        assert!(Path::new(file).exists(), "{file}");
        let name = Path::new(file).file_name().unwrap().to_str().unwrap();
        assert!(
            name.contains(item["revision"].as_str().unwrap())
                || (item["revision"] == "20251230_1643" && name.contains("394c8c3cbf42")),
            "{file} for {}",
            item["revision"]
        );
        // The merge changes no schema: its evidence is vacuous.
        let expected = if item["revision"] == "20251230_1643" {
            "applied"
        } else {
            "not_applied"
        };
        assert_eq!(item["evidence"], expected, "{item:#}");
    }
    // Nothing was applied by hand: one command, the upgrade.
    let suggestions: Vec<&str> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|f| f["suggestion"].as_str())
        .collect();
    assert_eq!(suggestions, ["alembic upgrade heads"]);
}

#[test]
fn uninitialized_without_table_and_with_empty_table() {
    let cluster = shared_cluster();
    let work = tempfile::tempdir().unwrap();

    let empty = unique_db("notable");
    cluster.create_database(&empty);
    let json = check(
        work.path(),
        &cluster.url_with_password(&empty),
        &["--no-report"],
    )
    .status(1)
    .json();
    let local = &json["targets"]["local"];
    assert_eq!(local["state"], "uninitialized", "{local:#}");
    assert_eq!(local["current"], Value::Array(vec![]));
    assert_eq!(local["pending"].as_array().unwrap().len(), 7);
    assert!(local["message"]
        .as_str()
        .unwrap()
        .contains("alembic_version"));

    // Stamped table emptied by hand, schema present.
    let emptied = unique_db("emptytable");
    database_at(&cluster, &emptied, "heads");
    as_app(&cluster, &emptied, "DELETE FROM alembic_version;");
    let json = check(
        work.path(),
        &cluster.url_with_password(&emptied),
        &["--no-report"],
    )
    .status(1)
    .json();
    let local = &json["targets"]["local"];
    assert_eq!(local["state"], "uninitialized", "{local:#}");
    assert!(local["message"].as_str().unwrap().contains("empty"));
    let uninitialized = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "uninitialized")
        .unwrap();
    // The schema exists, so upgrading would fail: the evidence says what to
    // stamp, and the generic finding has no command of its own.
    assert!(uninitialized["suggestion"].is_null(), "{uninitialized:#}");
    let suggestions: Vec<&str> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|f| f["suggestion"].as_str())
        .collect();
    assert_eq!(
        suggestions[0], "alembic stamp 20251230_1900",
        "{suggestions:?}"
    );
    // Every migration's schema changes are present; 1900's data UPDATE needs
    // no schema evidence (listed as not checked).
    let evidence = pending(&json, "local");
    assert_eq!(evidence.len(), 7);
    assert!(evidence.iter().all(|(_, e)| e == "applied"), "{evidence:?}");
}

/// A schema created outside Alembic (the version table never written): the
/// suggested commands, run by real Alembic, stamp what is there and run the rest.
#[test]
fn schema_without_version_table_is_fixed_by_the_suggested_commands() {
    let cluster = shared_cluster();
    let db = unique_db("outside");
    database_at(&cluster, &db, "20251230_1700");
    as_app(&cluster, &db, "DROP TABLE alembic_version;");
    let work = tempfile::tempdir().unwrap();
    let url = cluster.url_with_password(&db);
    let json = check(work.path(), &url, &["--no-report"]).status(1).json();
    assert_eq!(json["targets"]["local"]["state"], "uninitialized");
    let commands = apply_suggestions(&cluster, &db, &json);
    assert_eq!(
        commands,
        ["alembic stamp 20251230_1700", "alembic upgrade heads"]
    );
    let json = check(work.path(), &url, &["--no-report"]).status(0).json();
    assert_eq!(json["targets"]["local"]["state"], "at_head");
}

#[test]
fn unknown_revision_names_the_nearest_known_id() {
    let cluster = shared_cluster();
    let db = unique_db("unknown");
    database_at(&cluster, &db, "a1b2c3d4e5f6");
    as_app(
        &cluster,
        &db,
        "UPDATE alembic_version SET version_num = 'a1b2c3';",
    );
    let work = tempfile::tempdir().unwrap();
    let out = check(
        work.path(),
        &cluster.url_with_password(&db),
        &["--no-report"],
    )
    .status(1);
    let json = out.json();
    let local = &json["targets"]["local"];
    assert_eq!(local["state"], "unknown_revision", "{local:#}");
    assert_eq!(local["unknown"][0]["stored"], "a1b2c3");
    assert_eq!(strings(&local["unknown"][0]["nearest"]), ["a1b2c3d4e5f6"]);
    let finding = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "unknown_revision")
        .unwrap();
    assert!(finding["message"]
        .as_str()
        .unwrap()
        .contains("a1b2c3d4e5f6"));
}

#[test]
fn diverged_two_rows_from_real_alembic() {
    let cluster = shared_cluster();
    let db = unique_db("diverged");
    // Real Alembic writes one row per branch head.
    database_at(&cluster, &db, "c3d9e8f7a6b5");
    alembic(&cluster, &db, &["upgrade", "d4f0a1b2c3e8"]);
    let rows = cluster.psql(&db, "SELECT version_num FROM alembic_version ORDER BY 1;");
    assert_eq!(
        rows.lines().collect::<Vec<_>>(),
        ["c3d9e8f7a6b5", "d4f0a1b2c3e8"]
    );

    let work = tempfile::tempdir().unwrap();
    let json = check(
        work.path(),
        &cluster.url_with_password(&db),
        &["--no-report"],
    )
    .status(1)
    .json();
    let local = &json["targets"]["local"];
    assert_eq!(local["state"], "diverged", "{local:#}");
    let mut current = strings(&local["current"]);
    current.sort();
    assert_eq!(current, ["c3d9e8f7a6b5", "d4f0a1b2c3e8"]);
    let revisions: Vec<String> = pending(&json, "local").into_iter().map(|p| p.0).collect();
    assert_eq!(
        revisions,
        ["20251230_1643", "20251230_1700", "20251230_1900"]
    );
}

#[test]
fn partial_evidence_when_one_of_three_columns_exists() {
    let cluster = shared_cluster();
    let db = unique_db("partial");
    database_at(&cluster, &db, "20251230_1643");
    as_app(
        &cluster,
        &db,
        "ALTER TABLE users ADD COLUMN email_bounced boolean NOT NULL DEFAULT false;",
    );
    let work = tempfile::tempdir().unwrap();
    let json = check(
        work.path(),
        &cluster.url_with_password(&db),
        &["--no-report"],
    )
    .status(1)
    .json();
    assert_eq!(json["targets"]["local"]["state"], "behind");
    assert_eq!(
        pending(&json, "local"),
        [
            ("20251230_1700".to_string(), "partial".to_string()),
            ("20251230_1900".to_string(), "not_applied".to_string())
        ]
    );
    let details = json["targets"]["local"]["pending"][0]["details"].to_string();
    assert!(
        details.contains("email_complaint") && details.contains("email_issue_detected_at"),
        "{details}"
    );
    assert!(json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .any(|f| f["code"] == "partially_applied"));
}

#[test]
fn custom_version_table_in_its_own_schema() {
    let cluster = shared_cluster();
    let db = unique_db("custom");
    database_at(&cluster, &db, "heads");
    as_app(
        &cluster,
        &db,
        "CREATE SCHEMA myschema;
         CREATE TABLE myschema.my_versions (version_num varchar(32) NOT NULL PRIMARY KEY);
         INSERT INTO myschema.my_versions SELECT version_num FROM alembic_version;
         DROP TABLE alembic_version;",
    );
    let work = tempfile::tempdir().unwrap();
    let url = cluster.url_with_password(&db);
    let json = check(
        work.path(),
        &url,
        &["--no-report", "--version-table", "myschema.my_versions"],
    )
    .status(0)
    .json();
    let local = &json["targets"]["local"];
    assert_eq!(local["state"], "at_head", "{local:#}");
    assert_eq!(strings(&local["current"]), ["20251230_1900"]);
    // A malformed name is an input error naming the flag once.
    let out = check(work.path(), &url, &["--version-table", "a.b.c"]).status(2);
    assert_eq!(
        out.stderr.matches("--version-table").count(),
        1,
        "{}",
        out.stderr
    );
    // Without the flag the default table is looked for, and is not there.
    let json = check(work.path(), &url, &["--no-report"]).status(1).json();
    assert_eq!(json["targets"]["local"]["state"], "uninitialized");
}

#[test]
fn local_snapshot_file_gives_the_same_diagnosis_as_live() {
    let cluster = shared_cluster();
    let db = unique_db("snapfile");
    ris052_database(&cluster, &db);
    let work = tempfile::tempdir().unwrap();
    let url = cluster.url_with_password(&db);
    let snapshot = work.path().join("local.json");
    let out = Test::new()
        .current_dir(work.path())
        .args(&["snapshot", "--url", &url, "-o", snapshot.to_str().unwrap()])
        .run()
        .status(0);
    assert_no_password(&out.all_output());
    assert_no_password(&std::fs::read_to_string(&snapshot).unwrap());

    let live = check(work.path(), &url, &["--no-report"]).status(1).json();
    let ini = credentialmate_ini();
    let offline = Test::new()
        .current_dir(work.path())
        .args(&["--skip-production", "--alembic-ini", ini.to_str().unwrap()])
        .args(&["--local-snapshot", snapshot.to_str().unwrap()])
        .args(&["--format", "json", "--no-report"])
        .run()
        .status(1)
        .json();
    let comparable = |json: &Value| {
        let mut local = json["targets"]["local"].clone();
        local.as_object_mut().unwrap().remove("database");
        local
    };
    assert_eq!(comparable(&live), comparable(&offline));
    assert_eq!(live["findings"], offline["findings"]);
    assert!(offline["targets"]["local"]["database"]
        .as_str()
        .unwrap()
        .contains("local.json"));
}

#[test]
fn local_url_flag_beats_driftcheck_local_url_beats_database_url() {
    let cluster = shared_cluster();
    let [flag, env, fallback] = ["flag", "env", "fallback"].map(unique_db);
    for db in [&flag, &env, &fallback] {
        cluster.create_database(db);
    }
    let work = tempfile::tempdir().unwrap();
    let ini = credentialmate_ini();
    let base = || {
        Test::new()
            .current_dir(work.path())
            .args(&["--skip-production", "--alembic-ini", ini.to_str().unwrap()])
            .args(&["--format", "json", "--no-report"])
            // In SQLAlchemy form, as the Alembic project itself reads it.
            .env(
                "DATABASE_URL",
                cluster.url_with_password(&fallback).replacen(
                    "postgresql://",
                    "postgresql+psycopg2://",
                    1,
                ),
            )
    };
    let database = |out: Output| {
        assert_no_password(&out.all_output());
        out.json()["targets"]["local"]["database"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let chosen = database(
        base()
            .env("DRIFTCHECK_LOCAL_URL", cluster.url_with_password(&env))
            .args(&["--local-url", &cluster.url_with_password(&flag)])
            .run()
            .status(1),
    );
    assert!(chosen.contains(&format!("\"{flag}\"")), "{chosen}");
    let chosen = database(
        base()
            .env("DRIFTCHECK_LOCAL_URL", cluster.url_with_password(&env))
            .run()
            .status(1),
    );
    assert!(chosen.contains(&format!("\"{env}\"")), "{chosen}");
    let chosen = database(base().run().status(1));
    assert!(chosen.contains(&format!("\"{fallback}\"")), "{chosen}");
}

#[test]
fn connection_and_url_errors() {
    let cluster = shared_cluster();
    let db = unique_db("errors");
    cluster.create_database(&db);
    let work = tempfile::tempdir().unwrap();
    let sock = cluster.socket_dir().display().to_string();
    let wrong = "wrong-PLANTED-pw-4242";

    let failing = |url: &str, code: i32| {
        let out = check(work.path(), url, &[]).status(code);
        let all = out.all_output();
        assert_no_password(&all);
        assert!(!all.contains(wrong), "wrong password leaked:\n{all}");
        assert!(
            !work.path().join("drift-reports").exists(),
            "no report on failure"
        );
        out.stderr
    };

    let stderr = failing(
        &format!("postgresql://app:{APP_PASSWORD}@host:port/{db}"),
        2,
    );
    assert!(stderr.contains("--local-url"), "{stderr}");
    let stderr = failing(&format!("mysql://app:{APP_PASSWORD}@/{db}"), 2);
    assert!(stderr.contains("--local-url"), "{stderr}");

    let stderr = failing(&format!("postgresql://app:{wrong}@/{db}?host={sock}"), 3);
    assert!(
        stderr.contains(&format!("database \"{db}\"")) && stderr.contains("user \"app\""),
        "{stderr}"
    );
    let stderr = failing(&cluster.url_with_password("no_such_db"), 3);
    assert!(stderr.contains("\"no_such_db\""), "{stderr}");
    let missing = format!("{sock}-missing");
    let stderr = failing(
        &format!("postgresql://app:{APP_PASSWORD}@/{db}?host={missing}"),
        3,
    );
    assert!(stderr.contains(&missing), "{stderr}");

    // No local source at all.
    let ini = credentialmate_ini();
    let out = Test::new()
        .current_dir(work.path())
        .args(&["--skip-production", "--alembic-ini", ini.to_str().unwrap()])
        .run()
        .status(2);
    for flag in ["--local-url", "DRIFTCHECK_LOCAL_URL", "DATABASE_URL"] {
        assert!(out.stderr.contains(flag), "{}", out.stderr);
    }
}

/// Contradictory production flags on one command line are a usage error,
/// not a silent skip that exits 0 (a CI job asking for production must not
/// pass without reading it).
#[test]
fn skip_production_conflicts_with_production_flags() {
    let cluster = shared_cluster();
    let db = unique_db("conflict");
    database_at(&cluster, &db, "heads");
    let work = tempfile::tempdir().unwrap();
    let url = cluster.url_with_password(&db);
    for extra in [
        vec!["--require-production"],
        vec!["--prod-url", url.as_str()],
    ] {
        let mut args = vec!["--no-report"];
        args.extend(extra);
        let out = check(work.path(), &url, &args).status(2);
        assert!(out.stderr.contains("--skip-production"), "{}", out.stderr);
    }
}

#[test]
fn plain_output_without_a_terminal_or_with_no_color() {
    let cluster = shared_cluster();
    let db = unique_db("color");
    ris052_database(&cluster, &db);
    let work = tempfile::tempdir().unwrap();
    let ini = credentialmate_ini();
    let url = cluster.url_with_password(&db);
    let text = |no_color: bool| {
        let mut test = Test::new()
            .current_dir(work.path())
            .args(&["--skip-production", "--alembic-ini", ini.to_str().unwrap()])
            .args(&["--local-url", &url, "--no-report"]);
        if no_color {
            test = test.env("NO_COLOR", "1");
        }
        test.run().status(1)
    };
    for no_color in [false, true] {
        let out = text(no_color);
        assert_no_password(&out.all_output());
        assert!(
            !out.all_output().contains('\x1b'),
            "ANSI escape:\n{}",
            out.all_output()
        );
        assert!(out.stdout.contains("DRIFT"), "{}", out.stdout);
        assert!(out.stdout.contains("394c8c3cbf42"), "{}", out.stdout);
    }
}

/// On a terminal (a pty from util-linux `script`) the summary is coloured,
/// unless `NO_COLOR` is set: proof that the plain output above is a choice.
#[test]
fn colour_on_a_terminal_only_without_no_color() {
    let cluster = shared_cluster();
    let db = unique_db("tty");
    ris052_database(&cluster, &db);
    let work = tempfile::tempdir().unwrap();
    let command = format!(
        "'{}' --skip-production --alembic-ini '{}' --local-url '{}' --no-report",
        env!("CARGO_BIN_EXE_driftcheck"),
        credentialmate_ini().display(),
        cluster.url_with_password(&db)
    );
    let on_tty = |no_color: bool| {
        let mut script = std::process::Command::new("script");
        script
            .args(["-qec", &command, "/dev/null"])
            .current_dir(work.path())
            .env_remove("NO_COLOR");
        if no_color {
            script.env("NO_COLOR", "1");
        }
        let out = script
            .output()
            .expect("util-linux `script` is needed to run driftcheck on a pty");
        let text = String::from_utf8_lossy(&out.stdout).into_owned();
        assert_no_password(&text);
        assert!(text.contains("DRIFT"), "{text}");
        text
    };
    assert!(on_tty(false).contains("\x1b["), "no colour on a terminal");
    assert!(!on_tty(true).contains('\x1b'), "colour despite NO_COLOR");
}

/// A full check (local and production, evidence included) only reads, and
/// sends as many statements for 30 tables as for 3.
#[test]
fn full_check_only_reads_and_does_not_scale_statements_with_tables_or_pending() {
    let cluster = Cluster::start_with(Options {
        log_statements: true,
    });
    let tables = |n: usize| {
        (0..n)
            .map(|i| {
                format!(
                    "CREATE TABLE t{i} (id int PRIMARY KEY, v text DEFAULT 'x' CHECK (v <> ''));"
                )
            })
            .collect::<String>()
    };
    for (db, n) in [("small", 3), ("large", 30)] {
        database_at(&cluster, db, "20251230_1643");
        as_app(&cluster, db, &tables(n));
    }
    // Further behind: five pending migrations to assess instead of two.
    database_at(&cluster, "far_behind", "b7e4f2a9c1d3");
    database_at(&cluster, "prod_at_head", "heads");
    let work = tempfile::tempdir().unwrap();
    let ini = credentialmate_ini();
    let run = |db: &str| {
        let before = cluster.log().len();
        let out = Test::new()
            .current_dir(work.path())
            .args(&["--alembic-ini", ini.to_str().unwrap(), "--format", "json"])
            .args(&["--local-url", &cluster.url_with_password(db)])
            .args(&["--prod-url", &cluster.url_with_password("prod_at_head")])
            .run()
            .status(1);
        assert_no_password(&out.all_output());
        let json = out.json();
        assert_eq!(json["targets"]["local"]["state"], "behind");
        assert_eq!(json["targets"]["production"]["state"], "at_head");
        // Both databases were read, pending evidence included.
        assert!(pending(&json, "local").len() >= 2);
        driftcheck_statements(&cluster.log()[before..])
    };
    let small = run("small");
    let large = run("large");
    assert_only_reads(&small);
    assert_only_reads(&large);
    assert_eq!(small.len(), large.len(), "{small:#?}\n{large:#?}");
    // Evidence is judged on the snapshot: no query per pending migration.
    let far = run("far_behind");
    assert_only_reads(&far);
    assert_eq!(small.len(), far.len(), "{small:#?}\n{far:#?}");
    let begins = small.iter().filter(|s| s.starts_with("BEGIN")).count();
    assert_eq!(
        begins, 2,
        "one read-only transaction per database: {small:#?}"
    );
    assert!(
        !cluster.log().contains(APP_PASSWORD),
        "password in the server log"
    );
    for report in files_in(&work.path().join("drift-reports")) {
        assert_no_password(&std::fs::read_to_string(report).unwrap());
    }
}

/// For each migration with schema changes: a database where real Alembic ran
/// it but the version table says its parent. Its evidence must be `applied`;
/// every pending migration Alembic did not run must be `not_applied`.
#[test]
fn evidence_agrees_with_what_real_alembic_ran() {
    let cluster = shared_cluster();
    let work = tempfile::tempdir().unwrap();
    let cases = [
        ("b7e4f2a9c1d3", "a1b2c3d4e5f6"),
        ("c3d9e8f7a6b5", "b7e4f2a9c1d3"),
        ("d4f0a1b2c3e8", "b7e4f2a9c1d3"),
        ("20251230_1700", "20251230_1643"),
    ];
    for (ran, stamped) in cases {
        let db = unique_db("evidence");
        database_at(&cluster, &db, ran);
        alembic(&cluster, &db, &["stamp", "--purge", stamped]);
        let json = check(
            work.path(),
            &cluster.url_with_password(&db),
            &["--no-report"],
        )
        .status(1)
        .json();
        for (revision, evidence) in pending(&json, "local") {
            // The merge has no schema changes: vacuously applied.
            let expected = if revision == ran || revision == "20251230_1643" {
                "applied"
            } else {
                "not_applied"
            };
            assert_eq!(
                evidence, expected,
                "Alembic ran {ran}, stamped {stamped}: evidence of {revision}: {:#}",
                json["targets"]["local"]["pending"]
            );
        }
    }
}

/// A migration holding a lock on the version table: driftcheck gives up after
/// its lock_timeout and says so, instead of blaming the network.
#[test]
fn a_lock_held_by_a_running_migration_is_named() {
    use sqlx::Connection;
    let cluster = shared_cluster();
    let db = unique_db("locked");
    database_at(&cluster, &db, "heads");
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let mut holder = runtime.block_on(async {
        let options = sqlx::postgres::PgConnectOptions::new()
            .socket(cluster.socket_dir())
            .username("postgres")
            .database(&db);
        let mut conn = sqlx::PgConnection::connect_with(&options).await.unwrap();
        sqlx::raw_sql("BEGIN; LOCK TABLE alembic_version IN ACCESS EXCLUSIVE MODE;")
            .execute(&mut conn)
            .await
            .unwrap();
        conn
    });
    let work = tempfile::tempdir().unwrap();
    let out = check(
        work.path(),
        &cluster.url_with_password(&db),
        &["--no-report"],
    )
    .status(3);
    assert!(
        out.stderr.contains("lock") && out.stderr.contains("migration running"),
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains(&format!("\"{db}\"")), "{}", out.stderr);
    runtime.block_on(async {
        sqlx::raw_sql("ROLLBACK")
            .execute(&mut holder)
            .await
            .unwrap();
        holder.close().await.unwrap();
    });
}

/// Migrations exercising the Alembic operations real projects use, one per
/// revision, in a throwaway Alembic project (credentialmate's env.py).
const OPS_MIGRATIONS: &[(&str, &str)] = &[
    (
        "r1",
        r#"
    op.create_table(
        "owners",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("email", sa.String(100), nullable=False),
    )
    op.create_table(
        "items",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("name", sa.String(50), nullable=False),
        sa.Column("price", sa.Numeric(10, 2), nullable=True),
        sa.Column("owner_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
    )"#,
    ),
    (
        "r2",
        r#"
    op.alter_column("items", "name", type_=sa.String(100), existing_type=sa.String(50), existing_nullable=False)
    op.alter_column("items", "price", nullable=False, server_default="0", existing_type=sa.Numeric(10, 2))"#,
    ),
    (
        "r3",
        r#"
    op.create_index("ix_items_name", "items", ["name"], unique=True)
    op.create_foreign_key("fk_items_owner", "items", "owners", ["owner_id"], ["id"], ondelete="SET NULL")"#,
    ),
    (
        "r4",
        r#"
    op.create_unique_constraint("uq_owners_email", "owners", ["email"])
    op.create_check_constraint("ck_items_price", "items", "price >= 0")"#,
    ),
    (
        "r5",
        r#"
    with op.batch_alter_table("items") as batch:
        batch.add_column(sa.Column("sku", sa.String(20), nullable=True))
        batch.create_index("ix_items_sku", ["sku"])"#,
    ),
    (
        "r6",
        r#"
    status = sa.Enum("draft", "live", name="item_status")
    status.create(op.get_bind())
    op.add_column("items", sa.Column("status", status, nullable=False, server_default="draft"))"#,
    ),
    (
        "r7",
        r#"
    op.drop_index("ix_items_sku", table_name="items")
    op.drop_column("items", "sku")
    op.rename_table("owners", "people")"#,
    ),
    (
        "r8",
        r#"
    op.create_table(
        "tags",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=True), primary_key=True),
        sa.Column("label", sa.Text(), nullable=False, unique=True),
        sa.Column("meta", sa.dialects.postgresql.JSONB(), server_default=sa.text("'{}'::jsonb"), nullable=False),
    )
    op.create_index("ix_tags_lower_label", "tags", [sa.text("lower(label)")])"#,
    ),
    (
        // Drops only, of what the previous migration creates.
        "r9",
        r#"
    op.drop_index("ix_tags_lower_label", table_name="tags")"#,
    ),
];

/// The throwaway project of [`OPS_MIGRATIONS`].
fn ops_project() -> tempfile::TempDir {
    common::migrated::throwaway_project(OPS_MIGRATIONS)
}

/// Each operation kind, run by real Alembic but not recorded (version table
/// at the parent): `applied`; not run: `not_applied`.
#[test]
fn evidence_for_each_alembic_operation_kind() {
    let cluster = shared_cluster();
    let project = ops_project();
    let ini = project.path().join("alembic.ini");
    let work = tempfile::tempdir().unwrap();
    let mut failures = Vec::new();
    for (index, (revision, _)) in OPS_MIGRATIONS.iter().enumerate().skip(1) {
        let parent = OPS_MIGRATIONS[index - 1].0;
        let db = unique_db(&format!("ops_{revision}"));
        cluster.create_database(&db);
        common::migrated::alembic_with(&ini, &cluster, &db, &["upgrade", revision]);
        common::migrated::alembic_with(&ini, &cluster, &db, &["stamp", "--purge", parent]);
        let out = Test::new()
            .current_dir(work.path())
            .args(&["--skip-production", "--alembic-ini", ini.to_str().unwrap()])
            .args(&["--local-url", &cluster.url_with_password(&db)])
            .args(&["--format", "json", "--no-report"])
            .run()
            .status(1);
        assert_no_password(&out.all_output());
        let json = out.json();
        for item in json["targets"]["local"]["pending"].as_array().unwrap() {
            // r6's `sa.Enum(...).create(op.get_bind())` is read as its enum type.
            let expected = if item["revision"] == *revision {
                "applied"
            } else if item["revision"] == "r9" && index < 7 {
                // r9 drops what r8 (not applied) creates: its absence proves nothing.
                "unknown"
            } else {
                "not_applied"
            };
            if item["evidence"] != expected {
                failures.push(format!(
                    "ran up to {revision}: {} is {} (expected {expected}): {}",
                    item["revision"], item["evidence"], item["details"]
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
}
