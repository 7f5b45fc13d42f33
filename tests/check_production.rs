//! The full check through the real binary: a local and a production cluster,
//! production found through AWS Secrets Manager (a real moto_server) or
//! `--prod-url`; schema differences planted both ways; degraded runs.

mod common;

#[path = "common/moto.rs"]
mod moto;

use common::cli::{Output, Test};
use common::cluster::{Cluster, APP_PASSWORD};
use common::explained::{explanation, explanations, why};
use common::migrated::{as_app, credentialmate_ini, database_at, shared_cluster, unique_db};
use common::written_twice::{NOTES_LOCAL, NOTES_PRODUCTION};
use moto::{MotoServer, TEST_REGION};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::sync::{Arc, Mutex, Weak};

static MOTO: Mutex<Weak<MotoServer>> = Mutex::new(Weak::new());

/// One moto_server for the tests running together; the last holder stops it.
/// driftcheck runs as a child process, so AWS settings go to its environment
/// only (see [`check`]), never to this process.
fn moto() -> Arc<MotoServer> {
    let mut slot = MOTO.lock().unwrap_or_else(|p| p.into_inner());
    if let Some(server) = slot.upgrade() {
        return server;
    }
    let server = Arc::new(MotoServer::start());
    *slot = Arc::downgrade(&server);
    server
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

fn put_secret(server: &MotoServer, id: &str, value: &str) {
    runtime().block_on(async {
        server
            .secrets_client(TEST_REGION)
            .create_secret()
            .name(id)
            .secret_string(value)
            .send()
            .await
            .unwrap_or_else(|e| panic!("create secret {id} in moto: {e:?}"));
    });
}

/// A secret for a database behind a Unix socket: the RDS layout cannot hold a
/// socket directory as `host`, so the URL-in-JSON layout is used.
fn socket_secret(cluster: &Cluster, db: &str) -> String {
    serde_json::json!({
        "url": cluster.url_with_password(db),
        "engine": "postgres",
    })
    .to_string()
}

/// The check on the credentialmate codebase, run in `dir`, with moto's
/// endpoint and dummy credentials in the child's environment only.
fn check(dir: &Path, server: Option<&MotoServer>, args: &[&str]) -> Output {
    let ini = credentialmate_ini();
    let mut test = Test::new()
        .current_dir(dir)
        .args(&["--alembic-ini", ini.to_str().unwrap(), "--format", "json"])
        .args(args);
    if let Some(server) = server {
        let no_config = dir.join("no-aws-config");
        test = test
            .env("AWS_ENDPOINT_URL", &server.endpoint)
            .env("AWS_ACCESS_KEY_ID", "testing")
            .env("AWS_SECRET_ACCESS_KEY", "testing")
            .env("AWS_REGION", TEST_REGION)
            .env("AWS_EC2_METADATA_DISABLED", "true")
            .env("AWS_CONFIG_FILE", no_config.to_str().unwrap())
            .env("AWS_SHARED_CREDENTIALS_FILE", no_config.to_str().unwrap());
    }
    let out = test.run();
    assert!(
        !out.all_output().contains(APP_PASSWORD),
        "the planted password leaked:\n{}",
        out.all_output()
    );
    out
}

/// The planted password nowhere: stdout, stderr, and every file written in `dir`.
#[track_caller]
fn assert_no_password(out: &Output, dir: &Path) {
    assert!(
        !out.all_output().contains(APP_PASSWORD),
        "the planted password leaked:\n{}",
        out.all_output()
    );
    for file in walk(dir) {
        let text = std::fs::read_to_string(&file).unwrap_or_default();
        assert!(
            !text.contains(APP_PASSWORD),
            "the planted password leaked into {}",
            file.display()
        );
    }
}

fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            files.extend(walk(&path));
        } else {
            files.push(path);
        }
    }
    files
}

fn diff_set(json: &Value) -> BTreeSet<(String, String, String)> {
    json["schema_diff"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["kind"].as_str().unwrap().to_string(),
                e["object"].as_str().unwrap().to_string(),
                e["change"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[test]
fn production_through_secrets_manager_three_way_and_every_planted_difference() {
    let server = moto();
    let local = Cluster::start();
    let production = Cluster::start();
    database_at(&local, "credmate", "heads");
    database_at(&production, "credmate", "20251230_1700");
    as_app(&local, "credmate", NOTES_LOCAL);
    as_app(&production, "credmate", NOTES_PRODUCTION);
    // One difference of each kind, planted one way or the other.
    as_app(
        &local,
        "credmate",
        "ALTER TABLE notes ADD COLUMN pinned boolean;
         ALTER TYPE ticket_status ADD VALUE 'archived';
         CREATE VIEW open_notes AS SELECT id, body FROM notes WHERE n > 10;",
    );
    as_app(
        &production,
        "credmate",
        "ALTER TABLE credentials ALTER COLUMN license_number TYPE varchar(200);
         CREATE INDEX ix_notes_body ON notes (body);
         ALTER TABLE users DROP CONSTRAINT ck_users_role,
           ADD CONSTRAINT ck_users_role CHECK (role IN ('user', 'admin'));
         CREATE VIEW open_notes AS SELECT id, body FROM notes WHERE n > 5;",
    );
    let id = "credmate/prod/db-credentials";
    put_secret(&server, id, &socket_secret(&production, "credmate"));

    let work = tempfile::tempdir().unwrap();
    let out = check(
        work.path(),
        Some(&server),
        &[
            "--local-url",
            &local.url_with_password("credmate"),
            "--prod-secret-id",
            id,
        ],
    )
    .status(1);
    assert_no_password(&out, work.path());
    let json = out.json();

    // Three-way revision view.
    assert_eq!(json["codebase"]["heads"][0], "20251230_1900");
    assert_eq!(json["targets"]["local"]["state"], "at_head");
    let prod = &json["targets"]["production"];
    assert_eq!(prod["state"], "behind", "{prod:#}");
    assert_eq!(prod["current"][0], "20251230_1700");
    assert_eq!(prod["pending"][0]["revision"], "20251230_1900");
    assert_eq!(prod["pending"][0]["evidence"], "not_applied");

    let own = |kind: &str, object: &str, change: &str| {
        (kind.to_string(), object.to_string(), change.to_string())
    };
    let expected = BTreeSet::from([
        own("column", "public.notes.pinned", "only_local"),
        own("column", "public.credentials.license_number", "differs"),
        own("index", "public.ix_notes_body", "only_production"),
        own("enum", "public.ticket_status", "differs"),
        own("constraint", "public.users.ck_users_role", "differs"),
        own("view", "public.open_notes", "differs"),
        // What 20251230_1900 adds, applied locally only.
        own(
            "constraint",
            "public.users.ck_users_superuser_role",
            "only_local",
        ),
    ]);
    let found = diff_set(&json);
    assert_eq!(found, expected, "schema_diff: {:#}", json["schema_diff"]);

    // Every difference explained: which migration, on which side, or by hand.
    let expected_explanations = BTreeMap::from([
        (
            "public.notes.pinned".to_string(),
            why("not_in_migrations", "local"),
        ),
        (
            "public.credentials.license_number".to_string(),
            why("changed_outside_migrations", "production"),
        ),
        (
            "public.ix_notes_body".to_string(),
            why("not_in_migrations", "production"),
        ),
        ("public.ticket_status".to_string(), why("unverifiable", "-")),
        (
            "public.users.ck_users_role".to_string(),
            why("pending", "production"),
        ),
        // No readable operation creates a view, and the history holds no
        // raw DDL (its one `op.execute` is an UPDATE): changed by hand.
        (
            "public.open_notes".to_string(),
            why("changed_outside_migrations", "-"),
        ),
        (
            "public.users.ck_users_superuser_role".to_string(),
            why("pending", "production"),
        ),
    ]);
    assert_eq!(
        explanations(&json),
        expected_explanations,
        "{:#}",
        json["schema_diff"]
    );
    let pending = explanation(&json, "public.users.ck_users_superuser_role");
    assert_eq!(
        pending["revisions"][0]["revision"], "20251230_1900",
        "{pending:#}"
    );
    assert_eq!(
        pending["suggestion"], "alembic upgrade 20251230_1900",
        "{pending:#}"
    );
    let license = explanation(&json, "public.credentials.license_number");
    let message = license["message"].as_str().unwrap();
    assert!(message.contains("which local has"), "{message}");
    let codes: Vec<&str> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["code"].as_str().unwrap())
        .collect();
    assert!(codes.contains(&"schema_drift"), "{codes:?}");
    assert!(codes.contains(&"schema_drift_pending"), "{codes:?}");
    let report =
        std::fs::read_to_string(work.path().join(json["report_path"].as_str().unwrap())).unwrap();
    assert!(report.contains("## Schema differences (local vs production)"));
    assert!(report.contains("ix_notes_body"));
}

#[test]
fn same_schema_is_clean_across_clusters() {
    let local = shared_cluster();
    let production = Cluster::start();
    let db = unique_db("same");
    database_at(&local, &db, "heads");
    as_app(&local, &db, NOTES_LOCAL);
    production.create_database("credmate");
    crate::common::migrated::alembic(&production, "credmate", &["upgrade", "heads"]);
    as_app(&production, "credmate", NOTES_PRODUCTION);
    let work = tempfile::tempdir().unwrap();
    let out = check(
        work.path(),
        None,
        &[
            "--local-url",
            &local.url_with_password(&db),
            "--prod-url",
            &production.url_with_password("credmate"),
        ],
    )
    .status(0);
    assert_no_password(&out, work.path());
    let json = out.json();
    assert_eq!(json["status"], "clean");
    assert_eq!(json["schema_diff"], Value::Array(vec![]), "{json:#}");
    assert_eq!(json["targets"]["production"]["state"], "at_head");
}

/// Production built by a DBA from Alembic's offline script (`upgrade --sql`,
/// applied with psql), local by Alembic online: the same schema, no drift.
#[test]
fn offline_sql_script_and_online_upgrade_give_no_false_positive() {
    let cluster = shared_cluster();
    let local = unique_db("online");
    database_at(&cluster, &local, "heads");
    let production = unique_db("offline");
    cluster.create_database(&production);
    let script =
        crate::common::migrated::alembic(&cluster, &production, &["upgrade", "heads", "--sql"]);
    assert!(script.contains("CREATE TABLE users"), "{script}");
    as_app(&cluster, &production, &script);
    let work = tempfile::tempdir().unwrap();
    let out = check(
        work.path(),
        None,
        &[
            "--local-url",
            &cluster.url_with_password(&local),
            "--prod-url",
            &cluster.url_with_password(&production),
        ],
    )
    .status(0);
    let json = out.json();
    assert_eq!(json["schema_diff"], Value::Array(vec![]), "{json:#}");
    assert_eq!(json["targets"]["production"]["state"], "at_head");
}

/// Defaults that PostgreSQL stores in different spellings but that give the
/// same value: SQLAlchemy's `func.now()` beside hand-written SQL.
#[test]
fn equivalent_default_spellings_are_not_drift() {
    let cluster = shared_cluster();
    let local = unique_db("now_fn");
    let production = unique_db("now_sql");
    cluster.create_database(&local);
    cluster.create_database(&production);
    as_app(
        &cluster,
        &local,
        "CREATE TABLE t (at timestamptz DEFAULT now(), tags text[] DEFAULT '{}');",
    );
    as_app(
        &cluster,
        &production,
        "CREATE TABLE t (at timestamptz DEFAULT CURRENT_TIMESTAMP, tags text[] DEFAULT ARRAY[]::text[]);",
    );
    let work = tempfile::tempdir().unwrap();
    let out = check(
        work.path(),
        None,
        &[
            "--local-url",
            &cluster.url_with_password(&local),
            "--prod-url",
            &cluster.url_with_password(&production),
        ],
    );
    let json = out.json();
    assert_eq!(json["schema_diff"], Value::Array(vec![]), "{json:#}");
}

/// The secret cannot be used: production is unreachable with a reason, the
/// exit code follows the local state, and `--require-production` makes it 3.
#[test]
fn deleted_and_missing_secrets_degrade_unless_production_is_required() {
    let server = moto();
    let cluster = shared_cluster();
    let head = unique_db("secret_head");
    database_at(&cluster, &head, "heads");
    let behind = unique_db("secret_behind");
    database_at(&cluster, &behind, "20251230_1700");
    let prod = unique_db("secret_prod");
    database_at(&cluster, &prod, "heads");

    let deleted = "credmate/prod/deleted-credentials";
    put_secret(&server, deleted, &socket_secret(&cluster, &prod));
    runtime().block_on(async {
        server
            .secrets_client(TEST_REGION)
            .delete_secret()
            .secret_id(deleted)
            .recovery_window_in_days(7)
            .send()
            .await
            .expect("delete_secret");
    });
    let missing = "credmate/prod/never-created";
    let work = tempfile::tempdir().unwrap();

    for (secret, reason) in [
        (deleted, "secret_scheduled_for_deletion"),
        (missing, "secret_not_found"),
    ] {
        for (db, code, local_state) in [(&head, 0, "at_head"), (&behind, 1, "behind")] {
            let out = check(
                work.path(),
                Some(&server),
                &[
                    "--local-url",
                    &cluster.url_with_password(db),
                    "--prod-secret-id",
                    secret,
                ],
            )
            .status(code);
            assert_no_password(&out, work.path());
            let json = out.json();
            assert_eq!(json["targets"]["local"]["state"], local_state);
            let prod = &json["targets"]["production"];
            assert_eq!(prod["state"], "unreachable", "{prod:#}");
            assert_eq!(prod["reason"], reason, "{prod:#}");
            assert!(
                prod["message"].as_str().unwrap().contains(secret),
                "{prod:#}"
            );
        }
        let out = check(
            work.path(),
            Some(&server),
            &[
                "--local-url",
                &cluster.url_with_password(&head),
                "--prod-secret-id",
                secret,
                "--require-production",
            ],
        )
        .status(3);
        assert_no_password(&out, work.path());
        assert!(out.stderr.contains(secret), "{}", out.stderr);
    }
}

/// `--prod-url` instead of a secret; a production server that is down.
#[test]
fn prod_url_and_a_production_server_that_is_down() {
    let local = shared_cluster();
    let db = unique_db("produrl");
    database_at(&local, &db, "heads");
    let mut production = Cluster::start();
    database_at(&production, "credmate", "heads");
    // A difference, so the snapshot comparison below has something to agree on.
    as_app(
        &production,
        "credmate",
        "CREATE INDEX ix_users_role ON users (role);",
    );
    let prod_url = production.url_with_password("credmate");
    let work = tempfile::tempdir().unwrap();
    let args = [
        "--local-url",
        &local.url_with_password(&db),
        "--prod-url",
        &prod_url,
    ];

    let json = check(work.path(), None, &args).status(1).json();
    assert_eq!(json["targets"]["production"]["state"], "at_head");
    assert_eq!(
        diff_set(&json),
        BTreeSet::from([(
            "index".to_string(),
            "public.ix_users_role".to_string(),
            "only_production".to_string()
        )])
    );

    // A saved production snapshot gives the same comparison.
    let snapshot = work.path().join("prod.json");
    let out = Test::new()
        .args(&[
            "snapshot",
            "--url",
            &prod_url,
            "-o",
            snapshot.to_str().unwrap(),
        ])
        .run()
        .status(0);
    assert!(!out.all_output().contains(APP_PASSWORD));
    let offline = check(
        work.path(),
        None,
        &[
            "--local-url",
            &local.url_with_password(&db),
            "--prod-snapshot",
            snapshot.to_str().unwrap(),
        ],
    )
    .status(1)
    .json();
    assert_eq!(offline["schema_diff"], json["schema_diff"]);
    assert_eq!(offline["targets"]["production"]["state"], "at_head");
    assert!(json["targets"]["production"]["database"]
        .as_str()
        .unwrap()
        .contains("\"credmate\""));

    production.stop();
    // Local at head and production unreadable: exit 0, on the local state.
    let out = check(work.path(), None, &args).status(0);
    assert_no_password(&out, work.path());
    let json = out.json();
    let prod = &json["targets"]["production"];
    assert_eq!(prod["state"], "unreachable", "{prod:#}");
    assert_eq!(prod["reason"], "server_unreachable", "{prod:#}");
    assert!(
        prod["message"]
            .as_str()
            .unwrap()
            .contains(&production.socket_dir().display().to_string()),
        "{prod:#}"
    );
    let mut required = args.to_vec();
    required.push("--require-production");
    let out = check(work.path(), None, &required).status(3);
    assert_no_password(&out, work.path());
}

/// The RDS layout (what RIS-052's secret holds) is parsed into a TCP
/// connection; nothing listens there, so production is unreachable — and
/// the secret's password appears nowhere.
#[test]
fn rds_secret_is_parsed_and_its_password_never_shown() {
    let server = moto();
    let cluster = shared_cluster();
    let db = unique_db("rds");
    database_at(&cluster, &db, "heads");
    // A port nothing listens on.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let id = "credmate/prod/rds-layout";
    put_secret(
        &server,
        id,
        &serde_json::json!({
            "username": "credmate_app",
            "password": APP_PASSWORD,
            "engine": "postgres",
            "host": "127.0.0.1",
            "port": port,
            "dbname": "credmate",
            "sslmode": "disable",
        })
        .to_string(),
    );
    let work = tempfile::tempdir().unwrap();
    let out = check(
        work.path(),
        Some(&server),
        &[
            "--local-url",
            &cluster.url_with_password(&db),
            "--prod-secret-id",
            id,
        ],
    )
    .status(0);
    assert_no_password(&out, work.path());
    let json = out.json();
    let prod = &json["targets"]["production"];
    assert_eq!(prod["state"], "unreachable", "{prod:#}");
    assert_eq!(prod["reason"], "server_unreachable", "{prod:#}");
    let message = prod["message"].as_str().unwrap();
    assert!(
        message.contains(&format!("127.0.0.1:{port}")) && message.contains("credmate"),
        "{message}"
    );
}

/// Secrets that hold no usable database, or a wrong password: production is
/// unreachable with the right reason, and no secret value reaches any output.
#[test]
fn unusable_secrets_degrade_with_a_reason_and_never_echo_their_value() {
    let server = moto();
    let cluster = shared_cluster();
    let db = unique_db("badsecret");
    database_at(&cluster, &db, "heads");
    let wrong = "wrong-PLANTED-pw-5150";
    let sock = cluster.socket_dir().display().to_string();
    let cases = [
        (
            "bad/missing-host",
            serde_json::json!({"username": "app", "password": APP_PASSWORD}).to_string(),
            "malformed_secret",
        ),
        (
            "bad/not-a-url",
            APP_PASSWORD.to_string(),
            "malformed_secret",
        ),
        (
            "bad/wrong-password",
            serde_json::json!({"url": format!("postgresql://app:{wrong}@/{db}?host={sock}")})
                .to_string(),
            "authentication_failed",
        ),
        (
            "bad/missing-database",
            serde_json::json!({"url": cluster.url_with_password("no_such_db")}).to_string(),
            "database_missing",
        ),
    ];
    let work = tempfile::tempdir().unwrap();
    for (id, value, reason) in &cases {
        put_secret(&server, id, value);
        let out = check(
            work.path(),
            Some(&server),
            &[
                "--local-url",
                &cluster.url_with_password(&db),
                "--prod-secret-id",
                id,
            ],
        )
        .status(0);
        assert_no_password(&out, work.path());
        assert!(!out.all_output().contains(wrong), "{}", out.all_output());
        let json = out.json();
        let prod = &json["targets"]["production"];
        assert_eq!(prod["state"], "unreachable", "{id}: {prod:#}");
        assert_eq!(prod["reason"], *reason, "{id}: {prod:#}");
    }
}
