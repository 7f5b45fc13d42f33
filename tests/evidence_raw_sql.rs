//! Evidence from raw SQL (issue 13): a throwaway Alembic project whose
//! migrations change the schema with `op.execute` DDL (a table, a column, an
//! index built `CONCURRENTLY` in an autocommit block, an enum label, a view,
//! a function, a check) and backfill with an `UPDATE` from a helper of the
//! same file, applied by real Alembic, then partly reverted by hand and the
//! version stamped back: the evidence must say what real Alembic left.

mod common;

use common::cli::Test;
use common::cluster::Cluster;
use common::migrated::{alembic_with, as_app, shared_cluster, throwaway_project, unique_db};
use serde_json::Value;
use std::path::Path;

const MIGRATIONS: &[(&str, &str)] = &[
    (
        "a1",
        r#"
    op.execute("CREATE TABLE orders (id serial PRIMARY KEY, status varchar(20) NOT NULL)")
    op.execute(sa.text("CREATE TYPE order_state AS ENUM ('new', 'paid')"))"#,
    ),
    (
        "b2",
        r#"
    op.execute("ALTER TABLE orders ADD COLUMN note text")
    _backfill(op.get_bind(), "migrated")
    op.execute("CREATE VIEW open_orders AS SELECT id, status FROM orders WHERE status = 'new'")
    op.execute(
        "CREATE FUNCTION order_count() RETURNS bigint LANGUAGE sql AS 'SELECT count(*) FROM orders'"
    )
    op.execute("CREATE INDEX ix_orders_lower_status ON orders (LOWER(status))")


def _backfill(conn, value):
    conn.execute(sa.text("UPDATE orders SET note = 'migrated' WHERE note IS NULL"))"#,
    ),
    (
        "c3",
        r#"
    with op.get_context().autocommit_block():
        op.execute("CREATE INDEX CONCURRENTLY ix_orders_status ON orders (status)")
        op.execute("ALTER TYPE order_state ADD VALUE 'shipped'")
    op.execute("ALTER TABLE orders ADD CONSTRAINT ck_orders_status CHECK (status <> '')")"#,
    ),
    (
        "d4",
        r#"
    op.execute("CREATE TABLEE broken (id int)")"#,
    ),
];

/// `(revision, evidence, details)` of each pending migration of `local`.
fn pending(ini: &Path, cluster: &Cluster, db: &str) -> Vec<(String, String, Vec<String>)> {
    let json = Test::new()
        .args(&["--skip-production", "--alembic-ini", ini.to_str().unwrap()])
        .args(&["--local-url", &cluster.url_with_password(db)])
        .args(&["--format", "json", "--no-report"])
        .run()
        .json();
    json["targets"]["local"]["pending"]
        .as_array()
        .unwrap_or_else(|| panic!("no pending list: {json:#}"))
        .iter()
        .map(|p| {
            let details = p["details"]
                .as_array()
                .map(|d| {
                    d.iter()
                        .filter_map(Value::as_str)
                        .map(String::from)
                        .collect()
                })
                .unwrap_or_default();
            (
                p["revision"].as_str().unwrap().to_string(),
                p["evidence"].as_str().unwrap().to_string(),
                details,
            )
        })
        .collect()
}

/// A database upgraded by real Alembic to c3 (d4 cannot run), `revert` run by
/// hand, the version stamped back to a1.
fn migrated_then(ini: &Path, cluster: &Cluster, revert: &str) -> String {
    let db = unique_db("rawsql");
    cluster.create_database(&db);
    alembic_with(ini, cluster, &db, &["upgrade", "c3"]);
    if !revert.is_empty() {
        as_app(cluster, &db, revert);
    }
    alembic_with(ini, cluster, &db, &["stamp", "--purge", "a1"]);
    db
}

fn evidence_of(found: &[(String, String, Vec<String>)], revision: &str) -> (String, Vec<String>) {
    let (_, evidence, details) = found
        .iter()
        .find(|(r, _, _)| r == revision)
        .unwrap_or_else(|| panic!("{revision} not pending: {found:?}"));
    (evidence.clone(), details.clone())
}

#[test]
fn raw_sql_migrations_applied_partly_reverted_and_unreadable() {
    let project = throwaway_project(MIGRATIONS);
    let ini = project.path().join("alembic.ini");
    let cluster = shared_cluster();

    // Everything real Alembic ran is still there: applied.
    let db = migrated_then(&ini, &cluster, "");
    let found = pending(&ini, &cluster, &db);
    let (b2, details) = evidence_of(&found, "b2");
    assert_eq!(b2, "applied", "{details:#?}");
    assert!(
        details.contains(&"found: view public.open_orders".to_string())
            && details.contains(&"found: function public.order_count".to_string())
            && details.contains(&"found: index ix_orders_lower_status on orders".to_string())
            && details
                .iter()
                .any(|d| d.starts_with("data change (line 26), not checked: UPDATE orders")),
        "{details:#?}"
    );
    let (c3, details) = evidence_of(&found, "c3");
    assert_eq!(c3, "applied", "{details:#?}");
    assert!(
        details.contains(&"found: label 'shipped' of enum type public.order_state".to_string())
            && details.contains(&"found: check constraint orders.ck_orders_status".to_string()),
        "{details:#?}"
    );

    // The view of b2 dropped by hand, and everything c3 made: b2 is partial,
    // c3 not applied (an enum label cannot be dropped: the type is re-made).
    let db = migrated_then(
        &ini,
        &cluster,
        "DROP VIEW open_orders;
         DROP INDEX ix_orders_status;
         ALTER TABLE orders DROP CONSTRAINT ck_orders_status;
         ALTER TYPE order_state RENAME TO order_state_old;
         CREATE TYPE order_state AS ENUM ('new', 'paid');
         DROP TYPE order_state_old;",
    );
    let found = pending(&ini, &cluster, &db);
    let (b2, details) = evidence_of(&found, "b2");
    assert_eq!(b2, "partial", "{details:#?}");
    assert!(
        details.contains(&"missing: view public.open_orders".to_string())
            && details.contains(&"found: column orders.note (text)".to_string()),
        "{details:#?}"
    );
    let (c3, details) = evidence_of(&found, "c3");
    assert_eq!(c3, "not_applied", "{details:#?}");
    assert!(
        details.contains(&"missing: index ix_orders_status on orders".to_string())
            && details
                .contains(&"missing: label 'shipped' of enum type public.order_state".to_string()),
        "{details:#?}"
    );

    // SQL the parser cannot read: unknown, with the parser's message and line.
    for (_, evidence, details) in found.iter().filter(|(r, _, _)| r == "d4") {
        assert_eq!(evidence, "unknown", "{details:#?}");
        assert!(
            details.iter().any(|d| d.starts_with(
                "unknown (line 16): op.execute(\"CREATE TABLEE broken (id int)\"): SQL not read: sql parser error: "
            )),
            "{details:#?}"
        );
    }
    assert_eq!(found.iter().filter(|(r, _, _)| r == "d4").count(), 1);
}

/// `graph --effects` reads the same project: every migration but d4 is
/// understood, the helper's statements at their own lines.
#[test]
fn graph_effects_shows_the_raw_sql_understood() {
    let project = throwaway_project(MIGRATIONS);
    let ini = project.path().join("alembic.ini");
    let out = Test::new()
        .args(&["graph", "--effects", "--alembic-ini", ini.to_str().unwrap()])
        .run()
        .status(0);
    let text = out.all_output();
    assert!(
        text.contains("3 of 4 migrations (75%) fully understood"),
        "{text}"
    );
    assert!(text.contains("create view open_orders"), "{text}");
    assert!(
        text.contains("add value 'shipped' to enum type order_state"),
        "{text}"
    );
    assert!(text.contains("SQL not read: sql parser error"), "{text}");
}

/// A 1 MB SQL string: `graph` reads no SQL, `graph --effects` parses it
/// once, both well within their deadlines.
#[test]
fn a_megabyte_of_sql_does_not_slow_the_graph() {
    let rows: Vec<String> = (0..40_000).map(|i| format!("({i}, 'name {i}')")).collect();
    let mut sql = format!("INSERT INTO orders (id, status) VALUES {}", rows.join(", "));
    while sql.len() < 1_000_000 {
        sql.push_str(", (0, 'x')");
    }
    let body = format!("\n    op.execute(\"{sql}\")");
    let project = throwaway_project(&[("a1", &body)]);
    let ini = project.path().join("alembic.ini");
    let ini = ini.to_str().unwrap();
    let started = std::time::Instant::now();
    Test::new()
        .args(&["graph", "--alembic-ini", ini])
        .deadline(std::time::Duration::from_secs(10))
        .run()
        .status(0);
    let plain = started.elapsed();
    Test::new()
        .args(&["graph", "--effects", "--alembic-ini", ini])
        .deadline(std::time::Duration::from_secs(30))
        .run()
        .status(0)
        .stdout_contains("data change (no schema evidence needed): INSERT INTO orders")
        .stdout_contains("1 of 1 migrations (100%) fully understood");
    assert!(plain < std::time::Duration::from_secs(5), "{plain:?}");
}
