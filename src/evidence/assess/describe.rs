//! Human descriptions of effects ("add column users.email boolean NOT NULL")
//! and of catalog columns ("boolean not null default false").

use crate::evidence::model::*;
use crate::schema::Column;

pub(super) fn display_table(table: &TableRef) -> String {
    match &table.schema {
        Some(schema) => format!("{schema}.{}", table.name),
        None => table.name.clone(),
    }
}

pub(super) fn describe_column(column: &ColumnSpec) -> String {
    let mut out = column.name.clone();
    if let Some(t) = &column.data_type {
        out.push(' ');
        out.push_str(t);
    }
    if !column.nullable {
        out.push_str(" NOT NULL");
    }
    if let Some(DefaultSpec::Sql(d) | DefaultSpec::Opaque(d)) = &column.server_default {
        out.push_str(" DEFAULT ");
        out.push_str(d);
    }
    out
}

pub(super) fn describe_constraint(c: &ConstraintSpec) -> String {
    let mut out = c.kind.label().to_string();
    if let Some(name) = &c.name {
        out.push(' ');
        out.push_str(name);
    }
    if !c.columns.is_empty() {
        out.push_str(&format!(" ({})", c.columns.join(", ")));
    }
    if let Some(r) = &c.references {
        out.push_str(&format!(" → {r}"));
    }
    if let Some(action) = &c.on_delete {
        out.push_str(&format!(" ON DELETE {action}"));
    }
    if let Some(action) = &c.on_update {
        out.push_str(&format!(" ON UPDATE {action}"));
    }
    out
}

pub(super) fn describe(kind: &EffectKind) -> String {
    match kind {
        EffectKind::CreateTable { table, columns, .. } => format!(
            "create table {} ({} columns)",
            display_table(table),
            columns.len()
        ),
        EffectKind::DropTable { table } => format!("drop table {}", display_table(table)),
        EffectKind::RenameTable { table, new_name } => {
            format!("rename table {} to {new_name}", display_table(table))
        }
        EffectKind::AddColumn { table, column } => {
            format!(
                "add column {}.{}",
                display_table(table),
                describe_column(column)
            )
        }
        EffectKind::DropColumn { table, column } => {
            format!("drop column {}.{column}", display_table(table))
        }
        EffectKind::CreateIndex {
            table,
            name,
            columns,
            unique,
            expressions,
        } => format!(
            "create {}index {name} on {} ({})",
            if *unique { "unique " } else { "" },
            display_table(table),
            expressions.as_deref().unwrap_or(columns).join(", ")
        ),
        EffectKind::DropIndex { name, schema, .. } => match schema {
            Some(s) => format!("drop index {s}.{name}"),
            None => format!("drop index {name}"),
        },
        EffectKind::CreateConstraint { table, constraint } => format!(
            "create {} on {}",
            describe_constraint(constraint),
            display_table(table)
        ),
        EffectKind::DropConstraint { table, name, kind } => format!(
            "drop {} {name} on {}",
            kind.map(ConstraintKind::label).unwrap_or("constraint"),
            display_table(table)
        ),
        EffectKind::AlterColumn {
            table,
            column,
            nullable,
            type_,
            new_name,
            server_default,
        } => {
            let mut changes = Vec::new();
            if let Some(n) = new_name {
                changes.push(format!("rename to {n}"));
            }
            match nullable {
                Some(true) => changes.push("DROP NOT NULL".to_string()),
                Some(false) => changes.push("SET NOT NULL".to_string()),
                None => {}
            }
            match type_ {
                Some(TypeChange::Mapped(t) | TypeChange::Unmapped(t)) => {
                    changes.push(format!("type {t}"))
                }
                None => {}
            }
            match server_default {
                Some(DefaultSpec::Null) => changes.push("DROP DEFAULT".to_string()),
                Some(DefaultSpec::Sql(d) | DefaultSpec::Opaque(d)) => {
                    changes.push(format!("DEFAULT {d}"))
                }
                None => {}
            }
            format!(
                "alter column {}.{column}: {}",
                display_table(table),
                if changes.is_empty() {
                    "no change".to_string()
                } else {
                    changes.join(", ")
                }
            )
        }
        EffectKind::CreateObject { object } => format!("create {}", describe_object(object)),
        EffectKind::DropObject { object } => format!("drop {}", describe_object(object)),
        EffectKind::CreateEnum {
            schema,
            name,
            values,
        } => {
            let name = qualified_name(schema, name);
            match values {
                Some(values) => format!("create enum type {name} ('{}')", values.join("', '")),
                None => format!("create enum type {name}"),
            }
        }
        EffectKind::AddEnumValue {
            schema,
            name,
            value,
        } => format!(
            "add value '{value}' to enum type {}",
            qualified_name(schema, name)
        ),
        EffectKind::DataChange { text } => {
            format!("data change (no schema evidence needed): {text}")
        }
        EffectKind::Unknown {
            text,
            reason: Some(reason),
            ..
        } => format!("unrecognised: {text}: {reason}"),
        EffectKind::Unknown { text, .. } => format!("unrecognised: {text}"),
    }
}

/// `boolean not null default false`.
pub(super) fn render_column(column: &Column) -> String {
    let mut out = column.data_type.to_string();
    if !column.nullable {
        out.push_str(" not null");
    }
    if let Some(d) = &column.default {
        out.push_str(" default ");
        out.push_str(d);
    }
    out
}

fn qualified_name(schema: &Option<String>, name: &str) -> String {
    match schema {
        Some(schema) => format!("{schema}.{name}"),
        None => name.to_string(),
    }
}

fn describe_object(object: &ObjectRef) -> String {
    let name = qualified_name(&object.schema, &object.name);
    match &object.table {
        Some(table) => format!("{} {name} on {}", object.kind.label(), display_table(table)),
        None => format!("{} {name}", object.kind.label()),
    }
}
