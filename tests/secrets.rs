//! `secrets::production_url` against a real moto_server.
//!
//! The library reads AWS settings only from the SDK's standard sources, so the
//! tests point it at moto through the environment (`AWS_ENDPOINT_URL`, dummy
//! keys). Environment variables are process-wide, hence:
//! - all tests of this binary share one moto server, handed out as an `Arc`;
//!   the last test to finish drops it (kill + wait), and a test starting
//!   after that starts a fresh one and re-points `AWS_ENDPOINT_URL` — at a
//!   moment when no other test holds a server, so no lookup is in flight;
//! - every test uses its own secret ids, so sharing a server is harmless;
//! - cases that need a different environment (no credentials, timeouts)
//!   live in their own test binary, `tests/secrets_environment.rs`.

#[path = "common/moto.rs"]
mod moto;

use std::sync::{Arc, Mutex, Weak};

use aws_sdk_secretsmanager::primitives::Blob;
use driftcheck::secrets::{production_url, SecretError, SecretRequest};
use moto::{MotoServer, TEST_REGION};

static SERVER: Mutex<Weak<MotoServer>> = Mutex::new(Weak::new());

fn server() -> Arc<MotoServer> {
    let mut slot = SERVER
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    if let Some(server) = slot.upgrade() {
        return server;
    }
    let server = Arc::new(MotoServer::start());
    // Only this process's environment; nothing outside AWS_* is touched.
    for (name, _) in std::env::vars() {
        if name.starts_with("AWS_") {
            std::env::remove_var(name);
        }
    }
    let empty = std::env::temp_dir().join("driftcheck-tests-no-aws-config");
    std::env::set_var("AWS_CONFIG_FILE", &empty);
    std::env::set_var("AWS_SHARED_CREDENTIALS_FILE", &empty);
    std::env::set_var("AWS_ACCESS_KEY_ID", "testing");
    std::env::set_var("AWS_SECRET_ACCESS_KEY", "testing");
    std::env::set_var("AWS_REGION", TEST_REGION);
    std::env::set_var("AWS_EC2_METADATA_DISABLED", "true");
    std::env::set_var("AWS_ENDPOINT_URL", &server.endpoint);
    *slot = Arc::downgrade(&server);
    server
}

async fn put(server: &MotoServer, id: &str, value: &str) {
    server
        .secrets_client(TEST_REGION)
        .create_secret()
        .name(id)
        .secret_string(value)
        .send()
        .await
        .unwrap_or_else(|e| panic!("create secret {id} in moto: {e:?}"));
}

async fn read(id: &str) -> Result<String, SecretError> {
    production_url(&SecretRequest::new(id))
        .await
        .map(|url| url.expose().to_string())
}

#[tokio::test]
async fn incident_secret_in_rds_format() {
    let server = server();
    // The id from RIS-052; a password with every character that breaks naive URLs.
    let id = "credmate/prod/db-credentials";
    put(
        &server,
        id,
        r#"{"username":"credmate_app","password":"p@ss/w:rd%","engine":"postgres",
            "host":"credmate-prod.cluster-abc.us-east-1.rds.amazonaws.com","port":5432,
            "dbname":"credmate","dbInstanceIdentifier":"credmate-prod"}"#,
    )
    .await;
    assert_eq!(
        read(id).await.unwrap(),
        "postgresql://credmate_app:p%40ss%2Fw%3Ard%25@credmate-prod.cluster-abc.us-east-1.rds.amazonaws.com:5432/credmate"
    );
}

#[tokio::test]
async fn rds_format_with_string_port_default_dbname_and_sslmode() {
    let server = server();
    let id = "fmt/rds-string-port";
    put(
        &server,
        id,
        r#"{"username":"app","password":"pw","host":"db.internal","port":"6432","sslmode":"verify-full"}"#,
    )
    .await;
    assert_eq!(
        read(id).await.unwrap(),
        "postgresql://app:pw@db.internal:6432/postgres?sslmode=verify-full"
    );
}

#[tokio::test]
async fn json_object_holding_a_url() {
    let server = server();
    for key in ["url", "DATABASE_URL", "uri"] {
        let id = format!("fmt/url-key-{key}");
        put(
            &server,
            &id,
            &format!(r#"{{"{key}":"postgresql://u:p%40ss@h:5432/db","sslmode":"require"}}"#),
        )
        .await;
        assert_eq!(
            read(&id).await.unwrap(),
            "postgresql://u:p%40ss@h:5432/db?sslmode=require",
            "key {key}"
        );
    }
}

#[tokio::test]
async fn plain_url_string() {
    let server = server();
    let id = "fmt/plain-url";
    put(
        &server,
        id,
        "postgres://reader:x%2Fy@10.0.0.5/app?sslmode=disable\n",
    )
    .await;
    assert_eq!(
        read(id).await.unwrap(),
        "postgres://reader:x%2Fy@10.0.0.5/app?sslmode=disable"
    );
}

#[tokio::test]
async fn binary_secret() {
    let server = server();
    let id = "fmt/binary";
    server
        .secrets_client(TEST_REGION)
        .create_secret()
        .name(id)
        .secret_binary(Blob::new(
            br#"{"username":"bin","password":"a b","host":"h","port":5432,"dbname":"d"}"#.to_vec(),
        ))
        .send()
        .await
        .expect("create binary secret");
    assert_eq!(read(id).await.unwrap(), "postgresql://bin:a%20b@h:5432/d");
}

#[tokio::test]
async fn region_from_the_request_wins() {
    let server = server();
    let id = "fmt/other-region";
    server
        .secrets_client("eu-west-1")
        .create_secret()
        .name(id)
        .secret_string("postgresql://eu/db")
        .send()
        .await
        .expect("create secret in eu-west-1");
    let request = SecretRequest {
        region: Some("eu-west-1".to_string()),
        ..SecretRequest::new(id)
    };
    assert_eq!(
        production_url(&request).await.unwrap().expose(),
        "postgresql://eu/db"
    );
    // The environment's region (us-east-1) does not hold it.
    let error = read(id).await.unwrap_err();
    assert_eq!(error.reason_code(), "secret_not_found");
    assert!(error.to_string().contains(TEST_REGION), "{error}");
}

#[tokio::test]
async fn missing_secret() {
    let _server = server();
    let error = read("credmate/prod/does-not-exist").await.unwrap_err();
    assert!(matches!(error, SecretError::NotFound { .. }), "{error:?}");
    assert_eq!(error.reason_code(), "secret_not_found");
    assert_eq!(
        error.to_string(),
        "AWS Secrets Manager secret `credmate/prod/does-not-exist` was not found in region us-east-1; \
         check the secret id, --aws-region and the account your credentials belong to"
    );
}

#[tokio::test]
async fn secret_scheduled_for_deletion() {
    let server = server();
    let id = "credmate/prod/deleted";
    put(&server, id, "postgresql://u:hunter2@h/db").await;
    server
        .secrets_client(TEST_REGION)
        .delete_secret()
        .secret_id(id)
        .recovery_window_in_days(7)
        .send()
        .await
        .expect("schedule deletion");
    let error = read(id).await.unwrap_err();
    assert!(
        matches!(error, SecretError::ScheduledForDeletion { .. }),
        "{error:?}"
    );
    assert_eq!(error.reason_code(), "secret_scheduled_for_deletion");
    let text = error.to_string();
    assert!(text.contains(id), "{text}");
    assert!(text.contains("restore-secret"), "{text}");
    assert!(!text.contains("hunter2"), "{text}");
}

#[tokio::test]
async fn malformed_secret_names_keys_not_values() {
    let server = server();
    let id = "fmt/malformed";
    let planted = "Pl4nted-S3cret!";
    put(
        &server,
        id,
        &format!(r#"{{"username":"app","secret_password":"{planted}","port":5432}}"#),
    )
    .await;
    let error = read(id).await.unwrap_err();
    match &error {
        SecretError::Malformed { missing, .. } => assert_eq!(missing, &vec!["password", "host"]),
        other => panic!("expected Malformed, got {other:?}"),
    }
    assert_eq!(error.reason_code(), "malformed_secret");
    let text = error.to_string();
    assert!(text.contains(id), "{text}");
    assert!(
        text.contains("`password`") && text.contains("`host`"),
        "{text}"
    );
    assert!(!text.contains(planted), "{text}");
    assert!(!format!("{error:?}").contains(planted));
}

#[tokio::test]
async fn secret_url_is_redacted_when_printed() {
    let server = server();
    let id = "fmt/redaction";
    put(&server, id, "postgresql://u:hunter2@h/db").await;
    let url = production_url(&SecretRequest::new(id)).await.unwrap();
    assert!(!format!("{url:?} {url}").contains("hunter2"));
    assert_eq!(url.expose(), "postgresql://u:hunter2@h/db");
}

#[test]
fn moto_harness_leaves_no_process_behind() {
    let server = MotoServer::start();
    let pid = server.pid();
    let proc_entry = std::path::PathBuf::from(format!("/proc/{pid}"));
    assert!(proc_entry.exists(), "moto_server {pid} is running");
    drop(server);
    // Killed and reaped: not even a zombie entry remains.
    assert!(
        !proc_entry.exists(),
        "moto_server {pid} is still there after drop"
    );
}
