//! `secrets::production_url` when the AWS environment is missing or broken.
//!
//! A separate test binary (= separate process) because these cases need an
//! environment without credentials, which `tests/secrets.rs` cannot share.
//! The environment is prepared once, before any test reads it:
//! - no `AWS_*` variables except those set here, empty credentials file,
//!   no region (tests that need one pass it in the request);
//! - the EC2 instance metadata endpoint is pointed at a local socket that
//!   accepts connections and never answers — the worst case for a laptop or
//!   CI runner, which must still fail fast;
//! - profile `blackhole` has keys and an `endpoint_url` at another such
//!   socket, which counts its connections: the timeout case checks that the
//!   request really went there (the profile's endpoint was honoured).

use std::io::Write;
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use driftcheck::secrets::{production_url, SecretError, SecretRequest};

struct Environment {
    /// Connections received by the Secrets Manager endpoint of profile `blackhole`.
    endpoint_connections: Arc<AtomicUsize>,
    _config: tempfile::NamedTempFile,
    _credentials: tempfile::NamedTempFile,
}

/// Accepts TCP connections and keeps them open without ever replying.
fn blackhole() -> (u16, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
    let port = listener.local_addr().unwrap().port();
    let connections = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&connections);
    std::thread::spawn(move || {
        let mut held: Vec<TcpStream> = Vec::new();
        for stream in listener.incoming().flatten() {
            counter.fetch_add(1, Ordering::SeqCst);
            held.push(stream);
        }
    });
    (port, connections)
}

fn environment() -> &'static Environment {
    static ENVIRONMENT: OnceLock<Environment> = OnceLock::new();
    ENVIRONMENT.get_or_init(|| {
        let (port, endpoint_connections) = blackhole();
        let (metadata_port, _) = blackhole();
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
        std::env::set_var(
            "AWS_EC2_METADATA_SERVICE_ENDPOINT",
            format!("http://127.0.0.1:{metadata_port}"),
        );
        Environment {
            endpoint_connections,
            _config: config,
            _credentials: credentials,
        }
    })
}

#[tokio::test]
async fn no_credentials_fails_fast_and_says_where_it_looked() {
    environment();
    let request = SecretRequest {
        region: Some("us-east-1".to_string()),
        ..SecretRequest::new("credmate/prod/db-credentials")
    };
    let started = Instant::now();
    let error = production_url(&request).await.unwrap_err();
    let elapsed = started.elapsed();
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
        region: Some("us-east-1".to_string()),
        ..SecretRequest::new("credmate/prod/db-credentials")
    };
    let error = production_url(&request).await.unwrap_err();
    assert_eq!(error.reason_code(), "no_aws_credentials", "{error}");
    assert!(error.to_string().contains("no-such-profile"), "{error}");
}

#[tokio::test]
async fn unanswered_request_times_out() {
    let environment = environment();
    let request = SecretRequest {
        profile: Some("blackhole".to_string()),
        timeout: Duration::from_secs(2),
        ..SecretRequest::new("credmate/prod/db-credentials")
    };
    let started = Instant::now();
    let error = production_url(&request).await.unwrap_err();
    let elapsed = started.elapsed();
    assert!(matches!(error, SecretError::Timeout { .. }), "{error:?}");
    assert_eq!(error.reason_code(), "timeout");
    assert_eq!(
        error.to_string(),
        "reading AWS Secrets Manager secret `credmate/prod/db-credentials` timed out after 2 s"
    );
    assert!(elapsed < Duration::from_secs(5), "took {elapsed:?}");
    assert!(
        environment.endpoint_connections.load(Ordering::SeqCst) > 0,
        "the request never reached the profile's endpoint_url"
    );
}

#[tokio::test]
async fn no_region_says_how_to_set_one() {
    environment();
    let started = Instant::now();
    let error = production_url(&SecretRequest::new("credmate/prod/db-credentials"))
        .await
        .unwrap_err();
    assert!(matches!(error, SecretError::NoRegion { .. }), "{error:?}");
    assert_eq!(error.reason_code(), "no_aws_region");
    assert_eq!(
        error.to_string(),
        "no AWS region for secret `credmate/prod/db-credentials`: pass --aws-region, set AWS_REGION, \
         or set `region` in the AWS profile"
    );
    assert!(
        started.elapsed() < Duration::from_secs(12),
        "took {:?}",
        started.elapsed()
    );
}
