use super::*;
use crate::compare::{Change, Kind};
use crate::evidence::extract_upgrade_effects;
use crate::migrations::Revision;
use std::path::PathBuf;

/// A linear history: each `(id, upgrade body)` on top of the previous one.
fn history(migrations: &[(&str, &str)]) -> History {
    let revisions: Vec<(Revision, crate::evidence::Extraction)> = migrations
        .iter()
        .enumerate()
        .map(|(i, (id, body))| {
            let revision = Revision {
                revision: id.to_string(),
                down_revisions: if i == 0 {
                    Vec::new()
                } else {
                    vec![migrations[i - 1].0.to_string()]
                },
                depends_on: Vec::new(),
                branch_labels: Vec::new(),
                file: PathBuf::from(format!("versions/{id}.py")),
                aliases: Vec::new(),
                create_date: None,
                message: None,
            };
            let source = format!(
                "from alembic import op\nimport sqlalchemy as sa\n\ndef upgrade():\n{}\n",
                body.lines()
                    .map(|l| format!("    {l}"))
                    .collect::<Vec<_>>()
                    .join("\n")
            );
            (revision, extract_upgrade_effects(&source))
        })
        .collect();
    let pairs: Vec<_> = revisions.iter().map(|(r, e)| (r, e)).collect();
    History::build(&pairs, "public")
}

fn side(name: &str, applied: &[&str]) -> Side {
    Side {
        name: name.to_string(),
        applied: Some(applied.iter().map(|s| s.to_string()).collect()),
    }
}

fn entry(
    kind: Kind,
    object: &str,
    local: Option<&str>,
    production: Option<&str>,
) -> SchemaDiffEntry {
    SchemaDiffEntry {
        kind,
        object: object.to_string(),
        change: match (local, production) {
            (Some(_), None) => Change::OnlyLocal,
            (None, Some(_)) => Change::OnlyProduction,
            _ => Change::Differs,
        },
        local: local.map(str::to_string),
        production: production.map(str::to_string),
        environments: None,
        explanation: None,
        severity: None,
    }
}

const BASE: (&str, &str) = (
    "a1",
    "op.create_table('orders', sa.Column('id', sa.Integer(), primary_key=True), sa.Column('status', sa.String(20), nullable=False))",
);

#[test]
fn what_a_migration_pending_on_one_side_would_create_is_pending_there() {
    let history = history(&[
        BASE,
        (
            "b2",
            "op.add_column('orders', sa.Column('note', sa.Text()))",
        ),
    ]);
    let diff = entry(Kind::Column, "public.orders.note", Some("text"), None);
    let why = explain(
        &diff,
        &history,
        &side("local", &["a1", "b2"]),
        &side("production", &["a1"]),
    );
    assert_eq!(why.code, ExplanationCode::Pending);
    assert_eq!(why.side.as_deref(), Some("production"));
    assert_eq!(why.suggestion.as_deref(), Some("alembic upgrade b2"));
    assert_eq!(why.revisions.len(), 1);
    assert_eq!(why.revisions[0].file, "versions/b2.py");
    assert_eq!(why.revisions[0].line, Some(5));
    assert!(why.message.contains("would create"), "{}", why.message);
}

#[test]
fn what_a_pending_migration_drops_is_pending_too() {
    let history = history(&[BASE, ("b2", "op.drop_column('orders', 'status')")]);
    let diff = entry(
        Kind::Column,
        "public.orders.status",
        None,
        Some("character varying(20) not null"),
    );
    let why = explain(
        &diff,
        &history,
        &side("local", &["a1", "b2"]),
        &side("production", &["a1"]),
    );
    assert_eq!(why.code, ExplanationCode::Pending);
    assert_eq!(why.side.as_deref(), Some("production"));
    assert!(why.message.contains("would drop"), "{}", why.message);
}

#[test]
fn an_object_no_migration_creates_was_made_by_hand_on_the_side_that_has_it() {
    let history = history(&[BASE]);
    let diff = entry(
        Kind::Index,
        "public.ix_orders_status",
        None,
        Some("CREATE INDEX …"),
    );
    let why = explain(
        &diff,
        &history,
        &side("local", &["a1"]),
        &side("production", &["a1"]),
    );
    assert_eq!(why.code, ExplanationCode::NotInMigrations);
    assert_eq!(why.side.as_deref(), Some("production"));
    assert!(why.revisions.is_empty());
    assert!(why.suggestion.unwrap().contains("drop it on production"));
}

#[test]
fn an_object_an_applied_migration_creates_and_one_side_lacks_was_dropped_by_hand() {
    let history = history(&[BASE]);
    let diff = entry(
        Kind::Column,
        "public.orders.status",
        Some("character varying(20) not null"),
        None,
    );
    let why = explain(
        &diff,
        &history,
        &side("local", &["a1"]),
        &side("production", &["a1"]),
    );
    assert_eq!(why.code, ExplanationCode::DroppedOutsideMigrations);
    assert_eq!(why.side.as_deref(), Some("production"));
    assert!(
        why.message.contains("`a1` (versions/a1.py:5)"),
        "{}",
        why.message
    );
}

#[test]
fn a_definition_changed_by_hand_names_the_side_that_matches_the_migration() {
    let history = history(&[BASE]);
    let diff = entry(
        Kind::Column,
        "public.orders.status",
        Some("character varying(20) not null"),
        Some("character varying(40) not null"),
    );
    let why = explain(
        &diff,
        &history,
        &side("local", &["a1"]),
        &side("production", &["a1"]),
    );
    assert_eq!(why.code, ExplanationCode::ChangedOutsideMigrations);
    assert_eq!(why.side.as_deref(), Some("production"));
    assert!(
        why.message
            .contains("migration `a1` states character varying(20), which local has"),
        "{}",
        why.message
    );
}

#[test]
fn raw_ddl_in_the_applied_range_makes_it_unverifiable_with_its_place() {
    let history = history(&[
        BASE,
        ("b2", "op.execute('UPDATE orders SET status = 1')"),
        (
            "c3",
            "op.execute('DO $$ BEGIN CREATE INDEX ix_x ON orders (status); END $$')",
        ),
    ]);
    let diff = entry(Kind::Index, "public.ix_x", None, Some("CREATE INDEX …"));
    let why = explain(
        &diff,
        &history,
        &side("local", &["a1", "b2", "c3"]),
        &side("production", &["a1", "b2", "c3"]),
    );
    assert_eq!(why.code, ExplanationCode::Unverifiable);
    assert_eq!(why.revisions.len(), 1, "the UPDATE is data, not schema");
    assert_eq!(why.revisions[0].revision, "c3");
    assert!(why.message.contains("versions/c3.py:5"), "{}", why.message);
    // Raw DDL driftcheck reads is followed like an `op.create_index`.
    let followed = self::history(&[
        BASE,
        ("c3", "op.execute('CREATE INDEX ix_x ON orders (status)')"),
    ]);
    let why = explain(
        &diff,
        &followed,
        &side("local", &["a1", "c3"]),
        &side("production", &["a1", "c3"]),
    );
    assert_eq!(why.code, ExplanationCode::DroppedOutsideMigrations);
}

#[test]
fn a_renamed_table_carries_its_columns() {
    let history = history(&[BASE, ("b2", "op.rename_table('orders', 'purchases')")]);
    let both = ["a1", "b2"];
    let diff = entry(
        Kind::Column,
        "public.purchases.status",
        Some("character varying(20)"),
        None,
    );
    let why = explain(
        &diff,
        &history,
        &side("local", &both),
        &side("production", &both),
    );
    assert_eq!(why.code, ExplanationCode::DroppedOutsideMigrations);
    let old = entry(Kind::Table, "public.orders", None, Some("table"));
    let why = explain(
        &old,
        &history,
        &side("local", &both),
        &side("production", &both),
    );
    assert_eq!(why.code, ExplanationCode::NotInMigrations);
    assert!(why.message.contains("`b2`"), "{}", why.message);
}

#[test]
fn a_dropped_table_ends_its_columns() {
    let history = history(&[BASE, ("b2", "op.drop_table('orders')")]);
    let diff = entry(
        Kind::Column,
        "public.orders.status",
        Some("character varying(20)"),
        None,
    );
    let why = explain(
        &diff,
        &history,
        &side("local", &["a1"]),
        &side("production", &["a1", "b2"]),
    );
    assert_eq!(why.code, ExplanationCode::Pending);
    assert_eq!(why.side.as_deref(), Some("local"));
}

#[test]
fn views_only_raw_sql_creates_are_by_hand_unless_raw_ddl_ran() {
    let clean = history(&[BASE]);
    let view = entry(Kind::View, "public.v", None, Some("SELECT 2"));
    let both = (
        side("local", &["a1", "b2"]),
        side("production", &["a1", "b2"]),
    );
    let why = explain(&view, &clean, &both.0, &both.1);
    assert_eq!(why.code, ExplanationCode::NotInMigrations);
    assert_eq!(why.side.as_deref(), Some("production"));
    let raw = history(&[BASE, ("b2", "op.execute('CREATE VIEW v AS SELECT 2')")]);
    let why = explain(&view, &raw, &both.0, &both.1);
    assert_eq!(why.code, ExplanationCode::DroppedOutsideMigrations);
    assert_eq!(why.side.as_deref(), Some("local"));
    let opaque = history(&[BASE, ("b2", "op.execute(VIEW_SQL)")]);
    let why = explain(&view, &opaque, &both.0, &both.1);
    assert_eq!(why.code, ExplanationCode::Unverifiable);
    assert_eq!(why.revisions[0].revision, "b2");
}

#[test]
fn implicit_kinds_and_unknown_revisions_are_unverifiable() {
    let history = history(&[BASE]);
    let kind = entry(
        Kind::Enum,
        "public.kind",
        Some("enum (a, b)"),
        Some("enum (a)"),
    );
    let why = explain(
        &kind,
        &history,
        &side("local", &["a1"]),
        &side("production", &["a1"]),
    );
    assert_eq!(why.code, ExplanationCode::Unverifiable);
    let unknown = Side {
        name: "production".into(),
        applied: None,
    };
    let column = entry(Kind::Column, "public.orders.note", Some("text"), None);
    let why = explain(&column, &history, &side("local", &["a1"]), &unknown);
    assert_eq!(why.code, ExplanationCode::Unverifiable);
    assert!(why.message.contains("production"), "{}", why.message);
}

#[test]
fn raw_ddl_on_other_tables_does_not_cloud_a_difference() {
    let history = history(&[
        BASE,
        (
            "b2",
            "op.execute(sa.text('ALTER TABLE audit ENABLE ROW LEVEL SECURITY'))",
        ),
    ]);
    let both = ["a1", "b2"];
    let hand = entry(Kind::Column, "public.orders.hotfix", None, Some("text"));
    let why = explain(
        &hand,
        &history,
        &side("local", &both),
        &side("production", &both),
    );
    assert_eq!(
        why.code,
        ExplanationCode::NotInMigrations,
        "{}",
        why.message
    );
    let audit = entry(Kind::Column, "public.audit.hotfix", None, Some("text"));
    let why = explain(
        &audit,
        &history,
        &side("local", &both),
        &side("production", &both),
    );
    assert_eq!(why.code, ExplanationCode::Unverifiable, "{}", why.message);
}

/// What a migration may set without naming it (create_table keyword
/// arguments, comments, the version CREATE EXTENSION installs) is never
/// called changed outside migrations; what only raw SQL makes still is.
#[test]
fn properties_a_migration_may_set_unread_are_unverifiable() {
    let history = history(&[BASE]);
    let both = [side("local", &["a1"]), side("production", &["a1"])];
    let why = |diff: &SchemaDiffEntry| explain(diff, &history, &both[0], &both[1]);
    for diff in [
        entry(
            Kind::StorageParameters,
            "public.orders",
            Some("fillfactor=70"),
            Some("none"),
        ),
        entry(
            Kind::Table,
            "public.orders",
            Some("unlogged table"),
            Some("table"),
        ),
        entry(
            Kind::Table,
            "public.orders",
            Some("table, inherits public.base"),
            Some("table"),
        ),
        entry(
            Kind::Column,
            "public.orders.status",
            Some("character varying(20) not null, comment 'state'"),
            Some("character varying(20) not null"),
        ),
        entry(
            Kind::ExtensionVersion,
            "hstore",
            Some("version 1.7"),
            Some("version 1.8"),
        ),
    ] {
        let found = why(&diff);
        assert_eq!(
            found.code,
            ExplanationCode::Unverifiable,
            "{diff:?}: {found:?}"
        );
        assert!(found.message.contains("by hand"), "{}", found.message);
    }
    // Replica identity and a disabled trigger only raw SQL sets.
    let replica = entry(
        Kind::Table,
        "public.orders",
        Some("table"),
        Some("table, replica identity full"),
    );
    assert_eq!(
        why(&replica).code,
        ExplanationCode::ChangedOutsideMigrations
    );
    // Storage parameters of a table no migration creates: made outside them.
    let unknown = entry(
        Kind::StorageParameters,
        "public.audit",
        Some("fillfactor=70"),
        Some("none"),
    );
    assert_eq!(
        why(&unknown).code,
        ExplanationCode::ChangedOutsideMigrations
    );
    // Types, rules and event triggers follow the rules of views and triggers.
    for (kind, object) in [
        (Kind::CompositeType, "public.address"),
        (Kind::Rule, "public.orders.no_delete"),
        (Kind::EventTrigger, "audit_ddl"),
    ] {
        let alone = entry(kind, object, None, Some("definition"));
        assert_eq!(why(&alone).code, ExplanationCode::NotInMigrations, "{kind}");
    }
}
