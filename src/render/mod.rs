//! Rendering a [`CheckReport`]: terminal summary, markdown report, JSON.
//! Pure functions from the report model to text.

mod markdown;
mod text;

pub use markdown::markdown_report;
pub use text::{terminal_summary, Style};

use crate::report::{CheckReport, DiffCause, Severity, Status, TargetState};

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
        .filter(|p| p.severity == Severity::Error)
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

/// The schema differences grouped by what explains them: pending on a side
/// (what `alembic upgrade` there fixes), made outside migrations,
/// unverifiable, then any left unexplained. Empty groups are left out.
pub struct DiffGroup<'a> {
    pub cause: DiffCause<'a>,
    pub entries: Vec<&'a crate::report::SchemaDiffEntry>,
}

impl DiffGroup<'_> {
    pub fn title(&self) -> String {
        match self.cause {
            DiffCause::Pending(side) => format!("fixed by `alembic upgrade` on {side}"),
            DiffCause::Outside => "made outside migrations".to_string(),
            DiffCause::Unverifiable => "unverifiable".to_string(),
            DiffCause::Unexplained => "not explained".to_string(),
        }
    }
}

pub fn diff_groups(report: &CheckReport) -> Vec<DiffGroup<'_>> {
    let mut groups: std::collections::BTreeMap<DiffCause, Vec<_>> = Default::default();
    for entry in &report.schema_diff {
        groups.entry(entry.cause()).or_default().push(entry);
    }
    groups
        .into_iter()
        .map(|(cause, entries)| DiffGroup { cause, entries })
        .collect()
}

/// One line per group: `fixed by `alembic upgrade` on production: 2; made
/// outside migrations: 3 (local 1, production 2); unverifiable: 1`.
pub fn diff_group_counts(report: &CheckReport) -> String {
    diff_groups(report)
        .iter()
        .map(|group| {
            let mut by_side: std::collections::BTreeMap<&str, usize> = Default::default();
            for entry in &group.entries {
                if let Some(side) = entry.explanation.as_ref().and_then(|e| e.side.as_deref()) {
                    *by_side.entry(side).or_default() += 1;
                }
            }
            let sides = if group.cause == DiffCause::Outside && !by_side.is_empty() {
                format!(
                    " ({})",
                    by_side
                        .iter()
                        .map(|(side, n)| format!("{side} {n}"))
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            } else {
                String::new()
            };
            format!("{}: {}{sides}", group.title(), group.entries.len())
        })
        .collect::<Vec<_>>()
        .join("; ")
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::{CodebaseSummary, SchemaDiffEntry};

    fn entry(object: &str, pair: Option<[&str; 2]>) -> SchemaDiffEntry {
        SchemaDiffEntry {
            kind: crate::compare::Kind::Column,
            object: object.into(),
            change: crate::compare::Change::OnlyLocal,
            local: Some("text".into()),
            production: None,
            environments: pair.map(|[a, b]| [a.to_string(), b.to_string()]),
            explanation: None,
            severity: None,
        }
    }

    fn report(diff: Vec<SchemaDiffEntry>) -> CheckReport {
        CheckReport {
            driftcheck_version: "0.1.0".into(),
            status: Status::Drift,
            codebase: CodebaseSummary {
                migration_dirs: vec![],
                heads: vec![],
                branch_heads: vec![],
                revisions: 0,
                problems: vec![],
            },
            targets: Default::default(),
            schema_diff: diff,
            schema_diff_ignored: Default::default(),
            schema_diff_folded_partitions: Vec::new(),
            findings: vec![],
            report_path: None,
            ris_path: None,
            checked_at: "2026-01-01T00:00:00Z".into(),
        }
    }

    #[test]
    fn plain_pair_keeps_its_wording() {
        let r = report(vec![entry("public.t.a", None)]);
        assert_eq!(diff_pairs(&r), "local vs production");
        let md = markdown_report(&r);
        assert!(
            md.contains("1 difference(s) between local and production"),
            "{md}"
        );
        assert!(
            md.contains("| Kind | Object | Change | Local | Production |"),
            "{md}"
        );
    }

    #[test]
    fn environment_pairs_are_named() {
        let r = report(vec![
            entry("public.t.a", Some(["staging", "prod"])),
            entry("public.t.b", Some(["staging", "qa"])),
            entry("public.t.c", Some(["staging", "prod"])),
        ]);
        assert_eq!(diff_pairs(&r), "staging vs prod, staging vs qa");
        let md = markdown_report(&r);
        assert!(
            md.contains("## Schema differences (staging vs prod, staging vs qa)"),
            "{md}"
        );
        assert!(
            md.contains("| Kind | Object | Change | Reference | Compared |"),
            "{md}"
        );
        assert!(
            md.contains("| staging vs qa: column | `public.t.b` |"),
            "{md}"
        );
        let text = terminal_summary(&r, Style::plain());
        assert!(text.contains("staging/qa only_local"), "{text}");
    }
}
