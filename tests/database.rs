//! Read-only database access and `driftcheck snapshot`, against real,
//! ephemeral PostgreSQL clusters (see `common::cluster`).

mod common;

use common::cli::Test;
use common::cluster::{assert_only_reads, driftcheck_statements, Cluster, Options, APP_PASSWORD};
use driftcheck::database::{self, ReadOptions, Role, Timeouts};
use driftcheck::schema::Snapshot;

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

/// `driftcheck snapshot` into a fresh file; returns the parsed snapshot and stderr.
fn snapshot(url: &str, extra: &[&str]) -> (Snapshot, String) {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("snap.json");
    let result = Test::new()
        .args(&["snapshot", "--url", url, "-o", out.to_str().unwrap()])
        .args(extra)
        .run()
        .status(0);
    assert!(
        !result.all_output().contains(APP_PASSWORD),
        "password leaked:\n{}",
        result.all_output()
    );
    let text = std::fs::read_to_string(&out).unwrap();
    (serde_json::from_str(&text).unwrap(), result.stderr)
}

const EVERY_KIND: &str = r#"
CREATE EXTENSION citext;
CREATE SCHEMA app;
CREATE TYPE app.mood AS ENUM ('sad', 'ok', 'happy');
CREATE DOMAIN app.posint AS integer NOT NULL DEFAULT 1 CHECK (VALUE > 0);
CREATE TABLE app.users (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    email varchar(255) NOT NULL UNIQUE,
    name text COLLATE "C",
    mood app.mood DEFAULT 'ok',
    score app.posint,
    email_lower text GENERATED ALWAYS AS (lower(email)) STORED,
    nick citext,
    CONSTRAINT users_email_check CHECK (email <> '')
);
COMMENT ON TABLE app.users IS 'people';
COMMENT ON COLUMN app.users.email IS 'login';
CREATE TABLE app.orders (
    id serial PRIMARY KEY,
    user_id bigint REFERENCES app.users (id) ON DELETE CASCADE,
    total numeric(10, 2) DEFAULT 0
);
CREATE INDEX orders_user_idx ON app.orders (user_id, lower(total::text));
CREATE TABLE app.rooms (booked int4range, EXCLUDE USING gist (booked WITH &&));
CREATE TABLE app.events (id int, at date NOT NULL) PARTITION BY RANGE (at);
CREATE TABLE app.events_2025 PARTITION OF app.events FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
CREATE SEQUENCE app.ticket_seq START 100 INCREMENT 5 CACHE 10;
CREATE VIEW app.active_users WITH (security_barrier = true, check_option = local) AS SELECT id, email FROM app.users WHERE mood <> 'sad';
CREATE MATERIALIZED VIEW app.order_totals AS SELECT user_id, sum(total) AS total FROM app.orders GROUP BY user_id;
CREATE FUNCTION app.touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;
CREATE PROCEDURE app.noop(n int) LANGUAGE sql AS $$ SELECT 1 $$;
CREATE AGGREGATE app.mysum(int) (sfunc = int4pl, stype = int, initcond = '0');
CREATE TRIGGER users_touch BEFORE UPDATE ON app.users FOR EACH ROW EXECUTE FUNCTION app.touch();
ALTER TABLE app.users ENABLE ROW LEVEL SECURITY;
CREATE POLICY own_rows ON app.users FOR SELECT TO app USING (email = current_user);
GRANT USAGE ON SCHEMA app TO app;
GRANT SELECT ON ALL TABLES IN SCHEMA app TO app;
"#;

#[test]
fn every_object_kind_appears_in_the_snapshot() {
    let cluster = Cluster::start();
    cluster.create_database("kinds");
    cluster.psql("kinds", EVERY_KIND);
    let (s, stderr) = snapshot(&cluster.url_with_password("kinds"), &[]);
    assert!(stderr.contains("no version table"), "{stderr}");
    assert!(stderr.contains(r#"database "kinds""#), "{stderr}");

    assert_eq!(s.format, driftcheck::schema::SNAPSHOT_FORMAT);
    assert_eq!(s.database, "kinds");
    assert!(
        s.server_version.starts_with(char::is_numeric),
        "{}",
        s.server_version
    );
    chrono::DateTime::parse_from_rfc3339(&s.taken_at).expect("taken_at is RFC 3339");
    assert_eq!(s.version_table, None);

    let schemas: Vec<&str> = s.schemas.iter().map(|x| x.name.as_str()).collect();
    assert_eq!(schemas, ["app", "public"]);

    let users = s.table("app", "users").expect("app.users");
    assert_eq!(users.kind, "table");
    assert!(users.rls_enabled && !users.rls_forced);
    assert_eq!(users.comment.as_deref(), Some("people"));
    assert_eq!(users.owner.as_deref(), Some("postgres"));
    assert!(
        users.acl.as_deref().unwrap().contains("app=r/postgres"),
        "{users:?}"
    );
    let events = s.table("app", "events").unwrap();
    assert_eq!(events.kind, "partitioned_table");
    assert_eq!(events.partition_key.as_deref(), Some("RANGE (at)"));
    let part = s.table("app", "events_2025").unwrap();
    assert_eq!(part.partition_of.as_deref(), Some("app.events"));
    assert_eq!(
        part.partition_bound.as_deref(),
        Some("FOR VALUES FROM ('2025-01-01') TO ('2026-01-01')")
    );

    let col = |t: &str, c: &str| s.column("app", t, c).unwrap_or_else(|| panic!("{t}.{c}"));
    assert_eq!(col("users", "id").identity.as_deref(), Some("always"));
    assert!(!col("users", "id").nullable);
    assert_eq!(col("users", "email").data_type, "character varying(255)");
    assert_eq!(col("users", "email").comment.as_deref(), Some("login"));
    assert_eq!(col("users", "name").collation.as_deref(), Some("\"C\""));
    assert_eq!(col("users", "email").collation, None);
    assert_eq!(col("users", "mood").data_type, "app.mood");
    assert_eq!(
        col("users", "mood").default.as_deref(),
        Some("'ok'::app.mood")
    );
    assert_eq!(
        col("users", "email_lower").generated.as_deref(),
        Some("lower((email)::text)")
    );
    assert_eq!(col("users", "email_lower").default, None);
    assert_eq!(col("users", "nick").data_type, "citext");
    assert_eq!(col("orders", "total").data_type, "numeric(10,2)");
    assert_eq!(
        col("orders", "id").default.as_deref(),
        Some("nextval('app.orders_id_seq'::regclass)")
    );
    let positions: Vec<i32> = s.columns_of("app", "users").map(|c| c.position).collect();
    assert_eq!(positions, [1, 2, 3, 4, 5, 6, 7]);

    let con = |t: &str, n: &str| s.constraint("app", t, n).unwrap_or_else(|| panic!("{n}"));
    assert_eq!(con("users", "users_pkey").kind, "primary_key");
    assert_eq!(con("users", "users_pkey").columns, ["id"]);
    assert_eq!(con("users", "users_email_key").kind, "unique");
    assert_eq!(con("users", "users_email_check").kind, "check");
    let fk = con("orders", "orders_user_id_fkey");
    assert_eq!(fk.kind, "foreign_key");
    assert_eq!(fk.references.as_deref(), Some("app.users"));
    assert_eq!(fk.columns, ["user_id"]);
    assert!(
        fk.definition.contains("ON DELETE CASCADE"),
        "{}",
        fk.definition
    );
    let exclusion = s.constraints_of("app", "rooms").next().unwrap();
    assert_eq!(exclusion.kind, "exclusion");

    let idx = s.index("app", "orders_user_idx").unwrap();
    assert_eq!(idx.columns, ["user_id", "lower(total::text)"]);
    assert!(!idx.unique && !idx.primary && idx.constraint.is_none());
    assert!(idx
        .definition
        .starts_with("CREATE INDEX orders_user_idx ON app.orders"));
    let pkey = s.index("app", "users_pkey").unwrap();
    assert!(pkey.unique && pkey.primary);
    assert_eq!(pkey.constraint.as_deref(), Some("users_pkey"));
    assert!(s.index("app", "order_totals").is_none());

    let seq = |n: &str| {
        s.sequences
            .iter()
            .find(|q| q.name == n)
            .unwrap_or_else(|| panic!("{n}"))
    };
    assert_eq!(
        (seq("ticket_seq").start, seq("ticket_seq").increment),
        (100, 5)
    );
    assert_eq!(seq("ticket_seq").data_type, "bigint");
    assert_eq!(seq("ticket_seq").cache, Some(10));
    assert_eq!(seq("ticket_seq").owned_by, None);
    assert_eq!(
        seq("orders_id_seq").owned_by.as_deref(),
        Some("app.orders.id")
    );
    assert_eq!(
        seq("users_id_seq").owned_by.as_deref(),
        Some("app.users.id")
    );

    let views: Vec<(&str, bool)> = s
        .views
        .iter()
        .map(|v| (v.name.as_str(), v.materialized))
        .collect();
    assert_eq!(views, [("active_users", false), ("order_totals", true)]);
    assert_eq!(
        s.views[0].options.as_deref(),
        Some(
            &[
                "check_option=local".to_string(),
                "security_barrier=true".to_string()
            ][..]
        )
    );
    assert_eq!(s.views[1].options, None);
    assert!(
        s.views[0]
            .definition
            .contains("WHERE users.mood <> 'sad'::app.mood"),
        "{}",
        s.views[0].definition
    );

    assert_eq!(s.enums.len(), 1);
    assert_eq!(s.enums[0].values, ["sad", "ok", "happy"]);
    assert_eq!(s.domains.len(), 1, "{:?}", s.domains);
    let d = &s.domains[0];
    assert_eq!(
        (d.name.as_str(), d.data_type.as_str(), d.not_null),
        ("posint", "integer", true)
    );
    assert_eq!(d.default.as_deref(), Some("1"));
    assert_eq!(d.checks, ["CHECK ((VALUE > 0))"]);
    assert_eq!(
        d.check_names.as_deref(),
        Some(&["posint_check".to_string()][..])
    );

    // citext's own functions and types belong to the extension: left out.
    let functions: Vec<(String, &str)> = s
        .functions
        .iter()
        .map(|f| (f.key(), f.kind.as_str()))
        .collect();
    assert_eq!(
        functions,
        [
            ("app.mysum(integer)".to_string(), "aggregate"),
            ("app.noop(IN n integer)".to_string(), "procedure"),
            ("app.touch()".to_string(), "function"),
        ]
    );
    assert_eq!(
        s.functions[0].definition.as_deref(),
        Some(
            "CREATE AGGREGATE app.mysum(integer) (SFUNC = int4pl, STYPE = integer, INITCOND = '0')"
        )
    );
    let touch = &s.functions[2];
    assert_eq!(touch.language, "plpgsql");
    assert_eq!(touch.result.as_deref(), Some("trigger"));
    assert!(touch.definition.as_deref().unwrap().contains("RETURN NEW"));

    assert_eq!(s.triggers.len(), 1, "{:?}", s.triggers);
    assert_eq!(s.triggers[0].name, "users_touch");
    assert_eq!(s.triggers[0].enabled, "O");
    assert!(s.triggers[0]
        .definition
        .contains("EXECUTE FUNCTION app.touch()"));

    assert_eq!(s.extensions.len(), 1);
    assert_eq!(
        (
            s.extensions[0].name.as_str(),
            s.extensions[0].schema.as_str()
        ),
        ("citext", "public")
    );

    assert_eq!(s.policies.len(), 1);
    let p = &s.policies[0];
    assert_eq!((p.command.as_str(), p.permissive), ("SELECT", true));
    assert_eq!(p.roles, ["app"]);
    assert_eq!(p.using.as_deref(), Some("((email)::text = CURRENT_USER)"));
    assert_eq!(p.with_check, None);
}

/// Key columns of primary, unique and foreign keys and of plain indexes are
/// read back from the definitions (not asked per object); they must equal
/// the columns' names (unquoted), even names full of quotes, commas and
/// brackets; an expression index keeps the server's text per key.
#[test]
fn key_columns_read_from_definitions_match_the_servers_lists() {
    let cluster = Cluster::start();
    cluster.create_database("keys");
    cluster.psql(
        "keys",
        r#"
CREATE SCHEMA "we(ird";
CREATE TABLE "we(ird"."t,1" (
    "a, b" int, "c(d)" int, "say ""hi""" text, "Mixed" int, "select" int, plain int,
    PRIMARY KEY ("a, b", "c(d)") INCLUDE (plain),
    UNIQUE NULLS NOT DISTINCT ("say ""hi""", "Mixed"),
    CONSTRAINT "odd check, (x)" CHECK ("select" > 0 AND "Mixed" < 10)
);
CREATE TABLE "we(ird".child (
    id int PRIMARY KEY, pa int, pc int,
    FOREIGN KEY (pa, pc) REFERENCES "we(ird"."t,1" ("a, b", "c(d)") ON DELETE CASCADE
);
CREATE INDEX "ix (x)" ON "we(ird"."t,1" ("select" DESC NULLS LAST, "say ""hi""" text_pattern_ops)
    INCLUDE (plain) WHERE ("say ""hi""" <> 'a,(b)');
CREATE INDEX ix_collate ON "we(ird"."t,1" ("say ""hi""" COLLATE "C", plain);
CREATE INDEX ix_expr ON "we(ird"."t,1" (lower("say ""hi"""), plain);
"#,
    );
    let (s, _) = snapshot(&cluster.url_with_password("keys"), &[]);
    let server = |sql: &str| -> std::collections::BTreeMap<String, Vec<String>> {
        let rows: Vec<(String, Vec<String>)> =
            serde_json::from_str(cluster.psql("keys", sql).trim()).unwrap();
        rows.into_iter().collect()
    };
    let constraints = server(
        "SELECT json_agg(json_build_array(conname, ARRAY(SELECT a.attname FROM unnest(conkey) \
         WITH ORDINALITY k(n, o) JOIN pg_attribute a ON a.attrelid = conrelid AND a.attnum = k.n \
         ORDER BY k.o))) FROM pg_constraint WHERE connamespace = '\"we(ird\"'::regnamespace",
    );
    let indexes = server(
        "SELECT json_agg(json_build_array(c.relname, CASE WHEN i.indexprs IS NULL \
         THEN ARRAY(SELECT a.attname FROM generate_series(1, i.indnkeyatts) k JOIN pg_attribute a \
         ON a.attrelid = i.indrelid AND a.attnum = i.indkey[k - 1] ORDER BY k) \
         ELSE ARRAY(SELECT pg_get_indexdef(i.indexrelid, k, true) \
         FROM generate_series(1, i.indnkeyatts) k ORDER BY k) END)) FROM pg_index i \
         JOIN pg_class c ON c.oid = i.indexrelid WHERE c.relnamespace = '\"we(ird\"'::regnamespace",
    );
    assert_eq!(constraints.len(), 5, "{constraints:?}");
    for (name, expected) in &constraints {
        let found = s.constraints.iter().find(|c| &c.name == name).unwrap();
        assert_eq!(
            &found.columns, expected,
            "constraint {name}: {}",
            found.definition
        );
    }
    assert_eq!(indexes.len(), 6, "{indexes:?}");
    for (name, expected) in &indexes {
        let found = s.indexes.iter().find(|i| &i.name == name).unwrap();
        assert_eq!(
            &found.columns, expected,
            "index {name}: {}",
            found.definition
        );
    }
}

#[test]
fn schema_filters_apply_to_every_kind() {
    let cluster = Cluster::start();
    cluster.create_database("filters");
    cluster.psql(
        "filters",
        "CREATE SCHEMA a; CREATE SCHEMA b; CREATE SCHEMA c;
         CREATE TABLE a.t (id int PRIMARY KEY); CREATE TABLE b.t (id int PRIMARY KEY);
         CREATE TABLE c.t (id int PRIMARY KEY);
         CREATE TYPE b.e AS ENUM ('x'); CREATE VIEW c.v AS SELECT 1 AS one;",
    );
    let url = cluster.url("filters");
    let (only, _) = snapshot(&url, &["--schema", "a", "--schema", "b"]);
    let names = |s: &Snapshot| s.tables.iter().map(|t| t.key()).collect::<Vec<_>>();
    assert_eq!(names(&only), ["a.t", "b.t"]);
    assert_eq!(
        only.schemas
            .iter()
            .map(|x| x.name.as_str())
            .collect::<Vec<_>>(),
        ["a", "b"]
    );
    assert_eq!(only.enums.len(), 1);
    assert!(only.views.is_empty());
    assert!(only.columns.iter().all(|c| c.schema != "c"));
    assert_eq!(only.indexes.len(), 2);

    let (without_b, _) = snapshot(&url, &["--exclude-schema", "b"]);
    assert_eq!(names(&without_b), ["a.t", "c.t"]);
    assert!(without_b.enums.is_empty());
    assert_eq!(without_b.views.len(), 1);
    assert!(without_b.constraints.iter().all(|c| c.schema != "b"));

    // `-o -` writes the same JSON to stdout.
    let out = Test::new()
        .args(&["snapshot", "--url", &url, "-o", "-", "--schema", "c"])
        .run()
        .status(0);
    let from_stdout: Snapshot = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(names(&from_stdout), ["c.t"]);
}

#[test]
fn version_table_absent_empty_several_rows_and_custom() {
    let cluster = Cluster::start();
    for db in ["absent", "empty", "several", "custom"] {
        cluster.create_database(db);
    }
    let create = "SET ROLE app; CREATE TABLE alembic_version (version_num varchar(32) NOT NULL PRIMARY KEY);";
    cluster.psql("empty", create);
    cluster.psql(
        "several",
        &format!("{create} INSERT INTO alembic_version VALUES ('b2'), ('a1');"),
    );
    cluster.psql(
        "custom",
        "SET ROLE app; CREATE SCHEMA myschema;
         CREATE TABLE myschema.my_versions (version_num varchar(32) PRIMARY KEY);
         INSERT INTO myschema.my_versions VALUES ('x9');",
    );
    let url = |db: &str| cluster.url_with_password(db);

    let (absent, _) = snapshot(&url("absent"), &[]);
    assert_eq!(absent.version_table, None);

    let (empty, stderr) = snapshot(&url("empty"), &[]);
    let table = empty.version_table.expect("empty table found");
    assert_eq!(table.name, "public.alembic_version");
    assert!(table.revisions.is_empty());
    assert!(stderr.contains("(empty)"), "{stderr}");

    let (several, _) = snapshot(&url("several"), &[]);
    assert_eq!(several.version_table.unwrap().revisions, ["a1", "b2"]);

    let (default_name, _) = snapshot(&url("custom"), &[]);
    assert_eq!(default_name.version_table, None);
    let (custom, _) = snapshot(&url("custom"), &["--version-table", "myschema.my_versions"]);
    let table = custom.version_table.unwrap();
    assert_eq!(table.name, "myschema.my_versions");
    assert_eq!(table.revisions, ["x9"]);

    Test::new()
        .args(&[
            "snapshot",
            "--url",
            &url("custom"),
            "-o",
            "-",
            "--version-table",
            "a.b.c",
        ])
        .run()
        .status(2)
        .stderr_contains("--version-table");
}

/// Runs `snapshot` expecting failure; asserts the code, that no file was
/// written and that no password reached the output.
fn failing_snapshot(url: &str, code: i32, secrets: &[&str]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("snap.json");
    let result = Test::new()
        .args(&["snapshot", "--url", url, "-o", out.to_str().unwrap()])
        .run()
        .status(code);
    assert!(!out.exists(), "no snapshot may be written on failure");
    let all = result.all_output();
    for secret in secrets {
        assert!(!all.contains(secret), "secret {secret:?} leaked:\n{all}");
    }
    result.stderr
}

#[test]
fn connection_failures_exit_3_naming_the_target_without_the_password() {
    let cluster = Cluster::start();
    cluster.create_database("appdb");
    let sock = cluster.socket_dir();
    let sock = sock.display();

    let wrong = "wrong-PLANTED-pw-9999";
    let stderr = failing_snapshot(
        &format!("postgresql://app:{wrong}@/appdb?host={sock}"),
        3,
        &[wrong, APP_PASSWORD],
    );
    assert!(stderr.contains("authentication failed"), "{stderr}");
    assert!(
        stderr.contains(r#"database "appdb""#) && stderr.contains(r#"user "app""#),
        "{stderr}"
    );

    let stderr = failing_snapshot(&cluster.url_with_password("nope"), 3, &[APP_PASSWORD]);
    assert!(
        stderr.contains(r#"database "nope""#) && stderr.contains("does not exist"),
        "{stderr}"
    );

    let missing_dir = format!("{}-missing", cluster.socket_dir().display());
    let stderr = failing_snapshot(
        &format!("postgresql://app:{APP_PASSWORD}@/appdb?host={missing_dir}"),
        3,
        &[APP_PASSWORD],
    );
    assert!(
        stderr.contains("cannot reach") && stderr.contains(&missing_dir),
        "{stderr}"
    );

    for bad in [
        format!("mysql://app:{APP_PASSWORD}@/appdb"),
        format!("postgresql://app:{APP_PASSWORD}@host:port/appdb"),
        format!("postgresql://app:{APP_PASSWORD}@/appdb?host={sock}&sslmode={APP_PASSWORD}"),
    ] {
        let stderr = failing_snapshot(&bad, 2, &[APP_PASSWORD]);
        assert!(stderr.contains("--url: invalid database URL"), "{stderr}");
    }
}

#[test]
fn snapshot_never_overwrites_an_existing_file() {
    let cluster = Cluster::start();
    cluster.create_database("keep");
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("existing.json");
    std::fs::write(&out, "keep me").unwrap();
    Test::new()
        .args(&[
            "snapshot",
            "--url",
            &cluster.url("keep"),
            "-o",
            out.to_str().unwrap(),
        ])
        .run()
        .status(2)
        .stderr_contains("already exists");
    assert_eq!(std::fs::read_to_string(&out).unwrap(), "keep me");
}

#[test]
fn snapshot_only_reads_with_one_query_per_kind_regardless_of_table_count() {
    let cluster = Cluster::start_with(Options {
        log_statements: true,
    });
    let tables = |n: usize| {
        "SET ROLE app;".to_string()
            + &(0..n)
            .map(|i| format!("CREATE TABLE t{i} (id int PRIMARY KEY, v text DEFAULT 'x' CHECK (v <> ''));"))
                .collect::<String>()
            + "CREATE TABLE alembic_version (version_num varchar(32) PRIMARY KEY); INSERT INTO alembic_version VALUES ('abc');"
    };
    cluster.create_database("small");
    cluster.psql("small", &tables(3));
    cluster.create_database("large");
    cluster.psql("large", &tables(30));

    let before = cluster.log().len();
    let (small, _) = snapshot(&cluster.url_with_password("small"), &[]);
    let middle = cluster.log().len();
    let (large, _) = snapshot(&cluster.url_with_password("large"), &[]);
    assert_eq!(small.tables.len(), 4);
    assert_eq!(large.tables.len(), 31);
    assert_eq!(large.version_table.unwrap().revisions, ["abc"]);

    let log = cluster.log();
    let small_statements = driftcheck_statements(&log[before..middle]);
    let large_statements = driftcheck_statements(&log[middle..]);
    assert_only_reads(&small_statements);
    assert_only_reads(&large_statements);
    assert!(small_statements[0].starts_with("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"));
    assert_eq!(small_statements.last().unwrap(), "COMMIT");

    let selects = |s: &[String]| s.iter().filter(|x| x.starts_with("SELECT")).count();
    assert_eq!(selects(&small_statements), selects(&large_statements));
    // 17 object kinds + session facts + the emptied search_path + the role's
    // visibility + version table lookup + its rows + the printing search_path.
    assert_eq!(selects(&large_statements), 23, "{large_statements:#?}");
    assert_eq!(small_statements.len(), large_statements.len());
    assert!(
        !log.contains(APP_PASSWORD),
        "the password reached the server log"
    );
}

#[test]
fn sessions_are_read_only_and_named_driftcheck_at_the_server() {
    let cluster = Cluster::start();
    cluster.create_database("ro");
    let target = database::parse_target(&cluster.url_with_password("ro"), Role::Local).unwrap();
    assert_eq!(
        target.describe(),
        format!(
            r#"database "ro" on {}:5432 as user "app""#,
            cluster.socket_dir().display()
        )
    );
    runtime().block_on(async {
        let mut conn = database::connect(&target, &Timeouts::default())
            .await
            .unwrap();

        let error = sqlx::raw_sql("CREATE TABLE sneaky (id int)")
            .execute(&mut conn)
            .await
            .expect_err("a write must be refused");
        let code = error
            .as_database_error()
            .and_then(|e| e.code())
            .map(|c| c.into_owned());
        assert_eq!(code.as_deref(), Some("25006"), "{error}");

        let setting = |name: &'static str| {
            sqlx::query_scalar::<_, String>(match name {
                "ro" => "SHOW default_transaction_read_only",
                "st" => "SHOW statement_timeout",
                "lt" => "SHOW lock_timeout",
                "jit" => "SHOW jit",
                _ => "SHOW idle_in_transaction_session_timeout",
            })
        };
        assert_eq!(setting("ro").fetch_one(&mut conn).await.unwrap(), "on");
        assert_eq!(setting("st").fetch_one(&mut conn).await.unwrap(), "30s");
        assert_eq!(setting("lt").fetch_one(&mut conn).await.unwrap(), "5s");
        assert_eq!(setting("it").fetch_one(&mut conn).await.unwrap(), "1min");
        assert_eq!(setting("jit").fetch_one(&mut conn).await.unwrap(), "off");

        let activity = cluster.psql(
            "postgres",
            "SELECT usename, datname FROM pg_stat_activity WHERE application_name = 'driftcheck';",
        );
        assert_eq!(activity.trim(), "app|ro");
    });
    assert_eq!(
        cluster
            .psql(
                "ro",
                "SELECT count(*) FROM pg_class WHERE relname = 'sneaky';"
            )
            .trim(),
        "0"
    );

    // Options smuggled in through the URL cannot turn the safety settings off.
    let sneaky_url = format!(
        "{}&options=-c%20default_transaction_read_only%3Doff&application_name=other",
        cluster.url_with_password("ro")
    );
    let target = database::parse_target(&sneaky_url, Role::Local).unwrap();
    runtime().block_on(async {
        let mut conn = database::connect(&target, &Timeouts::default())
            .await
            .unwrap();
        let read_only: String = sqlx::query_scalar("SHOW default_transaction_read_only")
            .fetch_one(&mut conn)
            .await
            .unwrap();
        assert_eq!(read_only, "on");
        let name: String = sqlx::query_scalar("SHOW application_name")
            .fetch_one(&mut conn)
            .await
            .unwrap();
        assert_eq!(name, "driftcheck");
    });
}

#[test]
fn read_database_reports_unreachable_socket_with_exit_3() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!(
        "postgresql://app:{APP_PASSWORD}@/db?host={}",
        dir.path().display()
    );
    let target = database::parse_target(&url, Role::Production).unwrap();
    let error = runtime()
        .block_on(database::read_database(
            &target,
            &ReadOptions::default(),
            &Default::default(),
        ))
        .unwrap_err();
    assert!(
        matches!(error, database::DbError::Unreachable { .. }),
        "{error}"
    );
    assert_eq!(error.exit_code(), driftcheck::exit::ExitCode::Unreachable);
    assert!(!error.to_string().contains(APP_PASSWORD));
}

#[test]
fn a_server_that_never_answers_times_out_with_exit_3() {
    // A socket that accepts connections but never speaks: a hung server.
    let dir = tempfile::tempdir().unwrap();
    let _listener =
        std::os::unix::net::UnixListener::bind(dir.path().join(".s.PGSQL.5432")).unwrap();
    let url = format!(
        "postgresql://app:{APP_PASSWORD}@/db?host={}",
        dir.path().display()
    );
    let target = database::parse_target(&url, Role::Local).unwrap();
    let options = ReadOptions {
        timeouts: Timeouts {
            connect: std::time::Duration::from_secs(1),
            ..Timeouts::default()
        },
        ..ReadOptions::default()
    };
    let started = std::time::Instant::now();
    let error = runtime()
        .block_on(database::read_database(
            &target,
            &options,
            &Default::default(),
        ))
        .unwrap_err();
    assert!(started.elapsed() < std::time::Duration::from_secs(5));
    assert!(
        matches!(error, database::DbError::Timeout { seconds: 1, .. }),
        "{error}"
    );
    assert!(error.to_string().contains(r#"database "db""#), "{error}");
    assert_eq!(error.exit_code(), driftcheck::exit::ExitCode::Unreachable);
}

#[test]
fn statement_timeout_is_enforced_by_the_server_and_reported() {
    let cluster = Cluster::start();
    cluster.create_database("slow");
    let target = database::parse_target(&cluster.url_with_password("slow"), Role::Local).unwrap();
    let timeouts = Timeouts {
        statement: std::time::Duration::from_secs(1),
        ..Timeouts::default()
    };
    runtime().block_on(async {
        let mut conn = database::connect(&target, &timeouts).await.unwrap();
        let started = std::time::Instant::now();
        let error = sqlx::query("SELECT pg_sleep(10)")
            .execute(&mut conn)
            .await
            .unwrap_err();
        assert!(started.elapsed() < std::time::Duration::from_secs(5));
        let error = target.error(error, "a slow query", &timeouts);
        assert!(
            matches!(error, database::DbError::Timeout { seconds: 1, .. }),
            "{error}"
        );
    });
}
