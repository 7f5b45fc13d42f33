//! Diagnosis: compare a database's version table with the codebase graph and
//! say what state it is in, what `alembic upgrade heads` would run, and the
//! exact commands that bring it to the head. Pure: plain data in, plain data out.

use crate::evidence::Evidence;
use crate::migrations::{Codebase, Revision};
use crate::report::{
    Finding, PendingMigration, RenamedRevision, Severity, TargetReport, TargetState,
    UnknownRevision,
};
use crate::schema::VersionTable;
use std::collections::BTreeSet;

/// What the evidence check found for one pending migration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assessment {
    pub evidence: Evidence,
    pub details: Vec<String>,
}

/// Everything the diagnosis of one database needs besides the codebase.
pub struct TargetInput<'a> {
    /// `local`, `production`, ...
    pub name: &'a str,
    /// `None`: the version table does not exist.
    pub version_table: Option<&'a VersionTable>,
    /// The name that was looked for, for messages (`alembic_version`).
    pub version_table_name: &'a str,
    /// Tables in the database other than the version table (for uninitialized databases).
    pub user_tables: usize,
    pub database: Option<String>,
    pub server_version: Option<String>,
}

/// Classify one database against the codebase. `assess` inspects a pending
/// migration against that database's schema (the evidence check).
pub fn diagnose(
    codebase: &Codebase,
    input: &TargetInput<'_>,
    assess: &mut dyn FnMut(&Revision) -> Assessment,
) -> (TargetReport, Vec<Finding>) {
    let target = input.name;
    let mut findings = Vec::new();
    let mut report = TargetReport {
        state: TargetState::AtHead,
        current: Vec::new(),
        pending: Vec::new(),
        message: String::new(),
        database: input.database.clone(),
        server_version: input.server_version.clone(),
        version_table: input.version_table.map(|t| t.name.clone()),
        reason: None,
        renamed: Vec::new(),
        unknown: Vec::new(),
    };

    let rows = match input.version_table {
        None => {
            report.state = TargetState::Uninitialized;
            report.message = format!(
                "no version table `{}`: Alembic has never stamped this database",
                input.version_table_name
            );
            report.pending = pending_items(codebase, &codebase.pending(&[]), assess);
            findings.extend(uninitialized_findings(codebase, input, &report));
            return (report, findings);
        }
        Some(table) => table.revisions.clone(),
    };
    report.current = rows.clone();
    if rows.is_empty() {
        report.state = TargetState::Uninitialized;
        report.message = format!(
            "version table `{}` is empty: Alembic has never stamped this database",
            input
                .version_table
                .map(|t| t.name.as_str())
                .unwrap_or(input.version_table_name)
        );
        report.pending = pending_items(codebase, &codebase.pending(&[]), assess);
        findings.extend(uninitialized_findings(codebase, input, &report));
        return (report, findings);
    }

    // Map every stored id to a codebase revision: itself, an alias, or unknown.
    let mut effective: Vec<String> = Vec::new();
    for stored in &rows {
        if codebase.get(stored).is_some() {
            effective.push(stored.clone());
        } else if let Some(rev) = codebase.find_by_alias(stored) {
            report.renamed.push(RenamedRevision {
                stored: stored.clone(),
                revision: rev.revision.clone(),
                file: display_path(&rev.file),
            });
            effective.push(rev.revision.clone());
        } else {
            let nearest = codebase
                .prefix_matches(stored)
                .into_iter()
                .map(|r| r.revision.clone())
                .collect();
            report.unknown.push(UnknownRevision {
                stored: stored.clone(),
                nearest,
            });
        }
    }

    if !report.unknown.is_empty() {
        report.state = TargetState::UnknownRevision;
        for unknown in &report.unknown {
            let hint = if unknown.nearest.is_empty() {
                String::new()
            } else {
                format!(" Nearest known revisions: {}.", unknown.nearest.join(", "))
            };
            findings.push(Finding {
                code: "unknown_revision".into(),
                severity: Severity::Error,
                message: format!(
                    "{target} database is at revision `{}`, which no migration in the codebase declares (neither as revision nor as an old id): it was probably migrated from newer or other code.{hint}",
                    unknown.stored
                ),
                suggestion: Some(format!(
                    "check out the code that created `{}` (git log -S {}), or, once you have verified the schema matches a known revision REV, run `alembic stamp --purge REV`",
                    unknown.stored, unknown.stored
                )),
                target: Some(target.into()),
            });
        }
        report.message = format!(
            "unknown revision{} {} (not in the codebase)",
            if report.unknown.len() > 1 { "s" } else { "" },
            report
                .unknown
                .iter()
                .map(|u| format!("`{}`", u.stored))
                .collect::<Vec<_>>()
                .join(", ")
        );
        // Pending cannot be computed from an unknown starting point.
        return (report, findings);
    }

    effective.sort();
    effective.dedup();
    let pending = codebase.pending(&effective);
    report.pending = pending_items(codebase, &pending, assess);

    let inconsistent = inconsistent_rows(codebase, &effective);
    let heads: BTreeSet<&String> = codebase.heads.iter().collect();
    let at_heads = pending.is_empty();

    report.state = if !report.renamed.is_empty() {
        TargetState::Renamed
    } else if inconsistent.is_some() || (effective.len() > 1 && !at_heads) {
        TargetState::Diverged
    } else if at_heads {
        TargetState::AtHead
    } else {
        TargetState::Behind
    };

    for renamed in &report.renamed {
        findings.push(Finding {
            code: "renamed_revision".into(),
            severity: Severity::Error,
            message: format!(
                "{target} database is stamped `{}`, an old id of revision `{}` ({}); Alembic no longer knows `{}` and every `alembic upgrade` fails on it",
                renamed.stored, renamed.revision, renamed.file, renamed.stored
            ),
            suggestion: Some(format!("alembic stamp --purge {}", renamed.revision)),
            target: Some(target.into()),
        });
    }
    if let Some((ancestor, descendant)) = &inconsistent {
        findings.push(Finding {
            code: "inconsistent_version_rows".into(),
            severity: Severity::Error,
            message: format!(
                "{target} version table holds both `{ancestor}` and its descendant `{descendant}`: Alembic never writes that; the table was edited by hand"
            ),
            suggestion: Some(format!("alembic stamp --purge {descendant}")),
            target: Some(target.into()),
        });
    }
    if report.state == TargetState::Diverged && inconsistent.is_none() {
        findings.push(Finding {
            code: "diverged".into(),
            severity: Severity::Error,
            message: format!(
                "{target} database is on {} branches ({}) while the codebase head is {}; the pending migrations' commands below bring it there",
                effective.len(),
                effective.join(", "),
                codebase.heads.join(", ")
            ),
            // No command of its own: a blanket `alembic upgrade heads` first
            // would fail on any pending migration applied by hand; the plan
            // of the pending migrations (stamps, then upgrades) covers it.
            suggestion: None,
            target: Some(target.into()),
        });
    }
    findings.extend(plan_findings(target, &report.pending, &|a, d| {
        is_ancestor(codebase, a, d)
    }));

    report.message = match report.state {
        TargetState::AtHead => format!("at head {}", join_ids(&effective)),
        TargetState::Renamed => format!(
            "stamped with renamed id{} {}; {} pending",
            if report.renamed.len() > 1 { "s" } else { "" },
            report
                .renamed
                .iter()
                .map(|r| format!("`{}` = `{}`", r.stored, r.revision))
                .collect::<Vec<_>>()
                .join(", "),
            count(report.pending.len(), "migration")
        ),
        _ => format!(
            "at {}; {} behind head {}",
            join_ids(&effective),
            count(report.pending.len(), "migration"),
            heads
                .iter()
                .map(|h| format!("`{h}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    };
    (report, findings)
}

/// Findings for pending migrations, with the commands that fix them in order:
/// runs of migrations whose changes are present are stamped, runs that are not
/// applied are upgraded, anything else needs a person.
///
/// `is_ancestor(a, b)`: `a` is a strict ancestor of `b` in the codebase graph.
/// It matters on branches: `alembic upgrade X` runs X's ancestors only, and
/// `alembic stamp X` marks them only, so a run holding two branches needs a
/// command per branch tip, or one branch is silently skipped (or stamped as
/// applied without ever running).
pub fn plan_findings(
    target: &str,
    pending: &[PendingMigration],
    is_ancestor: &dyn Fn(&str, &str) -> bool,
) -> Vec<Finding> {
    let runs = plan_runs(pending);
    let mut findings = Vec::new();
    let last = pending.len().saturating_sub(1);
    for (index, item) in pending.iter().enumerate() {
        let run = &runs[index];
        // A tip: no later migration of the same run descends from it.
        let run_tip = !pending
            .iter()
            .enumerate()
            .skip(index + 1)
            .any(|(later, next)| {
                runs[later] == *run && is_ancestor(&item.revision, &next.revision)
            });
        let run_ends_last = runs[last] == *run;
        let evidence_list = if item.details.is_empty() {
            String::new()
        } else {
            format!(": {}", item.details.join("; "))
        };
        let finding = match run.evidence {
            Evidence::Applied => Finding {
                code: "applied_by_hand".into(),
                severity: Severity::Error,
                message: format!(
                    "{target}: pending migration `{}` ({}) is already applied — its changes are present but the version table was not updated{evidence_list}",
                    item.revision, item.file
                ),
                suggestion: run_tip.then(|| format!("alembic stamp {}", item.revision)),
                target: Some(target.into()),
            },
            Evidence::NotApplied => Finding {
                code: "not_applied".into(),
                severity: Severity::Error,
                message: format!(
                    "{target}: pending migration `{}` ({}) is not applied{evidence_list}",
                    item.revision, item.file
                ),
                // The last run: one `upgrade heads` runs all of it, whatever its branches.
                suggestion: if run_ends_last {
                    (index == last).then(|| "alembic upgrade heads".to_string())
                } else {
                    run_tip.then(|| format!("alembic upgrade {}", item.revision))
                },
                target: Some(target.into()),
            },
            Evidence::Partial => Finding {
                code: "partially_applied".into(),
                severity: Severity::Error,
                message: format!(
                    "{target}: pending migration `{}` ({}) is partially applied{evidence_list}",
                    item.revision, item.file
                ),
                suggestion: Some(format!(
                    "finish the missing changes of {} by hand (or revert the present ones), then `alembic stamp {}`",
                    item.revision, item.revision
                )),
                target: Some(target.into()),
            },
            Evidence::Unknown => Finding {
                code: "pending_unverified".into(),
                severity: Severity::Error,
                message: format!(
                    "{target}: pending migration `{}` ({}) could not be verified statically{evidence_list}",
                    item.revision, item.file
                ),
                suggestion: Some(format!(
                    "read {} and check its effects by hand; then `alembic upgrade {}` or `alembic stamp {}`",
                    item.file, item.revision, item.revision
                )),
                target: Some(target.into()),
            },
        };
        findings.push(finding);
    }
    findings
}

/// Which run each pending migration belongs to.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Run {
    number: usize,
    /// The evidence the run is treated with.
    evidence: Evidence,
}

/// Consecutive migrations with the same evidence form a run. A migration
/// without schema changes is "applied" vacuously, so it joins the run before
/// it (or after it, when first) instead of splitting a not-applied run into an
/// upgrade, a stamp and another upgrade.
fn plan_runs(pending: &[PendingMigration]) -> Vec<Run> {
    let vacuous = |p: &PendingMigration| {
        p.evidence == Evidence::Applied && p.details == [crate::evidence::NO_SCHEMA_CHANGES]
    };
    let mut runs: Vec<Run> = Vec::with_capacity(pending.len());
    for (index, item) in pending.iter().enumerate() {
        let plannable = |e: &Evidence| matches!(e, Evidence::Applied | Evidence::NotApplied);
        let evidence = if vacuous(item) {
            let before = runs.last().map(|r| r.evidence);
            let after = pending[index..]
                .iter()
                .find(|p| !vacuous(p))
                .map(|p| p.evidence);
            before
                .filter(plannable)
                .or(after.filter(plannable))
                .unwrap_or(item.evidence)
        } else {
            item.evidence
        };
        let number = match runs.last() {
            Some(previous) if previous.evidence == evidence => previous.number,
            Some(previous) => previous.number + 1,
            None => 0,
        };
        runs.push(Run { number, evidence });
    }
    runs
}

fn pending_items(
    codebase: &Codebase,
    pending: &[&Revision],
    assess: &mut dyn FnMut(&Revision) -> Assessment,
) -> Vec<PendingMigration> {
    let _ = codebase;
    let mut items: Vec<PendingMigration> = Vec::with_capacity(pending.len());
    for rev in pending {
        let mut assessment = assess(rev);
        // Drops of absent objects prove nothing once an earlier pending
        // migration is not applied: it may be what creates them. Stamping on
        // that evidence would record drops that never ran.
        let unapplied_before = items
            .iter()
            .find(|p| p.evidence != Evidence::Applied)
            .map(|p| p.revision.clone());
        if let Some(earlier) = unapplied_before {
            if assessment.evidence == Evidence::Applied
                && crate::evidence::rests_on_absences_only(&assessment.details)
            {
                assessment.evidence = Evidence::Unknown;
                assessment.details.push(format!(
                    "the dropped objects may never have existed here: earlier pending migration `{earlier}` is not applied and may create them"
                ));
            }
        }
        items.push(PendingMigration {
            revision: rev.revision.clone(),
            file: display_path(&rev.file),
            evidence: assessment.evidence,
            details: assessment.details,
            create_date: rev.create_date.clone(),
            message: rev.message.clone(),
        });
    }
    items
}

/// `ancestor` is a strict ancestor of `descendant` in the codebase graph.
fn is_ancestor(codebase: &Codebase, ancestor: &str, descendant: &str) -> bool {
    // Usually a direct child: skip the closure (long histories).
    let direct = codebase.get(descendant).is_some_and(|r| {
        r.down_revisions.iter().any(|d| d == ancestor) || r.depends_on.iter().any(|d| d == ancestor)
    });
    direct || (ancestor != descendant && codebase.ancestors(descendant).contains(ancestor))
}

/// A database Alembic never stamped. Empty: `alembic upgrade heads`. Holding
/// tables: the evidence of every migration says what is present, so the plan
/// (stamp the applied run, upgrade the rest) replaces a generic "stamp REV".
fn uninitialized_findings(
    codebase: &Codebase,
    input: &TargetInput<'_>,
    report: &TargetReport,
) -> Vec<Finding> {
    let has_schema = input.user_tables > 0;
    let plan = if has_schema {
        plan_findings(input.name, &report.pending, &|a, d| {
            is_ancestor(codebase, a, d)
        })
    } else {
        Vec::new()
    };
    let message = &report.message;
    let mut findings = vec![Finding {
        code: "uninitialized".into(),
        severity: Severity::Error,
        message: if has_schema {
            format!(
                "{}: {message}, yet it holds {} — the schema was created outside Alembic; the evidence of each migration below says which are present",
                input.name,
                count(input.user_tables, "table")
            )
        } else {
            format!("{}: {message}", input.name)
        },
        suggestion: if !has_schema {
            Some("alembic upgrade heads".to_string())
        } else if plan.iter().any(|f| f.suggestion.is_some()) {
            None
        } else {
            Some(format!(
                "verify the schema matches a revision REV, then `alembic stamp REV`; codebase head: {}",
                codebase.heads.join(", ")
            ))
        },
        target: Some(input.name.into()),
    }];
    findings.extend(plan);
    findings
}

/// A pair of rows where one is an ancestor of the other.
fn inconsistent_rows(codebase: &Codebase, rows: &[String]) -> Option<(String, String)> {
    for a in rows {
        for b in rows {
            if a != b && codebase.ancestors(b).contains(a) {
                return Some((a.clone(), b.clone()));
            }
        }
    }
    None
}

pub fn display_path(path: &std::path::Path) -> String {
    path.display().to_string()
}

fn join_ids(ids: &[String]) -> String {
    ids.iter()
        .map(|i| format!("`{i}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn count(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

/// Findings for codebase graph problems (several heads, cycles, ...).
pub fn codebase_findings(codebase: &Codebase) -> Vec<Finding> {
    codebase
        .problems
        .iter()
        .map(|p| Finding {
            code: p.code.clone(),
            severity: Severity::of_problem(&p.severity),
            message: match (&p.file, p.line) {
                (Some(file), Some(line)) => format!("{}:{line}: {}", file.display(), p.message),
                (Some(file), None) => format!("{}: {}", file.display(), p.message),
                _ => p.message.clone(),
            },
            suggestion: (p.code == "multiple_heads").then(|| {
                format!(
                    "alembic merge -m \"merge heads\" {}",
                    codebase.heads.join(" ")
                )
            }),
            target: None,
        })
        .collect()
}

#[cfg(test)]
mod tests;
