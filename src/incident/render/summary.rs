//! The draft's opening: the title block (date, status, severity, reporter)
//! and the issue summary (each database's state, the gap, codebase problems,
//! schema differences, databases not compared).

use super::{
    and_list, draft_title, drifting, env, ids, not_examined, plural, severity, state_words,
    targets, Draft,
};
use crate::evidence::Evidence;
use crate::incident::text::{code, one_line};
use std::fmt::Write;

impl Draft<'_> {
    pub(super) fn header(&self, out: &mut String) {
        let (level, why) = severity(self.report);
        let _ = writeln!(
            out,
            "# {}: {}\n",
            self.id,
            one_line(&draft_title(self.report))
        );
        let _ = writeln!(out, "**Date**: {}", self.ctx.today.format("%Y-%m-%d"));
        out.push_str("**Status**: DRAFT — OPEN\n");
        let _ = writeln!(out, "**Severity**: {} ({})", level.as_str(), one_line(&why));
        let _ = writeln!(
            out,
            "**Reporter**: driftcheck {}\n",
            one_line(&self.ctx.driftcheck_version)
        );
    }

    pub(super) fn issue_summary(&self, out: &mut String) {
        out.push_str("## Issue Summary\n\n");
        let drifting: Vec<String> = drifting(self.report)
            .iter()
            .map(|(n, _)| format!("{} DB", env(n)))
            .collect();
        if drifting.is_empty() {
            let what = if self.report.codebase.problems.is_empty() {
                "The codebase and its databases disagree"
            } else {
                "The codebase migration graph is defective"
            };
            let _ = writeln!(
                out,
                "{what} (detected by driftcheck {}, {}):",
                one_line(&self.ctx.driftcheck_version),
                self.detected()
            );
        } else {
            let _ = writeln!(
                out,
                "{} had divergent migration state from the codebase (detected by driftcheck {}, {}):",
                and_list(&drifting),
                one_line(&self.ctx.driftcheck_version),
                self.detected()
            );
        }
        for (name, t) in targets(self.report) {
            let _ = write!(out, "- {} DB: ", env(name));
            if not_examined(t) {
                let _ = write!(out, "not compared ({})", state_words(t.state));
            } else {
                let current: Vec<String> = t
                    .current
                    .iter()
                    .map(|id| {
                        let renamed = t.renamed.iter().find(|r| &r.stored == id);
                        let unknown = t.unknown.iter().find(|u| &u.stored == id);
                        match (renamed, unknown) {
                            (Some(r), _) => {
                                format!("{} (old id of {})", code(id), code(&r.revision))
                            }
                            (None, Some(u)) if !u.nearest.is_empty() => format!(
                                "{} (unknown to the codebase; nearest: {})",
                                code(id),
                                ids(&u.nearest)
                            ),
                            (None, Some(_)) => format!("{} (unknown to the codebase)", code(id)),
                            (None, None) => code(id),
                        }
                    })
                    .collect();
                let current = if current.is_empty() {
                    "no version row".to_string()
                } else {
                    current.join(", ")
                };
                let _ = write!(out, "{current} — {}", state_words(t.state));
                if let Some(db) = &t.database {
                    let _ = write!(out, " ({})", one_line(db));
                }
            }
            out.push('\n');
        }
        let heads = &self.report.codebase.heads;
        match heads.len() {
            0 => out.push_str("- Codebase head: none (no revisions found)\n"),
            1 => {
                let _ = writeln!(out, "- Codebase head: {}", ids(heads));
            }
            n => {
                let _ = writeln!(out, "- Codebase heads: {} ({n} heads)", ids(heads));
            }
        }
        for (name, t) in targets(self.report) {
            if t.pending.is_empty() {
                continue;
            }
            let revisions: Vec<String> = t.pending.iter().map(|p| code(&p.revision)).collect();
            let _ = writeln!(
                out,
                "- Gap ({} DB): {} behind ({})",
                env(name),
                plural(t.pending.len(), "migration"),
                and_list(&revisions)
            );
            for pending in &t.pending {
                let _ = write!(out, "  - {}", code(&pending.revision));
                if let Some(message) = &pending.message {
                    let _ = write!(out, " {}", one_line(message));
                }
                let _ = write!(out, " — evidence: {}", evidence_words(pending.evidence));
                if !pending.details.is_empty() {
                    let details: Vec<String> =
                        pending.details.iter().map(|d| one_line(d)).collect();
                    let _ = write!(out, ": {}", details.join("; "));
                }
                out.push('\n');
            }
        }
        for problem in &self.report.codebase.problems {
            let _ = write!(
                out,
                "- Codebase problem {}: {}",
                code(&problem.code),
                one_line(&problem.message)
            );
            if let Some(file) = &problem.file {
                let location = match problem.line {
                    Some(line) => format!("{}:{line}", self.display_path(file)),
                    None => self.display_path(file),
                };
                let _ = write!(out, " ({})", code(&location));
            }
            out.push('\n');
        }
        if !self.report.schema_diff.is_empty() {
            let _ = writeln!(
                out,
                "- Schema differences (local vs production): {}",
                self.report.schema_diff.len()
            );
            for diff in &self.report.schema_diff {
                let side = |v: &Option<String>| v.as_deref().map_or("absent".to_string(), one_line);
                let _ = writeln!(
                    out,
                    "  - {} {} — {}: local {}, production {}",
                    diff.kind.as_str(),
                    code(&diff.object),
                    diff.change.as_str(),
                    side(&diff.local),
                    side(&diff.production)
                );
            }
        }
        for (name, t) in targets(self.report) {
            if !not_examined(t) {
                continue;
            }
            let _ = write!(
                out,
                "\n**Note**: {} database comparison not performed ({}",
                env(name),
                state_words(t.state)
            );
            if let Some(reason) = &t.reason {
                let _ = write!(out, ": {}", code(reason));
            }
            out.push(')');
            let message = one_line(&t.message);
            if !message.is_empty() {
                let _ = write!(out, " — {}", message.trim_end_matches('.'));
            }
            out.push_str(".\n");
        }
        out.push('\n');
    }
}

fn evidence_words(evidence: Evidence) -> &'static str {
    match evidence {
        Evidence::Applied => "applied (its schema changes are already present)",
        Evidence::Partial => "partially applied",
        Evidence::NotApplied => "not applied",
        Evidence::Unknown => "unknown (not verifiable from the schema)",
    }
}
