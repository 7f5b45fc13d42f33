use super::*;
use crate::evidence::{assess_file, extract_upgrade_effects};
use crate::schema::{Constraint, Index, Snapshot, Table};
use std::path::PathBuf;

fn table(schema: &str, name: &str) -> Table {
    Table {
        schema: schema.into(),
        name: name.into(),
        kind: "table".into(),
        ..Table::default()
    }
}

fn column(
    table: &str,
    name: &str,
    data_type: &str,
    nullable: bool,
    default: Option<&str>,
) -> Column {
    Column {
        schema: "public".into(),
        table: table.into(),
        name: name.into(),
        position: 0,
        data_type: data_type.into(),
        nullable,
        default: default.map(Into::into),
        ..Column::default()
    }
}

fn constraint(
    table: &str,
    name: &str,
    kind: &str,
    columns: &[&str],
    definition: &str,
) -> Constraint {
    Constraint {
        schema: "public".into(),
        table: table.into(),
        name: name.into(),
        kind: kind.into(),
        definition: definition.into(),
        columns: columns.iter().map(|&c| c.into()).collect(),
        references: None,
    }
}

/// `users` as it was before RIS-052's pending migrations.
fn users_base() -> Snapshot {
    Snapshot {
        format: 1,
        tables: vec![table("public", "users"), table("public", "organizations")],
        columns: vec![
            column("users", "id", "integer", false, None),
            column("users", "email", "character varying(255)", false, None),
            column("users", "role", "character varying(50)", false, Some("'user'::character varying")),
            column("users", "is_superuser", "boolean", false, Some("false")),
            column("organizations", "id", "integer", false, None),
        ],
        constraints: vec![
            constraint("users", "users_pkey", "primary_key", &["id"], "PRIMARY KEY (id)"),
            constraint("users", "uq_users_email", "unique", &["email"], "UNIQUE (email)"),
            constraint(
                "users",
                "ck_users_role",
                "check",
                &["role"],
                "CHECK (((role)::text = ANY ((ARRAY['user'::character varying, 'admin'::character varying, 'superuser'::character varying])::text[])))",
            ),
        ],
        indexes: vec![Index {
            schema: "public".into(),
            table: "users".into(),
            name: "ix_users_role".into(),
            definition: "CREATE INDEX ix_users_role ON public.users USING btree (role)".into(),
            unique: false,
            primary: false,
            constraint: None,
            columns: vec!["role".into()],
        }],
        ..Snapshot::default()
    }
}

/// The RIS-052 local database: the 1700 columns added by hand, 1900 never run.
fn ris052_local() -> Snapshot {
    let mut snapshot = users_base();
    snapshot.columns.extend([
        column("users", "email_bounced", "boolean", false, Some("false")),
        column("users", "email_complaint", "boolean", false, Some("false")),
        column(
            "users",
            "email_issue_detected_at",
            "timestamp with time zone",
            true,
            None,
        ),
    ]);
    snapshot
}

fn run(body: &str, snapshot: &Snapshot) -> Assessment {
    let source = format!(
        "from alembic import op\nimport sqlalchemy as sa\n\ndef upgrade():\n{}\n\ndef downgrade():\n    op.drop_table('users')\n",
        body.lines()
            .map(|l| format!("    {l}"))
            .collect::<Vec<_>>()
            .join("\n")
    );
    assess(&extract_upgrade_effects(&source), snapshot, "public")
}

fn statuses(a: &Assessment) -> Vec<CheckStatus> {
    a.checks.iter().map(|c| c.status).collect()
}

const MIGRATION_1700: &str = r#""""add email issue flags to users

Revision ID: 20251230_1700
Revises: 20251230_1643
"""
from alembic import op
import sqlalchemy as sa

revision = "20251230_1700"
down_revision = "20251230_1643"


def upgrade() -> None:
    op.add_column("users", sa.Column("email_bounced", sa.Boolean(), server_default=sa.false(), nullable=False))
    op.add_column("users", sa.Column("email_complaint", sa.Boolean(), server_default=sa.false(), nullable=False))
    op.add_column("users", sa.Column("email_issue_detected_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    op.drop_column("users", "email_issue_detected_at")
    op.drop_column("users", "email_complaint")
    op.drop_column("users", "email_bounced")
"#;

const MIGRATION_1900: &str = r#""""sync superuser role constraint

Revision ID: 20251230_1900
Revises: 20251230_1700
"""
from alembic import op
import sqlalchemy as sa

revision = "20251230_1900"
down_revision = "20251230_1700"


def upgrade() -> None:
    op.execute("UPDATE users SET role = 'superuser' WHERE is_superuser AND role <> 'superuser'")
    op.drop_constraint("ck_users_role", "users", type_="check")
    op.create_check_constraint("ck_users_role", "users", "role IN ('user', 'admin', 'superuser')")
    op.create_check_constraint("ck_users_superuser_role", "users", "NOT is_superuser OR role = 'superuser'")


def downgrade() -> None:
    op.drop_constraint("ck_users_superuser_role", "users", type_="check")
"#;

/// The fixture file `<prefix>_*.py` when the branch has it.
fn fixture(prefix: &str) -> Option<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("migrations-fixtures/credentialmate/versions");
    let mut found: Vec<PathBuf> = std::fs::read_dir(dir)
        .ok()?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with(prefix) && n.ends_with(".py"))
        })
        .collect();
    found.sort();
    found.into_iter().next()
}

fn assess_migration(prefix: &str, inline: &str, snapshot: &Snapshot) -> Assessment {
    match fixture(prefix) {
        Some(path) => assess_file(&path, snapshot, "public").expect("fixture is readable"),
        None => assess(&extract_upgrade_effects(inline), snapshot, "public"),
    }
}

#[test]
fn ris052_1700_applied_by_hand_and_1900_not_applied() {
    let local = ris052_local();
    let a1700 = assess_migration("20251230_1700_", MIGRATION_1700, &local);
    assert_eq!(a1700.evidence, Evidence::Applied, "{a1700:#?}");
    assert_eq!(a1700.checks.len(), 3);
    assert_eq!(
        a1700.checks[0].description,
        "add column users.email_bounced boolean NOT NULL DEFAULT false"
    );
    assert_eq!(
        a1700.checks[0].detail,
        "column exists: boolean, not null, default false"
    );
    assert!(a1700.details.contains(
        &"found: column users.email_bounced (boolean not null default false)".to_string()
    ));
    assert!(a1700.details.contains(
        &"found: column users.email_issue_detected_at (timestamp with time zone)".to_string()
    ));

    let a1900 = assess_migration("20251230_1900_", MIGRATION_1900, &local);
    assert_eq!(a1900.evidence, Evidence::NotApplied, "{a1900:#?}");
    assert!(
        a1900
            .details
            .contains(&"missing: check constraint users.ck_users_superuser_role".to_string()),
        "{:?}",
        a1900.details
    );
    // The raw UPDATE is reported as a data change, which does not count.
    assert!(a1900.checks.iter().any(|c| !c.counts
        && c.description
            .starts_with("data change (no schema evidence needed): UPDATE users")));
    assert!(
        a1900.details[0].starts_with("data change (line ")
            && a1900.details[0].ends_with("), not checked: UPDATE users SET role = 'superuser' WHERE is_superuser AND role <> 'superuser'"),
        "{:?}",
        a1900.details
    );

    // Before the hand-applied change, 1700 is not applied either.
    let before = assess_migration("20251230_1700_", MIGRATION_1700, &users_base());
    assert_eq!(before.evidence, Evidence::NotApplied);
    assert!(before
        .details
        .contains(&"missing: column users.email_bounced".to_string()));
}

#[test]
fn ris052_1900_fully_applied_is_applied_with_its_data_change_listed() {
    let mut local = ris052_local();
    local.constraints.push(constraint(
        "users",
        "ck_users_superuser_role",
        "check",
        &["is_superuser", "role"],
        "CHECK ((NOT is_superuser) OR ((role)::text = 'superuser'::text))",
    ));
    let a = assess(&extract_upgrade_effects(MIGRATION_1900), &local, "public");
    // The backfill needs no schema evidence: the schema changes decide.
    assert_eq!(a.evidence, Evidence::Applied, "{a:#?}");
    assert!(a.details[0].starts_with("data change (line 14)"), "{a:#?}");
    // Raw SQL the parser cannot read keeps it unknown, with the parser's message.
    let unreadable = MIGRATION_1900.replace("UPDATE users SET", "UPDATE users SETT");
    let a = assess(&extract_upgrade_effects(&unreadable), &local, "public");
    assert_eq!(a.evidence, Evidence::Unknown, "{a:#?}");
    assert!(
        a.details[0].starts_with("unknown (line 14): op.execute(\"UPDATE users SETT")
            && a.details[0].contains(": SQL not read: sql parser error: Expected"),
        "{:?}",
        a.details
    );
    // The same effects without the raw UPDATE are plainly applied.
    let without_sql = MIGRATION_1900.replace(
        "op.execute(\"UPDATE users SET role = 'superuser' WHERE is_superuser AND role <> 'superuser'\")",
        "pass",
    );
    let a = assess(&extract_upgrade_effects(&without_sql), &local, "public");
    assert_eq!(a.evidence, Evidence::Applied, "{a:#?}");
}

#[test]
fn recreated_constraint_is_not_evidence() {
    // Drop + re-create of ck_users_role: the constraint exists whether or not
    // the upgrade ran, so it must not make the verdict partial.
    let a = run(
        "op.drop_constraint('ck_users_role', 'users', type_='check')\nop.create_check_constraint('ck_users_role', 'users', \"role IN ('user', 'admin', 'superuser')\")\nop.add_column('users', sa.Column('x', sa.Integer()))",
        &users_base(),
    );
    assert_eq!(a.checks[0].superseded_by, Some(6));
    assert!(!a.checks[0].counts);
    assert_eq!(a.checks[1].status, CheckStatus::Present);
    assert!(!a.checks[1].counts);
    assert_eq!(a.checks[2].status, CheckStatus::Absent);
    assert_eq!(a.evidence, Evidence::NotApplied);
    // Found with another condition: the old version, not yet replaced.
    let a = run(
        "op.drop_constraint('ck_users_role', 'users', type_='check')\nop.create_check_constraint('ck_users_role', 'users', 'role <> 1')",
        &users_base(),
    );
    assert_eq!(a.checks[1].status, CheckStatus::Absent, "{a:#?}");
    assert!(a.checks[1].counts);
}

#[test]
fn empty_upgrade_is_applied_with_no_schema_changes() {
    let a = run("pass", &users_base());
    assert_eq!(a.evidence, Evidence::Applied);
    assert_eq!(a.details, vec!["no schema changes".to_string()]);
    let a = run("\"\"\"merge heads\"\"\"", &Snapshot::default());
    assert_eq!(a.evidence, Evidence::Applied);
}

#[test]
fn missing_upgrade_and_syntax_errors_are_unknown() {
    let a = assess(
        &extract_upgrade_effects("revision = 'x'\n"),
        &users_base(),
        "public",
    );
    assert_eq!(a.evidence, Evidence::Unknown);
    assert_eq!(a.details, vec!["no upgrade() function found".to_string()]);
    let a = assess(
        &extract_upgrade_effects("def upgrade(:\n    op.drop_table('users')\n"),
        &users_base(),
        "public",
    );
    assert_eq!(a.evidence, Evidence::Unknown);
    assert!(
        a.details[0].starts_with("syntax error at line 1"),
        "{:?}",
        a.details
    );
}

#[test]
fn verdicts() {
    let snapshot = ris052_local();
    let partial = run(
        "op.add_column('users', sa.Column('email_bounced', sa.Boolean(), nullable=False))\nop.add_column('users', sa.Column('nope', sa.Text()))",
        &snapshot,
    );
    assert_eq!(partial.evidence, Evidence::Partial);
    assert_eq!(
        statuses(&partial),
        vec![CheckStatus::Present, CheckStatus::Absent]
    );

    let only_data = run("op.execute('SELECT 1')", &snapshot);
    assert_eq!(only_data.evidence, Evidence::Unknown);
    assert_eq!(
        only_data.details,
        vec!["data change (line 5), not checked: SELECT 1".to_string()]
    );
    let only_unknown = run("op.execute('GRANT SELECT ON users TO reader')", &snapshot);
    assert_eq!(only_unknown.evidence, Evidence::Unknown);
    assert_eq!(only_unknown.details.len(), 1);
    assert!(
        only_unknown.details[0].starts_with("unknown (line 5): "),
        "{:?}",
        only_unknown.details
    );

    let not_applied_with_unknown = run(
        "op.execute('GRANT SELECT ON users TO reader')\nop.drop_column('users', 'email')",
        &snapshot,
    );
    assert_eq!(not_applied_with_unknown.evidence, Evidence::NotApplied);

    let present_with_unknown = run(
        "op.execute('GRANT SELECT ON users TO reader')\nop.drop_column('users', 'gone')",
        &snapshot,
    );
    assert_eq!(present_with_unknown.evidence, Evidence::Unknown);
    // A data change next to a confirmed drop: applied.
    let present_with_data = run(
        "op.execute('SELECT 1')\nop.drop_column('users', 'gone')",
        &snapshot,
    );
    assert_eq!(present_with_data.evidence, Evidence::Applied);

    // An object that exists in another shape is a trace: partial, not "not applied".
    let differs = run(
        "op.add_column('users', sa.Column('email_bounced', sa.Text()))",
        &snapshot,
    );
    assert_eq!(statuses(&differs), vec![CheckStatus::Differs]);
    assert_eq!(differs.evidence, Evidence::Partial);

    // A dropped column that is absent does not make a migration whose other
    // change is missing "partial" (found end to end: the column came from an
    // earlier pending migration that never ran).
    let drop_and_missing = run(
        "op.drop_column('users', 'gone')\nop.add_column('users', sa.Column('nope', sa.Text()))",
        &snapshot,
    );
    assert_eq!(drop_and_missing.evidence, Evidence::NotApplied);
    // Alone, or beside changes that are present, it still confirms.
    assert_eq!(
        run("op.drop_column('users', 'gone')", &snapshot).evidence,
        Evidence::Applied
    );
    let drop_and_present = run(
        "op.drop_column('users', 'gone')\nop.add_column('users', sa.Column('email_bounced', sa.Boolean(), nullable=False))",
        &snapshot,
    );
    assert_eq!(drop_and_present.evidence, Evidence::Applied);
}

#[test]
fn evidence_serialises_as_contract_strings() {
    let values = [
        (Evidence::Applied, "applied"),
        (Evidence::Partial, "partial"),
        (Evidence::NotApplied, "not_applied"),
        (Evidence::Unknown, "unknown"),
    ];
    for (evidence, text) in values {
        assert_eq!(
            serde_json::to_value(evidence).unwrap(),
            serde_json::json!(text)
        );
        assert_eq!(evidence.to_string(), text);
    }
    let a = run("op.drop_column('users', 'gone')", &users_base());
    let json = serde_json::to_value(&a).unwrap();
    assert_eq!(json["evidence"], "applied");
    assert_eq!(json["checks"][0]["status"], "present");
}

#[test]
fn add_column_type_and_nullability_mismatch_differs() {
    let snapshot = ris052_local();
    let a = run(
        "op.add_column('users', sa.Column('email_issue_detected_at', sa.DateTime(), nullable=False))",
        &snapshot,
    );
    assert_eq!(statuses(&a), vec![CheckStatus::Differs]);
    assert!(
        a.checks[0]
            .detail
            .contains("type is timestamp with time zone, expected timestamp without time zone"),
        "{}",
        a.checks[0].detail
    );
    assert!(a.checks[0]
        .detail
        .contains("is nullable, expected not null"));
    // An unmapped type is not checked.
    let a = run(
        "op.add_column('users', sa.Column('email_bounced', MyBool(), nullable=False))",
        &snapshot,
    );
    assert_eq!(statuses(&a), vec![CheckStatus::Present]);
    // A server default the database lacks or has otherwise.
    let a = run(
        "op.add_column('users', sa.Column('email_issue_detected_at', sa.DateTime(timezone=True), server_default=sa.text('now()')))",
        &snapshot,
    );
    assert_eq!(statuses(&a), vec![CheckStatus::Differs]);
    assert!(a.checks[0].detail.contains("no default, expected now()"));
    let a = run(
        "op.add_column('users', sa.Column('role', sa.String(50), server_default='admin', nullable=False))",
        &snapshot,
    );
    assert_eq!(statuses(&a), vec![CheckStatus::Differs]);
    let a = run(
        "op.add_column('users', sa.Column('role', sa.String(50), server_default='user', nullable=False))",
        &snapshot,
    );
    assert_eq!(statuses(&a), vec![CheckStatus::Present]);
    // Missing table.
    let a = run(
        "op.add_column('ghost', sa.Column('a', sa.Text()))",
        &snapshot,
    );
    assert_eq!(statuses(&a), vec![CheckStatus::Absent]);
    assert_eq!(a.checks[0].detail, "table public.ghost not found");
}

#[test]
fn later_alter_overrides_add_column_attributes() {
    // Add nullable, backfill, then set NOT NULL: the final column is NOT NULL.
    let a = run(
        "op.add_column('users', sa.Column('email_bounced', sa.Boolean(), nullable=True))\nop.alter_column('users', 'email_bounced', nullable=False)",
        &ris052_local(),
    );
    assert_eq!(
        statuses(&a),
        vec![CheckStatus::Present, CheckStatus::Present]
    );
    assert_eq!(a.evidence, Evidence::Applied);
}

#[test]
fn create_then_drop_in_one_upgrade() {
    let body = "op.create_table('tmp', sa.Column('id', sa.Integer()))\nop.add_column('users', sa.Column('scratch', sa.Text()))\nop.drop_column('users', 'scratch')\nop.drop_table('tmp')";
    // Fully applied: neither object exists, and that must not read as "absent".
    let a = run(body, &users_base());
    assert_eq!(a.checks[0].superseded_by, Some(8));
    assert_eq!(a.checks[1].superseded_by, Some(7));
    assert!(
        a.checks.iter().all(|c| c.status != CheckStatus::Absent),
        "{a:#?}"
    );
    assert_eq!(a.evidence, Evidence::Applied);
    // Only creation effects exist in the database: the drops did not happen.
    let mut snapshot = users_base();
    snapshot.tables.push(table("public", "tmp"));
    snapshot
        .columns
        .push(column("users", "scratch", "text", true, None));
    let a = run(body, &snapshot);
    assert_eq!(a.evidence, Evidence::NotApplied);
}

#[test]
fn create_table_checks_columns_and_constraints() {
    let body = "op.create_table('orgs2', sa.Column('id', sa.Integer(), primary_key=True), sa.Column('name', sa.String(100), nullable=False), sa.UniqueConstraint('name', name='uq_orgs2_name'))";
    let mut snapshot = Snapshot::default();
    let a = run(body, &snapshot);
    assert_eq!(statuses(&a), vec![CheckStatus::Absent]);
    assert_eq!(a.details, vec!["missing: table orgs2".to_string()]);

    snapshot.tables.push(table("public", "orgs2"));
    snapshot
        .columns
        .push(column("orgs2", "id", "integer", false, None));
    snapshot.columns.push(column(
        "orgs2",
        "name",
        "character varying(100)",
        false,
        None,
    ));
    let a = run(body, &snapshot);
    assert_eq!(statuses(&a), vec![CheckStatus::Differs]);
    assert!(
        a.checks[0]
            .detail
            .contains("unique constraint uq_orgs2_name (name) missing"),
        "{}",
        a.checks[0].detail
    );
    assert!(a.checks[0].detail.contains("primary key (id) missing"));

    snapshot.constraints.push(constraint(
        "orgs2",
        "uq_orgs2_name",
        "unique",
        &["name"],
        "UNIQUE (name)",
    ));
    snapshot.constraints.push(constraint(
        "orgs2",
        "orgs2_pkey",
        "primary_key",
        &["id"],
        "PRIMARY KEY (id)",
    ));
    let a = run(body, &snapshot);
    assert_eq!(statuses(&a), vec![CheckStatus::Present]);
    assert_eq!(a.evidence, Evidence::Applied);
}

#[test]
fn drop_and_rename_table() {
    let snapshot = users_base();
    assert_eq!(
        statuses(&run("op.drop_table('users')", &snapshot)),
        vec![CheckStatus::Absent]
    );
    assert_eq!(
        statuses(&run("op.drop_table('ghost')", &snapshot)),
        vec![CheckStatus::Present]
    );
    assert_eq!(
        statuses(&run("op.rename_table('accounts', 'users')", &snapshot)),
        vec![CheckStatus::Present]
    );
    assert_eq!(
        statuses(&run("op.rename_table('users', 'accounts')", &snapshot)),
        vec![CheckStatus::Absent]
    );
    assert_eq!(
        statuses(&run("op.rename_table('users', 'organizations')", &snapshot)),
        vec![CheckStatus::Differs]
    );
}

#[test]
fn schema_qualified_effects_look_in_that_schema() {
    let mut snapshot = users_base();
    snapshot.tables.push(table("auth", "users"));
    let a = run(
        "op.add_column('users', sa.Column('email', sa.String(255)), schema='auth')",
        &snapshot,
    );
    assert_eq!(statuses(&a), vec![CheckStatus::Absent]);
    assert_eq!(
        a.details,
        vec!["missing: column auth.users.email".to_string()]
    );
    // The default schema is a parameter.
    let a = assess(
        &extract_upgrade_effects("def upgrade():\n    op.drop_table('users')\n"),
        &snapshot,
        "elsewhere",
    );
    assert_eq!(statuses(&a), vec![CheckStatus::Present]);
}

#[test]
fn indexes() {
    let snapshot = users_base();
    let present = run(
        "op.create_index(op.f('ix_users_role'), 'users', ['role'])",
        &snapshot,
    );
    assert_eq!(statuses(&present), vec![CheckStatus::Present]);
    assert!(present.checks[0]
        .detail
        .contains("CREATE INDEX ix_users_role"));
    let differs = run(
        "op.create_index('ix_users_role', 'users', ['role'], unique=True)",
        &snapshot,
    );
    assert_eq!(statuses(&differs), vec![CheckStatus::Differs]);
    assert!(differs.checks[0].detail.contains("not unique"));
    let other_columns = run(
        "op.create_index('ix_users_role', 'users', ['email'])",
        &snapshot,
    );
    assert_eq!(statuses(&other_columns), vec![CheckStatus::Differs]);
    let absent = run("op.create_index('ix_new', 'users', ['email'])", &snapshot);
    assert_eq!(statuses(&absent), vec![CheckStatus::Absent]);
    assert_eq!(
        statuses(&run(
            "op.drop_index('ix_users_role', table_name='users')",
            &snapshot
        )),
        vec![CheckStatus::Absent]
    );
    assert_eq!(
        statuses(&run("op.drop_index('ix_gone')", &snapshot)),
        vec![CheckStatus::Present]
    );
}

#[test]
fn constraints_named_and_unnamed() {
    let snapshot = users_base();
    let s = |body: &str| statuses(&run(body, &snapshot));
    assert_eq!(
        s("op.create_unique_constraint('uq_users_email', 'users', ['email'])"),
        vec![CheckStatus::Present]
    );
    assert_eq!(
        s("op.create_unique_constraint('uq_users_role', 'users', ['role'])"),
        vec![CheckStatus::Absent]
    );
    // Same name, other kind.
    assert_eq!(
        s("op.create_primary_key('uq_users_email', 'users', ['email'])"),
        vec![CheckStatus::Differs]
    );
    // Unnamed: matched by kind and columns.
    assert_eq!(
        s("op.create_unique_constraint(None, 'users', ['email'])"),
        vec![CheckStatus::Present]
    );
    assert_eq!(
        s("op.create_unique_constraint(None, 'users', ['role'])"),
        vec![CheckStatus::Absent]
    );
    // Unnamed checks: matched by table and normalised condition.
    assert_eq!(
        s("op.create_check_constraint(None, 'users', 'x > 0')"),
        vec![CheckStatus::Absent]
    );
    assert_eq!(
        s("op.create_check_constraint(None, 'users', \"role in ('user', 'admin', 'superuser')\")"),
        vec![CheckStatus::Present]
    );
    assert_eq!(
        s("op.create_check_constraint(None, 'users', 'x >')"),
        vec![CheckStatus::Unknown]
    );
    assert_eq!(
        s("op.create_foreign_key('fk_users_org', 'users', 'organizations', ['org_id'], ['id'])"),
        vec![CheckStatus::Absent]
    );
    assert_eq!(
        s("op.drop_constraint('ck_users_role', 'users', type_='check')"),
        vec![CheckStatus::Absent]
    );
    assert_eq!(
        s("op.drop_constraint('ck_gone', 'users', type_='check')"),
        vec![CheckStatus::Present]
    );
    // PostgreSQL truncates identifiers to 63 bytes.
    let long = format!("uq_{}", "x".repeat(70));
    let mut truncated = users_base();
    truncated.constraints.push(constraint(
        "users",
        &long[..63],
        "unique",
        &["role"],
        "UNIQUE (role)",
    ));
    let a = run(
        &format!("op.create_unique_constraint('{long}', 'users', ['role'])"),
        &truncated,
    );
    assert_eq!(statuses(&a), vec![CheckStatus::Present]);
}

#[test]
fn alter_column_checks() {
    let snapshot = ris052_local();
    let s = |body: &str| run(body, &snapshot);
    assert_eq!(
        statuses(&s("op.alter_column('users', 'email', nullable=False)")),
        vec![CheckStatus::Present]
    );
    let a = s("op.alter_column('users', 'email_issue_detected_at', nullable=False)");
    assert_eq!(statuses(&a), vec![CheckStatus::Absent]);
    assert!(a.checks[0].detail.contains("is nullable"));
    assert_eq!(
        statuses(&s(
            "op.alter_column('users', 'email', type_=sa.String(255))"
        )),
        vec![CheckStatus::Present]
    );
    assert_eq!(
        statuses(&s("op.alter_column('users', 'email', type_=sa.Text())")),
        vec![CheckStatus::Absent]
    );
    assert_eq!(
        statuses(&s("op.alter_column('users', 'email', type_=Custom())")),
        vec![CheckStatus::Unknown]
    );
    assert_eq!(
        statuses(&s(
            "op.alter_column('users', 'old_email', new_column_name='email')"
        )),
        vec![CheckStatus::Present]
    );
    assert_eq!(
        statuses(&s(
            "op.alter_column('users', 'email', new_column_name='email_address')"
        )),
        vec![CheckStatus::Absent]
    );
    assert_eq!(
        statuses(&s(
            "op.alter_column('users', 'role', server_default='user')"
        )),
        vec![CheckStatus::Present]
    );
    assert_eq!(
        statuses(&s(
            "op.alter_column('users', 'email_bounced', server_default=sa.text('true'))"
        )),
        vec![CheckStatus::Absent]
    );
    assert_eq!(
        statuses(&s(
            "op.alter_column('users', 'email_issue_detected_at', server_default=None)"
        )),
        vec![CheckStatus::Present]
    );
    assert_eq!(
        statuses(&s("op.alter_column('users', 'ghost', nullable=True)")),
        vec![CheckStatus::Absent]
    );
}

#[test]
fn batch_block_effects_are_assessed_against_the_batch_table() {
    let a = run(
        "with op.batch_alter_table('users') as batch_op:\n    batch_op.add_column(sa.Column('email_complaint', sa.Boolean(), nullable=False))\n    batch_op.drop_column('legacy')",
        &ris052_local(),
    );
    assert_eq!(
        statuses(&a),
        vec![CheckStatus::Present, CheckStatus::Present]
    );
    assert_eq!(a.evidence, Evidence::Applied);
}

#[test]
fn default_normalisation() {
    assert_eq!(normalise_default("'user'::character varying"), "user");
    assert_eq!(normalise_default("'it''s'::text"), "it's");
    assert_eq!(normalise_default("false"), "false");
    assert_eq!(normalise_default("now()"), "now()");
    assert_eq!(normalise_default("0::numeric"), "0");
    assert_eq!(
        normalise_default("timezone('utc'::text, now())"),
        normalise_default("timezone('utc', now())")
    );
    assert_eq!(normalise_default("'{}'::jsonb"), "{}");
    assert_eq!(
        normalise_default("'2020-01-01 00:00:00+00'::timestamp with time zone"),
        "2020-01-01 00:00:00+00"
    );
    assert_eq!(
        normalise_default("'a'::text || 'b'::character varying(3)"),
        "'a'||'b'"
    );
    assert_ne!(normalise_default("true"), normalise_default("false"));
    // Boolean spellings PostgreSQL folds to true/false (mlflow writes server_default="0").
    assert!(defaults_match("false", "0", "boolean"));
    assert!(defaults_match("true", "on", "boolean"));
    assert!(!defaults_match("false", "1", "boolean"));
    assert!(!defaults_match("0", "false", "integer"));
}

#[test]
fn batch_rebuild_of_primary_key_with_boolean_flag() {
    let body = r#"with op.batch_alter_table("samples") as batch:
    batch.alter_column("reading", type_=sa.types.Float(precision=53), nullable=False)
    batch.add_column(sa.Column("is_nan", sa.Boolean(), nullable=False, server_default="0"))
    batch.drop_constraint(constraint_name="samples_pk", type_="primary")
    batch.create_primary_key(constraint_name="samples_pk", columns=["sample_key", "is_nan"])"#;
    let mut snapshot = Snapshot {
        tables: vec![table("public", "samples")],
        columns: vec![
            column("samples", "sample_key", "text", false, None),
            column("samples", "reading", "real", true, None),
        ],
        constraints: vec![constraint(
            "samples",
            "samples_pk",
            "primary_key",
            &["sample_key"],
            "PRIMARY KEY (sample_key)",
        )],
        ..Snapshot::default()
    };
    let before = run(body, &snapshot);
    // The old primary key still in place is the replaced version, not a trace.
    assert_eq!(before.evidence, Evidence::NotApplied, "{before:#?}");
    assert_eq!(before.checks[3].status, CheckStatus::Absent);
    assert!(before.details.contains(
        &"missing: primary key samples.samples_pk (columns (sample_key), expected (sample_key, is_nan)) (still the version this upgrade replaces)".to_string()
    ));
    assert!(before
        .details
        .contains(&"missing: column samples.is_nan".to_string()));

    snapshot.columns[1] = column("samples", "reading", "double precision", false, None);
    snapshot
        .columns
        .push(column("samples", "is_nan", "boolean", false, Some("false")));
    snapshot.constraints[0].columns = vec!["sample_key".into(), "is_nan".into()];
    let after = run(body, &snapshot);
    assert_eq!(after.evidence, Evidence::Applied, "{after:#?}");
}

#[test]
fn foreign_key_actions_and_references() {
    let mut snapshot = users_base();
    snapshot.tables.push(table("public", "credentials"));
    let mut fk = constraint(
        "credentials",
        "fk_credentials_user",
        "foreign_key",
        &["user_id"],
        "FOREIGN KEY (user_id) REFERENCES users(id)",
    );
    fk.references = Some("public.users".into());
    snapshot.constraints.push(fk);
    let body = "op.drop_constraint('fk_credentials_user', 'credentials', type_='foreignkey')\nop.create_foreign_key('fk_credentials_user', 'credentials', 'users', ['user_id'], ['id'], ondelete='CASCADE')";
    // Not applied: the old foreign key, without ON DELETE CASCADE, is still there.
    let a = run(body, &snapshot);
    assert_eq!(a.evidence, Evidence::NotApplied, "{a:#?}");
    assert!(a.checks[1].detail.contains("expected ON DELETE CASCADE"));

    snapshot.constraints.last_mut().unwrap().definition =
        "FOREIGN KEY (user_id) REFERENCES users(id) ON DELETE CASCADE".into();
    let a = run(
        "op.create_foreign_key('fk_credentials_user', 'credentials', 'users', ['user_id'], ['id'], ondelete='cascade')",
        &snapshot,
    );
    assert_eq!(statuses(&a), vec![CheckStatus::Present]);
    let a = run(
        "op.create_foreign_key('fk_credentials_user', 'credentials', 'organizations', ['user_id'], ['id'])",
        &snapshot,
    );
    assert_eq!(statuses(&a), vec![CheckStatus::Differs]);
    assert!(a.checks[0]
        .detail
        .contains("references public.users, expected public.organizations"));
}

#[test]
fn assess_file_reads_the_file_and_keeps_the_error_kind() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("20251230_1700_add_email_issue_flags.py");
    std::fs::write(&path, MIGRATION_1700).unwrap();
    let a = assess_file(&path, &ris052_local(), "public").unwrap();
    assert_eq!(a.evidence, Evidence::Applied);

    let missing = dir.path().join("nope.py");
    let err = assess_file(&missing, &ris052_local(), "public").unwrap_err();
    assert_eq!(err.kind(), std::io::ErrorKind::NotFound);
}

#[test]
fn drops_from_a_missing_table_are_unknown() {
    let snapshot = users_base();
    let s = |body: &str| statuses(&run(body, &snapshot));
    assert_eq!(
        s("op.drop_column('ghost', 'a')"),
        vec![CheckStatus::Unknown]
    );
    assert_eq!(
        s("op.drop_constraint('ck', 'ghost')"),
        vec![CheckStatus::Unknown]
    );
    assert_eq!(
        s("op.drop_index('ix', table_name='ghost')"),
        vec![CheckStatus::Unknown]
    );
    let a = run("op.drop_column('ghost', 'a')", &snapshot);
    assert_eq!(a.evidence, Evidence::Unknown);
    assert_eq!(
        a.details,
        vec![
            "unknown (line 5): table public.ghost not found: cannot tell whether the drop happened"
                .to_string()
        ]
    );
}

#[test]
fn unnamed_foreign_key_matched_by_columns_checks_actions() {
    let mut snapshot = users_base();
    snapshot
        .columns
        .push(column("users", "org_id", "integer", true, None));
    let mut fk = constraint(
        "users",
        "users_org_id_fkey",
        "foreign_key",
        &["org_id"],
        "FOREIGN KEY (org_id) REFERENCES organizations(id)",
    );
    fk.references = Some("public.organizations".into());
    snapshot.constraints.push(fk);
    let body = |action: &str| {
        format!("op.create_foreign_key(None, 'users', 'organizations', ['org_id'], ['id']{action})")
    };
    let a = run(&body(""), &snapshot);
    assert_eq!(statuses(&a), vec![CheckStatus::Present]);
    assert_eq!(
        a.details,
        vec!["found: unnamed foreign key on users (org_id) as users_org_id_fkey".to_string()]
    );
    assert_eq!(
        statuses(&run(&body(", ondelete='SET NULL'"), &snapshot)),
        vec![CheckStatus::Differs]
    );
}

fn with_objects() -> Snapshot {
    use crate::schema::{EnumType, Extension, Function, Trigger, View};
    let mut snapshot = users_base();
    snapshot.views.push(View {
        schema: "public".into(),
        name: "active_users".into(),
        definition: "SELECT 1".into(),
        ..View::default()
    });
    snapshot.functions.push(Function {
        schema: "public".into(),
        name: "touch".into(),
        arguments: String::new(),
        ..Function::default()
    });
    snapshot.triggers.push(Trigger {
        schema: "public".into(),
        table: "users".into(),
        name: "trg_touch".into(),
        definition: "CREATE TRIGGER trg_touch …".into(),
        enabled: "O".into(),
    });
    snapshot.extensions.push(Extension {
        name: "pgcrypto".into(),
        schema: "public".into(),
        version: "1.3".into(),
    });
    snapshot.enums.push(EnumType {
        schema: "public".into(),
        name: "status".into(),
        values: vec!["new".into(), "done".into(), "failed".into()],
        owner: None,
    });
    snapshot
}

#[test]
fn raw_sql_objects_are_checked_against_the_catalog() {
    let snapshot = with_objects();
    let s = |sql: &str| statuses(&run(&format!("op.execute(\"{sql}\")"), &snapshot));
    use CheckStatus::*;
    assert_eq!(s("CREATE VIEW active_users AS SELECT 1"), [Present]);
    assert_eq!(
        s("CREATE MATERIALIZED VIEW active_users AS SELECT 1"),
        [Differs]
    );
    assert_eq!(s("CREATE VIEW other AS SELECT 1"), [Absent]);
    assert_eq!(s("DROP VIEW active_users"), [Absent]);
    assert_eq!(s("DROP VIEW IF EXISTS gone"), [Present]);
    assert_eq!(
        s("CREATE FUNCTION touch() RETURNS int LANGUAGE sql AS 'select 1'"),
        [Present]
    );
    assert_eq!(s("DROP FUNCTION touch()"), [Absent]);
    assert_eq!(
        s("CREATE TRIGGER trg_touch BEFORE UPDATE ON users FOR EACH ROW EXECUTE FUNCTION touch()"),
        [Present]
    );
    assert_eq!(
        s("CREATE TRIGGER trg_touch BEFORE UPDATE ON nowhere FOR EACH ROW EXECUTE FUNCTION touch()"),
        [Absent]
    );
    assert_eq!(s("DROP TRIGGER trg_gone ON users"), [Present]);
    assert_eq!(s("CREATE EXTENSION IF NOT EXISTS pgcrypto"), [Present]);
    assert_eq!(s("DROP EXTENSION hstore"), [Present]);
    // Enums: the migration's labels, in order; later labels allowed.
    assert_eq!(s("CREATE TYPE status AS ENUM ('new', 'done')"), [Present]);
    assert_eq!(s("CREATE TYPE status AS ENUM ('done', 'new')"), [Differs]);
    assert_eq!(
        s("CREATE TYPE status AS ENUM ('new', 'archived')"),
        [Differs]
    );
    assert_eq!(s("CREATE TYPE mood AS ENUM ('ok')"), [Absent]);
    assert_eq!(s("ALTER TYPE status ADD VALUE 'failed'"), [Present]);
    assert_eq!(s("ALTER TYPE status ADD VALUE 'archived'"), [Absent]);
    assert_eq!(s("ALTER TYPE mood ADD VALUE 'sad'"), [Unknown]);
    assert_eq!(s("DROP TYPE status"), [Absent]);
    // Composite, range and base types are read from the catalog too.
    assert_eq!(s("DROP TYPE IF EXISTS some_composite"), [Present]);
    assert_eq!(s("CREATE TYPE other AS (a int, b int)"), [Absent]);
    let mut snapshot = snapshot.clone();
    snapshot.types.push(crate::schema::UserType {
        schema: "public".into(),
        name: "pair".into(),
        kind: "composite".into(),
        attributes: vec!["a integer".into(), "b integer".into()],
        ..crate::schema::UserType::default()
    });
    let s = |sql: &str| statuses(&run(&format!("op.execute(\"{sql}\")"), &snapshot));
    assert_eq!(s("CREATE TYPE pair AS (a int, b int)"), [Present]);
    assert_eq!(s("DROP TYPE pair"), [Absent]);
}

#[test]
fn a_column_added_and_backfilled_is_applied() {
    let mut snapshot = users_base();
    snapshot
        .columns
        .push(column("users", "nickname", "text", true, None));
    let body = "op.add_column('users', sa.Column('nickname', sa.Text()))\nop.execute(\"UPDATE users SET nickname = email\")";
    let a = run(body, &snapshot);
    assert_eq!(a.evidence, Evidence::Applied, "{a:#?}");
    assert_eq!(
        a.details,
        [
            "found: column users.nickname (text)",
            "data change (line 6), not checked: UPDATE users SET nickname = email"
        ]
    );
    assert_eq!(run(body, &users_base()).evidence, Evidence::NotApplied);
}

#[test]
fn raw_sql_changes_in_one_upgrade_are_ordered() {
    // A view dropped then re-created: the drop is not judged on its own.
    let a = run(
        "op.execute('DROP VIEW active_users')\nop.execute('CREATE VIEW active_users AS SELECT 2')",
        &with_objects(),
    );
    assert_eq!(a.checks[0].superseded_by, Some(6));
    assert_eq!(a.evidence, Evidence::Unknown, "re-created: proves nothing");
}

#[test]
fn index_expressions_are_compared_after_normalisation() {
    let mut snapshot = users_base();
    snapshot.indexes.push(Index {
        schema: "public".into(),
        table: "users".into(),
        name: "ix_users_lower_email".into(),
        definition: "CREATE INDEX ix_users_lower_email ON public.users USING btree (lower((email)::text), role)"
            .into(),
        ..Index::default()
    });
    let s = |body: &str| statuses(&run(body, &snapshot));
    use CheckStatus::*;
    assert_eq!(
        s("op.create_index('ix_users_lower_email', 'users', [sa.text('LOWER(email)'), 'role'])"),
        [Present]
    );
    assert_eq!(
        s("op.execute('CREATE INDEX ix_users_lower_email ON users (lower(email), role)')"),
        [Present]
    );
    assert_eq!(
        s("op.execute('CREATE INDEX ix_users_lower_email ON users (upper(email), role)')"),
        [Differs]
    );
    assert_eq!(
        super::indexes::index_keys(
            "CREATE UNIQUE INDEX i ON public.t USING btree (coalesce(a, ','), (b + 1)) WHERE (c > 0)"
        ),
        Some(vec!["coalesce(a, ',')".to_string(), "(b + 1)".to_string()])
    );
}
