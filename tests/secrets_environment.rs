//! `secrets::production_url` when the AWS environment is missing or broken.
//!
//! A separate test binary (= separate process) because these cases need an
//! environment without credentials, which `tests/secrets.rs` cannot share.
//! The environment is prepared once, before any test reads it:
//! - no `AWS_*` variables except those set here, empty credentials file;
//! - the EC2 instance metadata endpoint is pointed at a local socket that
//!   accepts connections and never answers — the worst case for a laptop or
//!   CI runner, which must still fail fast;
//! - profile `blackhole` has keys and an `endpoint_url` at that same socket,
//!   so a request that is sent never gets an answer (the timeout case).

use std::io::Write;
use std::net::{TcpListener, TcpStream};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use driftcheck::secrets::{production_url, SecretError, SecretRequest};

struct Environment {
    _config: tempfile::NamedTempFile,
    _credentials: tempfile::NamedTempFile,
}

/// Accepts TCP connections and keeps them open without ever replying.
fn blackhole() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        let mut held: Vec<TcpStream> = Vec::new();
        for stream in listener.incoming().flatten() {
            held.push(stream);
        }
    });
    port
}

fn environment() -> &'static Environment {
    static ENVIRONMENT: OnceLock<Environment> = OnceLock::new();
    ENVIRONMENT.get_or_init(|| {
        let port = blackhole();
        let mut config = tempfile::NamedTempFile::new().unwrap();
        write!(
            config,
            "[profile blackhole]\nregion = us-east-1\naws_access_key_id = testing\naws_secret_access_key = testing\nendpoint_url = http://127.0.0.1:{port}\n"
        )
        .unwrap();
        let credentials = tempfile::NamedTempFile::new().unwrap();
        for (name, _) in std::env::vars() {
            if name.starts_with("AWS_") {
                std::env::remove_var(name);
            }
        }
        std::env::set_var("AWS_CONFIG_FILE", config.path());
        std::env::set_var("AWS_SHARED_CREDENTIALS_FILE", credentials.path());
        std::env::set_var("AWS_REGION", "us-east-1");
        std::env::set_var(
            "AWS_EC2_METADATA_SERVICE_ENDPOINT",
            format!("http://127.0.0.1:{port}"),
        );
        Environment {
            _config: config,
            _credentials: credentials,
        }
    })
}

#[tokio::test]
async fn no_credentials_fails_fast_and_says_where_it_looked() {
    environment();
    let started = Instant::now();
    let error = production_url(&SecretRequest::new("credmate/prod/db-credentials"))
        .await
        .unwrap_err();
    let elapsed = started.elapsed();
    eprintln!("{elapsed:?}: {error}");
    assert!(
        matches!(error, SecretError::NoCredentials { .. }),
        "{error:?}"
    );
    assert_eq!(error.reason_code(), "no_aws_credentials");
    let text = error.to_string();
    for expected in [
        "credmate/prod/db-credentials",
        "AWS_ACCESS_KEY_ID",
        "AWS_PROFILE",
        "SSO",
        "instance metadata",
    ] {
        assert!(text.contains(expected), "missing {expected:?} in: {text}");
    }
    assert!(
        elapsed < Duration::from_secs(12),
        "an unanswering metadata service held the lookup for {elapsed:?}"
    );
}

#[tokio::test]
async fn unknown_profile_is_a_credentials_error() {
    environment();
    let request = SecretRequest {
        profile: Some("no-such-profile".to_string()),
        ..SecretRequest::new("credmate/prod/db-credentials")
    };
    let error = production_url(&request).await.unwrap_err();
    eprintln!("{error}");
    // Without a profile there is no region from it either; the env region stays.
    assert_eq!(error.reason_code(), "no_aws_credentials", "{error}");
    assert!(error.to_string().contains("no-such-profile"), "{error}");
}

#[tokio::test]
async fn unanswered_request_times_out() {
    environment();
    let request = SecretRequest {
        profile: Some("blackhole".to_string()),
        timeout: Duration::from_secs(2),
        ..SecretRequest::new("credmate/prod/db-credentials")
    };
    let started = Instant::now();
    let error = production_url(&request).await.unwrap_err();
    let elapsed = started.elapsed();
    eprintln!("{elapsed:?}: {error}");
    assert!(matches!(error, SecretError::Timeout { .. }), "{error:?}");
    assert_eq!(error.reason_code(), "timeout");
    assert_eq!(
        error.to_string(),
        "reading AWS Secrets Manager secret `credmate/prod/db-credentials` timed out after 2 s"
    );
    assert!(elapsed < Duration::from_secs(5), "took {elapsed:?}");
}
