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
    if conn.dialect.name == "postgresql":
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
    let expected_unknown_lines = [10, 11, 12, 14, 16, 17, 18, 19];
    for (i, line) in expected_unknown_lines.iter().enumerate() {
        assert_eq!(lines[i].0, *line, "{lines:?}");
        assert!(lines[i].1.starts_with("unknown: "), "{lines:?}");
    }
    assert!(lines[0].1.contains("op.execute(\"UPDATE users SET role"));
    assert_eq!(lines[1].1, "unknown: conn = op.get_bind()");
    assert!(lines[2].1.contains("for table in"));
    assert_eq!(lines.len(), expected_unknown_lines.len() + 1);
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
