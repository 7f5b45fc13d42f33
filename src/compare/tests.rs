use super::*;
use crate::schema::*;

fn s(text: &str) -> String {
    text.to_string()
}

fn column(table: &str, name: &str, position: i32, data_type: &str, nullable: bool) -> Column {
    Column {
        schema: "public".into(),
        table: table.into(),
        name: name.into(),
        position,
        data_type: data_type.into(),
        nullable,
        ..Column::default()
    }
}

fn constraint(table: &str, name: &str, kind: &str, definition: &str) -> Constraint {
    Constraint {
        schema: "public".into(),
        table: table.into(),
        name: s(name),
        kind: kind.into(),
        definition: s(definition),
        ..Constraint::default()
    }
}

fn index(table: &str, name: &str, definition: &str, constraint: Option<&str>) -> Index {
    Index {
        schema: "public".into(),
        table: table.into(),
        name: s(name),
        definition: s(definition),
        constraint: constraint.map(s),
        ..Index::default()
    }
}

fn table(name: &str) -> Table {
    Table {
        schema: "public".into(),
        name: s(name),
        kind: s("table"),
        owner: Some(s("app")),
        ..Table::default()
    }
}

/// A small database holding one or more objects of every kind.
fn base() -> Snapshot {
    let mut snapshot = Snapshot {
        format: SNAPSHOT_FORMAT,
        schemas: vec![Schema {
            name: s("public"),
            owner: Some(s("pg_database_owner")),
            acl: None,
        }],
        extensions: vec![Extension {
            name: s("pgcrypto"),
            schema: "public".into(),
            version: s("1.3"),
        }],
        enums: vec![EnumType {
            schema: "public".into(),
            name: s("user_role"),
            values: vec![s("admin"), s("member")],
            owner: Some(s("app")),
        }],
        domains: vec![Domain {
            schema: "public".into(),
            name: s("email_address"),
            data_type: s("text"),
            not_null: false,
            default: None,
            checks: vec![s("CHECK ((VALUE ~ '@'::text))")],
            owner: None,
            check_names: Some(vec![s("email_address_check")]),
        }],
        sequences: vec![Sequence {
            schema: "public".into(),
            name: s("invoice_number_seq"),
            data_type: s("bigint"),
            start: 1000,
            increment: 1,
            min: 1,
            max: i64::MAX,
            cycle: false,
            cache: Some(1),
            owned_by: None,
            owner: Some(s("app")),
            acl: None,
        }],
        tables: vec![
            table("users"),
            Table {
                kind: s("partitioned_table"),
                partition_key: Some(s("RANGE (created_at)")),
                ..table("events")
            },
            Table {
                partition_of: Some(s("public.events")),
                partition_bound: Some(s(
                    "FOR VALUES FROM ('2024-01-01 00:00:00') TO ('2025-01-01 00:00:00')",
                )),
                ..table("events_2024")
            },
            table("alembic_version"),
        ],
        columns: vec![
            Column {
                identity: Some("always".into()),
                ..column("users", "id", 1, "bigint", false)
            },
            column("users", "email", 2, "character varying(255)", false),
            Column {
                default: Some("'member'::user_role".into()),
                ..column("users", "role", 3, "user_role", false)
            },
            Column {
                default: Some("false".into()),
                ..column("users", "active", 4, "boolean", false)
            },
            Column {
                default: Some("now()".into()),
                ..column("users", "updated_at", 5, "timestamp with time zone", true)
            },
            column("events", "id", 1, "bigint", false),
            column("events", "created_at", 2, "timestamp without time zone", false),
            column("events_2024", "id", 1, "bigint", false),
            column("events_2024", "created_at", 2, "timestamp without time zone", false),
            column("alembic_version", "version_num", 1, "character varying(32)", false),
        ],
        constraints: vec![
            constraint("users", "users_pkey", "primary_key", "PRIMARY KEY (id)"),
            constraint("users", "users_email_key", "unique", "UNIQUE (email)"),
            constraint(
                "users",
                "users_email_check",
                "check",
                "CHECK (((email)::text ~~ '%@%'::text))",
            ),
            constraint("events_2024", "events_2024_pkey", "primary_key", "PRIMARY KEY (id, created_at)"),
            constraint("alembic_version", "alembic_version_pkc", "primary_key", "PRIMARY KEY (version_num)"),
        ],
        indexes: vec![
            index(
                "users",
                "users_pkey",
                "CREATE UNIQUE INDEX users_pkey ON public.users USING btree (id)",
                Some("users_pkey"),
            ),
            index(
                "users",
                "ix_users_active",
                "CREATE INDEX ix_users_active ON public.users USING btree (active)",
                None,
            ),
            index(
                "events_2024",
                "events_2024_created_at_idx",
                "CREATE INDEX events_2024_created_at_idx ON public.events_2024 USING btree (created_at)",
                None,
            ),
        ],
        views: vec![
            View {
                schema: "public".into(),
                name: s("active_users"),
                materialized: false,
                definition: s(" SELECT users.id,\n    users.email\n   FROM users\n  WHERE users.active;"),
                owner: Some(s("app")),
                acl: None,
                options: Some(vec![]),
            },
            View {
                schema: "public".into(),
                name: s("user_counts"),
                materialized: true,
                definition: s(" SELECT count(*) AS count\n   FROM users;"),
                owner: Some(s("app")),
                acl: None,
                options: None,
            },
        ],
        functions: vec![Function {
            schema: "public".into(),
            name: s("touch"),
            arguments: s(""),
            kind: s("function"),
            result: Some(s("trigger")),
            language: s("plpgsql"),
            definition: Some(s("CREATE OR REPLACE FUNCTION public.touch()\n RETURNS trigger\n LANGUAGE plpgsql\nAS $function$BEGIN NEW.updated_at := now(); RETURN NEW; END$function$\n")),
            owner: Some(s("app")),
            acl: None,
        }],
        triggers: vec![Trigger {
            schema: "public".into(),
            table: "users".into(),
            name: s("users_touch"),
            definition: s("CREATE TRIGGER users_touch BEFORE UPDATE ON public.users FOR EACH ROW EXECUTE FUNCTION touch()"),
            enabled: s("O"),
        }],
        policies: vec![Policy {
            schema: "public".into(),
            table: "users".into(),
            name: s("users_self"),
            command: s("SELECT"),
            permissive: true,
            roles: vec![s("app_user")],
            using: Some(s("(id = (current_setting('app.user_id'::text))::bigint)")),
            with_check: None,
        }],
        types: vec![
            user_type("address", "composite", &["street text", "city text"], None),
            user_type("floatrange", "range", &[], Some("subtype = double precision")),
            user_type("tiny", "base", &[], Some("input = tiny_in, output = tiny_out")),
        ],
        rules: vec![Rule {
            schema: "public".into(),
            table: "users".into(),
            name: s("no_delete"),
            definition: s("CREATE RULE no_delete AS ON DELETE TO public.users DO INSTEAD NOTHING;"),
            enabled: s("O"),
        }],
        event_triggers: vec![EventTrigger {
            name: s("audit_ddl"),
            schema: "public".into(),
            event: s("ddl_command_end"),
            tags: vec![s("CREATE TABLE")],
            function: s("public.audit"),
            enabled: s("O"),
            owner: Some(s("postgres")),
        }],
        ..Snapshot::default()
    };
    snapshot.sort();
    snapshot
}

fn table_named<'a>(snapshot: &'a mut Snapshot, name: &str) -> &'a mut Table {
    snapshot.tables.iter_mut().find(|t| t.name == name).unwrap()
}

fn summary(diff: &SchemaDiff) -> Vec<(Kind, String, Change)> {
    diff.entries
        .iter()
        .map(|e| (e.kind, e.object.clone(), e.change))
        .collect()
}

fn no_fold() -> DiffOptions {
    DiffOptions {
        ignore: IgnoreRules {
            fold_partitions: false,
            ..IgnoreRules::default()
        }
        .compile()
        .unwrap(),
        ..DiffOptions::default()
    }
}

#[test]
fn identical_snapshots_have_no_diff() {
    let diff = diff(&base(), &base(), &DiffOptions::default());
    assert_eq!(diff, SchemaDiff::default());
}

type Edit = fn(&mut Snapshot);

/// One object of each kind: how to remove it and how to change it.
fn per_kind_edits() -> Vec<(Kind, &'static str, Edit, Edit)> {
    vec![
        (
            Kind::Schema,
            "public",
            |s| s.schemas.clear(),
            |s| s.schemas[0].owner = Some("someone_else".into()),
        ),
        (
            Kind::Extension,
            "pgcrypto",
            |s| s.extensions.clear(),
            |s| s.extensions[0].schema = "extensions".into(),
        ),
        (
            Kind::Enum,
            "public.user_role",
            |s| s.enums.clear(),
            |s| s.enums[0].values.push("superuser".into()),
        ),
        (
            Kind::Domain,
            "public.email_address",
            |s| s.domains.clear(),
            |s| s.domains[0].not_null = true,
        ),
        (
            Kind::Sequence,
            "public.invoice_number_seq",
            |s| s.sequences.clear(),
            |s| s.sequences[0].increment = 10,
        ),
        (
            Kind::Table,
            "public.users",
            |s| s.tables.retain(|t| t.name != "users"),
            |s| {
                s.tables
                    .iter_mut()
                    .find(|t| t.name == "users")
                    .unwrap()
                    .rls_enabled = true
            },
        ),
        (
            Kind::Column,
            "public.users.active",
            |s| s.columns.retain(|c| c.name != "active"),
            |s| {
                s.columns
                    .iter_mut()
                    .find(|c| c.name == "active")
                    .unwrap()
                    .nullable = true
            },
        ),
        (
            Kind::Constraint,
            "public.users.users_email_check",
            |s| s.constraints.retain(|c| c.name != "users_email_check"),
            |s| {
                s.constraints
                    .iter_mut()
                    .find(|c| c.name == "users_email_check")
                    .unwrap()
                    .definition = "CHECK (((email)::text ~~ '%@%.%'::text))".into()
            },
        ),
        (
            Kind::Index,
            "public.ix_users_active",
            |s| s.indexes.retain(|i| i.name != "ix_users_active"),
            |s| {
                s.indexes
                    .iter_mut()
                    .find(|i| i.name == "ix_users_active")
                    .unwrap()
                    .definition =
                    "CREATE INDEX ix_users_active ON public.users USING btree (active) WHERE active"
                        .into()
            },
        ),
        (
            Kind::View,
            "public.active_users",
            |s| s.views.retain(|v| v.materialized),
            |s| {
                s.views
                    .iter_mut()
                    .find(|v| !v.materialized)
                    .unwrap()
                    .definition = " SELECT users.id\n   FROM users;".into()
            },
        ),
        (
            Kind::MaterializedView,
            "public.user_counts",
            |s| s.views.retain(|v| !v.materialized),
            |s| {
                s.views
                    .iter_mut()
                    .find(|v| v.materialized)
                    .unwrap()
                    .definition = " SELECT count(*) AS n\n   FROM users;".into()
            },
        ),
        (
            Kind::Function,
            "public.touch()",
            |s| s.functions.clear(),
            |s| {
                s.functions[0].definition = Some(
                    "CREATE OR REPLACE FUNCTION public.touch()\n RETURNS trigger\n LANGUAGE plpgsql\nAS $function$BEGIN RETURN NEW; END$function$\n".into(),
                )
            },
        ),
        (
            Kind::Trigger,
            "public.users.users_touch",
            |s| s.triggers.clear(),
            |s| s.triggers[0].enabled = "D".into(),
        ),
        (
            Kind::Policy,
            "public.users.users_self",
            |s| s.policies.clear(),
            |s| s.policies[0].roles = vec!["app_user".into(), "admin".into()],
        ),
        (
            Kind::CompositeType,
            "public.address",
            |s| s.types.retain(|t| t.name != "address"),
            |s| s.types[0].attributes.reverse(),
        ),
        (
            Kind::RangeType,
            "public.floatrange",
            |s| s.types.retain(|t| t.name != "floatrange"),
            |s| s.types[1].definition = Some("subtype = numeric".into()),
        ),
        (
            Kind::BaseType,
            "public.tiny",
            |s| s.types.retain(|t| t.name != "tiny"),
            |s| s.types[2].definition = Some("input = tiny_in, output = other_out".into()),
        ),
        (
            Kind::Rule,
            "public.users.no_delete",
            |s| s.rules.clear(),
            |s| s.rules[0].enabled = "D".into(),
        ),
        (
            Kind::EventTrigger,
            "audit_ddl",
            |s| s.event_triggers.clear(),
            |s| s.event_triggers[0].tags.clear(),
        ),
    ]
}

#[test]
fn every_kind_only_local_only_production_and_differs() {
    let options = DiffOptions {
        include_owners: true, // schemas differ by owner only
        ..DiffOptions::default()
    };
    let edits = per_kind_edits();
    // Properties (extension versions, storage parameters) are never alone:
    // tests of their own below.
    let kinds = Kind::ALL.iter().filter(|k| k.property_of().is_none());
    assert_eq!(edits.len(), kinds.count(), "one edit per kind");
    for (kind, object, remove, change) in edits {
        let mut without = base();
        remove(&mut without);
        let found = diff(&base(), &without, &options);
        assert_eq!(
            summary(&found),
            vec![(kind, object.to_string(), Change::OnlyLocal)],
            "{kind:?} removed from production"
        );
        assert!(found.entries[0].local.is_some() && found.entries[0].production.is_none());

        let found = diff(&without, &base(), &options);
        assert_eq!(
            summary(&found),
            vec![(kind, object.to_string(), Change::OnlyProduction)],
            "{kind:?} removed from local"
        );
        assert!(found.entries[0].local.is_none() && found.entries[0].production.is_some());

        let mut changed = base();
        change(&mut changed);
        let found = diff(&base(), &changed, &options);
        assert_eq!(
            summary(&found),
            vec![(kind, object.to_string(), Change::Differs)],
            "{kind:?} changed in production"
        );
        let entry = &found.entries[0];
        assert_ne!(
            entry.local, entry.production,
            "{kind:?} shows both definitions"
        );
        assert!(entry.local.is_some() && entry.production.is_some());
        assert_eq!(found.ignored, BTreeMap::new());
    }
}

#[test]
fn column_definition_is_one_human_line() {
    let mut production = base();
    production.columns.retain(|c| c.name != "active");
    let found = diff(&base(), &production, &DiffOptions::default());
    assert_eq!(
        found.entries,
        vec![DiffEntry {
            kind: Kind::Column,
            object: s("public.users.active"),
            change: Change::OnlyLocal,
            local: Some(s("boolean not null default false")),
            production: None,
        }]
    );
    let json = serde_json::to_value(&found.entries[0]).unwrap();
    assert_eq!(
        json,
        serde_json::json!({"kind": "column", "object": "public.users.active", "change": "only_local",
            "local": "boolean not null default false", "production": null})
    );
}

#[test]
fn missing_table_is_exactly_one_entry() {
    let mut production = base();
    production.tables.retain(|t| t.name != "users");
    production.columns.retain(|c| c.table != "users");
    production.constraints.retain(|c| c.table != "users");
    production.indexes.retain(|i| i.table != "users");
    production.triggers.retain(|t| t.table != "users");
    production.policies.retain(|p| p.table != "users");
    let found = diff(&base(), &production, &DiffOptions::default());
    assert_eq!(
        found.entries,
        vec![DiffEntry {
            kind: Kind::Table,
            object: s("public.users"),
            change: Change::OnlyLocal,
            local: Some(s("table (id, email, role, active, updated_at)")),
            production: None,
        }]
    );
    assert!(found.ignored.is_empty());

    // And the other way round.
    let found = diff(&production, &base(), &DiffOptions::default());
    assert_eq!(
        summary(&found),
        vec![(Kind::Table, s("public.users"), Change::OnlyProduction)]
    );
}

#[test]
fn owned_sequence_of_a_missing_table_is_part_of_it() {
    let mut local = base();
    local.tables.push(table("invoices"));
    local
        .columns
        .push(column("invoices", "id", 1, "integer", false));
    local.sequences.push(Sequence {
        schema: "public".into(),
        name: s("invoices_id_seq"),
        data_type: s("integer"),
        start: 1,
        increment: 1,
        min: 1,
        max: i32::MAX.into(),
        owned_by: Some(s("public.invoices.id")),
        ..Sequence::default()
    });
    let found = diff(&local, &base(), &DiffOptions::default());
    assert_eq!(
        summary(&found),
        vec![(Kind::Table, s("public.invoices"), Change::OnlyLocal)]
    );
}

#[test]
fn missing_schema_is_exactly_one_entry() {
    let mut local = base();
    local.schemas.push(Schema {
        name: s("audit"),
        ..Schema::default()
    });
    local.tables.push(Table {
        schema: "audit".into(),
        ..table("log")
    });
    local.columns.push(Column {
        schema: "audit".into(),
        ..column("log", "id", 1, "bigint", false)
    });
    let found = diff(&local, &base(), &DiffOptions::default());
    assert_eq!(
        summary(&found),
        vec![(Kind::Schema, s("audit"), Change::OnlyLocal)]
    );
}

#[test]
fn added_enum_value_is_exactly_one_entry() {
    let mut local = base();
    local.enums[0].values.push(s("superuser"));
    let found = diff(&local, &base(), &DiffOptions::default());
    assert_eq!(
        found.entries,
        vec![DiffEntry {
            kind: Kind::Enum,
            object: s("public.user_role"),
            change: Change::Differs,
            local: Some(s("enum ('admin', 'member', 'superuser')")),
            production: Some(s("enum ('admin', 'member')")),
        }]
    );
}

#[test]
fn column_order_is_reported_only_when_strict() {
    let mut production = base();
    for column in production.columns.iter_mut().filter(|c| c.table == "users") {
        column.position = match column.name.as_str() {
            "email" => 4,
            "active" => 2,
            _ => column.position,
        };
    }
    assert!(diff(&base(), &production, &DiffOptions::default()).is_empty());

    let strict = DiffOptions {
        strict_column_order: true,
        ..DiffOptions::default()
    };
    let found = diff(&base(), &production, &strict);
    assert_eq!(
        found.entries,
        vec![DiffEntry {
            kind: Kind::Table,
            object: s("public.users"),
            change: Change::Differs,
            local: Some(s("column order: id, email, role, active, updated_at")),
            production: Some(s("column order: id, active, role, email, updated_at")),
        }]
    );
}

#[test]
fn dropped_column_gaps_are_not_an_order_difference() {
    let mut production = base();
    for column in production.columns.iter_mut().filter(|c| c.table == "users") {
        column.position += 3; // attnum gaps left by dropped columns
    }
    let strict = DiffOptions {
        strict_column_order: true,
        ..DiffOptions::default()
    };
    assert!(diff(&base(), &production, &strict).is_empty());
}

#[test]
fn generated_constraint_and_index_names_are_not_drift() {
    // Both sides unnamed in their migrations: PostgreSQL generated the names,
    // differently (a collision suffix, another spelling of the check).
    let mut local = base();
    for index in &mut local.indexes {
        if index.name == "ix_users_active" {
            index.name = s("users_active_idx");
            index.definition =
                s("CREATE INDEX users_active_idx ON public.users USING btree (active)");
        }
    }
    let mut production = local.clone();
    for constraint in &mut production.constraints {
        if constraint.name == "users_email_key" {
            constraint.name = s("users_email_key1");
        }
        if constraint.name == "users_email_check" {
            constraint.name = s("users_email_check1");
            // The server writes the same check with other casts and parentheses.
            constraint.definition = s("CHECK ((email ~~ '%@%'::character varying))");
        }
    }
    for index in &mut production.indexes {
        if index.name == "users_active_idx" {
            index.name = s("users_active_idx1");
            index.definition =
                s("CREATE INDEX users_active_idx1 ON public.users USING btree (active)");
        }
    }
    let found = diff(&local, &production, &DiffOptions::default());
    assert!(found.is_empty(), "{:?}", found.entries);
}

#[test]
fn a_chosen_name_against_another_name_is_one_rename() {
    let mut production = base();
    for constraint in &mut production.constraints {
        if constraint.name == "users_email_key" {
            constraint.name = s("uq_users_email");
        }
    }
    for index in &mut production.indexes {
        if index.name == "ix_users_active" {
            index.name = s("users_active_idx");
            index.definition =
                s("CREATE INDEX users_active_idx ON public.users USING btree (active)");
        }
    }
    let found = diff(&base(), &production, &DiffOptions::default());
    assert_eq!(
        summary(&found),
        vec![
            (
                Kind::Constraint,
                s("public.users.users_email_key"),
                Change::Differs
            ),
            (Kind::Index, s("public.ix_users_active"), Change::Differs),
        ]
    );
    let rename = &found.entries[0];
    assert_eq!(
        rename.production.as_deref(),
        Some("named uq_users_email: UNIQUE (email)")
    );
    assert_eq!(
        rename.local.as_deref(),
        Some("named users_email_key: UNIQUE (email)")
    );
}

#[test]
fn renamed_index_with_another_definition_is_reported_both_ways() {
    let mut production = base();
    for index in &mut production.indexes {
        if index.name == "ix_users_active" {
            index.name = s("users_active_idx");
            index.definition =
                s("CREATE INDEX users_active_idx ON public.users USING hash (active)");
        }
    }
    let found = diff(&base(), &production, &DiffOptions::default());
    assert_eq!(
        summary(&found),
        vec![
            (Kind::Index, s("public.ix_users_active"), Change::OnlyLocal),
            (
                Kind::Index,
                s("public.users_active_idx"),
                Change::OnlyProduction
            ),
        ]
    );
}

#[test]
fn same_name_on_another_table_is_not_paired() {
    let mut production = base();
    for constraint in &mut production.constraints {
        if constraint.name == "users_email_key" {
            constraint.name = s("uq_email");
            constraint.table = "events".into();
        }
    }
    let found = diff(&base(), &production, &DiffOptions::default());
    assert_eq!(found.entries.len(), 2, "{:?}", found.entries);
}

#[test]
fn defaults_differing_in_casts_and_formatting_are_equal() {
    let mut local = base();
    let mut production = base();
    local.columns.push(Column {
        default: Some("'pending'::character varying".into()),
        ..column("users", "status", 6, "character varying(20)", false)
    });
    production.columns.push(Column {
        default: Some("('pending'::text)".into()),
        ..column("users", "status", 6, "character varying(20)", false)
    });
    local.columns.push(Column {
        default: Some("(  now()  )".into()),
        ..column("users", "created_at", 7, "timestamp with time zone", false)
    });
    production.columns.push(Column {
        default: Some("now()".into()),
        ..column("users", "created_at", 7, "timestamp with time zone", false)
    });
    assert!(diff(&local, &production, &DiffOptions::default()).is_empty());

    // Another spelling of the same value is not drift either.
    production.columns.last_mut().unwrap().default = Some("CURRENT_TIMESTAMP".into());
    assert!(diff(&local, &production, &DiffOptions::default()).is_empty());

    // A different value is still drift.
    production.columns.last_mut().unwrap().default = Some("clock_timestamp()".into());
    let found = diff(&local, &production, &DiffOptions::default());
    assert_eq!(
        summary(&found),
        vec![(Kind::Column, s("public.users.created_at"), Change::Differs)]
    );
    assert_eq!(
        found.entries[0].local.as_deref(),
        Some("timestamp with time zone not null default ( now() )")
    );
}

#[test]
fn owners_and_grants_are_off_by_default() {
    let mut production = base();
    for table in &mut production.tables {
        table.owner = Some(s("postgres"));
        table.acl = Some(s("{postgres=arwdDxt/postgres,reader=r/postgres}"));
    }
    production.functions[0].owner = Some(s("postgres"));
    assert!(diff(&base(), &production, &DiffOptions::default()).is_empty());

    let all = DiffOptions {
        include_owners: true,
        include_privileges: true,
        ..DiffOptions::default()
    };
    let found = diff(&base(), &production, &all);
    let kinds: BTreeSet<Kind> = found.entries.iter().map(|e| e.kind).collect();
    assert_eq!(kinds, BTreeSet::from([Kind::Table, Kind::Function]));
    let users = found
        .entries
        .iter()
        .find(|e| e.object == "public.users")
        .unwrap();
    assert_eq!(users.local.as_deref(), Some("table, owner app"));
    assert_eq!(
        users.production.as_deref(),
        Some("table, owner postgres, grants {postgres=arwdDxt/postgres,reader=r/postgres}")
    );
}

#[test]
fn version_table_is_excluded() {
    let mut production = base();
    production.tables.retain(|t| t.name != "alembic_version");
    production.columns.retain(|c| c.table != "alembic_version");
    production
        .constraints
        .retain(|c| c.table != "alembic_version");
    let found = diff(&base(), &production, &DiffOptions::default());
    assert_eq!(found, SchemaDiff::default());

    // Under another name it is an ordinary table; the option names the real one.
    let mut local = base();
    for t in &mut local.tables {
        if t.name == "alembic_version" {
            t.schema = "meta".into();
        }
    }
    let options = DiffOptions {
        version_table: s("meta.alembic_version"),
        ..DiffOptions::default()
    };
    let found = diff(&local, &base(), &options);
    assert_eq!(
        summary(&found),
        vec![(
            Kind::Table,
            s("public.alembic_version"),
            Change::OnlyProduction
        )]
    );
}

fn with_rules(rules: &str) -> DiffOptions {
    let rules: IgnoreRules = toml::from_str(rules).unwrap();
    DiffOptions {
        ignore: rules.compile().unwrap(),
        ..DiffOptions::default()
    }
}

#[test]
fn ignored_table_is_counted_not_reported() {
    let mut local = base();
    local.schemas.push(Schema {
        name: s("audit"),
        ..Schema::default()
    });
    let mut production = local.clone();
    for name in ["events_2024_01", "events_2025_01"] {
        local.tables.push(Table {
            schema: "audit".into(),
            ..table(name)
        });
        local.columns.push(Column {
            schema: "audit".into(),
            ..column(name, "id", 1, "bigint", false)
        });
    }
    // Present on both sides but different: its columns are ignored with it.
    for snapshot in [&mut local, &mut production] {
        snapshot.tables.push(Table {
            schema: "audit".into(),
            ..table("log_2024")
        });
    }
    local.columns.push(Column {
        schema: "audit".into(),
        ..column("log_2024", "id", 1, "bigint", false)
    });
    production.columns.push(Column {
        schema: "audit".into(),
        ..column("log_2024", "id", 1, "integer", false)
    });

    let found = diff(
        &local,
        &production,
        &with_rules(r#"tables = ["audit.*_2024*"]"#),
    );
    assert_eq!(
        summary(&found),
        vec![(Kind::Table, s("audit.events_2025_01"), Change::OnlyLocal)]
    );
    assert_eq!(
        found.ignored,
        BTreeMap::from([(s("table"), 1), (s("column"), 1)])
    );
}

#[test]
fn ignored_columns_are_counted() {
    let mut production = base();
    production.columns.retain(|c| c.name != "updated_at");
    production.columns.push(Column {
        schema: "public".into(),
        ..column("events", "updated_at", 3, "timestamp", true)
    });
    let found = diff(
        &base(),
        &production,
        &with_rules(r#"columns = ["public.*.updated_at"]"#),
    );
    assert!(found.is_empty(), "{:?}", found.entries);
    assert_eq!(found.ignored, BTreeMap::from([(s("column"), 2)]));
}

#[test]
fn ignore_rules_for_other_kinds() {
    let mut production = base();
    production.indexes.retain(|i| i.name != "ix_users_active");
    production
        .constraints
        .retain(|c| c.name != "users_email_check");
    production.triggers.clear();
    production.policies.clear();
    production.functions.clear();
    production.views.clear();
    let found = diff(
        &base(),
        &production,
        &with_rules(
            r#"
indexes = ["public.ix_*"]
constraints = ["*.users.*_check"]
triggers = ["public.users.*"]
policies = ["*"]
functions = ["public.touch(*)"]
views = ["public.active_users"]
"#,
        ),
    );
    assert_eq!(
        summary(&found),
        vec![(
            Kind::MaterializedView,
            s("public.user_counts"),
            Change::OnlyLocal
        )]
    );
    assert_eq!(
        found.ignored,
        BTreeMap::from([
            (s("constraint"), 1),
            (s("function"), 1),
            (s("index"), 1),
            (s("policy"), 1),
            (s("trigger"), 1),
            (s("view"), 1),
        ])
    );
}

#[test]
fn partitions_are_folded_into_their_parent() {
    let mut local = base();
    // A partition only in local, with its own column and index.
    local.tables.push(Table {
        partition_of: Some(s("public.events")),
        partition_bound: Some(s("FOR VALUES FROM ('2025-01-01') TO ('2026-01-01')")),
        ..table("events_2025")
    });
    local
        .columns
        .push(column("events_2025", "id", 1, "bigint", false));
    local.columns.push(column(
        "events_2025",
        "created_at",
        2,
        "timestamp without time zone",
        false,
    ));
    // And an index that only one side's existing partition has.
    let mut production = base();
    production.indexes.retain(|i| i.table != "events_2024");

    let found = diff(&local, &production, &DiffOptions::default());
    assert!(found.is_empty(), "{:?}", found.entries);
    assert_eq!(
        found.ignored,
        BTreeMap::from([(s("table"), 1), (s("index"), 1)])
    );

    let found = diff(&local, &production, &no_fold());
    assert_eq!(
        summary(&found),
        vec![
            (Kind::Table, s("public.events_2025"), Change::OnlyLocal),
            (
                Kind::Index,
                s("public.events_2024_created_at_idx"),
                Change::OnlyLocal
            ),
        ]
    );
    assert!(found.ignored.is_empty());
}

#[test]
fn missing_partitioned_table_is_one_entry_with_its_partitions() {
    let mut production = base();
    production.tables.retain(|t| !t.name.starts_with("events"));
    production
        .columns
        .retain(|c| !c.table.starts_with("events"));
    production
        .constraints
        .retain(|c| !c.table.starts_with("events"));
    production
        .indexes
        .retain(|i| !i.table.starts_with("events"));
    for options in [DiffOptions::default(), no_fold()] {
        let found = diff(&base(), &production, &options);
        assert_eq!(
            summary(&found),
            vec![(Kind::Table, s("public.events"), Change::OnlyLocal)]
        );
        assert!(found.ignored.is_empty());
    }
}

#[test]
fn ignored_schema_hides_its_objects() {
    let mut local = base();
    local.tables.push(Table {
        schema: "scratch".into(),
        ..table("tmp")
    });
    let found = diff(&local, &base(), &with_rules(r#"schemas = ["scratch"]"#));
    assert!(found.is_empty());
    assert_eq!(found.ignored, BTreeMap::from([(s("table"), 1)]));
}

#[test]
fn function_body_unreadable_on_one_side_compares_signature_only() {
    let mut production = base();
    production.functions[0].definition = None;
    assert!(diff(&base(), &production, &DiffOptions::default()).is_empty());
    production.functions[0].language = s("sql");
    assert_eq!(
        diff(&base(), &production, &DiffOptions::default())
            .entries
            .len(),
        1
    );
}

#[test]
fn entries_are_sorted_by_kind_then_object() {
    let mut production = base();
    production.policies.clear();
    production
        .columns
        .retain(|c| c.name != "email" && c.name != "active");
    production.enums.clear();
    production.indexes.retain(|i| i.name != "ix_users_active");
    let found = diff(&base(), &production, &DiffOptions::default());
    assert_eq!(
        summary(&found),
        vec![
            (Kind::Enum, s("public.user_role"), Change::OnlyLocal),
            (Kind::Column, s("public.users.active"), Change::OnlyLocal),
            (Kind::Column, s("public.users.email"), Change::OnlyLocal),
            (Kind::Index, s("public.ix_users_active"), Change::OnlyLocal),
            (
                Kind::Policy,
                s("public.users.users_self"),
                Change::OnlyLocal
            ),
        ]
    );
    let again = diff(&base(), &production, &DiffOptions::default());
    assert_eq!(found, again);
}

#[test]
fn extension_versions_differ_unless_an_ignore_rule_says_otherwise() {
    let mut production = base();
    production.extensions[0].version = s("1.2");
    let found = diff(&base(), &production, &DiffOptions::default());
    assert_eq!(
        found.entries,
        vec![DiffEntry {
            kind: Kind::ExtensionVersion,
            object: s("pgcrypto"),
            change: Change::Differs,
            local: Some(s("version 1.3")),
            production: Some(s("version 1.2")),
        }]
    );
    for rules in [
        r#"extension_versions = ["*"]"#,
        r#"extensions = ["pgcrypto"]"#,
    ] {
        let found = diff(&base(), &production, &with_rules(rules));
        assert!(found.is_empty(), "{rules}");
        assert_eq!(
            found.ignored,
            BTreeMap::from([(s("extension_version"), 1)]),
            "{rules}"
        );
    }
    // An extension on one side only is one entry, its version no other.
    production.extensions.clear();
    assert_eq!(
        summary(&diff(&base(), &production, &DiffOptions::default())),
        vec![(Kind::Extension, s("pgcrypto"), Change::OnlyLocal)]
    );
}

#[test]
fn storage_parameters_are_their_own_warning_entry_and_ignorable() {
    let mut production = base();
    table_named(&mut production, "users").options = vec![s("fillfactor=70")];
    let found = diff(&base(), &production, &DiffOptions::default());
    assert_eq!(
        found.entries,
        vec![DiffEntry {
            kind: Kind::StorageParameters,
            object: s("public.users"),
            change: Change::Differs,
            local: Some(s("none")),
            production: Some(s("fillfactor=70")),
        }]
    );
    assert!(Kind::StorageParameters.is_warning() && !Kind::Table.is_warning());
    for rules in [
        r#"storage_parameters = ["public.*"]"#,
        r#"tables = ["public.users"]"#,
    ] {
        let found = diff(&base(), &production, &with_rules(rules));
        assert!(found.is_empty(), "{rules}");
        assert_eq!(
            found.ignored,
            BTreeMap::from([(s("storage_parameters"), 1)])
        );
    }
    // A table on one side only carries its parameters in that one entry.
    let mut local = base();
    local.tables.push(Table {
        options: vec![s("autovacuum_enabled=false")],
        ..table("scratch")
    });
    assert_eq!(
        summary(&diff(&local, &base(), &DiffOptions::default())),
        vec![(Kind::Table, s("public.scratch"), Change::OnlyLocal)]
    );
}

#[test]
fn persistence_inheritance_and_replica_identity_are_table_properties() {
    let mut production = base();
    let users = table_named(&mut production, "users");
    users.unlogged = true;
    users.inherits = vec![s("public.base")];
    users.replica_identity = Some(s("full"));
    let found = diff(&base(), &production, &DiffOptions::default());
    assert_eq!(
        summary(&found),
        vec![(Kind::Table, s("public.users"), Change::Differs)]
    );
    assert_eq!(found.entries[0].local.as_deref(), Some("table"));
    assert_eq!(
        found.entries[0].production.as_deref(),
        Some("unlogged table, inherits public.base, replica identity full")
    );
}

fn user_type(name: &str, kind: &str, attributes: &[&str], definition: Option<&str>) -> UserType {
    UserType {
        schema: "public".into(),
        name: s(name),
        kind: s(kind),
        attributes: attributes.iter().map(|a| s(a)).collect(),
        definition: definition.map(s),
        owner: Some(s("app")),
    }
}

#[test]
fn composite_range_and_base_types_compare_their_definitions() {
    let local = base();
    let mut production = local.clone();
    assert!(diff(&local, &production, &DiffOptions::default()).is_empty());
    production.types[0].attributes.reverse();
    production.types[1].definition = Some(s("subtype = numeric"));
    production.types[2].definition = Some(s("input = tiny_in, output = tiny_out, passedbyvalue"));
    let found = diff(&local, &production, &DiffOptions::default());
    assert_eq!(
        summary(&found),
        vec![
            (Kind::CompositeType, s("public.address"), Change::Differs),
            (Kind::RangeType, s("public.floatrange"), Change::Differs),
            (Kind::BaseType, s("public.tiny"), Change::Differs),
        ]
    );
    assert_eq!(
        found.entries[0].production.as_deref(),
        Some("composite (city text, street text)")
    );
    production.types.clear();
    let found = diff(
        &local,
        &production,
        &with_rules(r#"composite_types = ["*"]"#),
    );
    assert_eq!(found.entries.len(), 2);
    assert_eq!(found.ignored, BTreeMap::from([(s("composite_type"), 1)]));
}

#[test]
fn rules_and_event_triggers_are_compared_with_their_enabled_state() {
    let local = base();
    let mut production = local.clone();
    assert!(diff(&local, &production, &DiffOptions::default()).is_empty());
    production.rules[0].enabled = s("D");
    production.event_triggers[0].enabled = s("D");
    let found = diff(&local, &production, &DiffOptions::default());
    assert_eq!(
        summary(&found),
        vec![
            (Kind::Rule, s("public.users.no_delete"), Change::Differs),
            (Kind::EventTrigger, s("audit_ddl"), Change::Differs),
        ]
    );
    assert_eq!(
        found.entries[1].production.as_deref(),
        Some("on ddl_command_end when tag in ('CREATE TABLE') execute function public.audit (disabled)")
    );
    // A rule on a table that is ignored goes with it.
    let found = diff(
        &local,
        &production,
        &with_rules(r#"tables = ["public.users"]"#),
    );
    assert_eq!(
        summary(&found),
        vec![(Kind::EventTrigger, s("audit_ddl"), Change::Differs)]
    );
}

#[test]
fn comments_are_compared_only_when_asked_for() {
    let mut production = base();
    table_named(&mut production, "users").comment = Some(s("people"));
    production
        .columns
        .iter_mut()
        .find(|c| c.table == "users" && c.name == "email")
        .unwrap()
        .comment = Some("login".into());
    production.comments = vec![Comment {
        kind: s("view"),
        object: s("public.active_users"),
        schema: "public".into(),
        text: s("who is active"),
    }];
    assert!(diff(&base(), &production, &DiffOptions::default()).is_empty());
    let with_comments = DiffOptions {
        include_comments: true,
        ..DiffOptions::default()
    };
    let found = diff(&base(), &production, &with_comments);
    assert_eq!(
        summary(&found),
        vec![
            (Kind::Table, s("public.users"), Change::Differs),
            (Kind::Column, s("public.users.email"), Change::Differs),
            (Kind::View, s("public.active_users"), Change::Differs),
        ]
    );
    assert!(found.entries[2]
        .production
        .as_deref()
        .unwrap()
        .ends_with(", comment 'who is active'"));
}

#[test]
fn folded_partitions_are_listed_by_name() {
    let mut production = base();
    production.tables.push(Table {
        partition_of: Some(s("public.events")),
        partition_bound: Some(s("FOR VALUES FROM ('2025-01-01') TO ('2026-01-01')")),
        ..table("events_2025")
    });
    production
        .indexes
        .iter_mut()
        .find(|i| i.name == "events_2024_created_at_idx")
        .unwrap()
        .definition =
        s("CREATE INDEX events_2024_created_at_idx ON public.events_2024 USING hash (created_at)");
    let found = diff(&base(), &production, &DiffOptions::default());
    assert!(found.is_empty());
    assert_eq!(
        found.ignored,
        BTreeMap::from([(s("index"), 1), (s("table"), 1)])
    );
    assert_eq!(
        found.folded_partitions,
        vec![s("public.events_2024"), s("public.events_2025")]
    );
    let found = diff(&base(), &production, &no_fold());
    assert_eq!(
        summary(&found),
        vec![
            (Kind::Table, s("public.events_2025"), Change::OnlyProduction),
            (
                Kind::Index,
                s("public.events_2024_created_at_idx"),
                Change::Differs
            ),
        ]
    );
    assert!(found.folded_partitions.is_empty());
}

#[test]
fn a_view_on_one_side_only_carries_its_rules_and_triggers() {
    let mut local = base();
    local.views.push(View {
        schema: "public".into(),
        name: s("writable"),
        materialized: false,
        definition: s(" SELECT users.id FROM users;"),
        owner: None,
        acl: None,
        options: Some(vec![]),
    });
    local.rules.push(Rule {
        schema: "public".into(),
        table: "writable".into(),
        name: s("no_insert"),
        definition: s("CREATE RULE no_insert AS ON INSERT TO public.writable DO INSTEAD NOTHING;"),
        enabled: s("O"),
    });
    assert_eq!(
        summary(&diff(&local, &base(), &DiffOptions::default())),
        vec![(Kind::View, s("public.writable"), Change::OnlyLocal)]
    );
}

#[test]
fn sequence_cache_is_compared_when_both_sides_read_it() {
    let local = base();
    let mut production = local.clone();
    production.sequences[0].cache = Some(20);
    let found = diff(&local, &production, &DiffOptions::default());
    assert_eq!(
        summary(&found),
        vec![(
            Kind::Sequence,
            s("public.invoice_number_seq"),
            Change::Differs
        )]
    );
    assert!(found.entries[0]
        .production
        .as_deref()
        .is_some_and(|d| d.ends_with(" cache 20")));
    // A snapshot taken before CACHE was read compares without it.
    production.sequences[0].cache = None;
    assert!(diff(&local, &production, &DiffOptions::default()).is_empty());
}

fn aggregate(definition: Option<&str>) -> Function {
    Function {
        schema: "public".into(),
        name: s("total"),
        arguments: s("integer"),
        kind: s("aggregate"),
        result: Some(s("integer")),
        language: s("internal"),
        definition: definition.map(s),
        owner: None,
        acl: None,
    }
}

#[test]
fn aggregate_definition_is_compared() {
    let mut local = base();
    local.functions.push(aggregate(Some(
        "CREATE AGGREGATE public.total(integer) (SFUNC = int4pl, STYPE = integer)",
    )));
    let mut production = base();
    production.functions.push(aggregate(Some(
        "CREATE AGGREGATE public.total(integer) (SFUNC = int4pl, STYPE = integer, INITCOND = '0')",
    )));
    let found = diff(&local, &production, &DiffOptions::default());
    assert_eq!(
        summary(&found),
        vec![(Kind::Function, s("public.total(integer)"), Change::Differs)]
    );
    assert!(found.entries[0]
        .production
        .as_deref()
        .is_some_and(|d| d.contains("INITCOND = '0'")));
    // Read before aggregates had a definition: the signature only.
    production.functions[1] = aggregate(None);
    assert!(diff(&local, &production, &DiffOptions::default()).is_empty());
}

#[test]
fn domain_check_names_are_compared_unless_both_generated() {
    let local = base();
    let mut production = local.clone();
    production.domains[0].check_names = Some(vec![s("email_address_check1")]);
    assert!(diff(&local, &production, &DiffOptions::default()).is_empty());
    production.domains[0].check_names = Some(vec![s("ck_email_has_at")]);
    let found = diff(&local, &production, &DiffOptions::default());
    assert_eq!(
        summary(&found),
        vec![(Kind::Domain, s("public.email_address"), Change::Differs)]
    );
    assert!(found.entries[0]
        .production
        .as_deref()
        .is_some_and(|d| d.contains("constraint ck_email_has_at CHECK")));
    // Read before the names were: compared without them.
    production.domains[0].check_names = None;
    assert!(diff(&local, &production, &DiffOptions::default()).is_empty());
}

#[test]
fn view_options_are_compared_when_both_sides_read_them() {
    let local = base();
    let mut production = local.clone();
    production.views[0].options = Some(vec![s("check_option=cascaded")]);
    let found = diff(&local, &production, &DiffOptions::default());
    assert_eq!(
        summary(&found),
        vec![(Kind::View, s("public.active_users"), Change::Differs)]
    );
    assert!(found.entries[0]
        .production
        .as_deref()
        .is_some_and(|d| d.starts_with("with (check_option=cascaded) SELECT")));
    production.views[0].options = None;
    assert!(diff(&local, &production, &DiffOptions::default()).is_empty());
}
