//! Assembling a check: what was observed of each database + the codebase →
//! the [`CheckReport`]. Pure; the I/O that gathers the observations lives in
//! `observe`.

pub mod diff;
pub mod expected;

use crate::diagnosis::{self, Assessment, TargetInput};
use crate::migrations::{Codebase, Revision};
use crate::report::{
    CheckReport, CodebaseProblem, CodebaseSummary, Finding, SchemaDiffEntry, Severity, Status,
    TargetReport, TargetState,
};
use crate::schema::{Snapshot, Visibility};
use std::collections::BTreeMap;

/// What driftcheck could see of one database.
#[derive(Debug, Clone)]
pub enum Observed {
    /// Read: its snapshot (version table included) and identity without secrets.
    Read {
        snapshot: Box<Snapshot>,
        database: Option<String>,
    },
    /// Could not be read; `reason` is a stable code (`secret_not_found`, ...).
    Unreachable { reason: String, message: String },
    /// Deliberately not read (`--skip-production`, not configured).
    Skipped { reason: String, message: String },
}

impl Observed {
    pub fn snapshot(&self) -> Option<&Snapshot> {
        match self {
            Observed::Read { snapshot, .. } => Some(snapshot),
            _ => None,
        }
    }
}

pub struct CheckInput<'a> {
    pub codebase: &'a Codebase,
    /// In display order: `local` first, then `production`.
    pub targets: &'a [(String, Observed)],
    /// Version table name as configured (for messages).
    pub version_table_name: &'a str,
    pub schema_diff: Vec<SchemaDiffEntry>,
    pub schema_diff_ignored: BTreeMap<String, usize>,
    pub checked_at: String,
    /// The codebase's history of each object, to explain the schema diff
    /// (`None`: differences stay unexplained).
    pub history: Option<&'a crate::explain::History>,
    /// The revisions of the expected schema's database (`--expected-snapshot`).
    pub expected_applied: Option<std::collections::BTreeSet<String>>,
}

/// Build the report. `assess` checks one pending migration against one snapshot.
pub fn build_report(
    input: CheckInput<'_>,
    assess: &dyn Fn(&Revision, &Snapshot) -> Assessment,
) -> CheckReport {
    let codebase = input.codebase;
    let mut findings = diagnosis::codebase_findings(codebase);
    let mut targets = BTreeMap::new();

    for (name, observed) in input.targets {
        let report = match observed {
            Observed::Read { snapshot, database } => {
                let version_name = snapshot
                    .version_table
                    .as_ref()
                    .map(|t| t.name.clone())
                    .unwrap_or_else(|| input.version_table_name.to_string());
                let user_tables = snapshot
                    .tables
                    .iter()
                    .filter(|t| t.key() != version_name && t.name != version_name)
                    .count();
                let target_input = TargetInput {
                    name,
                    version_table: snapshot.version_table.as_ref(),
                    version_table_name: input.version_table_name,
                    user_tables,
                    database: database.clone(),
                    server_version: Some(snapshot.server_version.clone()).filter(|v| !v.is_empty()),
                };
                let (report, target_findings) =
                    diagnosis::diagnose(codebase, &target_input, &mut |rev: &Revision| {
                        assess(rev, snapshot)
                    });
                findings.extend(target_findings);
                if let Some(visibility) = &snapshot.visibility {
                    findings.extend(visibility_findings(name, visibility));
                }
                report
            }
            Observed::Unreachable { reason, message } => {
                findings.push(Finding {
                    code: format!("{name}_unreachable"),
                    severity: Severity::Warning,
                    message: format!("{name} could not be compared: {message}"),
                    suggestion: None,
                    target: Some(name.clone()),
                });
                TargetReport::not_examined(TargetState::Unreachable, reason, message.clone())
            }
            Observed::Skipped { reason, message } => {
                TargetReport::not_examined(TargetState::Skipped, reason, message.clone())
            }
        };
        targets.insert(name.clone(), report);
    }

    let mut schema_diff = input.schema_diff;
    if let Some(history) = input.history {
        let mut known = BTreeMap::new();
        if let Some(applied) = input.expected_applied {
            known.insert(expected::EXPECTED.to_string(), applied);
        }
        crate::explain::explain_entries(&mut schema_diff, &targets, &known, codebase, history);
    }
    findings.extend(schema_drift_findings(&schema_diff));

    let drift = findings.iter().any(|f| f.severity == Severity::Error);
    CheckReport {
        driftcheck_version: env!("CARGO_PKG_VERSION").to_string(),
        status: if drift { Status::Drift } else { Status::Clean },
        codebase: codebase_summary(codebase),
        targets,
        schema_diff,
        schema_diff_ignored: input.schema_diff_ignored,
        schema_diff_folded_partitions: Vec::new(),
        findings,
        report_path: None,
        ris_path: None,
        checked_at: input.checked_at,
    }
}

/// The schema diff's findings, per compared pair (local/production, or named
/// environments): `schema_drift_pending` per side for the differences that
/// migrations pending there account for (a deploy's `alembic upgrade`
/// resolves them), `schema_drift` for the rest (made outside migrations,
/// unverifiable, or unexplained); `schema_drift_warning` for the differences
/// that are warnings (storage parameters).
fn schema_drift_findings(schema_diff: &[SchemaDiffEntry]) -> Vec<Finding> {
    use crate::report::DiffCause;
    let mut pairs: Vec<Option<&[String; 2]>> = Vec::new();
    for entry in schema_diff {
        if !pairs.contains(&entry.environments.as_ref()) {
            pairs.push(entry.environments.as_ref());
        }
    }
    let mut findings = Vec::new();
    for pair in pairs {
        let (left, right) = match pair {
            Some([left, right]) => (left.as_str(), right.as_str()),
            None => ("local", "production"),
        };
        let (entries, warnings): (Vec<&SchemaDiffEntry>, Vec<&SchemaDiffEntry>) = schema_diff
            .iter()
            .filter(|e| e.environments.as_ref() == pair)
            .partition(|e| e.is_drift());
        let plural = |n: usize| if n == 1 { "" } else { "s" };
        if !warnings.is_empty() {
            let n = warnings.len();
            findings.push(Finding {
                code: "schema_drift_warning".into(),
                severity: Severity::Warning,
                message: format!(
                    "{n} storage parameter difference{} between {left} and {right}: not drift by itself, but the databases may behave differently (see the schema diff)",
                    plural(n)
                ),
                suggestion: Some(
                    "align them, or ignore them with `storage_parameters = [\"*\"]` under [ignore] in driftcheck.toml".into(),
                ),
                target: pair.map(|[_, right]| right.clone()),
            });
        }
        let mut pending: BTreeMap<&str, usize> = BTreeMap::new();
        let (mut outside, mut unverifiable, mut rest) = (0, 0, 0);
        for entry in &entries {
            match entry.cause() {
                DiffCause::Pending(side) => *pending.entry(side).or_default() += 1,
                DiffCause::Outside => outside += 1,
                DiffCause::Unverifiable => unverifiable += 1,
                DiffCause::Unexplained => rest += 1,
            }
        }
        for (side, n) in pending {
            findings.push(Finding {
                code: "schema_drift_pending".into(),
                severity: Severity::Error,
                message: format!(
                    "{n} schema difference{} between {left} and {right} {} what migrations pending on {side} would do",
                    plural(n),
                    if n == 1 { "is" } else { "are" }
                ),
                suggestion: None,
                target: Some(side.to_string()),
            });
        }
        let unexplained = outside + unverifiable + rest;
        if unexplained > 0 {
            let mut message = format!(
                "{unexplained} schema difference{} between {left} and {right}",
                plural(unexplained)
            );
            if outside + unverifiable > 0 {
                message.push_str(&format!(
                    " that pending migrations do not explain: {outside} made outside migrations, {unverifiable} unverifiable"
                ));
            }
            message.push_str(" (see the schema diff)");
            findings.push(Finding {
                code: "schema_drift".into(),
                severity: Severity::Error,
                message,
                suggestion: None,
                target: pair.map(|[_, right]| right.clone()),
            });
        }
    }
    findings
}

/// Evidence for one pending migration against one snapshot (the `assess`
/// argument of [`build_report`] in a real run).
pub fn assess_pending(revision: &Revision, snapshot: &Snapshot) -> Assessment {
    match crate::evidence::assess_file(&revision.file, snapshot, "public") {
        Ok(assessment) => Assessment {
            evidence: assessment.evidence,
            details: assessment.details,
        },
        Err(error) => Assessment {
            evidence: crate::evidence::Evidence::Unknown,
            details: vec![format!("cannot read {}: {error}", revision.file.display())],
        },
    }
}

/// Warnings for what the connecting role could not see.
pub fn visibility_findings(target: &str, visibility: &Visibility) -> Vec<Finding> {
    if visibility.schemas_without_usage.is_empty() {
        return Vec::new();
    }
    let schemas = visibility.schemas_without_usage.join(", ");
    vec![Finding {
        code: "limited_visibility".into(),
        severity: Severity::Warning,
        message: format!(
            "{target}: role \"{}\" has no USAGE on schema{} {schemas}: the catalog still lists their objects, but a version table there is invisible to name lookups and the role's view may be incomplete",
            visibility.role,
            if visibility.schemas_without_usage.len() == 1 { "" } else { "s" }
        ),
        suggestion: Some(format!(
            "GRANT USAGE ON SCHEMA {schemas} TO \"{}\" (or --exclude-schema them)",
            visibility.role
        )),
        target: Some(target.to_string()),
    }]
}

pub fn codebase_summary(codebase: &Codebase) -> CodebaseSummary {
    CodebaseSummary {
        migration_dirs: codebase
            .migration_dirs
            .iter()
            .map(|d| d.display().to_string())
            .collect(),
        heads: codebase.heads.clone(),
        branch_heads: codebase.branch_heads.clone(),
        revisions: codebase.revisions.len(),
        problems: codebase
            .problems
            .iter()
            .map(|p| CodebaseProblem {
                code: p.code.clone(),
                severity: Severity::of_problem(&p.severity),
                message: p.message.clone(),
                file: p.file.as_ref().map(|f| f.display().to_string()),
                line: p.line,
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn visibility_warns_with_the_grant() {
        let mut visibility = Visibility {
            role: "ci".into(),
            ..Visibility::default()
        };
        assert!(visibility_findings("production", &visibility).is_empty());
        visibility.schemas_without_usage = vec!["audit".into(), "billing".into()];
        let findings = visibility_findings("production", &visibility);
        assert_eq!(findings.len(), 1);
        let finding = &findings[0];
        assert_eq!(finding.code, "limited_visibility");
        assert_eq!(finding.severity, Severity::Warning);
        assert_eq!(finding.target.as_deref(), Some("production"));
        assert!(
            finding.message.contains("schemas audit, billing"),
            "{}",
            finding.message
        );
        assert_eq!(
            finding.suggestion.as_deref(),
            Some("GRANT USAGE ON SCHEMA audit, billing TO \"ci\" (or --exclude-schema them)")
        );
    }
}
