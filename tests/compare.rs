//! `compare::diff` on snapshots read from real PostgreSQL databases, so the
//! normalisation is checked against what the server really writes in its
//! catalog (casts it adds, generated names, reformatted expressions).

mod common;

use std::collections::BTreeMap;

use common::cluster::Cluster;
use common::written_twice::{COMPARE_DRIFT_LOCAL, COMPARE_LOCAL, COMPARE_PRODUCTION};
use driftcheck::compare::{diff, Change, DiffEntry, DiffOptions, Kind, SchemaDiff};
use driftcheck::database::{self, ReadOptions, Role};
use driftcheck::schema::Snapshot;

fn read(cluster: &Cluster, db: &str) -> Snapshot {
    let target = database::parse_target(&cluster.url(db), Role::Local).unwrap();
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(database::read_database(
            &target,
            &ReadOptions::default(),
            &Default::default(),
        ))
        .unwrap_or_else(|e| panic!("read {db}: {e}"))
}

#[test]
fn same_schema_written_differently_is_not_drift() {
    let cluster = Cluster::start();
    cluster.create_database("local");
    cluster.create_database("production");
    cluster.psql("local", COMPARE_LOCAL);
    cluster.psql("production", COMPARE_PRODUCTION);

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
    cluster.psql("local", COMPARE_LOCAL);
    cluster.psql("production", COMPARE_LOCAL);
    // What the newer migrations did locally only.
    cluster.psql("local", COMPARE_DRIFT_LOCAL);
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
