//! The analysis: candidate root causes, each with the findings that support
//! it, and the impact of the drift on each database.

use super::{
    and_list, applied_at_least_partly, drifting, env, graph_problem_codes, ids, not_examined,
    plural, state_words, targets, Draft,
};
use crate::evidence::Evidence;
use crate::incident::text::{code, one_line, title_case};
use crate::report::{DiffCause, Finding, PendingMigration, TargetState};
use std::collections::BTreeSet;
use std::fmt::Write;

impl Draft<'_> {
    /// Findings of `codes` about `target` (or about no particular target).
    fn findings_for<'r>(&'r self, codes: &[&str], target: Option<&str>) -> Vec<&'r Finding> {
        self.report
            .findings
            .iter()
            .filter(|f| codes.contains(&f.code.as_str()))
            .filter(|f| match (f.target.as_deref(), target) {
                (Some(a), Some(b)) => a == b,
                _ => true,
            })
            .collect()
    }

    pub(super) fn root_cause(&self, out: &mut String) {
        out.push_str("## Root Cause\n\n");
        out.push_str(
            "Candidate causes, each with the evidence driftcheck found (confirm or strike):\n\n",
        );
        let mut causes: Vec<(String, String, Vec<&Finding>)> = Vec::new();
        for (name, t) in targets(self.report) {
            let who = format!("{} DB", env(name));
            if !t.renamed.is_empty() {
                let pairs: Vec<String> = t
                    .renamed
                    .iter()
                    .map(|r| {
                        format!(
                            "{} is stamped with {}, which the codebase now calls {} ({})",
                            who,
                            code(&r.stored),
                            code(&r.revision),
                            code(&self.display_path(&r.file))
                        )
                    })
                    .collect();
                causes.push((
                    "Naming Convention Mismatch".to_string(),
                    format!(
                        "revision ids were rewritten but the database was not re-stamped: {}",
                        pairs.join("; ")
                    ),
                    self.findings_for(&["renamed_revision"], Some(name)),
                ));
            }
            let by_evidence = |wanted: &[Evidence]| -> Vec<&PendingMigration> {
                t.pending
                    .iter()
                    .filter(|p| wanted.contains(&p.evidence))
                    .collect()
            };
            let applied = by_evidence(&[Evidence::Applied, Evidence::Partial]);
            if !applied.is_empty() {
                let list: Vec<String> = applied
                    .iter()
                    .map(|p| {
                        format!(
                            "{} ({})",
                            code(&p.revision),
                            p.evidence.as_str().replace('_', " ")
                        )
                    })
                    .collect();
                causes.push((
                    "Migrations Applied Without Stamping".to_string(),
                    format!(
                        "the schema of the {who} already has the changes of {}, but the version table was not updated (applied by hand, or by another tool)",
                        and_list(&list)
                    ),
                    self.findings_for(&["applied_by_hand", "partially_applied", "partial"], Some(name)),
                ));
            }
            let never = by_evidence(&[Evidence::NotApplied]);
            if !never.is_empty() {
                let list: Vec<String> = never.iter().map(|p| code(&p.revision)).collect();
                causes.push((
                    "Migrations Never Applied".to_string(),
                    format!(
                        "{} {} not run on the {who}: no trace of {} in its schema",
                        and_list(&list),
                        if never.len() == 1 { "was" } else { "were" },
                        if never.len() == 1 {
                            "its changes"
                        } else {
                            "their changes"
                        }
                    ),
                    self.findings_for(&["not_applied", "behind", "pending_migrations"], Some(name)),
                ));
            }
            let unverified = by_evidence(&[Evidence::Unknown]);
            if !unverified.is_empty() {
                let list: Vec<String> = unverified.iter().map(|p| code(&p.revision)).collect();
                causes.push((
                    "Unverified Migrations".to_string(),
                    format!(
                        "whether {} ran on the {who} cannot be told from the schema (data-only or opaque migrations)",
                        and_list(&list)
                    ),
                    self.findings_for(&["unknown_evidence"], Some(name)),
                ));
            }
            match t.state {
                TargetState::Uninitialized => causes.push((
                    "Database Never Stamped".to_string(),
                    format!("the {who} has no row in its version table"),
                    self.findings_for(&["uninitialized", "no_version_table"], Some(name)),
                )),
                TargetState::UnknownRevision => causes.push((
                    "Unknown Revision".to_string(),
                    format!(
                        "the {who} is stamped with {}, which no migration file declares (deleted, or from another branch)",
                        ids(&t.unknown.iter().map(|u| u.stored.clone()).collect::<Vec<_>>())
                    ),
                    self.findings_for(&["unknown_revision"], Some(name)),
                )),
                TargetState::Diverged => causes.push((
                    "Diverged Branches".to_string(),
                    format!(
                        "the {who} is on {} which the codebase heads do not descend from in the same way",
                        ids(&t.current)
                    ),
                    self.findings_for(&["diverged"], Some(name)),
                )),
                TargetState::Skipped | TargetState::Unreachable => causes.push((
                    format!("{} Not Comparable", env(name)),
                    format!(
                        "the {who} was {}{}: the same drift may exist there undetected",
                        state_words(t.state),
                        t.reason
                            .as_deref()
                            .map(|r| format!(" (reason: {})", code(r)))
                            .unwrap_or_default()
                    ),
                    self.findings_for(
                        &["production_skipped", "production_unreachable", "skipped", "unreachable"],
                        Some(name),
                    ),
                )),
                _ => {}
            }
        }
        for problem in graph_problem_codes(self.report) {
            let messages: Vec<String> = self
                .report
                .codebase
                .problems
                .iter()
                .filter(|p| p.code == problem)
                .map(|p| one_line(&p.message))
                .collect();
            let heading = if problem == "multiple_heads" {
                "Several Heads".to_string()
            } else {
                format!("Codebase Graph Defect ({})", title_case(&problem))
            };
            causes.push((
                heading,
                messages.join("; "),
                self.findings_for(&[problem.as_str()], None),
            ));
        }
        // The schema diff, by what explains each difference.
        for group in crate::render::diff_groups(self.report) {
            let objects = |entries: &[&crate::report::SchemaDiffEntry]| {
                let mut list: Vec<String> =
                    entries.iter().take(5).map(|e| code(&e.object)).collect();
                if entries.len() > 5 {
                    list.push(format!("{} more", entries.len() - 5));
                }
                and_list(&list)
            };
            let sides: BTreeSet<&str> = group
                .entries
                .iter()
                .filter_map(|e| e.explanation.as_ref().and_then(|x| x.side.as_deref()))
                .collect();
            let on = if sides.is_empty() {
                String::new()
            } else {
                format!(
                    " on the {}",
                    and_list(
                        &sides
                            .iter()
                            .map(|s| format!("{} DB", env(s)))
                            .collect::<Vec<_>>()
                    )
                )
            };
            let n = plural(group.entries.len(), "schema difference");
            let cause = match group.cause {
                DiffCause::Outside => (
                    "Schema Changed Outside Migrations".to_string(),
                    format!(
                        "{n} made{on} without a migration (by hand, or by another tool): {}",
                        objects(&group.entries)
                    ),
                    self.findings_for(&["schema_drift"], None),
                ),
                DiffCause::Unverifiable => (
                    "Schema Differences Not Attributable".to_string(),
                    format!(
                        "{n} that an operation driftcheck cannot read (raw SQL, a helper) or an object kind it does not follow may explain: {}",
                        objects(&group.entries)
                    ),
                    self.findings_for(&["schema_drift"], None),
                ),
                DiffCause::Unexplained => (
                    "Schema Changed Outside Migrations".to_string(),
                    format!(
                        "{n} although migrations should make the databases equal: {}",
                        objects(&group.entries)
                    ),
                    self.findings_for(&["schema_diff", "schema_drift"], None),
                ),
                DiffCause::Pending(_) => (
                    "Schema Differences From Pending Migrations".to_string(),
                    format!(
                        "{n} that `alembic upgrade`{on} would resolve: {}",
                        objects(&group.entries)
                    ),
                    self.findings_for(&["schema_drift_pending"], None),
                ),
            };
            causes.push(cause);
        }
        // Findings no cause above accounts for become causes of their own.
        let covered: Vec<&Finding> = causes
            .iter()
            .flat_map(|(_, _, fs)| fs.iter().copied())
            .collect();
        for finding in &self.report.findings {
            if !covered.iter().any(|c| std::ptr::eq(*c, finding)) {
                causes.push((
                    title_case(&finding.code),
                    one_line(&finding.message),
                    vec![finding],
                ));
            }
        }
        for (i, (heading, text, findings)) in causes.iter().enumerate() {
            let _ = write!(out, "{}. **{heading}**: {text}", i + 1);
            if !findings.is_empty() {
                let codes: BTreeSet<String> = findings.iter().map(|f| code(&f.code)).collect();
                let _ = write!(
                    out,
                    " (finding {})",
                    codes.into_iter().collect::<Vec<_>>().join(", ")
                );
            }
            out.push('\n');
        }
        let _ = writeln!(
            out,
            "{}. **No Automated Drift Detection**: nothing checked the databases against the codebase before this run",
            causes.len() + 1
        );
        out.push('\n');
    }

    pub(super) fn impact(&self, out: &mut String) {
        out.push_str("## Impact\n\n");
        let mut lines: Vec<String> = Vec::new();
        if self
            .report
            .target("production")
            .is_some_and(|t| t.state.is_drift())
        {
            lines.push("Production runs code against a schema it was not written for: requests touching the changed tables may fail".to_string());
        }
        for (name, t) in drifting(self.report) {
            let who = format!("{} DB", env(name));
            for renamed in &t.renamed {
                lines.push(format!(
                    "Alembic cannot locate revision {} on the {who}: `alembic upgrade`, `current` and `history` fail there until it is re-stamped",
                    code(&renamed.stored)
                ));
            }
            let applied: Vec<String> = t
                .pending
                .iter()
                .filter(|p| applied_at_least_partly(p))
                .map(|p| code(&p.revision))
                .collect();
            if !applied.is_empty() {
                lines.push(format!(
                    "`alembic upgrade` on the {who} would re-run {} and fail on objects that already exist",
                    and_list(&applied)
                ));
            }
            let missing: Vec<String> = t
                .pending
                .iter()
                .filter(|p| p.evidence == Evidence::NotApplied)
                .map(|p| code(&p.revision))
                .collect();
            if !missing.is_empty() {
                lines.push(format!(
                    "Code that relies on {} fails on the {who}",
                    and_list(&missing)
                ));
            }
            if t.state == TargetState::Uninitialized {
                lines.push(format!(
                    "`alembic upgrade` on the {who} would run every migration from the start, against tables that may already exist"
                ));
            }
            if name == "local" {
                lines.push(
                    "Local development environment out of sync with the codebase".to_string(),
                );
            }
        }
        if graph_problem_codes(self.report)
            .iter()
            .any(|c| c == "multiple_heads")
        {
            lines.push(
                "`alembic upgrade head` refuses to run while the graph has several heads"
                    .to_string(),
            );
        }
        if !self.report.schema_diff.is_empty() {
            lines.push("Behaviour tested locally may differ in production".to_string());
        }
        for (name, t) in targets(self.report) {
            if not_examined(t) {
                lines.push(format!(
                    "{} state unknown: it may carry the same drift",
                    env(name)
                ));
            }
        }
        lines.push("Risk of deployment failures until the state is reconciled; manual verification needed before database operations".to_string());
        for line in lines {
            let _ = writeln!(out, "- {line}");
        }
        out.push('\n');
    }
}
