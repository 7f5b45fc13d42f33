//! The codebase's history of each schema object: which migrations create,
//! alter, rename or drop it, in `alembic upgrade heads` order, from the
//! statically extracted `upgrade()` effects. Pure.

use super::raw_sql::{self, Scope};
use crate::compare::Kind;
use crate::evidence::{
    ColumnSpec, ConstraintKind, ConstraintSpec, EffectKind, Extraction, ObjectKind, TableRef,
    TypeChange,
};
use crate::migrations::Revision;
use std::collections::{BTreeSet, HashMap};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Create,
    Alter,
    Drop,
}

/// What a migration states of a column, where it states it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ColumnDefinition {
    /// PostgreSQL `format_type` text.
    pub data_type: Option<String>,
    pub nullable: Option<bool>,
}

/// One migration's operation on one object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Touch {
    pub revision: String,
    pub file: String,
    pub line: u32,
    pub action: Action,
    pub definition: Option<ColumnDefinition>,
}

/// An operation driftcheck cannot read (raw DDL, a helper, a loop): it may
/// have created, changed or dropped anything, or anything in the tables its
/// SQL names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Opaque {
    pub revision: String,
    pub file: String,
    pub line: u32,
    pub text: String,
    /// The tables and objects its SQL names (unqualified), when it is DDL
    /// sqlparser reads; `None`: it may touch anything.
    pub objects: Option<BTreeSet<String>>,
}

/// Every object's touches, and the operations that cannot be read.
#[derive(Debug, Clone, Default)]
pub struct History {
    touches: HashMap<(Kind, String), Vec<Touch>>,
    /// The table of a column, constraint or index: dropping or renaming the
    /// table ends its children too.
    parents: HashMap<(Kind, String), String>,
    pub opaque: Vec<Opaque>,
}

/// Object kinds a readable operation may create without naming them: a
/// `sa.Enum` column creates its type, an integer primary key its sequence.
/// Enum types the history names (`CREATE TYPE`, a `create_table` enum
/// column, `.create(bind)`) are followed; the others are not.
pub fn created_implicitly(kind: Kind) -> bool {
    matches!(kind, Kind::Enum | Kind::Domain | Kind::Sequence)
}

impl History {
    /// From every migration's effects, in upgrade order.
    pub fn build(migrations: &[(&Revision, &Extraction)], default_schema: &str) -> History {
        let mut history = History::default();
        for (revision, extraction) in migrations {
            let file = revision.file.display().to_string();
            for effect in &extraction.effects {
                let at = At {
                    revision: &revision.revision,
                    file: &file,
                    line: effect.line,
                };
                history.apply(&at, &effect.kind, default_schema);
            }
        }
        history
    }

    /// The object's touches, its table's drops included, in upgrade order.
    pub fn touches(&self, kind: Kind, object: &str) -> Vec<&Touch> {
        let key = (kind, object.to_string());
        let mut touches: Vec<&Touch> = self.touches.get(&key).into_iter().flatten().collect();
        if let Some(table) = self.parents.get(&key) {
            let table_key = (Kind::Table, table.clone());
            touches.extend(
                self.touches
                    .get(&table_key)
                    .into_iter()
                    .flatten()
                    .filter(|t| t.action == Action::Drop),
            );
        }
        touches
    }

    fn touch(
        &mut self,
        kind: Kind,
        key: String,
        at: &At,
        action: Action,
        definition: Option<ColumnDefinition>,
    ) {
        self.touches.entry((kind, key)).or_default().push(Touch {
            revision: at.revision.to_string(),
            file: at.file.to_string(),
            line: at.line,
            action,
            definition,
        });
    }

    fn child(
        &mut self,
        kind: Kind,
        key: &str,
        table: &str,
        at: &At,
        action: Action,
        definition: Option<ColumnDefinition>,
    ) {
        self.parents
            .insert((kind, key.to_string()), table.to_string());
        self.touch(kind, key.to_string(), at, action, definition);
    }

    fn apply(&mut self, at: &At, effect: &EffectKind, default_schema: &str) {
        let table_key = |table: &TableRef| {
            format!(
                "{}.{}",
                table.schema.as_deref().unwrap_or(default_schema),
                table.name
            )
        };
        match effect {
            EffectKind::CreateTable {
                table,
                columns,
                constraints,
            } => {
                let key = table_key(table);
                self.touch(Kind::Table, key.clone(), at, Action::Create, None);
                for column in columns {
                    self.create_column(&key, &table.name, column, at);
                }
                for constraint in constraints {
                    if let Some(name) = constraint_name(&table.name, constraint) {
                        self.child(
                            Kind::Constraint,
                            &format!("{key}.{name}"),
                            &key,
                            at,
                            Action::Create,
                            None,
                        );
                    }
                }
            }
            EffectKind::DropTable { table } => {
                self.touch(Kind::Table, table_key(table), at, Action::Drop, None);
            }
            EffectKind::RenameTable { table, new_name } => {
                let old = table_key(table);
                let schema = table.schema.as_deref().unwrap_or(default_schema);
                let new = format!("{schema}.{new_name}");
                self.touch(Kind::Table, old.clone(), at, Action::Drop, None);
                self.touch(Kind::Table, new.clone(), at, Action::Create, None);
                // The children live on under the new name from here on.
                let moved: Vec<(Kind, String)> = self
                    .parents
                    .iter()
                    .filter(|((kind, _), parent)| **parent == old && *kind != Kind::Index)
                    .map(|(key, _)| key.clone())
                    .collect();
                for (kind, key) in moved {
                    let Some(rest) = key.strip_prefix(&format!("{old}.")) else {
                        continue;
                    };
                    let definition = self.last_definition(kind, &key);
                    self.child(
                        kind,
                        &format!("{new}.{rest}"),
                        &new,
                        at,
                        Action::Create,
                        definition,
                    );
                }
            }
            EffectKind::AddColumn { table, column } => {
                self.create_column(&table_key(table), &table.name, column, at);
            }
            EffectKind::DropColumn { table, column } => {
                let key = table_key(table);
                self.child(
                    Kind::Column,
                    &format!("{key}.{column}"),
                    &key,
                    at,
                    Action::Drop,
                    None,
                );
            }
            EffectKind::CreateIndex { table, name, .. } => {
                let schema = table.schema.as_deref().unwrap_or(default_schema);
                self.child(
                    Kind::Index,
                    &format!("{schema}.{name}"),
                    &table_key(table),
                    at,
                    Action::Create,
                    None,
                );
            }
            EffectKind::DropIndex { schema, name, .. } => {
                let schema = schema.as_deref().unwrap_or(default_schema);
                self.touch(
                    Kind::Index,
                    format!("{schema}.{name}"),
                    at,
                    Action::Drop,
                    None,
                );
            }
            EffectKind::CreateConstraint { table, constraint } => {
                let key = table_key(table);
                if let Some(name) = constraint_name(&table.name, constraint) {
                    self.child(
                        Kind::Constraint,
                        &format!("{key}.{name}"),
                        &key,
                        at,
                        Action::Create,
                        None,
                    );
                }
            }
            EffectKind::DropConstraint { table, name, .. } => {
                let key = table_key(table);
                self.child(
                    Kind::Constraint,
                    &format!("{key}.{name}"),
                    &key,
                    at,
                    Action::Drop,
                    None,
                );
            }
            EffectKind::AlterColumn {
                table,
                column,
                nullable,
                type_,
                new_name,
                ..
            } => {
                let key = table_key(table);
                let old = format!("{key}.{column}");
                let mut definition = self.last_definition(Kind::Column, &old).unwrap_or_default();
                match type_ {
                    Some(TypeChange::Mapped(data_type)) => {
                        definition.data_type = Some(data_type.clone())
                    }
                    Some(TypeChange::Unmapped(_)) => definition.data_type = None,
                    None => {}
                }
                if nullable.is_some() {
                    definition.nullable = *nullable;
                }
                match new_name {
                    Some(new_name) => {
                        self.child(Kind::Column, &old, &key, at, Action::Drop, None);
                        self.child(
                            Kind::Column,
                            &format!("{key}.{new_name}"),
                            &key,
                            at,
                            Action::Create,
                            Some(definition),
                        );
                    }
                    None => self.child(
                        Kind::Column,
                        &old,
                        &key,
                        at,
                        Action::Alter,
                        Some(definition),
                    ),
                }
            }
            EffectKind::CreateEnum { schema, name, .. } => {
                let schema = schema.as_deref().unwrap_or(default_schema);
                self.touch(
                    Kind::Enum,
                    format!("{schema}.{name}"),
                    at,
                    Action::Create,
                    None,
                );
            }
            EffectKind::AddEnumValue { schema, name, .. } => {
                let schema = schema.as_deref().unwrap_or(default_schema);
                self.touch(
                    Kind::Enum,
                    format!("{schema}.{name}"),
                    at,
                    Action::Alter,
                    None,
                );
            }
            EffectKind::CreateObject { object } | EffectKind::DropObject { object } => {
                let action = match effect {
                    EffectKind::CreateObject { .. } => Action::Create,
                    _ => Action::Drop,
                };
                let schema = object.schema.as_deref().unwrap_or(default_schema);
                let key = match (object.kind, &object.table) {
                    (ObjectKind::View, _) => {
                        Some((Kind::View, format!("{schema}.{}", object.name)))
                    }
                    (ObjectKind::MaterializedView, _) => {
                        Some((Kind::MaterializedView, format!("{schema}.{}", object.name)))
                    }
                    (ObjectKind::Extension, _) => Some((Kind::Extension, object.name.clone())),
                    (ObjectKind::Trigger, Some(table)) => Some((
                        Kind::Trigger,
                        format!("{schema}.{}.{}", table.name, object.name),
                    )),
                    // `DROP TYPE` of an enum (other types are not compared).
                    (ObjectKind::Type, _) if action == Action::Drop => {
                        Some((Kind::Enum, format!("{schema}.{}", object.name)))
                    }
                    _ => None,
                };
                match key {
                    Some((kind, key)) => self.touch(kind, key, at, action, None),
                    // Functions (keyed by their arguments) and other types: as
                    // before, an operation that may have done anything.
                    None => self.opaque.push(Opaque {
                        revision: at.revision.to_string(),
                        file: at.file.to_string(),
                        line: at.line,
                        text: format!("{} {}", object.kind.label(), object.name),
                        objects: None,
                    }),
                }
            }
            EffectKind::DataChange { .. } => {}
            EffectKind::Unknown { text, sql, .. } => {
                let scope = match sql {
                    Some(sql) => raw_sql::scope(sql),
                    None if is_data_only(text) => Scope::Data,
                    None => Scope::Anything,
                };
                let objects = match scope {
                    Scope::Data => return,
                    Scope::Objects(names) => Some(names),
                    Scope::Anything => None,
                };
                self.opaque.push(Opaque {
                    revision: at.revision.to_string(),
                    file: at.file.to_string(),
                    line: at.line,
                    text: text.clone(),
                    objects,
                });
            }
        }
    }

    /// A column (and the primary key it declares) created on table `key`.
    fn create_column(&mut self, key: &str, table: &str, column: &ColumnSpec, at: &At) {
        let definition = ColumnDefinition {
            data_type: column.data_type.clone(),
            nullable: Some(column.nullable),
        };
        let name = format!("{key}.{}", column.name);
        self.child(
            Kind::Column,
            &name,
            key,
            at,
            Action::Create,
            Some(definition),
        );
        if column.primary_key {
            let name = format!("{key}.{table}_pkey");
            self.child(Kind::Constraint, &name, key, at, Action::Create, None);
        }
    }

    fn last_definition(&self, kind: Kind, key: &str) -> Option<ColumnDefinition> {
        self.touches
            .get(&(kind, key.to_string()))?
            .iter()
            .rev()
            .find_map(|t| t.definition.clone())
    }
}

struct At<'a> {
    revision: &'a str,
    file: &'a str,
    line: u32,
}

/// The name PostgreSQL gives a constraint a migration left unnamed, where it
/// can be told (`users_pkey`, `users_email_key`, `orders_user_id_fkey`).
fn constraint_name(table: &str, constraint: &ConstraintSpec) -> Option<String> {
    if let Some(name) = &constraint.name {
        return Some(name.clone());
    }
    match constraint.kind {
        ConstraintKind::PrimaryKey => Some(format!("{table}_pkey")),
        ConstraintKind::Unique if !constraint.columns.is_empty() => {
            Some(format!("{table}_{}_key", constraint.columns.join("_")))
        }
        ConstraintKind::ForeignKey => constraint
            .columns
            .first()
            .map(|column| format!("{table}_{column}_fkey")),
        _ => None,
    }
}

/// `op.execute("UPDATE …")`, `op.bulk_insert(…)`: data, not schema.
fn is_data_only(text: &str) -> bool {
    let text = text.trim();
    if text.starts_with("op.bulk_insert(") {
        return true;
    }
    let Some(argument) = text.strip_prefix("op.execute(") else {
        return false;
    };
    let argument = argument
        .trim_start()
        .trim_start_matches("sa.text(")
        .trim_start_matches("text(")
        .trim_start_matches(['r', 'R', 'u', 'U'])
        .trim_start_matches(['"', '\''])
        .trim_start();
    let keyword: String = argument
        .chars()
        .take_while(|c| c.is_ascii_alphabetic())
        .collect::<String>()
        .to_ascii_uppercase();
    matches!(keyword.as_str(), "UPDATE" | "INSERT" | "DELETE" | "SELECT")
}

#[cfg(test)]
mod tests {
    use super::is_data_only;

    #[test]
    fn data_statements_are_not_schema_changes() {
        assert!(is_data_only("op.execute(\"UPDATE users SET role = 'x'\")"));
        assert!(is_data_only("op.execute(sa.text(\"delete from t\"))"));
        assert!(is_data_only(
            "op.execute(\n    \"\"\"INSERT INTO t VALUES (1)\"\"\")"
        ));
        assert!(is_data_only("op.bulk_insert(table, rows)"));
        assert!(!is_data_only(
            "op.execute(\"ALTER TABLE users ADD COLUMN x int\")"
        ));
        assert!(!is_data_only("op.execute(SQL)"));
        assert!(!is_data_only("helper(op)"));
    }
}
