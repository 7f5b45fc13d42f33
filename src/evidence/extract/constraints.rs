//! Constraint operations: `op.create_unique_constraint`,
//! `op.create_primary_key`, `op.create_check_constraint`,
//! `op.create_foreign_key`, `op.drop_constraint`, and the table-level
//! `sa.PrimaryKeyConstraint(...)` and friends inside `op.create_table`.

use super::args::{bind, split_args, Args, Param};
use super::values::Values;
use super::{Op, SCHEMA};
use crate::evidence::model::*;
use ruff_python_ast::{Expr, ExprCall};

/// A constraint with no columns, reference, condition or actions yet.
fn bare(kind: ConstraintKind, name: Option<String>) -> ConstraintSpec {
    ConstraintSpec {
        kind,
        name,
        columns: Vec::new(),
        references: None,
        condition: None,
        on_delete: None,
        on_update: None,
    }
}

/// `create_unique_constraint` / `create_primary_key`: a name, a table, columns.
pub(super) fn create_keyed(op: &Op, args: Args, kind: ConstraintKind) -> Option<EffectKind> {
    let bound = bind(
        args,
        &op.params(&[
            &["constraint_name", "name"],
            &["table_name", "source"],
            &["columns", "local_cols", "cols"],
        ]),
        &[SCHEMA],
    )?;
    Some(EffectKind::CreateConstraint {
        table: op.table_of(&bound)?,
        constraint: ConstraintSpec {
            columns: op.values.str_list(bound.get("columns")?)?,
            ..bare(kind, op.values.opt_str_of(bound.get("constraint_name")?)?)
        },
    })
}

pub(super) fn create_check(op: &Op, args: Args) -> Option<EffectKind> {
    let bound = bind(
        args,
        &op.params(&[
            &["constraint_name", "name"],
            &["table_name", "source"],
            &["condition"],
        ]),
        &[SCHEMA],
    )?;
    let condition = bound.get("condition")?;
    Some(EffectKind::CreateConstraint {
        table: op.table_of(&bound)?,
        constraint: ConstraintSpec {
            condition: op.values.sql_text(condition),
            ..bare(
                ConstraintKind::Check,
                op.values.opt_str_of(bound.get("constraint_name")?)?,
            )
        },
    })
}

pub(super) fn create_foreign_key(op: &Op, args: Args) -> Option<EffectKind> {
    let full: &[Param] = &[
        &["constraint_name", "name"],
        &["source_table", "source"],
        &["referent_table", "referent"],
        &["local_cols"],
        &["remote_cols"],
    ];
    let bound = bind(
        args,
        &op.params(full),
        &["source_schema", "referent_schema", "ondelete", "onupdate"],
    )?;
    let values = op.values;
    let action = |key: &str| -> Option<Option<String>> {
        Some(values.optional(bound.get(key))?.map(|a| a.to_uppercase()))
    };
    let table = match op.batch {
        Some(b) => b.table.clone(),
        None => TableRef {
            name: values.str_of(bound.get("source_table")?)?,
            schema: values.optional(bound.get("source_schema"))?,
        },
    };
    let referent = values.str_of(bound.get("referent_table")?)?;
    let references = match values.optional(bound.get("referent_schema"))? {
        Some(s) => format!("{s}.{referent}"),
        None => referent,
    };
    Some(EffectKind::CreateConstraint {
        table,
        constraint: ConstraintSpec {
            columns: values.str_list(bound.get("local_cols")?)?,
            references: Some(references),
            on_delete: action("ondelete")?,
            on_update: action("onupdate")?,
            ..bare(
                ConstraintKind::ForeignKey,
                values.opt_str_of(bound.get("constraint_name")?)?,
            )
        },
    })
}

pub(super) fn drop_constraint(op: &Op, args: Args) -> Option<EffectKind> {
    let bound = bind(
        args,
        &op.params(&[
            &["constraint_name", "name"],
            super::TABLE,
            &["type_", "type"],
        ]),
        &[SCHEMA],
    )?;
    let kind = match op.values.optional(bound.get("type_"))? {
        Some(t) => Some(ConstraintKind::from_alembic_type(&t)?),
        None => None,
    };
    Some(EffectKind::DropConstraint {
        table: op.table_of(&bound)?,
        name: op.values.str_of(bound.get("constraint_name")?)?,
        kind,
    })
}

/// `sa.PrimaryKeyConstraint(...)` and friends inside `op.create_table`.
pub(super) fn table_constraint(
    values: &Values,
    call: &ExprCall,
    kind_name: &str,
) -> Option<ConstraintSpec> {
    let kind = match kind_name {
        "PrimaryKeyConstraint" => ConstraintKind::PrimaryKey,
        "UniqueConstraint" => ConstraintKind::Unique,
        "CheckConstraint" => ConstraintKind::Check,
        "ForeignKeyConstraint" => ConstraintKind::ForeignKey,
        _ => return None,
    };
    let args = split_args(call);
    if args.has_splat {
        return None;
    }
    let mut name = None;
    let mut keyword_columns = None;
    let mut keyword_refs = None;
    let mut keyword_condition: Option<&Expr> = None;
    let mut on_delete: Option<String> = None;
    let mut on_update: Option<String> = None;
    for &(key, value) in &args.keywords {
        match key {
            "name" => name = values.opt_str_of(value)?,
            "columns" => keyword_columns = Some(values.str_list(value)?),
            "refcolumns" => keyword_refs = Some(values.str_list(value)?),
            "sqltext" => keyword_condition = Some(value),
            "ondelete" => on_delete = values.opt_str_of(value)?,
            "onupdate" => on_update = values.opt_str_of(value)?,
            _ => {}
        }
    }
    let mut spec = ConstraintSpec {
        on_delete: on_delete.map(|a| a.to_uppercase()),
        on_update: on_update.map(|a| a.to_uppercase()),
        ..bare(kind, name)
    };
    match kind {
        ConstraintKind::PrimaryKey | ConstraintKind::Unique => {
            spec.columns = args
                .positional
                .iter()
                .map(|p| values.str_of(p))
                .collect::<Option<_>>()?;
        }
        ConstraintKind::Check => {
            let condition = args.positional.first().copied().or(keyword_condition)?;
            spec.condition = values.sql_text(condition);
        }
        ConstraintKind::ForeignKey => {
            let mut positional = args.positional.iter();
            spec.columns = match keyword_columns {
                Some(c) => c,
                None => values.str_list(positional.next()?)?,
            };
            let refs = match keyword_refs {
                Some(r) => r,
                None => values.str_list(positional.next()?)?,
            };
            // "schema.table.column" → "schema.table".
            spec.references = refs
                .first()
                .and_then(|r| r.rsplit_once('.'))
                .map(|(table, _)| table.to_string());
        }
    }
    Some(spec)
}
