//! The least-privilege role of `docs/role.sql` (issue 16, item 5): created by
//! running that very file, it snapshots a database it owns nothing in, with
//! no SELECT on any application table, exactly as a superuser does; a schema
//! it has no USAGE on is the one difference, and the check names it as a
//! `limited_visibility` warning.

mod common;

use common::cli::{repo, Test};
use common::cluster::Cluster;
use common::migrated::credentialmate_ini;
use serde_json::Value;

const READER_PASSWORD: &str = "reader-PLANTED-pw-4417";

/// A schema of every kind, owned by the superuser, closed to PUBLIC.
const SCHEMA: &str = r#"
REVOKE ALL ON DATABASE shop FROM PUBLIC;
REVOKE ALL ON SCHEMA public FROM PUBLIC;
CREATE EXTENSION citext;
CREATE SCHEMA sales;
CREATE TYPE sales.mood AS ENUM ('sad', 'ok');
CREATE DOMAIN sales.posint AS integer CHECK (VALUE > 0);
CREATE TABLE sales.customers (
  id int GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  email varchar(255) NOT NULL UNIQUE,
  nick citext,
  mood sales.mood DEFAULT 'ok',
  qty sales.posint,
  lower_email text GENERATED ALWAYS AS (lower(email)) STORED
);
COMMENT ON TABLE sales.customers IS 'people';
CREATE TABLE sales.orders (id serial PRIMARY KEY, customer int REFERENCES sales.customers (id) ON DELETE CASCADE,
                           total numeric(10,2) CHECK (total >= 0));
CREATE INDEX orders_customer ON sales.orders (customer) WHERE total > 0;
CREATE TABLE sales.events (id int, at date NOT NULL) PARTITION BY RANGE (at);
CREATE TABLE sales.events_2025 PARTITION OF sales.events FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
CREATE VIEW sales.big AS SELECT id FROM sales.orders WHERE total > 100;
CREATE MATERIALIZED VIEW sales.totals AS SELECT customer, sum(total) FROM sales.orders GROUP BY customer;
CREATE FUNCTION sales.touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;
REVOKE ALL ON FUNCTION sales.touch() FROM PUBLIC;
CREATE TRIGGER orders_touch BEFORE UPDATE ON sales.orders FOR EACH ROW EXECUTE FUNCTION sales.touch();
ALTER TABLE sales.orders ENABLE ROW LEVEL SECURITY;
CREATE POLICY own ON sales.orders USING (customer > 0);
CREATE TABLE public.alembic_version (version_num varchar(32) PRIMARY KEY);
INSERT INTO public.alembic_version VALUES ('20251230_1900');
"#;

/// `driftcheck snapshot` of `url` as JSON, without the moment it was taken.
fn snapshot(url: &str) -> Value {
    let out = Test::new()
        .args(&["snapshot", "--url", url, "-o", "-"])
        .run()
        .status(0);
    assert!(!out.all_output().contains(READER_PASSWORD));
    let mut json = out.json();
    json.as_object_mut().unwrap().remove("taken_at");
    json
}

#[test]
fn the_role_of_docs_role_sql_sees_what_a_superuser_sees() {
    let cluster = Cluster::start();
    cluster.psql("postgres", "CREATE DATABASE shop;");
    cluster.psql("shop", SCHEMA);
    let role_sql = std::fs::read_to_string(repo().join("docs/role.sql")).unwrap();
    cluster.psql(
        "shop",
        &format!("\\set role reader\n\\set password '{READER_PASSWORD}'\n{role_sql}"),
    );
    // What the role got: no table privilege but the version table's, no
    // predefined role, no attribute beyond LOGIN.
    let grants = cluster.psql(
        "shop",
        "SELECT count(*) FROM information_schema.role_table_grants WHERE grantee = 'reader';
         SELECT count(*) FROM pg_auth_members m JOIN pg_roles r ON r.oid = m.member WHERE r.rolname = 'reader';
         SELECT rolsuper OR rolcreatedb OR rolcreaterole OR rolbypassrls OR rolreplication FROM pg_roles WHERE rolname = 'reader';",
    );
    assert_eq!(
        grants.split_whitespace().collect::<Vec<_>>(),
        ["1", "0", "f"]
    );

    let reader = format!(
        "postgresql://reader:{READER_PASSWORD}@/shop?{}",
        cluster.socket_query()
    );
    let superuser = snapshot(&cluster.url("shop"));
    let role = snapshot(&reader);
    assert_eq!(
        role, superuser,
        "the role's snapshot differs from the superuser's"
    );
    // Not vacuous: every kind has something in it.
    for kind in [
        "tables",
        "columns",
        "constraints",
        "indexes",
        "sequences",
        "views",
        "enums",
        "domains",
        "functions",
        "triggers",
        "extensions",
        "policies",
    ] {
        assert!(
            !superuser[kind].as_array().unwrap().is_empty(),
            "no {kind} in the test schema"
        );
    }
    assert_eq!(
        role["version_table"]["revisions"],
        serde_json::json!(["20251230_1900"])
    );

    // A schema added later, without USAGE for the role: its objects are still
    // listed (the catalogs show them), the snapshot says what the role could
    // not resolve, and the check warns.
    cluster.psql(
        "shop",
        "CREATE SCHEMA vault; CREATE TABLE vault.secrets (id int PRIMARY KEY, body text);",
    );
    let superuser = snapshot(&cluster.url("shop"));
    let mut role = snapshot(&reader);
    assert_eq!(
        role["visibility"],
        serde_json::json!({"role": "reader", "schemas_without_usage": ["vault"], "unreadable_version_tables": []})
    );
    role.as_object_mut().unwrap().remove("visibility");
    assert_eq!(
        role, superuser,
        "objects seen differ beyond the visibility note"
    );

    let ini = credentialmate_ini();
    let out = Test::new()
        .args(&["--skip-production", "--alembic-ini", ini.to_str().unwrap()])
        .args(&["--local-url", &reader, "--format", "json", "--no-report"])
        .run();
    assert!(!out.all_output().contains(READER_PASSWORD));
    let json = out.json();
    let warned: Vec<&Value> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == "limited_visibility")
        .collect();
    assert_eq!(warned.len(), 1, "{json:#}");
    assert_eq!(warned[0]["severity"], "warning");
    let message = warned[0]["message"].as_str().unwrap();
    assert!(
        message.contains("role \"reader\"") && message.contains("vault"),
        "{message}"
    );
}
