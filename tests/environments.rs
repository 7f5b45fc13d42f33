//! Named environments (`[env.NAME]`, `--env`, `--all-envs`): several real
//! clusters checked in one run, one of them down.

#[path = "common/alembic.rs"]
mod alembic;
mod common;

use common::cli::Test;
use common::cluster::{Cluster, APP_PASSWORD};

const CONFIG: &str = r#"
[env.alpha]
url-env = "DC_TEST_ALPHA_URL"

[env.bravo]
url-env = "DC_TEST_BRAVO_URL"

[env.charlie]
url-env = "DC_TEST_CHARLIE_URL"
"#;

fn config_dir(text: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("driftcheck.toml"), text).unwrap();
    dir
}

#[test]
fn three_environments_one_down() {
    let alpha = Cluster::start();
    let bravo = Cluster::start();
    let mut charlie = Cluster::start();
    for cluster in [&alpha, &bravo, &charlie] {
        cluster.create_database("app");
        alembic::upgrade(cluster, "app", "heads");
    }
    // bravo: read as the unprivileged `app` role (password planted), with a
    // hotfix column and a schema the role may not use.
    bravo.psql(
        "app",
        "ALTER TABLE users ADD COLUMN hotfix text;
         GRANT SELECT ON alembic_version TO app;
         CREATE SCHEMA vault; CREATE TABLE vault.keys (id int);",
    );
    let charlie_url = charlie.url("app");
    charlie.stop();

    let dir = config_dir(CONFIG);
    let out = Test::new()
        .current_dir(dir.path())
        .args(&[
            "--all-envs",
            "--migrations",
            &common::cli::repo()
                .join(alembic::VERSIONS)
                .display()
                .to_string(),
            "--format",
            "json",
            "--no-report",
        ])
        .env("DC_TEST_ALPHA_URL", alpha.url("app"))
        .env("DC_TEST_BRAVO_URL", bravo.url_with_password("app"))
        .env("DC_TEST_CHARLIE_URL", &charlie_url)
        .run()
        .status(1);
    assert!(
        !out.all_output().contains(APP_PASSWORD),
        "{}",
        out.all_output()
    );
    let json = out.json();
    let targets = json["targets"].as_object().unwrap();
    assert_eq!(
        targets.keys().collect::<Vec<_>>(),
        ["alpha", "bravo", "charlie"],
        "no local, no production: {json:#}"
    );
    assert_eq!(json["targets"]["alpha"]["state"], "at_head");
    assert_eq!(json["targets"]["bravo"]["state"], "at_head");
    assert_eq!(json["targets"]["charlie"]["state"], "unreachable");
    assert_eq!(json["targets"]["charlie"]["reason"], "server_unreachable");

    // bravo against the reference alpha (the first environment).
    let diff = json["schema_diff"].as_array().unwrap();
    for entry in diff {
        assert_eq!(entry["environments"], serde_json::json!(["alpha", "bravo"]));
        assert_eq!(entry["change"], "only_production");
    }
    let objects: Vec<&str> = diff.iter().map(|e| e["object"].as_str().unwrap()).collect();
    assert!(objects.contains(&"public.users.hotfix"), "{objects:?}");
    assert!(objects.contains(&"vault"), "{objects:?}");

    let findings = json["findings"].as_array().unwrap();
    let find = |code: &str| {
        findings
            .iter()
            .find(|f| f["code"] == code)
            .unwrap_or_else(|| panic!("no {code} finding: {json:#}"))
    };
    assert_eq!(find("charlie_unreachable")["severity"], "warning");
    let drift = find("schema_drift");
    assert_eq!(drift["target"], "bravo");
    assert!(
        drift["message"]
            .as_str()
            .unwrap()
            .contains("between alpha and bravo"),
        "{drift}"
    );
    let limited = find("limited_visibility");
    assert_eq!(limited["severity"], "warning");
    assert_eq!(limited["target"], "bravo");
    assert!(
        limited["message"].as_str().unwrap().contains("vault"),
        "{limited}"
    );
}

#[test]
fn env_selection_and_local_reference() {
    let cluster = Cluster::start();
    for db in ["dev", "staging", "prod"] {
        cluster.create_database(db);
        alembic::upgrade(&cluster, db, "heads");
    }
    cluster.psql("staging", "DROP INDEX ix_audit_events_created_at;");
    let config = format!(
        "[env.staging]\nurl = \"{}\"\n\n[env.prod]\nurl-env = \"DC_TEST_PROD_URL\"\nversion-table = \"alembic_version\"\n",
        cluster.url("staging")
    );
    let dir = config_dir(&config);
    let out = Test::new()
        .current_dir(dir.path())
        .args(&[
            "--env",
            "prod",
            "--env",
            "staging",
            "--local-url",
            &cluster.url("dev"),
            "--migrations",
            &common::cli::repo()
                .join(alembic::VERSIONS)
                .display()
                .to_string(),
            "--format",
            "json",
            "--no-report",
        ])
        .env("DC_TEST_PROD_URL", cluster.url("prod"))
        .run()
        .status(1);
    let json = out.json();
    let targets = json["targets"].as_object().unwrap();
    assert_eq!(
        targets.keys().collect::<Vec<_>>(),
        ["local", "prod", "staging"]
    );
    let diff = json["schema_diff"].as_array().unwrap();
    assert!(!diff.is_empty(), "{json:#}");
    for entry in diff {
        // Every pair is against local; prod matches it, staging lost an index.
        assert_eq!(
            entry["environments"],
            serde_json::json!(["local", "staging"])
        );
        assert_eq!(entry["change"], "only_local");
    }
}

#[test]
fn configuration_mistakes_are_input_errors() {
    let dir = config_dir(
        "[env.prod]\nurl = \"postgresql://app:hunter2-PLANTED@db.example/app\"\n\n[env.qa]\nurl-env = \"X\"\nsecret-id = \"y\"\n",
    );
    let run = |args: &[&str]| {
        Test::new()
            .current_dir(dir.path())
            .args(&[
                "--migrations",
                &common::cli::repo()
                    .join(alembic::VERSIONS)
                    .display()
                    .to_string(),
            ])
            .args(args)
            .run()
            .status(2)
    };
    let out = run(&["--env", "prod"]);
    assert!(
        out.stderr.contains("[env.prod] url: holds a password"),
        "{}",
        out.stderr
    );
    assert!(
        !out.all_output().contains("hunter2-PLANTED"),
        "{}",
        out.all_output()
    );
    run(&["--env", "qa"])
        .stderr_contains("[env.qa]: give exactly one of url-env, url or secret-id");
    run(&["--env", "nope"]).stderr_contains("--env nope: no [env.nope]");
    run(&["--env", "prod", "--prod-url", "postgresql:///x"])
        .stderr_contains("--prod-url does not combine with --env");
}
