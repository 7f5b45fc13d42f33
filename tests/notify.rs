//! Webhook alerts posted to a real HTTP server on 127.0.0.1 (a thread in the
//! test reading one request), about real databases migrated by real Alembic.

#[path = "common/alembic.rs"]
mod alembic;
mod common;

use common::cli::{Output, Test};
use common::cluster::{Cluster, APP_PASSWORD};
use common::hook::{Hook, HOOK_PATH};
use std::io::{Read, Write};
use std::net::TcpListener;
use std::time::Duration;

/// A database one migration behind (20251230_1900 not applied), read as `app` with its password.
fn behind_database() -> Cluster {
    let cluster = Cluster::start();
    cluster.create_database("app");
    alembic::upgrade(&cluster, "app", "20251230_1700");
    cluster.psql("app", "GRANT SELECT ON alembic_version TO app;");
    cluster
}

fn check(cluster: &Cluster, extra: &[&str]) -> Test {
    Test::new()
        .args(&[
            "--migrations",
            alembic::VERSIONS,
            "--local-url",
            &cluster.url_with_password("app"),
            "--skip-production",
            "--no-report",
        ])
        .args(extra)
}

fn assert_no_secrets(out: &Output) {
    let all = out.all_output();
    assert!(!all.contains(APP_PASSWORD), "{all}");
    assert!(!all.contains("PLANTEDhookSECRET"), "{all}");
}

#[test]
fn drift_posts_a_slack_message() {
    let cluster = behind_database();
    let hook = Hook::start(200);
    let out = check(&cluster, &["--notify-webhook", &hook.url()])
        .run()
        .status(1);
    assert_no_secrets(&out);
    assert!(out.stderr.contains("alert posted"), "{}", out.stderr);
    let (request_line, body) = hook.request().expect("the webhook got a request");
    assert_eq!(request_line.trim(), format!("POST {HOOK_PATH} HTTP/1.1"));
    assert!(!body.contains(APP_PASSWORD), "{body}");
    assert!(!body.contains("PLANTEDhookSECRET"), "{body}");
    let payload: serde_json::Value = serde_json::from_str(&body).unwrap();
    let text = payload["text"].as_str().unwrap();
    assert!(
        text.starts_with("driftcheck: drift in local (behind)"),
        "{text}"
    );
    assert!(text.contains("DRIFT: local behind, 1 pending"), "{text}");
    let blocks = payload["blocks"].as_array().unwrap();
    assert_eq!(blocks[0]["type"], "header");
    let findings = blocks
        .iter()
        .filter_map(|b| b["text"]["text"].as_str())
        .find(|t| t.contains("`not_applied`"))
        .unwrap_or_else(|| panic!("no not_applied finding: {payload:#}"));
    assert!(findings.contains("20251230_1900"), "{findings}");
    assert!(
        findings.contains("fix: `alembic upgrade heads`"),
        "{findings}"
    );
}

#[test]
fn webhook_down_or_failing_is_a_warning_only() {
    let cluster = behind_database();
    // A port nobody listens on: bind, note, release.
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let report_dir = tempfile::tempdir().unwrap();
    let report = report_dir.path().join("drift.md");
    let out = Test::new()
        .args(&[
            "--migrations",
            alembic::VERSIONS,
            "--local-url",
            &cluster.url_with_password("app"),
            "--skip-production",
            "--report",
            report.to_str().unwrap(),
        ])
        .env(
            "DRIFTCHECK_WEBHOOK_URL",
            format!("http://127.0.0.1:{port}{HOOK_PATH}"),
        )
        .run()
        .status(1);
    assert_no_secrets(&out);
    assert!(
        out.stderr.contains("warning: posting the alert to the webhook from DRIFTCHECK_WEBHOOK_URL failed: connection refused"),
        "{}",
        out.stderr
    );
    assert!(report.is_file(), "the report is still written");

    let hook = Hook::start(500);
    let out = check(&cluster, &["--notify-webhook", &hook.url()])
        .run()
        .status(1);
    assert_no_secrets(&out);
    assert!(hook.request().is_some());
    assert!(
        out.stderr
            .contains("warning: the webhook from --notify-webhook answered HTTP 500"),
        "{}",
        out.stderr
    );
}

#[test]
fn clean_sends_nothing_unless_always() {
    let cluster = Cluster::start();
    cluster.create_database("app");
    alembic::upgrade(&cluster, "app", "heads");
    cluster.psql("app", "GRANT SELECT ON alembic_version TO app;");

    let hook = Hook::start(200);
    let out = check(&cluster, &["--notify-webhook", &hook.url()])
        .run()
        .status(0);
    assert!(!out.stderr.contains("alert"), "{}", out.stderr);
    assert!(hook.request().is_none(), "nothing is sent when clean");

    // The same server is still waiting for its one request.
    let out = check(
        &cluster,
        &["--notify-webhook", &hook.url(), "--notify-always"],
    )
    .run()
    .status(0);
    assert_no_secrets(&out);
    let (_, body) = hook.request().expect("--notify-always posts");
    let payload: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert!(
        payload["text"]
            .as_str()
            .unwrap()
            .starts_with("driftcheck: no drift"),
        "{payload:#}"
    );
}

#[test]
fn only_http_webhooks() {
    let out = Test::new()
        .args(&[
            "--migrations",
            alembic::VERSIONS,
            "--local-url",
            "postgresql:///nowhere?host=/nonexistent",
            "--notify-webhook",
            "file:///etc/PLANTEDhookSECRET",
        ])
        .run()
        .status(2);
    assert!(
        out.stderr
            .contains("--notify-webhook: only http and https webhooks are supported, not file:"),
        "{}",
        out.stderr
    );
    assert_no_secrets(&out);
}

#[test]
fn a_silent_webhook_times_out_within_ten_seconds() {
    let cluster = behind_database();
    // Accepts the connection, never answers.
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        let held = listener.accept();
        std::thread::sleep(Duration::from_secs(30));
        drop(held);
    });
    let started = std::time::Instant::now();
    let out = check(
        &cluster,
        &[
            "--notify-webhook",
            &format!("http://127.0.0.1:{port}{HOOK_PATH}"),
        ],
    )
    .run()
    .status(1);
    let elapsed = started.elapsed();
    assert_no_secrets(&out);
    assert!(
        out.stderr
            .contains("warning: the webhook from --notify-webhook did not answer within 10 s"),
        "{}",
        out.stderr
    );
    assert!(elapsed < Duration::from_secs(20), "{elapsed:?}");
}

#[test]
fn https_webhook_to_a_plain_server_is_a_tls_warning() {
    let cluster = behind_database();
    // Answers the TLS hello in plain HTTP, as a misconfigured endpoint would.
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        if let Ok((mut stream, _)) = listener.accept() {
            let mut hello = [0u8; 64];
            let _ = stream.read(&mut hello);
            let _ = stream.write_all(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n");
            std::thread::sleep(Duration::from_secs(2));
        }
    });
    let url = format!("https://127.0.0.1:{port}{HOOK_PATH}");
    let out = check(&cluster, &["--notify-webhook", &url]).run().status(1);
    assert_no_secrets(&out);
    assert!(
        out.stderr.contains(
            "warning: posting the alert to the webhook from --notify-webhook failed: TLS failed"
        ),
        "{}",
        out.stderr
    );
}
