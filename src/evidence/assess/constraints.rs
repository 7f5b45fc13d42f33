//! Constraint effects checked against the snapshot: create (named or matched
//! by kind and columns), drop, and a foreign key's reference and actions.

use super::describe::display_table;
use super::{differs_or_present, dropped, pg_name, Ctx, Finding};
use crate::evidence::model::*;
use crate::evidence::sql::normalise_condition;
use crate::evidence::CheckStatus;

impl Ctx<'_> {
    pub(super) fn constraint_found(&self, schema: &str, table: &str, c: &ConstraintSpec) -> bool {
        match &c.name {
            Some(name) => self
                .snapshot
                .constraint(schema, table, pg_name(name))
                .is_some(),
            None if c.kind == ConstraintKind::Check => {
                self.unnamed_check(schema, table, c).is_some()
            }
            None => self
                .snapshot
                .constraints_of(schema, table)
                .any(|f| f.kind == c.kind.catalog_kind() && f.columns == c.columns),
        }
    }

    pub(super) fn check_constraint(&self, table: &TableRef, c: &ConstraintSpec) -> Finding {
        let snap = self.snapshot;
        let schema = self.schema_of(table);
        let tname = pg_name(&table.name);
        let subject = match &c.name {
            Some(name) => format!("{} {}.{name}", c.kind.label(), display_table(table)),
            None => format!(
                "unnamed {} on {} ({})",
                c.kind.label(),
                display_table(table),
                c.columns.join(", ")
            ),
        };
        if snap.table(schema, tname).is_none() {
            return self.table_absent(table, &subject);
        }
        match &c.name {
            Some(name) => match snap.constraint(schema, tname, pg_name(name)) {
                None => Finding::new(
                    CheckStatus::Absent,
                    format!("{subject} not found"),
                    format!("missing: {subject}"),
                ),
                Some(found) => {
                    let mut problems = Vec::new();
                    if found.kind != c.kind.catalog_kind() {
                        problems.push(format!("it is a {} constraint", found.kind));
                    }
                    if !c.columns.is_empty()
                        && !found.columns.is_empty()
                        && found.columns != c.columns
                    {
                        problems.push(format!(
                            "columns ({}), expected ({})",
                            found.columns.join(", "),
                            c.columns.join(", ")
                        ));
                    }
                    problems.extend(foreign_key_problems(c, found, self.default_schema));
                    problems.extend(check_problem(c, found));
                    differs_or_present(&subject, &found.definition, problems)
                }
            },
            None if c.kind == ConstraintKind::Check => {
                let Some(condition) = c.condition.as_deref().and_then(normalise_condition) else {
                    return Finding::unknown(
                        "unnamed check constraint whose condition driftcheck cannot read: cannot be matched"
                            .to_string(),
                    );
                };
                let subject = format!(
                    "unnamed check constraint on {} ({condition})",
                    display_table(table)
                );
                match self.unnamed_check(schema, tname, c) {
                    Some(found) => Finding::new(
                        CheckStatus::Present,
                        format!("exists as {}: {}", found.name, found.definition),
                        format!("found: {subject} as {}", found.name),
                    ),
                    None => Finding::new(
                        CheckStatus::Absent,
                        format!(
                            "no check constraint on {} with this condition",
                            self.qualify(table)
                        ),
                        format!("missing: {subject}"),
                    ),
                }
            }
            None => {
                match snap
                    .constraints_of(schema, tname)
                    .find(|f| f.kind == c.kind.catalog_kind() && f.columns == c.columns)
                {
                    Some(found) => differs_or_present(
                        &format!("{subject} as {}", found.name),
                        &found.definition,
                        foreign_key_problems(c, found, self.default_schema),
                    ),
                    None => Finding::new(
                        CheckStatus::Absent,
                        format!("no {} on ({}) found", c.kind.label(), c.columns.join(", ")),
                        format!("missing: {subject}"),
                    ),
                }
            }
        }
    }

    /// The check constraint on a table whose condition is the unnamed one's,
    /// after normalisation; `None` also when the condition cannot be read.
    pub(super) fn unnamed_check(
        &self,
        schema: &str,
        table: &str,
        c: &ConstraintSpec,
    ) -> Option<&crate::schema::Constraint> {
        let condition = c.condition.as_deref().and_then(normalise_condition)?;
        self.snapshot
            .constraints
            .iter()
            .filter(|f| f.schema == schema && f.table == table && f.kind == "check")
            .find(|f| normalise_condition(&f.definition).as_deref() == Some(condition.as_str()))
    }

    pub(super) fn check_drop_constraint(&self, table: &TableRef, name: &str) -> Finding {
        let snap = self.snapshot;
        let subject = format!("constraint {}.{name}", display_table(table));
        if let Some(missing) = self.missing_table_of_drop(table) {
            return missing;
        }
        let found = snap.constraint(self.schema_of(table), pg_name(&table.name), pg_name(name));
        dropped(&subject, found.map(|c| c.definition.as_str()), None)
    }
}

/// Referenced table and `ON DELETE` / `ON UPDATE` actions of a foreign key.
pub(super) fn foreign_key_problems(
    expected: &ConstraintSpec,
    found: &crate::schema::Constraint,
    default_schema: &str,
) -> Vec<String> {
    let mut problems = Vec::new();
    if expected.kind != ConstraintKind::ForeignKey || found.kind != "foreign_key" {
        return problems;
    }
    if let (Some(want), Some(have)) = (&expected.references, &found.references) {
        let want = if want.contains('.') {
            want.clone()
        } else {
            format!("{default_schema}.{want}")
        };
        if want != *have {
            problems.push(format!("references {have}, expected {want}"));
        }
    }
    let definition = found.definition.to_uppercase();
    for (clause, action) in [
        ("ON DELETE", &expected.on_delete),
        ("ON UPDATE", &expected.on_update),
    ] {
        let Some(action) = action else { continue };
        // NO ACTION is the default and pg_get_constraintdef leaves it out.
        let ok = if action == "NO ACTION" {
            !definition.contains(clause)
        } else {
            definition.contains(&format!("{clause} {action}"))
        };
        if !ok {
            problems.push(format!("expected {clause} {action}"));
        }
    }
    problems
}

/// A named check constraint whose condition differs from the migration's,
/// both read and normalised (nothing when either cannot be read).
fn check_problem(expected: &ConstraintSpec, found: &crate::schema::Constraint) -> Option<String> {
    if expected.kind != ConstraintKind::Check || found.kind != "check" {
        return None;
    }
    let want = normalise_condition(expected.condition.as_deref()?)?;
    let have = normalise_condition(&found.definition)?;
    (want != have).then(|| format!("condition {}, expected {want}", found.definition))
}
