//! Column effects checked against the snapshot: add, drop, alter (type,
//! nullability, default, rename).

use super::defaults::defaults_match;
use super::describe::{display_table, render_column};
use super::{dropped, pg_name, Ctx, Finding};
use crate::evidence::model::*;
use crate::evidence::CheckStatus;
use crate::schema::Column;

impl Ctx<'_> {
    pub(super) fn check_add_column(
        &self,
        index: usize,
        table: &TableRef,
        column: &ColumnSpec,
    ) -> Finding {
        let snap = self.snapshot;
        let schema = self.schema_of(table);
        let subject = format!("column {}.{}", display_table(table), column.name);
        if snap.table(schema, pg_name(&table.name)).is_none() {
            return self.table_absent(table, &subject);
        }
        let Some(found) = snap.column(schema, pg_name(&table.name), pg_name(&column.name)) else {
            return Finding::new(
                CheckStatus::Absent,
                format!("{subject} not found"),
                format!("missing: {subject}"),
            );
        };
        let overridden = self.later_alters(index, schema, &table.name, &column.name);
        let problems = column_problems(column, found, overridden);
        self.column_finding(&subject, found, problems)
    }

    pub(super) fn check_drop_column(&self, table: &TableRef, column: &str) -> Finding {
        let snap = self.snapshot;
        let schema = self.schema_of(table);
        let subject = format!("column {}.{column}", display_table(table));
        if let Some(missing) = self.missing_table_of_drop(table) {
            return missing;
        }
        let found = snap.column(schema, pg_name(&table.name), pg_name(column));
        let rendered = found.map(render_column);
        dropped(&subject, rendered.as_deref(), rendered.as_deref())
    }

    pub(super) fn column_finding(
        &self,
        subject: &str,
        found: &Column,
        problems: Vec<String>,
    ) -> Finding {
        let rendered = render_column(found);
        if problems.is_empty() {
            Finding::new(
                CheckStatus::Present,
                format!(
                    "column exists: {}, {}{}",
                    found.data_type,
                    if found.nullable {
                        "nullable"
                    } else {
                        "not null"
                    },
                    found
                        .default
                        .as_ref()
                        .map(|d| format!(", default {d}"))
                        .unwrap_or_default()
                ),
                format!("found: {subject} ({rendered})"),
            )
        } else {
            Finding::new(
                CheckStatus::Differs,
                format!("column exists but {}", problems.join("; ")),
                format!("differs: {subject} ({rendered}; {})", problems.join("; ")),
            )
        }
    }

    #[allow(clippy::too_many_arguments)]
    pub(super) fn check_alter(
        &self,
        index: usize,
        table: &TableRef,
        column: &str,
        nullable: Option<bool>,
        type_: Option<&TypeChange>,
        new_name: Option<&str>,
        server_default: Option<&DefaultSpec>,
    ) -> Finding {
        let snap = self.snapshot;
        let schema = self.schema_of(table);
        let tname = pg_name(&table.name);
        let subject = format!("column {}.{column}", display_table(table));
        let mut missing = Vec::new();
        let mut unverifiable = Vec::new();
        let mut confirmed = Vec::new();
        let target_name = new_name.unwrap_or(column);
        let target = snap.column(schema, tname, pg_name(target_name));
        if let Some(new) = new_name {
            let old_exists = snap.column(schema, tname, pg_name(column)).is_some();
            match (old_exists, target.is_some()) {
                (false, true) => confirmed.push(format!("renamed to {new}")),
                (true, true) => missing.push(format!("both {column} and {new} exist")),
                (true, false) => missing.push(format!("not renamed to {new}")),
                (false, false) => missing.push(format!("neither {column} nor {new} found")),
            }
        }
        let Some(found) = target else {
            if new_name.is_none() {
                return Finding::new(
                    CheckStatus::Absent,
                    format!("{subject} not found"),
                    format!("missing: {subject}"),
                );
            }
            return Finding::new(
                CheckStatus::Absent,
                missing.join("; "),
                format!("missing: {subject} ({})", missing.join("; ")),
            );
        };
        let (later_nullable, later_type, later_default) =
            self.later_alters(index, schema, &table.name, target_name);
        if let Some(n) = nullable.filter(|_| !later_nullable) {
            if found.nullable == n {
                confirmed.push(if n { "nullable" } else { "not null" }.to_string());
            } else {
                missing.push(format!(
                    "is {}",
                    if found.nullable {
                        "nullable"
                    } else {
                        "not null"
                    }
                ));
            }
        }
        match type_.filter(|_| !later_type) {
            Some(TypeChange::Mapped(t)) if t.eq_ignore_ascii_case(&found.data_type) => {
                confirmed.push(format!("type {t}"))
            }
            Some(TypeChange::Mapped(t)) => {
                missing.push(format!("type is {}, expected {t}", found.data_type))
            }
            Some(TypeChange::Unmapped(t)) => unverifiable.push(format!("type {t}")),
            None => {}
        }
        match server_default.filter(|_| !later_default) {
            Some(DefaultSpec::Null) if found.default.is_none() => {
                confirmed.push("no default".to_string())
            }
            Some(DefaultSpec::Null) => missing.push(format!(
                "default is {}, expected none",
                found.default.as_deref().unwrap_or_default()
            )),
            Some(DefaultSpec::Sql(d)) => match &found.default {
                Some(actual) if defaults_match(actual, d, &found.data_type) => {
                    confirmed.push(format!("default {actual}"))
                }
                Some(actual) => missing.push(format!("default is {actual}, expected {d}")),
                None => missing.push(format!("no default, expected {d}")),
            },
            Some(DefaultSpec::Opaque(d)) => unverifiable.push(format!("default {d}")),
            None => {}
        }
        let rendered = render_column(found);
        if !missing.is_empty() {
            Finding::new(
                CheckStatus::Absent,
                format!("{}: {}", rendered, missing.join("; ")),
                format!("missing: alter {subject} ({})", missing.join("; ")),
            )
        } else if confirmed.is_empty() {
            Finding::unknown(format!(
                "cannot verify {} on {subject}",
                if unverifiable.is_empty() {
                    "a no-op alter".to_string()
                } else {
                    unverifiable.join(", ")
                }
            ))
        } else {
            Finding::new(
                CheckStatus::Present,
                format!("column is {rendered}"),
                format!("found: alter {subject} ({})", confirmed.join(", ")),
            )
        }
    }
}

/// Differences between an expected column and the catalog's, skipping
/// attributes a later `alter_column` of the same upgrade changes.
pub(super) fn column_problems(
    expected: &ColumnSpec,
    found: &Column,
    overridden: (bool, bool, bool),
) -> Vec<String> {
    let (later_nullable, later_type, later_default) = overridden;
    let mut problems = Vec::new();
    if let Some(t) = expected.data_type.as_ref().filter(|_| !later_type) {
        if !t.eq_ignore_ascii_case(&found.data_type) {
            problems.push(format!("type is {}, expected {t}", found.data_type));
        }
    }
    if let Some(DefaultSpec::Sql(d)) = expected.server_default.as_ref().filter(|_| !later_default) {
        match &found.default {
            Some(actual) if defaults_match(actual, d, &found.data_type) => {}
            Some(actual) => problems.push(format!("default is {actual}, expected {d}")),
            None => problems.push(format!("no default, expected {d}")),
        }
    }
    if !later_nullable && found.nullable != expected.nullable {
        problems.push(format!(
            "is {}, expected {}",
            if found.nullable {
                "nullable"
            } else {
                "not null"
            },
            if expected.nullable {
                "nullable"
            } else {
                "not null"
            }
        ));
    }
    problems
}
