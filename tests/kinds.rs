//! The object kinds and properties of issue 13 read from real PostgreSQL:
//! composite, range and base types, table persistence, inheritance, storage
//! parameters and replica identity, trigger enabled state, rules, event
//! triggers, extension versions and schemas, comments, folded partitions.
//!
//! One cluster for the file (`shared_cluster`) and few databases: each case
//! lives in schemas of its own and is read with the schema filter, so one
//! database pair holds them all. Each case's difference is found exactly once
//! and nothing else; each normalisation rule has a case that stays silent.

mod common;

use std::collections::BTreeMap;

use common::cli::Test;
use common::cluster::Cluster;
use common::migrated::{shared_cluster, unique_db};
use driftcheck::compare::{diff, Change, DiffOptions, IgnoreRules, Kind, SchemaDiff};
use driftcheck::database::{self, ReadOptions, Role};
use driftcheck::schema::Snapshot;
use serde_json::Value;

fn read(cluster: &Cluster, db: &str, schemas: &[&str]) -> Snapshot {
    let target = database::parse_target(&cluster.url(db), Role::Local).unwrap();
    let options = ReadOptions {
        include_schemas: schemas.iter().map(|s| s.to_string()).collect(),
        ..ReadOptions::default()
    };
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(database::read_database(
            &target,
            &options,
            &Default::default(),
        ))
        .unwrap_or_else(|e| panic!("read {db}: {e}"))
}

fn summary(found: &SchemaDiff) -> Vec<(Kind, String, Change)> {
    found
        .entries
        .iter()
        .map(|e| (e.kind, e.object.clone(), e.change))
        .collect()
}

fn with_rules(rules: &str) -> DiffOptions {
    let rules: IgnoreRules = toml::from_str(rules).unwrap();
    DiffOptions {
        ignore: rules.compile().unwrap(),
        ..DiffOptions::default()
    }
}

/// One case: its schemas, the SQL run (as the superuser) on each side after
/// creating them, and the differences expected with the default options.
struct Case {
    schemas: &'static [&'static str],
    local: String,
    production: String,
    expected: &'static [(Kind, &'static str, Change)],
}

const TINY_IO: &str = "CREATE TYPE base.tiny;
CREATE FUNCTION base.tiny_in(cstring) RETURNS base.tiny AS 'int4in' LANGUAGE internal IMMUTABLE STRICT;
CREATE FUNCTION base.tiny_out(base.tiny) RETURNS cstring AS 'int4out' LANGUAGE internal IMMUTABLE STRICT;";
const TINY: &str =
    "CREATE TYPE base.tiny (INPUT = base.tiny_in, OUTPUT = base.tiny_out, INTERNALLENGTH = 4, PASSEDBYVALUE";

const TRIGGER: &str = "CREATE TABLE trig.t (id int);
CREATE FUNCTION trig.f() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN RETURN NEW; END$$;
CREATE TRIGGER stamp BEFORE INSERT ON trig.t FOR EACH ROW EXECUTE FUNCTION trig.f();";

const AUDIT_FUNCTION: &str =
    "CREATE FUNCTION evt.audit() RETURNS event_trigger LANGUAGE plpgsql AS $$BEGIN END$$;";

const COMMENTED: &str = "CREATE TABLE commented.t (id int);
CREATE VIEW commented.v AS SELECT id FROM commented.t;
CREATE FUNCTION commented.f() RETURNS int LANGUAGE sql AS 'SELECT 1';
CREATE TYPE commented.pair AS (a int, b int);";

const COMMENTS: &str = "COMMENT ON TABLE commented.t IS 'people';
COMMENT ON COLUMN commented.t.id IS 'key';
COMMENT ON VIEW commented.v IS 'who';
COMMENT ON FUNCTION commented.f() IS 'one';
COMMENT ON TYPE commented.pair IS 'two ints';";

fn cases() -> Vec<(&'static str, Case)> {
    use Change::*;
    use Kind::*;
    vec![
        (
            "composite type attribute order",
            Case {
                schemas: &["composite"],
                local: "CREATE TYPE composite.address AS (street text, city text);".into(),
                production: "CREATE TYPE composite.address AS (city text, street text);".into(),
                expected: &[(CompositeType, "composite.address", Differs)],
            },
        ),
        (
            "range type (its constructors and multirange belong to it)",
            Case {
                schemas: &["rng"],
                local: "CREATE TYPE rng.floatrange AS RANGE (subtype = float8, subtype_diff = float8mi);".into(),
                production: "".into(),
                expected: &[(RangeType, "rng.floatrange", OnlyLocal)],
            },
        ),
        (
            "base type properties",
            Case {
                schemas: &["base"],
                local: format!("{TINY_IO}\n{TINY}, ALIGNMENT = int4);"),
                production: format!("{TINY_IO}\n{TINY}, ALIGNMENT = int4, CATEGORY = 'N');"),
                expected: &[(BaseType, "base.tiny", Differs)],
            },
        ),
        (
            "unlogged table",
            Case {
                schemas: &["unlogged"],
                local: "CREATE UNLOGGED TABLE unlogged.t (id int);".into(),
                production: "CREATE TABLE unlogged.t (id int);".into(),
                expected: &[(Table, "unlogged.t", Differs)],
            },
        ),
        (
            "INHERITS parent",
            Case {
                schemas: &["inherit"],
                local: "CREATE TABLE inherit.base (id int); CREATE TABLE inherit.child (extra int) INHERITS (inherit.base);".into(),
                production: "CREATE TABLE inherit.base (id int); CREATE TABLE inherit.child (id int, extra int);".into(),
                expected: &[(Table, "inherit.child", Differs)],
            },
        ),
        (
            "storage parameters",
            Case {
                schemas: &["storage"],
                local: "CREATE TABLE storage.t (id int) WITH (fillfactor = 70);".into(),
                production: "CREATE TABLE storage.t (id int);".into(),
                expected: &[(StorageParameters, "storage.t", Differs)],
            },
        ),
        (
            "replica identity",
            Case {
                schemas: &["replica"],
                local: "CREATE TABLE replica.t (id int PRIMARY KEY);".into(),
                production: "CREATE TABLE replica.t (id int PRIMARY KEY); ALTER TABLE replica.t REPLICA IDENTITY FULL;".into(),
                expected: &[(Table, "replica.t", Differs)],
            },
        ),
        (
            "trigger disabled in production",
            Case {
                schemas: &["trig"],
                local: TRIGGER.into(),
                production: format!("{TRIGGER}\nALTER TABLE trig.t DISABLE TRIGGER stamp;"),
                expected: &[(Trigger, "trig.t.stamp", Differs)],
            },
        ),
        (
            "rule",
            Case {
                schemas: &["rul"],
                local: "CREATE TABLE rul.t (id int); CREATE RULE no_delete AS ON DELETE TO rul.t DO INSTEAD NOTHING;".into(),
                production: "CREATE TABLE rul.t (id int);".into(),
                expected: &[(Rule, "rul.t.no_delete", OnlyLocal)],
            },
        ),
        (
            "event trigger",
            Case {
                schemas: &["evt"],
                local: format!("{AUDIT_FUNCTION}\nCREATE EVENT TRIGGER evt_audit ON ddl_command_end WHEN TAG IN ('CREATE TABLE') EXECUTE FUNCTION evt.audit();"),
                production: AUDIT_FUNCTION.into(),
                expected: &[(EventTrigger, "evt_audit", OnlyLocal)],
            },
        ),
        (
            "extension version",
            Case {
                schemas: &["extver"],
                local: "CREATE EXTENSION hstore WITH SCHEMA extver VERSION '1.7';".into(),
                production: "CREATE EXTENSION hstore WITH SCHEMA extver;".into(),
                expected: &[(ExtensionVersion, "hstore", Differs)],
            },
        ),
        (
            "extension schema",
            Case {
                schemas: &["ext_a", "ext_b"],
                local: "CREATE EXTENSION citext WITH SCHEMA ext_a;".into(),
                production: "CREATE EXTENSION citext WITH SCHEMA ext_b;".into(),
                expected: &[(Extension, "citext", Differs)],
            },
        ),
        (
            "owners and grants are not drift",
            Case {
                schemas: &["owners"],
                local: "CREATE TABLE owners.t (id int); CREATE TYPE owners.pair AS (a int, b int);".into(),
                production: "CREATE TABLE owners.t (id int); CREATE TYPE owners.pair AS (a int, b int);
ALTER TABLE owners.t OWNER TO app; ALTER TYPE owners.pair OWNER TO app;
GRANT SELECT ON owners.t TO PUBLIC;".into(),
                expected: &[],
            },
        ),
        (
            "comments are not compared by default",
            Case {
                schemas: &["commented"],
                local: COMMENTED.into(),
                production: format!("{COMMENTED}\n{COMMENTS}"),
                expected: &[],
            },
        ),
    ]
}

#[test]
fn each_kind_and_property_is_one_difference_and_the_rules_keep_the_rest_silent() {
    let cluster = shared_cluster();
    let (local, production) = (unique_db("kinds_local"), unique_db("kinds_production"));
    cluster.create_database(&local);
    cluster.create_database(&production);
    let cases = cases();
    for (_, case) in &cases {
        let schemas: String = case
            .schemas
            .iter()
            .map(|s| format!("CREATE SCHEMA {s};\n"))
            .collect();
        cluster.psql(&local, &format!("{schemas}{}", case.local));
        cluster.psql(&production, &format!("{schemas}{}", case.production));
    }

    for (name, case) in &cases {
        let found = diff(
            &read(&cluster, &local, case.schemas),
            &read(&cluster, &production, case.schemas),
            &DiffOptions::default(),
        );
        let expected: Vec<(Kind, String, Change)> = case
            .expected
            .iter()
            .map(|&(kind, object, change)| (kind, object.to_string(), change))
            .collect();
        assert_eq!(summary(&found), expected, "{name}: {found:#?}");
        assert!(found.ignored.is_empty(), "{name}: {found:#?}");
    }

    // What the entries say, for the properties folded into one table entry.
    let one = |schemas: &[&str], options: &DiffOptions| {
        diff(
            &read(&cluster, &local, schemas),
            &read(&cluster, &production, schemas),
            options,
        )
    };
    let sides = |found: &SchemaDiff| {
        (
            found.entries[0].local.clone().unwrap_or_default(),
            found.entries[0].production.clone().unwrap_or_default(),
        )
    };
    let defaults = DiffOptions::default();
    assert_eq!(
        sides(&one(&["unlogged"], &defaults)),
        ("unlogged table".into(), "table".into())
    );
    assert_eq!(
        sides(&one(&["inherit"], &defaults)),
        ("table, inherits inherit.base".into(), "table".into())
    );
    assert_eq!(
        sides(&one(&["replica"], &defaults)),
        ("table".into(), "table, replica identity full".into())
    );
    assert_eq!(
        sides(&one(&["storage"], &defaults)),
        ("fillfactor=70".into(), "none".into())
    );
    assert_eq!(
        sides(&one(&["extver"], &defaults)),
        ("version 1.7".into(), "version 1.8".into())
    );
    assert!(sides(&one(&["trig"], &defaults)).1.ends_with(" (disabled)"));
    assert_eq!(
        sides(&one(&["composite"], &defaults)),
        (
            "composite (street text, city text)".into(),
            "composite (city text, street text)".into()
        )
    );

    // The ignore rules: silent, and counted.
    let found = one(&["extver"], &with_rules(r#"extension_versions = ["*"]"#));
    assert!(found.is_empty(), "{found:#?}");
    assert_eq!(
        found.ignored,
        BTreeMap::from([("extension_version".to_string(), 1)])
    );
    let found = one(
        &["storage"],
        &with_rules(r#"storage_parameters = ["storage.*"]"#),
    );
    assert!(found.is_empty(), "{found:#?}");
    assert_eq!(
        found.ignored,
        BTreeMap::from([("storage_parameters".to_string(), 1)])
    );

    // Comments when asked for: one entry per commented object.
    let with_comments = DiffOptions {
        include_comments: true,
        ..DiffOptions::default()
    };
    let found = one(&["commented"], &with_comments);
    assert_eq!(
        summary(&found),
        vec![
            (
                Kind::CompositeType,
                "commented.pair".into(),
                Change::Differs
            ),
            (Kind::Table, "commented.t".into(), Change::Differs),
            (Kind::Column, "commented.t.id".into(), Change::Differs),
            (Kind::View, "commented.v".into(), Change::Differs),
            (Kind::Function, "commented.f()".into(), Change::Differs),
        ],
        "{found:#?}"
    );
    assert!(found.entries[0]
        .production
        .as_deref()
        .unwrap()
        .ends_with(", comment 'two ints'"));
    // Owners are still compared when asked for, on the new kinds too.
    let owners = DiffOptions {
        include_owners: true,
        ..DiffOptions::default()
    };
    assert_eq!(
        summary(&one(&["owners"], &owners)),
        vec![
            (Kind::CompositeType, "owners.pair".into(), Change::Differs),
            (Kind::Table, "owners.t".into(), Change::Differs),
        ]
    );
}

/// The check itself on a pair holding folded partitions, a storage parameter
/// and a comment: the report lists the partitions by name (terminal,
/// markdown, JSON), storage parameters are a warning, comments need the flag
/// or the setting.
#[test]
fn the_report_names_folded_partitions_and_warns_on_storage_parameters() {
    let cluster = shared_cluster();
    let (local, production) = (unique_db("report_local"), unique_db("report_production"));
    cluster.create_database(&local);
    cluster.create_database(&production);
    let common = "SET ROLE app;
CREATE SCHEMA pt; CREATE SCHEMA st; CREATE SCHEMA cm;
CREATE TABLE pt.events (id bigint NOT NULL, created_at timestamp NOT NULL) PARTITION BY RANGE (created_at);
CREATE TABLE pt.events_2024 PARTITION OF pt.events FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
CREATE TABLE cm.t (id int);";
    cluster.psql(
        &local,
        &format!("{common}\nCREATE TABLE st.t (id int) WITH (fillfactor = 70);"),
    );
    cluster.psql(
        &production,
        &format!(
            "{common}
CREATE TABLE pt.events_2025 PARTITION OF pt.events FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
CREATE TABLE st.t (id int);
COMMENT ON TABLE cm.t IS 'people';"
        ),
    );
    let work = tempfile::tempdir().unwrap();
    let versions = work.path().join("versions");
    std::fs::create_dir(&versions).unwrap();
    std::fs::write(
        versions.join("a1_empty.py"),
        "revision = \"a1\"\ndown_revision = None\n\n\ndef upgrade():\n    pass\n",
    )
    .unwrap();
    let run = |extra: &[&str]| {
        Test::new()
            .current_dir(work.path())
            .args(&[
                "--migrations",
                versions.to_str().unwrap(),
                "--local-url",
                &cluster.url_with_password(&local),
                "--prod-url",
                &cluster.url_with_password(&production),
            ])
            .args(&["--schema", "pt", "--schema", "st", "--schema", "cm"])
            .args(extra)
            .run()
    };
    let report = work.path().join("report.md");
    let out = run(&["--format", "json", "--report", report.to_str().unwrap()]);
    assert!(!out.stdout.is_empty(), "{}", out.all_output());
    let json = out.json();
    assert_eq!(
        json["schema_diff"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| (
                e["kind"].clone(),
                e["object"].clone(),
                e["severity"].clone()
            ))
            .collect::<Vec<_>>(),
        vec![(
            Value::from("storage_parameters"),
            Value::from("st.t"),
            Value::from("warning")
        )],
        "{json:#}"
    );
    assert_eq!(json["schema_diff_ignored"], serde_json::json!({"table": 1}));
    assert_eq!(
        json["schema_diff_folded_partitions"],
        serde_json::json!(["pt.events_2025"])
    );
    let codes: Vec<(&str, &str)> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["code"].as_str().unwrap(), f["severity"].as_str().unwrap()))
        .collect();
    assert!(
        codes.contains(&("schema_drift_warning", "warning")),
        "{codes:?}"
    );
    assert!(
        !codes.iter().any(|(code, _)| *code == "schema_drift"),
        "{codes:?}"
    );
    let markdown = std::fs::read_to_string(&report).unwrap();
    assert!(
        markdown.contains("Partitions folded into their parent: `pt.events_2025`"),
        "{markdown}"
    );
    assert!(
        markdown.contains("| storage_parameters (warning) | `st.t` |"),
        "{markdown}"
    );

    let out = run(&["--no-report"]);
    assert!(
        out.stdout
            .contains("(partitions folded into their parent: pt.events_2025)"),
        "{}",
        out.stdout
    );
    assert!(out.stdout.contains("st.t (warning)"), "{}", out.stdout);

    // Comments: by the flag, or by the setting; folding off reports the partition.
    let kinds = |json: &Value| -> Vec<(String, String)> {
        json["schema_diff"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| {
                (
                    e["kind"].as_str().unwrap().to_string(),
                    e["object"].as_str().unwrap().to_string(),
                )
            })
            .collect()
    };
    let json = run(&["--format", "json", "--no-report", "--include-comments"]).json();
    assert!(
        kinds(&json).contains(&("table".into(), "cm.t".into())),
        "{json:#}"
    );
    std::fs::write(
        work.path().join("driftcheck.toml"),
        "include-comments = true\n\n[ignore]\nfold_partitions = false\n",
    )
    .unwrap();
    let json = run(&["--format", "json", "--no-report"]).json();
    assert_eq!(
        kinds(&json),
        vec![
            ("table".to_string(), "cm.t".to_string()),
            ("table".to_string(), "pt.events_2025".to_string()),
            ("storage_parameters".to_string(), "st.t".to_string()),
        ],
        "{json:#}"
    );
    assert_eq!(json["schema_diff_folded_partitions"], serde_json::json!([]));
}
