//! Index effects checked against the snapshot: create (keys on expressions
//! compared with `pg_get_indexdef` after normalisation), drop.

use super::describe::display_table;
use super::{differs_or_present, dropped, pg_name, Ctx, Finding};
use crate::evidence::model::*;
use crate::evidence::sql::normalise_condition;
use crate::evidence::CheckStatus;

impl Ctx<'_> {
    pub(super) fn check_create_index(
        &self,
        table: &TableRef,
        name: &str,
        columns: &[String],
        unique: bool,
        expressions: Option<&[String]>,
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
        problems.extend(expressions.and_then(|e| expression_problem(e, &found.definition)));
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

/// Keys on expressions that differ from the catalog's, both normalised;
/// nothing when either side cannot be read (`DESC`, operator classes).
fn expression_problem(expected: &[String], definition: &str) -> Option<String> {
    let found = index_keys(definition)?;
    let normalise = |keys: &[String]| -> Option<Vec<String>> {
        keys.iter().map(|k| normalise_condition(k)).collect()
    };
    let (want, have) = (normalise(expected)?, normalise(&found)?);
    (want != have).then(|| {
        format!(
            "keys ({}), expected ({})",
            found.join(", "),
            expected.join(", ")
        )
    })
}

/// The keys of `CREATE INDEX … USING method (k1, k2) …`, split at top-level commas.
pub(super) fn index_keys(definition: &str) -> Option<Vec<String>> {
    let after = &definition[definition.find(" USING ")? + " USING ".len()..];
    let open = after.find('(')?;
    let mut keys = Vec::new();
    let (mut depth, mut quoted, mut start) = (0usize, false, open + 1);
    for (at, c) in after.char_indices().skip(open) {
        match c {
            '\'' => quoted = !quoted,
            '(' if !quoted => depth += 1,
            ')' if !quoted => {
                depth -= 1;
                if depth == 0 {
                    keys.push(after[start..at].trim().to_string());
                    return Some(keys);
                }
            }
            ',' if !quoted && depth == 1 => {
                keys.push(after[start..at].trim().to_string());
                start = at + 1;
            }
            _ => {}
        }
    }
    None
}
