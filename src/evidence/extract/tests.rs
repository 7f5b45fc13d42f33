use super::*;

fn effects(source: &str) -> Vec<EffectKind> {
    let extraction = extract_upgrade_effects(source);
    assert_eq!(
        extraction.syntax_error, None,
        "unexpected syntax error in {source}"
    );
    assert!(extraction.has_upgrade);
    extraction.effects.into_iter().map(|e| e.kind).collect()
}

/// The single effect of an upgrade whose body is `body` (indented by the helper).
fn one(body: &str) -> EffectKind {
    let source = format!(
        "from alembic import op\nimport sqlalchemy as sa\nfrom sqlalchemy.dialects import postgresql\n\ndef upgrade():\n{}\n",
        body.lines()
            .map(|l| format!("    {l}"))
            .collect::<Vec<_>>()
            .join("\n")
    );
    let mut all = effects(&source);
    assert_eq!(all.len(), 1, "expected one effect from {body}: {all:?}");
    all.remove(0)
}

fn t(name: &str) -> TableRef {
    TableRef {
        schema: None,
        name: name.to_string(),
    }
}

fn ts(schema: &str, name: &str) -> TableRef {
    TableRef {
        schema: Some(schema.to_string()),
        name: name.to_string(),
    }
}

fn col(name: &str, data_type: Option<&str>, nullable: bool) -> ColumnSpec {
    ColumnSpec {
        name: name.to_string(),
        data_type: data_type.map(str::to_string),
        nullable,
        server_default: None,
        primary_key: false,
    }
}

fn column_type(type_expr: &str) -> Option<String> {
    match one(&format!("op.add_column('t', sa.Column('c', {type_expr}))")) {
        EffectKind::AddColumn { column, .. } => column.data_type,
        other => panic!("not an add_column: {other:?}"),
    }
}

#[test]
fn add_column_positional_and_keyword_forms_agree() {
    let expected = EffectKind::AddColumn {
        table: t("users"),
        column: ColumnSpec {
            server_default: Some(DefaultSpec::Sql("false".into())),
            ..col("email_bounced", Some("boolean"), false)
        },
    };
    assert_eq!(
        one("op.add_column('users', sa.Column('email_bounced', sa.Boolean(), nullable=False, server_default=sa.text('false')))"),
        expected
    );
    assert_eq!(
        one("op.add_column(table_name=\"users\", column=sa.Column(name='email_bounced', type_=sa.Boolean, server_default=sa.false(), nullable=False))"),
        expected
    );
    assert_eq!(
        one("op.add_column(\"users\", sa.Column(\"email_bounced\", sa.Boolean(), server_default=\"false\", nullable=False))"),
        expected
    );
}

#[test]
fn schema_keyword_and_module_constants_resolve() {
    let source = r#"
from alembic import op
import sqlalchemy as sa

TABLE = "users"
SCHEMA: str = 'auth'
COLUMN = TABLE

def upgrade() -> None:
    op.add_column(TABLE, sa.Column("email_complaint", sa.Boolean(), nullable=True), schema=SCHEMA)
    op.drop_column(TABLE, COLUMN, schema="auth")
"#;
    assert_eq!(
        effects(source),
        vec![
            EffectKind::AddColumn {
                table: ts("auth", "users"),
                column: col("email_complaint", Some("boolean"), true),
            },
            EffectKind::DropColumn {
                table: ts("auth", "users"),
                column: "users".into(),
            },
        ]
    );
}

#[test]
fn local_string_variables_resolve_and_rebinding_forgets_them() {
    let body = "table = 'users'\nop.drop_column(table, 'a')\ntable = compute()\nop.drop_column(table, 'b')";
    let source = format!(
        "from alembic import op\ndef upgrade():\n{}\n",
        body.lines()
            .map(|l| format!("    {l}"))
            .collect::<Vec<_>>()
            .join("\n")
    );
    let all = effects(&source);
    assert_eq!(
        all[0],
        EffectKind::DropColumn {
            table: t("users"),
            column: "a".into()
        }
    );
    // `table = compute()` is itself unknown, and the later drop cannot be resolved.
    assert!(matches!(&all[1], EffectKind::Unknown { text, .. } if text.contains("compute()")));
    assert!(
        matches!(&all[2], EffectKind::Unknown { text, .. } if text.contains("drop_column(table, 'b')"))
    );
    assert_eq!(all.len(), 3);
}

#[test]
fn drop_column_both_forms() {
    let expected = EffectKind::DropColumn {
        table: t("users"),
        column: "legacy".into(),
    };
    assert_eq!(one("op.drop_column('users', 'legacy')"), expected);
    assert_eq!(
        one("op.drop_column(table_name='users', column_name='legacy')"),
        expected
    );
}

#[test]
fn create_table_with_columns_and_constraints() {
    let kind = one(r#"op.create_table(
    "credentials",
    sa.Column("id", sa.Integer(), nullable=False),
    sa.Column("user_id", sa.Integer(), sa.ForeignKey("users.id"), nullable=False),
    sa.Column("kind", sa.String(length=50), server_default="license"),
    sa.PrimaryKeyConstraint("id", name=op.f("pk_credentials")),
    sa.UniqueConstraint("user_id", "kind", name="uq_credentials_user_kind"),
    sa.CheckConstraint("kind <> ''", name="ck_credentials_kind"),
    sa.ForeignKeyConstraint(["user_id"], ["auth.users.id"], name="fk_credentials_user", ondelete="CASCADE"),
    schema="app",
)"#);
    let EffectKind::CreateTable {
        table,
        columns,
        constraints,
    } = kind
    else {
        panic!("not create_table: {kind:?}");
    };
    assert_eq!(table, ts("app", "credentials"));
    assert_eq!(columns[0], col("id", Some("integer"), false));
    assert_eq!(columns[1], col("user_id", Some("integer"), false));
    assert_eq!(
        columns[2],
        ColumnSpec {
            server_default: Some(DefaultSpec::Sql("license".into())),
            ..col("kind", Some("character varying(50)"), true)
        }
    );
    let summary: Vec<(ConstraintKind, Option<&str>, Vec<&str>)> = constraints
        .iter()
        .map(|c| {
            (
                c.kind,
                c.name.as_deref(),
                c.columns.iter().map(String::as_str).collect(),
            )
        })
        .collect();
    assert_eq!(
        summary,
        vec![
            (
                ConstraintKind::PrimaryKey,
                Some("pk_credentials"),
                vec!["id"]
            ),
            (
                ConstraintKind::Unique,
                Some("uq_credentials_user_kind"),
                vec!["user_id", "kind"]
            ),
            (ConstraintKind::Check, Some("ck_credentials_kind"), vec![]),
            (
                ConstraintKind::ForeignKey,
                Some("fk_credentials_user"),
                vec!["user_id"]
            ),
        ]
    );
    assert_eq!(constraints[2].condition.as_deref(), Some("kind <> ''"));
    assert_eq!(constraints[3].references.as_deref(), Some("auth.users"));
    assert_eq!(constraints[3].on_delete.as_deref(), Some("CASCADE"));
}

#[test]
fn create_table_column_primary_key_makes_unnamed_pk() {
    let EffectKind::CreateTable {
        columns,
        constraints,
        table,
    } = one("op.create_table('orgs', sa.Column('id', sa.Integer, primary_key=True))")
    else {
        panic!()
    };
    assert_eq!(table, t("orgs"));
    // primary_key implies NOT NULL.
    assert!(!columns[0].nullable);
    assert_eq!(constraints.len(), 1);
    assert_eq!(constraints[0].kind, ConstraintKind::PrimaryKey);
    assert_eq!(constraints[0].name, None);
    assert_eq!(constraints[0].columns, vec!["id".to_string()]);
}

#[test]
fn drop_and_rename_table_both_forms() {
    assert_eq!(
        one("op.drop_table('old')"),
        EffectKind::DropTable { table: t("old") }
    );
    assert_eq!(
        one("op.drop_table(table_name='old', schema='s')"),
        EffectKind::DropTable {
            table: ts("s", "old")
        }
    );
    let expected = EffectKind::RenameTable {
        table: t("a"),
        new_name: "b".into(),
    };
    assert_eq!(one("op.rename_table('a', 'b')"), expected);
    assert_eq!(
        one("op.rename_table(old_table_name='a', new_table_name='b')"),
        expected
    );
}

#[test]
fn create_index_forms() {
    let expected = EffectKind::CreateIndex {
        table: t("audit_events"),
        name: "ix_audit_events_created_at".into(),
        columns: vec!["created_at".into()],
        unique: false,
        expressions: None,
    };
    assert_eq!(
        one("op.create_index(op.f('ix_audit_events_created_at'), 'audit_events', ['created_at'], unique=False)"),
        expected
    );
    assert_eq!(
        one("op.create_index(index_name='ix_audit_events_created_at', table_name='audit_events', columns=['created_at'])"),
        expected
    );
    assert_eq!(
        one("op.create_index('ux', 'users', ['email', 'org'], unique=True, schema='auth', postgresql_where=sa.text('x'))"),
        EffectKind::CreateIndex {
            table: ts("auth", "users"),
            name: "ux".into(),
            columns: vec!["email".into(), "org".into()],
            unique: true,
            expressions: None,
        }
    );
    assert_eq!(
        one("op.create_index('ix_lower', 'tags', [sa.text('lower(label)'), 'kind'])"),
        EffectKind::CreateIndex {
            table: t("tags"),
            name: "ix_lower".into(),
            columns: vec![],
            unique: false,
            expressions: Some(vec!["lower(label)".into(), "kind".into()]),
        }
    );
}

#[test]
fn drop_index_forms() {
    let expected = EffectKind::DropIndex {
        table: Some("audit_events".into()),
        schema: None,
        name: "ix_a".into(),
    };
    assert_eq!(one("op.drop_index('ix_a', 'audit_events')"), expected);
    assert_eq!(
        one("op.drop_index(op.f('ix_a'), table_name='audit_events')"),
        expected
    );
    assert_eq!(
        one("op.drop_index(index_name='ix_a', schema='s')"),
        EffectKind::DropIndex {
            table: None,
            schema: Some("s".into()),
            name: "ix_a".into(),
        }
    );
}

fn constraint_of(kind: EffectKind) -> (TableRef, ConstraintSpec) {
    match kind {
        EffectKind::CreateConstraint { table, constraint } => (table, constraint),
        other => panic!("not a constraint: {other:?}"),
    }
}

#[test]
fn unique_and_primary_key_constraints_both_forms() {
    let (table, c) = constraint_of(one(
        "op.create_unique_constraint('uq_users_email', 'users', ['email'])",
    ));
    let (table2, c2) = constraint_of(one(
        "op.create_unique_constraint(constraint_name='uq_users_email', table_name='users', columns=['email'])",
    ));
    assert_eq!((&table, &c), (&table2, &c2));
    assert_eq!(table, t("users"));
    assert_eq!(
        (c.kind, c.name.as_deref(), c.columns.clone()),
        (
            ConstraintKind::Unique,
            Some("uq_users_email"),
            vec!["email".to_string()]
        )
    );

    let (_, unnamed) = constraint_of(one("op.create_unique_constraint(None, 'users', ['email'])"));
    assert_eq!(unnamed.name, None);

    let (table, pk) = constraint_of(one(
        "op.create_primary_key('pk_t', 't', ['a', 'b'], schema='s')",
    ));
    let (_, pk2) = constraint_of(one("op.create_primary_key(constraint_name='pk_t', table_name='t', columns=['a', 'b'], schema='s')"));
    assert_eq!(pk, pk2);
    assert_eq!(table, ts("s", "t"));
    assert_eq!(pk.kind, ConstraintKind::PrimaryKey);
    assert_eq!(pk.columns, vec!["a".to_string(), "b".to_string()]);
}

#[test]
fn check_constraint_both_forms() {
    let (table, c) = constraint_of(one(
        "op.create_check_constraint('ck_users_superuser_role', 'users', \"NOT is_superuser OR role = 'superuser'\")",
    ));
    let (table2, c2) = constraint_of(one(
        "op.create_check_constraint(constraint_name='ck_users_superuser_role', table_name='users', condition=sa.text(\"NOT is_superuser OR role = 'superuser'\"))",
    ));
    assert_eq!((table.clone(), c.clone()), (table2, c2));
    assert_eq!(table, t("users"));
    assert_eq!(c.kind, ConstraintKind::Check);
    assert_eq!(c.name.as_deref(), Some("ck_users_superuser_role"));
    assert_eq!(
        c.condition.as_deref(),
        Some("NOT is_superuser OR role = 'superuser'")
    );
}

#[test]
fn foreign_key_both_forms() {
    let (table, fk) = constraint_of(one(
        "op.create_foreign_key('fk_c_user', 'credentials', 'users', ['user_id'], ['id'], ondelete='CASCADE')",
    ));
    let (table2, fk2) = constraint_of(one(
        "op.create_foreign_key(constraint_name='fk_c_user', source_table='credentials', referent_table='users', local_cols=['user_id'], remote_cols=['id'], ondelete='CASCADE')",
    ));
    assert_eq!((table.clone(), fk.clone()), (table2, fk2));
    assert_eq!(table, t("credentials"));
    assert_eq!(fk.kind, ConstraintKind::ForeignKey);
    assert_eq!(fk.columns, vec!["user_id".to_string()]);
    assert_eq!(fk.references.as_deref(), Some("users"));
    assert_eq!(fk.on_delete.as_deref(), Some("CASCADE"));
    assert_eq!(fk.on_update, None);

    let (table, fk) = constraint_of(one(
        "op.create_foreign_key('fk', 'c', 'u', ['u_id'], ['id'], source_schema='app', referent_schema='auth')",
    ));
    assert_eq!(table, ts("app", "c"));
    assert_eq!(fk.references.as_deref(), Some("auth.u"));
}

#[test]
fn drop_constraint_forms() {
    let expected = EffectKind::DropConstraint {
        table: t("users"),
        name: "ck_users_role".into(),
        kind: Some(ConstraintKind::Check),
    };
    assert_eq!(
        one("op.drop_constraint('ck_users_role', 'users', type_='check')"),
        expected
    );
    assert_eq!(
        one("op.drop_constraint('ck_users_role', 'users', 'check')"),
        expected
    );
    assert_eq!(
        one("op.drop_constraint(constraint_name='ck_users_role', table_name='users', type_='check')"),
        expected
    );
    assert_eq!(
        one("op.drop_constraint(op.f('fk_x'), 'users', type_='foreignkey', schema='s')"),
        EffectKind::DropConstraint {
            table: ts("s", "users"),
            name: "fk_x".into(),
            kind: Some(ConstraintKind::ForeignKey),
        }
    );
}

#[test]
fn alter_column_forms() {
    let expected = EffectKind::AlterColumn {
        table: t("users"),
        column: "email".into(),
        nullable: Some(false),
        type_: Some(TypeChange::Mapped("character varying(320)".into())),
        new_name: Some("email_address".into()),
        server_default: Some(DefaultSpec::Null),
    };
    assert_eq!(
        one("op.alter_column('users', 'email', nullable=False, type_=sa.String(320), new_column_name='email_address', server_default=None, existing_type=sa.String(255))"),
        expected
    );
    assert_eq!(
        one("op.alter_column(table_name='users', column_name='email', existing_nullable=True, nullable=False, type_=sa.VARCHAR(length=320), new_column_name='email_address', server_default=None)"),
        expected
    );
    // server_default=False is Alembic's "unchanged"; an unmappable type is kept as text.
    assert_eq!(
        one("op.alter_column('t', 'c', server_default=False, type_=MyType())"),
        EffectKind::AlterColumn {
            table: t("t"),
            column: "c".into(),
            nullable: None,
            type_: Some(TypeChange::Unmapped("MyType()".into())),
            new_name: None,
            server_default: None,
        }
    );
}

#[test]
fn batch_alter_table_blocks_imply_the_table() {
    let source = r#"
from alembic import op
import sqlalchemy as sa

def upgrade():
    with op.batch_alter_table("users", schema="auth") as batch_op:
        batch_op.add_column(sa.Column("email_bounced", sa.Boolean(), nullable=False))
        batch_op.drop_column("legacy")
        batch_op.alter_column("email", nullable=False)
        batch_op.create_index("ix_users_email", ["email"], unique=True)
        batch_op.drop_index("ix_old")
        batch_op.create_unique_constraint("uq_users_email", ["email"])
        batch_op.create_check_constraint("ck_x", "x > 0")
        batch_op.create_foreign_key("fk_users_org", "orgs", ["org_id"], ["id"])
        batch_op.create_primary_key("pk_users", ["id"])
        batch_op.drop_constraint("ck_old", type_="check")
        op.drop_table("other")
    with op.batch_alter_table(table_name="orgs") as b:
        b.drop_column(column_name="x")
"#;
    let all = effects(source);
    let users = ts("auth", "users");
    assert_eq!(
        all[0],
        EffectKind::AddColumn {
            table: users.clone(),
            column: col("email_bounced", Some("boolean"), false),
        }
    );
    assert_eq!(
        all[1],
        EffectKind::DropColumn {
            table: users.clone(),
            column: "legacy".into()
        }
    );
    assert!(
        matches!(&all[2], EffectKind::AlterColumn { table, column, nullable: Some(false), .. } if *table == users && column == "email")
    );
    assert!(
        matches!(&all[3], EffectKind::CreateIndex { table, name, unique: true, .. } if *table == users && name == "ix_users_email")
    );
    assert_eq!(
        all[4],
        EffectKind::DropIndex {
            table: Some("users".into()),
            schema: Some("auth".into()),
            name: "ix_old".into(),
        }
    );
    let kinds: Vec<ConstraintKind> = all[5..9]
        .iter()
        .map(|e| match e {
            EffectKind::CreateConstraint { table, constraint } => {
                assert_eq!(*table, users);
                constraint.kind
            }
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(
        kinds,
        vec![
            ConstraintKind::Unique,
            ConstraintKind::Check,
            ConstraintKind::ForeignKey,
            ConstraintKind::PrimaryKey
        ]
    );
    assert_eq!(
        all[9],
        EffectKind::DropConstraint {
            table: users.clone(),
            name: "ck_old".into(),
            kind: Some(ConstraintKind::Check)
        }
    );
    assert_eq!(all[10], EffectKind::DropTable { table: t("other") });
    assert_eq!(
        all[11],
        EffectKind::DropColumn {
            table: t("orgs"),
            column: "x".into()
        }
    );
    assert_eq!(all.len(), 12);
}

#[test]
fn downgrade_is_never_read() {
    let source = r#"
from alembic import op

def downgrade():
    op.drop_column("users", "email_bounced")

def upgrade():
    op.drop_column("users", "legacy")

def helper():
    op.drop_table("x")
"#;
    assert_eq!(
        effects(source),
        vec![EffectKind::DropColumn {
            table: t("users"),
            column: "legacy".into()
        }]
    );
}

#[test]
fn unrecognised_statements_become_unknown_with_lines() {
    let source = r#"from alembic import op
import sqlalchemy as sa

def upgrade():
    """Docstrings, comments and pass are fine."""
    # a comment
    pass
    logger.info("starting")
    _logger.info("starting")
    op.execute("UPDATE users SET role = 'superuser' WHERE is_superuser")
    conn = op.get_bind()
    for table in ("a", "b"):
        op.drop_table(table)
    if context.is_offline_mode():
        op.drop_column("users", "x")
    _helper()
    op.bulk_insert(users_table, [{"id": 1}])
    op.add_column("users", sa.Column(name_from_somewhere(), sa.Integer()))
    with open("x") as f:
        op.drop_table("t")
    op.drop_column("users", "y")
"#;
    let extraction = extract_upgrade_effects(source);
    let lines: Vec<(u32, String)> = extraction
        .effects
        .iter()
        .map(|e| match &e.kind {
            EffectKind::Unknown { text, .. } => (e.line, format!("unknown: {text}")),
            other => (e.line, format!("{other:?}")),
        })
        .collect();
    // The UPDATE is a data change; `conn = op.get_bind()` names a connection.
    assert_eq!(lines[0].0, 10);
    assert!(lines[0].1.starts_with("DataChange"), "{lines:?}");
    let expected_unknown_lines = [12, 14, 16, 17, 18, 19];
    for (i, line) in expected_unknown_lines.iter().enumerate() {
        assert_eq!(lines[i + 1].0, *line, "{lines:?}");
        assert!(lines[i + 1].1.starts_with("unknown: "), "{lines:?}");
    }
    assert!(lines[1].1.contains("for table in"));
    assert_eq!(lines.len(), expected_unknown_lines.len() + 2);
    assert_eq!(lines.last().unwrap().0, 21);
    assert!(lines
        .iter()
        .all(|(_, t)| t.chars().count() <= "unknown: ".len() + UNKNOWN_TEXT_MAX));
}

#[test]
fn empty_and_missing_upgrade() {
    let merge = extract_upgrade_effects(
        "revision = 'x'\ndef upgrade() -> None:\n    pass\n\ndef downgrade():\n    pass\n",
    );
    assert!(merge.has_upgrade);
    assert!(merge.effects.is_empty());
    let none = extract_upgrade_effects("revision = 'x'\n");
    assert!(!none.has_upgrade);
}

#[test]
fn syntax_errors_are_reported_with_a_line() {
    let extraction = extract_upgrade_effects(
        "from alembic import op\n\ndef upgrade(:\n    op.drop_table('x')\n",
    );
    assert_eq!(extraction.syntax_error, Some(3));
}

#[test]
fn decorated_upgrade_and_string_escapes() {
    let source =
        "def deco(f):\n    return f\n\n@deco\ndef upgrade():\n    op.drop_table('it\\'s' \"_x\")\n";
    assert_eq!(
        effects(source),
        vec![EffectKind::DropTable { table: t("it's_x") }]
    );
}

#[test]
fn f_strings_with_interpolation_are_not_resolved() {
    assert!(matches!(
        one("op.drop_table(f'{prefix}_users')"),
        EffectKind::Unknown { .. }
    ));
}

#[test]
fn type_mapping() {
    let cases: &[(&str, Option<&str>)] = &[
        ("sa.String(255)", Some("character varying(255)")),
        ("sa.String(length=255)", Some("character varying(255)")),
        ("sa.String()", Some("character varying")),
        ("sa.VARCHAR(64)", Some("character varying(64)")),
        ("sa.Unicode(10)", Some("character varying(10)")),
        ("sa.CHAR(2)", Some("character(2)")),
        ("sa.Text()", Some("text")),
        ("sa.Integer", Some("integer")),
        ("sa.BigInteger()", Some("bigint")),
        ("sa.SmallInteger()", Some("smallint")),
        ("sa.Boolean()", Some("boolean")),
        (
            "sa.DateTime(timezone=True)",
            Some("timestamp with time zone"),
        ),
        ("sa.DateTime(True)", Some("timestamp with time zone")),
        ("sa.DateTime()", Some("timestamp without time zone")),
        (
            "postgresql.TIMESTAMP(timezone=True, precision=3)",
            Some("timestamp(3) with time zone"),
        ),
        ("sa.Date()", Some("date")),
        ("sa.Time()", Some("time without time zone")),
        ("sa.Numeric(10, 2)", Some("numeric(10,2)")),
        ("sa.Numeric(precision=12, scale=4)", Some("numeric(12,4)")),
        ("sa.Numeric()", Some("numeric")),
        ("sa.Float()", Some("double precision")),
        ("sa.Float(precision=10)", Some("real")),
        ("postgresql.JSONB(astext_type=sa.Text())", Some("jsonb")),
        ("sa.dialects.postgresql.JSONB", Some("jsonb")),
        ("sa.JSON()", Some("json")),
        ("postgresql.UUID(as_uuid=True)", Some("uuid")),
        ("sa.Uuid()", Some("uuid")),
        ("sa.LargeBinary()", Some("bytea")),
        ("sa.Interval()", Some("interval")),
        ("postgresql.INET()", Some("inet")),
        (
            "postgresql.ARRAY(sa.String(20))",
            Some("character varying(20)[]"),
        ),
        ("sa.Enum('a', 'b', name='kind')", None),
        ("MyCustomType()", None),
    ];
    for (expr, expected) in cases {
        assert_eq!(column_type(expr).as_deref(), *expected, "type {expr}");
    }
}

#[test]
fn lines_are_one_based_and_in_source_order() {
    let source = "from alembic import op\n\ndef upgrade():\n    op.drop_table('a')\n\n    op.drop_table(\n        'b')\n";
    let extraction = extract_upgrade_effects(source);
    let lines: Vec<u32> = extraction.effects.iter().map(|e| e.line).collect();
    assert_eq!(lines, vec![4, 6]);
}

fn unknown_reason(kind: &EffectKind) -> Option<&str> {
    match kind {
        EffectKind::Unknown { reason, .. } => reason.as_deref(),
        _ => None,
    }
}

#[test]
fn raw_sql_ddl_becomes_the_effects_of_op_calls() {
    let all = effects(
        r#"from alembic import op
import sqlalchemy as sa

def upgrade():
    op.execute("CREATE TABLE Audit (id serial PRIMARY KEY, note varchar(20) NOT NULL DEFAULT 'x', amount int CHECK (amount > 0))")
    op.execute(sa.text("ALTER TABLE audit ADD COLUMN seen boolean, ALTER COLUMN note DROP NOT NULL; ALTER TABLE audit RENAME COLUMN seen TO viewed"))
    conn = op.get_bind()
    conn.execute(sa.text('CREATE UNIQUE INDEX CONCURRENTLY ix_audit_note ON audit (note)'))
    op.get_bind().exec_driver_sql("DROP INDEX CONCURRENTLY IF EXISTS ix_old")
    op.execute("ALTER TABLE audit ADD CONSTRAINT ck_amount CHECK (amount < 100), DROP CONSTRAINT ck_old")
    op.execute("ALTER TABLE audit DROP COLUMN legacy; DROP TABLE old_audit")
"#,
    );
    assert_eq!(
        all[0],
        EffectKind::CreateTable {
            table: t("audit"),
            columns: vec![
                ColumnSpec {
                    name: "id".into(),
                    data_type: Some("integer".into()),
                    nullable: false,
                    server_default: None,
                    primary_key: true,
                },
                ColumnSpec {
                    name: "note".into(),
                    data_type: Some("character varying(20)".into()),
                    nullable: false,
                    server_default: Some(DefaultSpec::Sql("'x'".into())),
                    primary_key: false,
                },
                ColumnSpec {
                    name: "amount".into(),
                    data_type: Some("integer".into()),
                    nullable: true,
                    server_default: None,
                    primary_key: false,
                },
            ],
            constraints: vec![ConstraintSpec {
                kind: ConstraintKind::Check,
                name: None,
                columns: vec![],
                references: None,
                condition: Some("amount > 0".into()),
                on_delete: None,
                on_update: None,
            }],
        }
    );
    let kinds: Vec<String> = all[1..]
        .iter()
        .map(|k| {
            format!("{k:?}")
                .split([' ', '{'])
                .next()
                .unwrap()
                .to_string()
        })
        .collect();
    assert_eq!(
        kinds,
        [
            "AddColumn",
            "AlterColumn",
            "AlterColumn",
            "CreateIndex",
            "DropIndex",
            "CreateConstraint",
            "DropConstraint",
            "DropColumn",
            "DropTable"
        ]
    );
    assert!(matches!(&all[3], EffectKind::AlterColumn { new_name: Some(n), .. } if n == "viewed"));
    assert_eq!(
        all[4],
        EffectKind::CreateIndex {
            table: t("audit"),
            name: "ix_audit_note".into(),
            columns: vec!["note".into()],
            unique: true,
            expressions: None,
        }
    );
}

#[test]
fn raw_sql_objects_enums_and_data() {
    let all = effects(
        r#"from alembic import op

def upgrade():
    op.execute("CREATE TYPE status AS ENUM ('new', 'done'); ALTER TYPE status ADD VALUE IF NOT EXISTS 'failed'")
    op.execute("CREATE OR REPLACE VIEW open_orders AS SELECT * FROM orders WHERE status = 'new'")
    op.execute("CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$")
    op.execute("CREATE TRIGGER trg_touch BEFORE UPDATE ON orders FOR EACH ROW EXECUTE FUNCTION touch()")
    op.execute('CREATE EXTENSION IF NOT EXISTS "pgcrypto"')
    op.execute("COMMIT")
    op.execute("UPDATE orders SET status = 'done' WHERE status IS NULL")
    op.execute("DROP TYPE old_status; DROP VIEW v_old; DROP EXTENSION hstore")
"#,
    );
    assert_eq!(
        all[0],
        EffectKind::CreateEnum {
            schema: None,
            name: "status".into(),
            values: Some(vec!["new".into(), "done".into()])
        }
    );
    assert_eq!(
        all[1],
        EffectKind::AddEnumValue {
            schema: None,
            name: "status".into(),
            value: "failed".into()
        }
    );
    let object = |kind, name: &str, table: Option<TableRef>| ObjectRef {
        kind,
        schema: None,
        name: name.into(),
        table,
    };
    assert_eq!(
        all[2..5],
        [
            EffectKind::CreateObject {
                object: object(ObjectKind::View, "open_orders", None)
            },
            EffectKind::CreateObject {
                object: object(ObjectKind::Function, "touch", None)
            },
            EffectKind::CreateObject {
                object: object(ObjectKind::Trigger, "trg_touch", Some(t("orders")))
            },
        ]
    );
    assert_eq!(
        all[5],
        EffectKind::CreateObject {
            object: object(ObjectKind::Extension, "pgcrypto", None)
        }
    );
    assert!(
        matches!(&all[6], EffectKind::DataChange { text } if text.starts_with("UPDATE orders"))
    );
    assert_eq!(all.len(), 10, "COMMIT makes no effect: {all:?}");
}

#[test]
fn unreadable_sql_stays_unknown_with_the_parsers_message() {
    let all = effects(
        "from alembic import op\n\ndef upgrade():\n    op.execute('CREATE TABLE (')\n    op.execute('GRANT SELECT ON t TO r; DROP TABLE t')\n",
    );
    assert!(
        unknown_reason(&all[0]).is_some_and(|r| r.starts_with("SQL not read: sql parser error:")),
        "{all:?}"
    );
    // A statement not followed is unknown; the next one is still read.
    assert_eq!(
        unknown_reason(&all[1]),
        Some("`GRANT SELECT …` is not followed")
    );
    assert_eq!(all[2], EffectKind::DropTable { table: t("t") });
    let extraction = extract_upgrade_effects(
        "from alembic import op\n\ndef upgrade():\n    op.execute('CREATE TABLE (')\n",
    );
    assert_eq!(extraction.effects[0].line, 4);
}

#[test]
fn helpers_of_the_same_file_are_followed_with_literal_arguments() {
    let source = r#"from alembic import op
import sqlalchemy as sa

TABLE = "orders"

def _add(table, column, conn):
    op.add_column(table, sa.Column(column, sa.Text()))
    conn.execute(sa.text(f"UPDATE {table} SET x = 1"))
    _index(table)

def _index(table, name="ix_orders_note"):
    op.create_index(name, table, ["note"])

def _forever():
    _forever()

def upgrade():
    bind = op.get_bind()
    _add(TABLE, column="note", conn=bind)
    _forever()
    imported_helper()
"#;
    let extraction = extract_upgrade_effects(source);
    let all: Vec<(u32, &EffectKind)> = extraction
        .effects
        .iter()
        .map(|e| (e.line, &e.kind))
        .collect();
    assert!(
        matches!(all[0], (7, EffectKind::AddColumn { table, column }) if table.name == "orders" && column.name == "note"),
        "{all:?}"
    );
    // An f-string is never resolved: unknown, at the helper's line.
    assert!(matches!(all[1], (8, EffectKind::Unknown { .. })), "{all:?}");
    assert!(
        matches!(all[2], (12, EffectKind::CreateIndex { name, .. }) if name == "ix_orders_note"),
        "{all:?}"
    );
    // Recursion is cut: `_forever()` inside itself stays unknown.
    assert!(
        matches!(all[3], (15, EffectKind::Unknown { text, .. }) if text == "_forever()"),
        "{all:?}"
    );
    assert!(
        matches!(all[4], (21, EffectKind::Unknown { .. })),
        "{all:?}"
    );
    assert_eq!(all.len(), 5, "{all:?}");
}

#[test]
fn helpers_are_followed_to_a_bounded_depth() {
    let mut source = String::from("from alembic import op\n\n");
    for level in 0..6 {
        source.push_str(&format!("def h{level}():\n    h{}()\n\n", level + 1));
    }
    source.push_str("def h6():\n    op.drop_table('deep')\n\ndef upgrade():\n    h0()\n");
    let extraction = extract_upgrade_effects(&source);
    assert_eq!(extraction.effects.len(), 1);
    assert!(
        matches!(&extraction.effects[0].kind, EffectKind::Unknown { text, .. } if text == &format!("h{HELPER_DEPTH_MAX}()")),
        "{:?}",
        extraction.effects
    );
}

#[test]
fn enum_types_sqlalchemy_creates() {
    let all = effects(
        r#"from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

def upgrade():
    op.create_table("jobs", sa.Column("state", sa.Enum("queued", "done", name="job_state")), sa.Column("kind", postgresql.ENUM("a", name="job_kind", create_type=False)), sa.Column("v", sa.Enum("a", name="plain", native_enum=False)))
    sa.Enum("x", "y", name="flavour").create(op.get_bind(), checkfirst=True)
    priority = postgresql.ENUM("low", "high", name="priority", schema="app")
    priority.create(op.get_bind())
    op.add_column("jobs", sa.Column("priority", priority))
    sa.Enum(name="gone").drop(op.get_bind())
"#,
    );
    let names: Vec<String> = all
        .iter()
        .map(|k| match k {
            EffectKind::CreateEnum {
                schema,
                name,
                values,
            } => {
                format!("create {schema:?} {name} {values:?}")
            }
            EffectKind::DropObject { object } => format!("drop {}", object.name),
            other => format!("{other:?}")
                .split([' ', '{'])
                .next()
                .unwrap()
                .to_string(),
        })
        .collect();
    assert_eq!(
        names,
        [
            r#"create None job_state Some(["queued", "done"])"#,
            "CreateTable",
            r#"create None flavour Some(["x", "y"])"#,
            r#"create Some("app") priority Some(["low", "high"])"#,
            "AddColumn",
            "drop gone",
        ]
    );
}

#[test]
fn autocommit_blocks_are_read() {
    let all = effects(
        "from alembic import op\n\ndef upgrade():\n    with op.get_context().autocommit_block():\n        op.execute('CREATE INDEX CONCURRENTLY ix_a ON a (b)')\n",
    );
    assert!(matches!(&all[..], [EffectKind::CreateIndex { name, .. }] if name == "ix_a"));
}

#[test]
fn helpers_defined_inside_upgrade_see_its_names() {
    let source = r#"from alembic import op
import sqlalchemy as sa

def upgrade():
    table = "runs"
    conn = op.get_bind()

    def _drop(column):
        op.drop_column(table, column)
        conn.execute(sa.text("UPDATE runs SET x = 1"))

    _drop("legacy")
"#;
    let all = effects(source);
    assert_eq!(
        all[0],
        EffectKind::DropColumn {
            table: t("runs"),
            column: "legacy".into()
        }
    );
    assert!(matches!(all[1], EffectKind::DataChange { .. }), "{all:?}");
    assert_eq!(all.len(), 2, "{all:?}");
}

#[test]
fn dialect_branches_take_the_postgresql_path() {
    let all = effects(
        r#"from alembic import op
import sqlalchemy as sa

def upgrade():
    dialect_name = op.get_bind().dialect.name
    conn = op.get_bind()
    if dialect_name == "postgresql":
        op.drop_column("a", "pg")
    if conn.dialect.name in ("mysql", "sqlite"):
        op.drop_column("a", "other")
    elif op.get_context().dialect.name != "mssql" and not dialect_name == "oracle":
        op.drop_column("a", "elif")
    else:
        op.drop_column("a", "else")
    if dialect_name == "sqlite":
        op.drop_column("a", "never")
    if dialect_name == "mysql":
        pass
    elif some_flag:
        op.drop_column("a", "flag")
    if context.is_offline_mode():
        op.drop_column("a", "offline")
"#,
    );
    let dropped: Vec<String> = all
        .iter()
        .map(|k| match k {
            EffectKind::DropColumn { column, .. } => column.clone(),
            EffectKind::Unknown { text, .. } => format!("unknown: {}", &text[..12]),
            other => format!("{other:?}"),
        })
        .collect();
    assert_eq!(
        dropped,
        [
            "pg",
            "elif",
            "unknown: if dialect_n",
            "unknown: if context.i"
        ]
    );
}
