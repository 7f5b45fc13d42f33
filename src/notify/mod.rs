//! Drift alerts: a short Slack-compatible message (`{"text", "blocks"}`)
//! posted to an incoming webhook. The payload is built by a pure function; the
//! post never changes the exit code and never prints the webhook URL (Slack
//! webhook URLs are credentials).

use crate::escape;
use crate::render;
use crate::report::{CheckReport, Severity, Status, TargetState};
use serde_json::{json, Value};
use std::time::Duration;

/// How many findings an alert lists.
pub const TOP_FINDINGS: usize = 5;
/// The whole post (connect, TLS, answer) gives up after this.
pub const TIMEOUT: Duration = Duration::from_secs(10);

/// A validated webhook URL. Its `Debug` hides the URL.
#[derive(Clone)]
pub struct Webhook {
    url: url::Url,
    /// Where it came from (`--notify-webhook`, `DRIFTCHECK_WEBHOOK_URL`, ...), for messages.
    pub origin: String,
}

impl std::fmt::Debug for Webhook {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Webhook(from {})", self.origin)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum NotifyError {
    #[error("{origin}: not a URL (the value is not shown: webhook URLs are credentials)")]
    InvalidUrl { origin: String },
    #[error("{origin}: only http and https webhooks are supported, not {scheme}:")]
    Scheme { origin: String, scheme: String },
    #[error("posting the alert to the webhook from {origin} failed: {reason}")]
    Post { origin: String, reason: String },
    #[error("the webhook from {origin} answered HTTP {status}")]
    Status { origin: String, status: u16 },
    #[error("the webhook from {origin} did not answer within {seconds} s")]
    Timeout { origin: String, seconds: u64 },
}

impl Webhook {
    pub fn parse(text: &str, origin: &str) -> Result<Webhook, NotifyError> {
        let url = url::Url::parse(text.trim()).map_err(|_| NotifyError::InvalidUrl {
            origin: origin.to_string(),
        })?;
        if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
            return Err(NotifyError::Scheme {
                origin: origin.to_string(),
                scheme: url.scheme().to_string(),
            });
        }
        Ok(Webhook {
            url,
            origin: origin.to_string(),
        })
    }
}

/// Whether an alert is due: drift, or a database that could not be read
/// (a nightly job must not stay silent when it saw nothing); always with `always`.
pub fn should_send(report: &CheckReport, always: bool) -> bool {
    always
        || report.status != Status::Clean
        || report
            .targets
            .values()
            .any(|t| t.state == TargetState::Unreachable)
}

/// The Slack-compatible payload: which environments, the verdict, the first
/// findings with their fixes, the report path.
pub fn payload(report: &CheckReport, gate: Option<&crate::gate::GateOutcome>) -> Value {
    let verdict = escape::slack(&render::verdict(report));
    let affected: Vec<String> = report
        .targets
        .iter()
        .filter(|(name, t)| {
            t.state.is_drift()
                || t.state == TargetState::Unreachable
                || report
                    .findings
                    .iter()
                    .any(|f| f.severity == Severity::Error && f.target.as_deref() == Some(name))
        })
        .map(|(name, t)| format!("{} ({})", escape::slack(name), t.state.as_str()))
        .collect();
    let headline = match report.status {
        Status::Clean if affected.is_empty() => "driftcheck: no drift".to_string(),
        Status::Clean => format!("driftcheck: not verified: {}", affected.join(", ")),
        _ if affected.is_empty() => "driftcheck: drift found".to_string(),
        _ => format!("driftcheck: drift in {}", affected.join(", ")),
    };
    let environments = report
        .targets
        .iter()
        .map(|(name, t)| {
            format!(
                "*{}*: {} — {}",
                escape::slack(name),
                t.state.as_str(),
                escape::slack(&t.message)
            )
        })
        .collect::<Vec<_>>()
        .join("\n");

    let environments = if report.schema_diff.is_empty() {
        environments
    } else {
        format!(
            "{environments}\n*schema*: {}",
            escape::slack(&render::diff_group_counts(report))
        )
    };

    let mut ranked: Vec<_> = report.findings.iter().collect();
    ranked.sort_by_key(|f| f.severity);
    let shown: Vec<String> = ranked
        .iter()
        .take(TOP_FINDINGS)
        .map(|f| {
            let mut line = format!("• `{}` {}", f.code, escape::slack(&f.message));
            if let Some(fix) = &f.suggestion {
                line.push_str(&format!("\n    fix: `{}`", escape::slack(fix)));
            }
            line
        })
        .collect();
    let mut findings_text = shown.join("\n");
    if report.findings.len() > TOP_FINDINGS {
        findings_text.push_str(&format!(
            "\n… and {} more in the report",
            report.findings.len() - TOP_FINDINGS
        ));
    }

    let mut context = vec![format!("driftcheck {}", report.driftcheck_version)];
    context.push(format!("checked {}", report.checked_at));
    if let Some(path) = &report.report_path {
        context.push(format!("report `{}`", escape::slack(path)));
    }
    let mut text = format!("{headline}\n{verdict}");
    if let Some(gate) = gate {
        text.push_str(if gate.passed {
            "\ngate: pass"
        } else {
            "\ngate: FAIL"
        });
    }
    if let Some(path) = &report.report_path {
        text.push_str(&format!("\nReport: {}", escape::slack(path)));
    }

    // `verbatim`: Slack must not turn bare URLs or names into links or
    // mentions; `parse: none`, `link_names: false` and no unfurling do the same
    // for the notification text.
    let mut blocks = vec![
        json!({"type": "header", "text": {"type": "plain_text", "text": clip(&headline, 150)}}),
        json!({"type": "section", "text": {"type": "mrkdwn", "verbatim": true, "text": clip(&format!("*{verdict}*\n{environments}"), 3000)}}),
    ];
    if !findings_text.is_empty() {
        blocks.push(json!({"type": "section", "text": {"type": "mrkdwn", "verbatim": true, "text": clip(&findings_text, 3000)}}));
    }
    blocks.push(json!({"type": "context", "elements": [{"type": "mrkdwn", "verbatim": true, "text": clip(&context.join(" · "), 3000)}]}));
    json!({
        "text": text,
        "blocks": blocks,
        "parse": "none",
        "link_names": false,
        "unfurl_links": false,
        "unfurl_media": false,
    })
}

/// Slack rejects blocks over their size limits: cut on a character boundary.
fn clip(text: &str, max_chars: usize) -> String {
    if text.chars().count() <= max_chars {
        return text.to_string();
    }
    let mut cut: String = text.chars().take(max_chars.saturating_sub(1)).collect();
    cut.push('…');
    cut
}

/// POST the payload as JSON. Errors never contain the URL.
pub async fn post(webhook: &Webhook, payload: &Value) -> Result<(), NotifyError> {
    let body = serde_json::to_vec(payload).expect("payload serialises");
    let origin = webhook.origin.clone();
    let send = async {
        if webhook.url.scheme() == "https" {
            let connector = hyper_rustls::HttpsConnectorBuilder::new()
                .with_provider_and_native_roots(rustls::crypto::ring::default_provider())
                .map_err(|e| NotifyError::Post {
                    origin: origin.clone(),
                    reason: format!("no TLS root certificates: {}", e.kind()),
                })?
                .https_only()
                .enable_http1()
                .build();
            send_with(connector, webhook, body, &origin).await
        } else {
            let connector = hyper_util::client::legacy::connect::HttpConnector::new();
            send_with(connector, webhook, body, &origin).await
        }
    };
    match tokio::time::timeout(TIMEOUT, send).await {
        Ok(result) => result,
        Err(_) => Err(NotifyError::Timeout {
            origin,
            seconds: TIMEOUT.as_secs(),
        }),
    }
}

async fn send_with<C>(
    connector: C,
    webhook: &Webhook,
    body: Vec<u8>,
    origin: &str,
) -> Result<(), NotifyError>
where
    C: hyper_util::client::legacy::connect::Connect + Clone + Send + Sync + 'static,
{
    use http_body_util::{BodyExt, Full};
    use hyper::body::Bytes;
    let client: hyper_util::client::legacy::Client<C, Full<Bytes>> =
        hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new())
            .build(connector);
    let failed = |reason: String| NotifyError::Post {
        origin: origin.to_string(),
        reason,
    };
    let request = hyper::Request::post(webhook.url.as_str())
        .header("content-type", "application/json")
        .header(
            "user-agent",
            concat!("driftcheck/", env!("CARGO_PKG_VERSION")),
        )
        .body(Full::new(Bytes::from(body)))
        .map_err(|_| failed("the URL is not a valid request target".to_string()))?;
    let response = client
        .request(request)
        .await
        .map_err(|e| failed(redact(&describe_client_error(&e), &webhook.url)))?;
    let status = response.status().as_u16();
    // Drain the answer so the server sees a complete exchange; its content does not matter.
    let _ = response.into_body().collect().await;
    if (200..300).contains(&status) {
        Ok(())
    } else {
        Err(NotifyError::Status {
            origin: origin.to_string(),
            status,
        })
    }
}

/// A client error as words, without the URL: only the kinds of its causes.
fn describe_client_error(error: &hyper_util::client::legacy::Error) -> String {
    let mut source: Option<&(dyn std::error::Error + 'static)> = std::error::Error::source(error);
    while let Some(cause) = source {
        if let Some(mut io) = cause.downcast_ref::<std::io::Error>() {
            // Connectors wrap io errors in io errors; the innermost one says what happened.
            while let Some(inner) = io
                .get_ref()
                .and_then(|e| e.downcast_ref::<std::io::Error>())
            {
                io = inner;
            }
            return match (io.kind(), io.get_ref()) {
                (std::io::ErrorKind::ConnectionRefused, _) => "connection refused".to_string(),
                (std::io::ErrorKind::TimedOut, _) => "connection timed out".to_string(),
                // TLS failures arrive as io errors wrapping the rustls error.
                (_, Some(inner)) if inner.is::<rustls::Error>() => format!("TLS failed: {inner}"),
                (kind, _) => format!("{kind}"),
            };
        }
        source = cause.source();
    }
    if error.is_connect() {
        "cannot connect".to_string()
    } else {
        "the connection failed".to_string()
    }
}

/// Defence in depth: no error text may carry the URL or its secret path.
fn redact(text: &str, url: &url::Url) -> String {
    let mut out = text.replace(url.as_str(), "<webhook>");
    if url.path().len() > 1 {
        out = out.replace(url.path(), "/<redacted>");
    }
    if let Some(query) = url.query() {
        out = out.replace(query, "<redacted>");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::{CodebaseSummary, Finding, TargetReport};
    use std::collections::BTreeMap;

    fn report(findings: usize) -> CheckReport {
        let mut targets = BTreeMap::new();
        targets.insert(
            "production".to_string(),
            TargetReport::not_examined(TargetState::Unreachable, "timeout", "unreachable: timeout"),
        );
        let mut staging = TargetReport::not_examined(TargetState::Behind, "x", "at a1; 1 behind");
        staging.reason = None;
        targets.insert("staging".to_string(), staging);
        CheckReport {
            driftcheck_version: "0.1.0".into(),
            status: Status::Drift,
            codebase: CodebaseSummary {
                migration_dirs: vec![],
                heads: vec!["b2".into()],
                branch_heads: vec![],
                revisions: 2,
                problems: vec![],
            },
            targets,
            schema_diff: vec![],
            schema_diff_ignored: BTreeMap::new(),
            schema_diff_folded_partitions: Vec::new(),
            findings: (0..findings)
                .map(|i| Finding {
                    code: format!("code{i}"),
                    severity: if i == 0 {
                        Severity::Warning
                    } else {
                        Severity::Error
                    },
                    message: format!("message {i}"),
                    suggestion: Some(format!("alembic stamp r{i}")),
                    target: Some("staging".into()),
                })
                .collect(),
            report_path: Some("drift-reports/drift-1.md".into()),
            ris_path: None,
            checked_at: "2026-01-01T00:00:00Z".into(),
        }
    }

    #[test]
    fn payload_names_environments_findings_and_report() {
        let value = payload(&report(8), None);
        let text = value["text"].as_str().unwrap();
        assert!(
            text.starts_with("driftcheck: drift in production (unreachable), staging (behind)"),
            "{text}"
        );
        assert!(text.contains("Report: drift-reports/drift-1.md"), "{text}");
        let blocks = value["blocks"].as_array().unwrap();
        let findings = blocks[2]["text"]["text"].as_str().unwrap();
        // Errors first, then warnings; five shown, the rest counted.
        assert!(
            findings.starts_with("• `code1` message 1\n    fix: `alembic stamp r1`"),
            "{findings}"
        );
        assert_eq!(findings.matches("• ").count(), TOP_FINDINGS);
        assert!(!findings.contains("code0"), "{findings}");
        assert!(
            findings.ends_with("… and 3 more in the report"),
            "{findings}"
        );
        let context = blocks[3]["elements"][0]["text"].as_str().unwrap();
        assert!(context.contains("drift-reports/drift-1.md"), "{context}");
    }

    #[test]
    fn sends_on_drift_or_unreachable_or_always() {
        let mut clean = report(0);
        clean.status = Status::Clean;
        assert!(should_send(&clean, false), "production is unreachable");
        clean.targets.remove("production");
        assert!(!should_send(&clean, false));
        assert!(should_send(&clean, true));
        assert!(should_send(&report(1), false));
    }

    #[test]
    fn only_http_urls_and_no_url_in_errors() {
        let secret = "ftp://hooks.example/T000/B000/XXXXSECRET";
        let error = Webhook::parse(secret, "--notify-webhook")
            .unwrap_err()
            .to_string();
        assert!(
            error.contains("--notify-webhook") && error.contains("ftp"),
            "{error}"
        );
        assert!(!error.contains("XXXXSECRET"), "{error}");
        let error = Webhook::parse("not a url SECRET", "DRIFTCHECK_WEBHOOK_URL")
            .unwrap_err()
            .to_string();
        assert!(!error.contains("SECRET"), "{error}");
        let hook = Webhook::parse("https://hooks.example/T/B/SECRET", "x").unwrap();
        assert!(!format!("{hook:?}").contains("SECRET"));
    }

    #[test]
    fn redact_removes_url_path_and_query() {
        let url = url::Url::parse("https://hooks.example/services/T0/SECRET?token=Q1").unwrap();
        let text = format!("failed for {url} at /services/T0/SECRET with token=Q1");
        let clean = redact(&text, &url);
        assert!(
            !clean.contains("SECRET") && !clean.contains("Q1"),
            "{clean}"
        );
    }

    #[test]
    fn clip_respects_characters() {
        assert_eq!(clip("ééé", 2), "é…");
        assert_eq!(clip("abc", 3), "abc");
    }
}
