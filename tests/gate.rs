//! `driftcheck gate`: the deploy gate's pass/fail matrix against real
//! PostgreSQL clusters migrated with real Alembic, and its GitHub Actions output.

#[path = "common/alembic.rs"]
mod alembic;
mod common;

use common::cli::{Output, Test};
use common::cluster::Cluster;

use alembic::{upgrade as alembic_upgrade, PROJECT};

fn gate(cluster: &Cluster, db: &str, extra: &[&str]) -> Output {
    Test::new()
        .args(&[
            "gate",
            "--migrations",
            &format!("{PROJECT}/versions"),
            "--local-url",
            &cluster.url(db),
            "--skip-production",
            "--no-report",
        ])
        .args(extra)
        .run()
}

#[test]
fn at_head_passes() {
    let cluster = Cluster::start();
    cluster.create_database("app");
    alembic_upgrade(&cluster, "app", "heads");
    gate(&cluster, "app", &[])
        .status(0)
        .stdout_contains("gate: PASS");
}

#[test]
fn pending_not_applied_fails_unless_allowed() {
    let cluster = Cluster::start();
    cluster.create_database("app");
    alembic_upgrade(&cluster, "app", "20251230_1700");
    gate(&cluster, "app", &[])
        .status(1)
        .stdout_contains("gate: FAIL")
        .stdout_contains("[not_applied]")
        .stdout_contains("--allow-pending");
    let out = gate(&cluster, "app", &["--allow-pending", "--format", "json"]).status(0);
    let json = out.json();
    assert_eq!(json["gate"]["passed"], true, "{json:#}");
    assert_eq!(json["gate"]["allow_pending"], true);
    assert_eq!(json["targets"]["local"]["state"], "behind");
    assert_eq!(
        json["targets"]["local"]["pending"][0]["evidence"],
        "not_applied"
    );
    assert!(out.stderr.contains("gate: PASS"), "{}", out.stderr);
}

#[test]
fn applied_by_hand_fails_even_with_allow_pending() {
    let cluster = Cluster::start();
    cluster.create_database("app");
    alembic_upgrade(&cluster, "app", "20251230_1643");
    // RIS-052: 20251230_1700's columns added by hand, the version table left behind.
    cluster.psql(
        "app",
        "ALTER TABLE users
           ADD COLUMN email_bounced boolean NOT NULL DEFAULT false,
           ADD COLUMN email_complaint boolean NOT NULL DEFAULT false,
           ADD COLUMN email_issue_detected_at timestamp with time zone;",
    );
    let out = gate(&cluster, "app", &["--allow-pending"]).status(1);
    assert!(out.stdout.contains("gate: FAIL"), "{}", out.stdout);
    let blocking = out
        .stdout
        .lines()
        .find(|l| l.contains("blocking: [applied_by_hand]"))
        .unwrap_or_else(|| panic!("no applied_by_hand line:\n{}", out.stdout));
    assert!(blocking.contains("20251230_1700"), "{blocking}");
    assert!(
        blocking.contains("`alembic upgrade` would fail"),
        "{blocking}"
    );
    assert!(
        blocking.contains("alembic stamp 20251230_1700"),
        "{blocking}"
    );
}

#[test]
fn schema_drift_between_local_and_production_fails() {
    let cluster = Cluster::start();
    for db in ["dev", "prod"] {
        cluster.create_database(db);
        alembic_upgrade(&cluster, db, "heads");
    }
    cluster.psql("prod", "ALTER TABLE users ADD COLUMN hotfix text;");
    let out = Test::new()
        .args(&[
            "gate",
            "--allow-pending",
            "--migrations",
            &format!("{PROJECT}/versions"),
            "--local-url",
            &cluster.url("dev"),
            "--prod-url",
            &cluster.url("prod"),
            "--no-report",
        ])
        .run()
        .status(1);
    assert!(
        out.stdout.contains("blocking: [schema_drift]"),
        "{}",
        out.stdout
    );
    assert!(out.stdout.contains("public.users.hotfix"), "{}", out.stdout);
}

/// A database on both heads of the two-heads fixture: at head, yet the codebase is broken.
fn two_heads_database(cluster: &Cluster) {
    cluster.create_database("app");
    cluster.psql(
        "app",
        "CREATE TABLE alembic_version (version_num varchar(32) NOT NULL PRIMARY KEY);
         INSERT INTO alembic_version VALUES ('101'), ('102');",
    );
}

#[test]
fn several_heads_fail() {
    let cluster = Cluster::start();
    two_heads_database(&cluster);
    let out = Test::new()
        .args(&[
            "gate",
            "--allow-pending",
            "--migrations",
            "migrations-fixtures/two_heads",
            "--local-url",
            &cluster.url("app"),
            "--skip-production",
            "--no-report",
        ])
        .run()
        .status(1);
    assert!(
        out.stdout.contains("blocking: [multiple_heads]"),
        "{}",
        out.stdout
    );
    assert!(out.stdout.contains("alembic merge"), "{}", out.stdout);
}

#[test]
fn github_actions_gets_annotations_and_a_step_summary() {
    let cluster = Cluster::start();
    two_heads_database(&cluster);
    let dir = tempfile::tempdir().unwrap();
    let summary = dir.path().join("summary.md");
    std::fs::write(&summary, "previous step\n").unwrap();
    let out = Test::new()
        .args(&[
            "gate",
            "--migrations",
            "migrations-fixtures/two_heads",
            "--local-url",
            &cluster.url("app"),
            "--skip-production",
            "--no-report",
        ])
        .env("GITHUB_ACTIONS", "true")
        .env("GITHUB_STEP_SUMMARY", summary.to_str().unwrap())
        .run()
        .status(1);
    let annotation = out
        .stdout
        .lines()
        .find(|l| l.starts_with("::error file="))
        .unwrap_or_else(|| panic!("no file annotation:\n{}", out.stdout));
    assert!(
        annotation.starts_with(
            "::error file=migrations-fixtures/two_heads/102_right.py,line=14,title=driftcheck multiple_heads::"
        ),
        "{annotation}"
    );
    let text = std::fs::read_to_string(&summary).unwrap();
    assert!(text.starts_with("previous step\n"), "appends:\n{text}");
    assert!(text.contains("## driftcheck gate: ❌ fail"), "{text}");
    assert!(text.contains("## Schema drift report"), "{text}");
    assert!(text.contains("multiple_heads"), "{text}");

    // Outside Actions: neither.
    let plain = Test::new()
        .args(&[
            "gate",
            "--migrations",
            "migrations-fixtures/two_heads",
            "--local-url",
            &cluster.url("app"),
            "--skip-production",
            "--no-report",
        ])
        .env("GITHUB_STEP_SUMMARY", summary.to_str().unwrap())
        .run()
        .status(1);
    assert!(!plain.stdout.contains("::error"), "{}", plain.stdout);
    assert_eq!(std::fs::read_to_string(&summary).unwrap(), text);
}

#[test]
fn unreachable_target_is_exit_3() {
    let mut cluster = Cluster::start();
    cluster.create_database("app");
    let url = cluster.url("app");
    cluster.stop();
    let out = Test::new()
        .args(&[
            "gate",
            "--migrations",
            &format!("{PROJECT}/versions"),
            "--prod-url",
            &url,
            "--no-report",
        ])
        .run()
        .status(3);
    assert!(
        out.stderr.contains("cannot vouch for production"),
        "{}",
        out.stderr
    );
    assert!(
        out.stdout.contains("not verified: production"),
        "{}",
        out.stdout
    );
}

/// The least-privilege role of docs/automation.md (CONNECT, USAGE on the
/// schemas, SELECT on the version table) sees the same schema as the owner:
/// function bodies, views, policies, triggers and sequences of other owners included.
#[test]
fn least_privilege_role_sees_what_the_owner_sees() {
    let cluster = Cluster::start();
    cluster.psql("postgres", "CREATE DATABASE app;"); // owned by postgres, not by `app`
    alembic_upgrade(&cluster, "app", "heads");
    cluster.psql(
        "app",
        "CREATE SCHEMA audit;
         CREATE TABLE audit.log (id bigserial PRIMARY KEY, body text);
         CREATE FUNCTION audit.stamp() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.body := upper(NEW.body); RETURN NEW; END $$;
         CREATE TRIGGER log_stamp BEFORE INSERT ON audit.log FOR EACH ROW EXECUTE FUNCTION audit.stamp();
         CREATE VIEW audit.recent AS SELECT id FROM audit.log WHERE id > 10;
         CREATE MATERIALIZED VIEW audit.counts AS SELECT count(*) AS n FROM audit.log;
         ALTER TABLE audit.log ENABLE ROW LEVEL SECURITY;
         CREATE POLICY mine ON audit.log USING (body IS NOT NULL);
         REVOKE ALL ON DATABASE app FROM PUBLIC;
         GRANT CONNECT ON DATABASE app TO app;
         GRANT USAGE ON SCHEMA audit TO app;
         GRANT SELECT ON public.alembic_version TO app;",
    );
    let out = Test::new()
        .args(&[
            "gate",
            "--migrations",
            &format!("{PROJECT}/versions"),
            "--local-url",
            &cluster.url("app"),
            "--prod-url",
            &cluster.url_with_password("app"),
            "--include-owners",
            "--format",
            "json",
            "--no-report",
        ])
        .run()
        .status(0);
    let json = out.json();
    assert_eq!(
        json["targets"]["production"]["state"], "at_head",
        "{json:#}"
    );
    assert_eq!(json["schema_diff"], serde_json::json!([]), "{json:#}");
    assert_eq!(json["findings"], serde_json::json!([]), "{json:#}");

    // Without USAGE on a schema: a warning that names the grant.
    cluster.psql("app", "REVOKE USAGE ON SCHEMA audit FROM app;");
    let out = Test::new()
        .args(&[
            "--migrations",
            &format!("{PROJECT}/versions"),
            "--local-url",
            &cluster.url_with_password("app"),
            "--skip-production",
            "--no-report",
        ])
        .run()
        .status(0);
    assert!(
        out.stdout.contains("warning [limited_visibility]"),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout
            .contains("GRANT USAGE ON SCHEMA audit TO \"app\""),
        "{}",
        out.stdout
    );

    // Without SELECT on the version table: an error that names the grant, not "uninitialized".
    cluster.psql("app", "REVOKE SELECT ON public.alembic_version FROM app;");
    let out = Test::new()
        .args(&[
            "--migrations",
            &format!("{PROJECT}/versions"),
            "--local-url",
            &cluster.url_with_password("app"),
            "--skip-production",
            "--no-report",
        ])
        .run()
        .status(3);
    assert!(
        out.stderr.contains("role \"app\" may not read it")
            && out.stderr.contains("SELECT ON public.alembic_version"),
        "{}",
        out.stderr
    );
}
