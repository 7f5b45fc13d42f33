//! Check extracted effects against a schema snapshot: the verdict over all
//! effects of one `upgrade()` lives here; one file per operation family checks
//! a single effect (tables, columns, indexes, constraints), `order` relates
//! effects of the same upgrade, `describe` and `defaults` render and compare.

mod columns;
mod constraints;
mod defaults;
mod describe;

/// One line describing an effect (`add column public.users.x: …`).
pub fn describe_effect(kind: &crate::evidence::EffectKind) -> String {
    describe::describe(kind)
}
mod indexes;
mod objects;
mod order;
mod tables;

use super::model::*;
use super::{Assessment, CheckStatus, EffectCheck, Evidence};
use crate::schema::Snapshot;
use describe::describe;
#[cfg(test)]
use {
    crate::schema::Column,
    defaults::{defaults_match, normalise_default},
};

/// PostgreSQL truncates identifiers to 63 bytes (NAMEDATALEN - 1).
const PG_IDENTIFIER_MAX: usize = 63;

fn pg_name(name: &str) -> &str {
    if name.len() <= PG_IDENTIFIER_MAX {
        return name;
    }
    let mut end = PG_IDENTIFIER_MAX;
    while !name.is_char_boundary(end) {
        end -= 1;
    }
    &name[..end]
}

/// Assess every effect of one `upgrade()` against `snapshot`; effects without an
/// explicit schema live in `default_schema`.
pub fn assess(extraction: &Extraction, snapshot: &Snapshot, default_schema: &str) -> Assessment {
    let ctx = Ctx {
        snapshot,
        default_schema,
        effects: &extraction.effects,
    };
    let mut checks = Vec::with_capacity(extraction.effects.len());
    let mut details = Vec::new();
    if let Some(line) = extraction.syntax_error {
        details.push(format!(
            "syntax error at line {line}: effects may be incomplete"
        ));
    }
    if !extraction.has_upgrade && extraction.syntax_error.is_none() {
        details.push("no upgrade() function found".to_string());
    }

    for (index, effect) in extraction.effects.iter().enumerate() {
        let description = describe(&effect.kind);
        let superseded_by = ctx.superseded_by(index);
        let mut finding = match superseded_by {
            Some(line) => Finding {
                status: CheckStatus::Unknown,
                detail: format!("not checked on its own: line {line} of this upgrade undoes it"),
                summary: None,
            },
            None => ctx.check(index, effect),
        };
        // A data change needs no schema evidence: it neither confirms nor
        // contradicts the others (its line says it was not checked).
        let mut counts = superseded_by.is_none() && !is_data_change(&effect.kind);
        if let (Some(dropped_at), true) = (ctx.replaces(index), counts) {
            counts = judge_recreation(&mut finding, dropped_at);
        }
        if let Some(summary) = finding.summary {
            details.push(summary);
        } else if counts && finding.status == CheckStatus::Unknown {
            let what = match &effect.kind {
                EffectKind::Unknown {
                    text,
                    reason: Some(reason),
                    ..
                } => format!("{text}: {reason}"),
                EffectKind::Unknown { text, .. } => text.clone(),
                _ => finding.detail.clone(),
            };
            details.push(format!("unknown (line {}): {what}", effect.line));
        }
        checks.push(EffectCheck {
            description,
            line: effect.line,
            status: finding.status,
            detail: finding.detail,
            superseded_by,
            counts,
        });
    }

    let evidence = verdict(extraction, &checks);
    if evidence == Evidence::Applied && checks.is_empty() {
        details.push(NO_SCHEMA_CHANGES.to_string());
    }
    Assessment {
        evidence,
        checks,
        details,
    }
}

/// The detail of an upgrade that changes no schema (a merge point, a data fix
/// with nothing to check): its "applied" is vacuous, true of any database.
pub const NO_SCHEMA_CHANGES: &str = "no schema changes";

/// End of the detail of a drop whose object is absent.
const ALREADY_DROPPED: &str = " already dropped";

/// The check of an effect that removes `subject`: done when it is gone.
/// `still_there` is what was found instead (`Some("")`: found, nothing to show);
/// `detail_shown` is added to the short detail line.
fn dropped(subject: &str, still_there: Option<&str>, detail_shown: Option<&str>) -> Finding {
    match still_there {
        Some(found) => Finding::new(
            CheckStatus::Absent,
            if found.is_empty() {
                format!("{subject} still exists")
            } else {
                format!("{subject} still exists: {found}")
            },
            match detail_shown {
                Some(shown) => format!("still present: {subject} ({shown})"),
                None => format!("still present: {subject}"),
            },
        ),
        None => Finding::new(
            CheckStatus::Present,
            format!("{subject} not found, as after the drop"),
            format!("found: {subject}{ALREADY_DROPPED}"),
        ),
    }
}

/// Whether an assessment's details are all drops whose objects are absent:
/// such "applied" evidence holds just as well when the objects never existed
/// (an earlier, unapplied migration would have created them).
pub fn rests_on_absences_only(details: &[String]) -> bool {
    !details.is_empty()
        && details
            .iter()
            .all(|d| d.starts_with("found: ") && d.ends_with(ALREADY_DROPPED))
}

/// An object this upgrade drops and creates again (a redefined constraint)
/// existed before the upgrade too. Found as the migration defines it, it proves
/// nothing either way (returns `false`: not counted); found in another shape, it
/// is most likely the old version, so the change is not done.
fn judge_recreation(finding: &mut Finding, dropped_at: u32) -> bool {
    match finding.status {
        CheckStatus::Differs => {
            finding.status = CheckStatus::Absent;
            finding.detail = format!(
                "{}; likely the version this upgrade drops (line {dropped_at}) and replaces",
                finding.detail
            );
            finding.summary = finding.summary.as_ref().map(|s| {
                format!(
                    "{} (still the version this upgrade replaces)",
                    s.replacen("differs: ", "missing: ", 1)
                )
            });
            true
        }
        CheckStatus::Present => {
            finding.detail = format!(
                "{}; not evidence: it existed before this upgrade too (dropped at line {dropped_at}, re-created here)",
                finding.detail
            );
            finding.summary = finding
                .summary
                .as_ref()
                .map(|s| format!("{s} (re-created by this upgrade; existed before it too)"));
            false
        }
        CheckStatus::Absent | CheckStatus::Unknown => true,
    }
}

fn verdict(extraction: &Extraction, checks: &[EffectCheck]) -> Evidence {
    if !extraction.has_upgrade || extraction.syntax_error.is_some() {
        return Evidence::Unknown;
    }
    if checks.is_empty() {
        // An empty upgrade (merge migration) changes nothing: stamping is safe.
        return Evidence::Applied;
    }
    let (mut present, mut absent, mut differs, mut unknown) = (0, 0, 0, 0);
    // A dropped object that is not there is weak evidence: it may never have
    // existed here (an earlier pending migration creates it). It confirms a
    // migration nothing contradicts, but does not make a migration whose
    // other changes are missing "partial".
    let mut absent_after_drop = 0;
    for (check, effect) in checks.iter().zip(&extraction.effects) {
        if !check.counts {
            continue;
        }
        match check.status {
            CheckStatus::Present if is_drop(&effect.kind) => absent_after_drop += 1,
            CheckStatus::Present => present += 1,
            CheckStatus::Absent => absent += 1,
            CheckStatus::Differs => differs += 1,
            CheckStatus::Unknown => unknown += 1,
        }
    }
    if present == 0 && absent + differs == 0 {
        present = absent_after_drop;
    }
    match (present, absent + differs) {
        (0, 0) => Evidence::Unknown,
        (_, 0) if unknown > 0 => Evidence::Unknown,
        (_, 0) => Evidence::Applied,
        // An object that exists in another shape is a trace of the migration.
        (0, _) if differs == 0 => Evidence::NotApplied,
        _ => Evidence::Partial,
    }
}

fn is_drop(kind: &EffectKind) -> bool {
    matches!(
        kind,
        EffectKind::DropTable { .. }
            | EffectKind::DropColumn { .. }
            | EffectKind::DropIndex { .. }
            | EffectKind::DropConstraint { .. }
            | EffectKind::DropObject { .. }
    )
}

fn is_data_change(kind: &EffectKind) -> bool {
    matches!(kind, EffectKind::DataChange { .. })
}

struct Finding {
    status: CheckStatus,
    detail: String,
    /// Line for `Assessment::details`; `None` for unknowns (added by the caller).
    summary: Option<String>,
}

impl Finding {
    fn new(status: CheckStatus, detail: String, summary: String) -> Self {
        Finding {
            status,
            detail,
            summary: Some(summary),
        }
    }
    fn unknown(detail: String) -> Self {
        Finding {
            status: CheckStatus::Unknown,
            detail,
            summary: None,
        }
    }
}

/// What every check needs: the snapshot, the default schema, and the other
/// effects of the same upgrade (see `order`).
struct Ctx<'a> {
    snapshot: &'a Snapshot,
    default_schema: &'a str,
    effects: &'a [Effect],
}

impl<'a> Ctx<'a> {
    fn schema_of(&self, table: &'a TableRef) -> &'a str {
        table.schema.as_deref().unwrap_or(self.default_schema)
    }

    /// `subject` (a column, a constraint) cannot be present: its table is missing.
    fn table_absent(&self, table: &TableRef, subject: &str) -> Finding {
        Finding::new(
            CheckStatus::Absent,
            format!("table {} not found", self.qualify(table)),
            format!(
                "missing: {subject} (table {} not found)",
                describe::display_table(table)
            ),
        )
    }

    fn qualify(&self, table: &TableRef) -> String {
        format!("{}.{}", self.schema_of_owned(table), table.name)
    }

    fn schema_of_owned(&self, table: &TableRef) -> String {
        table
            .schema
            .clone()
            .unwrap_or_else(|| self.default_schema.to_string())
    }

    fn check(&self, index: usize, effect: &Effect) -> Finding {
        match &effect.kind {
            EffectKind::Unknown {
                text,
                reason: Some(reason),
                ..
            } => Finding::unknown(format!("not verifiable statically: {text}: {reason}")),
            EffectKind::Unknown { text, .. } => {
                Finding::unknown(format!("not verifiable statically: {text}"))
            }
            EffectKind::DataChange { text } => Finding {
                status: CheckStatus::Unknown,
                detail:
                    "a data change: the catalog cannot show it, and it needs no schema evidence"
                        .to_string(),
                summary: Some(format!(
                    "data change (line {}), not checked: {text}",
                    effect.line
                )),
            },
            EffectKind::CreateObject { object } => self.check_create_object(object),
            EffectKind::DropObject { object } => self.check_drop_object(object),
            EffectKind::CreateEnum {
                schema,
                name,
                values,
            } => self.check_create_enum(schema, name, values.as_deref()),
            EffectKind::AddEnumValue {
                schema,
                name,
                value,
            } => self.check_add_enum_value(schema, name, value),
            EffectKind::AddColumn { table, column } => self.check_add_column(index, table, column),
            EffectKind::DropColumn { table, column } => self.check_drop_column(table, column),
            EffectKind::CreateTable {
                table,
                columns,
                constraints,
            } => self.check_create_table(index, table, columns, constraints),
            EffectKind::DropTable { table } => self.check_drop_table(table),
            EffectKind::RenameTable { table, new_name } => self.check_rename_table(table, new_name),
            EffectKind::CreateIndex {
                table,
                name,
                columns,
                unique,
                expressions,
            } => self.check_create_index(table, name, columns, *unique, expressions.as_deref()),
            EffectKind::DropIndex {
                schema,
                name,
                table,
            } => self.check_drop_index(table.as_deref(), schema.as_deref(), name),
            EffectKind::CreateConstraint { table, constraint } => {
                self.check_constraint(table, constraint)
            }
            EffectKind::DropConstraint { table, name, .. } => {
                self.check_drop_constraint(table, name)
            }
            EffectKind::AlterColumn {
                table,
                column,
                nullable,
                type_,
                new_name,
                server_default,
            } => self.check_alter(
                index,
                table,
                column,
                *nullable,
                type_.as_ref(),
                new_name.as_deref(),
                server_default.as_ref(),
            ),
        }
    }
}

fn differs_or_present(subject: &str, found: &str, problems: Vec<String>) -> Finding {
    if problems.is_empty() {
        Finding::new(
            CheckStatus::Present,
            format!("exists: {found}"),
            format!("found: {subject}"),
        )
    } else {
        Finding::new(
            CheckStatus::Differs,
            format!("exists but {}", problems.join("; ")),
            format!("differs: {subject} ({})", problems.join("; ")),
        )
    }
}

#[cfg(test)]
mod tests;
