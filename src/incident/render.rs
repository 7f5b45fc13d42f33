//! The draft's body, section by section in the reference's order, every line
//! derived from the report. Pure: report + context in, markdown out.
//!
//! This module holds the [`Draft`] and the helpers every section shares; the
//! sections live by group: [`title`] (severity, title, file name), [`summary`]
//! (title block, issue summary), [`causes`] (root cause, impact), [`actions`]
//! (resolution, prevention, success criteria, sign-off) and [`record`]
//! (related incidents, files, timeline).

mod actions;
mod causes;
mod record;
mod summary;
mod title;

pub use title::{draft_file_name, draft_slug, draft_title, severity, SeverityLevel};

use super::frontmatter::render_front_matter;
use super::numbering::RelatedIncident;
use super::text::{absolute_lexical, code, link, one_line, relative_link, title_case};
use super::{RisConfig, RisContext};
use crate::evidence::Evidence;
use crate::report::{CheckReport, PendingMigration, TargetReport, TargetState};
use std::collections::BTreeSet;
use std::path::Path;

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
/// An environment name in the draft's prose, escaped (names come from
/// `driftcheck.toml`).
fn env(name: &str) -> String {
    one_line(&title_case(name))
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

/// Whether a pending migration's changes are (at least partly) present already.
fn applied_at_least_partly(pending: &PendingMigration) -> bool {
    matches!(pending.evidence, Evidence::Applied | Evidence::Partial)
}

/// The codebase heads as code spans.
fn heads(report: &CheckReport) -> String {
    ids(&report.codebase.heads)
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

fn ris_id(number: u32, width: usize) -> String {
    format!("RIS-{number:0width$}")
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
}
