//! The deploy gate: may a pipeline deploy to the databases a check examined?
//! And the GitHub Actions side of it (annotations, step summary). Pure: the
//! check's report in, a verdict and text out.

use crate::evidence::Evidence;
use crate::report::{CheckReport, Finding, Severity, TargetReport, TargetState};
use serde::Serialize;

/// The gate's verdict on one report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GateOutcome {
    pub passed: bool,
    pub allow_pending: bool,
    /// Why the gate fails, one line per blocking finding (empty when passed).
    pub failures: Vec<String>,
    /// Differences `--allow-pending` accepted: the deploy itself resolves them.
    pub tolerated: Vec<String>,
    /// Targets that could not be read: the gate cannot vouch for them (exit 3).
    pub unreachable: Vec<String>,
}

/// Judge a check report. Every error finding blocks, except, with
/// `allow_pending`, the pending migrations of a target whose every pending
/// migration is `not_applied`: `alembic upgrade heads` in the deploy applies
/// them. Anything else pending (applied by hand, partial, unverifiable) and
/// renamed, unknown or diverged revisions would make that upgrade fail.
pub fn evaluate(report: &CheckReport, allow_pending: bool) -> GateOutcome {
    let mut failures = Vec::new();
    let mut tolerated = Vec::new();
    for finding in &report.findings {
        if finding.severity != Severity::Error {
            continue;
        }
        let target = finding
            .target
            .as_deref()
            .and_then(|name| report.targets.get(name));
        let pending_only = target.is_some_and(deploy_applies_everything);
        if allow_pending
            && pending_only
            && matches!(
                finding.code.as_str(),
                "not_applied" | "uninitialized" | "schema_drift_pending"
            )
        {
            tolerated.push(finding.message.clone());
            continue;
        }
        failures.push(failure_line(finding, allow_pending));
    }
    let unreachable: Vec<String> = report
        .targets
        .iter()
        .filter(|(_, t)| t.state == TargetState::Unreachable)
        .map(|(name, t)| format!("{name}: {}", t.message))
        .collect();
    GateOutcome {
        passed: failures.is_empty() && unreachable.is_empty(),
        allow_pending,
        failures,
        tolerated,
        unreachable,
    }
}

/// Whether `alembic upgrade heads` alone brings this target to the head.
fn deploy_applies_everything(target: &TargetReport) -> bool {
    matches!(
        target.state,
        TargetState::Behind | TargetState::Uninitialized
    ) && !target.pending.is_empty()
        && target
            .pending
            .iter()
            .all(|p| p.evidence == Evidence::NotApplied)
}

fn failure_line(finding: &Finding, allow_pending: bool) -> String {
    let why = match finding.code.as_str() {
        "not_applied" if !allow_pending => {
            " (pass --allow-pending when the deploy runs `alembic upgrade heads` itself)"
        }
        "not_applied" => {
            " (blocked: another pending migration of this database would make `alembic upgrade` fail)"
        }
        "applied_by_hand" => {
            " — `alembic upgrade` would fail re-creating what is already there; --allow-pending does not cover it"
        }
        "partially_applied" => {
            " — `alembic upgrade` would fail on the part that exists; --allow-pending does not cover it"
        }
        "pending_unverified" => {
            " — driftcheck cannot tell whether `alembic upgrade` would succeed; --allow-pending does not cover it"
        }
        "renamed_revision" | "unknown_revision" => {
            " — `alembic upgrade` fails with \"Can't locate revision\""
        }
        "diverged" | "inconsistent_version_rows" => {
            " — the version table is not one position of the graph; `alembic upgrade` cannot be trusted"
        }
        "multiple_heads" => " — `alembic upgrade head` refuses a codebase with several heads",
        "uninitialized" => {
            " — the schema was created outside Alembic; `alembic upgrade` would re-create it"
        }
        _ => "",
    };
    let mut line = format!("[{}] {}{why}", finding.code, finding.message);
    if let Some(fix) = &finding.suggestion {
        line.push_str(&format!("; fix: {fix}"));
    }
    line
}

/// The gate's verdict as text (terminal and logs).
pub fn render_text(outcome: &GateOutcome) -> String {
    let mut out = String::new();
    if outcome.passed {
        out.push_str("gate: PASS");
        if outcome.tolerated.is_empty() {
            out.push_str(" — nothing to fix before deploying\n");
        } else {
            out.push_str(" — only pending migrations that the deploy's `alembic upgrade heads` applies (--allow-pending)\n");
        }
    } else {
        out.push_str("gate: FAIL — do not deploy until these are fixed\n");
    }
    for line in &outcome.failures {
        out.push_str(&format!("  blocking: {line}\n"));
    }
    for line in &outcome.unreachable {
        out.push_str(&format!("  not verified: {line}\n"));
    }
    for line in &outcome.tolerated {
        out.push_str(&format!("  accepted: {line}\n"));
    }
    out
}

/// The gate's verdict as a markdown section (GitHub step summary).
pub fn render_markdown(outcome: &GateOutcome) -> String {
    let mut out = String::new();
    out.push_str(if outcome.passed {
        "## driftcheck gate: ✅ pass\n\n"
    } else {
        "## driftcheck gate: ❌ fail\n\n"
    });
    let list = |out: &mut String, title: &str, lines: &[String]| {
        if lines.is_empty() {
            return;
        }
        out.push_str(&format!("**{title}**\n\n"));
        for line in lines {
            out.push_str(&format!("- {}\n", crate::escape::md_text(line)));
        }
        out.push('\n');
    };
    list(&mut out, "Blocking", &outcome.failures);
    list(&mut out, "Not verified (unreachable)", &outcome.unreachable);
    list(
        &mut out,
        "Accepted (--allow-pending: the deploy applies them)",
        &outcome.tolerated,
    );
    out
}

/// GitHub Actions workflow commands for a report: `::error file=…,line=…::`
/// for graph defects in migration files, `::error::` / `::warning::` for the
/// other findings (with their fix).
pub fn annotations(report: &CheckReport) -> Vec<String> {
    let mut lines = Vec::new();
    for problem in &report.codebase.problems {
        let level = match problem.severity {
            Severity::Error => "error",
            Severity::Warning | Severity::Info => "warning",
        };
        let mut properties = Vec::new();
        if let Some(file) = &problem.file {
            properties.push(format!("file={}", escape_property(file)));
            if let Some(line) = problem.line {
                properties.push(format!("line={line}"));
            }
        }
        properties.push(format!(
            "title={}",
            escape_property(&format!("driftcheck {}", problem.code))
        ));
        lines.push(format!(
            "::{level} {}::{}",
            properties.join(","),
            escape_data(&problem.message)
        ));
    }
    for finding in &report.findings {
        // Codebase findings restate a problem annotated above, with its file.
        let restates_problem = finding.target.is_none()
            && report
                .codebase
                .problems
                .iter()
                .any(|p| p.code == finding.code);
        if restates_problem {
            continue;
        }
        let level = match finding.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "notice",
        };
        let mut message = finding.message.clone();
        if let Some(fix) = &finding.suggestion {
            message.push_str(&format!(" — fix: {fix}"));
        }
        lines.push(format!(
            "::{level} title={}::{}",
            escape_property(&format!("driftcheck {}", finding.code)),
            escape_data(&message)
        ));
    }
    lines
}

/// Escaping of a workflow command's message (as @actions/core does), after
/// showing control characters as escapes: the command is also printed raw to
/// the job log and the terminal.
fn escape_data(text: &str) -> String {
    crate::escape::diagnostic(text)
        .replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escaping of a workflow command's property value.
fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests;
