//! The draft's body, section by section in the reference's order, every line
//! derived from the report. Pure: report + context in, markdown out.

use super::frontmatter::render_front_matter;
use super::numbering::RelatedIncident;
use super::text::{
    absolute_lexical, cell, code, link, one_line, relative_link, short_timestamp, title_case,
};
use super::{RisConfig, RisContext};
use crate::report::{CheckReport, Finding, PendingMigration, TargetReport, TargetState};
use std::collections::BTreeSet;
use std::fmt::Write;
use std::path::Path;

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

/// Targets in reading order: local, production, then the others by name.
fn targets(report: &CheckReport) -> Vec<(&str, &TargetReport)> {
    let rank = |name: &str| match name {
        "local" => 0,
        "production" => 1,
        _ => 2,
    };
    let mut all: Vec<_> = report
        .targets
        .iter()
        .map(|(n, t)| (n.as_str(), t))
        .collect();
    all.sort_by_key(|(name, _)| (rank(name), *name));
    all
}

fn drifting(report: &CheckReport) -> Vec<(&str, &TargetReport)> {
    targets(report)
        .into_iter()
        .filter(|(_, t)| t.state.is_drift())
        .collect()
}

fn not_examined(target: &TargetReport) -> bool {
    matches!(
        target.state,
        TargetState::Skipped | TargetState::Unreachable
    )
}

/// `local` → `Local`, `production` → `Production`.
fn env(name: &str) -> String {
    title_case(name)
}

fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("{n} {word}")
    } else {
        format!("{n} {word}s")
    }
}

fn ids(revisions: &[String]) -> String {
    revisions
        .iter()
        .map(|r| code(r))
        .collect::<Vec<_>>()
        .join(", ")
}

fn and_list(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

fn heads(report: &CheckReport) -> String {
    report.codebase.heads.join(", ")
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
            let who = format!("{} Database", env(name));
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
    one_line(&title)
}

fn graph_problem_codes(report: &CheckReport) -> Vec<String> {
    let mut seen = BTreeSet::new();
    report
        .codebase
        .problems
        .iter()
        .filter(|p| seen.insert(p.code.clone()))
        .map(|p| p.code.clone())
        .collect()
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

fn ris_id(number: u32, width: usize) -> String {
    format!("RIS-{number:0width$}")
}

/// `ris-053-schema-drift-local-renamed-revision.md`.
pub fn draft_file_name(number: u32, width: usize, report: &CheckReport) -> String {
    format!(
        "{}-{}.md",
        ris_id(number, width).to_ascii_lowercase(),
        draft_slug(report)
    )
}

fn evidence_words(evidence: &str) -> &str {
    match evidence {
        "applied" => "applied (its schema changes are already present)",
        "partial" => "partially applied",
        "not_applied" => "not applied",
        "unknown" => "unknown (not verifiable from the schema)",
        other => other,
    }
}

fn state_words(state: TargetState) -> &'static str {
    match state {
        TargetState::AtHead => "at codebase head",
        TargetState::Behind => "behind the codebase head",
        TargetState::Renamed => "renamed revision",
        TargetState::Diverged => "diverged",
        TargetState::Uninitialized => "no alembic version",
        TargetState::UnknownRevision => "unknown revision",
        TargetState::Unreachable => "unreachable",
        TargetState::Skipped => "skipped",
    }
}

struct Draft<'a> {
    id: String,
    file_name: String,
    report: &'a CheckReport,
    ctx: &'a RisContext,
    related: &'a [RelatedIncident],
    links_base: &'a Path,
}

pub(super) fn render(
    number: u32,
    width: usize,
    report: &CheckReport,
    ctx: &RisContext,
    config: &RisConfig,
    related: &[RelatedIncident],
    links_base: &Path,
) -> String {
    let draft = Draft {
        id: ris_id(number, width),
        file_name: draft_file_name(number, width, report),
        report,
        ctx,
        related,
        links_base,
    };
    let mut out = render_front_matter(config, ctx);
    out.push('\n');
    draft.header(&mut out);
    draft.issue_summary(&mut out);
    draft.root_cause(&mut out);
    draft.impact(&mut out);
    draft.resolution(&mut out);
    draft.prevention(&mut out);
    draft.related_incidents(&mut out);
    draft.files(&mut out);
    draft.timeline(&mut out);
    draft.success_criteria(&mut out);
    draft.sign_off(&mut out);
    out
}

impl Draft<'_> {
    fn detected(&self) -> String {
        match chrono::DateTime::parse_from_rfc3339(&self.ctx.detected_at) {
            Ok(time) if time.offset().local_minus_utc() == 0 => {
                time.format("%Y-%m-%d %H:%M UTC").to_string()
            }
            Ok(time) => time.format("%Y-%m-%d %H:%M %:z").to_string(),
            Err(_) => one_line(&self.ctx.detected_at),
        }
    }

    fn display_path(&self, path: &str) -> String {
        let absolute = absolute_lexical(Path::new(path), &self.ctx.working_dir);
        let base = absolute_lexical(&self.ctx.working_dir, Path::new("/"));
        match absolute.strip_prefix(&base) {
            Ok(relative) if Path::new(path).is_absolute() => {
                relative.to_string_lossy().replace('\\', "/")
            }
            _ => path.replace('\\', "/"),
        }
    }

    fn file_link(&self, path: &str) -> String {
        let destination = relative_link(Path::new(path), self.links_base, &self.ctx.working_dir);
        link(&self.display_path(path), &destination)
    }

    fn header(&self, out: &mut String) {
        let (level, why) = severity(self.report);
        let _ = writeln!(out, "# {}: {}\n", self.id, draft_title(self.report));
        let _ = writeln!(out, "**Date**: {}", self.ctx.today.format("%Y-%m-%d"));
        out.push_str("**Status**: DRAFT — OPEN\n");
        let _ = writeln!(out, "**Severity**: {} ({})", level.as_str(), one_line(&why));
        let _ = writeln!(
            out,
            "**Reporter**: driftcheck {}\n",
            one_line(&self.ctx.driftcheck_version)
        );
    }

    fn issue_summary(&self, out: &mut String) {
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
            let revisions: Vec<String> = t.pending.iter().map(|p| p.revision.clone()).collect();
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
                let _ = write!(out, " — evidence: {}", evidence_words(&pending.evidence));
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
                    one_line(&diff.kind),
                    code(&diff.object),
                    one_line(&diff.change),
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

    fn root_cause(&self, out: &mut String) {
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
            let by_evidence = |wanted: &[&str]| -> Vec<&PendingMigration> {
                t.pending
                    .iter()
                    .filter(|p| wanted.contains(&p.evidence.as_str()))
                    .collect()
            };
            let applied = by_evidence(&["applied", "partial"]);
            if !applied.is_empty() {
                let list: Vec<String> = applied
                    .iter()
                    .map(|p| format!("{} ({})", code(&p.revision), p.evidence.replace('_', " ")))
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
            let never = by_evidence(&["not_applied"]);
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
            let unverified = by_evidence(&["unknown"]);
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
        if !self.report.schema_diff.is_empty() {
            causes.push((
                "Schema Changed Outside Migrations".to_string(),
                format!(
                    "{} between local and production although migrations should make them equal",
                    plural(self.report.schema_diff.len(), "difference")
                ),
                self.findings_for(&["schema_diff", "schema_drift"], None),
            ));
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

    fn impact(&self, out: &mut String) {
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
                .filter(|p| p.evidence == "applied" || p.evidence == "partial")
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
                .filter(|p| p.evidence == "not_applied")
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

    fn resolution(&self, out: &mut String) {
        out.push_str("## Resolution\n\n### Actions Required\n\n");
        out.push_str("Run in order, against the database named, from the directory holding `alembic.ini`:\n\n");
        let mut seen = BTreeSet::new();
        let mut any = false;
        for finding in &self.report.findings {
            let Some(suggestion) = finding
                .suggestion
                .as_deref()
                .filter(|s| !s.trim().is_empty())
            else {
                continue;
            };
            if !seen.insert((finding.target.clone(), suggestion.to_string())) {
                continue;
            }
            any = true;
            let target = finding
                .target
                .as_deref()
                .map(|t| format!("{} DB: ", env(t)))
                .unwrap_or_default();
            let action = if is_command(suggestion) {
                code(suggestion)
            } else {
                one_line(suggestion)
            };
            let _ = writeln!(
                out,
                "- [ ] {target}{action} — {}",
                one_line(&finding.message)
            );
        }
        if !any {
            out.push_str("- [ ] Decide the fix for each root cause above (driftcheck suggested no command)\n");
        }
        out.push_str("- [ ] Re-run `driftcheck` and confirm it reports no drift (exit code 0)\n\n");
    }

    fn prevention(&self, out: &mut String) {
        out.push_str("## Prevention\n\n");
        out.push_str(
            "- [ ] Add `driftcheck` as a pre-deployment CI gate (exit code 1 fails the pipeline)\n",
        );
        out.push_str("- [ ] Schedule a nightly `driftcheck` run against production (cron job or scheduled CI)\n");
        out.push_str("- [ ] Alert on drift: send a non-zero exit of the nightly run to the on-call channel\n");
        let any_target = |f: &dyn Fn(&TargetReport) -> bool| self.report.targets.values().any(f);
        if any_target(&|t| !t.renamed.is_empty()) {
            out.push_str("- [ ] Never rewrite the ids of applied migrations; when ids must change, re-stamp every environment in the same change\n");
        }
        if any_target(&|t| {
            t.pending
                .iter()
                .any(|p| p.evidence == "applied" || p.evidence == "partial")
        }) {
            out.push_str("- [ ] Change schemas only through `alembic upgrade`, never by hand\n");
        }
        if graph_problem_codes(self.report)
            .iter()
            .any(|c| c == "multiple_heads")
        {
            out.push_str("- [ ] Fail CI when `driftcheck graph` shows several heads\n");
        }
        for (name, t) in targets(self.report) {
            if not_examined(t) {
                let why = match &t.reason {
                    Some(reason) => format!("{}: {}", state_words(t.state), code(reason)),
                    None => state_words(t.state).to_string(),
                };
                let _ = writeln!(
                    out,
                    "- [ ] Give driftcheck read-only access to the {name} database and compare it on every run ({why} this time)"
                );
            }
        }
        out.push('\n');
    }

    fn related_incidents(&self, out: &mut String) {
        out.push_str("## Related Incidents\n\n");
        if self.related.is_empty() {
            out.push_str(
                "- None found: no earlier RIS document mentions these revisions or findings\n\n",
            );
            return;
        }
        for incident in self.related {
            let destination = relative_link(&incident.path, self.links_base, &self.ctx.working_dir);
            let mentions: Vec<String> = incident.mentions.iter().map(|m| code(m)).collect();
            let _ = writeln!(
                out,
                "- {} — mentions {}",
                link(&one_line(&incident.title), &destination),
                mentions.join(", ")
            );
        }
        out.push('\n');
    }

    fn files(&self, out: &mut String) {
        out.push_str("## Files\n\n| File | Purpose |\n|------|---------|\n");
        // File → purposes, in first-seen order (a file can matter to several targets).
        let mut rows: Vec<(String, Vec<String>)> = Vec::new();
        let mut add = |file: &str, purpose: String| match rows.iter_mut().find(|(f, _)| f == file) {
            Some((_, purposes)) => purposes.push(purpose),
            None => rows.push((file.to_string(), vec![purpose])),
        };
        for (name, t) in targets(self.report) {
            for renamed in &t.renamed {
                add(
                    &renamed.file,
                    format!(
                        "Revision {} (old id {} still in the {} DB)",
                        code(&renamed.revision),
                        code(&renamed.stored),
                        env(name)
                    ),
                );
            }
            for pending in &t.pending {
                let about = pending
                    .message
                    .as_deref()
                    .map(|m| format!("{}: ", cell(m)))
                    .unwrap_or_default();
                add(
                    &pending.file,
                    format!(
                        "{about}pending on the {} DB (evidence: {})",
                        env(name),
                        pending.evidence.replace('_', " ")
                    ),
                );
            }
        }
        for problem in &self.report.codebase.problems {
            if let Some(file) = &problem.file {
                add(file, format!("Codebase problem {}", code(&problem.code)));
            }
        }
        for (file, purposes) in rows {
            let _ = writeln!(
                out,
                "| {} | {} |",
                self.file_link(&file),
                purposes.join("; ")
            );
        }
        if let Some(report_path) = &self.ctx.report_path {
            let path = report_path.to_string_lossy();
            let _ = writeln!(
                out,
                "| {} | driftcheck drift report of this detection |",
                self.file_link(&path)
            );
        }
        let _ = writeln!(
            out,
            "| {} | This document |\n",
            link(&self.file_name, &self.file_name)
        );
    }

    fn timeline(&self, out: &mut String) {
        out.push_str("## Timeline\n\n| Time | Event |\n|------|-------|\n");
        let mut rows: Vec<(String, String)> = Vec::new();
        let mut dated = BTreeSet::new();
        for (name, t) in targets(self.report) {
            for renamed in &t.renamed {
                if let Some(date) = self.ctx.revision_dates.get(&renamed.revision) {
                    if dated.insert(renamed.revision.clone()) {
                        rows.push((
                            short_timestamp(date),
                            format!(
                                "Migration {} created; its old id {} is what the {} DB holds",
                                code(&renamed.revision),
                                code(&renamed.stored),
                                env(name)
                            ),
                        ));
                    }
                }
            }
            for pending in &t.pending {
                if let Some(date) = &pending.create_date {
                    if dated.insert(pending.revision.clone()) {
                        let about = pending
                            .message
                            .as_deref()
                            .map(|m| format!(" ({})", cell(m)))
                            .unwrap_or_default();
                        rows.push((
                            short_timestamp(date),
                            format!("Migration {} created{about}", code(&pending.revision)),
                        ));
                    }
                }
            }
        }
        rows.sort_by(|a, b| a.0.cmp(&b.0));
        let states: Vec<String> = drifting(self.report)
            .iter()
            .map(|(n, t)| format!("{} DB {}", env(n), t.state.as_str()))
            .collect();
        let detected = self.detected();
        rows.push((
            detected.clone(),
            if states.is_empty() {
                format!(
                    "Drift detected by driftcheck {}",
                    cell(&self.ctx.driftcheck_version)
                )
            } else {
                format!(
                    "Drift detected by driftcheck {} ({})",
                    cell(&self.ctx.driftcheck_version),
                    states.join(", ")
                )
            },
        ));
        rows.push((detected, format!("{} drafted", self.id)));
        for (time, event) in rows {
            let _ = writeln!(out, "| {} | {event} |", cell(&time));
        }
        out.push('\n');
    }

    fn success_criteria(&self, out: &mut String) {
        out.push_str("## Success Criteria\n\n");
        let head = heads(self.report);
        for (name, t) in targets(self.report) {
            if t.state.is_drift() {
                let _ = writeln!(
                    out,
                    "- [ ] {} database at codebase head ({})",
                    env(name),
                    one_line(&head)
                );
            } else if not_examined(t) {
                let _ = writeln!(
                    out,
                    "- [ ] {} database verified (not compared: {})",
                    env(name),
                    t.reason
                        .as_deref()
                        .map(one_line)
                        .unwrap_or_else(|| state_words(t.state).to_string())
                );
            }
        }
        for problem in graph_problem_codes(self.report) {
            if problem == "multiple_heads" {
                out.push_str("- [ ] Migration graph has a single head\n");
            } else {
                let _ = writeln!(out, "- [ ] Codebase problem {} fixed", code(&problem));
            }
        }
        if !self.report.schema_diff.is_empty() {
            out.push_str("- [ ] Local and production schemas match\n");
        }
        out.push_str("- [ ] `driftcheck` reports no drift\n");
        let _ = writeln!(out, "- [ ] {} documents incident and resolution\n", self.id);
    }

    fn sign_off(&self, out: &mut String) {
        out.push_str("## Sign-off\n\n");
        let _ = writeln!(
            out,
            "- **Detected by**: driftcheck {} ({})",
            one_line(&self.ctx.driftcheck_version),
            self.detected()
        );
        out.push_str("- **Resolved by**:\n- **Verified by**:\n");
        let _ = writeln!(out, "- **Documented**: {} (this document)", self.id);
    }
}

/// Whether a suggestion is a shell command (shown as code) or advice.
fn is_command(suggestion: &str) -> bool {
    const TOOLS: &[&str] = &["alembic", "driftcheck", "psql", "aws", "python", "pg_dump"];
    let first = suggestion.split_whitespace().next().unwrap_or("");
    TOOLS.contains(&first) && !suggestion.contains('\n')
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::{CodebaseProblem, CodebaseSummary, Severity, Status};
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
                        severity: "error".into(),
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
                evidence: "not_applied".into(),
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

    #[test]
    fn commands_are_told_from_advice() {
        assert!(is_command("alembic stamp 20251230_1700"));
        assert!(!is_command("Restore the production secret"));
    }
}
