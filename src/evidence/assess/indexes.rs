//! Index effects checked against the snapshot: create, drop.

use super::describe::display_table;
use super::{differs_or_present, dropped, pg_name, Ctx, Finding};
use crate::evidence::model::*;
use crate::evidence::CheckStatus;

impl Ctx<'_> {
    pub(super) fn check_create_index(
        &self,
        table: &TableRef,
        name: &str,
        columns: &[String],
        unique: bool,
    ) -> Finding {
        let snap = self.snapshot;
        let schema = self.schema_of(table);
        let subject = format!("index {name} on {}", display_table(table));
        let Some(found) = snap.index(schema, pg_name(name)) else {
            return Finding::new(
                CheckStatus::Absent,
                format!("index {schema}.{name} not found"),
                format!("missing: {subject}"),
            );
        };
        let mut problems = Vec::new();
        if found.table != pg_name(&table.name) {
            problems.push(format!("it is on table {}", found.table));
        }
        if found.unique != unique {
            problems.push(format!(
                "it is {}unique",
                if found.unique { "" } else { "not " }
            ));
        }
        if !columns.is_empty() && !found.columns.is_empty() && found.columns != columns {
            problems.push(format!(
                "columns ({}), expected ({})",
                found.columns.join(", "),
                columns.join(", ")
            ));
        }
        differs_or_present(&subject, &found.definition, problems)
    }

    pub(super) fn check_drop_index(
        &self,
        table: Option<&str>,
        schema: Option<&str>,
        name: &str,
    ) -> Finding {
        let snap = self.snapshot;
        if let Some(table) = table {
            let table_ref = TableRef {
                schema: schema.map(str::to_string),
                name: table.to_string(),
            };
            if let Some(missing) = self.missing_table_of_drop(&table_ref) {
                return missing;
            }
        }
        let schema = schema.unwrap_or(self.default_schema);
        let subject = format!("index {schema}.{name}");
        let found = snap.index(schema, pg_name(name));
        dropped(&subject, found.map(|i| i.definition.as_str()), None)
    }
}
