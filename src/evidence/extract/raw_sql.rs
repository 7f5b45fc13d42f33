//! Raw SQL of `op.execute("…")` (and `sa.text`, `conn.execute` of a literal)
//! turned into the same effects as the `op.*` calls, statement by statement:
//! DDL on tables, columns, indexes, constraints, enums, views, functions,
//! triggers and extensions; `UPDATE` / `INSERT` / `DELETE` / `SELECT` as data
//! changes. What the parser cannot read, or a statement not followed, stays
//! unknown with the reason: never a guess.

use super::args::shorten;
use crate::evidence::model::*;
use crate::evidence::sql::{ident, parse, qualified};
use sqlparser::ast::{
    AlterColumnOperation, AlterTableOperation, AlterTypeOperation, ColumnDef, ColumnOption,
    DataType, Expr, IndexColumn, ObjectName, ObjectType, RenameTableNameKind, Statement,
    TableConstraint, UserDefinedTypeRepresentation,
};

/// The effects of one SQL string; `text` is the Python call, quoted by unknowns.
pub(super) fn effects(sql: &str, text: &str) -> Vec<EffectKind> {
    let statements = match parse(sql) {
        Ok(statements) => statements,
        Err(message) => {
            return vec![unknown(text, sql, format!("SQL not read: {message}"))];
        }
    };
    let mut out = Vec::new();
    for statement in &statements {
        if let Err(reason) = statement_effects(statement, &mut out) {
            out.push(unknown(text, &statement.to_string(), reason));
        }
    }
    out
}

fn unknown(text: &str, sql: &str, reason: String) -> EffectKind {
    EffectKind::Unknown {
        text: text.to_string(),
        sql: Some(sql.to_string()),
        reason: Some(reason),
    }
}

type Read = Result<(), String>;

fn not_followed(what: &str) -> Read {
    Err(format!("{what} is not followed"))
}

fn table_ref(name: &ObjectName) -> Result<TableRef, String> {
    let (schema, name) = qualified(name).ok_or("a name driftcheck cannot read")?;
    Ok(TableRef { schema, name })
}

fn object(
    kind: ObjectKind,
    name: &ObjectName,
    table: Option<TableRef>,
) -> Result<ObjectRef, String> {
    let (schema, name) = qualified(name).ok_or("a name driftcheck cannot read")?;
    Ok(ObjectRef {
        kind,
        schema,
        name,
        table,
    })
}

fn statement_effects(statement: &Statement, out: &mut Vec<EffectKind>) -> Read {
    match statement {
        Statement::Query(_)
        | Statement::Insert(_)
        | Statement::Update(_)
        | Statement::Delete(_) => {
            out.push(EffectKind::DataChange {
                text: shorten(&statement.to_string()),
            });
        }
        // Transaction control around `ALTER TYPE … ADD VALUE` changes no schema.
        Statement::StartTransaction { .. } | Statement::Commit { .. } => {}
        Statement::CreateTable(create) => {
            if create.query.is_some() {
                return not_followed("CREATE TABLE … AS");
            }
            let table = table_ref(&create.name)?;
            let mut columns = Vec::new();
            let mut constraints = Vec::new();
            for def in &create.columns {
                let (column, inline) = column_spec(def)?;
                columns.push(column);
                constraints.extend(inline);
            }
            for constraint in &create.constraints {
                constraints.push(constraint_spec(constraint)?);
            }
            out.push(EffectKind::CreateTable {
                table,
                columns,
                constraints,
            });
        }
        Statement::AlterTable(alter) => {
            let table = table_ref(&alter.name)?;
            let mut failed = None;
            for operation in &alter.operations {
                if let Err(reason) = alter_table(&table, operation, out) {
                    failed.get_or_insert(reason);
                }
            }
            if let Some(reason) = failed {
                return Err(reason);
            }
        }
        Statement::CreateIndex(index) => {
            let Some(name) = &index.name else {
                return not_followed("an unnamed index (PostgreSQL makes up its name)");
            };
            let (_, name) = qualified(name).ok_or("a name driftcheck cannot read")?;
            let columns = plain_columns(&index.columns);
            let expressions = match columns {
                Some(_) => None,
                None => Some(index.columns.iter().map(|c| c.to_string()).collect()),
            };
            out.push(EffectKind::CreateIndex {
                table: table_ref(&index.table_name)?,
                name,
                columns: columns.unwrap_or_default(),
                unique: index.unique,
                expressions,
            });
        }
        Statement::Drop {
            object_type, names, ..
        } => {
            for name in names {
                out.push(drop(*object_type, name)?);
            }
        }
        Statement::CreateView(view) => {
            let kind = if view.materialized {
                ObjectKind::MaterializedView
            } else {
                ObjectKind::View
            };
            out.push(EffectKind::CreateObject {
                object: object(kind, &view.name, None)?,
            });
        }
        Statement::CreateFunction(function) => {
            out.push(EffectKind::CreateObject {
                object: object(ObjectKind::Function, &function.name, None)?,
            });
        }
        Statement::DropFunction(drop) => {
            for function in &drop.func_desc {
                out.push(EffectKind::DropObject {
                    object: object(ObjectKind::Function, &function.name, None)?,
                });
            }
        }
        Statement::CreateTrigger(trigger) => {
            let table = table_ref(&trigger.table_name)?;
            let mut object = object(ObjectKind::Trigger, &trigger.name, None)?;
            // A trigger lives in its table's schema.
            object.schema = table.schema.clone();
            object.table = Some(table);
            out.push(EffectKind::CreateObject { object });
        }
        Statement::DropTrigger(drop) => {
            let Some(table) = &drop.table_name else {
                return not_followed("DROP TRIGGER without ON table");
            };
            let table = table_ref(table)?;
            let mut object = object(ObjectKind::Trigger, &drop.trigger_name, None)?;
            object.schema = table.schema.clone();
            object.table = Some(table);
            out.push(EffectKind::DropObject { object });
        }
        Statement::CreateExtension(extension) => out.push(EffectKind::CreateObject {
            object: ObjectRef {
                kind: ObjectKind::Extension,
                schema: None,
                name: ident(&extension.name),
                table: None,
            },
        }),
        Statement::DropExtension(drop) => {
            for name in &drop.names {
                out.push(EffectKind::DropObject {
                    object: ObjectRef {
                        kind: ObjectKind::Extension,
                        schema: None,
                        name: ident(name),
                        table: None,
                    },
                });
            }
        }
        Statement::CreateType {
            name,
            representation,
        } => {
            let (schema, type_name) = qualified(name).ok_or("a name driftcheck cannot read")?;
            match representation {
                Some(UserDefinedTypeRepresentation::Enum { labels }) => {
                    out.push(EffectKind::CreateEnum {
                        schema,
                        name: type_name,
                        values: Some(labels.iter().map(|l| l.value.clone()).collect()),
                    })
                }
                _ => out.push(EffectKind::CreateObject {
                    object: object(ObjectKind::Type, name, None)?,
                }),
            }
        }
        Statement::AlterType(alter) => match &alter.operation {
            AlterTypeOperation::AddValue(add) => {
                let (schema, name) =
                    qualified(&alter.name).ok_or("a name driftcheck cannot read")?;
                out.push(EffectKind::AddEnumValue {
                    schema,
                    name,
                    value: add.value.value.clone(),
                });
            }
            _ => return not_followed("ALTER TYPE other than ADD VALUE"),
        },
        other => {
            let keyword: String = other
                .to_string()
                .split_whitespace()
                .take(2)
                .collect::<Vec<_>>()
                .join(" ");
            return not_followed(&format!("`{keyword} …`"));
        }
    }
    Ok(())
}

fn drop(object_type: ObjectType, name: &ObjectName) -> Result<EffectKind, String> {
    let kind = match object_type {
        ObjectType::Table => {
            return Ok(EffectKind::DropTable {
                table: table_ref(name)?,
            })
        }
        ObjectType::Index => {
            let (schema, name) = qualified(name).ok_or("a name driftcheck cannot read")?;
            return Ok(EffectKind::DropIndex {
                table: None,
                schema,
                name,
            });
        }
        ObjectType::View => ObjectKind::View,
        ObjectType::MaterializedView => ObjectKind::MaterializedView,
        ObjectType::Type => ObjectKind::Type,
        other => return Err(format!("DROP {other} is not followed")),
    };
    Ok(EffectKind::DropObject {
        object: object(kind, name, None)?,
    })
}

fn alter_table(
    table: &TableRef,
    operation: &AlterTableOperation,
    out: &mut Vec<EffectKind>,
) -> Read {
    let column_change = |column: String| EffectKind::AlterColumn {
        table: table.clone(),
        column,
        nullable: None,
        type_: None,
        new_name: None,
        server_default: None,
    };
    match operation {
        AlterTableOperation::AddColumn { column_def, .. } => {
            let (column, inline) = column_spec(column_def)?;
            let name = column.name.clone();
            out.push(EffectKind::AddColumn {
                table: table.clone(),
                column,
            });
            for mut constraint in inline {
                constraint.columns = vec![name.clone()];
                out.push(EffectKind::CreateConstraint {
                    table: table.clone(),
                    constraint,
                });
            }
        }
        AlterTableOperation::DropColumn { column_names, .. } => {
            for column in column_names {
                out.push(EffectKind::DropColumn {
                    table: table.clone(),
                    column: ident(column),
                });
            }
        }
        AlterTableOperation::RenameColumn {
            old_column_name,
            new_column_name,
        } => {
            let mut change = column_change(ident(old_column_name));
            if let EffectKind::AlterColumn { new_name, .. } = &mut change {
                *new_name = Some(ident(new_column_name));
            }
            out.push(change);
        }
        AlterTableOperation::RenameTable { table_name } => {
            let (RenameTableNameKind::As(new) | RenameTableNameKind::To(new)) = table_name;
            let (_, new_name) = qualified(new).ok_or("a name driftcheck cannot read")?;
            out.push(EffectKind::RenameTable {
                table: table.clone(),
                new_name,
            });
        }
        AlterTableOperation::AlterColumn { column_name, op } => {
            let mut change = column_change(ident(column_name));
            if let EffectKind::AlterColumn {
                nullable,
                type_,
                server_default,
                ..
            } = &mut change
            {
                match op {
                    AlterColumnOperation::SetNotNull => *nullable = Some(false),
                    AlterColumnOperation::DropNotNull => *nullable = Some(true),
                    AlterColumnOperation::SetDefault { value } => {
                        *server_default = Some(DefaultSpec::Sql(value.to_string()))
                    }
                    AlterColumnOperation::DropDefault => *server_default = Some(DefaultSpec::Null),
                    AlterColumnOperation::SetDataType { data_type, .. } => {
                        *type_ = Some(match format_type(data_type) {
                            Some(mapped) => TypeChange::Mapped(mapped),
                            None => TypeChange::Unmapped(data_type.to_string()),
                        })
                    }
                    _ => return not_followed("this ALTER COLUMN"),
                }
            }
            out.push(change);
        }
        AlterTableOperation::AddConstraint { constraint, .. } => {
            out.push(EffectKind::CreateConstraint {
                table: table.clone(),
                constraint: constraint_spec(constraint)?,
            });
        }
        AlterTableOperation::DropConstraint { name, .. } => {
            out.push(EffectKind::DropConstraint {
                table: table.clone(),
                name: ident(name),
                kind: None,
            });
        }
        other => {
            let text = other.to_string();
            let words: Vec<&str> = text.split_whitespace().take(2).collect();
            return not_followed(&format!("ALTER TABLE … {} …", words.join(" ")));
        }
    }
    Ok(())
}

/// A column definition and the constraints written inline (`UNIQUE`,
/// `REFERENCES`, `CHECK`; a `PRIMARY KEY` is the column's flag).
fn column_spec(def: &ColumnDef) -> Result<(ColumnSpec, Vec<ConstraintSpec>), String> {
    let name = ident(&def.name);
    let mut column = ColumnSpec {
        name: name.clone(),
        data_type: format_type(&def.data_type),
        nullable: true,
        server_default: None,
        primary_key: false,
    };
    let mut constraints = Vec::new();
    for option in &def.options {
        let named = option.name.as_ref().map(ident);
        match &option.option {
            ColumnOption::Null => {}
            ColumnOption::NotNull => column.nullable = false,
            ColumnOption::Default(expr) => {
                column.server_default = Some(DefaultSpec::Sql(expr.to_string()))
            }
            ColumnOption::PrimaryKey(_) => {
                column.primary_key = true;
                column.nullable = false;
            }
            ColumnOption::Unique(_) => constraints.push(ConstraintSpec {
                name: named,
                columns: vec![name.clone()],
                ..empty(ConstraintKind::Unique)
            }),
            ColumnOption::ForeignKey(fk) => constraints.push(ConstraintSpec {
                name: named.or_else(|| fk.name.as_ref().map(ident)),
                columns: vec![name.clone()],
                references: Some(reference(&fk.foreign_table)?),
                on_delete: fk.on_delete.map(|a| a.to_string()),
                on_update: fk.on_update.map(|a| a.to_string()),
                ..empty(ConstraintKind::ForeignKey)
            }),
            ColumnOption::Check(check) => constraints.push(ConstraintSpec {
                name: named.or_else(|| check.name.as_ref().map(ident)),
                condition: Some(check.expr.to_string()),
                ..empty(ConstraintKind::Check)
            }),
            _ => return Err(format!("column option `{}` is not followed", option.option)),
        }
    }
    Ok((column, constraints))
}

fn empty(kind: ConstraintKind) -> ConstraintSpec {
    ConstraintSpec {
        kind,
        name: None,
        columns: Vec::new(),
        references: None,
        condition: None,
        on_delete: None,
        on_update: None,
    }
}

/// `schema.table` or `table`, as `ForeignKeyConstraint.references` holds it.
fn reference(name: &ObjectName) -> Result<String, String> {
    match qualified(name).ok_or("a name driftcheck cannot read")? {
        (Some(schema), table) => Ok(format!("{schema}.{table}")),
        (None, table) => Ok(table),
    }
}

fn constraint_spec(constraint: &TableConstraint) -> Result<ConstraintSpec, String> {
    let name_of = |name: &Option<sqlparser::ast::Ident>| name.as_ref().map(ident);
    Ok(match constraint {
        TableConstraint::PrimaryKey(pk) => ConstraintSpec {
            name: name_of(&pk.name),
            columns: plain_columns(&pk.columns).ok_or("a key on expressions is not followed")?,
            ..empty(ConstraintKind::PrimaryKey)
        },
        TableConstraint::Unique(unique) => ConstraintSpec {
            name: name_of(&unique.name),
            columns: plain_columns(&unique.columns)
                .ok_or("a key on expressions is not followed")?,
            ..empty(ConstraintKind::Unique)
        },
        TableConstraint::ForeignKey(fk) => ConstraintSpec {
            name: name_of(&fk.name),
            columns: fk.columns.iter().map(ident).collect(),
            references: Some(reference(&fk.foreign_table)?),
            on_delete: fk.on_delete.map(|a| a.to_string()),
            on_update: fk.on_update.map(|a| a.to_string()),
            ..empty(ConstraintKind::ForeignKey)
        },
        TableConstraint::Check(check) => ConstraintSpec {
            name: name_of(&check.name),
            condition: Some(check.expr.to_string()),
            ..empty(ConstraintKind::Check)
        },
        other => return Err(format!("constraint `{other}` is not followed")),
    })
}

/// Column names of an index or key; `None` when one is an expression.
fn plain_columns(columns: &[IndexColumn]) -> Option<Vec<String>> {
    columns
        .iter()
        .map(|c| match &c.column.expr {
            Expr::Identifier(i) => Some(ident(i)),
            _ => None,
        })
        .collect()
}

/// A SQL type as PostgreSQL's `format_type` prints it; `None` when not known
/// (it is then not compared).
pub(super) fn format_type(data_type: &DataType) -> Option<String> {
    let text = data_type.to_string().to_lowercase();
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let (head, args) = match text.split_once('(') {
        Some((head, rest)) => (
            head.trim().to_string(),
            Some(rest.trim_end_matches(')').replace(' ', "")),
        ),
        None => (text.clone(), None),
    };
    let mapped = match (head.as_str(), args) {
        ("int" | "integer" | "int4" | "serial" | "serial4", None) => "integer".to_string(),
        ("bigint" | "int8" | "bigserial" | "serial8", None) => "bigint".to_string(),
        ("smallint" | "int2", None) => "smallint".to_string(),
        ("text", None) => "text".to_string(),
        ("boolean" | "bool", None) => "boolean".to_string(),
        ("varchar" | "character varying", None) => "character varying".to_string(),
        ("varchar" | "character varying", Some(n)) => format!("character varying({n})"),
        ("char" | "character", n) => format!("character({})", n.unwrap_or_else(|| "1".into())),
        ("timestamp" | "timestamp without time zone", None) => {
            "timestamp without time zone".to_string()
        }
        ("timestamptz" | "timestamp with time zone", None) => {
            "timestamp with time zone".to_string()
        }
        ("date", None) => "date".to_string(),
        ("uuid", None) => "uuid".to_string(),
        ("json", None) => "json".to_string(),
        ("jsonb", None) => "jsonb".to_string(),
        ("bytea", None) => "bytea".to_string(),
        ("real" | "float4", None) => "real".to_string(),
        ("double precision" | "float8", None) => "double precision".to_string(),
        ("numeric" | "decimal", None) => "numeric".to_string(),
        ("numeric" | "decimal", Some(args)) if args.contains(',') => format!("numeric({args})"),
        ("numeric" | "decimal", Some(p)) => format!("numeric({p},0)"),
        ("interval", None) => "interval".to_string(),
        ("inet", None) => "inet".to_string(),
        _ => return None,
    };
    Some(mapped)
}
