//! What the draft is called and how severe it is: severity with its reason,
//! the title, the file-name slug and the `ris-NNN-<slug>.md` file name.

use super::{and_list, drifting, graph_problem_codes, not_examined, plural, ris_id, state_words};
use crate::incident::text::title_case;
use crate::report::{CheckReport, TargetReport, TargetState};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SeverityLevel {
    High,
    Medium,
    Low,
}

impl SeverityLevel {
    pub fn as_str(self) -> &'static str {
        match self {
            SeverityLevel::High => "HIGH",
            SeverityLevel::Medium => "MEDIUM",
            SeverityLevel::Low => "LOW",
        }
    }
}

/// Severity and the one clause that says why.
pub fn severity(report: &CheckReport) -> (SeverityLevel, String) {
    if let Some(prod) = report.target("production").filter(|t| t.state.is_drift()) {
        let why = match prod.state {
            TargetState::Behind => format!(
                "production database is {} behind the codebase head",
                plural(prod.pending.len(), "migration")
            ),
            TargetState::Renamed => {
                "production database is stamped with a renamed revision".to_string()
            }
            other => format!(
                "production database has drifted from the codebase: {}",
                state_words(other)
            ),
        };
        return (SeverityLevel::High, why);
    }
    let drifting = drifting(report);
    if !drifting.is_empty() {
        let names: Vec<String> = drifting
            .iter()
            .map(|(n, _)| format!("{n} database"))
            .collect();
        let production = match report.target("production") {
            Some(t) if not_examined(t) => format!("production was {}", state_words(t.state)),
            Some(_) => "production matches the codebase".to_string(),
            None => "production was not part of the check".to_string(),
        };
        return (
            SeverityLevel::Medium,
            format!("drift is limited to the {}; {production}", and_list(&names)),
        );
    }
    if !report.codebase.problems.is_empty() {
        let codes: Vec<String> = report
            .codebase
            .problems
            .iter()
            .map(|p| p.code.clone())
            .collect();
        return (
            SeverityLevel::Medium,
            format!(
                "the codebase migration graph is defective: {}",
                codes.join(", ")
            ),
        );
    }
    if !report.schema_diff.is_empty() {
        return (
            SeverityLevel::Medium,
            "local and production schemas differ although their revisions match".to_string(),
        );
    }
    (
        SeverityLevel::Low,
        "no database is behind the codebase; findings only".to_string(),
    )
}

fn renamed_ids(target: &TargetReport) -> Vec<String> {
    if target.renamed.is_empty() {
        target.current.clone()
    } else {
        target.renamed.iter().map(|r| r.stored.clone()).collect()
    }
}

/// What drifted, for the title (`Schema Drift: Local Database Stamped With
/// Renamed Revision 394c8c3cbf42`).
pub fn draft_title(report: &CheckReport) -> String {
    let mut parts: Vec<String> = drifting(report)
        .into_iter()
        .map(|(name, t)| {
            let who = format!("{} Database", title_case(name));
            match t.state {
                TargetState::Renamed => format!(
                    "{who} Stamped With Renamed Revision {}",
                    renamed_ids(t).join(", ")
                ),
                TargetState::Behind => format!(
                    "{who} {} Behind Codebase Head",
                    title_case(&plural(t.pending.len(), "migration"))
                ),
                TargetState::Diverged => format!("{who} Diverged From Codebase Branches"),
                TargetState::Uninitialized => format!("{who} Without Alembic Version"),
                TargetState::UnknownRevision => format!(
                    "{who} Stamped With Unknown Revision {}",
                    t.unknown
                        .iter()
                        .map(|u| u.stored.clone())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
                other => format!("{who} {}", title_case(other.as_str())),
            }
        })
        .collect();
    if !report.schema_diff.is_empty() {
        parts.push("Local and Production Schemas Differ".to_string());
    }
    let graph = graph_problem_codes(report);
    let graph_title = (!graph.is_empty()).then(|| {
        format!(
            "Migration Graph Defect: {}",
            graph
                .iter()
                .map(|c| title_case(c))
                .collect::<Vec<_>>()
                .join(", ")
        )
    });
    let title = match (parts.is_empty(), graph_title) {
        (false, Some(graph)) => format!("Schema Drift: {}; {graph}", parts.join("; ")),
        (false, None) => format!("Schema Drift: {}", parts.join("; ")),
        (true, Some(graph)) => graph,
        (true, None) => "Schema Drift Detected".to_string(),
    };
    // Plain text: the heading that shows it escapes it for markdown.
    title.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The file-name slug: what drifted (`schema-drift-local-renamed-revision`).
pub fn draft_slug(report: &CheckReport) -> String {
    let mut words: Vec<String> = Vec::new();
    let drifting = drifting(report);
    if !drifting.is_empty() || !report.schema_diff.is_empty() {
        words.push("schema-drift".to_string());
    }
    for (name, t) in drifting {
        let state = match t.state {
            TargetState::Renamed => "renamed-revision",
            other => other.as_str(),
        };
        words.push(format!("{name}-{state}"));
    }
    if !report.schema_diff.is_empty() {
        words.push("local-production-schema".to_string());
    }
    for problem in graph_problem_codes(report) {
        words.push(format!("graph-{problem}"));
    }
    if words.is_empty() {
        words.push("schema-drift".to_string());
    }
    let mut slug = String::new();
    for c in words.join("-").chars() {
        let c = c.to_ascii_lowercase();
        if c.is_ascii_alphanumeric() {
            slug.push(c);
        } else if !slug.ends_with('-') {
            slug.push('-');
        }
    }
    // Keep file names readable; cut at a word boundary.
    const MAX: usize = 72;
    if slug.len() > MAX {
        slug.truncate(MAX);
        if let Some(cut) = slug.rfind('-') {
            slug.truncate(cut);
        }
    }
    slug.trim_matches('-').to_string()
}

/// `ris-053-schema-drift-local-renamed-revision.md`.
pub fn draft_file_name(number: u32, width: usize, report: &CheckReport) -> String {
    format!(
        "{}-{}.md",
        ris_id(number, width).to_ascii_lowercase(),
        draft_slug(report)
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::{
        CodebaseProblem, CodebaseSummary, Finding, PendingMigration, Severity, Status,
    };
    use std::collections::BTreeMap;

    fn report(targets: Vec<(&str, TargetReport)>, problems: Vec<&str>) -> CheckReport {
        CheckReport {
            driftcheck_version: "0.1.0".into(),
            status: Status::Drift,
            codebase: CodebaseSummary {
                migration_dirs: vec!["alembic/versions".into()],
                heads: vec!["b".into()],
                branch_heads: vec![],
                revisions: 2,
                problems: problems
                    .into_iter()
                    .map(|code| CodebaseProblem {
                        code: code.into(),
                        severity: Severity::Error,
                        message: "two heads: a, b".into(),
                        file: None,
                        line: None,
                    })
                    .collect(),
            },
            targets: targets
                .into_iter()
                .map(|(n, t)| (n.to_string(), t))
                .collect(),
            schema_diff: vec![],
            schema_diff_ignored: BTreeMap::new(),
            schema_diff_folded_partitions: Vec::new(),
            findings: vec![Finding {
                code: "not_applied".into(),
                severity: Severity::Error,
                message: "b not applied".into(),
                suggestion: Some("alembic upgrade b".into()),
                target: Some("production".into()),
            }],
            report_path: None,
            ris_path: None,
            checked_at: "2026-01-10T09:15:00Z".into(),
        }
    }

    fn behind(n: usize) -> TargetReport {
        let mut t = TargetReport::not_examined(TargetState::Behind, "", "behind");
        t.reason = None;
        t.current = vec!["a".into()];
        t.pending = (0..n)
            .map(|i| PendingMigration {
                revision: format!("r{i}"),
                file: format!("alembic/versions/r{i}.py"),
                evidence: crate::evidence::Evidence::NotApplied,
                details: vec![],
                create_date: None,
                message: None,
            })
            .collect();
        t
    }

    #[test]
    fn production_behind_is_high() {
        let r = report(
            vec![
                (
                    "local",
                    TargetReport::not_examined(TargetState::AtHead, "", ""),
                ),
                ("production", behind(2)),
            ],
            vec![],
        );
        let (level, why) = severity(&r);
        assert_eq!(level, SeverityLevel::High);
        assert_eq!(
            why,
            "production database is 2 migrations behind the codebase head"
        );
        assert_eq!(draft_slug(&r), "schema-drift-production-behind");
        assert_eq!(
            draft_title(&r),
            "Schema Drift: Production Database 2 Migrations Behind Codebase Head"
        );
    }

    #[test]
    fn local_only_is_medium_and_graph_defect_is_medium() {
        let r = report(
            vec![
                ("local", behind(1)),
                (
                    "production",
                    TargetReport::not_examined(TargetState::Skipped, "skip_production", "skipped"),
                ),
            ],
            vec![],
        );
        let (level, why) = severity(&r);
        assert_eq!(level, SeverityLevel::Medium);
        assert!(
            why.contains("local database") && why.contains("skipped"),
            "{why}"
        );

        let graph = report(vec![], vec!["multiple_heads"]);
        let (level, why) = severity(&graph);
        assert_eq!(level, SeverityLevel::Medium);
        assert!(why.contains("multiple_heads"), "{why}");
        assert_eq!(draft_slug(&graph), "graph-multiple-heads");
        assert_eq!(
            draft_title(&graph),
            "Migration Graph Defect: Multiple Heads"
        );
    }

    #[test]
    fn file_names_are_padded_and_slugged() {
        let r = report(vec![("local", behind(1))], vec![]);
        assert_eq!(
            draft_file_name(53, 3, &r),
            "ris-053-schema-drift-local-behind.md"
        );
        assert_eq!(
            draft_file_name(8, 4, &r),
            "ris-0008-schema-drift-local-behind.md"
        );
        assert_eq!(
            draft_file_name(1234, 3, &r),
            "ris-1234-schema-drift-local-behind.md"
        );
    }
}
