//! Every schema difference explained (issue 12): throwaway Alembic projects
//! migrated by real Alembic on two real clusters (local and production), then
//! changed by hand with SQL; each difference must name the migration that
//! explains it and the side, or say it was made outside migrations.

mod common;

use common::cli::{Output, Test};
use common::cluster::Cluster;
use common::explained::{explanation, explanations, why};
use common::migrated::{alembic_with, as_app, throwaway_project};
use std::collections::BTreeMap;
use std::path::Path;

const MIGRATIONS: &[(&str, &str)] = &[
    (
        "a1",
        r#"
    op.create_table(
        "orders",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("status", sa.String(20), nullable=False),
    )"#,
    ),
    (
        "b2",
        r#"
    op.add_column("orders", sa.Column("note", sa.Text()))"#,
    ),
    (
        "c3",
        r#"
    op.create_index("ix_orders_status", "orders", ["status"])"#,
    ),
];

/// `local` and `production` databases on two clusters, each upgraded by real
/// Alembic to its revision.
fn databases(ini: &Path, local_at: &str, production_at: &str) -> (Cluster, Cluster) {
    let local = Cluster::start();
    let production = Cluster::start();
    for (cluster, revision) in [(&local, local_at), (&production, production_at)] {
        cluster.create_database("app");
        alembic_with(ini, cluster, "app", &["upgrade", revision]);
    }
    (local, production)
}

fn check(ini: &Path, local: &Cluster, production: &Cluster, command: &[&str]) -> Test {
    Test::new()
        .args(command)
        .args(&["--alembic-ini", ini.to_str().unwrap()])
        .args(&["--local-url", &local.url("app")])
        .args(&["--prod-url", &production.url("app")])
        .args(&["--no-report"])
}

#[test]
fn production_two_migrations_behind_is_exactly_its_pending_work() {
    let project = throwaway_project(MIGRATIONS);
    let ini = project.path().join("alembic.ini");
    let (local, production) = databases(&ini, "heads", "a1");

    let json = check(&ini, &local, &production, &["--format", "json"])
        .run()
        .status(1)
        .json();
    assert_eq!(
        explanations(&json),
        BTreeMap::from([
            (
                "public.orders.note".to_string(),
                why("pending", "production")
            ),
            (
                "public.ix_orders_status".to_string(),
                why("pending", "production")
            ),
        ]),
        "{json:#}"
    );
    let note = explanation(&json, "public.orders.note");
    assert_eq!(note["revisions"][0]["revision"], "b2");
    assert!(
        note["revisions"][0]["file"]
            .as_str()
            .unwrap()
            .ends_with("versions/b2_ops.py"),
        "{note:#}"
    );
    assert_eq!(note["suggestion"], "alembic upgrade b2");
    let codes: Vec<&str> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["code"].as_str().unwrap())
        .collect();
    assert!(codes.contains(&"schema_drift_pending"), "{codes:?}");
    assert!(!codes.contains(&"schema_drift"), "{codes:?}");

    // The deploy applies them: the gate passes with --allow-pending only.
    let gate = |extra: &[&str]| {
        let mut command = vec!["gate"];
        command.extend_from_slice(extra);
        check(&ini, &local, &production, &command).run()
    };
    let passed = gate(&["--allow-pending"]).status(0);
    assert!(passed.stdout.contains("gate: PASS"), "{}", passed.stdout);
    let failed: Output = gate(&[]).status(1);
    assert!(
        failed.stdout.contains("blocking: [schema_drift_pending]"),
        "{}",
        failed.stdout
    );

    // The terminal and markdown group them as what `alembic upgrade` fixes.
    let text = check(&ini, &local, &production, &[]).run().status(1).stdout;
    assert!(
        text.contains("fixed by alembic upgrade on production:"),
        "{text}"
    );
    let markdown = check(&ini, &local, &production, &["--format", "markdown"])
        .run()
        .status(1)
        .stdout;
    assert!(
        markdown.contains("### Fixed by `alembic upgrade` on production (2)"),
        "{markdown}"
    );
}

#[test]
fn changes_made_by_hand_are_named_with_their_side() {
    let project = throwaway_project(MIGRATIONS);
    let ini = project.path().join("alembic.ini");
    let (local, production) = databases(&ini, "heads", "heads");
    as_app(
        &production,
        "app",
        "CREATE INDEX ix_hotfix ON orders (note);
         ALTER TABLE orders ALTER COLUMN status TYPE varchar(40);",
    );
    as_app(&local, "app", "ALTER TABLE orders DROP COLUMN note;");

    let json = check(&ini, &local, &production, &["--format", "json"])
        .run()
        .status(1)
        .json();
    assert_eq!(
        explanations(&json),
        BTreeMap::from([
            (
                "public.ix_hotfix".to_string(),
                why("not_in_migrations", "production")
            ),
            (
                "public.orders.status".to_string(),
                why("changed_outside_migrations", "production")
            ),
            (
                "public.orders.note".to_string(),
                why("dropped_outside_migrations", "local")
            ),
        ]),
        "{json:#}"
    );
    let status = explanation(&json, "public.orders.status");
    assert!(
        status["message"]
            .as_str()
            .unwrap()
            .contains("migration `a1` states character varying(20), which local has"),
        "{status:#}"
    );
    let note = explanation(&json, "public.orders.note");
    assert_eq!(note["revisions"][0]["revision"], "b2", "{note:#}");

    // Drift a deploy will not fix: the gate fails even with --allow-pending.
    let gate = check(&ini, &local, &production, &["gate", "--allow-pending"])
        .run()
        .status(1);
    assert!(
        gate.stdout.contains("blocking: [schema_drift]")
            && gate.stdout.contains("3 made outside migrations"),
        "{}",
        gate.stdout
    );
}

#[test]
fn raw_sql_in_the_history_makes_a_difference_unverifiable_naming_its_line() {
    let mut migrations = MIGRATIONS.to_vec();
    migrations.push((
        "d4",
        r#"
    op.execute("UPDATE orders SET status = 'new'")
    op.execute("CREATE INDEX ix_raw ON orders (note)")
    op.execute("ALTER TABLE orders ENABLE ROW LEVEL SECURITY")"#,
    ));
    let project = throwaway_project(&migrations);
    let ini = project.path().join("alembic.ini");
    let (local, production) = databases(&ini, "heads", "heads");
    as_app(
        &production,
        "app",
        "CREATE INDEX ix_hotfix ON orders (note);",
    );

    let json = check(&ini, &local, &production, &["--format", "json"])
        .run()
        .status(1)
        .json();
    assert_eq!(
        explanations(&json),
        BTreeMap::from([("public.ix_hotfix".to_string(), why("unverifiable", "-"))]),
        "{json:#}"
    );
    let hotfix = explanation(&json, "public.ix_hotfix");
    // Only the DDL driftcheck does not follow counts: the UPDATE is data, the
    // CREATE INDEX is read like `op.create_index`.
    assert_eq!(
        hotfix["revisions"].as_array().unwrap().len(),
        1,
        "{hotfix:#}"
    );
    assert_eq!(hotfix["revisions"][0]["revision"], "d4");
    assert_eq!(hotfix["revisions"][0]["line"], 18, "{hotfix:#}");
    assert!(
        hotfix["message"].as_str().unwrap().contains("d4_ops.py:18"),
        "{hotfix:#}"
    );
}

/// RIS-052 with both databases: local renamed, 1700 applied by hand, 1900
/// not applied; production at head. Every difference is 1900's, pending on
/// local; 1700's columns exist on both sides, so they are no difference.
#[test]
fn ris052_with_both_databases_every_difference_is_1900_pending_on_local() {
    use common::migrated::{credentialmate_ini, database_at, ris052_database};
    let local = Cluster::start();
    let production = Cluster::start();
    ris052_database(&local, "credmate");
    database_at(&production, "credmate", "heads");
    let ini = credentialmate_ini();
    let run = |format: &str| {
        Test::new()
            .args(&["--alembic-ini", ini.to_str().unwrap(), "--format", format])
            .args(&["--local-url", &local.url("credmate")])
            .args(&["--prod-url", &production.url("credmate")])
            .args(&["--no-report"])
            .run()
            .status(1)
    };
    let json = run("json").json();
    assert_eq!(json["targets"]["local"]["state"], "renamed");
    let explained = explanations(&json);
    assert!(!explained.is_empty(), "{json:#}");
    for (object, (code, side)) in &explained {
        assert_eq!(
            (code.as_str(), side.as_str()),
            ("pending", "local"),
            "{object}: {json:#}"
        );
        let why = explanation(&json, object);
        assert_eq!(
            why["suggestion"], "alembic upgrade 20251230_1900",
            "{why:#}"
        );
        assert!(
            why["revisions"]
                .as_array()
                .unwrap()
                .iter()
                .all(|r| r["revision"] == "20251230_1900"),
            "{why:#}"
        );
    }
    let markdown = run("markdown").stdout;
    assert!(
        markdown.contains("### Fixed by `alembic upgrade` on local"),
        "{markdown}"
    );
    eprintln!("{markdown}");
}

/// `driftcheck snapshot` of a database Alembic migrated to `revision`: the
/// CI recipe for the expected schema.
fn expected_snapshot(ini: &Path, revision: &str, file: &Path) {
    let ci = Cluster::start();
    ci.create_database("app");
    alembic_with(ini, &ci, "app", &["upgrade", revision]);
    Test::new()
        .args(&[
            "snapshot",
            "--url",
            &ci.url("app"),
            "-o",
            file.to_str().unwrap(),
        ])
        .run()
        .status(0);
}

#[test]
fn the_expected_schema_finds_hand_changes_in_the_only_database() {
    let project = throwaway_project(MIGRATIONS);
    let ini = project.path().join("alembic.ini");
    let work = tempfile::tempdir().unwrap();
    let at_head = work.path().join("expected.json");
    expected_snapshot(&ini, "heads", &at_head);
    let local = Cluster::start();
    local.create_database("app");
    alembic_with(&ini, &local, "app", &["upgrade", "heads"]);
    as_app(&local, "app", "ALTER TABLE orders ADD COLUMN hotfix text;");
    let check_with = |snapshot: &Path| {
        Test::new()
            .args(&["--alembic-ini", ini.to_str().unwrap(), "--format", "json"])
            .args(&["--local-url", &local.url("app"), "--skip-production"])
            .args(&[
                "--expected-snapshot",
                snapshot.to_str().unwrap(),
                "--no-report",
            ])
            .run()
    };

    let json = check_with(&at_head).status(1).json();
    let diff = json["schema_diff"].as_array().unwrap();
    assert_eq!(diff.len(), 1, "{json:#}");
    assert_eq!(diff[0]["object"], "public.orders.hotfix");
    assert_eq!(
        diff[0]["environments"],
        serde_json::json!(["expected", "local"])
    );
    assert_eq!(
        diff[0]["explanation"]["code"], "not_in_migrations",
        "{json:#}"
    );
    assert_eq!(diff[0]["explanation"]["side"], "local", "{json:#}");
    assert!(
        !json["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["code"] == "stale_expected_snapshot"),
        "{json:#}"
    );

    // Taken before the last migration: a warning naming both heads.
    let stale = work.path().join("stale.json");
    expected_snapshot(&ini, "b2", &stale);
    let json = check_with(&stale).status(1).json();
    let warning = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "stale_expected_snapshot")
        .unwrap_or_else(|| panic!("no stale warning: {json:#}"));
    assert_eq!(warning["severity"], "warning");
    let message = warning["message"].as_str().unwrap();
    assert!(
        message.contains("taken at b2") && message.contains("heads c3"),
        "{message}"
    );
    // c3's index is what the old schema lacks: pending on `expected`.
    let index = explanation(&json, "public.ix_orders_status");
    assert_eq!(index["code"], "pending", "{json:#}");

    // From another codebase: exit 2 naming the revision.
    let foreign = work.path().join("foreign.json");
    let text = std::fs::read_to_string(&at_head)
        .unwrap()
        .replace("\"c3\"", "\"zz99\"");
    std::fs::write(&foreign, text).unwrap();
    let out = check_with(&foreign).status(2);
    assert!(
        out.stderr.contains("zz99") && out.stderr.contains("foreign.json"),
        "{}",
        out.stderr
    );
}
