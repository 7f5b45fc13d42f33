//! `compare::diff` on snapshots read from real PostgreSQL databases, so the
//! normalisation is checked against what the server really writes in its
//! catalog (casts it adds, generated names, reformatted expressions).

mod common;

use std::collections::BTreeMap;

use common::cluster::Cluster;
use driftcheck::compare::{diff, Change, DiffEntry, DiffOptions, Kind, SchemaDiff};
use driftcheck::database::{self, ReadOptions, Role};
use driftcheck::schema::Snapshot;

fn read(cluster: &Cluster, db: &str) -> Snapshot {
    let target = database::parse_target(&cluster.url(db), Role::Local).unwrap();
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(database::read_database(&target, &ReadOptions::default()))
        .unwrap_or_else(|e| panic!("read {db}: {e}"))
}

/// Written the way a first migration might: constraints and indexes unnamed,
/// defaults without casts.
const LOCAL: &str = r#"
CREATE TYPE user_role AS ENUM ('admin', 'member');
CREATE TABLE users (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    email varchar(255) NOT NULL UNIQUE,
    status varchar(20) NOT NULL DEFAULT 'pending',
    role user_role NOT NULL DEFAULT 'member',
    active boolean NOT NULL DEFAULT false,
    CHECK (status IN ('pending', 'active'))
);
CREATE INDEX ON users (lower(email));
CREATE TABLE events (id bigint NOT NULL, created_at timestamp NOT NULL) PARTITION BY RANGE (created_at);
CREATE TABLE events_2024 PARTITION OF events FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
CREATE TABLE alembic_version (version_num varchar(32) NOT NULL,
    CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num));
INSERT INTO alembic_version VALUES ('20251230_1643');
"#;

/// The same schema as production got it: generated names spelled out or with a
/// collision suffix, explicit casts and
/// parentheses, columns in another order, one more partition, another
/// version row.
const PRODUCTION: &str = r#"
CREATE TYPE user_role AS ENUM ('admin', 'member');
CREATE TABLE users (
    id bigint GENERATED ALWAYS AS IDENTITY,
    active boolean NOT NULL DEFAULT (false),
    email varchar(255) NOT NULL,
    role user_role NOT NULL DEFAULT 'member'::user_role,
    status varchar(20) NOT NULL DEFAULT ('pending'::text),
    CONSTRAINT users_pkey PRIMARY KEY (id),
    UNIQUE (email),
    CONSTRAINT users_status_check1 CHECK (status::text = ANY (ARRAY['pending'::text, 'active'::text]))
);
CREATE INDEX users_lower_idx1 ON users (lower(email));
CREATE TABLE events (id bigint NOT NULL, created_at timestamp NOT NULL) PARTITION BY RANGE (created_at);
CREATE TABLE events_2024 PARTITION OF events FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
CREATE TABLE events_2025 PARTITION OF events FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
CREATE TABLE alembic_version (version_num varchar(32) NOT NULL,
    CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num));
INSERT INTO alembic_version VALUES ('20251230_1900');
"#;

#[test]
fn same_schema_written_differently_is_not_drift() {
    let cluster = Cluster::start();
    cluster.create_database("local");
    cluster.create_database("production");
    cluster.psql("local", LOCAL);
    cluster.psql("production", PRODUCTION);

    let found = diff(
        &read(&cluster, "local"),
        &read(&cluster, "production"),
        &DiffOptions::default(),
    );
    assert_eq!(found.entries, Vec::<DiffEntry>::new());
    // The extra partition is folded into its parent, counted and named.
    assert_eq!(found.ignored, BTreeMap::from([("table".to_string(), 1)]));
    assert_eq!(found.folded_partitions, ["public.events_2025"]);
}

#[test]
fn real_drift_is_one_entry_per_cause() {
    let cluster = Cluster::start();
    cluster.create_database("local");
    cluster.create_database("production");
    cluster.psql("local", LOCAL);
    cluster.psql("production", LOCAL);
    // What the newer migrations did locally only.
    cluster.psql(
        "local",
        r#"
ALTER TYPE user_role ADD VALUE 'superuser';
ALTER TABLE users ADD COLUMN email_bounced boolean NOT NULL DEFAULT false;
CREATE TABLE audit_log (id bigserial PRIMARY KEY, message text NOT NULL);
CREATE INDEX ix_audit_log_message ON audit_log (message);
"#,
    );
    // A hand-made change in production.
    cluster.psql(
        "production",
        "ALTER TABLE users ALTER COLUMN status SET DEFAULT 'active';",
    );

    let found = diff(
        &read(&cluster, "local"),
        &read(&cluster, "production"),
        &DiffOptions::default(),
    );
    let entry =
        |kind, object: &str, change, local: Option<&str>, production: Option<&str>| DiffEntry {
            kind,
            object: object.to_string(),
            change,
            local: local.map(str::to_string),
            production: production.map(str::to_string),
        };
    assert_eq!(
        found,
        SchemaDiff {
            entries: vec![
                entry(
                    Kind::Enum,
                    "public.user_role",
                    Change::Differs,
                    Some("enum ('admin', 'member', 'superuser')"),
                    Some("enum ('admin', 'member')"),
                ),
                entry(
                    Kind::Table,
                    "public.audit_log",
                    Change::OnlyLocal,
                    Some("table (id, message)"),
                    None,
                ),
                entry(
                    Kind::Column,
                    "public.users.email_bounced",
                    Change::OnlyLocal,
                    Some("boolean not null default false"),
                    None,
                ),
                entry(
                    Kind::Column,
                    "public.users.status",
                    Change::Differs,
                    Some("character varying(20) not null default 'pending'::character varying"),
                    Some("character varying(20) not null default 'active'::character varying"),
                ),
            ],
            ignored: BTreeMap::new(),
            folded_partitions: Vec::new(),
        }
    );
}
