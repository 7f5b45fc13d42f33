//! Rendering a [`CheckReport`]: terminal summary, markdown report, JSON.
//! Pure functions from the report model to text.

mod markdown;
mod text;

pub use markdown::markdown_report;
pub use text::{terminal_summary, Style};

use crate::report::{CheckReport, Severity, Status, TargetState};

/// The contract's JSON object, pretty-printed.
pub fn json(report: &CheckReport) -> String {
    let mut out = serde_json::to_string_pretty(report).expect("report serialises");
    out.push('\n');
    out
}

/// One-line verdict, e.g. "DRIFT: local renamed (394c8c3cbf42 = 20251230_1643), 2 pending".
pub fn verdict(report: &CheckReport) -> String {
    let head = match report.status {
        Status::Clean => "CLEAN",
        Status::Drift => "DRIFT",
        Status::Error => "ERROR",
    };
    let mut parts = Vec::new();
    for (name, target) in &report.targets {
        let part = match target.state {
            TargetState::Skipped => format!("{name} skipped"),
            TargetState::Unreachable => format!(
                "{name} unreachable ({})",
                target.reason.as_deref().unwrap_or("unknown reason")
            ),
            state => {
                let mut s = format!("{name} {}", state.as_str());
                if !target.pending.is_empty() {
                    s.push_str(&format!(", {} pending", target.pending.len()));
                }
                s
            }
        };
        parts.push(part);
    }
    if !report.schema_diff.is_empty() {
        parts.push(format!(
            "{} schema difference{}",
            report.schema_diff.len(),
            if report.schema_diff.len() == 1 {
                ""
            } else {
                "s"
            }
        ));
    }
    let errors = report
        .codebase
        .problems
        .iter()
        .filter(|p| p.severity == "error")
        .count();
    if errors > 0 {
        parts.push(format!(
            "{errors} codebase problem{}",
            if errors == 1 { "" } else { "s" }
        ));
    }
    format!("{head}: {}", parts.join("; "))
}

/// Which databases the schema diff compares: `local vs production`, or the
/// named environments' pairs (`staging vs production, staging vs qa`).
fn diff_pairs(report: &CheckReport) -> String {
    let mut pairs: Vec<String> = Vec::new();
    for entry in &report.schema_diff {
        let pair = match &entry.environments {
            Some([a, b]) => format!("{a} vs {b}"),
            None => "local vs production".to_string(),
        };
        if !pairs.contains(&pair) {
            pairs.push(pair);
        }
    }
    if pairs.is_empty() {
        "local vs production".to_string()
    } else {
        pairs.join(", ")
    }
}

fn severity_label(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "info",
    }
}

/// Pending list as short text: `20251230_1700 (applied), 20251230_1900 (not_applied)`.
fn pending_summary(target: &crate::report::TargetReport) -> String {
    target
        .pending
        .iter()
        .map(|p| format!("{} ({})", p.revision, p.evidence))
        .collect::<Vec<_>>()
        .join(", ")
}
