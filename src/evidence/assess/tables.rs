//! Table effects checked against the snapshot: create (with its columns and
//! constraints), drop, rename.

use super::columns::column_problems;
use super::describe::{describe_constraint, display_table};
use super::order::Obj;
use super::{differs_or_present, dropped, pg_name, Ctx, Finding};
use crate::evidence::model::*;
use crate::evidence::CheckStatus;

impl Ctx<'_> {
    pub(super) fn check_create_table(
        &self,
        index: usize,
        table: &TableRef,
        columns: &[ColumnSpec],
        constraints: &[ConstraintSpec],
    ) -> Finding {
        let snap = self.snapshot;
        let schema = self.schema_of(table);
        let name = pg_name(&table.name);
        let subject = format!("table {}", display_table(table));
        if snap.table(schema, name).is_none() {
            return Finding::new(
                CheckStatus::Absent,
                format!("table {} not found", self.qualify(table)),
                format!("missing: {subject}"),
            );
        }
        let mut problems = Vec::new();
        for column in columns {
            let column_obj =
                Obj::Column(schema.to_string(), table.name.clone(), column.name.clone());
            if self.removed_later(index, &column_obj) {
                continue;
            }
            match snap.column(schema, name, pg_name(&column.name)) {
                None => problems.push(format!("column {} missing", column.name)),
                Some(found) => {
                    let overridden = self.later_alters(index, schema, &table.name, &column.name);
                    for p in column_problems(column, found, overridden) {
                        problems.push(format!("column {}: {p}", column.name));
                    }
                }
            }
        }
        for constraint in constraints {
            let unreadable = constraint
                .condition
                .as_deref()
                .and_then(crate::evidence::sql::normalise_condition)
                .is_none();
            if constraint.kind == ConstraintKind::Check && constraint.name.is_none() && unreadable {
                continue; // an unnamed check that cannot be read cannot be matched
            }
            if !self.constraint_found(schema, name, constraint) {
                problems.push(format!("{} missing", describe_constraint(constraint)));
            }
        }
        let found_desc = format!("table exists with {} expected columns", columns.len());
        differs_or_present(&subject, &found_desc, problems)
    }

    pub(super) fn check_drop_table(&self, table: &TableRef) -> Finding {
        let snap = self.snapshot;
        let subject = format!("table {}", display_table(table));
        let found = snap.table(self.schema_of(table), pg_name(&table.name));
        dropped(&subject, found.map(|_| ""), None)
    }

    pub(super) fn check_rename_table(&self, table: &TableRef, new_name: &str) -> Finding {
        let snap = self.snapshot;
        let schema = self.schema_of(table);
        let subject = format!("table {} renamed to {new_name}", display_table(table));
        let old = snap.table(schema, pg_name(&table.name)).is_some();
        let new = snap.table(schema, pg_name(new_name)).is_some();
        match (old, new) {
            (false, true) => Finding::new(
                CheckStatus::Present,
                format!(
                    "table {schema}.{new_name} exists and {schema}.{} does not",
                    table.name
                ),
                format!("found: {subject}"),
            ),
            (true, true) => Finding::new(
                CheckStatus::Differs,
                format!("both {schema}.{} and {schema}.{new_name} exist", table.name),
                format!("differs: {subject} (both tables exist)"),
            ),
            (true, false) => Finding::new(
                CheckStatus::Absent,
                format!("table {schema}.{} still has its old name", table.name),
                format!("missing: {subject}"),
            ),
            (false, false) => Finding::new(
                CheckStatus::Absent,
                format!(
                    "neither {schema}.{} nor {schema}.{new_name} found",
                    table.name
                ),
                format!("missing: {subject} (neither table found)"),
            ),
        }
    }

    /// Dropping something from a table that does not exist: the database is in
    /// neither the before nor the after state of the migration.
    pub(super) fn missing_table_of_drop(&self, table: &TableRef) -> Option<Finding> {
        self.snapshot
            .table(self.schema_of(table), pg_name(&table.name))
            .is_none()
            .then(|| {
                Finding::unknown(format!(
                    "table {} not found: cannot tell whether the drop happened",
                    self.qualify(table)
                ))
            })
    }
}
