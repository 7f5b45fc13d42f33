//! The markdown drift report: the audit trail. Written to be understood by a
//! reader who has never run driftcheck: verdict first, then what to do, then
//! the evidence.

use super::verdict;
use crate::escape::{md_code, md_code_cell, md_text};
use crate::report::{CheckReport, TargetState};
use std::fmt::Write;

pub fn markdown_report(report: &CheckReport) -> String {
    let mut out = String::new();
    let w = &mut out;
    let _ = writeln!(w, "# Schema drift report\n");
    let _ = writeln!(w, "> **{}**\n", md_text(&verdict(report)));
    let _ = writeln!(
        w,
        "Checked {} by driftcheck {}.\n",
        report.checked_at, report.driftcheck_version
    );

    let _ = writeln!(w, "## Summary\n");
    let _ = writeln!(
        w,
        "- **Codebase**: head {} ({} revisions)",
        ids(&report.codebase.heads),
        report.codebase.revisions
    );
    for (name, target) in &report.targets {
        let _ = writeln!(
            w,
            "- **{}**: {} — {}",
            md_text(name),
            target.state.as_str(),
            md_text(&target.message)
        );
    }
    if report.schema_diff.is_empty() {
        let compared = report
            .targets
            .values()
            .filter(|t| !matches!(t.state, TargetState::Skipped | TargetState::Unreachable))
            .count()
            > 1;
        let plain_pair =
            report.targets.contains_key("local") && report.targets.contains_key("production");
        if compared && plain_pair {
            let _ = writeln!(w, "- **Schema**: local and production match");
        } else if compared {
            let _ = writeln!(w, "- **Schema**: the compared environments match");
        }
    } else {
        let _ = writeln!(
            w,
            "- **Schema**: {} difference(s) between {}",
            report.schema_diff.len(),
            md_text(&super::diff_pairs(report).replace(" vs ", " and "))
        );
    }
    let _ = writeln!(w);

    let fixes: Vec<_> = report
        .findings
        .iter()
        .filter_map(|f| f.suggestion.as_ref().map(|s| (f, s)))
        .collect();
    if !fixes.is_empty() {
        let _ = writeln!(w, "## What to do\n");
        let _ = writeln!(
            w,
            "Run in this order, from the Alembic project directory:\n"
        );
        for (index, (finding, suggestion)) in fixes.iter().enumerate() {
            let target = finding.target.as_deref().unwrap_or("codebase");
            let _ = writeln!(
                w,
                "{}. {} — {}: {}",
                index + 1,
                md_code(suggestion),
                md_text(target),
                finding.code
            );
        }
        let _ = writeln!(w);
    }

    let _ = writeln!(w, "## Revisions\n");
    let _ = writeln!(
        w,
        "| Environment | State | Version table | Revision(s) | Pending |"
    );
    let _ = writeln!(w, "|---|---|---|---|---|");
    let _ = writeln!(
        w,
        "| codebase | head | | {} | |",
        ids_cell(&report.codebase.heads)
    );
    for (name, target) in &report.targets {
        let current: Vec<String> = target
            .current
            .iter()
            .map(
                |stored| match target.renamed.iter().find(|r| &r.stored == stored) {
                    Some(renamed) => format!(
                        "{} (= {})",
                        md_code_cell(stored),
                        md_code_cell(&renamed.revision)
                    ),
                    None => md_code_cell(stored),
                },
            )
            .collect();
        let pending = if target.pending.is_empty() {
            String::new()
        } else {
            target
                .pending
                .iter()
                .map(|p| format!("{} ({})", md_code_cell(&p.revision), p.evidence))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let _ = writeln!(
            w,
            "| {} | {} | {} | {} | {} |",
            md_text(name),
            target.state.as_str(),
            target
                .version_table
                .as_deref()
                .map(md_code_cell)
                .unwrap_or_default(),
            current.join(", "),
            pending
        );
    }
    let _ = writeln!(w);

    for (name, target) in &report.targets {
        if target.pending.is_empty() {
            continue;
        }
        let _ = writeln!(w, "## Pending migrations: {}\n", md_text(name));
        let _ = writeln!(
            w,
            "In the order `alembic upgrade heads` would run them. *Evidence* compares each migration's `upgrade()` with the live schema: `applied` means its changes are already present (applied by hand), `not_applied` means none are.\n"
        );
        let _ = writeln!(w, "| # | Revision | Created | File | Evidence |");
        let _ = writeln!(w, "|---|---|---|---|---|");
        for (index, p) in target.pending.iter().enumerate() {
            let _ = writeln!(
                w,
                "| {} | {} | {} | {} | **{}** |",
                index + 1,
                md_code_cell(&p.revision),
                md_text(p.create_date.as_deref().unwrap_or("")),
                md_code_cell(&p.file),
                p.evidence
            );
        }
        let _ = writeln!(w);
        for p in &target.pending {
            let title = p.message.as_deref().unwrap_or("");
            let _ = writeln!(w, "### {} {}\n", md_code(&p.revision), md_text(title));
            let _ = writeln!(w, "Evidence: **{}**\n", p.evidence);
            for detail in &p.details {
                let _ = writeln!(w, "- {}", md_text(detail));
            }
            if !p.details.is_empty() {
                let _ = writeln!(w);
            }
        }
    }

    if !report.findings.is_empty() {
        let _ = writeln!(w, "## Findings\n");
        let _ = writeln!(w, "| Severity | Code | Finding | Fix |");
        let _ = writeln!(w, "|---|---|---|---|");
        for f in &report.findings {
            let _ = writeln!(
                w,
                "| {} | `{}` | {} | {} |",
                f.severity.as_str(),
                f.code,
                md_text(&f.message),
                f.suggestion
                    .as_deref()
                    .map(md_code_cell)
                    .unwrap_or_default()
            );
        }
        let _ = writeln!(w);
    }

    if !report.schema_diff.is_empty() || !report.schema_diff_ignored.is_empty() {
        let _ = writeln!(
            w,
            "## Schema differences ({})\n",
            md_text(&super::diff_pairs(report))
        );
        if !report.schema_diff.is_empty() {
            let (left, right) = if report.schema_diff.iter().any(|d| d.environments.is_some()) {
                ("Reference", "Compared")
            } else {
                ("Local", "Production")
            };
            let _ = writeln!(
                w,
                "{}\n",
                md_text(&capitalise(&super::diff_group_counts(report)))
            );
            for group in super::diff_groups(report) {
                let _ = writeln!(
                    w,
                    "### {} ({})\n",
                    md_text(&capitalise(&group.title())),
                    group.entries.len()
                );
                let _ = writeln!(w, "| Kind | Object | Change | {left} | {right} | Why |");
                let _ = writeln!(w, "|---|---|---|---|---|---|");
                for d in group.entries {
                    // Named environments: the pair leads the row.
                    let pair = d
                        .environments
                        .as_ref()
                        .map(|[a, b]| format!("{} vs {}: ", md_text(a), md_text(b)))
                        .unwrap_or_default();
                    let why = d
                        .explanation
                        .as_ref()
                        .map(|e| {
                            let mut why = format!("**{}**: {}", e.code, md_text(&e.message));
                            if let Some(fix) = &e.suggestion {
                                why.push_str(&format!("; fix: {}", md_code_cell(fix)));
                            }
                            why
                        })
                        .unwrap_or_default();
                    let warning = if d.is_drift() { "" } else { " (warning)" };
                    let _ = writeln!(
                        w,
                        "| {pair}{}{warning} | {} | {} | {} | {} | {why} |",
                        d.kind,
                        md_code_cell(&d.object),
                        d.change,
                        code_cell(d.local.as_deref()),
                        code_cell(d.production.as_deref())
                    );
                }
                let _ = writeln!(w);
            }
        }
        if !report.schema_diff_ignored.is_empty() {
            let _ = writeln!(
                w,
                "Ignored by rules or folded (counted so nothing disappears silently): {}\n",
                report
                    .schema_diff_ignored
                    .iter()
                    .map(|(k, v)| format!("{}: {v}", md_text(k)))
                    .collect::<Vec<_>>()
                    .join(", ")
            );
        }
        if !report.schema_diff_folded_partitions.is_empty() {
            let _ = writeln!(
                w,
                "Partitions folded into their parent: {}\n",
                report
                    .schema_diff_folded_partitions
                    .iter()
                    .map(|p| md_code(p))
                    .collect::<Vec<_>>()
                    .join(", ")
            );
        }
    }

    let _ = writeln!(w, "## Codebase\n");
    for dir in &report.codebase.migration_dirs {
        let _ = writeln!(w, "- Migration directory: {}", md_code(dir));
    }
    let _ = writeln!(w, "- Heads: {}", ids(&report.codebase.heads));
    let _ = writeln!(w, "- Revisions: {}", report.codebase.revisions);
    if report.codebase.problems.is_empty() {
        let _ = writeln!(w, "- Graph problems: none");
    } else {
        let _ = writeln!(w, "\n| Severity | Code | Where | Problem |");
        let _ = writeln!(w, "|---|---|---|---|");
        for p in &report.codebase.problems {
            let place = match (&p.file, p.line) {
                (Some(f), Some(l)) => format!("{f}:{l}"),
                (Some(f), None) => f.clone(),
                _ => String::new(),
            };
            let _ = writeln!(
                w,
                "| {} | {} | {} | {} |",
                p.severity,
                md_code_cell(&p.code),
                if place.is_empty() {
                    String::new()
                } else {
                    md_code_cell(&place)
                },
                md_text(&p.message)
            );
        }
    }
    let _ = writeln!(w);

    let _ = writeln!(w, "## Environment\n");
    let _ = writeln!(w, "| | |");
    let _ = writeln!(w, "|---|---|");
    let _ = writeln!(w, "| driftcheck | {} |", report.driftcheck_version);
    let _ = writeln!(w, "| Checked at | {} |", report.checked_at);
    for (name, target) in &report.targets {
        if let Some(db) = &target.database {
            let _ = writeln!(w, "| {} database | {} |", md_text(name), md_text(db));
        }
        if let Some(version) = &target.server_version {
            let _ = writeln!(
                w,
                "| {} server | PostgreSQL {} |",
                md_text(name),
                md_text(version)
            );
        }
    }
    let _ = writeln!(
        w,
        "\nAll database sessions were read-only at the server (`default_transaction_read_only=on`, one `REPEATABLE READ READ ONLY` transaction per database, `application_name=driftcheck`)."
    );
    out
}

/// Revision ids as code spans, for running text.
fn ids(ids: &[String]) -> String {
    ids.iter()
        .map(|i| md_code(i))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Revision ids as code spans in a table cell.
fn ids_cell(ids: &[String]) -> String {
    ids.iter()
        .map(|i| md_code_cell(i))
        .collect::<Vec<_>>()
        .join(", ")
}

/// `made outside migrations` → `Made outside migrations`.
fn capitalise(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// A definition (or its absence) in a schema-difference cell.
fn code_cell(text: Option<&str>) -> String {
    match text {
        Some(t) if !t.is_empty() => md_code_cell(t),
        _ => "—".to_string(),
    }
}
